/*
 * fuzz_http: the http/https checks' response parser (checkers/http_parse.c)
 * on any bytes a real server can send — status line, headers,
 * Content-Length, chunked bodies, early EOF — fed the way the check feeds
 * it, the whole response so far at each arrival, then judged as the check
 * would (status list and ranges, expect, digest, a regex within offsets). What the arrivals make of the
 * bytes must be what one call on the same bytes makes of them.
 *
 * Input: a control byte, then the response.
 *   0x01 the server closes after the last byte   0x02 the request was HEAD
 *   0x3c (bits 2..5) how many partial arrivals precede the whole response
 *   0x40 the check lists statuses (200, 301)     0x80 it wants the body
 * Every arrival sits in a heap block of exactly its length (no NUL after
 * it), so a parser read past what arrived is an AddressSanitizer report.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz.h"
#include "http_parse.h"

#include <regex.h>

static void check_result(int r, const char *buf, size_t len, const struct chk_http_resp *resp)
{
	FUZZ_CHECK(r >= CHK_HTTP_BAD && r <= CHK_HTTP_DONE);
	if (r < CHK_HTTP_HEADERS)
		return;
	FUZZ_CHECK(resp->hdr_len > 0 && resp->hdr_len <= len);
	FUZZ_CHECK(resp->status >= 100 && resp->status <= 999);
	if (r != CHK_HTTP_DONE)
		return;
	FUZZ_CHECK(resp->body != NULL);
	if (resp->decoded) {
		FUZZ_CHECK(resp->body == resp->decoded && resp->body_len <= len - resp->hdr_len);
	} else {
		FUZZ_CHECK(resp->body >= buf + resp->hdr_len);
		FUZZ_CHECK(resp->body_len <= (size_t)(buf + len - resp->body));
	}
	FUZZ_CHECK(!resp->reusable || !resp->conn_close);
}

static void judge(uint8_t ctl, int r, const struct chk_http_resp *resp)
{
	struct check_conf cc = { .type = CHECK_HTTP };
	char detail[96];
	if (ctl & 0x40) {
		cc.status[0] = (struct conf_status_range){ 200, 200 };
		cc.status[1] = (struct conf_status_range){ 301, 399 };
		cc.n_status = 2;
	}
	if (ctl & 0x80) {
		cc.expect = "OK";
		cc.digest = "e0aa021e21dddbd6d8cecec71e9cf564";   /* MD5 of "OK" */
	}
	if (r == CHK_HTTP_HEADERS || (r == CHK_HTTP_DONE && !chk_http_needs_body(&cc)))
		(void)chk_http_judge(&cc, resp, false, detail, sizeof(detail));
	else if (r == CHK_HTTP_DONE)
		(void)chk_http_judge(&cc, resp, true, detail, sizeof(detail));
	else
		return;
	FUZZ_CHECK(memchr(detail, '\0', sizeof(detail)) != NULL);
	if (r == CHK_HTTP_DONE && (ctl & 0x80)) {
		/* The body in a block of its length plus the NUL the checker's
		 * buffers end in (see chk_http_regex_found). */
		regex_t re;
		char *b = malloc(resp->body_len + 1);
		if (b && regcomp(&re, "(O|o)+K[^<]{0,8}(<|$)", REG_EXTENDED) == 0) {
			memcpy(b, resp->body, resp->body_len);
			b[resp->body_len] = '\0';
			uint32_t min = ctl & 0x0c, max = ctl & 0x30;
			bool any = chk_http_regex_found(&re, b, resp->body_len, 0, 0);
			bool in = chk_http_regex_found(&re, b, resp->body_len, min, max);
			FUZZ_CHECK(any || !in);
			regfree(&re);
		}
		free(b);
	}
}

/* The same bytes parsed in one call from a fresh response: the arrivals
 * must have made the same of them (the parser keeps state between calls
 * and reads each byte of a chunked body only once). */
static void same_as_one_shot(const char *buf, size_t len, bool eof, bool head, int r,
			     const struct chk_http_resp *inc)
{
	struct chk_http_resp one = { 0 };
	char *copy = fuzz_dup(buf, len);
	FUZZ_CHECK(chk_http_parse(copy, len, eof, head, &one) == r);
	if (r >= CHK_HTTP_HEADERS) {
		FUZZ_CHECK(one.status == inc->status && one.hdr_len == inc->hdr_len);
		FUZZ_CHECK(one.chunked == inc->chunked && one.conn_close == inc->conn_close);
		FUZZ_CHECK(one.content_length == inc->content_length);
	}
	if (r == CHK_HTTP_DONE) {
		FUZZ_CHECK(one.body_len == inc->body_len && one.reusable == inc->reusable);
		FUZZ_CHECK(!memcmp(one.body, inc->body, inc->body_len));
	}
	chk_http_resp_free(&one);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t ctl = fuzz_u8(&in);
	bool eof = ctl & 0x01, head = ctl & 0x02;
	unsigned parts = (ctl >> 2) & 0x0f;
	struct chk_http_resp resp = { 0 };
	for (unsigned i = 1; i <= parts + 1; i++) {
		size_t len = in.n * i / (parts + 1);
		char *buf = fuzz_dup(in.p, len);
		bool last = i == parts + 1;
		int r = chk_http_parse(buf, len, last && eof, head, &resp);
		check_result(r, buf, len, &resp);
		if (parts)
			same_as_one_shot(buf, len, last && eof, head, r, &resp);
		judge(ctl, r, &resp);
		free(buf);
		if (r == CHK_HTTP_BAD || r == CHK_HTTP_DONE)
			break;
	}
	chk_http_resp_free(&resp);
	return 0;
}
