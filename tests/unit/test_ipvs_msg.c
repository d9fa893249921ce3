/*
 * test_ipvs_msg: the IPVS message builders produce exactly the attributes
 * the kernel expects (each request parsed back with nla_parse_nested and
 * checked attribute by attribute), the parsers invert them, the dry-run
 * and error strings read right, a struct conf maps to the wanted table,
 * ipvs_open on a kernel without IPVS says `modprobe ip_vs`, and a batch
 * with a request too large for one sendmsg fails that request and goes on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <arpa/inet.h>

#include <netlink/genl/genl.h>
#include <unistd.h>

#include "conf.h"
#include "ipvs_msg.h"

#define FAMILY 0x1d

struct parsed {
	struct nl_msg *m;
	uint8_t cmd;
	uint16_t nlflags;
	struct nlattr *cmd_tb[IPVS_CMD_ATTR_MAX + 1];
	struct nlattr *svc[IPVS_SVC_ATTR_MAX + 1];
	struct nlattr *dest[IPVS_DEST_ATTR_MAX + 1];
};

/* Parses a built request back; takes ownership of m. */
static void parse_back(struct nl_msg *m, struct parsed *p)
{
	memset(p, 0, sizeof(*p));
	assert_non_null(m);
	p->m = m;
	struct nlmsghdr *h = nlmsg_hdr(m);
	assert_int_equal(h->nlmsg_type, FAMILY);
	p->nlflags = h->nlmsg_flags;
	p->cmd = ((struct genlmsghdr *)nlmsg_data(h))->cmd;
	assert_int_equal(genlmsg_parse(h, 0, p->cmd_tb, IPVS_CMD_ATTR_MAX, ipvs_cmd_policy), 0);
	if (p->cmd_tb[IPVS_CMD_ATTR_SERVICE])
		assert_int_equal(nla_parse_nested(p->svc, IPVS_SVC_ATTR_MAX,
						  p->cmd_tb[IPVS_CMD_ATTR_SERVICE], ipvs_svc_policy), 0);
	if (p->cmd_tb[IPVS_CMD_ATTR_DEST])
		assert_int_equal(nla_parse_nested(p->dest, IPVS_DEST_ATTR_MAX,
						  p->cmd_tb[IPVS_CMD_ATTR_DEST], ipvs_dest_policy), 0);
}

static void load(const char *text, struct ipvs_table *t)
{
	struct errbuf eb = { .msg = "" };
	ipvs_table_init(t);
	if (ipvs_table_parse(text, t, &eb))
		fail_msg("%s", eb.msg);
}

static struct ipvs_op op_of(const char *text, enum ipvs_op_type type)
{
	struct ipvs_table t;
	struct ipvs_op op;
	load(text, &t);
	memset(&op, 0, sizeof(op));
	op.type = type;
	op.svc = t.svcs[0].svc;
	if (t.svcs[0].n_dests)
		op.dest = t.svcs[0].dests[0];
	ipvs_table_free(&t);
	return op;
}

static void test_add_service_v4(void **state)
{
	struct ipvs_op op = op_of("service tcp 192.0.2.10:80 wlc persistent 300 netmask 255.255.255.0",
				  IPVS_OP_ADD_SVC);
	struct parsed p;
	parse_back(ipvs_msg_op(FAMILY, &op), &p);
	assert_int_equal(p.cmd, IPVS_CMD_NEW_SERVICE);
	assert_true(p.nlflags & NLM_F_ACK);
	assert_null(p.cmd_tb[IPVS_CMD_ATTR_DEST]);
	assert_int_equal(nla_get_u16(p.svc[IPVS_SVC_ATTR_AF]), AF_INET);
	assert_int_equal(nla_get_u16(p.svc[IPVS_SVC_ATTR_PROTOCOL]), IPPROTO_TCP);
	assert_int_equal(nla_len(p.svc[IPVS_SVC_ATTR_ADDR]), 16);
	const uint8_t want_addr[16] = { 192, 0, 2, 10 };
	assert_memory_equal(nla_data(p.svc[IPVS_SVC_ATTR_ADDR]), want_addr, 16);
	assert_int_equal(nla_get_u16(p.svc[IPVS_SVC_ATTR_PORT]), htons(80));
	assert_null(p.svc[IPVS_SVC_ATTR_FWMARK]);
	assert_string_equal(nla_get_string(p.svc[IPVS_SVC_ATTR_SCHED_NAME]), "wlc");
	struct ip_vs_flags fl;
	assert_int_equal(nla_len(p.svc[IPVS_SVC_ATTR_FLAGS]), sizeof(fl));
	memcpy(&fl, nla_data(p.svc[IPVS_SVC_ATTR_FLAGS]), sizeof(fl));
	assert_int_equal(fl.flags, IP_VS_SVC_F_PERSISTENT);
	assert_int_equal(fl.mask, 0xffffffffU);
	assert_int_equal(nla_get_u32(p.svc[IPVS_SVC_ATTR_TIMEOUT]), 300);
	assert_int_equal(nla_get_u32(p.svc[IPVS_SVC_ATTR_NETMASK]), htonl(0xffffff00));
	nlmsg_free(p.m);
}

