/*
 * snmp_vigil: VIGIL-MIB (mibs/VIGIL-MIB.txt) in the snmp child — the
 * rows the parent sends, kept as they came, and the objects and
 * notifications built from them (see snmp.h).
 *
 *   IPC_SNMP_SUMMARY ─> snmp_vigil_summary: generation and row counts;
 *                       a new generation drops every row
 *   IPC_SNMP_VS / _RS ─> snmp_vigil_vs / _rs: full rows replace, event
 *                       rows (full = 0) update the health or quorum columns
 *   request ─> snmp_vigil_fill ─> snmp_tree
 *
 * Rows are indexed by position in the parent's configuration (the MIB's
 * vigilVsIndex, vigilRsIndex and vigilCheckIndex, from 1). A row the
 * parent has not sent yet is absent, never zeros. Pure: no I/O, no
 * net-snmp, unit-tested as it is.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "snmp.h"

static const uint32_t g_root[] = { SNMP_VIGIL_OID, 1, 1 };       /* vigilGlobal */
static const uint32_t vs_entry[] = { SNMP_VIGIL_OID, 1, 2, 1 };  /* vigilVsEntry */
static const uint32_t rs_entry[] = { SNMP_VIGIL_OID, 1, 3, 1 };  /* vigilRsEntry */
static const uint32_t ck_entry[] = { SNMP_VIGIL_OID, 1, 4, 1 };  /* vigilCheckEntry */
static const uint32_t chk_root[] = { SNMP_VIGIL_OID, 1, 5 };     /* vigilChecker */
static const uint32_t proc_entry[] = { SNMP_VIGIL_OID, 1, 6, 1 }; /* vigilProcEntry */
static const uint32_t notify[] = { SNMP_VIGIL_OID, 0 };
static const uint32_t trap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1 };  /* snmpTrapOID */
static const uint32_t zero[] = { 0 };

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define ADD(t, base, col, idx, n) snmp_tree_add((t), (base), N(base), (col), (idx), (n))

enum { TV_TRUE = 1, TV_FALSE = 2 };

/* ---- storing -------------------------------------------------------- */

static void drop_rows(struct snmp_vigil *db)
{
	for (unsigned i = 0; i < db->n_vs; i++) {
		for (unsigned j = 0; j < db->vs[i].n_rs; j++)
			free(db->vs[i].rs[j].checks);
		free(db->vs[i].rs);
	}
	free(db->vs);
	db->vs = NULL;
	db->n_vs = 0;
}

void snmp_vigil_free(struct snmp_vigil *db)
{
	drop_rows(db);
	db->have = false;
}

int snmp_vigil_summary(struct snmp_vigil *db, const struct ipc_snmp_summary *m, double now)
{
	if (!db->have || m->generation != db->s.generation || m->n_vs != db->n_vs) {
		drop_rows(db);
		if (m->n_vs && !(db->vs = calloc(m->n_vs, sizeof(*db->vs)))) {
			db->have = false;
			return -ENOMEM;
		}
		db->n_vs = m->n_vs;
	}
	db->s = *m;
	db->s.version[sizeof(db->s.version) - 1] = '\0';
	for (unsigned k = 0; k < IPC_SNMP_PROCS; k++) {
		db->s.procs[k].name[sizeof(db->s.procs[k].name) - 1] = '\0';
		db->proc_started[k] = m->procs[k].pid ? now - m->procs[k].uptime : 0;
	}
	db->started = now - m->uptime;
	db->conf_loaded = now - m->conf_age;
	db->have = true;
	return 0;
}

static void terminate(char *s, size_t n)
{
	s[n - 1] = '\0';
}

