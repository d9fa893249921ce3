/*
 * child_vrrp: the vrrp child's hooks (child_ops) — it runs every
 * configured VRRP instance (see vrrp_run.h for the parts) and reports to
 * the parent with IPC_VRRP_STATE.
 *
 *   start:  realtime + mlock (if configured and permitted) ─> netlink,
 *           link monitor ─> build run ─> sweep stale routes and rules
 *           ─> STARTUP every instance
 *   reload: build a new run; an instance whose protocol configuration did
 *           not change keeps its state machine, timers and counters (no
 *           transition, no advert) and, as MASTER, changes only the
 *           addresses, routes and rules that differ; a changed or removed one is shut down
 *           (priority 0 if master) and a changed or new one starts afresh
 *   stop:   SHUTDOWN every instance (a master sends priority 0 and
 *           releases its addresses), report STOPPED, free
 *
 * Track scripts run in this child (not the parent), as global.script_user
 * ("nobody" when that user does not exist, never root) when the child is
 * root (the user is resolved at start and reload, never per run), with
 * SCHED_RESET_ON_FORK so they never inherit the realtime policy.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "child.h"
#include "errbuf.h"
#include "log.h"
#include "privdrop.h"
#include "vrrp_run.h"
#include "xalloc.h"

#define REPORT_EVERY 1.0

static void go_realtime(const struct global_conf *g)
{
	if (g->vrrp_realtime) {
		struct sched_param sp = { .sched_priority = 20 };
		if (sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &sp) < 0)
			log_notice("vrrp: realtime scheduling not permitted (%s); running "
				   "with the normal policy", strerror(errno));
		else
			log_info("vrrp: realtime scheduling (SCHED_RR, priority %d)",
				 sp.sched_priority);
	}
	if (g->vrrp_mlock) {
		if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
			log_notice("vrrp: cannot lock memory (%s)", strerror(errno));
		else
			log_info("vrrp: memory locked");
	}
}

/* Received adverts are read in batches: the loop polls at most every
 * collect interval, so a backup hearing many instances wakes once per
 * batch rather than once per advert (timers are not delayed by it, and an
 * advert counts from its kernel receive time). A twentieth of the
 * shortest advert interval, at most 5 ms. */
#define COLLECT_MAX 0.005

static void set_collect(struct child_ctx *cx)
{
	double c = COLLECT_MAX;
	for (unsigned i = 0; i < cx->conf->n_vrrp; i++)
		if (cx->conf->vrrp[i].advert_interval / 20 < c)
			c = cx->conf->vrrp[i].advert_interval / 20;
	ev_set_io_collect_interval(cx->loop, c);
}

static void report_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vrrp_run *r = w->data;
	for (unsigned i = 0; i < r->n_insts; i++)
		vrrp_inst_report(&r->insts[i], false, r->insts[i].fsm.state);
	for (unsigned i = 0; i < r->n_groups; i++)
		vrrp_grp_report(&r->groups[i], false, r->groups[i].state);
	for (struct vrrp_io *io = r->ios; io; io = io->next)
		vrrp_io_report(io);
	(void)loop;
}

static struct vrrp_inst *find_inst(struct vrrp_run *r, const char *name)
{
	for (unsigned i = 0; i < r->n_insts; i++)
		if (!strcmp(r->insts[i].conf->name, name))
			return &r->insts[i];
	return NULL;
}

static void build_groups(struct vrrp_run *r, const struct conf *c)
{
	r->groups = xcalloc(c->n_groups, sizeof(*r->groups));
	r->n_groups = c->n_groups;
	for (unsigned i = 0; i < c->n_groups; i++) {
		struct vrrp_grp *g = &r->groups[i];
		g->run = r;
		g->conf = &c->groups[i];
		g->state = VRRP_STATE_INIT;
		g->m = xcalloc(c->groups[i].n_instances + 1, sizeof(*g->m));
		for (unsigned j = 0; j < c->groups[i].n_instances; j++) {
			struct vrrp_inst *in = find_inst(r, c->groups[i].instances[j]);
			if (in) {
				in->group = g;
				g->m[g->n++] = in;
			}
		}
	}
}

/* Track scripts never run as root: an unknown script_user falls back to
 * "nobody", as in the checker; without that either, they do not run. */
