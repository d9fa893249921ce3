/*
 * vrrp_moves: carrying out an instance's ADD/REMOVE_ADDRESSES actions —
 * everything that moves with it (vrrp/vrrp_moves.h): its addresses, each
 * on its own device with its options, the excluded ones included, then
 * its routes, then its rules; removal in the opposite order (a rule may
 * point at a table the routes fill; a route may use an address as
 * source).
 *
 * Every request is idempotent (already there / not there are answers),
 * so a removal on entering BACKUP at start-up also clears what a crashed
 * run left behind; routes and rules of an earlier configuration are swept
 * by their protocol number at start (vrrp_run_sweep). A reload keeps a
 * MASTER's kernel state and applies only the difference between the old
 * and the new configuration (vrrp_inst_moves_reload). A link coming back
 * has a MASTER restore what the kernel dropped with it
 * (vrrp_run_moves_link_up).
 */
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "errbuf.h"
#include "log.h"
#include "vrrp_moves.h"
#include "vrrp_run.h"

static int vaddr_ifindex(const struct vrrp_inst *in, const struct vrrp_vaddr *a)
{
	if (a->dev)
		return (int)if_nametoindex(a->dev);
	if (in->conf->vmac.on)
		return in->vmac_ifindex;
	if (in->io->sock.ifindex)
		return in->io->sock.ifindex;
	return (int)if_nametoindex(in->conf->interface);
}

/* Logs one request's answer: errors, and what actually changed. */
static void said(const struct vrrp_inst *in, int r, bool add, bool stale, const char *what,
		 const struct errbuf *eb)
{
	const char *name = in->conf->name;
	if (r < 0)
		log_err("%s: %s", name, eb->msg);
	else if (r == 0 && stale)
		log_notice("%s: removed stale %s", name, what);
	else if (r == 0)
		log_info("%s: %s %s", name, add ? "added" : "removed", what);
}

static void one_vaddr(struct vrrp_inst *in, const struct vrrp_vaddr *a, bool add, bool stale)
{
	struct errbuf eb;
	char s[VADDR_STRLEN], what[VADDR_STRLEN + IF_NAMESIZE + 48];
	int ifindex = vaddr_ifindex(in, a);
	const char *dev = vrrp_vaddr_dev(in->conf, a);
	snprintf(what, sizeof(what), "address %s/%u %s %s", vaddr_str(&a->p.addr, s, sizeof(s)),
		 a->p.plen, add ? "to" : "from", dev);
	if (!ifindex) {
		if (add)
			log_err("%s: cannot add %s: no such interface", in->conf->name, what);
		return;
	}
	int r = add ? vrrp_vaddr_add(in->run->nl, ifindex, a, &eb)
		    : vrrp_vaddr_del(in->run->nl, ifindex, a, &eb);
	said(in, r, add, stale, what, &eb);
}

static void one_route(struct vrrp_inst *in, const struct vrrp_route *rt, bool add, bool stale)
{
	struct errbuf eb;
	char s[256], what[270];
	snprintf(what, sizeof(what), "route %s", vrrp_route_str(rt, s, sizeof(s)));
	int r = add ? vrrp_route_add(in->run->nl, rt, &eb) : vrrp_route_del(in->run->nl, rt, &eb);
	said(in, r, add, stale, what, &eb);
}

static void one_rule(struct vrrp_inst *in, const struct vrrp_rule *ru, bool add, bool stale)
{
	struct errbuf eb;
	char s[256], what[270];
	snprintf(what, sizeof(what), "rule %s", vrrp_rule_str(ru, s, sizeof(s)));
	int r = add ? vrrp_rule_add(in->run->nl, ru, &eb) : vrrp_rule_del(in->run->nl, ru, &eb);
	said(in, r, add, stale, what, &eb);
}

