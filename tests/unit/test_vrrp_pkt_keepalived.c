/*
 * test_vrrp_pkt_keepalived: the VRRP codec (vrrp/pkt.c) against adverts
 * captured from keepalived 2.2.7, the RFC §7.1 owner exception to the
 * address-list check, and a bounded deterministic fuzz loop over mutated
 * captures and random bytes (run it under valgrind or the ASan build:
 * every fuzz input sits in a heap block of exactly its length).
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

#include "vrrp_pkt.h"
#include "vrrp_test.h"

/* ---- keepalived 2.2.7 captures ----------------------------------------- */

/*
 * Captured with tests/unit/data/vrrp-capture.sh: keepalived 2.2.7
 * (`keepalived -n -l -D -P -f vrrp-keepalived.conf`) in network namespace
 * vigvrrpcap0 on veth vkc0 (192.0.2.1/24, 2001:db8::1/64, link-local
 * fe80::98f2:c3ff:fea4:64c3), tcpdump on the peer vkc1; each instance is
 * "state MASTER" and the adverts are those it sent as master; SIGTERM
 * gave the priority-0 ones. The pcap is tests/unit/data/
 * vrrp-keepalived-2.2.7.pcap; IPv4 arrays are the whole IP packet, IPv6
 * arrays the VRRP message (hop limit 255, src fe80::98f2:c3ff:fea4:64c3,
 * dst ff02::12).
 */

/* vrrp_instance V2_NOAUTH: version 2, vrid 51, priority 150, advert_int 1,
 * 192.0.2.10/24 192.0.2.11/24. Note the 8 zero bytes of auth data. */
