/*
 * moves: comparing and printing what moves with an instance (see
 * vrrp_moves.h). Pure: two configurations' objects are the same when
 * every field the kernel sees is equal, so a reload that changes nothing
 * touches nothing and one that changes a route replaces only that route.
 */
#include "vrrp_moves.h"

#include <stdio.h>
#include <string.h>

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool prefix_same(const struct vprefix *a, const struct vprefix *b)
{
	return vaddr_equal(&a->addr, &b->addr) && a->plen == b->plen;
}

bool vrrp_vaddr_same(const struct vrrp_vaddr *a, const struct vrrp_vaddr *b)
{
	return prefix_same(&a->p, &b->p) && str_same(a->dev, b->dev) &&
	       str_same(a->label, b->label) && a->scope == b->scope &&
	       a->has_brd == b->has_brd && (!a->has_brd || vaddr_equal(&a->brd, &b->brd));
}

bool vrrp_route_same(const struct vrrp_route *a, const struct vrrp_route *b)
{
	return prefix_same(&a->to, &b->to) && vaddr_equal(&a->via, &b->via) &&
	       vaddr_equal(&a->src, &b->src) && str_same(a->dev, b->dev) &&
	       a->table == b->table && a->metric == b->metric && a->scope == b->scope &&
	       a->type == b->type;
}

bool vrrp_rule_same(const struct vrrp_rule *a, const struct vrrp_rule *b)
{
	return a->family == b->family && prefix_same(&a->from, &b->from) &&
	       prefix_same(&a->to, &b->to) && a->table == b->table &&
	       a->priority == b->priority && a->fwmark == b->fwmark && a->fwmask == b->fwmask &&
	       str_same(a->iif, b->iif) && str_same(a->oif, b->oif);
}

#define IN_SET(fn) do { \
		for (unsigned i = 0; i < n; i++) \
			if (fn(x, &set[i])) \
				return true; \
		return false; \
	} while (0)

bool vrrp_vaddr_in(const struct vrrp_vaddr *x, const struct vrrp_vaddr *set, unsigned n)
{
	IN_SET(vrrp_vaddr_same);
}

bool vrrp_route_in(const struct vrrp_route *x, const struct vrrp_route *set, unsigned n)
{
	IN_SET(vrrp_route_same);
}

bool vrrp_rule_in(const struct vrrp_rule *x, const struct vrrp_rule *set, unsigned n)
{
	IN_SET(vrrp_rule_same);
}

/* Appends word and s to buf at *used, never past len. */
static void cat(char *buf, size_t len, size_t *used, const char *word, const char *s)
{
	if (*used >= len)
		return;
	int n = snprintf(buf + *used, len - *used, "%s%s", word, s);
	if (n > 0)
		*used += (size_t)n;
}

static const char *prefix_str(const struct vprefix *p, char *buf, size_t len)
{
	char a[VADDR_STRLEN];
	if (!vaddr_is_set(&p->addr))
		snprintf(buf, len, "all");
	else
		snprintf(buf, len, "%s/%u", vaddr_str(&p->addr, a, sizeof(a)), p->plen);
	return buf;
}

const char *vrrp_route_str(const struct vrrp_route *r, char *buf, size_t len)
{
	static const char *const types[] = { "", "blackhole ", "unreachable ", "prohibit " };
	char p[VADDR_STRLEN + 8], a[VADDR_STRLEN], t[16];
	size_t used = 0;
	buf[0] = '\0';
	cat(buf, len, &used, "", types[r->type & 3]);
	cat(buf, len, &used, "", prefix_str(&r->to, p, sizeof(p)));
	if (vaddr_is_set(&r->via))
		cat(buf, len, &used, " via ", vaddr_str(&r->via, a, sizeof(a)));
	if (r->dev)
		cat(buf, len, &used, " dev ", r->dev);
	if (vaddr_is_set(&r->src))
		cat(buf, len, &used, " src ", vaddr_str(&r->src, a, sizeof(a)));
	snprintf(t, sizeof(t), "%u", r->table);
	cat(buf, len, &used, " table ", t);
	if (r->metric) {
		snprintf(t, sizeof(t), "%u", r->metric);
		cat(buf, len, &used, " metric ", t);
	}
	return buf;
}

const char *vrrp_rule_str(const struct vrrp_rule *r, char *buf, size_t len)
{
	char p[VADDR_STRLEN + 8], t[24];
	size_t used = 0;
	buf[0] = '\0';
	cat(buf, len, &used, "from ", prefix_str(&r->from, p, sizeof(p)));
	if (vaddr_is_set(&r->to.addr))
		cat(buf, len, &used, " to ", prefix_str(&r->to, p, sizeof(p)));
	if (r->fwmark) {
		snprintf(t, sizeof(t), "0x%x", r->fwmark);
		cat(buf, len, &used, " fwmark ", t);
	}
	if (r->iif)
		cat(buf, len, &used, " iif ", r->iif);
	if (r->oif)
		cat(buf, len, &used, " oif ", r->oif);
	snprintf(t, sizeof(t), "%u", r->table);
	cat(buf, len, &used, " table ", t);
	if (r->priority) {
		snprintf(t, sizeof(t), "%u", r->priority);
		cat(buf, len, &used, " priority ", t);
	}
	return buf;
}
