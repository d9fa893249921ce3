/*
 * vrrp_io: the vrrp child's sockets — one raw VRRP socket and one
 * announcement socket per (interface, family), shared by the instances
 * on it — and the receive path.
 *
 *   readable ─> recv ─> decode (headers, lengths, checksum)
 *        │  bad: blame the instance of the VRID byte if there is one,
 *        │       else the interface; count by reason, log rate-limited
 *        └─ ok ─> instance of that VRID? none: count "unknown VRID"
 *                  └─> validate (TTL, version, auth, interval, peers,
 *                      addresses) ─> count/log, or ADVERT_RECEIVED
 *
 * VRRPv2 with IPsec AH: a second socket (protocol 51) per IPv4 interface
 * where an instance uses it; its packets take the same path, and after
 * validation the ICV and the sequence number (vrrp_ah.h) are checked
 * before the advert may count. Adverts of such instances are built whole,
 * IP header included, numbered and signed.
 *
 * No rejected packet changes any state. A missing interface leaves the
 * socket closed (fd -1); the link monitor reopens it when it appears.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "errbuf.h"
#include "log.h"
#include "vrrp_run.h"
#include "xalloc.h"

static void rx_cb(struct ev_loop *loop, ev_io *w, int revents);

struct vrrp_io *vrrp_io_get(struct vrrp_run *r, const char *ifname, const char *src_ifname,
			    int family, bool mcast, bool ah)
{
	ah = ah && family == AF_INET;
	for (struct vrrp_io *io = r->ios; io; io = io->next)
		if (io->family == family && !strcmp(io->ifname, ifname)) {
			io->mcast |= mcast;
			io->want_ah |= ah;
			return io;
		}
	struct vrrp_io *io = xcalloc(1, sizeof(*io));
	io->run = r;
	io->family = family;
	io->mcast = mcast;
	io->want_ah = ah;
	io->sock.fd = io->ah.fd = io->garp.fd = -1;
	snprintf(io->ifname, sizeof(io->ifname), "%s", ifname);
	snprintf(io->src_ifname, sizeof(io->src_ifname), "%s", src_ifname);
	ev_io_init(&io->rx_w, rx_cb, -1, EV_READ);
	ev_io_init(&io->ah_w, rx_cb, -1, EV_READ);
	io->rx_w.data = io->ah_w.data = io;
	io->next = r->ios;
	r->ios = io;
	return io;
}

static void io_close(struct vrrp_io *io)
{
	ev_io_stop(io->run->loop, &io->rx_w);
	ev_io_stop(io->run->loop, &io->ah_w);
	vrrp_sock_close(&io->sock);
	vrrp_sock_close(&io->ah);
	vrrp_garp_close(&io->garp);
	io->src_valid = false;
}

void vrrp_io_open(struct vrrp_io *io)
{
	struct errbuf eb;
	int idx = (int)if_nametoindex(io->ifname);
	if (io->sock.fd >= 0 && idx == io->sock.ifindex)
		return;
	io_close(io);
	if (vrrp_sock_open(&io->sock, io->ifname, io->family, io->mcast, &eb) < 0) {
		log_warn("vrrp: %s", eb.msg);
		return;
	}
	if (vrrp_garp_open(&io->garp, io->ifname, io->family, &eb) < 0)
		log_warn("vrrp: %s", eb.msg);
	ev_io_set(&io->rx_w, io->sock.fd, EV_READ);
	ev_io_start(io->run->loop, &io->rx_w);
	if (io->want_ah && vrrp_sock_open_ah(&io->ah, io->ifname, io->mcast, &eb) < 0) {
		log_warn("vrrp: %s", eb.msg);
	} else if (io->want_ah) {
		ev_io_set(&io->ah_w, io->ah.fd, EV_READ);
		ev_io_start(io->run->loop, &io->ah_w);
	}
	log_debug("vrrp: %s %s socket open (ifindex %d)", io->ifname,
		  io->family == AF_INET ? "IPv4" : "IPv6", io->sock.ifindex);
}

void vrrp_io_free_all(struct vrrp_run *r)
{
	vrrp_io_flush_all(r);         /* adverts already due still go */
	while (r->ios) {
		struct vrrp_io *io = r->ios;
		r->ios = io->next;
		io_close(io);
		free(io);
	}
}

bool vrrp_inst_source(const struct vrrp_inst *in, struct vaddr *out)
{
	const struct vrrp_inst_conf *c = in->conf;
	if (c->unicast && vaddr_is_set(&c->ucast_src)) {
		*out = c->ucast_src;
		return true;
	}
	if (vaddr_is_set(&c->mcast_src)) {   /* keepalived: for unicast too */
		*out = c->mcast_src;
		return true;
	}
	return vrrp_io_source(in->io, out);
}

