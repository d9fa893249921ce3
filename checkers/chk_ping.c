/*
 * chk_ping: one ICMP or ICMPv6 echo request; passes on the matching echo
 * reply. It uses an unprivileged ping socket (SOCK_DGRAM, IPPROTO_ICMP)
 * when net.ipv4.ping_group_range lets the checker's group have one, else
 * a raw socket (CAP_NET_RAW). The socket is connected to the target so
 * the kernel hands us only its packets; we match the sequence number (and
 * on raw sockets our identifier, which ping sockets set themselves).
 */
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chk_engine.h"
#include "inet_csum.h"
#include "synpkt.h"

struct ping_priv {
	int fd;
	bool raw;
	uint16_t id, seq;
	ev_io io;
	struct chk_probe *p;
};

static void ping_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ping_priv *pp = w->data;
	struct chk_probe *p = pp->p;
	uint8_t buf[1500];
	(void)loop;
	(void)revents;
	ssize_t n = recv(pp->fd, buf, sizeof(buf), 0);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			chk_fail_errno(p, errno, "icmp");
		return;
	}
	const uint8_t *icmp = buf;
	bool v6 = p->dst.ss_family == AF_INET6;
	if (pp->raw && !v6) {
		size_t hl = (size_t)(buf[0] & 0x0f) * 4;
		if ((size_t)n < hl + 8)
			return;
		icmp = buf + hl;
		n -= (ssize_t)hl;
	}
	if (n < 8 || icmp[0] != (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY))
		return;   /* not ours: keep waiting */
	uint16_t id = (uint16_t)(icmp[4] << 8 | icmp[5]), seq = (uint16_t)(icmp[6] << 8 | icmp[7]);
	if (seq != pp->seq || (pp->raw && id != pp->id))
		return;
	check_done(p, CHK_R_OK, NULL);
}

static int ping_socket(struct chk_probe *p, struct ping_priv *pp, char *err, size_t len)
{
	int proto = p->dst.ss_family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	int fd = chk_socket(p, SOCK_DGRAM, proto, err, len);
	pp->raw = false;
	if (fd == -EACCES || fd == -EPERM || fd == -EPROTONOSUPPORT) {
		fd = chk_socket(p, SOCK_RAW, proto, err, len);
		pp->raw = true;
	}
	return fd;
}

static void ping_start(struct chk_probe *p)
{
	struct ping_priv *pp = p->priv;
	char err[128];
	int fd = ping_socket(p, pp, err, sizeof(err));
	if (fd < 0) {
		check_done(p, CHK_R_LOCAL, "%s", err);
		return;
	}
	pp->fd = fd;
	uint8_t pkt[8 + 16] = { 0 };
	bool v6 = p->dst.ss_family == AF_INET6;
	pp->seq++;
	pkt[0] = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	pkt[4] = (uint8_t)(pp->id >> 8);
	pkt[5] = (uint8_t)pp->id;
	pkt[6] = (uint8_t)(pp->seq >> 8);
	pkt[7] = (uint8_t)pp->seq;
	memcpy(pkt + 8, "vigil health chk", 16);
	if (!v6) {
		uint16_t c = inet_csum(pkt, sizeof(pkt));
		pkt[2] = (uint8_t)(c >> 8);
		pkt[3] = (uint8_t)c;
	}
	struct sockaddr_storage dst;
	socklen_t dl = vaddr_to_sockaddr(&p->dst_addr, 0, &dst);   /* no port for ICMP */
	if (connect(fd, (struct sockaddr *)&dst, dl) < 0 || send(fd, pkt, sizeof(pkt), 0) < 0) {
		chk_fail_errno(p, errno, "icmp");
		return;
	}
	p->phase = "waiting for the echo reply";
	ev_io_set(&pp->io, fd, EV_READ);
	ev_io_start(chk_loop(p), &pp->io);
}

static void ping_cancel(struct chk_probe *p)
{
	struct ping_priv *pp = p->priv;
	ev_io_stop(chk_loop(p), &pp->io);
	if (pp->fd >= 0)
		close(pp->fd);
	pp->fd = -1;
}

static int ping_parse(struct chk_probe *p, struct errbuf *eb)
{
	struct ping_priv *pp = p->priv;
	(void)eb;
	pp->fd = -1;
	pp->p = p;
	pp->id = (uint16_t)chk_random(p);
	pp->seq = (uint16_t)chk_random(p);
	ev_init(&pp->io, ping_io_cb);
	pp->io.data = pp;
	return 0;
}

const struct check_ops chk_ping_ops = {
	.name = "ping", .type = CHECK_PING, .priv_size = sizeof(struct ping_priv),
	.parse = ping_parse, .start = ping_start, .cancel = ping_cancel,
};
