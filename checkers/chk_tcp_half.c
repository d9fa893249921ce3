/*
 * chk_tcp_half: the half-open TCP check (`type = "tcp"; half_open = true`).
 *
 * A connect check passes when the SYN-ACK comes back; this one sends that
 * SYN itself from a raw socket and waits for the same SYN-ACK, so what it
 * tests is the same (the kernel of the real server has a listener with
 * room in its queue), but no socket is made, connected and torn down per
 * probe: one sendmsg per probe, and the replies of many probes are read
 * in one recvmmsg. Our own kernel answers the SYN-ACK with a RST (no
 * socket has the 4-tuple), which frees the server's half-open request:
 * the application never sees a connection, and logs nothing.
 *
 * All half-open probes of one family share one raw socket (a BPF filter
 * passes it only segments to our port) and one source port, held by a
 * bound, never-listening TCP socket so no local connect() takes it. A
 * reply is matched by its ack number (our random sequence + 1), then its
 * source. SYN-ACK: up. RST: "connect refused". An ICMP error quoting our
 * SYN (from the raw socket's error queue): unreachable. Needs CAP_NET_RAW,
 * which the checker keeps for ping.
 *
 * IPv4 raw sockets leave the TCP checksum to us, and it covers the source
 * address: the probe learns the kernel's choice once (a UDP socket
 * connected to the target) and pins it with IP_PKTINFO; it asks again
 * after a failed run, in case routes moved. IPv6 has IPV6_CHECKSUM.
 */
#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chk_engine.h"
#include "synpkt.h"

#define SYN_BUCKETS 1024      /* pending probes, by sequence number */
#define SYN_BATCH 32          /* segments per recvmmsg */
#define SYN_DRAIN 32          /* sends between reads within one loop pass */
#define SYN_RCVBUF (4 << 20)  /* asked; the kernel caps it at net.core.rmem_max */

struct half_priv;

struct syn_fam {
	int raw, hold;
	uint16_t port;                /* our source port, host order */
	int err;                      /* > 0: opening failed with this errno */
	uint32_t dropped;             /* by the kernel, queue full (SO_RXQ_OVFL) */
	ev_io io;
	struct syn_ctx *ctx;
};

struct syn_ctx {
	struct ev_loop *loop;
	struct syn_fam fam[2];        /* [0] IPv4, [1] IPv6 */
	struct half_priv *tab[SYN_BUCKETS];
	unsigned unread;              /* sends since the last read */
	unsigned long sent, replies, malformed, stray;
};

struct half_priv {
	struct chk_probe *p;
	struct half_priv *next;
	bool pending;
	uint32_t seq;
	struct vaddr src;             /* IPv4: the source the checksum covers */
};

static struct half_priv **bucket(struct syn_ctx *c, uint32_t seq)
{
	return &c->tab[(seq ^ seq >> 10 ^ seq >> 20) & (SYN_BUCKETS - 1)];
}

static struct half_priv *pending_find(struct syn_ctx *c, uint32_t seq)
{
	for (struct half_priv *h = *bucket(c, seq); h; h = h->next)
		if (h->seq == seq)
			return h;
	return NULL;
}

static void pending_del(struct syn_ctx *c, struct half_priv *h)
{
	if (!h->pending)
		return;
	for (struct half_priv **pp = bucket(c, h->seq); *pp; pp = &(*pp)->next)
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	h->pending = false;
}

static void on_reply(struct syn_ctx *c, const struct synpkt_reply *r, uint16_t port)
{
	if (r->dport != port || !(r->flags & SYNPKT_ACK)) {
		c->stray++;
		return;
	}
	struct half_priv *h = pending_find(c, r->ack - 1);
	if (!h || r->sport != h->p->dst_port || !vaddr_equal(&r->src, &h->p->dst_addr)) {
		c->stray++;
		return;
	}
	if ((r->flags & (SYNPKT_SYN | SYNPKT_RST)) == SYNPKT_SYN) {
		c->replies++;
		check_done(h->p, CHK_R_OK, NULL);
	} else if (r->flags & SYNPKT_RST) {
		c->replies++;
		check_done(h->p, CHK_R_REFUSED, NULL);
	} else {
		c->stray++;
	}
}

