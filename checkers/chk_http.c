/*
 * chk_http: the http and https checks — one request, Connection: close,
 * judged by status (codes and ranges), then (only when asked for) body
 * substring, MD5 digest and POSIX regular expression (compiled once per
 * probe, in parse). http_version 1.0 sends an HTTP/1.0 request line.
 * https is the same check over the TLS transport, so both ops live here;
 * the parsing is in http_parse.c.
 *
 *   conn open --> send request --> headers: status wrong? fail
 *                                  no expect/digest? pass
 *                                  body complete --> judge --> done
 *
 * With reuse_connection the request asks for keep-alive, the whole
 * response is read, and after a passing run whose response could carry
 * another (see chk_http_resp.reusable) the connection is parked for the
 * next run: no connect, no TLS handshake, no close per probe. A parked
 * connection the server closed meanwhile shows as EOF or a reset before
 * any byte of the answer: the run then opens a new one, once, and only a
 * failure on that counts. Anything else ends with the connection closed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chk_conn.h"
#include "chk_engine.h"
#include "errbuf.h"
#include "http_parse.h"
#include "version.h"

#define HTTP_MAX_RESPONSE (4u << 20)

struct http_priv {
	struct chk_conn conn;
	struct chk_tls_opts tls;
	char *tls_name;               /* tls.sni and tls.verify_name: our copy */
	char *request;
	size_t request_len;
	struct chk_http_resp resp;
	regex_t re;                   /* cc->regex compiled, when has_re */
	bool has_re;
	bool reused;                  /* this run writes on a parked connection */
	bool keep;                    /* park the connection when the run ends */
};

/* A parked connection died before the answer began: start over, once, on
 * a new connection (not a failure: servers close idle connections). */
static bool http_stale(struct chk_conn *c)
{
	struct http_priv *h = c->p->priv;
	if (!h->reused || c->in_len)
		return false;
	h->reused = false;
	chk_http_resp_free(&h->resp);
	chk_conn_close(c);
	chk_conn_start(c);
	return true;
}

static bool http_on_error(struct chk_conn *c, int err)
{
	(void)err;
	return http_stale(c);
}

/* After the status and the other body tests passed. */
static enum chk_reason http_judge_regex(const struct check_conf *cc, const struct http_priv *h,
					char *detail, size_t len)
{
	bool found = chk_http_regex_found(&h->re, h->resp.body, h->resp.body_len,
					  cc->regex_min_offset, cc->regex_max_offset);
	if (found == !cc->regex_no_match)
		return CHK_R_OK;
	snprintf(detail, len, "\"%.40s\" %s", cc->regex, found ? "found (regex_no_match)"
		 : "not found");
	return CHK_R_REGEX;
}

static void http_on_input(struct chk_conn *c, bool eof)
{
	struct chk_probe *p = c->p;
	struct http_priv *h = p->priv;
	bool head = !strcmp(p->cc->method, "HEAD");
	if (eof && !c->in_len && http_stale(c))
		return;
	int r = chk_http_parse(c->in, c->in_len, eof, head, &h->resp);
	char detail[96];
	if (r == CHK_HTTP_BAD || r == CHK_HTTP_NOMEM) {
		if (r == CHK_HTTP_NOMEM)
			check_done(p, CHK_R_LOCAL, "out of memory");
		else
			check_done(p, CHK_R_HTTP_BAD, NULL);
		return;
	}
	if (r == CHK_HTTP_MORE)
		return;
	p->phase = "reading the body";
	bool need = chk_http_needs_body(p->cc);
	if (r == CHK_HTTP_HEADERS && p->cc->reuse_connection) {
		/* The rest of the body must be read to reuse the connection;
		 * a wrong status ends the run (and the connection) now. */
		if (chk_http_judge(p->cc, &h->resp, false, detail, sizeof(detail)) != CHK_R_OK)
			check_done(p, CHK_R_HTTP_STATUS, "%s", detail);
		return;
	}
	if (r == CHK_HTTP_HEADERS && need) {
		/* Fail early on the status; otherwise wait for the body. */
		if (chk_http_judge(p->cc, &h->resp, false, detail, sizeof(detail)) != CHK_R_OK)
			check_done(p, CHK_R_HTTP_STATUS, "%s", detail);
		return;
	}
	enum chk_reason why = chk_http_judge(p->cc, &h->resp, need, detail, sizeof(detail));
	if (why == CHK_R_OK && h->has_re)
		why = http_judge_regex(p->cc, h, detail, sizeof(detail));
	h->keep = p->cc->reuse_connection && r == CHK_HTTP_DONE && h->resp.reusable
		&& why == CHK_R_OK;
	if (why == CHK_R_OK)
		check_done(p, why, NULL);
	else
		check_done(p, why, "%s", detail);
}

static void http_on_open(struct chk_conn *c)
{
	struct http_priv *h = c->p->priv;
	c->p->phase = "waiting for the response";
	chk_conn_write(c, h->request, h->request_len);
}

