/*
 * pkt: the VRRP advertisement codec (RFC 3768 v2, RFC 5798 v3; IPv4 and
 * IPv6). Pure: no sockets, no clock, no logging, no allocation, no state.
 * The socket layer (sock.c) hands it the bytes it received plus what the
 * kernel told it (IPv6 hop limit and addresses) and gets back a decoded
 * advert or the reason the packet was dropped; it asks it for the bytes
 * to send. The IP header is the kernel's business, except for
 * vrrp_pkt_build_ip4(), which exists for a test tool that injects
 * packets through an IP_HDRINCL raw socket.
 *
 * Receiving is two steps so that one socket can serve many instances:
 * vrrp_pkt_decode_ip4/ip6() checks what does not depend on the instance
 * (headers, lengths, checksum) and yields the VRID; the caller finds the
 * instance and vrrp_pkt_validate() checks the advert against it.
 * vrrp_pkt_rx_ip4/ip6() do both for a single expectation.
 *
 * Address list mismatch (RFC 3768 and RFC 5798 §7.1, "MAY verify"): we do
 * verify, and report VRRP_RX_ADDR_MISMATCH with the advert fully decoded.
 * As the RFCs say, such a packet is dropped unless its sender is the
 * address owner (priority 255), whose advert is still processed:
 * vrrp_rx_usable() encodes that rule; the caller counts and logs the
 * mismatch either way.
 *
 * TTL / hop limit must be 255 for multicast instances. For unicast
 * instances it is not checked (as keepalived does: unicast peers may be
 * routed) unless the instance gives a range (keepalived's min_ttl and
 * max_ttl), but the source must then be one of the configured peers.
 */
#ifndef VIGIL_VRRP_PKT_H
#define VIGIL_VRRP_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "conf.h"

#define VRRP_IPPROTO 112
#define VRRP_TTL 255
#define VRRP_TYPE_ADVERT 1
#define VRRP_HDR_LEN 8
#define VRRP_AUTH_DATA_LEN 8          /* v2: always present on the wire */
#define VRRP_IP4_HDR_LEN 20
/* Our cap on addresses per advert (the wire allows 255); more is rejected. */
#define VRRP_MAX_ADDRS CONF_VRRP_MAX_ADDRS
/* Largest VRRP message we build or accept (v3 IPv6 is the largest). */
#define VRRP_PKT_MAX (VRRP_HDR_LEN + VRRP_MAX_ADDRS * 16 + VRRP_AUTH_DATA_LEN)
#define VRRP_V2_MAX_ADVER_INT 255     /* s, 8 bits */
#define VRRP_V3_MAX_ADVER_INT 4095    /* cs, 12 bits */

/* v2 Auth Type on the wire (RFC 2338 §5.3.6; RFC 3768 keeps the field). */
enum vrrp_wire_auth {
	VRRP_WIRE_AUTH_NONE = 0,
	VRRP_WIRE_AUTH_PASS = 1,
	VRRP_WIRE_AUTH_AH = 2,
};

/*
 * One advertisement, decoded or to be encoded. adver_int is in the wire's
 * unit: seconds for v2, centiseconds for v3 (see vrrp_advert_interval()).
 * src/dst are the IP addresses: on encode they feed the v3 pseudo-header
 * checksum (and the IPv4 header of vrrp_pkt_build_ip4()), on decode they
 * come from the IPv4 header or the caller (IPv6).
 */
struct vrrp_advert {
	uint8_t version;              /* 2 | 3 */
	uint8_t vrid;
	uint8_t priority;             /* 0: the master is stopping */
	uint16_t adver_int;           /* v2: s; v3: cs */
	uint8_t ttl;                  /* decode: IPv4 TTL / IPv6 hop limit */
	int family;                   /* AF_INET | AF_INET6 */
	unsigned n_addrs;
	struct vaddr addrs[VRRP_MAX_ADDRS];
	uint8_t auth_type;            /* v2: enum vrrp_wire_auth */
	char auth_data[VRRP_AUTH_DATA_LEN];  /* v2 PASS: password, NUL-padded */
	struct vaddr src, dst;
	struct {                      /* decode: an IPsec AH header came first (vrrp_ah.h) */
		bool present;
		uint32_t spi, seq;    /* host order */
	} ah;
};

/* What an instance expects of a received advert (see vrrp_expect_from_conf). */
struct vrrp_expect {
	uint8_t version;
	uint8_t vrid;
	int family;
	const struct vprefix *addrs;  /* the instance's virtual addresses */
	unsigned n_addrs;
	uint16_t v2_adver_int;        /* v2: s; must match exactly */
	enum vrrp_auth auth_type;     /* v2 only */
	char auth_pass[VRRP_AUTH_DATA_LEN];  /* PASS or AH key: NUL-padded, not NUL-terminated */
	bool unicast;
	bool ttl_range;               /* unicast: the TTL must be in min_ttl..max_ttl */
	uint8_t min_ttl, max_ttl;
	const struct vaddr *peers;    /* unicast: the only accepted sources */
	unsigned n_peers;
};

