/*
 * reload: loads and validates the configuration on a worker thread, so
 * the parent's loop (heartbeats, the children's reports, the control
 * socket, the status page, the IPVS reconcile of a check result) keeps
 * running while a large file is parsed. Only the parse and the packing
 * of the children's views run on the thread; the swap, the IPVS diff and
 * the broadcast to the children run on the loop, as before.
 *
 *   SIGHUP ─┐                 ┌── worker: conf_load + supervise_pack ──┐
 *   reload ─┼─> reload_request┤                                         ├─> ev_async
 *   --dry-run ┘  (queued while │                                        │   commit or refuse,
 *                one runs)     └────────────────────────────────────────┘   reply to waiters
 *
 * One job runs at a time. Requests that arrive while one runs are queued
 * and coalesced (every reload waiting gets the result of the one load
 * that starts after the current ends: the file may have changed since the
 * current one read it); a reload goes before a waiting dry run.
 */
#ifndef VIGIL_RELOAD_H
#define VIGIL_RELOAD_H

#include <stdint.h>

struct vigild;
struct reloader;

enum reload_kind { RELOAD_APPLY, RELOAD_PREVIEW };

/* Returns NULL when out of memory (vigild then reloads on its loop). */
struct reloader *reloader_new(struct vigild *d);
/* A load still running is abandoned (never waited for: it may be stuck
 * reading the file); its memory goes with the process. */
void reloader_free(struct reloader *r);

/* Queues a load. ticket: the control client's (ctl_defer) to answer when
 * it is done, or 0 (SIGHUP). Returns 0, or -1 when too many clients wait
 * (the caller answers at once). */
int reload_request(struct reloader *r, enum reload_kind kind, uint64_t ticket);

/* reload --dry-run on the loop, at once: its control reply. */
struct json_object;
struct json_object *reload_preview_now(struct vigild *d);

#endif
