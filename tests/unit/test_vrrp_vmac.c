/*
 * test_vrrp_vmac: the virtual MAC's pure parts —
 *   - the configuration: the three forms of `vmac`, keepalived's default
 *     names (vrrp.VRID, then vrrp1.VRID ...; IPv6 vrrp6.VRID second),
 *     unicast forcing xmit_base, and the errors;
 *   - the codec carries the setting to the vrrp child;
 *   - the MAC of an instance (00:00:5e:00:01:VRID, IPv6 :02:);
 *   - the kernel settings (vrrp_devconf.h) on a directory tree standing
 *     for /proc/sys/net: what a vmac sets, what its base gets and gets
 *     back, the all.rp_filter dance, that an operator's change wins, and
 *     the note that lets a run put back what a killed run saved.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_pack.h"
#include "conf_text.h"
#include "config.h"
#include "errbuf.h"
#include "vrrp_devconf.h"
#include "vrrp_vmac.h"

#define INST(name, vrid, addr, keys) \
	"{ name = \"" name "\"; interface = \"eth0\"; vrid = " #vrid "; addresses = [ \"" \
	addr "\" ]; " keys " }"
#define VRRP(insts) "vrrp = { instances = ( " insts " ); };\n"

static struct conf *load_ok(const char *text)
{
	struct conf_errors errs = { 0 };
	struct conf *c = conf_load_text(text, &errs);
	for (unsigned i = 0; i < errs.n; i++)
		print_error("unexpected: %s\n", errs.lines[i]);
	assert_int_equal(errs.n, 0);
	assert_non_null(c);
	conf_errors_free(&errs);
	return c;
}

/* The one error text expects (after "FILE:LINE: "). */
static void load_err(const char *text, const char *expect)
{
	struct conf_errors errs = { 0 };
	struct conf *c = conf_load_text(text, &errs);
	assert_null(c);
	assert_int_equal(errs.n, 1);
	const char *m = strstr(errs.lines[0], ": ");   /* past FILE:LINE */
	if (!m || strcmp(m + 2, expect))
		print_error("got: %s\nexpected: %s\n", errs.lines[0], expect);
	assert_non_null(m);
	assert_string_equal(m + 2, expect);
	conf_errors_free(&errs);
}

static void test_forms(void **state)
{
	struct conf *c = load_ok(VRRP(
		INST("A", 51, "192.0.2.10/24", "vmac = true;") ", "
		INST("B", 52, "192.0.2.11/24", "vmac = \"ext.52\";") ", "
		INST("C", 53, "192.0.2.12/24", "vmac = { interface = \"x53\"; xmit_base = true; };") ", "
		INST("D", 54, "192.0.2.13/24", "vmac = false;") ", "
		INST("E", 55, "192.0.2.14/24", "")));
	assert_true(c->vrrp[0].vmac.on);
	assert_false(c->vrrp[0].vmac.xmit_base);
	assert_string_equal(c->vrrp[0].vmac.ifname, "vrrp.51");
	assert_string_equal(c->vrrp[1].vmac.ifname, "ext.52");
	assert_true(c->vrrp[2].vmac.xmit_base);
	assert_string_equal(c->vrrp[2].vmac.ifname, "x53");
	assert_false(c->vrrp[3].vmac.on);
	assert_false(c->vrrp[4].vmac.on);
	assert_string_equal(c->vrrp[4].vmac.ifname, "");
	conf_free(c);
	(void)state;
}

/* keepalived's names: a VRID on two interfaces, and IPv4 + IPv6. */
static void test_default_names(void **state)
{
	struct conf *c = load_ok(VRRP(
		INST("A", 51, "192.0.2.10/24", "vmac = true;") ", "
		"{ name = \"B\"; interface = \"eth1\"; vrid = 51; addresses = [ \"198.51.100.1/24\" ]; "
		"vmac = true; }, "
		INST("C", 51, "2001:db8::10/64", "vmac = true;") ", "
		"{ name = \"D\"; interface = \"eth2\"; vrid = 51; addresses = [ \"2001:db8:1::1/64\" ]; "
		"vmac = true; }, "
		INST("E", 60, "2001:db8::60/64", "vmac = true;") ", "
		INST("F", 61, "192.0.2.61/24", "vmac = \"vrrp.62\";") ", "
		INST("G", 62, "192.0.2.62/24", "vmac = true;")));
	assert_string_equal(c->vrrp[0].vmac.ifname, "vrrp.51");
	assert_string_equal(c->vrrp[1].vmac.ifname, "vrrp1.51");
	assert_string_equal(c->vrrp[2].vmac.ifname, "vrrp6.51");
	assert_string_equal(c->vrrp[3].vmac.ifname, "vrrp2.51");
	assert_string_equal(c->vrrp[4].vmac.ifname, "vrrp.60");
	assert_string_equal(c->vrrp[6].vmac.ifname, "vrrp1.62");   /* vrrp.62 is F's */
	conf_free(c);
	(void)state;
}

