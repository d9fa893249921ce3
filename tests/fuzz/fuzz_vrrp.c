/*
 * fuzz_vrrp: the VRRP codec (vrrp/pkt.c) on any bytes a raw VRRP socket
 * can deliver — decode, then validate against an instance — v2 and v3,
 * IPv4 and IPv6. Every advert that decodes must also survive the round
 * trip: encoded again and decoded, it gives the same advert back.
 *
 * Input: a control byte, a count byte, then
 *   IPv4: the whole IP packet, as the raw socket reads it;
 *   IPv6: hop limit, source (16 bytes), destination (16), the message.
 * Control bits:
 *   0x01 IPv6              0x02 repair the checksum (and the IPv4 length)
 *   0x04 unicast instance  0x08 instance uses a v2 password ("s3cret"),
 *                          AH with that key when the packet has an AH header
 *   0x10 instance VRID = the packet's   0x20 instance version = the packet's
 *   0x40 the instance's addresses are the packet's first (count % 21),
 *        else 192.0.2.10 or 2001:db8::54
 *   0x80 its peer list holds the packet's source
 * Without the repair bit a random packet almost never has a valid
 * checksum, and the fields behind it would stay out of reach.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>

#include "fuzz.h"
#include "inet_csum.h"
#include "vrrp_ah.h"
#include "vrrp_pkt.h"

enum {
	F_IP6 = 0x01, F_REPAIR = 0x02, F_UNICAST = 0x04, F_PASS = 0x08,
	F_VRID = 0x10, F_VERSION = 0x20, F_ADDRS = 0x40, F_PEER = 0x80,
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Writes the checksum the message m should carry (v3: with the pseudo-header). */
static void repair_csum(uint8_t *m, size_t len, int family, const uint8_t *src,
			const uint8_t *dst)
{
	if (len < VRRP_HDR_LEN)
		return;
	size_t al = family == AF_INET ? 4 : 16;
	uint32_t sum = 0;
	m[6] = m[7] = 0;
	if (m[0] >> 4 == 3) {
		uint8_t tail[8] = { 0 };
		sum = inet_csum_add(sum, src, al);
		sum = inet_csum_add(sum, dst, al);
		if (family == AF_INET) {
			tail[1] = VRRP_IPPROTO;
			put16(tail + 2, (uint16_t)len);
			sum = inet_csum_add(sum, tail, 4);
		} else {
			put16(tail + 2, (uint16_t)len);
			tail[7] = VRRP_IPPROTO;
			sum = inet_csum_add(sum, tail, 8);
		}
	}
	put16(m + 6, inet_csum_fold(inet_csum_add(sum, m, len)));
}

static void same_advert(const struct vrrp_advert *a, const struct vrrp_advert *b)
{
	FUZZ_CHECK(a->version == b->version && a->vrid == b->vrid);
	FUZZ_CHECK(a->priority == b->priority && a->adver_int == b->adver_int);
	FUZZ_CHECK(a->family == b->family && a->n_addrs == b->n_addrs);
	for (unsigned i = 0; i < a->n_addrs; i++)
		FUZZ_CHECK(vaddr_equal(&a->addrs[i], &b->addrs[i]));
	if (a->version == 2) {
		FUZZ_CHECK(a->auth_type == b->auth_type);
		if (a->auth_type == VRRP_WIRE_AUTH_PASS)
			FUZZ_CHECK(!memcmp(a->auth_data, b->auth_data, VRRP_AUTH_DATA_LEN));
	}
}

/* Encode what was decoded, decode that: the same advert, or a refusal
 * the encoder documents (an interval of 0, an auth type we never send). */
