/*
 * test_vrrp_garp: the hand-built announcement frames (vrrp/garp.c) and
 * the IPC_VRRP_STATE framing: a gratuitous ARP request and an unsolicited
 * neighbour advertisement byte for byte, and the size check of the vrrp
 * state message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "errbuf.h"
#include "ipc.h"
#include "vrrp_garp.h"

static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x01, 0x33 };

static void test_arp(void **state)
{
	static const uint8_t want[VRRP_GARP_FRAME_LEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x5e, 0x00, 0x01, 0x33,
		0x08, 0x06,                                   /* ARP */
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,     /* Ethernet/IPv4, request */
		0x02, 0x00, 0x5e, 0x00, 0x01, 0x33, 192, 0, 2, 10,   /* sender */
		0, 0, 0, 0, 0, 0, 192, 0, 2, 10,              /* target: the same address */
	};
	uint8_t f[VRRP_GARP_FRAME_LEN];
	struct in_addr ip;
	inet_pton(AF_INET, "192.0.2.10", &ip);
	vrrp_garp_build_arp(mac, &ip, f);
	assert_memory_equal(f, want, sizeof(want));
}

static void test_na(void **state)
{
	uint8_t m[VRRP_NA_LEN];
	struct in6_addr t;
	inet_pton(AF_INET6, "2001:db8::10", &t);
	vrrp_garp_build_na(mac, &t, m);
	assert_int_equal(m[0], 136);                  /* neighbour advertisement */
	assert_int_equal(m[1], 0);
	assert_int_equal(m[2] | m[3], 0);             /* checksum: the kernel's */
	assert_int_equal(m[4], 0x20);                 /* O, not R, not S */
	assert_memory_equal(m + 8, &t, 16);
	assert_int_equal(m[24], 2);                   /* target link-layer address */
	assert_int_equal(m[25], 1);
	assert_memory_equal(m + 26, mac, 6);
}

static void test_ipc_size(void **state)
{
	struct errbuf eb;
	struct ipc_hdr h = { .type = IPC_VRRP_STATE, .len = sizeof(struct ipc_vrrp_state) };
	assert_int_equal(ipc_check(&h, &eb), 0);
	h.len = sizeof(struct ipc_vrrp_state) - 1;
	assert_int_equal(ipc_check(&h, &eb), -EBADMSG);
	h.len = sizeof(struct ipc_vrrp_state) + 1;
	assert_int_equal(ipc_check(&h, &eb), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_na),
		cmocka_unit_test(test_ipc_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
