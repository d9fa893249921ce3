/*
 * vrrp_proc: tracked processes (vrrp.processes, keepalived's
 * vrrp_track_process) — which running processes match a tracker, how
 * many there are, and when a count turns into up or down. The kernel
 * tells of every fork, exec, name change and exit through the process
 * connector (NETLINK_CONNECTOR, CN_IDX_PROC); /proc is read once at
 * start (and after lost events), then only for a process that exec'd or
 * was renamed. Nothing polls.
 *
 *   connector ─ev_io─> vrrp_procmon (procmon.c) ─event(type, pid, ppid)─> caller
 *   caller: /proc/PID/comm, cmdline ─> vrrp_proc_match ─> vrrp_ptab_set
 *           ─> counts changed ─> vrrp_pq_count (quorum, fork/terminate delay)
 *
 * The matching, the pid table and the delay rule are pure (proc.c) and
 * unit-tested; procmon.c holds the socket and the /proc readers. No logging.
 *
 * The connector lives in the initial network namespace and answers only a
 * socket opened there by a process with CAP_NET_ADMIN: vrrp_procmon_open
 * is called before the vrrp child drops its capabilities, and enters the
 * initial namespace for the socket() call alone when it runs elsewhere.
 */
#ifndef VIGIL_VRRP_PROC_H
#define VIGIL_VRRP_PROC_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf.h"

struct errbuf;

/* ---- matching ---- */
#define VRRP_PROC_COMM_LEN 16      /* the kernel's TASK_COMM_LEN, NUL included */

/* Does it need /proc/PID/cmdline (argv[0] and the parameters)? */
bool vrrp_proc_needs_cmdline(const struct vrrp_process_conf *c);
/* comm: the process name; cmd: cmdline's bytes (arguments NUL-separated),
 * len of them (0: none read, a kernel thread or not needed). */
bool vrrp_proc_match(const struct vrrp_process_conf *c, const char *comm, const char *cmd,
		     size_t len);
/* quorum <= count <= quorum_max */
bool vrrp_proc_quorum(const struct vrrp_process_conf *c, unsigned count);

/* ---- the table of matching processes ---- */
/* Each process is kept with the set of trackers it matches (bit i:
 * vrrp.processes[i]); counts[i] is how many processes have bit i. */
struct vrrp_ptab_ent {
	pid_t pid;
	uint64_t mask;
};

struct vrrp_ptab {
	struct vrrp_ptab_ent *e;      /* sorted by pid */
	unsigned n, cap;
	unsigned counts[VRRP_PROCESSES_MAX];
};

/* Sets pid's mask (0: forget it). Returns the trackers whose count
 * changed; -1 (all bits) when memory ran out (the table is unchanged). */
uint64_t vrrp_ptab_set(struct vrrp_ptab *t, pid_t pid, uint64_t mask);
uint64_t vrrp_ptab_get(const struct vrrp_ptab *t, pid_t pid);
void vrrp_ptab_free(struct vrrp_ptab *t);

/* ---- quorum with delays ---- */
/* A tracker's verdict: up when the quorum holds. A change waits for the
 * delay of its direction (fork_delay to go up, terminate_delay to go
 * down) and is dropped if the count comes back before. */
struct vrrp_pq {
	bool up;
	bool pending;                 /* a change waits until due */
	double due;
};

/* The quorum is now ok or not at time now. True when up changed at once;
 * otherwise q->pending tells whether a deadline (q->due) is set. */
bool vrrp_pq_count(struct vrrp_pq *q, bool ok, double fork_delay, double terminate_delay,
		   double now);
/* The deadline passed: true when up changed (to the current ok). */
bool vrrp_pq_due(struct vrrp_pq *q, bool ok, double now);

/* ---- the kernel's process events ---- */
enum vrrp_pev {
	VRRP_PEV_FORK,                /* pid: the new process, ppid: its parent */
	VRRP_PEV_EXEC,
	VRRP_PEV_COMM,                /* comm: the new name */
	VRRP_PEV_EXIT,
	VRRP_PEV_LOST                 /* events were dropped: scan /proc again */
};
typedef void (*vrrp_pev_fn)(void *arg, enum vrrp_pev type, pid_t pid, pid_t ppid,
			    const char *comm);

struct vrrp_procmon;

/* The socket, in the initial network namespace (see above); no events
 * yet. NULL with a reason in eb. */
struct vrrp_procmon *vrrp_procmon_open(struct errbuf *eb);
/* Subscribes (cb non-NULL) or unsubscribes; processes only (threads are not
 * reported). */
int vrrp_procmon_listen(struct vrrp_procmon *m, struct ev_loop *loop, vrrp_pev_fn cb,
			void *arg, struct errbuf *eb);
void vrrp_procmon_close(struct vrrp_procmon *m);

/* /proc/PID/comm into comm (VRRP_PROC_COMM_LEN bytes), and with cmd
 * non-NULL its cmdline into cmd (cmdlen bytes at most; *got the length).
 * -errno (-ENOENT: gone). A zombie counts as gone. */
int vrrp_proc_read(pid_t pid, char *comm, char *cmd, size_t cmdlen, size_t *got);
/* Calls fn for every process in /proc. */
int vrrp_proc_scan(void (*fn)(void *arg, pid_t pid), void *arg, struct errbuf *eb);

#endif
