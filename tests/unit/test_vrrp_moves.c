/*
 * test_vrrp_moves: what moves with a VRRP instance — the loader's
 * addresses with options, excluded_addresses, routes and rules (values,
 * defaults, errors), their trip through conf_pack to the vrrp child, and
 * the pure comparison a reload uses to apply only the difference.
 */
#include <linux/rtnetlink.h>
#include <stdio.h>

#include "conf_pack.h"
#include "conf_text.h"
#include "errbuf.h"
#include "vrrp_moves.h"

#define HEAD "vrrp = { instances = ( { name = \"GW\"; interface = \"eth0\"; vrid = 9;\n"
#define TAIL " } ); };\n"

static const char gateway[] =
	HEAD
	" addresses = ( \"192.0.2.10/24\", { address = \"192.0.2.11/24\"; device = \"eth1\";\n"
	"   label = \"eth1:gw\"; scope = \"link\"; broadcast = \"192.0.2.255\"; } );\n"
	" excluded_addresses = ( \"2001:db8::1/64\", { address = \"198.51.100.1/24\"; device = \"eth2\"; } );\n"
	" routes = ( { to = \"203.0.113.0/24\"; via = \"198.51.100.100\"; table = 100; metric = 5;\n"
	"   source = \"198.51.100.1\"; },\n"
	"  { to = \"default\"; via = \"2001:db8::fe\"; device = \"eth0\"; },\n"
	"  { to = \"203.0.113.128/25\"; type = \"prohibit\"; scope = \"host\"; } );\n"
	" rules = ( { from = \"192.0.2.0/24\"; to = \"203.0.113.0/24\"; table = 100; priority = 100;\n"
	"   fwmark = 5; fwmask = 255; iif = \"eth0\"; oif = \"eth2\"; },\n"
	"  { from = \"2001:db8::/64\"; table = 101; priority = 101; } );\n"
	TAIL;

static struct conf *load_ok(const char *text)
{
	struct conf_errors errs = { 0 };
	struct conf *c = conf_load_text(text, &errs);
	for (unsigned i = 0; i < errs.n; i++)
		print_message("unexpected: %s\n", errs.lines[i]);
	conf_errors_free(&errs);
	assert_non_null(c);
	return c;
}

/* The first error's text after "FILE:LINE: ", or "" when the load succeeded. */
static void load_err(const char *text, const char *want)
{
	struct conf_errors errs = { 0 };
	struct conf *c = conf_load_text(text, &errs);
	bool found = false;
	for (unsigned i = 0; i < errs.n; i++)
		found |= strstr(errs.lines[i], want) != NULL;
	if (!found)
		for (unsigned i = 0; i < errs.n; i++)
			print_message("got: %s\n", errs.lines[i]);
	conf_errors_free(&errs);
	conf_free(c);
	assert_true(found);
}

static void check_gateway(const struct vrrp_inst_conf *in)
{
	char s[VADDR_STRLEN];
	assert_int_equal(in->n_addrs, 2);          /* the advert: no excluded ones */
	assert_int_equal(in->n_vaddrs, 4);
	assert_null(in->vaddrs[0].dev);
	assert_false(in->vaddrs[0].excluded);
	const struct vrrp_vaddr *a = &in->vaddrs[1];
	assert_string_equal(a->dev, "eth1");
	assert_string_equal(a->label, "eth1:gw");
	assert_int_equal(a->scope, RT_SCOPE_LINK);
	assert_true(a->has_brd);
	assert_string_equal(vaddr_str(&a->brd, s, sizeof(s)), "192.0.2.255");
	assert_true(in->vaddrs[2].excluded && in->vaddrs[2].p.addr.family == AF_INET6);
	assert_true(in->vaddrs[3].excluded);
	assert_string_equal(in->vaddrs[3].dev, "eth2");
	assert_int_equal(in->n_routes, 3);
	const struct vrrp_route *r = &in->routes[0];
	assert_true(r->table == 100 && r->metric == 5 && r->type == VRRP_RT_UNICAST);
	assert_int_equal(r->scope, VRRP_SCOPE_UNSET);
	assert_string_equal(vaddr_str(&r->src, s, sizeof(s)), "198.51.100.1");
	/* "default" takes the gateway's family */
	assert_int_equal(in->routes[1].to.addr.family, AF_INET6);
	assert_int_equal(in->routes[1].to.plen, 0);
	assert_int_equal(in->routes[1].table, RT_TABLE_MAIN);
	assert_int_equal(in->routes[2].type, VRRP_RT_PROHIBIT);
	assert_int_equal(in->routes[2].scope, RT_SCOPE_HOST);
	assert_int_equal(in->n_rules, 2);
	const struct vrrp_rule *u = &in->rules[0];
	assert_true(u->family == AF_INET && u->table == 100 && u->priority == 100);
	assert_true(u->fwmark == 5 && u->fwmask == 255 && u->to.plen == 24);
	assert_string_equal(u->iif, "eth0");
	assert_string_equal(u->oif, "eth2");
	assert_int_equal(in->rules[1].family, AF_INET6);
}

static void test_parse(void **state)
{
	(void)state;
	struct conf *c = load_ok(gateway);
	check_gateway(&c->vrrp[0]);
	conf_free(c);
}

