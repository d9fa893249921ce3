/*
 * vrrp_nl_int: the route netlink handle shared by vip.c (addresses),
 * vroute.c (routes and rules) and vmac.c (virtual MAC interfaces);
 * nothing outside vrrp/ includes it.
 */
#ifndef VIGIL_VRRP_NL_INT_H
#define VIGIL_VRRP_NL_INT_H

#include <netlink/netlink.h>

struct vrrp_nl {
	struct nl_sock *sk;
};

#endif
