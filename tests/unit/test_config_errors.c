/*
 * test_config_errors: every broken configuration yields exactly the
 * expected "FILE:LINE: message" lines, all of them, in order.
 *
 * Table-driven: each case is a config text written to a temp file and the
 * list of lines expected, written as "LINE: message" (the file name is
 * the temp file's and is prefixed by the test). Each case is its own
 * cmocka test, so a failure names the case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#define MAX_EXPECT 5

struct err_case {
	const char *name;
	const char *text;
	const char *expect[MAX_EXPECT + 1];   /* "LINE: message", NULL-terminated */
};

/* A valid VRRP section, for cases about virtual servers alone to not
 * depend on it, and the other way round. */
#define VRRP_OK "vrrp = { instances = ( { name = \"VI_1\"; interface = \"eth0\"; vrid = 1; addresses = [ \"192.0.2.1/24\" ]; } ); };\n"
#define VS_OK "virtual_servers = ( { address = \"192.0.2.10\"; port = 80; } );\n"
/* One instance on one line: KEYS are added to a valid one. */
#define INST(keys) "vrrp = { instances = ( { name = \"VI_1\"; interface = \"eth0\"; vrid = 1; addresses = [ \"192.0.2.1/24\" ]; " keys " } ); };\n"
/* One real server on line 3 of a VS at line 2. */
#define RS(keys) \
	"virtual_servers = (\n" \
	"  { name = \"web\"; address = \"192.0.2.10\"; port = 80; real_servers = (\n" \
	"    { address = \"198.51.100.11\"; port = 80; " keys " }\n" \
	"  ); }\n" \
	");\n"
/* One check on line 3. */
#define CHECK(keys) RS("checks = ( { " keys " } );")

