/*
 * sock: raw IPPROTO_VRRP sockets, one per (interface, address family).
 * Every instance on that interface and family shares it: the socket joins
 * 224.0.0.18 / ff02::12 on the interface, is bound to the device, sends
 * with TTL / hop limit 255 from the address the caller gives (the
 * interface's primary IPv4 address, its IPv6 link-local address, or the
 * configured unicast source), and receives what the codec (vrrp_pkt.h) needs:
 * IPv4 packets with their header, IPv6 messages with hop limit, source and
 * destination from ancillary data. No logging, no state beyond the fd.
 */
#ifndef VIGIL_VRRP_SOCK_H
#define VIGIL_VRRP_SOCK_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "addr.h"
#include "vrrp_pkt.h"

struct errbuf;

struct vrrp_sock {
	int fd;
	int family;
	int ifindex;
	char ifname[IF_NAMESIZE];
	bool joined;              /* member of the VRRP multicast group */
};

/* What one read yields: for IPv4 the whole IP packet, for IPv6 the VRRP
 * message plus hop limit and addresses. */
struct vrrp_rxpkt {
	uint8_t buf[VRRP_IP4_HDR_LEN + 60 + VRRP_PKT_MAX + 64];
	size_t len;
	uint8_t hlim;             /* IPv6 */
	struct in6_addr src6, dst6;
	bool truncated;
	double rx_time;           /* the kernel's receive time (wall clock); 0: none */
};

/* Opens a non-blocking raw socket on ifname; joins the group when mcast.
 * Returns 0 or -errno with eb filled (s->fd is -1 then). */
int vrrp_sock_open(struct vrrp_sock *s, const char *ifname, int family, bool mcast,
		   struct errbuf *eb);
/* The same for VRRPv2 with IPsec AH: an IPv4 raw socket of protocol 51
 * with IP_HDRINCL (vrrp_sock_send_ip() sends what vrrp_ah_build() made). */
int vrrp_sock_open_ah(struct vrrp_sock *s, const char *ifname, bool mcast, struct errbuf *eb);
void vrrp_sock_close(struct vrrp_sock *s);
/* (Re)joins the group, e.g. after the interface came back (idempotent). */
int vrrp_sock_join(struct vrrp_sock *s, struct errbuf *eb);

/* One packet. Returns its length, -EAGAIN when there is none, or -errno. */
long vrrp_sock_recv(const struct vrrp_sock *s, struct vrrp_rxpkt *p);
/* Up to n (at most VRRP_RX_BATCH) packets into p[]: how many, or -EAGAIN
 * when none is waiting, or -errno. */
#define VRRP_RX_BATCH 16
int vrrp_sock_recv_batch(const struct vrrp_sock *s, struct vrrp_rxpkt *p, unsigned n);
/* Decodes what vrrp_sock_recv() read (the family decides the codec). */
enum vrrp_rx vrrp_sock_decode(const struct vrrp_sock *s, const struct vrrp_rxpkt *p,
			      struct vrrp_advert *out);
/* The VRID byte of a received packet, or -1 if it is too short to tell
 * (so a packet the codec rejects can still be counted against its instance). */
int vrrp_sock_peek_vrid(const struct vrrp_sock *s, const struct vrrp_rxpkt *p);

/* Sends a VRRP message (no IP header) from src to dst with TTL / hop limit
 * ttl (0: 255, the socket's). 0 or -errno. */
int vrrp_sock_send(const struct vrrp_sock *s, const struct vaddr *src, const struct vaddr *dst,
		   int ttl, const uint8_t *msg, size_t len, struct errbuf *eb);

/* Sends up to VRRP_TX_BATCH messages, all from src to dst, in one system
 * call: how many went, or -errno. */
#define VRRP_TX_BATCH 64
int vrrp_sock_send_batch(const struct vrrp_sock *s, const struct vaddr *src,
			 const struct vaddr *dst, const struct iovec *msgs, unsigned n,
			 struct errbuf *eb);

/* Sends a whole IPv4 packet (IP_HDRINCL socket) to dst. 0 or -errno. */
int vrrp_sock_send_ip(const struct vrrp_sock *s, const struct vaddr *dst, const uint8_t *pkt,
		      size_t len, struct errbuf *eb);

#endif
