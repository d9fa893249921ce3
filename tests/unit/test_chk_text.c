/*
 * test_chk_text: the smtp reply parser, the udp check's reply tests and
 * hex bytes (common/hexbytes.c), the file check's arithmetic, and
 * the script checks' argv splitting (no shell: quotes and backslashes as
 * a shell would, nothing else).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "argv.h"
#include "chk_parsers.h"
#include "conf.h"
#include "hexbytes.h"

static void test_smtp(void **st)
{
	(void)st;
	int code = 0;
	size_t used = 0;
	const char *g = "220 mx.example.org ESMTP ready\r\n";
	assert_int_equal(chk_smtp_reply(g, strlen(g), &code, &used), 1);
	assert_int_equal(code, 220);
	assert_int_equal(used, strlen(g));
	const char *multi = "250-mx.example.org\r\n250-PIPELINING\r\n250 8BITMIME\r\nnext";
	assert_int_equal(chk_smtp_reply(multi, strlen(multi), &code, &used), 1);
	assert_int_equal(code, 250);
	assert_int_equal(used, strlen(multi) - 4);
	assert_int_equal(chk_smtp_reply("250-a\r\n250-b\r\n", 14, &code, &used), 0);
	assert_int_equal(chk_smtp_reply("220 partial", 11, &code, &used), 0);
	assert_int_equal(chk_smtp_reply("554 no\r\n", 8, &code, &used), 1);
	assert_int_equal(code, 554);
	assert_int_equal(chk_smtp_reply("250\r\n", 5, &code, &used), 1);
	assert_int_equal(chk_smtp_reply("HTTP/1.1 400\r\n", 14, &code, &used), -1);
	assert_int_equal(chk_smtp_reply("250-a\r\n220 b\r\n", 14, &code, &used), -1);
	assert_int_equal(chk_smtp_reply("25x ok\r\n", 8, &code, &used), -1);
	assert_int_equal(chk_smtp_reply("250x\r\n", 6, &code, &used), -1);
}

static const struct {
	const char *cmd;
	int n;
	const char *words[5];
} argv_cases[] = {
	{ "/bin/true", 1, { "/bin/true" } },
	{ "  /usr/bin/check   -p 80\t--x ", 4, { "/usr/bin/check", "-p", "80", "--x" } },
	{ "cmd 'a b' \"c d\"", 3, { "cmd", "a b", "c d" } },
	{ "cmd 'it'\\''s'", 2, { "cmd", "it's" } },
	{ "cmd \"say \\\"hi\\\" \\n\"", 2, { "cmd", "say \"hi\" \\n" } },
	{ "cmd a\\ b", 2, { "cmd", "a b" } },
	{ "cmd ''", 2, { "cmd", "" } },
	{ "cmd $HOME;rm *|x", 3, { "cmd", "$HOME;rm", "*|x" } },
	{ "", -EINVAL, { NULL } },
	{ "   ", -EINVAL, { NULL } },
	{ "cmd 'open", -EINVAL, { NULL } },
	{ "cmd \"open", -EINVAL, { NULL } },
};

static void test_udp_reply(void **st)
{
	(void)st;
	assert_true(chk_udp_reply_ok("anything", 8, NULL));
	assert_true(chk_udp_reply_ok("x\0pong\0", 7, "pong"));
	assert_false(chk_udp_reply_ok("x\0pon", 5, "pong"));
	assert_true(chk_udp_reply_ok("", 0, ""));
}

static void test_hexbytes(void **st)
{
	(void)st;
	uint8_t b[8], m[8];
	size_t bad = 99;
	assert_int_equal(hexbytes_parse("4e 54\t50", false, b, NULL, sizeof(b), NULL), 3);
	assert_memory_equal(b, "NTP", 3);
	assert_int_equal(hexbytes_parse("00FFaB", false, b, NULL, sizeof(b), NULL), 3);
	assert_true(b[0] == 0 && b[1] == 0xff && b[2] == 0xab);
	assert_int_equal(hexbytes_parse("", false, b, NULL, sizeof(b), NULL), 0);
	assert_int_equal(hexbytes_parse("4e5", false, b, NULL, sizeof(b), &bad), -EINVAL);
	assert_int_equal(bad, 3);                    /* the lone digit's pair ends there */
	assert_int_equal(hexbytes_parse("4 e", false, b, NULL, sizeof(b), &bad), -EINVAL);
	assert_int_equal(bad, 1);
	assert_int_equal(hexbytes_parse("zz", false, b, NULL, sizeof(b), &bad), -EINVAL);
	assert_int_equal(bad, 0);
	assert_int_equal(hexbytes_parse("4x", false, b, NULL, sizeof(b), &bad), -EINVAL);
	assert_int_equal(hexbytes_parse("000000000000000000", false, b, NULL, sizeof(b), NULL),
			 -E2BIG);
	assert_int_equal(hexbytes_parse("0000000000000000", false, NULL, NULL, sizeof(b), NULL), 8);
	/* wildcards: a nibble with mask 0 */
	assert_int_equal(hexbytes_parse("4X xa", true, b, m, sizeof(b), NULL), 2);
	assert_true(b[0] == 0x40 && m[0] == 0xf0 && b[1] == 0x0a && m[1] == 0x0f);
	assert_true(hexbytes_prefix((const uint8_t *)"NZ!", 3, b, m, 2));       /* 4e 5a */
	assert_true(hexbytes_prefix((const uint8_t *)"Aj", 2, b, m, 2));        /* 41 6a */
	assert_false(hexbytes_prefix((const uint8_t *)"NT", 2, b, m, 2));       /* 54: not ?a */
	assert_false(hexbytes_prefix((const uint8_t *)"N", 1, b, m, 2));        /* too short */
	const uint8_t ntp[] = { 0x4e, 0x54 };
	assert_true(hexbytes_prefix((const uint8_t *)"NTP", 3, ntp, NULL, 2));
	assert_false(hexbytes_prefix((const uint8_t *)"NUP", 3, ntp, NULL, 2));
	assert_true(hexbytes_prefix((const uint8_t *)"", 0, ntp, NULL, 0));
}

