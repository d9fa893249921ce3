/*
 * lvs: the parent's ownership of the kernel IPVS table. It turns the
 * configuration, the health of the real servers and the operator's
 * overrides into the wanted table, and reconciles the kernel to it through
 * ipvs-glue — at most once per event-loop pass (an ev_prepare watcher),
 * however many changes arrived in that pass.
 */
#ifndef VIGIL_LVS_H
#define VIGIL_LVS_H

#include <stdbool.h>

struct vigild;
struct conf;
struct errbuf;
struct json_object;

/* Opens IPVS netlink. Fails (-ENOENT, "modprobe ip_vs") when the kernel has
 * no IPVS and virtual servers are configured, unless in dry-run mode. */
int lvs_open(struct vigild *d, struct errbuf *eb);
/* Removes what vigild owns unless keep_ipvs_on_exit, then closes. */
void lvs_close(struct vigild *d);

/* Reconciles at once (start-up: the table is programmed before the
 * children start, with the whole machine to itself). */
void lvs_reconcile_now(struct vigild *d);
/* Something that shapes the wanted table changed: reconcile soon. */
void lvs_mark_dirty(struct vigild *d);
/* A new configuration is in d->conf: drop overrides of changed real servers. */
void lvs_conf_changed(struct vigild *d, const struct conf *old);

/* The operations that loading c would make now, as strings into ops. */
int lvs_preview(struct vigild *d, const struct conf *c, struct json_object *ops,
		struct errbuf *eb);

/* Control commands (drain/undrain/weight) and status; see lvs_ctl.c. */
struct json_object *lvs_cmd_steer(struct vigild *d, const char *cmd, struct json_object *req);
void lvs_status_json(struct vigild *d, struct json_object *r);

/* The IPVS connection-sync daemon follows a VRRP instance: state is
 * IPVS_SYNC_MASTER or IPVS_SYNC_BACKUP (the other role is stopped), or 0
 * to stop both. In a dry run, or without IPVS, it only logs. */
int lvs_sync_daemon(struct vigild *d, int state, const char *ifname, unsigned syncid);

#endif
