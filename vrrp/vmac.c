/*
 * vmac: virtual MAC interfaces (see vrrp_vmac.h).
 *
 *   ensure:  get link by name ─ none ─────────────────────> create (down)
 *                 ├─ macvlan, same base, address, private ─> adopt
 *                 ├─ macvlan, otherwise ──> delete ───────> create
 *                 └─ not a macvlan ───────> -EEXIST (refused)
 *
 * Every request is a synchronous rtnetlink exchange with the local kernel
 * on the vrrp child's route socket. The interface's alias carries a note
 * (vrrp_devconf_note) that outlives a killed run.
 */
#include "vrrp_vmac.h"

#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>
#include <string.h>

#include "errbuf.h"
#include "vrrp_nl_int.h"

void vrrp_vmac_addr(int family, uint8_t vrid, uint8_t mac[6])
{
	static const uint8_t prefix[4] = { 0x00, 0x00, 0x5e, 0x00 };
	memcpy(mac, prefix, sizeof(prefix));
	mac[4] = family == AF_INET6 ? 0x02 : 0x01;
	mac[5] = vrid;
}

static bool same_mac(struct rtnl_link *l, const uint8_t mac[6])
{
	struct nl_addr *a = rtnl_link_get_addr(l);
	return a && nl_addr_get_len(a) == 6 && !memcmp(nl_addr_get_binary_addr(a), mac, 6);
}

static int create(struct nl_sock *sk, const char *name, int base, const uint8_t mac[6],
		  struct errbuf *eb)
{
	struct rtnl_link *b = NULL, *l = rtnl_link_macvlan_alloc();
	struct nl_addr *a = nl_addr_build(AF_LLC, mac, 6);
	int r = -NLE_NOMEM;
	if (l && a) {
		rtnl_link_set_name(l, name);
		rtnl_link_set_link(l, base);
		rtnl_link_set_addr(l, a);
		rtnl_link_macvlan_set_mode(l, MACVLAN_MODE_PRIVATE);
		/* The base's group, so devgroup firewall rules still match. */
		if (rtnl_link_get_kernel(sk, base, NULL, &b) == 0)
			rtnl_link_set_group(l, rtnl_link_get_group(b));
		r = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
	}
	if (b)
		rtnl_link_put(b);
	if (l)
		rtnl_link_put(l);
	if (a)
		nl_addr_put(a);
	if (r < 0)
		return errbuf_set(eb, EIO, "creating macvlan %s: %s", name, nl_geterror(r));
	int idx = (int)if_nametoindex(name);
	return idx > 0 ? idx : errbuf_set(eb, ENODEV, "macvlan %s vanished after creation", name);
}

int vrrp_vmac_ensure(struct vrrp_nl *nl, const char *name, int base, const uint8_t mac[6],
		     enum vrrp_vmac_how *how, struct errbuf *eb)
{
	struct nl_sock *sk = nl->sk;
	struct rtnl_link *l = NULL;
	*how = VRRP_VMAC_CREATED;
	int r = rtnl_link_get_kernel(sk, 0, name, &l);
	if (r < 0)
		return create(sk, name, base, mac, eb);
	int idx = rtnl_link_get_ifindex(l);
	if (!rtnl_link_is_macvlan(l)) {
		rtnl_link_put(l);
		return errbuf_set(eb, EEXIST, "%s exists and is not a macvlan: not touched", name);
	}
	if (rtnl_link_get_link(l) == base && same_mac(l, mac) &&
	    rtnl_link_macvlan_get_mode(l) == MACVLAN_MODE_PRIVATE) {
		rtnl_link_put(l);
		*how = VRRP_VMAC_ADOPTED;
		return idx;
	}
	r = rtnl_link_delete(sk, l);
	rtnl_link_put(l);
	if (r < 0 && r != -NLE_NODEV && r != -NLE_OBJ_NOTFOUND)
		return errbuf_set(eb, EIO, "removing the differing macvlan %s: %s", name,
				  nl_geterror(r));
	*how = VRRP_VMAC_REPLACED;
	return create(sk, name, base, mac, eb);
}

int vrrp_vmac_up(struct vrrp_nl *nl, int ifindex, const char *alias, struct errbuf *eb)
{
	struct nl_sock *sk = nl->sk;
	struct rtnl_link *l = NULL, *chg = rtnl_link_alloc();
	int r = chg ? rtnl_link_get_kernel(sk, ifindex, NULL, &l) : -NLE_NOMEM;
	if (r == 0) {
		rtnl_link_set_flags(chg, IFF_UP);
		rtnl_link_set_ifalias(chg, alias);
		r = rtnl_link_change(sk, l, chg, 0);
	}
	if (l)
		rtnl_link_put(l);
	if (chg)
		rtnl_link_put(chg);
	if (r < 0)
		return errbuf_set(eb, EIO, "bringing up interface #%d: %s", ifindex, nl_geterror(r));
	return 0;
}

void vrrp_vmac_alias(struct vrrp_nl *nl, int ifindex, char *buf, size_t len)
{
	struct rtnl_link *l = NULL;
	buf[0] = 0;
	if (rtnl_link_get_kernel(nl->sk, ifindex, NULL, &l) < 0)
		return;
	const char *a = rtnl_link_get_ifalias(l);
	snprintf(buf, len, "%s", a ? a : "");
	rtnl_link_put(l);
}

int vrrp_vmac_remove(struct vrrp_nl *nl, int ifindex, struct errbuf *eb)
{
	struct nl_sock *sk = nl->sk;
	struct rtnl_link *l = NULL;
	int r = rtnl_link_get_kernel(sk, ifindex, NULL, &l);
	if (r < 0)
		return 1;
	if (!rtnl_link_is_macvlan(l)) {
		rtnl_link_put(l);
		return errbuf_set(eb, EPERM, "interface #%d is no longer a macvlan: not removed",
				  ifindex);
	}
	r = rtnl_link_delete(sk, l);
	rtnl_link_put(l);
	if (r == -NLE_NODEV || r == -NLE_OBJ_NOTFOUND)
		return 1;
	if (r < 0)
		return errbuf_set(eb, EIO, "removing interface #%d: %s", ifindex, nl_geterror(r));
	return 0;
}
