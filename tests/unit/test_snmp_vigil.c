/*
 * test_snmp_vigil: VIGIL-MIB in the snmp child (snmp_vigil.c) — rows
 * from the parent's messages to objects: indexes and values of every
 * table, kernel columns only for what is in the kernel, an event row
 * that updates health or quorum and keeps the rest, another
 * generation's rows refused and a new generation dropping the old
 * rows, malformed sizes refused, and the notifications' varbinds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "snmp.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define ROOT 1, 3, 6, 1, 3, 58432

static const struct snmp_var *get(const struct snmp_tree *t, const uint32_t *oid, size_t n)
{
	return snmp_tree_find(t, oid, n);
}

#define GET(t, ...) get((t), (const uint32_t[]){ __VA_ARGS__ }, \
			N(((const uint32_t[]){ __VA_ARGS__ })))

static struct ipc_snmp_summary summary(uint32_t gen, uint32_t n_vs)
{
	struct ipc_snmp_summary s;
	memset(&s, 0, sizeof(s));
	s.generation = gen;
	s.n_vs = n_vs;
	s.uptime = 100;
	s.conf_age = 10;
	snprintf(s.version, sizeof(s.version), "9.9");
	snprintf(s.procs[0].name, sizeof(s.procs[0].name), "checker");
	s.procs[0].state = 3;
	s.procs[0].pid = 42;
	s.procs[0].restarts = 2;
	s.procs[0].generation = gen;
	s.procs[0].uptime = 5;
	return s;
}

static struct ipc_snmp_vs vs(uint32_t gen, uint32_t i, uint32_t n_rs)
{
	struct ipc_snmp_vs v;
	memset(&v, 0, sizeof(v));
	v.generation = gen;
	v.vs = i;
	v.n_rs = n_rs;
	v.family = AF_INET;
	v.addr[0] = 192; v.addr[1] = 0; v.addr[2] = 2; v.addr[3] = 10;
	v.port = 80;
	v.protocol = 1;
	v.quorum = 2;
	v.alive_weight = 2;
	v.quorum_state = 1;
	v.full = 1;
	snprintf(v.name, sizeof(v.name), "web");
	snprintf(v.service, sizeof(v.service), "tcp 192.0.2.10:80");
	return v;
}

struct rs_msg {
	struct ipc_snmp_rs r;
	struct ipc_snmp_check c[2];
};

static struct rs_msg rs(uint32_t gen, uint32_t v, uint32_t i, bool kernel)
{
	struct rs_msg m;
	memset(&m, 0, sizeof(m));
	m.r.generation = gen;
	m.r.vs = v;
	m.r.rs = i;
	m.r.family = AF_INET6;
	m.r.addr[0] = 0x20; m.r.addr[1] = 0x01; m.r.addr[15] = 0x11;
	m.r.port = 8080;
	m.r.fwd = 2;
	m.r.state = 1;
	m.r.override = 1;
	m.r.weight_conf = 3;
	m.r.weight_wanted = 3;
	m.r.state_age = m.r.result_age = -1;
	m.r.full = 1;
	snprintf(m.r.reason, sizeof(m.r.reason), "ok");
	if (kernel) {
		m.r.in_kernel = 1;
		m.r.weight_kernel = 3;
		m.r.active_conns = 7;
		m.r.traffic.inbytes = 1ull << 40;
		m.r.traffic.inbps = 1ull << 40;   /* a Gauge32 saturates */
	}
	m.r.n_checks = 2;
	snprintf(m.c[0].type, sizeof(m.c[0].type), "http");
	snprintf(m.c[1].type, sizeof(m.c[1].type), "tcp");
	m.c[1].state = 2;
	m.c[1].last = 3;
	m.c[1].passes = 0;
	m.c[1].failures = 4;
	snprintf(m.c[1].reason, sizeof(m.c[1].reason), "connect refused");
	return m;
}

static void build(struct snmp_tree *t, const struct snmp_vigil *db)
{
	snmp_tree_reset(t);
	snmp_vigil_fill(t, db);
	assert_int_equal(t->err, 0);
	assert_int_equal(snmp_tree_sort(t), 0);
}

