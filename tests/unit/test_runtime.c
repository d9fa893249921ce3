/*
 * Runtime changes (vigilctl add / remove): an added real server is read
 * with the file's rules (its checks validated, script checks refused,
 * duplicates and unknown virtual servers refused) and becomes a new
 * generation; a removal takes a configured one out; a reload keeps both,
 * or drops and reports each change the file took over or away, and
 * reload --dry-run reports the same without changing anything; the
 * changes are capped; a graceful removal drains, then removes. Driven
 * through ctl_request on a fake parent (fake_vigild.h: virtual server
 * "web" has 198.51.100.11:80 and 198.51.100.12:8080).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "control.h"
#include "fake_vigild.h"
#include "log.h"

static int setup(void **state)
{
	static struct fake_vigild f;
	log_init("test_runtime", false, false);
	if (fake_vigild_init(&f) < 0)
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	fake_vigild_free(*state);
	return 0;
}

static struct json_object *request(struct vigild *d, const char *line, bool want_ok)
{
	struct json_object *r = ctl_request(d, line), *ok;
	assert_non_null(r);
	assert_true(json_object_object_get_ex(r, "ok", &ok));
	if (json_object_get_boolean(ok) != want_ok)
		fail_msg("%s -> %s", line, json_object_to_json_string(r));
	return r;
}

static void expect_error(struct vigild *d, const char *line, const char *want)
{
	struct json_object *r = request(d, line, false), *err;
	assert_true(json_object_object_get_ex(r, "error", &err));
	if (!strstr(json_object_get_string(err), want))
		fail_msg("%s -> %s (wanted '%s')", line, json_object_get_string(err), want);
	json_object_put(r);
}

static void expect_ok(struct vigild *d, const char *line)
{
	json_object_put(request(d, line, true));
}

static const struct rs_conf *rs_of(const struct vigild *d, const char *spec)
{
	int j = lvs_rs_index(&d->conf->vs[0], spec);
	return j < 0 ? NULL : &d->conf->vs[0].rs[j];
}

static void write_conf(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_add(void **state)
{
	struct vigild *d = &((struct fake_vigild *)*state)->d;
	uint32_t gen = d->generation;
	expect_ok(d, "{\"cmd\":\"add\",\"vs\":\"web\",\"rs\":\"198.51.100.13:80\",\"weight\":2,"
		  "\"checks\":[{\"type\":\"http\",\"path\":\"/health\",\"status\":[200,204],"
		  "\"interval\":1.5}]}");
	assert_int_equal(d->generation, gen + 1);
	const struct rs_conf *r = rs_of(d, "198.51.100.13:80");
	assert_non_null(r);
	assert_int_equal(r->weight, 2);
	assert_int_equal(r->n_checks, 1);
	assert_int_equal(r->checks[0].type, CHECK_HTTP);
	assert_string_equal(r->checks[0].path, "/health");
	assert_int_equal(r->checks[0].n_status, 2);
	assert_true(r->checks[0].interval == 1.5);
	assert_true(rt_is_added(d, &d->conf->vs[0], r));
	/* The checker's view carries it: the packed blob was rebuilt. */
	struct errbuf eb;
	struct conf *seen = conf_unpack(d->blobs[CHILD_CHECKER].data,
					d->blobs[CHILD_CHECKER].len, &eb);
	assert_non_null(seen);
	assert_int_equal(seen->vs[0].n_rs, 3);
	conf_free(seen);

	expect_error(d, "{\"cmd\":\"add\",\"vs\":\"web\",\"rs\":\"198.51.100.13:80\"}",
		     "already a real server");
	expect_error(d, "{\"cmd\":\"add\",\"vs\":\"nope\",\"rs\":\"198.51.100.14:80\"}",
		     "unknown virtual server");
	expect_error(d, "{\"cmd\":\"add\",\"vs\":\"web\",\"rs\":\"198.51.100.14\"}",
		     "expected ADDR:PORT");
	expect_error(d, "{\"cmd\":\"add\",\"vs\":\"web\",\"rs\":\"198.51.100.14:80\","
		     "\"checks\":[{\"type\":\"http\",\"pth\":\"/\"}]}", "did you mean 'path'");
	expect_error(d, "{\"cmd\":\"add\",\"vs\":\"web\",\"rs\":\"198.51.100.14:80\","
		     "\"checks\":[{\"type\":\"script\",\"command\":\"/bin/true\"}]}",
		     "script checks");
	expect_error(d, "{\"cmd\":\"add\",\"vs\":\"web\",\"rs\":\"2001:db8::14:80\"}",
		     "IPv6 real server");
	expect_error(d, "{\"cmd\":\"add\",\"vs\":\"web\",\"rs\":\"198.51.100.14:80\","
		     "\"checks\":[{\"type\":\"tcp\",\"rise\":{}}]}", "rise");
	expect_error(d, "{\"cmd\":\"add\",\"vs\":\"web\",\"rs\":\"192.0.2.98:80\","
		     "\"checks\":[{\"type\":\"tcp\"},{\"type\":\"tcp\"},{\"type\":\"tcp\"},"
		     "{\"type\":\"tcp\"},{\"type\":\"tcp\"},{\"type\":\"tcp\"},{\"type\":\"tcp\"},"
		     "{\"type\":\"tcp\"},{\"type\":\"tcp\"}]}", "at most 8");
	assert_null(rs_of(d, "198.51.100.14:80"));
	assert_int_equal(d->generation, gen + 1);   /* refusals changed nothing */
}