int snmp_vigil_vs(struct snmp_vigil *db, const struct ipc_snmp_vs *m)
{
	if (!db->have || m->generation != db->s.generation || m->vs >= db->n_vs)
		return -EINVAL;
	struct snmp_vvs *v = &db->vs[m->vs];
	if (m->full || !v->have) {
		if (v->n_rs != m->n_rs) {
			for (unsigned j = 0; j < v->n_rs; j++)
				free(v->rs[j].checks);
			free(v->rs);
			v->rs = m->n_rs ? calloc(m->n_rs, sizeof(*v->rs)) : NULL;
			v->n_rs = v->rs ? m->n_rs : 0;
			if (m->n_rs && !v->rs)
				return -ENOMEM;
		}
		v->v = *m;
	} else {
		v->v.quorum_state = m->quorum_state;
		v->v.alive_weight = m->alive_weight;
		v->v.sorry = m->sorry;
	}
	v->v.event = m->event;
	terminate(v->v.name, sizeof(v->v.name));
	terminate(v->v.service, sizeof(v->v.service));
	terminate(v->v.sched, sizeof(v->v.sched));
	v->have = true;
	return 0;
}

/* The health columns of an event row. */
static void merge_health(struct ipc_snmp_rs *o, const struct ipc_snmp_rs *m)
{
	o->state = m->state;
	o->event = m->event;
	o->state_age = m->state_age;
	o->result_age = m->result_age;
	o->n_checks = m->n_checks;
	memcpy(o->reason, m->reason, sizeof(o->reason));
}

int snmp_vigil_rs(struct snmp_vigil *db, const void *p, size_t len, double now)
{
	const struct ipc_snmp_rs *m = p;
	if (len < sizeof(*m) || len != sizeof(*m) + m->n_checks * sizeof(struct ipc_snmp_check))
		return -EINVAL;
	if (!db->have || m->generation != db->s.generation || m->vs >= db->n_vs
	    || m->rs >= db->vs[m->vs].n_rs)
		return -EINVAL;
	struct snmp_vrs *r = &db->vs[m->vs].rs[m->rs];
	if (!r->have || r->r.n_checks != m->n_checks) {
		free(r->checks);
		r->checks = m->n_checks ? malloc(m->n_checks * sizeof(*r->checks)) : NULL;
		if (m->n_checks && !r->checks) {
			r->have = false;
			return -ENOMEM;
		}
	}
	if (m->full || !r->have)
		r->r = *m;
	else
		merge_health(&r->r, m);
	if (m->n_checks)
		memcpy(r->checks, m + 1, m->n_checks * sizeof(*r->checks));
	for (unsigned k = 0; k < m->n_checks; k++) {
		terminate(r->checks[k].type, sizeof(r->checks[k].type));
		terminate(r->checks[k].reason, sizeof(r->checks[k].reason));
	}
	terminate(r->r.reason, sizeof(r->r.reason));
	r->state_since = m->state_age >= 0 ? now - m->state_age : 0;
	r->result_at = m->result_age >= 0 ? now - m->result_age : 0;
	r->have = true;
	return 0;
}

/* ---- building ------------------------------------------------------- */

static void str(struct snmp_var *v, const char *s)
{
	snmp_var_bytes(v, SNMP_T_OCTETS, s, strlen(s));
}

/* InetAddressType and InetAddress of a family and 16 octets. */
static int64_t addr_type(uint8_t family)
{
	return family == AF_INET ? 1 : family == AF_INET6 ? 2 : 0;
}

