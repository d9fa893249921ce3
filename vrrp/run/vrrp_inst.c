/*
 * vrrp_inst: one VRRP instance around the pure state machine (vrrp/vrrp_fsm.h)
 * and its sync group.
 *
 *   event ─> vrrp_fsm_step ─> actions, in order:
 *     SEND_ADVERT ─────────> vrrp_inst_send_advert (multicast, or each peer)
 *     ADD/REMOVE_ADDRESSES ─> vrrp_moves.c: addresses, routes, rules
 *                             (idempotent; a removal while still INIT is
 *                             a stale one of an earlier run)
 *     SEND_GARP ───────────> burst: garp.count rounds garp.interval apart,
 *                             another garp.delay later, then every
 *                             garp.refresh while MASTER
 *     SET_*_TIMER ─────────> ev_timer at the absolute deadline (ev_now based)
 *     NOTIFY_STATE ────────> IPC_VRRP_STATE; sync group bookkeeping
 *
 * Sync groups (keepalived's semantics, simplified):
 *   - a member leaving MASTER for BACKUP or FAULT forces the others that
 *     are MASTER to BACKUP (FORCE_BACKUP: priority 0 first, so the other
 *     router's members take over within Skew_Time);
 *   - a member's Master_Down or preempt timer does not make it MASTER while
 *     another member is in FAULT or is yielding to a live master (an advert
 *     it must yield to within its Master_Down_Interval); it re-arms instead;
 *   - a member that becomes MASTER pulls the BACKUP members along.
 */
#include <stdio.h>
#include <string.h>

#include "child.h"
#include "errbuf.h"
#include "log.h"
#include "vrrp_run.h"
#include "wallclock.h"

bool vrrp_ratelimit(struct ratelimit *rl, double now, unsigned *quiet)
{
	return ratelimit_allow(rl, now, 1, VRRP_LOG_EVERY, quiet);
}

static void arm(struct vrrp_inst *in, ev_timer *w, double at)
{
	double d = at - ev_now(in->run->loop);
	ev_timer_stop(in->run->loop, w);
	ev_timer_set(w, d > 0 ? d : 0., 0.);
	ev_timer_start(in->run->loop, w);
}

/* A backup pushes its master-down deadline back at every advert: rather
 * than move the timer each time, it is left to fire and down_cb re-arms
 * it for what is left (fsm.master_down_at), once per Master_Down_Interval
 * instead of once per advert. An earlier deadline is armed at once. */
static void arm_later(struct vrrp_inst *in, ev_timer *w, double at)
{
	struct ev_loop *l = in->run->loop;
	if (ev_is_active(w) && at >= ev_now(l) + ev_timer_remaining(l, w))
		return;
	arm(in, w, at);
}

void vrrp_inst_stop_timers(struct vrrp_inst *in)
{
	struct ev_loop *l = in->run->loop;
	ev_timer_stop(l, &in->adver_w);
	ev_timer_stop(l, &in->down_w);
	ev_timer_stop(l, &in->preempt_w);
	ev_timer_stop(l, &in->garp_w);
	ev_timer_stop(l, &in->garp2_w);
	ev_timer_stop(l, &in->refresh_w);
}

void vrrp_inst_rearm(struct vrrp_inst *in)
{
	if (in->fsm.adver_at > 0)
		arm(in, &in->adver_w, in->fsm.adver_at);
	if (in->fsm.master_down_at > 0)
		arm(in, &in->down_w, in->fsm.master_down_at);
	if (in->fsm.preempt_pending && in->fsm.preempt_at > 0)
		arm(in, &in->preempt_w, in->fsm.preempt_at);
	if (in->fsm.state == VRRP_STATE_MASTER && in->conf->garp_refresh > 0)
		arm(in, &in->refresh_w, ev_now(in->run->loop) + in->conf->garp_refresh);
}

/* ---- sync groups ---------------------------------------------------- */

static bool yielding(const struct vrrp_inst *o, double now)
{
	double mdi = vrrp_master_down_interval(o->fsm.conf.version, o->fsm.priority,
					       o->fsm.master_adver_int);
	return o->fsm.state == VRRP_STATE_BACKUP && o->last_superior > 0 &&
	       now - o->last_superior < mdi;
}

/* May in become MASTER now without splitting its group? */
static bool grp_can_master(const struct vrrp_inst *in, double now)
{
	const struct vrrp_grp *g = in->group;
	for (unsigned i = 0; g && i < g->n; i++) {
		const struct vrrp_inst *o = g->m[i];
		if (o == in)
			continue;
		if (o->fsm.state == VRRP_STATE_FAULT || yielding(o, now))
			return false;
	}
	return true;
}