static void test_edit_service_v6_flags(void **state)
{
	struct ipvs_op op = op_of("service udp [2001:db8::10]:53 mh mh-port mh-fallback ops "
				  "persistent 60 prefix 64", IPVS_OP_EDIT_SVC);
	struct parsed p;
	parse_back(ipvs_msg_op(FAMILY, &op), &p);
	assert_int_equal(p.cmd, IPVS_CMD_SET_SERVICE);
	assert_int_equal(nla_get_u16(p.svc[IPVS_SVC_ATTR_AF]), AF_INET6);
	assert_int_equal(nla_get_u16(p.svc[IPVS_SVC_ATTR_PROTOCOL]), IPPROTO_UDP);
	struct in6_addr a;
	inet_pton(AF_INET6, "2001:db8::10", &a);
	assert_memory_equal(nla_data(p.svc[IPVS_SVC_ATTR_ADDR]), &a, 16);
	assert_int_equal(nla_get_u16(p.svc[IPVS_SVC_ATTR_PORT]), htons(53));
	struct ip_vs_flags fl;
	memcpy(&fl, nla_data(p.svc[IPVS_SVC_ATTR_FLAGS]), sizeof(fl));
	assert_int_equal(fl.flags, IP_VS_SVC_F_PERSISTENT | IP_VS_SVC_F_ONEPACKET |
				   IP_VS_SVC_F_SCHED1 | IP_VS_SVC_F_SCHED2);
	assert_int_equal(nla_get_u32(p.svc[IPVS_SVC_ATTR_NETMASK]), 64);
	nlmsg_free(p.m);
}

static void test_fwmark_and_defaults(void **state)
{
	struct ipvs_op op = op_of("service fwmark 42 inet6 rr", IPVS_OP_ADD_SVC);
	struct parsed p;
	parse_back(ipvs_msg_op(FAMILY, &op), &p);
	assert_int_equal(nla_get_u16(p.svc[IPVS_SVC_ATTR_AF]), AF_INET6);
	assert_int_equal(nla_get_u32(p.svc[IPVS_SVC_ATTR_FWMARK]), 42);
	assert_null(p.svc[IPVS_SVC_ATTR_PROTOCOL]);
	assert_null(p.svc[IPVS_SVC_ATTR_ADDR]);
	assert_null(p.svc[IPVS_SVC_ATTR_PORT]);
	/* the kernel insists on a v6 prefix in 1..128 even without persistence */
	assert_int_equal(nla_get_u32(p.svc[IPVS_SVC_ATTR_NETMASK]), 128);
	assert_int_equal(nla_get_u32(p.svc[IPVS_SVC_ATTR_TIMEOUT]), 0);
	nlmsg_free(p.m);
	op = op_of("service sctp 192.0.2.1:3868 rr", IPVS_OP_ADD_SVC);
	parse_back(ipvs_msg_op(FAMILY, &op), &p);
	assert_int_equal(nla_get_u16(p.svc[IPVS_SVC_ATTR_PROTOCOL]), IPPROTO_SCTP);
	assert_int_equal(nla_get_u32(p.svc[IPVS_SVC_ATTR_NETMASK]), 0xffffffffU);
	nlmsg_free(p.m);
}

static void test_delete_service_key_only(void **state)
{
	struct ipvs_op op = op_of("service tcp 192.0.2.10:80 wlc persistent 300", IPVS_OP_DEL_SVC);
	struct parsed p;
	parse_back(ipvs_msg_op(FAMILY, &op), &p);
	assert_int_equal(p.cmd, IPVS_CMD_DEL_SERVICE);
	assert_non_null(p.svc[IPVS_SVC_ATTR_ADDR]);
	assert_null(p.svc[IPVS_SVC_ATTR_SCHED_NAME]);
	assert_null(p.svc[IPVS_SVC_ATTR_FLAGS]);
	assert_null(p.svc[IPVS_SVC_ATTR_TIMEOUT]);
	assert_null(p.svc[IPVS_SVC_ATTR_NETMASK]);
	nlmsg_free(p.m);
}

