/*
 * config_vsg: virtual-server groups (keepalived's virtual_server_group).
 *
 *   virtual_server_groups = (
 *     { name = "web"; members = ( { address = "192.0.2.10"; port = 80; },
 *                                 { range = "192.0.2.20-29"; port = 80; },
 *                                 { fwmark = 7; } ); } );
 *   virtual_servers = ( { group = "web"; ...; real_servers = ( ... ); } );
 *
 * The top-level list is read first (cfx_vs_groups) into the load context,
 * not into struct conf: a virtual server that names a group gets its own
 * copy of the members, ranges expanded (cfx_vs_group_ref), and the rest of
 * vigild sees only virtual servers with members. A range is keepalived's:
 * the last IPv4 byte, or the last 16-bit group of an IPv6 address in hex,
 * runs from the address's to the number after the dash.
 */
#include "config_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VSG_MAX_RANGE 256             /* addresses in one range */

struct cfx_vsg {
	char *name;
	const config_setting_t *s;
	struct vs_member *members;
	unsigned n_members, cap;
	int family;                   /* of the address members; 0: marks only */
};

/* "192.0.2.20-29" or "2001:db8::a-1f": the first address and the count. */
static const char *range_parse(const char *spec, struct vaddr *first, unsigned *count)
{
	char buf[VADDR_STRLEN + 8];
	snprintf(buf, sizeof(buf), "%s", spec);
	char *dash = strrchr(buf, '-'), *end;
	if (!dash)
		return "expected ADDRESS-LAST, e.g. 192.0.2.20-29";
	*dash = '\0';
	if (vaddr_parse(buf, first) < 0)
		return "not an IP address before the dash";
	bool v6 = first->family == AF_INET6;
	unsigned long last = strtoul(dash + 1, &end, v6 ? 16 : 10);
	unsigned cur = v6 ? ntohs(first->u.v6.s6_addr16[7]) : ntohl(first->u.v4.s_addr) & 0xff;
	if (!dash[1] || *end || last > (v6 ? 0xffffUL : 0xffUL) || last < cur)
		return v6 ? "the last group after the dash must be hex, from the address's to ffff"
			  : "the last byte after the dash must be from the address's to 255";
	if (last - cur + 1 > VSG_MAX_RANGE)
		return "more than 256 addresses in one range";
	*count = (unsigned)(last - cur + 1);
	return NULL;
}

static void range_nth(const struct vaddr *first, unsigned i, struct vaddr *out)
{
	*out = *first;
	if (out->family == AF_INET6)
		out->u.v6.s6_addr16[7] = htons((uint16_t)(ntohs(first->u.v6.s6_addr16[7]) + i));
	else
		out->u.v4.s_addr = htonl(ntohl(first->u.v4.s_addr) + i);
}

static void add_member(struct cfx *x, struct cfx_vsg *g, const struct vs_member *m)
{
	if (g->n_members == g->cap) {
		unsigned cap = g->cap ? 2 * g->cap : 8;
		struct vs_member *a = cfx_calloc(x, cap, sizeof(*a));
		if (g->n_members)
			memcpy(a, g->members, g->n_members * sizeof(*a));
		free(g->members);
		g->members = a;
		g->cap = cap;
	}
	g->members[g->n_members++] = *m;
}

static void member_family(struct cfx *x, struct cfx_vsg *g, const config_setting_t *e,
			  const char *ctx, int af)
{
	if (!g->family)
		g->family = af;
	else if (af != g->family)
		cfx_err(x, e, ctx, "IPv4 and IPv6 addresses in one group");
}

