/*
 * test_vrrp_ah: VRRPv2 with IPsec AH (vrrp/ah.c, vrrp/hmac_md5.c, the AH
 * path of vrrp/pkt.c) — HMAC-MD5 against the RFC 2202 vectors, adverts
 * built byte for byte as keepalived 2.2.7 sends them (captures: tests/unit/data/vrrp-keepalived-ah.conf says how), its
 * adverts decoded and verified, every field the ICV covers or must not
 * cover, and the anti-replay numbers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vrrp_ah.h"
#include "vrrp_md5.h"
#include "vrrp_pkt.h"
#include "vrrp_test.h"

/* vrrp_instance V2_AH: vrid 52, priority 150, advert_int 1, 192.0.2.10/24,
 * auth_pass s3cret; from 192.0.2.1 to 224.0.0.18, IP id 1, sequence 1. */
static const uint8_t ka_ah_1[] = {
	0x45, 0xc0, 0x00, 0x40, 0x00, 0x01, 0x00, 0x00, 0xff, 0x33, 0x18, 0xb6,
	0xc0, 0x00, 0x02, 0x01, 0xe0, 0x00, 0x00, 0x12,
	0x70, 0x04, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x01,
	0xe9, 0x5f, 0x3f, 0xb3, 0xa2, 0x19, 0x7e, 0xbc, 0xc4, 0x63, 0x42, 0xe6,
	0x21, 0x34, 0x96, 0x01, 0x02, 0x01, 0x84, 0xbe, 0xc0, 0x00, 0x02, 0x0a,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* The same instance at SIGTERM: priority 0, IP id 5, sequence 5. */
static const uint8_t ka_ah_prio0[] = {
	0x45, 0xc0, 0x00, 0x40, 0x00, 0x05, 0x00, 0x00, 0xff, 0x33, 0x18, 0xb2,
	0xc0, 0x00, 0x02, 0x01, 0xe0, 0x00, 0x00, 0x12,
	0x70, 0x04, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x05,
	0x34, 0xa6, 0xab, 0xf0, 0x6c, 0x60, 0x42, 0x51, 0x7f, 0x32, 0xee, 0xb5,
	0x21, 0x34, 0x00, 0x01, 0x02, 0x01, 0x1a, 0xbf, 0xc0, 0x00, 0x02, 0x0a,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* vrrp_instance V2_AHU: unicast 192.0.2.1 -> 192.0.2.2, vrid 53,
 * 192.0.2.20/24, auth_pass "longerpassword" (keepalived keys "longerpa"). */
static const uint8_t ka_ahu_1[] = {
	0x45, 0xc0, 0x00, 0x40, 0x00, 0x01, 0x00, 0x00, 0xff, 0x33, 0x36, 0xc6,
	0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02,
	0x70, 0x04, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x01,
	0xe9, 0xca, 0xcc, 0x1a, 0x52, 0x6f, 0x50, 0x5a, 0x48, 0xbe, 0x22, 0xd5,
	0x21, 0x35, 0x96, 0x01, 0x02, 0x01, 0x84, 0xb3, 0xc0, 0x00, 0x02, 0x14,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const char key_s3cret[8] = "s3cret";
static const char key_longer[8] = { 'l', 'o', 'n', 'g', 'e', 'r', 'p', 'a' };

static void hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static void hmac_is(const uint8_t *key, size_t klen, const char *msg, const char *want)
{
	uint8_t d[VRRP_MD5_LEN];
	char h[33];
	size_t n = strlen(msg);
	assert_int_equal(vrrp_hmac_md5(key, klen, msg, n / 2, msg + n / 2, n - n / 2, d), 0);
	hex(d, sizeof(d), h);
	assert_string_equal(h, want);
}

static void test_hmac_md5_rfc2202(void **state)
{
	uint8_t k[80];
	(void)state;
	memset(k, 0x0b, 16);
	hmac_is(k, 16, "Hi There", "9294727a3638bb1c13f48ef8158bfc9d");
	hmac_is((const uint8_t *)"Jefe", 4, "what do ya want for nothing?",
		"750c783e6ab0b503eaa86e310a5db738");
	memset(k, 0xaa, 80);
	hmac_is(k, 80, "Test Using Larger Than Block-Size Key - Hash Key First",
		"6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
}

/* The advert keepalived's V2_AH or V2_AHU sends. */
static void ka_advert(struct vrrp_advert *adv, uint8_t vrid, uint8_t prio, const char *vip,
		      const char *dst)
{
	memset(adv, 0, sizeof(*adv));
	adv->version = 2;
	adv->vrid = vrid;
	adv->priority = prio;
	adv->adver_int = 1;
	adv->family = AF_INET;
	adv->n_addrs = 1;
	adv->addrs[0] = A(vip);
	adv->auth_type = VRRP_WIRE_AUTH_AH;
	adv->src = A("192.0.2.1");
	adv->dst = A(dst);
}

static void test_build_as_keepalived(void **state)
{
	struct vrrp_advert adv;
	uint8_t buf[VRRP_AH_PKT_MAX];
	(void)state;
	ka_advert(&adv, 52, 150, "192.0.2.10", "224.0.0.18");
	struct vrrp_ah_tx tx = { .key = key_s3cret, .seq = 1, .ip_id = 1, .ttl = 255 };
	int n = vrrp_ah_build(&adv, &tx, buf, sizeof(buf));
	assert_int_equal(n, sizeof(ka_ah_1));
	assert_memory_equal(buf, ka_ah_1, sizeof(ka_ah_1));

	adv.priority = 0;
	tx.seq = tx.ip_id = 5;
	assert_int_equal(vrrp_ah_build(&adv, &tx, buf, sizeof(buf)), sizeof(ka_ah_prio0));
	assert_memory_equal(buf, ka_ah_prio0, sizeof(ka_ah_prio0));

	/* Unicast: the TTL is not in the ICV; any TTL gives the same one. */
	ka_advert(&adv, 53, 150, "192.0.2.20", "192.0.2.2");
	struct vrrp_ah_tx utx = { .key = key_longer, .seq = 1, .ip_id = 1, .ttl = 64,
				  .unicast = true };
	assert_int_equal(vrrp_ah_build(&adv, &utx, buf, sizeof(buf)), sizeof(ka_ahu_1));
	assert_memory_equal(buf + 20, ka_ahu_1 + 20, sizeof(ka_ahu_1) - 20);
	assert_int_equal(buf[8], 64);
}

static void test_build_refuses(void **state)
{
	struct vrrp_advert adv;
	uint8_t buf[VRRP_AH_PKT_MAX];
	(void)state;
	ka_advert(&adv, 52, 150, "192.0.2.10", "224.0.0.18");
	struct vrrp_ah_tx tx = { .key = key_s3cret, .seq = 1, .ip_id = 1, .ttl = 255 };
	assert_int_equal(vrrp_ah_build(&adv, &tx, buf, 40), -ENOSPC);
	assert_int_equal(vrrp_ah_build(&adv, &tx, buf, sizeof(ka_ah_1) - 1), -ENOSPC);
	tx.ip_id = 0;   /* the kernel would pick one the ICV did not cover */
	assert_int_equal(vrrp_ah_build(&adv, &tx, buf, sizeof(buf)), -EINVAL);
	tx.ip_id = 1;
	tx.key = NULL;
	assert_int_equal(vrrp_ah_build(&adv, &tx, buf, sizeof(buf)), -EINVAL);
	tx.key = key_s3cret;
	adv.auth_type = VRRP_WIRE_AUTH_PASS;
	assert_int_equal(vrrp_ah_build(&adv, &tx, buf, sizeof(buf)), -EINVAL);
	adv.auth_type = VRRP_WIRE_AUTH_AH;
	adv.version = 3;
	assert_int_equal(vrrp_ah_build(&adv, &tx, buf, sizeof(buf)), -EINVAL);
}

static void ah_expect(struct vrrp_expect *e, const struct vprefix *vip, uint8_t vrid,
		      const char *key, enum vrrp_auth type)
{
	expect_init(e, 2, vrid, AF_INET, vip, 1);
	e->auth_type = type;
	memcpy(e->auth_pass, key, VRRP_AUTH_DATA_LEN);
}

static void test_decode_keepalived(void **state)
{
	struct vrrp_advert adv;
	struct vrrp_expect e;
	struct vprefix vip = P("192.0.2.10"), uvip = P("192.0.2.20");
	struct vaddr peer = A("192.0.2.1");
	(void)state;
	ah_expect(&e, &vip, 52, key_s3cret, VRRP_AUTH_AH);
	assert_int_equal(vrrp_pkt_rx_ip4(ka_ah_1, sizeof(ka_ah_1), &e, &adv), VRRP_RX_OK);
	assert_true(adv.ah.present);
	assert_int_equal(adv.ah.spi, 0xc0000201);
	assert_int_equal(adv.ah.seq, 1);
	assert_int_equal(adv.vrid, 52);
	assert_int_equal(adv.priority, 150);
	assert_int_equal(adv.auth_type, VRRP_WIRE_AUTH_AH);
	assert_true(vaddr_equal(&adv.src, &peer));
	assert_int_equal(vrrp_pkt_rx_ip4(ka_ah_prio0, sizeof(ka_ah_prio0), &e, &adv), VRRP_RX_OK);
	assert_int_equal(adv.priority, 0);
	assert_int_equal(adv.ah.seq, 5);

	ah_expect(&e, &uvip, 53, key_longer, VRRP_AUTH_AH);
	e.unicast = true;
	e.peers = &peer;
	e.n_peers = 1;
	assert_int_equal(vrrp_pkt_rx_ip4(ka_ahu_1, sizeof(ka_ahu_1), &e, &adv), VRRP_RX_OK);
	/* Checked as a multicast instance would, the TTL is in the ICV:
	 * the same bytes fail. */
	assert_int_equal(vrrp_ah_verify(ka_ahu_1, sizeof(ka_ahu_1), key_longer, false),
			 VRRP_RX_AUTH_PASS);
}

static void test_auth_mismatches(void **state)
{
	struct vrrp_advert adv;
	struct vrrp_expect e;
	struct vprefix vip = P("192.0.2.10");
	(void)state;
	ah_expect(&e, &vip, 52, "s3creT\0", VRRP_AUTH_AH);
	assert_int_equal(vrrp_pkt_rx_ip4(ka_ah_1, sizeof(ka_ah_1), &e, &adv), VRRP_RX_AUTH_PASS);
	ah_expect(&e, &vip, 52, key_s3cret, VRRP_AUTH_PASS);
	assert_int_equal(vrrp_pkt_rx_ip4(ka_ah_1, sizeof(ka_ah_1), &e, &adv), VRRP_RX_AUTH_TYPE);
	ah_expect(&e, &vip, 52, key_s3cret, VRRP_AUTH_NONE);
	assert_int_equal(vrrp_pkt_rx_ip4(ka_ah_1, sizeof(ka_ah_1), &e, &adv), VRRP_RX_AUTH_TYPE);

	/* Auth type 2 without the AH header (protocol 112): refused as such
	 * by an AH instance; and a plain advert by an AH instance. */
	struct vrrp_advert a;
	uint8_t buf[VRRP_AH_PKT_MAX];
	ka_advert(&a, 52, 150, "192.0.2.10", "224.0.0.18");
	int n = vrrp_pkt_build_ip4(&a, 255, 1, buf, sizeof(buf));
	assert_true(n > 0);
	ah_expect(&e, &vip, 52, key_s3cret, VRRP_AUTH_AH);
	assert_int_equal(vrrp_pkt_rx_ip4(buf, (size_t)n, &e, &adv), VRRP_RX_AUTH_TYPE);
	a.auth_type = VRRP_WIRE_AUTH_NONE;
	n = vrrp_pkt_build_ip4(&a, 255, 1, buf, sizeof(buf));
	assert_int_equal(vrrp_pkt_rx_ip4(buf, (size_t)n, &e, &adv), VRRP_RX_AUTH_TYPE);
}

/* One byte of the keepalived advert changed: what the codec says. */
static enum vrrp_rx mutated(size_t off, uint8_t xor)
{
	uint8_t p[sizeof(ka_ah_1)];
	struct vrrp_advert adv;
	struct vrrp_expect e;
	struct vprefix vip = P("192.0.2.10");
	memcpy(p, ka_ah_1, sizeof(p));
	p[off] ^= xor;
	ah_expect(&e, &vip, 52, key_s3cret, VRRP_AUTH_AH);
	return vrrp_pkt_rx_ip4(p, sizeof(p), &e, &adv);
}

static void test_icv_coverage(void **state)
{
	(void)state;
	/* Mutable on the way, left out of the ICV. */
	assert_int_equal(mutated(1, 0x20), VRRP_RX_OK);              /* TOS */
	assert_int_equal(mutated(6, 0x40), VRRP_RX_OK);              /* DF */
	assert_int_equal(mutated(10, 0x01), VRRP_RX_OK);             /* header checksum */
	/* Covered. */
	assert_int_equal(mutated(5, 0x02), VRRP_RX_AUTH_PASS);       /* IP id */
	assert_int_equal(mutated(15, 0x01), VRRP_RX_AUTH_PASS);      /* source */
	assert_int_equal(mutated(19, 0x01), VRRP_RX_AUTH_PASS);      /* destination */
	assert_int_equal(mutated(27, 0x01), VRRP_RX_AUTH_PASS);      /* SPI */
	assert_int_equal(mutated(31, 0x01), VRRP_RX_AUTH_PASS);      /* sequence */
	assert_int_equal(mutated(35, 0x80), VRRP_RX_AUTH_PASS);      /* ICV */
	assert_int_equal(mutated(22, 0x01), VRRP_RX_AUTH_PASS);      /* AH reserved */
	/* Refused before the ICV. */
	assert_int_equal(mutated(8, 0x01), VRRP_RX_TTL);
	assert_int_equal(mutated(20, 0x01), VRRP_RX_IP_HEADER);     /* next header */
	assert_int_equal(mutated(21, 0x01), VRRP_RX_IP_HEADER);     /* AH length */
	assert_int_equal(mutated(46, 0x01), VRRP_RX_CHECKSUM);      /* priority */
	assert_int_equal(mutated(44, 0x03), VRRP_RX_TYPE);
	assert_int_equal(mutated(60, 0x01), VRRP_RX_CHECKSUM);      /* VRRP auth data */
}

static void test_truncated(void **state)
{
	struct vrrp_advert adv;
	struct vrrp_expect e;
	struct vprefix vip = P("192.0.2.10");
	uint8_t p[sizeof(ka_ah_1)];
	(void)state;
	ah_expect(&e, &vip, 52, key_s3cret, VRRP_AUTH_AH);
	for (size_t n = 0; n < sizeof(ka_ah_1); n++) {
		memcpy(p, ka_ah_1, n);
		if (n >= 4) {
			p[2] = 0;
			p[3] = (uint8_t)n;    /* lengths agree: the inner checks run */
		}
		enum vrrp_rx r = vrrp_pkt_rx_ip4(p, n, &e, &adv);
		assert_int_not_equal(r, VRRP_RX_OK);
		assert_int_not_equal(vrrp_ah_verify(p, n, key_s3cret, false), VRRP_RX_OK);
	}
}

static void test_replay(void **state)
{
	struct vrrp_ah_seq s;
	struct vaddr a = A("192.0.2.1"), b = A("192.0.2.2");
	(void)state;
	memset(&s, 0, sizeof(s));
	assert_true(vrrp_ah_seq_accept(&s, &a, 7));        /* first from a: any number */
	assert_false(vrrp_ah_seq_accept(&s, &a, 7));       /* replay */
	assert_false(vrrp_ah_seq_accept(&s, &a, 3));
	assert_true(vrrp_ah_seq_accept(&s, &a, 8));
	assert_true(vrrp_ah_seq_accept(&s, &b, 2));        /* b has its own numbers */
	assert_false(vrrp_ah_seq_accept(&s, &b, 1));
	/* We send past everything heard, keepalived's counter included. */
	assert_int_equal(vrrp_ah_seq_next(&s), 9);
	assert_int_equal(vrrp_ah_seq_next(&s), 10);
	vrrp_ah_seq_sync(&s, 20);                           /* a lower master said 20 */
	assert_int_equal(vrrp_ah_seq_next(&s), 22);
	assert_true(vrrp_ah_seq_accept(&s, &a, 30));
	assert_int_equal(vrrp_ah_seq_next(&s), 31);
	/* Saturates at the top rather than wrap to numbers peers refuse. */
	vrrp_ah_seq_sync(&s, UINT32_MAX);
	assert_int_equal(vrrp_ah_seq_next(&s), UINT32_MAX);
	assert_int_equal(vrrp_ah_seq_next(&s), UINT32_MAX);
}

static void test_replay_many_sources(void **state)
{
	struct vrrp_ah_seq s;
	char txt[32];
	(void)state;
	memset(&s, 0, sizeof(s));
	for (unsigned i = 1; i <= VRRP_AH_PEERS; i++) {
		snprintf(txt, sizeof(txt), "192.0.2.%u", i);
		struct vaddr x = A(txt);
		assert_true(vrrp_ah_seq_accept(&s, &x, 100));
	}
	for (unsigned i = 1; i <= VRRP_AH_PEERS; i++) {
		snprintf(txt, sizeof(txt), "192.0.2.%u", i);
		struct vaddr x = A(txt);
		assert_false(vrrp_ah_seq_accept(&s, &x, 100));
	}
	/* A ninth source takes the oldest slot: 192.0.2.1 is forgotten. */
	struct vaddr ninth = A("192.0.2.99"), first = A("192.0.2.1"), second = A("192.0.2.2");
	assert_true(vrrp_ah_seq_accept(&s, &ninth, 5));
	assert_false(vrrp_ah_seq_accept(&s, &ninth, 5));
	assert_false(vrrp_ah_seq_accept(&s, &second, 100));
	assert_true(vrrp_ah_seq_accept(&s, &first, 1));
}

/* What we build, we accept; and what the configuration makes of an AH
 * instance is what keepalived's would send. */
static void test_round_trip_from_conf(void **state)
{
	struct vprefix vip = P("192.0.2.10");
	struct vrrp_inst_conf c = {
		.name = "VI_1", .vrid = 52, .priority = 150, .version = 2,
		.advert_interval = 1.0, .family = AF_INET, .addrs = &vip, .n_addrs = 1,
		.auth_type = VRRP_AUTH_AH, .auth_pass = "s3cret",
	};
	struct vrrp_advert adv, back;
	struct vrrp_expect e;
	uint8_t buf[VRRP_AH_PKT_MAX];
	(void)state;
	assert_int_equal(vrrp_advert_from_conf(&c, 150, &adv), 0);
	assert_int_equal(adv.auth_type, VRRP_WIRE_AUTH_AH);
	adv.src = A("192.0.2.1");
	vrrp_expect_from_conf(&c, &e);
	struct vrrp_ah_tx tx = { .key = e.auth_pass, .seq = 1, .ip_id = 1, .ttl = 255 };
	int n = vrrp_ah_build(&adv, &tx, buf, sizeof(buf));
	assert_int_equal(n, sizeof(ka_ah_1));
	assert_memory_equal(buf, ka_ah_1, sizeof(ka_ah_1));
	assert_int_equal(vrrp_pkt_rx_ip4(buf, (size_t)n, &e, &back), VRRP_RX_OK);
	assert_int_equal(vrrp_pkt_encode(&adv, buf, sizeof(buf)), 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_md5_rfc2202),
		cmocka_unit_test(test_build_as_keepalived),
		cmocka_unit_test(test_build_refuses),
		cmocka_unit_test(test_decode_keepalived),
		cmocka_unit_test(test_auth_mismatches),
		cmocka_unit_test(test_icv_coverage),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_replay_many_sources),
		cmocka_unit_test(test_round_trip_from_conf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