static void test_add_dest_nat(void **state)
{
	struct ipvs_op op = op_of("service tcp 192.0.2.10:80 wlc\n"
				  " dest 198.51.100.11:8080 weight 3 nat uthreshold 100 lthreshold 10",
				  IPVS_OP_ADD_DEST);
	struct parsed p;
	parse_back(ipvs_msg_op(FAMILY, &op), &p);
	assert_int_equal(p.cmd, IPVS_CMD_NEW_DEST);
	assert_true(p.nlflags & NLM_F_ACK);
	/* the service part carries its key only */
	assert_non_null(p.svc[IPVS_SVC_ATTR_PORT]);
	assert_null(p.svc[IPVS_SVC_ATTR_SCHED_NAME]);
	const uint8_t want_addr[16] = { 198, 51, 100, 11 };
	assert_memory_equal(nla_data(p.dest[IPVS_DEST_ATTR_ADDR]), want_addr, 16);
	assert_int_equal(nla_get_u16(p.dest[IPVS_DEST_ATTR_PORT]), htons(8080));
	assert_int_equal(nla_get_u16(p.dest[IPVS_DEST_ATTR_ADDR_FAMILY]), AF_INET);
	assert_int_equal(nla_get_u32(p.dest[IPVS_DEST_ATTR_FWD_METHOD]), IP_VS_CONN_F_MASQ);
	assert_int_equal(nla_get_u32(p.dest[IPVS_DEST_ATTR_WEIGHT]), 3);
	assert_int_equal(nla_get_u32(p.dest[IPVS_DEST_ATTR_U_THRESH]), 100);
	assert_int_equal(nla_get_u32(p.dest[IPVS_DEST_ATTR_L_THRESH]), 10);
	assert_null(p.dest[IPVS_DEST_ATTR_TUN_TYPE]);
	assert_null(p.dest[IPVS_DEST_ATTR_TUN_PORT]);
	nlmsg_free(p.m);
}

static void test_dest_dr_tun(void **state)
{
	struct ipvs_op op = op_of("service fwmark 5 rr\n dest 198.51.100.11:0 weight 0 dr",
				  IPVS_OP_EDIT_DEST);
	struct parsed p;
	parse_back(ipvs_msg_op(FAMILY, &op), &p);
	assert_int_equal(p.cmd, IPVS_CMD_SET_DEST);
	assert_int_equal(nla_get_u32(p.svc[IPVS_SVC_ATTR_FWMARK]), 5);
	assert_int_equal(nla_get_u32(p.dest[IPVS_DEST_ATTR_FWD_METHOD]), IP_VS_CONN_F_DROUTE);
	assert_int_equal(nla_get_u32(p.dest[IPVS_DEST_ATTR_WEIGHT]), 0);
	nlmsg_free(p.m);
	op = op_of("service tcp [2001:db8::1]:80 wlc\n"
		   " dest [2001:db8::11]:80 weight 2 tun tun-type gue tun-port 6080 tun-flags 1",
		   IPVS_OP_ADD_DEST);
	parse_back(ipvs_msg_op(FAMILY, &op), &p);
	assert_int_equal(nla_get_u16(p.dest[IPVS_DEST_ATTR_ADDR_FAMILY]), AF_INET6);
	assert_int_equal(nla_get_u32(p.dest[IPVS_DEST_ATTR_FWD_METHOD]), IP_VS_CONN_F_TUNNEL);
	assert_int_equal(nla_get_u8(p.dest[IPVS_DEST_ATTR_TUN_TYPE]), IP_VS_CONN_F_TUNNEL_TYPE_GUE);
	assert_int_equal(nla_get_u16(p.dest[IPVS_DEST_ATTR_TUN_PORT]), htons(6080));
	assert_int_equal(nla_get_u16(p.dest[IPVS_DEST_ATTR_TUN_FLAGS]), 1);
	nlmsg_free(p.m);
}

