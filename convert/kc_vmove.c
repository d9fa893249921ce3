/*
 * kc_vmove: what moves with a vrrp_instance besides its plain addresses —
 * the options of virtual_ipaddress lines, virtual_ipaddress_excluded,
 * virtual_routes and virtual_rules (vigil.conf(5) Addresses, routes and
 * rules).
 *
 *   ADDR[/LEN] [brd ADDR] [dev IF] [scope S] [label L]   an address
 *   [src ADDR] [to] DEST [via|gw ADDR] [dev IF] [scope S] [table N]
 *        [metric N]; or blackhole|unreachable|prohibit DEST [table N] ...
 *   [from P] [to P] [fwmark M[/MASK]] [iif IF] [oif IF] table N
 *        priority|preference|prio N                         a rule
 *
 * A word vigil has no equivalent for is reported and the object converted
 * without it, except where it would change what the object matches.
 */
#include "kc_conv_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_scope(const char *s)
{
	return !strcmp(s, "global") || !strcmp(s, "site") || !strcmp(s, "link") ||
	       !strcmp(s, "host");
}

/* Appends "word" to a note of what was left out. */
static void note(char *rest, size_t len, const char *w)
{
	size_t u = strlen(rest);
	snprintf(rest + u, len - u, "%s%s", u ? " " : "", w);
}

struct kc_val *kc_vaddr(struct kc_cx *x, const struct kc_node *a, const char *iface,
			const char *what)
{
	const char *dev = NULL, *label = NULL, *scope = NULL, *brd = NULL;
	char rest[200] = "";
	for (unsigned k = 1; k < a->n; k++) {
		const char *w = a->w[k], *v = k + 1 < a->n ? a->w[k + 1] : NULL;
		if (v && !strcmp(w, "dev"))
			dev = v, k++;
		else if (v && !strcmp(w, "label"))
			label = v, k++;
		else if (v && !strcmp(w, "scope") && is_scope(v))
			scope = v, k++;
		else if (v && (!strcmp(w, "brd") || !strcmp(w, "broadcast")) && kc_family(v, false))
			brd = v, k++;
		else
			note(rest, sizeof(rest), w);
	}
	if (*rest)
		kc_skip(x->d, a->src, "%s %s: '%s' has no vigil equivalent (the address is "
			"converted without it)", what, a->w[0], rest);
	if (dev && iface && !strcmp(dev, iface))
		dev = NULL;
	if (!dev && !label && !scope && !brd) {
		struct kc_val *s = kv_new(KV_STR, NULL);
		s->s = kc_strdup(a->w[0]);
		return s;
	}
	struct kc_val *g = kv_new(KV_GROUP, NULL);
	kv_str(g, "address", a->w[0]);
	if (dev)
		kv_str(g, "device", dev);
	if (label)
		kv_str(g, "label", label);
	if (scope)
		kv_str(g, "scope", scope);
	if (brd)
		kv_str(g, "broadcast", brd);
	return g;
}

void kc_vaddrs_excluded(struct kc_cx *x, const struct kc_node *const *over, unsigned n_over,
			const struct kc_node *blk, const char *iface, struct kc_val *v)
{
	struct kc_val *l = NULL;
	for (unsigned i = 0; i < n_over; i++) {
		if (!l) {
			l = kv_add(v, KV_LIST, "excluded_addresses");
			kv_comment(l, "virtual_ipaddress past the %d an advert carries: keepalived "
				   "moves them to the excluded ones (not advertised, still moved)",
				   KC_ADVERT_ADDRS);
		}
		kv_attach(l, kc_vaddr(x, over[i], iface, "virtual_ipaddress"));
	}
	for (unsigned i = 0; blk && i < blk->n_kids; i++) {
		const struct kc_node *a = &blk->kids[i];
		if (!kc_family(a->w[0], true)) {
			kc_skip(x->d, a->src, "virtual_ipaddress_excluded: '%s' is not an IP address",
				a->w[0]);
			continue;
		}
		if (!l)
			l = kv_add(v, KV_LIST, "excluded_addresses");
		kv_attach(l, kc_vaddr(x, a, iface, "virtual_ipaddress_excluded"));
	}
}

/* A route's words, as keepalived takes them. */
struct vroute {
	const char *type, *to, *via, *dev, *src, *scope, *table, *metric;
};

/* A "KEY VALUE" pair into r; false when KEY is not one vigil has. */
static bool route_pair(struct vroute *r, const char *k, const char *v)
{
	if (!strcmp(k, "to"))
		r->to = v;
	else if (!strcmp(k, "src") && kc_family(v, false))
		r->src = v;
	else if ((!strcmp(k, "via") || !strcmp(k, "gw")) && kc_family(v, false))
		r->via = v;
	else if (!strcmp(k, "dev"))
		r->dev = v;
	else if (!strcmp(k, "scope") && is_scope(v))
		r->scope = v;
	else if (!strcmp(k, "table") && strtoul(v, NULL, 10) > 0)
		r->table = v;
	else if (!strcmp(k, "metric") || !strcmp(k, "preference") || !strcmp(k, "priority"))
		r->metric = v;
	else
		return false;
	return true;
}

