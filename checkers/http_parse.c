/*
 * http_parse: HTTP/1.x response parsing and judging for the http and
 * https checks (see http_parse.h). A body ends at Content-Length, at the
 * last chunk, or at EOF.
 *
 * The caller hands over the whole response so far on every arrival; the
 * parser keeps its place in struct chk_http_resp, so the search for the
 * end of the headers resumes where it stopped, and a chunked body is
 * decoded byte by byte exactly once (a server sending a megabyte in
 * one-byte chunks costs a megabyte of work, not a megabyte per read).
 * Nothing is read at or past len: the buffer needs no terminating NUL.
 *
 *   chunked:  SIZE0 -hex-> SIZE -[SP/HT]-> WS -;-> EXT -CR-> SIZE_LF -LF-+
 *                                                                       |
 *     +-- n > 0: DATA (n bytes) -> DATA_CR -CR-> DATA_LF -LF-> SIZE0 <--+
 *     +-- n = 0: TRAILER0 -field-> TRAILER -LF-> TRAILER0 -CRLF-> DONE
 *   (bare LF line ends are taken too; anything else is malformed)
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "http_parse.h"

/* End of the header block (index after the blank line), or 0. The search
 * starts at *from and leaves there the first place a blank line could
 * still begin once more bytes come. */
