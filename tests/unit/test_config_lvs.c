/*
 * test_config_lvs: the virtual-server constructs keepalived configurations
 * need (real-server port 0, all-ports services, virtual-server groups,
 * sorry-server options, tunnels, IPVS timeouts, include globs, omega and
 * real-server notify commands) load with the values written, and give the
 * wanted IPVS table (ipvs_table_from_conf) that ipvsadm would show.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ip_vs.h>

#include "config.h"
#include "conf_text.h"
#include "ipvs.h"
#include "lvs_int.h"

static struct conf *load_text(const char *text)
{
	struct conf_errors errs = { 0 };
	struct conf *c = conf_load_text(text, &errs);
	for (unsigned i = 0; i < errs.n; i++)
		print_message("unexpected: %s\n", errs.lines[i]);
	assert_int_equal(errs.n, 0);
	assert_non_null(c);
	return c;
}

/* Every operation that builds t from nothing, one per line, sorted by the
 * table's order (services in configuration order). */
static char *table_ops(const struct ipvs_table *t)
{
	static char out[4096];
	char buf[256];
	size_t n = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < t->n_svcs; i++) {
		struct ipvs_op op = { .type = IPVS_OP_ADD_SVC, .svc = t->svcs[i].svc };
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s\n",
				      ipvs_op_format(&op, buf, sizeof(buf)));
		for (unsigned j = 0; j < t->svcs[i].n_dests; j++) {
			op.type = IPVS_OP_ADD_DEST;
			op.dest = t->svcs[i].dests[j];
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s\n",
					      ipvs_op_format(&op, buf, sizeof(buf)));
		}
	}
	return out;
}

static void assert_table(const struct conf *c, const char *want)
{
	struct ipvs_table t;
	struct errbuf eb = { .msg = "" };
	ipvs_table_init(&t);
	int err = ipvs_table_from_conf(c, &t, &eb);
	if (err)
		print_message("ipvs_table_from_conf: %s\n", eb.msg);
	assert_int_equal(err, 0);
	assert_string_equal(table_ops(&t), want);
	ipvs_table_free(&t);
}

/* Port 0 on a real server: written as given on fwmark and dr/tun real
 * servers; a real server without a port takes the service's. */
static void test_rs_port_zero(void **state)
{
	struct conf *c = load_text(
		"virtual_servers = (\n"
		"  { fwmark = 5; persistence = { timeout = 60; };\n"
		"    real_servers = ( { address = \"198.51.100.13\"; port = 0; } ); },\n"
		"  { address = \"192.0.2.10\"; port = 80; forwarding = \"dr\";\n"
		"    real_servers = ( { address = \"198.51.100.13\"; port = 0; },\n"
		"                     { address = \"198.51.100.14\"; } ); },\n"
		"  { address = \"192.0.2.11\"; port = 80;\n"
		"    real_servers = ( { address = \"198.51.100.15\"; port = 0; forwarding = \"tun\"; } ); }\n"
		");\n");
	assert_int_equal(c->vs[0].rs[0].port, 0);
	assert_int_equal(c->vs[1].rs[0].port, 0);
	assert_int_equal(c->vs[1].rs[1].port, 80);
	assert_table(c,
		"add service fwmark 5 wlc persistent 60\n"
		"add dest fwmark 5 -> 198.51.100.13:0 weight 1 nat\n"
		"add service tcp 192.0.2.10:80 wlc\n"
		"add dest tcp 192.0.2.10:80 -> 198.51.100.13:0 weight 1 dr\n"
		"add dest tcp 192.0.2.10:80 -> 198.51.100.14:80 weight 1 dr\n"
		"add service tcp 192.0.2.11:80 wlc\n"
		"add dest tcp 192.0.2.11:80 -> 198.51.100.15:0 weight 1 tun\n");
	conf_free(c);
	(void)state;
}

/* An all-ports service: port 0 with persistence; its real servers have
 * port 0 unless they say otherwise, and checks name their port. */
static void test_all_ports(void **state)
{
	struct conf *c = load_text(
		"virtual_servers = (\n"
		"  { address = \"192.0.2.20\"; port = 0; persistence = { timeout = 600; };\n"
		"    real_servers = ( { address = \"198.51.100.21\";\n"
		"                       checks = ( { type = \"tcp\"; connect_port = 22; } ); },\n"
		"                     { address = \"198.51.100.22\"; port = 0; } ); }\n"
		");\n");
	assert_int_equal(c->vs[0].port, 0);
	assert_true(c->vs[0].persistent);
	assert_int_equal(c->vs[0].rs[0].port, 0);
	assert_table(c,
		"add service tcp 192.0.2.20:0 wlc persistent 600\n"
		"add dest tcp 192.0.2.20:0 -> 198.51.100.21:0 weight 1 nat\n"
		"add dest tcp 192.0.2.20:0 -> 198.51.100.22:0 weight 1 nat\n");
	conf_free(c);
	(void)state;
}

