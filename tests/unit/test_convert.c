/*
 * vigil-convert's translation (convert/kc_conv.c and the block tables):
 * keepalived's defaults written out where vigil's differ, tracking
 * weights as vigil counts them, commands, HTTP status ranges, and a
 * "FILE:LINE: not converted" line for each construct left out. Each case
 * converts a small keepalived.conf and looks at the vigil.conf text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "kc.h"

static char dir[] = "/tmp/test_convert.XXXXXX";

struct run {
	char *out;                    /* the vigil.conf written */
	char *diag;                   /* the diagnostics, one per line */
	bool fatal;
	unsigned skipped;
};

static struct run convert_o(const char *text, const struct kc_conv_opts *o)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/k.conf", dir);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	struct kc_lex lx;
	struct kc_diag d = { 0 };
	struct kc_node root = { 0 };
	struct kc_val *v = kv_new(KV_GROUP, NULL);
	assert_int_equal(kc_lex_file(p, NULL, &lx, &d), 0);
	assert_int_equal(kc_tree_build(&lx, &root, &d), 0);
	kc_convert(&root, o, v, &d);
	struct run r = { .fatal = d.fatal, .skipped = d.skipped };
	size_t len;
	FILE *m = open_memstream(&r.out, &len);
	kc_write(m, v);
	fclose(m);
	m = open_memstream(&r.diag, &len);
	for (unsigned i = 0; i < d.n; i++)
		fprintf(m, "%s\n", d.lines[i] + strlen(dir) + 1);
	fclose(m);
	kv_free(v);
	kc_tree_free(&root);
	kc_lex_free(&lx);
	kc_diag_free(&d);
	return r;
}

static struct run convert(const char *text, const char *search_path)
{
	struct kc_conv_opts o = { .search_path = search_path };
	return convert_o(text, &o);
}

static void done(struct run *r)
{
	free(r->out);
	free(r->diag);
}

#define HAS(s, sub) do { if (!strstr((s), (sub))) fail_msg("missing [%s] in:\n%s", (sub), (s)); } while (0)
#define HASNT(s, sub) do { if (strstr((s), (sub))) fail_msg("unexpected [%s] in:\n%s", (sub), (s)); } while (0)

static void test_vrrp_defaults(void **state)
{
	(void)state;
	struct run r = convert(
		"vrrp_instance A {\n interface eth0\n virtual_router_id 1\n"
		" virtual_ipaddress {\n  192.0.2.1/24\n }\n}\n"
		"vrrp_instance B {\n state MASTER\n interface eth0\n virtual_router_id 2\n"
		" advert_int 1.6\n virtual_ipaddress {\n  192.0.2.2\n }\n}\n"
		"vrrp_instance C {\n interface eth0\n virtual_router_id 3\n version 2\n"
		" virtual_ipaddress {\n  2001:db8::1/64\n }\n}\n", NULL);
	/* A: version 2, accept, priority 100 written; nothing left out */
	HAS(r.out, "name = \"A\";\n      interface = \"eth0\";\n      vrid = 1;\n"
		   "      priority = 100;\n      version = 2;\n      advert_interval = 1.0;\n");
	HAS(r.out, "accept = true;");
	/* B: state MASTER without a priority is the owner; v2 rounds to seconds */
	HAS(r.out, "vrid = 2;\n      priority = 255;\n      version = 2;\n"
		   "      advert_interval = 2.0;\n      initial_state = \"master\";");
	/* C: IPv6 is always version 3 in keepalived */
	HAS(r.out, "vrid = 3;\n      priority = 100;\n      version = 3;");
	assert_string_equal(r.diag, "");
	assert_int_equal(r.skipped, 0);
	done(&r);

	r = convert("global_defs {\n vrrp_version 3\n vrrp_garp_master_repeat 2\n}\n"
		    "vrrp_instance A {\n interface eth0\n virtual_router_id 1\n advert_int 0.333\n"
		    " nopreempt\n virtual_ipaddress {\n  192.0.2.1\n }\n}\n", NULL);
	HAS(r.out, "version = 3;\n      advert_interval = 0.33;\n      preempt = false;");
	HAS(r.out, "garp = { count = 2; interval = 0.0; refresh = 0.0; delay = 5.0; };");
	done(&r);
}

/* keepalived adverts carry 20 addresses and it moves the others to the
 * excluded ones; vigil refuses more than 20, so they are written there. */
