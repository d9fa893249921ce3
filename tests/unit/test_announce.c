/*
 * test_announce: the pure parts of announcing virtual addresses —
 * - the policy (announce_decide): a table of inputs and the reason;
 * - the rtnetlink requests (announce_route_msg) read back attribute by
 *   attribute, IPv4 and IPv6, add and delete;
 * - the announce section of vigil.conf: defaults, values, and every error
 *   with its line, its ipvs_sync (both sync daemons) included;
 * - the Prometheus lines rendered from a status reply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "announce.h"
#include "announce_route.h"
#include "config.h"
#include "conf_text.h"
#include "errbuf.h"
#include "vrrp_fsm.h"

/* ---- policy ---------------------------------------------------------- */

static void test_decide(void **state)
{
	(void)state;
	const int M = VRRP_STATE_MASTER, B = VRRP_STATE_BACKUP;
	static const struct {
		enum announce_need need;
		unsigned services, up, unknown;
		bool vrrp;
		int vrrp_state;
		bool stopping, no_ipvs;
		enum announce_reason want;
	} t[] = {
		{ ANNOUNCE_NEED_ALL, 2, 2, 0, false, -1, false, false, ANNOUNCE_HEALTHY },
		{ ANNOUNCE_NEED_ALL, 2, 1, 0, false, -1, false, false, ANNOUNCE_QUORUM_LOST },
		{ ANNOUNCE_NEED_ALL, 2, 1, 1, false, -1, false, false, ANNOUNCE_NO_VERDICT },
		{ ANNOUNCE_NEED_ALL, 2, 0, 1, false, -1, false, false, ANNOUNCE_QUORUM_LOST },
		{ ANNOUNCE_NEED_ALL, 0, 0, 0, false, -1, false, false, ANNOUNCE_QUORUM_LOST },
		{ ANNOUNCE_NEED_ANY, 3, 1, 0, false, -1, false, false, ANNOUNCE_HEALTHY },
		{ ANNOUNCE_NEED_ANY, 3, 0, 1, false, -1, false, false, ANNOUNCE_NO_VERDICT },
		{ ANNOUNCE_NEED_ANY, 3, 0, 0, false, -1, false, false, ANNOUNCE_QUORUM_LOST },
		{ ANNOUNCE_NEED_ALL, 1, 1, 0, true, M, false, false, ANNOUNCE_HEALTHY },
		{ ANNOUNCE_NEED_ALL, 1, 1, 0, true, B, false, false, ANNOUNCE_NOT_MASTER },
		{ ANNOUNCE_NEED_ALL, 1, 1, 0, true, -1, false, false, ANNOUNCE_NOT_MASTER },
		/* quorum is said first: it is what the operator must fix */
		{ ANNOUNCE_NEED_ALL, 1, 0, 0, true, B, false, false, ANNOUNCE_QUORUM_LOST },
		{ ANNOUNCE_NEED_ALL, 1, 1, 0, true, M, true, false, ANNOUNCE_STOPPING },
		{ ANNOUNCE_NEED_ALL, 1, 1, 0, false, -1, false, true, ANNOUNCE_NO_IPVS },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct announce_input in = {
			.need = t[i].need, .services = t[i].services, .up = t[i].up,
			.unknown = t[i].unknown, .vrrp = t[i].vrrp, .vrrp_state = t[i].vrrp_state,
			.stopping = t[i].stopping, .no_ipvs = t[i].no_ipvs,
		};
		enum announce_reason r = announce_decide(&in);
		if (r != t[i].want)
			fail_msg("case %zu: %s, expected %s", i, announce_reason_str(r),
				 announce_reason_str(t[i].want));
	}
	assert_string_equal(announce_reason_str(ANNOUNCE_QUORUM_LOST), "quorum_lost");
	assert_string_equal(announce_reason_str(ANNOUNCE__COUNT), "?");
}

/* ---- rtnetlink requests ------------------------------------------------ */

static struct nlmsghdr *build(const char *addr, bool add, struct nl_msg **m)
{
	struct announce_route r = { .tun_fd = -1, .ifindex = 42, .table = 1234, .protocol = 77 };
	struct vaddr a;
	struct errbuf eb;
	assert_int_equal(vaddr_parse(addr, &a), 0);
	assert_int_equal(announce_route_msg(&r, &a, add, m, &eb), 0);
	return nlmsg_hdr(*m);
}