static size_t headers_end(const char *buf, size_t len, size_t *from)
{
	for (size_t i = *from; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return i + 2;
		if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')
			return i + 3;
	}
	*from = len > 2 ? len - 2 : 0;
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

enum {
	CH_SIZE0, CH_SIZE, CH_WS, CH_EXT, CH_SIZE_LF, CH_DATA, CH_DATA_CR, CH_DATA_LF,
	CH_TRAILER0, CH_TRAILER, CH_END_LF, CH_DONE, CH_BAD
};

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Appends n bytes to the decoded body, growing it geometrically. */
static int put_body(struct chk_http_resp *r, const char *p, size_t n)
{
	if (r->decoded_len + n >= r->ch.cap) {
		size_t cap = r->ch.cap ? 2 * r->ch.cap : 4096;
		while (cap <= r->decoded_len + n)
			cap *= 2;
		char *d = realloc(r->decoded, cap);
		if (!d)
			return -1;
		r->decoded = d;
		r->ch.cap = cap;
	}
	memcpy(r->decoded + r->decoded_len, p, n);
	r->decoded_len += n;
	return 0;
}

/* The end of a size line: data follows, or trailers after the last chunk. */
static int chunk_size_done(const struct chk_http_chunks *ch)
{
	return ch->n ? CH_DATA : CH_TRAILER0;
}

/* After the size's digits: blanks, then extensions or the line end. */
static int chunk_after_size(const struct chk_http_chunks *ch, unsigned char c)
{
	if (c == ' ' || c == '\t')
		return CH_WS;
	if (c == ';')
		return CH_EXT;
	if (c == '\r')
		return CH_SIZE_LF;
	return c == '\n' ? chunk_size_done(ch) : CH_BAD;
}

/* One byte of a size line, trailer or line end: the next state. */
static int chunk_byte(struct chk_http_chunks *ch, unsigned char c)
{
	int v;
	switch (ch->state) {
	case CH_SIZE0:
	case CH_SIZE:
		if ((v = hexval(c)) >= 0) {
			if (ch->n > UINT64_MAX >> 4)
				return CH_BAD;          /* past 64 bits */
			ch->n = ch->n << 4 | (uint64_t)v;
			return CH_SIZE;
		}
		if (ch->state == CH_SIZE0)
			return CH_BAD;                  /* blank or garbage: no size */
		return chunk_after_size(ch, c);
	case CH_WS:
		return chunk_after_size(ch, c);
	case CH_EXT:                                    /* chunk extensions: skipped */
		if (c == '\r' || c == '\n')
			return c == '\r' ? CH_SIZE_LF : chunk_size_done(ch);
		return (c < 0x20 && c != '\t') || c == 0x7f ? CH_BAD : CH_EXT;
	case CH_SIZE_LF:
		return c != '\n' ? CH_BAD : chunk_size_done(ch);
	case CH_DATA_CR:
		return c == '\r' ? CH_DATA_LF : c == '\n' ? CH_SIZE0 : CH_BAD;
	case CH_DATA_LF:
		return c == '\n' ? CH_SIZE0 : CH_BAD;
	case CH_TRAILER0:
		return c == '\r' ? CH_END_LF : c == '\n' ? CH_DONE : CH_TRAILER;
	case CH_TRAILER:
		return c == '\n' ? CH_TRAILER0 : CH_TRAILER;
	case CH_END_LF:
		return c == '\n' ? CH_DONE : CH_BAD;
	}
	return CH_BAD;
}

/* Decodes the body bytes b[ch.pos..len) that earlier calls did not see;
 * returns DONE, MORE, BAD or NOMEM. */
static int dechunk(const char *b, size_t len, bool eof, struct chk_http_resp *r)
{
	struct chk_http_chunks *ch = &r->ch;
	while (ch->pos < len && ch->state != CH_DONE && ch->state != CH_BAD) {
		if (ch->state != CH_DATA) {    /* (n is 0 again by the next size) */
			ch->state = chunk_byte(ch, (unsigned char)b[ch->pos++]);
			continue;
		}
		size_t k = len - ch->pos;
		if ((uint64_t)k > ch->n)
			k = (size_t)ch->n;
		if (put_body(r, b + ch->pos, k) < 0)
			return CHK_HTTP_NOMEM;
		ch->pos += k;
		if (!(ch->n -= k))
			ch->state = CH_DATA_CR;
	}
	/* A server that closes after the last chunk sent the whole body. */
	if (ch->state == CH_TRAILER0 && eof && ch->pos == len)
		ch->state = CH_DONE;
	if (ch->state == CH_BAD)
		return CHK_HTTP_BAD;
	if (ch->state != CH_DONE)
		return CHK_HTTP_MORE;
	if (put_body(r, "", 0) < 0)     /* room for the NUL below, body or not */
		return CHK_HTTP_NOMEM;
	r->decoded[r->decoded_len] = '\0';
	r->body = r->decoded;
	r->body_len = r->decoded_len;
	return CHK_HTTP_DONE;
}

/* The status line and headers; HEADERS once they are complete. */
static int parse_head(const char *buf, size_t len, bool eof, struct chk_http_resp *r)
{
	size_t l1 = len < 13 ? len : 13;      /* all status_line looks at */
	const char *nl = memchr(buf, '\n', l1);
	if ((nl || len >= 12) && status_line(buf, nl ? (size_t)(nl - buf) : l1, &r->status) < 0)
		return CHK_HTTP_BAD;
	size_t end = headers_end(buf, len, &r->scanned);
	if (!end)
		return eof ? CHK_HTTP_BAD : CHK_HTTP_MORE;
	r->content_length = -1;
	r->conn_close = buf[7] == '0';        /* HTTP/1.0 closes unless told */
	if (header_fields(buf, end, r) < 0)
		return CHK_HTTP_BAD;
	r->hdr_len = end;
	return CHK_HTTP_HEADERS;
}

int chk_http_parse(const char *buf, size_t len, bool eof, bool head, struct chk_http_resp *r)
{
	if (len < r->seen)
		chk_http_resp_free(r);        /* not the response we were reading */
	r->seen = len;
	if (!r->hdr_len) {
		int h = parse_head(buf, len, eof, r);
		if (h != CHK_HTTP_HEADERS)
			return h;
	}
	const char *b = buf + r->hdr_len;
	size_t bl = len - r->hdr_len;
	if (head || r->status < 200 || r->status == 204 || r->status == 304) {
		r->body = b;
		r->body_len = 0;
		r->reusable = !r->conn_close && bl == 0;
		return CHK_HTTP_DONE;
	}
	if (r->chunked) {
		int c = dechunk(b, bl, eof, r);
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
	*r = (struct chk_http_resp){ .content_length = -1 };
}

bool chk_http_status_ok(const struct check_conf *cc, int status)
{
	if (cc->n_status == 0)
		return status == 200;
	for (unsigned i = 0; i < cc->n_status; i++)
		if (status >= cc->status[i].lo && status <= cc->status[i].hi)
			return true;
	return false;
}

bool chk_http_regex_found(const regex_t *re, const char *body, size_t len, uint32_t min,
			  uint32_t max)
{
	if (min > len)
		return false;
	/* The leftmost match is the earliest start: if it starts at or past
	 * max, no match starts before. */
	regmatch_t m[1] = { { .rm_so = (regoff_t)min, .rm_eo = (regoff_t)len } };
	static const char empty[1] = "";
	if (regexec(re, body ? body : empty, 1, m, REG_STARTEND) != 0)
		return false;
	return !max || (uint64_t)m[0].rm_so < max;
}

bool chk_http_needs_body(const struct check_conf *cc)
{
	return cc->digest || cc->expect || cc->regex;
}

enum chk_reason chk_http_judge(const struct check_conf *cc, const struct chk_http_resp *r,
			       bool with_body, char *detail, size_t len)
{
	detail[0] = '\0';
	if (!chk_http_status_ok(cc, r->status)) {
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
		if (chk_md5_hex(r->body, r->body_len, hex) < 0) {
			/* Not the server's fault: a local error, said as such. */
			snprintf(detail, len, "MD5 unavailable (OpenSSL refuses it: FIPS mode?)");
			return CHK_R_LOCAL;
		}
		if (strcasecmp(hex, cc->digest)) {
			snprintf(detail, len, "(got %s)", hex);
			return CHK_R_DIGEST;
		}
	}
	return CHK_R_OK;
}
