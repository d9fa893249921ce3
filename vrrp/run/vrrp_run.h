/*
 * vrrp_run: the vrrp child's runtime, shared by child_vrrp.c (life cycle,
 * reload, tracking, realtime), vrrp_inst.c (one instance: timers, actions,
 * sync groups, reports) and vrrp_io.c (sockets per interface and family,
 * receive and validate, announcements).
 *
 *   packet ─> vrrp_io (decode, find VRID, validate, count) ─┐
 *   ev_timer (adver / master down / preempt) ───────────────┼─> vrrp_fsm_step
 *   trackers (link, file, script) ─> priority / fault ──────┘        │
 *                   actions: send advert, add/remove addresses, GARP burst,
 *                   timers, notify ─> IPC_VRRP_STATE to the parent, sync group
 *
 * One struct vrrp_run per process (cx->priv); a reload builds a new one
 * and moves the state machines of unchanged instances into it.
 */
#ifndef VIGIL_VRRP_RUN_H
#define VIGIL_VRRP_RUN_H

#include <ev.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf.h"
#include "ipc.h"
#include "proc_spawn.h"
#include "ratelimit.h"
#include "risefall.h"
#include "vrrp_ah.h"
#include "vrrp_fsm.h"
#include "vrrp_garp.h"
#include "vrrp_pkt.h"
#include "vrrp_proc.h"
#include "vrrp_sock.h"
#include "vrrp_track.h"
#include "vrrp_vip.h"

struct child_ctx;
struct vrrp_run;

#define VRRP_LOG_EVERY 10.0        /* s between two log lines of one kind */
#define VRRP_TX_CACHE 96           /* bytes of an advert kept for the next one */


struct vrrp_io {
	struct vrrp_run *run;
	char ifname[IF_NAMESIZE];
	char src_ifname[IF_NAMESIZE]; /* where the source address is (a vmac's base) */
	int family;
	bool mcast;
	struct vrrp_sock sock;        /* fd -1 while the interface is missing */
	bool want_ah;                 /* an instance here uses IPsec AH (v2, IPv4) */
	struct vrrp_sock ah;          /* its socket (protocol 51, IP_HDRINCL) */
	struct vrrp_garp garp;
	ev_io rx_w, ah_w;
	bool src_valid;               /* src is current (address events clear it) */
	struct vaddr src;
	uint64_t rejected[VRRP_RX__COUNT];   /* no instance to blame */
	struct vrrp_inst *by_vrid[256];     /* its instances (vrrp_io.c, once indexed) */
	struct iovec txq[VRRP_TX_BATCH];    /* cached adverts waiting for run->tx_prep */
	unsigned n_txq;
	struct vaddr txq_src;
	bool indexed;
	struct ratelimit rl;
	struct vrrp_io *next;
};

/* A track script: run every interval (a run still going skips a tick),
 * killed at its timeout; rise/fall turn runs into the verdict. */
struct vrrp_tscript {
	struct vrrp_run *run;
	const struct vrrp_script_conf *conf;
	char **argv;
	struct spawn sp;
	ev_timer tick_w;
	struct risefall rf;           /* the verdict; UNKNOWN counts as passing */
	bool start_failed;            /* the last run could not start (logged once) */
};

/* A tracked process (vrrp.processes[idx]): its verdict and delay. */
struct vrrp_tproc {
	struct vrrp_run *run;
	const struct vrrp_process_conf *conf;
	unsigned idx;                 /* its bit in run->ptab */
	struct vrrp_pq pq;
	ev_timer delay_w;             /* fork_delay / terminate_delay */
};

struct vrrp_grp;