static void test_unicast_xmit_base(void **state)
{
	struct conf *c = load_ok(VRRP(INST("A", 51, "192.0.2.10/24",
		"unicast = { peers = [ \"192.0.2.2\" ]; }; vmac = true;")));
	assert_true(c->vrrp[0].vmac.xmit_base);
	conf_free(c);
	load_err(VRRP(INST("A", 51, "192.0.2.10/24",
		"unicast = { peers = [ \"192.0.2.2\" ]; }; vmac = { xmit_base = false; };")),
		"vrrp instance A: vmac: xmit_base = false: unicast adverts leave from the base "
		"interface");
	(void)state;
}

static void test_errors(void **state)
{
	load_err(VRRP(INST("A", 51, "192.0.2.10/24", "vmac = 1;")),
		 "vrrp instance A: vmac: expected true, an interface name or "
		 "{ interface = ...; xmit_base = ...; }");
	load_err(VRRP(INST("A", 51, "192.0.2.10/24", "vmac = \"a/b\";")),
		 "vrrp instance A: vmac: \"a/b\" is not an interface name (1 to 15 characters, "
		 "no '/', ':' or blanks)");
	load_err(VRRP(INST("A", 51, "192.0.2.10/24", "vmac = \"sixteen_chars_xx\";")),
		 "vrrp instance A: vmac: \"sixteen_chars_xx\" is not an interface name (1 to 15 "
		 "characters, no '/', ':' or blanks)");
	load_err(VRRP(INST("A", 51, "192.0.2.10/24", "vmac = \"eth0\";")),
		 "vrrp instance A: vmac: \"eth0\" is the instance's own interface");
	load_err(VRRP(INST("A", 51, "192.0.2.10/24", "vmac = { name = \"x\"; };")),
		 "vrrp instance A: vmac: unknown key 'name'");
	load_err(VRRP(INST("A", 51, "fe80::1", "strict = true; vmac = { xmit_base = true; };")),
		 "vrrp instance A: vmac: xmit_base: not in strict mode (RFC 5798 §7.3: adverts "
		 "come from the virtual MAC)");
	load_err(VRRP(INST("A", 51, "192.0.2.10/24", "vmac = \"v1\";") ", "
		      INST("B", 52, "192.0.2.11/24", "vmac = \"v1\";")),
		 "vrrp instance B: vmac: interface v1 is also the vmac of vrrp instance A at line 1");
	load_err(VRRP(INST("A", 51, "192.0.2.10/24", "vmac = \"eth1\";") ", "
		      "{ name = \"B\"; interface = \"eth1\"; vrid = 52; addresses = [ \"192.0.2.11/24\" ]; }"),
		 "vrrp instance A: vmac: interface eth1 is also the interface of vrrp instance B at "
		 "line 1");
	(void)state;
}

static void test_pack(void **state)
{
	struct conf *c = load_ok(VRRP(INST("A", 51, "192.0.2.10/24",
		"vmac = { interface = \"v51\"; xmit_base = true; };")));
	struct conf_blob b;
	struct errbuf eb;
	assert_int_equal(conf_pack(c, CONF_VIEW_VRRP, &b), 0);
	struct conf *u = conf_unpack(b.data, b.len, &eb);
	assert_non_null(u);
	assert_true(u->vrrp[0].vmac.on);
	assert_true(u->vrrp[0].vmac.xmit_base);
	assert_string_equal(u->vrrp[0].vmac.ifname, "v51");
	conf_free(u);
	conf_blob_free(&b);
	conf_free(c);
	(void)state;
}

static void test_mac(void **state)
{
	uint8_t m[6];
	static const uint8_t v4[6] = { 0x00, 0x00, 0x5e, 0x00, 0x01, 0x33 };
	static const uint8_t v6[6] = { 0x00, 0x00, 0x5e, 0x00, 0x02, 0xff };
	vrrp_vmac_addr(AF_INET, 51, m);
	assert_memory_equal(m, v4, 6);
	vrrp_vmac_addr(AF_INET6, 255, m);
	assert_memory_equal(m, v6, 6);
	(void)state;
}

/* ---- kernel settings on a tree ------------------------------------- */

struct tree {
	char root[64];
};

static void mk(const struct tree *t, const char *fam, const char *ifname, const char *key,
	       int val)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", t->root, fam);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%s/conf", t->root, fam);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%s/conf/%s", t->root, fam, ifname);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%s/conf/%s/%s", t->root, fam, ifname, key);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "%d\n", val);
	fclose(f);
}

