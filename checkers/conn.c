/*
 * conn: the client stream shared by tcp, http, https and smtp (see chk_conn.h
 * for the states). One ev_io per connection; which events it waits for
 * follows the state and whether output is pending.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chk_conn.h"
#include "chk_engine.h"

static void conn_events(struct chk_conn *c, bool want_write)
{
	int ev = EV_READ;
	if (c->state == CONN_CONNECTING || want_write
	    || (c->state == CONN_OPEN && c->out_off < c->out_len))
		ev = c->state == CONN_CONNECTING ? EV_WRITE : ev | EV_WRITE;
	if (ev_is_active(&c->io) && c->io.events == ev)
		return;
	struct ev_loop *loop = chk_loop(c->p);
	ev_io_stop(loop, &c->io);
	ev_io_set(&c->io, c->fd, ev);
	ev_io_start(loop, &c->io);
}

static void conn_opened(struct chk_conn *c)
{
	c->state = CONN_OPEN;
	c->p->phase = "waiting for the response";
	conn_events(c, false);
	c->on_open(c);
}

/* Returns false when the run ended. */
static bool conn_handshake(struct chk_conn *c)
{
	char err[128] = "";
	bool ww = false;
	int r = c->xo->handshake ? c->xo->handshake(c, &ww, err, sizeof(err)) : 0;
	if (r == -EAGAIN) {
		conn_events(c, ww);
		return true;
	}
	if (r < 0) {
		if (r == -ECONNRESET || r == -EPIPE)
			chk_fail_errno(c->p, -r, NULL);
		else
			check_done(c->p, CHK_R_TLS, "%s", err);
		return false;
	}
	conn_opened(c);
	return true;
}

static void conn_connected(struct chk_conn *c)
{
	int err = 0;
	socklen_t el = sizeof(err);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
		err = errno;
	if (err) {
		chk_fail_errno(c->p, err, NULL);
		return;
	}
	c->state = CONN_HANDSHAKE;
	c->p->phase = c->xo->handshake ? "tls handshake" : "connected";
	conn_handshake(c);
}

static bool conn_flush(struct chk_conn *c)
{
	char err[128] = "";
	while (c->out_off < c->out_len) {
		ssize_t n = c->xo->write(c, c->out + c->out_off, c->out_len - c->out_off, err,
					 sizeof(err));
		if (n == -EAGAIN)
			break;
		if (n < 0) {
			if (c->on_error && !err[0] && c->on_error(c, (int)-n))
				return false;
			if (err[0])
				check_done(c->p, CHK_R_TLS, "%s", err);
			else
				chk_fail_errno(c->p, (int)-n, "send");
			return false;
		}
		c->out_off += (size_t)n;
	}
	conn_events(c, false);
	return true;
}

static void conn_read(struct chk_conn *c)
{
	char err[128] = "";
	for (;;) {
		if (c->in_len + 1 >= c->in_cap) {
			if (c->in_cap >= c->in_max) {
				check_done(c->p, CHK_R_TOO_LARGE, "(over %zu bytes)", c->in_max);
				return;
			}
			size_t cap = c->in_cap ? 2 * c->in_cap : 4096;
			char *b = realloc(c->in, cap + 1);
			if (!b) {
				check_done(c->p, CHK_R_LOCAL, "out of memory");
				return;
			}
			c->in = b;
			c->in_cap = cap;
		}
		ssize_t n = c->xo->read(c, c->in + c->in_len, c->in_cap - c->in_len - 1, err,
					sizeof(err));
		if (n == -EAGAIN)
			return;
		if (n < 0) {
			if (c->on_error && !err[0] && c->on_error(c, (int)-n))
				return;
			if (err[0])
				check_done(c->p, CHK_R_TLS, "%s", err);
			else
				chk_fail_errno(c->p, (int)-n, "recv");
			return;
		}
		if (n > 0)
			c->in_len += (size_t)n;
		c->in[c->in_len] = '\0';
		struct chk_probe *p = c->p;
		unsigned long runs = p->runs;
		c->on_input(c, n == 0);
		if (!p->running || p->runs != runs || c->state != CONN_OPEN)
			return;   /* the check ended the run, or started a new connection */
		if (n == 0) {
			check_done(p, CHK_R_CLOSED, NULL);
			return;
		}
	}
}

static void conn_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct chk_conn *c = (struct chk_conn *)((char *)w - offsetof(struct chk_conn, io));
	(void)loop;
	if (c->parked) {
		chk_conn_close(c);
		return;
	}
	switch (c->state) {
	case CONN_CONNECTING:
		conn_connected(c);
		return;
	case CONN_HANDSHAKE:
		conn_handshake(c);
		return;
	case CONN_OPEN:
		if ((revents & EV_WRITE) && !conn_flush(c))
			return;
		if (revents & EV_READ)
			conn_read(c);
		return;
	case CONN_IDLE:
		return;
	}
}

void chk_conn_init(struct chk_conn *c, struct chk_probe *p, const struct xport_ops *xo,
		   size_t in_max)
{
	c->p = p;
	c->xo = xo;
	c->fd = -1;
	c->in_max = in_max;
	ev_init(&c->io, conn_io_cb);
}

void chk_conn_start(struct chk_conn *c)
{
	char err[128];
	c->in_len = c->out_len = c->out_off = 0;
	int fd = chk_socket(c->p, SOCK_STREAM, 0, err, sizeof(err));
	if (fd < 0) {
		check_done(c->p, CHK_R_LOCAL, "%s", err);
		return;
	}
	c->fd = fd;
	c->p->phase = "connecting";
	if (connect(fd, (struct sockaddr *)&c->p->dst, c->p->dst_len) < 0 && errno != EINPROGRESS) {
		chk_fail_errno(c->p, errno, NULL);
		return;
	}
	c->state = CONN_CONNECTING;
	conn_events(c, true);
}

void chk_conn_write(struct chk_conn *c, const void *buf, size_t len)
{
	c->parked = false;
	if (c->out_len + len > c->out_cap || !c->out) {
		size_t cap = c->out_len + len + 256;
		char *b = realloc(c->out, cap);
		if (!b) {
			check_done(c->p, CHK_R_LOCAL, "out of memory");
			return;
		}
		c->out = b;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, buf, len);
	c->out_len += len;
	conn_flush(c);
}

void chk_conn_close(struct chk_conn *c)
{
	if (c->fd < 0)
		return;
	ev_io_stop(chk_loop(c->p), &c->io);
	if (c->xo->close)
		c->xo->close(c);
	close(c->fd);
	c->fd = -1;
	c->state = CONN_IDLE;
	c->parked = false;
}

void chk_conn_park(struct chk_conn *c)
{
	c->parked = true;
	c->in_len = c->out_len = c->out_off = 0;
	conn_events(c, false);
}

bool chk_conn_is_open(const struct chk_conn *c)
{
	return c->fd >= 0 && c->state == CONN_OPEN;
}

void chk_conn_free(struct chk_conn *c)
{
	chk_conn_close(c);
	free(c->in);
	free(c->out);
	c->in = c->out = NULL;
	c->in_cap = c->out_cap = 0;
}
