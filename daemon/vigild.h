/*
 * vigild: the parent process's one context. The parent parses the
 * configuration, supervises the checker and vrrp children (each a re-exec
 * of this binary with --child, so it starts from a clean image), serves the
 * control socket, and owns the IPVS table.
 *
 *            +-------------------- vigild (parent) ----------------------+
 *   SIGHUP ->| reload: validate -> swap conf -> IPC_RELOAD to children   |
 *   control->| status / reload / ...                                     |
 *            +-----------+-------------------------------+---------------+
 *                        | socketpair (ipc.h frames)     |
 *                     checker                          vrrp        (snmp)
 */
#ifndef VIGIL_VIGILD_H
#define VIGIL_VIGILD_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf.h"
#include "conf_pack.h"
#include "ipc.h"

struct conf;
struct vrrp_status;

struct vigild_opts {
	const char *config;
	const char *pidfile;
	const char *child;            /* --child NAME: run as that child */
	int ipc_fd;                   /* --ipc-fd N (children) */
	bool foreground, log_console, debug, check_only, dry_run;
	bool checker_only, vrrp_only;
};

#define PARENT_SIGNALS 12             /* signals the parent catches */

/* The snmp child runs only when global.snmp.agentx is set. */
enum child_kind { CHILD_CHECKER, CHILD_VRRP, CHILD_SNMP, CHILD__COUNT };

enum child_state {
	CHILD_DISABLED,               /* not run (--checker-only / --vrrp-only, no global.snmp) */
	CHILD_STARTING,               /* forked, no READY yet */
	CHILD_RUNNING,
	CHILD_BACKOFF,                /* exited; restart timer armed */
	CHILD_STOPPING,
	CHILD_STOPPED,
};

struct child {
	enum child_kind kind;
	const char *name;
	enum child_state state;
	pid_t pid;
	int fd;
	struct ipc_conn conn;
	ev_io io;
	ev_child exit_w;
	ev_timer restart_w;           /* backoff before the next start */
	double started_at;            /* ev_now of the last fork */
	double last_heartbeat;        /* ev_now of the last echo, moved on by the
	                                 parent's own stalls (supervise.c) */
	double backoff;               /* s before the next restart */
	unsigned restarts;
	uint64_t hb_sent;
	uint32_t generation;          /* config generation it confirmed */
	uint32_t sent_generation;     /* the last one sent to it */
	bool reload_pending;          /* sent a reload it has not answered */
	bool disabling;               /* stopping for good: no restart at its exit */
	bool parent_killed;           /* the parent SIGKILLed it (stuck, malformed) */
	int last_exit;                /* wait status of the last exit */
	char last_reload_error[256];
};

struct vigild {
	struct ev_loop *loop;
	struct vigild_opts opts;
	const char *self_exe;         /* for re-exec of children */
	struct conf *conf;
	uint32_t generation;
	struct conf_blob blobs[CHILD__COUNT];   /* each child's view of conf, packed */
	double conf_loaded_at;        /* wall clock */
	double started_at;            /* wall clock */
	struct child children[CHILD__COUNT];
	ev_timer heartbeat_w;
	double hb_last;               /* ev_now of the last heartbeat round */
	double pumped_at;             /* CLOCK_MONOTONIC of the last supervise_pump */
	ev_signal sig_w[PARENT_SIGNALS];   /* parent.c's signal table */
	ev_timer stop_w;              /* SIGKILL stragglers after the grace time */
	bool stopping;
	int pidfile_fd;
	struct ctl_server *ctl;
	struct reloader *reloader;    /* loads on a worker thread (reload.c); NULL: on the loop */
	/* The last load's text and virtual servers (config_cache.c), so a
	 * reload reads again only what changed: made by the start-up load,
	 * then used by the reload worker alone (never by the loop while a
	 * worker runs). */
	struct conf_cache *conf_cache;
	double load_ms;               /* the start-up load's, for its log line */
	struct http_server *http;     /* NULL unless global.http.listen */
	struct lvs *lvs;              /* the IPVS table (NULL with --vrrp-only) */
	struct health *health;        /* real servers' health, from the checker */
	struct runtime *rt;           /* vigilctl add/remove changes (runtime.c) */
	struct ipc_checker_stats checker_stats;   /* the checker's counters, last sent */
	double checker_stats_at;      /* ev_now() when they came; 0: never */
	struct vrrp_status *vrrp;     /* VRRP states, from the vrrp child (roles.c) */
	struct notify_fifo *fifo;     /* global.notify_fifo, NULL when off (notify_fifo.c) */
	struct {                      /* every check run by type, from the results (health.c) */
		uint64_t runs[IPC_LAT_BUCKETS];   /* by ipc.h's latency buckets */
		uint64_t sum_us;
	} check_latency[CHECK__COUNT];
	ev_timer snmp_refresh_w;      /* VIGIL-MIB rows to the snmp child (snmp_feed_vigil.c) */
	struct announce *announce;    /* virtual addresses announced to routing (announce.c) */
	struct {                      /* what systemd was told (sdnotify.c) */
		ev_timer watchdog_w;
		bool ready_sent, reloading, watchdog_held;
		char last_error[128];
	} sdn;
};

/* supervise.c */
void supervise_init(struct vigild *d);
void supervise_start_all(struct vigild *d);
void supervise_stop_all(struct vigild *d);   /* SIGTERM, then SIGKILL after grace */
bool supervise_all_stopped(const struct vigild *d);
/* No running child is past its heartbeat deadline (a child the parent
 * could not kill and restart keeps it false). */
bool supervise_children_answer(const struct vigild *d);
void supervise_send(struct vigild *d, enum child_kind k, uint16_t type,
		    const void *p1, size_t l1, const void *p2, size_t l2);
void supervise_broadcast_reload(struct vigild *d);
/* Starts a disabled child, or stops one for good (a reload that adds or
 * removes global.snmp). */
void supervise_enable(struct vigild *d, enum child_kind k, bool on);
/* Reads and handles what the children have sent, without waiting: called
 * during long work in the loop (a status of thousands of servers) so that
 * check results and VRRP reports are not held back behind it. Does
 * nothing when less than 5 ms passed since the last pump. */
void supervise_pump(struct vigild *d);
/* Stops a running child; supervision starts it again. */
void supervise_restart(struct vigild *d, enum child_kind k);
/* Packs c for each child into blobs (freed with supervise_blobs_free).
 * Returns 0 or -ENOMEM. */
int supervise_pack(const struct conf *c, struct conf_blob blobs[CHILD__COUNT]);
void supervise_blobs_free(struct conf_blob blobs[CHILD__COUNT]);
const char *child_state_str(enum child_state s);

/* parent.c */
int parent_run(struct vigild *d);
void parent_check_stopped(struct vigild *d);

/* reload.c: reloads the configuration on the loop, at once (tests, and
 * when there is no worker). Returns 0 when accepted, else 1 with the
 * error lines in *errors (json array, caller puts it). runtime (an array,
 * or NULL) gets what became of each runtime change (rt_merge). */
struct json_object;
int parent_reload(struct vigild *d, struct json_object **errors, struct json_object *runtime);
/* Makes c (validated, runtime changes merged) the running configuration:
 * a new generation, the kernel reconciled, the children reloaded. Takes c
 * and returns 0, or -ENOMEM with nothing changed (c still the caller's). */
int parent_install(struct vigild *d, struct conf *c);

#endif
