/*
 * config_vrrp: the vrrp section and its instances.
 *
 * The section is read in dependency order, so every reference can be
 * checked against what is already loaded:
 *
 *   vrrp.scripts ──► vrrp.instances (track.scripts names a script)
 *                         └──► vrrp.sync_groups (names instances)
 *
 * An instance's protocol constraints are checked here, where the line is
 * known, rather than in the vrrp child: v2 speaks whole seconds, IPv4 and
 * optional authentication (a simple password, or keepalived's IPsec AH
 * keyed with the same password); v3 speaks centiseconds up to
 * 40.95 s and has no authentication (RFC 5798). The addresses fix the
 * instance's family; (interface, vrid, family) identifies it on the wire
 * and must be unique. Tracking, notify, scripts and sync groups live in
 * config_vrrp_aux.c.
 */
#include "config_int.h"

#include <math.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const vrrp_keys[] = {
	"instances", "sync_groups", "scripts", "processes", NULL
};
static const char *const inst_keys[] = {
	"name", "interface", "vrid", "priority", "version", "advert_interval",
	"preempt", "preempt_delay", "initial_state", "addresses", "unicast",
	"authentication", "accept", "garp", "track", "notify", "ipvs_sync", "source",
	"excluded_addresses", "routes", "rules",
	"strict", "vmac", NULL
};
static const char *const state_names[] = { "backup", "master", NULL };
static const char *const auth_names[] = { "none", "pass", "ah", NULL };

static const char *fam_str(int af)
{
	return af == AF_INET6 ? "IPv6" : "IPv4";
}

static void inst_basic(struct cfx *x, const config_setting_t *g, const char *ctx,
		       struct vrrp_inst_conf *vi)
{
	long long v;
	int st = VRRP_INIT_BACKUP;
	if (cfx_require(x, g, ctx, "name"))
		cfx_str(x, g, ctx, "name", &vi->name);
	if (cfx_require(x, g, ctx, "interface")
	    && cfx_str(x, g, ctx, "interface", &vi->interface) > 0
	    && strlen(vi->interface) >= IFNAMSIZ)
		cfx_err(x, cfx_member(g, "interface"), ctx,
			"interface \"%s\": name longer than %d characters",
			vi->interface, IFNAMSIZ - 1);
	if (cfx_require(x, g, ctx, "vrid") && cfx_int(x, g, ctx, "vrid", 1, 255, &v) > 0)
		vi->vrid = (uint8_t)v;
	vi->priority = 100;
	if (cfx_int(x, g, ctx, "priority", 1, 255, &v) > 0)
		vi->priority = (uint8_t)v;
	vi->version = 3;
	if (cfx_int(x, g, ctx, "version", LLONG_MIN, LLONG_MAX, &v) > 0) {
		if (v == 2 || v == 3)
			vi->version = (uint8_t)v;
		else
			cfx_err(x, cfx_member(g, "version"), ctx,
				"version %lld: expected 2 or 3", v);
	}
	vi->preempt = true;
	cfx_bool(x, g, ctx, "preempt", &vi->preempt);
	cfx_num(x, g, ctx, "preempt_delay", true, &vi->preempt_delay);
	cfx_enum(x, g, ctx, "initial_state", state_names, &st);
	vi->initial_state = (enum vrrp_initial_state)st;
	cfx_bool(x, g, ctx, "accept", &vi->accept);
}

static void inst_advert(struct cfx *x, const config_setting_t *g, const char *ctx,
			struct vrrp_inst_conf *vi)
{
	double v = 1.0;
	vi->advert_interval = 1.0;
	if (cfx_num(x, g, ctx, "advert_interval", false, &v) <= 0)
		return;
	const config_setting_t *s = cfx_member(g, "advert_interval");
	double cs = v * 100;
	if (vi->version == 2 && v != floor(v))
		cfx_err(x, s, ctx, "advert_interval %g: VRRPv2 needs whole seconds", v);
	else if (vi->version == 2 && v > 255)
		cfx_err(x, s, ctx, "advert_interval %g out of range for VRRPv2 (1..255)", v);
	else if (vi->version == 3 && fabs(cs - round(cs)) > 1e-6)
		cfx_err(x, s, ctx, "advert_interval %g: VRRPv3 needs a multiple of 0.01 s", v);
	else if (vi->version == 3 && (round(cs) > 4095 || round(cs) < 1))
		cfx_err(x, s, ctx, "advert_interval %g out of range for VRRPv3 (0.01..40.95)", v);
	else
		vi->advert_interval = v;
}

