/*
 * test_snmp_vrrp: the snmp child's pure parts — the sorted OID snapshot
 * (exact and next lookups, OIDs that are prefixes of others, duplicate
 * rows) and the VRRP MIBs built from a configuration and the parent's
 * reports: indexes (the associated address's length octet), values,
 * which instances RFC 2787 lists, and the notifications' varbinds.
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

static void test_tree_order(void **st)
{
	(void)st;
	struct snmp_tree t = { 0 };
	const uint32_t base[] = { 1, 3 };
	const uint32_t i2[] = { 2 }, i10[] = { 10 }, i1[] = { 1, 5 };
	snmp_var_int(snmp_tree_add(&t, base, 2, 6, i10, 1), SNMP_T_INTEGER, 10);
	snmp_var_int(snmp_tree_add(&t, base, 2, 6, i2, 1), SNMP_T_INTEGER, 2);
	snmp_var_int(snmp_tree_add(&t, base, 2, 6, i1, 2), SNMP_T_INTEGER, 15);
	snmp_var_int(snmp_tree_add(&t, base, 2, 6, NULL, 0), SNMP_T_INTEGER, 0);
	assert_int_equal(snmp_tree_sort(&t), 0);
	/* 1.3.6 < 1.3.6.1.5 < 1.3.6.2 < 1.3.6.10: numeric, and a prefix first. */
	assert_int_equal(t.v[0].v.i, 0);
	assert_int_equal(t.v[1].v.i, 15);
	assert_int_equal(t.v[2].v.i, 2);
	assert_int_equal(t.v[3].v.i, 10);
	const uint32_t q1[] = { 1, 3, 6, 2 };
	assert_int_equal(snmp_tree_find(&t, q1, 4)->v.i, 2);
	assert_int_equal(snmp_tree_next(&t, q1, 4)->v.i, 10);
	const uint32_t q2[] = { 1, 3, 6, 1 };   /* not there: the next is 1.3.6.1.5 */
	assert_null(snmp_tree_find(&t, q2, 4));
	assert_int_equal(snmp_tree_next(&t, q2, 4)->v.i, 15);
	const uint32_t q3[] = { 1, 3, 6, 10 };
	assert_null(snmp_tree_next(&t, q3, 4));
	const uint32_t q4[] = { 1 };
	assert_int_equal(snmp_tree_next(&t, q4, 1)->v.i, 0);
	/* A duplicate OID is a builder's bug, and said so. */
	snmp_var_int(snmp_tree_add(&t, base, 2, 6, i2, 1), SNMP_T_INTEGER, 2);
	assert_int_equal(snmp_tree_sort(&t), -EEXIST);
	snmp_tree_free(&t);
}

static void test_tree_too_long(void **st)
{
	(void)st;
	struct snmp_tree t = { 0 };
	uint32_t idx[SNMP_OID_MAX] = { 0 };
	assert_null(snmp_tree_add(&t, idx, 10, 1, idx, SNMP_OID_MAX - 10));
	assert_int_equal(t.err, -E2BIG);
	snmp_tree_free(&t);
	assert_int_equal(snmp_uptime_ticks(100., 101.5), 150);
	assert_int_equal(snmp_uptime_ticks(0., 101.5), 0);
}

/* Three instances on ifIndex 7: a v3 IPv4 one with two addresses, a v2
 * IPv4 one and a v3 IPv6 one. */
struct fixture {
	struct conf conf;
	struct vrrp_inst_conf inst[3];
	struct vprefix a4[2], a2[1], a6[1];
	struct snmp_db db;
	struct snmp_tree t;
};

static void report(struct snmp_db *db, const char *name, uint8_t state, uint8_t family)
{
	struct ipc_snmp_vrrp m = { .kind = IPC_VRRP_INSTANCE, .state = state, .family = family };
	snprintf(m.name, sizeof(m.name), "%s", name);
	m.primary_known = 1;
	if (family == AF_INET) {
		m.primary[0] = 192; m.primary[2] = 2; m.primary[3] = 1;
		m.master_known = 1;
		m.master[0] = 192; m.master[2] = 2; m.master[3] = 9;
	} else {
		m.primary[0] = 0xfe; m.primary[1] = 0x80; m.primary[15] = 1;
	}
	m.became_master = 3;
	m.master_reason = IPC_VRRP_MR_PRIORITY;
	m.adverts_received = 1ull << 33;
	m.err_ttl = 4;
	m.err_checksum = 5;
	m.up_since = 1000.;
	struct ipc_snmp_vrrp prev;
	bool had;
	snmp_db_update(db, &m, &prev, &had);
}

