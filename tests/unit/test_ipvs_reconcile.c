/*
 * test_ipvs_reconcile: the reconciler as a table of cases — a wanted, a
 * kernel and an owned table (in ipvs-glue's text format) and the exact
 * operation list expected, compared as dry-run lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <arpa/inet.h>

#include "ipvs.h"

#define MAX_OPS 16

struct rcase {
	const char *name;
	const char *wanted, *kernel, *owned;   /* owned NULL: none */
	const char *ops[MAX_OPS];               /* NULL-terminated */
};

#define BASE \
	"service tcp 192.0.2.10:80 wlc\n" \
	"  dest 198.51.100.11:80 weight 1 nat\n" \
	"  dest 198.51.100.12:80 weight 2 nat\n"

static const struct rcase cases[] = {
	{ "identical: nothing to do", BASE, BASE, NULL, { NULL } },
	{ "empty both", "", "", NULL, { NULL } },
	{ "one weight change: one dest edit", BASE,
	  "service tcp 192.0.2.10:80 wlc\n"
	  "  dest 198.51.100.11:80 weight 1 nat\n"
	  "  dest 198.51.100.12:80 weight 5 nat\n", NULL,
	  { "edit dest tcp 192.0.2.10:80 -> 198.51.100.12:80 weight 2 nat", NULL } },
	{ "dest removed from config: one delete",
	  "service tcp 192.0.2.10:80 wlc\n  dest 198.51.100.11:80 weight 1 nat\n", BASE, NULL,
	  { "delete dest tcp 192.0.2.10:80 -> 198.51.100.12:80", NULL } },
	{ "dest added", BASE "  dest 198.51.100.13:80 weight 1 nat\n", BASE, NULL,
	  { "add dest tcp 192.0.2.10:80 -> 198.51.100.13:80 weight 1 nat", NULL } },
	{ "service added: add + its dests", BASE, "", NULL,
	  { "add service tcp 192.0.2.10:80 wlc",
	    "add dest tcp 192.0.2.10:80 -> 198.51.100.11:80 weight 1 nat",
	    "add dest tcp 192.0.2.10:80 -> 198.51.100.12:80 weight 2 nat", NULL } },
	{ "scheduler changed: one service edit, dests adopted",
	  "service tcp 192.0.2.10:80 rr\n"
	  "  dest 198.51.100.11:80 weight 1 nat\n  dest 198.51.100.12:80 weight 2 nat\n",
	  BASE, NULL, { "edit service tcp 192.0.2.10:80 rr", NULL } },
	{ "persistence added: service edit",
	  "service tcp 192.0.2.10:80 wlc persistent 300 netmask 255.255.255.0\n"
	  "  dest 198.51.100.11:80 weight 1 nat\n  dest 198.51.100.12:80 weight 2 nat\n",
	  BASE, NULL,
	  { "edit service tcp 192.0.2.10:80 wlc persistent 300 netmask 255.255.255.0", NULL } },
	{ "forwarding method change: dest edit, not re-add",
	  "service tcp 192.0.2.10:80 wlc\n"
	  "  dest 198.51.100.11:80 weight 1 dr\n  dest 198.51.100.12:80 weight 2 nat\n",
	  BASE, NULL, { "edit dest tcp 192.0.2.10:80 -> 198.51.100.11:80 weight 1 dr", NULL } },
	{ "thresholds change: dest edit",
	  "service tcp 192.0.2.10:80 wlc\n"
	  "  dest 198.51.100.11:80 weight 1 nat uthreshold 100 lthreshold 10\n"
	  "  dest 198.51.100.12:80 weight 2 nat\n", BASE, NULL,
	  { "edit dest tcp 192.0.2.10:80 -> 198.51.100.11:80 weight 1 nat uthreshold 100 "
	    "lthreshold 10", NULL } },
	{ "unowned kernel service untouched", BASE,
	  BASE "service udp 192.0.2.99:53 rr\n  dest 198.51.100.1:53 weight 1 nat\n", NULL, { NULL } },
	{ "unowned kernel service untouched even when wanted is empty", "",
	  "service udp 192.0.2.99:53 rr\n  dest 198.51.100.1:53 weight 1 nat\n", NULL, { NULL } },
	{ "owned service no longer wanted: deleted; hand-made one kept", "",
	  BASE "service udp 192.0.2.99:53 rr\n", BASE,
	  { "delete service tcp 192.0.2.10:80", NULL } },
	{ "owned but already gone from the kernel: nothing", "", "", BASE, { NULL } },
	{ "key change (port): delete old, add new",
	  "service tcp 192.0.2.10:8080 wlc\n  dest 198.51.100.11:80 weight 1 nat\n",
	  "service tcp 192.0.2.10:80 wlc\n  dest 198.51.100.11:80 weight 1 nat\n",
	  "service tcp 192.0.2.10:80 wlc\n",
	  { "delete service tcp 192.0.2.10:80", "add service tcp 192.0.2.10:8080 wlc",
	    "add dest tcp 192.0.2.10:8080 -> 198.51.100.11:80 weight 1 nat", NULL } },
	{ "protocol is part of the key",
	  "service udp 192.0.2.10:80 wlc\n", "service tcp 192.0.2.10:80 wlc\n", NULL,
	  { "add service udp 192.0.2.10:80 wlc", NULL } },
	{ "fwmark: same mark, other family is another service",
	  "service fwmark 7 inet6 rr\n  dest [2001:db8::11]:0 weight 1 dr\n",
	  "service fwmark 7 rr\n  dest 198.51.100.11:0 weight 1 dr\n", NULL,
	  { "add service fwmark 7 inet6 rr",
	    "add dest fwmark 7 inet6 -> [2001:db8::11]:0 weight 1 dr", NULL } },
	{ "fwmark: adopted, weight edited",
	  "service fwmark 7 rr\n  dest 198.51.100.11:0 weight 4 dr\n",
	  "service fwmark 7 rr\n  dest 198.51.100.11:0 weight 1 dr\n", NULL,
	  { "edit dest fwmark 7 -> 198.51.100.11:0 weight 4 dr", NULL } },
	{ "IPv6 service identical",
	  "service udp [2001:db8::10]:53 rr ops\n  dest [2001:db8::11]:53 weight 1 nat\n",
	  "service udp [2001:db8::10]:53 rr ops\n  dest [2001:db8::11]:53 weight 1 nat\n", NULL,
	  { NULL } },
	{ "one-packet scheduling switched on",
	  "service udp [2001:db8::10]:53 rr ops\n",
	  "service udp [2001:db8::10]:53 rr\n", NULL,
	  { "edit service udp [2001:db8::10]:53 rr ops", NULL } },
	{ "sh flags",
	  "service tcp 192.0.2.20:80 sh sh-port sh-fallback\n",
	  "service tcp 192.0.2.20:80 sh sh-port\n", NULL,
	  { "edit service tcp 192.0.2.20:80 sh sh-fallback sh-port", NULL } },
	{ "v6 persistence prefix",
	  "service tcp [2001:db8::10]:443 wlc persistent 60 prefix 64\n",
	  "service tcp [2001:db8::10]:443 wlc persistent 60\n", NULL,
	  { "edit service tcp [2001:db8::10]:443 wlc persistent 60 prefix 64", NULL } },
	{ "tunnel type change: dest edit",
	  "service tcp 192.0.2.10:80 wlc\n  dest 198.51.100.11:80 weight 1 tun tun-type gue tun-port 6080\n",
	  "service tcp 192.0.2.10:80 wlc\n  dest 198.51.100.11:80 weight 1 tun\n", NULL,
	  { "edit dest tcp 192.0.2.10:80 -> 198.51.100.11:80 weight 1 tun tun-type gue "
	    "tun-port 6080", NULL } },
	{ "kernel lists the dests in another order: the same one edit", BASE,
	  "service tcp 192.0.2.10:80 wlc\n"
	  "  dest 198.51.100.12:80 weight 5 nat\n"
	  "  dest 198.51.100.11:80 weight 1 nat\n", NULL,
	  { "edit dest tcp 192.0.2.10:80 -> 198.51.100.12:80 weight 2 nat", NULL } },
	{ "same position, other dest: delete and add, not edit",
	  "service tcp 192.0.2.10:80 wlc\n"
	  "  dest 198.51.100.11:80 weight 1 nat\n"
	  "  dest 198.51.100.13:80 weight 2 nat\n", BASE, NULL,
	  { "delete dest tcp 192.0.2.10:80 -> 198.51.100.12:80",
	    "add dest tcp 192.0.2.10:80 -> 198.51.100.13:80 weight 2 nat", NULL } },
	{ "kernel lists the services in another order",
	  "service tcp 192.0.2.10:80 wlc\n  dest 198.51.100.11:80 weight 1 nat\n"
	  "service tcp 192.0.2.11:80 wlc\n  dest 198.51.100.11:80 weight 3 nat\n",
	  "service tcp 192.0.2.11:80 wlc\n  dest 198.51.100.11:80 weight 1 nat\n"
	  "service tcp 192.0.2.10:80 wlc\n  dest 198.51.100.11:80 weight 1 nat\n"
	  "service tcp 192.0.2.12:80 wlc\n", "service tcp 192.0.2.12:80 wlc\n",
	  { "delete service tcp 192.0.2.12:80",
	    "edit dest tcp 192.0.2.11:80 -> 198.51.100.11:80 weight 3 nat", NULL } },
	{ "order: dest deletes, edits, adds within a service",
	  "service tcp 192.0.2.10:80 wlc\n"
	  "  dest 198.51.100.13:80 weight 1 nat\n  dest 198.51.100.11:80 weight 9 nat\n",
	  BASE, NULL,
	  { "delete dest tcp 192.0.2.10:80 -> 198.51.100.12:80",
	    "edit dest tcp 192.0.2.10:80 -> 198.51.100.11:80 weight 9 nat",
	    "add dest tcp 192.0.2.10:80 -> 198.51.100.13:80 weight 1 nat", NULL } },
};

