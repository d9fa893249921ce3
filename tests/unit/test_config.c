/*
 * test_config: valid configurations load with the values written and the
 * documented defaults for everything left out; the shipped examples in
 * etc/ load; @include resolves relative to the including file.
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

#include "config.h"
#include "conf_text.h"

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

static struct conf *load_ok(const char *path)
{
	struct conf_errors errs = { 0 };
	struct conf *c = conf_load(path, &errs);
	for (unsigned i = 0; i < errs.n; i++)
		print_message("unexpected: %s\n", errs.lines[i]);
	assert_int_equal(errs.n, 0);
	assert_non_null(c);
	conf_errors_free(&errs);
	return c;
}

static struct conf *load_text(const char *text)
{
	struct conf_errors errs = { 0 };
	char path[sizeof(CONF_TEXT_PATH)];
	struct conf *c = conf_load_text_at(text, &errs, path);
	for (unsigned i = 0; i < errs.n; i++)
		print_message("unexpected: %s\n", errs.lines[i]);
	assert_int_equal(errs.n, 0);
	assert_non_null(c);
	assert_string_equal(c->path, path);
	return c;
}

static void assert_addr(const struct vaddr *a, const char *want)
{
	char buf[VADDR_STRLEN];
	assert_string_equal(vaddr_str(a, buf, sizeof(buf)), want);
}

static void defaults_global(const struct conf *c)
{
	char host[256] = "";
	gethostname(host, sizeof(host));
	assert_string_equal(c->global.router_id, host);
	assert_string_equal(c->global.script_user, "nobody");
	assert_string_equal(c->global.control_socket, "/run/vigil/vigil.sock");
	assert_true(c->global.script_security);
	assert_false(c->global.keep_ipvs_on_exit);
	assert_true(c->global.vrrp_realtime);
	assert_true(c->global.vrrp_mlock);
	assert_null(c->global.http_listen);
	assert_null(c->global.snmp_agentx);
	assert_false(c->global.snmp_traps);
	assert_int_equal(c->global.sync_threshold, 2);
	assert_int_equal(c->global.sync_period, 50);
	assert_int_equal(c->global.sync_refresh_period, -1);
	assert_int_equal(c->global.sync_retries, -1);
}

static void defaults_vs(const struct conf *c)
{
	assert_int_equal(c->n_vs, 1);
	const struct vs_conf *vs = &c->vs[0];
	assert_int_equal(vs->line, 1);
	assert_null(vs->name);
	assert_addr(&vs->addr, "192.0.2.10");
	assert_int_equal(vs->port, 80);
	assert_int_equal(vs->family, AF_INET);
	assert_int_equal(vs->protocol, PROTO_TCP);
	assert_string_equal(vs->scheduler, "wlc");
	assert_int_equal(vs->fwd, FWD_NAT);
	assert_false(vs->persistent);
	assert_true(vs->check_interval == 2.0);
	assert_int_equal(vs->quorum, 1);
	assert_int_equal(vs->hysteresis, 0);
	assert_int_equal(vs->on_failure, ON_FAILURE_REMOVE);
	assert_false(vs->start_up);
	assert_false(vs->has_sorry);

	assert_int_equal(vs->n_rs, 1);
	const struct rs_conf *rs = &vs->rs[0];
	assert_int_equal(rs->line, 2);
	assert_int_equal(rs->port, 80);               /* the VS's */
	assert_int_equal(rs->weight, 1);
	assert_int_equal(rs->fwd, FWD_NAT);
	assert_int_equal(rs->n_checks, 1);
	assert_int_equal(rs->checks[0].type, CHECK_TCP);
	assert_true(rs->checks[0].interval == 2.0);
	assert_true(rs->checks[0].timeout == 3.0);
	assert_int_equal(rs->checks[0].rise, 1);
	assert_int_equal(rs->checks[0].fall, 1);
	assert_false(vaddr_is_set(&rs->checks[0].connect_addr));
}