bool vrrp_io_source(struct vrrp_io *io, struct vaddr *out)
{
	if (!io->src_valid) {
		struct vprefix vips[64];
		unsigned n = 0;
		struct vrrp_run *r = io->run;
		/* every address an instance moves onto the interface the source
		 * is taken from, the excluded ones too: none of them is a source */
		for (unsigned i = 0; i < r->n_insts; i++) {
			const struct vrrp_inst_conf *c = r->insts[i].conf;
			for (unsigned j = 0; j < c->n_vaddrs && n < 64; j++)
				if (!strcmp(vrrp_vaddr_dev(c, &c->vaddrs[j]), io->src_ifname))
					vips[n++] = c->vaddrs[j].p;
		}
		struct errbuf eb;
		int at = strcmp(io->src_ifname, io->ifname) ? (int)if_nametoindex(io->src_ifname)
							    : io->sock.ifindex;
		if (io->sock.ifindex && at &&
		    vrrp_if_source(r->nl, at, io->family, vips, n, &io->src, &eb) == 0)
			io->src_valid = true;
	}
	*out = io->src;
	return io->src_valid;
}

/* An AH advert: the whole IPv4 packet, numbered and signed (vrrp_ah.h). */
static int send_ah(struct vrrp_inst *in, const struct vrrp_advert *adv, const struct vaddr *dst,
		   struct errbuf *eb)
{
	uint8_t buf[VRRP_AH_PKT_MAX];
	if (in->io->ah.fd < 0)
		return errbuf_set(eb, EBADF, "no AH socket on %s", in->io->ifname);
	if (!++in->ip_id)
		in->ip_id = 1;                /* 0 would let the kernel pick it */
	struct vrrp_ah_tx tx = {
		.key = in->exp.auth_pass, .seq = vrrp_ah_seq_next(&in->ah_seq),
		.ip_id = in->ip_id, .unicast = in->conf->unicast,
		.ttl = in->conf->unicast ? in->conf->ucast_ttl : VRRP_TTL,
	};
	int n = vrrp_ah_build(adv, &tx, buf, sizeof(buf));
	if (n < 0)
		return errbuf_set(eb, -n, "cannot build the AH advert (%d)", n);
	return vrrp_sock_send_ip(&in->io->ah, dst, buf, (size_t)n, eb);
}

static void send_one(struct vrrp_inst *in, struct vrrp_advert *adv, const struct vaddr *dst)
{
	uint8_t buf[VRRP_PKT_MAX];
	struct errbuf eb;
	int n = 0;
	adv->dst = *dst;
	if (adv->auth_type == VRRP_WIRE_AUTH_AH)
		n = send_ah(in, adv, dst, &eb);
	else if ((n = vrrp_pkt_encode(adv, buf, sizeof(buf))) < 0)
		snprintf(eb.msg, sizeof(eb.msg), "cannot encode the advert (%d)", n);
	else
		n = vrrp_sock_send(&in->io->sock, &adv->src, dst,
				   in->conf->unicast ? in->conf->ucast_ttl : 0, buf, (size_t)n, &eb);
	if (n < 0) {
		unsigned quiet;
		if (vrrp_ratelimit(&in->rl_tx, ev_now(in->run->loop), &quiet))
			log_warn("%s: %s (%u more like it not logged)", in->conf->name, eb.msg, quiet);
	}
}

/* The adverts an io queued in this loop pass, in one system call. */
static void io_flush(struct vrrp_io *io)
{
	struct errbuf eb;
	struct vaddr g;
	unsigned n = io->n_txq;
	io->n_txq = 0;
	if (!n || io->sock.fd < 0)
		return;
	vrrp_mcast_group(io->family, &g);
	int sent = vrrp_sock_send_batch(&io->sock, &io->txq_src, &g, io->txq, n, &eb);
	if (sent >= 0 && (unsigned)sent < n)
		snprintf(eb.msg, sizeof(eb.msg), "%s: %u of %u adverts not sent", io->ifname,
			 n - (unsigned)sent, n);
	unsigned quiet;
	if ((sent < 0 || (unsigned)sent < n) &&
	    vrrp_ratelimit(&io->rl, ev_now(io->run->loop), &quiet))
		log_warn("vrrp: %s (%u more like it not logged)", eb.msg, quiet);
}

void vrrp_io_flush_all(struct vrrp_run *r)
{
	for (struct vrrp_io *io = r->ios; io; io = io->next)
		io_flush(io);
}