static void test_remove_and_reload(void **state)
{
	struct fake_vigild *f = *state;
	struct vigild *d = &f->d;
	expect_ok(d, "{\"cmd\":\"remove\",\"vs\":\"web\",\"rs\":\"198.51.100.11:80\"}");
	assert_null(rs_of(d, "198.51.100.11:80"));
	expect_error(d, "{\"cmd\":\"remove\",\"vs\":\"web\",\"rs\":\"198.51.100.11:80\"}",
		     "unknown real server");
	/* A reload of the same file keeps both changes. */
	expect_ok(d, "{\"cmd\":\"reload\"}");
	assert_null(rs_of(d, "198.51.100.11:80"));
	assert_non_null(rs_of(d, "198.51.100.13:80"));
	/* The file now lists the added one, and no longer the removed one:
	 * the dry run says both would be dropped, and changes nothing. */
	char text[2048];
	snprintf(text, sizeof(text), "%s", FAKE_VIGILD_CONF);
	char *p = strstr(text, "{ address = \"198.51.100.11\"; port = 80; }");
	assert_non_null(p);
	memcpy(p, "{ address = \"198.51.100.13\"; port = 80; }", 41);
	write_conf(f->path, text);
	struct json_object *r = request(d, "{\"cmd\":\"reload\",\"dry_run\":true}", true), *rt;
	assert_true(json_object_object_get_ex(r, "runtime", &rt));
	assert_int_equal(json_object_array_length(rt), 2);
	for (size_t i = 0; i < 2; i++) {
		struct json_object *o = json_object_array_get_idx(rt, i), *kept;
		assert_true(json_object_object_get_ex(o, "kept", &kept));
		assert_false(json_object_get_boolean(kept));
	}
	json_object_put(r);
	assert_int_equal(d->rt->n_changes, 2);
	r = request(d, "{\"cmd\":\"reload\"}", true);
	assert_true(json_object_object_get_ex(r, "runtime", &rt));
	assert_int_equal(json_object_array_length(rt), 2);
	json_object_put(r);
	assert_int_equal(d->rt->n_changes, 0);
	const struct rs_conf *rs = rs_of(d, "198.51.100.13:80");
	assert_non_null(rs);
	assert_int_equal(rs->n_checks, 0);   /* the file's definition won */
	assert_false(rt_is_added(d, &d->conf->vs[0], rs));
	write_conf(f->path, FAKE_VIGILD_CONF);
	expect_ok(d, "{\"cmd\":\"reload\"}");
}

static void test_cap(void **state)
{
	struct vigild *d = &((struct fake_vigild *)*state)->d;
	char line[256];
	for (unsigned i = 0; d->rt->n_changes < RT_MAX_CHANGES; i++) {
		snprintf(line, sizeof(line), "{\"cmd\":\"add\",\"vs\":\"web\","
			 "\"rs\":\"203.0.113.%u:%u\"}", i % 200 + 1, 1000 + i);
		expect_ok(d, line);
	}
	expect_error(d, "{\"cmd\":\"add\",\"vs\":\"web\",\"rs\":\"192.0.2.99:80\"}",
		     "runtime changes already");
	/* Removing an addition frees its place. */
	expect_ok(d, "{\"cmd\":\"remove\",\"vs\":\"web\",\"rs\":\"203.0.113.1:1000\"}");
	expect_ok(d, "{\"cmd\":\"add\",\"vs\":\"web\",\"rs\":\"192.0.2.99:80\"}");
	assert_int_equal(d->rt->n_changes, RT_MAX_CHANGES);
}

/* Without IPVS (the fake's dry run) the drained real server has no
 * connections: it goes at the first look. */
static void test_graceful(void **state)
{
	struct vigild *d = &((struct fake_vigild *)*state)->d;
	struct json_object *r = request(d, "{\"cmd\":\"remove\",\"vs\":\"web\","
					"\"rs\":\"198.51.100.12:8080\",\"graceful\":true,"
					"\"timeout\":10}", true), *v;
	assert_true(json_object_object_get_ex(r, "draining", &v));
	json_object_put(r);
	expect_error(d, "{\"cmd\":\"remove\",\"vs\":\"web\",\"rs\":\"198.51.100.12:8080\","
		     "\"graceful\":true}", "already being removed");
	assert_non_null(rs_of(d, "198.51.100.12:8080"));
	for (int i = 0; i < 100 && d->rt->drains; i++)
		ev_run(d->loop, EVRUN_ONCE);
	assert_null(d->rt->drains);
	assert_null(rs_of(d, "198.51.100.12:8080"));
	r = request(d, "{\"cmd\":\"removals\"}", true);
	assert_true(json_object_object_get_ex(r, "done", &v));
	assert_int_equal(json_object_array_length(v), 1);
	json_object_put(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_remove_and_reload),
		cmocka_unit_test(test_graceful),
		cmocka_unit_test(test_cap),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