struct vrrp_inst {
	struct vrrp_run *run;
	const struct vrrp_inst_conf *conf;
	struct vrrp_io *io;
	struct vrrp_grp *group;
	int vmac_ifindex;             /* conf->vmac: its interface; 0 while missing */
	bool vmac_bad;                /* the name is another interface's: FAULT */
	struct vrrp_fsm fsm;
	struct vrrp_expect exp;
	struct vrrp_ah_seq ah_seq;    /* AH anti-replay numbers (kept across reloads) */
	uint16_t ip_id;               /* AH: the IPv4 id of the last advert */
	struct {                      /* the last multicast advert, sent again as it is */
		uint8_t buf[VRRP_TX_CACHE];   /* while priority and source stay (vrrp_io.c) */
		size_t len;               /* 0: none */
		uint8_t prio;
		struct vaddr src;
	} txc;
	ev_timer adver_w, down_w, preempt_w, garp_w, refresh_w;
	ev_timer garp2_w;             /* garp.delay: the second burst */
	unsigned garp_left;
	unsigned garp_queued;         /* 1 + the count of a burst waiting for run->garp_prep */
	unsigned garp2_count;         /* what the second burst sends */
	/* tracking */
	bool if_up;                   /* its own interface */
	bool *trk_if_up;              /* per conf->track_ifs */
	struct vrrp_tscript **trk_script;   /* per conf->track_scripts */
	long *trk_file;               /* per conf->track_files: the value read */
	struct vrrp_tproc **trk_proc;   /* per conf->track_procs */
	unsigned faults;              /* trackers holding a fault now */
	/* status */
	uint64_t sent, received, transitions, garp_sent;
	uint64_t rejected[VRRP_RX__COUNT];
	struct {                      /* what RFC 6527's statistics ask for */
		uint64_t became_master, pri0_sent, pri0_received;
		uint8_t master_reason;        /* enum ipc_vrrp_master_reason */
		uint8_t next_master_reason;   /* what becoming master now would be */
		uint8_t proto_err;            /* enum vrrp_rx: last TTL/version/checksum reject */
		uint8_t auth_err;             /* enum vrrp_rx: last v2 authentication reject */
		struct vaddr auth_src;        /* and who sent it */
		double up_since;              /* wall clock it left INIT; 0 while down */
	} stats;
	double since;                 /* wall clock of the last transition */
	double last_superior;         /* ev_now of the last advert we yield to */
	double last_contested;        /* ev_now of the last re-announcement (split brain) */
	char reason[64];
	struct ratelimit rl_rx, rl_tx;
};

struct vrrp_grp {
	struct vrrp_run *run;
	const struct vrrp_group_conf *conf;
	struct vrrp_inst **m;
	unsigned n;
	enum vrrp_state state;
	double since;
	uint64_t transitions;
	char reason[64];
};

struct vrrp_run {
	struct child_ctx *cx;
	struct ev_loop *loop;
	struct vrrp_nl *nl;
	struct vrrp_linkmon *links;
	struct vrrp_vmacs *vmacs;     /* kept across reloads, like nl and links */
	struct vrrp_filemon *files;
	struct vrrp_io *ios;
	struct vrrp_inst *insts;
	unsigned n_insts;
	struct vrrp_grp *groups;
	unsigned n_groups;
	struct vrrp_tscript *scripts;
	unsigned n_scripts;
	/* tracked processes (vrrp_procs.c); the monitor is the child's, kept
	 * from run to run */
	struct vrrp_procmon *procmon;
	char procmon_err[160];        /* why there is none */
	struct vrrp_tproc *procs;
	unsigned n_procs;
	struct vrrp_ptab ptab;
	bool procs_cmdline, procs_comm;   /* some tracker matches argv / the name */
	char *proc_cmdbuf;
	bool have_user;               /* track scripts run as script_user */
	struct spawn_user user;
	char user_err[300];           /* why not (then a root child runs none) */
	ev_timer report_w;
	ev_prepare garp_prep;         /* new masters' bursts, after the loop pass (vrrp_inst.c) */
	ev_prepare tx_prep;           /* the adverts of the pass, one system call (vrrp_io.c) */
	ev_timer start_w;             /* global.vrrp_startup_delay */
	double start_at;              /* ev_now the instances start; 0: started */
	bool stopping;
	struct vrrp_rxpkt rxbuf[VRRP_RX_BATCH];   /* one batch at a time */
};

/* vrrp_inst.c */
void vrrp_inst_init(struct vrrp_inst *in, struct vrrp_run *r, const struct vrrp_inst_conf *c);
/* Feeds one event to the state machine and carries out its actions. */
void vrrp_inst_event(struct vrrp_inst *in, const struct vrrp_event *ev, const char *reason);
/* The same at time now (an advert: when it arrived). A received advert's
 * reason may be NULL: it is written only if the state changes. */
void vrrp_inst_event_at(struct vrrp_inst *in, const struct vrrp_event *ev, const char *reason,
			double now);
/* Re-arms libev timers from the deadlines kept in in->fsm (after a reload). */
void vrrp_inst_rearm(struct vrrp_inst *in);
void vrrp_inst_stop_timers(struct vrrp_inst *in);
void vrrp_inst_send_advert(struct vrrp_inst *in, uint8_t priority);
/* A MASTER heard a lower master (a healed split brain): advert now and a
 * new GARP burst, at most once per advert interval. */
