/*
 * status_http: a small HTTP/1.0-style server on libev (see
 * status_http.h). One request per connection: read the head (8 KiB at
 * most, 5 s at most), answer (to be taken within 5 s of its being ready),
 * close. GET and HEAD only. A slow or hostile
 * client costs one buffer and a timer, never a blocked loop;
 * HTTP_MAX_CONNS at once. The answer is decided from the head's bytes
 * alone (status_http_parse) before anything is built: a 400, 404 or 405
 * never costs a status.
 *
 *   accept ─> reading ─(\r\n\r\n)─> parse ─> writing ─(all sent)─> close
 *                └──── timeout / oversize / error ───────────────> close
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>

#include "addr.h"
#include "control.h"
#include "errbuf.h"
#include "status_http.h"
#include "status_render.h"
#include "log.h"
#include "lvs.h"
#include "vigild.h"
#include "xalloc.h"

#define HTTP_HEAD_MAX STATUS_HTTP_HEAD_MAX
#define HTTP_TIMEOUT 5.0
#define HTTP_MAX_CONNS 32

struct http_conn {
	struct http_server *srv;
	int fd;
	ev_io io;
	ev_timer timer;
	char head[HTTP_HEAD_MAX];
	size_t head_len;
	char *out;
	size_t out_len, out_off;
	struct http_conn *next;
};

struct http_server {
	struct vigild *d;
	int fd;
	ev_io io;
	struct http_conn *conns;
	unsigned n_conns;
};

static void conn_close(struct http_conn *c)
{
	struct http_server *s = c->srv;
	ev_io_stop(s->d->loop, &c->io);
	ev_timer_stop(s->d->loop, &c->timer);
	close(c->fd);
	for (struct http_conn **pp = &s->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	s->n_conns--;
	free(c->out);
	free(c);
}

static void respond(struct http_conn *c, int code, const char *type, char *body, bool head_only)
{
	if (code == 200 && !body) {
		log_err("status page: out of memory rendering %s", type);
		code = 503;
	}
	const char *reason = code == 200 ? "OK" : code == 404 ? "Not Found"
			   : code == 405 ? "Method Not Allowed"
			   : code == 503 ? "Service Unavailable" : "Bad Request";
	size_t blen = body ? strlen(body) : 0;
	char hdr[256];
	int hl = snprintf(hdr, sizeof(hdr),
			  "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			  "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
			  code, reason, type, blen);
	size_t total = (size_t)hl + (head_only ? 0 : blen);
	c->out = malloc(total);
	if (!c->out)
		log_err("status page: out of memory for a %zu-byte answer; the client is closed", total);
	else {
		memcpy(c->out, hdr, (size_t)hl);
		if (!head_only && blen)
			memcpy(c->out + hl, body, blen);
		c->out_len = total;
	}
	free(body);
	struct ev_loop *loop = c->srv->d->loop;
	ev_io_stop(loop, &c->io);
	ev_io_set(&c->io, c->fd, EV_WRITE);
	ev_io_start(loop, &c->io);
	/* The client has HTTP_TIMEOUT to take the answer from now: the time the
	 * parent spent building it (seconds for thousands of servers on a slow
	 * machine) is not the client's. */
	ev_now_update(loop);
	ev_timer_stop(loop, &c->timer);
	ev_timer_set(&c->timer, HTTP_TIMEOUT, 0.);
	ev_timer_start(loop, &c->timer);
}

static const struct {
	const char *path;
	enum status_page page;
} routes[] = {
	{ "/", STATUS_PAGE_HTML },
	{ "/status.json", STATUS_PAGE_JSON },
	{ "/metrics", STATUS_PAGE_METRICS },
};

static int req_error(struct status_req *req, int code, const char *why)
{
	req->code = code;
	req->why = why;
	req->page = STATUS_PAGE_NONE;
	return 1;
}

int status_http_parse(const char *buf, size_t len, struct status_req *req)
{
	*req = (struct status_req){ .code = 200 };
	if (!memmem(buf, len, "\r\n\r\n", 4) && !memmem(buf, len, "\n\n", 2))
		return len < HTTP_HEAD_MAX ? 0 : req_error(req, 400, "request head too large\n");
	/* The request line: METHOD SP TARGET [SP VERSION] */
	const char *eol = memchr(buf, '\n', len);
	size_t line = (size_t)(eol - buf);
	const char *sp = memchr(buf, ' ', line);
	if (!sp || sp == buf || memchr(buf, '\0', line))
		return req_error(req, 400, "bad request\n");
	size_t mlen = (size_t)(sp - buf);
	const char *target = sp + 1, *tend = target;
	while (tend < eol && *tend != ' ' && *tend != '\r' && *tend != '?')
		tend++;
	if (tend == target)
		return req_error(req, 400, "bad request\n");
	req->head_only = mlen == 4 && !memcmp(buf, "HEAD", 4);
	if (!req->head_only && !(mlen == 3 && !memcmp(buf, "GET", 3)))
		return req_error(req, 405, "only GET and HEAD\n");
	size_t plen = (size_t)(tend - target);
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strlen(routes[i].path) == plen && !memcmp(routes[i].path, target, plen)) {
			req->page = routes[i].page;
			return 1;
		}
	return req_error(req, 404, "not found\n");
}

