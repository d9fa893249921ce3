/* lvs internals shared by lvs.c (reconcile) and lvs_ctl.c (commands, status). */
#ifndef VIGIL_LVS_INT_H
#define VIGIL_LVS_INT_H

#include <ev.h>
#include <stdint.h>

#include "conf.h"
#include "ipvs.h"
#include "lvs.h"

/* An operator's weight for one real server of one virtual server. */
struct lvs_override {
	struct ipvs_svc_key svc;
	struct vaddr addr;
	uint16_t port;
	int weight;                   /* the weight to use (0 for drain) */
	bool drained;
	int conf_weight;              /* the configured weight it was set against */
	enum fwd_method conf_fwd;
	struct lvs_override *next;
};

/* One virtual server's quorum, kept by service key across reloads. */
struct lvs_quorum {
	struct ipvs_svc_key svc;
	bool up;
	unsigned alive;               /* alive weight at the last evaluation */
	bool seen;                    /* evaluated in this pass (sweeping) */
	struct lvs_quorum *next;
};

struct lvs_counts {
	uint64_t ops[IPVS_OP_DEL_DEST + 1];   /* applied, by enum ipvs_op_type */
	uint64_t errors;
	uint64_t reconciles;
};

/* The kernel's connection table (lvs_conntab.c). */
struct lvs_conntab {
	unsigned long size;           /* buckets; 0: unknown */
	uint64_t active, inactive, templates;   /* at the last count */
	double at;                    /* ev_now of the last count; 0: never */
	double warned_at;             /* of the last "outgrown" warning; 0: not outgrown */
	ev_timer tick_w;
};

/* lvs_stats.c: the last dump with counters, sorted by key. */
struct lvs_stats_bg;
struct lvs_stats_cache {
	struct ipvs_table table;
	double at;                    /* ev_now() of the dump */
	bool valid, failing;
	bool have;                    /* table holds a dump, valid or not */
	uint64_t dumps, failures;
	unsigned moved;               /* applies that moved weights (lvs_stats_moved) */
	struct lvs_stats_bg *bg;      /* the refresh on a thread; NULL until first used */
};

/* lvs_hist.c: the status page's charts — a ring of rates per virtual
 * server and real server of the current configuration. */
struct lvs_series {
	uint64_t conns, bytes;        /* the counters at the last sample */
	bool have;                    /* those are set */
	float cps[LVS_HIST_LEN], bps[LVS_HIST_LEN];   /* NaN: no data */
};

struct lvs_hist_rs {
	struct vaddr addr;
	uint16_t port;
	struct lvs_series s;
};

struct lvs_hist_vs {
	struct ipvs_svc_key key;
	struct lvs_series s;
	struct lvs_hist_rs *rs;
	unsigned n_rs;
};

struct lvs_hist {
	uint32_t generation;          /* of the layout below */
	bool laid_out;
	struct lvs_hist_vs *vs;
	unsigned n_vs;
	unsigned head, n;             /* next slot, slots filled */
	double last_at;               /* taken_at of the last sample */
	ev_timer w;
};

/* lvs_part.c: the virtual servers whose real servers' health changed
 * since the last pass, for a pass over them alone. */
struct lvs_part {
	bool all;                     /* the whole table: a full pass next */
	unsigned *list, n, cap;       /* the marked virtual servers */
	uint8_t *marked;              /* per virtual server of conf: in list */
	unsigned n_vs;                /* marked's length */
	const struct conf *conf;      /* the configuration owned was built from */
	uint32_t generation;          /* and its generation */
	uint64_t passes;              /* partial passes made */
};

struct lvs {
	struct vigild *d;
	struct ipvs_ctx ctx;
	bool have_ipvs;
	struct ipvs_table owned;      /* the last wanted table: what vigild owns */
	bool owned_is_kernel;         /* the last apply succeeded: no dump needed */
	bool started;                 /* a first reconcile ran */
	bool dirty;
	ev_prepare prepare_w;
	struct lvs_override *overrides;
	struct lvs_quorum *quorums;
	struct lvs_quorum **quorum_index;   /* the list sorted by key, rebuilt at each sweep */
	unsigned n_quorum_index;
	struct lvs_counts count;
	struct { unsigned ops, errors; double ms; } last;
	struct lvs_conntab conntab;
	bool sync_tuned;              /* the sync sysctls were set for sync_tuning */
	int sync_tuning[4];           /* threshold, period, refresh period, retries */
	/* announce.ipvs_sync as applied: both daemons run on both_if, both_id */
	bool both_on;
	char both_if[16];
	unsigned both_id;
	struct lvs_stats_cache stats;
	struct lvs_hist hist;
	struct lvs_part part;
};

void lvs_stats_free(struct lvs *l);
/* The cached dump is valid and younger than LVS_STATS_MAX_AGE at now. */
bool lvs_stats_fresh(const struct lvs *l, double now);
/* An apply changed the table: the cached weights are old. */
void lvs_stats_moved(struct lvs *l);
/* For periodic readers (the connection table's look, the charts, the
 * snmp feed): the cached dump as it is, NULL when there is none, and a
 * refresh on a thread of its own when it is older than LVS_STATS_MAX_AGE
 * or invalid, so the loop never waits for a dump of the whole table
 * (one of 42,000 destinations is ~60 ms, a second under emulation). The
 * refresh lands on the loop: the cache is replaced (unless an apply moved
 * weights meanwhile, or a newer dump is there) and the connection table
 * counted. */
