/*
 * config_announce: the announce section — the virtual addresses vigild
 * announces to routing (as routes FRR redistributes into BGP) while the
 * director is healthy for them; daemon/announce.c acts on it.
 *
 *   announce = {
 *     interface = "vigil0";   table = 254;   protocol = 77;
 *     addresses = ( { address = "192.0.2.100"; need = "all";
 *                     vrrp_instance = "VI_1"; } );
 *     ipvs_sync = { interface = "eth0"; syncid = 14; };
 *   };
 *
 * It is read after virtual_servers and vrrp, so an address is checked
 * against the services that decide its health (an address no address:port
 * virtual server uses could never be healthy) and vrrp_instance against
 * the instances.
 */
#include "config_int.h"

#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANNOUNCE_DEFAULT_TABLE 254      /* RT_TABLE_MAIN */
#define ANNOUNCE_DEFAULT_PROTOCOL 77    /* "vigil" in rt_protos.d/vigil.conf */

/* Route protocols vigild must not use: the kernel's own (0-4) and the
 * ones FRR's zebra takes for its own routes — zebra deletes those it
 * finds at start and never redistributes them as kernel routes. */
static const char *protocol_problem(long long p)
{
	if (p <= 4)
		return "0-4 are the kernel's (unspec, redirect, kernel, boot, static)";
	if (p == 11 || (p >= 186 && p <= 198))
		return "11 and 186-198 are FRR's own: zebra would delete the routes";
	return NULL;
}

static bool vs_uses(const struct conf *c, const struct vaddr *a)
{
	for (unsigned i = 0; i < c->n_vs; i++)
		if (!c->vs[i].fwmark && vaddr_equal(&c->vs[i].addr, a))
			return true;
	return false;
}

static bool vrrp_known(const struct conf *c, const char *name)
{
	for (unsigned i = 0; i < c->n_vrrp; i++)
		if (c->vrrp[i].name && !strcmp(c->vrrp[i].name, name))
			return true;
	return false;
}

static void one_addr(struct cfx *x, const config_setting_t *e, struct announce_addr_conf *a)
{
	static const char *const keys[] = { "address", "need", "vrrp_instance", NULL };
	static const char *const needs[] = { "all", "any", NULL };
	char ctx[CFX_CTX_LEN], buf[VADDR_STRLEN];
	a->line = (int)config_setting_source_line(e);
	cfx_ctx(ctx, "announce: address at line %d", a->line);
	if (!config_setting_is_group(e)) {
		cfx_err(x, e, "announce", "expected a group { address = \"...\"; }");
		return;
	}
	cfx_keys(x, e, ctx, keys);
	if (!cfx_require(x, e, ctx, "address") || cfx_addr(x, e, ctx, "address", &a->addr) <= 0)
		return;
	cfx_ctx(ctx, "announce: %s", vaddr_str(&a->addr, buf, sizeof(buf)));
	int need;
	if (cfx_enum(x, e, ctx, "need", needs, &need) > 0)
		a->need = (enum announce_need)need;
	if (!vs_uses(x->c, &a->addr))
		cfx_err(x, cfx_member(e, "address"), ctx,
			"no address:port virtual server has this address: nothing decides its health");
	if (cfx_str(x, e, ctx, "vrrp_instance", &a->vrrp_instance) > 0 &&
	    !vrrp_known(x->c, a->vrrp_instance))
		cfx_err(x, cfx_member(e, "vrrp_instance"), ctx,
			"unknown VRRP instance '%s'", a->vrrp_instance);
}

/* Both sync daemons on this director for the whole run. The kernel runs
 * one master and one backup per network namespace: a VRRP instance that
 * steers them too would stop what this one started. */