/* A group: one virtual server, a service per member (ranges expanded),
 * each with the same settings and real servers. */
static void test_group(void **state)
{
	struct conf *c = load_text(
		"virtual_server_groups = (\n"
		"  { name = \"web\"; members = ( { address = \"192.0.2.30\"; port = 80; },\n"
		"                                { range = \"192.0.2.41-43\"; port = 8080; },\n"
		"                                { fwmark = 12; } ); },\n"
		"  { name = \"v6\"; members = ( { range = \"2001:db8::fe-101\"; port = 53; } ); }\n"
		");\n"
		"virtual_servers = (\n"
		"  { group = \"web\"; scheduler = \"rr\"; forwarding = \"dr\";\n"
		"    real_servers = ( { address = \"198.51.100.31\"; port = 0; } ); },\n"
		"  { name = \"dns\"; group = \"v6\"; protocol = \"udp\";\n"
		"    real_servers = ( { address = \"2001:db8:1::1\"; } ); }\n"
		");\n");
	assert_int_equal(c->n_vs, 2);
	assert_string_equal(c->vs[0].group, "web");
	assert_int_equal(c->vs[0].n_members, 5);
	assert_int_equal(c->vs[0].port, 80);       /* the first member's */
	assert_int_equal(c->vs[1].family, AF_INET6);
	assert_int_equal(c->vs[1].n_members, 4);
	assert_int_equal(c->vs[1].rs[0].port, 53);
	assert_table(c,
		"add service tcp 192.0.2.30:80 rr\n"
		"add dest tcp 192.0.2.30:80 -> 198.51.100.31:0 weight 1 dr\n"
		"add service tcp 192.0.2.41:8080 rr\n"
		"add dest tcp 192.0.2.41:8080 -> 198.51.100.31:0 weight 1 dr\n"
		"add service tcp 192.0.2.42:8080 rr\n"
		"add dest tcp 192.0.2.42:8080 -> 198.51.100.31:0 weight 1 dr\n"
		"add service tcp 192.0.2.43:8080 rr\n"
		"add dest tcp 192.0.2.43:8080 -> 198.51.100.31:0 weight 1 dr\n"
		"add service fwmark 12 rr\n"
		"add dest fwmark 12 -> 198.51.100.31:0 weight 1 dr\n"
		"add service udp [2001:db8::fe]:53 wlc\n"
		"add dest udp [2001:db8::fe]:53 -> [2001:db8:1::1]:53 weight 1 nat\n"
		"add service udp [2001:db8::ff]:53 wlc\n"
		"add dest udp [2001:db8::ff]:53 -> [2001:db8:1::1]:53 weight 1 nat\n"
		"add service udp [2001:db8::100]:53 wlc\n"
		"add dest udp [2001:db8::100]:53 -> [2001:db8:1::1]:53 weight 1 nat\n"
		"add service udp [2001:db8::101]:53 wlc\n"
		"add dest udp [2001:db8::101]:53 -> [2001:db8:1::1]:53 weight 1 nat\n");
	conf_free(c);
	(void)state;
}

/* Sorry-server options: its own forwarding; with inhibit it stays at
 * weight 0 while the quorum holds, and is alone at weight 1 when lost. */
