/*
 * ratelimit: a burst per window, with a count of what was held back
 * (see ratelimit.h).
 */
#include "ratelimit.h"

bool ratelimit_allow(struct ratelimit *rl, double now, unsigned burst, double window,
		     unsigned *suppressed)
{
	/* A clock that went back (another process's time, a test) starts over. */
	if (rl->start == 0 || now - rl->start >= window || now < rl->start) {
		rl->start = now;
		rl->used = 0;
	}
	if (rl->used >= burst) {
		rl->suppressed++;
		return false;
	}
	rl->used++;
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}
