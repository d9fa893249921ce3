/*
 * fsm: the VRRP state machine of RFC 5798 §6.4 (and RFC 3768 for v2) as a
 * pure function. vrrp_fsm_step() takes one event and the current time and
 * returns the actions to carry out, in order; it never touches a socket,
 * a clock, an address or a timer itself. The instance driver (the vrrp
 * child) turns actions into packets, netlink calls and libev timers, and
 * timers firing or packets arriving back into events.
 *
 * Timers are absolute deadlines in seconds on the caller's clock (`now`).
 * The FSM uses three: the advertisement timer (MASTER), the master-down
 * timer (BACKUP) and the preempt-delay timer (BACKUP). A SET action
 * replaces that timer's previous deadline; CANCEL_TIMERS stops all three.
 * Timer events that arrive in a state where they mean nothing (a stale
 * expiry racing a transition) are ignored, so the driver need not be exact.
 *
 * Beyond the RFC, keepalived-like behaviour: FAULT (a tracked interface
 * with weight 0 is down, or the sync group says so), `initial_state
 * master` (become master at startup, still yielding to a higher
 * priority), preempt_delay, and tracking-adjusted priority.
 */
#ifndef VIGIL_VRRP_FSM_H
#define VIGIL_VRRP_FSM_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "conf.h"

enum vrrp_state {
	VRRP_STATE_INIT,              /* configured, not started */
	VRRP_STATE_BACKUP,
	VRRP_STATE_MASTER,
	VRRP_STATE_FAULT,
	VRRP_STATE_STOPPED,           /* shut down; STARTUP starts it again */
	VRRP_STATE__COUNT
};

enum vrrp_event_type {
	VRRP_EV_STARTUP,
	VRRP_EV_ADVERT_RECEIVED,      /* a usable advert for this instance */
	VRRP_EV_MASTER_DOWN_TIMER_EXPIRED,
	VRRP_EV_ADVER_TIMER_EXPIRED,
	VRRP_EV_SHUTDOWN,
	VRRP_EV_FAULT_ON,
	VRRP_EV_FAULT_OFF,
	VRRP_EV_PRIORITY_CHANGED,     /* tracking changed the effective priority */
	VRRP_EV_PREEMPT_DELAY_EXPIRED,
	/* A sync-group peer left MASTER: a master sends priority 0 (so the
	 * other router's member takes over at once) and becomes BACKUP. */
	VRRP_EV_FORCE_BACKUP,
	VRRP_EV__COUNT
};

struct vrrp_event {
	enum vrrp_event_type type;
	/* ADVERT_RECEIVED: the sender's priority; PRIORITY_CHANGED: the new
	 * effective priority (see vrrp_effective_priority()). */
	uint8_t priority;
	/* ADVERT_RECEIVED */
	double max_adver_int;         /* s, from the advert (v3 learns it) */
	struct vaddr src;             /* the sender's address */
	bool src_greater;             /* src > our primary address (tie-break) */
};

enum vrrp_action_type {
	VRRP_ACT_SEND_ADVERT,         /* .priority: ours, or 0 when stopping */
	VRRP_ACT_ADD_ADDRESSES,
	VRRP_ACT_REMOVE_ADDRESSES,
	VRRP_ACT_SEND_GARP,           /* gratuitous ARP / unsolicited NA */
	VRRP_ACT_SET_ADVER_TIMER,     /* .at */
	VRRP_ACT_SET_MASTER_DOWN_TIMER,  /* .at */
	VRRP_ACT_SET_PREEMPT_TIMER,   /* .at */
	VRRP_ACT_CANCEL_TIMERS,
	VRRP_ACT_NOTIFY_STATE,        /* .state: the new state */
	VRRP_ACT__COUNT
};

struct vrrp_action {
	enum vrrp_action_type type;
	uint8_t priority;
	double at;
	enum vrrp_state state;
};

#define VRRP_ACTIONS_MAX 8

struct vrrp_actions {
	unsigned n;
	struct vrrp_action a[VRRP_ACTIONS_MAX];
};

/* What the FSM needs of the configuration (plain data, see vrrp_fsm_conf_from_inst). */
struct vrrp_fsm_conf {
	uint8_t version;              /* 2 | 3 */
	uint8_t priority;             /* configured base priority; 255 = owner */
	double adver_int;             /* s: Advertisement_Interval */
	bool preempt;
	double preempt_delay;         /* s; 0: preempt at once */
	bool initial_master;          /* initial_state = "master" */
	bool strict;                  /* RFC 5798 only: no advert as a master yields */
};

struct vrrp_fsm {
	struct vrrp_fsm_conf conf;
	enum vrrp_state state;
	uint8_t priority;             /* effective priority */
	double master_adver_int;      /* s: Master_Adver_Interval */
	bool fault;                   /* a fault condition holds */
	bool preempt_pending;         /* a preempt-delay timer is running */
	/* The master we last accepted an advert from (BACKUP), for status. */
	bool master_known;
	struct vaddr master_addr;
	uint8_t master_priority;
	/* Deadlines as last set, 0 when not running; informational. */
	double adver_at, master_down_at, preempt_at;
};

const char *vrrp_state_str(enum vrrp_state s);        /* "MASTER", ... */
const char *vrrp_event_str(enum vrrp_event_type t);   /* "startup", ... */
const char *vrrp_action_str(enum vrrp_action_type t); /* "send_advert", ... */

void vrrp_fsm_conf_from_inst(const struct vrrp_inst_conf *c, struct vrrp_fsm_conf *out);
/* State INIT, effective priority = the configured one. */
void vrrp_fsm_init(struct vrrp_fsm *f, const struct vrrp_fsm_conf *conf);
/* Applies ev at time now; out is reset and receives the actions, in order. */
void vrrp_fsm_step(struct vrrp_fsm *f, const struct vrrp_event *ev, double now,
		   struct vrrp_actions *out);

/* v2: (256 - Priority) / 256 s; v3: ((256 - Priority) * Master_Adver_Interval) / 256. */
double vrrp_skew_time(uint8_t version, uint8_t priority, double master_adver_int);
/* 3 * Master_Adver_Interval + Skew_Time (v2: the own advert interval). */
double vrrp_master_down_interval(uint8_t version, uint8_t priority, double master_adver_int);
/*
 * Tracking: base + weight_sum clamped to 1..254. The address owner (255)
 * is never adjusted. weight_sum is the sum of the weights that apply now
 * (negative weights of failed trackers, positive ones of passing ones).
 */
uint8_t vrrp_effective_priority(uint8_t base, long weight_sum);

#endif