static enum vrrp_state grp_state(const struct vrrp_grp *g)
{
	unsigned master = 0, stopped = 0, init = 0;
	for (unsigned i = 0; i < g->n; i++) {
		enum vrrp_state s = g->m[i]->fsm.state;
		if (s == VRRP_STATE_FAULT)
			return VRRP_STATE_FAULT;
		master += s == VRRP_STATE_MASTER;
		stopped += s == VRRP_STATE_STOPPED;
		init += s == VRRP_STATE_INIT;
	}
	if (master == g->n)
		return VRRP_STATE_MASTER;
	if (stopped == g->n)
		return VRRP_STATE_STOPPED;
	if (init == g->n)
		return VRRP_STATE_INIT;
	return VRRP_STATE_BACKUP;
}

void vrrp_grp_update(struct vrrp_grp *g, const char *why)
{
	enum vrrp_state s = grp_state(g), prev = g->state;
	if (s == prev)
		return;
	g->state = s;
	g->since = wall_now();
	g->transitions++;
	snprintf(g->reason, sizeof(g->reason), "%s", why);
	log_info("sync group %s: %s -> %s (%s)", g->conf->name, vrrp_state_str(prev),
		 vrrp_state_str(s), why);
	vrrp_grp_report(g, true, prev);
}

static void grp_member_changed(struct vrrp_inst *in, enum vrrp_state old, enum vrrp_state now_s)
{
	struct vrrp_grp *g = in->group;
	char why[64];
	snprintf(why, sizeof(why), "member %s %s", in->conf->name, vrrp_state_str(now_s));
	if (old == VRRP_STATE_MASTER && (now_s == VRRP_STATE_BACKUP || now_s == VRRP_STATE_FAULT)) {
		struct vrrp_event ev = { .type = VRRP_EV_FORCE_BACKUP };
		for (unsigned i = 0; i < g->n; i++)
			if (g->m[i] != in && g->m[i]->fsm.state == VRRP_STATE_MASTER)
				vrrp_inst_event(g->m[i], &ev, why);
	} else if (now_s == VRRP_STATE_MASTER && !in->run->stopping) {
		struct vrrp_event ev = { .type = VRRP_EV_MASTER_DOWN_TIMER_EXPIRED };
		if (!grp_can_master(in, ev_now(in->run->loop))) {
			ev.type = VRRP_EV_FORCE_BACKUP;
			vrrp_inst_event(in, &ev, "sync group not ready for master");
		} else {
			for (unsigned i = 0; i < g->n; i++)
				if (g->m[i] != in && g->m[i]->fsm.state == VRRP_STATE_BACKUP)
					vrrp_inst_event(g->m[i], &ev, why);
		}
	}
	vrrp_grp_update(g, why);
}

/* ---- actions -------------------------------------------------------- */

/* A burst of count rounds garp.interval apart; with garp.delay, another
 * one that long after (keepalived's garp_master_delay, and its
 * garp_lower_prio_delay, which defaults to it). */
static void garp_burst(struct vrrp_inst *in, unsigned count)
{
	const struct vrrp_inst_conf *c = in->conf;
	in->garp_left = count;
	while (in->garp_left > 0) {
		vrrp_io_announce(in);
		in->garp_left--;
		if (c->garp_interval > 0)
			break;
	}
	if (in->garp_left > 0)
		arm(in, &in->garp_w, ev_now(in->run->loop) + c->garp_interval);
}

static void start_garp(struct vrrp_inst *in, unsigned count)
{
	const struct vrrp_inst_conf *c = in->conf;
	garp_burst(in, count);
	if (c->garp_delay > 0 && count > 0) {
		in->garp2_count = count;
		arm(in, &in->garp2_w, ev_now(in->run->loop) + c->garp_delay);
	}
	if (c->garp_refresh > 0)
		arm(in, &in->refresh_w, ev_now(in->run->loop) + c->garp_refresh);
}

/* A new master's announcements wait until the loop has handled every
 * timer and packet that is due: when many instances take over at once
 * (one Master_Down for all), each adds its addresses and sends its advert
 * first, and the gratuitous ARP / NA bursts follow together. */
static void garp_prep_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct vrrp_run *r = w->data;
	ev_prepare_stop(loop, w);
	vrrp_io_flush_all(r);         /* the adverts before the announcements */
	for (unsigned i = 0; i < r->n_insts; i++) {
		struct vrrp_inst *in = &r->insts[i];
		unsigned n = in->garp_queued;
		in->garp_queued = 0;
		if (n)
			start_garp(in, n - 1);
	}
	(void)revents;
}

static void queue_garp(struct vrrp_inst *in, unsigned count)
{
	struct vrrp_run *r = in->run;
	in->garp_queued = count + 1;
	if (!ev_is_active(&r->garp_prep)) {
		ev_prepare_init(&r->garp_prep, garp_prep_cb);
		r->garp_prep.data = r;
		ev_prepare_start(r->loop, &r->garp_prep);
	}
}

