/*
 * snmp_feed_vigil: the VIGIL-MIB rows the parent sends the snmp child
 * (see ipc.h, mibs/VIGIL-MIB.txt): the director and its children, every
 * virtual server and real server as status shows them, and events.
 *
 *   every SNMPF_PERIOD s, at the child's READY and after a reload:
 *       IPC_SNMP_SUMMARY, then lvs_walk ─> IPC_SNMP_VS, IPC_SNMP_RS...
 *   check result ─> snmpf_rs_health ─> IPC_SNMP_RS (health only; event on a transition)
 *   quorum lost/regained ─> snmpf_quorum_event ─> IPC_SNMP_VS (event, quorum only)
 *   a restarted child READY ─> snmpf_child_restarted ─> IPC_SNMP_SUMMARY (event)
 *
 * The parent never waits for the snmp child: messages are queued on its
 * connection, and a periodic refresh is skipped while the previous one
 * is still queued (a slow or stopped child costs one refresh of memory,
 * not one per period). A refresh reads the kernel's table once, as a
 * `vigilctl status` does.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "conf.h"
#include "health.h"
#include "ipvs.h"
#include "lvs.h"
#include "snmp_feed.h"
#include "version.h"
#include "vigild.h"
#include "wallclock.h"

#define SNMPF_PERIOD 2.0              /* s between refreshes */

static bool snmp_up(const struct vigild *d)
{
	const struct child *c = &d->children[CHILD_SNMP];
	return c->fd >= 0 && c->state == CHILD_RUNNING;
}

static void addr_bytes(const struct vaddr *a, uint8_t *family, uint8_t out[16])
{
	memset(out, 0, 16);
	*family = (uint8_t)a->family;
	if (a->family == AF_INET)
		memcpy(out, &a->u.v4, 4);
	else if (a->family == AF_INET6)
		memcpy(out, &a->u.v6, 16);
}

static void traffic(struct ipc_snmp_traffic *o, const struct ipvs_stats *s)
{
	*o = (struct ipc_snmp_traffic){
		.conns = s->conns, .inpkts = s->inpkts, .outpkts = s->outpkts,
		.inbytes = s->inbytes, .outbytes = s->outbytes, .cps = s->cps,
		.inpps = s->inpps, .outpps = s->outpps, .inbps = s->inbps, .outbps = s->outbps,
	};
}

static void send_summary(struct vigild *d, uint8_t restarted)
{
	struct ipc_snmp_summary m;
	double now = ev_now(d->loop), wall = wall_now();
	memset(&m, 0, sizeof(m));
	m.generation = d->generation;
	m.n_vs = d->lvs ? d->conf->n_vs : 0;
	m.ipvs = lvs_have_ipvs(d);
	m.restarted = restarted;
	m.uptime = wall - d->started_at;
	m.conf_age = wall - d->conf_loaded_at;
	snprintf(m.version, sizeof(m.version), "%s", VIGIL_VERSION);
	for (unsigned k = 0; k < CHILD__COUNT && k < IPC_SNMP_PROCS; k++) {
		const struct child *c = &d->children[k];
		struct ipc_snmp_proc *p = &m.procs[k];
		snprintf(p->name, sizeof(p->name), "%s", c->name);
		p->state = (uint8_t)(c->state + 1);
		p->pid = c->pid;
		p->restarts = c->restarts;
		p->generation = c->generation;
		p->uptime = c->pid ? now - c->started_at : 0;
	}
	if (d->checker_stats_at > 0) {
		m.have_checker = 1;
		m.checker_probes = d->checker_stats.probes;
		m.checker_runs = d->checker_stats.runs;
		m.checker_reports = d->checker_stats.reports;
	}
	supervise_send(d, CHILD_SNMP, IPC_SNMP_SUMMARY, &m, sizeof(m), NULL, 0);
}

/* The configuration's side of a virtual server. */
static void vs_conf_fields(struct vigild *d, unsigned vi, struct ipc_snmp_vs *m)
{
	const struct vs_conf *v = &d->conf->vs[vi];
	m->generation = d->generation;
	m->vs = vi;
	m->n_rs = v->n_rs;
	m->fwmark = v->fwmark;
	m->quorum = v->quorum;
	m->protocol = v->fwmark ? 4 : (uint8_t)(v->protocol + 1);
	m->port = v->fwmark ? 0 : v->port;
	if (!v->fwmark)
		addr_bytes(&v->addr, &m->family, m->addr);
	snprintf(m->name, sizeof(m->name), "%s", v->name ? v->name : "");
	snprintf(m->sched, sizeof(m->sched), "%s", v->scheduler);
}

static void quorum_fields(struct ipc_snmp_vs *m, bool known, bool up, bool sorry, unsigned alive)
{
	m->quorum_state = !known ? 3 : up ? 1 : 2;
	m->sorry = sorry;
	m->alive_weight = alive;
}

