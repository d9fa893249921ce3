/*
 * The IPVS connection table's size, read from /proc/net/ip_vs's first
 * line or the conn_tab_bits parameter; the conn_tab_bits suggested for a
 * number of connections; the fill counted from a dump's destinations and
 * "outgrown" past 4 entries per bucket.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "log.h"
#include "lvs_int.h"

static void test_parse(void **state)
{
	unsigned long size = 0;
	assert_int_equal(lvs_conntab_parse("IP Virtual Server version 1.2.1 (size=4096)\n", NULL,
					   &size), 0);
	assert_int_equal(size, 4096);
	assert_int_equal(lvs_conntab_parse("IP Virtual Server version 1.2.1 (size=)\n", "18\n",
					   &size), 0);
	assert_int_equal(size, 262144);
	assert_int_equal(lvs_conntab_parse(NULL, "12", &size), 0);
	assert_int_equal(size, 4096);
	assert_int_equal(lvs_conntab_parse("garbage", "x", &size), -ENOENT);
	assert_int_equal(lvs_conntab_parse(NULL, NULL, &size), -ENOENT);
	assert_int_equal(lvs_conntab_bits_for(0), 8);
	assert_int_equal(lvs_conntab_bits_for(4096), 12);
	assert_int_equal(lvs_conntab_bits_for(4097), 13);
	assert_int_equal(lvs_conntab_bits_for(100000), 17);
	assert_int_equal(lvs_conntab_bits_for(1ULL << 40), 20);
	(void)state;
}

static bool member_bool(struct json_object *o, const char *k)
{
	struct json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_get_boolean(v);
}

static void test_fill(void **state)
{
	struct lvs l = { 0 };
	struct ipvs_dest dests[2] = {
		{ .active_conns = 10000, .inact_conns = 3000, .persist_conns = 0 },
		{ .active_conns = 4000, .inact_conns = 0, .persist_conns = 200 },
	};
	struct ipvs_table_svc svc = { .dests = dests, .n_dests = 2 };
	struct ipvs_table t = { .svcs = &svc, .n_svcs = 1 };
	l.conntab.size = 4096;
	lvs_conntab_count(&l, &t, 100.);
	struct json_object *j = lvs_conntab_json(&l), *v;
	assert_true(json_object_object_get_ex(j, "entries", &v));
	assert_int_equal(json_object_get_int64(v), 17200);
	assert_true(member_bool(j, "outgrown"));    /* 4.2 per bucket */
	assert_true(json_object_object_get_ex(j, "suggested_bits", &v));
	assert_int_equal(json_object_get_int(v), 15);
	assert_true(l.conntab.warned_at == 100.);
	json_object_put(j);
	/* Within bounds again: no longer outgrown, no suggestion. */
	dests[0].active_conns = 100;
	lvs_conntab_count(&l, &t, 200.);
	j = lvs_conntab_json(&l);
	assert_false(member_bool(j, "outgrown"));
	assert_true(json_object_object_get_ex(j, "suggested_bits", &v));
	assert_null(v);
	assert_true(l.conntab.warned_at == 0);
	json_object_put(j);
	(void)state;
}

int main(void)
{
	log_init("test_lvs_conntab", false, false);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_fill),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
