/*
 * fsm: the VRRP state machine (see vrrp_fsm.h), RFC 5798 §6.4 with the v2
 * timer arithmetic of RFC 3768 §6.1, plus FAULT, initial_state master and
 * preempt_delay as keepalived users expect them.
 *
 *                                 STARTUP
 *                                    |
 *        fault held  +---------------+---------------+  priority 255, or
 *       +------------+           otherwise           +-------------------+
 *       |                            |                 initial_state master
 *       v                            v                                   v
 *  +---------+   FAULT_OFF      +--------+   Master_Down timer     +--------+
 *  |  FAULT  |----------------->| BACKUP |------------------------>| MASTER |
 *  |         |  (owner: MASTER) |        |   preempt delay over,   |        |
 *  |         |                  |        |   master still lower    |        |
 *  |         |<-----------------|        |<------------------------|        |
 *  |         |   FAULT_ON       +--------+   advert: higher prio,  |        |
 *  |         |                                or equal prio and    |        |
 *  |         |<------------------------------ higher address       |        |
 *  +---------+   FAULT_ON (master sends priority 0 first)          +--------+
 *
 *  BACKUP self-loops: advert priority 0 -> Master_Down timer = Skew_Time;
 *    PRIORITY_CHANGED down -> Master_Down re-armed with the new priority;
 *    advert >= our priority, or preempt off -> re-arm Master_Down (v3
 *    learns Master_Adver_Interval); lower advert with preempt -> ignored,
 *    or with preempt_delay: accepted and the preempt timer started.
 *  MASTER self-loops: Adver timer, advert priority 0, PRIORITY_CHANGED ->
 *    send an advert now and re-arm the Adver timer; lower advert ignored.
 *    The owner (255) ignores every advert (RFC 5798 §7.1).
 *    A master yielding sends one last advert, except in strict mode.
 *  MASTER --FORCE_BACKUP (sync group)--> BACKUP, priority 0 sent first.
 *  Any state --SHUTDOWN--> STOPPED (a master cancels its timers, sends
 *    priority 0 and releases its addresses); STOPPED --STARTUP--> as INIT.
 */
#include "vrrp_fsm.h"

#include <assert.h>
#include <string.h>

static const char *const state_names[VRRP_STATE__COUNT] = {
	[VRRP_STATE_INIT] = "INIT",
	[VRRP_STATE_BACKUP] = "BACKUP",
	[VRRP_STATE_MASTER] = "MASTER",
	[VRRP_STATE_FAULT] = "FAULT",
	[VRRP_STATE_STOPPED] = "STOPPED",
};

static const char *const event_names[VRRP_EV__COUNT] = {
	[VRRP_EV_STARTUP] = "startup",
	[VRRP_EV_ADVERT_RECEIVED] = "advert_received",
	[VRRP_EV_MASTER_DOWN_TIMER_EXPIRED] = "master_down_timer",
	[VRRP_EV_ADVER_TIMER_EXPIRED] = "adver_timer",
	[VRRP_EV_SHUTDOWN] = "shutdown",
	[VRRP_EV_FAULT_ON] = "fault_on",
	[VRRP_EV_FAULT_OFF] = "fault_off",
	[VRRP_EV_PRIORITY_CHANGED] = "priority_changed",
	[VRRP_EV_PREEMPT_DELAY_EXPIRED] = "preempt_delay_timer",
	[VRRP_EV_FORCE_BACKUP] = "force_backup",
};

static const char *const action_names[VRRP_ACT__COUNT] = {
	[VRRP_ACT_SEND_ADVERT] = "send_advert",
	[VRRP_ACT_ADD_ADDRESSES] = "add_addresses",
	[VRRP_ACT_REMOVE_ADDRESSES] = "remove_addresses",
	[VRRP_ACT_SEND_GARP] = "send_garp",
	[VRRP_ACT_SET_ADVER_TIMER] = "set_adver_timer",
	[VRRP_ACT_SET_MASTER_DOWN_TIMER] = "set_master_down_timer",
	[VRRP_ACT_SET_PREEMPT_TIMER] = "set_preempt_timer",
	[VRRP_ACT_CANCEL_TIMERS] = "cancel_timers",
	[VRRP_ACT_NOTIFY_STATE] = "notify_state",
};

