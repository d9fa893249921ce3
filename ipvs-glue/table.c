/*
 * table: the IPVS table model (see ipvs_table.h) — growable arrays of services
 * and their destinations, key comparison, and the printing of keys shared
 * by the dry-run formatter and error messages.
 */
#include "ipvs_table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <linux/ip_vs.h>

void ipvs_table_init(struct ipvs_table *t)
{
	memset(t, 0, sizeof(*t));
}

void ipvs_table_free(struct ipvs_table *t)
{
	for (unsigned i = 0; i < t->n_svcs; i++)
		free(t->svcs[i].dests);
	free(t->svcs);
	ipvs_table_init(t);
}

static int grow(void **arr, unsigned *cap, unsigned need, size_t elem)
{
	if (need <= *cap)
		return 0;
	unsigned ncap = *cap ? *cap * 2 : 8;
	while (ncap < need)
		ncap *= 2;
	void *n = realloc(*arr, (size_t)ncap * elem);
	if (!n)
		return -ENOMEM;
	*arr = n;
	*cap = ncap;
	return 0;
}

struct ipvs_table_svc *ipvs_table_add_svc(struct ipvs_table *t, const struct ipvs_service *svc)
{
	if (grow((void **)&t->svcs, &t->cap_svcs, t->n_svcs + 1, sizeof(*t->svcs)) < 0)
		return NULL;
	struct ipvs_table_svc *ts = &t->svcs[t->n_svcs++];
	memset(ts, 0, sizeof(*ts));
	ts->svc = *svc;
	return ts;
}

int ipvs_table_add_dest(struct ipvs_table_svc *ts, const struct ipvs_dest *d)
{
	if (grow((void **)&ts->dests, &ts->cap_dests, ts->n_dests + 1, sizeof(*ts->dests)) < 0)
		return -ENOMEM;
	ts->dests[ts->n_dests++] = *d;
	return 0;
}

int ipvs_table_reserve(struct ipvs_table *t, unsigned n)
{
	return grow((void **)&t->svcs, &t->cap_svcs, n, sizeof(*t->svcs));
}

int ipvs_table_reserve_dests(struct ipvs_table_svc *ts, unsigned n)
{
	return grow((void **)&ts->dests, &ts->cap_dests, n, sizeof(*ts->dests));
}

struct ipvs_table_svc *ipvs_table_find_svc(const struct ipvs_table *t, const struct ipvs_svc_key *k)
{
	for (unsigned i = 0; i < t->n_svcs; i++)
		if (ipvs_svc_key_cmp(&t->svcs[i].svc.key, k) == 0)
			return &t->svcs[i];
	return NULL;
}

struct ipvs_dest *ipvs_table_find_dest(const struct ipvs_table_svc *ts,
				       const struct vaddr *addr, uint16_t port)
{
	for (unsigned i = 0; i < ts->n_dests; i++)
		if (ts->dests[i].port == port && vaddr_equal(&ts->dests[i].addr, addr))
			return &ts->dests[i];
	return NULL;
}

#define CMP(a, b) do { if ((a) != (b)) return (a) < (b) ? -1 : 1; } while (0)

int ipvs_svc_key_cmp(const struct ipvs_svc_key *a, const struct ipvs_svc_key *b)
{
	CMP(a->af, b->af);
	CMP(a->fwmark, b->fwmark);
	CMP(a->proto, b->proto);
	CMP(a->port, b->port);
	if (a->fwmark)
		return 0;
	return vaddr_cmp(&a->addr, &b->addr);
}

int ipvs_dest_key_cmp(const struct ipvs_dest *a, const struct ipvs_dest *b)
{
	CMP(a->port, b->port);
	return vaddr_cmp(&a->addr, &b->addr);
}

bool ipvs_service_attrs_equal(const struct ipvs_service *a, const struct ipvs_service *b)
{
	return strncmp(a->sched, b->sched, sizeof(a->sched)) == 0 && a->flags == b->flags &&
	       a->timeout == b->timeout && a->netmask == b->netmask;
}

bool ipvs_dest_attrs_equal(const struct ipvs_dest *a, const struct ipvs_dest *b)
{
	if (a->fwd != b->fwd || a->weight != b->weight || a->u_thresh != b->u_thresh ||
	    a->l_thresh != b->l_thresh)
		return false;
	if (a->fwd != IP_VS_CONN_F_TUNNEL)
		return true;
	return a->tun_type == b->tun_type && a->tun_port == b->tun_port &&
	       a->tun_flags == b->tun_flags;
}

int ipvs_svc_key_inet(struct ipvs_svc_key *k, uint16_t proto, const struct vaddr *a, uint16_t port)
{
	memset(k, 0, sizeof(*k));
	if (a->family != AF_INET && a->family != AF_INET6)
		return -EINVAL;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_SCTP)
		return -EINVAL;
	k->af = a->family;
	k->proto = proto;
	k->addr = *a;
	k->port = port;
	return 0;
}

int ipvs_svc_key_fwmark(struct ipvs_svc_key *k, uint16_t af, uint32_t fwmark)
{
	memset(k, 0, sizeof(*k));
	if ((af != AF_INET && af != AF_INET6) || fwmark == 0)
		return -EINVAL;
	k->af = af;
	k->fwmark = fwmark;
	return 0;
}

void ipvs_service_defaults(struct ipvs_service *s, const struct ipvs_svc_key *k)
{
	memset(s, 0, sizeof(*s));
	s->key = *k;
	snprintf(s->sched, sizeof(s->sched), "wlc");
	s->netmask = k->af == AF_INET6 ? 128 : 0xffffffffU;
}

const char *ipvs_proto_str(uint16_t proto)
{
	switch (proto) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_SCTP: return "sctp";
	}
	return "proto?";
}

const char *ipvs_fwd_str(uint32_t fwd)
{
	switch (fwd & IP_VS_CONN_F_FWD_MASK) {
	case IP_VS_CONN_F_MASQ: return "nat";
	case IP_VS_CONN_F_DROUTE: return "dr";
	case IP_VS_CONN_F_TUNNEL: return "tun";
	case IP_VS_CONN_F_LOCALNODE: return "local";
	case IP_VS_CONN_F_BYPASS: return "bypass";
	}
	return "fwd?";
}

const char *ipvs_svc_key_str(const struct ipvs_svc_key *k, char *buf, size_t len)
{
	char a[VADDR_PORT_STRLEN];
	if (k->fwmark)
		snprintf(buf, len, "fwmark %u%s", k->fwmark, k->af == AF_INET6 ? " inet6" : "");
	else
		snprintf(buf, len, "%s %s", ipvs_proto_str(k->proto),
			 vaddr_port_str(&k->addr, k->port, a, sizeof(a)));
	return buf;
}