/* ICMP errors for our SYNs: the error queue quotes the SYN's TCP header
 * and names its destination. */
static void read_errors(struct syn_ctx *c, struct syn_fam *f, int family)
{
	for (int i = 0; i < SYN_BATCH; i++) {
		uint8_t data[64], ctl[512];
		struct sockaddr_storage to;
		struct iovec iov = { data, sizeof(data) };
		struct msghdr m = { .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov,
				    .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
		ssize_t n = recvmsg(f->raw, &m, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (n < 0)
			return;
		const struct sock_extended_err *ee = NULL;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm))
			if ((cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_RECVERR)
			    || (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_RECVERR))
				ee = (const void *)CMSG_DATA(cm);
		uint16_t sport, dport;
		uint32_t seq;
		struct vaddr dst;
		if (!ee || synpkt_parse_quoted(data, (size_t)n, &sport, &dport, &seq) < 0
		    || vaddr_from_sockaddr((struct sockaddr *)&to, &dst, NULL) < 0
		    || dst.family != family) {
			c->malformed++;
			continue;
		}
		struct half_priv *h = sport == f->port ? pending_find(c, seq) : NULL;
		if (!h || dport != h->p->dst_port || !vaddr_equal(&dst, &h->p->dst_addr)) {
			c->stray++;
			continue;
		}
		chk_fail_errno(h->p, ee->ee_errno ? (int)ee->ee_errno : EHOSTUNREACH, NULL);
	}
}

static void raw_read(struct syn_fam *f)
{
	struct syn_ctx *c = f->ctx;
	int family = f == &c->fam[0] ? AF_INET : AF_INET6;
	c->unread = 0;
	read_errors(c, f, family);
	for (;;) {
		uint8_t buf[SYN_BATCH][128];
		struct sockaddr_storage from[SYN_BATCH];
		struct iovec iov[SYN_BATCH];
		struct mmsghdr mm[SYN_BATCH];
		union {
			char b[CMSG_SPACE(sizeof(uint32_t))];
			struct cmsghdr align;
		} ctl[SYN_BATCH];
		memset(mm, 0, sizeof(mm));
		for (int i = 0; i < SYN_BATCH; i++) {
			iov[i] = (struct iovec){ buf[i], sizeof(buf[i]) };
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
			mm[i].msg_hdr.msg_name = &from[i];
			mm[i].msg_hdr.msg_namelen = sizeof(from[i]);
			mm[i].msg_hdr.msg_control = ctl[i].b;
			mm[i].msg_hdr.msg_controllen = sizeof(ctl[i].b);
		}
		int n = recvmmsg(f->raw, mm, SYN_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		for (int i = 0; i < n; i++) {
			struct vaddr src = { 0 };
			struct synpkt_reply r;
			struct cmsghdr *cm = CMSG_FIRSTHDR(&mm[i].msg_hdr);
			if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL)
				memcpy(&f->dropped, CMSG_DATA(cm), sizeof(f->dropped));
			vaddr_from_sockaddr((struct sockaddr *)&from[i], &src, NULL);
			size_t len = mm[i].msg_len < sizeof(buf[i]) ? mm[i].msg_len : sizeof(buf[i]);
			if (synpkt_parse(family, buf[i], len, &src, &r) < 0)
				c->malformed++;
			else
				on_reply(c, &r, f->port);
		}
		if (n < SYN_BATCH)
			return;
	}
}

static void raw_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	raw_read(w->data);
}

/* Only TCP segments to our port reach the raw socket's queue. */
static int attach_filter(int fd, int family, uint16_t port)
{
	struct sock_filter v4[] = {
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),       /* x = IPv4 header length */
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),        /* TCP destination port */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_filter v6[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 2),        /* data starts at TCP */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = family == AF_INET6
		? (struct sock_fprog){ sizeof(v6) / sizeof(v6[0]), v6 }
		: (struct sock_fprog){ sizeof(v4) / sizeof(v4[0]), v4 };
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

