/*
 * test_vrrp_fsm: the VRRP state machine (vrrp/fsm.c) as a table of
 * (state, event, time) -> (new state, actions) covering every transition
 * of RFC 5798 §6.4 / RFC 3768 §6.4 and our additions (FAULT, STOPPED,
 * initial_state master, preempt_delay, tracking), the timer arithmetic
 * recomputed independently, and a two-router simulation.
 *
 * Each case reaches its start state by replaying `pre` events at t = 0,
 * then applies `ev` at t = 10. With the default configuration (v3,
 * priority 100, interval 1 s) Skew_Time = 156/256 = 0.609375 s and
 * Master_Down_Interval = 3.609375 s.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "vrrp_fsm.h"

#define T 10.0
#define MDI_100 3.609375          /* 3 * 1 + (256 - 100) / 256 */
#define SKEW_100 0.609375
#define MDI_90 3.6484375          /* 3 * 1 + (256 - 90) / 256 */

struct want_act {
	enum vrrp_action_type type;
	double at;                    /* SET_*_TIMER */
	int arg;                      /* SEND_ADVERT: priority; NOTIFY_STATE: state */
};

struct knobs {
	uint8_t version, priority;
	double adver_int;
	bool no_preempt;
	double preempt_delay;
	bool initial_master;
	bool strict;
};

struct fsm_case {
	const char *name;
	struct knobs conf;
	struct vrrp_event pre[4];
	unsigned n_pre;
	enum vrrp_state from;
	struct vrrp_event ev;
	enum vrrp_state to;
	struct want_act acts[VRRP_ACTIONS_MAX];
	unsigned n_acts;
	int prio;                     /* effective priority afterwards; 0: unchecked */
};

/* Zero knobs mean the defaults: v3, priority 100, 1 s, preempt, no delay. */
#define CONF(...) { __VA_ARGS__ }
#define EV(t, ...) { .type = VRRP_EV_##t, __VA_ARGS__ }
#define ADV_X(p, mai, gt) EV(ADVERT_RECEIVED, .priority = (p), .max_adver_int = (mai), \
			     .src_greater = (gt))
#define ADV(p) ADV_X(p, 1.0, false)
#define PRE(...) .pre = { __VA_ARGS__ }, \
	.n_pre = sizeof((struct vrrp_event[]){ __VA_ARGS__ }) / sizeof(struct vrrp_event)
#define ACTS(...) .acts = { __VA_ARGS__ }, \
	.n_acts = sizeof((struct want_act[]){ __VA_ARGS__ }) / sizeof(struct want_act)
#define NO_ACTS .n_acts = 0

#define A_SEND(p) { VRRP_ACT_SEND_ADVERT, 0, (p) }
#define A_ADD { VRRP_ACT_ADD_ADDRESSES, 0, 0 }
#define A_DEL { VRRP_ACT_REMOVE_ADDRESSES, 0, 0 }
#define A_GARP { VRRP_ACT_SEND_GARP, 0, 0 }
#define A_ADV_T(t) { VRRP_ACT_SET_ADVER_TIMER, (t), 0 }
#define A_MD_T(t) { VRRP_ACT_SET_MASTER_DOWN_TIMER, (t), 0 }
#define A_PRE_T(t) { VRRP_ACT_SET_PREEMPT_TIMER, (t), 0 }
#define A_CANCEL { VRRP_ACT_CANCEL_TIMERS, 0, 0 }
#define A_NOTIFY(s) { VRRP_ACT_NOTIFY_STATE, 0, VRRP_STATE_##s }

#define BECOME_MASTER(p) ACTS(A_CANCEL, A_ADD, A_SEND(p), A_GARP, A_ADV_T(T + 1.0), A_NOTIFY(MASTER))
#define BECOME_BACKUP(md) ACTS(A_CANCEL, A_DEL, A_MD_T(T + (md)), A_NOTIFY(BACKUP))
/* A master yielding to an advert sends one last advert of its own first. */
#define YIELD(md) ACTS(A_SEND(100), A_CANCEL, A_DEL, A_MD_T(T + (md)), A_NOTIFY(BACKUP))

#define TO_BACKUP PRE(EV(STARTUP))
#define TO_MASTER PRE(EV(STARTUP), EV(MASTER_DOWN_TIMER_EXPIRED))
#define TO_FAULT PRE(EV(STARTUP), EV(FAULT_ON))
#define TO_STOPPED PRE(EV(STARTUP), EV(SHUTDOWN))