static int setup(void **st)
{
	static struct fixture f;
	memset(&f, 0, sizeof(f));
	vprefix_parse("192.0.2.10/24", &f.a4[0]);
	vprefix_parse("192.0.2.9/24", &f.a4[1]);
	vprefix_parse("192.0.2.20/24", &f.a2[0]);
	vprefix_parse("2001:db8::10/64", &f.a6[0]);
	const struct { const char *name; int vrid, version, family; struct vprefix *a; unsigned n; }
	d[] = { { "V3", 51, 3, AF_INET, f.a4, 2 }, { "V2", 52, 2, AF_INET, f.a2, 1 },
		{ "V6", 53, 3, AF_INET6, f.a6, 1 } };
	for (unsigned i = 0; i < 3; i++) {
		struct vrrp_inst_conf *c = &f.inst[i];
		c->name = (char *)d[i].name;
		c->interface = "eth0";
		c->vrid = (uint8_t)d[i].vrid;
		c->version = (uint8_t)d[i].version;
		c->family = d[i].family;
		c->priority = 150;
		c->advert_interval = i == 2 ? 0.5 : 1.0;
		c->preempt = true;
		c->strict = i == 2;           /* V6: strict, without accept */
		c->addrs = d[i].a;
		c->n_addrs = d[i].n;
	}
	f.conf.vrrp = f.inst;
	f.conf.n_vrrp = 3;
	assert_int_equal(snmp_db_set_conf(&f.db, &f.conf), 0);
	for (unsigned i = 0; i < 3; i++)
		f.db.inst[i].ifindex = 7;
	report(&f.db, "V3", IPC_SNMP_VS_BACKUP, AF_INET);
	report(&f.db, "V2", IPC_SNMP_VS_MASTER, AF_INET);
	report(&f.db, "V6", IPC_SNMP_VS_FAULT, AF_INET6);
	struct ipc_snmp_vrrp ifr = { .kind = IPC_VRRP_IFACE, .family = AF_INET, .err_vrid = 6,
				     .err_checksum = 1 }, prev;
	bool had;
	snprintf(ifr.name, sizeof(ifr.name), "eth0");
	snmp_db_update(&f.db, &ifr, &prev, &had);
	snmp_vrrp_fill(&f.t, &f.db, true);
	assert_int_equal(f.t.err, 0);
	assert_int_equal(snmp_tree_sort(&f.t), 0);
	*st = &f;
	return 0;
}

static int teardown(void **st)
{
	struct fixture *f = *st;
	snmp_tree_free(&f->t);
	snmp_db_free(&f->db);
	return 0;
}

#define V3(...) ((const uint32_t[]){ 1, 3, 6, 1, 2, 1, 207, __VA_ARGS__ })
#define V3N(...) (sizeof((const uint32_t[]){ 1, 3, 6, 1, 2, 1, 207, __VA_ARGS__ }) / 4)
#define GET(t, ...) snmp_tree_find((t), V3(__VA_ARGS__), V3N(__VA_ARGS__))
#define V2(...) ((const uint32_t[]){ 1, 3, 6, 1, 2, 1, 68, __VA_ARGS__ })
#define V2N(...) (sizeof((const uint32_t[]){ 1, 3, 6, 1, 2, 1, 68, __VA_ARGS__ }) / 4)
#define GET2(t, ...) snmp_tree_find((t), V2(__VA_ARGS__), V2N(__VA_ARGS__))

static void test_v3_operations(void **st)
{
	struct fixture *f = *st;
	const struct snmp_var *v;
	/* Status: backup(2), master(3); FAULT reads initialize(1), as keepalived. */
	assert_int_equal(GET(&f->t, 1, 1, 1, 1, 6, 7, 51, 1)->v.i, 2);
	assert_int_equal(GET(&f->t, 1, 1, 1, 1, 6, 7, 52, 1)->v.i, 3);
	assert_int_equal(GET(&f->t, 1, 1, 1, 1, 6, 7, 53, 2)->v.i, 1);
	/* The master's address: the one heard when backup, ours when master. */
	v = GET(&f->t, 1, 1, 1, 1, 3, 7, 51, 1);
	assert_int_equal(v->n, 4);
	assert_memory_equal(v->bytes, ((uint8_t[]){ 192, 0, 2, 9 }), 4);
	v = GET(&f->t, 1, 1, 1, 1, 3, 7, 52, 1);
	assert_memory_equal(v->bytes, ((uint8_t[]){ 192, 0, 2, 1 }), 4);
	assert_int_equal(GET(&f->t, 1, 1, 1, 1, 4, 7, 53, 2)->n, 16);
	assert_int_equal(GET(&f->t, 1, 1, 1, 1, 8, 7, 51, 1)->v.i, 2);    /* AddrCount */
	assert_int_equal(GET(&f->t, 1, 1, 1, 1, 9, 7, 53, 2)->v.i, 50);   /* centiseconds */
	assert_int_equal(GET(&f->t, 1, 1, 1, 1, 10, 7, 51, 1)->v.i, 1);   /* preempt true */
	assert_int_equal(GET(&f->t, 1, 1, 1, 1, 11, 7, 51, 1)->v.i, 1);   /* accepts: local addresses */
	assert_int_equal(GET(&f->t, 1, 1, 1, 1, 11, 7, 53, 2)->v.i, 2);   /* strict, no accept */
	v = GET(&f->t, 1, 1, 1, 1, 12, 7, 51, 1);
	assert_int_equal(v->type, SNMP_T_UPTIME);
	assert_true(v->v.since == 1000.);
	assert_true(GET(&f->t, 1, 1, 1, 1, 12, 7, 53, 2)->v.since == 0.);   /* not up */
	/* No MAC known: the column is left out rather than made up. */
	assert_null(GET(&f->t, 1, 1, 1, 1, 5, 7, 51, 1));
}

