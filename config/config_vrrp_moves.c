/*
 * config_vrrp_moves: what moves with a VRRP instance besides the bare
 * advertised addresses (vigil.conf(5) ADDRESSES, ROUTES AND RULES) —
 *
 *   addresses            an element is "ADDR/LEN" or a group with the
 *                        address's options (device, label, scope, broadcast)
 *   excluded_addresses   the same, not in the advert (keepalived's
 *                        virtual_ipaddress_excluded); any family
 *   routes               { to, via, source, device, table, metric, scope, type }
 *   rules                { from, to, table, priority, fwmark, fwmask, iif, oif }
 *
 * The core parse (config_vrrp.c) calls cfx_vrrp_vaddr for each element of
 * addresses; cfx_vrrp_moves reads the other three after it. Families may
 * mix here: a gateway pair often moves IPv6 addresses and routes with an
 * IPv4 instance.
 */
#include "config_int.h"

#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

static const char *const scope_names[] = { "global", "site", "link", "host", NULL };
static const uint8_t scope_vals[] = { RT_SCOPE_UNIVERSE, RT_SCOPE_SITE, RT_SCOPE_LINK,
				      RT_SCOPE_HOST };
static const char *const rtype_names[] = { "unicast", "blackhole", "unreachable", "prohibit",
					   NULL };

static void ifname(struct cfx *x, const config_setting_t *g, const char *ctx, const char *key,
		   char **out)
{
	if (cfx_str(x, g, ctx, key, out) > 0 && strlen(*out) >= IFNAMSIZ)
		cfx_err(x, cfx_member(g, key), ctx,
			"%s \"%s\": name longer than %d characters", key, *out, IFNAMSIZ - 1);
}

static void scope(struct cfx *x, const config_setting_t *g, const char *ctx, uint8_t *out)
{
	int i;
	if (cfx_enum(x, g, ctx, "scope", scope_names, &i) > 0)
		*out = scope_vals[i];
}

static void table(struct cfx *x, const config_setting_t *g, const char *ctx, uint32_t *out)
{
	long long v;
	*out = RT_TABLE_MAIN;
	if (cfx_int(x, g, ctx, "table", 1, UINT32_MAX, &v) > 0) {
		if (v == RT_TABLE_LOCAL)
			cfx_err(x, cfx_member(g, "table"), ctx,
				"table 255: the kernel's local table is not for virtual routes");
		else
			*out = (uint32_t)v;
	}
}

/* A prefix member: "ADDR/LEN", "ADDR" (a host) or "default" (family af). */
static int prefix(struct cfx *x, const config_setting_t *g, const char *ctx, const char *key,
		  int af, struct vprefix *out)
{
	char *s = NULL;
	int r = cfx_str(x, g, ctx, key, &s);
	if (r <= 0)
		return r;
	r = 1;
	if (!strcmp(s, "default")) {
		memset(out, 0, sizeof(*out));
		out->addr.family = (sa_family_t)(af ? af : AF_INET);
	} else if (vprefix_parse(s, out) < 0) {
		cfx_err(x, cfx_member(g, key), ctx,
			"%s %s: not an address or address/prefix", key, s);
		r = -1;
	}
	free(s);
	return r;
}

static void same_family(struct cfx *x, const config_setting_t *g, const char *ctx,
			const char *key, const struct vaddr *a, int af)
{
	if (vaddr_is_set(a) && a->family != af)
		cfx_err(x, cfx_member(g, key), ctx,
			"%s: not of the %s's family", key, af == AF_INET6 ? "IPv6 route" : "IPv4 route");
}

