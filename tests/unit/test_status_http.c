/*
 * Status page routing (status_http_parse): a head is complete only at its
 * blank line; one over STATUS_HTTP_HEAD_MAX without it is a 400; only GET
 * and HEAD; the query string is not part of the path; an unknown path is a
 * 404 decided from the bytes alone, before any status is built; NUL bytes
 * in the request line and odd request lines are 400s, never a crash or a
 * wrong page.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "status_http.h"

struct route_case {
	const char *head;
	int done, code;
	enum status_page page;
	bool head_only;
};

static void check(const char *buf, size_t len, const struct route_case *c)
{
	struct status_req req;
	int done = status_http_parse(buf, len, &req);
	if (done != c->done)
		fail_msg("'%s': done %d, expected %d", c->head, done, c->done);
	if (!done)
		return;
	if (req.code != c->code || req.page != c->page || req.head_only != c->head_only)
		fail_msg("'%s': code %d page %d head %d, expected %d %d %d", c->head, req.code,
			 (int)req.page, req.head_only, c->code, (int)c->page, c->head_only);
	if (req.code != 200)
		assert_non_null(req.why);
}

static void test_routes(void **state)
{
	(void)state;
	static const struct route_case cases[] = {
		{ "GET / HTTP/1.0\r\n\r\n", 1, 200, STATUS_PAGE_HTML, false },
		{ "GET /status.json HTTP/1.1\r\nHost: x\r\n\r\n", 1, 200, STATUS_PAGE_JSON, false },
		{ "HEAD /metrics HTTP/1.0\r\n\r\n", 1, 200, STATUS_PAGE_METRICS, true },
		{ "GET /metrics?name[]=x HTTP/1.0\n\n", 1, 200, STATUS_PAGE_METRICS, false },
		{ "GET /metrics\n\n", 1, 200, STATUS_PAGE_METRICS, false },
		{ "GET /?refresh=5 HTTP/1.0\r\n\r\n", 1, 200, STATUS_PAGE_HTML, false },
		{ "GET /nope HTTP/1.0\r\n\r\n", 1, 404, STATUS_PAGE_NONE, false },
		{ "HEAD /nope HTTP/1.0\r\n\r\n", 1, 404, STATUS_PAGE_NONE, true },
		{ "GET /metrics/ HTTP/1.0\r\n\r\n", 1, 404, STATUS_PAGE_NONE, false },
		{ "GET /status.jsonx HTTP/1.0\r\n\r\n", 1, 404, STATUS_PAGE_NONE, false },
		{ "GET //metrics HTTP/1.0\r\n\r\n", 1, 404, STATUS_PAGE_NONE, false },
		{ "GET http://h/metrics HTTP/1.0\r\n\r\n", 1, 404, STATUS_PAGE_NONE, false },
		{ "POST /metrics HTTP/1.0\r\n\r\n", 1, 405, STATUS_PAGE_NONE, false },
		{ "get / HTTP/1.0\r\n\r\n", 1, 405, STATUS_PAGE_NONE, false },
		{ "GETX / HTTP/1.0\r\n\r\n", 1, 405, STATUS_PAGE_NONE, false },
		{ "GET\r\n\r\n", 1, 400, STATUS_PAGE_NONE, false },
		{ " / HTTP/1.0\r\n\r\n", 1, 400, STATUS_PAGE_NONE, false },
		{ "GET  / HTTP/1.0\r\n\r\n", 1, 400, STATUS_PAGE_NONE, false },
		{ "GET ?x HTTP/1.0\r\n\r\n", 1, 400, STATUS_PAGE_NONE, false },
		{ "\r\n\r\n", 1, 400, STATUS_PAGE_NONE, false },
		{ "\n\n", 1, 400, STATUS_PAGE_NONE, false },
		{ "", 0, 0, STATUS_PAGE_NONE, false },
		{ "GET / HTTP/1.0\r\n", 0, 0, STATUS_PAGE_NONE, false },
		{ "GET / HTTP/1.0\r\nHost: x\r\n\r", 0, 0, STATUS_PAGE_NONE, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(cases[i].head, strlen(cases[i].head), &cases[i]);
}

/* A NUL in the request line makes it a bad request, wherever it is. */
static void test_nul_bytes(void **state)
{
	(void)state;
	static const char a[] = "GET /metrics\0x HTTP/1.0\r\n\r\n";
	static const struct route_case ca = { "nul after /metrics", 1, 400, STATUS_PAGE_NONE, false };
	check(a, sizeof(a) - 1, &ca);
	static const char b[] = "GET /metr\0ics HTTP/1.0\r\n\r\n";
	static const struct route_case cb = { "nul inside /metrics", 1, 400, STATUS_PAGE_NONE, false };
	check(b, sizeof(b) - 1, &cb);
	static const char c[] = "G\0T / HTTP/1.0\r\n\r\n";
	static const struct route_case cc = { "nul in the method", 1, 400, STATUS_PAGE_NONE, false };
	check(c, sizeof(c) - 1, &cc);
	/* The blank line after a NUL still ends the head. */
	static const char d[] = "GET / HTTP/1.0\r\nX: \0\r\n\r\n";
	static const struct route_case cd = { "nul in a header", 1, 200, STATUS_PAGE_HTML, false };
	check(d, sizeof(d) - 1, &cd);
}

static void test_head_too_large(void **state)
{
	(void)state;
	char *buf = malloc(STATUS_HTTP_HEAD_MAX);
	assert_non_null(buf);
	memset(buf, 'a', STATUS_HTTP_HEAD_MAX);
	memcpy(buf, "GET / HTTP/1.0\r\nX: ", 19);
	static const struct route_case more = { "a long head", 0, 0, STATUS_PAGE_NONE, false };
	check(buf, STATUS_HTTP_HEAD_MAX - 1, &more);
	static const struct route_case full = { "a full head", 1, 400, STATUS_PAGE_NONE, false };
	check(buf, STATUS_HTTP_HEAD_MAX, &full);
	/* Ending exactly at the bound is still a request. */
	memcpy(buf + STATUS_HTTP_HEAD_MAX - 4, "\r\n\r\n", 4);
	static const struct route_case fits = { "a head that fits", 1, 200, STATUS_PAGE_HTML, false };
	check(buf, STATUS_HTTP_HEAD_MAX, &fits);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_head_too_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