static void test_v3_addresses(void **st)
{
	struct fixture *f = *st;
	/* InetAddress index: its length, then its octets (RFC 2578 7.7). */
	assert_non_null(GET(&f->t, 1, 1, 2, 1, 2, 7, 51, 1, 4, 192, 0, 2, 9));
	assert_non_null(GET(&f->t, 1, 1, 2, 1, 2, 7, 51, 1, 4, 192, 0, 2, 10));
	assert_non_null(GET(&f->t, 1, 1, 2, 1, 2, 7, 53, 2, 16, 32, 1, 13, 184,
			    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16));
	/* Walk order: .9 before .10 within the row. */
	const struct snmp_var *v = snmp_tree_next(&f->t, V3(1, 1, 2, 1, 2, 7, 51, 1),
						  V3N(1, 1, 2, 1, 2, 7, 51, 1));
	assert_int_equal(v->oid[v->len - 1], 9);
}

static void test_v3_statistics(void **st)
{
	struct fixture *f = *st;
	assert_int_equal(GET(&f->t, 1, 2, 1, 0)->v.u, 5 * 3 + 1);   /* checksum: 3 rows + eth0 */
	assert_int_equal(GET(&f->t, 1, 2, 3, 0)->v.u, 6);           /* VRID errors: eth0 */
	assert_int_equal(GET(&f->t, 1, 2, 5, 1, 1, 7, 51, 1)->v.u, 3);
	assert_int_equal(GET(&f->t, 1, 2, 5, 1, 1, 7, 51, 1)->type, SNMP_T_COUNTER32);
	assert_int_equal(GET(&f->t, 1, 2, 5, 1, 2, 7, 51, 1)->v.i, IPC_VRRP_MR_PRIORITY);
	const struct snmp_var *v = GET(&f->t, 1, 2, 5, 1, 3, 7, 51, 1);
	assert_int_equal(v->type, SNMP_T_COUNTER64);
	assert_true(v->v.u == 1ull << 33);
	assert_int_equal(GET(&f->t, 1, 2, 5, 1, 5, 7, 51, 1)->v.u, 4);     /* TTL */
	assert_int_equal(GET(&f->t, 1, 2, 5, 1, 13, 7, 53, 2)->v.u, 500);  /* ms */
}

static void test_v2_rows(void **st)
{
	struct fixture *f = *st;
	/* Only the IPv4 version-2 instance is in RFC 2787's tables. */
	assert_non_null(GET2(&f->t, 1, 3, 1, 3, 7, 52));
	assert_null(GET2(&f->t, 1, 3, 1, 3, 7, 51));
	assert_null(GET2(&f->t, 1, 3, 1, 3, 7, 53));
	assert_int_equal(GET2(&f->t, 1, 1, 0)->v.i, 2);   /* vrrpNodeVersion */
	assert_int_equal(GET2(&f->t, 1, 2, 0)->v.i, 1);   /* notifications on */
	const struct snmp_var *v = GET2(&f->t, 1, 3, 1, 7, 7, 52);
	assert_int_equal(v->type, SNMP_T_IPADDRESS);
	assert_memory_equal(v->bytes, ((uint8_t[]){ 192, 0, 2, 1 }), 4);
	assert_int_equal(GET2(&f->t, 1, 3, 1, 10, 7, 52)->n, 0);   /* AuthKey: empty */
	assert_int_equal(GET2(&f->t, 1, 3, 1, 11, 7, 52)->v.i, 1); /* seconds */
	assert_non_null(GET2(&f->t, 1, 4, 1, 2, 7, 52, 192, 0, 2, 20));
	assert_int_equal(GET2(&f->t, 2, 1, 0)->v.u, 5 + 1);   /* checksum: V2 + eth0 */
	assert_int_equal(GET2(&f->t, 2, 4, 1, 1, 7, 52)->v.u, 3);
	assert_int_equal(GET2(&f->t, 2, 4, 1, 5, 7, 52)->v.u, 4);
}

