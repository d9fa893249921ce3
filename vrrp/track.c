/*
 * track: link and file trackers (see vrrp_track.h).
 *
 * Links: one libnl socket, non-blocking, subscribed to RTNLGRP_LINK and
 * the IPv4/IPv6 address groups; every RTM_NEWLINK/DELLINK is parsed with
 * rtnl_link and handed to the caller (who decides which interfaces it
 * cares about). An overflowed socket (ENOBUFS) means events were lost:
 * the caller gets link_cb(0, NULL, false), its cue to query again.
 */
#include "vrrp_track.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "errbuf.h"
#include "trackfile.h"

/* ---- links ---------------------------------------------------------- */

struct vrrp_linkmon {
	struct ev_loop *loop;
	struct nl_sock *ev_sk;        /* events */
	struct nl_sock *q_sk;         /* one-off queries */
	ev_io io;
	vrrp_link_fn link_cb;
	vrrp_addr_fn addr_cb;
	void *arg;
};

bool vrrp_link_flags_up(unsigned flags)
{
	return (flags & IFF_UP) && (flags & IFF_RUNNING);
}

static void link_obj_cb(struct nl_object *o, void *arg)
{
	struct vrrp_linkmon *m = arg;
	struct rtnl_link *l = (struct rtnl_link *)o;
	const char *name = rtnl_link_get_name(l);
	if (name)
		m->link_cb(m->arg, rtnl_link_get_ifindex(l), name,
			   vrrp_link_flags_up(rtnl_link_get_flags(l)));
}

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct vrrp_linkmon *m = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	if (h->nlmsg_type == RTM_NEWLINK) {
		nl_msg_parse(msg, link_obj_cb, m);
	} else if (h->nlmsg_type == RTM_DELLINK) {
		struct ifinfomsg *ifi = nlmsg_data(h);
		char name[IF_NAMESIZE] = "";
		struct nlattr *tb[IFLA_MAX + 1];
		if (nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, NULL) == 0 && tb[IFLA_IFNAME])
			nla_strlcpy(name, tb[IFLA_IFNAME], sizeof(name));
		m->link_cb(m->arg, ifi->ifi_index, name, false);
	} else if (h->nlmsg_type == RTM_NEWADDR || h->nlmsg_type == RTM_DELADDR) {
		if (m->addr_cb)
			m->addr_cb(m->arg);
	}
	return NL_OK;
}

static void linkmon_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct vrrp_linkmon *m = w->data;
	for (int i = 0; i < 64; i++) {
		int r = nl_recvmsgs_default(m->ev_sk);
		if (r == -NLE_AGAIN || r == 0)
			break;
		if (r == -NLE_NOMEM || r == -NLE_MSG_OVERFLOW || r < 0) {
			m->link_cb(m->arg, 0, NULL, false);   /* lost events: resync */
			if (m->addr_cb)
				m->addr_cb(m->arg);
			break;
		}
	}
	(void)loop;
	(void)revents;
}

struct vrrp_linkmon *vrrp_linkmon_open(struct ev_loop *loop, vrrp_link_fn link_cb,
				       vrrp_addr_fn addr_cb, void *arg, struct errbuf *eb)
{
	struct vrrp_linkmon *m = calloc(1, sizeof(*m));
	if (!m) {
		errbuf_set(eb, ENOMEM, "out of memory");
		return NULL;
	}
	m->loop = loop;
	m->link_cb = link_cb;
	m->addr_cb = addr_cb;
	m->arg = arg;
	m->ev_sk = nl_socket_alloc();
	m->q_sk = nl_socket_alloc();
	int r = m->ev_sk && m->q_sk ? 0 : -NLE_NOMEM;
	if (r == 0) {
		nl_socket_disable_seq_check(m->ev_sk);
		nl_socket_modify_cb(m->ev_sk, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, m);
		r = nl_connect(m->ev_sk, NETLINK_ROUTE);
	}
	if (r == 0)
		r = nl_socket_add_memberships(m->ev_sk, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
					      RTNLGRP_IPV6_IFADDR, 0);
	if (r == 0)
		r = nl_socket_set_nonblocking(m->ev_sk);
	if (r == 0)
		r = nl_connect(m->q_sk, NETLINK_ROUTE);
	if (r < 0) {
		errbuf_set(eb, EIO, "link monitor: %s", nl_geterror(r));
		vrrp_linkmon_close(m);
		return NULL;
	}
	nl_socket_set_buffer_size(m->ev_sk, 1 << 20, 0);
	ev_io_init(&m->io, linkmon_io_cb, nl_socket_get_fd(m->ev_sk), EV_READ);
	m->io.data = m;
	ev_io_start(loop, &m->io);
	return m;
}

