/*
 * vroute: an instance's routes and policy rules through libnl-route-3
 * (rtnl_route, rtnl_rule); see vrrp_moves.h.
 *
 * Each request is synchronous and acknowledged by the local kernel, as
 * the address requests of vip.c are: it never waits on the network, so
 * the vrrp child's loop does not stall. A route or rule is built the same
 * way for add and delete, with protocol VRRP_RTPROT, so the delete finds
 * exactly what the add made. Rules are added with NLM_F_EXCL: without it
 * the kernel adds an identical rule twice.
 */
#include "vrrp_moves.h"

#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/route/route.h>
#include <netlink/route/rule.h>

#include "errbuf.h"
#include "vrrp_nl_int.h"

static struct nl_addr *nla_of(const struct vaddr *a, int plen)
{
	int len = a->family == AF_INET ? 4 : 16;
	struct nl_addr *n = nl_addr_build(a->family, &a->u, (size_t)len);
	if (n)
		nl_addr_set_prefixlen(n, plen < 0 ? len * 8 : plen);
	return n;
}

static const uint8_t rt_types[] = { RTN_UNICAST, RTN_BLACKHOLE, RTN_UNREACHABLE, RTN_PROHIBIT };

/* The nexthop of a unicast route: device and gateway (either may be absent). */
static int route_nh(struct rtnl_route *rt, const struct vrrp_route *r, struct errbuf *eb)
{
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	if (!nh)
		return errbuf_set(eb, ENOMEM, "out of memory");
	if (r->dev) {
		unsigned idx = if_nametoindex(r->dev);
		if (!idx) {
			rtnl_route_nh_free(nh);
			return errbuf_set(eb, ENODEV, "device %s: no such interface", r->dev);
		}
		rtnl_route_nh_set_ifindex(nh, (int)idx);
	}
	if (vaddr_is_set(&r->via)) {
		struct nl_addr *gw = nla_of(&r->via, -1);
		if (!gw) {
			rtnl_route_nh_free(nh);
			return errbuf_set(eb, ENOMEM, "out of memory");
		}
		rtnl_route_nh_set_gateway(nh, gw);
		nl_addr_put(gw);
	}
	rtnl_route_add_nexthop(rt, nh);
	return 0;
}

static int route_build(const struct vrrp_route *r, struct rtnl_route **out, struct errbuf *eb)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	struct nl_addr *dst = rt ? nla_of(&r->to.addr, r->to.plen) : NULL;
	if (!dst) {
		if (rt)
			rtnl_route_put(rt);
		return errbuf_set(eb, ENOMEM, "out of memory");
	}
	rtnl_route_set_family(rt, r->to.addr.family);
	rtnl_route_set_dst(rt, dst);
	nl_addr_put(dst);
	rtnl_route_set_table(rt, r->table);
	rtnl_route_set_protocol(rt, VRRP_RTPROT);
	rtnl_route_set_type(rt, rt_types[r->type & 3]);
	if (r->metric)
		rtnl_route_set_priority(rt, r->metric);
	/* as ip-route(8) chooses it (libnl would make a blackhole "link") */
	uint8_t scope = r->scope;
	if (scope == VRRP_SCOPE_UNSET)
		scope = r->type == VRRP_RT_UNICAST && !vaddr_is_set(&r->via) ? RT_SCOPE_LINK
									     : RT_SCOPE_UNIVERSE;
	rtnl_route_set_scope(rt, scope);
	if (vaddr_is_set(&r->src)) {
		struct nl_addr *s = nla_of(&r->src, -1);
		if (s) {
			rtnl_route_set_pref_src(rt, s);
			nl_addr_put(s);
		}
	}
	int e = r->type == VRRP_RT_UNICAST ? route_nh(rt, r, eb) : 0;
	if (e < 0) {
		rtnl_route_put(rt);
		return e;
	}
	*out = rt;
	return 0;
}

static int answer(int r, bool add, const char *what, const char *obj, struct errbuf *eb)
{
	if (r == 0)
		return 0;
	if ((add && r == -NLE_EXIST) ||
	    (!add && (r == -NLE_OBJ_NOTFOUND || r == -NLE_NOADDR || r == -NLE_FAILURE)))
		return 1;
	return errbuf_set(eb, EIO, "%s %s %s: %s", add ? "adding" : "removing", what, obj,
			  nl_geterror(r));
}

static int route_op(struct vrrp_nl *nl, const struct vrrp_route *r, bool add, struct errbuf *eb)
{
	char s[256];
	struct rtnl_route *rt = NULL;
	int e = route_build(r, &rt, eb);
	if (e < 0)
		return e;
	e = add ? rtnl_route_add(nl->sk, rt, NLM_F_EXCL) : rtnl_route_delete(nl->sk, rt, 0);
	rtnl_route_put(rt);
	return answer(e, add, "route", vrrp_route_str(r, s, sizeof(s)), eb);
}

int vrrp_route_add(struct vrrp_nl *nl, const struct vrrp_route *r, struct errbuf *eb)
{
	return route_op(nl, r, true, eb);
}