static const struct fsm_case cases[] = {
	/* ---- Initialize (RFC 5798 §6.4.1) ---- */
	{ "startup -> backup", CONF(), .from = VRRP_STATE_INIT, .ev = EV(STARTUP),
	  .to = VRRP_STATE_BACKUP, BECOME_BACKUP(MDI_100) },
	{ "v2 startup: 3 * 2 s + (256 - 100) / 256", CONF(.version = 2, .adver_int = 2.0),
	  .from = VRRP_STATE_INIT, .ev = EV(STARTUP), .to = VRRP_STATE_BACKUP,
	  BECOME_BACKUP(6.609375) },
	{ "v3 startup, 2 s: 3 * 2 + 156 * 2 / 256", CONF(.adver_int = 2.0),
	  .from = VRRP_STATE_INIT, .ev = EV(STARTUP), .to = VRRP_STATE_BACKUP,
	  BECOME_BACKUP(7.21875) },
	{ "owner startup -> master", CONF(.priority = 255), .from = VRRP_STATE_INIT,
	  .ev = EV(STARTUP), .to = VRRP_STATE_MASTER, BECOME_MASTER(255) },
	{ "initial_state master -> master", CONF(.initial_master = true),
	  .from = VRRP_STATE_INIT, .ev = EV(STARTUP), .to = VRRP_STATE_MASTER,
	  BECOME_MASTER(100) },
	{ "fault before startup -> fault", CONF(), PRE(EV(FAULT_ON)), .from = VRRP_STATE_INIT,
	  .ev = EV(STARTUP), .to = VRRP_STATE_FAULT,
	  ACTS(A_CANCEL, A_DEL, A_NOTIFY(FAULT)) },
	{ "init: fault_on only recorded", CONF(), .from = VRRP_STATE_INIT, .ev = EV(FAULT_ON),
	  .to = VRRP_STATE_INIT, NO_ACTS },
	{ "init: advert ignored", CONF(), .from = VRRP_STATE_INIT, .ev = ADV(200),
	  .to = VRRP_STATE_INIT, NO_ACTS },
	{ "init: shutdown", CONF(), .from = VRRP_STATE_INIT, .ev = EV(SHUTDOWN),
	  .to = VRRP_STATE_STOPPED, NO_ACTS },

	/* ---- Backup (§6.4.2) ---- */
	{ "backup: higher advert re-arms master-down", CONF(), TO_BACKUP,
	  .from = VRRP_STATE_BACKUP, .ev = ADV(150), .to = VRRP_STATE_BACKUP,
	  ACTS(A_MD_T(T + MDI_100)) },
	{ "backup: equal advert re-arms master-down", CONF(), TO_BACKUP,
	  .from = VRRP_STATE_BACKUP, .ev = ADV(100), .to = VRRP_STATE_BACKUP,
	  ACTS(A_MD_T(T + MDI_100)) },
	{ "backup, preempt: lower advert discarded", CONF(), TO_BACKUP,
	  .from = VRRP_STATE_BACKUP, .ev = ADV(50), .to = VRRP_STATE_BACKUP, NO_ACTS },
	{ "backup, no preempt: lower advert accepted", CONF(.no_preempt = true), TO_BACKUP,
	  .from = VRRP_STATE_BACKUP, .ev = ADV(50), .to = VRRP_STATE_BACKUP,
	  ACTS(A_MD_T(T + MDI_100)) },
	{ "backup: priority 0 -> master-down = Skew_Time", CONF(), TO_BACKUP,
	  .from = VRRP_STATE_BACKUP, .ev = ADV(0), .to = VRRP_STATE_BACKUP,
	  ACTS(A_MD_T(T + SKEW_100)) },
	{ "backup v3 learns Master_Adver_Interval 2 s", CONF(), TO_BACKUP,
	  .from = VRRP_STATE_BACKUP, .ev = ADV_X(150, 2.0, false),
	  .to = VRRP_STATE_BACKUP, ACTS(A_MD_T(T + 7.21875)) },
	{ "backup v3: priority 0 skew from the learnt interval", CONF(),
	  PRE(EV(STARTUP), ADV_X(150, 2.0, false)), .from = VRRP_STATE_BACKUP,
	  .ev = ADV_X(0, 2.0, false), .to = VRRP_STATE_BACKUP,
	  ACTS(A_MD_T(T + 1.21875)) },
	{ "backup v2 does not learn the interval", CONF(.version = 2), TO_BACKUP,
	  .from = VRRP_STATE_BACKUP, .ev = ADV_X(150, 5.0, false),
	  .to = VRRP_STATE_BACKUP, ACTS(A_MD_T(T + MDI_100)) },
	{ "backup: master-down expires -> master", CONF(), TO_BACKUP,
	  .from = VRRP_STATE_BACKUP, .ev = EV(MASTER_DOWN_TIMER_EXPIRED),
	  .to = VRRP_STATE_MASTER, BECOME_MASTER(100) },
	{ "backup: stale adver timer ignored", CONF(), TO_BACKUP, .from = VRRP_STATE_BACKUP,
	  .ev = EV(ADVER_TIMER_EXPIRED), .to = VRRP_STATE_BACKUP, NO_ACTS },
	{ "backup: shutdown", CONF(), TO_BACKUP, .from = VRRP_STATE_BACKUP,
	  .ev = EV(SHUTDOWN), .to = VRRP_STATE_STOPPED, ACTS(A_CANCEL, A_NOTIFY(STOPPED)) },
	{ "backup: fault_on", CONF(), TO_BACKUP, .from = VRRP_STATE_BACKUP,
	  .ev = EV(FAULT_ON), .to = VRRP_STATE_FAULT, ACTS(A_CANCEL, A_DEL, A_NOTIFY(FAULT)) },
	{ "backup: fault_off without fault", CONF(), TO_BACKUP, .from = VRRP_STATE_BACKUP,
	  .ev = EV(FAULT_OFF), .to = VRRP_STATE_BACKUP, NO_ACTS },
	{ "backup: priority change is silent", CONF(), TO_BACKUP, .from = VRRP_STATE_BACKUP,
	  .ev = EV(PRIORITY_CHANGED, .priority = 120), .to = VRRP_STATE_BACKUP, NO_ACTS,
	  .prio = 120 },
	/* A backup that outranked the master ignored its adverts, so its
	 * Master_Down timer may be about to run out; once it no longer
	 * outranks it, the master gets a full interval to be heard again. */
	{ "backup: priority drop re-arms Master_Down", CONF(.priority = 150),
	  PRE(EV(STARTUP), ADV(120)), .from = VRRP_STATE_BACKUP,
	  .ev = EV(PRIORITY_CHANGED, .priority = 90), .to = VRRP_STATE_BACKUP,
	  ACTS(A_MD_T(T + MDI_90)), .prio = 90 },
	{ "backup: priority drop, then the master's advert is heard", CONF(.priority = 150),
	  PRE(EV(STARTUP), ADV(120), EV(PRIORITY_CHANGED, .priority = 90)),
	  .from = VRRP_STATE_BACKUP, .ev = ADV(120), .to = VRRP_STATE_BACKUP,
	  ACTS(A_MD_T(T + MDI_90)), .prio = 90 },
	{ "backup: second startup ignored", CONF(), TO_BACKUP, .from = VRRP_STATE_BACKUP,
	  .ev = EV(STARTUP), .to = VRRP_STATE_BACKUP, NO_ACTS },
	{ "backup: stale preempt timer ignored", CONF(), TO_BACKUP, .from = VRRP_STATE_BACKUP,
	  .ev = EV(PREEMPT_DELAY_EXPIRED), .to = VRRP_STATE_BACKUP, NO_ACTS },

	/* ---- preempt_delay ---- */
	{ "preempt_delay: lower advert accepted, delay armed", CONF(.preempt_delay = 5.0),
	  TO_BACKUP, .from = VRRP_STATE_BACKUP, .ev = ADV(50), .to = VRRP_STATE_BACKUP,
	  ACTS(A_MD_T(T + MDI_100), A_PRE_T(T + 5.0)) },
	{ "preempt_delay: armed once", CONF(.preempt_delay = 5.0), PRE(EV(STARTUP), ADV(50)),
	  .from = VRRP_STATE_BACKUP, .ev = ADV(50), .to = VRRP_STATE_BACKUP,
	  ACTS(A_MD_T(T + MDI_100)) },
	{ "preempt_delay over, master lower -> master", CONF(.preempt_delay = 5.0),
	  PRE(EV(STARTUP), ADV(50)), .from = VRRP_STATE_BACKUP,
	  .ev = EV(PREEMPT_DELAY_EXPIRED), .to = VRRP_STATE_MASTER, BECOME_MASTER(100) },
	{ "preempt_delay over, master now higher", CONF(.preempt_delay = 5.0),
	  PRE(EV(STARTUP), ADV(50), ADV(150)), .from = VRRP_STATE_BACKUP,
	  .ev = EV(PREEMPT_DELAY_EXPIRED), .to = VRRP_STATE_BACKUP, NO_ACTS },
	{ "preempt_delay over, we dropped below it", CONF(.preempt_delay = 5.0),
	  PRE(EV(STARTUP), ADV(50), EV(PRIORITY_CHANGED, .priority = 40)),
	  .from = VRRP_STATE_BACKUP, .ev = EV(PREEMPT_DELAY_EXPIRED),
	  .to = VRRP_STATE_BACKUP, NO_ACTS },

	/* ---- Master (§6.4.3) ---- */
	{ "master: adver timer -> send, re-arm", CONF(), TO_MASTER, .from = VRRP_STATE_MASTER,
	  .ev = EV(ADVER_TIMER_EXPIRED), .to = VRRP_STATE_MASTER,
	  ACTS(A_SEND(100), A_ADV_T(T + 1.0)) },
	{ "master: sync group forces backup, priority 0 first", CONF(), TO_MASTER,
	  .from = VRRP_STATE_MASTER, .ev = EV(FORCE_BACKUP), .to = VRRP_STATE_BACKUP,
	  ACTS(A_SEND(0), A_CANCEL, A_DEL, A_MD_T(T + MDI_100), A_NOTIFY(BACKUP)) },
	{ "backup: sync group force_backup -> nothing", CONF(), TO_BACKUP,
	  .from = VRRP_STATE_BACKUP, .ev = EV(FORCE_BACKUP), .to = VRRP_STATE_BACKUP, NO_ACTS },
	{ "master: higher advert -> backup", CONF(), TO_MASTER, .from = VRRP_STATE_MASTER,
	  .ev = ADV(150), .to = VRRP_STATE_BACKUP, YIELD(MDI_100) },
	{ "master v3: higher advert, learns 2 s", CONF(), TO_MASTER,
	  .from = VRRP_STATE_MASTER, .ev = ADV_X(150, 2.0, false),
	  .to = VRRP_STATE_BACKUP, YIELD(7.21875) },
	{ "master: equal priority, greater address -> backup", CONF(), TO_MASTER,
	  .from = VRRP_STATE_MASTER, .ev = ADV_X(100, 1.0, true),
	  .to = VRRP_STATE_BACKUP, YIELD(MDI_100) },
	{ "strict master: higher advert -> backup, nothing sent", CONF(.strict = true), TO_MASTER,
	  .from = VRRP_STATE_MASTER, .ev = ADV(150), .to = VRRP_STATE_BACKUP,
	  BECOME_BACKUP(MDI_100) },
	{ "strict master: equal priority, greater address -> backup, nothing sent",
	  CONF(.strict = true), TO_MASTER, .from = VRRP_STATE_MASTER, .ev = ADV_X(100, 1.0, true),
	  .to = VRRP_STATE_BACKUP, BECOME_BACKUP(MDI_100) },
	{ "master: equal priority, smaller address ignored", CONF(), TO_MASTER,
	  .from = VRRP_STATE_MASTER, .ev = ADV(100), .to = VRRP_STATE_MASTER, NO_ACTS },
	{ "master: lower advert ignored", CONF(), TO_MASTER, .from = VRRP_STATE_MASTER,
	  .ev = ADV_X(50, 1.0, true), .to = VRRP_STATE_MASTER, NO_ACTS },
	{ "master: priority 0 -> send now, re-arm", CONF(), TO_MASTER,
	  .from = VRRP_STATE_MASTER, .ev = ADV(0), .to = VRRP_STATE_MASTER,
	  ACTS(A_SEND(100), A_ADV_T(T + 1.0)) },
	{ "owner ignores every advert", CONF(.priority = 255), PRE(EV(STARTUP)),
	  .from = VRRP_STATE_MASTER, .ev = ADV_X(255, 1.0, true),
	  .to = VRRP_STATE_MASTER, NO_ACTS },
	{ "initial master still yields", CONF(.initial_master = true), PRE(EV(STARTUP)),
	  .from = VRRP_STATE_MASTER, .ev = ADV(150), .to = VRRP_STATE_BACKUP,
	  YIELD(MDI_100) },
	{ "master: shutdown -> priority 0, release", CONF(), TO_MASTER,
	  .from = VRRP_STATE_MASTER, .ev = EV(SHUTDOWN), .to = VRRP_STATE_STOPPED,
	  ACTS(A_CANCEL, A_SEND(0), A_DEL, A_NOTIFY(STOPPED)) },
	{ "master: fault_on -> priority 0, release", CONF(), TO_MASTER,
	  .from = VRRP_STATE_MASTER, .ev = EV(FAULT_ON), .to = VRRP_STATE_FAULT,
	  ACTS(A_SEND(0), A_CANCEL, A_DEL, A_NOTIFY(FAULT)) },
	{ "master: priority change -> advert now", CONF(), TO_MASTER,
	  .from = VRRP_STATE_MASTER, .ev = EV(PRIORITY_CHANGED, .priority = 80),
	  .to = VRRP_STATE_MASTER, ACTS(A_SEND(80), A_ADV_T(T + 1.0)), .prio = 80 },
	{ "master: same priority, nothing", CONF(), TO_MASTER, .from = VRRP_STATE_MASTER,
	  .ev = EV(PRIORITY_CHANGED, .priority = 100), .to = VRRP_STATE_MASTER, NO_ACTS },
	{ "master: priority 0 from tracking clamps to 1", CONF(), TO_MASTER,
	  .from = VRRP_STATE_MASTER, .ev = EV(PRIORITY_CHANGED, .priority = 0),
	  .to = VRRP_STATE_MASTER, ACTS(A_SEND(1), A_ADV_T(T + 1.0)), .prio = 1 },
	{ "owner priority is never adjusted", CONF(.priority = 255), PRE(EV(STARTUP)),
	  .from = VRRP_STATE_MASTER, .ev = EV(PRIORITY_CHANGED, .priority = 200),
	  .to = VRRP_STATE_MASTER, NO_ACTS, .prio = 255 },
	{ "master: stale master-down ignored", CONF(), TO_MASTER, .from = VRRP_STATE_MASTER,
	  .ev = EV(MASTER_DOWN_TIMER_EXPIRED), .to = VRRP_STATE_MASTER, NO_ACTS },

	/* ---- Fault ---- */
	{ "fault_off -> backup", CONF(), TO_FAULT, .from = VRRP_STATE_FAULT,
	  .ev = EV(FAULT_OFF), .to = VRRP_STATE_BACKUP, BECOME_BACKUP(MDI_100) },
	{ "owner fault_off -> master", CONF(.priority = 255), TO_FAULT,
	  .from = VRRP_STATE_FAULT, .ev = EV(FAULT_OFF), .to = VRRP_STATE_MASTER,
	  BECOME_MASTER(255) },
	{ "initial master fault_off -> backup", CONF(.initial_master = true), TO_FAULT,
	  .from = VRRP_STATE_FAULT, .ev = EV(FAULT_OFF), .to = VRRP_STATE_BACKUP,
	  BECOME_BACKUP(MDI_100) },
	{ "fault: advert ignored", CONF(), TO_FAULT, .from = VRRP_STATE_FAULT,
	  .ev = ADV(0), .to = VRRP_STATE_FAULT, NO_ACTS },
	{ "fault: stale master-down ignored", CONF(), TO_FAULT, .from = VRRP_STATE_FAULT,
	  .ev = EV(MASTER_DOWN_TIMER_EXPIRED), .to = VRRP_STATE_FAULT, NO_ACTS },
	{ "fault: fault_on again", CONF(), TO_FAULT, .from = VRRP_STATE_FAULT,
	  .ev = EV(FAULT_ON), .to = VRRP_STATE_FAULT, NO_ACTS },
	{ "fault: shutdown", CONF(), TO_FAULT, .from = VRRP_STATE_FAULT, .ev = EV(SHUTDOWN),
	  .to = VRRP_STATE_STOPPED, ACTS(A_CANCEL, A_NOTIFY(STOPPED)) },
	{ "fault: priority recorded", CONF(), TO_FAULT, .from = VRRP_STATE_FAULT,
	  .ev = EV(PRIORITY_CHANGED, .priority = 90), .to = VRRP_STATE_FAULT, NO_ACTS,
	  .prio = 90 },

	/* ---- Stopped ---- */
	{ "stopped: startup -> backup", CONF(), TO_STOPPED, .from = VRRP_STATE_STOPPED,
	  .ev = EV(STARTUP), .to = VRRP_STATE_BACKUP, BECOME_BACKUP(MDI_100) },
	{ "stopped: shutdown again", CONF(), TO_STOPPED, .from = VRRP_STATE_STOPPED,
	  .ev = EV(SHUTDOWN), .to = VRRP_STATE_STOPPED, NO_ACTS },
	{ "stopped: advert ignored", CONF(), TO_STOPPED, .from = VRRP_STATE_STOPPED,
	  .ev = ADV(0), .to = VRRP_STATE_STOPPED, NO_ACTS },
	{ "stopped with fault: startup -> fault", CONF(), PRE(EV(STARTUP), EV(SHUTDOWN),
	  EV(FAULT_ON)), .from = VRRP_STATE_STOPPED, .ev = EV(STARTUP),
	  .to = VRRP_STATE_FAULT, ACTS(A_CANCEL, A_DEL, A_NOTIFY(FAULT)) },
};

