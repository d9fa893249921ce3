/*
 * control: the control socket's connections (see control.h). Each client
 * has a line buffer in and a buffer out; requests are parsed with json-c
 * and answered by ctl_dispatch (control_cmd.c). A client that sends an
 * oversized line or bad JSON gets an error reply; the daemon never blocks
 * on a slow client (non-blocking writes, buffered).
 *
 * What a client may cost is bounded, whatever it does:
 *
 *   read ─> lines ─> ctl_request ─> out ─> send
 *    ^  (only while out < CTL_OUT_MAX)      │
 *    └──────── out drained ─────────────────┘
 *
 * A client that sends requests and never reads its replies stops being
 * read once CTL_OUT_MAX bytes of replies wait (its further requests wait
 * in the kernel's socket buffers, then block it); a client that makes no
 * progress (no request answered, no byte of reply taken) for CTL_IDLE s
 * is closed; CTL_MAX_CLIENTS at once. One callback answers at most
 * CTL_OUT_MAX bytes' worth of requests, so a busy client cannot starve
 * the loop. vigilctl(8) documents these limits.
 */
#include <errno.h>
#include <stdint.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "errbuf.h"
#include "jx.h"
#include "log.h"
#include "pidfile.h"
#include "ratelimit.h"
#include "vigild.h"

#define CTL_LINE_MAX 65536            /* one request, its newline included */
#define CTL_OUT_MAX (256 * 1024)      /* replies queued before requests wait */
#define CTL_LOG_EVERY 10.0            /* s between two "too many clients" lines */
#define CTL_IDLE 30.                  /* s without progress before a close */

struct ctl_client {
	struct ctl_server *srv;
	int fd;
	ev_io io;
	ev_timer idle;                /* restarted on every request and send */
	char in[CTL_LINE_MAX];
	size_t in_used;
	char *out;
	size_t out_used;
	bool eof;                     /* the client sent all it will */
	bool closing;                 /* close once out is written */
	uint64_t waiting;             /* the ticket of a deferred reply, or 0 */
	struct ctl_client *next;
};

struct ctl_server {
	struct vigild *d;
	char *path;
	int fd;
	ev_io io;
	struct ctl_client *clients;
	unsigned n_clients;
	struct ctl_client *current;   /* whose request is being answered */
	uint64_t tickets;             /* the last deferred reply's ticket */
	struct ratelimit rl_refused;  /* a client storm is one line per window */
};

static void client_free(struct ctl_client *c)
{
	struct ctl_server *s = c->srv;
	ev_io_stop(s->d->loop, &c->io);
	ev_timer_stop(s->d->loop, &c->idle);
	close(c->fd);
	for (struct ctl_client **pp = &s->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	s->n_clients--;
	free(c->out);
	free(c);
}

/* Sends what it can: -1 when the client is gone (the caller frees it). */
static int client_send(struct ctl_client *c)
{
	size_t sent = 0;
	while (sent < c->out_used) {
		ssize_t n = send(c->fd, c->out + sent, c->out_used - sent,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n < 0)
			return -1;
		sent += (size_t)n;
	}
	if (sent) {
		memmove(c->out, c->out + sent, c->out_used - sent);
		c->out_used -= sent;
		ev_timer_again(c->srv->d->loop, &c->idle);
	}
	return 0;
}

static bool line_pending(const struct ctl_client *c)
{
	return memchr(c->in, '\n', c->in_used) != NULL;
}

/* Reads while there is room for replies, writes while there are some. */
static void client_watch(struct ctl_client *c)
{
	bool pending = !c->closing && !c->waiting && line_pending(c);
	int ev = 0;
	if (!c->eof && !c->closing && !c->waiting && !pending && c->out_used < CTL_OUT_MAX)
		ev |= EV_READ;
	if (c->out_used || pending)
		ev |= EV_WRITE;   /* pending lines: answered as soon as writable */
	if (c->io.events != ev) {
		ev_io_stop(c->srv->d->loop, &c->io);
		ev_io_set(&c->io, c->fd, ev);
		ev_io_start(c->srv->d->loop, &c->io);
	}
}

static void client_reply(struct ctl_client *c, struct json_object *reply)
{
	const char *txt = json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN);
	size_t len = txt ? strlen(txt) : 0;
	char *p = txt ? realloc(c->out, c->out_used + len + 1) : NULL;
	if (!p)
		log_err("control: out of memory for a reply; it is dropped");
	else {
		c->out = p;
		memcpy(c->out + c->out_used, txt, len);
		c->out[c->out_used + len] = '\n';
		c->out_used += len + 1;
	}
	json_object_put(reply);
}

struct json_object *ctl_reply_ok(void)
{
	struct json_object *r = jx_new_object();
	json_object_object_add(r, "ok", jx_new_boolean(1));
	return r;
}

struct json_object *ctl_reply_err(const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct json_object *r = jx_new_object();
	json_object_object_add(r, "ok", jx_new_boolean(0));
	json_object_object_add(r, "error", jx_new_string(msg));
	return r;
}

struct json_object *ctl_member_str(struct json_object *req, const char *cmd, const char *key,
				   const char **out)
{
	struct json_object *v;
	if (!json_object_object_get_ex(req, key, &v))
		return NULL;
	if (!json_object_is_type(v, json_type_string))
		return ctl_reply_err("%s: \"%s\" must be a string", cmd, key);
	*out = json_object_get_string(v);
	return NULL;
}

struct json_object *ctl_member_bool(struct json_object *req, const char *cmd, const char *key,
				    bool *out)
{
	struct json_object *v;
	if (!json_object_object_get_ex(req, key, &v))
		return NULL;
	if (!json_object_is_type(v, json_type_boolean))
		return ctl_reply_err("%s: \"%s\" must be true or false", cmd, key);
	*out = json_object_get_boolean(v);
	return NULL;
}

