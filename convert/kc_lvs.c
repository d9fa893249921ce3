/*
 * kc_lvs: IPVS settings beside the services — a TUN method's tunnel
 * (lb_kind/lvs_method TUN type gue port 6080 csum) into vigil's
 * `tunnel` group, and global_defs' lvs_timeouts into ipvs_timeouts.
 */
#include "kc_conv_int.h"

#include <stdlib.h>
#include <string.h>

bool kc_tun_parse(struct kc_cx *x, const struct kc_node *n, unsigned idx, struct kc_tun *t)
{
	static const char *const types[] = { "ipip", "gue", "gre" };
	static const char *const csums[] = { "nocsum", "csum", "remcsum" }, *const to[] = {
		"none", "on", "remote" };
	struct kc_tun r = { .port = -1 };
	for (unsigned i = idx; i < n->n; i++) {
		const char *w = n->w[i];
		bool ok = false;
		if (!strcmp(w, "type") && i + 1 < n->n) {
			for (unsigned k = 0; k < 3 && !ok; k++)
				if (!strcmp(n->w[i + 1], types[k]))
					r.type = types[k], ok = true;
			i++;
		} else if (!strcmp(w, "port") && i + 1 < n->n) {
			ok = kc_int(x, n, i + 1, 1, 65535, &r.port);
			i++;
			if (!ok)
				return false;
		} else {
			for (unsigned k = 0; k < 3 && !ok; k++)
				if (!strcmp(w, csums[k]))
					r.csum = to[k], ok = true;
		}
		if (!ok) {
			kc_skip(x->d, n->src, "%s TUN: '%s': expected type ipip|gue|gre, port N, "
				"nocsum, csum or remcsum", n->w[0], w);
			return false;
		}
	}
	if (!r.type && (r.port >= 0 || r.csum))
		r.type = "ipip";
	if (r.type && (!strcmp(r.type, "gue") ? r.port < 0 : r.port >= 0)) {
		kc_skip(x->d, n->src, "%s TUN: a port goes with type gue, and gue needs one",
			n->w[0]);
		return false;
	}
	if (r.csum && (!strcmp(r.type, "ipip") || (!strcmp(r.csum, "remote")
						   && strcmp(r.type, "gue")))) {
		kc_skip(x->d, n->src, "%s TUN: checksum %s: not with type %s", n->w[0], r.csum,
			r.type);
		return false;
	}
	*t = r;
	return true;
}

void kc_tun_out(struct kc_val *v, const struct kc_tun *t)
{
	if (t->type && (strcmp(t->type, "ipip") || t->csum))
		kc_tun_out_always(v, t);      /* else vigil's default */
}

void kc_tun_out_always(struct kc_val *v, const struct kc_tun *t)
{
	struct kc_val *g = kv_add(v, KV_GROUP, "tunnel");
	kv_str(g, "type", t->type);
	if (t->port > 0)
		kv_int(g, "port", t->port);
	if (t->csum && strcmp(t->csum, "none"))
		kv_str(g, "checksum", t->csum);
}

bool kc_tun_same(const struct kc_tun *a, const struct kc_tun *b)
{
	const char *ta = a->type ? a->type : "ipip", *tb = b->type ? b->type : "ipip";
	const char *ca = a->csum ? a->csum : "none", *cb = b->csum ? b->csum : "none";
	long pa = a->port > 0 ? a->port : 0, pb = b->port > 0 ? b->port : 0;
	return !strcmp(ta, tb) && !strcmp(ca, cb) && pa == pb;
}

/* global_defs: lvs_timeouts [tcp N] [tcpfin N] [udp N] -> global.ipvs_timeouts */
void kc_lvs_timeouts(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	static const char *const from[] = { "tcp", "tcpfin", "udp" }, *const to[] = {
		"tcp", "tcp_fin", "udp" };
	long v[3] = { 0, 0, 0 };
	for (unsigned i = 1; i < n->n; i += 2) {
		unsigned k = 0;
		while (k < 3 && strcmp(n->w[i], from[k]))
			k++;
		if (k == 3 || i + 1 >= n->n) {
			kc_skip(x->d, n->src, "lvs_timeouts: '%s': expected tcp N, tcpfin N or udp N",
				n->w[i]);
			return;
		}
		if (!kc_int(x, n, i + 1, 1, 24 * 86400, &v[k]))
			return;
	}
	struct kc_val *g = kv_get(x->global, "ipvs_timeouts");
	if (!g)
		g = kv_add(x->global, KV_GROUP, "ipvs_timeouts");
	for (unsigned k = 0; k < 3; k++) {
		struct kc_val *e = v[k] ? kv_get(g, to[k]) : NULL;
		if (e)
			e->i = v[k];          /* a later lvs_timeouts line wins */
		else if (v[k])
			kv_int(g, to[k], v[k]);
	}
}