static struct vrrp_fsm_conf make_conf(const struct knobs *k)
{
	struct vrrp_fsm_conf c = {
		.version = k->version ? k->version : 3,
		.priority = k->priority ? k->priority : 100,
		.adver_int = k->adver_int > 0 ? k->adver_int : 1.0,
		.preempt = !k->no_preempt,
		.preempt_delay = k->preempt_delay,
		.initial_master = k->initial_master,
		.strict = k->strict,
	};
	return c;
}

static void check_case(const struct fsm_case *c)
{
	struct vrrp_fsm f;
	struct vrrp_actions out;
	struct vrrp_fsm_conf conf = make_conf(&c->conf);
	vrrp_fsm_init(&f, &conf);
	for (unsigned i = 0; i < c->n_pre; i++)
		vrrp_fsm_step(&f, &c->pre[i], 0.0, &out);
	if (f.state != c->from)
		fail_msg("%s: start state %s, want %s", c->name, vrrp_state_str(f.state),
			 vrrp_state_str(c->from));
	vrrp_fsm_step(&f, &c->ev, T, &out);
	if (f.state != c->to)
		fail_msg("%s: state %s, want %s", c->name, vrrp_state_str(f.state),
			 vrrp_state_str(c->to));
	if (out.n != c->n_acts)
		fail_msg("%s: %u actions, want %u (first: %s)", c->name, out.n, c->n_acts,
			 out.n ? vrrp_action_str(out.a[0].type) : "-");
	for (unsigned i = 0; i < out.n; i++) {
		const struct vrrp_action *a = &out.a[i];
		const struct want_act *w = &c->acts[i];
		if (a->type != w->type)
			fail_msg("%s: action %u is %s, want %s", c->name, i,
				 vrrp_action_str(a->type), vrrp_action_str(w->type));
		bool timer = a->type == VRRP_ACT_SET_ADVER_TIMER ||
			     a->type == VRRP_ACT_SET_MASTER_DOWN_TIMER ||
			     a->type == VRRP_ACT_SET_PREEMPT_TIMER;
		if (timer && fabs(a->at - w->at) > 1e-9)
			fail_msg("%s: %s at %.6f, want %.6f", c->name, vrrp_action_str(a->type),
				 a->at, w->at);
		if (a->type == VRRP_ACT_SEND_ADVERT && a->priority != w->arg)
			fail_msg("%s: advert priority %u, want %d", c->name, a->priority, w->arg);
		if (a->type == VRRP_ACT_NOTIFY_STATE && (int)a->state != w->arg)
			fail_msg("%s: notify %s", c->name, vrrp_state_str(a->state));
	}
	if (c->prio && f.priority != c->prio)
		fail_msg("%s: priority %u, want %d", c->name, f.priority, c->prio);
}

