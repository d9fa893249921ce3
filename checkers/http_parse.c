/*
 * http_parse: HTTP/1.x response parsing and judging for the http and
 * https checks (see http.h). The whole response up to now is re-parsed on
 * each arrival; that is cheap at health-check sizes and keeps the parser
 * stateless. A body ends at Content-Length, at the last chunk, or at EOF.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "http_parse.h"

/* End of the header block (index after the blank line), or 0. */
static size_t headers_end(const char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return i + 2;
		if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static int status_line(const char *buf, size_t len, int *status)
{
	if (len < 12 || strncmp(buf, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)buf[7])
	    || buf[8] != ' ')
		return -1;
	if (!isdigit((unsigned char)buf[9]) || !isdigit((unsigned char)buf[10])
	    || !isdigit((unsigned char)buf[11]) || (len > 12 && buf[12] != ' ' && buf[12] != '\r'
						      && buf[12] != '\n'))
		return -1;
	*status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	return *status >= 100 ? 0 : -1;
}

/* Walks the header lines for Content-Length and Transfer-Encoding. */
static int header_fields(const char *buf, size_t end, struct chk_http_resp *r)
{
	const char *p = memchr(buf, '\n', end);
	while (p && (size_t)(p - buf) + 1 < end) {
		const char *line = p + 1;
		const char *eol = memchr(line, '\n', end - (size_t)(line - buf));
		if (!eol)
			break;
		size_t ll = (size_t)(eol - line);
		if (ll && line[ll - 1] == '\r')
			ll--;
		const char *colon = memchr(line, ':', ll);
		if (ll && !colon)
			return -1;
		if (colon) {
			size_t nl = (size_t)(colon - line);
			const char *v = colon + 1;
			while (v < line + ll && (*v == ' ' || *v == '\t'))
				v++;
			size_t vl = (size_t)(line + ll - v);
			if (nl == 14 && !strncasecmp(line, "Content-Length", 14)) {
				char *e;
				char tmp[24];
				if (vl == 0 || vl >= sizeof(tmp))
					return -1;
				memcpy(tmp, v, vl);
				tmp[vl] = '\0';
				r->content_length = strtoll(tmp, &e, 10);
				if (*e && !isspace((unsigned char)*e))
					return -1;
				if (r->content_length < 0)
					return -1;
			} else if (nl == 17 && !strncasecmp(line, "Transfer-Encoding", 17)) {
				r->chunked = memmem(v, vl, "chunked", 7) != NULL;
			} else if (nl == 10 && !strncasecmp(line, "Connection", 10)) {
				for (size_t i = 0; i + 5 <= vl; i++)
					r->conn_close |= !strncasecmp(v + i, "close", 5);
			}
		}
		p = eol;
	}
	return 0;
}

/* De-chunks from b; returns DONE, MORE or BAD. */
static int dechunk(const char *b, size_t len, struct chk_http_resp *r)
{
	size_t pos = 0, out = 0;
	char *dec = malloc(len + 1);
	if (!dec)
		return CHK_HTTP_BAD;
	for (;;) {
		const char *eol = memchr(b + pos, '\n', len - pos);
		if (!eol)
			goto more;
		char *e;
		unsigned long long n = strtoull(b + pos, &e, 16);
		if (e == b + pos || (*e != '\r' && *e != '\n' && *e != ';' && *e != ' ')) {
			free(dec);
			return CHK_HTTP_BAD;
		}
		pos = (size_t)(eol - b) + 1;
		if (n == 0)
			break;
		if (n > len - pos)
			goto more;
		memcpy(dec + out, b + pos, n);
		out += n;
		pos += n;
		if (pos < len && b[pos] == '\r')
			pos++;
		if (pos >= len)
			goto more;
		if (b[pos] != '\n') {
			free(dec);
			return CHK_HTTP_BAD;
		}
		pos++;
	}
	dec[out] = '\0';
	free(r->decoded);
	r->decoded = dec;
	r->body = dec;
	r->body_len = out;
	return CHK_HTTP_DONE;
more:
	free(dec);
	return CHK_HTTP_MORE;
}

int chk_http_parse(const char *buf, size_t len, bool eof, bool head, struct chk_http_resp *r)
{
	free(r->decoded);
	*r = (struct chk_http_resp){ .content_length = -1 };
	size_t end = headers_end(buf, len);
	const char *nl = memchr(buf, '\n', len);
	if ((nl || len >= 12) && status_line(buf, nl ? (size_t)(nl - buf) : len, &r->status) < 0)
		return CHK_HTTP_BAD;
	if (!end)
		return eof ? CHK_HTTP_BAD : CHK_HTTP_MORE;
	r->hdr_len = end;
	r->conn_close = buf[7] == '0';        /* HTTP/1.0 closes unless told */
	if (header_fields(buf, end, r) < 0)
		return CHK_HTTP_BAD;
	const char *b = buf + end;
	size_t bl = len - end;
	if (head || r->status < 200 || r->status == 204 || r->status == 304) {
		r->body = b;
		r->body_len = 0;
		r->reusable = !r->conn_close && bl == 0;
		return CHK_HTTP_DONE;
	}
	if (r->chunked) {
		int c = dechunk(b, bl, r);
		if (c == CHK_HTTP_MORE)
			return eof ? CHK_HTTP_BAD : CHK_HTTP_HEADERS;
		return c;
	}
	if (r->content_length >= 0) {
		if ((unsigned long long)bl < (unsigned long long)r->content_length)
			return eof ? CHK_HTTP_BAD : CHK_HTTP_HEADERS;
		r->body = b;
		r->body_len = (size_t)r->content_length;
		r->reusable = !r->conn_close && bl == r->body_len;
		return CHK_HTTP_DONE;
	}
	if (!eof)
		return CHK_HTTP_HEADERS;
	r->body = b;
	r->body_len = bl;
	return CHK_HTTP_DONE;
}

void chk_http_resp_free(struct chk_http_resp *r)
{
	free(r->decoded);
	r->decoded = NULL;
}

bool chk_http_needs_body(const struct check_conf *cc)
{
	return cc->digest || cc->expect;
}

enum chk_reason chk_http_judge(const struct check_conf *cc, const struct chk_http_resp *r,
			       bool with_body, char *detail, size_t len)
{
	bool ok = cc->n_status == 0 && r->status == 200;
	for (unsigned i = 0; i < cc->n_status; i++)
		ok |= r->status == cc->status[i];
	detail[0] = '\0';
	if (!ok) {
		snprintf(detail, len, "%d", r->status);
		return CHK_R_HTTP_STATUS;
	}
	if (!with_body)
		return CHK_R_OK;
	if (cc->expect && !memmem(r->body, r->body_len, cc->expect, strlen(cc->expect))) {
		snprintf(detail, len, "(\"%.40s\")", cc->expect);
		return CHK_R_EXPECT;
	}
	if (cc->digest) {
		char hex[33];
		if (chk_md5_hex(r->body, r->body_len, hex) < 0 || strcasecmp(hex, cc->digest)) {
			snprintf(detail, len, "(got %s)", hex);
			return CHK_R_DIGEST;
		}
	}
	return CHK_R_OK;
}
