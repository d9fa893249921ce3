/*
 * roles: the parent's side of VRRP (see roles.h).
 *
 *   vrrp child ──IPC_VRRP_STATE──> roles_on_msg ─> keep the last one
 *                                      │ state differs from the last known
 *                                      ├─> log
 *                                      ├─> notify script (script_run, async)
 *                                      └─> ipvs_sync: master / backup / stop,
 *                                          once the state held SYNC_SETTLE s
 *   vigilctl vrrp, status ─────────> JSON from what is kept (at most one
 *                                    second old: the child refreshes it)
 *
 * Transitions are detected here against the last known state, so a
 * restarted vrrp child (which starts over from INIT) or a repeated report
 * never runs a notify script twice for the same state.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "control.h"
#include "errbuf.h"
#include "ipvs.h"
#include "jx.h"
#include "log.h"
#include "lvs.h"
#include "notify_fifo.h"
#include "privdrop.h"
#include "roles.h"
#include "script.h"
#include "vigild.h"
#include "vrrp_fsm.h"
#include "vrrp_pkt.h"
#include "xalloc.h"

#define NOTIFY_TIMEOUT 30.0
/* A sync daemon role is applied once the instance's state has held this
 * long (s): a backup that is master for a few milliseconds at start-up
 * (its first advert from the master was late) must not start and stop a
 * master sync daemon, which the kernel does slowly (a stop right after a
 * start held the parent for seconds in the VM). */
#define SYNC_SETTLE 0.3

struct vrrp_entry {
	struct ipc_vrrp_state m;
	double got_at;                /* ev_now when it arrived */
	int sync_want, sync_done;     /* IPVS_SYNC_* or 0; -1: none yet */
	const char *sync_if;          /* borrowed from the configuration */
	unsigned syncid;
	struct vrrp_entry *next;
};

struct vrrp_status {
	struct vrrp_entry *list;
	ev_timer settle_w;
	struct vigild *d;
};

static struct vrrp_entry *find(struct vigild *d, uint8_t kind, const char *name, uint8_t family)
{
	for (struct vrrp_entry *e = d->vrrp ? d->vrrp->list : NULL; e; e = e->next)
		if (e->m.kind == kind && !strcmp(e->m.name, name) &&
		    (kind != IPC_VRRP_IFACE || e->m.family == family))
			return e;
	return NULL;
}

static const struct vrrp_notify *notify_conf(struct vigild *d, const struct ipc_vrrp_state *m)
{
	const struct conf *c = d->conf;
	if (m->kind == IPC_VRRP_INSTANCE) {
		for (unsigned i = 0; i < c->n_vrrp; i++)
			if (!strcmp(c->vrrp[i].name, m->name))
				return &c->vrrp[i].notify;
	} else {
		for (unsigned i = 0; i < c->n_groups; i++)
			if (!strcmp(c->groups[i].name, m->name))
				return &c->groups[i].notify;
	}
	return NULL;
}

/* keepalived's generic notify: every transition, its own state names. */
static void run_notify_all(struct vigild *d, const struct ipc_vrrp_state *m, const char *cmd)
{
	char prio[8], what[96], user[64];
	bool group = m->kind == IPC_VRRP_GROUP;
	snprintf(prio, sizeof(prio), "%u", group ? 0 : m->priority);
	const char *state = nfifo_state_str(m->state);
	const char *args[] = { group ? "GROUP" : "INSTANCE", m->name, state, prio, NULL };
	snprintf(what, sizeof(what), "notify %s %s", state, m->name);
	struct errbuf eb;
	priv_script_user(d->conf->global.script_user, user, sizeof(user));
	if (script_run(d->loop, cmd, args, user, NOTIFY_TIMEOUT, what, NULL, NULL, &eb) < 0)
		log_err("%s", eb.msg);
}