static void test_vrrp_many_addresses(void **state)
{
	(void)state;
	char text[2048];
	int n = snprintf(text, sizeof(text), "vrrp_instance A {\n interface eth0\n"
			 " virtual_router_id 1\n virtual_ipaddress {\n");
	for (int i = 1; i <= 22; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "  192.0.2.%d/24\n", i);
	snprintf(text + n, sizeof(text) - (size_t)n, " }\n virtual_ipaddress_excluded {\n"
		 "  198.51.100.1/24\n }\n}\n");
	struct run r = convert(text, NULL);
	HAS(r.out, "\"192.0.2.20/24\" ];");
	HAS(r.out, "excluded_addresses = (\n        \"192.0.2.21/24\",\n        \"192.0.2.22/24\",\n"
		   "        \"198.51.100.1/24\"\n      );");
	HAS(r.out, "past the 20 an advert carries");
	assert_string_equal(r.diag, "");
	done(&r);
}

static void test_track_weights(void **state)
{
	(void)state;
	struct run r = convert(
		"vrrp_script up {\n script /bin/true\n weight 10\n}\n"
		"vrrp_script down {\n script \"/bin/test -e /x\"\n weight -20\n}\n"
		"vrrp_instance A {\n interface eth0\n virtual_router_id 1\n priority 100\n"
		" virtual_ipaddress {\n  192.0.2.1\n }\n"
		" track_interface {\n  eth1 weight 5\n  eth2\n  eth3 weight 1 reverse\n"
		"  eth4 weight -7 reverse\n  eth5 weight 0 reverse\n }\n"
		" track_script {\n  up\n  down\n  missing\n }\n}\n", NULL);
	/* +5 and +10 while up: priority 115, and -5/-10 on failure */
	HAS(r.out, "priority = 115;");
	HAS(r.out, "{ name = \"eth1\"; weight = -5; }");
	HAS(r.out, "{ name = \"eth2\"; weight = 0; }");
	HAS(r.out, "{ name = \"up\"; weight = -10; }");
	HAS(r.out, "{ name = \"down\"; weight = -20; }");
	HAS(r.out, "{ name = \"down\"; command = \"/bin/test -e /x\"; interval = 1.0; }");
	/* reverse: keepalived's -1 while up; +7 while down; fault while up */
	HAS(r.out, "{ name = \"eth3\"; weight = -1; reverse = true; }");
	HAS(r.out, "{ name = \"eth4\"; weight = 7; }");
	HAS(r.out, "{ name = \"eth5\"; weight = 0; reverse = true; }");
	assert_string_equal(r.diag,
		"k.conf:26: not converted: track_script missing: no converted vrrp_script of that name\n");
	done(&r);

	/* past 254: not expressible */
	r = convert("vrrp_instance A {\n interface eth0\n virtual_router_id 1\n priority 250\n"
		    " virtual_ipaddress {\n  192.0.2.1\n }\n track_interface {\n  eth1 weight 10\n }\n}\n",
		    NULL);
	HAS(r.out, "priority = 250;");
	HASNT(r.out, "eth1");
	HAS(r.diag, "k.conf:9: not converted: eth1: positive weight 10: priority 250 plus");
	done(&r);
}

