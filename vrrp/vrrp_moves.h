/*
 * moves: what moves with a VRRP instance besides its advertised
 * addresses — addresses with options (device, label, scope, broadcast),
 * excluded addresses, routes and policy rules (struct vrrp_vaddr,
 * vrrp_route, vrrp_rule of conf.h).
 *
 * The pure part (moves.c) compares them, so a reload applies only what
 * changed, and prints them for logs. The netlink part (vroute.c, on the
 * handle of vip.h) adds and deletes routes and rules; vip.c adds and
 * deletes the addresses. Every route and rule carries the protocol
 * number VRRP_RTPROT, which marks it as vigil's: a delete matches only
 * vigil's own (an operator's identical static route is left alone), and
 * at start-up the vrrp child sweeps what a crashed run left behind.
 * Add is idempotent (1: already there), delete too (1: not there).
 */
#ifndef VIGIL_VRRP_MOVES_H
#define VIGIL_VRRP_MOVES_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

struct errbuf;
struct vrrp_nl;

#define VRRP_RTPROT 78              /* "vigil-vrrp" in rt_protos.d/vigil.conf */

bool vrrp_vaddr_same(const struct vrrp_vaddr *a, const struct vrrp_vaddr *b);
bool vrrp_route_same(const struct vrrp_route *a, const struct vrrp_route *b);
bool vrrp_rule_same(const struct vrrp_rule *a, const struct vrrp_rule *b);
/* Is x (one of the three kinds) among set[0..n)? */
bool vrrp_vaddr_in(const struct vrrp_vaddr *x, const struct vrrp_vaddr *set, unsigned n);
bool vrrp_route_in(const struct vrrp_route *x, const struct vrrp_route *set, unsigned n);
bool vrrp_rule_in(const struct vrrp_rule *x, const struct vrrp_rule *set, unsigned n);

/* "198.51.100.0/24 via 192.0.2.1 table 100", "from 192.0.2.0/24 table 100 priority 100" */
const char *vrrp_route_str(const struct vrrp_route *r, char *buf, size_t len);
const char *vrrp_rule_str(const struct vrrp_rule *r, char *buf, size_t len);

/* vroute.c: 0 done, 1 already there (add) / not there (delete), or -errno. */
int vrrp_route_add(struct vrrp_nl *nl, const struct vrrp_route *r, struct errbuf *eb);
int vrrp_route_del(struct vrrp_nl *nl, const struct vrrp_route *r, struct errbuf *eb);
int vrrp_rule_add(struct vrrp_nl *nl, const struct vrrp_rule *r, struct errbuf *eb);
int vrrp_rule_del(struct vrrp_nl *nl, const struct vrrp_rule *r, struct errbuf *eb);
/* Deletes every route and rule of protocol VRRP_RTPROT (a crashed run's);
 * counts them in *routes and *rules. 0 or -errno. */
int vrrp_moves_sweep(struct vrrp_nl *nl, unsigned *routes, unsigned *rules, struct errbuf *eb);

#endif