const char *vrrp_state_str(enum vrrp_state s)
{
	return (unsigned)s < VRRP_STATE__COUNT ? state_names[s] : "?";
}

const char *vrrp_event_str(enum vrrp_event_type t)
{
	return (unsigned)t < VRRP_EV__COUNT ? event_names[t] : "?";
}

const char *vrrp_action_str(enum vrrp_action_type t)
{
	return (unsigned)t < VRRP_ACT__COUNT ? action_names[t] : "?";
}

double vrrp_skew_time(uint8_t version, uint8_t priority, double master_adver_int)
{
	if (version == 2)
		return (256 - priority) / 256.0;
	return ((256 - priority) * master_adver_int) / 256.0;
}

double vrrp_master_down_interval(uint8_t version, uint8_t priority, double master_adver_int)
{
	return 3 * master_adver_int + vrrp_skew_time(version, priority, master_adver_int);
}

uint8_t vrrp_effective_priority(uint8_t base, long weight_sum)
{
	if (base == 255)
		return 255;
	long p = (long)base + weight_sum;
	if (p < 1)
		return 1;
	if (p > 254)
		return 254;
	return (uint8_t)p;
}

void vrrp_fsm_conf_from_inst(const struct vrrp_inst_conf *c, struct vrrp_fsm_conf *out)
{
	memset(out, 0, sizeof(*out));
	out->version = c->version;
	out->priority = c->priority;
	out->adver_int = c->advert_interval;
	out->preempt = c->preempt;
	out->preempt_delay = c->preempt_delay;
	out->initial_master = c->initial_state == VRRP_INIT_MASTER;
	out->strict = c->strict;
}

void vrrp_fsm_init(struct vrrp_fsm *f, const struct vrrp_fsm_conf *conf)
{
	memset(f, 0, sizeof(*f));
	f->conf = *conf;
	f->state = VRRP_STATE_INIT;
	f->priority = conf->priority;
	f->master_adver_int = conf->adver_int;
}

/* --- action emitters ------------------------------------------------- */

static struct vrrp_action *push(struct vrrp_actions *out, enum vrrp_action_type t)
{
	assert(out->n < VRRP_ACTIONS_MAX);
	struct vrrp_action *a = &out->a[out->n++];
	memset(a, 0, sizeof(*a));
	a->type = t;
	return a;
}

static void send_advert(struct vrrp_actions *out, uint8_t priority)
{
	push(out, VRRP_ACT_SEND_ADVERT)->priority = priority;
}

static void notify(struct vrrp_fsm *f, struct vrrp_actions *out, enum vrrp_state s)
{
	f->state = s;
	push(out, VRRP_ACT_NOTIFY_STATE)->state = s;
}

static void cancel_timers(struct vrrp_fsm *f, struct vrrp_actions *out)
{
	f->adver_at = f->master_down_at = f->preempt_at = 0;
	f->preempt_pending = false;
	push(out, VRRP_ACT_CANCEL_TIMERS);
}

static void set_adver_timer(struct vrrp_fsm *f, double now, struct vrrp_actions *out)
{
	f->adver_at = now + f->conf.adver_int;
	push(out, VRRP_ACT_SET_ADVER_TIMER)->at = f->adver_at;
}

static void set_master_down(struct vrrp_fsm *f, double at, struct vrrp_actions *out)
{
	f->master_down_at = at;
	push(out, VRRP_ACT_SET_MASTER_DOWN_TIMER)->at = at;
}

static double master_down_interval(const struct vrrp_fsm *f)
{
	return vrrp_master_down_interval(f->conf.version, f->priority, f->master_adver_int);
}