static void test_table(void **state)
{
	bool from_to[VRRP_STATE__COUNT][VRRP_STATE__COUNT] = { { false } };
	bool events[VRRP_EV__COUNT] = { false };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check_case(&cases[i]);
		from_to[cases[i].from][cases[i].to] = true;
		events[cases[i].ev.type] = true;
	}
	for (int e = 0; e < VRRP_EV__COUNT; e++)
		if (!events[e])
			fail_msg("no case for event %s", vrrp_event_str((enum vrrp_event_type)e));
	/* Every arrow of the diagram in fsm.c has a case. */
	static const enum vrrp_state arrows[][2] = {
		{ VRRP_STATE_INIT, VRRP_STATE_BACKUP }, { VRRP_STATE_INIT, VRRP_STATE_MASTER },
		{ VRRP_STATE_INIT, VRRP_STATE_FAULT }, { VRRP_STATE_BACKUP, VRRP_STATE_MASTER },
		{ VRRP_STATE_MASTER, VRRP_STATE_BACKUP }, { VRRP_STATE_BACKUP, VRRP_STATE_FAULT },
		{ VRRP_STATE_MASTER, VRRP_STATE_FAULT }, { VRRP_STATE_FAULT, VRRP_STATE_BACKUP },
		{ VRRP_STATE_FAULT, VRRP_STATE_MASTER }, { VRRP_STATE_BACKUP, VRRP_STATE_STOPPED },
		{ VRRP_STATE_MASTER, VRRP_STATE_STOPPED }, { VRRP_STATE_FAULT, VRRP_STATE_STOPPED },
		{ VRRP_STATE_STOPPED, VRRP_STATE_BACKUP },
	};
	for (size_t i = 0; i < sizeof(arrows) / sizeof(arrows[0]); i++)
		assert_true(from_to[arrows[i][0]][arrows[i][1]]);
}

