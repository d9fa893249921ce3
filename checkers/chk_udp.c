/*
 * chk_udp: sends `payload` (or the bytes of `payload_hex`) on a connected
 * UDP socket and waits for a reply. The reply's length may be bounded
 * (min/max_reply_length), it may have to begin with the bytes of
 * `reply_hex` (keepalived's require_reply, x a wildcard nibble) and to
 * contain `expect`. An ICMP port unreachable comes back on a connected
 * socket as ECONNREFUSED: down, "port unreachable". When nothing is asked
 * of a reply, any reply passes at once, and a server that stays silent
 * passes at the deadline (no ICMP error = up) unless require_reply.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chk_engine.h"
#include "chk_parsers.h"
#include "errbuf.h"
#include "hexbytes.h"

struct udp_priv {
	int fd;
	ev_io io;
	struct chk_probe *p;
	uint8_t *payload;             /* payload_hex decoded (owned) */
	size_t payload_len;
	uint8_t *prefix, *mask;       /* reply_hex decoded (owned) */
	size_t prefix_len;
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

enum chk_udp_verdict chk_udp_judge(const char *reply, size_t len, size_t full_len,
				   const struct chk_udp_want *w)
{
	if (full_len < w->min_len)
		return CHK_UDP_SHORT;
	if (w->max_len && full_len > w->max_len)
		return CHK_UDP_LONG;
	if (!hexbytes_prefix((const uint8_t *)reply, len, w->prefix, w->mask, w->prefix_len))
		return CHK_UDP_PREFIX;
	return chk_udp_reply_ok(reply, len, w->expect) ? CHK_UDP_OK : CHK_UDP_EXPECT;
}

static void udp_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct udp_priv *u = w->data;
	struct chk_probe *p = u->p;
	const struct check_conf *cc = p->cc;
	char buf[4096];
	(void)loop;
	(void)revents;
	/* MSG_TRUNC: the datagram's whole length, for max_reply_length. */
	ssize_t n = recv(u->fd, buf, sizeof(buf), MSG_TRUNC);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			udp_fail(p, errno);
		return;
	}
	size_t got = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf);
	const struct chk_udp_want want = {
		.expect = cc->expect, .prefix = u->prefix, .mask = u->mask,
		.prefix_len = u->prefix_len, .min_len = cc->min_reply_length,
		.max_len = cc->max_reply_length,
	};
	switch (chk_udp_judge(buf, got, (size_t)n, &want)) {
	case CHK_UDP_OK:
		check_done(p, CHK_R_OK, NULL);
		break;
	case CHK_UDP_SHORT:
		check_done(p, CHK_R_UDP_REPLY, "(%zd bytes, fewer than %u)", n, cc->min_reply_length);
		break;
	case CHK_UDP_LONG:
		check_done(p, CHK_R_UDP_REPLY, "(%zd bytes, more than %u)", n, cc->max_reply_length);
		break;
	case CHK_UDP_PREFIX:
		check_done(p, CHK_R_UDP_REPLY, "(%zd bytes not starting with %.40s)", n, cc->reply_hex);
		break;
	case CHK_UDP_EXPECT:
		check_done(p, CHK_R_UDP_REPLY, "(%zd bytes without \"%.40s\")", n, cc->expect);
		break;
	}
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
	const char *pl = u->payload ? (const char *)u->payload : p->cc->payload ? p->cc->payload : "";
	size_t pl_len = u->payload ? u->payload_len : strlen(pl);
	if (connect(fd, (struct sockaddr *)&p->dst, p->dst_len) < 0
	    || send(fd, pl, pl_len, 0) < 0) {
		udp_fail(p, errno);
		return;
	}
	p->phase = "waiting for a reply";
	ev_io_set(&u->io, fd, EV_READ);
	ev_io_start(chk_loop(p), &u->io);
}

static void udp_expire(struct chk_probe *p)
{
	const struct check_conf *cc = p->cc;
	if (cc->expect || cc->reply_hex || cc->require_reply || cc->min_reply_length)
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

static void udp_free(struct chk_probe *p)
{
	struct udp_priv *u = p->priv;
	free(u->payload);
	free(u->prefix);
	free(u->mask);
	u->payload = u->prefix = u->mask = NULL;
}

/* Decodes hex into owned buffers (at most strlen/2 bytes). */
static int udp_hex(const char *hex, bool wild, uint8_t **out, uint8_t **mask, size_t *len)
{
	size_t cap = strlen(hex) / 2 + 1;
	*out = malloc(cap);
	*mask = wild ? malloc(cap) : NULL;
	if (!*out || (wild && !*mask))
		return -ENOMEM;
	long n = hexbytes_parse(hex, wild, *out, wild ? *mask : NULL, cap, NULL);
	if (n < 0)
		return (int)n;
	*len = (size_t)n;
	return 0;
}

static int udp_parse(struct chk_probe *p, struct errbuf *eb)
{
	struct udp_priv *u = p->priv;
	const struct check_conf *cc = p->cc;
	uint8_t *none = NULL;
	u->fd = -1;
	u->p = p;
	ev_init(&u->io, udp_io_cb);
	u->io.data = u;
	int err = 0;
	if (cc->payload_hex)
		err = udp_hex(cc->payload_hex, false, &u->payload, &none, &u->payload_len);
	if (!err && cc->reply_hex)
		err = udp_hex(cc->reply_hex, true, &u->prefix, &u->mask, &u->prefix_len);
	if (!err)
		return 0;
	udp_free(p);
	return errbuf_set(eb, -err, err == -ENOMEM ? "out of memory" : "bad hexadecimal bytes");
}

const struct check_ops chk_udp_ops = {
	.name = "udp", .type = CHECK_UDP, .priv_size = sizeof(struct udp_priv),
	.parse = udp_parse, .start = udp_start, .cancel = udp_cancel, .expire = udp_expire,
	.free = udp_free,
};
