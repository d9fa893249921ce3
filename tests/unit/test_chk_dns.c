/*
 * test_chk_dns: the dns check's reading of an answer — every answer
 * record counts, however many (a name with 40 A or AAAA records, the one
 * expected last), CNAMEs before them, and answers that lie about their
 * record count or stop short.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"
#include "chk_parsers.h"

#define QNAME "\3www\7example\4test"

struct pkt {
	unsigned char b[4096];
	int len;
};

static void put(struct pkt *p, const void *d, size_t n)
{
	assert_true(p->len + n <= sizeof(p->b));
	memcpy(p->b + p->len, d, n);
	p->len += (int)n;
}

static void put16(struct pkt *p, unsigned v)
{
	unsigned char b[2] = { (unsigned char)(v >> 8), (unsigned char)v };
	put(p, b, 2);
}

/* A NOERROR reply to QNAME/qtype whose answer is `cname` CNAME records (a
 * chain ending at the question's name: enough to count) and then n
 * address records: 203.0.113.1.. or 2001:db8::1.. */
static void reply(struct pkt *p, unsigned qtype, unsigned cname, unsigned n)
{
	p->len = 0;
	put16(p, 0x1234);
	put16(p, 0x8180);
	put16(p, 1);
	put16(p, cname + n);
	put16(p, 0);
	put16(p, 0);
	put(p, QNAME, sizeof(QNAME));        /* with its root label */
	put16(p, qtype);
	put16(p, 1);
	for (unsigned i = 0; i < cname; i++) {
		put16(p, 0xc00c);
		put16(p, 5);
		put16(p, 1);
		put16(p, 0);
		put16(p, 60);
		put16(p, 2);
		put16(p, 0xc00c);
	}
	for (unsigned i = 1; i <= n; i++) {
		put16(p, 0xc00c);
		put16(p, qtype);
		put16(p, 1);
		put16(p, 0);
		put16(p, 60);
		if (qtype == 1) {
			unsigned char a[4] = { 203, 0, 113, (unsigned char)i };
			put16(p, 4);
			put(p, a, 4);
		} else {
			unsigned char a[16] = { 0x20, 0x01, 0x0d, 0xb8 };
			a[15] = (unsigned char)i;
			put16(p, 16);
			put(p, a, 16);
		}
	}
}

static bool has(const struct pkt *p, const char *addr)
{
	struct vaddr a;
	assert_int_equal(vaddr_parse(addr, &a), 0);
	return chk_dns_has_addr(p->b, p->len, &a) == 1;
}

static void test_many_a(void **st)
{
	(void)st;
	struct pkt p;
	reply(&p, 1, 0, 40);
	assert_true(has(&p, "203.0.113.1"));
	assert_true(has(&p, "203.0.113.32"));
	assert_true(has(&p, "203.0.113.33"));
	assert_true(has(&p, "203.0.113.40"));
	assert_false(has(&p, "203.0.113.41"));
	assert_false(has(&p, "2001:db8::1"));       /* no AAAA in an A answer */
	reply(&p, 1, 0, 200);
	assert_true(has(&p, "203.0.113.200"));
}

static void test_many_aaaa(void **st)
{
	(void)st;
	struct pkt p;
	reply(&p, 28, 0, 40);
	assert_true(has(&p, "2001:db8::1"));
	assert_true(has(&p, "2001:db8::28"));       /* the 40th */
	assert_false(has(&p, "2001:db8::29"));
	assert_false(has(&p, "203.0.113.1"));
}

static void test_cname_and_malformed(void **st)
{
	(void)st;
	struct pkt p;
	reply(&p, 1, 3, 35);
	assert_true(has(&p, "203.0.113.35"));
	/* Cut in the middle of the last record: no answer to trust. */
	reply(&p, 1, 0, 40);
	p.len -= 2;
	assert_false(has(&p, "203.0.113.1"));
	/* A count far above what the packet can hold. */
	reply(&p, 1, 0, 2);
	p.b[6] = p.b[7] = 0xff;
	assert_false(has(&p, "203.0.113.1"));
	assert_false(chk_dns_has_addr(p.b, 11, &(struct vaddr){ .family = AF_INET }));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_a),
		cmocka_unit_test(test_many_aaaa),
		cmocka_unit_test(test_cname_and_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