static const struct err_case cases[] = {
	{ "sync_threshold_not_below_period",
	  "global = {\n  ipvs_sync_threshold = [ 50, 50 ]; ipvs_sync_retries = 4; };\n" VS_OK,
	  { "2: global: ipvs_sync_threshold: threshold 50 must be below the period 50 (or the period 0)",
	    "2: global: ipvs_sync_retries 4 out of range (0..3)" } },
	{ "sync_threshold_shape",
	  "global = {\n  ipvs_sync_threshold = 2; };\n" VS_OK,
	  { "2: global: ipvs_sync_threshold: expected a list" } },
	{ "sync_threshold_one_value",
	  "global = {\n  ipvs_sync_threshold = [ 2 ]; };\n" VS_OK,
	  { "2: global: ipvs_sync_threshold: expected [ THRESHOLD, PERIOD ], two integers (PERIOD 0..65535)" } },
	{ "rs_bad_address",
	  "virtual_servers = (\n"
	  "  { address = \"192.0.2.10\"; port = 80; real_servers = (\n"
	  "    { address = \"198.51.100.300\"; port = 80; }\n"
	  "  ); }\n"
	  ");\n",
	  { "3: real server 198.51.100.300: not an IP address" } },
	{ "vs_bad_address_named",
	  "virtual_servers = ( { name = \"web\"; address = \"192.0.2.1000\"; port = 80; } );\n",
	  { "1: virtual server web: address 192.0.2.1000: not an IP address" } },
	{ "vs_port_zero",
	  "virtual_servers = ( { address = \"192.0.2.10\";\n port = 0; } );\n",
	  { "2: virtual server 192.0.2.10: port 0 (all ports): needs persistence" } },
	{ "vsg_errors",
	  "virtual_server_groups = (\n"
	  "  { name = \"g\"; members = ( { address = \"192.0.2.1\"; port = 80; },\n"
	  "    { range = \"192.0.2.9-5\"; port = 80; }, { address = \"192.0.2.2\"; fwmark = 3; },\n"
	  "    { range = \"192.0.2.1-2\"; port = 80; }, { address = \"2001:db8::1\"; port = 80; } ); },\n"
	  "  { name = \"g2\"; members = ( { fwmark = 4; port = 1; }, { address = \"192.0.2.7\"; port = 0; } ); }\n"
	  ");\n" VS_OK,
	  { "3: virtual server group g: range 192.0.2.9-5: the last byte after the dash must be "
	    "from the address's to 255",
	    "3: virtual server group g: a member has one of address, range or fwmark",
	    "4: virtual server group g: IPv4 and IPv6 addresses in one group",
	    "5: virtual server group g2: port: not used with fwmark (the mark selects the traffic)" } },
	{ "vsg_refs",
	  "virtual_server_groups = (\n"
	  "  { name = \"g\"; members = ( { address = \"192.0.2.1\"; port = 80; },\n"
	  "    { range = \"192.0.2.1-2\"; port = 80; } ); },\n"
	  "  { name = \"z\"; members = ( { address = \"192.0.2.7\"; port = 0; } ); }\n"
	  ");\n"
	  "virtual_servers = ( { group = \"h\"; }, { group = \"g\"; port = 80; },\n"
	  "  { address = \"192.0.2.2\"; port = 80; } );\n",
	  { "6: virtual server group:h: group \"h\": no such virtual server group",
	    "6: virtual server group:g: port: not used with group (the group's members are the services)",
	    "6: virtual server group:g: service 192.0.2.1:80: twice in group g",
	    "7: virtual server 192.0.2.2:80: service 192.0.2.2:80 is already served by the "
	    "virtual server at line 6" } },
	{ "vsg_port_zero",
	  "virtual_server_groups = ( { name = \"z\"; members = ( { address = \"192.0.2.7\"; port = 0; } ); } );\n"
	  "virtual_servers = ( { group = \"z\"; } );\n",
	  { "2: virtual server group:z: group z: a port-0 (all ports) member needs persistence" } },
	{ "tunnel_errors",
	  "virtual_servers = ( { address = \"192.0.2.10\"; port = 80; forwarding = \"tun\";\n"
	  "  tunnel = { type = \"gue\"; };\n"
	  "  real_servers = ( { address = \"198.51.100.11\"; port = 80; tunnel = { type = \"ipip\"; checksum = \"on\"; }; },\n"
	  "    { address = \"198.51.100.12\"; port = 80; tunnel = { type = \"gre\"; port = 1; checksum = \"remote\"; }; } ); } );\n",
	  { "2: virtual server 192.0.2.10:80: tunnel: type \"gue\": needs a port (the UDP port of the encapsulation)",
	    "3: real server 198.51.100.11:80: tunnel: checksum: ipip has none (gue or gre)",
	    "4: real server 198.51.100.12:80: tunnel: port: only for type \"gue\"",
	    "4: real server 198.51.100.12:80: tunnel: checksum \"remote\": only for type \"gue\"" } },
	{ "tunnel_not_tun", RS("tunnel = { type = \"gre\"; };"),
	  { "3: real server 198.51.100.11:80: tunnel: needs forwarding \"tun\"" } },
	{ "ipvs_timeouts",
	  "global = { ipvs_timeouts = { tcp = 0; tcpfin = 3;\n udp = 9999999; }; };\n" VS_OK,
	  { "1: global: ipvs_timeouts: unknown key 'tcpfin' (did you mean 'tcp_fin'?)",
	    "1: global: ipvs_timeouts: tcp 0 out of range (1..2073600)",
	    "2: global: ipvs_timeouts: udp 9999999 out of range (1..2073600)" } },
	{ "rs_port_zero_nat",
	  "virtual_servers = (\n"
	  "  { address = \"192.0.2.10\"; port = 80; real_servers = (\n"
	  "    { address = \"198.51.100.11\"; port = 0; },\n"
	  "    { address = \"198.51.100.12\"; port = 0; forwarding = \"dr\"; }\n"
	  "  ); }\n"
	  ");\n",
	  { "3: real server 198.51.100.11: port 0: only for a dr or tun real server, or in a "
	    "firewall-mark or all-ports service (NAT needs a port)" } },
	{ "rs_port_too_big",
	  "virtual_servers = (\n"
	  "  { address = \"192.0.2.10\"; port = 80; real_servers = (\n"
	  "    { address = \"198.51.100.11\"; port = 70000; }\n"
	  "  ); }\n"
	  ");\n",
	  { "3: real server 198.51.100.11: port 70000 out of range (0..65535)" } },
	{ "vs_missing_port",
	  "virtual_servers = ( { address = \"192.0.2.10\"; } );\n",
	  { "1: virtual server 192.0.2.10: missing 'port'" } },
	{ "unknown_scheduler_listed",
	  "virtual_servers = ( { address = \"192.0.2.10\"; port = 80; scheduler = \"random\"; } );\n",
	  { "1: virtual server 192.0.2.10:80: unknown scheduler \"random\" (expected rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf or mh)" } },
	{ "unknown_scheduler_suggested",
	  "virtual_servers = ( { address = \"192.0.2.10\"; port = 80; scheduler = \"wcl\"; } );\n",
	  { "1: virtual server 192.0.2.10:80: unknown scheduler \"wcl\" (did you mean \"wlc\"?)" } },
	{ "unknown_forwarding",
	  "virtual_servers = ( { address = \"192.0.2.10\"; port = 80; forwarding = \"route\"; } );\n",
	  { "1: virtual server 192.0.2.10:80: unknown forwarding \"route\" (expected nat, dr or tun)" } },
	{ "unknown_protocol",
	  "virtual_servers = ( { address = \"192.0.2.10\"; port = 80; protocol = \"icmp\"; } );\n",
	  { "1: virtual server 192.0.2.10:80: unknown protocol \"icmp\" (expected tcp, udp or sctp)" } },
	{ "unknown_check_type", CHECK("type = \"htpp\";"),
	  { "3: real server 198.51.100.11:80: check #1: unknown check type \"htpp\" (did you mean \"http\"?)" } },
	{ "check_missing_type", CHECK("path = \"/\";"),
	  { "3: real server 198.51.100.11:80: check #1: missing 'type'" } },
	{ "vrid_zero",
	  "vrrp = { instances = ( { name = \"VI_1\"; interface = \"eth0\"; vrid = 0; addresses = [ \"192.0.2.1/24\" ]; } ); };\n",
	  { "1: vrrp instance VI_1: vrid 0 out of range (1..255)" } },
	{ "vrid_256",
	  "vrrp = { instances = ( { name = \"VI_1\"; interface = \"eth0\";\n"
	  "  vrid = 256; addresses = [ \"192.0.2.1/24\" ]; } ); };\n",
	  { "2: vrrp instance VI_1: vrid 256 out of range (1..255)" } },
	{ "priority_0", INST("priority = 0;"),
	  { "1: vrrp instance VI_1: priority 0 out of range (1..255)" } },
	{ "priority_256", INST("priority = 256;"),
	  { "1: vrrp instance VI_1: priority 256 out of range (1..255)" } },
	{ "version_4", INST("version = 4;"),
	  { "1: vrrp instance VI_1: version 4: expected 2 or 3" } },
	{ "v2_fractional_advert", INST("version = 2; advert_interval = 1.5;"),
	  { "1: vrrp instance VI_1: advert_interval 1.5: VRRPv2 needs whole seconds" } },
	{ "v3_advert_not_centiseconds", INST("advert_interval = 0.015;"),
	  { "1: vrrp instance VI_1: advert_interval 0.015: VRRPv3 needs a multiple of 0.01 s" } },
	{ "v3_advert_too_long", INST("advert_interval = 41;"),
	  { "1: vrrp instance VI_1: advert_interval 41 out of range for VRRPv3 (0.01..40.95)" } },
	{ "v3_authentication", INST("authentication = { type = \"pass\"; password = \"x\"; };"),
	  { "1: vrrp instance VI_1: authentication: VRRPv3 has no authentication (RFC 5798)" } },
	{ "v2_password_too_long",
	  INST("version = 2; authentication = { type = \"pass\"; password = \"123456789\"; };"),
	  { "1: vrrp instance VI_1: authentication: password longer than 8 characters" } },
	{ "v2_ah_no_password", INST("version = 2; authentication = { type = \"ah\"; };"),
	  { "1: vrrp instance VI_1: authentication: missing 'password'" } },
	{ "v2_ah_password_too_long",
	  INST("version = 2; authentication = { type = \"ah\"; password = \"123456789\"; };"),
	  { "1: vrrp instance VI_1: authentication: password longer than 8 characters" } },
	{ "v2_auth_type", INST("version = 2; authentication = { type = \"md5\"; };"),
	  { "1: vrrp instance VI_1: authentication: unknown type \"md5\" (expected none, pass or ah)" } },
	{ "unicast_min_above_max",
	  INST("unicast = { peers = [ \"192.0.2.2\" ]; min_ttl = 9; max_ttl = 8; };"),
	  { "1: vrrp instance VI_1: unicast: min_ttl 9 above max_ttl 8" } },
	{ "unicast_ttl_0", INST("unicast = { peers = [ \"192.0.2.2\" ]; ttl = 0; };"),
	  { "1: vrrp instance VI_1: unicast: ttl 0 out of range (1..255)" } },
	{ "source_family", INST("source = \"2001:db8::1\";"),
	  { "1: vrrp instance VI_1: source: not of the addresses' family" } },
	{ "garp_lower_prio_count", INST("garp = { lower_prio_count = 101; };"),
	  { "1: vrrp instance VI_1: garp: lower_prio_count 101 out of range (0..100)" } },
	{ "notify_fifo_relative", "global = { notify_fifo = \"vigil.fifo\"; };\n" VRRP_OK,
	  { "1: global: notify_fifo \"vigil.fifo\": must be an absolute path" } },
	{ "v2_ipv6",
	  "vrrp = { instances = ( { name = \"VI_6\"; interface = \"eth0\"; vrid = 1; version = 2;\n"
	  "  addresses = [ \"2001:db8::1/64\" ]; } ); };\n",
	  { "2: vrrp instance VI_6: addresses: VRRPv2 is IPv4 only (use version = 3)" } },
	{ "mixed_families",
	  "vrrp = { instances = ( { name = \"VI_1\"; interface = \"eth0\"; vrid = 1;\n"
	  "  addresses = [ \"192.0.2.1/24\",\n"
	  "                \"2001:db8::1/64\" ]; } ); };\n",
	  { "3: vrrp instance VI_1: address 2001:db8::1/64: mixed address families in one instance (IPv6 here, IPv4 before; use one instance per family)" } },
	{ "mixed_families_peer", INST("unicast = { peers = [ \"2001:db8::2\" ]; };"),
	  { "1: vrrp instance VI_1: unicast: peer 2001:db8::2: mixed address families in one instance (IPv6 here, IPv4 before; use one instance per family)" } },
	{ "bad_vip",
	  "vrrp = { instances = ( { name = \"VI_1\"; interface = \"eth0\"; vrid = 1;\n"
	  "  addresses = [ \"192.0.2.1/33\", \"192.0.2.2/24\" ]; } ); };\n",
	  { "2: vrrp instance VI_1: address 192.0.2.1/33: not an address or address/prefix" } },
	{ "duplicate_rs",
	  "virtual_servers = (\n"
	  "  { address = \"192.0.2.10\"; port = 80; real_servers = (\n"
	  "    { address = \"198.51.100.11\"; port = 80; },\n"
	  "    { address = \"198.51.100.12\"; port = 80; },\n"
	  "    { address = \"198.51.100.11\"; port = 80; weight = 2; }\n"
	  "  ); }\n"
	  ");\n",
	  { "5: real server 198.51.100.11:80: listed twice in this virtual server (first at line 3)" } },
	{ "duplicate_vs_service",
	  "virtual_servers = (\n"
	  "  { name = \"a\"; address = \"192.0.2.10\"; port = 80; },\n"
	  "  { name = \"b\"; address = \"192.0.2.10\"; port = 80; protocol = \"udp\"; },\n"
	  "  { name = \"c\"; address = \"192.0.2.10\"; port = 80; }\n"
	  ");\n",
	  { "4: virtual server c: same service as the virtual server at line 2" } },
	{ "duplicate_vs_fwmark",
	  "virtual_servers = (\n"
	  "  { fwmark = 7; },\n"
	  "  { fwmark = 7; family = \"inet6\"; },\n"
	  "  { fwmark = 7; family = \"inet\"; }\n"
	  ");\n",
	  { "4: virtual server fwmark:7: same service as the virtual server at line 2" } },
	{ "duplicate_vs_name",
	  "virtual_servers = (\n"
	  "  { name = \"web\"; address = \"192.0.2.10\"; port = 80; },\n"
	  "  { name = \"web\"; address = \"192.0.2.10\"; port = 443; }\n"
	  ");\n",
	  { "3: virtual server web: name already used by the virtual server at line 2" } },
	{ "duplicate_vrid",
	  "vrrp = { instances = (\n"
	  "  { name = \"A\"; interface = \"eth0\"; vrid = 9; addresses = [ \"192.0.2.1\" ]; },\n"
	  "  { name = \"B\"; interface = \"eth0\"; vrid = 9; addresses = [ \"2001:db8::1\" ]; },\n"
	  "  { name = \"C\"; interface = \"eth1\"; vrid = 9; addresses = [ \"192.0.2.2\" ]; },\n"
	  "  { name = \"D\"; interface = \"eth0\";\n"
	  "    vrid = 9; addresses = [ \"192.0.2.3\" ]; }\n"
	  "); };\n",
	  { "6: vrrp instance D: vrid 9 on eth0 (IPv4) already used by vrrp instance A at line 2" } },
	{ "duplicate_instance_name",
	  "vrrp = { instances = (\n"
	  "  { name = \"A\"; interface = \"eth0\"; vrid = 1; addresses = [ \"192.0.2.1\" ]; },\n"
	  "  { name = \"A\"; interface = \"eth0\"; vrid = 2; addresses = [ \"192.0.2.2\" ]; }\n"
	  "); };\n",
	  { "3: vrrp instance A: name already used by the vrrp instance at line 2" } },
	{ "unknown_key_after_valid",
	  INST("")
	  "vrrp_extra = 1;\n",
	  { "2: unknown key 'vrrp_extra'" } },
	{ "sync_group_unknown",
	  "vrrp = {\n"
	  "  instances = ( { name = \"VI_1\"; interface = \"eth0\"; vrid = 1; addresses = [ \"192.0.2.1\" ]; } );\n"
	  "  sync_groups = ( { name = \"G1\"; instances = [ \"VI_1\",\n"
	  "                                              \"VI_2\" ]; } );\n"
	  "};\n",
	  { "4: sync group G1: unknown vrrp instance 'VI_2'" } },
	{ "sync_group_twice",
	  "vrrp = {\n"
	  "  instances = ( { name = \"VI_1\"; interface = \"eth0\"; vrid = 1; addresses = [ \"192.0.2.1\" ]; } );\n"
	  "  sync_groups = ( { name = \"G1\"; instances = [ \"VI_1\" ]; },\n"
	  "                  { name = \"G2\"; instances = [ \"VI_1\" ]; } );\n"
	  "};\n",
	  { "4: sync group G2: vrrp instance 'VI_1' is already in sync group G1" } },
	{ "track_unknown_script",
	  "vrrp = {\n"
	  "  scripts = ( { name = \"chk_nginx\"; command = \"/bin/true\"; } );\n"
	  "  instances = ( { name = \"VI_1\"; interface = \"eth0\"; vrid = 1; addresses = [ \"192.0.2.1\" ];\n"
	  "    track = { scripts = ( { name = \"chk_ngnix\"; weight = -10; } ); }; } );\n"
	  "};\n",
	  { "4: vrrp instance VI_1: track scripts: unknown script 'chk_ngnix' (not defined in vrrp.scripts)" } },
	{ "track_unknown_process",
	  "vrrp = {\n"
	  "  processes = ( { name = \"web\"; process = \"nginx\"; } );\n"
	  "  instances = ( { name = \"VI_1\"; interface = \"eth0\"; vrid = 1; addresses = [ \"192.0.2.1\" ];\n"
	  "    track = { processes = ( { name = \"wbe\"; weight = -10; } ); }; } );\n"
	  "  sync_groups = ( { name = \"G\"; instances = [ \"VI_1\" ];\n"
	  "    track = { processes = ( { name = \"api\"; reverse = 1; } ); }; } );\n"
	  "};\n",
	  { "4: vrrp instance VI_1: track processes: unknown process 'wbe' (not defined in vrrp.processes)",
	    "6: sync group G: track processes: reverse: expected a boolean (true or false)",
	    "6: sync group G: track processes: unknown process 'api' (not defined in vrrp.processes)" } },
	{ "process_errors",
	  "vrrp = {\n"
	  "  processes = ( { name = \"a\"; },\n"
	  "    { name = \"b\"; process = \"x\"; quorum = 3; quorum_max = 2; param_match = \"partial\"; },\n"
	  "    { name = \"a\"; process = \"y\"; delay = -1; } );\n"
	  "  instances = ( { name = \"VI_1\"; interface = \"eth0\"; vrid = 1; addresses = [ \"192.0.2.1\" ]; } );\n"
	  "};\n",
	  { "2: vrrp process a: missing 'process'",
	    "3: vrrp process b: param_match partial: needs params",
	    "3: vrrp process b: quorum_max 2: less than quorum 3",
	    "4: vrrp process a: delay -1: must be zero or more",
	    "4: vrrp process a: name already used by the process at line 2" } },
	{ "script_without_command",
	  "vrrp = {\n"
	  "  scripts = ( { name = \"chk\"; },\n"
	  "              { name = \"chk2\"; command = \"\"; } );\n"
	  "  instances = ( { name = \"VI_1\"; interface = \"eth0\"; vrid = 1; addresses = [ \"192.0.2.1\" ]; } );\n"
	  "};\n",
	  { "2: vrrp script chk: missing 'command'",
	    "3: vrrp script chk2: command: must not be empty" } },
	{ "unknown_key_suggested",
	  "virtual_servers = ( { address = \"192.0.2.10\"; port = 80;\n"
	  "  schedular = \"rr\"; } );\n",
	  { "2: virtual server 192.0.2.10:80: unknown key 'schedular' (did you mean 'scheduler'?)" } },
	{ "unknown_key_top_level", "virtual_server = ();\n" VRRP_OK,
	  { "1: unknown key 'virtual_server' (did you mean 'virtual_servers'?)" } },
	{ "unknown_key_plain", "global = { colour = \"blue\"; };\n" VS_OK,
	  { "1: global: unknown key 'colour'" } },
	{ "key_wrong_check_type", CHECK("type = \"tcp\"; path = \"/\";"),
	  { "3: real server 198.51.100.11:80: tcp check: 'path' does not apply to a tcp check" } },
	{ "half_open_on_http", CHECK("type = \"http\"; half_open = true;"),
	  { "3: real server 198.51.100.11:80: http check: 'half_open' does not apply to a http check" } },
	{ "half_open_not_bool", CHECK("type = \"tcp\"; half_open = 1;"),
	  { "3: real server 198.51.100.11:80: tcp check: half_open: expected a boolean (true or false)" } },
	{ "expected_integer",
	  "virtual_servers = ( { address = \"192.0.2.10\"; port = \"80\"; } );\n",
	  { "1: virtual server 192.0.2.10: port: expected an integer" } },
	{ "expected_number", CHECK("type = \"tcp\"; timeout = \"3s\";"),
	  { "3: real server 198.51.100.11:80: tcp check: timeout: expected a number" } },
	{ "expected_string", "global = { router_id = 1; };\n" VS_OK,
	  { "1: global: router_id: expected a string" } },
	{ "expected_boolean", "global = { script_security = \"yes\"; };\n" VS_OK,
	  { "1: global: script_security: expected a boolean (true or false)" } },
	{ "expected_list", "virtual_servers = { address = \"192.0.2.10\"; };\n",
	  { "1: virtual_servers: expected a list",
	    "1: nothing to do: neither virtual_servers nor vrrp is configured" } },
	{ "nothing_to_do", "global = { router_id = \"lb1\"; };\n",
	  { "1: nothing to do: neither virtual_servers nor vrrp is configured" } },
	{ "nothing_to_do_empty", "",
	  { "1: nothing to do: neither virtual_servers nor vrrp is configured" } },
	{ "weight_negative", RS("weight = -1;"),
	  { "3: real server 198.51.100.11:80: weight -1 out of range (0..65535)" } },
	{ "rise_fall_zero", CHECK("type = \"tcp\"; rise = 0; fall = 0;"),
	  { "3: real server 198.51.100.11:80: tcp check: rise 0: must be at least 1",
	    "3: real server 198.51.100.11:80: tcp check: fall 0: must be at least 1" } },
	{ "timeout_zero", CHECK("type = \"tcp\"; timeout = 0.0;"),
	  { "3: real server 198.51.100.11:80: tcp check: timeout 0: must be positive" } },
	{ "timeout_negative", CHECK("type = \"tcp\"; timeout = -1;"),
	  { "3: real server 198.51.100.11:80: tcp check: timeout -1: must be positive" } },
	{ "status_out_of_range", CHECK("type = \"http\"; status = [ 200, 99, 600 ];"),
	  { "3: real server 198.51.100.11:80: http check: status 99 out of range (100..599)",
	    "3: real server 198.51.100.11:80: http check: status 600 out of range (100..599)" } },
	{ "status_ranges_bad", CHECK("type = \"http\"; status = ( \"200-\", \"300-299\", \"abc\", \"500-600\" );"),
	  { "3: real server 198.51.100.11:80: http check: status \"200-\": expected CODE or LOW-HIGH",
	    "3: real server 198.51.100.11:80: http check: status 300-299: the range ends before it starts",
	    "3: real server 198.51.100.11:80: http check: status \"abc\": expected CODE or LOW-HIGH",
	    "3: real server 198.51.100.11:80: http check: status 500-600 out of range (100..599)" } },
	{ "status_float", CHECK("type = \"http\"; status = 1.5;"),
	  { "3: real server 198.51.100.11:80: http check: status: expected a list of codes or \"LOW-HIGH\" ranges" } },
	{ "regex_bad", CHECK("type = \"http\"; regex = \"(unclosed\"; regex_max_offset = 0;"),
	  { "3: real server 198.51.100.11:80: http check: regex \"(unclosed\": Unmatched ( or \\(",
	    "3: real server 198.51.100.11:80: http check: regex_max_offset 0: must be at least 1" } },
	{ "regex_options_alone", CHECK("type = \"https\"; regex_no_match = true; regex_min_offset = 4;"),
	  { "3: real server 198.51.100.11:80: https check: regex_no_match: needs a regex",
	    "3: real server 198.51.100.11:80: https check: regex_min_offset: needs a regex" } },
	{ "regex_offsets_crossed", CHECK("type = \"http\"; regex = \"x\"; regex_min_offset = 8; regex_max_offset = 8;"),
	  { "3: real server 198.51.100.11:80: http check: regex_max_offset 8: not past regex_min_offset 8" } },
	{ "http_version_bad", CHECK("type = \"http\"; http_version = \"2\";"),
	  { "3: real server 198.51.100.11:80: http check: unknown HTTP version \"2\" (expected 1.0 or 1.1)" } },
	{ "regex_on_tcp", CHECK("type = \"tcp\"; regex = \"x\";"),
	  { "3: real server 198.51.100.11:80: tcp check: 'regex' does not apply to a tcp check" } },
	{ "retry_delay_alone", CHECK("type = \"tcp\"; retry_delay = 2; warmup = -1; retry = 1001;"),
	  { "3: real server 198.51.100.11:80: tcp check: retry 1001 out of range (0..1000)",
	    "3: real server 198.51.100.11:80: tcp check: retry_delay: needs retry (how many times a failed check is retried)",
	    "3: real server 198.51.100.11:80: tcp check: warmup -1: must be zero or more" } },
	{ "udp_hex_bad", CHECK("type = \"udp\"; payload_hex = \"4e5\"; reply_hex = \"4g\"; payload = \"x\";"),
	  { "3: real server 198.51.100.11:80: udp check: payload_hex \"4e5\": expected pairs of hexadecimal digits (at offset 3)",
	    "3: real server 198.51.100.11:80: udp check: reply_hex \"4g\": expected pairs of hexadecimal digits or x (at offset 1)",
	    "3: real server 198.51.100.11:80: udp check: payload and payload_hex are mutually exclusive" } },
	{ "udp_lengths_bad", CHECK("type = \"udp\"; payload_hex = \" \"; min_reply_length = 10; max_reply_length = 9; reply_hex = \"xx\";"),
	  { "3: real server 198.51.100.11:80: udp check: payload_hex: no bytes",
	    "3: real server 198.51.100.11:80: udp check: max_reply_length 9: less than min_reply_length 10" } },
	{ "udp_wildcard_in_payload", CHECK("type = \"udp\"; payload_hex = \"4x\";"),
	  { "3: real server 198.51.100.11:80: udp check: payload_hex \"4x\": expected pairs of hexadecimal digits (at offset 1)" } },
	{ "reply_hex_on_dns", CHECK("type = \"dns\"; query = \"x\"; reply_hex = \"00\";"),
	  { "3: real server 198.51.100.11:80: dns check: 'reply_hex' does not apply to a dns check" } },
	{ "file_check_bad", CHECK("type = \"file\"; path = \"w\"; weight = 70000; reverse = 1;"),
	  { "3: real server 198.51.100.11:80: file check: path \"w\": must be an absolute path",
	    "3: real server 198.51.100.11:80: file check: weight 70000 out of range (-65535..65535)",
	    "3: real server 198.51.100.11:80: file check: reverse: expected a boolean (true or false)" } },
	{ "file_check_switch_dynamic", CHECK("type = \"file\"; weight = 0; dynamic_weight = true;"),
	  { "3: real server 198.51.100.11:80: file check: missing 'path'",
	    "3: real server 198.51.100.11:80: file check: dynamic_weight: weight 0 makes the file an on/off switch, with no weight to add" } },
	{ "digest_not_hex", CHECK("type = \"http\"; digest = \"d41d8cd98f00b204e9800998ecf8427g\";"),
	  { "3: real server 198.51.100.11:80: http check: digest \"d41d8cd98f00b204e9800998ecf8427g\": expected 32 hexadecimal digits (an MD5 sum)" } },
	{ "digest_short", CHECK("type = \"https\"; digest = \"abc\";"),
	  { "3: real server 198.51.100.11:80: https check: digest \"abc\": expected 32 hexadecimal digits (an MD5 sum)" } },
	{ "dns_missing_query", CHECK("type = \"dns\"; expect = [ \"192.0.2.300\" ];"),
	  { "3: real server 198.51.100.11:80: dns check: missing 'query'",
	    "3: real server 198.51.100.11:80: dns check: expect 192.0.2.300: not an IP address" } },
	{ "script_check_no_command", CHECK("type = \"script\";"),
	  { "3: real server 198.51.100.11:80: script check: missing 'command'" } },
	{ "address_and_fwmark",
	  "virtual_servers = ( { name = \"x\"; address = \"192.0.2.10\"; port = 80; fwmark = 1; } );\n",
	  { "1: virtual server x: address and fwmark are mutually exclusive",
	    "1: virtual server x: port: not used with fwmark (the mark selects the traffic)" } },
	{ "neither_address_nor_fwmark",
	  "virtual_servers = ( { protocol = \"tcp\"; } );\n",
	  { "1: virtual server #1: needs either address and port, or fwmark" } },
	{ "sorry_bad_address",
	  "virtual_servers = ( { name = \"web\"; address = \"192.0.2.10\"; port = 80;\n"
	  "  sorry_server = { address = \"198.51.100.999\"; }; } );\n",
	  { "2: virtual server web: sorry_server: address 198.51.100.999: not an IP address" } },
	{ "sorry_other_family",
	  "virtual_servers = ( { name = \"web\"; address = \"192.0.2.10\"; port = 80;\n"
	  "  sorry_server = { address = \"2001:db8::99\"; }; } );\n",
	  { "2: virtual server web: sorry_server: IPv6 address in an IPv4 virtual server" } },
	{ "rs_other_family",
	  "virtual_servers = (\n"
	  "  { address = \"2001:db8::10\"; port = 80; real_servers = (\n"
	  "    { address = \"198.51.100.11\"; }\n"
	  "  ); }\n"
	  ");\n",
	  { "3: real server 198.51.100.11: IPv4 real server in an IPv6 virtual server" } },
	{ "rs_other_family_fwmark",
	  "virtual_servers = (\n"
	  "  { fwmark = 5; family = \"inet6\"; real_servers = (\n"
	  "    { address = \"198.51.100.11\"; }\n"
	  "  ); }\n"
	  ");\n",
	  { "3: real server 198.51.100.11: IPv4 real server in an IPv6 virtual server" } },
	{ "persistence_netmask",
	  "virtual_servers = ( { name = \"web\"; address = \"192.0.2.10\"; port = 80;\n"
	  "  persistence = { timeout = 300;\n"
	  "                  netmask = \"255.0.255.0\"; }; } );\n",
	  { "3: virtual server web: persistence: netmask 255.0.255.0: not an IPv4 netmask" } },
	{ "persistence_netmask_v6",
	  "virtual_servers = ( { name = \"web6\"; address = \"2001:db8::10\"; port = 80;\n"
	  "  persistence = { netmask = 129; }; } );\n",
	  { "2: virtual server web6: persistence: netmask 129 out of range (1..128)" } },
	{ "sh_port_wrong_scheduler",
	  "virtual_servers = ( { name = \"web\"; address = \"192.0.2.10\"; port = 80; sh_port = true; } );\n",
	  { "1: virtual server web: sh_port: needs scheduler \"sh\"" } },
	{ "ops_tcp",
	  "virtual_servers = ( { name = \"web\"; address = \"192.0.2.10\"; port = 80; ops = true; } );\n",
	  { "1: virtual server web: ops: one-packet scheduling needs protocol \"udp\"" } },
	{ "fwmark_check_without_port",
	  "virtual_servers = (\n"
	  "  { fwmark = 5; real_servers = (\n"
	  "    { address = \"198.51.100.11\"; checks = ( { type = \"tcp\"; } ); }\n"
	  "  ); }\n"
	  ");\n",
	  { "3: real server 198.51.100.11: tcp check: no port to probe: set connect_port (the real server has none)" } },
	{ "http_listen_bad", "global = { http = { listen = \"localhost\"; }; };\n" VS_OK,
	  { "1: global: http: listen \"localhost\": expected ADDRESS:PORT (e.g. 127.0.0.1:9650 or [::1]:9650)" } },
	{ "log_facility_unknown", "global = {\n log_facility = \"local9\"; };\n" VS_OK,
	  { "2: global: log_facility \"local9\": expected daemon, user or local0..local7" } },
	{ "snmp_agentx_relative", "global = { snmp = { agentx = \"agentx/master\"; }; };\n" VS_OK,
	  { "1: global: snmp: agentx \"agentx/master\": expected \"unix:/PATH\", \"/PATH\" or \"tcp:HOST:PORT\"" } },
	{ "snmp_agentx_unix_relative", "global = { snmp = {\n agentx = \"unix:master\"; }; };\n" VS_OK,
	  { "2: global: snmp: agentx \"unix:master\": a unix socket must be an absolute path" } },
	{ "snmp_agentx_tcp_port", "global = { snmp = { agentx = \"tcp:localhost:70000\"; }; };\n" VS_OK,
	  { "1: global: snmp: agentx \"tcp:localhost:70000\": expected \"tcp:HOST:PORT\" with a port of 1..65535" } },
	{ "snmp_agentx_missing", "global = { snmp = { traps = true; }; };\n" VS_OK,
	  { "1: global: snmp: missing 'agentx'" } },
	{ "snmp_traps_not_bool", "global = { snmp = { agentx = \"/var/agentx/master\"; traps = 1; }; };\n" VS_OK,
	  { "1: global: snmp: traps: expected a boolean (true or false)" } },
	{ "control_socket_relative", "global = { control_socket = \"vigil.sock\"; };\n" VS_OK,
	  { "1: global: control_socket \"vigil.sock\": must be an absolute path" } },
	{ "syntax_error",
	  "virtual_servers = (\n"
	  "  { address = \"192.0.2.10\"; port == 80; }\n"
	  ");\n",
	  { "2: syntax error" } },
	{ "duplicate_setting",
	  "virtual_servers = ( { address = \"192.0.2.10\";\n"
	  "  address = \"192.0.2.11\"; port = 80; } );\n",
	  { "2: duplicate setting name" } },
	{ "three_errors",
	  "virtual_servers = (\n"
	  "  { address = \"192.0.2.10\"; port = 80; scheduler = \"fastest\";\n"
	  "    real_servers = ( { address = \"198.51.100.1\"; port = 80; weight = 100000; } ); }\n"
	  ");\n"
	  "vrrp = { instances = ( { name = \"VI_1\"; interface = \"eth0\"; vrid = 300;\n"
	  "  addresses = [ \"192.0.2.1/24\" ]; } ); };\n",
	  { "2: virtual server 192.0.2.10:80: unknown scheduler \"fastest\" (expected rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf or mh)",
	    "3: real server 198.51.100.1:80: weight 100000 out of range (0..65535)",
	    "5: vrrp instance VI_1: vrid 300 out of range (1..255)" } },
	{ "script_relative_command", CHECK("type = \"script\"; command = \"chk.sh --fast\";"),
	  { "3: real server 198.51.100.11:80: script check: command \"chk.sh --fast\": refused by script_security: \"chk.sh\" is not an absolute path" } },
	{ "script_unterminated_quote",
	  "virtual_servers = ( { address = \"192.0.2.10\"; port = 80;\n"
	  "  on_quorum_down = \"/bin/echo 'down\"; } );\n",
	  { "2: virtual server 192.0.2.10:80: on_quorum_down \"/bin/echo 'down\": unterminated quote" } },
	{ "script_relative_allowed_without_security",
	  "global = { script_security = false; };\n"
	  "virtual_servers = ( { address = \"192.0.2.10\"; port = 80;\n"
	  "  on_quorum_down = \"down.sh\"; on_quorum_up = \"/bin/echo 'up\"; } );\n",
	  { "3: virtual server 192.0.2.10:80: on_quorum_up \"/bin/echo 'up\": unterminated quote" } },
};

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/vigil-test-XXXXXX.conf");
	assert_non_null(path);
	int fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	size_t n = strlen(text);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
	return path;
}

