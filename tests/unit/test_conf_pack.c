/*
 * test_conf_pack: the configuration codec the parent uses to hand each
 * child the generation it validated. Every shipped example and a
 * configuration using every pointer field round-trips: the unpacked copy
 * packs to the same bytes, owns all its memory (the original is freed
 * first: ASan would see a shared pointer), and has the values written.
 * Views leave out what a child does not run. Every truncation, a flipped
 * byte in a count or a length, and a blob from another layout are refused
 * without a crash or a leak.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf_pack.h"
#include "config.h"
#include "conf_text.h"
#include "errbuf.h"

static const char kitchen_sink[] =
	"global = { router_id = \"lb9\"; script_user = \"nobody\"; control_socket = \"/tmp/x.sock\";\n"
	"  http = { listen = \"127.0.0.1:9650\"; }; };\n"
	"virtual_servers = (\n"
	" { name = \"web\"; address = \"192.0.2.10\"; port = 443; scheduler = \"wrr\";\n"
	"   on_quorum_up = \"/bin/true up\"; on_quorum_down = \"/bin/true down\";\n"
	"   real_servers = (\n"
	"    { address = \"198.51.100.11\"; port = 443; checks = (\n"
	"      { type = \"https\"; path = \"/h\"; host = \"www.example.com\"; sni = \"sni.example.com\";\n"
	"        method = \"HEAD\"; digest = \"0123456789abcdef0123456789abcdef\";\n"
	"        ca_file = \"/etc/ssl/certs/ca-certificates.crt\"; verify = true;\n"
	"        status = [ \"200-299\", \"418\" ]; regex = \"^ok\"; regex_no_match = true;\n"
	"        regex_min_offset = 1; regex_max_offset = 64; http_version = \"1.0\"; },\n"
	"      { type = \"smtp\"; helo_name = \"lb9.example.com\"; retry = 2; retry_delay = 0.5; warmup = 4; },\n"
	"      { type = \"dns\"; query = \"www.example.com\"; qtype = \"AAAA\"; expect = [ \"2001:db8::1\" ]; },\n"
	"      { type = \"udp\"; payload = \"ping\"; expect = \"pong\"; reply_hex = \"7x\";\n"
	"        min_reply_length = 3; max_reply_length = 9; require_reply = true; },\n"
	"      { type = \"script\"; command = \"/bin/true x\"; },\n"
	"      { type = \"file\"; path = \"/run/w\"; weight = 3; reverse = true; dynamic_weight = true; } ); },\n"
	"    { address = \"198.51.100.12\"; port = 443; } ); }\n"
	");\n"
	"vrrp = {\n"
	" instances = (\n"
	"  { name = \"VI_1\"; interface = \"eth0\"; vrid = 51; priority = 150; version = 2;\n"
	"    addresses = [ \"192.0.2.10/24\", \"192.0.2.11/24\" ];\n"
	"    unicast = { source = \"192.0.2.1\"; peers = [ \"192.0.2.2\", \"192.0.2.3\" ]; };\n"
	"    authentication = { type = \"pass\"; password = \"secret1\"; };\n"
	"    track = { interfaces = ( { name = \"eth1\"; weight = -10; } );\n"
	"              scripts = ( { name = \"chk\"; weight = -20; } );\n"
	"              files = ( { path = \"/tmp/prio\"; weight = 2; } );\n"
	"              processes = ( { name = \"web\"; weight = -30; reverse = true; } ); };\n"
	"    notify = { master = \"/bin/true m\"; backup = \"/bin/true b\"; fault = \"/bin/true f\";\n"
	"               stop = \"/bin/true s\"; };\n"
	"    ipvs_sync = { interface = \"eth0\"; syncid = 7; }; },\n"
	"  { name = \"VI_2\"; interface = \"eth0\"; vrid = 52; addresses = [ \"2001:db8::10/64\" ]; }\n"
	" );\n"
	" sync_groups = ( { name = \"G\"; instances = [ \"VI_1\", \"VI_2\" ];\n"
	"   notify = { master = \"/bin/true gm\"; };\n"
	"   track = { interfaces = ( { name = \"eth2\"; reverse = true; } );\n"
	"             processes = ( { name = \"api\"; } ); }; } );\n"
	" processes = ( { name = \"web\"; process = \"nginx\"; quorum = 2; quorum_max = 9; delay = 1.5; },\n"
	"   { name = \"api\"; process = \"/usr/bin/api\"; params = [ \"-c\", \"/etc/api\" ];\n"
	"     param_match = \"initial\"; terminate_delay = 3.0; } );\n"
	" scripts = ( { name = \"chk\"; command = \"/bin/true\"; interval = 1.0; rise = 2; fall = 3; } );\n"
	"};\n";

static struct conf *load_text(const char *text)
{
	struct conf_errors errs = { 0 };
	struct conf *c = conf_load_text(text, &errs);
	for (unsigned i = 0; i < errs.n; i++)
		print_message("unexpected: %s\n", errs.lines[i]);
	conf_errors_free(&errs);
	assert_non_null(c);
	return c;
}

static struct conf *load_file(const char *path)
{
	struct conf_errors errs = { 0 };
	struct conf *c = conf_load(path, &errs);
	conf_errors_free(&errs);
	assert_non_null(c);
	return c;
}

/* Packs, frees the original, unpacks, packs again: the same bytes. */
static struct conf *round_trip(struct conf *c, enum conf_view view)
{
	struct conf_blob a, b;
	struct errbuf eb;
	assert_int_equal(conf_pack(c, view, &a), 0);
	assert_int_equal(a.hash, conf_hash(a.data, a.len));
	conf_free(c);
	struct conf *u = conf_unpack(a.data, a.len, &eb);
	if (!u)
		fail_msg("unpack: %s", eb.msg);
	assert_int_equal(conf_pack(u, view, &b), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	assert_int_equal(a.hash, b.hash);
	conf_blob_free(&a);
	conf_blob_free(&b);
	return u;
}

static void test_examples(void **state)
{
	(void)state;
	const char *files[] = { TEST_SOURCE_DIR "/etc/vigil.conf",
				TEST_SOURCE_DIR "/etc/vigil-minimal.conf" };
	for (unsigned i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct conf *c = load_file(files[i]);
		unsigned n_vs = c->n_vs, n_vrrp = c->n_vrrp;
		struct conf *u = round_trip(c, CONF_VIEW_ALL);
		assert_int_equal(u->n_vs, n_vs);
		assert_int_equal(u->n_vrrp, n_vrrp);
		conf_free(u);
	}
}

static void test_every_pointer(void **state)
{
	(void)state;
	struct conf *u = round_trip(load_text(kitchen_sink), CONF_VIEW_ALL);
	assert_string_equal(u->global.router_id, "lb9");
	assert_string_equal(u->global.script_user, "nobody");
	assert_string_equal(u->global.control_socket, "/tmp/x.sock");
	assert_string_equal(u->global.http_listen, "127.0.0.1:9650");
	assert_non_null(u->path);
	assert_int_equal(u->n_vs, 1);
	const struct vs_conf *vs = &u->vs[0];
	assert_string_equal(vs->name, "web");
	assert_string_equal(vs->on_quorum_up, "/bin/true up");
	assert_string_equal(vs->on_quorum_down, "/bin/true down");
	assert_int_equal(vs->n_rs, 2);
	assert_int_equal(vs->rs[0].n_checks, 6);
	assert_int_equal(vs->rs[1].n_checks, 0);
	const struct check_conf *h = &vs->rs[0].checks[0];
	assert_string_equal(h->path, "/h");
	assert_string_equal(h->host, "www.example.com");
	assert_string_equal(h->sni, "sni.example.com");
	assert_string_equal(h->method, "HEAD");
	assert_string_equal(h->digest, "0123456789abcdef0123456789abcdef");
	assert_string_equal(h->ca_file, "/etc/ssl/certs/ca-certificates.crt");
	assert_true(h->verify);
	assert_int_equal(h->n_status, 2);
	assert_true(h->status[0].lo == 200 && h->status[0].hi == 299 && h->status[1].lo == 418);
	assert_string_equal(h->regex, "^ok");
	assert_true(h->regex_no_match && h->regex_min_offset == 1 && h->regex_max_offset == 64);
	assert_int_equal(h->http_minor, 0);
	assert_string_equal(vs->rs[0].checks[1].helo_name, "lb9.example.com");
	assert_true(vs->rs[0].checks[1].retry == 2 && vs->rs[0].checks[1].retry_delay == 0.5);
	assert_true(vs->rs[0].checks[1].has_warmup && vs->rs[0].checks[1].warmup == 4);
	assert_string_equal(vs->rs[0].checks[2].query, "www.example.com");
	assert_string_equal(vs->rs[0].checks[2].qtype, "AAAA");
	assert_int_equal(vs->rs[0].checks[2].n_dns_expect, 1);
	assert_string_equal(vs->rs[0].checks[3].payload, "ping");
	assert_string_equal(vs->rs[0].checks[3].expect, "pong");
	assert_string_equal(vs->rs[0].checks[3].reply_hex, "7x");
	assert_true(vs->rs[0].checks[3].min_reply_length == 3 && vs->rs[0].checks[3].max_reply_length == 9);
	assert_true(vs->rs[0].checks[3].require_reply);
	assert_string_equal(vs->rs[0].checks[4].command, "/bin/true x");
	const struct check_conf *f = &vs->rs[0].checks[5];
	assert_int_equal(f->type, CHECK_FILE);
	assert_string_equal(f->path, "/run/w");
	assert_true(f->file_weight == 3 && f->file_reverse && f->dynamic_weight && f->base_weight == 1);

	assert_int_equal(u->n_vrrp, 2);
	const struct vrrp_inst_conf *in = &u->vrrp[0];
	assert_string_equal(in->name, "VI_1");
	assert_string_equal(in->interface, "eth0");
	assert_int_equal(in->n_addrs, 2);
	assert_int_equal(in->addrs[1].plen, 24);
	assert_int_equal(in->n_peers, 2);
	assert_string_equal(in->auth_pass, "secret1");
	assert_string_equal(in->track_ifs[0].name, "eth1");
	assert_int_equal(in->track_ifs[0].weight, -10);
	assert_string_equal(in->track_scripts[0].name, "chk");
	assert_string_equal(in->track_files[0].path, "/tmp/prio");
	/* its own trackers, then its group's */
	assert_int_equal(in->n_track_procs, 2);
	assert_string_equal(in->track_procs[0].name, "web");
	assert_true(in->track_procs[0].weight == -30 && in->track_procs[0].reverse);
	assert_string_equal(in->track_procs[1].name, "api");
	assert_true(in->track_procs[1].weight == 0 && !in->track_procs[1].reverse);
	assert_int_equal(in->n_track_ifs, 2);
	assert_string_equal(in->track_ifs[1].name, "eth2");
	assert_true(in->track_ifs[1].reverse && !in->track_ifs[0].reverse);
	assert_int_equal(u->vrrp[1].n_track_ifs, 1);
	assert_string_equal(u->vrrp[1].track_ifs[0].name, "eth2");
	assert_int_equal(u->vrrp[1].n_track_procs, 1);
	assert_string_equal(u->vrrp[1].track_procs[0].name, "api");
	assert_int_equal(u->n_processes, 2);
	const struct vrrp_process_conf *pw = &u->processes[0], *pa = &u->processes[1];
	assert_string_equal(pw->process, "nginx");
	assert_true(pw->quorum == 2 && pw->quorum_max == 9 && pw->param_match == VRRP_PM_NONE);
	assert_true(pw->fork_delay == 1.5 && pw->terminate_delay == 1.5);
	assert_int_equal(pa->n_params, 2);
	assert_string_equal(pa->params[1], "/etc/api");
	assert_true(pa->param_match == VRRP_PM_INITIAL && pa->quorum == 1);
	assert_true(pa->fork_delay == 0 && pa->terminate_delay == 3.0);
	assert_string_equal(in->notify.master, "/bin/true m");
	assert_string_equal(in->notify.stop, "/bin/true s");
	assert_string_equal(in->sync_interface, "eth0");
	assert_int_equal(in->syncid, 7);
	assert_int_equal(u->n_groups, 1);
	assert_int_equal(u->groups[0].n_instances, 2);
	assert_string_equal(u->groups[0].instances[1], "VI_2");
	assert_string_equal(u->groups[0].notify.master, "/bin/true gm");
	assert_null(u->groups[0].notify.backup);
	assert_int_equal(u->n_scripts, 1);
	assert_string_equal(u->scripts[0].command, "/bin/true");
	assert_int_equal(u->scripts[0].fall, 3);
	conf_free(u);
}

static void test_views(void **state)
{
	(void)state;
	struct conf *u = round_trip(load_text(kitchen_sink), CONF_VIEW_VRRP);
	assert_int_equal(u->n_vs, 0);
	assert_null(u->vs);
	assert_int_equal(u->n_vrrp, 2);
	assert_int_equal(u->n_scripts, 1);
	assert_string_equal(u->global.router_id, "lb9");
	conf_free(u);
	u = round_trip(load_text(kitchen_sink), CONF_VIEW_CHECKER);
	assert_int_equal(u->n_vs, 1);
	assert_int_equal(u->n_vrrp, 0);
	assert_int_equal(u->n_groups, 0);
	assert_int_equal(u->n_scripts, 0);
	conf_free(u);
}

/* Every prefix, and every single byte changed, of a real blob: refused
 * or accepted, never a crash, an over-read or a leak. */
static void test_damage(void **state)
{
	(void)state;
	struct conf *c = load_text(kitchen_sink);
	struct conf_blob b;
	struct errbuf eb;
	assert_int_equal(conf_pack(c, CONF_VIEW_ALL, &b), 0);
	conf_free(c);
	for (size_t n = 0; n < b.len; n++) {
		uint8_t *copy = malloc(n ? n : 1);   /* exact size: ASan sees an over-read */
		memcpy(copy, b.data, n);
		assert_null(conf_unpack(copy, n, &eb));
		free(copy);
	}
	uint8_t *copy = malloc(b.len);
	unsigned refused = 0;
	for (size_t i = 0; i < b.len; i++) {
		memcpy(copy, b.data, b.len);
		copy[i] ^= 0xa5;
		struct conf *u = conf_unpack(copy, b.len, &eb);
		refused += !u;
		conf_free(u);
	}
	free(copy);
	print_message("%u of %zu single-byte changes refused\n", refused, b.len);
	assert_true(refused > 0);
	/* Another layout. */
	b.data[4] ^= 1;
	assert_null(conf_unpack(b.data, b.len, &eb));
	assert_non_null(strstr(eb.msg, "not from this build"));
	conf_blob_free(&b);
}

/* The virtual-server constructs keepalived configurations bring: a
 * group's members and the per-server fields, in the checker's view too. */
static const char lvs_features[] =
	"virtual_server_groups = ( { name = \"g\"; members = ( { address = \"192.0.2.1\"; port = 80; },\n"
	"  { fwmark = 3; } ); } );\n"
	"virtual_servers = ( { group = \"g\"; real_servers = ( { address = \"198.51.100.1\"; } ); } );\n";

static void test_lvs_features(void **state)
{
	(void)state;
	struct conf *u = round_trip(load_text(lvs_features), CONF_VIEW_CHECKER);
	const struct vs_conf *vs = &u->vs[0];
	assert_string_equal(vs->group, "g");
	assert_int_equal(vs->n_members, 2);
	assert_int_equal(vs->members[0].port, 80);
	assert_int_equal(vs->members[1].fwmark, 3);
	conf_free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_every_pointer),
		cmocka_unit_test(test_views),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_lvs_features),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
