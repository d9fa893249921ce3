/*
 * The IPVS connection table's size, read from /proc/net/ip_vs's first
 * line or the conn_tab_bits parameter; the conn_tab_bits suggested for a
 * number of connections; the fill counted from a dump's destinations and
 * "outgrown" past 4 entries per bucket; and the connection-sync sysctls
 * written (only when they differ) and described, on a directory standing
 * in for /proc/sys/net/ipv4/vs.
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

#include "conf.h"
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

static void put(const char *dir, const char *name, const char *text)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void get(const char *dir, const char *name, char *buf, size_t len)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void test_sync_tune(void **state)
{
	char dir[] = "/tmp/vigil-sysctl-XXXXXX", msg[512], buf[64];
	assert_non_null(mkdtemp(dir));
	/* As the kernel shows them: a tab between the two numbers. */
	put(dir, "sync_threshold", "3\t50\n");
	put(dir, "sync_refresh_period", "0\n");
	put(dir, "sync_retries", "0\n");
	struct global_conf g = { .sync_threshold = 2, .sync_period = 50,
				 .sync_refresh_period = -1, .sync_retries = -1 };
	assert_int_equal(lvs_sync_tune(dir, &g, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "net.ipv4.vs.sync_threshold = 2 50 (was 3 50)");
	get(dir, "sync_threshold", buf, sizeof(buf));
	assert_string_equal(buf, "2 50");
	get(dir, "sync_retries", buf, sizeof(buf));
	assert_string_equal(buf, "0\n");   /* -1: left alone */
	/* Equal values are not written again. */
	put(dir, "sync_threshold", "2\t50\n");
	g.sync_retries = 2;
	assert_int_equal(lvs_sync_tune(dir, &g, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "net.ipv4.vs.sync_threshold = 2 50 (already), "
			    "net.ipv4.vs.sync_retries = 2 (was 0)");
	get(dir, "sync_threshold", buf, sizeof(buf));
	assert_string_equal(buf, "2\t50\n");
	/* A missing sysctl (no ip_vs) fails, naming it. */
	char p[256];
	snprintf(p, sizeof(p), "%s/sync_retries", dir);
	unlink(p);
	assert_int_equal(lvs_sync_tune(dir, &g, msg, sizeof(msg)), -ENOENT);
	assert_non_null(strstr(msg, "sync_retries: No such file"));
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	assert_int_equal(system(p), 0);
	(void)state;
}

int main(void)
{
	log_init("test_lvs_conntab", false, false);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_fill),
		cmocka_unit_test(test_sync_tune),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