static void tx_prep_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	ev_prepare_stop(loop, w);
	vrrp_io_flush_all(w->data);
	(void)revents;
}

/* A multicast advert without AH is the same bytes every time while the
 * priority and the source stay: a master of many instances sends them
 * again instead of building, encoding and summing each one, and the
 * adverts due in one loop pass leave together (sendmmsg) once it is done. */
static bool send_cached(struct vrrp_inst *in, uint8_t priority, const struct vaddr *src)
{
	struct vrrp_io *io = in->io;
	struct vrrp_run *r = in->run;
	if (!in->txc.len || in->txc.prio != priority || !vaddr_equal(&in->txc.src, src))
		return false;
	if (io->n_txq == VRRP_TX_BATCH || (io->n_txq && !vaddr_equal(&io->txq_src, src)))
		io_flush(io);
	io->txq_src = *src;
	io->txq[io->n_txq++] = (struct iovec){ .iov_base = in->txc.buf, .iov_len = in->txc.len };
	if (!ev_is_active(&r->tx_prep)) {
		ev_prepare_init(&r->tx_prep, tx_prep_cb);
		r->tx_prep.data = r;
		ev_prepare_start(r->loop, &r->tx_prep);
	}
	return true;
}

static void keep_sent(struct vrrp_inst *in, const struct vrrp_advert *adv)
{
	int n = vrrp_pkt_encode(adv, in->txc.buf, sizeof(in->txc.buf));
	in->txc.len = n > 0 ? (size_t)n : 0;
	in->txc.prio = adv->priority;
	in->txc.src = adv->src;
}

void vrrp_inst_send_advert(struct vrrp_inst *in, uint8_t priority)
{
	const struct vrrp_inst_conf *c = in->conf;
	struct vrrp_advert adv;
	struct vaddr src;
	bool cacheable = !c->unicast && c->auth_type != VRRP_AUTH_AH;
	if (in->io->sock.fd < 0)
		return;
	if (cacheable && vrrp_inst_source(in, &src) && send_cached(in, priority, &src)) {
		in->sent++;
		if (priority == 0)
			in->stats.pri0_sent++;
		return;
	}
	io_flush(in->io);             /* what was queued leaves first, in order */
	if (vrrp_advert_from_conf(c, priority, &adv) < 0)
		return;
	if (!vrrp_inst_source(in, &adv.src)) {
		unsigned quiet;
		if (vrrp_ratelimit(&in->rl_tx, ev_now(in->run->loop), &quiet))
			log_warn("%s: no source address on %s yet; advert not sent", c->name,
				 c->interface);
		return;
	}
	if (c->unicast) {
		for (unsigned i = 0; i < c->n_peers; i++)
			send_one(in, &adv, &c->peers[i]);
	} else {
		struct vaddr g;
		vrrp_mcast_group(c->family, &g);
		send_one(in, &adv, &g);
		if (cacheable)
			keep_sent(in, &adv);   /* adv.dst is the group now */
	}
	in->sent++;
	if (priority == 0)
		in->stats.pri0_sent++;
}

static void announce_one(struct vrrp_inst *in, const struct vrrp_garp *g, const struct vaddr *a)
{
	struct errbuf eb;
	if (vrrp_garp_send(g, a, &eb) < 0) {
		unsigned quiet;
		if (vrrp_ratelimit(&in->rl_tx, ev_now(in->run->loop), &quiet))
			log_warn("%s: %s", in->conf->name, eb.msg);
	} else {
		in->garp_sent++;
	}
}

/* Every moved address is announced on its own device (a vmac's
 * addresses on the vmac, with its MAC): those on the instance's
 * interface and of its family through the interface's socket,
 * the others (another device, the other family: excluded addresses,
 * mostly) through one opened for the round, so the neighbours of every
 * network the pair serves learn the new master at once. */
void vrrp_io_announce(struct vrrp_inst *in)
{
	struct vrrp_io *io = in->io;
	const struct vrrp_inst_conf *c = in->conf;
	for (unsigned i = 0; i < c->n_vaddrs; i++) {
		const struct vrrp_vaddr *a = &c->vaddrs[i];
		const char *dev = vrrp_vaddr_dev(c, a);
		if (!strcmp(dev, io->ifname) && a->p.addr.family == io->family) {
			if (io->garp.fd >= 0)
				announce_one(in, &io->garp, &a->p.addr);
			continue;
		}
		struct vrrp_garp g;
		struct errbuf eb;
		if (vrrp_garp_open(&g, dev, a->p.addr.family, &eb) < 0) {
			unsigned quiet;
			if (vrrp_ratelimit(&in->rl_tx, ev_now(in->run->loop), &quiet))
				log_warn("%s: %s", c->name, eb.msg);
			continue;
		}
		announce_one(in, &g, &a->p.addr);
		vrrp_garp_close(&g);
	}
}

