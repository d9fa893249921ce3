/*
 * config_vrrp_strict: strict mode, keepalived's vrrp_strict / strict_mode.
 *
 * An instance is strict when the global `vrrp_strict` is set, unless it
 * says `strict = false`, or when it says `strict = true` itself. A strict
 * instance speaks RFC 5798 (v3) or RFC 3768 (v2) and nothing else, so the
 * loader refuses what those forbid, where keepalived would log and
 * quietly change the configuration:
 *
 *   unicast             adverts go to the IANA group only
 *   authentication      RFC 3768 removed it; v3 never had it
 *   > 20 addresses      more than one advert of ours carries
 *   IPv6, first address not link-local (RFC 5798 §5.2.9)
 *   initial_state       master only for the owner (priority 255), and the
 *                       owner starts as master
 *   preempt_delay       not in the RFCs' state machine
 *   garp.lower_prio_count  no extra ARP when hearing a lower master
 *   accept = true       with v2 for a non-owner (RFC 3768 has no Accept_Mode)
 *   accept = false      for the owner, which always accepts (RFC 5798 §6.4.3)
 *   no accept           on an address a virtual server uses (its traffic
 *                       would be dropped before IPVS sees it)
 *
 * and sets what strict changes by default: accept is false unless the
 * instance owns the addresses, and no GARP burst answers a lower master.
 * The parent enforces non-accept mode with nftables (daemon/vipfw.c); the
 * state machine drops its non-RFC extras (vrrp/fsm.c).
 */
#include "config_int.h"

#include <netinet/in.h>

/* Refusals about how the instance talks: destination, authentication, addresses. */
static void strict_wire(struct cfx *x, const config_setting_t *g, const char *ctx,
			const struct vrrp_inst_conf *vi)
{
	const config_setting_t *s;
	if ((s = cfx_member(g, "unicast")))
		cfx_err(x, s, ctx, "unicast: strict mode sends adverts to the VRRP multicast "
			"group only (RFC 5798 §5.1.1.2)");
	if ((s = cfx_member(g, "authentication")) && vi->version == 2 &&
	    vi->auth_type != VRRP_AUTH_NONE)
		cfx_err(x, s, ctx, "authentication: not in strict mode (RFC 3768 removed it)");
	s = cfx_member(g, "addresses");
	if (s && vi->family == AF_INET6 && vi->n_addrs > 0 &&
	    !IN6_IS_ADDR_LINKLOCAL(&vi->addrs[0].addr.u.v6))
		cfx_err(x, cfx_elem(s, 0), ctx, "addresses: strict mode needs a link-local "
			"first IPv6 address (RFC 5798 §5.2.9)");
}

static bool vs_on(const struct vs_conf *vs, const struct vaddr *a)
{
	if (vaddr_equal(&vs->addr, a))
		return true;
	for (unsigned i = 0; i < vs->n_members; i++)
		if (vaddr_equal(&vs->members[i].addr, a))
			return true;
	return false;
}

/* The first virtual server on address a, or NULL. */
static const struct vs_conf *vs_using(const struct cfx *x, const struct vaddr *a)
{
	for (unsigned i = 0; i < x->c->n_vs; i++)
		if (vs_on(&x->c->vs[i], a))
			return &x->c->vs[i];
	return NULL;
}

static void vs_clash(struct cfx *x, const config_setting_t *at, const char *ctx,
		     const char *what, const struct vaddr *a)
{
	const struct vs_conf *vs = vs_using(x, a);
	char as[VADDR_STRLEN], v[VADDR_PORT_STRLEN];
	if (vs)
		cfx_err(x, at, ctx, "%s %s: virtual server %s uses it, and strict mode without "
			"accept drops its traffic (set accept = true)", what,
			vaddr_str(a, as, sizeof(as)),
			vs->name ? vs->name : vaddr_port_str(&vs->addr, vs->port, v, sizeof(v)));
}

/* A virtual server on an address that non-accept mode drops would never
 * see a packet (IPVS comes after the drop): keepalived runs it so, silent.
 * The excluded addresses are dropped too. */
static void strict_vs(struct cfx *x, const config_setting_t *g, const char *ctx,
		      const struct vrrp_inst_conf *vi)
{
	if (vi->accept)
		return;
	const config_setting_t *l = cfx_member(g, "addresses");
	for (unsigned k = 0; l && k < vi->n_addrs && k < cfx_len(l); k++)
		vs_clash(x, cfx_elem(l, k), ctx, "address", &vi->addrs[k].addr);
	l = cfx_member(g, "excluded_addresses");
	unsigned e = 0;
	for (unsigned k = 0; l && k < vi->n_vaddrs; k++)
		if (vi->vaddrs[k].excluded) {
			const config_setting_t *at = config_setting_is_aggregate(l) && e < cfx_len(l)
				? cfx_elem(l, e) : l;
			e++;
			vs_clash(x, at, ctx, "excluded address", &vi->vaddrs[k].p.addr);
		}
}

/* Refusals about the state machine and Accept_Mode. */
static void strict_states(struct cfx *x, const config_setting_t *g, const char *ctx,
			  const struct vrrp_inst_conf *vi)
{
	const config_setting_t *s;
	bool owner = vi->priority == 255;
	if ((s = cfx_member(g, "initial_state")) &&
	    (vi->initial_state == VRRP_INIT_MASTER) != owner)
		cfx_err(x, s, ctx, owner
			? "initial_state: strict mode starts the address owner (priority 255) as master"
			: "initial_state: strict mode starts as master only the address owner "
			  "(priority 255)");
	if ((s = cfx_member(g, "preempt_delay")) && vi->preempt_delay > 0)
		cfx_err(x, s, ctx, "preempt_delay: not in strict mode (RFC 5798 preempts at once)");
	s = cfx_member(g, "garp");
	if (s && (s = cfx_member(s, "lower_prio_count")) && vi->garp_lower_prio_count > 0)
		cfx_err(x, s, ctx, "garp: lower_prio_count: strict mode sends none (set 0)");
	if ((s = cfx_member(g, "accept")) && vi->accept && !owner && vi->version == 2)
		cfx_err(x, s, ctx, "accept: VRRPv2 has no Accept_Mode (RFC 3768); "
			"strict mode refuses it below priority 255");
	else if (s && !vi->accept && owner)
		cfx_err(x, s, ctx, "accept: the address owner (priority 255) always accepts "
			"(RFC 5798 §6.4.3)");
}

void cfx_vrrp_strict(struct cfx *x, const config_setting_t *g, const char *ctx,
		     struct vrrp_inst_conf *vi)
{
	vi->strict = x->c->global.vrrp_strict;
	cfx_bool(x, g, ctx, "strict", &vi->strict);
	if (!vi->strict)
		return;
	strict_wire(x, g, ctx, vi);
	strict_states(x, g, ctx, vi);
	if (!cfx_member(g, "accept"))
		vi->accept = vi->priority == 255;
	strict_vs(x, g, ctx, vi);
	const config_setting_t *ga = cfx_member(g, "garp");
	if (!ga || !cfx_member(ga, "lower_prio_count"))
		vi->garp_lower_prio_count = 0;
}