/* Returns false only before allocating anything (the caller reuses the slot). */
bool cfx_vrrp_vaddr(struct cfx *x, const config_setting_t *e, const char *ctx,
		    struct vrrp_vaddr *out)
{
	static const char *const keys[] = { "address", "device", "label", "scope", "broadcast",
					    NULL };
	const char *s = config_setting_get_string(e);
	memset(out, 0, sizeof(*out));
	if (s) {
		if (vprefix_parse(s, &out->p) == 0)
			return true;
		cfx_err(x, e, ctx, "address %s: not an address or address/prefix", s);
		return false;
	}
	if (!config_setting_is_group(e)) {
		cfx_err(x, e, ctx, "addresses: expected strings or groups { address = ...; }");
		return false;
	}
	cfx_keys(x, e, ctx, keys);
	if (!cfx_require(x, e, ctx, "address") || prefix(x, e, ctx, "address", 0, &out->p) <= 0)
		return false;
	ifname(x, e, ctx, "device", &out->dev);
	cfx_str(x, e, ctx, "label", &out->label);
	scope(x, e, ctx, &out->scope);
	cfx_addr(x, e, ctx, "broadcast", &out->brd);
	out->has_brd = vaddr_is_set(&out->brd);
	bool v6 = out->p.addr.family == AF_INET6;
	if (v6 && (out->label || out->has_brd))
		cfx_err(x, e, ctx, "address: label and broadcast are IPv4 only");
	else if (out->has_brd && out->brd.family != AF_INET)
		cfx_err(x, cfx_member(e, "broadcast"), ctx,
			"broadcast: not an IPv4 address");
	if (out->label && (strlen(out->label) >= IFNAMSIZ || !*out->label))
		cfx_err(x, cfx_member(e, "label"), ctx,
			"label \"%s\": 1 to %d characters", out->label, IFNAMSIZ - 1);
	return true;
}

static void route(struct cfx *x, const config_setting_t *g, const char *ctx, int inst_af,
		  struct vrrp_route *rt)
{
	static const char *const keys[] = { "to", "via", "source", "device", "table", "metric",
					    "scope", "type", NULL };
	long long v;
	int t = VRRP_RT_UNICAST;
	rt->line = (int)config_setting_source_line(g);
	rt->scope = VRRP_SCOPE_UNSET;
	cfx_keys(x, g, ctx, keys);
	cfx_addr(x, g, ctx, "via", &rt->via);
	cfx_addr(x, g, ctx, "source", &rt->src);
	int af = vaddr_is_set(&rt->via) ? rt->via.family
		 : vaddr_is_set(&rt->src) ? rt->src.family : inst_af;
	if (cfx_require(x, g, ctx, "to"))
		prefix(x, g, ctx, "to", af, &rt->to);
	af = rt->to.addr.family ? rt->to.addr.family : af;
	same_family(x, g, ctx, "via", &rt->via, af);
	same_family(x, g, ctx, "source", &rt->src, af);
	ifname(x, g, ctx, "device", &rt->dev);
	table(x, g, ctx, &rt->table);
	if (cfx_int(x, g, ctx, "metric", 0, UINT32_MAX, &v) > 0)
		rt->metric = (uint32_t)v;
	scope(x, g, ctx, &rt->scope);
	if (cfx_enum(x, g, ctx, "type", rtype_names, &t) > 0)
		rt->type = (uint8_t)t;
	if (rt->type == VRRP_RT_UNICAST && !rt->dev && !vaddr_is_set(&rt->via))
		cfx_err(x, g, ctx, "a unicast route needs via or device");
	else if (rt->type != VRRP_RT_UNICAST && (rt->dev || vaddr_is_set(&rt->via)))
		cfx_err(x, g, ctx, "a %s route has no via or device", rtype_names[rt->type]);
}