static int val(const struct vrrp_devconf *d, int fam, const char *ifname, const char *key)
{
	int v = -100;
	assert_int_equal(vrrp_devconf_get(d, fam, ifname, key, &v), 0);
	return v;
}

static void iface(const struct tree *t, const char *ifname, int rp)
{
	static const char *const keys[] = {
		"arp_ignore", "arp_filter", "arp_announce", "accept_local", "promote_secondaries",
	};
	for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		mk(t, "ipv4", ifname, keys[i], 0);
	mk(t, "ipv4", ifname, "rp_filter", rp);
	mk(t, "ipv6", ifname, "disable_ipv6", 0);
	mk(t, "ipv6", ifname, "addr_gen_mode", 0);
}

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	snprintf(t->root, sizeof(t->root), "/tmp/vigil-devconf-XXXXXX");
	assert_non_null(mkdtemp(t->root));
	iface(t, "all", 1);
	iface(t, "default", 0);
	iface(t, "eth0", 0);
	iface(t, "eth1", 2);
	iface(t, "vrrp.51", 0);
	iface(t, "vrrp.52", 0);
	iface(t, "vrrp.53", 0);
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
	assert_int_equal(system(cmd), 0);
	free(t);
	return 0;
}

static void test_devconf_ipv4(void **state)
{
	struct tree *t = *state;
	struct errbuf eb;
	struct vrrp_devconf *d = vrrp_devconf_new(t->root);
	assert_int_equal(vrrp_devconf_vmac_on(d, "vrrp.51", "eth0", AF_INET, &eb), 0);
	assert_int_equal(val(d, AF_INET, "vrrp.51", "arp_ignore"), 1);
	assert_int_equal(val(d, AF_INET, "vrrp.51", "accept_local"), 1);
	assert_int_equal(val(d, AF_INET, "vrrp.51", "rp_filter"), 0);
	assert_int_equal(val(d, AF_INET, "vrrp.51", "promote_secondaries"), 1);
	assert_int_equal(val(d, AF_INET6, "vrrp.51", "disable_ipv6"), 1);
	assert_int_equal(val(d, AF_INET, "eth0", "arp_ignore"), 1);
	assert_int_equal(val(d, AF_INET, "eth0", "arp_filter"), 1);
	assert_int_equal(val(d, AF_INET, "eth0", "arp_announce"), 2);
	/* all.rp_filter 1 -> 0; default and eth0 raised to 1, eth1 (2) kept */
	assert_int_equal(val(d, AF_INET, "all", "rp_filter"), 0);
	assert_int_equal(val(d, AF_INET, "default", "rp_filter"), 1);
	assert_int_equal(val(d, AF_INET, "eth0", "rp_filter"), 1);
	assert_int_equal(val(d, AF_INET, "eth1", "rp_filter"), 2);

	/* vrrp.51 made again (deleted under us): its own settings, no second reference. */
	assert_int_equal(vrrp_devconf_set(d, AF_INET, "vrrp.51", "arp_ignore", 0), 0);
	assert_int_equal(vrrp_devconf_vmac_again(d, "vrrp.51", AF_INET, &eb), 0);
	assert_int_equal(val(d, AF_INET, "vrrp.51", "arp_ignore"), 1);
	/* A second vmac on eth0: nothing saved again; the first one's off keeps eth0 set. */
	assert_int_equal(vrrp_devconf_vmac_on(d, "vrrp.52", "eth0", AF_INET, &eb), 0);
	assert_int_equal(vrrp_devconf_vmac_off(d, "eth0", AF_INET, &eb), 0);
	assert_int_equal(val(d, AF_INET, "eth0", "arp_ignore"), 1);
	assert_int_equal(val(d, AF_INET, "all", "rp_filter"), 0);
	/* An operator changes eth0's arp_filter meanwhile: that stays. */
	assert_int_equal(vrrp_devconf_set(d, AF_INET, "eth0", "arp_filter", 0), 0);
	assert_int_equal(vrrp_devconf_vmac_off(d, "eth0", AF_INET, &eb), 0);
	assert_int_equal(val(d, AF_INET, "eth0", "arp_ignore"), 0);
	assert_int_equal(val(d, AF_INET, "eth0", "arp_filter"), 0);
	assert_int_equal(val(d, AF_INET, "eth0", "arp_announce"), 0);
	assert_int_equal(val(d, AF_INET, "all", "rp_filter"), 1);
	assert_int_equal(val(d, AF_INET, "default", "rp_filter"), 0);
	assert_int_equal(val(d, AF_INET, "eth0", "rp_filter"), 0);
	assert_int_equal(val(d, AF_INET, "eth1", "rp_filter"), 2);
	vrrp_devconf_free(d);
}

