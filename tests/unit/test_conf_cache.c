/*
 * test_conf_cache: a cached load (conf_load_cached, the reload's) gives
 * exactly what a full load (conf_load) gives — the same packed bytes,
 * lines included, or the same error lines — through a series of edits of
 * a generated file: nothing, one weight, a line added inside one virtual
 * server (the ones after it move down), one removed, one added, two
 * swapped, a duplicate, a syntax error, the global section changed, a
 * virtual server that runs a program, and braces, quotes and escapes in
 * strings and comments. Each step also says how many virtual servers the
 * cached load copied and how many it read, so a test that passed by
 * always loading in full would fail here. Then every configuration the
 * repository ships or the converter writes, loaded twice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glob.h>

#include "conf_pack.h"
#include "config.h"

struct t {
	char path[64];
	struct conf_cache *k;
	int n;                        /* virtual servers */
	int weight[512];
	bool extra_line[512], script[512];
	char global[256];
	const char *tail;             /* text after the list's last element */
	bool halves;                  /* the last load parsed in two halves */
};

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Virtual server i's text (id: its address and name). */
static void vs_text(FILE *o, const struct t *t, int i, int id)
{
	fprintf(o, "  # virtual server %d: a comment with } and { and \"\n", id);
	fprintf(o, "  { name = \"vs%d\"; address = \"192.0.2.%d\"; port = %d;\n", id, id % 250 + 1,
		80 + id / 250);
	fprintf(o, "    scheduler = \"wlc\"; /* a } in a comment */ check_interval = 2.0;\n"
		   "    // a { in a line comment\n");
	if (id % 3 == 0)
		fprintf(o, "    /* a comment ( over\n       two lines ] */\n");
	if (t->extra_line[i])
		fprintf(o, "    quorum = 1;\n");
	fprintf(o, "    real_servers = (\n"
		   "      { address = \"198.51.100.%d\"; port = 8080; weight = %d;\n"
		   "        checks = ( { type = \"http\"; path = \"/h{1}\\\"x\"; host = \"a}b\";\n"
		   "                     status = [ 200, 204 ]; rise = 2; } ); },\n",
		id % 250 + 1, t->weight[i]);
	if (t->script[i])
		fprintf(o, "      { address = \"198.51.100.%d\"; port = 8081; notify_up = \"/bin/true\"; },\n",
			id % 250 + 1);
	fprintf(o, "      { address = \"198.51.100.%d\"; port = 8082;\n"
		   "        checks = ( { type = \"tcp\"; timeout = 1.0; } ); }\n"
		   "    ); }", id % 250 + 1);
}

/* The file, its virtual servers in order ids[0..n). */
static void gen(struct t *t, const int *ids)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&buf, &len);
	assert_non_null(o);
	fprintf(o, "global = { router_id = \"lb1\"; script_security = false; %s };\n", t->global);
	fprintf(o, "virtual_servers = (\n");
	for (int i = 0; i < t->n; i++) {
		vs_text(o, t, i, ids ? ids[i] : i);
		fprintf(o, i + 1 < t->n ? ",\n" : "\n");
	}
	fprintf(o, "%s);\n", t->tail ? t->tail : "");
	fprintf(o, "vrrp = { instances = ( { name = \"VI_1\"; interface = \"lo\"; vrid = 51;\n"
		   "  priority = 100; addresses = [ \"203.0.113.1/24\" ]; } ); };\n");
	fclose(o);
	write_text(t->path, buf);
	free(buf);
}

/* conf_load and conf_load_cached (with *k) of path agree: the same
 * packed bytes, or the same error lines. */
static void agree(const char *path, struct conf_cache **k)
{
	struct conf_errors e1 = { 0 }, e2 = { 0 };
	struct conf *a = conf_load(path, &e1);
	struct conf *b = conf_load_cached(path, &e2, k);
	assert_int_equal(a != NULL, b != NULL);
	if (a) {
		struct conf_blob x, y;
		assert_int_equal(conf_pack(a, CONF_VIEW_ALL, &x), 0);
		assert_int_equal(conf_pack(b, CONF_VIEW_ALL, &y), 0);
		assert_int_equal(x.len, y.len);
		assert_memory_equal(x.data, y.data, x.len);
		conf_blob_free(&x);
		conf_blob_free(&y);
	} else {
		assert_int_equal(e1.n, e2.n);
		for (unsigned i = 0; i < e1.n; i++)
			assert_string_equal(e1.lines[i], e2.lines[i]);
	}
	conf_free(a);
	conf_free(b);
	conf_errors_free(&e1);
	conf_errors_free(&e2);
}

/* The file loads the same both ways; the cached load copied `reused`
 * and read `parsed` (-1: not checked; the cache is as the previous load
 * left it when the load failed). */
static void same(struct t *t, int reused, int parsed)
{
	agree(t->path, &t->k);
	unsigned r, p;
	bool halves;
	conf_cache_stats(t->k, &r, &p, &halves);
	t->halves = halves;
	if (reused >= 0)
		assert_int_equal(r, reused);
	if (parsed >= 0)
		assert_int_equal(p, parsed);
}

