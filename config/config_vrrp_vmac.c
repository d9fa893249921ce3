/*
 * config_vrrp_vmac: an instance's virtual MAC (RFC 5798 §7.3; keepalived's
 * use_vmac and vmac_xmit_base) —
 *
 *   vmac = true;                       a macvlan named vrrp.VRID
 *   vmac = "vrrp.51";                  named so
 *   vmac = { interface = "vrrp.51"; xmit_base = true; };
 *
 * cfx_vrrp_vmac reads one instance's setting; cfx_vrrp_vmac_names runs
 * once every instance is read and gives the unnamed ones keepalived's
 * default names (vrrp.VRID, then vrrp1.VRID, vrrp2.VRID ...; IPv6 tries
 * vrrp6.VRID second), skipping every name the configuration already uses,
 * so a name never depends on what the host has (a leftover of a crashed
 * run must be found again under the same name). Unicast adverts go out
 * of the base interface (keepalived forces vmac_xmit_base too); strict
 * mode, where the adverts must come from the virtual MAC, refuses
 * xmit_base (keepalived resets it).
 */
#include "config_int.h"

#include <ctype.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the kernel takes as an interface name (dev_valid_name). */
static bool valid_ifname(const char *s)
{
	if (!*s || strlen(s) >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return false;
	return true;
}

static void set_name(struct cfx *x, const config_setting_t *s, const char *ctx,
		     struct vrrp_inst_conf *vi, const char *name)
{
	if (!valid_ifname(name))
		cfx_err(x, s, ctx, "vmac: \"%s\" is not an interface name (1 to %d characters, "
			"no '/', ':' or blanks)", name, IFNAMSIZ - 1);
	else if (vi->interface && !strcmp(name, vi->interface))
		cfx_err(x, s, ctx, "vmac: \"%s\" is the instance's own interface", name);
	else
		snprintf(vi->vmac.ifname, sizeof(vi->vmac.ifname), "%s", name);
}

static void vmac_group(struct cfx *x, const config_setting_t *v, const char *ctx,
		       struct vrrp_inst_conf *vi)
{
	static const char *const keys[] = { "interface", "xmit_base", NULL };
	char vctx[CFX_CTX_LEN];
	char *name = NULL;
	bool xb = vi->unicast;
	cfx_ctx(vctx, "%s: vmac", ctx);
	cfx_keys(x, v, vctx, keys);
	if (cfx_str(x, v, vctx, "interface", &name) > 0)
		set_name(x, config_setting_get_member(v, "interface"), ctx, vi, name);
	free(name);
	if (cfx_bool(x, v, vctx, "xmit_base", &xb) > 0 && !xb && vi->unicast)
		cfx_err(x, config_setting_get_member(v, "xmit_base"), vctx,
			"xmit_base = false: unicast adverts leave from the base interface");
	vi->vmac.xmit_base = xb;
}

void cfx_vrrp_vmac(struct cfx *x, const config_setting_t *g, const char *ctx,
		   struct vrrp_inst_conf *vi)
{
	const config_setting_t *v = config_setting_get_member(g, "vmac");
	if (!v)
		return;
	vi->vmac.on = true;
	vi->vmac.xmit_base = vi->unicast;
	switch (config_setting_type(v)) {
	case CONFIG_TYPE_BOOL:
		vi->vmac.on = config_setting_get_bool(v);
		break;
	case CONFIG_TYPE_STRING:
		set_name(x, v, ctx, vi, config_setting_get_string(v));
		break;
	case CONFIG_TYPE_GROUP:
		vmac_group(x, v, ctx, vi);
		break;
	default:
		cfx_err(x, v, ctx, "vmac: expected true, an interface name or "
			"{ interface = ...; xmit_base = ...; }");
		vi->vmac.on = false;
	}
	if (!vi->vmac.on)
		memset(&vi->vmac, 0, sizeof(vi->vmac));
}

/* Is name taken by an instance's interface or by another vmac? */
static bool name_used(const struct conf *c, const char *name, unsigned self)
{
	for (unsigned i = 0; i < c->n_vrrp; i++) {
		const struct vrrp_inst_conf *o = &c->vrrp[i];
		if (o->interface && !strcmp(o->interface, name))
			return true;
		if (i != self && o->vmac.on && !strcmp(o->vmac.ifname, name))
			return true;
	}
	return false;
}

static void default_name(const struct conf *c, unsigned self, struct vrrp_inst_conf *vi)
{
	char name[IFNAMSIZ];
	bool v6 = vi->family == AF_INET6;
	snprintf(name, sizeof(name), "vrrp.%u", vi->vrid);
	/* keepalived's order: vrrp, then vrrp1..; IPv6 vrrp6 first, and no vrrp6 later. */
	for (unsigned n = v6 ? 6 : 1; name_used(c, name, self) && n < 1000;) {
		snprintf(name, sizeof(name), "vrrp%u.%u", n, vi->vrid);
		if (v6 && n == 6)
			n = 1;
		else if (++n == 6 && v6)
			n++;
	}
	snprintf(vi->vmac.ifname, sizeof(vi->vmac.ifname), "%s", name);
}

void cfx_vrrp_vmac_names(struct cfx *x, const config_setting_t *list)
{
	struct conf *c = x->c;
	char where[PATH_MAX + 16];
	for (unsigned i = 0; i < c->n_vrrp; i++)
		if (c->vrrp[i].vmac.on && !c->vrrp[i].vmac.ifname[0] && c->vrrp[i].vrid)
			default_name(c, i, &c->vrrp[i]);
	for (unsigned i = 0; i < c->n_vrrp; i++) {
		const struct vrrp_inst_conf *vi = &c->vrrp[i];
		if (!vi->vmac.on || !vi->vmac.ifname[0])
			continue;
		const config_setting_t *e = config_setting_get_elem(list, i);
		char ctx[CFX_CTX_LEN];
		cfx_ctx(ctx, "vrrp instance %s", vi->name ? vi->name : "?");
		/* strict refuses unicast itself; keepalived resets xmit_base silently */
		if (vi->strict && vi->vmac.xmit_base && !vi->unicast)
			cfx_err(x, config_setting_get_member(e, "vmac"), ctx, "vmac: xmit_base: not "
				"in strict mode (RFC 5798 §7.3: adverts come from the virtual MAC)");
		for (unsigned j = 0; j < c->n_vrrp; j++) {
			const struct vrrp_inst_conf *o = &c->vrrp[j];
			const config_setting_t *oe = config_setting_get_elem(list, j);
			bool dup = j < i && o->vmac.on && !strcmp(o->vmac.ifname, vi->vmac.ifname);
			if (dup || (o->interface && !strcmp(o->interface, vi->vmac.ifname))) {
				cfx_err(x, config_setting_get_member(e, "vmac"), ctx,
					"vmac: interface %s is also %s of vrrp instance %s at %s",
					vi->vmac.ifname, dup ? "the vmac" : "the interface",
					o->name ? o->name : "?", cfx_where(x, oe, e, where, sizeof(where)));
				break;
			}
		}
	}
}