static void run_notify(struct vigild *d, const struct ipc_vrrp_state *m)
{
	const struct vrrp_notify *n = notify_conf(d, m);
	if (m->state == VRRP_STATE_INIT)
		return;
	if (d->fifo && !nfifo_vrrp(d->fifo, m->kind == IPC_VRRP_GROUP, m->name, m->state,
				   m->priority))
		log_warn("notify_fifo: no room for the %s line of %s", vrrp_state_str(m->state),
			 m->name);
	if (!n)
		return;
	if (n->all)
		run_notify_all(d, m, n->all);
	const char *cmd = NULL;
	switch (m->state) {
	case VRRP_STATE_MASTER: cmd = n->master; break;
	case VRRP_STATE_BACKUP: cmd = n->backup; break;
	case VRRP_STATE_FAULT: cmd = n->fault; break;
	case VRRP_STATE_STOPPED: cmd = n->stop; break;
	default: break;
	}
	if (!cmd)
		return;
	char prio[8], what[96];
	snprintf(prio, sizeof(prio), "%u", m->priority);
	const char *state = vrrp_state_str((enum vrrp_state)m->state);
	const char *args[] = { m->kind == IPC_VRRP_GROUP ? "GROUP" : "INSTANCE", m->name, state,
			       prio, NULL };
	snprintf(what, sizeof(what), "notify %s %s", state, m->name);
	struct errbuf eb;
	char user[64];
	priv_script_user(d->conf->global.script_user, user, sizeof(user));
	if (script_run(d->loop, cmd, args, user, NOTIFY_TIMEOUT, what, NULL, NULL, &eb) < 0)
		log_err("%s", eb.msg);
}

void roles_settle(struct vigild *d)
{
	if (!d->vrrp)
		return;
	ev_timer_stop(d->loop, &d->vrrp->settle_w);
	for (struct vrrp_entry *e = d->vrrp->list; e; e = e->next)
		if (e->sync_want >= 0 && e->sync_want != e->sync_done) {
			lvs_sync_daemon(d, e->sync_want, e->sync_if, e->syncid);
			e->sync_done = e->sync_want;
		}
}

static void settle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vrrp_status *v = w->data;
	(void)loop;
	(void)revents;
	roles_settle(v->d);
}

/* The role the instance's sync daemon should have; applied when it has
 * held SYNC_SETTLE seconds (or at once when vigild stops). */
static void steer_sync(struct vigild *d, struct vrrp_entry *e)
{
	const struct conf *c = d->conf;
	for (unsigned i = 0; i < c->n_vrrp; i++) {
		const struct vrrp_inst_conf *vi = &c->vrrp[i];
		if (strcmp(vi->name, e->m.name) || !vi->has_ipvs_sync)
			continue;
		e->sync_want = e->m.state == VRRP_STATE_MASTER ? IPVS_SYNC_MASTER
			       : e->m.state == VRRP_STATE_BACKUP || e->m.state == VRRP_STATE_FAULT
			       ? IPVS_SYNC_BACKUP : 0;
		e->sync_if = vi->sync_interface;
		e->syncid = vi->syncid;
		ev_timer_stop(d->loop, &d->vrrp->settle_w);
		ev_timer_set(&d->vrrp->settle_w, SYNC_SETTLE, 0.);
		ev_timer_start(d->loop, &d->vrrp->settle_w);
	}
}

static void transition(struct vigild *d, struct vrrp_entry *e, int old)
{
	const struct ipc_vrrp_state *m = &e->m;
	bool group = m->kind == IPC_VRRP_GROUP;
	const char *was = old < 0 ? "-" : vrrp_state_str((enum vrrp_state)old);
	const char *now = vrrp_state_str((enum vrrp_state)m->state);
	char prio[8];
	snprintf(prio, sizeof(prio), "%u", m->priority);
	const struct log_field f[] = {
		{ group ? "group" : "instance", m->name }, { "state", now }, { "old_state", was },
		{ "reason", m->reason }, { "priority", prio },
	};
	log_event(LOG_NOTICE, f, 5, "VRRP %s %s: %s -> %s (%s; priority %u)",
		  group ? "sync group" : "instance", m->name, was, now, m->reason, m->priority);
	run_notify(d, m);
	if (m->kind == IPC_VRRP_INSTANCE)
		steer_sync(d, e);
}

void roles_on_msg(struct vigild *d, const void *p, size_t len)
{
	struct ipc_vrrp_state m;
	if (len != sizeof(m))
		return;
	memcpy(&m, p, sizeof(m));
	m.name[sizeof(m.name) - 1] = '\0';
	m.reason[sizeof(m.reason) - 1] = '\0';
	if (m.state >= VRRP_STATE__COUNT)
		return;
	if (!d->vrrp) {
		d->vrrp = xcalloc(1, sizeof(*d->vrrp));
		d->vrrp->d = d;
		ev_init(&d->vrrp->settle_w, settle_cb);
		d->vrrp->settle_w.data = d->vrrp;
	}
	struct vrrp_entry *e = find(d, m.kind, m.name, m.family);
	int old = e ? e->m.state : -1;
	if (!e) {
		e = xcalloc(1, sizeof(*e));
		e->sync_want = e->sync_done = -1;
		e->next = d->vrrp->list;
		d->vrrp->list = e;
	}
	e->m = m;
	e->got_at = ev_now(d->loop);
	if (m.kind != IPC_VRRP_IFACE && m.state != old && m.state != VRRP_STATE_INIT)
		transition(d, e, old);
}