static void sync_daemons(struct cfx *x, const config_setting_t *g, struct announce_conf *an)
{
	static const char *const keys[] = { "interface", "syncid", NULL };
	const char *ctx = "announce: ipvs_sync";
	long long v;
	const config_setting_t *s = cfx_group(x, g, "announce", "ipvs_sync");
	if (!s)
		return;
	cfx_keys(x, s, ctx, keys);
	if (cfx_require(x, s, ctx, "interface") &&
	    cfx_str(x, s, ctx, "interface", &an->sync_interface) > 0 &&
	    strlen(an->sync_interface) >= IFNAMSIZ)
		cfx_err(x, cfx_member(s, "interface"), ctx,
			"interface \"%s\": not an interface name (1-%d characters)",
			an->sync_interface, IFNAMSIZ - 1);
	if (cfx_require(x, s, ctx, "syncid") && cfx_int(x, s, ctx, "syncid", 0, 255, &v) > 0)
		an->syncid = (uint8_t)v;
	for (unsigned i = 0; i < x->c->n_vrrp; i++)
		if (x->c->vrrp[i].has_ipvs_sync)
			cfx_err(x, s, ctx, "VRRP instance '%s' has an ipvs_sync too: a director "
				"runs one master and one backup sync daemon, steered by one of them",
				x->c->vrrp[i].name ? x->c->vrrp[i].name : "?");
}

static void addresses(struct cfx *x, const config_setting_t *l, struct announce_conf *an)
{
	an->addrs = cfx_calloc(x, cfx_len(l), sizeof(*an->addrs));
	for (unsigned i = 0; i < cfx_len(l); i++) {
		const config_setting_t *e = cfx_elem(l, i);
		struct announce_addr_conf *a = &an->addrs[an->n_addrs++];
		one_addr(x, e, a);
		for (unsigned j = 0; j + 1 < an->n_addrs && vaddr_is_set(&a->addr); j++) {
			char buf[VADDR_STRLEN];
			if (vaddr_equal(&an->addrs[j].addr, &a->addr))
				cfx_err(x, e, "announce", "%s is announced twice (first at line %d)",
					vaddr_str(&a->addr, buf, sizeof(buf)), an->addrs[j].line);
		}
	}
}

void cfx_announce(struct cfx *x, const config_setting_t *g)
{
	static const char *const keys[] = {
		"interface", "table", "protocol", "addresses", "ipvs_sync", NULL
	};
	struct announce_conf *an = &x->c->announce;
	long long v;
	an->table = ANNOUNCE_DEFAULT_TABLE;
	an->protocol = ANNOUNCE_DEFAULT_PROTOCOL;
	if (!g) {
		an->interface = cfx_strdup(x, "vigil0");
		return;
	}
	cfx_keys(x, g, "announce", keys);
	if (cfx_str(x, g, "announce", "interface", &an->interface) > 0 &&
	    (!an->interface[0] || strlen(an->interface) >= IFNAMSIZ || strchr(an->interface, '/')))
		cfx_err(x, cfx_member(g, "interface"), "announce",
			"interface \"%s\": not an interface name (1-%d characters, no '/')",
			an->interface, IFNAMSIZ - 1);
	if (!an->interface)
		an->interface = cfx_strdup(x, "vigil0");
	if (cfx_int(x, g, "announce", "table", 1, 0xffffffffLL, &v) > 0) {
		if (v == 255)
			cfx_err(x, cfx_member(g, "table"), "announce",
				"table 255 is the kernel's local table");
		an->table = (uint32_t)v;
	}
	if (cfx_int(x, g, "announce", "protocol", 0, 255, &v) > 0) {
		const char *why = protocol_problem(v);
		if (why)
			cfx_err(x, cfx_member(g, "protocol"), "announce",
				"protocol %lld: %s", v, why);
		an->protocol = (uint8_t)v;
	}
	const config_setting_t *l = cfx_list(x, g, "announce", "addresses", false);
	if (l)
		addresses(x, l, an);
	sync_daemons(x, g, an);
}

void cfx_announce_free(struct conf *c)
{
	struct announce_conf *an = &c->announce;
	for (unsigned i = 0; i < an->n_addrs; i++)
		free(an->addrs[i].vrrp_instance);
	free(an->addrs);
	free(an->interface);
	free(an->sync_interface);
}
