/*
 * chk_dns: one query (name, qtype) sent to the real server with c-ares;
 * passes on a NOERROR answer with records and, when `expect` lists
 * addresses (A/AAAA), when every one of them is in the answer.
 *
 * Each probe has its own c-ares channel whose only server is the target
 * (one try; the engine's deadline is the timeout). c-ares tells us which
 * sockets to watch through its socket-state callback; we keep one ev_io
 * per socket and feed readiness back with ares_process_fd.
 *
 *   start --ares_query--> io ... --> answer cb --> rcode/answers/expect
 */
#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chk_engine.h"
#include "chk_parsers.h"
#include "errbuf.h"

#define DNS_MAX_SOCKS 4

struct dns_sock {
	int fd;
	ev_io io;
	struct dns_priv *d;
};

struct dns_priv {
	ares_channel ch;
	int qtype;
	bool in_query, init;
	struct dns_sock socks[DNS_MAX_SOCKS];
	struct chk_probe *p;
};

static const struct { const char *name; int type; } qtypes[] = {
	{ "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 }, { "PTR", 12 }, { "MX", 15 },
	{ "TXT", 16 }, { "AAAA", 28 }, { "SRV", 33 }, { "ANY", 255 }, { "CAA", 257 },
};

static void dns_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct dns_sock *s = w->data;
	(void)loop;
	ares_process_fd(s->d->ch, (revents & EV_READ) ? s->fd : ARES_SOCKET_BAD,
			(revents & EV_WRITE) ? s->fd : ARES_SOCKET_BAD);
}

static void dns_sock_state_cb(void *data, ares_socket_t fd, int readable, int writable)
{
	struct dns_priv *d = data;
	struct ev_loop *loop = chk_loop(d->p);
	struct dns_sock *s = NULL, *free_slot = NULL;
	for (int i = 0; i < DNS_MAX_SOCKS; i++) {
		if (d->socks[i].fd == fd)
			s = &d->socks[i];
		else if (d->socks[i].fd < 0 && !free_slot)
			free_slot = &d->socks[i];
	}
	if (!s && !(readable || writable))
		return;
	if (!s && !(s = free_slot))
		return;   /* more sockets than a one-server channel opens */
	ev_io_stop(loop, &s->io);
	if (!readable && !writable) {
		s->fd = -1;
		return;
	}
	s->fd = fd;
	ev_io_set(&s->io, fd, (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0));
	ev_io_start(loop, &s->io);
}

/* c-ares fills a caller-sized array of addresses: size it by the answer's
 * own record count (ANCOUNT), which a packet of alen bytes can honestly
 * hold at most alen / 11 of (a compressed name, type, class, TTL and
 * length). A count beyond that is a lie c-ares rejects anyway. */
int chk_dns_has_addr(const unsigned char *abuf, int alen, const struct vaddr *want)
{
	if (alen < 12)
		return 0;
	int n = abuf[6] << 8 | abuf[7];
	if (n > alen / 11)
		n = alen / 11;
	if (n == 0)
		return 0;
	bool v4 = want->family == AF_INET, found = false;
	void *a = calloc((size_t)n, v4 ? sizeof(struct ares_addrttl) : sizeof(struct ares_addr6ttl));
	if (!a)
		return -ENOMEM;
	int r = v4 ? ares_parse_a_reply(abuf, alen, NULL, a, &n)
		   : ares_parse_aaaa_reply(abuf, alen, NULL, a, &n);
	for (int i = 0; r == ARES_SUCCESS && !found && i < n; i++)
		found = v4 ? !memcmp(&((struct ares_addrttl *)a)[i].ipaddr, &want->u.v4, 4)
			   : !memcmp(&((struct ares_addr6ttl *)a)[i].ip6addr, &want->u.v6, 16);
	free(a);
	return found;
}