/* The vrrp child gets all of it through the packed configuration. */
static void test_pack(void **state)
{
	(void)state;
	struct conf_blob a;
	struct errbuf eb;
	struct conf *c = load_ok(gateway);
	assert_int_equal(conf_pack(c, CONF_VIEW_VRRP, &a), 0);
	conf_free(c);
	struct conf *u = conf_unpack(a.data, a.len, &eb);
	conf_blob_free(&a);
	assert_non_null(u);
	check_gateway(&u->vrrp[0]);
	conf_free(u);
}

static void test_errors(void **state)
{
	(void)state;
	load_err(HEAD " addresses = ( { device = \"eth1\"; } );" TAIL, "missing 'address'");
	load_err(HEAD " addresses = ( { address = \"2001:db8::1\"; label = \"x\"; } );" TAIL,
		 "label and broadcast are IPv4 only");
	load_err(HEAD " addresses = ( { address = \"192.0.2.1\"; scope = \"moon\"; } );" TAIL,
		 "scope");
	load_err(HEAD " addresses = [ \"192.0.2.1\" ]; routes = ( { to = \"203.0.113.0/24\"; } );"
		 TAIL, "a unicast route needs via or device");
	load_err(HEAD " addresses = [ \"192.0.2.1\" ]; routes = ( { to = \"203.0.113.0/24\";"
		 " type = \"blackhole\"; device = \"eth0\"; } );" TAIL, "has no via or device");
	load_err(HEAD " addresses = [ \"192.0.2.1\" ]; routes = ( { to = \"203.0.113.0/24\";"
		 " via = \"2001:db8::1\"; } );" TAIL, "via: not of the");
	load_err(HEAD " addresses = [ \"192.0.2.1\" ]; routes = ( { to = \"203.0.113.0/24\";"
		 " device = \"eth0\"; table = 255; } );" TAIL, "local table");
	load_err(HEAD " addresses = [ \"192.0.2.1\" ]; rules = ( { table = 100; } );" TAIL,
		 "missing 'priority'");
	load_err(HEAD " addresses = [ \"192.0.2.1\" ]; rules = ( { priority = 5; table = 9;"
		 " fwmask = 3; } );" TAIL, "fwmask without fwmark");
	load_err(HEAD " addresses = [ \"192.0.2.1\" ]; rules = ( { priority = 5; table = 9;"
		 " from = \"192.0.2.0/24\"; to = \"2001:db8::/32\"; } );" TAIL,
		 "mixed address families");
	load_err(HEAD " addresses = [ \"192.0.2.1\" ]; routes = ( { to = \"203.0.113.0/24\";"
		 " device = \"eth0\"; gateway = \"x\"; } );" TAIL, "gateway");
}

/* A reload compares field by field: equal objects are kept, any field
 * changed makes a different object (removed, then the new one added). */
static void test_same(void **state)
{
	(void)state;
	struct conf *c = load_ok(gateway), *d = load_ok(gateway);
	const struct vrrp_inst_conf *a = &c->vrrp[0];
	struct vrrp_inst_conf *b = &d->vrrp[0];
	for (unsigned i = 0; i < a->n_vaddrs; i++)
		assert_true(vrrp_vaddr_in(&a->vaddrs[i], b->vaddrs, b->n_vaddrs));
	for (unsigned i = 0; i < a->n_routes; i++)
		assert_true(vrrp_route_in(&a->routes[i], b->routes, b->n_routes));
	for (unsigned i = 0; i < a->n_rules; i++)
		assert_true(vrrp_rule_in(&a->rules[i], b->rules, b->n_rules));
	assert_false(vrrp_route_same(&a->routes[0], &a->routes[1]));
	b->routes[0].metric = 6;
	assert_false(vrrp_route_in(&a->routes[0], b->routes, b->n_routes));
	assert_true(vrrp_route_in(&a->routes[1], b->routes, b->n_routes));
	b->vaddrs[1].label[5] = 'x';
	assert_false(vrrp_vaddr_same(&a->vaddrs[1], &b->vaddrs[1]));
	b->vaddrs[0].scope = RT_SCOPE_HOST;
	assert_false(vrrp_vaddr_same(&a->vaddrs[0], &b->vaddrs[0]));
	free(b->rules[0].oif);
	b->rules[0].oif = NULL;
	assert_false(vrrp_rule_same(&a->rules[0], &b->rules[0]));
	b->rules[1].priority++;
	assert_false(vrrp_rule_in(&a->rules[1], b->rules, b->n_rules));
	conf_free(c);
	conf_free(d);
}

static void test_str(void **state)
{
	(void)state;
	char s[256];
	struct conf *c = load_ok(gateway);
	const struct vrrp_inst_conf *in = &c->vrrp[0];
	assert_string_equal(vrrp_route_str(&in->routes[0], s, sizeof(s)),
			    "203.0.113.0/24 via 198.51.100.100 src 198.51.100.1 table 100 metric 5");
	assert_string_equal(vrrp_route_str(&in->routes[2], s, sizeof(s)),
			    "prohibit 203.0.113.128/25 table 254");
	assert_string_equal(vrrp_rule_str(&in->rules[0], s, sizeof(s)),
			    "from 192.0.2.0/24 to 203.0.113.0/24 fwmark 0x5 iif eth0 oif eth2 "
			    "table 100 priority 100");
	assert_string_equal(vrrp_route_str(&in->routes[0], s, 12), "203.0.113.0");
	conf_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_pack),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_same),
		cmocka_unit_test(test_str),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