void vrrp_inst_contested(struct vrrp_inst *in)
{
	double now = ev_now(in->run->loop);
	if (in->fsm.state != VRRP_STATE_MASTER || now - in->last_contested < in->fsm.conf.adver_int)
		return;
	in->last_contested = now;
	log_info("%s: another master with a lower priority is on the link; re-announcing",
		 in->conf->name);
	vrrp_inst_send_advert(in, in->fsm.priority);
	start_garp(in, in->conf->garp_lower_prio_count);
}

static bool is_down(enum vrrp_state s)
{
	return s == VRRP_STATE_INIT || s == VRRP_STATE_STOPPED;
}

static void notify_state(struct vrrp_inst *in, enum vrrp_state prev, enum vrrp_state s)
{
	in->transitions++;
	in->since = wall_now();
	if (s == VRRP_STATE_MASTER) {
		in->stats.became_master++;
		in->stats.master_reason = in->stats.next_master_reason;
	}
	if (is_down(s))
		in->stats.up_since = 0;
	else if (is_down(prev) || in->stats.up_since == 0)
		in->stats.up_since = in->since;
	if (s != VRRP_STATE_MASTER) {
		in->garp_queued = 0;
		ev_timer_stop(in->run->loop, &in->garp_w);
		ev_timer_stop(in->run->loop, &in->garp2_w);
		ev_timer_stop(in->run->loop, &in->refresh_w);
	}
	log_info("%s: %s -> %s (%s; priority %u)", in->conf->name, vrrp_state_str(prev),
		 vrrp_state_str(s), in->reason, in->fsm.priority);
	vrrp_inst_report(in, true, prev);
	if (in->group)
		grp_member_changed(in, prev, s);
}

static void do_action(struct vrrp_inst *in, const struct vrrp_action *a, enum vrrp_state *prev)
{
	switch (a->type) {
	case VRRP_ACT_SEND_ADVERT:
		vrrp_inst_send_advert(in, a->priority);
		break;
	case VRRP_ACT_ADD_ADDRESSES:
	case VRRP_ACT_REMOVE_ADDRESSES:
		vrrp_inst_moves(in, a->type == VRRP_ACT_ADD_ADDRESSES, *prev);
		break;
	case VRRP_ACT_SEND_GARP:
		queue_garp(in, in->conf->garp_count);
		break;
	case VRRP_ACT_SET_ADVER_TIMER:
		arm(in, &in->adver_w, a->at);
		break;
	case VRRP_ACT_SET_MASTER_DOWN_TIMER:
		arm_later(in, &in->down_w, a->at);
		break;
	case VRRP_ACT_SET_PREEMPT_TIMER:
		arm(in, &in->preempt_w, a->at);
		break;
	case VRRP_ACT_CANCEL_TIMERS:
		ev_timer_stop(in->run->loop, &in->adver_w);
		ev_timer_stop(in->run->loop, &in->down_w);
		ev_timer_stop(in->run->loop, &in->preempt_w);
		break;
	case VRRP_ACT_NOTIFY_STATE:
		notify_state(in, *prev, a->state);
		*prev = a->state;
		break;
	default:
		break;
	}
}

static bool changes_state(const struct vrrp_actions *acts)
{
	for (unsigned i = 0; i < acts->n; i++)
		if (acts->a[i].type == VRRP_ACT_NOTIFY_STATE)
			return true;
	return false;
}

void vrrp_inst_event_at(struct vrrp_inst *in, const struct vrrp_event *ev, const char *reason,
			double now)
{
	struct vrrp_actions acts;
	enum vrrp_state prev = in->fsm.state;
	if (reason)
		snprintf(in->reason, sizeof(in->reason), "%s", reason);
	vrrp_fsm_step(&in->fsm, ev, now, &acts);
	/* An advert's reason is written only when it moves the state: most
	 * adverts change nothing, and this is the receive path. */
	if (!reason && ev->type == VRRP_EV_ADVERT_RECEIVED && changes_state(&acts)) {
		char a[VADDR_STRLEN];
		snprintf(in->reason, sizeof(in->reason), "advert priority %u from %s", ev->priority,
			 vaddr_str(&ev->src, a, sizeof(a)));
	}
	for (unsigned i = 0; i < acts.n; i++)
		do_action(in, &acts.a[i], &prev);
}

void vrrp_inst_event(struct vrrp_inst *in, const struct vrrp_event *ev, const char *reason)
{
	vrrp_inst_event_at(in, ev, reason, ev_now(in->run->loop));
}

/* ---- timers --------------------------------------------------------- */

static void adver_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vrrp_event ev = { .type = VRRP_EV_ADVER_TIMER_EXPIRED };
	vrrp_inst_event(w->data, &ev, NULL);
	(void)loop;
}