/* --- transitions ----------------------------------------------------- */

static void become_master(struct vrrp_fsm *f, double now, struct vrrp_actions *out)
{
	cancel_timers(f, out);
	push(out, VRRP_ACT_ADD_ADDRESSES);
	send_advert(out, f->priority);
	push(out, VRRP_ACT_SEND_GARP);
	set_adver_timer(f, now, out);
	f->master_known = false;
	notify(f, out, VRRP_STATE_MASTER);
}

/* Addresses are removed on every entry, also from INIT: a previous run may have left them. */
static void become_backup(struct vrrp_fsm *f, double now, struct vrrp_actions *out)
{
	cancel_timers(f, out);
	push(out, VRRP_ACT_REMOVE_ADDRESSES);
	set_master_down(f, now + master_down_interval(f), out);
	notify(f, out, VRRP_STATE_BACKUP);
}

static void become_fault(struct vrrp_fsm *f, struct vrrp_actions *out)
{
	if (f->state == VRRP_STATE_MASTER)
		send_advert(out, 0);
	cancel_timers(f, out);
	push(out, VRRP_ACT_REMOVE_ADDRESSES);
	f->master_known = false;
	notify(f, out, VRRP_STATE_FAULT);
}

static void become_stopped(struct vrrp_fsm *f, struct vrrp_actions *out)
{
	bool was_master = f->state == VRRP_STATE_MASTER;
	cancel_timers(f, out);
	if (was_master) {
		send_advert(out, 0);
		push(out, VRRP_ACT_REMOVE_ADDRESSES);
	}
	f->master_known = false;
	notify(f, out, VRRP_STATE_STOPPED);
}

/* Leaving INIT/STOPPED (initial_master) or FAULT (!initial_master). */
static void start(struct vrrp_fsm *f, double now, bool initial, struct vrrp_actions *out)
{
	f->master_adver_int = f->conf.adver_int;
	if (f->fault)
		become_fault(f, out);
	else if (f->priority == 255 || (initial && f->conf.initial_master))
		become_master(f, now, out);
	else
		become_backup(f, now, out);
}

/* v3 learns Master_Adver_Interval from the master's adverts; v2 requires equality. */
static void learn_master(struct vrrp_fsm *f, const struct vrrp_event *ev)
{
	if (f->conf.version == 3 && ev->max_adver_int > 0)
		f->master_adver_int = ev->max_adver_int;
	f->master_known = true;
	f->master_addr = ev->src;
	f->master_priority = ev->priority;
}

/* --- per-state handlers ---------------------------------------------- */

static void backup_advert(struct vrrp_fsm *f, const struct vrrp_event *ev, double now,
			  struct vrrp_actions *out)
{
	if (ev->priority == 0) {
		set_master_down(f, now + vrrp_skew_time(f->conf.version, f->priority,
							f->master_adver_int), out);
		return;
	}
	bool lower = ev->priority < f->priority;
	if (lower && f->conf.preempt && !(f->conf.preempt_delay > 0))
		return;               /* discard: the Master_Down timer will run out */
	learn_master(f, ev);
	if (!lower)
		f->preempt_pending = false;
	set_master_down(f, now + master_down_interval(f), out);
	if (lower && f->conf.preempt && !f->preempt_pending) {
		f->preempt_pending = true;
		f->preempt_at = now + f->conf.preempt_delay;
		push(out, VRRP_ACT_SET_PREEMPT_TIMER)->at = f->preempt_at;
	}
}

static void step_backup(struct vrrp_fsm *f, const struct vrrp_event *ev, double now,
			struct vrrp_actions *out)
{
	switch (ev->type) {
	case VRRP_EV_ADVERT_RECEIVED:
		backup_advert(f, ev, now, out);
		break;
	case VRRP_EV_MASTER_DOWN_TIMER_EXPIRED:
		become_master(f, now, out);
		break;
	case VRRP_EV_PREEMPT_DELAY_EXPIRED:
		if (f->preempt_pending && f->master_known && f->master_priority < f->priority)
			become_master(f, now, out);
		f->preempt_pending = false;
		break;
	default:
		break;
	}
}

