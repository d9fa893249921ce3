/*
 * wallclock: the time of day, for what is shown to people and compared
 * across processes — when a process started, when the configuration was
 * loaded, when a VRRP instance last changed state. Timers and deadlines
 * use ev_now() (monotonic) instead: the wall clock can step.
 */
#ifndef VIGIL_WALLCLOCK_H
#define VIGIL_WALLCLOCK_H

#include <time.h>

/* Seconds since the epoch (as time(2)), with sub-second precision. */
static inline double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Milliseconds on the monotonic clock, for measuring how long work took. */
static inline double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

#endif
