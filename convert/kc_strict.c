/*
 * kc_strict: keepalived's strict mode (global vrrp_strict, an instance's
 * strict_mode) as vigil's (global vrrp_strict, an instance's strict).
 *
 * keepalived in strict mode logs and resets what RFC 5798 forbids; vigil
 * refuses it. So a strict instance's converted output is made what
 * keepalived makes of it, each change reported:
 *
 *   authentication, preempt_delay, a lower-priority GARP count,
 *   initial_state master below priority 255, accept for v2 below 255
 *                        -> left out (keepalived ignores them too)
 *   unicast peers        -> keepalived 2.2.7 runs it, in strict mode;
 *                           vigil would refuse: converted with strict = false
 *   IPv6, first address not link-local
 *                        -> keepalived only complains; vigil would refuse:
 *                           converted with strict = false
 * Without strict, vigil accepts the addresses' traffic, which strict
 * keepalived drops below priority 255 without accept: said in the note.
 *
 * Accept mode: strict keepalived defaults it to off below priority 255,
 * as vigil's strict mode does; only an explicit `accept` is written.
 * Outside strict mode the instance is left as kc_vrrp.c wrote it (accept
 * on, and no_accept reported: vigil enforces it in strict mode only).
 */
#include "kc_conv_int.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static void kv_del(struct kc_val *g, const char *key)
{
	for (unsigned i = 0; g && i < g->n; i++) {
		if (!g->kids[i]->key || strcmp(g->kids[i]->key, key))
			continue;
		kv_free(g->kids[i]);
		memmove(&g->kids[i], &g->kids[i + 1], (g->n - i - 1) * sizeof(*g->kids));
		g->n--;
		return;
	}
}

static long long int_of(const struct kc_val *v, const char *key, long long dflt)
{
	const struct kc_val *k = kv_get(v, key);
	return k ? k->i : dflt;
}

/* Leaves key out of v, saying why, when it is there. */
static void drop(struct kc_cx *x, const struct kc_node *n, struct kc_val *v, const char *key,
		 const char *why)
{
	if (!kv_get(v, key))
		return;
	kv_del(v, key);
	kc_skip(x->d, n->src, "vrrp_instance %s: %s: %s", n->w[1], key, why);
}

/* What vigil's strict mode would refuse: the instance goes without strict. */
static const char *not_strict(const struct kc_val *v)
{
	if (kv_get(v, "unicast"))
		return "unicast peers, which vigil's strict mode refuses (keepalived runs "
		       "them in strict mode)";
	const struct kc_val *a = kv_get(v, "addresses");
	if (!a || !a->n || !a->kids[0]->s || !strchr(a->kids[0]->s, ':'))
		return NULL;
	char buf[64];
	struct in6_addr in6;
	snprintf(buf, sizeof(buf), "%s", a->kids[0]->s);
	buf[strcspn(buf, "/")] = '\0';
	if (inet_pton(AF_INET6, buf, &in6) == 1 && !IN6_IS_ADDR_LINKLOCAL(&in6))
		return "its first IPv6 address is not link-local (RFC 5798 §5.2.9), which "
		       "vigil's strict mode refuses (keepalived only logs it)";
	return NULL;
}

