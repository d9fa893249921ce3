/*
 * vrrp_report: what the vrrp child tells the parent (IPC_VRRP_STATE for
 * instances, sync groups and interfaces).
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
		struct vaddr me;
		m.master_priority = f->priority;
		if (vrrp_inst_source(in, &me)) {
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
	struct vaddr src;
	if (vrrp_inst_source(in, &src)) {
		memcpy(m.primary, &src.u, sizeof(m.primary) < sizeof(src.u) ? sizeof(m.primary)
									 : sizeof(src.u));
		m.primary_known = 1;
	}
	m.master_reason = in->stats.master_reason;
	m.proto_err = in->stats.proto_err;
	m.auth_err = in->stats.auth_err;
	memcpy(m.auth_src, &in->stats.auth_src.u, sizeof(m.auth_src));
	m.up_since = in->stats.up_since;
	m.became_master = in->stats.became_master;
	m.pri0_sent = in->stats.pri0_sent;
	m.pri0_received = in->stats.pri0_received;
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
	if (child_send(g->run->cx, IPC_VRRP_STATE, &m, sizeof(m), NULL, 0) < 0)
		log_warn("%s: cannot queue a state report for the parent", g->conf->name);
}