static void check_route(struct nlmsghdr *h, int family, const void *dst, size_t len)
{
	struct rtmsg *rtm = nlmsg_data(h);
	struct nlattr *tb[RTA_MAX + 1];
	assert_int_equal(nlmsg_parse(h, sizeof(*rtm), tb, RTA_MAX, NULL), 0);
	assert_int_equal(rtm->rtm_family, family);
	assert_int_equal(rtm->rtm_dst_len, len * 8);
	assert_int_equal(rtm->rtm_protocol, 77);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_LINK);
	assert_int_equal(rtm->rtm_type, RTN_UNICAST);
	assert_non_null(tb[RTA_DST]);
	assert_int_equal(nla_len(tb[RTA_DST]), len);
	assert_memory_equal(nla_data(tb[RTA_DST]), dst, len);
	assert_non_null(tb[RTA_OIF]);
	assert_int_equal(nla_get_u32(tb[RTA_OIF]), 42);
	/* table 1234 does not fit rtm_table: the attribute carries it */
	assert_non_null(tb[RTA_TABLE]);
	assert_int_equal(nla_get_u32(tb[RTA_TABLE]), 1234);
	assert_null(tb[RTA_GATEWAY]);
}

static void test_route_msg(void **state)
{
	(void)state;
	struct nl_msg *m;
	struct nlmsghdr *h = build("192.0.2.100", true, &m);
	assert_int_equal(h->nlmsg_type, RTM_NEWROUTE);
	assert_int_equal(h->nlmsg_flags & (NLM_F_CREATE | NLM_F_REPLACE | NLM_F_EXCL),
			 NLM_F_CREATE | NLM_F_REPLACE);
	uint8_t v4[4] = { 192, 0, 2, 100 };
	check_route(h, AF_INET, v4, 4);
	nlmsg_free(m);

	h = build("192.0.2.100", false, &m);
	assert_int_equal(h->nlmsg_type, RTM_DELROUTE);
	check_route(h, AF_INET, v4, 4);
	nlmsg_free(m);

	h = build("2001:db8::100", true, &m);
	uint8_t v6[16];
	inet_pton(AF_INET6, "2001:db8::100", v6);
	assert_int_equal(h->nlmsg_type, RTM_NEWROUTE);
	check_route(h, AF_INET6, v6, 16);
	nlmsg_free(m);

	struct announce_route r = { .tun_fd = -1, .ifindex = 1, .table = 254, .protocol = 77 };
	struct vaddr none = { .family = AF_UNSPEC };
	struct errbuf eb;
	m = NULL;
	assert_int_equal(announce_route_msg(&r, &none, true, &m, &eb), -EAFNOSUPPORT);
	assert_null(m);
	/* Not open: refused without touching the kernel. */
	struct vaddr a;
	vaddr_parse("192.0.2.1", &a);
	assert_int_equal(announce_route_set(&r, &a, true, &eb), -ENOTCONN);
}

/* ---- configuration ------------------------------------------------------ */

#define VS "virtual_servers = ( { address = \"192.0.2.100\"; port = 80; },\n" \
	   "  { address = \"2001:db8::100\"; port = 80; }, { fwmark = 5; } );\n"
#define VRRP "vrrp = { instances = ( { name = \"VI_1\"; interface = \"eth0\"; vrid = 1; " \
	     "addresses = [ \"192.0.2.1/24\" ]; } ); };\n"

static struct conf *load(const char *text, struct conf_errors *errs)
{
	return conf_load_text(text, errs);
}

static void test_conf_defaults(void **state)
{
	(void)state;
	struct conf_errors errs;
	struct conf *c = load(VS, &errs);
	assert_non_null(c);
	assert_string_equal(c->announce.interface, "vigil0");
	assert_int_equal(c->announce.table, 254);
	assert_int_equal(c->announce.protocol, 77);
	assert_int_equal(c->announce.n_addrs, 0);
	assert_null(c->announce.sync_interface);
	conf_free(c);

	c = load(VS VRRP "announce = { interface = \"bgp0\"; table = 100; protocol = 80;\n"
		 "  addresses = ( { address = \"192.0.2.100\"; },\n"
		 "    { address = \"2001:db8::100\"; need = \"any\"; vrrp_instance = \"VI_1\"; } ); };\n",
		 &errs);
	for (unsigned i = 0; i < errs.n; i++)
		print_message("%s\n", errs.lines[i]);
	assert_non_null(c);
	assert_string_equal(c->announce.interface, "bgp0");
	assert_int_equal(c->announce.table, 100);
	assert_int_equal(c->announce.protocol, 80);
	assert_int_equal(c->announce.n_addrs, 2);
	assert_int_equal(c->announce.addrs[0].need, ANNOUNCE_NEED_ALL);
	assert_null(c->announce.addrs[0].vrrp_instance);
	assert_int_equal(c->announce.addrs[1].addr.family, AF_INET6);
	assert_int_equal(c->announce.addrs[1].need, ANNOUNCE_NEED_ANY);
	assert_string_equal(c->announce.addrs[1].vrrp_instance, "VI_1");
	assert_int_equal(c->announce.addrs[1].line, 6);
	assert_null(c->announce.sync_interface);
	conf_free(c);

	c = load(VS "announce = { addresses = ( { address = \"192.0.2.100\"; } );\n"
		 "  ipvs_sync = { interface = \"eth1\"; syncid = 14; }; };\n", &errs);
	assert_non_null(c);
	assert_string_equal(c->announce.sync_interface, "eth1");
	assert_int_equal(c->announce.syncid, 14);
	conf_free(c);
}