static const uint8_t ka_v2_noauth[] = {
	0x45, 0xc0, 0x00, 0x2c, 0x00, 0x01, 0x00, 0x00, 0xff, 0x70, 0x18, 0x8d,
	0xc0, 0x00, 0x02, 0x01, 0xe0, 0x00, 0x00, 0x12, 0x21, 0x33, 0x96, 0x02,
	0x00, 0x01, 0xc4, 0xb2, 0xc0, 0x00, 0x02, 0x0a, 0xc0, 0x00, 0x02, 0x0b,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* The same instance stopping (priority 0), IP id 8. */
static const uint8_t ka_v2_noauth_prio0[] = {
	0x45, 0xc0, 0x00, 0x2c, 0x00, 0x08, 0x00, 0x00, 0xff, 0x70, 0x18, 0x86,
	0xc0, 0x00, 0x02, 0x01, 0xe0, 0x00, 0x00, 0x12, 0x21, 0x33, 0x00, 0x02,
	0x00, 0x01, 0x5a, 0xb3, 0xc0, 0x00, 0x02, 0x0a, 0xc0, 0x00, 0x02, 0x0b,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* vrrp_instance V2_PASS: version 2, vrid 52, priority 100, advert_int 2,
 * authentication { auth_type PASS; auth_pass s3cret }, 192.0.2.20/24. */
static const uint8_t ka_v2_pass[] = {
	0x45, 0xc0, 0x00, 0x28, 0x00, 0x01, 0x00, 0x00, 0xff, 0x70, 0x18, 0x91,
	0xc0, 0x00, 0x02, 0x01, 0xe0, 0x00, 0x00, 0x12, 0x21, 0x34, 0x64, 0x01,
	0x01, 0x02, 0x7b, 0x99, 0xc0, 0x00, 0x02, 0x14, 0x73, 0x33, 0x63, 0x72,
	0x65, 0x74, 0x00, 0x00,
};
/* vrrp_instance V3_V4: version 3, vrid 53, priority 200, advert_int 0.5,
 * 192.0.2.30/24 192.0.2.31/24 192.0.2.32/24. */
static const uint8_t ka_v3_ip4[] = {
	0x45, 0xc0, 0x00, 0x28, 0x00, 0x01, 0x00, 0x00, 0xff, 0x70, 0x18, 0x91,
	0xc0, 0x00, 0x02, 0x01, 0xe0, 0x00, 0x00, 0x12, 0x31, 0x35, 0xc8, 0x03,
	0x00, 0x32, 0x1d, 0x9d, 0xc0, 0x00, 0x02, 0x1e, 0xc0, 0x00, 0x02, 0x1f,
	0xc0, 0x00, 0x02, 0x20,
};
/* vrrp_instance V3_V6: version 3, vrid 54, priority 120, advert_int 1,
 * 2001:db8::54/64. */
static const uint8_t ka_v3_ip6[] = {
	0x31, 0x36, 0x78, 0x01, 0x00, 0x64, 0x69, 0xde, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x54,
};
static const uint8_t ka_v3_ip6_prio0[] = {
	0x31, 0x36, 0x00, 0x01, 0x00, 0x64, 0xe1, 0xde, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x54,
};
#define KA_LL "fe80::98f2:c3ff:fea4:64c3"

/* Decodes an IPv4 capture, re-encodes it with our IP header builder and
 * compares byte for byte: our encoder produces what keepalived sends. */
static void ka_ip4_same(const uint8_t *pkt, size_t len, const struct vrrp_expect *e,
			uint8_t priority, uint16_t ip_id)
{
	struct vrrp_advert adv;
	assert_int_equal(vrrp_pkt_rx_ip4(pkt, len, e, &adv), VRRP_RX_OK);
	assert_int_equal(adv.priority, priority);
	struct vaddr src = A("192.0.2.1");
	assert_true(vaddr_equal(&adv.src, &src));
	uint8_t out[VRRP_IP4_HDR_LEN + VRRP_PKT_MAX];
	assert_int_equal(vrrp_pkt_build_ip4(&adv, 255, ip_id, out, sizeof(out)), (int)len);
	assert_memory_equal(out, pkt, len);
}

static void test_keepalived_v2(void **state)
{
	struct vprefix vips[] = { P("192.0.2.10"), P("192.0.2.11") };
	struct vrrp_expect e;
	expect_init(&e, 2, 51, AF_INET, vips, 2);
	ka_ip4_same(ka_v2_noauth, sizeof(ka_v2_noauth), &e, 150, 1);
	ka_ip4_same(ka_v2_noauth_prio0, sizeof(ka_v2_noauth_prio0), &e, 0, 8);
	/* A v3 instance with the same VRID does not accept it. */
	struct vrrp_advert adv;
	e.version = 3;
	assert_int_equal(vrrp_pkt_rx_ip4(ka_v2_noauth, sizeof(ka_v2_noauth), &e, &adv),
			 VRRP_RX_VERSION);
}

static void test_keepalived_v2_pass(void **state)
{
	struct vprefix vips[] = { P("192.0.2.20") };
	struct vrrp_expect e;
	struct vrrp_advert adv;
	expect_init(&e, 2, 52, AF_INET, vips, 1);
	e.v2_adver_int = 2;
	e.auth_type = VRRP_AUTH_PASS;
	memcpy(e.auth_pass, "s3cret", 6);
	ka_ip4_same(ka_v2_pass, sizeof(ka_v2_pass), &e, 100, 1);
	assert_int_equal(vrrp_pkt_rx_ip4(ka_v2_pass, sizeof(ka_v2_pass), &e, &adv), VRRP_RX_OK);
	assert_int_equal(adv.auth_type, VRRP_WIRE_AUTH_PASS);
	assert_memory_equal(adv.auth_data, "s3cret\0\0", 8);
	memcpy(e.auth_pass, "s3cre7", 6);
	assert_int_equal(vrrp_pkt_rx_ip4(ka_v2_pass, sizeof(ka_v2_pass), &e, &adv),
			 VRRP_RX_AUTH_PASS);
	e.auth_type = VRRP_AUTH_NONE;
	assert_int_equal(vrrp_pkt_rx_ip4(ka_v2_pass, sizeof(ka_v2_pass), &e, &adv),
			 VRRP_RX_AUTH_TYPE);
}

static void test_keepalived_v3_ip4(void **state)
{
	struct vprefix vips[] = { P("192.0.2.30"), P("192.0.2.31"), P("192.0.2.32") };
	struct vrrp_expect e;
	struct vrrp_advert adv;
	expect_init(&e, 3, 53, AF_INET, vips, 3);
	ka_ip4_same(ka_v3_ip4, sizeof(ka_v3_ip4), &e, 200, 1);
	assert_int_equal(vrrp_pkt_rx_ip4(ka_v3_ip4, sizeof(ka_v3_ip4), &e, &adv), VRRP_RX_OK);
	assert_int_equal(adv.adver_int, 50);
	assert_true(vrrp_advert_interval(&adv) == 0.5);
	/* v3 does not compare intervals: the backup learns the master's. */
	e.v2_adver_int = 7;
	assert_int_equal(vrrp_pkt_rx_ip4(ka_v3_ip4, sizeof(ka_v3_ip4), &e, &adv), VRRP_RX_OK);
}

static void test_keepalived_v3_ip6(void **state)
{
	struct vprefix vips[] = { P("2001:db8::54") };
	struct in6_addr src = A6(KA_LL), dst = A6("ff02::12");
	struct vrrp_expect e;
	struct vrrp_advert adv;
	uint8_t out[VRRP_PKT_MAX];
	expect_init(&e, 3, 54, AF_INET6, vips, 1);
	assert_int_equal(vrrp_pkt_rx_ip6(ka_v3_ip6, sizeof(ka_v3_ip6), 255, &src, &dst, &e, &adv),
			 VRRP_RX_OK);
	assert_int_equal(adv.priority, 120);
	assert_int_equal(adv.adver_int, 100);
	struct vaddr ll = A(KA_LL);
	assert_true(vaddr_equal(&adv.src, &ll));
	assert_int_equal(vrrp_pkt_encode(&adv, out, sizeof(out)), sizeof(ka_v3_ip6));
	assert_memory_equal(out, ka_v3_ip6, sizeof(ka_v3_ip6));
	assert_int_equal(vrrp_pkt_rx_ip6(ka_v3_ip6_prio0, sizeof(ka_v3_ip6_prio0), 255, &src, &dst,
					 &e, &adv), VRRP_RX_OK);
	assert_int_equal(adv.priority, 0);
	assert_int_equal(vrrp_pkt_encode(&adv, out, sizeof(out)), sizeof(ka_v3_ip6_prio0));
	assert_memory_equal(out, ka_v3_ip6_prio0, sizeof(ka_v3_ip6_prio0));
	assert_int_equal(vrrp_pkt_rx_ip6(ka_v3_ip6, sizeof(ka_v3_ip6), 64, &src, &dst, &e, &adv),
			 VRRP_RX_TTL);
}

static void test_addr_mismatch_owner(void **state)
{
	struct vprefix mine[] = { P("192.0.2.30"), P("192.0.2.31") };
	struct vrrp_expect e;
	struct vrrp_advert adv;
	uint8_t buf[VRRP_IP4_HDR_LEN + VRRP_PKT_MAX];
	expect_init(&e, 3, 53, AF_INET, mine, 2);
	enum vrrp_rx r = vrrp_pkt_rx_ip4(ka_v3_ip4, sizeof(ka_v3_ip4), &e, &adv);
	assert_int_equal(r, VRRP_RX_ADDR_MISMATCH);
	assert_int_equal(adv.n_addrs, 3);     /* still fully decoded */
	assert_false(vrrp_rx_usable(r, &adv));
	adv.priority = 255;
	int n = vrrp_pkt_build_ip4(&adv, 255, 1, buf, sizeof(buf));
	assert_true(n > 0);
	r = vrrp_pkt_rx_ip4(buf, (size_t)n, &e, &adv);
	assert_int_equal(r, VRRP_RX_ADDR_MISMATCH);
	assert_true(vrrp_rx_usable(r, &adv));
	assert_true(vrrp_rx_usable(VRRP_RX_OK, &adv));
	assert_false(vrrp_rx_usable(VRRP_RX_CHECKSUM, &adv));
}

/* ---- fuzz ---------------------------------------------------------------- */

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Decodes a heap copy of exactly len bytes, so any overread is caught by valgrind/ASan. */
static void fuzz_one(const uint8_t *data, size_t len, bool ip6, const struct vrrp_expect *e)
{
	uint8_t *p = malloc(len ? len : 1);
	assert_non_null(p);
	memcpy(p, data, len);
	struct vrrp_advert adv;
	struct in6_addr src = A6(KA_LL), dst = A6("ff02::12");
	enum vrrp_rx r = ip6 ? vrrp_pkt_rx_ip6(p, len, 255, &src, &dst, e, &adv)
			     : vrrp_pkt_rx_ip4(p, len, e, &adv);
	assert_true((unsigned)r < VRRP_RX__COUNT);
	if (r == VRRP_RX_OK || r == VRRP_RX_ADDR_MISMATCH)
		assert_true(adv.n_addrs <= VRRP_MAX_ADDRS);
	free(p);
}

static void test_fuzz(void **state)
{
	static const struct { const uint8_t *p; size_t len; bool ip6; } seeds[] = {
		{ ka_v2_noauth, sizeof(ka_v2_noauth), false },
		{ ka_v2_pass, sizeof(ka_v2_pass), false },
		{ ka_v3_ip4, sizeof(ka_v3_ip4), false },
		{ ka_v3_ip6, sizeof(ka_v3_ip6), true },
		{ ka_v3_ip6_prio0, sizeof(ka_v3_ip6_prio0), true },
	};
	struct vprefix vips[] = { P("192.0.2.10"), P("192.0.2.11") };
	struct vrrp_expect e;
	expect_init(&e, 2, 51, AF_INET, vips, 2);
	uint64_t seed = 0x5eed0f1c0ffee123ull;
	uint8_t buf[512];
	for (unsigned i = 0; i < 20000; i++) {
		size_t k = xorshift(&seed) % (sizeof(seeds) / sizeof(seeds[0]));
		size_t len = seeds[k].len;
		memcpy(buf, seeds[k].p, len);
		unsigned flips = (unsigned)(xorshift(&seed) % 4);
		for (unsigned f = 0; f < flips; f++)
			buf[xorshift(&seed) % len] = (uint8_t)xorshift(&seed);
		if (xorshift(&seed) % 3 == 0)
			len = xorshift(&seed) % (len + 1);          /* truncate */
		fuzz_one(buf, len, seeds[k].ip6, &e);
		/* Random bytes behind a plausible IPv4 header (length consistent). */
		len = VRRP_IP4_HDR_LEN + xorshift(&seed) % 200;
		for (size_t b = 0; b < len; b++)
			buf[b] = (uint8_t)xorshift(&seed);
		buf[0] = 0x45;
		buf[2] = (uint8_t)(len >> 8);
		buf[3] = (uint8_t)len;
		buf[9] = VRRP_IPPROTO;
		fuzz_one(buf, len, false, &e);
		fuzz_one(buf + VRRP_IP4_HDR_LEN, len - VRRP_IP4_HDR_LEN, true, &e);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keepalived_v2),
		cmocka_unit_test(test_keepalived_v2_pass),
		cmocka_unit_test(test_keepalived_v3_ip4),
		cmocka_unit_test(test_keepalived_v3_ip6),
		cmocka_unit_test(test_addr_mismatch_owner),
		cmocka_unit_test(test_fuzz),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
