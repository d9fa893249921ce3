/*
 * test_chk_http: the http/https checks' pure part — status line, headers,
 * Content-Length, chunked bodies (sizes, extensions, trailers, garbage,
 * overflow, arrival in pieces, no terminating NUL, linear cost),
 * EOF-delimited bodies, truncation, and the judge (status list, expect
 * substring, MD5 digest, and an OpenSSL that refuses MD5).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "conf.h"
#include "http_parse.h"

/* A whole response, parsed as a new one. */
static int parse(const char *s, bool eof, struct chk_http_resp *r)
{
	chk_http_resp_free(r);
	return chk_http_parse(s, strlen(s), eof, false, r);
}

#define CHUNKED "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

/* The chunked response CHUNKED + body, in a buffer of exactly its length
 * (no NUL after it: a read past the end is a heap overflow for ASan). */
static int parse_chunked(const char *body, bool eof, struct chk_http_resp *r)
{
	size_t hl = strlen(CHUNKED), bl = strlen(body);
	char *b = malloc(hl + bl);
	assert_non_null(b);
	memcpy(b, CHUNKED, hl);
	memcpy(b + hl, body, bl);
	chk_http_resp_free(r);
	int ret = chk_http_parse(b, hl + bl, eof, false, r);
	if (ret == CHK_HTTP_DONE && r->body != r->decoded)
		fail_msg("a chunked body must be the decoded copy");
	free(b);
	return ret;
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
	chk_http_resp_free(&r);
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

/* Chunk sizes: hex digits only, bounded by what arrived. */
static void test_chunk_sizes(void **st)
{
	(void)st;
	struct chk_http_resp r = { 0 };
	/* A blank size line after the data: no size, not the next line's. */
	assert_int_equal(parse_chunked("5\r\nhello\r\n\r\n", false, &r), CHK_HTTP_BAD);
	assert_int_equal(parse_chunked("5\r\nhello\r\n\r\n0\r\n\r\n", false, &r), CHK_HTTP_BAD);
	assert_int_equal(parse_chunked("\r\n5\r\nhello\r\n0\r\n\r\n", false, &r), CHK_HTTP_BAD);
	/* Garbage where the size goes. */
	const char *const bad[] = { " 5\r\nhello\r\n0\r\n\r\n", "-5\r\nhello\r\n0\r\n\r\n",
				    "0x5\r\nhello\r\n0\r\n\r\n", "+5\r\nhello\r\n0\r\n\r\n",
				    "5x\r\nhello\r\n0\r\n\r\n", "5\r\nhelloXY0\r\n\r\n",
				    "5;a\001b\r\nhello\r\n0\r\n\r\n", "5\rhello\r\n0\r\n\r\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse_chunked(bad[i], false, &r) != CHK_HTTP_BAD)
			fail_msg("accepted %zu: %s", i, bad[i]);
	/* Sizes past 64 bits; the largest that fits waits for its data. */
	assert_int_equal(parse_chunked("10000000000000000\r\n", false, &r), CHK_HTTP_BAD);
	assert_int_equal(parse_chunked("FFFFFFFFFFFFFFFFF", false, &r), CHK_HTTP_BAD);
	assert_int_equal(parse_chunked("FFFFFFFFFFFFFFFF\r\nabc", false, &r), CHK_HTTP_HEADERS);
	assert_int_equal(parse_chunked("0000000000000000000005\r\nhello\r\n0\r\n\r\n", false, &r),
			 CHK_HTTP_DONE);
	assert_int_equal(r.body_len, 5);
	/* Upper and lower case, bare LF line ends. */
	assert_int_equal(parse_chunked("A\nabcdefghij\na\r\nABCDEFGHIJ\r\n0\n\n", false, &r),
			 CHK_HTTP_DONE);
	assert_int_equal(r.body_len, 20);
	assert_memory_equal(r.body, "abcdefghijABCDEFGHIJ", 20);
	/* Incomplete at the very end of the buffer. */
	assert_int_equal(parse_chunked("5\r\nhello\r", false, &r), CHK_HTTP_HEADERS);
	assert_int_equal(parse_chunked("5\r\nhello\r\n", false, &r), CHK_HTTP_HEADERS);
	assert_int_equal(parse_chunked("5\r\nhello\r\n", true, &r), CHK_HTTP_BAD);
	chk_http_resp_free(&r);
}

static void test_chunk_extensions_trailers(void **st)
{
	(void)st;
	struct chk_http_resp r = { 0 };
	assert_int_equal(parse_chunked("5;name=value\r\nhello\r\n6 ; q=\"a;b\"\t\r\n, you!\r\n"
				       "0;last\r\n\r\n", false, &r), CHK_HTTP_DONE);
	assert_int_equal(r.body_len, 11);
	assert_memory_equal(r.body, "hello, you!", 11);
	/* Trailer fields end at the blank line, not before. */
	const char *tr = "5\r\nhello\r\n0\r\nX-Checksum: 1\r\nX-Other: 2\r\n\r\n";
	assert_int_equal(parse_chunked(tr, false, &r), CHK_HTTP_DONE);
	assert_int_equal(r.body_len, 5);
	assert_int_equal(parse_chunked("5\r\nhello\r\n0\r\nX-Checksum: 1\r\n", false, &r),
			 CHK_HTTP_HEADERS);
	/* A server that closes after the last chunk has sent the whole body. */
	assert_int_equal(parse_chunked("5\r\nhello\r\n0\r\n", true, &r), CHK_HTTP_DONE);
	assert_int_equal(parse_chunked("5\r\nhello\r\n0\r\nX-Chec", true, &r), CHK_HTTP_BAD);
	chk_http_resp_free(&r);
}

/* Feeds resp in pieces of `step` bytes, as reads would; returns the last
 * result and checks that nothing before the end says DONE. */
static int feed(const char *resp, size_t len, size_t step, struct chk_http_resp *r)
{
	int ret = CHK_HTTP_MORE;
	chk_http_resp_free(r);
	for (size_t have = step < len ? step : len;; have = have + step < len ? have + step : len) {
		ret = chk_http_parse(resp, have, false, false, r);
		if (have == len || ret == CHK_HTTP_BAD)
			return ret;
		if (ret == CHK_HTTP_DONE)
			fail_msg("DONE after %zu of %zu bytes", have, len);
	}
}

static void test_chunked_in_pieces(void **st)
{
	(void)st;
	struct chk_http_resp r = { 0 };
	const char *resp = CHUNKED "1a;x=y\r\nabcdefghijklmnopqrstuvwxyz\r\n"
			   "3\r\n123\r\n0\r\nTrailer: t\r\n\r\n";
	for (size_t step = 1; step <= strlen(resp); step++) {
		assert_int_equal(feed(resp, strlen(resp), step, &r), CHK_HTTP_DONE);
		assert_int_equal(r.body_len, 29);
		assert_memory_equal(r.body, "abcdefghijklmnopqrstuvwxyz123", 29);
	}
	/* The same response object for a new one after a reset. */
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false, &r),
			 CHK_HTTP_DONE);
	assert_int_equal(r.body_len, 2);
	chk_http_resp_free(&r);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 1 MB of 1-byte chunks arriving 1460 bytes at a time: each read costs
 * what it brought, not the whole body again (that took minutes). */
static void test_chunked_linear(void **st)
{
	(void)st;
	const size_t n = 1 << 20, hl = strlen(CHUNKED);
	size_t len = hl + 6 * n + 5;
	char *b = malloc(len);
	assert_non_null(b);
	memcpy(b, CHUNKED, hl);
	for (size_t i = 0; i < n; i++)
		memcpy(b + hl + 6 * i, i % 2 ? "1\r\nb\r\n" : "1\r\na\r\n", 6);
	memcpy(b + hl + 6 * n, "0\r\n\r\n", 5);
	struct chk_http_resp r = { 0 };
	double t0 = now_s();
	int ret = CHK_HTTP_MORE;
	for (size_t have = 1460; ret != CHK_HTTP_DONE && ret != CHK_HTTP_BAD;
	     have = have + 1460 < len ? have + 1460 : len) {
		ret = chk_http_parse(b, have, false, false, &r);
		if (now_s() - t0 > 2)
			fail_msg("still parsing after 2 s, at %zu of %zu bytes", have, len);
	}
	print_message("1 MB body in 1-byte chunks: %.0f ms\n", (now_s() - t0) * 1e3);
	assert_int_equal(ret, CHK_HTTP_DONE);
	assert_int_equal(r.body_len, n);
	assert_memory_equal(r.body, "abab", 4);
	chk_http_resp_free(&r);
	free(b);
}

static void test_judge(void **st)
{
	(void)st;
	struct check_conf cc = { .n_status = 2, .status = { { 200, 200 }, { 301, 301 } } };
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

/* Codes and ranges, as keepalived's status_code 200-299 301. */
static void test_status_ranges(void **st)
{
	(void)st;
	struct check_conf cc = { .n_status = 2, .status = { { 200, 299 }, { 301, 301 } } };
	const int yes[] = { 200, 204, 299, 301 }, no[] = { 199, 300, 302, 404, 500 };
	for (unsigned i = 0; i < sizeof(yes) / sizeof(*yes); i++)
		assert_true(chk_http_status_ok(&cc, yes[i]));
	for (unsigned i = 0; i < sizeof(no) / sizeof(*no); i++)
		assert_false(chk_http_status_ok(&cc, no[i]));
	cc.n_status = 0;                      /* none given: 200 only */
	assert_true(chk_http_status_ok(&cc, 200));
	assert_false(chk_http_status_ok(&cc, 204));
}

/* A POSIX ERE on a body that is not NUL-terminated and may hold NULs,
 * within [min, max) for where the match starts. */
static void test_regex(void **st)
{
	(void)st;
	regex_t re;
	assert_int_equal(regcomp(&re, "sta(tus|te): *up", REG_EXTENDED), 0);
	static const char body[] = { 'x', '\0', 'y', 's', 't', 'a', 't', 'e', ':', ' ', 'u', 'p',
				     'Z' };
	size_t n = sizeof(body);
	assert_true(chk_http_regex_found(&re, body, n, 0, 0));     /* past the NUL */
	assert_true(chk_http_regex_found(&re, body, n, 3, 0));
	assert_false(chk_http_regex_found(&re, body, n, 4, 0));    /* starts before min */
	assert_true(chk_http_regex_found(&re, body, n, 0, 4));     /* starts at 3 < 4 */
	assert_false(chk_http_regex_found(&re, body, n, 0, 3));
	assert_false(chk_http_regex_found(&re, body, 11, 0, 0));   /* "u" only: len is the end */
	assert_false(chk_http_regex_found(&re, body, n, 100, 0));  /* min past the body */
	assert_false(chk_http_regex_found(&re, NULL, 0, 0, 0));
	regfree(&re);
	assert_int_equal(regcomp(&re, "^x", REG_EXTENDED), 0);
	assert_true(chk_http_regex_found(&re, body, n, 0, 0));
	assert_false(chk_http_regex_found(&re, "yx", 2, 1, 0));    /* ^ is the body's start */
	regfree(&re);
	assert_int_equal(regcomp(&re, "a*", REG_EXTENDED), 0);
	assert_true(chk_http_regex_found(&re, NULL, 0, 0, 0));     /* the empty match */
	regfree(&re);
}

/* Where OpenSSL offers no MD5 (FIPS mode; here: only FIPS algorithms may
 * be fetched), a digest check fails with a reason, not with whatever the
 * hex buffer held. */
static void test_judge_without_md5(void **st)
{
	(void)st;
	struct check_conf cc = { .digest = "5d41402abc4b2a76b9719d911017c592" };
	struct chk_http_resp r = { 0 };
	char d[96];
	memset(d, 'X', sizeof(d));
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, &r),
			 CHK_HTTP_DONE);
	assert_int_equal(EVP_set_default_properties(NULL, "fips=yes"), 1);
	enum chk_reason why = chk_http_judge(&cc, &r, true, d, sizeof(d));
	EVP_set_default_properties(NULL, "");
	assert_int_equal(why, CHK_R_LOCAL);
	assert_string_equal(d, "MD5 unavailable (OpenSSL refuses it: FIPS mode?)");
	assert_int_equal(chk_http_judge(&cc, &r, true, d, sizeof(d)), CHK_R_OK);
	chk_http_resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_and_length),
		cmocka_unit_test(test_status_ranges),
		cmocka_unit_test(test_regex),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_eof_body_and_head),
		cmocka_unit_test(test_chunked),
		cmocka_unit_test(test_chunk_sizes),
		cmocka_unit_test(test_chunk_extensions_trailers),
		cmocka_unit_test(test_chunked_in_pieces),
		cmocka_unit_test(test_chunked_linear),
		cmocka_unit_test(test_reusable),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_judge_without_md5),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
