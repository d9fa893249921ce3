/*
 * procmon: the kernel's process events and the /proc readers (see
 * vrrp_proc.h).
 *
 * One NETLINK_CONNECTOR datagram socket; it joins the CN_IDX_PROC group
 * and sends PROC_CN_MCAST_LISTEN only while something is tracked (a
 * socket in the group receives every process event that any subscriber
 * asked the kernel for, so an idle one stays out of it). Each datagram holds one
 * nlmsghdr + cn_msg + proc_event; fork events of threads (child pid !=
 * tgid) and exits of threads are dropped here, so the caller sees
 * processes only. A socket that overflowed (ENOBUFS) lost events: the
 * caller gets VRRP_PEV_LOST and scans /proc again.
 *
 * The connector is registered in the initial network namespace only: a
 * process running elsewhere (a container, or `ip netns exec`) enters it
 * for the socket() call and comes back. The initial namespace is found
 * by its fixed inode number, through /proc/1 or the process's own
 * ancestors (which a supervisor in the initial namespace started).
 */
#include "vrrp_proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errbuf.h"

#define INIT_NET_INO 0xEFFFFFF9u     /* the kernel's PROC_NET_INIT_INO */
#define RCVBUF (1 << 20)

struct vrrp_procmon {
	int fd;
	struct ev_loop *loop;
	ev_io io;
	vrrp_pev_fn cb;
	void *arg;
};

static bool is_init_net(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && st.st_ino == INIT_NET_INO;
}

static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');    /* the name may hold anything */
	int ppid = 0;
	char st;
	if (!p || sscanf(p + 1, " %c %d", &st, &ppid) != 2)
		return 0;
	return ppid;
}

/* An fd on the initial network namespace, or -1. */
static int init_net_fd(void)
{
	char path[64];
	int fd = open("/proc/1/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && is_init_net(fd))
		return fd;
	if (fd >= 0)
		close(fd);
	for (pid_t p = getppid(); p > 1; p = parent_of(p)) {
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)p);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && is_init_net(fd))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	return -1;
}

static int cn_socket(struct errbuf *eb)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	if (fd < 0)
		return errbuf_set(eb, errno, "process events: socket: %s", strerror(errno));
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int sz = RCVBUF;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return errbuf_set(eb, e, "process events: bind: %s", strerror(e));
	}
	return fd;
}

struct vrrp_procmon *vrrp_procmon_open(struct errbuf *eb)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), init = -1, fd;
	if (self < 0) {
		errbuf_set(eb, errno, "process events: /proc/self/ns/net: %s", strerror(errno));
		return NULL;
	}
	if (is_init_net(self)) {
		fd = cn_socket(eb);
	} else if ((init = init_net_fd()) < 0) {
		fd = errbuf_set(eb, ENOENT, "process events: not in the initial network "
				"namespace, and cannot reach it");
	} else if (setns(init, CLONE_NEWNET) < 0) {
		fd = errbuf_set(eb, errno, "process events: entering the initial network "
				"namespace: %s", strerror(errno));
	} else {
		fd = cn_socket(eb);
		if (setns(self, CLONE_NEWNET) < 0)
			abort();          /* we would go on in the wrong namespace */
	}
	close(self);
	if (init >= 0)
		close(init);
	if (fd < 0)
		return NULL;
	struct vrrp_procmon *m = calloc(1, sizeof(*m));
	if (!m) {
		close(fd);
		errbuf_set(eb, ENOMEM, "process events: out of memory");
		return NULL;
	}
	m->fd = fd;
	return m;
}

static int mcast(struct vrrp_procmon *m, enum proc_cn_mcast_op op, struct errbuf *eb)
{
	int group = CN_IDX_PROC;
	bool on = op == PROC_CN_MCAST_LISTEN;
	if (on && setsockopt(m->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
			     sizeof(group)) < 0)
		return errbuf_set(eb, errno, "process events: joining the group: %s",
				  strerror(errno));
	/* nlmsghdr, cn_msg (whose data[] is the operation), the operation:
	 * laid out by hand, as cn_msg ends in a flexible array. */
	uint8_t msg[NLMSG_LENGTH(sizeof(struct cn_msg) + sizeof(op))] __attribute__((aligned(8)));
	memset(msg, 0, sizeof(msg));
	struct nlmsghdr *nl = (struct nlmsghdr *)msg;
	nl->nlmsg_len = sizeof(msg);
	nl->nlmsg_type = NLMSG_DONE;
	struct cn_msg *cn = NLMSG_DATA(nl);
	cn->id.idx = CN_IDX_PROC;
	cn->id.val = CN_VAL_PROC;
	cn->len = sizeof(op);
	memcpy(cn->data, &op, sizeof(op));
	int r = send(m->fd, &msg, sizeof(msg), 0) < 0
		? errbuf_set(eb, errno, "process events: subscribe: %s", strerror(errno)) : 0;
	if (!on || r < 0)
		setsockopt(m->fd, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &group, sizeof(group));
	return r;
}