static void test_sorry(void **state)
{
	struct conf *c = load_text(
		"virtual_servers = (\n"
		"  { address = \"192.0.2.10\"; port = 80;\n"
		"    sorry_server = { address = \"198.51.100.99\"; forwarding = \"dr\"; inhibit = true; };\n"
		"    real_servers = ( { address = \"198.51.100.11\"; port = 8080; } ); },\n"
		"  { address = \"192.0.2.11\"; port = 80; forwarding = \"tun\";\n"
		"    sorry_server = { address = \"198.51.100.99\"; port = 81; };\n"
		"    real_servers = ( { address = \"198.51.100.11\"; port = 80; } ); }\n"
		");\n");
	assert_int_equal(c->vs[0].sorry_fwd, FWD_DR);
	assert_true(c->vs[0].sorry_inhibit);
	assert_int_equal(c->vs[1].sorry_fwd, FWD_TUN);     /* the service's */
	assert_false(c->vs[1].sorry_inhibit);
	struct ipvs_table t;
	struct errbuf eb = { .msg = "" };
	ipvs_table_init(&t);
	assert_int_equal(ipvs_table_from_conf(c, &t, &eb), 0);
	lvs_quorum_sorry(&c->vs[0], &t.svcs[0], true, NULL);
	lvs_quorum_sorry(&c->vs[1], &t.svcs[1], true, NULL);
	assert_string_equal(table_ops(&t),
		"add service tcp 192.0.2.10:80 wlc\n"
		"add dest tcp 192.0.2.10:80 -> 198.51.100.11:8080 weight 1 nat\n"
		"add dest tcp 192.0.2.10:80 -> 198.51.100.99:80 weight 0 dr\n"
		"add service tcp 192.0.2.11:80 wlc\n"
		"add dest tcp 192.0.2.11:80 -> 198.51.100.11:80 weight 1 tun\n");
	t.svcs[0].n_dests = 1;
	lvs_quorum_sorry(&c->vs[0], &t.svcs[0], false, NULL);
	lvs_quorum_sorry(&c->vs[1], &t.svcs[1], false, NULL);
	assert_string_equal(table_ops(&t),
		"add service tcp 192.0.2.10:80 wlc\n"
		"add dest tcp 192.0.2.10:80 -> 198.51.100.99:80 weight 1 dr\n"
		"add service tcp 192.0.2.11:80 wlc\n"
		"add dest tcp 192.0.2.11:80 -> 198.51.100.99:81 weight 1 tun\n");
	ipvs_table_free(&t);

	/* Quorum lost: the live real servers leave, a failed one kept at
	 * weight 0 by inhibit stays (keepalived's rule: its connections are
	 * not cut), and a failed one that is the sorry server becomes it. */
	ipvs_table_init(&t);
	assert_int_equal(ipvs_table_from_conf(c, &t, &eb), 0);
	struct ipvs_dest rs = t.svcs[0].dests[0];
	assert_int_equal(inet_pton(AF_INET, "198.51.100.12", &rs.addr.u.v4), 1);
	assert_int_equal(ipvs_table_add_dest(&t.svcs[0], &rs), 0);
	t.svcs[0].dests[0].weight = 0;
	const bool down[] = { true, false };
	lvs_quorum_sorry(&c->vs[0], &t.svcs[0], false, down);
	t.svcs[1].dests[0].weight = 0;
	t.svcs[1].dests[0].port = 81;
	assert_int_equal(inet_pton(AF_INET, "198.51.100.99", &t.svcs[1].dests[0].addr.u.v4), 1);
	lvs_quorum_sorry(&c->vs[1], &t.svcs[1], false, down);
	assert_string_equal(table_ops(&t),
		"add service tcp 192.0.2.10:80 wlc\n"
		"add dest tcp 192.0.2.10:80 -> 198.51.100.11:8080 weight 0 nat\n"
		"add dest tcp 192.0.2.10:80 -> 198.51.100.99:80 weight 1 dr\n"
		"add service tcp 192.0.2.11:80 wlc\n"
		"add dest tcp 192.0.2.11:80 -> 198.51.100.99:81 weight 1 tun\n");
	ipvs_table_free(&t);
	conf_free(c);
	(void)state;
}