enum vrrp_rx {
	VRRP_RX_OK,
	VRRP_RX_NOT_FOR_US,   /* another VRID or family: not an error */
	VRRP_RX_SHORT,        /* fewer bytes than the IP or VRRP header */
	VRRP_RX_LENGTH,       /* IP length fields disagree with the bytes */
	VRRP_RX_IP_HEADER,    /* not IPv4, bad IHL, protocol not 112 (or 51, AH,
			       * followed by 112) */
	VRRP_RX_TTL,          /* TTL / hop limit not 255 (multicast) */
	VRRP_RX_VERSION,      /* not 2 or 3, v2 over IPv6, or not ours */
	VRRP_RX_TYPE,         /* not an advertisement */
	VRRP_RX_COUNT,        /* address count disagrees with the length */
	VRRP_RX_TOO_MANY,     /* more than VRRP_MAX_ADDRS addresses */
	VRRP_RX_CHECKSUM,
	VRRP_RX_INTERVAL,     /* v2: advert interval differs from ours */
	VRRP_RX_AUTH_TYPE,    /* v2: auth type differs from ours */
	VRRP_RX_AUTH_PASS,    /* v2: password differs from ours; AH: bad ICV, SPI
			       * or a replayed sequence number */
	VRRP_RX_PEER,         /* unicast: source is not a configured peer */
	VRRP_RX_ADDR_MISMATCH,  /* address list differs; see vrrp_rx_usable() */
	VRRP_RX__COUNT
};

/* Short names for counters and logs: "ok", "ttl", "checksum", ... */
const char *vrrp_rx_str(enum vrrp_rx r);
/* OK, or ADDR_MISMATCH from the address owner (priority 255). */
bool vrrp_rx_usable(enum vrrp_rx r, const struct vrrp_advert *adv);

/* 224.0.0.18 or ff02::12. */
void vrrp_mcast_group(int family, struct vaddr *out);
/* The advert interval in seconds. */
double vrrp_advert_interval(const struct vrrp_advert *adv);
/* Interval in seconds to the wire unit of version, rounded and clamped to 1..max. */
uint16_t vrrp_adver_int_to_wire(uint8_t version, double seconds);

/*
 * Fills adv from an instance's configuration: version, VRID, interval,
 * family, addresses, authentication, dst = the multicast group. The
 * caller sets priority and src (and dst for unicast). -E2BIG if the
 * instance has more than VRRP_MAX_ADDRS addresses.
 */
int vrrp_advert_from_conf(const struct vrrp_inst_conf *c, uint8_t priority,
			  struct vrrp_advert *adv);
/* Fills exp from an instance's configuration; exp points into c. */
void vrrp_expect_from_conf(const struct vrrp_inst_conf *c, struct vrrp_expect *exp);

/*
 * Writes the VRRP message (header, addresses, v2 auth data) with its
 * checksum. Returns its length, -EINVAL for an advert that cannot be
 * encoded (version, family, count, v2 over IPv6, interval out of range)
 * or -ENOSPC if len is too small.
 */
int vrrp_pkt_encode(const struct vrrp_advert *adv, uint8_t *buf, size_t len);
/* An IPv4 header (TOS 0xc0, given TTL and id, header checksum) + the message. */
int vrrp_pkt_build_ip4(const struct vrrp_advert *adv, uint8_t ttl, uint16_t ip_id,
		       uint8_t *buf, size_t len);

/* buf: an IPv4 packet, header included, as a raw IPPROTO_VRRP socket reads it
 * (or an IPPROTO_AH one: an AH header before the message, see vrrp_ah.h). */
enum vrrp_rx vrrp_pkt_decode_ip4(const uint8_t *buf, size_t len, struct vrrp_advert *out);
/* buf: the VRRP message; hop limit, src and dst from recvmsg()/ancillary data. */
enum vrrp_rx vrrp_pkt_decode_ip6(const uint8_t *buf, size_t len, uint8_t hlim,
				 const struct in6_addr *src, const struct in6_addr *dst,
				 struct vrrp_advert *out);
/* The instance-specific checks on a decoded advert. */
enum vrrp_rx vrrp_pkt_validate(const struct vrrp_advert *adv, const struct vrrp_expect *exp);

/* decode + validate (+ the AH ICV and SPI, vrrp_ah_verify(), when the
 * packet has an AH header). out is filled whenever the decode step succeeded. */
enum vrrp_rx vrrp_pkt_rx_ip4(const uint8_t *buf, size_t len, const struct vrrp_expect *exp,
			     struct vrrp_advert *out);
enum vrrp_rx vrrp_pkt_rx_ip6(const uint8_t *buf, size_t len, uint8_t hlim,
			     const struct in6_addr *src, const struct in6_addr *dst,
			     const struct vrrp_expect *exp, struct vrrp_advert *out);

#endif