static void member_parse(struct cfx *x, struct cfx_vsg *g, const config_setting_t *e,
			 const char *ctx)
{
	static const char *const keys[] = { "address", "range", "port", "fwmark", NULL };
	struct vs_member m = { 0 };
	long long v;
	unsigned n = 1;
	struct vaddr first;
	cfx_keys(x, e, ctx, keys);
	bool a = cfx_member(e, "address"), r = cfx_member(e, "range");
	bool f = cfx_member(e, "fwmark");
	if (a + r + f != 1) {
		cfx_err(x, e, ctx, "a member has one of address, range or fwmark");
		return;
	}
	if (f) {
		if (cfx_member(e, "port"))
			cfx_err(x, cfx_member(e, "port"), ctx,
				"port: not used with fwmark (the mark selects the traffic)");
		if (cfx_int(x, e, ctx, "fwmark", 1, UINT32_MAX, &v) > 0) {
			m.fwmark = (uint32_t)v;
			add_member(x, g, &m);
		}
		return;
	}
	if (a && cfx_addr(x, e, ctx, "address", &first) <= 0)
		return;
	if (r) {
		const config_setting_t *rs = cfx_member(e, "range");
		const char *spec = config_setting_get_string(rs);
		const char *why = spec ? range_parse(spec, &first, &n) : NULL;
		if (!spec)
			cfx_err(x, rs, ctx, "range: expected a string");
		else if (why)
			cfx_err(x, rs, ctx, "range %s: %s", spec, why);
		if (!spec || why)
			return;
	}
	member_family(x, g, e, ctx, first.family);
	if (!cfx_require(x, e, ctx, "port") || cfx_int(x, e, ctx, "port", 0, 65535, &v) <= 0)
		return;
	m.port = (uint16_t)v;
	for (unsigned i = 0; i < n; i++) {
		range_nth(&first, i, &m.addr);
		add_member(x, g, &m);
	}
}

static void group_parse(struct cfx *x, struct cfx_vsg *g, const config_setting_t *s)
{
	static const char *const keys[] = { "name", "members", NULL };
	char ctx[CFX_CTX_LEN];
	g->s = s;
	if (!cfx_require(x, s, "virtual_server_groups", "name")
	    || cfx_str(x, s, "virtual_server_groups", "name", &g->name) <= 0)
		return;
	cfx_ctx(ctx, "virtual server group %s", g->name);
	cfx_keys(x, s, ctx, keys);
	const config_setting_t *l = cfx_require(x, s, ctx, "members")
		? cfx_list(x, s, ctx, "members", false) : NULL;
	for (unsigned i = 0; l && i < cfx_len(l); i++) {
		const config_setting_t *e = config_setting_get_elem(l, i);
		if (!config_setting_is_group(e))
			cfx_err(x, e, ctx, "members: element %u: expected a group { ... }", i + 1);
		else
			member_parse(x, g, e, ctx);
	}
	if (l && !cfx_len(l))
		cfx_err(x, l, ctx, "members: empty");
}

void cfx_vs_groups(struct cfx *x, const config_setting_t *list)
{
	unsigned n = cfx_len(list);
	char where[PATH_MAX + 16];
	x->vsg = cfx_calloc(x, n ? n : 1, sizeof(*x->vsg));
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, i);
		struct cfx_vsg *g = &x->vsg[x->n_vsg++];
		if (!config_setting_is_group(e)) {
			cfx_err(x, e, NULL, "virtual_server_groups: element %u: expected a group { ... }",
				i + 1);
			continue;
		}
		group_parse(x, g, e);
		for (unsigned j = 0; g->name && j + 1 < x->n_vsg; j++)
			if (x->vsg[j].name && !strcmp(x->vsg[j].name, g->name)) {
				cfx_err(x, cfx_member(e, "name"), NULL,
					"virtual server group %s: name already used at %s", g->name,
					cfx_where(x, x->vsg[j].s, e, where, sizeof(where)));
				break;
			}
	}
}

void cfx_vs_group_ref(struct cfx *x, const config_setting_t *s, const char *ctx,
		      struct vs_conf *vs)
{
	if (cfx_str(x, s, ctx, "group", &vs->group) <= 0)
		return;
	const config_setting_t *m = cfx_member(s, "group");
	const struct cfx_vsg *g = NULL;
	for (unsigned i = 0; i < x->n_vsg && !g; i++)
		if (x->vsg[i].name && !strcmp(x->vsg[i].name, vs->group))
			g = &x->vsg[i];
	if (!g) {
		cfx_err(x, m, ctx, "group \"%s\": no such virtual server group", vs->group);
		return;
	}
	if (!g->n_members)
		return;                       /* its own error says why */
	if (g->family && vs->family != g->family)
		cfx_err(x, m, ctx, "family \"%s\" does not match the group's addresses",
			vs->family == AF_INET6 ? "inet6" : "inet");
	vs->members = cfx_calloc(x, g->n_members, sizeof(*vs->members));
	memcpy(vs->members, g->members, g->n_members * sizeof(*vs->members));
	vs->n_members = g->n_members;
	vs->addr = g->members[0].addr;
	vs->port = g->members[0].port;
	vs->fwmark = g->members[0].fwmark;
}