static void test_rows(void **st)
{
	(void)st;
	struct snmp_vigil db = { 0 };
	struct snmp_tree t = { 0 };
	struct ipc_snmp_summary s = summary(4, 1);
	assert_int_equal(snmp_vigil_summary(&db, &s, 1000.), 0);
	struct ipc_snmp_vs v = vs(4, 0, 2);
	assert_int_equal(snmp_vigil_vs(&db, &v), 0);
	struct rs_msg r1 = rs(4, 0, 0, true), r2 = rs(4, 0, 1, false);
	assert_int_equal(snmp_vigil_rs(&db, &r1, sizeof(r1), 1000.), 0);
	assert_int_equal(snmp_vigil_rs(&db, &r2, sizeof(r2), 1000.), 0);
	build(&t, &db);
	assert_int_equal(GET(&t, ROOT, 1, 1, 3, 0)->v.u, 4);          /* vigilConfigGeneration */
	assert_int_equal(GET(&t, ROOT, 1, 1, 5, 0)->v.u, 1);          /* vigilVirtualServers */
	assert_int_equal(GET(&t, ROOT, 1, 1, 6, 0)->v.i, 2);          /* no IPVS */
	assert_null(GET(&t, ROOT, 1, 5, 1, 0));                       /* no checker counters yet */
	assert_memory_equal(GET(&t, ROOT, 1, 2, 1, 2, 1)->bytes, "web", 3);
	const struct snmp_var *a = GET(&t, ROOT, 1, 2, 1, 5, 1);      /* vigilVsAddr */
	assert_int_equal(a->n, 4);
	assert_int_equal(a->bytes[3], 10);
	assert_int_equal(GET(&t, ROOT, 1, 2, 1, 16, 1)->v.i, 2);      /* not in the kernel */
	assert_null(GET(&t, ROOT, 1, 2, 1, 17, 1));                   /* so no traffic */
	/* Real servers: index vs.rs; IPv6 addresses 16 octets; dr(2). */
	assert_int_equal(GET(&t, ROOT, 1, 3, 1, 2, 1, 1)->v.i, 2);
	assert_int_equal(GET(&t, ROOT, 1, 3, 1, 3, 1, 2)->n, 16);
	assert_int_equal(GET(&t, ROOT, 1, 3, 1, 5, 1, 1)->v.i, 2);
	assert_int_equal(GET(&t, ROOT, 1, 3, 1, 15, 1, 1)->v.u, 7);   /* active, in the kernel */
	assert_null(GET(&t, ROOT, 1, 3, 1, 15, 1, 2));                /* not in the kernel */
	assert_null(GET(&t, ROOT, 1, 3, 1, 12, 1, 2));
	const struct snmp_var *ib = GET(&t, ROOT, 1, 3, 1, 20, 1, 1);  /* vigilRsInBytes */
	assert_int_equal(ib->type, SNMP_T_COUNTER64);
	assert_true(ib->v.u == 1ull << 40);
	assert_true(GET(&t, ROOT, 1, 3, 1, 25, 1, 1)->v.u == UINT32_MAX);
	/* Checks: vs.rs.check. */
	assert_memory_equal(GET(&t, ROOT, 1, 4, 1, 2, 1, 1, 2)->bytes, "tcp", 3);
	assert_int_equal(GET(&t, ROOT, 1, 4, 1, 3, 1, 1, 2)->v.i, 2);
	assert_int_equal(GET(&t, ROOT, 1, 4, 1, 8, 1, 1, 2)->v.u, 4);
	assert_null(GET(&t, ROOT, 1, 4, 1, 2, 1, 1, 3));
	/* Processes. */
	assert_int_equal(GET(&t, ROOT, 1, 6, 1, 4, 1)->v.i, 42);
	assert_int_equal(GET(&t, ROOT, 1, 6, 1, 5, 1)->v.u, 2);
	assert_true(GET(&t, ROOT, 1, 6, 1, 7, 1)->v.since == 995.);
	snmp_vigil_free(&db);
	snmp_tree_free(&t);
}