static void defaults_vrrp(const struct conf *c)
{
	assert_int_equal(c->n_vrrp, 1);
	const struct vrrp_inst_conf *vi = &c->vrrp[0];
	assert_int_equal(vi->line, 3);
	assert_int_equal(vi->vrid, 51);
	assert_int_equal(vi->priority, 100);
	assert_int_equal(vi->version, 3);
	assert_true(vi->advert_interval == 1.0);
	assert_true(vi->preempt);
	assert_true(vi->preempt_delay == 0.0);
	assert_int_equal(vi->initial_state, VRRP_INIT_BACKUP);
	assert_int_equal(vi->family, AF_INET);
	assert_int_equal(vi->n_addrs, 1);
	assert_int_equal(vi->addrs[0].plen, 24);
	assert_false(vi->unicast);
	assert_int_equal(vi->auth_type, VRRP_AUTH_NONE);
	assert_int_equal(vi->garp_count, 5);
	assert_false(vi->has_ipvs_sync);
}

static void test_defaults(void **state)
{
	struct conf *c = load_text(
		"virtual_servers = ( { address = \"192.0.2.10\"; port = 80;\n"
		"  real_servers = ( { address = \"198.51.100.11\"; checks = ( { type = \"tcp\"; } ); } ); } );\n"
		"vrrp = { instances = ( { name = \"VI_1\"; interface = \"eth0\"; vrid = 51;\n"
		"  addresses = [ \"192.0.2.10/24\" ]; } ); };\n");
	defaults_global(c);
	defaults_vs(c);
	defaults_vrrp(c);
	conf_free(c);
}

static const char every_key_conf[] =
	"global = { router_id = \"lb1\"; script_user = \"vigil\"; script_security = false;\n"
	"  control_socket = \"/run/v.sock\"; keep_ipvs_on_exit = true; vrrp_realtime = false;\n"
	"  vrrp_mlock = false; http = { listen = \"[::1]:9650\"; }; snmp = { agentx = \"/var/agentx/master\"; traps = true; };\n"
	"  ipvs_sync_threshold = [ 1, 10 ]; ipvs_sync_refresh_period = 60; ipvs_sync_retries = 2; };\n"
	"virtual_servers = (\n"
	"  { name = \"web\"; address = \"192.0.2.10\"; port = 443; protocol = \"sctp\"; scheduler = \"sh\";\n"
	"    sh_port = true; sh_fallback = true; forwarding = \"dr\"; check_interval = 5;\n"
	"    persistence = { timeout = 600L; netmask = \"255.255.255.0\"; };\n"
	"    quorum = 3; hysteresis = 1; on_quorum_up = \"/bin/up\"; on_quorum_down = \"/bin/down\";\n"
	"    sorry_server = { address = \"198.51.100.99\"; port = 8443; }; on_failure = \"inhibit\"; start_up = true;\n"
	"    real_servers = (\n"
	"      { address = \"198.51.100.11\"; port = 8443; weight = 7; forwarding = \"tun\";\n"
	"        uthreshold = 100; lthreshold = 50; checks = (\n"
	"        { type = \"https\"; path = \"/h\"; host = \"www.example.com\"; status = 204; method = \"HEAD\";\n"
	"          digest = \"D41D8CD98F00B204E9800998ECF8427E\"; expect = \"ok\"; verify = true;\n"
	"          ca_file = \"/etc/ca.pem\"; sni = \"example.com\"; interval = 1; timeout = 0.5; rise = 2; fall = 3;\n"
	"          connect_address = \"198.51.100.12\"; connect_port = 8444; bind_address = \"198.51.100.1\";\n"
	"          retry = 3; retry_delay = 0.25; warmup = 0; },\n"
	"        { type = \"http\"; },\n"
	"        { type = \"smtp\"; },\n"
	"        { type = \"http\"; status = [ \"200-299\", \"301\" ]; regex = \"^up( |$)\"; regex_no_match = true;\n"
	"          regex_min_offset = 2; regex_max_offset = 100; http_version = \"1.0\"; },\n"
	"        { type = \"dns\"; query = \"example.com\"; qtype = \"aaaa\"; expect = [ \"2001:db8::1\", \"192.0.2.1\" ]; },\n"
	"        { type = \"udp\"; payload = \"ping\"; expect = \"pong\"; },\n"
	"        { type = \"udp\"; payload_hex = \"4e 54 50\"; reply_hex = \"4eXx\"; min_reply_length = 2;\n"
	"          max_reply_length = 512; require_reply = true; },\n"
	"        { type = \"file\"; path = \"/run/lb/w\"; weight = -20; reverse = true; dynamic_weight = true; },\n"
	"        { type = \"ping\"; },\n"
	"        { type = \"script\"; command = \"/bin/check\"; dynamic_weight = true; interval = 7.5; } ); } ); },\n"
	"  { fwmark = 4294967295L; family = \"inet6\"; scheduler = \"mh\"; mh_port = true; mh_fallback = true;\n"
	"    protocol = \"udp\"; ops = true; persistence = { netmask = 64; };\n"
	"    real_servers = ( { address = \"2001:db8::11\"; } ); }\n"
	");\n"
	"vrrp = {\n"
	"  scripts = ( { name = \"chk\"; command = \"/bin/true\"; interval = 3; rise = 2; fall = 4; } );\n"
	"  instances = (\n"
	"    { name = \"V2\"; interface = \"eth0\"; vrid = 255; priority = 255; version = 2; advert_interval = 3;\n"
	"      preempt = false; preempt_delay = 1.5; initial_state = \"master\"; addresses = \"192.0.2.1\";\n"
	"      unicast = { source = \"192.0.2.2\"; peers = [ \"192.0.2.3\", \"192.0.2.4\" ]; };\n"
	"      authentication = { type = \"pass\"; password = \"12345678\"; }; accept = true;\n"
	"      garp = { count = 0; interval = 0.1; refresh = 30; };\n"
	"      track = { interfaces = ( { name = \"eth1\"; weight = -20; } ); scripts = ( { name = \"chk\"; weight = 10; } );\n"
	"                files = ( { path = \"/run/prio\"; weight = 1; } ); };\n"
	"      notify = { master = \"/bin/m\"; backup = \"/bin/b\"; fault = \"/bin/f\"; stop = \"/bin/s\"; };\n"
	"      ipvs_sync = { interface = \"eth1\"; }; },\n"
	"    { name = \"V3\"; interface = \"eth0\"; vrid = 255; advert_interval = 0.05; addresses = [ \"2001:db8::1/64\" ]; }\n"
	"  );\n"
	"  sync_groups = ( { name = \"G\"; instances = [ \"V2\", \"V3\" ]; notify = { master = \"/bin/gm\"; }; } );\n"
	"};\n";