static void route(struct kc_cx *x, const struct kc_node *n, struct kc_val *l)
{
	static const char *const types[] = { "blackhole", "unreachable", "prohibit", NULL };
	struct vroute r = { 0 };
	char rest[200] = "";
	for (unsigned k = 0; k < n->n; k++) {
		const char *w = n->w[k], *v = k + 1 < n->n ? n->w[k + 1] : NULL;
		bool typed = false;
		for (unsigned t = 0; types[t]; t++)
			typed |= k == 0 && !strcmp(w, types[t]);
		if (typed)
			r.type = w;
		else if (!r.to && (kc_family(w, true) || !strcmp(w, "default")))
			r.to = w;
		else if (v && route_pair(&r, w, v))
			k++;
		else
			note(rest, sizeof(rest), w);
	}
	if (!r.to || *rest) {
		kc_skip(x->d, n->src, "virtual_routes: %s%s (the route is not converted)",
			!r.to ? "no destination" : "no vigil equivalent for ", !r.to ? "" : rest);
		return;
	}
	struct kc_val *g = kv_add(l, KV_GROUP, NULL);
	const char *keys[] = { "to", "via", "device", "source", "scope", "type" };
	const char *vals[] = { r.to, r.via, r.dev, r.src, r.scope, r.type };
	for (unsigned i = 0; i < 6; i++)
		if (vals[i])
			kv_str(g, keys[i], vals[i]);
	if (r.table)
		kv_int(g, "table", (long long)strtoul(r.table, NULL, 10));
	if (r.metric)
		kv_int(g, "metric", strtoll(r.metric, NULL, 10));
}

void kc_vroutes(struct kc_cx *x, const struct kc_node *blk, struct kc_val *v)
{
	struct kc_val *l = blk && blk->n_kids ? kv_add(v, KV_LIST, "routes") : NULL;
	for (unsigned i = 0; l && i < blk->n_kids; i++)
		route(x, &blk->kids[i], l);
}

/* "fwmark M[/MASK]" into g. */
static void fwmark(struct kc_val *g, const char *v)
{
	char *end;
	unsigned long m = strtoul(v, &end, 0);
	kv_int(g, "fwmark", (long long)m);
	if (*end == '/')
		kv_int(g, "fwmask", (long long)strtoul(end + 1, NULL, 0));
}

static void rule(struct kc_cx *x, const struct kc_node *r, struct kc_val *l)
{
	struct kc_val *g = kv_new(KV_GROUP, NULL);
	bool table = false, prio = false;
	char rest[200] = "";
	for (unsigned k = 0; k < r->n; k++) {
		const char *w = r->w[k], *v = k + 1 < r->n ? r->w[k + 1] : NULL;
		if (v && (!strcmp(w, "from") || !strcmp(w, "to")) && !strcmp(v, "all"))
			k++;
		else if (v && (!strcmp(w, "from") || !strcmp(w, "to")) && kc_family(v, true))
			kv_str(g, w, v), k++;
		else if (v && (!strcmp(w, "table") || !strcmp(w, "lookup")) && strtoul(v, NULL, 10))
			kv_int(g, "table", (long long)strtoul(v, NULL, 10)), k++, table = true;
		else if (v && (!strcmp(w, "priority") || !strcmp(w, "preference") ||
			       !strcmp(w, "prio") || !strcmp(w, "pref")))
			kv_int(g, "priority", strtoll(v, NULL, 10)), k++, prio = true;
		else if (v && !strcmp(w, "fwmark"))
			fwmark(g, v), k++;
		else if (v && (!strcmp(w, "iif") || !strcmp(w, "oif")))
			kv_str(g, w, v), k++;
		else
			note(rest, sizeof(rest), w);
	}
	const char *why = *rest ? rest : !table ? "a rule without a table (vigil's rules look "
		"one up)" : !prio ? "a rule without a priority (vigil needs one to recognise "
		"its rule)" : NULL;
	if (why) {
		kc_skip(x->d, r->src, "virtual_rules: %s%s (the rule is not converted)",
			*rest ? "no vigil equivalent for " : "", why);
		kv_free(g);
		return;
	}
	kv_attach(l, g);
}

void kc_vrules(struct kc_cx *x, const struct kc_node *blk, struct kc_val *v)
{
	struct kc_val *l = blk && blk->n_kids ? kv_add(v, KV_LIST, "rules") : NULL;
	for (unsigned i = 0; l && i < blk->n_kids; i++)
		rule(x, &blk->kids[i], l);
}
