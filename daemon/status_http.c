/*
 * status_http: a small HTTP/1.0-style server on libev (see status_http.h). One request
 * per connection: read the head (8 KiB at most, 5 s at most), answer,
 * close. GET and HEAD only. A slow or hostile client costs one buffer and
 * a timer, never a blocked loop.
 *
 *   accept ─> reading ─(\r\n\r\n)─> route ─> writing ─(all sent)─> close
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
#include "vigild.h"

#define HTTP_HEAD_MAX 8192
#define HTTP_TIMEOUT 5.0
#define HTTP_MAX_CONNS 32

struct http_conn {
	struct http_server *srv;
	int fd;
	ev_io io;
	ev_timer timer;
	char head[HTTP_HEAD_MAX + 1];
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
	const char *reason = code == 200 ? "OK" : code == 404 ? "Not Found"
			   : code == 405 ? "Method Not Allowed" : "Bad Request";
	size_t blen = body ? strlen(body) : 0;
	char hdr[256];
	int hl = snprintf(hdr, sizeof(hdr),
			  "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			  "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
			  code, reason, type, blen);
	size_t total = (size_t)hl + (head_only ? 0 : blen);
	c->out = malloc(total);
	if (c->out) {
		memcpy(c->out, hdr, (size_t)hl);
		if (!head_only && blen)
			memcpy(c->out + hl, body, blen);
		c->out_len = total;
	}
	free(body);
	ev_io_stop(c->srv->d->loop, &c->io);
	ev_io_set(&c->io, c->fd, EV_WRITE);
	ev_io_start(c->srv->d->loop, &c->io);
}

static void route(struct http_conn *c)
{
	char method[8], path[256];
	if (sscanf(c->head, "%7s %255s", method, path) != 2) {
		respond(c, 400, "text/plain", strdup("bad request\n"), false);
		return;
	}
	bool head = !strcmp(method, "HEAD");
	if (!head && strcmp(method, "GET")) {
		respond(c, 405, "text/plain", strdup("only GET and HEAD\n"), false);
		return;
	}
	char *q = strchr(path, '?');
	if (q)
		*q = '\0';
	struct vigild *d = c->srv->d;
	struct json_object *st = ctl_status(d);
	if (!strcmp(path, "/status.json"))
		respond(c, 200, "application/json",
			strdup(json_object_to_json_string_ext(st, JSON_C_TO_STRING_PRETTY)), head);
	else if (!strcmp(path, "/metrics"))
		respond(c, 200, "text/plain; version=0.0.4", status_render_metrics(st), head);
	else if (!strcmp(path, "/"))
		respond(c, 200, "text/html; charset=utf-8", status_render_page(st), head);
	else
		respond(c, 404, "text/plain", strdup("not found\n"), head);
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
	c->head[c->head_len] = '\0';
	if (strstr(c->head, "\r\n\r\n") || strstr(c->head, "\n\n"))
		route(c);
	else if (c->head_len >= HTTP_HEAD_MAX)
		respond(c, 400, "text/plain", strdup("request head too large\n"), false);
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
