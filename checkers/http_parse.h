/*
 * http: the pure part of the http/https checks — response parsing and
 * judging, no I/O (unit-tested in tests/unit/test_chk_http.c).
 */
#ifndef VIGIL_CHK_HTTP_H
#define VIGIL_CHK_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <regex.h>

#include "chk.h"

struct check_conf;

enum chk_http_parse_result {
	CHK_HTTP_NOMEM = -2,          /* out of memory (a chunked body's copy) */
	CHK_HTTP_BAD = -1,            /* malformed */
	CHK_HTTP_MORE = 0,            /* status line or headers incomplete */
	CHK_HTTP_HEADERS = 1,         /* headers complete, body not yet */
	CHK_HTTP_DONE = 2,            /* the whole response */
};

/* Where the chunked-body decoder is (http_parse.c). */
struct chk_http_chunks {
	size_t pos;                   /* body bytes consumed */
	uint64_t n;                   /* the size being read, then its data bytes left */
	int state;
	size_t cap;                   /* of chk_http_resp.decoded */
};

struct chk_http_resp {
	int status;
	size_t hdr_len;               /* status line + headers + blank line; 0: not yet */
	long long content_length;     /* -1: none */
	bool chunked;
	const char *body;             /* when DONE: the (de-chunked) body */
	size_t body_len;
	char *decoded;                /* owned: a de-chunked body */
	bool conn_close;              /* HTTP/1.0, or "Connection: close" */
	/* When DONE: the connection may carry the next request — the response
	 * had a known length (Content-Length, or no body), every byte read was
	 * part of it, and the server did not ask to close. */
	bool reusable;
	/* Kept between calls so that each call reads only what is new. */
	size_t seen;                  /* len at the last call */
	size_t scanned;               /* where the search for the blank line resumes */
	size_t decoded_len;
	struct chk_http_chunks ch;
};

/* Parses what arrived so far: buf holds the whole response up to now, and
 * r what the earlier calls made of its first r->seen bytes — a response
 * starts zeroed or after chk_http_resp_free (a shorter buf starts over).
 * Reads buf[0..len) only (no terminating NUL needed), and each byte of a
 * chunked body once, however it is split between calls.
 * `eof`: the server closed; `head`: the request was HEAD (no body). */
int chk_http_parse(const char *buf, size_t len, bool eof, bool head, struct chk_http_resp *r);
/* Frees what r owns and makes it ready for a new response. */
void chk_http_resp_free(struct chk_http_resp *r);

/* Judges a response: status (against cc->status), then, when the body is
 * given, expect and digest. Fills detail for the reason text. */
enum chk_reason chk_http_judge(const struct check_conf *cc, const struct chk_http_resp *r,
			       bool with_body, char *detail, size_t len);
/* Whether status is one of cc's codes or ranges (none given: 200). */
bool chk_http_status_ok(const struct check_conf *cc, int status);
/* Whether re (a POSIX ERE) has a match in body[0..len) that starts at or
 * after min and, with max > 0, before max. NUL bytes in the body are
 * ordinary bytes (REG_STARTEND: glibc matches within [0, len) only). The
 * block must still hold a NUL at or after body[len]: the sanitizers'
 * regexec interceptors call strlen on it. The checker's bodies sit in
 * such blocks (conn.c's input buffer and the de-chunked copy end in a
 * NUL). */
bool chk_http_regex_found(const regex_t *re, const char *body, size_t len, uint32_t min,
			  uint32_t max);
/* Whether the check needs the body at all (expect, digest or regex). */
bool chk_http_needs_body(const struct check_conf *cc);

/* MD5 of buf as 32 lower-case hex digits (xport_tls.c, OpenSSL); -EINVAL
 * with out empty when OpenSSL offers no MD5 (FIPS mode). */
int chk_md5_hex(const void *buf, size_t len, char out[33]);

#endif
