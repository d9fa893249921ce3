/*
 * test_synpkt: the half-open TCP check's packets. The SYN's bytes and its
 * checksum (against a value computed independently, in Python, for the
 * same segment), and the reading of replies: SYN-ACK and RST in IPv4
 * packets with and without IP options, IPv6 segments, ICMP quotes, and
 * every malformed input refused without reading past its length.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "inet_csum.h"
#include "synpkt.h"

static struct vaddr v4(const char *s)
{
	struct vaddr a = { .family = AF_INET };
	assert_int_equal(inet_pton(AF_INET, s, &a.u.v4), 1);
	return a;
}

static struct vaddr v6(const char *s)
{
	struct vaddr a = { .family = AF_INET6 };
	assert_int_equal(inet_pton(AF_INET6, s, &a.u.v6), 1);
	return a;
}

static void test_build_v4(void **st)
{
	(void)st;
	struct vaddr src = v4("198.51.100.1"), dst = v4("198.51.100.11");
	uint8_t seg[SYNPKT_LEN];
	synpkt_build(seg, &src, &dst, 40000, 80, 0x12345678);
	const uint8_t want[SYNPKT_LEN] = {
		0x9c, 0x40, 0x00, 0x50, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0,
		0x60, 0x02, 0xff, 0xff, 0x3e, 0x76, 0, 0, 2, 4, 0x05, 0xb4,
	};
	assert_memory_equal(seg, want, SYNPKT_LEN);
	/* The receiver's view: the sum over pseudo-header and segment is 0. */
	uint8_t ph[12 + SYNPKT_LEN];
	memcpy(ph, &src.u.v4, 4);
	memcpy(ph + 4, &dst.u.v4, 4);
	ph[8] = 0;
	ph[9] = 6;
	ph[10] = 0;
	ph[11] = SYNPKT_LEN;
	memcpy(ph + 12, seg, SYNPKT_LEN);
	assert_int_equal(inet_csum(ph, sizeof(ph)), 0);
}

static void test_build_v6_leaves_checksum(void **st)
{
	(void)st;
	struct vaddr dst = v6("2001:db8::11");
	uint8_t seg[SYNPKT_LEN];
	synpkt_build(seg, NULL, &dst, 1, 443, 7);
	assert_int_equal(seg[16], 0);
	assert_int_equal(seg[17], 0);
	assert_int_equal(seg[13], SYNPKT_SYN);
}

/* An IPv4 packet from 198.51.100.11:80 carrying a reply segment. */
static size_t reply_v4(uint8_t *b, size_t ihl, uint8_t flags, uint32_t ack)
{
	memset(b, 0, 80);
	b[0] = (uint8_t)(0x40 | ihl / 4);
	size_t tot = ihl + 20;
	b[2] = (uint8_t)(tot >> 8);
	b[3] = (uint8_t)tot;
	b[6] = 0x40;                          /* DF */
	b[8] = 64;
	b[9] = 6;
	memcpy(b + 12, &(struct in_addr){ htonl(0xc633640b) }, 4);   /* 198.51.100.11 */
	memcpy(b + 16, &(struct in_addr){ htonl(0xc6336401) }, 4);
	uint8_t *t = b + ihl;
	t[0] = 0;
	t[1] = 80;
	t[2] = 0x9c;
	t[3] = 0x40;
	t[4] = 0xaa;
	t[8] = (uint8_t)(ack >> 24);
	t[9] = (uint8_t)(ack >> 16);
	t[10] = (uint8_t)(ack >> 8);
	t[11] = (uint8_t)ack;
	t[12] = 5 << 4;
	t[13] = flags;
	return tot;
}

static void test_parse_v4(void **st)
{
	(void)st;
	uint8_t b[80];
	struct synpkt_reply r;
	size_t n = reply_v4(b, 20, SYNPKT_SYN | SYNPKT_ACK, 0x12345679);
	assert_int_equal(synpkt_parse(AF_INET, b, n, NULL, &r), 0);
	struct vaddr rs = v4("198.51.100.11");
	assert_true(vaddr_equal(&r.src, &rs));
	assert_int_equal(r.sport, 80);
	assert_int_equal(r.dport, 40000);
	assert_int_equal(r.ack, 0x12345679);
	assert_int_equal(r.seq, 0xaa000000u);
	assert_int_equal(r.flags, SYNPKT_SYN | SYNPKT_ACK);
	/* IP options move the TCP header. */
	n = reply_v4(b, 28, SYNPKT_RST | SYNPKT_ACK, 5);
	assert_int_equal(synpkt_parse(AF_INET, b, n, NULL, &r), 0);
	assert_int_equal(r.flags, SYNPKT_RST | SYNPKT_ACK);
	assert_int_equal(r.ack, 5);
	assert_int_equal(r.dport, 40000);
	/* Trailing bytes past the IP total length are ignored. */
	n = reply_v4(b, 20, SYNPKT_SYN | SYNPKT_ACK, 1);
	assert_int_equal(synpkt_parse(AF_INET, b, n + 10, NULL, &r), 0);
}