/* Loads path (and removes it), then compares the errors with expect. */
static void check_errors(const char *path, const char *const *expect)
{
	struct conf_errors errs = { 0 };
	struct conf *c = conf_load(path, &errs);
	unlink(path);                 /* before any assert can jump out */
	unsigned n = 0;
	while (n < MAX_EXPECT && expect[n])
		n++;
	for (unsigned i = 0; i < errs.n; i++)
		print_message("  got: %s\n", errs.lines[i]);
	assert_null(c);
	assert_int_equal(errs.n, n);
	for (unsigned i = 0; i < n; i++) {
		char want[1024];
		snprintf(want, sizeof(want), "%s:%s", path, expect[i]);
		assert_string_equal(errs.lines[i], want);
	}
	conf_errors_free(&errs);
	assert_int_equal(errs.n, 0);
}

static void test_case(void **state)
{
	const struct err_case *ec = *state;
	char *path = write_tmp(ec->text);
	check_errors(path, ec->expect);
	free(path);
}

/* Writes name under dir; returns the path (to free). */
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

static void test_include_missing(void **state)
{
	char dir[] = "/tmp/vigil-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *main = write_in(dir, "main.conf", VS_OK "\n@include \"missing.conf\"\n");
	const char *const expect[] = { "3: cannot open include file", NULL };
	check_errors(main, expect);
	unlink(main);
	rmdir(dir);
	free(main);
}