static void event(struct vrrp_procmon *m, const struct proc_event *ev)
{
	switch (ev->what) {
	case PROC_EVENT_FORK:
		if (ev->event_data.fork.child_pid == ev->event_data.fork.child_tgid)
			m->cb(m->arg, VRRP_PEV_FORK, ev->event_data.fork.child_tgid,
			      ev->event_data.fork.parent_tgid, NULL);
		break;
	case PROC_EVENT_EXEC:
		m->cb(m->arg, VRRP_PEV_EXEC, ev->event_data.exec.process_tgid, 0, NULL);
		break;
	case PROC_EVENT_COMM:
		if (ev->event_data.comm.process_pid == ev->event_data.comm.process_tgid) {
			char comm[VRRP_PROC_COMM_LEN];
			memcpy(comm, ev->event_data.comm.comm, sizeof(comm) - 1);
			comm[sizeof(comm) - 1] = '\0';
			m->cb(m->arg, VRRP_PEV_COMM, ev->event_data.comm.process_tgid, 0, comm);
		}
		break;
	case PROC_EVENT_EXIT:
		if (ev->event_data.exit.process_pid == ev->event_data.exit.process_tgid)
			m->cb(m->arg, VRRP_PEV_EXIT, ev->event_data.exit.process_tgid, 0, NULL);
		break;
	default:
		break;
	}
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct vrrp_procmon *m = w->data;
	char buf[4096] __attribute__((aligned(8)));
	for (int i = 0; i < 256 && m->cb; i++) {
		ssize_t n = recv(m->fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == ENOBUFS)
				m->cb(m->arg, VRRP_PEV_LOST, 0, 0, NULL);
			return;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			const struct cn_msg *cn = NLMSG_DATA(h);
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*cn) + sizeof(struct proc_event)) ||
			    cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC)
				continue;
			/* cn_msg's 20 bytes leave the event 4-byte aligned;
			 * it holds 8-byte fields: copied out, not cast */
			struct proc_event ev;
			memcpy(&ev, cn->data, sizeof(ev));
			event(m, &ev);
			if (!m->cb)
				return;
		}
	}
	(void)loop;
	(void)revents;
}

int vrrp_procmon_listen(struct vrrp_procmon *m, struct ev_loop *loop, vrrp_pev_fn cb,
			void *arg, struct errbuf *eb)
{
	if (!cb) {
		if (m->cb) {
			ev_io_stop(m->loop, &m->io);
			m->cb = NULL;
			return mcast(m, PROC_CN_MCAST_IGNORE, eb);
		}
		return 0;
	}
	bool was = m->cb != NULL;
	m->cb = cb;
	m->arg = arg;
	if (was)
		return 0;
	m->loop = loop;
	ev_io_init(&m->io, io_cb, m->fd, EV_READ);
	m->io.data = m;
	ev_io_start(loop, &m->io);
	int r = mcast(m, PROC_CN_MCAST_LISTEN, eb);
	if (r < 0) {
		ev_io_stop(loop, &m->io);
		m->cb = NULL;
	}
	return r;
}

void vrrp_procmon_close(struct vrrp_procmon *m)
{
	if (!m)
		return;
	struct errbuf eb;
	vrrp_procmon_listen(m, m->loop, NULL, NULL, &eb);
	close(m->fd);
	free(m);
}

/* ---- /proc ---- */

static ssize_t read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, len);
	int e = errno;
	close(fd);
	return n < 0 ? -e : n;
}

int vrrp_proc_read(pid_t pid, char *comm, char *cmd, size_t cmdlen, size_t *got)
{
	char path[64], st[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	ssize_t n = read_file(path, st, sizeof(st) - 1);
	if (n < 0)
		return (int)n;
	st[n] = '\0';
	const char *o = strchr(st, '('), *c = strrchr(st, ')');
	if (!o || !c || c < o || c[1] != ' ' || c[2] == 'Z' || c[2] == 'X')
		return -ENOENT;               /* a zombie no longer runs */
	size_t cl = (size_t)(c - o - 1);
	if (cl > VRRP_PROC_COMM_LEN - 1)
		cl = VRRP_PROC_COMM_LEN - 1;
	memcpy(comm, o + 1, cl);
	comm[cl] = '\0';
	if (cmd) {
		snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
		n = read_file(path, cmd, cmdlen);
		if (n < 0)
			return (int)n;
		*got = (size_t)n;
	}
	return 0;
}

int vrrp_proc_scan(void (*fn)(void *arg, pid_t pid), void *arg, struct errbuf *eb)
{
	DIR *d = opendir("/proc");
	if (!d)
		return errbuf_set(eb, errno, "/proc: %s", strerror(errno));
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		fn(arg, (pid_t)pid);
	}
	closedir(d);
	return 0;
}
