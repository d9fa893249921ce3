/*
 * vrrp_procs: tracked processes wired to the instances (vrrp.processes,
 * track.processes). The vrrp child opens the process connector before it
 * drops its capabilities (vrrp/procmon.c) and subscribes only while some
 * process is tracked. A run scans /proc once as it is built (at start and
 * at a reload), then follows the kernel's events:
 *
 *   fork  ─> the child matches what its parent matched (no /proc read)
 *   exec, rename ─> /proc/PID/stat (+ cmdline if a tracker needs it) ─> match
 *   exit  ─> forgotten
 *   lost events ─> /proc scanned again
 *        └─> counts changed ─> quorum ─> vrrp_pq (fork/terminate delay,
 *            delay_w) ─> verdict changed ─> retrack the instances tracking it
 *
 * A verdict starts from the scan with no delay; a reload starts the
 * trackers over from a new scan, so a delay running at the reload is
 * dropped and the count decides at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "errbuf.h"
#include "log.h"
#include "vrrp_run.h"
#include "xalloc.h"

#define CMDLINE_MAX 4096              /* bytes of /proc/PID/cmdline read */

/* The trackers pid matches now (0: none, or gone). */
static uint64_t classify(struct vrrp_run *r, pid_t pid)
{
	char comm[VRRP_PROC_COMM_LEN], *cmd = NULL;
	size_t len = 0;
	if (r->procs_cmdline)
		cmd = r->proc_cmdbuf;
	if (vrrp_proc_read(pid, comm, cmd, CMDLINE_MAX, &len) < 0)
		return 0;
	uint64_t mask = 0;
	for (unsigned i = 0; i < r->n_procs; i++)
		if (vrrp_proc_match(r->procs[i].conf, comm, cmd, len))
			mask |= UINT64_C(1) << i;
	return mask;
}

static void verdict_changed(struct vrrp_tproc *t)
{
	struct vrrp_run *r = t->run;
	char why[80];
	unsigned n = r->ptab.counts[t->idx];
	log_info("vrrp process %s: %s (%u running)", t->conf->name, t->pq.up ? "up" : "down", n);
	snprintf(why, sizeof(why), "process %.40s %s", t->conf->name, t->pq.up ? "up" : "down");
	for (unsigned i = 0; i < r->n_insts; i++) {
		struct vrrp_inst *in = &r->insts[i];
		for (unsigned j = 0; j < in->conf->n_track_procs; j++)
			if (in->trk_proc[j] == t) {
				vrrp_inst_retrack(in, why);
				break;
			}
	}
}

static bool quorum_ok(const struct vrrp_tproc *t)
{
	return vrrp_proc_quorum(t->conf, t->run->ptab.counts[t->idx]);
}

static void delay_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vrrp_tproc *t = w->data;
	if (vrrp_pq_due(&t->pq, quorum_ok(t), ev_now(loop) + 1e-6))
		verdict_changed(t);
	(void)revents;
}

/* The count of t changed: the verdict moves now, or after its delay. */
static void recount(struct vrrp_tproc *t)
{
	struct ev_loop *loop = t->run->loop;
	double now = ev_now(loop);
	bool changed = vrrp_pq_count(&t->pq, quorum_ok(t), t->conf->fork_delay,
				     t->conf->terminate_delay, now);
	if (!t->pq.pending) {
		ev_timer_stop(loop, &t->delay_w);
	} else if (!ev_is_active(&t->delay_w)) {
		ev_timer_set(&t->delay_w, t->pq.due - now, 0.);
		ev_timer_start(loop, &t->delay_w);
	}
	if (changed)
		verdict_changed(t);
}

static void recount_bits(struct vrrp_run *r, uint64_t bits)
{
	for (unsigned i = 0; bits && i < r->n_procs; i++)
		if (bits & (UINT64_C(1) << i))
			recount(&r->procs[i]);
}

static void scan_one(void *arg, pid_t pid)
{
	struct vrrp_run *r = arg;
	uint64_t m = classify(r, pid);
	if (m)
		vrrp_ptab_set(&r->ptab, pid, m);
}

static void rescan(struct vrrp_run *r)
{
	struct errbuf eb;
	vrrp_ptab_free(&r->ptab);
	if (vrrp_proc_scan(scan_one, r, &eb) < 0)
		log_warn("vrrp: tracked processes: %s", eb.msg);
}