static void test_events_and_generations(void **st)
{
	(void)st;
	struct snmp_vigil db = { 0 };
	struct snmp_tree t = { 0 };
	struct ipc_snmp_summary s = summary(4, 1);
	struct ipc_snmp_vs v = vs(4, 0, 1);
	struct rs_msg r = rs(4, 0, 0, true);
	snmp_vigil_summary(&db, &s, 1000.);
	snmp_vigil_vs(&db, &v);
	snmp_vigil_rs(&db, &r, sizeof(r), 1000.);
	/* A health event: state and reason change, the kernel columns stay. */
	struct rs_msg e = rs(4, 0, 0, false);
	e.r.full = 0;
	e.r.state = 2;
	e.r.event = IPC_SNMP_EV_DOWN;
	e.r.state_age = 0;
	snprintf(e.r.reason, sizeof(e.r.reason), "http status 503");
	assert_int_equal(snmp_vigil_rs(&db, &e, sizeof(e), 1010.), 0);
	build(&t, &db);
	assert_int_equal(GET(&t, ROOT, 1, 3, 1, 6, 1, 1)->v.i, 2);
	assert_int_equal(GET(&t, ROOT, 1, 3, 1, 15, 1, 1)->v.u, 7);
	assert_true(GET(&t, ROOT, 1, 3, 1, 8, 1, 1)->v.since == 1010.);
	/* A quorum event likewise. */
	struct ipc_snmp_vs q = vs(4, 0, 1);
	q.full = 0;
	q.quorum_state = 2;
	q.alive_weight = 1;
	q.event = IPC_SNMP_EV_DOWN;
	snprintf(q.name, sizeof(q.name), "ignored");
	assert_int_equal(snmp_vigil_vs(&db, &q), 0);
	build(&t, &db);
	assert_int_equal(GET(&t, ROOT, 1, 2, 1, 12, 1)->v.i, 2);
	assert_memory_equal(GET(&t, ROOT, 1, 2, 1, 2, 1)->bytes, "web", 3);
	/* Another generation's rows are refused; out of range too. */
	struct rs_msg old = rs(3, 0, 0, true);
	assert_int_equal(snmp_vigil_rs(&db, &old, sizeof(old), 1.), -EINVAL);
	struct rs_msg far = rs(4, 0, 1, true);
	assert_int_equal(snmp_vigil_rs(&db, &far, sizeof(far), 1.), -EINVAL);
	/* A size that does not match n_checks is malformed. */
	assert_int_equal(snmp_vigil_rs(&db, &r, sizeof(r) - 1, 1.), -EINVAL);
	r.r.n_checks = 3;
	assert_int_equal(snmp_vigil_rs(&db, &r, sizeof(r), 1.), -EINVAL);
	/* A new generation drops every row until the parent sends them. */
	struct ipc_snmp_summary s5 = summary(5, 2);
	snmp_vigil_summary(&db, &s5, 1000.);
	build(&t, &db);
	assert_null(GET(&t, ROOT, 1, 2, 1, 2, 1));
	assert_null(GET(&t, ROOT, 1, 3, 1, 6, 1, 1));
	assert_int_equal(GET(&t, ROOT, 1, 1, 5, 0)->v.u, 2);
	snmp_vigil_free(&db);
	snmp_tree_free(&t);
}

static void test_traps(void **st)
{
	(void)st;
	struct snmp_vigil db = { 0 };
	struct snmp_tree t = { 0 };
	struct ipc_snmp_summary s = summary(1, 1);
	struct ipc_snmp_vs v = vs(1, 0, 1);
	struct rs_msg r = rs(1, 0, 0, false);
	assert_int_equal(snmp_vigil_rs_trap(&t, &db, 0, 0, false), 0);   /* nothing known */
	snmp_vigil_summary(&db, &s, 1000.);
	snmp_vigil_vs(&db, &v);
	snmp_vigil_rs(&db, &r, sizeof(r), 1000.);
	const uint32_t trap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
	assert_int_equal(snmp_vigil_rs_trap(&t, &db, 0, 0, false), 1);
	assert_int_equal(t.n, 8);   /* snmpTrapOID + 7 objects, as the MIB lists them */
	assert_int_equal(snmp_oid_cmp(t.v[0].oid, t.v[0].len, trap_oid, N(trap_oid)), 0);
	const uint32_t *val = (const uint32_t *)(const void *)t.v[0].bytes;
	assert_int_equal(t.v[0].n, 8);
	assert_int_equal(val[5], 58432);
	assert_int_equal(val[7], 2);   /* vigilRsDown */
	assert_int_equal(snmp_vigil_rs_trap(&t, &db, 0, 0, true), 1);
	assert_int_equal(val[7], 1);   /* vigilRsUp */
	assert_int_equal(snmp_vigil_quorum_trap(&t, &db, 0, false), 1);
	assert_int_equal(val[7], 3);
	assert_int_equal(t.n, 5);
	assert_int_equal(snmp_vigil_quorum_trap(&t, &db, 0, true), 1);
	assert_int_equal(val[7], 4);
	assert_int_equal(snmp_vigil_proc_trap(&t, &db, 0), 1);
	assert_int_equal(val[7], 5);
	assert_int_equal(t.n, 4);
	assert_int_equal(t.v[2].v.i, 42);   /* vigilProcPid.1 */
	assert_int_equal(snmp_vigil_proc_trap(&t, &db, IPC_SNMP_PROCS), 0);
	snmp_vigil_free(&db);
	snmp_tree_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_events_and_generations),
		cmocka_unit_test(test_traps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