static void test_track_process(void **state)
{
	(void)state;
	struct run r = convert(
		"vrrp_track_process web {\n process nginx\n weight 20\n quorum 2\n delay 1.5\n}\n"
		"vrrp_track_process api {\n process /usr/bin/api -c \"/etc/api conf\"\n"
		" param_match initial\n fork_delay 0.5\n terminate_delay 2\n weight -30 reverse\n}\n"
		"vrrp_track_process none {\n process /usr/bin/x\n param_match\n quorum_max 0\n"
		" full_command\n}\n"
		"vrrp_track_process bad {\n weight 3\n}\n"
		"vrrp_sync_group G {\n group {\n  A\n }\n track_process {\n  none weight 0\n }\n}\n"
		"vrrp_instance A {\n interface eth0\n virtual_router_id 1\n priority 100\n"
		" virtual_ipaddress {\n  192.0.2.1\n }\n"
		" track_process {\n  web\n  api\n  bad\n }\n}\n", NULL);
	HAS(r.out, "{ name = \"web\"; process = \"nginx\"; delay = 1.5; quorum = 2; }");
	HAS(r.out, "process = \"/usr/bin/api\";");
	HAS(r.out, "params = [ \"-c\", \"/etc/api conf\" ];");
	HAS(r.out, "param_match = \"initial\";");
	HAS(r.out, "fork_delay = 0.5;");
	HAS(r.out, "terminate_delay = 2.0;");
	HAS(r.out, "param_match = \"exact\";");
	HAS(r.out, "quorum = 0;");
	HAS(r.out, "quorum_max = 0;");
	HAS(r.out, "full_command = true;");
	/* sync group member: the weighted ones are left out, the group's kept */
	HAS(r.out, "process web: left out, as keepalived ignores a weighted one");
	HAS(r.out, "{ name = \"none\"; weight = 0; }");
	assert_string_equal(r.diag,
		"k.conf:20: not converted: vrrp_track_process bad: no process named\n"
		"k.conf:41: not converted: track_process bad: no converted vrrp_track_process of "
		"that name\n");
	done(&r);

	/* not in a group: +20 while up (priority 120, -20 on failure); -30 reversed: +30 while down */
	r = convert(
		"vrrp_track_process web {\n process nginx\n weight 20\n}\n"
		"vrrp_track_process api {\n process api\n weight -30 reverse\n}\n"
		"vrrp_instance A {\n interface eth0\n virtual_router_id 1\n priority 100\n"
		" virtual_ipaddress {\n  192.0.2.1\n }\n"
		" track_process {\n  web\n  api\n  web weight 5 reverse\n }\n}\n", NULL);
	HAS(r.out, "priority = 120;");
	HAS(r.out, "{ name = \"web\"; weight = -20; }");
	HAS(r.out, "{ name = \"api\"; weight = 30; }");
	HAS(r.out, "{ name = \"web\"; weight = -5; reverse = true; }");
	assert_string_equal(r.diag, "");
	done(&r);
}

static void test_sync_group_members(void **state)
{
	(void)state;
	struct run r = convert(
		"vrrp_script s {\n script /bin/true\n weight -10\n}\n"
		"vrrp_sync_group G {\n group {\n  A\n  Z\n }\n notify_master /etc/m.sh\n}\n"
		"vrrp_instance A {\n interface eth0\n virtual_router_id 1\n"
		" virtual_ipaddress {\n  192.0.2.1\n }\n"
		" track_interface {\n  eth1 weight -5\n  eth2 weight 10\n }\n track_script {\n  s\n }\n}\n",
		NULL);
	/* keepalived: weighted scripts ignored; interface weights count,
	 * although it logs that it ignores them (150 + 10 is advertised as
	 * 160): a positive one raises the priority as outside a group */
	HAS(r.out, "priority = 110;");
	HAS(r.out, "{ name = \"eth1\"; weight = -5; }");
	HAS(r.out, "{ name = \"eth2\"; weight = -10; }");
	HAS(r.out, "interface eth1: weight kept: keepalived logs that it ignores it");
	HASNT(r.out, "scripts = (\n          {");
	HAS(r.out, "script s: left out, as keepalived ignores a weighted one for a sync group member");
	HAS(r.out, "instances = [ \"A\" ];");
	HAS(r.out, "notify = { master = \"/etc/m.sh\"; };");
	assert_string_equal(r.diag,
		"k.conf:8: not converted: sync group member Z: no converted vrrp_instance of that name\n");
	done(&r);
}

