/*
 * vip: virtual addresses through libnl-route-3 (see vip.h).
 *
 * Adds and deletes are single rtnl_addr requests acknowledged by the
 * kernel; "already there" (NLE_EXIST) and "not there" (NLE_NOADDR) are
 * answers, not errors, which makes both idempotent: the instance driver
 * removes its addresses on every entry to BACKUP, also at start-up, and
 * that is how stale addresses left by a crashed run disappear. The source
 * lookup walks a fresh address cache (one dump) and is only done when an
 * address event says something changed.
 */
#include "vrrp_vip.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "errbuf.h"
#include "vrrp_nl_int.h"

struct vrrp_nl *vrrp_nl_open(struct errbuf *eb)
{
	struct vrrp_nl *nl = calloc(1, sizeof(*nl));
	if (!nl) {
		errbuf_set(eb, ENOMEM, "out of memory");
		return NULL;
	}
	nl->sk = nl_socket_alloc();
	int r = nl->sk ? nl_connect(nl->sk, NETLINK_ROUTE) : -NLE_NOMEM;
	if (r < 0) {
		errbuf_set(eb, EIO, "netlink route socket: %s", nl_geterror(r));
		if (nl->sk)
			nl_socket_free(nl->sk);
		free(nl);
		return NULL;
	}
	return nl;
}

void vrrp_nl_close(struct vrrp_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

static struct rtnl_addr *build(int ifindex, const struct vprefix *p, const struct vrrp_vaddr *o)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	if (!a)
		return NULL;
	int fam = p->addr.family;
	struct nl_addr *local = nl_addr_build(fam, &p->addr.u, fam == AF_INET ? 4 : 16);
	if (!local) {
		rtnl_addr_put(a);
		return NULL;
	}
	nl_addr_set_prefixlen(local, p->plen);
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_family(a, fam);
	rtnl_addr_set_local(a, local);
	rtnl_addr_set_prefixlen(a, p->plen);
	if (fam == AF_INET6)
		rtnl_addr_set_flags(a, IFA_F_NODAD);
	nl_addr_put(local);
	if (o && o->label)
		rtnl_addr_set_label(a, o->label);
	if (o && o->scope)
		rtnl_addr_set_scope(a, o->scope);
	struct nl_addr *brd = o && o->has_brd ? nl_addr_build(AF_INET, &o->brd.u, 4) : NULL;
	if (brd) {
		rtnl_addr_set_broadcast(a, brd);
		nl_addr_put(brd);
	}
	return a;
}

static int vip_op(struct vrrp_nl *nl, int ifindex, const struct vprefix *p,
		  const struct vrrp_vaddr *o, bool add, struct errbuf *eb)
{
	struct rtnl_addr *a = build(ifindex, p, o);
	if (!a)
		return errbuf_set(eb, ENOMEM, "out of memory");
	int r = add ? rtnl_addr_add(nl->sk, a, 0) : rtnl_addr_delete(nl->sk, a, 0);
	rtnl_addr_put(a);
	if (r == 0)
		return 0;
	if ((add && r == -NLE_EXIST) || (!add && (r == -NLE_NOADDR || r == -NLE_OBJ_NOTFOUND)))
		return 1;
	char s[VADDR_STRLEN];
	return errbuf_set(eb, EIO, "%s %s/%u: %s", add ? "adding" : "removing",
			  vaddr_str(&p->addr, s, sizeof(s)), p->plen, nl_geterror(r));
}

int vrrp_vip_add(struct vrrp_nl *nl, int ifindex, const struct vprefix *p, struct errbuf *eb)
{
	return vip_op(nl, ifindex, p, NULL, true, eb);
}

int vrrp_vip_del(struct vrrp_nl *nl, int ifindex, const struct vprefix *p, struct errbuf *eb)
{
	return vip_op(nl, ifindex, p, NULL, false, eb);
}

int vrrp_vaddr_add(struct vrrp_nl *nl, int ifindex, const struct vrrp_vaddr *a, struct errbuf *eb)
{
	return vip_op(nl, ifindex, &a->p, a, true, eb);
}

int vrrp_vaddr_del(struct vrrp_nl *nl, int ifindex, const struct vrrp_vaddr *a, struct errbuf *eb)
{
	return vip_op(nl, ifindex, &a->p, a, false, eb);
}

static bool is_vip(const struct vaddr *a, const struct vprefix *vips, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (vaddr_equal(a, &vips[i].addr))
			return true;
	return false;
}

/* Is this cache entry a candidate source? */
static bool usable(struct rtnl_addr *a, int ifindex, int family, const struct vprefix *vips,
		   unsigned n_vips, struct vaddr *out)
{
	if (rtnl_addr_get_ifindex(a) != ifindex || rtnl_addr_get_family(a) != family)
		return false;
	unsigned flags = (unsigned)rtnl_addr_get_flags(a);
	struct nl_addr *l = rtnl_addr_get_local(a);
	if (!l || nl_addr_get_len(l) != (family == AF_INET ? 4u : 16u))
		return false;
	memset(out, 0, sizeof(*out));
	out->family = (sa_family_t)family;
	memcpy(&out->u, nl_addr_get_binary_addr(l), nl_addr_get_len(l));
	if (is_vip(out, vips, n_vips))
		return false;   /* a link-local VIP too: it moves, the source must not */
	if (family == AF_INET)
		return !(flags & IFA_F_SECONDARY);
	return IN6_IS_ADDR_LINKLOCAL(&out->u.v6) && !(flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED));
}

int vrrp_if_source(struct vrrp_nl *nl, int ifindex, int family, const struct vprefix *vips,
		   unsigned n_vips, struct vaddr *out, struct errbuf *eb)
{
	struct nl_cache *cache;
	int r = rtnl_addr_alloc_cache(nl->sk, &cache);
	if (r < 0)
		return errbuf_set(eb, EIO, "address dump: %s", nl_geterror(r));
	int found = -EADDRNOTAVAIL;
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		if (usable((struct rtnl_addr *)o, ifindex, family, vips, n_vips, out)) {
			found = 0;
			break;
		}
	}
	nl_cache_free(cache);
	if (found < 0)
		errbuf_set(eb, EADDRNOTAVAIL, "interface #%d has no %s address to send from",
			   ifindex, family == AF_INET ? "primary IPv4" : "link-local IPv6");
	return found;
}