struct json_object *ctl_member_int(struct json_object *req, const char *cmd, const char *key,
				   int min, int max, int *out)
{
	struct json_object *v;
	if (!json_object_object_get_ex(req, key, &v))
		return NULL;
	int64_t n = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : INT64_MIN;
	if (n < min || n > max)
		return ctl_reply_err("%s: \"%s\" must be an integer %d..%d", cmd, key, min, max);
	*out = (int)n;
	return NULL;
}

struct json_object *ctl_request(struct vigild *d, const char *line)
{
	enum json_tokener_error jerr;
	struct json_object *req = json_tokener_parse_verbose(line, &jerr), *reply;
	if (!req || !json_object_is_type(req, json_type_object))
		reply = ctl_reply_err("request is not a JSON object");
	else
		reply = ctl_dispatch(d, req);
	json_object_put(req);
	return reply;
}

static void client_read(struct ctl_client *c)
{
	size_t room = sizeof(c->in) - c->in_used - 1;
	if (!room)
		return;   /* client_lines refuses the line first; never a read of 0 */
	ssize_t n = read(c->fd, c->in + c->in_used, room);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		c->eof = true;
		return;
	}
	c->in_used += (size_t)n;
}

/* Answers the complete lines in, until CTL_OUT_MAX bytes of replies wait. */
static void client_lines(struct ctl_client *c)
{
	char *start = c->in, *nl;
	while (c->out_used < CTL_OUT_MAX && !c->waiting &&
	       (nl = memchr(start, '\n', c->in_used - (size_t)(start - c->in)))) {
		*nl = '\0';
		if (nl > start) {
			c->srv->current = c;
			struct json_object *reply = ctl_request(c->srv->d, start);
			c->srv->current = NULL;
			if (reply)
				client_reply(c, reply);
			else   /* deferred: its time is the work's, not the client's */
				ev_timer_stop(c->srv->d->loop, &c->idle);
		}
		start = nl + 1;
		if (!c->waiting)
			ev_timer_again(c->srv->d->loop, &c->idle);
	}
	size_t rest = c->in_used - (size_t)(start - c->in);
	memmove(c->in, start, rest);
	c->in_used = rest;
	if (c->in_used >= sizeof(c->in) - 1 && !line_pending(c)) {
		client_reply(c, ctl_reply_err("request line too long"));
		c->in_used = 0;
		c->closing = true;
	}
}

static void client_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_client *c = w->data;
	if (revents & EV_READ)
		client_read(c);
	if (!c->closing)
		client_lines(c);
	if (client_send(c) < 0 ||
	    (!c->out_used && !c->waiting && (c->closing || (c->eof && !line_pending(c))))) {
		client_free(c);
		return;
	}
	client_watch(c);
	(void)loop;
}

uint64_t ctl_defer(struct ctl_server *s)
{
	if (!s || !s->current || s->current->waiting)
		return 0;
	s->current->waiting = ++s->tickets;
	return s->current->waiting;
}

void ctl_complete(struct ctl_server *s, uint64_t ticket, struct json_object *reply)
{
	struct ctl_client *c = s ? s->clients : NULL;
	while (c && c->waiting != ticket)
		c = c->next;
	if (!c || !ticket) {   /* the client left meanwhile */
		json_object_put(reply);
		return;
	}
	c->waiting = 0;
	client_reply(c, reply);
	ev_timer_again(s->d->loop, &c->idle);
	/* Its next lines, then the reply, as if it had just become writable. */
	client_cb(s->d->loop, &c->io, 0);
}

static void idle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ctl_client *c = w->data;
	log_info("control: closing a client idle for %.0f s", CTL_IDLE);
	client_free(c);
	(void)loop;
	(void)revents;
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_server *s = w->data;
	int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (s->n_clients >= CTL_MAX_CLIENTS) {
		unsigned quiet;
		if (ratelimit_allow(&s->rl_refused, ev_now(loop), 1, CTL_LOG_EVERY, &quiet))
			log_warn("control: too many clients; refusing one (%u more refused since the "
				 "last such line)", quiet);
		close(fd);
		return;
	}
	struct ctl_client *c = calloc(1, sizeof(*c));
	if (!c) {
		log_err("control: out of memory; a client is refused");
		close(fd);
		return;
	}
	c->srv = s;
	c->fd = fd;
	ev_io_init(&c->io, client_cb, fd, EV_READ);
	c->io.data = c;
	ev_io_start(loop, &c->io);
	ev_init(&c->idle, idle_cb);
	c->idle.repeat = CTL_IDLE;
	c->idle.data = c;
	ev_timer_again(loop, &c->idle);
	c->next = s->clients;
	s->clients = c;
	s->n_clients++;
}

struct ctl_server *ctl_open(struct vigild *d, const char *path, struct errbuf *eb)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errbuf_set(eb, ENAMETOOLONG, "%s: path too long", path);
		return NULL;
	}
	strcpy(sun.sun_path, path);
	if (mkdir_parents(path, eb) < 0)
		return NULL;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		errbuf_set(eb, errno, "socket: %s", strerror(errno));
		return NULL;
	}
	unlink(path);   /* we hold the pid file lock: any socket here is stale */
	mode_t old = umask(0117);
	int r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r < 0 || listen(fd, 16) < 0) {
		errbuf_set(eb, errno, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	chmod(path, 0660);
	struct ctl_server *s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
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

void ctl_close(struct ctl_server *s)
{
	if (!s)
		return;
	while (s->clients)
		client_free(s->clients);
	ev_io_stop(s->d->loop, &s->io);
	close(s->fd);
	unlink(s->path);
	free(s->path);
	free(s);
}
