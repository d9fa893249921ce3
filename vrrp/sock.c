/*
 * sock: raw VRRP sockets (see vrrp_sock.h).
 *
 *   IPv4: raw socket, IP header built by the kernel (no IP_HDRINCL), TOS
 *         0xc0, TTL 255 for multicast and unicast; the source comes from an
 *         IP_PKTINFO control message, so the v3 pseudo-header checksum the
 *         caller computed matches what goes on the wire.
 *   IPv6: raw socket; hop limit 255; IPV6_PKTINFO for the source on send,
 *         IPV6_RECVPKTINFO / IPV6_RECVHOPLIMIT for the destination and hop
 *         limit on receive (an IPv6 raw socket never sees the IP header).
 *
 *   AH (VRRPv2 with IPsec AH, IPv4 only): a second raw socket of protocol
 *         51 with IP_HDRINCL, since the ICV covers the IP header: the
 *         caller builds the whole packet (vrrp_ah.h) and the kernel only
 *         fills in the header checksum.
 *
 * Loopback of our own multicast is off; SO_BINDTODEVICE keeps adverts of
 * other interfaces out.
 */
#include "vrrp_sock.h"

#include <errno.h>
#include <netinet/ip.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "errbuf.h"
#include "vrrp_ah.h"

static int setopt(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof(val));
}

int vrrp_sock_join(struct vrrp_sock *s, struct errbuf *eb)
{
	int r;
	if (s->family == AF_INET) {
		struct ip_mreqn m = { .imr_ifindex = s->ifindex };
		m.imr_multiaddr.s_addr = htonl(0xe0000012);   /* 224.0.0.18 */
		r = setsockopt(s->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m));
	} else {
		struct ipv6_mreq m = { .ipv6mr_interface = (unsigned)s->ifindex };
		struct vaddr g;
		vrrp_mcast_group(AF_INET6, &g);
		m.ipv6mr_multiaddr = g.u.v6;
		r = setsockopt(s->fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &m, sizeof(m));
	}
	if (r < 0 && errno != EADDRINUSE)
		return errbuf_set(eb, errno, "%s: joining the VRRP group: %s", s->ifname,
				  strerror(errno));
	s->joined = true;
	return 0;
}

static int setup_ip4(struct vrrp_sock *s)
{
	struct ip_mreqn m = { .imr_ifindex = s->ifindex };
	if (setopt(s->fd, IPPROTO_IP, IP_TOS, IPTOS_PREC_INTERNETCONTROL) < 0 ||
	    setopt(s->fd, IPPROTO_IP, IP_TTL, VRRP_TTL) < 0 ||
	    setopt(s->fd, IPPROTO_IP, IP_MULTICAST_TTL, VRRP_TTL) < 0 ||
	    setopt(s->fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0) < 0)
		return -errno;
	if (setsockopt(s->fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m)) < 0)
		return -errno;
	return 0;
}

static int setup_ip6(struct vrrp_sock *s)
{
	if (setopt(s->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, VRRP_TTL) < 0 ||
	    setopt(s->fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, VRRP_TTL) < 0 ||
	    setopt(s->fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0) < 0 ||
	    setopt(s->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, s->ifindex) < 0 ||
	    setopt(s->fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1) < 0 ||
	    setopt(s->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) < 0 ||
	    setopt(s->fd, IPPROTO_IPV6, IPV6_TCLASS, 0xc0) < 0)
		return -errno;
	return 0;
}

static int sock_open(struct vrrp_sock *s, const char *ifname, int family, int proto,
		     bool mcast, struct errbuf *eb)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->family = family;
	snprintf(s->ifname, sizeof(s->ifname), "%s", ifname);
	s->ifindex = (int)if_nametoindex(ifname);
	if (!s->ifindex)
		return errbuf_set(eb, ENODEV, "%s: no such interface", ifname);
	int fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return errbuf_set(eb, errno, "%s: raw %s socket: %s", ifname,
				  proto == VRRP_IPPROTO_AH ? "AH" : "VRRP", strerror(errno));
	s->fd = fd;
	int r = setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname));
	/* The kernel's receive time: a master-down timer counts from the
	 * advert's arrival, not from when the loop got to it (vrrp_run.h). */
	if (r == 0 && setopt(fd, SOL_SOCKET, SO_TIMESTAMP, 1) < 0)
		r = -1;
	if (r == 0)
		r = family == AF_INET ? setup_ip4(s) : setup_ip6(s);
	else
		r = -errno;
	if (r == 0 && proto == VRRP_IPPROTO_AH && setopt(fd, IPPROTO_IP, IP_HDRINCL, 1) < 0)
		r = -errno;
	if (r == 0 && mcast)
		r = vrrp_sock_join(s, eb);
	else if (r < 0)
		errbuf_set(eb, -r, "%s: VRRP socket options: %s", ifname, strerror(-r));
	if (r < 0)
		vrrp_sock_close(s);
	return r;
}

