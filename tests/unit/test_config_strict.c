/*
 * test_config_strict: strict mode (global vrrp_strict, an instance's
 * strict) refuses what RFC 5798 / RFC 3768 forbid, each with its
 * FILE:LINE, and sets accept's and garp.lower_prio_count's defaults as
 * keepalived's vrrp_strict does. The same configurations without strict
 * load (the refusals are strict mode's, not the loader's).
 */
#include "conf_text.h"

#include <stdio.h>

#include "conf.h"

#define STRICT "global = { vrrp_strict = true; };\n"
/* An instance on line 2 (after STRICT); its keys go on line 4. */
#define INST(keys) "vrrp = { instances = ( { name = \"VI_1\"; interface = \"eth0\"; vrid = 1;\n" \
	"  addresses = [ \"192.0.2.1/24\" ];\n  " keys " } ); };\n"

struct strict_case {
	const char *name;
	const char *keys;             /* the instance's extra keys, on line 4 */
	const char *expect;           /* "LINE: message" in strict mode */
};

static const struct strict_case cases[] = {
	{ "unicast", "unicast = { peers = [ \"192.0.2.3\" ]; };",
	  "4: vrrp instance VI_1: unicast: strict mode sends adverts to the VRRP multicast group "
	  "only (RFC 5798 §5.1.1.2)" },
	{ "auth_pass", "version = 2; authentication = { type = \"pass\"; password = \"secret\"; };",
	  "4: vrrp instance VI_1: authentication: not in strict mode (RFC 3768 removed it)" },
	{ "auth_ah", "version = 2; authentication = { type = \"ah\"; password = \"secret\"; };",
	  "4: vrrp instance VI_1: authentication: not in strict mode (RFC 3768 removed it)" },
	{ "master_not_owner", "initial_state = \"master\";",
	  "4: vrrp instance VI_1: initial_state: strict mode starts as master only the address "
	  "owner (priority 255)" },
	{ "owner_backup", "priority = 255; initial_state = \"backup\";",
	  "4: vrrp instance VI_1: initial_state: strict mode starts the address owner "
	  "(priority 255) as master" },
	{ "preempt_delay", "preempt_delay = 5;",
	  "4: vrrp instance VI_1: preempt_delay: not in strict mode (RFC 5798 preempts at once)" },
	{ "lower_prio_count", "garp = { lower_prio_count = 2; };",
	  "4: vrrp instance VI_1: garp: lower_prio_count: strict mode sends none (set 0)" },
	{ "accept_v2", "version = 2; accept = true;",
	  "4: vrrp instance VI_1: accept: VRRPv2 has no Accept_Mode (RFC 3768); strict mode "
	  "refuses it below priority 255" },
	{ "owner_no_accept", "priority = 255; accept = false;",
	  "4: vrrp instance VI_1: accept: the address owner (priority 255) always accepts "
	  "(RFC 5798 §6.4.3)" },
};

static char *text_of(const char *global, const char *keys)
{
	char *t;
	assert_true(asprintf(&t, "%s" INST("%s"), global, keys) > 0);
	return t;
}

static void test_refused(void **state)
{
	const struct strict_case *sc = *state;
	char *t = text_of(STRICT, sc->keys);
	char path[sizeof(CONF_TEXT_PATH)], want[1024];
	struct conf_errors errs = { 0 };
	struct conf *c = conf_load_text_at(t, &errs, path);
	free(t);
	for (unsigned i = 0; i < errs.n; i++)
		print_message("  got: %s\n", errs.lines[i]);
	assert_null(c);
	assert_int_equal(errs.n, 1);
	snprintf(want, sizeof(want), "%s:%s", path, sc->expect);
	assert_string_equal(errs.lines[0], want);
	conf_errors_free(&errs);
}