static void test_delete_dest_key_only(void **state)
{
	struct ipvs_op op = op_of("service tcp 192.0.2.10:80 wlc\n dest 198.51.100.11:80 weight 3",
				  IPVS_OP_DEL_DEST);
	struct parsed p;
	parse_back(ipvs_msg_op(FAMILY, &op), &p);
	assert_int_equal(p.cmd, IPVS_CMD_DEL_DEST);
	assert_non_null(p.dest[IPVS_DEST_ATTR_ADDR]);
	assert_non_null(p.dest[IPVS_DEST_ATTR_PORT]);
	assert_null(p.dest[IPVS_DEST_ATTR_WEIGHT]);
	assert_null(p.dest[IPVS_DEST_ATTR_FWD_METHOD]);
	nlmsg_free(p.m);
}

/* Build, then parse back into the model: keys and attributes survive. */
static void test_roundtrip(void **state)
{
	struct ipvs_table t;
	load("service tcp 192.0.2.10:80 sh sh-port persistent 30 netmask 255.255.0.0\n"
	     " dest 198.51.100.11:80 weight 7 tun tun-type gre\n"
	     "service fwmark 9 inet6 lblcr\n dest [2001:db8::5]:0 weight 1 dr uthreshold 5\n", &t);
	for (unsigned i = 0; i < t.n_svcs; i++) {
		struct ipvs_op op = { .type = IPVS_OP_ADD_DEST, .svc = t.svcs[i].svc,
				      .dest = t.svcs[i].dests[0] };
		struct nl_msg *m = ipvs_msg_new(FAMILY, IPVS_CMD_NEW_SERVICE, 0);
		assert_int_equal(ipvs_msg_put_service(m, &op.svc, true), 0);
		assert_int_equal(ipvs_msg_put_dest(m, &op.dest, true), 0);
		struct parsed p;
		parse_back(m, &p);
		struct ipvs_service s;
		struct ipvs_dest d;
		assert_int_equal(ipvs_parse_service(p.cmd_tb[IPVS_CMD_ATTR_SERVICE], &s), 0);
		assert_int_equal(ipvs_parse_dest(p.cmd_tb[IPVS_CMD_ATTR_DEST], s.key.af, &d), 0);
		assert_int_equal(ipvs_svc_key_cmp(&s.key, &op.svc.key), 0);
		assert_true(ipvs_service_attrs_equal(&s, &op.svc));
		assert_int_equal(ipvs_dest_key_cmp(&d, &op.dest), 0);
		assert_true(ipvs_dest_attrs_equal(&d, &op.dest));
		nlmsg_free(m);
	}
	ipvs_table_free(&t);
}

static void test_sync_and_timeouts(void **state)
{
	struct ipvs_sync_daemon d = { .state = IPVS_SYNC_BACKUP, .ifname = "eth1", .syncid = 7 };
	struct parsed p;
	struct nlattr *tb[IPVS_DAEMON_ATTR_MAX + 1];
	parse_back(ipvs_msg_sync_start(FAMILY, &d), &p);
	assert_int_equal(p.cmd, IPVS_CMD_NEW_DAEMON);
	assert_int_equal(nla_parse_nested(tb, IPVS_DAEMON_ATTR_MAX, p.cmd_tb[IPVS_CMD_ATTR_DAEMON],
					  ipvs_daemon_policy), 0);
	assert_int_equal(nla_get_u32(tb[IPVS_DAEMON_ATTR_STATE]), IP_VS_STATE_BACKUP);
	assert_string_equal(nla_get_string(tb[IPVS_DAEMON_ATTR_MCAST_IFN]), "eth1");
	assert_int_equal(nla_get_u32(tb[IPVS_DAEMON_ATTR_SYNC_ID]), 7);
	nlmsg_free(p.m);
	parse_back(ipvs_msg_sync_stop(FAMILY, IPVS_SYNC_MASTER), &p);
	assert_int_equal(p.cmd, IPVS_CMD_DEL_DAEMON);
	assert_int_equal(nla_parse_nested(tb, IPVS_DAEMON_ATTR_MAX, p.cmd_tb[IPVS_CMD_ATTR_DAEMON],
					  ipvs_daemon_policy), 0);
	assert_int_equal(nla_get_u32(tb[IPVS_DAEMON_ATTR_STATE]), IP_VS_STATE_MASTER);
	assert_null(tb[IPVS_DAEMON_ATTR_MCAST_IFN]);
	nlmsg_free(p.m);
	struct ipvs_timeouts t = { .tcp = 900, .udp = 60 };
	parse_back(ipvs_msg_timeouts_set(FAMILY, &t), &p);
	assert_int_equal(p.cmd, IPVS_CMD_SET_CONFIG);
	assert_int_equal(nla_get_u32(p.cmd_tb[IPVS_CMD_ATTR_TIMEOUT_TCP]), 900);
	assert_null(p.cmd_tb[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN]);
	assert_int_equal(nla_get_u32(p.cmd_tb[IPVS_CMD_ATTR_TIMEOUT_UDP]), 60);
	nlmsg_free(p.m);
}