static void every_global(const struct conf *c)
{
	const struct global_conf *g = &c->global;
	assert_string_equal(g->router_id, "lb1");
	assert_string_equal(g->script_user, "vigil");
	assert_false(g->script_security);
	assert_string_equal(g->control_socket, "/run/v.sock");
	assert_true(g->keep_ipvs_on_exit);
	assert_false(g->vrrp_realtime);
	assert_false(g->vrrp_mlock);
	assert_string_equal(g->http_listen, "[::1]:9650");
	assert_string_equal(g->snmp_agentx, "/var/agentx/master");
	assert_true(g->snmp_traps);
	assert_int_equal(g->sync_threshold, 1);
	assert_int_equal(g->sync_period, 10);
	assert_int_equal(g->sync_refresh_period, 60);
	assert_int_equal(g->sync_retries, 2);

}

static void every_vs(const struct conf *c)
{
	const struct vs_conf *vs = &c->vs[0];
	assert_string_equal(vs->name, "web");
	assert_int_equal(vs->protocol, PROTO_SCTP);
	assert_string_equal(vs->scheduler, "sh");
	assert_int_equal(vs->sched_flags, SCHED_FLAG_SH_PORT | SCHED_FLAG_SH_FALLBACK);
	assert_int_equal(vs->fwd, FWD_DR);
	assert_true(vs->check_interval == 5.0);
	assert_true(vs->persistent);
	assert_int_equal(vs->persist_timeout, 600);
	assert_addr(&vs->persist_netmask, "255.255.255.0");
	assert_int_equal(vs->quorum, 3);
	assert_int_equal(vs->hysteresis, 1);
	assert_string_equal(vs->on_quorum_up, "/bin/up");
	assert_string_equal(vs->on_quorum_down, "/bin/down");
	assert_true(vs->has_sorry);
	assert_addr(&vs->sorry_addr, "198.51.100.99");
	assert_int_equal(vs->sorry_port, 8443);
	assert_int_equal(vs->on_failure, ON_FAILURE_INHIBIT);
	assert_true(vs->start_up);

	const struct rs_conf *rs = &vs->rs[0];
	assert_int_equal(rs->port, 8443);
	assert_int_equal(rs->weight, 7);
	assert_int_equal(rs->fwd, FWD_TUN);
	assert_int_equal(rs->uthreshold, 100);
	assert_int_equal(rs->lthreshold, 50);
	assert_int_equal(rs->n_checks, 10);
	vs = &c->vs[1];
	assert_int_equal(vs->fwmark, 4294967295u);
	assert_int_equal(vs->family, AF_INET6);
	assert_int_equal(vs->sched_flags, SCHED_FLAG_MH_PORT | SCHED_FLAG_MH_FALLBACK);
	assert_true(vs->ops);
	assert_int_equal(vs->persist_timeout, 300);
	assert_int_equal(vs->persist_prefix, 64);
	assert_int_equal(vs->rs[0].port, 0);
}