static void test_checks_defaults(void **state)
{
	(void)state;
	struct run r = convert(
		"virtual_server 192.0.2.1 80 {\n"
		" protocol TCP\n"
		" real_server 198.51.100.1 80 {\n"
		"  TCP_CHECK {\n  }\n"
		"  DNS_CHECK {\n  }\n"
		"  MISC_CHECK {\n   misc_path \"/bin/check 'a b'\"\n  }\n"
		"  SMTP_CHECK {\n  }\n"
		" }\n}\n", NULL);
	HAS(r.out, "check_interval = 60.0;");
	HAS(r.out, "start_up = true;");
	HAS(r.out, "scheduler = \"wlc\";");
	/* no warmup written: keepalived's default (its delay_loop) is vigil's */
	HAS(r.out, "{ type = \"tcp\"; timeout = 5.0; retry = 1; retry_delay = 1.0; }");
	HAS(r.out, "type = \"dns\";\n            timeout = 5.0;\n            retry = 3;\n"
		   "            retry_delay = 1.0;\n            query = \".\";\n            qtype = \"SOA\";");
	HAS(r.out, "keepalived queried over UDP; vigil uses the service's protocol (tcp)");
	/* MISC_CHECK: retry 0 and the service's delay_loop as timeout */
	HAS(r.out, "{ type = \"script\"; timeout = 60.0; command = \"/bin/check 'a b'\"; }");
	HAS(r.out, "helo_name = \"smtpchecker.keepalived.org\";");
	assert_string_equal(r.diag, "");
	done(&r);

	r = convert("virtual_server 192.0.2.1 80 {\n delay_loop 5\n alpha\n retry 0\n"
		    " inhibit_on_failure\n connect_timeout 2\n warmup 7\n"
		    " real_server 198.51.100.1 80 {\n  alpha off\n  delay_before_retry 0.5\n"
		    "  TCP_CHECK {\n   retry 2\n  }\n  TCP_CHECK {\n   connect_port 81\n   warmup 0\n  }\n"
		    "  HTTP_GET {\n   url {\n    path /\n   }\n   retry 1\n  }\n }\n}\n", NULL);
	HASNT(r.out, "start_up");
	HAS(r.out, "on_failure = \"inhibit\";");
	/* retry and delay_before_retry from any level; warmup likewise */
	HAS(r.out, "type = \"tcp\";\n            timeout = 2.0;\n            retry = 2;\n"
		   "            retry_delay = 0.5;\n            warmup = 7.0;\n");
	HAS(r.out, "{ type = \"tcp\"; timeout = 2.0; warmup = 0.0; connect_port = 81; }");
	HAS(r.out, "retry = 1;\n            retry_delay = 0.5;\n            warmup = 7.0;\n"
		   "            path = \"/\";");
	assert_string_equal(r.diag,
		"k.conf:9: not converted: alpha: vigil sets start_up per virtual server (down here)\n");
	done(&r);

	/* keepalived's default delay_before_retry: 3 s for HTTP, 1 s otherwise */
	r = convert("virtual_server 192.0.2.1 80 {\n real_server 198.51.100.1 80 {\n"
		    "  HTTP_GET {\n   url {\n    path /\n   }\n  }\n }\n}\n", NULL);
	HAS(r.out, "retry = 1;\n            retry_delay = 3.0;\n");
	done(&r);
}

static void test_http_status(void **state)
{
	(void)state;
	struct run r = convert(
		"virtual_server 192.0.2.1 80 {\n real_server 198.51.100.1 80 {\n  HTTP_GET {\n"
		"   url {\n    path /a\n   }\n"
		"   url {\n    path /b\n    status_code 200-204 301\n   }\n"
		"   url {\n    path /c\n    status_code 200 301\n   }\n"
		"   url {\n    path /d\n    status_code 200 201 202 203 204 205 206 207 208 209"
		" 210 211 212 213 214 215 216\n   }\n"
		"  }\n }\n}\n", NULL);
	HAS(r.out, "status = [ \"200-299\" ];");
	HAS(r.out, "status = [ \"200-204\", \"301\" ];");
	HAS(r.out, "status = [ 200, 301 ];");
	HASNT(r.out, "path = \"/d\"");
	assert_string_equal(r.diag,
		"k.conf:17: not converted: status_code: more than 16 codes and ranges, vigil's "
		"limit (the url is not checked)\n");
	done(&r);
}

/* UDP_CHECK's hex data (NUL bytes and wildcards included), and the
 * reply's length. */
static void test_udp_hex(void **state)
{
	(void)state;
	struct run r = convert(
		"virtual_server 192.0.2.1 53 {\n protocol UDP\n real_server 198.51.100.1 53 {\n"
		"  UDP_CHECK {\n   payload 00Ab 1 f\n   require_reply 00X1\n"
		"   min_reply_length 12\n   max_reply_length 512\n  }\n"
		"  UDP_CHECK {\n   connect_port 54\n   require_reply\n  }\n"
		"  UDP_CHECK {\n   connect_port 55\n   payload 0X\n   max_reply_length 9\n  }\n }\n}\n", NULL);
	HAS(r.out, "payload_hex = \"00 ab 01 0f\";");
	HAS(r.out, "reply_hex = \"00 x1\";");
	HAS(r.out, "min_reply_length = 12;");
	HAS(r.out, "max_reply_length = 512;");
	HAS(r.out, "require_reply = true;\n            # keepalived's default\n"
		   "            max_reply_length = 255;\n");
	assert_string_equal(r.diag,
		"k.conf:16: not converted: payload: 'X' is not a hexadecimal digit\n"
		"k.conf:17: not converted: max_reply_length without require_reply: keepalived "
		"does not check the length then either\n");
	done(&r);
}

