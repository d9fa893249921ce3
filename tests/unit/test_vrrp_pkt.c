/*
 * test_vrrp_pkt: the VRRP advertisement codec (vrrp/pkt.c) against bytes
 * laid out by hand from RFC 3768 / RFC 5798 with the checksums worked out
 * in the comments, in round trips (v2/v3, IPv4/IPv6, 0..20 addresses),
 * encoder errors, and one case per reject reason. keepalived captures and
 * the fuzz loop are in test_vrrp_pkt_keepalived.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inet_csum.h"
#include "vrrp_pkt.h"
#include "vrrp_test.h"

/* ---- hand-made packets ------------------------------------------------ */

/*
 * v2, VRID 1, priority 100, 1 address, no auth, interval 1 s, 192.0.2.1;
 * IPv4 header from 192.0.2.2 to 224.0.0.18, TTL 255, protocol 112.
 * Checksum over the VRRP message, 16-bit words:
 *   0x2101 + 0x6401 + 0x0001 (auth 0, int 1) + 0xc000 + 0x0201 + 0 (auth data)
 *   = 0x14704 -> 0x4704 + 0x1 = 0x4705; ~0x4705 = 0xb8fa.
 */
static const uint8_t hand_v2[] = {
	0x45, 0xc0, 0x00, 0x28, 0x00, 0x00, 0x00, 0x00, 0xff, 0x70, 0x00, 0x00,
	0xc0, 0x00, 0x02, 0x02, 0xe0, 0x00, 0x00, 0x12,
	0x21, 0x01, 0x64, 0x01, 0x00, 0x01, 0xb8, 0xfa,
	0xc0, 0x00, 0x02, 0x01,
	0, 0, 0, 0, 0, 0, 0, 0,
};

/*
 * v3, VRID 10, priority 200, 2 addresses, interval 100 cs, 192.0.2.10 and
 * 192.0.2.11, from 192.0.2.2 to 224.0.0.18. Checksum with the IPv4
 * pseudo-header (src, dst, 0, 112, length 16):
 *   0xc000 + 0x0202 + 0xe000 + 0x0012 + 0x0070 + 0x0010          pseudo
 *   + 0x310a + 0xc802 + 0x0064 + 0xc000 + 0x020a + 0xc000 + 0x020b  message
 *   = 0x42019 -> 0x2019 + 0x4 = 0x201d; ~0x201d = 0xdfe2.
 */
static const uint8_t hand_v3_ip4[] = {
	0x45, 0xc0, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0xff, 0x70, 0x00, 0x00,
	0xc0, 0x00, 0x02, 0x02, 0xe0, 0x00, 0x00, 0x12,
	0x31, 0x0a, 0xc8, 0x02, 0x00, 0x64, 0xdf, 0xe2,
	0xc0, 0x00, 0x02, 0x0a, 0xc0, 0x00, 0x02, 0x0b,
};

/*
 * v3 over IPv6, VRID 5, priority 100, 2001:db8::5, interval 100 cs, from
 * fe80::1 to ff02::12. Pseudo-header: src, dst, length 24 (32 bits), 0, 112:
 *   0xfe80 + 0x0001 + 0xff02 + 0x0012 + 0x0018 + 0x0070           pseudo
 *   + 0x3105 + 0x6401 + 0x0064 + 0x2001 + 0x0db8 + 0x0005           message
 *   = 0x2c145 -> 0xc145 + 0x2 = 0xc147; ~0xc147 = 0x3eb8.
 */
static const uint8_t hand_v3_ip6[] = {
	0x31, 0x05, 0x64, 0x01, 0x00, 0x64, 0x3e, 0xb8,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05,
};

