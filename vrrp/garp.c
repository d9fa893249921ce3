/*
 * garp: gratuitous ARP and unsolicited NA (see garp.h).
 *
 *   ARP:  ff:ff:ff:ff:ff:ff <- MAC, 0x0806 | htype 1, ptype 0x0800, 6, 4,
 *         op 1 (request), sender MAC/VIP, target 00:00:00:00:00:00/VIP
 *   NA:   type 136, code 0, checksum (the kernel fills it for ICMPv6 raw
 *         sockets), flags O (override), target VIP, option 2 (target
 *         link-layer address) = MAC; sent to ff02::1 with hop limit 255.
 */
#include "vrrp_garp.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "errbuf.h"

void vrrp_garp_build_arp(const uint8_t mac[6], const struct in_addr *ip,
			 uint8_t f[VRRP_GARP_FRAME_LEN])
{
	static const uint8_t arp_hdr[8] = { 0, 1, 0x08, 0x00, 6, 4, 0, 1 };
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	uint8_t *a = f + 14;
	memcpy(a, arp_hdr, sizeof(arp_hdr));
	memcpy(a + 8, mac, 6);
	memcpy(a + 14, ip, 4);
	memset(a + 18, 0, 6);
	memcpy(a + 24, ip, 4);
}

void vrrp_garp_build_na(const uint8_t mac[6], const struct in6_addr *target,
			uint8_t m[VRRP_NA_LEN])
{
	memset(m, 0, VRRP_NA_LEN);
	m[0] = ND_NEIGHBOR_ADVERT;
	m[4] = 0x20;                  /* Override */
	memcpy(m + 8, target, 16);
	m[24] = ND_OPT_TARGET_LINKADDR;
	m[25] = 1;                    /* 8 bytes */
	memcpy(m + 26, mac, 6);
}

int vrrp_garp_refresh_mac(struct vrrp_garp *g, const char *ifname)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(g->fd, SIOCGIFHWADDR, &ifr) < 0)
		return -errno;
	memcpy(g->mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static int setopt(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof(val));
}

int vrrp_garp_open(struct vrrp_garp *g, const char *ifname, int family, struct errbuf *eb)
{
	memset(g, 0, sizeof(*g));
	g->fd = -1;
	g->family = family;
	g->ifindex = (int)if_nametoindex(ifname);
	if (!g->ifindex)
		return errbuf_set(eb, ENODEV, "%s: no such interface", ifname);
	if (family == AF_INET)
		g->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	else
		g->fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (g->fd < 0)
		return errbuf_set(eb, errno, "%s: %s socket: %s", ifname,
				  family == AF_INET ? "ARP" : "ICMPv6", strerror(errno));
	int r = 0;
	if (family == AF_INET6) {
		struct icmp6_filter none;
		ICMP6_FILTER_SETBLOCKALL(&none);   /* send only */
		if (setopt(g->fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255) < 0 ||
		    setopt(g->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255) < 0 ||
		    setopt(g->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, g->ifindex) < 0 ||
		    setsockopt(g->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &none, sizeof(none)) < 0 ||
		    setsockopt(g->fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
			       (socklen_t)strlen(ifname)) < 0)
			r = -errno;
	}
	if (r == 0)
		r = vrrp_garp_refresh_mac(g, ifname);
	if (r < 0) {
		vrrp_garp_close(g);
		return errbuf_set(eb, -r, "%s: announcement socket: %s", ifname, strerror(-r));
	}
	return 0;
}

void vrrp_garp_close(struct vrrp_garp *g)
{
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
}

int vrrp_garp_send(const struct vrrp_garp *g, const struct vaddr *addr, struct errbuf *eb)
{
	ssize_t n;
	if (g->family == AF_INET) {
		uint8_t f[VRRP_GARP_FRAME_LEN];
		vrrp_garp_build_arp(g->mac, &addr->u.v4, f);
		struct sockaddr_ll ll = {
			.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP),
			.sll_ifindex = g->ifindex, .sll_halen = 6,
		};
		memset(ll.sll_addr, 0xff, 6);
		n = sendto(g->fd, f, sizeof(f), 0, (struct sockaddr *)&ll, sizeof(ll));
	} else {
		uint8_t m[VRRP_NA_LEN];
		vrrp_garp_build_na(g->mac, &addr->u.v6, m);
		struct sockaddr_in6 to = { .sin6_family = AF_INET6,
					   .sin6_scope_id = (uint32_t)g->ifindex };
		to.sin6_addr.s6_addr[0] = 0xff;
		to.sin6_addr.s6_addr[1] = 0x02;
		to.sin6_addr.s6_addr[15] = 0x01;
		n = sendto(g->fd, m, sizeof(m), 0, (struct sockaddr *)&to, sizeof(to));
	}
	if (n < 0) {
		char s[VADDR_STRLEN];
		return errbuf_set(eb, errno, "announcing %s: %s", vaddr_str(addr, s, sizeof(s)),
				  strerror(errno));
	}
	return 0;
}