/* FILE_CHECK: the track_file's path, its weight unless the checker sets
 * one, reverse and dynamic. */
static void test_file_check(void **state)
{
	(void)state;
	struct run r = convert(
		"track_file w {\n file \"/run/lb/weight\"\n weight -5 reverse\n}\n"
		"virtual_server 192.0.2.1 80 {\n real_server 198.51.100.1 80 {\n"
		"  FILE_CHECK {\n   track_file w\n   dynamic\n  }\n"
		"  FILE_CHECK {\n   track_file w\n   weight 0\n  }\n"
		"  FILE_CHECK {\n   track_file nope\n  }\n }\n}\n", NULL);
	HAS(r.out, "type = \"file\";\n            # keepalived reads the file when it changes\n"
		   "            interval = 1.0;\n            path = \"/run/lb/weight\";\n"
		   "            weight = -5;\n            reverse = true;\n"
		   "            dynamic_weight = true;\n");
	HAS(r.out, "path = \"/run/lb/weight\";\n            weight = 0;\n          }\n");
	assert_string_equal(r.diag,
		"k.conf:15: not converted: FILE_CHECK: track_file nope: no such track_file\n");
	done(&r);
}

/* regex and its options; PCRE-only patterns are reported, not kept;
 * http_protocol 1.0 and 1.0C are HTTP/1.0 requests. */
static void test_http_regex(void **state)
{
	(void)state;
	struct run r = convert(
		"virtual_server 192.0.2.1 80 {\n real_server 198.51.100.1 80 {\n  HTTP_GET {\n"
		"   url {\n    path /a\n    regex \"^(ok|up)$\"\n    regex_no_match\n"
		"    regex_min_offset 4\n    regex_max_offset 100\n   }\n"
		"   url {\n    path /b\n    regex \"\\d+ ok\"\n    regex_options caseless\n   }\n"
		"   http_protocol 1.0C\n  }\n }\n"
		" real_server 198.51.100.2 80 {\n  HTTP_GET {\n   url {\n    path /\n   }\n"
		"   http_protocol 2\n  }\n }\n}\n", NULL);
	HAS(r.out, "regex = \"^(ok|up)$\";");
	HAS(r.out, "regex_no_match = true;");
	HAS(r.out, "regex_min_offset = 4;");
	HAS(r.out, "regex_max_offset = 100;");
	HASNT(r.out, "\\d+");
	HAS(r.out, "http_version = \"1.0\";");
	assert_string_equal(r.diag,
		"k.conf:13: not converted: regex \"\\d+ ok\": not a POSIX extended expression, "
		"or PCRE syntax one does not have\n"
		"k.conf:14: not converted: regex_options: vigil's regex takes no such option\n"
		"k.conf:24: not converted: http_protocol 2: vigil sends HTTP/1.0 or HTTP/1.1 "
		"(with Connection: close or keep-alive)\n");
	done(&r);
}

static void test_commands(void **state)
{
	(void)state;
	char bin[600], exe[700];
	snprintf(bin, sizeof(bin), "%s/bin", dir);
	mkdir(bin, 0755);
	snprintf(exe, sizeof(exe), "%s/checker", bin);
	FILE *f = fopen(exe, "w");
	fputs("#!/bin/sh\n", f);
	fclose(f);
	chmod(exe, 0755);
	struct run r = convert(
		"vrrp_script a {\n script \"checker 'two words' it\\\\'s\"\n}\n"
		"vrrp_script b {\n script \"nosuchprogram\"\n}\n"
		"vrrp_script c {\n script \"</dev/tcp/127.0.0.1/80\"\n}\n"
		"vrrp_script d {\n script \"/bin/x\" someone\n}\n"
		"vrrp_instance A {\n interface eth0\n virtual_router_id 1\n"
		" virtual_ipaddress {\n  192.0.2.1\n }\n notify /etc/n.sh\n}\n", bin);
	/* found in the search path; words re-quoted for vigil's splitter */
	char want[800];
	snprintf(want, sizeof(want), "command = \"%s 'two words' 'it'\\\\''s'\";", exe);
	HAS(r.out, want);
	HAS(r.out, "{ name = \"d\"; command = \"/bin/x\"; interval = 1.0; }");
	/* keepalived's generic notify is vigil's notify.all, as written */
	HAS(r.out, "notify = { all = \"/etc/n.sh\"; };");
	HASNT(r.out, "master = \"/etc/n.sh\"");
	HAS(r.diag, "k.conf:5: not converted: script: program 'nosuchprogram' not found in ");
	HAS(r.diag, "k.conf:4: not converted: vrrp_script b: no command vigil can run\n");
	HAS(r.diag, "k.conf:8: not converted: script: '</dev/tcp/127.0.0.1/80' is a file test");
	HAS(r.diag, "k.conf:11: not converted: script: user 'someone': vigil runs every script "
		    "as global script_user\n");
	done(&r);
}

