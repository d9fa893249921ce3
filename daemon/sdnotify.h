/*
 * sdnotify: what vigild tells systemd (Type=notify), from the
 * supervisor's facts, so `systemctl start` and `systemctl reload` return
 * when the director really is ready, not when the parent merely runs.
 *
 *   start: READY=1 once every enabled child has said READY (the IPVS
 *          table is programmed before the children start)
 *   reload (SIGHUP or vigilctl): RELOADING=1 + MONOTONIC_USEC, then READY=1
 *          once every running child has answered for the new generation
 *          (or at once when the file is refused)
 *   watchdog: WATCHDOG=1 at half of WatchdogSec from the parent's loop,
 *          while every running child answers heartbeats
 *   STATUS=: generation, children, the last reload's outcome
 *
 * Without NOTIFY_SOCKET every call is a no-op.
 */
#ifndef VIGIL_SDNOTIFY_H
#define VIGIL_SDNOTIFY_H

#include <stdbool.h>

struct vigild;

/* Starts the watchdog timer if systemd asked for one. */
void sdn_init(struct vigild *d);
void sdn_stop(struct vigild *d);
/* The supervisor's events. */
void sdn_child_ready(struct vigild *d);
void sdn_reload_begin(struct vigild *d);
void sdn_reload_refused(struct vigild *d, unsigned errors);
void sdn_child_answered(struct vigild *d);   /* RELOAD_DONE, or a child gone */
void sdn_stopping(struct vigild *d);

#endif
