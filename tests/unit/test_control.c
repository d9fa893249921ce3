/*
 * Control requests: every member a command reads is type-checked — a JSON
 * null, number, array or object where a string, boolean or integer is
 * expected gets an error reply naming the member (never a crash, never a
 * default taken for the wrong type) — and well-formed requests still work.
 * Driven through ctl_request, the socket's own entry point, on a fake
 * parent context (fake_vigild.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "control.h"
#include "fake_vigild.h"
#include "log.h"

static int setup(void **state)
{
	static struct fake_vigild f;
	log_init("test_control", false, false);
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

/* The reply to LINE must be ok=false with WANT in its error. */
static void expect_error(struct vigild *d, const char *line, const char *want)
{
	struct json_object *r = ctl_request(d, line), *ok, *err;
	assert_non_null(r);
	assert_true(json_object_object_get_ex(r, "ok", &ok));
	if (json_object_get_boolean(ok) || !json_object_object_get_ex(r, "error", &err) ||
	    !strstr(json_object_get_string(err), want))
		fail_msg("%s -> %s (wanted an error with '%s')", line,
			 json_object_to_json_string(r), want);
	json_object_put(r);
}

static void expect_ok(struct vigild *d, const char *line)
{
	struct json_object *r = ctl_request(d, line), *ok;
	assert_non_null(r);
	if (!json_object_object_get_ex(r, "ok", &ok) || !json_object_get_boolean(ok))
		fail_msg("%s -> %s", line, json_object_to_json_string(r));
	json_object_put(r);
}