static void test_not_converted_lines(void **state)
{
	(void)state;
	struct run r = convert(
		"global_defs {\n notification_email {\n  a@example.com\n }\n frobnicate 1\n}\n"
		"virtual_server_group G {\n 192.0.2.1 80\n}\n"
		"virtual_server group G {\n}\n"
		"virtual_server 192.0.2.1 80 {\n real_server 198.51.100.1 {\n }\n"
		" real_server 198.51.100.2 80 {\n  notify_up /bin/up\n  FILE_CHECK {\n  }\n"
		"  UDP_CHECK {\n   payload 4e 0g\n  }\n }\n omega\n}\n", NULL);
	assert_string_equal(r.diag,
		"k.conf:2: not converted: notification_email: e-mail alerts: vigil sends none "
		"(use notify scripts)\n"
		"k.conf:5: not converted: 'frobnicate': no vigil equivalent here\n"
		"k.conf:17: not converted: FILE_CHECK: no track_file named\n"
		"k.conf:20: not converted: payload: 'g' is not a hexadecimal digit\n");
	assert_false(r.fatal);
	HAS(r.out, "{ type = \"udp\"; timeout = 5.0; retry = 1; retry_delay = 1.0; }");
	done(&r);

	/* nothing that vigil could run: unusable */
	r = convert("global_defs {\n router_id x\n}\n", NULL);
	assert_true(r.fatal);
	HAS(r.diag, "error: nothing converted");
	done(&r);
}

static void test_services(void **state)
{
	(void)state;
	struct run r = convert(
		"virtual_server fwmark 7 {\n lb_algo sh\n flag-1\n lb_kind DR\n"
		" persistence_granularity 255.255.255.0\n"
		" real_server 2001:db8::1 {\n  PING_CHECK {\n  }\n }\n}\n"
		"virtual_server 192.0.2.1 53 {\n protocol UDP\n ops\n persistence_timeout\n"
		" sorry_server 198.51.100.9 53\n quorum_up /bin/up\n}\n", NULL);
	HAS(r.out, "fwmark = 7;\n    family = \"inet6\";\n    scheduler = \"sh\";\n"
		   "    sh_fallback = true;\n    forwarding = \"dr\";");
	HAS(r.diag, "k.conf:5: not converted: persistence_granularity 255.255.255.0: expected 1 to 128");
	HAS(r.out, "protocol = \"udp\";");
	HAS(r.out, "persistence = { timeout = 360; };");
	HAS(r.out, "ops = true;");
	HAS(r.out, "sorry_server = { address = \"198.51.100.9\"; };");
	HAS(r.out, "on_quorum_up = \"/bin/up\";");
	done(&r);
}

/* What keepalived (since 1.3.6) makes of a service without protocol or
 * with port 0 and no persistence: UDP, and persistent for 360 s. A
 * fwmark service has no protocol; a group with addresses has. */
static void test_service_defaults(void **state)
{
	(void)state;
	struct run r = convert(
		"virtual_server 192.0.2.1 80 {\n real_server 198.51.100.1 80 {\n }\n}\n"
		"virtual_server 192.0.2.2 0 {\n protocol TCP\n lb_kind DR\n"
		" real_server 198.51.100.2 0 {\n }\n}\n"
		"virtual_server fwmark 7 {\n real_server 198.51.100.3 80 {\n }\n}\n"
		"virtual_server_group G {\n 192.0.2.3 0\n}\n"
		"virtual_server group G {\n lb_kind DR\n real_server 198.51.100.4 0 {\n }\n}\n", NULL);
	HAS(r.out, "port = 80;\n    # no protocol: keepalived's default is UDP");
	HAS(r.out, "protocol = \"udp\";\n    scheduler");
	HAS(r.out, "address = \"192.0.2.2\";\n    port = 0;\n    scheduler = \"wlc\";\n"
		   "    forwarding = \"dr\";\n"
		   "    # keepalived makes a port-0 service persistent\n"
		   "    persistence = { timeout = 360; };");
	HAS(r.out, "fwmark = 7;\n    family = \"inet\";\n    scheduler");
	HAS(r.out, "group = \"G\";\n    # no protocol: keepalived's default is UDP");
	assert_string_equal(r.diag, "");
	done(&r);
}