static void every_check(const struct rs_conf *rs)
{
	const struct check_conf *k = &rs->checks[0];
	assert_int_equal(k->type, CHECK_HTTPS);
	assert_string_equal(k->path, "/h");
	assert_string_equal(k->host, "www.example.com");
	assert_int_equal(k->n_status, 1);
	assert_int_equal(k->status[0].lo, 204);
	assert_int_equal(k->status[0].hi, 204);
	assert_string_equal(k->method, "HEAD");
	assert_string_equal(k->digest, "d41d8cd98f00b204e9800998ecf8427e");
	assert_string_equal(k->expect, "ok");
	assert_true(k->verify);
	assert_string_equal(k->ca_file, "/etc/ca.pem");
	assert_string_equal(k->sni, "example.com");
	assert_true(k->interval == 1.0 && k->timeout == 0.5);
	assert_int_equal(k->rise, 2);
	assert_int_equal(k->fall, 3);
	assert_addr(&k->connect_addr, "198.51.100.12");
	assert_int_equal(k->connect_port, 8444);
	assert_addr(&k->bind_addr, "198.51.100.1");
	assert_int_equal(k->retry, 3);
	assert_true(k->retry_delay == 0.25);
	assert_true(k->has_warmup && k->warmup == 0);
	k = &rs->checks[1];
	assert_int_equal(k->retry, 0);
	assert_true(k->retry_delay == 1.0);
	assert_false(k->has_warmup);
	assert_string_equal(k->path, "/");
	assert_string_equal(k->method, "GET");
	assert_int_equal(k->n_status, 1);
	assert_int_equal(k->status[0].lo, 200);
	assert_int_equal(k->status[0].hi, 200);
	assert_int_equal(k->http_minor, 1);
	assert_null(k->regex);
	assert_true(k->interval == 5.0);             /* the VS's check_interval */
	assert_string_equal(rs->checks[2].helo_name, "lb1");
	k = &rs->checks[3];
	assert_int_equal(k->n_status, 2);
	assert_true(k->status[0].lo == 200 && k->status[0].hi == 299);
	assert_true(k->status[1].lo == 301 && k->status[1].hi == 301);
	assert_string_equal(k->regex, "^up( |$)");
	assert_true(k->regex_no_match);
	assert_true(k->regex_min_offset == 2 && k->regex_max_offset == 100);
	assert_int_equal(k->http_minor, 0);
	k = &rs->checks[4];
	assert_string_equal(k->query, "example.com");
	assert_string_equal(k->qtype, "AAAA");
	assert_int_equal(k->n_dns_expect, 2);
	assert_addr(&k->dns_expect[0], "2001:db8::1");
	assert_string_equal(rs->checks[5].payload, "ping");
	assert_string_equal(rs->checks[5].expect, "pong");
	assert_false(rs->checks[5].require_reply);
	k = &rs->checks[6];
	assert_string_equal(k->payload_hex, "4e 54 50");
	assert_string_equal(k->reply_hex, "4eXx");
	assert_true(k->min_reply_length == 2 && k->max_reply_length == 512 && k->require_reply);
	k = &rs->checks[7];
	assert_int_equal(k->type, CHECK_FILE);
	assert_string_equal(k->path, "/run/lb/w");
	assert_true(k->file_weight == -20 && k->file_reverse && k->dynamic_weight);
	assert_int_equal(k->base_weight, 7);         /* the real server's weight */
	assert_int_equal(rs->checks[8].type, CHECK_PING);
	k = &rs->checks[9];
	assert_string_equal(k->command, "/bin/check");
	assert_true(k->dynamic_weight);
	assert_true(k->timeout == 7.5);              /* script: the interval */

}