static void dns_answer_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct dns_priv *d = arg;
	struct chk_probe *p = d->p;
	(void)timeouts;
	if (!d->in_query || status == ARES_ECANCELLED || status == ARES_EDESTRUCTION)
		return;
	d->in_query = false;
	if (status == ARES_ENOTFOUND) {
		check_done(p, CHK_R_DNS, "NXDOMAIN");
		return;
	}
	if (status == ARES_ECONNREFUSED) {
		check_done(p, CHK_R_PORT_UNREACH, "(dns)");
		return;
	}
	if (status != ARES_SUCCESS) {
		check_done(p, CHK_R_DNS, "%s", ares_strerror(status));
		return;
	}
	for (unsigned i = 0; i < p->cc->n_dns_expect; i++) {
		int has = chk_dns_has_addr(abuf, alen, &p->cc->dns_expect[i]);
		if (has < 0) {
			check_done(p, CHK_R_LOCAL, "out of memory");
			return;
		}
		if (!has) {
			char a[VADDR_STRLEN];
			check_done(p, CHK_R_DNS_EXPECT, "(%s)",
				   vaddr_str(&p->cc->dns_expect[i], a, sizeof(a)));
			return;
		}
	}
	check_done(p, CHK_R_OK, NULL);
}

static void dns_start(struct chk_probe *p)
{
	struct dns_priv *d = p->priv;
	d->in_query = true;
	p->phase = "waiting for the answer";
	ares_query(d->ch, p->cc->query, 1 /* C_IN */, d->qtype, dns_answer_cb, d);
}

static void dns_cancel(struct chk_probe *p)
{
	struct dns_priv *d = p->priv;
	if (d->in_query) {
		d->in_query = false;
		ares_cancel(d->ch);
	}
}

static int dns_channel(struct chk_probe *p, struct dns_priv *d, struct errbuf *eb)
{
	struct ares_options o = {
		.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH,
		.timeout = (int)(p->cc->timeout * 1000) + 1, .tries = 1,
		.sock_state_cb = dns_sock_state_cb, .sock_state_cb_data = d,
	};
	int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB;
	int r = ares_init_options(&d->ch, &o, mask);
	if (r != ARES_SUCCESS)
		return errbuf_set(eb, EINVAL, "c-ares: %s", ares_strerror(r));
	d->init = true;
	struct ares_addr_port_node srv = { .family = p->dst_addr.family,
					   .udp_port = p->dst_port, .tcp_port = p->dst_port };
	memcpy(&srv.addr, &p->dst_addr.u, p->dst_addr.family == AF_INET6 ? 16 : 4);
	if ((r = ares_set_servers_ports(d->ch, &srv)) != ARES_SUCCESS)
		return errbuf_set(eb, EINVAL, "c-ares servers: %s", ares_strerror(r));
	const struct vaddr *b = &p->cc->bind_addr;
	if (b->family == AF_INET)
		ares_set_local_ip4(d->ch, ntohl(b->u.v4.s_addr));
	else if (b->family == AF_INET6)
		ares_set_local_ip6(d->ch, b->u.v6.s6_addr);
	return 0;
}

static void dns_free(struct chk_probe *p)
{
	struct dns_priv *d = p->priv;
	if (d->init) {
		d->in_query = false;
		ares_destroy(d->ch);
		d->init = false;
		ares_library_cleanup();
	}
	for (int i = 0; i < DNS_MAX_SOCKS; i++)
		ev_io_stop(chk_loop(p), &d->socks[i].io);
}

static int dns_parse(struct chk_probe *p, struct errbuf *eb)
{
	struct dns_priv *d = p->priv;
	d->p = p;
	d->qtype = 0;
	for (size_t i = 0; i < sizeof(qtypes) / sizeof(qtypes[0]); i++)
		if (p->cc->qtype && !strcmp(p->cc->qtype, qtypes[i].name))
			d->qtype = qtypes[i].type;
	if (!p->cc->qtype)
		d->qtype = 1;
	if (!d->qtype || !p->cc->query)
		return errbuf_set(eb, EINVAL, "dns: no query or unknown qtype");
	for (int i = 0; i < DNS_MAX_SOCKS; i++) {
		d->socks[i].fd = -1;
		d->socks[i].d = d;
		ev_init(&d->socks[i].io, dns_io_cb);
		d->socks[i].io.data = &d->socks[i];
	}
	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
		return errbuf_set(eb, EINVAL, "c-ares: library init failed");
	int r = dns_channel(p, d, eb);
	if (r < 0) {
		if (d->init)
			ares_destroy(d->ch);
		d->init = false;
		ares_library_cleanup();
	}
	return r;
}

const struct check_ops chk_dns_ops = {
	.name = "dns", .type = CHECK_DNS, .priv_size = sizeof(struct dns_priv),
	.parse = dns_parse, .start = dns_start, .cancel = dns_cancel, .free = dns_free,
};