int vrrp_route_del(struct vrrp_nl *nl, const struct vrrp_route *r, struct errbuf *eb)
{
	return route_op(nl, r, false, eb);
}

static int rule_build(const struct vrrp_rule *r, struct rtnl_rule **out, struct errbuf *eb)
{
	struct rtnl_rule *ru = rtnl_rule_alloc();
	if (!ru)
		return errbuf_set(eb, ENOMEM, "out of memory");
	rtnl_rule_set_family(ru, r->family);
	rtnl_rule_set_table(ru, r->table);
	rtnl_rule_set_action(ru, FR_ACT_TO_TBL);
	rtnl_rule_set_protocol(ru, VRRP_RTPROT);
	rtnl_rule_set_prio(ru, r->priority);
	if (r->fwmark) {
		rtnl_rule_set_mark(ru, r->fwmark);
		rtnl_rule_set_mask(ru, r->fwmask ? r->fwmask : UINT32_MAX);
	}
	int e = 0;
	const struct vprefix *p[2] = { &r->from, &r->to };
	for (int i = 0; i < 2 && !e; i++) {
		if (!vaddr_is_set(&p[i]->addr))
			continue;
		struct nl_addr *a = nla_of(&p[i]->addr, p[i]->plen);
		e = !a ? -NLE_NOMEM : i == 0 ? rtnl_rule_set_src(ru, a) : rtnl_rule_set_dst(ru, a);
		if (a)
			nl_addr_put(a);
	}
	if (!e && r->iif)
		e = rtnl_rule_set_iif(ru, r->iif);
	if (!e && r->oif)
		e = rtnl_rule_set_oif(ru, r->oif);
	if (e < 0) {
		rtnl_rule_put(ru);
		return errbuf_set(eb, EINVAL, "rule: %s", nl_geterror(e));
	}
	*out = ru;
	return 0;
}

static int rule_op(struct vrrp_nl *nl, const struct vrrp_rule *r, bool add, struct errbuf *eb)
{
	char s[256];
	struct rtnl_rule *ru = NULL;
	int e = rule_build(r, &ru, eb);
	if (e < 0)
		return e;
	e = add ? rtnl_rule_add(nl->sk, ru, NLM_F_EXCL) : rtnl_rule_delete(nl->sk, ru, 0);
	rtnl_rule_put(ru);
	return answer(e, add, "rule", vrrp_rule_str(r, s, sizeof(s)), eb);
}

int vrrp_rule_add(struct vrrp_nl *nl, const struct vrrp_rule *r, struct errbuf *eb)
{
	return rule_op(nl, r, true, eb);
}

int vrrp_rule_del(struct vrrp_nl *nl, const struct vrrp_rule *r, struct errbuf *eb)
{
	return rule_op(nl, r, false, eb);
}

struct sweep {
	struct nl_sock *sk;
	unsigned n;
	int err;
};

static void sweep_route(struct nl_object *o, void *arg)
{
	struct sweep *s = arg;
	struct rtnl_route *rt = (struct rtnl_route *)o;
	if (rtnl_route_get_protocol(rt) != VRRP_RTPROT)
		return;
	int e = rtnl_route_delete(s->sk, rt, 0);
	if (e == 0)
		s->n++;
	else if (e != -NLE_OBJ_NOTFOUND && !s->err)
		s->err = e;
}

static void sweep_rule(struct nl_object *o, void *arg)
{
	struct sweep *s = arg;
	struct rtnl_rule *ru = (struct rtnl_rule *)o;
	uint8_t proto = 0;
	if (rtnl_rule_get_protocol(ru, &proto) < 0 || proto != VRRP_RTPROT)
		return;
	int e = rtnl_rule_delete(s->sk, ru, 0);
	if (e == 0)
		s->n++;
	else if (e != -NLE_OBJ_NOTFOUND && !s->err)
		s->err = e;
}

int vrrp_moves_sweep(struct vrrp_nl *nl, unsigned *routes, unsigned *rules, struct errbuf *eb)
{
	struct nl_cache *c;
	struct sweep sr = { .sk = nl->sk }, su = { .sk = nl->sk };
	int e = rtnl_route_alloc_cache(nl->sk, AF_UNSPEC, 0, &c);
	if (e < 0)
		return errbuf_set(eb, EIO, "route dump: %s", nl_geterror(e));
	nl_cache_foreach(c, sweep_route, &sr);
	nl_cache_free(c);
	e = rtnl_rule_alloc_cache(nl->sk, AF_UNSPEC, &c);
	if (e < 0)
		return errbuf_set(eb, EIO, "rule dump: %s", nl_geterror(e));
	nl_cache_foreach(c, sweep_rule, &su);
	nl_cache_free(c);
	*routes = sr.n;
	*rules = su.n;
	if (sr.err || su.err)
		return errbuf_set(eb, EIO, "removing a stale route or rule: %s",
				  nl_geterror(sr.err ? sr.err : su.err));
	return 0;
}