static void resolve_user(struct vrrp_run *r, const struct conf *c)
{
	char name[64];
	struct errbuf eb;
	priv_script_user(c->global.script_user, name, sizeof(name));
	if (c->n_scripts && c->global.script_user && strcmp(name, c->global.script_user))
		log_warn("vrrp: script_user '%s' does not exist; track scripts run as '%s'",
			 c->global.script_user, name);
	if (spawn_user_lookup(name, &r->user, &eb) == 0)
		r->have_user = true;
	else
		snprintf(r->user_err, sizeof(r->user_err), "script_user: %s", eb.msg);
}

/* An instance's sockets: on its vmac when the adverts leave from there. */
static void inst_io(struct vrrp_run *r, struct vrrp_inst *in)
{
	const struct vrrp_inst_conf *ic = in->conf;
	const char *ifname = ic->interface;
	if (ic->vmac.on) {
		vrrp_inst_vmac(in);
		if (!ic->vmac.xmit_base && !in->vmac_bad)
			ifname = ic->vmac.ifname;
	}
	in->io = vrrp_io_get(r, ifname, ic->interface, ic->family, !ic->unicast,
			     ic->auth_type == VRRP_AUTH_AH);
}

/* procmon and pm_err: the process monitor, or why there is none. */
static struct vrrp_run *run_build(struct child_ctx *cx, struct vrrp_nl *nl,
				  struct vrrp_linkmon *links, struct vrrp_vmacs *vmacs,
				  struct vrrp_procmon *procmon, const char *pm_err,
				  const struct vrrp_run *prev)
{
	const struct conf *c = cx->conf;
	struct vrrp_run *r = xcalloc(1, sizeof(*r));
	r->cx = cx;
	r->loop = cx->loop;
	r->nl = nl;
	r->links = links;
	r->vmacs = vmacs;
	r->procmon = procmon;
	snprintf(r->procmon_err, sizeof(r->procmon_err), "%s", pm_err);
	resolve_user(r, c);
	r->insts = xcalloc(c->n_vrrp, sizeof(*r->insts));
	r->n_insts = c->n_vrrp;
	vrrp_vmacs_begin(vmacs);
	for (unsigned i = 0; i < c->n_vrrp; i++) {
		vrrp_inst_init(&r->insts[i], r, &c->vrrp[i]);
		inst_io(r, &r->insts[i]);
	}
	build_groups(r, c);
	for (struct vrrp_io *io = r->ios; io; io = io->next)
		vrrp_io_open(io);
	vrrp_run_track_setup(r, prev);
	ev_timer_init(&r->report_w, report_cb, REPORT_EVERY, REPORT_EVERY);
	r->report_w.data = r;
	ev_timer_start(r->loop, &r->report_w);
	return r;
}

/* Frees a run without any protocol action (its instances were shut down
 * or moved to the next run). */
static void run_free(struct vrrp_run *r)
{
	ev_timer_stop(r->loop, &r->report_w);
	ev_timer_stop(r->loop, &r->start_w);
	ev_prepare_stop(r->loop, &r->garp_prep);
	ev_prepare_stop(r->loop, &r->tx_prep);
	for (unsigned i = 0; i < r->n_insts; i++)
		vrrp_inst_stop_timers(&r->insts[i]);
	vrrp_run_track_free(r);
	vrrp_io_free_all(r);
	for (unsigned i = 0; i < r->n_groups; i++)
		free(r->groups[i].m);
	free(r->groups);
	free(r->insts);
	free(r);
}

static void start_inst(struct vrrp_inst *in)
{
	struct vrrp_event ev = { .type = VRRP_EV_STARTUP };
	vrrp_inst_event(in, &ev, "startup");
}

/* The start-up delay is over: every instance still INIT starts. */
static void start_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vrrp_run *r = w->data;
	r->start_at = 0;
	log_info("vrrp: start-up delay over; starting %u instances", r->n_insts);
	for (unsigned i = 0; i < r->n_insts; i++)
		if (r->insts[i].fsm.state == VRRP_STATE_INIT)
			start_inst(&r->insts[i]);
	(void)loop;
	(void)revents;
}

/* Starts the instances now, or arms the start-up delay (until start_at). */
static bool delay_start(struct vrrp_run *r, double start_at)
{
	double now = ev_now(r->loop);
	ev_timer_init(&r->start_w, start_cb, 0., 0.);
	r->start_w.data = r;
	if (start_at <= now)
		return false;
	r->start_at = start_at;
	ev_timer_set(&r->start_w, start_at - now, 0.);
	ev_timer_start(r->loop, &r->start_w);
	return true;
}

static void shutdown_run(struct vrrp_run *r, const char *why)
{
	r->stopping = true;
	struct vrrp_event ev = { .type = VRRP_EV_SHUTDOWN };
	for (unsigned i = 0; i < r->n_insts; i++)
		vrrp_inst_event(&r->insts[i], &ev, why);
}