void vrrp_linkmon_close(struct vrrp_linkmon *m)
{
	if (!m)
		return;
	if (m->io.data)
		ev_io_stop(m->loop, &m->io);
	if (m->ev_sk)
		nl_socket_free(m->ev_sk);
	if (m->q_sk)
		nl_socket_free(m->q_sk);
	free(m);
}

int vrrp_link_query(struct vrrp_linkmon *m, const char *ifname, int *ifindex, bool *up)
{
	struct rtnl_link *l = NULL;
	int r = rtnl_link_get_kernel(m->q_sk, 0, ifname, &l);
	if (r < 0 || !l) {
		*ifindex = 0;
		*up = false;
		return -ENODEV;
	}
	*ifindex = rtnl_link_get_ifindex(l);
	*up = vrrp_link_flags_up(rtnl_link_get_flags(l));
	rtnl_link_put(l);
	return 0;
}

/* ---- files ---------------------------------------------------------- */

struct vrrp_filemon_watch {
	int wd;
	char path[PATH_MAX];
	char base[NAME_MAX + 1];
};

struct vrrp_filemon {
	struct ev_loop *loop;
	int fd;
	ev_io io;
	vrrp_file_fn cb;
	void *arg;
	struct vrrp_filemon_watch *w;
	unsigned n;
};

static void filemon_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct vrrp_filemon *m = w->data;
	union { char b[4096]; struct inotify_event align; } buf;
	for (int rounds = 0; rounds < 16; rounds++) {
		ssize_t n = read(m->fd, buf.b, sizeof(buf.b));
		if (n <= 0)
			break;
		for (char *p = buf.b; p < buf.b + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			for (unsigned i = 0; i < m->n; i++)
				if (m->w[i].wd == e->wd && e->len && !strcmp(e->name, m->w[i].base))
					m->cb(m->arg, m->w[i].path);
			p += sizeof(*e) + e->len;
		}
	}
	(void)loop;
	(void)revents;
}

struct vrrp_filemon *vrrp_filemon_open(struct ev_loop *loop, vrrp_file_fn cb, void *arg,
				       struct errbuf *eb)
{
	struct vrrp_filemon *m = calloc(1, sizeof(*m));
	if (!m) {
		errbuf_set(eb, ENOMEM, "out of memory");
		return NULL;
	}
	m->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (m->fd < 0) {
		errbuf_set(eb, errno, "inotify: %s", strerror(errno));
		free(m);
		return NULL;
	}
	m->loop = loop;
	m->cb = cb;
	m->arg = arg;
	ev_io_init(&m->io, filemon_io_cb, m->fd, EV_READ);
	m->io.data = m;
	ev_io_start(loop, &m->io);
	return m;
}

void vrrp_filemon_close(struct vrrp_filemon *m)
{
	if (!m)
		return;
	ev_io_stop(m->loop, &m->io);
	close(m->fd);
	free(m->w);
	free(m);
}

int vrrp_filemon_add(struct vrrp_filemon *m, const char *path, struct errbuf *eb)
{
	char d[PATH_MAX], b[PATH_MAX];
	snprintf(d, sizeof(d), "%s", path);
	snprintf(b, sizeof(b), "%s", path);
	int wd = inotify_add_watch(m->fd, dirname(d), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE |
				   IN_DELETE | IN_MOVED_FROM | IN_MODIFY);
	if (wd < 0)
		return errbuf_set(eb, errno, "watching %s: %s", path, strerror(errno));
	struct vrrp_filemon_watch *nw = realloc(m->w, (m->n + 1) * sizeof(*nw));
	if (!nw)
		return errbuf_set(eb, ENOMEM, "out of memory");
	m->w = nw;
	nw[m->n].wd = wd;
	snprintf(nw[m->n].path, sizeof(nw[m->n].path), "%s", path);
	snprintf(nw[m->n].base, sizeof(nw[m->n].base), "%s", basename(b));
	m->n++;
	return 0;
}

long vrrp_file_value(const char *path)
{
	/* No priority can move further than VRRP_TRACK_FILE_MAX. */
	return trackfile_value(path, VRRP_TRACK_FILE_MAX);
}
