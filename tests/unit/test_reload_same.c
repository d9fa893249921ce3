/*
 * test_reload_same: a reload of an unchanged file changes nothing, over
 * every configuration the repository ships or produces: the example files
 * (etc/), the converter's outputs for keepalived's samples and the
 * realistic sites (tests/convert/NAME.expected). For each, a parent
 * (fake_vigild: dry-run IPVS table, no children) loads it and programs its
 * table, then reloads it
 * three times:
 *   - every child's packed view is byte-identical to the one it runs
 *     (children are handed exactly what they already have, so no check,
 *     tracker or instance can be rebuilt);
 *   - the parent makes no IPVS operation.
 * The netns test t_reload_invariance checks the same with live children
 * and peers on a few of these; this one covers them all. A control case
 * shows the measure bites: the same file with one weight changed makes
 * exactly one operation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glob.h>
#include <json-c/json.h>

#include "../unit/fake_vigild.h"
#include "conf_pack.h"
#include "log.h"
#include "lvs_int.h"

static uint64_t ops_total(struct vigild *d)
{
	uint64_t n = d->lvs->count.errors;
	for (size_t i = 0; i < sizeof(d->lvs->count.ops) / sizeof(d->lvs->count.ops[0]); i++)
		n += d->lvs->count.ops[i];
	return n;
}

/* A parent on the file at path, its table programmed. */
static void parent_on(struct fake_vigild *f, const char *path)
{
	assert_int_equal(fake_vigild_init(f), 0);
	/* The fake's own file is replaced by the one under test. */
	conf_free(f->d.conf);
	unlink(f->path);
	struct conf_errors errs = { 0 };
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->d.opts.config = f->path;
	f->d.conf = conf_load(path, &errs);
	for (unsigned i = 0; i < errs.n; i++)
		print_error("%s\n", errs.lines[i]);
	conf_errors_free(&errs);
	assert_non_null(f->d.conf);
	assert_int_equal(supervise_pack(f->d.conf, f->d.blobs), 0);
	lvs_reconcile_now(&f->d);
}

static void parent_off(struct fake_vigild *f)
{
	f->path[0] = '\0';            /* not the fake's file: nothing to unlink */
	fake_vigild_free(f);
	memset(f, 0, sizeof(*f));
}

static void reload_ok(struct vigild *d)
{
	struct json_object *errors = NULL;
	int r = parent_reload(d, &errors, NULL);
	if (errors)
		print_error("%s\n", json_object_to_json_string(errors));
	json_object_put(errors);
	assert_int_equal(r, 0);
}

static void reload_changes_nothing(const char *path)
{
	struct fake_vigild f;
	parent_on(&f, path);
	struct conf_blob before[CHILD__COUNT];
	for (int k = 0; k < CHILD__COUNT; k++) {
		before[k].len = f.d.blobs[k].len;
		before[k].data = malloc(before[k].len ? before[k].len : 1);
		assert_non_null(before[k].data);
		memcpy(before[k].data, f.d.blobs[k].data, before[k].len);
	}
	uint64_t ops0 = ops_total(&f.d);
	for (int i = 0; i < 3; i++) {
		reload_ok(&f.d);
		for (int k = 0; k < CHILD__COUNT; k++) {
			if (f.d.blobs[k].len != before[k].len
			    || memcmp(f.d.blobs[k].data, before[k].data, before[k].len))
				fail_msg("%s: reload %d packed a different view for child %d", path, i + 1, k);
		}
		if (ops_total(&f.d) != ops0)
			fail_msg("%s: reload %d made %llu IPVS operations", path, i + 1,
				 (unsigned long long)(ops_total(&f.d) - ops0));
	}
	for (int k = 0; k < CHILD__COUNT; k++)
		free(before[k].data);
	parent_off(&f);
}

static unsigned each_config(const char *pattern)
{
	char pat[512];
	glob_t g;
	snprintf(pat, sizeof(pat), "%s/%s", TEST_SOURCE_DIR, pattern);
	if (glob(pat, 0, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++)
		reload_changes_nothing(g.gl_pathv[i]);
	unsigned n = (unsigned)g.gl_pathc;
	globfree(&g);
	return n;
}

static void test_examples(void **st)
{
	(void)st;
	assert_true(each_config("etc/*.conf") >= 2);
}

static void test_converted(void **st)
{
	(void)st;
	assert_true(each_config("tests/convert/*.expected") >= 7);
}

/* The measure bites: one weight changed is one operation, and the
 * checker's view (which holds the real servers) differs. */
static void test_a_change_is_seen(void **st)
{
	(void)st;
	struct fake_vigild f;
	assert_int_equal(fake_vigild_init(&f), 0);
	lvs_reconcile_now(&f.d);
	assert_int_equal(supervise_pack(f.d.conf, f.d.blobs), 0);
	uint64_t h0 = f.d.blobs[CHILD_CHECKER].hash, ops0 = ops_total(&f.d);
	assert_true(ops0 > 0);
	reload_ok(&f.d);
	assert_true(f.d.blobs[CHILD_CHECKER].hash == h0);
	assert_true(ops_total(&f.d) == ops0);
	char *text = strdup(FAKE_VIGILD_CONF);
	char *w = strstr(text, "weight = 3");
	assert_non_null(w);
	w[9] = '4';
	FILE *fp = fopen(f.path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	free(text);
	reload_ok(&f.d);
	assert_true(f.d.blobs[CHILD_CHECKER].hash != h0);
	assert_true(ops_total(&f.d) == ops0 + 1);
	fake_vigild_free(&f);
}

int main(void)
{
	log_init("test_reload_same", false, false);
	setlogmask(LOG_UPTO(LOG_WARNING));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_change_is_seen),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_converted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