static void load(const char *text, struct ipvs_table *t)
{
	struct errbuf eb = { .msg = "" };
	ipvs_table_init(t);
	int err = ipvs_table_parse(text, t, &eb);
	if (err)
		fail_msg("table parse: %s", eb.msg);
}

static void run_case(const struct rcase *c)
{
	struct ipvs_table w, k, o;
	struct ipvs_oplist ops;
	char buf[256];
	load(c->wanted, &w);
	load(c->kernel, &k);
	if (c->owned)
		load(c->owned, &o);
	ipvs_oplist_init(&ops);
	assert_int_equal(ipvs_reconcile(&w, &k, c->owned ? &o : NULL, &ops), 0);
	unsigned n = 0;
	while (c->ops[n])
		n++;
	if (ops.n != n) {
		print_message("case \"%s\": %u ops, expected %u\n", c->name, ops.n, n);
		for (unsigned i = 0; i < ops.n; i++)
			print_message("  %s\n", ipvs_op_format(&ops.ops[i], buf, sizeof(buf)));
	}
	assert_int_equal(ops.n, n);
	for (unsigned i = 0; i < n; i++)
		assert_string_equal(ipvs_op_format(&ops.ops[i], buf, sizeof(buf)), c->ops[i]);
	ipvs_oplist_free(&ops);
	ipvs_table_free(&w);
	ipvs_table_free(&k);
	if (c->owned)
		ipvs_table_free(&o);
}