/* The ports keepalived gives real and sorry servers: the service's to a
 * NAT one without, and always to DR and TUN in a one-address service;
 * none to DR in a fwmark service. A quorum above the total weight is
 * lowered to it. */
static void test_keepalived_ports(void **state)
{
	(void)state;
	struct run r = convert(
		"virtual_server 192.0.2.1 80 {\n protocol TCP\n quorum 5\n"
		" sorry_server 198.51.100.9 8080\n sorry_server_lvs_method DR\n"
		" real_server 198.51.100.1 {\n weight 2\n }\n"
		" real_server 198.51.100.2 8080 {\n  lvs_method DR\n }\n"
		" real_server 198.51.100.3 8080 {\n }\n}\n"
		"virtual_server fwmark 7 {\n lb_kind DR\n real_server 198.51.100.4 80 {\n }\n}\n",
		NULL);
	HAS(r.out, "{ address = \"198.51.100.1\"; port = 80; weight = 2; }");
	HAS(r.out, "address = \"198.51.100.2\";\n"
		   "        # port 8080: keepalived resets it (DR and TUN cannot change the port)\n"
		   "        port = 80;");
	HAS(r.out, "{ address = \"198.51.100.3\"; port = 8080; weight = 1; }");
	HAS(r.out, "address = \"198.51.100.4\";\n"
		   "        # port 80: keepalived resets it (a fwmark service)\n"
		   "        port = 0;");
	HAS(r.out, "    # port 8080: keepalived resets it (DR and TUN cannot change the port)\n"
		   "    sorry_server = { address = \"198.51.100.9\"; forwarding = \"dr\"; };");
	HAS(r.out, "# quorum 5: keepalived lowers it to the real servers' total weight\n"
		   "    quorum = 4;");
	assert_string_equal(r.diag, "");
	done(&r);
}

/* keepalived's -S (a command-line flag, not a keyword) given to
 * vigil-convert -S becomes global.log_facility. */