void roles_foreach(struct vigild *d, void (*fn)(struct vigild *d, const struct ipc_vrrp_state *m))
{
	for (struct vrrp_entry *e = d->vrrp ? d->vrrp->list : NULL; e; e = e->next)
		fn(d, &e->m);
}

int roles_instance_state(struct vigild *d, const char *name)
{
	const struct vrrp_entry *e = find(d, IPC_VRRP_INSTANCE, name, 0);
	return e ? e->m.state : -1;
}

void roles_free(struct vigild *d)
{
	if (!d->vrrp)
		return;
	ev_timer_stop(d->loop, &d->vrrp->settle_w);
	while (d->vrrp->list) {
		struct vrrp_entry *e = d->vrrp->list;
		d->vrrp->list = e->next;
		free(e);
	}
	free(d->vrrp);
	d->vrrp = NULL;
}

/* ---- JSON ----------------------------------------------------------- */

static const char *reason_name(unsigned i)
{
	return i == VRRP_RX_NOT_FOR_US ? "unknown_vrid" : vrrp_rx_str((enum vrrp_rx)i);
}

static struct json_object *rejected_json(const struct ipc_vrrp_state *m, uint64_t *total)
{
	struct json_object *o = jx_new_object();
	*total = 0;
	for (unsigned i = 1; i < VRRP_RX__COUNT; i++) {
		if (!m->rejected[i])
			continue;
		json_object_object_add(o, reason_name(i), jx_new_int64((int64_t)m->rejected[i]));
		*total += m->rejected[i];
	}
	return o;
}

static struct json_object *master_json(const struct ipc_vrrp_state *m)
{
	if (!m->master_known)
		return NULL;
	struct vaddr a = { .family = m->family };
	char s[VADDR_STRLEN];
	memcpy(&a.u, m->master, m->family == AF_INET ? 4 : 16);
	struct json_object *o = jx_new_object();
	json_object_object_add(o, "address", jx_new_string(vaddr_str(&a, s, sizeof(s))));
	json_object_object_add(o, "priority", jx_new_int(m->master_priority));
	json_object_object_add(o, "self", jx_new_boolean(m->master_known == 2));
	return o;
}

static const char *group_of(const struct conf *c, const char *inst)
{
	for (unsigned i = 0; i < c->n_groups; i++)
		for (unsigned j = 0; j < c->groups[i].n_instances; j++)
			if (!strcmp(c->groups[i].instances[j], inst))
				return c->groups[i].name;
	return NULL;
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? jx_new_string(v) : NULL);
}

static void add_counters(struct json_object *o, const struct vrrp_entry *e, double now)
{
	const struct ipc_vrrp_state *m = &e->m;
	double down = m->master_down_in >= 0 ? m->master_down_in - (now - e->got_at) : -1;
	json_object_object_add(o, "master", master_json(m));
	json_object_object_add(o, "master_down_timer",
			       down >= 0 ? jx_new_double(down) : m->master_down_in >= 0
			       ? jx_new_double(0.) : NULL);
	json_object_object_add(o, "master_advert_interval", jx_new_double(m->master_adver_int));
	struct json_object *adv = jx_new_object();
	json_object_object_add(adv, "sent", jx_new_int64((int64_t)m->sent));
	json_object_object_add(adv, "received", jx_new_int64((int64_t)m->received));
	uint64_t total;
	struct json_object *rej = rejected_json(m, &total);
	json_object_object_add(adv, "rejected", jx_new_int64((int64_t)total));
	json_object_object_add(o, "adverts", adv);
	json_object_object_add(o, "rejected", rej);
	json_object_object_add(o, "garp_sent", jx_new_int64((int64_t)m->garp_sent));
	json_object_object_add(o, "transitions", jx_new_int64((int64_t)m->transitions));
	json_object_object_add(o, "since", jx_new_double(m->since));
	add_str(o, "reason", m->reason);
	json_object_object_add(o, "age", jx_new_double(now - e->got_at));
}