static void test_timer_arithmetic(void **state)
{
	/* RFC 5798 §6.1 in centiseconds: priority 200, interval 100 cs:
	 * Skew = (56 * 100) / 256 = 21.875 cs; Master_Down = 300 + 21.875 cs. */
	assert_true(fabs(vrrp_skew_time(3, 200, 1.0) - 0.21875) < 1e-12);
	assert_true(fabs(vrrp_master_down_interval(3, 200, 1.0) - 3.21875) < 1e-12);
	/* 50 cs, priority 1: (255 * 50) / 256 = 49.8046875 cs. */
	assert_true(fabs(vrrp_skew_time(3, 1, 0.5) - 0.498046875) < 1e-12);
	assert_true(fabs(vrrp_master_down_interval(3, 1, 0.5) - 1.998046875) < 1e-12);
	/* RFC 3768 §6.1: Skew = (256 - Priority) / 256 s whatever the interval. */
	assert_true(fabs(vrrp_skew_time(2, 200, 5.0) - 0.21875) < 1e-12);
	assert_true(fabs(vrrp_master_down_interval(2, 200, 5.0) - 15.21875) < 1e-12);
	assert_true(fabs(vrrp_skew_time(2, 255, 1.0) - 1.0 / 256) < 1e-12);
	/* Higher priority, shorter wait: the best backup takes over first. */
	assert_true(vrrp_master_down_interval(3, 254, 1.0) < vrrp_master_down_interval(3, 253, 1.0));
}