static void test_devconf_ipv6(void **state)
{
	struct tree *t = *state;
	struct errbuf eb;
	struct vrrp_devconf *d = vrrp_devconf_new(t->root);
	assert_int_equal(vrrp_devconf_vmac_on(d, "vrrp.53", "eth0", AF_INET6, &eb), 0);
	assert_int_equal(val(d, AF_INET, "vrrp.53", "arp_ignore"), 1);
	assert_int_equal(val(d, AF_INET6, "vrrp.53", "addr_gen_mode"), 1);
	assert_int_equal(val(d, AF_INET6, "vrrp.53", "disable_ipv6"), 0);
	/* IPv6 leaves the base and rp_filter alone */
	assert_int_equal(val(d, AF_INET, "eth0", "arp_ignore"), 0);
	assert_int_equal(val(d, AF_INET, "all", "rp_filter"), 1);
	assert_int_equal(vrrp_devconf_vmac_off(d, "eth0", AF_INET6, &eb), 0);
	vrrp_devconf_free(d);
}

/* A setting that cannot be written is reported, the others still done. */
static void test_devconf_missing(void **state)
{
	struct tree *t = *state;
	struct errbuf eb;
	struct vrrp_devconf *d = vrrp_devconf_new(t->root);
	int r = vrrp_devconf_vmac_on(d, "nosuch", "eth0", AF_INET, &eb);
	assert_int_equal(r, -ENOENT);
	assert_non_null(strstr(eb.msg, "nosuch: ipv4.arp_ignore = 1"));
	assert_int_equal(val(d, AF_INET, "eth0", "arp_ignore"), 1);
	assert_int_equal(vrrp_devconf_vmac_off(d, "eth0", AF_INET, &eb), 0);
	assert_int_equal(val(d, AF_INET, "eth0", "arp_ignore"), 0);
	vrrp_devconf_free(d);
}

/* A run that was killed left eth0 and all.rp_filter changed and a note;
 * the next run recalls the note and puts back the first run's values. */
static void test_devconf_recall(void **state)
{
	struct tree *t = *state;
	struct errbuf eb;
	char note[160];
	struct vrrp_devconf *d = vrrp_devconf_new(t->root);
	assert_int_equal(vrrp_devconf_vmac_on(d, "vrrp.51", "eth0", AF_INET, &eb), 0);
	vrrp_devconf_note(d, "eth0", note, sizeof(note));
	assert_string_equal(note, "vigil arp_ignore=0 arp_filter=0 arp_announce=0 "
			    "all.rp_filter=1 default.rp_filter=0");
	vrrp_devconf_free(d);                 /* killed: nothing put back */
	assert_int_equal(val(d = vrrp_devconf_new(t->root), AF_INET, "eth0", "arp_ignore"), 1);
	vrrp_devconf_recall(d, "eth0", note);
	assert_int_equal(vrrp_devconf_vmac_on(d, "vrrp.51", "eth0", AF_INET, &eb), 0);
	char again[160];
	vrrp_devconf_note(d, "eth0", again, sizeof(again));
	assert_string_equal(again, note);     /* a second crash loses nothing either */
	assert_int_equal(vrrp_devconf_vmac_off(d, "eth0", AF_INET, &eb), 0);
	assert_int_equal(val(d, AF_INET, "eth0", "arp_ignore"), 0);
	assert_int_equal(val(d, AF_INET, "eth0", "arp_filter"), 0);
	assert_int_equal(val(d, AF_INET, "eth0", "arp_announce"), 0);
	assert_int_equal(val(d, AF_INET, "all", "rp_filter"), 1);
	assert_int_equal(val(d, AF_INET, "default", "rp_filter"), 0);
	/* A note without the base's values (an IPv6 vmac's) changes nothing. */
	vrrp_devconf_recall(d, "eth0", "vigil arp_ignore=-1 arp_filter=-1 arp_announce=-1 "
			    "all.rp_filter=-1 default.rp_filter=-1");
	assert_int_equal(vrrp_devconf_set(d, AF_INET, "eth0", "arp_ignore", 2), 0);
	assert_int_equal(vrrp_devconf_vmac_on(d, "vrrp.51", "eth0", AF_INET, &eb), 0);
	assert_int_equal(vrrp_devconf_vmac_off(d, "eth0", AF_INET, &eb), 0);
	assert_int_equal(val(d, AF_INET, "eth0", "arp_ignore"), 2);
	vrrp_devconf_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_default_names),
		cmocka_unit_test(test_unicast_xmit_base),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_pack),
		cmocka_unit_test(test_mac),
		cmocka_unit_test_setup_teardown(test_devconf_ipv4, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_devconf_ipv6, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_devconf_missing, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_devconf_recall, tree_setup, tree_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