/* An error inside an included file names that file and its line. */
static void test_include_error_names_file(void **state)
{
	char dir[] = "/tmp/vigil-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *inc = write_in(dir, "servers.conf",
			     "# servers\n"
			     "virtual_servers = (\n"
			     "  { address = \"192.0.2.10\"; port = 80; real_servers = (\n"
			     "    { address = \"198.51.100.300\"; port = 80; } ); } );\n");
	char *main = write_in(dir, "main.conf", "@include \"servers.conf\"\n" VRRP_OK);
	struct conf_errors errs = { 0 };
	assert_null(conf_load(main, &errs));
	assert_int_equal(errs.n, 1);
	char want[512];
	snprintf(want, sizeof(want), "%s:4: real server 198.51.100.300: not an IP address", inc);
	assert_string_equal(errs.lines[0], want);
	conf_errors_free(&errs);
	unlink(inc);
	unlink(main);
	rmdir(dir);
	free(inc);
	free(main);
}

static void test_missing_file(void **state)
{
	const char *const expect[] = { "0: cannot open: No such file or directory", NULL };
	check_errors("/tmp/vigil-test-does-not-exist.conf", expect);
}

/* script_security: a script writable by another user, or in a directory
 * another user can write to, or owned by another user, is refused where
 * it is named; with script_security = false the same file loads. */