void kc_strict_inst(struct kc_cx *x, const struct kc_node *n, struct kc_val *v, int strict,
		    int accept)
{
	if (strict < 0 ? !x->vrrp_strict : !strict) {
		if (strict == 0 && x->vrrp_strict)
			kv_bool(v, "strict", false);
		if (accept == 0)
			kc_skip(x->d, n->src, "vrrp_instance %s: no_accept: vigil enforces non-accept "
				"mode in strict mode only (strict = true)", n->w[1]);
		return;
	}
	bool owner = int_of(v, "priority", 100) == 255;
	const char *why = not_strict(v);
	if (why) {
		kc_skip(x->d, n->src, "vrrp_instance %s: strict mode: %s; converted with "
			"strict = false%s", n->w[1], why, owner || accept == 1 ? "" :
			", so its addresses accept the traffic keepalived's non-accept mode drops");
		kv_bool(v, "strict", false);
		return;
	}
	if (strict == 1 && !x->vrrp_strict)
		kv_bool(v, "strict", true);
	drop(x, n, v, "authentication", "keepalived's strict mode ignores it");
	drop(x, n, v, "preempt_delay", "keepalived's strict mode clears it");
	if (!owner)
		drop(x, n, v, "initial_state", "strict mode starts as master only the owner "
		     "(priority 255)");
	struct kc_val *g = kv_get(v, "garp");
	if (g && int_of(g, "lower_prio_count", 0) > 0)
		kc_skip(x->d, n->src, "vrrp_instance %s: garp_lower_prio_repeat: keepalived's "
			"strict mode sends none", n->w[1]);
	kv_del(g, "lower_prio_count");
	kv_del(v, "accept");
	if (accept == 1 && !owner && int_of(v, "version", 3) == 2)
		kc_skip(x->d, n->src, "vrrp_instance %s: accept: VRRPv2 has no Accept_Mode; "
			"keepalived's strict mode resets it", n->w[1]);
	else if (accept == 1 && !owner)
		kv_bool(v, "accept", true);
	if (!owner && !kv_get(v, "accept")) {
		x->strict_refs = kc_realloc(x->strict_refs, x->n_strict_refs + 1,
					    sizeof(*x->strict_refs));
		x->strict_refs[x->n_strict_refs++] = (struct kc_strict_ref){ v, n };
	}
}

/* a and b name the same address ("192.0.2.1/24" and "192.0.2.1" do). */
static bool same_addr(const char *a, const char *b)
{
	char s[2][64];
	unsigned char buf[2][16];
	const char *in[2] = { a, b };
	for (int i = 0; i < 2; i++) {
		snprintf(s[i], sizeof(s[i]), "%s", in[i]);
		s[i][strcspn(s[i], "/")] = '\0';
		if (inet_pton(strchr(s[i], ':') ? AF_INET6 : AF_INET, s[i], buf[i]) != 1)
			return false;
	}
	return strchr(s[0], ':') == NULL ? strchr(s[1], ':') == NULL && !memcmp(buf[0], buf[1], 4)
		: strchr(s[1], ':') != NULL && !memcmp(buf[0], buf[1], 16);
}

/* An address element: a string, or a group with options. */
static const char *addr_of(const struct kc_val *e)
{
	const struct kc_val *a = e->s ? e : kv_get(e, "address");
	return a ? a->s : NULL;
}

static const char *used_by_vs(const struct kc_cx *x, const struct kc_val *addrs)
{
	for (unsigned k = 0; addrs && k < addrs->n; k++)
		for (unsigned i = 0; x->vs && i < x->vs->n; i++) {
			const struct kc_val *a = kv_get(x->vs->kids[i], "address");
			const char *s = addr_of(addrs->kids[k]);
			if (a && a->s && s && same_addr(a->s, s))
				return s;
		}
	return NULL;
}

void kc_strict_vs(struct kc_cx *x)
{
	for (unsigned i = 0; i < x->n_strict_refs; i++) {
		struct kc_val *v = x->strict_refs[i].v;
		const struct kc_node *n = x->strict_refs[i].n;
		/* the excluded addresses are dropped too */
		const char *a = used_by_vs(x, kv_get(v, "addresses"));
		if (!a)
			a = used_by_vs(x, kv_get(v, "excluded_addresses"));
		if (!a)
			continue;
		bool v2 = int_of(v, "version", 3) == 2;
		kc_skip(x->d, n->src, "vrrp_instance %s: strict mode drops the traffic of the "
			"virtual server on %s (keepalived's too); converted with %s", n->w[1], a,
			v2 ? "strict = false (VRRPv2 has no Accept_Mode)" : "accept = true");
		if (v2)
			kv_bool(v, "strict", false);
		else
			kv_bool(v, "accept", true);
	}
}