static struct t *t_new(int n)
{
	struct t *t = calloc(1, sizeof(*t));
	assert_non_null(t);
	snprintf(t->path, sizeof(t->path), "/tmp/vigil-cache-XXXXXX");
	int fd = mkstemp(t->path);
	assert_true(fd >= 0);
	close(fd);
	t->n = n;
	for (int i = 0; i < n; i++)
		t->weight[i] = 1 + i % 5;
	gen(t, NULL);
	same(t, 0, n);               /* the first load reads everything */
	return t;
}

static void t_free(struct t *t)
{
	unlink(t->path);
	conf_cache_free(t->k);
	free(t);
}

static void test_edits(void **state)
{
	(void)state;
	struct t *t = t_new(12);
	same(t, 12, 0);               /* unchanged: nothing read again */
	t->weight[5] = 9;
	gen(t, NULL);
	same(t, 11, 1);               /* one weight */
	t->extra_line[3] = true;
	gen(t, NULL);
	same(t, 11, 1);               /* a line more in one: the later ones move down */
	same(t, 12, 0);
	/* Removed, added, swapped: ids name each one's text. */
	int ids[16];
	for (int i = 0; i < 12; i++)
		ids[i] = i;
	t->n = 11;
	gen(t, ids + 1);              /* the first removed: weights shift too */
	same(t, -1, -1);
	t->n = 12;
	gen(t, NULL);
	same(t, -1, -1);
	ids[0] = 7, ids[7] = 0;
	int w0 = t->weight[0];
	t->weight[0] = t->weight[7], t->weight[7] = w0;
	gen(t, ids);                  /* 0 and 7 swapped, each with its own weight */
	same(t, 12, 0);
	t_free(t);
}

static void test_errors_keep_the_cache(void **state)
{
	(void)state;
	struct t *t = t_new(6);
	same(t, 6, 0);
	/* A duplicate: the cached load finds it, the full one says where. */
	int ids[8] = { 0, 1, 2, 3, 4, 1 };
	gen(t, ids);
	same(t, 6, 0);                /* refused; the cache is the last good load's */
	t->tail = "  , { address = \"192.0.2.200\"; port = ; }\n";   /* a syntax error */
	gen(t, NULL);
	same(t, 6, 0);
	t->tail = "  , { address = \"192.0.2.200\"; port = 80; scheduler = \"nope\";\n"
		  "      real_servers = ( { address = \"198.51.100.9\"; } ); }\n";
	gen(t, NULL);
	same(t, 6, 0);                /* an element's own error */
	t->tail = NULL;
	gen(t, NULL);
	same(t, 6, 0);
	t_free(t);
}

static void test_outside_changes_read_all(void **state)
{
	(void)state;
	struct t *t = t_new(5);
	snprintf(t->global, sizeof(t->global), "keep_ipvs_on_exit = true;");
	gen(t, NULL);
	same(t, 0, 5);                /* the global section: every one read again */
	same(t, 5, 0);
	t->script[2] = true;
	gen(t, NULL);
	same(t, 4, 1);
	same(t, 4, 1);                /* one that runs a program is always read */
	t_free(t);
}

/* A large file's full load parses in two halves at once: the same
 * result, and errors found that way are reported as a load in one. */
static void test_large(void **state)
{
	(void)state;
	struct t *t = t_new(300);
	assert_true(t->halves);
	t->weight[299] = 7;
	t->extra_line[10] = true;
	gen(t, NULL);
	same(t, 298, 2);
	assert_false(t->halves);
	snprintf(t->global, sizeof(t->global), "keep_ipvs_on_exit = true;");
	gen(t, NULL);
	same(t, 0, 300);              /* the global section changed: a full load */
	assert_true(t->halves);
	int ids[300];
	for (int i = 0; i < 300; i++)
		ids[i] = i;
	ids[250] = 20;                /* a duplicate in the second half */
	gen(t, ids);
	same(t, 0, 300);              /* refused as a full load refuses it */
	t->script[150] = true;
	gen(t, NULL);
	same(t, 299, 1);
	/* A full load in halves reads each half's virtual servers on a
	 * thread of its own: an element's own error in either half gives
	 * the lines of a load in one. */
	snprintf(t->global, sizeof(t->global), "keep_ipvs_on_exit = false;");
	t->weight[260] = -5;
	gen(t, NULL);
	same(t, -1, -1);
	t->weight[260] = 1;
	t->weight[10] = 70000;
	gen(t, NULL);
	same(t, -1, -1);
	t->weight[10] = 1;
	gen(t, NULL);
	same(t, 0, 300);
	assert_true(t->halves);
	t_free(t);
}

static void test_shipped_files(void **state)
{
	(void)state;
	const char *pats[] = { TEST_SOURCE_DIR "/etc/*.conf", TEST_SOURCE_DIR "/tests/convert/*.expected" };
	unsigned files = 0;
	for (size_t p = 0; p < 2; p++) {
		glob_t g;
		if (glob(pats[p], 0, NULL, &g) != 0)
			continue;
		for (size_t i = 0; i < g.gl_pathc; i++) {
			struct conf_cache *k = NULL;
			struct conf_errors e = { 0 };
			conf_free(conf_load_cached(g.gl_pathv[i], &e, &k));   /* makes the cache */
			conf_errors_free(&e);
			agree(g.gl_pathv[i], &k);
			conf_cache_free(k);
			files++;
		}
		globfree(&g);
	}
	assert_true(files >= 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edits),
		cmocka_unit_test(test_errors_keep_the_cache),
		cmocka_unit_test(test_outside_changes_read_all),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_shipped_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
