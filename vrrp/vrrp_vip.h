/*
 * vip: the virtual addresses on an interface, through libnl-route-3
 * (rtnl_addr), plus the two address questions the VRRP child asks: which
 * address do I send adverts from (the interface's primary IPv4 address or
 * its IPv6 link-local address, never a virtual one), and is a virtual
 * address already there (stale after a crash). One netlink route socket,
 * synchronous requests to the local kernel (they do not wait on the
 * network); no logging.
 */
#ifndef VIGIL_VRRP_VIP_H
#define VIGIL_VRRP_VIP_H

#include <stdbool.h>

#include "addr.h"

struct errbuf;
struct vrrp_nl;

struct vrrp_nl *vrrp_nl_open(struct errbuf *eb);
void vrrp_nl_close(struct vrrp_nl *nl);

/* Adds p on ifindex (IPv6: nodad, so it is usable at once). Returns 0
 * when added, 1 when it was already there, or -errno. */
int vrrp_vip_add(struct vrrp_nl *nl, int ifindex, const struct vprefix *p, struct errbuf *eb);
/* Removes it. Returns 0 when removed, 1 when it was not there, or -errno. */
int vrrp_vip_del(struct vrrp_nl *nl, int ifindex, const struct vprefix *p, struct errbuf *eb);

/* The same with an address's options (label, scope, broadcast); its
 * device is the caller's business (ifindex). */
struct vrrp_vaddr;
int vrrp_vaddr_add(struct vrrp_nl *nl, int ifindex, const struct vrrp_vaddr *a, struct errbuf *eb);
int vrrp_vaddr_del(struct vrrp_nl *nl, int ifindex, const struct vrrp_vaddr *a, struct errbuf *eb);

/*
 * The address to send adverts from, never one of vips: IPv4, the first
 * primary address of ifindex; IPv6, its link-local address (not
 * tentative; RFC 5798 5.1.2.1: the interface's own, as keepalived sends
 * from, not a link-local virtual address an instance added).
 * -EADDRNOTAVAIL when there is none (yet).
 */
int vrrp_if_source(struct vrrp_nl *nl, int ifindex, int family, const struct vprefix *vips,
		   unsigned n_vips, struct vaddr *out, struct errbuf *eb);

#endif