static void round_trip(const struct vrrp_advert *adv)
{
	uint8_t buf[VRRP_IP4_HDR_LEN + VRRP_PKT_MAX];
	struct vrrp_advert back;
	enum vrrp_rx r;
	int n;
	if (adv->family == AF_INET)
		n = vrrp_pkt_build_ip4(adv, adv->ttl, 1, buf, sizeof(buf));
	else
		n = vrrp_pkt_encode(adv, buf, sizeof(buf));
	if (n == -EINVAL) {
		FUZZ_CHECK(adv->adver_int == 0 || (adv->version == 2 &&
						   adv->auth_type > VRRP_WIRE_AUTH_PASS));
		return;
	}
	FUZZ_CHECK(n > 0 && (size_t)n <= sizeof(buf));
	if (adv->family == AF_INET)
		r = vrrp_pkt_decode_ip4(buf, (size_t)n, &back);
	else
		r = vrrp_pkt_decode_ip6(buf, (size_t)n, adv->ttl, &adv->src.u.v6,
					&adv->dst.u.v6, &back);
	FUZZ_CHECK(r == VRRP_RX_OK);
	same_advert(adv, &back);
}

static const char ah_key[VRRP_AUTH_DATA_LEN] = "s3cret";

/* An AH advert: built again (same sequence number, unicast or not as the
 * control byte says), it decodes to the same advert and verifies. */
static void round_trip_ah(const struct vrrp_advert *adv, bool unicast)
{
	uint8_t buf[VRRP_AH_PKT_MAX];
	struct vrrp_advert back;
	struct vrrp_ah_tx tx = { .key = ah_key, .seq = adv->ah.seq, .ip_id = 7, .ttl = adv->ttl,
				 .unicast = unicast };
	int n = vrrp_ah_build(adv, &tx, buf, sizeof(buf));
	if (n == -EINVAL) {   /* the AH header before a message of another type */
		FUZZ_CHECK(adv->adver_int == 0 || adv->auth_type != VRRP_WIRE_AUTH_AH);
		return;
	}
	FUZZ_CHECK(n > 0 && (size_t)n <= sizeof(buf));
	FUZZ_CHECK(vrrp_pkt_decode_ip4(buf, (size_t)n, &back) == VRRP_RX_OK);
	FUZZ_CHECK(back.ah.present && back.ah.seq == adv->ah.seq);
	FUZZ_CHECK(back.ah.spi == ntohl(adv->src.u.v4.s_addr));
	same_advert(adv, &back);
	FUZZ_CHECK(vrrp_ah_verify(buf, (size_t)n, ah_key, unicast) == VRRP_RX_OK);
	buf[n - 1] ^= 1;      /* the message's last byte: the ICV no longer fits */
	FUZZ_CHECK(vrrp_ah_verify(buf, (size_t)n, ah_key, unicast) == VRRP_RX_AUTH_PASS);
}