static void test_format_and_errors(void **state)
{
	char buf[256];
	struct errbuf eb;
	struct ipvs_op op = op_of("service tcp 192.0.2.10:80 wlc\n dest 198.51.100.11:80 weight 3 nat",
				  IPVS_OP_ADD_SVC);
	assert_string_equal(ipvs_op_format(&op, buf, sizeof(buf)), "add service tcp 192.0.2.10:80 wlc");
	op.type = IPVS_OP_EDIT_DEST;
	assert_string_equal(ipvs_op_format(&op, buf, sizeof(buf)),
			    "edit dest tcp 192.0.2.10:80 -> 198.51.100.11:80 weight 3 nat");
	op.type = IPVS_OP_ADD_DEST;
	assert_int_equal(ipvs_op_errbuf(&op, -EEXIST, &eb), -EEXIST);
	assert_string_equal(eb.msg, "add dest tcp 192.0.2.10:80 -> 198.51.100.11:80 weight 3 nat: "
			    "destination already exists");
	assert_string_equal(ipvs_op_strerror(&op, -ESRCH), "no such service");
	op.type = IPVS_OP_DEL_DEST;
	assert_string_equal(ipvs_op_strerror(&op, -ENOENT), "no such destination");
	op.type = IPVS_OP_ADD_SVC;
	snprintf(op.svc.sched, sizeof(op.svc.sched), "nosuch");
	ipvs_op_errbuf(&op, -ENOENT, &eb);
	assert_string_equal(eb.msg, "add service tcp 192.0.2.10:80 nosuch: scheduler module not "
			    "found (ip_vs_nosuch)");
	op.type = IPVS_OP_DEL_SVC;
	assert_string_equal(ipvs_op_format(&op, buf, sizeof(buf)), "delete service tcp 192.0.2.10:80");
	/* a tiny buffer truncates, never overruns */
	assert_int_equal(strlen(ipvs_op_format(&op, buf, 8)), 7);
}

static void test_table_from_conf(void **state)
{
	struct rs_conf rs[2];
	struct vs_conf vs[2];
	struct conf c;
	memset(rs, 0, sizeof(rs));
	memset(vs, 0, sizeof(vs));
	memset(&c, 0, sizeof(c));
	vaddr_parse("198.51.100.11", &rs[0].addr);
	rs[0].port = 8080;
	rs[0].weight = 3;
	rs[0].fwd = FWD_NAT;
	rs[0].uthreshold = 50;
	vaddr_parse("198.51.100.12", &rs[1].addr);
	rs[1].weight = 1;
	rs[1].fwd = FWD_DR;
	vaddr_parse("192.0.2.10", &vs[0].addr);
	vs[0].port = 80;
	vs[0].protocol = PROTO_TCP;
	snprintf(vs[0].scheduler, sizeof(vs[0].scheduler), "sh");
	vs[0].sched_flags = SCHED_FLAG_SH_PORT;
	vs[0].persistent = true;
	vs[0].persist_timeout = 120;
	vaddr_parse("255.255.255.0", &vs[0].persist_netmask);
	vs[0].rs = rs;
	vs[0].n_rs = 2;
	vs[1].fwmark = 3;
	vs[1].family = AF_INET6;
	vs[1].ops = true;
	c.vs = vs;
	c.n_vs = 2;
	struct ipvs_table t;
	struct errbuf eb = { .msg = "" };
	ipvs_table_init(&t);
	assert_int_equal(ipvs_table_from_conf(&c, &t, &eb), 0);
	assert_int_equal(t.n_svcs, 2);
	struct ipvs_op op = { .type = IPVS_OP_ADD_SVC, .svc = t.svcs[0].svc };
	char buf[256];
	assert_string_equal(ipvs_op_format(&op, buf, sizeof(buf)),
			    "add service tcp 192.0.2.10:80 sh sh-port persistent 120 netmask 255.255.255.0");
	assert_int_equal(t.svcs[0].n_dests, 2);
	op.type = IPVS_OP_ADD_DEST;
	op.dest = t.svcs[0].dests[0];
	assert_string_equal(ipvs_op_format(&op, buf, sizeof(buf)),
			    "add dest tcp 192.0.2.10:80 -> 198.51.100.11:8080 weight 3 nat uthreshold 50");
	assert_int_equal(t.svcs[0].dests[1].port, 0);  /* as given (the loader presets the
							   service's port; 0 is written) */
	assert_int_equal(t.svcs[0].dests[1].fwd, IP_VS_CONN_F_DROUTE);
	op.type = IPVS_OP_ADD_SVC;
	op.svc = t.svcs[1].svc;
	assert_string_equal(ipvs_op_format(&op, buf, sizeof(buf)), "add service fwmark 3 inet6 wlc ops");
	ipvs_table_free(&t);
	/* the same virtual server twice is refused */
	vs[1] = vs[0];
	ipvs_table_init(&t);
	assert_int_equal(ipvs_table_from_conf(&c, &t, &eb), -EINVAL);
	assert_string_equal(eb.msg, "virtual server tcp 192.0.2.10:80 defined twice");
	ipvs_table_free(&t);
}