static int fam_open(struct syn_ctx *c, struct syn_fam *f, int family)
{
	int one = 1, off = 16;
	struct sockaddr_storage ss = { .ss_family = (sa_family_t)family };
	socklen_t sl = family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	f->hold = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->hold < 0
	    || (family == AF_INET6
		&& setsockopt(f->hold, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
	    || bind(f->hold, (struct sockaddr *)&ss, sl) < 0
	    || getsockname(f->hold, (struct sockaddr *)&ss, &sl) < 0)
		return -errno;
	f->port = ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					    : ((struct sockaddr_in *)&ss)->sin_port);
	f->raw = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	int rcvbuf = SYN_RCVBUF;
	if (f->raw < 0 || attach_filter(f->raw, family, f->port) < 0
	    || setsockopt(f->raw, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0
	    || setsockopt(f->raw, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) < 0)
		return -errno;
	if (family == AF_INET6
	    ? setsockopt(f->raw, IPPROTO_IPV6, IPV6_CHECKSUM, &off, sizeof(off)) < 0
	      || setsockopt(f->raw, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one)) < 0
	    : setsockopt(f->raw, IPPROTO_IP, IP_RECVERR, &one, sizeof(one)) < 0)
		return -errno;
	f->ctx = c;
	ev_io_init(&f->io, raw_cb, f->raw, EV_READ);
	f->io.data = f;
	ev_io_start(c->loop, &f->io);
	return 0;
}

static void ctx_free(void *state)
{
	struct syn_ctx *c = state;
	for (int i = 0; i < 2; i++) {
		struct syn_fam *f = &c->fam[i];
		if (f->raw >= 0) {
			ev_io_stop(c->loop, &f->io);
			close(f->raw);
		}
		if (f->hold >= 0)
			close(f->hold);
	}
	free(c);
}

static void ctx_dump(void *state, char *buf, size_t len)
{
	struct syn_ctx *c = state;
	snprintf(buf, len, "half-open tcp: source ports %u (IPv4) %u (IPv6); %lu SYNs sent, "
		 "%lu replies, %lu stray, %lu malformed, %lu dropped (queue full)", c->fam[0].port,
		 c->fam[1].port, c->sent, c->replies, c->stray, c->malformed,
		 (unsigned long)c->fam[0].dropped + c->fam[1].dropped);
}

static void ctx_stats(void *state, struct chk_stats *out)
{
	struct syn_ctx *c = state;
	out->syn_sent += c->sent;
	out->syn_replies += c->replies;
	out->syn_stray += c->stray;
	out->syn_malformed += c->malformed;
	out->syn_dropped += (uint64_t)c->fam[0].dropped + c->fam[1].dropped;
}

/* The family's raw socket, opened on first use; NULL with *err set. */
static struct syn_fam *fam_get(struct chk_probe *p, int *err)
{
	struct chk_shared *sh = chk_shared(p, CHK_SHARED_SYN);
	struct syn_ctx *c = sh->state;
	if (!c) {
		if (!(c = calloc(1, sizeof(*c)))) {
			*err = ENOMEM;
			return NULL;
		}
		c->loop = chk_loop(p);
		for (int i = 0; i < 2; i++)
			c->fam[i].raw = c->fam[i].hold = -1;
		sh->state = c;
		sh->free = ctx_free;
		sh->dump = ctx_dump;
		sh->stats = ctx_stats;
	}
	int family = p->dst.ss_family;
	struct syn_fam *f = &c->fam[family == AF_INET6];
	if (f->raw < 0 && !f->err) {
		int r = fam_open(c, f, family);
		if (r < 0) {
			f->err = -r;
			if (f->raw >= 0)
				close(f->raw);
			if (f->hold >= 0)
				close(f->hold);
			f->raw = f->hold = -1;
		}
	}
	*err = f->err;
	return f->err ? NULL : f;
}

