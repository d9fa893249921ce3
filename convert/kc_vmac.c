/*
 * kc_vmac: an instance's use_vmac and vmac_xmit_base.
 *
 *   use_vmac                      vmac = true;
 *   use_vmac NAME                 vmac = "NAME";
 *   + vmac_xmit_base              vmac = { [interface = "NAME";] xmit_base = true; };
 *
 * keepalived also takes a MAC address of the user's choosing after
 * use_vmac; vigil's is always RFC 5798's (00:00:5e:00:01:VRID), so that
 * part is reported and the rest converted. vmac_xmit_base without
 * use_vmac does nothing in keepalived either, nor in strict mode.
 */
#include "kc_conv_int.h"

#include <string.h>

void kc_vmac_kw(struct kc_cx *x, const struct kc_node *n, struct kc_vmac *vm)
{
	if (!strcmp(n->w[0], "vmac_xmit_base")) {
		vm->xmit_base = n;
		kc_extra(x, n, 1);
		return;
	}
	vm->use = n;
}

void kc_vmac_out(struct kc_cx *x, struct kc_val *v, const struct kc_vmac *vm, const char *name)
{
	const char *ifname = NULL;
	if (!vm->use) {
		if (vm->xmit_base)
			kc_skip(x->d, vm->xmit_base->src, "vrrp_instance %s: vmac_xmit_base without "
				"use_vmac (keepalived ignores it too)", name);
		return;
	}
	for (unsigned i = 1; i < vm->use->n; i++) {
		const char *w = vm->use->w[i];
		if (strchr(w, ':'))
			kc_skip(x->d, vm->use->src, "use_vmac %s: vigil's virtual MAC is always "
				"00:00:5e:00:01:VRID (00:00:5e:00:02:VRID for IPv6)", w);
		else if (!ifname)
			ifname = w;
		else
			kc_skip(x->d, vm->use->src, "use_vmac: '%s' unexpected", w);
	}
	char named[32];
	struct kc_val *vrid = kv_get(v, "vrid");
	if (!ifname && x->vmac_prefix && vrid) {
		snprintf(named, sizeof(named), "%s.%lld", x->vmac_prefix, (long long)vrid->i);
		if (strlen(named) < 16)        /* IFNAMSIZ */
			ifname = named;
		else
			kc_skip(x->d, vm->use->src, "use_vmac: vmac_prefix makes '%s', too long "
				"for an interface name", named);
	}
	struct kc_val *st = kv_get(v, "strict");
	bool xmit_base = vm->xmit_base != NULL;
	if (xmit_base && (st ? st->i != 0 : x->vrrp_strict)) {
		kc_skip(x->d, vm->xmit_base->src, "vrrp_instance %s: vmac_xmit_base: keepalived's "
			"strict mode resets it (adverts come from the virtual MAC)", name);
		xmit_base = false;
	}
	if (!xmit_base) {
		if (ifname)
			kv_str(v, "vmac", ifname);
		else
			kv_bool(v, "vmac", true);
		return;
	}
	struct kc_val *g = kv_add(v, KV_GROUP, "vmac");
	if (ifname)
		kv_str(g, "interface", ifname);
	kv_bool(g, "xmit_base", true);
}