static void set(struct vrrp_run *r, pid_t pid, uint64_t mask)
{
	uint64_t changed = vrrp_ptab_set(&r->ptab, pid, mask);
	if (changed == UINT64_MAX && mask)
		xalloc_die(0);            /* bookkeeping, as every xcalloc */
	recount_bits(r, changed);
}

static void pev_cb(void *arg, enum vrrp_pev type, pid_t pid, pid_t ppid, const char *comm)
{
	struct vrrp_run *r = arg;
	uint64_t m;
	switch (type) {
	case VRRP_PEV_FORK:
		if ((m = vrrp_ptab_get(&r->ptab, ppid)))
			set(r, pid, m);
		break;
	case VRRP_PEV_EXEC:
		set(r, pid, classify(r, pid));
		break;
	case VRRP_PEV_COMM:
		if (r->procs_comm)
			set(r, pid, classify(r, pid));
		break;
	case VRRP_PEV_EXIT:
		set(r, pid, 0);
		break;
	case VRRP_PEV_LOST:
		log_warn("vrrp: process events lost; scanning /proc again");
		rescan(r);
		recount_bits(r, UINT64_MAX);
		break;
	}
	(void)comm;
}

static struct vrrp_tproc *find_proc(struct vrrp_run *r, const char *name)
{
	for (unsigned i = 0; i < r->n_procs; i++)
		if (!strcmp(r->procs[i].conf->name, name))
			return &r->procs[i];
	return NULL;
}

void vrrp_run_procs_setup(struct vrrp_run *r)
{
	const struct conf *c = r->cx->conf;
	struct errbuf eb;
	r->procs = xcalloc(c->n_processes + 1, sizeof(*r->procs));
	for (unsigned i = 0; i < r->n_insts; i++)
		r->insts[i].trk_proc = xcalloc(r->insts[i].conf->n_track_procs + 1,
					       sizeof(*r->insts[i].trk_proc));
	if (!c->n_processes) {
		if (r->procmon && vrrp_procmon_listen(r->procmon, r->loop, NULL, NULL, &eb) < 0)
			log_warn("vrrp: %s", eb.msg);
		return;
	}
	if (!r->procmon) {
		log_err("vrrp: %u tracked processes count as down: no process events (%s)",
			c->n_processes, r->procmon_err);
	} else if (vrrp_procmon_listen(r->procmon, r->loop, pev_cb, r, &eb) < 0) {
		log_err("vrrp: tracked processes count as down: %s", eb.msg);
	}
	r->n_procs = c->n_processes;
	for (unsigned i = 0; i < r->n_procs; i++) {
		struct vrrp_tproc *t = &r->procs[i];
		*t = (struct vrrp_tproc){ .run = r, .conf = &c->processes[i], .idx = i };
		ev_timer_init(&t->delay_w, delay_cb, 0., 0.);
		t->delay_w.data = t;
		r->procs_cmdline |= vrrp_proc_needs_cmdline(t->conf);
		r->procs_comm |= !vrrp_proc_needs_cmdline(t->conf);
	}
	if (r->procs_cmdline)
		r->proc_cmdbuf = xcalloc(1, CMDLINE_MAX);
	if (r->procmon)
		rescan(r);
	for (unsigned i = 0; i < r->n_procs; i++)
		r->procs[i].pq.up = quorum_ok(&r->procs[i]);
	for (unsigned i = 0; i < r->n_insts; i++) {
		const struct vrrp_inst_conf *ic = r->insts[i].conf;
		for (unsigned j = 0; j < ic->n_track_procs; j++)
			r->insts[i].trk_proc[j] = find_proc(r, ic->track_procs[j].name);
	}
}

void vrrp_run_procs_free(struct vrrp_run *r)
{
	for (unsigned i = 0; i < r->n_procs; i++)
		ev_timer_stop(r->loop, &r->procs[i].delay_w);
	free(r->procs);
	r->procs = NULL;
	r->n_procs = 0;
	free(r->proc_cmdbuf);
	r->proc_cmdbuf = NULL;
	vrrp_ptab_free(&r->ptab);
	for (unsigned i = 0; i < r->n_insts; i++) {
		free(r->insts[i].trk_proc);
		r->insts[i].trk_proc = NULL;
	}
}