static void test_script_security(void **state)
{
	if (geteuid() != 0)
		skip();   /* the files must be root's for the safe cases */
	char dir[] = "/tmp/vigil-test-XXXXXX", open_dir[64], *conf;
	assert_non_null(mkdtemp(dir));
	snprintf(open_dir, sizeof(open_dir), "%s/open", dir);
	assert_int_equal(mkdir(open_dir, 0777), 0);
	assert_int_equal(chmod(open_dir, 0777), 0);
	char *ww = write_in(dir, "ww.sh", "#!/bin/sh\n");
	char *ok = write_in(dir, "ok.sh", "#!/bin/sh\n");
	char *in_open = write_in(open_dir, "n.sh", "#!/bin/sh\n");
	char *theirs = write_in(dir, "theirs.sh", "#!/bin/sh\n");
	assert_int_equal(chmod(ww, 0777), 0);
	assert_int_equal(chmod(ok, 0755), 0);
	assert_int_equal(chown(theirs, 1000, 1000), 0);
	char text[2048];
	snprintf(text, sizeof(text),
		 "virtual_servers = ( { address = \"192.0.2.10\"; port = 80;\n"
		 "  on_quorum_up = \"%s up\";\n"
		 "  on_quorum_down = \"%s\";\n"
		 "  real_servers = ( { address = \"198.51.100.11\"; checks = (\n"
		 "    { type = \"script\"; command = \"%s\"; } ); } ); } );\n"
		 "vrrp = { scripts = ( { name = \"s\"; command = \"%s\"; },\n"
		 "  { name = \"later\"; command = \"%s/not-yet.sh\"; } ); };\n",
		 ok, ww, in_open, theirs, dir);
	conf = write_in(dir, "main.conf", text);
	char e1[512], e2[512], e3[512];
	snprintf(e1, sizeof(e1), "3: virtual server 192.0.2.10:80: on_quorum_down \"%s\": refused by script_security: %s is writable by a non-root user", ww, ww);
	snprintf(e2, sizeof(e2), "5: real server 198.51.100.11: script check: command \"%s\": refused by script_security: directory %s is writable by a non-root user", in_open, open_dir);
	snprintf(e3, sizeof(e3), "6: vrrp script s: command \"%s\": refused by script_security: %s is owned by uid 1000, not root", theirs, theirs);
	const char *const expect[] = { e1, e2, e3, NULL };
	/* check_errors prefixes the path: strip nothing, compare by hand. */
	struct conf_errors errs = { 0 };
	assert_null(conf_load(conf, &errs));
	for (unsigned i = 0; i < errs.n; i++)
		print_message("  got: %s\n", errs.lines[i]);
	assert_int_equal(errs.n, 3);
	for (unsigned i = 0; i < 3; i++) {
		char want[1024];
		snprintf(want, sizeof(want), "%s:%s", conf, expect[i]);
		assert_string_equal(errs.lines[i], want);
	}
	conf_errors_free(&errs);
	/* The same file without script_security loads. */
	char *off = write_in(dir, "off.conf", "global = { script_security = false; };\n@include \"main.conf\"\n");
	struct conf *c = conf_load(off, &errs);
	assert_non_null(c);
	conf_free(c);
	for (char **f = (char *[]){ ww, ok, in_open, theirs, conf, off, NULL }; *f; f++) {
		unlink(*f);
		free(*f);
	}
	rmdir(open_dir);
	rmdir(dir);
}

int main(void)
{
	size_t n = sizeof(cases) / sizeof(cases[0]);
	struct CMUnitTest *tests = calloc(n + 4, sizeof(*tests));
	if (!tests)
		return 1;
	for (size_t i = 0; i < n; i++)
		tests[i] = (struct CMUnitTest){ cases[i].name, test_case, NULL, NULL,
						(void *)&cases[i] };
	tests[n] = (struct CMUnitTest)cmocka_unit_test(test_include_missing);
	tests[n + 1] = (struct CMUnitTest)cmocka_unit_test(test_include_error_names_file);
	tests[n + 2] = (struct CMUnitTest)cmocka_unit_test(test_missing_file);
	tests[n + 3] = (struct CMUnitTest)cmocka_unit_test(test_script_security);
	int rc = _cmocka_run_group_tests("config_errors", tests, n + 4, NULL, NULL);
	free(tests);
	return rc;
}
