/*
 * chk_udp: sends `payload` on a connected UDP socket and waits for a
 * reply. With `expect`, the reply must contain it. An ICMP port
 * unreachable comes back on a connected socket as ECONNREFUSED: down,
 * "port unreachable". Without `expect`, any reply passes at once, and a
 * server that stays silent passes at the deadline (no ICMP error = up).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chk_engine.h"
#include "chk_parsers.h"

struct udp_priv {
	int fd;
	ev_io io;
	struct chk_probe *p;
};

static void udp_fail(struct chk_probe *p, int err)
{
	if (err == ECONNREFUSED)
		check_done(p, CHK_R_PORT_UNREACH, NULL);
	else
		chk_fail_errno(p, err, "udp");
}

bool chk_udp_reply_ok(const char *reply, size_t len, const char *expect)
{
	return !expect || memmem(reply, len, expect, strlen(expect)) != NULL;
}

static void udp_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct udp_priv *u = w->data;
	struct chk_probe *p = u->p;
	char buf[4096];
	(void)loop;
	(void)revents;
	ssize_t n = recv(u->fd, buf, sizeof(buf) - 1, 0);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			udp_fail(p, errno);
		return;
	}
	buf[n] = '\0';
	const char *exp = p->cc->expect;
	if (chk_udp_reply_ok(buf, (size_t)n, exp))
		check_done(p, CHK_R_OK, NULL);
	else
		check_done(p, CHK_R_UDP_REPLY, "(%zd bytes without \"%.40s\")", n, exp);
}

static void udp_start(struct chk_probe *p)
{
	struct udp_priv *u = p->priv;
	char err[128];
	int fd = chk_socket(p, SOCK_DGRAM, 0, err, sizeof(err));
	if (fd < 0) {
		check_done(p, CHK_R_LOCAL, "%s", err);
		return;
	}
	u->fd = fd;
	const char *pl = p->cc->payload ? p->cc->payload : "";
	if (connect(fd, (struct sockaddr *)&p->dst, p->dst_len) < 0
	    || send(fd, pl, strlen(pl), 0) < 0) {
		udp_fail(p, errno);
		return;
	}
	p->phase = "waiting for a reply";
	ev_io_set(&u->io, fd, EV_READ);
	ev_io_start(chk_loop(p), &u->io);
}

static void udp_expire(struct chk_probe *p)
{
	if (p->cc->expect)
		check_done(p, CHK_R_TIMEOUT, "(no reply)");
	else
		check_done(p, CHK_R_OK, "(no reply, no ICMP error)");
}

static void udp_cancel(struct chk_probe *p)
{
	struct udp_priv *u = p->priv;
	ev_io_stop(chk_loop(p), &u->io);
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
}

static int udp_parse(struct chk_probe *p, struct errbuf *eb)
{
	struct udp_priv *u = p->priv;
	(void)eb;
	u->fd = -1;
	u->p = p;
	ev_init(&u->io, udp_io_cb);
	u->io.data = u;
	return 0;
}

const struct check_ops chk_udp_ops = {
	.name = "udp", .type = CHECK_UDP, .priv_size = sizeof(struct udp_priv),
	.parse = udp_parse, .start = udp_start, .cancel = udp_cancel, .expire = udp_expire,
};
