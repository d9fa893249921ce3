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
#include <stdint.h>

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
/* The health of a real server of virtual server vi of d->conf changed:
 * reconcile that virtual server's services soon (with few marked, only
 * theirs are built and compared; see lvs_part.c). */
void lvs_mark_vs_dirty(struct vigild *d, unsigned vi);
/* A new configuration is in d->conf: drop overrides of changed real servers. */
void lvs_conf_changed(struct vigild *d, const struct conf *old);

/* The operations that loading c would make now, as strings into ops. */
int lvs_preview(struct vigild *d, const struct conf *c, struct json_object *ops,
		struct errbuf *eb);

/* The index of the virtual server of c that spec names (a name,
 * ADDR:PORT[/proto] or fwmark:N), of the real server of v that spec
 * (ADDR:PORT) names; -1 when none. */
struct vs_conf;
int lvs_vs_index(const struct conf *c, const char *spec);
int lvs_rs_index(const struct vs_conf *v, const char *spec);
/* Drains real server rj of virtual server vi of d->conf (weight 0, as
 * `vigilctl drain`). 0, or -ENOMEM / -ENOENT. */
int lvs_override_drain(struct vigild *d, unsigned vi, unsigned rj);
/* The kernel's destinations of virtual servers vis[0..n) of d->conf
 * (each one's first service) into out (ipvs_table_init'ed; free it with
 * ipvs_table_free): one request each, not a dump of the whole table. 0,
 * or -ENOENT without IPVS, or -errno. Then the connection counts of real
 * server rj of virtual server vi of d->conf in such a table: 0, or
 * -ENOENT when it has no destination there. */
struct ipvs_table;
int lvs_kernel_dump_vs(struct vigild *d, const unsigned *vis, unsigned n, struct ipvs_table *out);
int lvs_dest_conns(struct vigild *d, const struct ipvs_table *kernel, unsigned vi, unsigned rj,
		   int64_t *active, int64_t *inactive);

/* Control commands (drain/undrain/weight) and status; see lvs_ctl.c. */
struct json_object *lvs_cmd_steer(struct vigild *d, const char *cmd, struct json_object *req);
void lvs_status_json(struct vigild *d, struct json_object *r);

/*
 * The kernel's IPVS table with its traffic counters (connections,
 * packets and bytes in and out, and the kernel's rates), shared by every
 * reader — status, /metrics, the page, the snmp feed: one dump at most per
 * LVS_STATS_MAX_AGE (the kernel's rate estimator moves every 2 s), never
 * a walk of the connection table. NULL without IPVS (a dry run on a
 * kernel without it) or when the dump failed (logged once). The table is
 * sorted by key for lvs_stats_svc/lvs_stats_dest and stays valid until
 * the next call into lvs; *taken_at (may be NULL) gets the dump's
 * ev_now(). lvs_stats_stale: the table changed, dump again next time.
 */
#define LVS_STATS_MAX_AGE 2.0
struct ipvs_table;
struct ipvs_table_svc;
struct ipvs_svc_key;
struct ipvs_dest;
struct vaddr;
const struct ipvs_table *lvs_stats(struct vigild *d, double *taken_at);
void lvs_stats_stale(struct vigild *d);
const struct ipvs_table_svc *lvs_stats_svc(const struct ipvs_table *t,
					   const struct ipvs_svc_key *k);
const struct ipvs_dest *lvs_stats_dest(const struct ipvs_table_svc *ts, const struct vaddr *a,
				       uint16_t port);

/*
 * The last minutes of traffic for the status page's charts: a sample
 * every LVS_HIST_STEP seconds (while global.http is on), LVS_HIST_LEN
 * kept. lvs_history copies the connections/s and bytes/s (in + out) of
 * virtual server vs (an index in d->conf) or of its real server rs
 * (rs < 0: the virtual server's own) into cps/bps, oldest first, NaN
 * where the kernel had no entry; returns how many (0: none yet).
 */
#define LVS_HIST_LEN 60
#define LVS_HIST_STEP 5.0
unsigned lvs_history(struct vigild *d, unsigned vs, int rs, float *cps, float *bps);

/* Whether the kernel's IPVS table is reachable (not a dry run, ip_vs loaded). */
bool lvs_have_ipvs(const struct vigild *d);

/* One row of what status shows, for other views (the snmp child's). */
struct ipvs_table_svc;
struct ipvs_dest;
struct vs_conf;
struct lvs_row {
	unsigned vi;                  /* index in d->conf->vs */
	unsigned ri;                  /* index in its real_servers; LVS_ROW_VS: the service */
	const struct vs_conf *v;
	const struct ipvs_table_svc *want;
	const struct ipvs_table_svc *kern;   /* NULL: not in the kernel's table */
	const struct ipvs_dest *wd, *kd;     /* real servers: wanted and kernel destination */
	bool override, drained;
	bool quorum_known, quorum_up, sorry_in;
	unsigned alive;               /* alive weight at the last evaluation */
};
#define LVS_ROW_VS UINT32_MAX
/* Calls cb for every virtual server, then each of its real servers, as
 * lvs_status_json() sees them (the kernel's side from the last dump,
 * lvs_stats_recent(): it is periodic, the snmp feed's). Returns
 * 0 or -errno (no table in this process, out of memory); *kernel says
 * whether the kernel's table was read. */
int lvs_walk(struct vigild *d, void (*cb)(struct vigild *d, const struct lvs_row *row, void *arg),
	     void *arg, bool *kernel);

/* Real server ri of virtual server vi (indexes in d->conf) went up or
 * down: runs its notify_up or notify_down (lvs_notify.c). */
void lvs_rs_notify(struct vigild *d, unsigned vi, unsigned ri, bool up);
/* Stopping: for each virtual server with omega, notify_down of its real
 * servers that are up, and on_quorum_down when its quorum is up. */
void lvs_omega(struct vigild *d);
/* A reload is about to make next the configuration: the same for each
 * omega service of d->conf that next no longer has (by kernel key or
 * name), as keepalived does for a service a reload removes. */
void lvs_omega_removed(struct vigild *d, const struct conf *next);

/* The IPVS connection-sync daemon follows a VRRP instance: state is
 * IPVS_SYNC_MASTER or IPVS_SYNC_BACKUP (the other role is stopped), or 0
 * to stop both. In a dry run, or without IPVS, it only logs. */
int lvs_sync_daemon(struct vigild *d, int state, const char *ifname, unsigned syncid);
/* announce.ipvs_sync: a master and a backup sync daemon at once, so every
 * active director behind ECMP holds every other's connections. Called at
 * start and after each reload (starts, restarts on a new interface or
 * syncid, or stops them as the configuration says), and with stopping
 * set when vigild stops (stops them if it runs them). */
void lvs_sync_both(struct vigild *d, bool stopping);

#endif