/* An independent checksum: sum of 16-bit words in 64 bits, folded at the end. */
static int checksum_ok(const uint8_t *pseudo, size_t plen, const uint8_t *m, size_t mlen)
{
	uint64_t s = 0;
	for (size_t i = 0; i < plen; i += 2)
		s += (uint64_t)pseudo[i] * 256 + pseudo[i + 1];
	for (size_t i = 0; i < mlen; i += 2)
		s += (uint64_t)m[i] * 256 + m[i + 1];
	while (s > 0xffff)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

static void test_hand_arithmetic(void **state)
{
	/* The folded sums in the comments above, redone independently. */
	uint32_t w = 0xc000 + 0x0202 + 0xe000 + 0x0012 + 0x0070 + 0x0010 +
		     0x310a + 0xc802 + 0x0064 + 0xc000 + 0x020a + 0xc000 + 0x020b;
	assert_int_equal(w, 0x42019);
	assert_int_equal((uint16_t)~((w & 0xffff) + (w >> 16)), 0xdfe2);
	w = 0x2101 + 0x6401 + 0x0001 + 0xc000 + 0x0201;
	assert_int_equal((uint16_t)~((w & 0xffff) + (w >> 16)), 0xb8fa);
	w = 0xfe80 + 0x0001 + 0xff02 + 0x0012 + 0x0018 + 0x0070 +
	    0x3105 + 0x6401 + 0x0064 + 0x2001 + 0x0db8 + 0x0005;
	assert_int_equal((uint16_t)~((w & 0xffff) + (w >> 16)), 0x3eb8);
	assert_true(checksum_ok(NULL, 0, hand_v2 + 20, sizeof(hand_v2) - 20));
	const uint8_t ph4[] = { 192, 0, 2, 2, 224, 0, 0, 18, 0, 112, 0, 16 };
	assert_true(checksum_ok(ph4, sizeof(ph4), hand_v3_ip4 + 20, sizeof(hand_v3_ip4) - 20));
	uint8_t ph6[40] = { 0xfe, 0x80, [15] = 1, [16] = 0xff, [17] = 0x02, [31] = 0x12,
			    [35] = 24, [39] = 112 };
	assert_true(checksum_ok(ph6, sizeof(ph6), hand_v3_ip6, sizeof(hand_v3_ip6)));
}

static void test_hand_v2(void **state)
{
	struct vprefix vips[] = { P("192.0.2.1") };
	struct vrrp_expect e;
	struct vrrp_advert adv;
	expect_init(&e, 2, 1, AF_INET, vips, 1);
	assert_int_equal(vrrp_pkt_rx_ip4(hand_v2, sizeof(hand_v2), &e, &adv), VRRP_RX_OK);
	assert_int_equal(adv.version, 2);
	assert_int_equal(adv.vrid, 1);
	assert_int_equal(adv.priority, 100);
	assert_int_equal(adv.adver_int, 1);
	assert_true(vrrp_advert_interval(&adv) == 1.0);
	assert_int_equal(adv.n_addrs, 1);
	assert_true(vaddr_equal(&adv.addrs[0], &vips[0].addr));
	struct vaddr src = A("192.0.2.2");
	assert_true(vaddr_equal(&adv.src, &src));
	assert_int_equal(adv.ttl, 255);
	assert_int_equal(adv.auth_type, VRRP_WIRE_AUTH_NONE);
	uint8_t out[VRRP_PKT_MAX];
	assert_int_equal(vrrp_pkt_encode(&adv, out, sizeof(out)), sizeof(hand_v2) - 20);
	assert_memory_equal(out, hand_v2 + 20, sizeof(hand_v2) - 20);
}

static void test_hand_v3_ip4(void **state)
{
	struct vprefix vips[] = { P("192.0.2.11"), P("192.0.2.10") };   /* order does not matter */
	struct vrrp_expect e;
	struct vrrp_advert adv;
	expect_init(&e, 3, 10, AF_INET, vips, 2);
	assert_int_equal(vrrp_pkt_rx_ip4(hand_v3_ip4, sizeof(hand_v3_ip4), &e, &adv), VRRP_RX_OK);
	assert_int_equal(adv.version, 3);
	assert_int_equal(adv.priority, 200);
	assert_int_equal(adv.adver_int, 100);
	assert_true(vrrp_advert_interval(&adv) == 1.0);
	assert_int_equal(adv.n_addrs, 2);
	uint8_t out[VRRP_PKT_MAX];
	assert_int_equal(vrrp_pkt_encode(&adv, out, sizeof(out)), 16);
	assert_memory_equal(out, hand_v3_ip4 + 20, 16);
}

static void test_hand_v3_ip6(void **state)
{
	struct vprefix vips[] = { P("2001:db8::5") };
	struct in6_addr src = A6("fe80::1"), dst = A6("ff02::12");
	struct vrrp_expect e;
	struct vrrp_advert adv;
	expect_init(&e, 3, 5, AF_INET6, vips, 1);
	assert_int_equal(vrrp_pkt_rx_ip6(hand_v3_ip6, sizeof(hand_v3_ip6), 255, &src, &dst, &e, &adv),
			 VRRP_RX_OK);
	assert_int_equal(adv.family, AF_INET6);
	assert_int_equal(adv.priority, 100);
	assert_true(vaddr_equal(&adv.addrs[0], &vips[0].addr));
	uint8_t out[VRRP_PKT_MAX];
	assert_int_equal(vrrp_pkt_encode(&adv, out, sizeof(out)), sizeof(hand_v3_ip6));
	assert_memory_equal(out, hand_v3_ip6, sizeof(hand_v3_ip6));
	/* A different source changes the pseudo-header: the checksum fails. */
	struct in6_addr other = A6("fe80::2");
	assert_int_equal(vrrp_pkt_rx_ip6(hand_v3_ip6, sizeof(hand_v3_ip6), 255, &other, &dst, &e, &adv),
			 VRRP_RX_CHECKSUM);
}

/* ---- round trips ------------------------------------------------------- */

static void roundtrip(struct vrrp_advert *in, const struct vprefix *vips)
{
	uint8_t buf[VRRP_IP4_HDR_LEN + VRRP_PKT_MAX];
	struct vrrp_expect e;
	struct vrrp_advert out;
	enum vrrp_rx r;
	expect_init(&e, in->version, in->vrid, in->family, vips, in->n_addrs);
	e.v2_adver_int = in->adver_int;
	if (in->auth_type == VRRP_WIRE_AUTH_PASS) {
		e.auth_type = VRRP_AUTH_PASS;
		memcpy(e.auth_pass, in->auth_data, 8);
	}
	in->ttl = 255;
	if (in->family == AF_INET) {
		int n = vrrp_pkt_build_ip4(in, 255, 42, buf, sizeof(buf));
		assert_true(n > 0);
		r = vrrp_pkt_rx_ip4(buf, (size_t)n, &e, &out);
	} else {
		int n = vrrp_pkt_encode(in, buf, sizeof(buf));
		assert_true(n > 0);
		r = vrrp_pkt_rx_ip6(buf, (size_t)n, 255, &in->src.u.v6, &in->dst.u.v6, &e, &out);
	}
	assert_int_equal(r, VRRP_RX_OK);
	assert_memory_equal(&out, in, sizeof(out));   /* both memset before filling */
}

static void fill_advert(struct vrrp_advert *adv, uint8_t version, int family, unsigned n,
			struct vprefix *vips)
{
	char s[VADDR_STRLEN];
	memset(adv, 0, sizeof(*adv));
	adv->version = version;
	adv->vrid = 77;
	adv->priority = 254;
	adv->adver_int = version == 2 ? 3 : 4095;
	adv->family = family;
	adv->n_addrs = n;
	for (unsigned i = 0; i < n; i++) {
		if (family == AF_INET)
			snprintf(s, sizeof(s), "198.51.100.%u", i + 1);
		else
			snprintf(s, sizeof(s), "2001:db8:77::%x", i + 1);
		vips[i] = P(s);
		adv->addrs[i] = vips[i].addr;
	}
	adv->src = A(family == AF_INET ? "192.0.2.7" : "fe80::7");
	vrrp_mcast_group(family, &adv->dst);
}

static void test_roundtrips(void **state)
{
	struct vprefix vips[VRRP_MAX_ADDRS];
	struct vrrp_advert adv;
	for (unsigned n = 0; n <= VRRP_MAX_ADDRS; n += 5) {
		fill_advert(&adv, 2, AF_INET, n, vips);
		roundtrip(&adv, vips);
		fill_advert(&adv, 2, AF_INET, n, vips);
		adv.auth_type = VRRP_WIRE_AUTH_PASS;
		memcpy(adv.auth_data, "12345678", 8);
		roundtrip(&adv, vips);
		fill_advert(&adv, 3, AF_INET, n, vips);
		roundtrip(&adv, vips);
		fill_advert(&adv, 3, AF_INET, n, vips);
		adv.dst = A("192.0.2.8");              /* unicast destination */
		roundtrip(&adv, vips);
		fill_advert(&adv, 3, AF_INET6, n, vips);
		roundtrip(&adv, vips);
	}
}

static void test_encode_errors(void **state)
{
	struct vprefix vips[VRRP_MAX_ADDRS];
	struct vrrp_advert adv;
	uint8_t buf[VRRP_PKT_MAX];
	fill_advert(&adv, 3, AF_INET6, 2, vips);
	assert_int_equal(vrrp_pkt_encode(&adv, buf, 8 + 2 * 16 - 1), -ENOSPC);
	assert_int_equal(vrrp_pkt_encode(&adv, buf, 8 + 2 * 16), 8 + 2 * 16);
	adv.version = 2;                       /* v2 is IPv4 only */
	assert_int_equal(vrrp_pkt_encode(&adv, buf, sizeof(buf)), -EINVAL);
	fill_advert(&adv, 3, AF_INET, 2, vips);
	adv.adver_int = 4096;
	assert_int_equal(vrrp_pkt_encode(&adv, buf, sizeof(buf)), -EINVAL);
	adv.adver_int = 0;
	assert_int_equal(vrrp_pkt_encode(&adv, buf, sizeof(buf)), -EINVAL);
	fill_advert(&adv, 3, AF_INET, 2, vips);
	adv.addrs[1] = A("2001:db8::1");       /* mixed families */
	assert_int_equal(vrrp_pkt_encode(&adv, buf, sizeof(buf)), -EINVAL);
	fill_advert(&adv, 3, AF_INET, 2, vips);
	adv.n_addrs = VRRP_MAX_ADDRS + 1;
	assert_int_equal(vrrp_pkt_encode(&adv, buf, sizeof(buf)), -EINVAL);
	fill_advert(&adv, 3, AF_INET, 2, vips);
	adv.src.family = AF_UNSPEC;            /* v3 needs the pseudo-header */
	assert_int_equal(vrrp_pkt_encode(&adv, buf, sizeof(buf)), -EINVAL);
	fill_advert(&adv, 2, AF_INET, 2, vips);
	adv.auth_type = VRRP_WIRE_AUTH_AH + 1;   /* no such type (AH: test_vrrp_ah) */
	assert_int_equal(vrrp_pkt_encode(&adv, buf, sizeof(buf)), -EINVAL);
	fill_advert(&adv, 3, AF_INET, 2, vips);
	assert_int_equal(vrrp_pkt_build_ip4(&adv, 255, 1, buf, 19), -ENOSPC);
	assert_int_equal(vrrp_pkt_build_ip4(&adv, 255, 1, buf, 20 + 15), -ENOSPC);
}

static void test_intervals(void **state)
{
	assert_int_equal(vrrp_adver_int_to_wire(3, 1.0), 100);
	assert_int_equal(vrrp_adver_int_to_wire(3, 0.004), 1);
	assert_int_equal(vrrp_adver_int_to_wire(3, 0.015), 2);
	assert_int_equal(vrrp_adver_int_to_wire(3, 41.0), 4095);
	assert_int_equal(vrrp_adver_int_to_wire(2, 1.4), 1);
	assert_int_equal(vrrp_adver_int_to_wire(2, 2.6), 3);
	assert_int_equal(vrrp_adver_int_to_wire(2, 0.0), 1);
	assert_int_equal(vrrp_adver_int_to_wire(2, 300.0), 255);
}

/* The glue from the configuration: a conf-built advert is accepted by a conf-built expectation. */
static void test_from_conf(void **state)
{
	struct vprefix vips[] = { P("192.0.2.10"), P("192.0.2.11") };
	struct vaddr peers[] = { A("192.0.2.3"), A("192.0.2.7") };
	struct vrrp_inst_conf c = {
		.vrid = 9, .priority = 100, .version = 2, .advert_interval = 2.0,
		.family = AF_INET, .addrs = vips, .n_addrs = 2, .unicast = true,
		.peers = peers, .n_peers = 2, .auth_type = VRRP_AUTH_PASS,
		.auth_pass = "abcdefgh",
	};
	struct vrrp_advert adv, got;
	struct vrrp_expect e;
	uint8_t buf[VRRP_IP4_HDR_LEN + VRRP_PKT_MAX];
	assert_int_equal(vrrp_advert_from_conf(&c, 100, &adv), 0);
	adv.src = peers[1];
	adv.dst = A("192.0.2.1");
	vrrp_expect_from_conf(&c, &e);
	int n = vrrp_pkt_build_ip4(&adv, 64, 1, buf, sizeof(buf));
	assert_true(n > 0);
	/* Unicast: a routed TTL is fine, the source is a peer. */
	assert_int_equal(vrrp_pkt_rx_ip4(buf, (size_t)n, &e, &got), VRRP_RX_OK);
	assert_memory_equal(got.auth_data, "abcdefgh", 8);
	assert_int_equal(got.adver_int, 2);
	c.version = 3;
	c.advert_interval = 0.25;
	assert_int_equal(vrrp_advert_from_conf(&c, 100, &adv), 0);
	assert_int_equal(adv.adver_int, 25);
	assert_int_equal(adv.auth_type, VRRP_WIRE_AUTH_NONE);
	struct vaddr g = A("224.0.0.18");
	assert_true(vaddr_equal(&adv.dst, &g));
	c.n_addrs = VRRP_MAX_ADDRS + 1;
	assert_int_equal(vrrp_advert_from_conf(&c, 100, &adv), -E2BIG);
}

/* ---- every reject reason ------------------------------------------------ */

enum mutation {
	MUT_NONE, MUT_TRUNC_IP, MUT_TRUNC_VRRP, MUT_TOTLEN, MUT_PROTO, MUT_IPVER, MUT_TTL,
	MUT_VERSION, MUT_TYPE, MUT_COUNT, MUT_TOO_MANY, MUT_CSUM, MUT_PASS,
};

struct reject_case {
	const char *name;
	enum mutation mut;
	void (*expect)(struct vrrp_expect *e);
	enum vrrp_rx want;
};

static void exp_vrid(struct vrrp_expect *e) { e->vrid = 2; }
static void exp_family(struct vrrp_expect *e) { e->family = AF_INET6; }
static void exp_v3(struct vrrp_expect *e) { e->version = 3; }
static void exp_interval(struct vrrp_expect *e) { e->v2_adver_int = 3; }
static void exp_pass(struct vrrp_expect *e) { e->auth_type = VRRP_AUTH_PASS; }
static void exp_pass_same(struct vrrp_expect *e)
{
	e->auth_type = VRRP_AUTH_PASS;
	memcpy(e->auth_pass, "secret", 6);
}
static void exp_pass_other(struct vrrp_expect *e)
{
	e->auth_type = VRRP_AUTH_PASS;
	memcpy(e->auth_pass, "secreT", 6);
}
static void exp_peer(struct vrrp_expect *e)
{
	static struct vaddr peers[1];
	peers[0] = A("192.0.2.3");     /* not the sender, 192.0.2.2 */
	e->unicast = true;
	e->peers = peers;
	e->n_peers = 1;
}
static void exp_addrs(struct vrrp_expect *e) { e->n_addrs = 0; }

static const struct reject_case reject_cases[] = {
	{ "good", MUT_NONE, NULL, VRRP_RX_OK },
	{ "other vrid", MUT_NONE, exp_vrid, VRRP_RX_NOT_FOR_US },
	{ "other family", MUT_NONE, exp_family, VRRP_RX_NOT_FOR_US },
	{ "shorter than ip header", MUT_TRUNC_IP, NULL, VRRP_RX_SHORT },
	{ "shorter than vrrp header", MUT_TRUNC_VRRP, NULL, VRRP_RX_SHORT },
	{ "ip total length", MUT_TOTLEN, NULL, VRRP_RX_LENGTH },
	{ "ip protocol", MUT_PROTO, NULL, VRRP_RX_IP_HEADER },
	{ "ip version", MUT_IPVER, NULL, VRRP_RX_IP_HEADER },
	{ "ttl 254", MUT_TTL, NULL, VRRP_RX_TTL },
	{ "vrrp version 4", MUT_VERSION, NULL, VRRP_RX_VERSION },
	{ "not our version", MUT_NONE, exp_v3, VRRP_RX_VERSION },
	{ "type 2", MUT_TYPE, NULL, VRRP_RX_TYPE },
	{ "count vs length", MUT_COUNT, NULL, VRRP_RX_COUNT },
	{ "21 addresses", MUT_TOO_MANY, NULL, VRRP_RX_TOO_MANY },
	{ "checksum", MUT_CSUM, NULL, VRRP_RX_CHECKSUM },
	{ "v2 interval", MUT_NONE, exp_interval, VRRP_RX_INTERVAL },
	{ "auth type", MUT_NONE, exp_pass, VRRP_RX_AUTH_TYPE },
	{ "auth type pass, we have none", MUT_PASS, NULL, VRRP_RX_AUTH_TYPE },
	{ "good password", MUT_PASS, exp_pass_same, VRRP_RX_OK },
	{ "password", MUT_PASS, exp_pass_other, VRRP_RX_AUTH_PASS },
	{ "unicast peer", MUT_NONE, exp_peer, VRRP_RX_PEER },
	{ "address list", MUT_NONE, exp_addrs, VRRP_RX_ADDR_MISMATCH },
};

/* hand_v2 mutated; returns the length to decode. buf is large enough for 21 addresses. */
static size_t mutate(enum mutation m, uint8_t *buf)
{
	size_t len = sizeof(hand_v2);
	memcpy(buf, hand_v2, len);
	switch (m) {
	case MUT_TRUNC_IP: return 19;
	case MUT_TRUNC_VRRP: buf[3] = 27; return 27;
	case MUT_TOTLEN: buf[3] = 0x29; break;
	case MUT_PROTO: buf[9] = 6; break;
	case MUT_IPVER: buf[0] = 0x65; break;
	case MUT_TTL: buf[8] = 254; break;
	case MUT_VERSION: buf[20] = 0x41; break;
	case MUT_TYPE: buf[20] = 0x22; break;
	case MUT_COUNT: buf[23] = 2; break;
	case MUT_CSUM: buf[27] ^= 1; break;
	case MUT_PASS:                /* auth type 1, "secret", checksum redone */
		buf[24] = VRRP_WIRE_AUTH_PASS;
		memcpy(buf + 32, "secret", 6);
		buf[26] = buf[27] = 0;
		uint16_t c = inet_csum(buf + 20, len - 20);
		buf[26] = (uint8_t)(c >> 8);
		buf[27] = (uint8_t)c;
		break;
	case MUT_TOO_MANY:
		len = 20 + 8 + 21 * 4 + 8;
		memset(buf + 20 + 8, 0, len - 28);
		buf[2] = (uint8_t)(len >> 8);
		buf[3] = (uint8_t)len;
		buf[23] = 21;
		break;
	default: break;
	}
	return len;
}

static void test_reject_reasons(void **state)
{
	bool seen[VRRP_RX__COUNT] = { false };
	struct vprefix vips[] = { P("192.0.2.1") };
	uint8_t buf[256];
	for (size_t i = 0; i < sizeof(reject_cases) / sizeof(reject_cases[0]); i++) {
		const struct reject_case *c = &reject_cases[i];
		struct vrrp_expect e;
		struct vrrp_advert adv;
		expect_init(&e, 2, 1, AF_INET, vips, 1);
		if (c->expect)
			c->expect(&e);
		size_t len = mutate(c->mut, buf);
		enum vrrp_rx r = vrrp_pkt_rx_ip4(buf, len, &e, &adv);
		if (r != c->want)
			fail_msg("%s: got %s, want %s", c->name, vrrp_rx_str(r), vrrp_rx_str(c->want));
		seen[r] = true;
	}
	for (int r = 0; r < VRRP_RX__COUNT; r++) {
		if (!seen[r])
			fail_msg("no case for %s", vrrp_rx_str((enum vrrp_rx)r));
		assert_string_not_equal(vrrp_rx_str((enum vrrp_rx)r), "?");
		for (int q = 0; q < r; q++)
			assert_string_not_equal(vrrp_rx_str((enum vrrp_rx)r), vrrp_rx_str((enum vrrp_rx)q));
	}
	assert_string_equal(vrrp_rx_str(VRRP_RX_TTL), "ttl");
	assert_string_equal(vrrp_rx_str(VRRP_RX_CHECKSUM), "checksum");
	assert_string_equal(vrrp_rx_str(VRRP_RX__COUNT), "?");
}

/* Unicast instances skip the TTL check (peers may be routed), multicast ones do not. */
static void test_ttl_unicast(void **state)
{
	struct vprefix vips[] = { P("192.0.2.1") };
	struct vaddr peer = A("192.0.2.2");
	struct vrrp_expect e;
	struct vrrp_advert adv;
	uint8_t buf[sizeof(hand_v2)];
	memcpy(buf, hand_v2, sizeof(buf));
	buf[8] = 64;
	expect_init(&e, 2, 1, AF_INET, vips, 1);
	assert_int_equal(vrrp_pkt_rx_ip4(buf, sizeof(buf), &e, &adv), VRRP_RX_TTL);
	e.unicast = true;
	e.peers = &peer;
	e.n_peers = 1;
	assert_int_equal(vrrp_pkt_rx_ip4(buf, sizeof(buf), &e, &adv), VRRP_RX_OK);
}

/* keepalived's min_ttl / max_ttl: a unicast advert's TTL within the range,
 * bounds included; from the configuration, max_ttl 0 means no bound. */
static void test_ttl_range(void **state)
{
	struct vprefix vips[] = { P("192.0.2.1") };
	struct vaddr peer = A("192.0.2.2");
	struct vrrp_inst_conf c = {
		.vrid = 1, .version = 2, .advert_interval = 1.0, .family = AF_INET,
		.addrs = vips, .n_addrs = 1, .unicast = true, .peers = &peer, .n_peers = 1,
		.min_ttl = 5, .max_ttl = 10,
	};
	struct vrrp_expect e;
	struct vrrp_advert adv;
	uint8_t buf[sizeof(hand_v2)];
	static const struct { uint8_t ttl; enum vrrp_rx want; } cases[] = {
		{ 4, VRRP_RX_TTL }, { 5, VRRP_RX_OK }, { 7, VRRP_RX_OK }, { 10, VRRP_RX_OK },
		{ 11, VRRP_RX_TTL }, { 255, VRRP_RX_TTL },
	};
	(void)state;
	vrrp_expect_from_conf(&c, &e);
	memcpy(buf, hand_v2, sizeof(buf));
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf[8] = cases[i].ttl;
		buf[10] = buf[11] = 0;   /* the IP checksum is not the codec's business */
		assert_int_equal(vrrp_pkt_rx_ip4(buf, sizeof(buf), &e, &adv), cases[i].want);
	}
	c.min_ttl = 0;
	c.max_ttl = 0;
	vrrp_expect_from_conf(&c, &e);
	assert_false(e.ttl_range);
	buf[8] = 1;
	assert_int_equal(vrrp_pkt_rx_ip4(buf, sizeof(buf), &e, &adv), VRRP_RX_OK);
	c.unicast = false;             /* multicast: 255 only, whatever the range */
	c.min_ttl = 5;
	c.max_ttl = 10;
	vrrp_expect_from_conf(&c, &e);
	buf[8] = 7;
	assert_int_equal(vrrp_pkt_rx_ip4(buf, sizeof(buf), &e, &adv), VRRP_RX_TTL);
}

/* RFC 3768/5798 §7.1: a differing address list is dropped unless it comes from the owner. */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_arithmetic),
		cmocka_unit_test(test_hand_v2),
		cmocka_unit_test(test_hand_v3_ip4),
		cmocka_unit_test(test_hand_v3_ip6),
		cmocka_unit_test(test_roundtrips),
		cmocka_unit_test(test_encode_errors),
		cmocka_unit_test(test_intervals),
		cmocka_unit_test(test_from_conf),
		cmocka_unit_test(test_reject_reasons),
		cmocka_unit_test(test_ttl_unicast),
		cmocka_unit_test(test_ttl_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