/* Indexed at the first packet (a run's instances are all bound to their
 * io by then): every advert looks its instance up. */
static struct vrrp_inst *find_inst(struct vrrp_io *io, int vrid)
{
	struct vrrp_run *r = io->run;
	if (vrid < 0 || vrid > 255)
		return NULL;
	if (!io->indexed) {
		for (unsigned i = r->n_insts; i-- > 0;)
			if (r->insts[i].io == io)
				io->by_vrid[r->insts[i].conf->vrid] = &r->insts[i];
		io->indexed = true;
	}
	return io->by_vrid[vrid];
}

static void log_reject(struct ratelimit *rl, double now, const char *who,
		       const struct vaddr *src, enum vrrp_rx why)
{
	unsigned quiet;
	char a[VADDR_STRLEN] = "?";
	if (!vrrp_ratelimit(rl, now, &quiet))
		return;
	if (src && vaddr_is_set(src))
		vaddr_str(src, a, sizeof(a));
	log_warn("%s: advert from %s rejected: %s (%u more rejects not logged)", who, a,
		 vrrp_rx_str(why), quiet);
}

/* Did this advert come from one of our own addresses (a looped copy)? */
static bool from_self(struct vrrp_io *io, const struct vaddr *src)
{
	struct vaddr s;
	return vrrp_io_source(io, &s) && vaddr_equal(&s, src);
}

/* A reject RFC 6527 calls a protocol error (vrrpv3ProtoError), or one
 * RFC 2787 reports with vrrpTrapAuthFailure (the last one's sender goes
 * with the counters in the next report: at most one notification per
 * report, however many bad adverts came). */
static void count_reject(struct vrrp_inst *in, enum vrrp_rx r, const struct vaddr *src)
{
	in->rejected[r]++;
	if (r == VRRP_RX_TTL || r == VRRP_RX_VERSION || r == VRRP_RX_CHECKSUM)
		in->stats.proto_err = (uint8_t)r;
	if (r == VRRP_RX_AUTH_TYPE || r == VRRP_RX_AUTH_PASS) {
		in->stats.auth_err = (uint8_t)r;
		in->stats.auth_src = *src;
	}
}

/* AH: the ICV and SPI, then the sequence number (only an authentic
 * packet may move the anti-replay numbers). Failures count as a wrong
 * password does: RFC 2787's authFailure. */
static bool ah_ok(struct vrrp_inst *in, const struct vrrp_advert *adv,
		  const struct vrrp_rxpkt *p, double now)
{
	const char *what = NULL;
	if (vrrp_ah_verify(p->buf, p->len, in->exp.auth_pass, in->exp.unicast) != VRRP_RX_OK)
		what = "AH ICV or SPI does not match";
	else if (!vrrp_ah_seq_accept(&in->ah_seq, &adv->src, adv->ah.seq))
		what = "AH sequence number replayed";
	if (!what)
		return true;
	count_reject(in, VRRP_RX_AUTH_PASS, &adv->src);
	unsigned quiet;
	char a[VADDR_STRLEN];
	if (vrrp_ratelimit(&in->rl_rx, now, &quiet))
		log_warn("%s: advert from %s rejected: %s: %s (seq %u) (%u more rejects not logged)",
			 in->conf->name, vaddr_str(&adv->src, a, sizeof(a)),
			 vrrp_rx_str(VRRP_RX_AUTH_PASS), what, adv->ah.seq, quiet);
	return false;
}