/* Without strict the same instance loads: the refusal is strict mode's. */
static void test_loads_without_strict(void **state)
{
	const struct strict_case *sc = *state;
	char *t = text_of("", sc->keys);
	struct conf_errors errs = { 0 };
	struct conf *c = conf_load_text(t, &errs);
	free(t);
	for (unsigned i = 0; i < errs.n; i++)
		print_message("  got: %s\n", errs.lines[i]);
	assert_non_null(c);
	assert_false(c->vrrp[0].strict);
	conf_free(c);
	conf_errors_free(&errs);
}

static struct conf *load_ok(const char *text)
{
	struct conf_errors errs = { 0 };
	struct conf *c = conf_load_text(text, &errs);
	for (unsigned i = 0; i < errs.n; i++)
		print_message("  got: %s\n", errs.lines[i]);
	assert_non_null(c);
	conf_errors_free(&errs);
	return c;
}

/* Strict: accept defaults to false below 255 and to true for the owner,
 * no GARP answers a lower master; v3 may still set accept. */
static void test_defaults(void **state)
{
	(void)state;
	struct conf *c = load_ok(STRICT INST(""));
	assert_true(c->vrrp[0].strict);
	assert_false(c->vrrp[0].accept);
	assert_int_equal(c->vrrp[0].garp_lower_prio_count, 0);
	conf_free(c);
	c = load_ok(STRICT INST("priority = 255; initial_state = \"master\";"));
	assert_true(c->vrrp[0].accept);
	conf_free(c);
	c = load_ok(STRICT INST("accept = true; garp = { count = 3; lower_prio_count = 0; };"));
	assert_true(c->vrrp[0].accept);
	assert_int_equal(c->vrrp[0].garp_count, 3);
	conf_free(c);
	c = load_ok(INST(""));
	assert_false(c->vrrp[0].strict);
	assert_int_equal(c->vrrp[0].garp_lower_prio_count, 5);
	conf_free(c);
}

/* An instance's strict overrides the global one, both ways. */
static void test_per_instance(void **state)
{
	(void)state;
	struct conf *c = load_ok(STRICT INST("strict = false; unicast = { peers = [ \"192.0.2.3\" ]; };"));
	assert_false(c->vrrp[0].strict);
	conf_free(c);
	char path[sizeof(CONF_TEXT_PATH)], want[512];
	struct conf_errors errs = { 0 };
	assert_null(conf_load_text_at(INST("strict = true; preempt_delay = 1;"), &errs, path));
	assert_int_equal(errs.n, 1);
	snprintf(want, sizeof(want), "%s:3: vrrp instance VI_1: preempt_delay: not in strict mode "
		 "(RFC 5798 preempts at once)", path);
	assert_string_equal(errs.lines[0], want);
	conf_errors_free(&errs);
}

/* More addresses than one advert carries (refused in and out of strict
 * mode: the vrrp child could not build the advert); an IPv6 instance whose
 * first address is not link-local (RFC 5798 §5.2.9). */
static void test_addresses(void **state)
{
	(void)state;
	char text[4096], path[sizeof(CONF_TEXT_PATH)], want[512];
	int n = snprintf(text, sizeof(text), "vrrp = { instances = ( { name = \"VI_1\"; "
			 "interface = \"eth0\"; vrid = 1;\n  addresses = [");
	for (int i = 1; i <= CONF_VRRP_MAX_ADDRS + 1; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "%s\"192.0.2.%d\"", i > 1 ? "," : "", i);
	snprintf(text + n, sizeof(text) - (size_t)n, "]; } ); };\n");
	struct conf_errors errs = { 0 };
	assert_null(conf_load_text_at(text, &errs, path));
	assert_int_equal(errs.n, 1);
	snprintf(want, sizeof(want), "%s:2: vrrp instance VI_1: addresses: 21, more than one "
		 "advert carries (at most 20); move the others to excluded_addresses", path);
	assert_string_equal(errs.lines[0], want);
	conf_errors_free(&errs);
	assert_null(conf_load_text_at(STRICT "vrrp = { instances = ( { name = \"V6\"; "
				      "interface = \"eth0\"; vrid = 1;\n  addresses = [\n"
				      "    \"2001:db8::1/64\", \"fe80::1/64\" ]; } ); };\n", &errs, path));
	assert_int_equal(errs.n, 1);
	snprintf(want, sizeof(want), "%s:4: vrrp instance V6: addresses: strict mode needs a "
		 "link-local first IPv6 address (RFC 5798 §5.2.9)", path);
	assert_string_equal(errs.lines[0], want);
	conf_errors_free(&errs);
	struct conf *c = load_ok(STRICT "vrrp = { instances = ( { name = \"V6\"; interface = \"eth0\"; "
				 "vrid = 1; addresses = [ \"fe80::1/64\", \"2001:db8::1/64\" ]; } ); };\n");
	assert_true(c->vrrp[0].strict);
	conf_free(c);
}

