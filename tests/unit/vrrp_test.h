/*
 * vrrp_test: helpers shared by the VRRP codec tests (test_vrrp_pkt.c,
 * test_vrrp_pkt_keepalived.c). Include after <cmocka.h>.
 */
#ifndef VIGIL_VRRP_TEST_H
#define VIGIL_VRRP_TEST_H

#include <string.h>

#include "vrrp_pkt.h"

static inline struct vaddr A(const char *s)
{
	struct vaddr a;
	assert_int_equal(vaddr_parse(s, &a), 0);
	return a;
}

static inline struct vprefix P(const char *s)
{
	struct vprefix p = { .addr = A(s), .plen = 24 };
	return p;
}

static inline struct in6_addr A6(const char *s)
{
	return A(s).u.v6;
}

static inline void expect_init(struct vrrp_expect *e, uint8_t version, uint8_t vrid, int family,
			       const struct vprefix *addrs, unsigned n)
{
	memset(e, 0, sizeof(*e));
	e->version = version;
	e->vrid = vrid;
	e->family = family;
	e->addrs = addrs;
	e->n_addrs = n;
	e->v2_adver_int = 1;
}

#endif