/* Reports a family other than the instance's; the first address sets it. */
static void inst_family(struct cfx *x, const config_setting_t *s, const char *ctx,
			const char *what, const char *text, int af,
			struct vrrp_inst_conf *vi)
{
	if (!vi->family)
		vi->family = af;
	else if (af != vi->family)
		cfx_err(x, s, ctx, "%s %s: mixed address families in one instance "
			"(%s here, %s before; use one instance per family)",
			what, text, fam_str(af), fam_str(vi->family));
}

static void inst_addresses(struct cfx *x, const config_setting_t *g, const char *ctx,
			   struct vrrp_inst_conf *vi)
{
	if (!cfx_require(x, g, ctx, "addresses"))
		return;
	const config_setting_t *l = cfx_list(x, g, ctx, "addresses", true);
	if (!l)
		return;
	unsigned n = cfx_len(l);
	if (n == 0)
		cfx_err(x, l, ctx, "addresses: empty list");
	vi->addrs = cfx_calloc(x, n, sizeof(*vi->addrs));
	/* every moved address: these, then the excluded ones (config_vrrp_moves.c) */
	vi->vaddrs = cfx_calloc(x, n + cfx_vrrp_n_excluded(g), sizeof(*vi->vaddrs));
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = cfx_elem(l, i);
		/* counted first: what it allocates is freed if the load stops */
		struct vrrp_vaddr *va = &vi->vaddrs[vi->n_vaddrs++];
		if (!cfx_vrrp_vaddr(x, e, ctx, va)) {
			vi->n_vaddrs--;
			continue;
		}
		vi->addrs[vi->n_addrs++] = va->p;
		char s[VADDR_STRLEN];
		const char *txt = config_setting_get_string(e);
		inst_family(x, e, ctx, "address",
			    txt ? txt : vaddr_str(&va->p.addr, s, sizeof(s)), va->p.addr.family, vi);
	}
	if (vi->n_addrs > CONF_VRRP_MAX_ADDRS)
		cfx_err(x, l, ctx, "addresses: %u, more than one advert carries (at most %d); "
			"move the others to excluded_addresses", vi->n_addrs, CONF_VRRP_MAX_ADDRS);
	if (vi->version == 2 && vi->family == AF_INET6)
		cfx_err(x, l, ctx, "addresses: VRRPv2 is IPv4 only (use version = 3)");
}

static void inst_unicast(struct cfx *x, const config_setting_t *g, const char *ctx,
			 struct vrrp_inst_conf *vi)
{
	static const char *const keys[] = { "source", "peers", "ttl", "min_ttl", "max_ttl", NULL };
	const config_setting_t *u = cfx_group(x, g, ctx, "unicast");
	char uctx[CFX_CTX_LEN];
	if (!u)
		return;
	cfx_ctx(uctx, "%s: unicast", ctx);
	vi->unicast = true;
	cfx_keys(x, u, uctx, keys);
	if (cfx_addr(x, u, uctx, "source", &vi->ucast_src) > 0)
		inst_family(x, cfx_member(u, "source"), uctx, "source",
			    config_setting_get_string(cfx_member(u, "source")),
			    vi->ucast_src.family, vi);
	const config_setting_t *l = cfx_require(x, u, uctx, "peers")
		? cfx_list(x, u, uctx, "peers", true) : NULL;
	if (!l)
		return;
	if (cfx_len(l) == 0)
		cfx_err(x, l, uctx, "peers: empty list");
	vi->peers = cfx_calloc(x, cfx_len(l), sizeof(*vi->peers));
	for (unsigned i = 0; i < cfx_len(l); i++) {
		const config_setting_t *e = cfx_elem(l, i);
		const char *s = config_setting_get_string(e);
		struct vaddr *a = &vi->peers[vi->n_peers];
		if (!s)
			cfx_err(x, e, uctx, "peers: expected a list of strings");
		else if (vaddr_parse(s, a) < 0)
			cfx_err(x, e, uctx, "peer %s: not an IP address", s);
		else {
			vi->n_peers++;
			inst_family(x, e, uctx, "peer", s, a->family, vi);
		}
	}
}