/* The instance the packet is checked against, partly taken from it. */
static void expectation(uint8_t ctl, uint8_t count, const struct vrrp_advert *adv,
			struct vprefix *addrs, struct vaddr *peer, struct vrrp_expect *e)
{
	memset(e, 0, sizeof(*e));
	e->family = adv->family;
	e->version = ctl & F_VERSION ? adv->version : adv->family == AF_INET6 ? 3 : 2;
	e->vrid = ctl & F_VRID ? adv->vrid : 51;
	e->v2_adver_int = 1;
	if (ctl & F_PASS) {
		e->auth_type = adv->ah.present ? VRRP_AUTH_AH : VRRP_AUTH_PASS;
		memcpy(e->auth_pass, ah_key, VRRP_AUTH_DATA_LEN);
	}
	unsigned k = count % (VRRP_MAX_ADDRS + 1);
	if ((ctl & F_ADDRS) && k <= adv->n_addrs) {
		for (unsigned i = 0; i < k; i++)
			addrs[i] = (struct vprefix){ .addr = adv->addrs[i], .plen = 24 };
	} else {
		/* The keepalived captures' first address (corpus/fuzz_vrrp). */
		k = 1;
		addrs[0] = (struct vprefix){ .addr.family = (sa_family_t)adv->family, .plen = 24 };
		if (adv->family == AF_INET)
			inet_pton(AF_INET, "192.0.2.10", &addrs[0].addr.u.v4);
		else
			inet_pton(AF_INET6, "2001:db8::54", &addrs[0].addr.u.v6);
	}
	e->addrs = addrs;
	e->n_addrs = k;
	e->unicast = ctl & F_UNICAST;
	*peer = adv->src;
	if (!(ctl & F_PEER))
		peer->u.v6.s6_addr[0] ^= 0xff;   /* someone else */
	e->peers = peer;
	e->n_peers = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t ctl = fuzz_u8(&in), count = fuzz_u8(&in);
	struct vrrp_advert adv;
	enum vrrp_rx r;
	uint8_t *pkt;
	if (ctl & F_IP6) {
		uint8_t hlim = fuzz_u8(&in);
		struct in6_addr src, dst;
		fuzz_bytes(&in, &src, 16);
		fuzz_bytes(&in, &dst, 16);
		pkt = fuzz_dup(in.p, in.n);
		if (ctl & F_REPAIR)
			repair_csum(pkt, in.n, AF_INET6, src.s6_addr, dst.s6_addr);
		r = vrrp_pkt_decode_ip6(pkt, in.n, hlim, &src, &dst, &adv);
	} else {
		pkt = fuzz_dup(in.p, in.n);
		if ((ctl & F_REPAIR) && in.n >= VRRP_IP4_HDR_LEN) {
			size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
			if (pkt[9] == VRRP_IPPROTO_AH)
				ihl += VRRP_AH_LEN;   /* the message follows the AH header */
			put16(pkt + 2, (uint16_t)in.n);
			if (ihl >= VRRP_IP4_HDR_LEN && ihl <= in.n)
				repair_csum(pkt + ihl, in.n - ihl, AF_INET, pkt + 12, pkt + 16);
		}
		r = vrrp_pkt_decode_ip4(pkt, in.n, &adv);
	}
	FUZZ_CHECK((unsigned)r < VRRP_RX__COUNT && vrrp_rx_str(r)[0] != '?');
	if (r == VRRP_RX_OK) {
		FUZZ_CHECK(adv.n_addrs <= VRRP_MAX_ADDRS);
		FUZZ_CHECK(adv.version == 2 || adv.version == 3);
		FUZZ_CHECK(adv.version == 3 || adv.family == AF_INET);
		FUZZ_CHECK(vrrp_advert_interval(&adv) >= 0);
		round_trip(&adv);
		if (adv.ah.present) {
			FUZZ_CHECK(adv.version == 2 && adv.family == AF_INET);
			r = vrrp_ah_verify(pkt, in.n, ah_key, ctl & F_UNICAST);
			FUZZ_CHECK(r == VRRP_RX_OK || r == VRRP_RX_AUTH_PASS);
			round_trip_ah(&adv, ctl & F_UNICAST);
		}
		struct vprefix addrs[VRRP_MAX_ADDRS];
		struct vaddr peer;
		struct vrrp_expect e;
		expectation(ctl, count, &adv, addrs, &peer, &e);
		r = vrrp_pkt_validate(&adv, &e);
		FUZZ_CHECK((unsigned)r < VRRP_RX__COUNT);
		FUZZ_CHECK(r != VRRP_RX_OK || (adv.vrid == e.vrid && adv.version == e.version));
		(void)vrrp_rx_usable(r, &adv);
		if (ctl & F_IP6)
			r = vrrp_pkt_rx_ip6(pkt, in.n, adv.ttl, &adv.src.u.v6, &adv.dst.u.v6, &e,
					    &adv);
		else
			r = vrrp_pkt_rx_ip4(pkt, in.n, &e, &adv);
		FUZZ_CHECK((unsigned)r < VRRP_RX__COUNT);
	}
	free(pkt);
	return 0;
}
