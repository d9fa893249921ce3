/*
 * announce: the virtual addresses vigild announces to routing while the
 * director is healthy for them (vigil.conf(5) ANNOUNCE; docs/scale-out.md).
 *
 * For each configured address, once per loop pass (after the IPVS
 * reconcile that records quorum), the policy below decides whether it is
 * announced; a change adds or deletes its host route through the tun
 * device of announce_route.h, which FRR redistributes into BGP. Stopping
 * withdraws everything at once; dying does too, since the kernel deletes
 * the device with the process's last descriptor.
 */
#ifndef VIGIL_ANNOUNCE_H
#define VIGIL_ANNOUNCE_H

#include <stdbool.h>
#include <stdio.h>

#include "conf.h"

struct vigild;
struct errbuf;
struct json_object;

/* Why an address is, or is not, announced. */
enum announce_reason {
	ANNOUNCE_HEALTHY,             /* announced */
	ANNOUNCE_NO_VERDICT,          /* a service's quorum is not evaluated yet */
	ANNOUNCE_QUORUM_LOST,
	ANNOUNCE_NOT_MASTER,          /* its VRRP instance is not MASTER */
	ANNOUNCE_STOPPING,            /* vigild is stopping */
	ANNOUNCE_NO_IPVS,             /* vigild runs without the IPVS table (--vrrp-only) */
	ANNOUNCE_ROUTE_ERROR,         /* healthy, but the route could not be added */
	ANNOUNCE__COUNT
};

/* What the policy looks at for one address. */
struct announce_input {
	enum announce_need need;
	unsigned services;            /* address:port virtual servers on the address */
	unsigned up;                  /* of which have quorum */
	unsigned unknown;             /* of which have no verdict yet */
	bool vrrp;                    /* a vrrp_instance condition is configured */
	int vrrp_state;               /* its enum vrrp_state; -1: not reported yet */
	bool stopping, no_ipvs;
};

/* The policy (pure): ANNOUNCE_HEALTHY when the address is to be announced,
 * else the first reason it is not. */
enum announce_reason announce_decide(const struct announce_input *in);
const char *announce_reason_str(enum announce_reason r);   /* "quorum_lost" */

/* Start-up: opens the device when addresses are configured (an error
 * here fails the start: the operator asked for announcements). */
int announce_open(struct vigild *d, struct errbuf *eb);
/* vigild is stopping: withdraw every address now (before the grace time). */
void announce_stop(struct vigild *d);
void announce_close(struct vigild *d);

/* Adds "announce": {interface, table, protocol, error, addresses[]}. */
void announce_status_json(struct vigild *d, struct json_object *r);
/* Prometheus lines from a status reply's "announce" (pure). */
void announce_metrics(FILE *f, struct json_object *status);

#endif