/* Master_Down and preempt: the sync group may hold the member back. */
static bool held_by_group(struct vrrp_inst *in)
{
	double now = ev_now(in->run->loop);
	if (!in->group || grp_can_master(in, now))
		return false;
	double at = now + vrrp_master_down_interval(in->fsm.conf.version, in->fsm.priority,
						    in->fsm.master_adver_int);
	in->fsm.master_down_at = at;
	arm(in, &in->down_w, at);
	log_debug("%s: stays BACKUP: sync group %s is not ready for master", in->conf->name,
		  in->group->conf->name);
	return true;
}

static void down_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vrrp_inst *in = w->data;
	if (in->fsm.master_down_at > ev_now(loop) + 1e-4) {
		arm(in, w, in->fsm.master_down_at);   /* pushed back since (arm_later) */
		return;
	}
	if (held_by_group(in))
		return;
	struct vrrp_event ev = { .type = VRRP_EV_MASTER_DOWN_TIMER_EXPIRED };
	vrrp_inst_event(in, &ev, "master down timer expired");
	(void)loop;
}

static void preempt_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vrrp_inst *in = w->data;
	if (held_by_group(in))
		return;
	struct vrrp_event ev = { .type = VRRP_EV_PREEMPT_DELAY_EXPIRED };
	in->stats.next_master_reason = IPC_VRRP_MR_PREEMPTED;
	vrrp_inst_event(in, &ev, "preempt delay over");
	(void)loop;
}

static void garp_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vrrp_inst *in = w->data;
	if (in->fsm.state != VRRP_STATE_MASTER || !in->garp_left)
		return;
	vrrp_io_announce(in);
	if (--in->garp_left > 0)
		arm(in, &in->garp_w, ev_now(loop) + in->conf->garp_interval);
}

static void garp2_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vrrp_inst *in = w->data;
	if (in->fsm.state == VRRP_STATE_MASTER)
		garp_burst(in, in->garp2_count);
	(void)loop;
	(void)revents;
}

static void refresh_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vrrp_inst *in = w->data;
	if (in->fsm.state != VRRP_STATE_MASTER)
		return;
	vrrp_io_announce(in);
	arm(in, &in->refresh_w, ev_now(loop) + in->conf->garp_refresh);
}

void vrrp_inst_init(struct vrrp_inst *in, struct vrrp_run *r, const struct vrrp_inst_conf *c)
{
	struct vrrp_fsm_conf fc;
	memset(in, 0, sizeof(*in));
	in->run = r;
	in->conf = c;
	vrrp_fsm_conf_from_inst(c, &fc);
	vrrp_fsm_init(&in->fsm, &fc);
	vrrp_expect_from_conf(c, &in->exp);
	ev_timer_init(&in->adver_w, adver_cb, 1., 0.);
	ev_timer_init(&in->down_w, down_cb, 1., 0.);
	ev_timer_init(&in->preempt_w, preempt_cb, 1., 0.);
	ev_timer_init(&in->garp_w, garp_cb, 1., 0.);
	ev_timer_init(&in->refresh_w, refresh_cb, 1., 0.);
	ev_timer_init(&in->garp2_w, garp2_cb, 1., 0.);
	in->adver_w.data = in->down_w.data = in->preempt_w.data = in;
	in->garp_w.data = in->refresh_w.data = in->garp2_w.data = in;
	in->if_up = true;
	in->since = wall_now();
	/* The address owner takes over at start: RFC 6527 calls that preempted. */
	in->stats.next_master_reason = c->priority == 255 ? IPC_VRRP_MR_PREEMPTED
							 : IPC_VRRP_MR_NO_RESPONSE;
	snprintf(in->reason, sizeof(in->reason), "startup");
}

void vrrp_inst_vmac_gone(struct vrrp_inst *in, int ifindex)
{
	const struct vrrp_inst_conf *c = in->conf;
	if (!c->vmac.on || !in->vmac_ifindex || in->vmac_ifindex != ifindex ||
	    (int)if_nametoindex(c->vmac.ifname) == ifindex)
		return;
	log_warn("%s: virtual MAC interface %s was deleted; creating it again", c->name,
		 c->vmac.ifname);
	vrrp_inst_vmac(in);
	if (in->vmac_ifindex && in->fsm.state == VRRP_STATE_MASTER) {
		vrrp_inst_moves(in, true, in->fsm.state);   /* they went with it */
		start_garp(in, c->garp_count);
	}
}

void vrrp_inst_vmac(struct vrrp_inst *in)
{
	bool conflict;
	in->vmac_ifindex = vrrp_vmacs_get(in->run->vmacs, in->conf, &conflict);
	in->vmac_bad = conflict;
}