static void test_log_facility(void **state)
{
	(void)state;
	const char *k = "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n"
			"priority 100\n virtual_ipaddress {\n 192.0.2.10/24\n }\n}\n";
	struct kc_conv_opts o = { .log_facility = "local3" };
	struct run r = convert_o(k, &o);
	HAS(r.out, "log_facility = \"local3\";");
	HAS(r.out, "keepalived -S");
	done(&r);
	r = convert(k, NULL);
	HASNT(r.out, "log_facility");
	done(&r);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* keepalived's AH authentication: the same password, type "ah" (v2);
 * keepalived keys with the first 8 characters, so does the output. */
static void test_vrrp_auth_ah(void **state)
{
	(void)state;
	struct run r = convert(
		"vrrp_instance A {\n interface eth0\n virtual_router_id 1\n"
		" authentication {\n  auth_type AH\n  auth_pass longerpassword\n }\n"
		" virtual_ipaddress {\n  192.0.2.1/24\n }\n}\n"
		"vrrp_instance B {\n interface eth0\n virtual_router_id 2\n"
		" authentication {\n  auth_type PASS\n  auth_pass s3cret\n }\n"
		" virtual_ipaddress {\n  192.0.2.2/24\n }\n}\n", NULL);
	HAS(r.out, "authentication = { type = \"ah\"; password = \"longerpa\"; };");
	HAS(r.out, "authentication = { type = \"pass\"; password = \"s3cret\"; };");
	assert_string_equal(r.diag, "");
	assert_int_equal(r.skipped, 0);
	done(&r);
}

/* keepalived's notification and announcement options that vigil now has. */
static void test_vrrp_notify_opts(void **state)
{
	(void)state;
	struct run r = convert(
		"global_defs {\n notify_fifo /run/keepalived.fifo\n vrrp_startup_delay 5\n"
		" vrrp_garp_lower_prio_repeat 2\n}\n"
		"vrrp_instance A {\n interface eth0\n virtual_router_id 1\n"
		" mcast_src_ip 192.0.2.5\n garp_master_delay 3\n garp_master_repeat 4\n"
		" virtual_ipaddress {\n  192.0.2.1/24\n }\n}\n"
		"vrrp_instance B {\n interface eth0\n virtual_router_id 2\n"
		" unicast_src_ip 192.0.2.5\n unicast_ttl 9\n garp_lower_prio_repeat 0\n"
		" unicast_peer {\n  192.0.2.6 min_ttl 5 max_ttl 10\n  192.0.2.7 min_ttl 5 max_ttl 10\n }\n"
		" virtual_ipaddress {\n  192.0.2.2/24\n }\n}\n", NULL);
	HAS(r.out, "notify_fifo = \"/run/keepalived.fifo\";");
	HAS(r.out, "vrrp_startup_delay = 5.0;");
	HAS(r.out, "addresses = [ \"192.0.2.1/24\" ];\n      source = \"192.0.2.5\";");
	HAS(r.out, "count = 4;\n        interval = 0.0;\n        refresh = 0.0;\n"
		   "        delay = 3.0;\n        lower_prio_count = 2;");
	HAS(r.out, "peers = [ \"192.0.2.6\", \"192.0.2.7\" ];\n        ttl = 9;\n"
		   "        min_ttl = 5;\n        max_ttl = 10;");
	HAS(r.out, "delay = 5.0;\n        lower_prio_count = 0;\n      };");
	assert_string_equal(r.diag, "");
	done(&r);

	r = convert("global_defs {\n vrrp_notify_fifo /run/v.fifo\n lvs_notify_fifo /run/l.fifo\n}\n",
		    NULL);
	HAS(r.out, "notify_fifo = \"/run/v.fifo\";");
	HAS(r.diag, "k.conf:2: not converted: vrrp_notify_fifo: vigil writes its VRRP and "
		    "real-server lines alike to global.notify_fifo\n");
	HAS(r.diag, "k.conf:3: not converted: lvs_notify_fifo: vigil writes one FIFO "
		    "(/run/v.fifo, line 2)\n");
	done(&r);

	r = convert("vrrp_instance A {\n interface eth0\n virtual_router_id 1\n"
		    " unicast_peer {\n  192.0.2.6 min_ttl 5\n  192.0.2.7 min_ttl 6\n }\n"
		    " virtual_ipaddress {\n  192.0.2.2/24\n }\n}\n", NULL);
	HAS(r.diag, "k.conf:6: not converted: unicast_peer: TTL ranges differ between peers");
	done(&r);
}

/* A virtual server on an excluded address of a strict instance: strict
 * keepalived drops its traffic too; converted with accept and a note. */
static void test_strict_excluded_vs(void **state)
{
	(void)state;
	struct run r = convert(
		"global_defs {\n vrrp_strict\n}\n"
		"vrrp_instance A {\n interface eth0\n virtual_router_id 1\n version 3\n"
		" virtual_ipaddress {\n  192.0.2.1/24\n }\n"
		" virtual_ipaddress_excluded {\n  198.51.100.7/24\n }\n}\n"
		"virtual_server 198.51.100.7 80 {\n protocol TCP\n"
		" real_server 203.0.113.1 80 {\n }\n}\n", NULL);
	HAS(r.out, "accept = true;");
	HAS(r.diag, "k.conf:4: not converted: vrrp_instance A: strict mode drops the traffic of "
		    "the virtual server on 198.51.100.7/24 (keepalived's too); converted with "
		    "accept = true");
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vrrp_defaults),
		cmocka_unit_test(test_vrrp_many_addresses),
		cmocka_unit_test(test_vrrp_auth_ah),
		cmocka_unit_test(test_vrrp_notify_opts),
		cmocka_unit_test(test_track_weights),
		cmocka_unit_test(test_track_process),
		cmocka_unit_test(test_sync_group_members),
		cmocka_unit_test(test_checks_defaults),
		cmocka_unit_test(test_http_status),
		cmocka_unit_test(test_http_regex),
		cmocka_unit_test(test_udp_hex),
		cmocka_unit_test(test_file_check),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_not_converted_lines),
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_log_facility),
		cmocka_unit_test(test_service_defaults),
		cmocka_unit_test(test_keepalived_ports),
		cmocka_unit_test(test_strict_excluded_vs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