static void test_effective_priority(void **state)
{
	assert_int_equal(vrrp_effective_priority(100, 0), 100);
	assert_int_equal(vrrp_effective_priority(100, -30), 70);
	assert_int_equal(vrrp_effective_priority(100, -20 - 30 + 1), 51);
	assert_int_equal(vrrp_effective_priority(100, 154), 254);
	assert_int_equal(vrrp_effective_priority(100, 155), 254);
	assert_int_equal(vrrp_effective_priority(100, -99), 1);
	assert_int_equal(vrrp_effective_priority(100, -100), 1);
	assert_int_equal(vrrp_effective_priority(100, -1000000), 1);
	assert_int_equal(vrrp_effective_priority(254, 1), 254);
	assert_int_equal(vrrp_effective_priority(255, -50), 255);
	assert_int_equal(vrrp_effective_priority(255, 50), 255);
	assert_int_equal(vrrp_effective_priority(1, 0), 1);
}

static void test_names(void **state)
{
	for (int s = 0; s < VRRP_STATE__COUNT; s++)
		assert_string_not_equal(vrrp_state_str((enum vrrp_state)s), "?");
	for (int e = 0; e < VRRP_EV__COUNT; e++)
		assert_string_not_equal(vrrp_event_str((enum vrrp_event_type)e), "?");
	for (int a = 0; a < VRRP_ACT__COUNT; a++)
		assert_string_not_equal(vrrp_action_str((enum vrrp_action_type)a), "?");
	assert_string_equal(vrrp_state_str(VRRP_STATE_MASTER), "MASTER");
	assert_string_equal(vrrp_state_str(VRRP_STATE__COUNT), "?");
}