static void every_vrrp(const struct conf *c)
{
	assert_int_equal(c->n_scripts, 1);
	assert_string_equal(c->scripts[0].command, "/bin/true");
	assert_true(c->scripts[0].interval == 3.0 && c->scripts[0].timeout == 3.0);
	assert_int_equal(c->scripts[0].rise, 2);
	assert_int_equal(c->scripts[0].fall, 4);

	const struct vrrp_inst_conf *vi = &c->vrrp[0];
	assert_int_equal(vi->priority, 255);
	assert_int_equal(vi->version, 2);
	assert_true(vi->advert_interval == 3.0);
	assert_false(vi->preempt);
	assert_true(vi->preempt_delay == 1.5);
	assert_int_equal(vi->initial_state, VRRP_INIT_MASTER);
	assert_int_equal(vi->n_addrs, 1);
	assert_int_equal(vi->addrs[0].plen, 32);
	assert_true(vi->unicast);
	assert_addr(&vi->ucast_src, "192.0.2.2");
	assert_int_equal(vi->n_peers, 2);
	assert_int_equal(vi->auth_type, VRRP_AUTH_PASS);
	assert_string_equal(vi->auth_pass, "12345678");
	assert_true(vi->accept);
	assert_int_equal(vi->garp_count, 0);
	assert_true(vi->garp_interval == 0.1 && vi->garp_refresh == 30.0);
	assert_int_equal(vi->n_track_ifs, 1);
	assert_int_equal(vi->track_ifs[0].weight, -20);
	assert_int_equal(vi->n_track_scripts, 1);
	assert_string_equal(vi->track_scripts[0].name, "chk");
	assert_int_equal(vi->n_track_files, 1);
	assert_string_equal(vi->track_files[0].path, "/run/prio");
	assert_string_equal(vi->notify.stop, "/bin/s");
	assert_true(vi->has_ipvs_sync);
	assert_string_equal(vi->sync_interface, "eth1");
	assert_int_equal(vi->syncid, 255);           /* the vrid */
	vi = &c->vrrp[1];
	assert_int_equal(vi->family, AF_INET6);      /* same vrid, other family: fine */
	assert_true(vi->advert_interval == 0.05);
	assert_int_equal(c->n_groups, 1);
	assert_int_equal(c->groups[0].n_instances, 2);
	assert_string_equal(c->groups[0].instances[1], "V3");
	assert_string_equal(c->groups[0].notify.master, "/bin/gm");
}

static void test_every_key(void **state)
{
	struct conf *c = load_text(every_key_conf);
	every_global(c);
	every_vs(c);
	every_check(&c->vs[0].rs[0]);
	every_vrrp(c);
	conf_free(c);
}

static void test_examples(void **state)
{
	struct conf *c = load_ok(TEST_SOURCE_DIR "/etc/vigil.conf");
	assert_int_equal(c->n_vs, 5);
	assert_int_equal(c->n_vrrp, 2);
	assert_int_equal(c->n_groups, 1);
	assert_int_equal(c->n_scripts, 1);
	assert_string_equal(c->vs[0].name, "web");
	assert_int_equal(c->vs[0].rs[0].checks[0].n_status, 2);
	assert_int_equal(c->vs[3].fwmark, 7);
	assert_int_equal(c->vs[4].family, AF_INET6);
	assert_int_equal(c->vrrp[1].family, AF_INET6);
	conf_free(c);
	c = load_ok(TEST_SOURCE_DIR "/etc/vigil-minimal.conf");
	assert_int_equal(c->n_vs, 1);
	assert_int_equal(c->n_vrrp, 1);
	conf_free(c);
}

/* @include names a file relative to the including file's directory,
 * wherever the daemon was started from. */
static void test_include(void **state)
{
	char dir[] = "/tmp/vigil-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *inc = write_in(dir, "servers.inc",
			     "virtual_servers = ( { address = \"192.0.2.10\"; port = 80;\n"
			     "  real_servers = ( { address = \"198.51.100.11\"; } ); } );\n");
	char *main = write_in(dir, "main.conf",
			      "global = { router_id = \"lb1\"; };\n"
			      "@include \"servers.inc\"\n");
	assert_int_equal(chdir("/"), 0);
	struct conf *c = load_ok(main);
	assert_int_equal(c->n_vs, 1);
	assert_int_equal(c->vs[0].line, 1);           /* line in servers.inc */
	assert_string_equal(c->global.router_id, "lb1");
	conf_free(c);
	unlink(inc);
	unlink(main);
	rmdir(dir);
	free(inc);
	free(main);
}

static void test_free_null(void **state)
{
	conf_free(NULL);
	struct conf_errors errs = { 0 };
	conf_errors_free(&errs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_free_null),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