static int vrrp_start(struct child_ctx *cx)
{
	struct errbuf eb;
	go_realtime(&cx->conf->global);
	/* Before the capabilities go: the connector needs a socket opened
	 * in the initial network namespace (vrrp_proc.h). */
	struct errbuf pm_eb = { .msg = "" };
	struct vrrp_procmon *procmon = vrrp_procmon_open(&pm_eb);
	if (!procmon && cx->conf->n_processes)
		log_warn("vrrp: %s", pm_eb.msg);
	if (priv_limit_vrrp(&eb) < 0) {
		log_err("vrrp: cannot limit capabilities: %s", eb.msg);
		vrrp_procmon_close(procmon);
		return -1;
	}
	struct vrrp_nl *nl = vrrp_nl_open(&eb);
	if (!nl) {
		log_err("vrrp: %s", eb.msg);
		vrrp_procmon_close(procmon);
		return -1;
	}
	struct vrrp_linkmon *links = vrrp_linkmon_open(cx->loop, vrrp_link_event_cb,
						      vrrp_addr_event_cb, cx, &eb);
	if (!links) {
		log_err("vrrp: %s", eb.msg);
		vrrp_nl_close(nl);
		vrrp_procmon_close(procmon);
		return -1;
	}
	struct vrrp_run *r = run_build(cx, nl, links, vrrp_vmacs_open(nl), procmon, pm_eb.msg,
				       NULL);
	cx->priv = r;
	vrrp_run_sweep(r);
	set_collect(cx);
	double delay = cx->conf->global.vrrp_startup_delay;
	if (delay_start(r, ev_now(cx->loop) + delay))
		log_info("vrrp: instances start in %.1f s (vrrp_startup_delay)", delay);
	else
		for (unsigned i = 0; i < r->n_insts; i++)
			start_inst(&r->insts[i]);
	log_info("vrrp ready: %u instances, %u sync groups", r->n_insts, r->n_groups);
	return 0;
}

static bool same_addrs(const struct vprefix *a, unsigned na, const struct vprefix *b, unsigned nb)
{
	if (na != nb)
		return false;
	for (unsigned i = 0; i < na; i++)
		if (!vaddr_equal(&a[i].addr, &b[i].addr) || a[i].plen != b[i].plen)
			return false;
	return true;
}

/* Does the instance speak the same protocol as before? Tracking, notify
 * and ipvs_sync may differ: they are rebuilt or live in the parent. */
static bool same_proto(const struct vrrp_inst_conf *a, const struct vrrp_inst_conf *b)
{
	if (strcmp(a->interface, b->interface) || a->vrid != b->vrid || a->family != b->family ||
	    a->version != b->version || a->priority != b->priority ||
	    a->advert_interval != b->advert_interval || a->preempt != b->preempt ||
	    a->preempt_delay != b->preempt_delay || a->unicast != b->unicast ||
	    a->auth_type != b->auth_type || strcmp(a->auth_pass, b->auth_pass) ||
	    a->accept != b->accept || a->strict != b->strict || a->n_peers != b->n_peers ||
	    !vaddr_equal(&a->ucast_src, &b->ucast_src) ||
	    !vaddr_equal(&a->mcast_src, &b->mcast_src) || a->ucast_ttl != b->ucast_ttl ||
	    memcmp(&a->vmac, &b->vmac, sizeof(a->vmac)))
		return false;
	for (unsigned i = 0; i < a->n_peers; i++)
		if (!vaddr_equal(&a->peers[i], &b->peers[i]))
			return false;
	return same_addrs(a->addrs, a->n_addrs, b->addrs, b->n_addrs);
}

/* Moves the live state of an unchanged instance into the new run. */
static void adopt(struct vrrp_inst *in, const struct vrrp_inst *old)
{
	in->fsm = old->fsm;
	in->ah_seq = old->ah_seq;
	in->ip_id = old->ip_id;
	in->sent = old->sent;
	in->received = old->received;
	in->transitions = old->transitions;
	in->garp_sent = old->garp_sent;
	memcpy(in->rejected, old->rejected, sizeof(in->rejected));
	in->stats = old->stats;
	if (in->fsm.state == VRRP_STATE_MASTER)
		vrrp_inst_moves_reload(in, old->conf);
	in->since = old->since;
	in->last_superior = old->last_superior;
	snprintf(in->reason, sizeof(in->reason), "%s", old->reason);
	vrrp_inst_rearm(in);
}