static void inst_auth(struct cfx *x, const config_setting_t *g, const char *ctx,
		      struct vrrp_inst_conf *vi)
{
	static const char *const keys[] = { "type", "password", NULL };
	const config_setting_t *a = cfx_group(x, g, ctx, "authentication");
	char actx[CFX_CTX_LEN];
	char *pass = NULL;
	int t = VRRP_AUTH_NONE;
	if (!a)
		return;
	if (vi->version == 3) {
		cfx_err(x, a, ctx, "authentication: VRRPv3 has no authentication (RFC 5798)");
		return;
	}
	cfx_ctx(actx, "%s: authentication", ctx);
	cfx_keys(x, a, actx, keys);
	if (cfx_require(x, a, actx, "type") && cfx_enum(x, a, actx, "type", auth_names, &t) > 0)
		vi->auth_type = (enum vrrp_auth)t;
	if (vi->auth_type == VRRP_AUTH_NONE)
		return;
	if (!cfx_require(x, a, actx, "password") || cfx_str(x, a, actx, "password", &pass) <= 0)
		return;
	if (strlen(pass) >= sizeof(vi->auth_pass))
		cfx_err(x, cfx_member(a, "password"), actx,
			"password longer than %zu characters", sizeof(vi->auth_pass) - 1);
	else
		memcpy(vi->auth_pass, pass, strlen(pass) + 1);
	free(pass);
}

static void inst_garp_sync(struct cfx *x, const config_setting_t *g, const char *ctx,
			   struct vrrp_inst_conf *vi)
{
	static const char *const gkeys[] = {
		"count", "interval", "refresh", "delay", "lower_prio_count", NULL
	};
	static const char *const skeys[] = { "interface", "syncid", NULL };
	char sctx[CFX_CTX_LEN];
	long long v;
	vi->garp_count = 5;
	const config_setting_t *ga = cfx_group(x, g, ctx, "garp");
	if (ga) {
		cfx_ctx(sctx, "%s: garp", ctx);
		cfx_keys(x, ga, sctx, gkeys);
		if (cfx_int(x, ga, sctx, "count", 0, 100, &v) > 0)
			vi->garp_count = (unsigned)v;
		cfx_num(x, ga, sctx, "interval", true, &vi->garp_interval);
		cfx_num(x, ga, sctx, "refresh", true, &vi->garp_refresh);
	}
	const config_setting_t *s = cfx_group(x, g, ctx, "ipvs_sync");
	if (!s)
		return;
	cfx_ctx(sctx, "%s: ipvs_sync", ctx);
	vi->has_ipvs_sync = true;
	vi->syncid = vi->vrid;
	cfx_keys(x, s, sctx, skeys);
	if (cfx_require(x, s, sctx, "interface"))
		cfx_str(x, s, sctx, "interface", &vi->sync_interface);
	if (cfx_int(x, s, sctx, "syncid", 0, 255, &v) > 0)
		vi->syncid = (uint8_t)v;
}

/* Instance i against those before it: same name, or same wire identity. */
static void inst_duplicates(struct cfx *x, const config_setting_t *list,
			    const config_setting_t *e, const char *ctx, unsigned i)
{
	const struct vrrp_inst_conf *vi = x->c->vrrp, *me = &vi[i];
	char where[PATH_MAX + 16];
	for (unsigned j = 0; j < i; j++) {
		const config_setting_t *o = config_setting_get_elem(list, j);
		if (me->name && vi[j].name && strcmp(me->name, vi[j].name) == 0)
			cfx_err(x, cfx_member(e, "name"), ctx,
				"name already used by the vrrp instance at %s",
				cfx_where(x, o, e, where, sizeof(where)));
		else if (me->interface && vi[j].interface && me->vrid && me->family
			 && strcmp(me->interface, vi[j].interface) == 0
			 && me->vrid == vi[j].vrid && me->family == vi[j].family)
			cfx_err(x, cfx_member(e, "vrid"), ctx,
				"vrid %u on %s (%s) already used by vrrp instance %s at %s",
				me->vrid, me->interface, fam_str(me->family),
				vi[j].name ? vi[j].name : "?", cfx_where(x, o, e, where, sizeof(where)));
	}
}