static void rx_advert(struct vrrp_inst *in, const struct vrrp_advert *adv,
		      const struct vrrp_rxpkt *p)
{
	double now = ev_now(in->run->loop);
	/* The advert counts from its arrival (a timer it restarts must not
	 * run late by the time the loop took to read it), never from later. */
	double at = p->rx_time > 0 && p->rx_time < now && p->rx_time > now - 1 ? p->rx_time : now;
	enum vrrp_rx r = vrrp_pkt_validate(adv, &in->exp);
	if (r != VRRP_RX_OK) {
		count_reject(in, r, &adv->src);
		log_reject(&in->rl_rx, now, in->conf->name, &adv->src, r);
		if (!vrrp_rx_usable(r, adv))
			return;
	}
	if (adv->ah.present && !ah_ok(in, adv, p, now))
		return;
	in->received++;
	struct vaddr me;
	vrrp_inst_source(in, &me);
	struct vrrp_event ev = {
		.type = VRRP_EV_ADVERT_RECEIVED, .priority = adv->priority,
		.max_adver_int = vrrp_advert_interval(adv), .src = adv->src,
		.src_greater = vaddr_cmp(&adv->src, &me) > 0,
	};
	bool superior = adv->priority > in->fsm.priority ||
			(adv->priority == in->fsm.priority && ev.src_greater) ||
			(!in->conf->preempt && adv->priority > 0);
	/* Why this router would become master next (RFC 6527's
	 * NewMasterReason, counted as keepalived does). */
	if (adv->priority == 0) {
		in->last_superior = 0;
		in->stats.pri0_received++;
		in->stats.next_master_reason = IPC_VRRP_MR_PRIORITY;
	} else if (superior) {
		in->last_superior = now;
		in->stats.next_master_reason = IPC_VRRP_MR_NO_RESPONSE;
	} else {
		in->stats.next_master_reason = IPC_VRRP_MR_PREEMPTED;
	}
	bool knew = in->fsm.master_known;
	struct vaddr was = in->fsm.master_addr;
	vrrp_inst_event_at(in, &ev, NULL, at);
	if (in->fsm.master_known != knew || !vaddr_equal(&was, &in->fsm.master_addr))
		vrrp_inst_report(in, false, in->fsm.state);   /* a new master: tell at once */
	bool lower = adv->priority < in->fsm.priority ||
		     (adv->priority == in->fsm.priority && !ev.src_greater);
	if (adv->priority > 0 && lower && in->fsm.state == VRRP_STATE_MASTER) {
		if (adv->ah.present)
			vrrp_ah_seq_sync(&in->ah_seq, adv->ah.seq);
		vrrp_inst_contested(in);
	}
}

static void rx_one(struct vrrp_io *io, const struct vrrp_sock *s, const struct vrrp_rxpkt *p)
{
	struct vrrp_advert adv;
	double now = ev_now(io->run->loop);
	enum vrrp_rx r = vrrp_sock_decode(s, p, &adv);
	if (r != VRRP_RX_OK) {
		struct vrrp_inst *in = find_inst(io, vrrp_sock_peek_vrid(s, p));
		if (in) {
			count_reject(in, r, &adv.src);
			log_reject(&in->rl_rx, now, in->conf->name, &adv.src, r);
		} else {
			io->rejected[r]++;
			log_reject(&io->rl, now, io->ifname, &adv.src, r);
		}
		return;
	}
	if (from_self(io, &adv.src))
		return;
	struct vrrp_inst *in = find_inst(io, adv.vrid);
	if (!in) {
		io->rejected[VRRP_RX_NOT_FOR_US]++;
		if (log_debug_enabled()) {
			char a[VADDR_STRLEN];
			log_debug("%s: advert for VRID %u from %s: no such instance", io->ifname,
				  adv.vrid, vaddr_str(&adv.src, a, sizeof(a)));
		}
		return;
	}
	rx_advert(in, &adv, p);
}

static void rx_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct vrrp_io *io = w->data;
	const struct vrrp_sock *s = w == &io->ah_w ? &io->ah : &io->sock;
	struct vrrp_rxpkt *p = io->run->rxbuf;
	for (int i = 0; i < 4; i++) {
		int n = vrrp_sock_recv_batch(s, p, VRRP_RX_BATCH);
		if (n == -EAGAIN)
			break;
		if (n < 0) {
			if (n != -ENETDOWN)
				log_warn("%s: receive: %s", io->ifname, strerror(-n));
			break;
		}
		for (int k = 0; k < n; k++)
			rx_one(io, s, &p[k]);
		if (n < VRRP_RX_BATCH)
			break;
	}
	(void)loop;
	(void)revents;
}

void vrrp_io_report(struct vrrp_io *io)
{
	struct ipc_vrrp_state m;
	memset(&m, 0, sizeof(m));
	m.generation = io->run->cx->generation;
	m.kind = IPC_VRRP_IFACE;
	m.family = (uint8_t)io->family;
	m.state = io->sock.fd >= 0 ? VRRP_STATE_BACKUP : VRRP_STATE_FAULT;
	snprintf(m.name, sizeof(m.name), "%s", io->ifname);
	for (unsigned i = 0; i < VRRP_RX__COUNT; i++)
		m.rejected[i] = io->rejected[i];
	if (child_send(io->run->cx, IPC_VRRP_STATE, &m, sizeof(m), NULL, 0) < 0)
		log_warn("%s: cannot queue an interface report for the parent", io->ifname);
}
