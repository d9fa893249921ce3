/*
 * config_vrrp_opts: an instance's finer keepalived options, kept apart
 * from the core of config_vrrp.c —
 *
 *   source            the multicast adverts' source (keepalived's mcast_src_ip)
 *   unicast.ttl       TTL / hop limit of unicast adverts (unicast_ttl)
 *   unicast.min_ttl   the range a unicast advert's TTL must be in
 *   unicast.max_ttl   (keepalived's per-peer min_ttl / max_ttl)
 *   garp.delay        a second burst this long after becoming master
 *                     (garp_master_delay; garp.count is garp_master_repeat)
 *   garp.lower_prio_count   what a master hearing a lower one sends
 *                     (garp_lower_prio_repeat)
 *
 * Called after the core parse (which has checked the keys and set the
 * family and garp.count).
 */
#include "config_int.h"

void cfx_vrrp_inst_opts(struct cfx *x, const config_setting_t *g, const char *ctx,
			struct vrrp_inst_conf *vi)
{
	char sctx[CFX_CTX_LEN];
	long long v;
	vi->ucast_ttl = 255;
	vi->max_ttl = 255;
	vi->garp_lower_prio_count = vi->garp_count;
	if (cfx_addr(x, g, ctx, "source", &vi->mcast_src) > 0 && vi->family &&
	    vi->mcast_src.family != vi->family)
		cfx_err(x, cfx_member(g, "source"), ctx,
			"source: not of the addresses' family");
	const config_setting_t *u = cfx_member(g, "unicast");
	if (u && config_setting_is_group(u)) {
		cfx_ctx(sctx, "%s: unicast", ctx);
		if (cfx_int(x, u, sctx, "ttl", 1, 255, &v) > 0)
			vi->ucast_ttl = (uint8_t)v;
		if (cfx_int(x, u, sctx, "min_ttl", 0, 255, &v) > 0)
			vi->min_ttl = (uint8_t)v;
		if (cfx_int(x, u, sctx, "max_ttl", 1, 255, &v) > 0)
			vi->max_ttl = (uint8_t)v;
		if (vi->min_ttl > vi->max_ttl)
			cfx_err(x, u, sctx, "min_ttl %u above max_ttl %u", vi->min_ttl, vi->max_ttl);
	}
	const config_setting_t *ga = cfx_member(g, "garp");
	if (ga && config_setting_is_group(ga)) {
		cfx_ctx(sctx, "%s: garp", ctx);
		cfx_num(x, ga, sctx, "delay", true, &vi->garp_delay);
		if (cfx_int(x, ga, sctx, "lower_prio_count", 0, 100, &v) > 0)
			vi->garp_lower_prio_count = (unsigned)v;
	}
}