/* The text is refused with exactly one error, "FILE:" followed by want. */
static void refused_once(const char *text, const char *want)
{
	char path[sizeof(CONF_TEXT_PATH)], line[512];
	struct conf_errors errs = { 0 };
	assert_null(conf_load_text_at(text, &errs, path));
	assert_int_equal(errs.n, 1);
	snprintf(line, sizeof(line), "%s:%s", path, want);
	assert_string_equal(errs.lines[0], line);
	conf_errors_free(&errs);
}

/* A virtual server on a dropped address never sees a packet. */
static void test_virtual_server(void **state)
{
	(void)state;
	const char *vs = "virtual_servers = ( { address = \"192.0.2.1\"; port = 80; } );\n";
	char *t;
	assert_true(asprintf(&t, STRICT "%s" INST(""), vs) > 0);
	refused_once(t, "4: vrrp instance VI_1: address 192.0.2.1: virtual server 192.0.2.1:80 "
		     "uses it, and strict mode without accept drops its traffic (set accept = true)");
	free(t);
	assert_true(asprintf(&t, STRICT "%s" INST("accept = true;"), vs) > 0);
	conf_free(load_ok(t));
	free(t);
}

/* The excluded addresses are dropped too. */
static void test_virtual_server_excluded(void **state)
{
	(void)state;
	const char *vs = "virtual_servers = ( { name = \"web\"; address = \"198.51.100.7\"; "
			 "port = 80; } );\n";
	char *t;
	assert_true(asprintf(&t, STRICT "%s" INST("excluded_addresses = [ \"203.0.113.9/24\",\n"
						  "    \"198.51.100.7/24\" ];"), vs) > 0);
	refused_once(t, "6: vrrp instance VI_1: excluded address 198.51.100.7: virtual server web "
		     "uses it, and strict mode without accept drops its traffic (set accept = true)");
	free(t);
	assert_true(asprintf(&t, STRICT "%s" INST("accept = true; excluded_addresses = "
						  "[ \"198.51.100.7/24\" ];"), vs) > 0);
	conf_free(load_ok(t));
	free(t);
}

int main(void)
{
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest t[2 * N + 6];
	for (unsigned i = 0; i < N; i++) {
		t[2 * i] = (struct CMUnitTest){ cases[i].name, test_refused, NULL, NULL,
						(void *)&cases[i] };
		t[2 * i + 1] = (struct CMUnitTest){ cases[i].name, test_loads_without_strict, NULL,
						    NULL, (void *)&cases[i] };
	}
	t[2 * N] = (struct CMUnitTest)cmocka_unit_test(test_defaults);
	t[2 * N + 1] = (struct CMUnitTest)cmocka_unit_test(test_per_instance);
	t[2 * N + 2] = (struct CMUnitTest)cmocka_unit_test(test_addresses);
	t[2 * N + 3] = (struct CMUnitTest)cmocka_unit_test(test_virtual_server);
	t[2 * N + 4] = (struct CMUnitTest)cmocka_unit_test(test_virtual_server_excluded);
	t[2 * N + 5] = (struct CMUnitTest){ 0 };
	return _cmocka_run_group_tests("config_strict", t, 2 * N + 5, NULL, NULL);
}