static void test_notifications(void **st)
{
	struct fixture *f = *st;
	struct snmp_tree n = { 0 };
	struct snmp_inst *v2 = &f->db.inst[1];
	assert_int_equal(snmp_vrrpv3_new_master(&n, v2), 1);
	assert_int_equal(n.n, 3);
	/* snmpTrapOID.0 = vrrpv3NewMaster */
	const uint32_t trap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
	const uint32_t new_master[] = { 1, 3, 6, 1, 2, 1, 207, 0, 1 };
	assert_int_equal(snmp_oid_cmp(n.v[0].oid, n.v[0].len, trap_oid, N(trap_oid)), 0);
	assert_int_equal(n.v[0].type, SNMP_T_OID);
	assert_int_equal(n.v[0].n, N(new_master));
	assert_memory_equal(n.v[0].bytes, new_master, sizeof(new_master));
	assert_int_equal(snmp_oid_cmp(n.v[1].oid, n.v[1].len, V3(1, 1, 1, 1, 3, 7, 52, 1),
				      V3N(1, 1, 1, 1, 3, 7, 52, 1)), 0);
	assert_int_equal(n.v[2].v.i, IPC_VRRP_MR_PRIORITY);
	assert_int_equal(snmp_vrrpv2_new_master(&n, v2), 1);
	assert_int_equal(n.n, 2);
	assert_int_equal(snmp_vrrpv2_new_master(&n, &f->db.inst[2]), 0);   /* IPv6: none */
	/* Transitions and protocol errors that deserve one. */
	struct ipc_snmp_vrrp a = { .changed = 1, .state = IPC_SNMP_VS_MASTER,
				   .prev_state = IPC_SNMP_VS_BACKUP };
	assert_true(snmp_report_new_master(&a));
	a.changed = 0;
	assert_false(snmp_report_new_master(&a));   /* a refresh */
	struct ipc_snmp_vrrp b = a;
	b.err_ttl = 1;
	b.proto_err = IPC_SNMP_PE_TTL;
	assert_true(snmp_report_proto_error(&a, &b));
	assert_false(snmp_report_proto_error(&b, &b));
	/* vrrpTrapAuthFailure: counters moved since the last report. */
	struct ipc_snmp_vrrp c = b;
	c.err_auth = 40;
	c.auth_err = 3;
	assert_true(snmp_report_auth_failure(&b, &c));
	assert_false(snmp_report_auth_failure(&c, &c));   /* nothing new: no second one */
	assert_int_equal(snmp_vrrpv2_auth_failure(&n, v2), 0);   /* no reject reported yet */
	v2->r.auth_err = 3;
	v2->r.auth_src[0] = 192; v2->r.auth_src[1] = 0; v2->r.auth_src[2] = 2; v2->r.auth_src[3] = 9;
	assert_int_equal(snmp_vrrpv2_auth_failure(&n, v2), 1);
	const uint32_t auth_failure[] = { 1, 3, 6, 1, 2, 1, 68, 0, 2 };
	assert_memory_equal(n.v[0].bytes, auth_failure, sizeof(auth_failure));
	assert_int_equal(n.n, 3);
	const uint32_t src[] = { 1, 3, 6, 1, 2, 1, 68, 1, 5, 0 };    /* vrrpTrapPacketSrc.0 */
	const uint32_t type[] = { 1, 3, 6, 1, 2, 1, 68, 1, 6, 0 };   /* vrrpTrapAuthErrorType.0 */
	assert_int_equal(snmp_oid_cmp(n.v[1].oid, n.v[1].len, src, N(src)), 0);
	assert_int_equal(n.v[1].type, SNMP_T_IPADDRESS);
	assert_int_equal(n.v[1].bytes[3], 9);
	assert_int_equal(snmp_oid_cmp(n.v[2].oid, n.v[2].len, type, N(type)), 0);
	assert_int_equal(n.v[2].v.i, 3);
	f->db.inst[2].r.auth_err = 3;
	assert_int_equal(snmp_vrrpv2_auth_failure(&n, &f->db.inst[2]), 0);   /* not RFC 2787's */
	snmp_tree_free(&n);
}

static void test_reload_keeps_reports(void **st)
{
	struct fixture *f = *st;
	struct conf c = f->conf;
	c.vrrp = &f->inst[1];   /* V2 and V6 stay, V3 goes */
	c.n_vrrp = 2;
	assert_int_equal(snmp_db_set_conf(&f->db, &c), 0);
	assert_int_equal(f->db.n_inst, 2);
	assert_true(f->db.inst[0].have);
	assert_int_equal(f->db.inst[0].r.state, IPC_SNMP_VS_MASTER);
	assert_true(f->db.inst[1].have);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_order),
		cmocka_unit_test(test_tree_too_long),
		cmocka_unit_test_setup_teardown(test_v3_operations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v3_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v3_statistics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notifications, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_keeps_reports, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