/* Moves the live state of the sync groups still there: the group's state
 * is derived from its members, and an unchanged one is not a transition. */
static void adopt_groups(struct vrrp_run *r, const struct vrrp_run *old)
{
	for (unsigned i = 0; i < r->n_groups; i++) {
		struct vrrp_grp *g = &r->groups[i];
		for (unsigned j = 0; j < old->n_groups; j++) {
			const struct vrrp_grp *o = &old->groups[j];
			if (strcmp(g->conf->name, o->conf->name))
				continue;
			g->state = o->state;
			g->since = o->since;
			g->transitions = o->transitions;
			snprintf(g->reason, sizeof(g->reason), "%s", o->reason);
			break;
		}
	}
}

static int vrrp_reload(struct child_ctx *cx, const struct conf *oldc)
{
	struct vrrp_run *old = cx->priv;
	if (!old)
		return 0;
	struct vrrp_run *r = run_build(cx, old->nl, old->links, old->vmacs, old->procmon,
				       old->procmon_err, old);
	bool *kept = xcalloc(old->n_insts + 1, sizeof(*kept));
	struct vrrp_event shut = { .type = VRRP_EV_SHUTDOWN };
	for (unsigned i = 0; i < old->n_insts; i++) {
		struct vrrp_inst *o = &old->insts[i];
		struct vrrp_inst *n = find_inst(r, o->conf->name);
		kept[i] = n && same_proto(n->conf, o->conf);
		if (!kept[i])
			vrrp_inst_event(o, &shut, "removed or changed by reload");
	}
	unsigned n_kept = 0;
	for (unsigned i = 0; i < old->n_insts; i++) {
		if (!kept[i])
			continue;
		adopt(find_inst(r, old->insts[i].conf->name), &old->insts[i]);
		n_kept++;
	}
	free(kept);
	adopt_groups(r, old);
	bool waiting = delay_start(r, old->start_at);   /* a delay still running goes on */
	run_free(old);
	vrrp_vmacs_sweep(r->vmacs);   /* the old instances let go of their addresses */
	cx->priv = r;
	set_collect(cx);
	for (unsigned i = 0; i < r->n_insts; i++) {
		struct vrrp_inst *in = &r->insts[i];
		if (in->fsm.state == VRRP_STATE_INIT && waiting) {
			vrrp_inst_retrack(in, "trackers");
		} else if (in->fsm.state == VRRP_STATE_INIT) {
			vrrp_inst_retrack(in, "trackers");
			start_inst(in);
		} else {
			vrrp_inst_retrack(in, "reload");
		}
		vrrp_inst_report(in, false, in->fsm.state);
	}
	for (unsigned i = 0; i < r->n_groups; i++)
		vrrp_grp_update(&r->groups[i], "reload");
	log_info("vrrp: configuration generation %u: %u instances (%u kept, was %u)",
		 cx->generation, r->n_insts, n_kept, oldc->n_vrrp);
	return 0;
}

static void vrrp_dump(struct child_ctx *cx)
{
	struct vrrp_run *r = cx->priv;
	for (unsigned i = 0; r && i < r->n_insts; i++) {
		const struct vrrp_inst *in = &r->insts[i];
		char a[VADDR_STRLEN] = "-";
		if (in->fsm.master_known)
			vaddr_str(&in->fsm.master_addr, a, sizeof(a));
		log_notice("state: vrrp %s %s vrid %u %s priority %u/%u master %s sent %llu "
			   "received %llu", in->conf->name, in->conf->interface, in->conf->vrid,
			   vrrp_state_str(in->fsm.state), in->fsm.priority, in->conf->priority, a,
			   (unsigned long long)in->sent, (unsigned long long)in->received);
	}
}

static void vrrp_stop(struct child_ctx *cx)
{
	struct vrrp_run *r = cx->priv;
	if (!r)
		return;
	shutdown_run(r, "shutdown");
	struct vrrp_nl *nl = r->nl;
	struct vrrp_linkmon *links = r->links;
	struct vrrp_vmacs *vmacs = r->vmacs;
	struct vrrp_procmon *procmon = r->procmon;
	run_free(r);
	vrrp_vmacs_close(vmacs);
	vrrp_linkmon_close(links);
	vrrp_procmon_close(procmon);
	vrrp_nl_close(nl);
	cx->priv = NULL;
}

const struct child_ops child_vrrp_ops = {
	.name = "vrrp",
	.start = vrrp_start,
	.reload = vrrp_reload,
	.dump = vrrp_dump,
	.stop = vrrp_stop,
};
