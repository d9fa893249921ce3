/*
 * risefall: the pass/fail hysteresis of checks and track scripts (see
 * risefall.h).
 */
#include "risefall.h"

bool risefall_step(struct risefall *s, bool pass, unsigned rise, unsigned fall)
{
	enum risefall_state old = s->state;
	if (pass) {
		s->passes++;
		s->failures = 0;
		if (s->state == RISEFALL_UNKNOWN || (s->state == RISEFALL_DOWN && s->passes >= rise))
			s->state = RISEFALL_UP;
	} else {
		s->failures++;
		s->passes = 0;
		if (s->state != RISEFALL_DOWN && s->failures >= fall)
			s->state = RISEFALL_DOWN;
	}
	return s->state != old;
}

const char *risefall_state_str(enum risefall_state s)
{
	switch (s) {
	case RISEFALL_UP: return "up";
	case RISEFALL_DOWN: return "down";
	default: return "unknown";
	}
}