static size_t addr_len(uint8_t family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

static uint64_t gauge(uint64_t u)
{
	return u > UINT32_MAX ? UINT32_MAX : u;
}

/* Columns first..first+9: the five counters, then the five rates. */
static void traffic(struct snmp_tree *t, const uint32_t *entry, size_t n_entry, uint32_t first,
		    const uint32_t *idx, size_t n, const struct ipc_snmp_traffic *tr)
{
	const uint64_t c[] = { tr->conns, tr->inpkts, tr->outpkts, tr->inbytes, tr->outbytes };
	const uint64_t r[] = { tr->cps, tr->inpps, tr->outpps, tr->inbps, tr->outbps };
	for (unsigned i = 0; i < 5; i++) {
		snmp_var_uint(snmp_tree_add(t, entry, n_entry, first + i, idx, n),
			      SNMP_T_COUNTER64, c[i]);
		snmp_var_uint(snmp_tree_add(t, entry, n_entry, first + 5 + i, idx, n),
			      SNMP_T_UNSIGNED, gauge(r[i]));
	}
}

static void global_fill(struct snmp_tree *t, const struct snmp_vigil *db)
{
	const struct ipc_snmp_summary *s = &db->s;
	str(ADD(t, g_root, 1, zero, 1), s->version);
	snmp_var_uptime(ADD(t, g_root, 2, zero, 1), db->started);
	snmp_var_uint(ADD(t, g_root, 3, zero, 1), SNMP_T_UNSIGNED, s->generation);
	snmp_var_uptime(ADD(t, g_root, 4, zero, 1), db->conf_loaded);
	snmp_var_uint(ADD(t, g_root, 5, zero, 1), SNMP_T_UNSIGNED, db->n_vs);
	snmp_var_int(ADD(t, g_root, 6, zero, 1), SNMP_T_INTEGER, s->ipvs ? TV_TRUE : TV_FALSE);
	if (s->have_checker) {
		snmp_var_uint(ADD(t, chk_root, 1, zero, 1), SNMP_T_UNSIGNED, s->checker_probes);
		snmp_var_uint(ADD(t, chk_root, 2, zero, 1), SNMP_T_COUNTER64, s->checker_runs);
		snmp_var_uint(ADD(t, chk_root, 3, zero, 1), SNMP_T_COUNTER64, s->checker_reports);
	}
	for (uint32_t k = 0; k < IPC_SNMP_PROCS; k++) {
		const struct ipc_snmp_proc *p = &s->procs[k];
		uint32_t idx[1] = { k + 1 };
		str(ADD(t, proc_entry, 2, idx, 1), p->name);
		snmp_var_int(ADD(t, proc_entry, 3, idx, 1), SNMP_T_INTEGER, p->state);
		snmp_var_int(ADD(t, proc_entry, 4, idx, 1), SNMP_T_INTEGER, p->pid);
		snmp_var_uint(ADD(t, proc_entry, 5, idx, 1), SNMP_T_COUNTER32, p->restarts);
		snmp_var_uint(ADD(t, proc_entry, 6, idx, 1), SNMP_T_UNSIGNED, p->generation);
		snmp_var_uptime(ADD(t, proc_entry, 7, idx, 1), db->proc_started[k]);
	}
}

static void vs_fill(struct snmp_tree *t, const struct snmp_vvs *vv, uint32_t vi)
{
	const struct ipc_snmp_vs *v = &vv->v;
	uint32_t idx[1] = { vi };
	str(ADD(t, vs_entry, 2, idx, 1), v->name);
	str(ADD(t, vs_entry, 3, idx, 1), v->service);
	snmp_var_int(ADD(t, vs_entry, 4, idx, 1), SNMP_T_INTEGER, addr_type(v->family));
	snmp_var_bytes(ADD(t, vs_entry, 5, idx, 1), SNMP_T_OCTETS, v->addr, addr_len(v->family));
	snmp_var_uint(ADD(t, vs_entry, 6, idx, 1), SNMP_T_UNSIGNED, v->port);
	snmp_var_int(ADD(t, vs_entry, 7, idx, 1), SNMP_T_INTEGER, v->protocol);
	snmp_var_uint(ADD(t, vs_entry, 8, idx, 1), SNMP_T_UNSIGNED, v->fwmark);
	str(ADD(t, vs_entry, 9, idx, 1), v->sched);
	snmp_var_uint(ADD(t, vs_entry, 10, idx, 1), SNMP_T_UNSIGNED, v->n_rs);
	snmp_var_uint(ADD(t, vs_entry, 11, idx, 1), SNMP_T_UNSIGNED, v->n_rs_up);
	snmp_var_int(ADD(t, vs_entry, 12, idx, 1), SNMP_T_INTEGER, v->quorum_state);
	snmp_var_uint(ADD(t, vs_entry, 13, idx, 1), SNMP_T_UNSIGNED, v->alive_weight);
	snmp_var_uint(ADD(t, vs_entry, 14, idx, 1), SNMP_T_UNSIGNED, v->quorum);
	snmp_var_int(ADD(t, vs_entry, 15, idx, 1), SNMP_T_INTEGER, v->sorry ? TV_TRUE : TV_FALSE);
	snmp_var_int(ADD(t, vs_entry, 16, idx, 1), SNMP_T_INTEGER,
		     v->in_kernel ? TV_TRUE : TV_FALSE);
	if (v->in_kernel)
		traffic(t, vs_entry, N(vs_entry), 17, idx, 1, &v->traffic);
}

static void rs_fill(struct snmp_tree *t, const struct snmp_vrs *rr, uint32_t vi, uint32_t ri)
{
	const struct ipc_snmp_rs *r = &rr->r;
	uint32_t idx[2] = { vi, ri };
	snmp_var_int(ADD(t, rs_entry, 2, idx, 2), SNMP_T_INTEGER, addr_type(r->family));
	snmp_var_bytes(ADD(t, rs_entry, 3, idx, 2), SNMP_T_OCTETS, r->addr, addr_len(r->family));
	snmp_var_uint(ADD(t, rs_entry, 4, idx, 2), SNMP_T_UNSIGNED, r->port);
	snmp_var_int(ADD(t, rs_entry, 5, idx, 2), SNMP_T_INTEGER, r->fwd);
	snmp_var_int(ADD(t, rs_entry, 6, idx, 2), SNMP_T_INTEGER, r->state);
	str(ADD(t, rs_entry, 7, idx, 2), r->reason);
	snmp_var_uptime(ADD(t, rs_entry, 8, idx, 2), rr->state_since);
	snmp_var_uptime(ADD(t, rs_entry, 9, idx, 2), rr->result_at);
	snmp_var_int(ADD(t, rs_entry, 10, idx, 2), SNMP_T_INTEGER, r->weight_conf);
	snmp_var_int(ADD(t, rs_entry, 11, idx, 2), SNMP_T_INTEGER, r->weight_wanted);
	if (r->in_kernel)
		snmp_var_int(ADD(t, rs_entry, 12, idx, 2), SNMP_T_INTEGER, r->weight_kernel);
	snmp_var_int(ADD(t, rs_entry, 13, idx, 2), SNMP_T_INTEGER, r->override ? r->override : 1);
	snmp_var_uint(ADD(t, rs_entry, 14, idx, 2), SNMP_T_UNSIGNED, r->n_checks);
	if (r->in_kernel) {
		snmp_var_uint(ADD(t, rs_entry, 15, idx, 2), SNMP_T_UNSIGNED, r->active_conns);
		snmp_var_uint(ADD(t, rs_entry, 16, idx, 2), SNMP_T_UNSIGNED, r->inactive_conns);
		traffic(t, rs_entry, N(rs_entry), 17, idx, 2, &r->traffic);
	}
	for (uint32_t k = 0; k < r->n_checks; k++) {
		const struct ipc_snmp_check *c = &rr->checks[k];
		uint32_t ci[3] = { vi, ri, k + 1 };
		str(ADD(t, ck_entry, 2, ci, 3), c->type);
		snmp_var_int(ADD(t, ck_entry, 3, ci, 3), SNMP_T_INTEGER, c->state);
		snmp_var_int(ADD(t, ck_entry, 4, ci, 3), SNMP_T_INTEGER, c->last);
		str(ADD(t, ck_entry, 5, ci, 3), c->reason);
		snmp_var_uint(ADD(t, ck_entry, 6, ci, 3), SNMP_T_UNSIGNED, c->latency_us);
		snmp_var_uint(ADD(t, ck_entry, 7, ci, 3), SNMP_T_UNSIGNED, c->passes);
		snmp_var_uint(ADD(t, ck_entry, 8, ci, 3), SNMP_T_UNSIGNED, c->failures);
		snmp_var_uint(ADD(t, ck_entry, 9, ci, 3), SNMP_T_UNSIGNED, c->rise);
		snmp_var_uint(ADD(t, ck_entry, 10, ci, 3), SNMP_T_UNSIGNED, c->fall);
	}
}

void snmp_vigil_fill(struct snmp_tree *t, const struct snmp_vigil *db)
{
	if (!db->have)
		return;
	global_fill(t, db);
	for (unsigned i = 0; i < db->n_vs; i++) {
		const struct snmp_vvs *v = &db->vs[i];
		if (v->have)
			vs_fill(t, v, i + 1);
		for (unsigned j = 0; j < v->n_rs; j++)
			if (v->rs[j].have)
				rs_fill(t, &v->rs[j], i + 1, j + 1);
	}
}

/* ---- notifications -------------------------------------------------- */

static void trap_head(struct snmp_tree *out, uint32_t which)
{
	uint32_t value[N(notify) + 1];
	memcpy(value, notify, sizeof(notify));
	value[N(notify)] = which;
	snmp_tree_reset(out);
	snmp_var_oid(snmp_tree_add(out, trap_oid, N(trap_oid), 0, NULL, 0), value, N(value));
}

static void vs_names(struct snmp_tree *out, const struct snmp_vvs *v, uint32_t vi)
{
	uint32_t idx[1] = { vi };
	str(ADD(out, vs_entry, 2, idx, 1), v->v.name);
	str(ADD(out, vs_entry, 3, idx, 1), v->v.service);
}

int snmp_vigil_rs_trap(struct snmp_tree *out, const struct snmp_vigil *db, unsigned vs,
		       unsigned rs, bool up)
{
	if (!db->have || vs >= db->n_vs || rs >= db->vs[vs].n_rs || !db->vs[vs].rs[rs].have)
		return 0;
	const struct ipc_snmp_rs *r = &db->vs[vs].rs[rs].r;
	uint32_t idx[2] = { vs + 1, rs + 1 };
	trap_head(out, up ? 1 : 2);
	vs_names(out, &db->vs[vs], vs + 1);
	snmp_var_int(ADD(out, rs_entry, 2, idx, 2), SNMP_T_INTEGER, addr_type(r->family));
	snmp_var_bytes(ADD(out, rs_entry, 3, idx, 2), SNMP_T_OCTETS, r->addr, addr_len(r->family));
	snmp_var_uint(ADD(out, rs_entry, 4, idx, 2), SNMP_T_UNSIGNED, r->port);
	snmp_var_int(ADD(out, rs_entry, 6, idx, 2), SNMP_T_INTEGER, r->state);
	str(ADD(out, rs_entry, 7, idx, 2), r->reason);
	return out->err ? out->err : 1;
}

int snmp_vigil_quorum_trap(struct snmp_tree *out, const struct snmp_vigil *db, unsigned vs,
			   bool up)
{
	if (!db->have || vs >= db->n_vs || !db->vs[vs].have)
		return 0;
	const struct ipc_snmp_vs *v = &db->vs[vs].v;
	uint32_t idx[1] = { vs + 1 };
	trap_head(out, up ? 4 : 3);
	vs_names(out, &db->vs[vs], vs + 1);
	snmp_var_uint(ADD(out, vs_entry, 13, idx, 1), SNMP_T_UNSIGNED, v->alive_weight);
	snmp_var_uint(ADD(out, vs_entry, 14, idx, 1), SNMP_T_UNSIGNED, v->quorum);
	return out->err ? out->err : 1;
}

int snmp_vigil_proc_trap(struct snmp_tree *out, const struct snmp_vigil *db, unsigned proc)
{
	if (!db->have || proc >= IPC_SNMP_PROCS)
		return 0;
	const struct ipc_snmp_proc *p = &db->s.procs[proc];
	uint32_t idx[1] = { proc + 1 };
	trap_head(out, 5);
	str(ADD(out, proc_entry, 2, idx, 1), p->name);
	snmp_var_int(ADD(out, proc_entry, 4, idx, 1), SNMP_T_INTEGER, p->pid);
	snmp_var_uint(ADD(out, proc_entry, 5, idx, 1), SNMP_T_COUNTER32, p->restarts);
	return out->err ? out->err : 1;
}
