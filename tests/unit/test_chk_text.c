/*
 * test_chk_text: the smtp reply parser, the udp check's reply test, and
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
		cmocka_unit_test(test_argv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
