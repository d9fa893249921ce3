/*
 * roles: the parent's view of VRRP (the director's roles) — the last IPC_VRRP_STATE of every
 * instance, sync group and interface the vrrp child reports. On a
 * transition it logs, runs the notify script (TYPE NAME STATE PRIORITY,
 * as script_user, no shell) and steers the IPVS sync daemon of instances
 * with ipvs_sync; it answers `vigilctl vrrp` and the status "vrrp"
 * section from what it keeps.
 */
#ifndef VIGIL_ROLES_H
#define VIGIL_ROLES_H

#include <stddef.h>

struct vigild;
struct json_object;

/* One IPC_VRRP_STATE payload (size already checked by the framing). */
void roles_on_msg(struct vigild *d, const void *p, size_t len);
/* {"cmd":"vrrp"[,"instance":NAME]} */
struct json_object *roles_cmd(struct vigild *d, struct json_object *req);
/* Adds "vrrp": {instances, sync_groups, interfaces} to a status reply. */
void roles_status_json(struct vigild *d, struct json_object *r);
/* Applies the sync daemon roles still settling (at stop, before the IPVS
 * table is released). */
void roles_settle(struct vigild *d);
/* Calls fn with the last report of every instance, group and interface. */
struct ipc_vrrp_state;
void roles_foreach(struct vigild *d, void (*fn)(struct vigild *d, const struct ipc_vrrp_state *m));
/* The last reported state (enum vrrp_state) of instance name; -1: none yet. */
int roles_instance_state(struct vigild *d, const char *name);
void roles_free(struct vigild *d);

#endif