/* The announce section's sync daemons: both keys needed, and no VRRP
 * instance may steer the same (one master, one backup per namespace). */
static void test_conf_sync_errors(void **state)
{
	(void)state;
	struct conf_errors errs;
	struct conf *c = load(VS
		"vrrp = { instances = ( { name = \"VI_1\"; interface = \"eth0\"; vrid = 1;\n"
		"  addresses = [ \"192.0.2.1/24\" ]; ipvs_sync = { interface = \"eth0\"; }; } ); };\n"
		"announce = { addresses = ( { address = \"192.0.2.100\"; } );\n"       /* 5 */
		"  ipvs_sync = { interface = \"a-name-far-too-long\"; mode = \"both\"; }; };\n", &errs);  /* 6 */
	assert_null(c);
	const char *const want[] = {
		":6: announce: ipvs_sync: unknown key 'mode'",
		":6: announce: ipvs_sync: interface \"a-name-far-too-long\": not an interface name (1-15 characters)",
		":6: announce: ipvs_sync: missing 'syncid'",
		":6: announce: ipvs_sync: VRRP instance 'VI_1' has an ipvs_sync too",
	};
	for (unsigned i = 0; i < errs.n; i++)
		print_message("%s\n", errs.lines[i]);
	assert_int_equal(errs.n, sizeof(want) / sizeof(want[0]));
	for (unsigned i = 0; i < errs.n; i++)
		if (!strstr(errs.lines[i], want[i]))
			fail_msg("line %u: '%s', expected '%s'", i, errs.lines[i], want[i]);
	conf_errors_free(&errs);
}

static void test_conf_errors(void **state)
{
	(void)state;
	struct conf_errors errs;
	struct conf *c = load(VS VRRP
		"announce = { interface = \"a/b\"; table = 255; protocol = 186;\n"          /* 4 */
		"  addresses = ( { address = \"192.0.2.7\"; },\n"                          /* 5 */
		"    { address = \"192.0.2.100\"; vrrp_instance = \"VI_9\"; need = \"most\"; },\n"
		"    { address = \"192.0.2.100\"; } ); };\n", &errs);
	assert_null(c);
	const char *const want[] = {
		":4: announce: interface \"a/b\": not an interface name (1-15 characters, no '/')",
		":4: announce: table 255 is the kernel's local table",
		":4: announce: protocol 186: 11 and 186-198 are FRR's own: zebra would delete the routes",
		":5: announce: 192.0.2.7: no address:port virtual server has this address: nothing decides its health",
		":6: announce: 192.0.2.100: unknown need \"most\"",
		":6: announce: 192.0.2.100: unknown VRRP instance 'VI_9'",
		":7: announce: 192.0.2.100 is announced twice (first at line 6)",
	};
	for (unsigned i = 0; i < errs.n; i++)
		print_message("%s\n", errs.lines[i]);
	assert_int_equal(errs.n, sizeof(want) / sizeof(want[0]));
	for (unsigned i = 0; i < errs.n; i++)
		if (!strstr(errs.lines[i], want[i]))
			fail_msg("line %u: '%s', expected '%s'", i, errs.lines[i], want[i]);
	conf_errors_free(&errs);
}

/* ---- metrics -------------------------------------------------------------- */

static void test_metrics(void **state)
{
	(void)state;
	struct json_object *st = json_tokener_parse(
		"{\"announce\": {\"addresses\": ["
		"{\"address\": \"192.0.2.100\", \"announced\": true, \"reason\": \"healthy\", \"changes\": 1},"
		"{\"address\": \"2001:db8::100\", \"announced\": false, \"reason\": \"quorum_lost\", \"changes\": 3}]}}");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	announce_metrics(f, st);
	fclose(f);
	const char *const want[] = {
		"vigil_announce_announced{address=\"192.0.2.100\"} 1\n",
		"vigil_announce_announced{address=\"2001:db8::100\"} 0\n",
		"vigil_announce_reason{address=\"192.0.2.100\",reason=\"healthy\"} 1\n",
		"vigil_announce_reason{address=\"192.0.2.100\",reason=\"quorum_lost\"} 0\n",
		"vigil_announce_reason{address=\"2001:db8::100\",reason=\"quorum_lost\"} 1\n",
		"vigil_announce_changes_total{address=\"2001:db8::100\"} 3\n",
		"# TYPE vigil_announce_changes_total counter\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(buf, want[i]))
			fail_msg("missing: %s in:\n%s", want[i], buf);
	free(buf);
	json_object_put(st);
	/* No announce section: nothing at all. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	st = json_object_new_object();
	announce_metrics(f, st);
	fclose(f);
	assert_int_equal(len, 0);
	free(buf);
	json_object_put(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_route_msg),
		cmocka_unit_test(test_conf_defaults),
		cmocka_unit_test(test_conf_errors),
		cmocka_unit_test(test_conf_sync_errors),
		cmocka_unit_test(test_metrics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