void vrrp_inst_contested(struct vrrp_inst *in);
/* Sums the trackers; feeds FAULT_ON/OFF and PRIORITY_CHANGED as needed. */
void vrrp_inst_retrack(struct vrrp_inst *in, const char *why);
void vrrp_inst_report(struct vrrp_inst *in, bool changed, enum vrrp_state prev);
/* Recomputes the group's state from its members; reports a change. */
void vrrp_grp_update(struct vrrp_grp *g, const char *why);
void vrrp_grp_report(struct vrrp_grp *g, bool changed, enum vrrp_state prev);
/* At most one line per VRRP_LOG_EVERY (ratelimit.h), counting what it swallowed. */
bool vrrp_ratelimit(struct ratelimit *rl, double now, unsigned *quiet);

/* vrrp_moves.c: an instance's addresses, routes and rules (add: on
 * becoming MASTER; remove: otherwise, stale when before is INIT/STOPPED). */
void vrrp_inst_moves(struct vrrp_inst *in, bool add, enum vrrp_state before);
/* A kept MASTER after a reload: only the difference from old. */
void vrrp_inst_moves_reload(struct vrrp_inst *in, const struct vrrp_inst_conf *old);
/* A link came up: MASTERs restore routes and addresses the kernel dropped. */
void vrrp_run_moves_link_up(struct vrrp_run *r, const char *ifname);
/* Start-up: removes the routes and rules a crashed run left. */
void vrrp_run_sweep(struct vrrp_run *r);

/* vrrp_trackers.c. Setup takes over the state of unchanged track scripts
 * from the previous run (NULL at start). */
void vrrp_run_track_setup(struct vrrp_run *r, const struct vrrp_run *prev);
void vrrp_run_track_free(struct vrrp_run *r);
void vrrp_link_event_cb(void *arg, int ifindex, const char *ifname, bool up);

/* vrrp_procs.c, called by the track setup: scans /proc, subscribes (or
 * unsubscribes when nothing is tracked). */
void vrrp_run_procs_setup(struct vrrp_run *r);
void vrrp_run_procs_free(struct vrrp_run *r);
void vrrp_addr_event_cb(void *arg);

/* vrrp_vmacs.c: the virtual MAC interfaces. A run's instances get theirs
 * between begin (a new generation) and sweep (removes the unused ones). */
struct vrrp_vmacs *vrrp_vmacs_open(struct vrrp_nl *nl);
void vrrp_vmacs_begin(struct vrrp_vmacs *v);
/* The instance's vmac ifindex, created or adopted; 0 when it cannot be
 * (*conflict: its name belongs to another kind of interface). */
int vrrp_vmacs_get(struct vrrp_vmacs *v, const struct vrrp_inst_conf *c, bool *conflict);
void vrrp_vmacs_addr_event(struct vrrp_vmacs *v);
void vrrp_vmacs_sweep(struct vrrp_vmacs *v);
void vrrp_vmacs_close(struct vrrp_vmacs *v);
/* vrrp_inst.c: an instance's vmac (again, after its base came back). */
void vrrp_inst_vmac(struct vrrp_inst *in);
/* The device an address of c goes on: its own, else the instance's vmac,
 * else the instance's interface. */
static inline const char *vrrp_vaddr_dev(const struct vrrp_inst_conf *c,
					 const struct vrrp_vaddr *a)
{
	return a->dev ? a->dev : c->vmac.on ? c->vmac.ifname : c->interface;
}
/* Link ifindex was deleted: if it was the instance's vmac, it is made
 * again (and a master's addresses, routes and rules put back). */
void vrrp_inst_vmac_gone(struct vrrp_inst *in, int ifindex);

/* vrrp_io.c. src_ifname: where the adverts' source address is looked up
 * (ifname itself, or a vmac's base interface). */
struct vrrp_io *vrrp_io_get(struct vrrp_run *r, const char *ifname, const char *src_ifname,
			    int family, bool mcast, bool ah);
/* Opens (or reopens, after the interface came back) the sockets. */
void vrrp_io_open(struct vrrp_io *io);
void vrrp_io_free_all(struct vrrp_run *r);
/* Sends the adverts waiting in every io's queue. */
void vrrp_io_flush_all(struct vrrp_run *r);
/* The address adverts are sent from (looked up when stale); false if none. */
bool vrrp_io_source(struct vrrp_io *io, struct vaddr *out);
/* An instance's: unicast.source, source, else its interface's (above). */
bool vrrp_inst_source(const struct vrrp_inst *in, struct vaddr *out);
void vrrp_io_announce(struct vrrp_inst *in);
void vrrp_io_report(struct vrrp_io *io);

/* child_vrrp.c: the vrrp child's life cycle, run by child_main(). */
struct child_ops;
extern const struct child_ops child_vrrp_ops;

#endif