static void send_vs(struct vigild *d, const struct lvs_row *row)
{
	struct ipc_snmp_vs m;
	memset(&m, 0, sizeof(m));
	vs_conf_fields(d, row->vi, &m);
	m.full = 1;
	for (unsigned i = 0; i < row->v->n_rs; i++)
		m.n_rs_up += health_rs_up(d, row->vi, i);
	quorum_fields(&m, row->quorum_known, row->quorum_up, row->sorry_in, row->alive);
	ipvs_svc_key_str(&row->want->svc.key, m.service, sizeof(m.service));
	if (row->kern) {
		m.in_kernel = 1;
		traffic(&m.traffic, &row->kern->svc.stats);
	}
	supervise_send(d, CHILD_SNMP, IPC_SNMP_VS, &m, sizeof(m), NULL, 0);
}

/* The configuration's and health's side of a real server; returns the
 * size of its checks. */
static size_t rs_fields(struct vigild *d, unsigned vi, unsigned ri, struct ipc_snmp_rs *m,
			struct ipc_snmp_check *ck)
{
	const struct vs_conf *v = &d->conf->vs[vi];
	const struct rs_conf *rc = &v->rs[ri];
	memset(m, 0, sizeof(*m));
	m->generation = d->generation;
	m->vs = vi;
	m->rs = ri;
	addr_bytes(&rc->addr, &m->family, m->addr);
	m->port = rc->port ? rc->port : v->port;
	m->fwd = (uint8_t)(rc->fwd + 1);
	m->weight_conf = rc->weight;
	health_rs_snmp(d, vi, ri, m, ck);
	return m->n_checks * sizeof(*ck);
}

static void send_rs(struct vigild *d, const struct lvs_row *row)
{
	struct ipc_snmp_rs m;
	struct ipc_snmp_check ck[IPC_SNMP_CHECKS_MAX];
	size_t cl = rs_fields(d, row->vi, row->ri, &m, ck);
	m.full = 1;
	m.override = !row->override ? 1 : row->drained ? 3 : 2;
	m.wanted = row->wd != NULL;
	m.weight_wanted = row->wd ? row->wd->weight : -1;
	if (row->kd) {
		m.in_kernel = 1;
		m.weight_kernel = row->kd->weight;
		m.active_conns = row->kd->active_conns;
		m.inactive_conns = row->kd->inact_conns;
		traffic(&m.traffic, &row->kd->stats);
	}
	supervise_send(d, CHILD_SNMP, IPC_SNMP_RS, &m, sizeof(m), ck, cl);
}

static void row_cb(struct vigild *d, const struct lvs_row *row, void *arg)
{
	(void)arg;
	if (row->ri == LVS_ROW_VS)
		send_vs(d, row);
	else
		send_rs(d, row);
}

static void refresh(struct vigild *d)
{
	bool kernel;
	send_summary(d, 0);
	if (d->lvs)
		lvs_walk(d, row_cb, NULL, &kernel);
}

static void period_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vigild *d = w->data;
	(void)revents;
	if (!d->conf->global.snmp_agentx) {   /* a reload removed global.snmp */
		ev_timer_stop(loop, w);
		return;
	}
	/* Still queued from the last time: the child is slow or stopped. */
	if (snmp_up(d) && !ipc_conn_pending(&d->children[CHILD_SNMP].conn))
		refresh(d);
}

void snmpf_vigil_start(struct vigild *d)
{
	if (!ev_is_active(&d->snmp_refresh_w)) {
		ev_timer_init(&d->snmp_refresh_w, period_cb, SNMPF_PERIOD, SNMPF_PERIOD);
		d->snmp_refresh_w.data = d;
		ev_timer_start(d->loop, &d->snmp_refresh_w);
	}
	if (snmp_up(d))
		refresh(d);
}

void snmpf_rs_health(struct vigild *d, unsigned vi, unsigned ri, enum ipc_snmp_event ev)
{
	if (!snmp_up(d) || vi >= d->conf->n_vs || ri >= d->conf->vs[vi].n_rs)
		return;
	struct ipc_snmp_rs m;
	struct ipc_snmp_check ck[IPC_SNMP_CHECKS_MAX];
	size_t cl = rs_fields(d, vi, ri, &m, ck);
	m.event = (uint8_t)ev;
	supervise_send(d, CHILD_SNMP, IPC_SNMP_RS, &m, sizeof(m), ck, cl);
}

void snmpf_quorum_event(struct vigild *d, const struct vs_conf *v, bool up, bool sorry,
			unsigned alive)
{
	if (!snmp_up(d) || v < d->conf->vs || v >= d->conf->vs + d->conf->n_vs)
		return;   /* not the configuration in use (a preview) */
	struct ipc_snmp_vs m;
	memset(&m, 0, sizeof(m));
	vs_conf_fields(d, (unsigned)(v - d->conf->vs), &m);
	quorum_fields(&m, true, up, sorry, alive);
	m.event = up ? IPC_SNMP_EV_UP : IPC_SNMP_EV_DOWN;
	supervise_send(d, CHILD_SNMP, IPC_SNMP_VS, &m, sizeof(m), NULL, 0);
}

void snmpf_child_restarted(struct vigild *d, enum child_kind k)
{
	if (snmp_up(d))
		send_summary(d, (uint8_t)(k + 1));
}
