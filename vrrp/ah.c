/*
 * ah: keepalived's IPsec AH for VRRPv2 — building, checking, anti-replay
 * (see vrrp_ah.h). The ICV input is the packet as sent with the fields a
 * router may change on the way zeroed (RFC 4302 §3.3.3.1: TOS, fragment
 * offset and flags, checksum; TTL only for unicast, as keepalived does,
 * since multicast adverts must arrive with 255 anyway).
 */
#include "vrrp_ah.h"

#include <errno.h>
#include <string.h>

#include "inet_csum.h"
#include "vrrp_md5.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* HMAC-MD5-96 of pkt (IP header of ihl bytes, AH, message) as the wire's
 * ICV field expects it. 0, or -EIO when libcrypto failed. */
static int icv(const uint8_t *pkt, size_t len, size_t ihl, const char *key, bool unicast,
		uint8_t out[VRRP_AH_ICV_LEN])
{
	uint8_t hdr[60 + VRRP_AH_LEN], md[VRRP_MD5_LEN];
	size_t hl = ihl + VRRP_AH_LEN;
	memcpy(hdr, pkt, hl);
	hdr[1] = 0;                                     /* TOS */
	hdr[6] = hdr[7] = 0;                            /* flags, fragment offset */
	hdr[10] = hdr[11] = 0;                          /* header checksum */
	if (unicast)
		hdr[8] = 0;                             /* TTL */
	memset(hdr + ihl + 12, 0, VRRP_AH_ICV_LEN);
	if (vrrp_hmac_md5((const uint8_t *)key, VRRP_AUTH_DATA_LEN, hdr, hl, pkt + hl, len - hl,
			  md) < 0)
		return -EIO;
	memcpy(out, md, VRRP_AH_ICV_LEN);
	return 0;
}

int vrrp_ah_build(const struct vrrp_advert *adv, const struct vrrp_ah_tx *tx, uint8_t *buf,
		  size_t len)
{
	if (!tx->key || !tx->ip_id || adv->version != 2 || adv->family != AF_INET ||
	    adv->auth_type != VRRP_WIRE_AUTH_AH || adv->src.family != AF_INET ||
	    adv->dst.family != AF_INET)
		return -EINVAL;
	size_t hl = VRRP_IP4_HDR_LEN + VRRP_AH_LEN;
	if (len < hl)
		return -ENOSPC;
	int n = vrrp_pkt_encode(adv, buf + hl, len - hl);
	if (n < 0)
		return n;
	size_t total = hl + (size_t)n;
	uint8_t *ip = buf, *ah = buf + VRRP_IP4_HDR_LEN;
	memset(buf, 0, hl);
	ip[0] = 0x45;
	ip[1] = 0xc0;
	put16(ip + 2, (uint16_t)total);
	put16(ip + 4, tx->ip_id);
	ip[8] = tx->ttl;
	ip[9] = VRRP_IPPROTO_AH;
	memcpy(ip + 12, &adv->src.u.v4, 4);
	memcpy(ip + 16, &adv->dst.u.v4, 4);
	ah[0] = VRRP_IPPROTO;
	ah[1] = VRRP_AH_PLEN;
	memcpy(ah + 4, &adv->src.u.v4, 4);              /* SPI: the source address */
	put32(ah + 8, tx->seq);
	if (icv(buf, total, VRRP_IP4_HDR_LEN, tx->key, tx->unicast, ah + 12) < 0)
		return -EIO;
	/* The kernel rewrites the checksum of an IP_HDRINCL packet; set it
	 * anyway so the bytes are a valid packet for tests and captures. */
	put16(ip + 10, inet_csum(ip, VRRP_IP4_HDR_LEN));
	return (int)total;
}

/* Compares without an early exit, so timing tells nothing of the ICV. */
static bool same(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;
	for (size_t i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

enum vrrp_rx vrrp_ah_verify(const uint8_t *pkt, size_t len, const char *key, bool unicast)
{
	if (len < VRRP_IP4_HDR_LEN)
		return VRRP_RX_SHORT;
	size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
	if (ihl < VRRP_IP4_HDR_LEN || pkt[9] != VRRP_IPPROTO_AH)
		return VRRP_RX_IP_HEADER;
	if (len < ihl + VRRP_AH_LEN)
		return VRRP_RX_SHORT;
	uint8_t want[VRRP_AH_ICV_LEN];
	if (icv(pkt, len, ihl, key, unicast, want) < 0)
		return VRRP_RX_AUTH_PASS;   /* unverifiable is not verified */
	const uint8_t *ah = pkt + ihl;
	if (!same(want, ah + 12, VRRP_AH_ICV_LEN) || memcmp(ah + 4, pkt + 12, 4) != 0)
		return VRRP_RX_AUTH_PASS;
	return VRRP_RX_OK;
}

bool vrrp_ah_seq_accept(struct vrrp_ah_seq *s, const struct vaddr *src, uint32_t seq)
{
	unsigned i;
	for (i = 0; i < s->n_peers; i++)
		if (!memcmp(s->peer[i].src, &src->u.v4, 4))
			break;
	if (i < s->n_peers && seq <= s->peer[i].seq)
		return false;
	if (i == s->n_peers) {
		/* A source not heard before: any number is new. With the
		 * table full, the oldest slot taken goes first. */
		if (s->n_peers < VRRP_AH_PEERS) {
			s->n_peers++;
		} else {
			i = s->evict;
			s->evict = (s->evict + 1) % VRRP_AH_PEERS;
		}
		memcpy(s->peer[i].src, &src->u.v4, 4);
	}
	s->peer[i].seq = seq;
	if (seq > s->heard)
		s->heard = seq;
	return true;
}

uint32_t vrrp_ah_seq_next(struct vrrp_ah_seq *s)
{
	uint32_t last = s->sent > s->heard ? s->sent : s->heard;
	s->sent = last == UINT32_MAX ? last : last + 1;
	return s->sent;
}

void vrrp_ah_seq_sync(struct vrrp_ah_seq *s, uint32_t seq)
{
	uint32_t past = seq == UINT32_MAX ? seq : seq + 1;
	if (past > s->heard)
		s->heard = past;
}