static void rule(struct cfx *x, const config_setting_t *g, const char *ctx, int inst_af,
		 struct vrrp_rule *ru)
{
	static const char *const keys[] = { "from", "to", "table", "priority", "fwmark", "fwmask",
					    "iif", "oif", NULL };
	long long v;
	ru->line = (int)config_setting_source_line(g);
	cfx_keys(x, g, ctx, keys);
	prefix(x, g, ctx, "from", inst_af, &ru->from);
	int af = ru->from.addr.family ? ru->from.addr.family : inst_af;
	prefix(x, g, ctx, "to", af, &ru->to);
	if (!ru->from.addr.family && ru->to.addr.family)
		af = ru->to.addr.family;
	ru->family = af ? af : AF_INET;
	if (ru->from.addr.family && ru->to.addr.family && ru->from.addr.family != ru->to.addr.family)
		cfx_err(x, g, ctx, "from and to: mixed address families");
	if (cfx_require(x, g, ctx, "table"))
		table(x, g, ctx, &ru->table);
	/* required: the kernel gives an unnumbered rule a new number each
	 * time, so adding it again would not be recognised as the same */
	if (cfx_require(x, g, ctx, "priority") &&
	    cfx_int(x, g, ctx, "priority", 1, UINT32_MAX, &v) > 0)
		ru->priority = (uint32_t)v;
	if (cfx_int(x, g, ctx, "fwmark", 1, UINT32_MAX, &v) > 0)
		ru->fwmark = (uint32_t)v;
	if (cfx_int(x, g, ctx, "fwmask", 1, UINT32_MAX, &v) > 0) {
		ru->fwmask = (uint32_t)v;
		if (!ru->fwmark)
			cfx_err(x, cfx_member(g, "fwmask"), ctx,
				"fwmask without fwmark");
	}
	ifname(x, g, ctx, "iif", &ru->iif);
	ifname(x, g, ctx, "oif", &ru->oif);
}

/* The groups of list key, each read by fn into an element of *arr. */
#define READ_LIST(key, what, arr, n, fn) do { \
		const config_setting_t *l_ = cfx_list(x, g, ctx, key, false); \
		unsigned len_ = l_ ? cfx_len(l_) : 0; \
		if (len_) \
			(arr) = cfx_calloc(x, len_, sizeof(*(arr))); \
		for (unsigned i_ = 0; i_ < len_; i_++) { \
			const config_setting_t *e_ = cfx_elem(l_, i_); \
			char ectx_[CFX_CTX_LEN]; \
			cfx_ctx(ectx_, "%s: " what " %u", ctx, i_ + 1); \
			if (!config_setting_is_group(e_)) \
				cfx_err(x, e_, ectx_, "expected a group { ... }"); \
			else \
				fn(x, e_, ectx_, vi->family, &(arr)[(n)++]); \
		} \
	} while (0)

void cfx_vrrp_moves(struct cfx *x, const config_setting_t *g, const char *ctx,
		    struct vrrp_inst_conf *vi)
{
	const config_setting_t *l = cfx_list(x, g, ctx, "excluded_addresses", true);
	unsigned n = l ? cfx_len(l) : 0;
	if (n) {
		/* the core parse left room for these after the advertised ones */
		for (unsigned i = 0; i < n && vi->vaddrs; i++) {
			struct vrrp_vaddr *a = &vi->vaddrs[vi->n_vaddrs++];
			if (cfx_vrrp_vaddr(x, cfx_elem(l, i), ctx, a))
				a->excluded = true;
			else
				vi->n_vaddrs--;
		}
	}
	READ_LIST("routes", "route", vi->routes, vi->n_routes, route);
	READ_LIST("rules", "rule", vi->rules, vi->n_rules, rule);
}

/* How many excluded addresses the instance group g lists (for room). */
unsigned cfx_vrrp_n_excluded(const config_setting_t *g)
{
	const config_setting_t *l = cfx_member(g, "excluded_addresses");
	return l ? cfx_len(l) : 0;
}

void cfx_vrrp_moves_free(struct vrrp_inst_conf *vi)
{
	for (unsigned i = 0; i < vi->n_vaddrs; i++) {
		free(vi->vaddrs[i].dev);
		free(vi->vaddrs[i].label);
	}
	free(vi->vaddrs);
	for (unsigned i = 0; i < vi->n_routes; i++)
		free(vi->routes[i].dev);
	free(vi->routes);
	for (unsigned i = 0; i < vi->n_rules; i++) {
		free(vi->rules[i].iif);
		free(vi->rules[i].oif);
	}
	free(vi->rules);
}