static void test_parse_v4_malformed(void **st)
{
	(void)st;
	uint8_t b[80];
	struct synpkt_reply r;
	size_t n = reply_v4(b, 20, SYNPKT_SYN | SYNPKT_ACK, 1);
	for (size_t len = 0; len < n; len++)          /* every truncation */
		assert_int_equal(synpkt_parse(AF_INET, b, len, NULL, &r), -1);
	b[0] = 0x65;                                     /* version 6 */
	assert_int_equal(synpkt_parse(AF_INET, b, n, NULL, &r), -1);
	b[0] = 0x44;                                     /* IHL 16 bytes */
	assert_int_equal(synpkt_parse(AF_INET, b, n, NULL, &r), -1);
	n = reply_v4(b, 20, SYNPKT_SYN | SYNPKT_ACK, 1);
	b[9] = 17;                                       /* UDP */
	assert_int_equal(synpkt_parse(AF_INET, b, n, NULL, &r), -1);
	n = reply_v4(b, 20, SYNPKT_SYN | SYNPKT_ACK, 1);
	b[6] = 0x20;                                     /* more fragments */
	assert_int_equal(synpkt_parse(AF_INET, b, n, NULL, &r), -1);
	n = reply_v4(b, 20, SYNPKT_SYN | SYNPKT_ACK, 1);
	b[20 + 12] = 4 << 4;                             /* data offset < 5 */
	assert_int_equal(synpkt_parse(AF_INET, b, n, NULL, &r), -1);
	b[20 + 12] = 6 << 4;                             /* options past the end */
	assert_int_equal(synpkt_parse(AF_INET, b, n, NULL, &r), -1);
	n = reply_v4(b, 20, SYNPKT_SYN | SYNPKT_ACK, 1);
	b[2] = 0;
	b[3] = 10;                                       /* total < header */
	assert_int_equal(synpkt_parse(AF_INET, b, n, NULL, &r), -1);
	assert_int_equal(synpkt_parse(AF_UNIX, b, n, NULL, &r), -1);
}

static void test_parse_v6(void **st)
{
	(void)st;
	struct vaddr from = v6("2001:db8::11"), dst = v6("2001:db8::11");
	uint8_t seg[SYNPKT_LEN];
	synpkt_build(seg, NULL, &dst, 8080, 40000, 99);  /* any segment will do */
	seg[13] = SYNPKT_RST | SYNPKT_ACK;
	struct synpkt_reply r;
	assert_int_equal(synpkt_parse(AF_INET6, seg, sizeof(seg), &from, &r), 0);
	assert_true(vaddr_equal(&r.src, &from));
	assert_int_equal(r.sport, 8080);
	assert_int_equal(r.dport, 40000);
	assert_int_equal(r.seq, 99);
	assert_int_equal(r.flags, SYNPKT_RST | SYNPKT_ACK);
	assert_int_equal(synpkt_parse(AF_INET6, seg, 19, &from, &r), -1);
	assert_int_equal(synpkt_parse(AF_INET6, seg, sizeof(seg), NULL, &r), -1);
	struct vaddr four = v4("198.51.100.11");
	assert_int_equal(synpkt_parse(AF_INET6, seg, sizeof(seg), &four, &r), -1);
}

static void test_quoted(void **st)
{
	(void)st;
	struct vaddr dst = v4("198.51.100.11"), src = v4("198.51.100.1");
	uint8_t seg[SYNPKT_LEN];
	synpkt_build(seg, &src, &dst, 40000, 82, 0xdeadbeef);
	uint16_t sp, dp;
	uint32_t seq;
	assert_int_equal(synpkt_parse_quoted(seg, 8, &sp, &dp, &seq), 0);
	assert_int_equal(sp, 40000);
	assert_int_equal(dp, 82);
	assert_int_equal(seq, 0xdeadbeef);
	assert_int_equal(synpkt_parse_quoted(seg, 7, &sp, &dp, &seq), -1);
}

/* Random bytes never crash the reader (it runs under ASan in CI). */
static void test_fuzz(void **st)
{
	(void)st;
	uint8_t b[128];
	struct synpkt_reply r;
	struct vaddr from = v6("2001:db8::11");
	srand(42);
	for (int i = 0; i < 20000; i++) {
		size_t len = (size_t)rand() % sizeof(b);
		for (size_t j = 0; j < len; j++)
			b[j] = (uint8_t)rand();
		if (i & 1)
			b[0] = (uint8_t)(0x40 | (b[0] & 0x0f));
		synpkt_parse(AF_INET, b, len, NULL, &r);
		synpkt_parse(AF_INET6, b, len, &from, &r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_v4),
		cmocka_unit_test(test_build_v6_leaves_checksum),
		cmocka_unit_test(test_parse_v4),
		cmocka_unit_test(test_parse_v4_malformed),
		cmocka_unit_test(test_parse_v6),
		cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_fuzz),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