void vrrp_inst_moves(struct vrrp_inst *in, bool add, enum vrrp_state before)
{
	const struct vrrp_inst_conf *c = in->conf;
	bool stale = !add && (before == VRRP_STATE_INIT || before == VRRP_STATE_STOPPED);
	if (add) {
		for (unsigned i = 0; i < c->n_vaddrs; i++)
			one_vaddr(in, &c->vaddrs[i], true, false);
		for (unsigned i = 0; i < c->n_routes; i++)
			one_route(in, &c->routes[i], true, false);
		for (unsigned i = 0; i < c->n_rules; i++)
			one_rule(in, &c->rules[i], true, false);
		return;
	}
	for (unsigned i = 0; i < c->n_rules; i++)
		one_rule(in, &c->rules[i], false, stale);
	for (unsigned i = 0; i < c->n_routes; i++)
		one_route(in, &c->routes[i], false, stale);
	for (unsigned i = 0; i < c->n_vaddrs; i++)
		one_vaddr(in, &c->vaddrs[i], false, stale);
}

/*
 * What a reload changes on a MASTER: the old configuration's objects the
 * new one lacks are removed, then the new ones are added. Adding is
 * idempotent, so the unchanged ones are requested again (the kernel
 * answers "exists" and nothing moves): that restores a route the kernel
 * dropped with a replaced address it used as source.
 */
void vrrp_inst_moves_reload(struct vrrp_inst *in, const struct vrrp_inst_conf *old)
{
	const struct vrrp_inst_conf *c = in->conf;
	bool changed = false;
	for (unsigned i = 0; i < old->n_rules; i++)
		if (!vrrp_rule_in(&old->rules[i], c->rules, c->n_rules)) {
			one_rule(in, &old->rules[i], false, false);
			changed = true;
		}
	for (unsigned i = 0; i < old->n_routes; i++)
		if (!vrrp_route_in(&old->routes[i], c->routes, c->n_routes)) {
			one_route(in, &old->routes[i], false, false);
			changed = true;
		}
	for (unsigned i = 0; i < old->n_vaddrs; i++)
		if (!vrrp_vaddr_in(&old->vaddrs[i], c->vaddrs, c->n_vaddrs)) {
			one_vaddr(in, &old->vaddrs[i], false, false);
			changed = true;
		}
	for (unsigned i = 0; !changed && i < c->n_vaddrs; i++)
		changed = !vrrp_vaddr_in(&c->vaddrs[i], old->vaddrs, old->n_vaddrs);
	for (unsigned i = 0; !changed && i < c->n_routes; i++)
		changed = !vrrp_route_in(&c->routes[i], old->routes, old->n_routes);
	for (unsigned i = 0; !changed && i < c->n_rules; i++)
		changed = !vrrp_rule_in(&c->rules[i], old->rules, old->n_rules);
	if (changed)
		vrrp_inst_moves(in, true, in->fsm.state);
}

/* Does a MASTER's kernel state depend on devices other than its own
 * interface (whose loss is a FAULT, and whose return a new election)? */
static bool beyond_interface(const struct vrrp_inst_conf *c)
{
	for (unsigned i = 0; i < c->n_vaddrs; i++)
		if (c->vaddrs[i].dev && strcmp(c->vaddrs[i].dev, c->interface))
			return true;
	return c->n_routes || c->n_rules;
}

/*
 * A link came up. While it was down the kernel dropped the routes through
 * it (and, IPv6, its addresses): every MASTER whose routes, rules or
 * addresses may use another device than its own interface requests them
 * all again; those still there cost a request and change nothing.
 */
void vrrp_run_moves_link_up(struct vrrp_run *r, const char *ifname)
{
	for (unsigned i = 0; i < r->n_insts; i++) {
		struct vrrp_inst *in = &r->insts[i];
		if (in->fsm.state != VRRP_STATE_MASTER || !beyond_interface(in->conf))
			continue;
		log_debug("%s: interface %s up: restoring what the kernel dropped", in->conf->name,
			  ifname);
		vrrp_inst_moves(in, true, in->fsm.state);
	}
}

void vrrp_run_sweep(struct vrrp_run *r)
{
	struct errbuf eb;
	unsigned routes = 0, rules = 0;
	if (vrrp_moves_sweep(r->nl, &routes, &rules, &eb) < 0)
		log_warn("vrrp: %s", eb.msg);
	if (routes || rules)
		log_notice("vrrp: removed %u stale routes and %u stale rules of protocol %u "
			   "(an earlier run's)", routes, rules, VRRP_RTPROT);
}