static int http_setup(struct chk_probe *p, struct errbuf *eb, bool tls)
{
	struct http_priv *h = p->priv;
	const struct check_conf *cc = p->cc;
	char host[VADDR_PORT_STRLEN + 8], a[VADDR_STRLEN];
	vaddr_str(&p->dst_addr, a, sizeof(a));
	if (cc->host)
		snprintf(host, sizeof(host), "%s", cc->host);
	else if (p->dst_port != (tls ? 443 : 80))
		vaddr_port_str(&p->dst_addr, p->dst_port, host, sizeof(host));
	else if (p->dst_addr.family == AF_INET6)
		snprintf(host, sizeof(host), "[%s]", a);
	else
		snprintf(host, sizeof(host), "%s", a);
	int n = asprintf(&h->request,
			 "%s %s HTTP/1.%u\r\nHost: %s\r\nUser-Agent: vigil/%s\r\n"
			 "Accept: */*\r\nConnection: %s\r\n\r\n",
			 cc->method ? cc->method : "GET", cc->path ? cc->path : "/",
			 cc->http_minor, host, VIGIL_VERSION,
			 cc->reuse_connection ? "keep-alive" : "close");
	if (n < 0)
		return errbuf_set(eb, ENOMEM, "out of memory");
	h->request_len = (size_t)n;
	chk_conn_init(&h->conn, p, tls ? &chk_xport_tls : &chk_xport_tcp, HTTP_MAX_RESPONSE);
	h->conn.on_open = http_on_open;
	h->conn.on_input = http_on_input;
	h->conn.on_error = http_on_error;
	if (!tls)
		return 0;
	/* The name is used at every connection, long after this
	 * configuration may have been freed by a reload that kept the probe:
	 * a copy. The CA file is read here, once. */
	const char *name = cc->sni ? cc->sni : cc->host;
	if (name && !(h->tls_name = strdup(name))) {
		free(h->request);
		h->request = NULL;
		return errbuf_set(eb, ENOMEM, "out of memory");
	}
	h->tls.sni = h->tls.verify_name = h->tls_name;
	h->tls.verify = cc->verify;
	h->tls.ca_file = cc->ca_file;
	char err[200];
	h->conn.tls_ctx = chk_tls_ctx_new(&h->tls, err, sizeof(err));
	h->tls.ca_file = NULL;
	h->conn.tls_opts = &h->tls;
	if (!h->conn.tls_ctx) {
		free(h->request);
		free(h->tls_name);
		h->request = h->tls_name = NULL;
		return errbuf_set(eb, EINVAL, "tls: %s", err);
	}
	return 0;
}

static int http_parse_common(struct chk_probe *p, struct errbuf *eb, bool tls)
{
	struct http_priv *h = p->priv;
	const struct check_conf *cc = p->cc;
	if (cc->regex) {
		int rc = regcomp(&h->re, cc->regex, REG_EXTENDED);
		if (rc) {
			char msg[128];
			regerror(rc, &h->re, msg, sizeof(msg));
			return errbuf_set(eb, rc == REG_ESPACE ? ENOMEM : EINVAL, "regex: %s", msg);
		}
		h->has_re = true;
	}
	int err = http_setup(p, eb, tls);
	if (err < 0 && h->has_re) {
		regfree(&h->re);
		h->has_re = false;
	}
	return err;
}

static int http_parse(struct chk_probe *p, struct errbuf *eb)
{
	return http_parse_common(p, eb, false);
}

static int https_parse(struct chk_probe *p, struct errbuf *eb)
{
	return http_parse_common(p, eb, true);
}

static void http_start(struct chk_probe *p)
{
	struct http_priv *h = p->priv;
	h->keep = false;
	/* A parked connection the server closed (or sent a 408 or a TLS
	 * alert on) was closed as it happened, in conn.c. */
	h->reused = chk_conn_is_open(&h->conn);
	if (!h->reused) {
		chk_conn_start(&h->conn);
		return;
	}
	p->phase = "waiting for the response";
	chk_conn_write(&h->conn, h->request, h->request_len);
}

static void http_cancel(struct chk_probe *p)
{
	struct http_priv *h = p->priv;
	if (h->keep)
		chk_conn_park(&h->conn);
	else
		chk_conn_close(&h->conn);
	h->keep = false;
	chk_http_resp_free(&h->resp);
}

static void http_free(struct chk_probe *p)
{
	struct http_priv *h = p->priv;
	chk_conn_free(&h->conn);
	chk_http_resp_free(&h->resp);
	if (h->conn.tls_ctx)
		chk_tls_ctx_free(h->conn.tls_ctx);
	free(h->request);
	free(h->tls_name);
	if (h->has_re)
		regfree(&h->re);
}

const struct check_ops chk_http_ops = {
	.name = "http", .type = CHECK_HTTP, .priv_size = sizeof(struct http_priv),
	.parse = http_parse, .start = http_start, .cancel = http_cancel, .free = http_free,
};

const struct check_ops chk_https_ops = {
	.name = "https", .type = CHECK_HTTPS, .priv_size = sizeof(struct http_priv),
	.parse = https_parse, .start = http_start, .cancel = http_cancel, .free = http_free,
};
