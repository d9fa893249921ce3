/*
 * ah: VRRPv2 authentication type 2, the IPsec Authentication Header as
 * keepalived frames it (RFC 2338 §5.3.6.3 names it; keepalived 2.2.7 is
 * the implementation in the field, so its wire is ours). Pure: builds and
 * checks bytes, keeps the anti-replay numbers the caller hands it.
 *
 *   IPv4 header, protocol 51 (AH), TOS 0xc0, TTL 255, id != 0
 *   AH: next header 112 | payload length 4 | reserved 0
 *       SPI = the IPv4 source address (as its four bytes)
 *       sequence number (32 bits)
 *       ICV: HMAC-MD5-96, 12 bytes
 *   VRRPv2 message: auth type 2, its eight auth-data bytes zero
 *
 * The ICV is HMAC-MD5 keyed with the password (8 bytes, NUL-padded) over
 * the whole packet with the IP header's TOS, fragment field and checksum
 * zeroed (and its TTL too for unicast instances, as keepalived does) and
 * the ICV field zeroed. The IP identification is covered, so the sender
 * must set it (the kernel fills in only a zero one).
 *
 * Anti-replay (struct vrrp_ah_seq): a received sequence number must
 * exceed the last one accepted from the same source; what we send
 * exceeds everything sent or heard so far. keepalived keeps one counter
 * per instance for both (what it last sent or accepted); ours stays above
 * it, so each accepts the other's adverts. A master that hears a lower
 * priority advert moves past its number (keepalived's "syncing seq_num"):
 * two masters that reject each other's numbers converge.
 */
#ifndef VIGIL_VRRP_AH_H
#define VIGIL_VRRP_AH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vrrp_pkt.h"

#define VRRP_IPPROTO_AH 51
#define VRRP_AH_LEN 24                /* the header, ICV included */
#define VRRP_AH_PLEN 4                /* its length field: 32-bit words - 2 */
#define VRRP_AH_ICV_LEN 12            /* HMAC-MD5-96 */
#define VRRP_AH_PEERS 8               /* sources whose numbers are remembered */
/* An AH advert's whole IPv4 packet, at most. */
#define VRRP_AH_PKT_MAX (VRRP_IP4_HDR_LEN + VRRP_AH_LEN + VRRP_PKT_MAX)

/* What vrrp_ah_build() needs besides the advert. */
struct vrrp_ah_tx {
	const char *key;              /* VRRP_AUTH_DATA_LEN bytes, NUL-padded */
	uint32_t seq;                 /* from vrrp_ah_seq_next() */
	uint16_t ip_id;               /* non-zero: the ICV covers it */
	uint8_t ttl;
	bool unicast;                 /* the TTL is left out of the ICV */
};

/* Anti-replay state of one instance. All zero is the start. */
struct vrrp_ah_seq {
	uint32_t sent;                /* the last number we sent */
	uint32_t heard;               /* the highest number accepted (or synced past) */
	struct {
		uint8_t src[4];
		uint32_t seq;
	} peer[VRRP_AH_PEERS];
	unsigned n_peers, evict;      /* evict: the slot a new source takes when full */
};

/*
 * The whole IPv4 packet of an advert (adv->auth_type VRRP_WIRE_AUTH_AH,
 * src and dst IPv4). Returns its length, -EINVAL (no key, id 0, not a v2
 * IPv4 AH advert) or -ENOSPC.
 */
int vrrp_ah_build(const struct vrrp_advert *adv, const struct vrrp_ah_tx *tx, uint8_t *buf,
		  size_t len);

/*
 * Checks a received packet that vrrp_pkt_decode_ip4() decoded with an AH
 * header: its ICV under key, then its SPI against the source. VRRP_RX_OK
 * or VRRP_RX_AUTH_PASS (a failure of the authentication data, counted as
 * a wrong password is).
 */
enum vrrp_rx vrrp_ah_verify(const uint8_t *pkt, size_t len, const char *key, bool unicast);

/* True if seq from src is new (then remembered); false for a replay. */
bool vrrp_ah_seq_accept(struct vrrp_ah_seq *s, const struct vaddr *src, uint32_t seq);
/* The number to send next (it saturates at 2^32 - 1, 136 years at 1 s). */
uint32_t vrrp_ah_seq_next(struct vrrp_ah_seq *s);
/* A master heard a lower priority advert numbered seq: send past it. */
void vrrp_ah_seq_sync(struct vrrp_ah_seq *s, uint32_t seq);

#endif
