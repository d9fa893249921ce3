/*
 * inet_csum: the Internet checksum against published vectors (RFC 1071's
 * worked example, a well-known IPv4 header), odd lengths, sums built in
 * chunks, carries over 200 kB of 0xff, and pseudo-headers: UDP over IPv4
 * and IPv6 (checksums computed independently, by a plain sum of 16-bit
 * words), the receiver's zero over a packet holding its checksum, and an
 * IPv6 length above 65535 whose high half the sum must include.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"
#include "inet_csum.h"

/* An IPv4 header with its checksum (0xb861) in bytes 10-11. */
static const uint8_t ip4[20] = {
	0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
	0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
};

static void test_known_vectors(void **st)
{
	(void)st;
	/* RFC 1071 section 3: the folded sum is ddf2, the checksum its complement. */
	const uint8_t rfc[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	assert_int_equal(inet_csum_add(0, rfc, sizeof(rfc)), 0xddf2);
	assert_int_equal(inet_csum(rfc, sizeof(rfc)), 0x220d);
	uint8_t h[20];
	memcpy(h, ip4, sizeof(h));
	h[10] = h[11] = 0;
	assert_int_equal(inet_csum(h, sizeof(h)), 0xb861);
	assert_int_equal(inet_csum(ip4, sizeof(ip4)), 0);   /* the receiver's check */
}

static void test_odd_lengths(void **st)
{
	(void)st;
	const uint8_t b[] = { 0x01, 0x02, 0x03 };
	const uint8_t ff[] = { 0xff, 0xff, 0xff };
	assert_int_equal(inet_csum(b, 0), 0xffff);
	assert_int_equal(inet_csum(b, 1), 0xfeff);          /* 01 is the word 0100 */
	assert_int_equal(inet_csum(b, 3), 0xfbfd);          /* 0102 + 0300 */
	assert_int_equal(inet_csum(ff, 3), 0x00ff);         /* ffff + ff00, carried */
	/* An even chunk, then the odd last one, is the same as all at once. */
	assert_int_equal(inet_csum_fold(inet_csum_add(inet_csum_add(0, b, 2), b + 2, 1)),
			 inet_csum(b, 3));
}

static void test_chunks_and_carries(void **st)
{
	(void)st;
	uint32_t s = inet_csum_add(0, ip4, 2);
	s = inet_csum_add(s, ip4 + 2, 6);
	s = inet_csum_add(s, ip4 + 8, 12);
	assert_int_equal(inet_csum_fold(s), 0);
	size_t n = 200000;
	uint8_t *big = malloc(n);
	assert_non_null(big);
	memset(big, 0xff, n);
	s = inet_csum_add(0, big, n);
	assert_true(s <= 0x10000);                          /* kept folded */
	assert_int_equal(inet_csum_fold(s), 0);             /* ffff is -0 */
	big[n - 1] = 0xfe;
	assert_int_equal(inet_csum(big, n), 0x0001);
	free(big);
}

/* UDP 1234 -> 53, 3 bytes "abc", checksum field zero. */
static const uint8_t udp[11] = { 0x04, 0xd2, 0x00, 0x35, 0x00, 0x0b, 0x00, 0x00, 'a', 'b', 'c' };

static uint16_t udp_csum(const char *src, const char *dst)
{
	struct vaddr s, d;
	assert_int_equal(vaddr_parse(src, &s), 0);
	assert_int_equal(vaddr_parse(dst, &d), 0);
	uint32_t sum = inet_csum_pseudo(&s, &d, IPPROTO_UDP, sizeof(udp));
	uint16_t c = inet_csum_fold(inet_csum_add(sum, udp, sizeof(udp)));
	/* Filled in, the same sum over pseudo-header and datagram is 0. */
	uint8_t full[sizeof(udp)];
	memcpy(full, udp, sizeof(udp));
	full[6] = (uint8_t)(c >> 8);
	full[7] = (uint8_t)c;
	assert_int_equal(inet_csum_fold(inet_csum_add(sum, full, sizeof(full))), 0);
	return c;
}

static void test_pseudo_headers(void **st)
{
	(void)st;
	assert_int_equal(udp_csum("192.0.2.1", "198.51.100.2"), 0x4a37);
	assert_int_equal(udp_csum("2001:db8::1", "2001:db8::2"), 0xdaf9);
	/* IPv6's length is 32 bits: against the header laid out by hand. */
	struct vaddr s, d;
	vaddr_parse("2001:db8::1", &s);
	vaddr_parse("2001:db8::2", &d);
	uint8_t ph[40] = { 0 };
	memcpy(ph, &s.u.v6, 16);
	memcpy(ph + 16, &d.u.v6, 16);
	uint32_t len = 0x12345;
	uint32_t nlen = htonl(len);
	memcpy(ph + 32, &nlen, 4);
	ph[39] = 58;
	assert_int_equal(inet_csum_fold(inet_csum_pseudo(&s, &d, 58, len)), inet_csum(ph, 40));
	/* And IPv4's, laid out the same way. */
	vaddr_parse("192.0.2.1", &s);
	vaddr_parse("198.51.100.2", &d);
	uint8_t ph4[12] = { 0 };
	memcpy(ph4, &s.u.v4, 4);
	memcpy(ph4 + 4, &d.u.v4, 4);
	ph4[9] = 6;
	ph4[10] = 0x05;
	ph4[11] = 0xdc;
	assert_int_equal(inet_csum_fold(inet_csum_pseudo(&s, &d, 6, 1500)), inet_csum(ph4, 12));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_vectors),
		cmocka_unit_test(test_odd_lengths),
		cmocka_unit_test(test_chunks_and_carries),
		cmocka_unit_test(test_pseudo_headers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
