/*
 * garp: announcing a virtual address's new owner — a gratuitous ARP
 * request (IPv4) through an AF_PACKET socket, or an unsolicited neighbour
 * advertisement (IPv6, RFC 4861 §7.2.6, Override set) through an ICMPv6
 * raw socket with hop limit 255 to ff02::1. The frames are built here by
 * hand (vrrp_garp_build_*() are pure, for tests). No logging.
 */
#ifndef VIGIL_VRRP_GARP_H
#define VIGIL_VRRP_GARP_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct errbuf;

#define VRRP_GARP_FRAME_LEN 42     /* Ethernet (14) + ARP (28) */
#define VRRP_NA_LEN 32             /* NA (24) + target link-layer option (8) */

struct vrrp_garp {
	int fd;
	int family;
	int ifindex;
	uint8_t mac[6];
};

/* Opens the socket for ifname and learns its hardware address. */
int vrrp_garp_open(struct vrrp_garp *g, const char *ifname, int family, struct errbuf *eb);
void vrrp_garp_close(struct vrrp_garp *g);
/* Re-reads the hardware address (it may change while the link is down). */
int vrrp_garp_refresh_mac(struct vrrp_garp *g, const char *ifname);
/* One announcement of addr. 0 or -errno. */
int vrrp_garp_send(const struct vrrp_garp *g, const struct vaddr *addr, struct errbuf *eb);

void vrrp_garp_build_arp(const uint8_t mac[6], const struct in_addr *ip,
			 uint8_t frame[VRRP_GARP_FRAME_LEN]);
void vrrp_garp_build_na(const uint8_t mac[6], const struct in6_addr *target,
			uint8_t msg[VRRP_NA_LEN]);

#endif