/* The JSON text of st, or NULL when either json-c or the copy is out of
 * memory (respond() then answers 503). */
static char *json_strdup(struct json_object *st)
{
	const char *t = json_object_to_json_string_ext(st, JSON_C_TO_STRING_PRETTY);
	return t ? strdup(t) : NULL;
}

/* The page's charts read the parent's ring (lvs_hist.c). */
_Static_assert(LVS_HIST_LEN <= STATUS_CHART_MAX, "the page draws every sample kept");
static unsigned chart_series(void *arg, unsigned vs, int rs, float *cps, float *bps)
{
	return lvs_history(arg, vs, rs, cps, bps);
}

static void pump(void *arg)
{
	supervise_pump(arg);
}

/* The status is built only for a page that shows it. */
static void answer(struct http_conn *c, const struct status_req *req)
{
	if (req->code != 200) {
		/* A HEAD's error is still headers only; anything else gets the reason. */
		respond(c, req->code, "text/plain", xstrdup(req->why), req->head_only);
		return;
	}
	struct vigild *d = c->srv->d;
	struct status_tick tick = { pump, d };
	supervise_pump(d);   /* what came before the request is not held behind it */
	struct json_object *st = ctl_status(d);
	switch (req->page) {
	case STATUS_PAGE_JSON:
		respond(c, 200, "application/json", json_strdup(st), req->head_only);
		break;
	case STATUS_PAGE_METRICS:
		respond(c, 200, "text/plain; version=0.0.4", status_render_metrics(st, &tick),
			req->head_only);
		break;
	default: {
		struct status_charts ch = { chart_series, c->srv->d, LVS_HIST_STEP };
		respond(c, 200, "text/html; charset=utf-8", status_render_page(st, &ch, &tick),
			req->head_only);
	}
	}
	json_object_put(st);
}

static void conn_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct http_conn *c = w->data;
	if (revents & EV_WRITE) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0 || (c->out_off += (size_t)n) == c->out_len)
			conn_close(c);
		return;
	}
	ssize_t n = read(c->fd, c->head + c->head_len, HTTP_HEAD_MAX - c->head_len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->head_len += (size_t)n;
	struct status_req req;
	if (status_http_parse(c->head, c->head_len, &req))
		answer(c, &req);
	(void)loop;
}

static void conn_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	conn_close(w->data);
	(void)loop;
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct http_server *s = w->data;
	int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	struct http_conn *c = s->n_conns < HTTP_MAX_CONNS ? calloc(1, sizeof(*c)) : NULL;
	if (!c) {
		close(fd);
		return;
	}
	c->srv = s;
	c->fd = fd;
	ev_io_init(&c->io, conn_io_cb, fd, EV_READ);
	c->io.data = c;
	ev_io_start(loop, &c->io);
	ev_timer_init(&c->timer, conn_timeout_cb, HTTP_TIMEOUT, 0.);
	c->timer.data = c;
	ev_timer_start(loop, &c->timer);
	c->next = s->conns;
	s->conns = c;
	s->n_conns++;
}

struct http_server *http_open(struct vigild *d, const char *listen_on, struct errbuf *eb)
{
	struct vaddr a;
	uint16_t port;
	if (vaddr_port_parse(listen_on, &a, &port) < 0) {
		errbuf_set(eb, EINVAL, "http listen '%s': expected ADDRESS:PORT", listen_on);
		return NULL;
	}
	struct sockaddr_storage ss;
	socklen_t sl = vaddr_to_sockaddr(&a, port, &ss);
	int fd = socket(a.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 16) < 0) {
		errbuf_set(eb, errno, "http listen %s: %s", listen_on, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	struct http_server *s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		errbuf_set(eb, ENOMEM, "out of memory");
		return NULL;
	}
	s->d = d;
	s->fd = fd;
	ev_io_init(&s->io, accept_cb, fd, EV_READ);
	s->io.data = s;
	ev_io_start(d->loop, &s->io);
	return s;
}

void http_close(struct http_server *s)
{
	if (!s)
		return;
	while (s->conns)
		conn_close(s->conns);
	ev_io_stop(s->d->loop, &s->io);
	close(s->fd);
	free(s);
}