int vrrp_sock_open(struct vrrp_sock *s, const char *ifname, int family, bool mcast,
		   struct errbuf *eb)
{
	return sock_open(s, ifname, family, VRRP_IPPROTO, mcast, eb);
}

int vrrp_sock_open_ah(struct vrrp_sock *s, const char *ifname, bool mcast, struct errbuf *eb)
{
	return sock_open(s, ifname, AF_INET, VRRP_IPPROTO_AH, mcast, eb);
}

void vrrp_sock_close(struct vrrp_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static void read_cmsgs(struct msghdr *mh, struct vrrp_rxpkt *p)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMP) {
			struct timeval tv;
			memcpy(&tv, CMSG_DATA(c), sizeof(tv));
			p->rx_time = (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
		}
		if (c->cmsg_level != IPPROTO_IPV6)
			continue;
		if (c->cmsg_type == IPV6_HOPLIMIT) {
			int h;
			memcpy(&h, CMSG_DATA(c), sizeof(h));
			p->hlim = (uint8_t)h;
		} else if (c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			p->dst6 = pi.ipi6_addr;
		}
	}
}

/* Up to n packets in one system call (a backup hearing many instances
 * gets their adverts in bursts). */
int vrrp_sock_recv_batch(const struct vrrp_sock *s, struct vrrp_rxpkt *p, unsigned n)
{
	struct sockaddr_in6 from[VRRP_RX_BATCH];
	union { char b[128]; struct cmsghdr align; } ctl[VRRP_RX_BATCH];
	struct iovec iov[VRRP_RX_BATCH];
	struct mmsghdr mm[VRRP_RX_BATCH];
	if (n > VRRP_RX_BATCH)
		n = VRRP_RX_BATCH;
	for (unsigned i = 0; i < n; i++) {
		iov[i] = (struct iovec){ .iov_base = p[i].buf, .iov_len = sizeof(p[i].buf) };
		mm[i] = (struct mmsghdr){ .msg_hdr = {
			.msg_name = &from[i], .msg_namelen = sizeof(from[i]),
			.msg_iov = &iov[i], .msg_iovlen = 1,
			.msg_control = ctl[i].b, .msg_controllen = sizeof(ctl[i].b) } };
	}
	int got = recvmmsg(s->fd, mm, n, MSG_DONTWAIT, NULL);
	if (got <= 0)
		return got == 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR
			? -EAGAIN : -errno;
	for (int i = 0; i < got; i++) {
		struct vrrp_rxpkt *q = &p[i];
		q->len = mm[i].msg_len;
		q->truncated = (mm[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
		q->hlim = 0;
		q->rx_time = 0;
		memset(&q->dst6, 0, sizeof(q->dst6));
		if (s->family == AF_INET6)
			q->src6 = from[i].sin6_addr;
		read_cmsgs(&mm[i].msg_hdr, q);
	}
	return got;
}

long vrrp_sock_recv(const struct vrrp_sock *s, struct vrrp_rxpkt *p)
{
	int r = vrrp_sock_recv_batch(s, p, 1);
	return r < 0 ? r : (long)p->len;
}

enum vrrp_rx vrrp_sock_decode(const struct vrrp_sock *s, const struct vrrp_rxpkt *p,
			      struct vrrp_advert *out)
{
	if (p->truncated) {
		memset(out, 0, sizeof(*out));
		return VRRP_RX_LENGTH;
	}
	if (s->family == AF_INET)
		return vrrp_pkt_decode_ip4(p->buf, p->len, out);
	return vrrp_pkt_decode_ip6(p->buf, p->len, p->hlim, &p->src6, &p->dst6, out);
}

int vrrp_sock_peek_vrid(const struct vrrp_sock *s, const struct vrrp_rxpkt *p)
{
	size_t off = 0;
	if (s->family == AF_INET) {
		if (p->len < VRRP_IP4_HDR_LEN)
			return -1;
		off = (size_t)(p->buf[0] & 0x0f) * 4;
		if (p->buf[9] == VRRP_IPPROTO_AH)
			off += VRRP_AH_LEN;
	}
	return p->len >= off + 2 ? p->buf[off + 1] : -1;
}

/* A TTL / hop limit for this packet only (unicast_ttl): one more control message. */
static void add_ttl(struct msghdr *mh, int family, int ttl)
{
	struct cmsghdr *c = (struct cmsghdr *)((char *)mh->msg_control + mh->msg_controllen);
	c->cmsg_level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	c->cmsg_type = family == AF_INET ? IP_TTL : IPV6_HOPLIMIT;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &ttl, sizeof(int));
	mh->msg_controllen += CMSG_SPACE(sizeof(int));
}

union send_ctl {
	char b[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

/* The destination and the source (a packet-info control message). */
static void send_hdr(const struct vrrp_sock *s, const struct vaddr *src, const struct vaddr *dst,
		     struct sockaddr_storage *to, union send_ctl *ctl, struct msghdr *mh)
{
	memset(ctl, 0, sizeof(*ctl));
	*mh = (struct msghdr){
		.msg_name = to, .msg_namelen = vaddr_to_sockaddr(dst, 0, to),
		.msg_control = ctl->b,
	};
	struct cmsghdr *c = (struct cmsghdr *)ctl->b;
	if (s->family == AF_INET) {
		struct in_pktinfo pi = { .ipi_ifindex = s->ifindex, .ipi_spec_dst = src->u.v4 };
		mh->msg_controllen = CMSG_SPACE(sizeof(pi));
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	} else {
		struct in6_pktinfo pi = { .ipi6_addr = src->u.v6, .ipi6_ifindex = (unsigned)s->ifindex };
		((struct sockaddr_in6 *)to)->sin6_scope_id = (uint32_t)s->ifindex;
		mh->msg_controllen = CMSG_SPACE(sizeof(pi));
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
}

int vrrp_sock_send(const struct vrrp_sock *s, const struct vaddr *src, const struct vaddr *dst,
		   int ttl, const uint8_t *msg, size_t len, struct errbuf *eb)
{
	struct sockaddr_storage to;
	union send_ctl ctl;
	struct msghdr mh;
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	send_hdr(s, src, dst, &to, &ctl, &mh);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (ttl > 0 && ttl != VRRP_TTL)
		add_ttl(&mh, s->family, ttl);
	if (sendmsg(s->fd, &mh, MSG_DONTWAIT) < 0) {
		char a[VADDR_STRLEN];
		return errbuf_set(eb, errno, "%s: sending to %s: %s", s->ifname,
				  vaddr_str(dst, a, sizeof(a)), strerror(errno));
	}
	return 0;
}

int vrrp_sock_send_batch(const struct vrrp_sock *s, const struct vaddr *src,
			 const struct vaddr *dst, const struct iovec *msgs, unsigned n,
			 struct errbuf *eb)
{
	struct sockaddr_storage to;
	union send_ctl ctl;
	struct msghdr mh;
	struct mmsghdr mm[VRRP_TX_BATCH];
	send_hdr(s, src, dst, &to, &ctl, &mh);
	if (n > VRRP_TX_BATCH)
		n = VRRP_TX_BATCH;
	for (unsigned i = 0; i < n; i++) {
		mm[i] = (struct mmsghdr){ .msg_hdr = mh };
		mm[i].msg_hdr.msg_iov = (struct iovec *)&msgs[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	int sent = sendmmsg(s->fd, mm, n, MSG_DONTWAIT);
	if (sent < 0) {
		char a[VADDR_STRLEN];
		return errbuf_set(eb, errno, "%s: sending to %s: %s", s->ifname,
				  vaddr_str(dst, a, sizeof(a)), strerror(errno));
	}
	return sent;
}

int vrrp_sock_send_ip(const struct vrrp_sock *s, const struct vaddr *dst, const uint8_t *pkt,
		      size_t len, struct errbuf *eb)
{
	struct sockaddr_storage to;
	socklen_t tolen = vaddr_to_sockaddr(dst, 0, &to);
	if (sendto(s->fd, pkt, len, MSG_DONTWAIT, (struct sockaddr *)&to, tolen) < 0) {
		char a[VADDR_STRLEN];
		return errbuf_set(eb, errno, "%s: sending to %s: %s", s->ifname,
				  vaddr_str(dst, a, sizeof(a)), strerror(errno));
	}
	return 0;
}
