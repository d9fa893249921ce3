/*
 * xport_tcp: the plain TCP transport of conn.c — no handshake, recv/send.
 */
#include <errno.h>
#include <sys/socket.h>

#include "chk_conn.h"

static ssize_t tcp_read(struct chk_conn *c, void *buf, size_t len, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	ssize_t n = recv(c->fd, buf, len, 0);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -EAGAIN : -errno;
	return n;
}

static ssize_t tcp_write(struct chk_conn *c, const void *buf, size_t len, char *err,
			 size_t errlen)
{
	(void)err;
	(void)errlen;
	ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -EAGAIN : -errno;
	return n;
}

const struct xport_ops chk_xport_tcp = {
	.name = "tcp",
	.read = tcp_read,
	.write = tcp_write,
};
