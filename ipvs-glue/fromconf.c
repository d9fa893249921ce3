/*
 * fromconf: the wanted table from the configuration (struct conf): one
 * service per virtual server, or per member of a virtual-server group,
 * each with every real server up at its configured weight; the parent
 * (daemon/lvs.c) adjusts weights for health and the operator on top.
 */
#include "ipvs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <linux/ip_vs.h>

#include "conf.h"

static uint16_t proto_num(enum vs_proto p)
{
	switch (p) {
	case PROTO_TCP: return IPPROTO_TCP;
	case PROTO_UDP: return IPPROTO_UDP;
	case PROTO_SCTP: return IPPROTO_SCTP;
	}
	return 0;
}

_Static_assert((int)TUN_IPIP == (int)IP_VS_CONN_F_TUNNEL_TYPE_IPIP
	       && (int)TUN_GUE == (int)IP_VS_CONN_F_TUNNEL_TYPE_GUE
	       && (int)TUN_GRE == (int)IP_VS_CONN_F_TUNNEL_TYPE_GRE, "enum tun_type is the kernel's");

uint32_t ipvs_fwd_flag(enum fwd_method f)
{
	switch (f) {
	case FWD_NAT: return IP_VS_CONN_F_MASQ;
	case FWD_DR: return IP_VS_CONN_F_DROUTE;
	case FWD_TUN: return IP_VS_CONN_F_TUNNEL;
	}
	return IP_VS_CONN_F_MASQ;
}

/* sh and mh both read their two flags from SCHED1 (fallback), SCHED2 (port). */
static uint32_t svc_flags(const struct vs_conf *v)
{
	uint32_t f = 0;
	if (v->persistent)
		f |= IP_VS_SVC_F_PERSISTENT;
	if (v->ops)
		f |= IP_VS_SVC_F_ONEPACKET;
	if (v->sched_flags & (SCHED_FLAG_SH_FALLBACK | SCHED_FLAG_MH_FALLBACK))
		f |= IP_VS_SVC_F_SCHED1;
	if (v->sched_flags & (SCHED_FLAG_SH_PORT | SCHED_FLAG_MH_PORT))
		f |= IP_VS_SVC_F_SCHED2;
	return f;
}

/* The service of v, or of its group member m. */
static int service_from_vs(const struct vs_conf *v, unsigned m, struct ipvs_service *s,
			   struct errbuf *eb)
{
	struct ipvs_svc_key k;
	const struct vs_member one = { .addr = v->addr, .port = v->port, .fwmark = v->fwmark };
	const struct vs_member *p = v->n_members ? &v->members[m] : &one;
	int err = p->fwmark ? ipvs_svc_key_fwmark(&k, (uint16_t)v->family, p->fwmark)
			    : ipvs_svc_key_inet(&k, proto_num(v->protocol), &p->addr, p->port);
	if (err)
		return errbuf_set(eb, EINVAL, "line %d: virtual server without a usable "
				  "address family/protocol", v->line);
	ipvs_service_defaults(s, &k);
	if (v->scheduler[0])
		snprintf(s->sched, sizeof(s->sched), "%s", v->scheduler);
	s->flags = svc_flags(v);
	if (v->persistent) {
		s->timeout = v->persist_timeout;
		if (k.af == AF_INET && vaddr_is_set(&v->persist_netmask))
			s->netmask = v->persist_netmask.u.v4.s_addr;
		else if (k.af == AF_INET6 && v->persist_prefix)
			s->netmask = v->persist_prefix;
	}
	return 0;
}

