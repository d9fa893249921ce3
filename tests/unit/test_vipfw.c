/*
 * test_vipfw: the nft script the parent runs for non-accept mode. Only
 * strict instances without accept put their addresses in the sets (once
 * each); every script first removes the table (a leftover of a crash),
 * and only names table inet vigil; without such an instance it only
 * removes it.
 */
#include "conf_text.h"

#include "vipfw.h"

#define HEAD "add table inet vigil\ndelete table inet vigil\n"

static char *script_of(const char *text, bool *needed)
{
	struct conf_errors errs = { 0 };
	struct conf *c = conf_load_text(text, &errs);
	for (unsigned i = 0; i < errs.n; i++)
		print_message("  got: %s\n", errs.lines[i]);
	assert_non_null(c);
	*needed = vipfw_needed(c);
	char *s = vipfw_script(c);
	assert_non_null(s);
	conf_free(c);
	conf_errors_free(&errs);
	return s;
}

static void test_sets(void **state)
{
	(void)state;
	bool needed;
	char *s = script_of(
		"global = { vrrp_strict = true; };\n"
		"vrrp = { instances = (\n"
		" { name = \"A\"; interface = \"eth0\"; vrid = 1; addresses = [ \"192.0.2.1/24\", \"192.0.2.2\" ];\n"
		"   excluded_addresses = [ \"198.51.100.1/24\", \"2001:db8:1::1/64\" ]; },\n"
		" { name = \"A6\"; interface = \"eth0\"; vrid = 1; addresses = [ \"fe80::1/64\", \"2001:db8::1/64\" ]; },\n"
		" { name = \"B\"; interface = \"eth1\"; vrid = 2; addresses = [ \"192.0.2.2/24\" ]; },\n"
		" { name = \"C\"; interface = \"eth0\"; vrid = 3; accept = true; addresses = [ \"192.0.2.9/24\" ]; },\n"
		" { name = \"D\"; interface = \"eth0\"; vrid = 4; strict = false; addresses = [ \"192.0.2.10/24\" ]; },\n"
		" { name = \"O\"; interface = \"eth0\"; vrid = 5; priority = 255; addresses = [ \"192.0.2.11/24\" ]; }\n"
		"); };\n", &needed);
	assert_true(needed);
	assert_memory_equal(s, HEAD, strlen(HEAD));
	assert_non_null(strstr(s, "table inet vigil {\n"));
	/* the excluded addresses too, of either family (keepalived's non-accept mode) */
	assert_non_null(strstr(s, "elements = { 192.0.2.1, 192.0.2.2, 198.51.100.1 }\n"));
	assert_non_null(strstr(s, "elements = { 2001:db8:1::1, fe80::1, 2001:db8::1 }\n"));
	assert_non_null(strstr(s, "\t\tip daddr @vip4 drop\n"));
	assert_non_null(strstr(s, "\t\tip6 saddr @vip6 drop\n"));
	/* VRRP and ND pass before the drops, in both chains. */
	const char *in = strstr(s, "hook input"), *out = strstr(s, "hook output");
	assert_non_null(in);
	assert_non_null(out);
	assert_true(strstr(in, "meta l4proto 112 accept") < strstr(in, "drop"));
	assert_true(strstr(in, "nd-neighbor-solicit, nd-neighbor-advert } accept") < strstr(in, "drop"));
	assert_true(strstr(out, "meta l4proto 112 accept") < strstr(out, "drop"));
	/* accept, strict = false and the owner are not enforced. */
	assert_null(strstr(s, "192.0.2.9"));
	assert_null(strstr(s, "192.0.2.10"));
	assert_null(strstr(s, "192.0.2.11"));
	/* Only its own table: no other table, no flush of the ruleset. */
	assert_null(strstr(s, "flush"));
	const char *t = s;
	unsigned tables = 0;
	while ((t = strstr(t, "table ")) != NULL) {
		assert_memory_equal(t, "table inet vigil", 16);
		tables++;
		t += 6;
	}
	assert_int_equal(tables, 3);
	free(s);
}

static void test_v4_only(void **state)
{
	(void)state;
	bool needed;
	char *s = script_of("vrrp = { instances = (\n"
			    " { name = \"A\"; interface = \"eth0\"; vrid = 1; strict = true;"
			    " addresses = [ \"192.0.2.1/24\" ]; } ); };\n", &needed);
	assert_true(needed);
	assert_null(strstr(s, "vip6"));
	assert_null(strstr(s, "icmpv6"));
	assert_non_null(strstr(s, "ip saddr @vip4 drop"));
	free(s);
}

static void test_not_needed(void **state)
{
	(void)state;
	bool needed;
	char *s = script_of("global = { vrrp_strict = true; };\n"
			    "vrrp = { instances = (\n"
			    " { name = \"A\"; interface = \"eth0\"; vrid = 1; accept = true;"
			    " addresses = [ \"192.0.2.1/24\" ]; } ); };\n", &needed);
	assert_false(needed);
	assert_string_equal(s, HEAD);
	free(s);
	s = script_of("vrrp = { instances = (\n"
		      " { name = \"A\"; interface = \"eth0\"; vrid = 1; addresses = [ \"192.0.2.1/24\" ]; }"
		      " ); };\n", &needed);
	assert_false(needed);
	assert_string_equal(s, HEAD);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sets),
		cmocka_unit_test(test_v4_only),
		cmocka_unit_test(test_not_needed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