/* The source the kernel picks for the target (IPv4's checksum needs it). */
static int route_source(struct chk_probe *p, struct vaddr *src)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = 0;
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&p->dst, p->dst_len) < 0
	    || getsockname(fd, (struct sockaddr *)&ss, &sl) < 0
	    || vaddr_from_sockaddr((struct sockaddr *)&ss, src, NULL) < 0)
		r = errno ? -errno : -EADDRNOTAVAIL;
	close(fd);
	return r;
}

static void half_start(struct chk_probe *p)
{
	struct half_priv *h = p->priv;
	int err = 0;
	struct syn_fam *f = fam_get(p, &err);
	if (!f) {
		check_done(p, CHK_R_LOCAL, "half-open raw socket: %s", strerror(err));
		return;
	}
	struct syn_ctx *c = f->ctx;
	bool v6 = p->dst.ss_family == AF_INET6;
	if (vaddr_is_set(&p->cc->bind_addr))
		h->src = p->cc->bind_addr;
	else if (!v6 && (!vaddr_is_set(&h->src) || p->counts.failures > 0)) {
		int r = route_source(p, &h->src);
		if (r < 0) {
			h->src.family = AF_UNSPEC;
			chk_fail_errno(p, -r, NULL);
			return;
		}
	}
	do
		h->seq = (uint32_t)chk_random(p) << 16 ^ (uint32_t)chk_random(p);
	while (pending_find(c, h->seq));
	uint8_t seg[SYNPKT_LEN];
	synpkt_build(seg, v6 ? NULL : &h->src, &p->dst_addr, f->port, p->dst_port, h->seq);

	struct sockaddr_storage to;
	socklen_t tl = vaddr_to_sockaddr(&p->dst_addr, 0, &to);
	union {
		char b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct iovec iov = { seg, sizeof(seg) };
	struct msghdr m = { .msg_name = &to, .msg_namelen = tl, .msg_iov = &iov, .msg_iovlen = 1 };
	if (vaddr_is_set(&h->src)) {
		m.msg_control = ctl.b;
		struct cmsghdr *cm = (struct cmsghdr *)ctl.b;
		if (v6) {
			struct in6_pktinfo pi = { .ipi6_addr = h->src.u.v6 };
			m.msg_controllen = CMSG_SPACE(sizeof(pi));
			*cm = (struct cmsghdr){ .cmsg_len = CMSG_LEN(sizeof(pi)),
						.cmsg_level = IPPROTO_IPV6, .cmsg_type = IPV6_PKTINFO };
			memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		} else {
			struct in_pktinfo pi = { .ipi_spec_dst = h->src.u.v4 };
			m.msg_controllen = CMSG_SPACE(sizeof(pi));
			*cm = (struct cmsghdr){ .cmsg_len = CMSG_LEN(sizeof(pi)),
						.cmsg_level = IPPROTO_IP, .cmsg_type = IP_PKTINFO };
			memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		}
	}
	if (sendmsg(f->raw, &m, MSG_DONTWAIT) < 0) {
		chk_fail_errno(p, errno, "send");
		return;
	}
	c->sent++;
	h->p = p;
	h->pending = true;
	struct half_priv **b = bucket(c, h->seq);
	h->next = *b;
	*b = h;
	p->phase = "waiting for the SYN-ACK";
	/* Many probes start in one loop pass, and on a near network their
	 * SYN-ACKs are queued before the pass ends: read them as we go, so
	 * the queue never fills (this may end this very run: fine here). */
	if (++c->unread >= SYN_DRAIN)
		raw_read(f);
}

static void half_cancel(struct chk_probe *p)
{
	struct half_priv *h = p->priv;
	struct syn_ctx *c = chk_shared(p, CHK_SHARED_SYN)->state;
	if (c)
		pending_del(c, h);
}

const struct check_ops chk_tcp_half_ops = {
	.name = "tcp", .type = CHECK_TCP, .priv_size = sizeof(struct half_priv),
	.start = half_start, .cancel = half_cancel,
};