static void dest_from_rs(const struct vs_conf *v, const struct rs_conf *r, struct ipvs_dest *d)
{
	memset(d, 0, sizeof(*d));
	d->addr = r->addr;
	d->port = r->port;   /* the loader presets the service's; 0 is a choice */
	d->fwd = ipvs_fwd_flag(r->fwd);
	d->weight = r->weight;
	if (r->fwd == FWD_TUN) {
		d->tun_type = r->tunnel.type;   /* enum tun_type is the kernel's numbering */
		d->tun_port = r->tunnel.port;
		d->tun_flags = r->tunnel.flags;
	}
	d->u_thresh = r->uthreshold;
	d->l_thresh = r->lthreshold;
}

static int svc_key_ptr_cmp(const void *a, const void *b)
{
	const struct ipvs_table_svc *const *x = a, *const *y = b;
	return ipvs_svc_key_cmp(&(*x)->svc.key, &(*y)->svc.key);
}

/* Two virtual servers with one key would fight over one kernel service. */
static int check_unique(const struct ipvs_table *t, struct errbuf *eb)
{
	const struct ipvs_table_svc **ix = malloc(sizeof(*ix) * (t->n_svcs + 1));
	if (!ix)
		return errbuf_set(eb, ENOMEM, "out of memory");
	for (unsigned i = 0; i < t->n_svcs; i++)
		ix[i] = &t->svcs[i];
	qsort(ix, t->n_svcs, sizeof(*ix), svc_key_ptr_cmp);
	int err = 0;
	for (unsigned i = 1; i < t->n_svcs && !err; i++)
		if (svc_key_ptr_cmp(&ix[i - 1], &ix[i]) == 0) {
			char k[80];
			err = errbuf_set(eb, EINVAL, "virtual server %s defined twice",
					 ipvs_svc_key_str(&ix[i]->svc.key, k, sizeof(k)));
		}
	free(ix);
	return err;
}

/* Appends the service of v (virtual server i), or of its member m. */
static int svc_from_vs(const struct vs_conf *v, unsigned i, unsigned m, struct ipvs_table *out,
		       struct errbuf *eb)
{
	struct ipvs_service s;
	int err = service_from_vs(v, m, &s, eb);
	if (err)
		return err;
	struct ipvs_table_svc *ts = ipvs_table_add_svc(out, &s);
	if (!ts)
		return errbuf_set(eb, ENOMEM, "out of memory");
	ts->conf_vs = i;
	if (ipvs_table_reserve_dests(ts, v->n_rs) < 0)
		return errbuf_set(eb, ENOMEM, "out of memory");
	for (unsigned j = 0; j < v->n_rs; j++) {
		struct ipvs_dest d;
		dest_from_rs(v, &v->rs[j], &d);
		if (ipvs_table_find_dest(ts, &d.addr, d.port))
			return errbuf_set(eb, EINVAL, "line %d: real server defined twice",
					  v->rs[j].line);
		if (ipvs_table_add_dest(ts, &d) < 0)
			return errbuf_set(eb, ENOMEM, "out of memory");
	}
	return 0;
}

int ipvs_table_append_vs(const struct conf *c, unsigned i, struct ipvs_table *out,
			 struct errbuf *eb)
{
	const struct vs_conf *v = &c->vs[i];
	unsigned n = vs_n_services(v);
	if (ipvs_table_reserve(out, out->n_svcs + n) < 0)
		return errbuf_set(eb, ENOMEM, "out of memory");
	for (unsigned m = 0; m < n; m++) {
		int err = svc_from_vs(v, i, m, out, eb);
		if (err)
			return err;
	}
	return 0;
}

int ipvs_table_from_conf(const struct conf *c, struct ipvs_table *out, struct errbuf *eb)
{
	unsigned n = out->n_svcs;
	for (unsigned i = 0; i < c->n_vs; i++)
		n += vs_n_services(&c->vs[i]);
	if (ipvs_table_reserve(out, n) < 0)
		return errbuf_set(eb, ENOMEM, "out of memory");
	for (unsigned i = 0; i < c->n_vs; i++) {
		int err = ipvs_table_append_vs(c, i, out, eb);
		if (err)
			return err;
	}
	return check_unique(out, eb);
}