static void step_master(struct vrrp_fsm *f, const struct vrrp_event *ev, double now,
			struct vrrp_actions *out)
{
	if (ev->type == VRRP_EV_ADVER_TIMER_EXPIRED) {
		send_advert(out, f->priority);
		set_adver_timer(f, now, out);
		return;
	}
	if (ev->type != VRRP_EV_ADVERT_RECEIVED || f->priority == 255)
		return;
	if (ev->priority == 0) {
		send_advert(out, f->priority);
		set_adver_timer(f, now, out);
	} else if (ev->priority > f->priority ||
		   (ev->priority == f->priority && ev->src_greater)) {
		/* One last advert as we yield: after a split brain the winner may
		 * never have heard us, and this tells it to re-announce the
		 * addresses (a lower-priority master's advert triggers its GARP).
		 * Strict mode sends only what RFC 5798 §6.4.3 says: nothing. */
		if (!f->conf.strict)
			send_advert(out, f->priority);
		learn_master(f, ev);
		become_backup(f, now, out);
	}
}

static void priority_changed(struct vrrp_fsm *f, const struct vrrp_event *ev, double now,
			     struct vrrp_actions *out)
{
	if (f->conf.priority == 255)
		return;               /* the owner is never adjusted */
	uint8_t p = ev->priority < 1 ? 1 : ev->priority > 254 ? 254 : ev->priority;
	if (p == f->priority)
		return;
	bool dropped = p < f->priority;
	f->priority = p;
	/* A backup that outranked the master ignored its adverts (preempt),
	 * so its Master_Down timer may be about to expire: once lower, it
	 * gives the master a full Master_Down_Interval to be heard again
	 * instead of taking over with the lower priority. */
	if (f->state == VRRP_STATE_BACKUP && dropped)
		set_master_down(f, now + master_down_interval(f), out);
	/* Tell the backups at once rather than at the next advert: a drop
	 * below a backup's priority then hands over within one interval. */
	if (f->state == VRRP_STATE_MASTER) {
		send_advert(out, f->priority);
		set_adver_timer(f, now, out);
	}
}

void vrrp_fsm_step(struct vrrp_fsm *f, const struct vrrp_event *ev, double now,
		   struct vrrp_actions *out)
{
	bool idle = f->state == VRRP_STATE_INIT || f->state == VRRP_STATE_STOPPED;
	out->n = 0;
	switch (ev->type) {
	case VRRP_EV_STARTUP:
		if (idle)
			start(f, now, true, out);
		return;
	case VRRP_EV_SHUTDOWN:
		if (f->state == VRRP_STATE_INIT)
			f->state = VRRP_STATE_STOPPED;
		else if (f->state != VRRP_STATE_STOPPED)
			become_stopped(f, out);
		return;
	case VRRP_EV_FAULT_ON:
		f->fault = true;
		if (f->state == VRRP_STATE_BACKUP || f->state == VRRP_STATE_MASTER)
			become_fault(f, out);
		return;
	case VRRP_EV_FAULT_OFF:
		f->fault = false;
		if (f->state == VRRP_STATE_FAULT)
			start(f, now, false, out);
		return;
	case VRRP_EV_PRIORITY_CHANGED:
		priority_changed(f, ev, now, out);
		return;
	case VRRP_EV_FORCE_BACKUP:
		if (f->state == VRRP_STATE_MASTER) {
			send_advert(out, 0);
			become_backup(f, now, out);
		}
		return;
	default:
		break;
	}
	if (f->state == VRRP_STATE_BACKUP)
		step_backup(f, ev, now, out);
	else if (f->state == VRRP_STATE_MASTER)
		step_master(f, ev, now, out);
}
