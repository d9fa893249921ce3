/*
 * announce_route: a tun device vigild owns and host routes through it
 * (see announce_route.h for why a tun device).
 *
 *   open:  /dev/net/tun ─TUNSETIFF─> vigil0 (not persistent) ─> IFF_UP
 *          socket(NETLINK_ROUTE)
 *   set:   RTM_NEWROUTE / RTM_DELROUTE  VIP/32 dev vigil0 table T proto P
 *   close: close(tun fd) -> the kernel deletes vigil0 and its routes
 */
#include "announce_route.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/route.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "errbuf.h"

static struct rtnl_route *route_new(const struct announce_route *r, const struct vaddr *a)
{
	int len = a->family == AF_INET ? 4 : 16;
	struct rtnl_route *rt = rtnl_route_alloc();
	struct nl_addr *dst = nl_addr_build(a->family, &a->u, (size_t)len);
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	if (!rt || !dst || !nh) {
		rtnl_route_put(rt);
		nl_addr_put(dst);
		rtnl_route_nh_free(nh);
		return NULL;
	}
	nl_addr_set_prefixlen(dst, len * 8);
	rtnl_route_set_family(rt, a->family);
	rtnl_route_set_dst(rt, dst);
	nl_addr_put(dst);
	rtnl_route_set_table(rt, r->table);
	rtnl_route_set_protocol(rt, r->protocol);
	rtnl_route_set_scope(rt, RT_SCOPE_LINK);
	rtnl_route_set_type(rt, RTN_UNICAST);
	rtnl_route_nh_set_ifindex(nh, r->ifindex);
	rtnl_route_add_nexthop(rt, nh);
	return rt;
}

int announce_route_msg(const struct announce_route *r, const struct vaddr *a, bool add,
		       struct nl_msg **out, struct errbuf *eb)
{
	if (a->family != AF_INET && a->family != AF_INET6)
		return errbuf_set(eb, EAFNOSUPPORT, "announce: not an IPv4 or IPv6 address");
	struct rtnl_route *rt = route_new(r, a);
	if (!rt)
		return errbuf_set(eb, ENOMEM, "announce: out of memory");
	int err = add ? rtnl_route_build_add_request(rt, NLM_F_CREATE | NLM_F_REPLACE, out)
		      : rtnl_route_build_del_request(rt, 0, out);
	rtnl_route_put(rt);
	if (err < 0)
		return errbuf_set(eb, ENOMEM, "announce: building the route request: %s",
				  nl_geterror(err));
	return 0;
}

/* Up, and its index. An AF_INET datagram socket is the ioctl handle. */
static int link_up(struct announce_route *r, struct errbuf *eb)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return errbuf_set(eb, errno, "announce: socket: %s", strerror(errno));
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", r->ifname);
	int err = 0;
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) < 0) ||
	    ioctl(s, SIOCGIFINDEX, &ifr) < 0)
		err = errbuf_set(eb, errno, "announce: bringing %s up: %s", r->ifname,
				 strerror(errno));
	else
		r->ifindex = ifr.ifr_ifindex;
	close(s);
	return err;
}

static int tun_create(struct announce_route *r, struct errbuf *eb)
{
	r->tun_fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (r->tun_fd < 0)
		return errbuf_set(eb, errno, "announce: /dev/net/tun: %s%s", strerror(errno),
				  errno == ENOENT ? " (modprobe tun)" : "");
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", r->ifname);
	if (ioctl(r->tun_fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		return errbuf_set(eb, e, "announce: interface %s: %s", r->ifname,
				  e == EBUSY ? "held by another process (another vigild?)"
				  : e == EINVAL ? "exists and is not a tun device" : strerror(e));
	}
	/* A device someone made persistent would outlive us: it must not. */
	if (ioctl(r->tun_fd, TUNSETPERSIST, 0) < 0)
		return errbuf_set(eb, errno, "announce: %s: clearing persistence: %s",
				  r->ifname, strerror(errno));
	return 0;
}

int announce_route_open(struct announce_route *r, const char *ifname, uint32_t table,
			uint8_t protocol, struct errbuf *eb)
{
	*r = (struct announce_route){ .tun_fd = -1, .table = table, .protocol = protocol };
	snprintf(r->ifname, sizeof(r->ifname), "%s", ifname);
	int err = tun_create(r, eb);
	if (!err)
		err = link_up(r, eb);
	if (!err && !(r->sk = nl_socket_alloc()))
		err = errbuf_set(eb, ENOMEM, "announce: out of memory");
	if (!err) {
		int ne = nl_connect(r->sk, NETLINK_ROUTE);
		if (ne < 0)
			err = errbuf_set(eb, EIO, "announce: rtnetlink: %s", nl_geterror(ne));
	}
	if (err)
		announce_route_close(r);
	return err;
}

int announce_route_set(struct announce_route *r, const struct vaddr *a, bool add,
		       struct errbuf *eb)
{
	if (r->tun_fd < 0 || !r->sk)
		return errbuf_set(eb, ENOTCONN, "announce: %s is not open", r->ifname);
	struct nl_msg *m = NULL;
	int err = announce_route_msg(r, a, add, &m, eb);
	if (err)
		return err;
	int ne = nl_send_sync(r->sk, m);   /* frees m; waits for the kernel's ack */
	if (ne == -NLE_OBJ_NOTFOUND && !add)
		return 0;
	if (ne < 0) {
		char buf[VADDR_STRLEN];
		return errbuf_set(eb, EIO, "announce: %s route to %s dev %s: %s",
				  add ? "adding the" : "deleting the",
				  vaddr_str(a, buf, sizeof(buf)), r->ifname, nl_geterror(ne));
	}
	return 0;
}

void announce_route_close(struct announce_route *r)
{
	if (r->sk) {
		nl_socket_free(r->sk);
		r->sk = NULL;
	}
	if (r->tun_fd >= 0) {
		close(r->tun_fd);
		r->tun_fd = -1;
	}
	r->ifindex = 0;
}