/* Length bounds on the whole datagram, then the prefix, then expect. */
static void test_udp_judge(void **st)
{
	(void)st;
	const uint8_t pre[] = { 0x24, 0x00 }, mask[] = { 0xff, 0x00 };
	struct chk_udp_want w = { .prefix = pre, .mask = mask, .prefix_len = 2, .min_len = 4,
				  .max_len = 48, .expect = "ok" };
	assert_int_equal(chk_udp_judge("$\x07ok", 4, 4, &w), CHK_UDP_OK);
	assert_int_equal(chk_udp_judge("$ok", 3, 3, &w), CHK_UDP_SHORT);
	assert_int_equal(chk_udp_judge("$\x07ok", 4, 49, &w), CHK_UDP_LONG);   /* truncated */
	assert_int_equal(chk_udp_judge("#\x07ok", 4, 4, &w), CHK_UDP_PREFIX);
	assert_int_equal(chk_udp_judge("$\x07no", 4, 4, &w), CHK_UDP_EXPECT);
	struct chk_udp_want any = { 0 };
	assert_int_equal(chk_udp_judge("", 0, 0, &any), CHK_UDP_OK);
}

/* keepalived's FILE_CHECK arithmetic: weight 0 is a switch; otherwise
 * value x weight (reverse: negated) is added to the server's weight with
 * dynamic_weight, and below -65535 the server is down. */
static void test_file_judge(void **st)
{
	(void)st;
	struct check_conf sw = { .file_weight = 0 };
	int w;
	assert_true(chk_file_judge(0, &sw, &w));
	assert_int_equal(w, -1);
	assert_false(chk_file_judge(1, &sw, &w));
	assert_false(chk_file_judge(-3, &sw, &w));
	struct check_conf dyn = { .file_weight = 10, .dynamic_weight = true, .base_weight = 100 };
	const struct { long v; bool pass; int w; } t[] = {
		{ 0, true, 100 }, { 5, true, 150 }, { -5, true, 50 }, { -10, true, 0 },
		{ -11, true, 0 },                 /* below 0: kept at 0 (drained), still up */
		{ 7000, true, 65535 },            /* kept at 65535 */
		{ -6553, true, 0 }, { -6554, false, -1 },   /* r < -65535: down */
		{ -1000000, false, -1 },
	};
	for (unsigned i = 0; i < sizeof(t) / sizeof(*t); i++) {
		w = 12345;
		assert_int_equal(chk_file_judge(t[i].v, &dyn, &w), t[i].pass);
		if (t[i].pass)
			assert_int_equal(w, t[i].w);
	}
	dyn.file_reverse = true;              /* the value counts negated */
	assert_true(chk_file_judge(5, &dyn, &w));
	assert_int_equal(w, 50);
	assert_false(chk_file_judge(6554, &dyn, &w));
	struct check_conf fixed = { .file_weight = -1, .base_weight = 3 };
	assert_true(chk_file_judge(65535, &fixed, &w));
	assert_int_equal(w, -1);              /* no dynamic_weight: no weight */
	assert_false(chk_file_judge(65536, &fixed, &w));
}

static void test_argv(void **st)
{
	(void)st;
	for (size_t i = 0; i < sizeof(argv_cases) / sizeof(argv_cases[0]); i++) {
		char **v = NULL;
		int n = argv_split(argv_cases[i].cmd, &v);
		assert_int_equal(n, argv_cases[i].n);
		if (n < 0)
			continue;
		for (int k = 0; k < n; k++)
			assert_string_equal(v[k], argv_cases[i].words[k]);
		assert_null(v[n]);
		argv_free(v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smtp),
		cmocka_unit_test(test_udp_reply),
		cmocka_unit_test(test_hexbytes),
		cmocka_unit_test(test_udp_judge),
		cmocka_unit_test(test_file_judge),
		cmocka_unit_test(test_argv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
