/*
 * config_lvs: IPVS settings that keepalived configurations carry beside
 * the service and its real servers: a tun real server's encapsulation
 * (tunnel, on a virtual server as its real servers' default or on one
 * real server), and the kernel's connection timeouts (global's
 * ipvs_timeouts, keepalived's lvs_timeouts).
 *
 *   tunnel = { type = "gue"; port = 6080; checksum = "remote"; };
 *
 * Types are the kernel's (ipip, gue, gre); checksum is "none" (the
 * default), "on", or "remote" (gue's remote checksum offload).
 */
#include "config_int.h"

#include <linux/ip_vs.h>

static const char *const tun_names[] = { "ipip", "gue", "gre", NULL };
static const char *const csum_names[] = { "none", "on", "remote", NULL };

void cfx_tunnel(struct cfx *x, const config_setting_t *g, const char *ctx,
		enum fwd_method fwd, struct tun_conf *t)
{
	static const char *const keys[] = { "type", "port", "checksum", NULL };
	const config_setting_t *s = cfx_group(x, g, ctx, "tunnel");
	char tctx[CFX_CTX_LEN];
	long long v;
	int type = t->type, cs = -1;
	if (!s)
		return;
	cfx_ctx(tctx, "%s: tunnel", ctx);
	cfx_keys(x, s, tctx, keys);
	if (fwd != FWD_TUN)
		cfx_err(x, s, ctx, "tunnel: needs forwarding \"tun\"");
	cfx_enum(x, s, tctx, "type", tun_names, &type);
	t->type = (uint8_t)type;
	if (cfx_int(x, s, tctx, "port", 1, 65535, &v) > 0)
		t->port = (uint16_t)v;
	if (t->type == TUN_GUE && !t->port)
		cfx_err(x, s, tctx, "type \"gue\": needs a port (the UDP port of the encapsulation)");
	else if (t->type != TUN_GUE && cfx_member(s, "port"))
		cfx_err(x, cfx_member(s, "port"), tctx, "port: only for type \"gue\"");
	if (t->type != TUN_GUE)
		t->port = 0;
	if (cfx_enum(x, s, tctx, "checksum", csum_names, &cs) <= 0)
		return;
	t->flags = cs == 1 ? IP_VS_TUNNEL_ENCAP_FLAG_CSUM
		: cs == 2 ? IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM : IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM;
	if (cs && t->type == TUN_IPIP)
		cfx_err(x, cfx_member(s, "checksum"), tctx,
			"checksum: ipip has none (gue or gre)");
	else if (cs == 2 && t->type != TUN_GUE)
		cfx_err(x, cfx_member(s, "checksum"), tctx,
			"checksum \"remote\": only for type \"gue\"");
}

/* The kernel keeps each timeout in jiffies as an int: up to 24 days is
 * safe at any HZ. */
#define TIMEOUT_MAX (24 * 86400)

void cfx_ipvs_timeouts(struct cfx *x, const config_setting_t *g, struct global_conf *gc)
{
	static const char *const keys[] = { "tcp", "tcp_fin", "udp", NULL };
	static const char *const ctx = "global: ipvs_timeouts";
	const config_setting_t *s = cfx_group(x, g, "global", "ipvs_timeouts");
	uint32_t *slot[] = { &gc->ipvs_tcp, &gc->ipvs_tcp_fin, &gc->ipvs_udp };
	long long v;
	if (!s)
		return;
	cfx_keys(x, s, ctx, keys);
	for (unsigned i = 0; keys[i]; i++)
		if (cfx_int(x, s, ctx, keys[i], 1, TIMEOUT_MAX, &v) > 0)
			*slot[i] = (uint32_t)v;
}