/* Tunnels: the service's is its tun real servers' default. */
static void test_tunnel(void **state)
{
	struct conf *c = load_text(
		"virtual_servers = (\n"
		"  { address = \"192.0.2.10\"; port = 80; forwarding = \"tun\";\n"
		"    tunnel = { type = \"gue\"; port = 6080; checksum = \"remote\"; };\n"
		"    real_servers = ( { address = \"198.51.100.11\"; port = 80; },\n"
		"      { address = \"198.51.100.12\"; port = 80; tunnel = { type = \"gre\"; checksum = \"on\"; }; },\n"
		"      { address = \"198.51.100.13\"; port = 80; tunnel = { type = \"ipip\"; }; },\n"
		"      { address = \"198.51.100.14\"; port = 80; forwarding = \"dr\"; } ); }\n"
		");\n");
	assert_int_equal(c->vs[0].rs[0].tunnel.type, TUN_GUE);
	assert_int_equal(c->vs[0].rs[0].tunnel.port, 6080);
	assert_int_equal(c->vs[0].rs[0].tunnel.flags, IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM);
	assert_int_equal(c->vs[0].rs[1].tunnel.type, TUN_GRE);
	assert_int_equal(c->vs[0].rs[1].tunnel.port, 0);
	assert_int_equal(c->vs[0].rs[1].tunnel.flags, IP_VS_TUNNEL_ENCAP_FLAG_CSUM);
	assert_table(c,
		"add service tcp 192.0.2.10:80 wlc\n"
		"add dest tcp 192.0.2.10:80 -> 198.51.100.11:80 weight 1 tun tun-type gue tun-port 6080 "
		"tun-flags 0x2\n"
		"add dest tcp 192.0.2.10:80 -> 198.51.100.12:80 weight 1 tun tun-type gre tun-flags 0x1\n"
		"add dest tcp 192.0.2.10:80 -> 198.51.100.13:80 weight 1 tun\n"
		"add dest tcp 192.0.2.10:80 -> 198.51.100.14:80 weight 1 dr\n");
	conf_free(c);
	(void)state;
}

/* Connection timeouts: those given, 0 for the others (left as they are). */
static void test_timeouts(void **state)
{
	struct conf *c = load_text(
		"global = { ipvs_timeouts = { tcp = 7200; udp = 60; }; };\n"
		"virtual_servers = ( { address = \"192.0.2.10\"; port = 80; } );\n");
	assert_int_equal(c->global.ipvs_tcp, 7200);
	assert_int_equal(c->global.ipvs_tcp_fin, 0);
	assert_int_equal(c->global.ipvs_udp, 60);
	conf_free(c);
	(void)state;
}

static char *write_in(const char *dir, const char *name, const char *text)
{
	char *path;
	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* @include with patterns, in the main file and in an included one: the
 * matches in order, lines as in each file, messages naming the file, no
 * pattern match is no file, and the copies made for libconfig are gone. */
static void test_include_glob(void **state)
{
	char dir[] = "/tmp/vigil-test-XXXXXX", cmd[128];
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/conf.d %s/more", dir, dir);
	assert_int_equal(system(cmd), 0);
	free(write_in(dir, "conf.d/20-b.conf", "@include \"more/[0-9]*.inc\"\n"));
	free(write_in(dir, "conf.d/10-a.conf",
		      "virtual_servers = ( { name = \"a\"; address = \"192.0.2.10\"; port = 80; },\n"
		      "  { name = \"b\"; address = \"192.0.2.11\"; port = 80; } );\n"));
	free(write_in(dir, "more/1.inc",
		      "\n\nvrrp = { instances = ( { name = \"VI_1\"; interface = \"eth0\";\n"
		      "  vrid = 1; addresses = [ \"192.0.2.1/24\" ]; } ); };\n"));
	char *main = write_in(dir, "main.conf", "global = { router_id = \"lb1\"; };\n"
			      "@include \"conf.d/*.conf\"\n@include \"none.d/*.conf\"\n");
	struct conf_errors errs = { 0 };
	struct conf *c = conf_load(main, &errs);
	for (unsigned i = 0; i < errs.n; i++)
		print_message("unexpected: %s\n", errs.lines[i]);
	assert_int_equal(errs.n, 0);
	assert_non_null(c);
	assert_int_equal(c->n_vs, 2);
	assert_int_equal(c->vs[1].line, 2);           /* in 10-a.conf */
	assert_int_equal(c->n_vrrp, 1);
	assert_int_equal(c->vrrp[0].line, 3);         /* in more/1.inc */
	conf_free(c);
	/* an error in a file reached through two patterns names that file */
	char *bad = write_in(dir, "more/2.inc", "global_x = 1;\n");
	c = conf_load(main, &errs);
	assert_null(c);
	assert_int_equal(errs.n, 1);
	char want[256];
	snprintf(want, sizeof(want), "%s/more/2.inc:1: unknown key 'global_x' (did you mean 'global'?)",
		 dir);
	assert_string_equal(errs.lines[0], want);
	conf_errors_free(&errs);
	snprintf(cmd, sizeof(cmd), "rm -r %s", dir);
	assert_int_equal(system(cmd), 0);
	free(bad);
	free(main);
	assert_int_equal(system("ls -d /tmp/vigil-include-* 2>/dev/null | grep -q ."), 256);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rs_port_zero),
		cmocka_unit_test(test_all_ports),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_sorry),
		cmocka_unit_test(test_tunnel),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_include_glob),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
