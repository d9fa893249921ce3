/*
 * synpkt: the packets of a half-open TCP check, as pure functions (no
 * sockets, no state): the SYN we send and the reading of what comes back
 * on a raw TCP socket — a SYN-ACK (the port is open), a RST (refused) —
 * or of an ICMP error queued for one of our SYNs. Unit-tested and safe
 * against any input: a packet too short or not what we sent is refused
 * with -1 and counted by the caller, never read past its length.
 */
#ifndef VIGIL_SYNPKT_H
#define VIGIL_SYNPKT_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define SYNPKT_LEN 24         /* TCP header with one option: MSS */
#define SYNPKT_MSS 1460

#define SYNPKT_FIN 0x01
#define SYNPKT_SYN 0x02
#define SYNPKT_RST 0x04
#define SYNPKT_ACK 0x10

/* A SYN from sport to dst:dport with sequence number seq. With src set,
 * the checksum is filled in (IPv4, where we must); unset leaves it 0 for
 * the kernel (IPv6 raw sockets with IPV6_CHECKSUM). Ports in host order. */
void synpkt_build(uint8_t out[SYNPKT_LEN], const struct vaddr *src, const struct vaddr *dst,
		  uint16_t sport, uint16_t dport, uint32_t seq);

struct synpkt_reply {
	struct vaddr src;     /* who sent it */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
};

/* What a raw socket read: for AF_INET the IPv4 header comes first; for
 * AF_INET6 the data is the TCP header and the sender is `from`. 0 or -1. */
int synpkt_parse(int family, const uint8_t *pkt, size_t len, const struct vaddr *from,
		 struct synpkt_reply *out);

/* The TCP header an ICMP error quotes (the start of our own SYN, as the
 * error queue of a raw socket returns it): its ports and sequence. */
int synpkt_parse_quoted(const uint8_t *tcp, size_t len, uint16_t *sport, uint16_t *dport,
			uint32_t *seq);

#endif
