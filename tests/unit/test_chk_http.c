/*
 * test_chk_http: the http/https checks' pure part — status line, headers,
 * Content-Length, chunked bodies, EOF-delimited bodies, truncation, and
 * the judge (status list, expect substring, MD5 digest).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conf.h"
#include "http_parse.h"

static int parse(const char *s, bool eof, struct chk_http_resp *r)
{
	return chk_http_parse(s, strlen(s), eof, false, r);
}

static void test_status_and_length(void **st)
{
	(void)st;
	struct chk_http_resp r = { 0 };
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", false, &r),
			 CHK_HTTP_HEADERS);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.content_length, 5);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, &r),
			 CHK_HTTP_DONE);
	assert_int_equal(r.body_len, 5);
	assert_memory_equal(r.body, "hello", 5);
	assert_int_equal(parse("HTTP/1.0 503 Service Unavailable\n\n", false, &r),
			 CHK_HTTP_HEADERS);
	assert_int_equal(r.status, 503);
	assert_int_equal(parse("HTTP/1.1 20", false, &r), CHK_HTTP_MORE);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nServer: x\r\n", false, &r), CHK_HTTP_MORE);
	chk_http_resp_free(&r);
}

static void test_malformed(void **st)
{
	(void)st;
	struct chk_http_resp r = { 0 };
	assert_int_equal(parse("SSH-2.0-OpenSSH_9.2\r\n", false, &r), CHK_HTTP_BAD);
	assert_int_equal(parse("HTTP/1.1 2x0 OK\r\n\r\n", false, &r), CHK_HTTP_BAD);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", false, &r), CHK_HTTP_BAD);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", false, &r),
			 CHK_HTTP_BAD);
	/* truncated by the server */
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", true, &r),
			 CHK_HTTP_BAD);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\n", true, &r), CHK_HTTP_BAD);
	chk_http_resp_free(&r);
}

static void test_eof_body_and_head(void **st)
{
	(void)st;
	struct chk_http_resp r = { 0 };
	assert_int_equal(parse("HTTP/1.0 200 OK\r\n\r\nbody to the end", false, &r),
			 CHK_HTTP_HEADERS);
	assert_int_equal(parse("HTTP/1.0 200 OK\r\n\r\nbody to the end", true, &r), CHK_HTTP_DONE);
	assert_int_equal(r.body_len, 15);
	const char *h = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
	assert_int_equal(chk_http_parse(h, strlen(h), false, true, &r), CHK_HTTP_DONE);
	assert_int_equal(parse("HTTP/1.1 204 No Content\r\n\r\n", false, &r), CHK_HTTP_DONE);
	chk_http_resp_free(&r);
}

/* When a connection may carry the next request (reuse_connection). */
static void test_reusable(void **st)
{
	(void)st;
	struct chk_http_resp r = { 0 };
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n", false, &r),
			 CHK_HTTP_DONE);
	assert_true(r.reusable);
	assert_false(r.conn_close);
	/* A byte past the response: out of step with the server. */
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\nX", false, &r),
			 CHK_HTTP_DONE);
	assert_false(r.reusable);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n",
			       false, &r), CHK_HTTP_DONE);
	assert_true(r.conn_close);
	assert_false(r.reusable);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\n"
			       "Content-Length: 0\r\n\r\n", false, &r), CHK_HTTP_DONE);
	assert_false(r.reusable);
	assert_int_equal(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false, &r),
			 CHK_HTTP_DONE);
	assert_false(r.reusable);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\n\r\nto the end", true, &r), CHK_HTTP_DONE);
	assert_false(r.reusable);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			       "2\r\nok\r\n0\r\n\r\n", false, &r), CHK_HTTP_DONE);
	assert_false(r.reusable);
	assert_int_equal(parse("HTTP/1.1 204 No Content\r\n\r\n", false, &r), CHK_HTTP_DONE);
	assert_true(r.reusable);
	chk_http_resp_free(&r);
}

static void test_chunked(void **st)
{
	(void)st;
	struct chk_http_resp r = { 0 };
	const char *full = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			   "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n";
	assert_int_equal(parse(full, false, &r), CHK_HTTP_DONE);
	assert_true(r.chunked);
	assert_int_equal(r.body_len, 12);
	assert_memory_equal(r.body, "hello, world", 12);
	const char *part = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhel";
	assert_int_equal(parse(part, false, &r), CHK_HTTP_HEADERS);
	assert_int_equal(parse(part, true, &r), CHK_HTTP_BAD);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false,
			       &r), CHK_HTTP_BAD);
	chk_http_resp_free(&r);
}

static void test_judge(void **st)
{
	(void)st;
	struct check_conf cc = { .n_status = 2, .status = { 200, 301 } };
	struct chk_http_resp r = { 0 };
	char d[96];
	assert_int_equal(parse("HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n", false, &r),
			 CHK_HTTP_DONE);
	assert_int_equal(chk_http_judge(&cc, &r, true, d, sizeof(d)), CHK_R_HTTP_STATUS);
	assert_string_equal(d, "503");
	assert_int_equal(parse("HTTP/1.1 301 Moved\r\nContent-Length: 5\r\n\r\nhello", false, &r),
			 CHK_HTTP_DONE);
	assert_int_equal(chk_http_judge(&cc, &r, true, d, sizeof(d)), CHK_R_OK);
	cc.expect = "ell";
	assert_int_equal(chk_http_judge(&cc, &r, true, d, sizeof(d)), CHK_R_OK);
	cc.expect = "bye";
	assert_int_equal(chk_http_judge(&cc, &r, true, d, sizeof(d)), CHK_R_EXPECT);
	cc.expect = NULL;
	cc.digest = "5d41402abc4b2a76b9719d911017c592";   /* md5("hello") */
	assert_int_equal(chk_http_judge(&cc, &r, true, d, sizeof(d)), CHK_R_OK);
	cc.digest = "00000000000000000000000000000000";
	assert_int_equal(chk_http_judge(&cc, &r, true, d, sizeof(d)), CHK_R_DIGEST);
	assert_non_null(strstr(d, "5d41402abc4b2a76b9719d911017c592"));
	assert_true(chk_http_needs_body(&cc));
	chk_http_resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_and_length),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_eof_body_and_head),
		cmocka_unit_test(test_chunked),
		cmocka_unit_test(test_reusable),
		cmocka_unit_test(test_judge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