int cfx_vs_group_family(const struct cfx *x, const char *name)
{
	for (unsigned i = 0; i < x->n_vsg; i++)
		if (x->vsg[i].name && !strcmp(x->vsg[i].name, name))
			return x->vsg[i].family;
	return 0;
}

void cfx_vs_groups_free(struct cfx *x)
{
	for (unsigned i = 0; i < x->n_vsg; i++) {
		free(x->vsg[i].name);
		free(x->vsg[i].members);
	}
	free(x->vsg);
	x->vsg = NULL;
	x->n_vsg = 0;
}

/* A service some group serves that another virtual server serves too
 * (either of them a member past a group's first: vs_duplicates in
 * config_vs.c compares each virtual server's first service). */
struct svc_ref {
	struct ipvs_like {
		uint32_t fwmark;
		int family, proto;
		struct vaddr addr;
		uint16_t port;
	} k;
	unsigned vs, m;
};

static int key_cmp(const struct ipvs_like *p, const struct ipvs_like *q)
{
	int c = (p->fwmark > q->fwmark) - (p->fwmark < q->fwmark);
	if (!c)
		c = p->family - q->family;
	if (!c && !p->fwmark)
		c = vaddr_cmp(&p->addr, &q->addr);
	if (!c && !p->fwmark)
		c = (int)p->port - (int)q->port;
	if (!c && !p->fwmark)
		c = p->proto - q->proto;
	return c;
}

/* By key, then file order. */
static int ref_cmp(const void *a, const void *b)
{
	const struct svc_ref *x = a, *y = b;
	int c = key_cmp(&x->k, &y->k);
	if (!c)
		c = (x->vs > y->vs) - (x->vs < y->vs);
	return c ? c : (x->m > y->m) - (x->m < y->m);
}

void cfx_vs_group_dups(struct cfx *x, const config_setting_t *list)
{
	const struct conf *c = x->c;
	size_t n = 0, k = 0;
	for (unsigned i = 0; i < c->n_vs; i++)
		n += vs_n_services(&c->vs[i]);
	struct svc_ref *r = calloc(n ? n : 1, sizeof(*r));
	if (!r)
		cfx_oom(x);
	for (unsigned i = 0; i < c->n_vs; i++) {
		const struct vs_conf *v = &c->vs[i];
		for (unsigned m = 0; m < vs_n_services(v); m++) {
			const struct vs_member *p = v->n_members ? &v->members[m] : NULL;
			struct svc_ref e = { .vs = i, .m = m };
			e.k.fwmark = p ? p->fwmark : v->fwmark;
			e.k.family = v->family;
			e.k.addr = p ? p->addr : v->addr;
			e.k.port = p ? p->port : v->port;
			e.k.proto = e.k.fwmark ? 0 : (int)v->protocol;
			if (e.k.fwmark || vaddr_is_set(&e.k.addr))
				r[k++] = e;
		}
	}
	qsort(r, k, sizeof(*r), ref_cmp);
	char ctx[CFX_CTX_LEN], where[PATH_MAX + 16], svc[VADDR_PORT_STRLEN + 16];
	for (size_t a = 0, b; a < k; a = b)
		for (b = a + 1; b < k && !key_cmp(&r[a].k, &r[b].k); b++) {
			if (!r[a].m && !r[b].m)
				continue;         /* vs_duplicates' */
			if (!list) {          /* a cached load: the full one says where */
				cfx_err_at(x, x->path, 0, "a service served twice");
				free(r);
				return;
			}
			const config_setting_t *e = config_setting_get_elem(list, r[b].vs);
			const config_setting_t *o = config_setting_get_elem(list, r[a].vs);
			const struct vs_conf *v = &c->vs[r[b].vs];
			if (r[a].k.fwmark)
				snprintf(svc, sizeof(svc), "fwmark %u", r[a].k.fwmark);
			else
				vaddr_port_str(&r[a].k.addr, r[a].k.port, svc, sizeof(svc));
			if (v->name)
				cfx_ctx(ctx, "virtual server %s", v->name);
			else
				cfx_ctx(ctx, "virtual server %s%s", v->group ? "group:" : "",
					v->group ? v->group : svc);
			const config_setting_t *at = cfx_member(e, "group");
			if (r[a].vs == r[b].vs)
				cfx_err(x, at, ctx, "service %s: twice in group %s", svc, v->group);
			else
				cfx_err(x, at ? at : e, ctx, "service %s is already served by the "
					"virtual server at %s", svc,
					cfx_where(x, o, e, where, sizeof(where)));
		}
	free(r);
}