static void test_cases(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
}

/* Applying the ops to the kernel table (simulated) yields no further ops. */
static void test_converges(void **state)
{
	struct ipvs_table w, k;
	struct ipvs_oplist ops;
	load("service tcp 192.0.2.10:80 wlc\n  dest 198.51.100.11:80 weight 1 nat\n"
	     "service fwmark 3 rr\n  dest 198.51.100.1:0 weight 1 dr\n", &w);
	ipvs_table_init(&k);
	ipvs_oplist_init(&ops);
	assert_int_equal(ipvs_reconcile(&w, &k, NULL, &ops), 0);
	assert_int_equal(ops.n, 4);
	assert_int_equal(ops.ops[0].type, IPVS_OP_ADD_SVC);
	assert_int_equal(ops.ops[1].type, IPVS_OP_ADD_DEST);
	ipvs_oplist_free(&ops);
	assert_int_equal(ipvs_reconcile(&w, &w, &w, &ops), 0);
	assert_int_equal(ops.n, 0);
	ipvs_oplist_free(&ops);
	ipvs_table_free(&w);
	ipvs_table_free(&k);
}

/* A large table: one weight change among 2,000 x 20 is exactly one op. */
static void test_large_one_change(void **state)
{
	struct ipvs_table w, k;
	ipvs_table_init(&w);
	ipvs_table_init(&k);
	for (unsigned s = 0; s < 2000; s++) {
		struct ipvs_svc_key key;
		struct ipvs_service svc;
		struct vaddr a = { .family = AF_INET };
		a.u.v4.s_addr = htonl(0x0a000000 + s);
		ipvs_svc_key_inet(&key, IPPROTO_TCP, &a, 80);
		ipvs_service_defaults(&svc, &key);
		struct ipvs_table_svc *ws = ipvs_table_add_svc(&w, &svc);
		struct ipvs_table_svc *ks = ipvs_table_add_svc(&k, &svc);
		assert_non_null(ws);
		assert_non_null(ks);
		for (unsigned d = 0; d < 20; d++) {
			struct ipvs_dest dest = { .port = 8080, .weight = 1 };
			dest.addr.family = AF_INET;
			dest.addr.u.v4.s_addr = htonl(0xc0a80000 + d);
			assert_int_equal(ipvs_table_add_dest(ws, &dest), 0);
			assert_int_equal(ipvs_table_add_dest(ks, &dest), 0);
		}
	}
	w.svcs[1234].dests[7].weight = 3;
	struct ipvs_oplist ops;
	ipvs_oplist_init(&ops);
	assert_int_equal(ipvs_reconcile(&w, &k, &w, &ops), 0);
	assert_int_equal(ops.n, 1);
	assert_int_equal(ops.ops[0].type, IPVS_OP_EDIT_DEST);
	assert_int_equal(ops.ops[0].dest.weight, 3);
	ipvs_oplist_free(&ops);
	ipvs_table_free(&w);
	ipvs_table_free(&k);
}

static void test_parse_errors(void **state)
{
	struct ipvs_table t;
	struct errbuf eb = { .msg = "" };
	ipvs_table_init(&t);
	assert_int_equal(ipvs_table_parse("service tcp 192.0.2.1:80 wlc\n  dest nope\n", &t, &eb),
			 -EINVAL);
	assert_string_equal(eb.msg, "line 2: syntax error");
	ipvs_table_free(&t);
	assert_int_equal(ipvs_table_parse("  dest 198.51.100.1:80\n", &t, &eb), -EINVAL);
	ipvs_table_free(&t);
	assert_int_equal(ipvs_table_parse("service tcp 192.0.2.1:80 wlc\n dest 198.51.100.1:80\n"
					  " dest 198.51.100.1:80\n", &t, &eb), -EINVAL);
	assert_string_equal(eb.msg, "line 3: destination listed twice");
	ipvs_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_converges),
		cmocka_unit_test(test_large_one_change),
		cmocka_unit_test(test_parse_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