/* On a kernel without IPVS, the message must tell the operator what to do. */
static void test_open_without_ipvs(void **state)
{
	struct ipvs_ctx ctx;
	struct errbuf eb = { .msg = "" };
	int err = ipvs_open(&ctx, &eb);
	if (err == 0) {
		print_message("IPVS present (version 0x%06x): open path checked\n", ctx.version);
		ipvs_close(&ctx);
		return;
	}
	if (err == -ENOENT)
		assert_non_null(strstr(eb.msg, "modprobe ip_vs"));
	else
		print_message("ipvs_open: %s (not ENOENT: no genetlink here?)\n", eb.msg);
	assert_null(ctx.sk);
}

/* Batches: requests 1 and 4 are larger than one sendmsg may carry; the
 * others go to a generic netlink family that does not exist, which the
 * kernel answers with ENOENT (no IPVS needed). */
#define NO_FAMILY 0x7ff0
#define BIG (70 * 1024)

static struct nl_msg *build_msg(bool big)
{
	struct nl_msg *m = nlmsg_alloc_size(big ? BIG + 4096 : 4096);
	if (!m || !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, NO_FAMILY, 0, 0,
			       IPVS_CMD_GET_INFO, IPVS_GENL_VERSION)
	    || (big && !nla_reserve(m, IPVS_CMD_ATTR_SERVICE, BIG))) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

static struct nl_msg *build_sized(void *arg, unsigned i)
{
	(void)arg;
	return build_msg(i == 1 || i == 4);
}

static struct nl_msg *build_big(void *arg, unsigned i)
{
	(void)arg;
	(void)i;
	return build_msg(true);
}

static void test_batch_oversized(void **state)
{
	struct ipvs_ctx ctx = { 0 };
	struct errbuf eb = { .msg = "" };
	int errs[6];
	alarm(10);   /* it used to spin for ever on the first large request */
	ctx.sk = nl_socket_alloc();
	assert_non_null(ctx.sk);
	/* Large requests alone: each fails, nothing is sent. */
	assert_int_equal(ipvs_nl_batch(&ctx, 2, build_big, NULL, errs, &eb), 0);
	assert_int_equal(errs[0], -EMSGSIZE);
	assert_int_equal(errs[1], -EMSGSIZE);
	assert_int_equal(ctx.n_batches, 0);
	if (genl_connect(ctx.sk) < 0) {
		print_message("no generic netlink here: mixed batch not checked\n");
	} else {
		assert_int_equal(ipvs_nl_batch(&ctx, 6, build_sized, NULL, errs, &eb), 0);
		int want[6] = { -ENOENT, -EMSGSIZE, -ENOENT, -ENOENT, -EMSGSIZE, -ENOENT };
		for (int i = 0; i < 6; i++)
			if (errs[i] != want[i])
				fail_msg("request %d: %d, want %d", i, errs[i], want[i]);
		assert_int_equal(ctx.n_requests, 4);
	}
	alarm(0);
	nl_socket_free(ctx.sk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_service_v4),
		cmocka_unit_test(test_edit_service_v6_flags),
		cmocka_unit_test(test_fwmark_and_defaults),
		cmocka_unit_test(test_delete_service_key_only),
		cmocka_unit_test(test_add_dest_nat),
		cmocka_unit_test(test_dest_dr_tun),
		cmocka_unit_test(test_delete_dest_key_only),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_sync_and_timeouts),
		cmocka_unit_test(test_format_and_errors),
		cmocka_unit_test(test_table_from_conf),
		cmocka_unit_test(test_open_without_ipvs),
		cmocka_unit_test(test_batch_oversized),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