static struct json_object *inst_json(struct vigild *d, const struct vrrp_inst_conf *vi)
{
	struct json_object *o = jx_new_object();
	const struct vrrp_entry *e = find(d, IPC_VRRP_INSTANCE, vi->name, 0);
	add_str(o, "name", vi->name);
	add_str(o, "interface", vi->interface);
	add_str(o, "vmac", vi->vmac.on ? vi->vmac.ifname : NULL);
	json_object_object_add(o, "vrid", jx_new_int(vi->vrid));
	json_object_object_add(o, "version", jx_new_int(vi->version));
	add_str(o, "family", vi->family == AF_INET6 ? "inet6" : "inet");
	add_str(o, "mode", vi->unicast ? "unicast" : "multicast");
	/* accept as enforced: outside strict mode a master takes every packet */
	json_object_object_add(o, "strict", jx_new_boolean(vi->strict));
	json_object_object_add(o, "accept", jx_new_boolean(!vi->strict || vi->accept));
	add_str(o, "sync_group", group_of(d->conf, vi->name));
	add_str(o, "state", e ? vrrp_state_str((enum vrrp_state)e->m.state) : "UNKNOWN");
	struct json_object *prio = jx_new_object();
	json_object_object_add(prio, "base", jx_new_int(vi->priority));
	json_object_object_add(prio, "effective", jx_new_int(e ? e->m.priority
								    : vi->priority));
	json_object_object_add(o, "priority", prio);
	json_object_object_add(o, "advert_interval", jx_new_double(vi->advert_interval));
	if (e)
		add_counters(o, e, ev_now(d->loop));
	return o;
}

static struct json_object *groups_json(struct vigild *d)
{
	struct json_object *a = jx_new_array();
	for (unsigned i = 0; i < d->conf->n_groups; i++) {
		const struct vrrp_group_conf *g = &d->conf->groups[i];
		const struct vrrp_entry *e = find(d, IPC_VRRP_GROUP, g->name, 0);
		struct json_object *o = jx_new_object();
		add_str(o, "name", g->name);
		add_str(o, "state", e ? vrrp_state_str((enum vrrp_state)e->m.state) : "UNKNOWN");
		struct json_object *mem = jx_new_array();
		for (unsigned j = 0; j < g->n_instances; j++)
			json_object_array_add(mem, jx_new_string(g->instances[j]));
		json_object_object_add(o, "instances", mem);
		if (e) {
			json_object_object_add(o, "since", jx_new_double(e->m.since));
			json_object_object_add(o, "transitions",
					       jx_new_int64((int64_t)e->m.transitions));
			add_str(o, "reason", e->m.reason);
		}
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *ifaces_json(struct vigild *d)
{
	struct json_object *a = jx_new_array();
	for (struct vrrp_entry *e = d->vrrp ? d->vrrp->list : NULL; e; e = e->next) {
		if (e->m.kind != IPC_VRRP_IFACE)
			continue;
		uint64_t total;
		struct json_object *o = jx_new_object();
		add_str(o, "name", e->m.name);
		add_str(o, "family", e->m.family == AF_INET6 ? "inet6" : "inet");
		add_str(o, "socket", e->m.state == VRRP_STATE_FAULT ? "closed" : "open");
		json_object_object_add(o, "rejected", rejected_json(&e->m, &total));
		json_object_object_add(o, "rejected_total", jx_new_int64((int64_t)total));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *vrrp_json(struct vigild *d, const char *only)
{
	struct json_object *v = jx_new_object();
	struct json_object *insts = jx_new_array();
	for (unsigned i = 0; i < d->conf->n_vrrp; i++)
		if (!only || !strcmp(only, d->conf->vrrp[i].name))
			json_object_array_add(insts, inst_json(d, &d->conf->vrrp[i]));
	json_object_object_add(v, "instances", insts);
	json_object_object_add(v, "sync_groups", groups_json(d));
	json_object_object_add(v, "interfaces", ifaces_json(d));
	return v;
}

void roles_status_json(struct vigild *d, struct json_object *r)
{
	json_object_object_add(r, "vrrp", vrrp_json(d, NULL));
}

struct json_object *roles_cmd(struct vigild *d, struct json_object *req)
{
	const char *only = NULL;
	struct json_object *err = ctl_member_str(req, "vrrp", "instance", &only);
	if (err)
		return err;
	bool known = !only;
	for (unsigned i = 0; only && i < d->conf->n_vrrp; i++)
		known |= !strcmp(only, d->conf->vrrp[i].name);
	if (!known)
		return ctl_reply_err("unknown VRRP instance '%.64s'", only);
	struct json_object *r = ctl_reply_ok();
	struct json_object *v = vrrp_json(d, only);
	json_object_object_foreach(v, k, val) {
		json_object_object_add(r, k, json_object_get(val));
	}
	json_object_put(v);
	return r;
}