static void test_conf_from_inst(void **state)
{
	struct vrrp_inst_conf c = { .version = 2, .priority = 150, .advert_interval = 3.0,
				    .preempt = false, .preempt_delay = 7.5,
				    .initial_state = VRRP_INIT_MASTER, .strict = true };
	struct vrrp_fsm_conf fc;
	struct vrrp_fsm f;
	vrrp_fsm_conf_from_inst(&c, &fc);
	assert_int_equal(fc.version, 2);
	assert_int_equal(fc.priority, 150);
	assert_true(fc.adver_int == 3.0 && fc.preempt_delay == 7.5);
	assert_false(fc.preempt);
	assert_true(fc.initial_master);
	assert_true(fc.strict);
	vrrp_fsm_init(&f, &fc);
	assert_int_equal(f.state, VRRP_STATE_INIT);
	assert_int_equal(f.priority, 150);
}

/* ---- two routers on one link ------------------------------------------ */

struct router {
	struct vrrp_fsm f;
	double adver_at, down_at, preempt_at;   /* as the driver would keep them */
	bool addrs;
	int sent;
};

static void apply(struct router *r, struct router *peer, bool r_greater,
		  const struct vrrp_actions *out, double now);

static void deliver(struct router *to, struct router *from, bool from_greater, uint8_t prio,
		    double now)
{
	struct vrrp_event ev = { .type = VRRP_EV_ADVERT_RECEIVED, .priority = prio,
				 .max_adver_int = from->f.conf.adver_int,
				 .src_greater = from_greater };
	struct vrrp_actions out;
	if (to->f.state == VRRP_STATE_STOPPED)
		return;
	vrrp_fsm_step(&to->f, &ev, now, &out);
	apply(to, from, !from_greater, &out, now);
}

static void apply(struct router *r, struct router *peer, bool r_greater,
		  const struct vrrp_actions *out, double now)
{
	for (unsigned i = 0; i < out->n; i++) {
		const struct vrrp_action *a = &out->a[i];
		switch (a->type) {
		case VRRP_ACT_SEND_ADVERT:
			r->sent++;
			deliver(peer, r, r_greater, a->priority, now);
			break;
		case VRRP_ACT_ADD_ADDRESSES: r->addrs = true; break;
		case VRRP_ACT_REMOVE_ADDRESSES: r->addrs = false; break;
		case VRRP_ACT_SET_ADVER_TIMER: r->adver_at = a->at; break;
		case VRRP_ACT_SET_MASTER_DOWN_TIMER: r->down_at = a->at; break;
		case VRRP_ACT_SET_PREEMPT_TIMER: r->preempt_at = a->at; break;
		case VRRP_ACT_CANCEL_TIMERS: r->adver_at = r->down_at = r->preempt_at = 0; break;
		default: break;
		}
	}
}

