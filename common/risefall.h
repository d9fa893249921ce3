/*
 * risefall: turns a series of pass/fail results into a verdict with
 * hysteresis — the one rule for health checks (checkers/engine.c) and
 * VRRP track scripts (vrrp/run/vrrp_trackers.c). Pure, no clock: the
 * caller feeds one result per run.
 *
 *   UNKNOWN ──the first pass─────────────────> UP
 *      │                                      │  ^
 *      └── fall failures in a row ──> DOWN <──┘  │ fall failures in a row
 *                                      └─────────┘ rise passes in a row
 *
 * A new check or script has no verdict: its first pass brings it up at
 * once (a real server that answers is not held down for `rise` runs when
 * vigild starts), `fall` failures in a row bring it down; after that,
 * `rise` passes in a row bring it up and `fall` failures down. rise and
 * fall below 1 count as 1.
 */
#ifndef VIGIL_RISEFALL_H
#define VIGIL_RISEFALL_H

#include <stdbool.h>

enum risefall_state { RISEFALL_UNKNOWN, RISEFALL_UP, RISEFALL_DOWN };

struct risefall {
	enum risefall_state state;
	unsigned passes, failures;    /* consecutive; one of them is 0 */
};

#define RISEFALL_INIT { RISEFALL_UNKNOWN, 0, 0 }

/* Applies one result; true when the state changed. */
bool risefall_step(struct risefall *s, bool pass, unsigned rise, unsigned fall);

const char *risefall_state_str(enum risefall_state s);   /* "up", "down", "unknown" */

#endif
