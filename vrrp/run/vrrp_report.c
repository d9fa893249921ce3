/*
 * vrrp_report: what the vrrp child tells the parent (IPC_VRRP_STATE for
 * instances, sync groups and interfaces) and how tracking turns into
 * priority and fault.
 *
 *   link event / file change / script verdict ─> vrrp_inst_retrack:
 *     faults  = own interface down + weight-0 trackers failed
 *     weights = failed interfaces' and scripts' weights + file value × weight
 *     ─> FAULT_ON / FAULT_OFF, PRIORITY_CHANGED (vrrp_effective_priority)
 */
#include <stdio.h>
#include <string.h>

#include "child.h"
#include "log.h"
#include "vrrp_run.h"

_Static_assert(VRRP_RX__COUNT <= IPC_VRRP_REASONS, "reject reasons fit the IPC message");
_Static_assert(VRRP_STATE__COUNT < 256, "state fits a byte");

void vrrp_inst_report(struct vrrp_inst *in, bool changed, enum vrrp_state prev)
{
	struct ipc_vrrp_state m;
	const struct vrrp_fsm *f = &in->fsm;
	memset(&m, 0, sizeof(m));
	m.generation = in->run->cx->generation;
	m.kind = IPC_VRRP_INSTANCE;
	m.state = (uint8_t)f->state;
	m.prev_state = (uint8_t)prev;
	m.changed = changed;
	m.base_priority = in->conf->priority;
	m.priority = f->priority;
	m.family = (uint8_t)in->conf->family;
	snprintf(m.name, sizeof(m.name), "%s", in->conf->name);
	snprintf(m.reason, sizeof(m.reason), "%s", in->reason);
	if (f->state == VRRP_STATE_MASTER) {
		struct vaddr me = in->conf->ucast_src;
		m.master_priority = f->priority;
		if ((in->conf->unicast && vaddr_is_set(&me)) || vrrp_io_source(in->io, &me)) {
			memcpy(m.master, &me.u, sizeof(m.master) < sizeof(me.u) ? sizeof(m.master)
									 : sizeof(me.u));
			m.master_known = 2;   /* ourselves */
		}
	} else if (f->master_known && f->state == VRRP_STATE_BACKUP) {
		m.master_priority = f->master_priority;
		memcpy(m.master, &f->master_addr.u, 16);
		m.master_known = 1;
	}
	m.fault_reasons = (uint8_t)(in->faults > 255 ? 255 : in->faults);
	m.master_down_in = ev_is_active(&in->down_w) && f->master_down_at > 0
			   ? f->master_down_at - ev_now(in->run->loop) : -1;
	m.adver_int = f->conf.adver_int;
	m.master_adver_int = f->master_adver_int;
	m.since = in->since;
	m.sent = in->sent;
	m.received = in->received;
	m.transitions = in->transitions;
	m.garp_sent = in->garp_sent;
	for (unsigned i = 0; i < VRRP_RX__COUNT; i++)
		m.rejected[i] = in->rejected[i];
	if (child_send(in->run->cx, IPC_VRRP_STATE, &m, sizeof(m), NULL, 0) < 0)
		log_warn("%s: cannot queue a state report for the parent", in->conf->name);
}

void vrrp_grp_report(struct vrrp_grp *g, bool changed, enum vrrp_state prev)
{
	struct ipc_vrrp_state m;
	memset(&m, 0, sizeof(m));
	m.generation = g->run->cx->generation;
	m.kind = IPC_VRRP_GROUP;
	m.state = (uint8_t)g->state;
	m.prev_state = (uint8_t)prev;
	m.changed = changed;
	snprintf(m.name, sizeof(m.name), "%s", g->conf->name);
	snprintf(m.reason, sizeof(m.reason), "%s", g->reason);
	m.since = g->since;
	m.transitions = g->transitions;
	m.master_down_in = -1;
	/* A group's priority: the lowest effective priority of its members. */
	m.priority = 255;
	for (unsigned i = 0; i < g->n; i++)
		if (g->m[i]->fsm.priority < m.priority)
			m.priority = g->m[i]->fsm.priority;
	m.base_priority = m.priority;
	child_send(g->run->cx, IPC_VRRP_STATE, &m, sizeof(m), NULL, 0);
}

/* Sums what the trackers say now. */
static long track_sum(struct vrrp_inst *in, unsigned *faults)
{
	const struct vrrp_inst_conf *c = in->conf;
	long sum = 0;
	*faults = in->if_up ? 0 : 1;
	for (unsigned i = 0; i < c->n_track_ifs; i++) {
		if (in->trk_if_up[i])
			continue;
		if (c->track_ifs[i].weight == 0)
			(*faults)++;
		else
			sum += c->track_ifs[i].weight;
	}
	for (unsigned i = 0; i < c->n_track_scripts; i++) {
		const struct vrrp_tscript *t = in->trk_script[i];
		if (!t || t->s.verdict != 0)
			continue;     /* unknown or passing */
		if (c->track_scripts[i].weight == 0)
			(*faults)++;
		else
			sum += c->track_scripts[i].weight;
	}
	for (unsigned i = 0; i < c->n_track_files; i++)
		sum += in->trk_file[i] * c->track_files[i].weight;
	return sum;
}

void vrrp_inst_retrack(struct vrrp_inst *in, const char *why)
{
	unsigned faults;
	long sum = track_sum(in, &faults);
	uint8_t prio = vrrp_effective_priority(in->conf->priority, sum);
	in->faults = faults;
	if (in->fsm.state == VRRP_STATE_STOPPED)
		return;
	if (prio != in->fsm.priority) {
		log_info("%s: priority %u -> %u (%s)", in->conf->name, in->fsm.priority, prio, why);
		struct vrrp_event ev = { .type = VRRP_EV_PRIORITY_CHANGED, .priority = prio };
		vrrp_inst_event(in, &ev, why);
		if (in->fsm.state != VRRP_STATE_INIT)
			vrrp_inst_report(in, false, in->fsm.state);
	}
	if ((faults > 0) != in->fsm.fault) {
		struct vrrp_event ev = { .type = faults ? VRRP_EV_FAULT_ON : VRRP_EV_FAULT_OFF };
		vrrp_inst_event(in, &ev, why);
	}
}