/* Fires the earliest timer of either router; returns its time, or `until` if none is due. */
static double run_one(struct router *r, double until)
{
	double best = until;
	struct router *who = NULL;
	enum vrrp_event_type what = VRRP_EV_STARTUP;
	for (int i = 0; i < 2; i++) {
		double t[3] = { r[i].adver_at, r[i].down_at, r[i].preempt_at };
		enum vrrp_event_type e[3] = { VRRP_EV_ADVER_TIMER_EXPIRED,
					      VRRP_EV_MASTER_DOWN_TIMER_EXPIRED,
					      VRRP_EV_PREEMPT_DELAY_EXPIRED };
		for (int k = 0; k < 3; k++)
			if (t[k] > 0 && t[k] < best) {
				best = t[k];
				who = &r[i];
				what = e[k];
			}
	}
	if (!who)
		return until;
	if (what == VRRP_EV_ADVER_TIMER_EXPIRED) who->adver_at = 0;
	if (what == VRRP_EV_MASTER_DOWN_TIMER_EXPIRED) who->down_at = 0;
	if (what == VRRP_EV_PREEMPT_DELAY_EXPIRED) who->preempt_at = 0;
	struct vrrp_event ev = { .type = what };
	struct vrrp_actions out;
	vrrp_fsm_step(&who->f, &ev, best, &out);
	/* r[0] has the greater address. */
	apply(who, who == &r[0] ? &r[1] : &r[0], who == &r[0], &out, best);
	return best;
}

static void run_until(struct router *r, double until)
{
	for (int guard = 0; guard < 10000; guard++)
		if (run_one(r, until) >= until)
			return;
	fail_msg("simulation did not settle");
}

static void test_two_routers(void **state)
{
	struct router r[2];
	struct knobs ka = { .priority = 100 }, kb = { .priority = 150 };
	struct vrrp_fsm_conf a = make_conf(&ka), b = make_conf(&kb);
	struct vrrp_actions out;
	struct vrrp_event start = { .type = VRRP_EV_STARTUP }, stop = { .type = VRRP_EV_SHUTDOWN };
	memset(r, 0, sizeof(r));
	vrrp_fsm_init(&r[0].f, &a);
	vrrp_fsm_init(&r[1].f, &b);
	vrrp_fsm_step(&r[0].f, &start, 0.0, &out);
	apply(&r[0], &r[1], true, &out, 0.0);
	vrrp_fsm_step(&r[1].f, &start, 0.0, &out);
	apply(&r[1], &r[0], false, &out, 0.0);
	run_until(r, 20.0);
	/* The higher priority wins, after its shorter master-down interval. */
	assert_int_equal(r[1].f.state, VRRP_STATE_MASTER);
	assert_int_equal(r[0].f.state, VRRP_STATE_BACKUP);
	assert_true(r[1].addrs && !r[0].addrs);
	/* It stops: priority 0 makes the backup take over after Skew_Time only. */
	vrrp_fsm_step(&r[1].f, &stop, 20.0, &out);
	apply(&r[1], &r[0], false, &out, 20.0);
	assert_true(fabs(r[0].down_at - (20.0 + SKEW_100)) < 1e-9);
	run_until(r, 21.0);
	assert_int_equal(r[0].f.state, VRRP_STATE_MASTER);
	assert_true(r[0].addrs && !r[1].addrs);
	/* It comes back and preempts. */
	vrrp_fsm_step(&r[1].f, &start, 30.0, &out);
	apply(&r[1], &r[0], false, &out, 30.0);
	run_until(r, 40.0);
	assert_int_equal(r[1].f.state, VRRP_STATE_MASTER);
	assert_int_equal(r[0].f.state, VRRP_STATE_BACKUP);
	/* Tracking drops it below the other, which then stops accepting its
	 * adverts and takes over when its master-down timer runs out. */
	struct vrrp_event drop = { .type = VRRP_EV_PRIORITY_CHANGED, .priority = 90 };
	vrrp_fsm_step(&r[1].f, &drop, 40.0, &out);
	apply(&r[1], &r[0], false, &out, 40.0);
	run_until(r, 45.0);
	assert_int_equal(r[0].f.state, VRRP_STATE_MASTER);
	assert_int_equal(r[1].f.state, VRRP_STATE_BACKUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_timer_arithmetic),
		cmocka_unit_test(test_effective_priority),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_conf_from_inst),
		cmocka_unit_test(test_two_routers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
