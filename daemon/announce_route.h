/*
 * announce_route: the only routing-table code — a tun device vigild owns
 * and host routes (/32, /128) through it, over rtnetlink (libnl-route).
 *
 * The device is not persistent: the kernel deletes it, and every route
 * through it, when its last file descriptor closes, so an announcement
 * cannot outlive the process that holds it (SIGKILL, a crash, the OOM
 * killer). The descriptor is close-on-exec: neither the children nor a
 * script keep it alive.
 *
 * announce_route_msg builds the netlink request without sending it (pure,
 * unit-tested); the rest does I/O. Library style: no logging, 0 or -errno
 * with a message in the errbuf.
 */
#ifndef VIGIL_ANNOUNCE_ROUTE_H
#define VIGIL_ANNOUNCE_ROUTE_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

struct errbuf;
struct nl_msg;
struct nl_sock;

struct announce_route {
	int tun_fd;                   /* -1: closed */
	int ifindex;
	char ifname[IFNAMSIZ];
	uint32_t table;
	uint8_t protocol;
	struct nl_sock *sk;
};

/* The request that adds (replacing any same route) or deletes the host
 * route to a through r's device, in r's table, with r's protocol. */
int announce_route_msg(const struct announce_route *r, const struct vaddr *a, bool add,
		       struct nl_msg **out, struct errbuf *eb);

/* Creates (or takes over, clearing its persistence) the tun device
 * ifname, brings it up and opens rtnetlink. -EBUSY: another process holds
 * the device (a second vigild). */
int announce_route_open(struct announce_route *r, const char *ifname, uint32_t table,
			uint8_t protocol, struct errbuf *eb);
/* Adds or deletes the route to a; deleting one that is not there is not
 * an error. */
int announce_route_set(struct announce_route *r, const struct vaddr *a, bool add,
		       struct errbuf *eb);
/* Closes the device: the kernel removes it and every route through it. */
void announce_route_close(struct announce_route *r);

#endif