static void inst_parse(struct cfx *x, const config_setting_t *g, const char *ctx,
		       struct vrrp_inst_conf *vi)
{
	cfx_keys(x, g, ctx, inst_keys);
	inst_basic(x, g, ctx, vi);
	inst_advert(x, g, ctx, vi);
	inst_addresses(x, g, ctx, vi);
	inst_unicast(x, g, ctx, vi);
	inst_auth(x, g, ctx, vi);
	inst_garp_sync(x, g, ctx, vi);
	cfx_vrrp_inst_opts(x, g, ctx, vi);
	cfx_vrrp_moves(x, g, ctx, vi);
	cfx_vrrp_vmac(x, g, ctx, vi);
	cfx_vrrp_track(x, g, ctx, vi);
	cfx_vrrp_strict(x, g, ctx, vi);
	const config_setting_t *n = cfx_group(x, g, ctx, "notify");
	if (n)
		cfx_vrrp_notify(x, n, ctx, &vi->notify);
}

static void instances(struct cfx *x, const config_setting_t *list)
{
	struct conf *c = x->c;
	unsigned n = cfx_len(list);
	c->vrrp = cfx_calloc(x, n, sizeof(*c->vrrp));
	for (unsigned i = 0; i < n; i++) {
		/* Slots follow list positions; a bad element leaves an empty one. */
		const config_setting_t *e = config_setting_get_elem(list, i);
		struct vrrp_inst_conf *vi = &c->vrrp[c->n_vrrp++];
		char ctx[CFX_CTX_LEN];
		const char *name = NULL;
		if (!config_setting_is_group(e)) {
			cfx_err(x, e, NULL, "vrrp: instances: element %u: expected a group { ... }",
				i + 1);
			continue;
		}
		if (cfx_member_string(e, "name", &name) && *name)
			cfx_ctx(ctx, "vrrp instance %s", name);
		else
			cfx_ctx(ctx, "vrrp instance #%u", i + 1);
		vi->line = (int)config_setting_source_line(e);
		inst_parse(x, e, ctx, vi);
		inst_duplicates(x, list, e, ctx, i);
	}
	cfx_vrrp_vmac_names(x, list);
}

void cfx_vrrp(struct cfx *x, const config_setting_t *g)
{
	cfx_keys(x, g, "vrrp", vrrp_keys);
	const config_setting_t *l = cfx_list(x, g, "vrrp", "scripts", false);
	if (l)
		cfx_vrrp_scripts(x, l);
	l = cfx_list(x, g, "vrrp", "processes", false);
	if (l)
		cfx_vrrp_processes(x, l);
	l = cfx_list(x, g, "vrrp", "instances", false);
	if (l)
		instances(x, l);
	l = cfx_list(x, g, "vrrp", "sync_groups", false);
	if (l)
		cfx_vrrp_groups(x, l);
}

void cfx_vrrp_free(struct conf *c)
{
	for (unsigned i = 0; i < c->n_vrrp; i++) {
		struct vrrp_inst_conf *vi = &c->vrrp[i];
		free(vi->name);
		free(vi->interface);
		free(vi->addrs);
		free(vi->peers);
		for (unsigned k = 0; k < vi->n_track_ifs; k++)
			free(vi->track_ifs[k].name);
		free(vi->track_ifs);
		for (unsigned k = 0; k < vi->n_track_scripts; k++)
			free(vi->track_scripts[k].name);
		free(vi->track_scripts);
		for (unsigned k = 0; k < vi->n_track_files; k++)
			free(vi->track_files[k].path);
		free(vi->track_files);
		for (unsigned k = 0; k < vi->n_track_procs; k++)
			free(vi->track_procs[k].name);
		free(vi->track_procs);
		cfx_notify_free(&vi->notify);
		free(vi->sync_interface);
		cfx_vrrp_moves_free(vi);
	}
	free(c->vrrp);
	cfx_vrrp_aux_free(c);
	cfx_vrrp_proc_free(c);
}