static void test_wrong_member_types(void **state)
{
	struct vigild *d = &((struct fake_vigild *)*state)->d;
	static const char *const cases[][2] = {
		{ "{\"cmd\":\"drain\",\"vs\":null,\"rs\":\"\"}", "drain: \"vs\" must be a string" },
		{ "{\"cmd\":\"drain\",\"vs\":\"web\",\"rs\":null}", "drain: \"rs\" must be a string" },
		{ "{\"cmd\":\"undrain\",\"vs\":1,\"rs\":\"198.51.100.11:80\"}", "\"vs\" must be a string" },
		{ "{\"cmd\":\"drain\",\"vs\":[],\"rs\":\"198.51.100.11:80\"}", "\"vs\" must be a string" },
		{ "{\"cmd\":\"drain\",\"vs\":\"web\",\"rs\":{}}", "\"rs\" must be a string" },
		{ "{\"cmd\":\"drain\",\"vs\":\"web\",\"rs\":true}", "\"rs\" must be a string" },
		{ "{\"cmd\":\"weight\",\"vs\":\"web\",\"rs\":\"198.51.100.11:80\",\"weight\":null}",
		  "weight: \"weight\" must be an integer 0..65535" },
		{ "{\"cmd\":\"weight\",\"vs\":\"web\",\"rs\":\"198.51.100.11:80\",\"weight\":\"2\"}",
		  "\"weight\" must be an integer" },
		{ "{\"cmd\":\"weight\",\"vs\":\"web\",\"rs\":\"198.51.100.11:80\",\"weight\":2.5}",
		  "\"weight\" must be an integer" },
		{ "{\"cmd\":\"weight\",\"vs\":\"web\",\"rs\":\"198.51.100.11:80\",\"weight\":-1}",
		  "\"weight\" must be an integer" },
		{ "{\"cmd\":\"weight\",\"vs\":\"web\",\"rs\":\"198.51.100.11:80\",\"weight\":65536}",
		  "\"weight\" must be an integer" },
		{ "{\"cmd\":\"weight\",\"vs\":\"web\",\"rs\":\"198.51.100.11:80\","
		  "\"weight\":9223372036854775807}", "\"weight\" must be an integer" },
		{ "{\"cmd\":\"weight\",\"vs\":\"web\",\"rs\":\"198.51.100.11:80\"}", "needs a \"weight\"" },
		{ "{\"cmd\":\"drain\",\"rs\":\"198.51.100.11:80\"}", "needs \"vs\" and \"rs\"" },
		{ "{\"cmd\":\"reload\",\"dry_run\":null}", "reload: \"dry_run\" must be true or false" },
		{ "{\"cmd\":\"reload\",\"dry_run\":1}", "\"dry_run\" must be true or false" },
		{ "{\"cmd\":\"reload\",\"dry_run\":\"false\"}", "\"dry_run\" must be true or false" },
		{ "{\"cmd\":\"vrrp\",\"instance\":null}", "vrrp: \"instance\" must be a string" },
		{ "{\"cmd\":\"vrrp\",\"instance\":[\"VI_1\"]}", "\"instance\" must be a string" },
		{ "{\"cmd\":\"vrrp\",\"instance\":\"VI_9\"}", "unknown VRRP instance 'VI_9'" },
		{ "{\"cmd\":null}", "no \"cmd\" string" },
		{ "{}", "no \"cmd\" string" },
		{ "{\"cmd\":\"frobnicate\"}", "unknown command 'frobnicate'" },
		{ "[\"status\"]", "not a JSON object" },
		{ "null", "not a JSON object" },
		{ "{\"cmd\":", "not a JSON object" },
		{ "{\"cmd\":\"drain\",\"vs\":\"nope\",\"rs\":\"198.51.100.11:80\"}",
		  "unknown virtual server 'nope'" },
		{ "{\"cmd\":\"drain\",\"vs\":\"web\",\"rs\":\"198.51.100.11\"}", "unknown real server" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error(d, cases[i][0], cases[i][1]);
	assert_int_equal(d->generation, 1);   /* no malformed reload reloaded */
}

static void test_well_formed(void **state)
{
	struct vigild *d = &((struct fake_vigild *)*state)->d;
	expect_ok(d, "{\"cmd\":\"status\"}");
	expect_ok(d, "{\"cmd\":\"drain\",\"vs\":\"web\",\"rs\":\"198.51.100.11:80\"}");
	expect_ok(d, "{\"cmd\":\"weight\",\"vs\":\"192.0.2.10:80/tcp\",\"rs\":\"198.51.100.12:8080\","
		     "\"weight\":65535}");
	expect_ok(d, "{\"cmd\":\"undrain\",\"vs\":\"fwmark:7\",\"rs\":\"[2001:db8::11]:443\"}");
	expect_ok(d, "{\"cmd\":\"vrrp\",\"instance\":\"VI_1\"}");
	expect_ok(d, "{\"cmd\":\"vrrp\"}");
	expect_ok(d, "{\"cmd\":\"reload\",\"dry_run\":true}");
	assert_int_equal(d->generation, 1);
	expect_ok(d, "{\"cmd\":\"reload\",\"dry_run\":false}");
	assert_int_equal(d->generation, 2);
}

/* The member readers themselves: absent leaves *out alone. */
static void test_member_readers(void **state)
{
	(void)state;
	struct json_object *req = json_tokener_parse("{\"s\":\"x\",\"b\":false,\"i\":42,\"n\":null}");
	const char *s = "unset";
	bool b = true;
	int i = -7;
	assert_null(ctl_member_str(req, "t", "absent", &s));
	assert_string_equal(s, "unset");
	assert_null(ctl_member_str(req, "t", "s", &s));
	assert_string_equal(s, "x");
	assert_null(ctl_member_bool(req, "t", "absent", &b));
	assert_true(b);
	assert_null(ctl_member_bool(req, "t", "b", &b));
	assert_false(b);
	assert_null(ctl_member_int(req, "t", "absent", 0, 100, &i));
	assert_int_equal(i, -7);
	assert_null(ctl_member_int(req, "t", "i", 0, 100, &i));
	assert_int_equal(i, 42);
	struct json_object *e;
	assert_non_null(e = ctl_member_int(req, "t", "i", 0, 41, &i));
	json_object_put(e);
	const char *keys[] = { "s", "b", "i", "n" };
	for (size_t k = 0; k < 4; k++) {
		if (k != 0) {
			assert_non_null(e = ctl_member_str(req, "t", keys[k], &s));
			json_object_put(e);
		}
		if (k != 1) {
			assert_non_null(e = ctl_member_bool(req, "t", keys[k], &b));
			json_object_put(e);
		}
		if (k != 2) {
			assert_non_null(e = ctl_member_int(req, "t", keys[k], 0, 100, &i));
			json_object_put(e);
		}
	}
	assert_string_equal(s, "x");
	assert_false(b);
	assert_int_equal(i, 42);
	json_object_put(req);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrong_member_types),
		cmocka_unit_test(test_well_formed),
		cmocka_unit_test(test_member_readers),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
