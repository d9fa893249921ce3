/*
 * ratelimit: how a process keeps a flood out of its log — a burst of
 * lines per window of time, then silence, and the next line let through
 * says how many were held back. Used where the outside world decides how
 * often something happens: bad VRRP packets, flapping real servers,
 * control clients refused.
 *
 *   window ┌── burst lines ──┬── suppressed (counted) ──┐ next window: the first
 *          start                                          line carries the count
 */
#ifndef VIGIL_RATELIMIT_H
#define VIGIL_RATELIMIT_H

#include <stdbool.h>

struct ratelimit {
	double start;                 /* of the current window; 0: none yet */
	unsigned used;                /* lines let through in it */
	unsigned suppressed;          /* held back since the last line let through */
};

/* Whether a line may be logged at time now (any monotonic seconds):
 * at most burst per window seconds. When it may, *suppressed receives
 * how many were held back before it (then reset). */
bool ratelimit_allow(struct ratelimit *rl, double now, unsigned burst, double window,
		     unsigned *suppressed);

#endif
