/*
 * The keepalived.conf reader of vigil-convert (convert/kc_lex.c,
 * kc_pre.c, kc_tree.c): comments, quoted words, braces, include globs
 * relative to the including file, @host conditions, $VAR definitions and
 * uses, ~SEQ/~SEQx/~LST, and what makes a file unusable. Files are
 * written to a scratch directory; each statement is shown as
 * "FILE:LINE w1|w2|..." with FILE relative to that directory.
 */
#include <errno.h>
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

static char dir[] = "/tmp/test_convert_lex.XXXXXX";

static void put(const char *name, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	char *slash = strrchr(p, '/');
	*slash = '\0';
	mkdir(p, 0755);
	*slash = '/';
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The statements of dir/name, one per line, and the diagnostics. */
static char *lex(const char *name, const char *id, char **diag, int *rc)
{
	struct kc_lex lx;
	struct kc_diag d = { 0 };
	struct kc_lex_opts o = { .config_id = id };
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	*rc = kc_lex_file(p, &o, &lx, &d);
	char *out = NULL, *dg = NULL;
	size_t len = 0, dlen = 0;
	FILE *m = open_memstream(&out, &len), *dm = open_memstream(&dg, &dlen);
	for (unsigned i = 0; i < lx.n; i++) {
		fprintf(m, "%s:%d ", lx.v[i].src.file + strlen(dir) + 1, lx.v[i].src.line);
		for (unsigned k = 0; k < lx.v[i].n; k++)
			fprintf(m, "%s%s", k ? "|" : "", lx.v[i].w[k]);
		fputc('\n', m);
	}
	for (unsigned i = 0; i < d.n; i++)
		fprintf(dm, "%s\n", strstr(d.lines[i], dir) == d.lines[i]
			? d.lines[i] + strlen(dir) + 1 : d.lines[i]);
	fclose(m);
	fclose(dm);
	kc_lex_free(&lx);
	kc_diag_free(&d);
	if (diag)
		*diag = dg;
	else
		free(dg);
	return out;
}

static void expect(const char *name, const char *id, const char *want, const char *want_diag)
{
	char *diag;
	int rc;
	char *got = lex(name, id, &diag, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got, want);
	assert_string_equal(diag, want_diag);
	free(got);
	free(diag);
}

static void test_comments_quotes_braces(void **state)
{
	(void)state;
	put("a.conf",
	    "! a comment\n"
	    "global_defs {   # opens\n"
	    "   router_id \"lb # one\" ! not part of it\n"
	    "   notify \"/bin/x {a}\" arg\n"
	    "   smtp_server a\\#b\n"
	    "}\n"
	    "vrrp_instance VI { state MASTER }\n"
	    "virtual_server 192.0.2.1 80\n"
	    "{\n"
	    "}\n");
	expect("a.conf", "lb1",
	       "a.conf:2 global_defs\n"
	       "a.conf:2 {\n"
	       "a.conf:3 router_id|lb # one\n"
	       "a.conf:4 notify|/bin/x {a}|arg\n"
	       "a.conf:5 smtp_server|a#b\n"
	       "a.conf:6 }\n"
	       "a.conf:7 vrrp_instance|VI\n"
	       "a.conf:7 {\n"
	       "a.conf:7 state|MASTER\n"
	       "a.conf:7 }\n"
	       "a.conf:8 virtual_server|192.0.2.1|80\n"
	       "a.conf:9 {\n"
	       "a.conf:10 }\n", "");
}

static void test_include_glob_relative(void **state)
{
	(void)state;
	put("main.conf", "first\ninclude sub/*.conf\nincluder none/*.conf\nlast\n");
	put("sub/b.conf", "b_line\n");
	put("sub/a.conf", "a_line\ninclude deeper/x.conf\n");
	put("sub/deeper/x.conf", "x_line\n");
	/* the nested include is relative to sub/, the file that includes it */
	expect("main.conf", "lb1",
	       "main.conf:1 first\n"
	       "sub/a.conf:1 a_line\n"
	       "sub/deeper/x.conf:1 x_line\n"
	       "sub/b.conf:1 b_line\n"
	       "main.conf:4 last\n",
	       "main.conf:3: not converted: include none/*.conf: no file matches "
	       "(nothing read from it)\n");
}

static void test_conditionals(void **state)
{
	(void)state;
	put("c.conf", "@lb1 priority 150\n@lb2 priority 100\n@^lb2 kept\n@^lb1 dropped\n"
	    "  @lb1   indented\n");
	expect("c.conf", "lb1", "c.conf:1 priority|150\nc.conf:3 kept\nc.conf:5 indented\n", "");
	expect("c.conf", "lb2", "c.conf:2 priority|100\nc.conf:4 dropped\n", "");
}

static void test_definitions(void **state)
{
	(void)state;
	put("d.conf",
	    "$VIP=192.0.2.10\n"
	    "$PORT = 80\n"
	    "virtual_server $VIP $PORT\n"
	    "addr ${VIP}/24 $VIP/24 $UNDEFINED\n"
	    "$BASE=10.2.${SUB}\n"
	    "$SUB=0\n"
	    "${BASE}.100/32\n"
	    "$SUB=10\n"
	    "${BASE}.100/32\n"
	    "@lb1 $PRIO=150\n"
	    "priority $PRIO\n"
	    "hash ${_HASH}x ${_INSTANCE}\n");
	/* $VIP/24 stays: a name must end at a blank, ',' or ')' (keepalived) */
	expect("d.conf", "lb1",
	       "d.conf:3 virtual_server|192.0.2.10|80\n"
	       "d.conf:4 addr|192.0.2.10/24|$VIP/24|$UNDEFINED\n"
	       "d.conf:7 10.2.0.100/32\n"
	       "d.conf:9 10.2.10.100/32\n"
	       "d.conf:11 priority|150\n"
	       "d.conf:12 hash|#x|lb1\n", "");
}

static void test_multiline_definition(void **state)
{
	(void)state;
	put("m.conf",
	    "$RS= \\\n"
	    "real_server 198.51.100.${N} 80 { \\\n"
	    "    weight ${N} \\\n"
	    "}\n"
	    "$N=1\n"
	    "$RS\n"
	    "$N=2\n"
	    "$RS\n");
	/* the expansion's statements carry the line that used it */
	expect("m.conf", "lb1",
	       "m.conf:6 real_server|198.51.100.1|80\nm.conf:6 {\nm.conf:6 weight|1\nm.conf:6 }\n"
	       "m.conf:8 real_server|198.51.100.2|80\nm.conf:8 {\nm.conf:8 weight|2\nm.conf:8 }\n",
	       "");
}

static void test_seq_and_lst(void **state)
{
	(void)state;
	put("s.conf",
	    "~SEQ(N, 1, 3) ip 10.0.${N}.1\n"
	    "~SEQx(H, 0x90, 0x10, 0xa0) ip6 fe80::${H}\n"
	    "~SEQ(D, 5, -2, 1) down $D\n"
	    "~SEQ(E, 2) end ${E}\n"
	    "~LST(V, a, b) lst $V\n"
	    "~LST({A, B}, {1, 2}, {3, 4}) pair ${A}-${B}\n"
	    "~SEQ(I, 1, 2) ~SEQ(J, 1, 2) nest ${I}${J}\n"
	    "~SEQ(bad)\n");
	expect("s.conf", "lb1",
	       "s.conf:1 ip|10.0.1.1\ns.conf:1 ip|10.0.2.1\ns.conf:1 ip|10.0.3.1\n"
	       "s.conf:2 ip6|fe80::90\ns.conf:2 ip6|fe80::a0\n"
	       "s.conf:3 down|5\ns.conf:3 down|3\ns.conf:3 down|1\n"
	       "s.conf:4 end|1\ns.conf:4 end|2\n"
	       "s.conf:5 lst|a\ns.conf:5 lst|b\n"
	       "s.conf:6 pair|1-2\ns.conf:6 pair|3-4\n"
	       "s.conf:7 nest|11\ns.conf:7 nest|12\ns.conf:7 nest|21\ns.conf:7 nest|22\n",
	       "s.conf:8: not converted: invalid ~SEQ specification\n");
}

static void test_unusable(void **state)
{
	(void)state;
	char *diag;
	int rc;
	free(lex("missing.conf", "lb1", &diag, &rc));
	assert_int_equal(rc, -ENOENT);
	assert_non_null(strstr(diag, "missing.conf: error: cannot read"));
	free(diag);

	put("q.conf", "router_id \"unterminated\n");
	free(lex("q.conf", "lb1", &diag, &rc));
	assert_string_equal(diag, "q.conf:1: error: unterminated quote: router_id \"unterminated\n");
	free(diag);

	/* braces that do not pair up */
	const char *bad[] = { "a {\nb\n", "a\n}\n", "{\nx\n}\n" };
	const char *why[] = { "'a' block not closed", "'}' without a block", "'{' without a keyword" };
	for (unsigned i = 0; i < 3; i++) {
		put("b.conf", bad[i]);
		char p[512];
		snprintf(p, sizeof(p), "%s/b.conf", dir);
		struct kc_lex lx;
		struct kc_diag d = { 0 };
		struct kc_node root;
		assert_int_equal(kc_lex_file(p, NULL, &lx, &d), 0);
		assert_int_equal(kc_tree_build(&lx, &root, &d), -1);
		assert_true(d.fatal);
		assert_non_null(strstr(d.lines[0], why[i]));
		kc_tree_free(&root);
		kc_lex_free(&lx);
		kc_diag_free(&d);
	}
}

static void test_tree_nesting(void **state)
{
	(void)state;
	put("t.conf", "vs 1 {\n  rs 2\n  {\n    chk { url { path / } }\n  }\n}\nlast\n");
	char p[512];
	snprintf(p, sizeof(p), "%s/t.conf", dir);
	struct kc_lex lx;
	struct kc_diag d = { 0 };
	struct kc_node root;
	assert_int_equal(kc_lex_file(p, NULL, &lx, &d), 0);
	assert_int_equal(kc_tree_build(&lx, &root, &d), 0);
	assert_int_equal(root.n_kids, 2);
	const struct kc_node *vs = &root.kids[0];
	assert_true(vs->block);
	assert_int_equal(vs->n_kids, 1);
	const struct kc_node *url = &vs->kids[0].kids[0].kids[0];
	assert_string_equal(url->w[0], "url");
	assert_string_equal(url->kids[0].w[1], "/");
	assert_int_equal(url->src.line, 4);
	assert_false(root.kids[1].block);
	kc_tree_free(&root);
	kc_lex_free(&lx);
	kc_diag_free(&d);
}

static void test_command_splitting(void **state)
{
	(void)state;
	char **w;
	assert_int_equal(kc_qe_split("script \"/bin/x 'a b' c\\x41z\" user", &w), 3);
	assert_string_equal(w[1], "/bin/x 'a b' cAz");
	char **argv;
	assert_int_equal(kc_qe_split(w[1], &argv), 3);
	assert_string_equal(argv[1], "a b");
	assert_string_equal(argv[2], "cAz");
	kc_words_free(argv);
	kc_words_free(w);
	assert_int_equal(kc_qe_split("x \\x41\\101\\cA 'q", &w), -1);
	assert_int_equal(kc_qe_split("x \\x41\\101", &w), 2);
	assert_string_equal(w[1], "AA");
	kc_words_free(w);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_comments_quotes_braces),
		cmocka_unit_test(test_include_glob_relative),
		cmocka_unit_test(test_conditionals),
		cmocka_unit_test(test_definitions),
		cmocka_unit_test(test_multiline_definition),
		cmocka_unit_test(test_seq_and_lst),
		cmocka_unit_test(test_unusable),
		cmocka_unit_test(test_tree_nesting),
		cmocka_unit_test(test_command_splitting),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