const struct ipvs_table *lvs_stats_recent(struct lvs *l, double *taken_at);
/* A refresh on its thread (lvs_conntab's tick); false when none could start. */
bool lvs_stats_kick(struct lvs *l);
void lvs_hist_start(struct lvs *l);
void lvs_hist_free(struct lvs *l);

/* Builds the wanted table for c (config + health + overrides + quorum).
 * With commit (the reconcile of d->conf) it also records each virtual
 * server's quorum state and runs on_quorum_up/down on changes; without
 * (status, previews) it only reads them. */
int lvs_build_wanted(struct lvs *l, const struct conf *c, struct ipvs_table *out,
		     bool commit, struct errbuf *eb);
/* Shapes t's services from index `from` on (as ipvs_table_from_conf
 * makes them from c) for health, overrides, quorum and sorry server. */
void lvs_shape(struct lvs *l, const struct conf *c, struct ipvs_table *t, unsigned from,
	       bool commit);
/* Applies ops (or logs them in a dry run), counts and logs them; t0 is
 * the pass's start (mono ms). Sets owned_is_kernel from the errors. */
struct ipvs_oplist;
void lvs_apply(struct lvs *l, struct ipvs_oplist *ops, double t0);
/* lvs_part.c. A pass over the marked virtual servers alone when it can
 * stand for a full one: false when a full pass is needed. */
bool lvs_part_reconcile(struct lvs *l);
/* After a full pass: nothing marked, owned is d->conf's. */
void lvs_part_reset(struct lvs *l);
void lvs_part_free(struct lvs *l);
/* Sets global.ipvs_timeouts in the kernel: at start (old NULL), or when
 * they differ from old's. */
void lvs_timeouts(struct vigild *d, const struct conf *old);
const struct lvs_quorum *lvs_find_quorum(const struct lvs *l, const struct ipvs_svc_key *k);

/* lvs_quorum.c: evaluates virtual server v's quorum (kept under key, its
 * first service's) from its alive weight; records the state and runs
 * commands when commit. Returns whether the quorum is up. */
struct ipvs_table_svc;
bool lvs_quorum_apply(struct lvs *l, const struct vs_conf *v, const struct ipvs_svc_key *key,
		      unsigned alive, bool commit);
/* With the quorum lost and a sorry server, puts it in ts (each of a
 * group's services) with only the destinations down[j] marks (failed,
 * kept at weight 0 by inhibit; NULL: none); with sorry_inhibit and the
 * quorum up, adds it at weight 0. */
void lvs_quorum_sorry(const struct vs_conf *v, struct ipvs_table_svc *ts, bool up,
		      const bool *down);
/* The service key of one configured virtual server (a group's: its
 * first member's). Returns 0 or -EINVAL. */
int lvs_vs_key(const struct vs_conf *v, struct ipvs_svc_key *k);
/* The name, ADDR:PORT or fwmark:N of a virtual server, for messages and
 * as the argument of its commands. */
const char *lvs_vs_label(const struct vs_conf *v, char *buf, size_t len);
/* Runs on_quorum_up or on_quorum_down (when set) as script_user. */
void lvs_quorum_command(struct lvs *l, const struct vs_conf *v, bool up);
/* The first service of virtual server vi in a table from lvs_build_wanted
 * (NULL when none). */
const struct ipvs_table_svc *lvs_vs_svc(const struct ipvs_table *t, unsigned vi);
/* After a committing pass: forgets services no longer configured. */
void lvs_quorum_sweep(struct lvs *l);
void lvs_quorum_free(struct lvs *l);
struct lvs_override *lvs_find_override(struct lvs *l, const struct ipvs_svc_key *k,
				       const struct vaddr *a, uint16_t port);

/* lvs_conntab.c. The table's size from /proc/net/ip_vs's first line,
 * else from the conn_tab_bits parameter's text (either may be NULL):
 * 0, or -ENOENT. */
int lvs_conntab_parse(const char *proc_line, const char *sys_bits, unsigned long *size);
/* The conn_tab_bits (8..20) for a table of at least that many buckets. */
unsigned lvs_conntab_bits_for(uint64_t entries);
void lvs_conntab_open(struct lvs *l);
void lvs_conntab_close(struct lvs *l);
/* Counts the connections of a kernel dump; warns when they outgrow the table. */
void lvs_conntab_count(struct lvs *l, const struct ipvs_table *kernel, double now);
struct json_object;
struct json_object *lvs_conntab_json(const struct lvs *l);

/* lvs_sync.c: writes the net.ipv4.vs sync sysctls g asks for (those not
 * -1) under dir, saying in msg what it set and what was there. 0, or
 * -errno with the failing sysctl in msg. */
struct global_conf;
int lvs_sync_tune(const char *dir, const struct global_conf *g, char *msg, size_t len);

#endif
