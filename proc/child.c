/*
 * child: the children's common runtime (see child.h).
 *
 *   exec --child NAME ─> load config ─> ops->start ─> READY ─> loop
 *        parent HEARTBEAT ─> echo     RELOAD ─> load ─> ops->reload ─> RELOAD_DONE
 *        SIGTERM or parent EOF ─> ops->stop ─> exit 0
 *
 * A child re-reads the file the parent validated; if that fails (the file
 * changed in between) it keeps its configuration and says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "child.h"
#include "config.h"
#include "errbuf.h"
#include "log.h"

static void child_update_io(struct child_ctx *cx)
{
	int events = EV_READ | (ipc_conn_pending(&cx->conn) ? EV_WRITE : 0);
	if (cx->io.events == events)
		return;
	ev_io_stop(cx->loop, &cx->io);
	ev_io_set(&cx->io, cx->fd, events);
	ev_io_start(cx->loop, &cx->io);
}

/* Messages are queued and written once per loop pass, just before the
 * loop blocks (ev_prepare): thousands of check results a second become a
 * few large writes instead of one syscall each, on both sides. Lazy
 * messages wait for a timer, or for the next urgent one. */
#define CHILD_FLUSH_NOW (256 * 1024)   /* bytes queued: write at once */
#define CHILD_LAZY 0.25                /* s a lazy message may wait */

static void child_flush(struct child_ctx *cx)
{
	cx->urgent = false;
	ev_timer_stop(cx->loop, &cx->lazy_w);
	if (!ipc_conn_pending(&cx->conn))
		return;
	int r = ipc_conn_flush(&cx->conn, cx->fd);
	if (r < 0)
		log_warn("ipc write to the parent: %s", strerror(-r));
	child_update_io(cx);
}

static void flush_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct child_ctx *cx = w->data;
	(void)loop;
	(void)revents;
	if (cx->urgent)
		child_flush(cx);
}

static void lazy_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	child_flush(w->data);
}

static int queue(struct child_ctx *cx, bool urgent, uint16_t type, const void *p1, size_t l1,
		 const void *p2, size_t l2)
{
	int r = ipc_conn_queue2(&cx->conn, type, 0, p1, l1, p2, l2);
	if (r < 0)
		return r;
	if (urgent)
		cx->urgent = true;
	else if (!ev_is_active(&cx->lazy_w)) {
		ev_timer_set(&cx->lazy_w, CHILD_LAZY, 0.);
		ev_timer_start(cx->loop, &cx->lazy_w);
	}
	if (cx->conn.out_used >= CHILD_FLUSH_NOW)
		child_flush(cx);
	return 0;
}

int child_send(struct child_ctx *cx, uint16_t type, const void *p1, size_t l1,
	       const void *p2, size_t l2)
{
	return queue(cx, true, type, p1, l1, p2, l2);
}

int child_send_lazy(struct child_ctx *cx, uint16_t type, const void *p1, size_t l1,
		    const void *p2, size_t l2)
{
	return queue(cx, false, type, p1, l1, p2, l2);
}

static void child_stop(struct child_ctx *cx, const char *why)
{
	log_info("stopping: %s", why);
	if (cx->ops->stop)
		cx->ops->stop(cx);
	ipc_conn_flush(&cx->conn, cx->fd);
	ev_break(cx->loop, EVBREAK_ALL);
}

static void do_reload(struct child_ctx *cx, const struct ipc_reload *r, size_t len)
{
	const char *path = (const char *)(r + 1);
	size_t plen = len - sizeof(*r);
	struct ipc_reload_done done = { .generation = r->generation };
	char msg[512] = "";
	if (path[plen - 1] != '\0') {
		done.status = -EINVAL;
		snprintf(msg, sizeof(msg), "reload message without a path");
	} else {
		struct conf_errors errs = { 0 };
		struct conf *c = conf_load(path, &errs);
		if (!c) {
			done.status = -EINVAL;
			snprintf(msg, sizeof(msg), "%s", errs.n ? errs.lines[0] : "invalid");
		} else {
			struct conf *old = cx->conf;
			cx->conf = c;
			cx->generation = r->generation;
			if (cx->ops->reload)
				done.status = cx->ops->reload(cx, old);
			conf_free(old);
		}
		conf_errors_free(&errs);
	}
	child_send(cx, IPC_RELOAD_DONE, &done, sizeof(done), msg, strlen(msg));
}

static void handle(struct child_ctx *cx, const struct ipc_hdr *h, const void *p)
{
	switch (h->type) {
	case IPC_HEARTBEAT:
		child_send(cx, IPC_HEARTBEAT, p, h->len, NULL, 0);
		break;
	case IPC_RELOAD:
		do_reload(cx, p, h->len);
		break;
	case IPC_STATE_DUMP:
		log_notice("state: %s, configuration generation %u", cx->ops->name,
			   cx->generation);
		if (cx->ops->dump)
			cx->ops->dump(cx);
		break;
	default:
		log_debug("ignoring %s message", ipc_type_str(h->type));
	}
}

static void ipc_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct child_ctx *cx = w->data;
	if (revents & EV_WRITE) {
		if (ipc_conn_flush(&cx->conn, cx->fd) < 0) {
			child_stop(cx, "parent connection lost");
			return;
		}
		child_update_io(cx);
	}
	if (!(revents & EV_READ))
		return;
	long n = ipc_conn_read(&cx->conn, cx->fd);
	if (n == -EAGAIN)
		return;
	if (n <= 0) {
		child_stop(cx, "parent connection closed");
		return;
	}
	struct ipc_hdr h;
	const void *p;
	struct errbuf eb;
	int r;
	while ((r = ipc_conn_next(&cx->conn, &h, &p, &eb)) == 1)
		handle(cx, &h, p);
	if (r < 0) {
		log_err("malformed message from the parent (%s)", eb.msg);
		child_stop(cx, "protocol error");
	}
	(void)loop;
}

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct child_ctx *cx = w->data;
	if (w->signum == SIGHUP)
		return;   /* reloads come from the parent, validated */
	child_stop(cx, w->signum == SIGTERM ? "SIGTERM" : "SIGINT");
	(void)loop;
}

static int child_setup(struct child_ctx *cx, const struct child_opts *o)
{
	struct conf_errors errs = { 0 };
	cx->conf = conf_load(o->config, &errs);
	for (unsigned i = 0; i < errs.n; i++)
		log_err("%s", errs.lines[i]);
	conf_errors_free(&errs);
	if (!cx->conf)
		return 1;
	cx->generation = 1;
	cx->dry_run = o->dry_run;
	cx->fd = o->ipc_fd;
	fcntl(cx->fd, F_SETFL, fcntl(cx->fd, F_GETFL) | O_NONBLOCK);
	fcntl(cx->fd, F_SETFD, FD_CLOEXEC);
	cx->loop = ev_default_loop(EVFLAG_AUTO);
	ipc_conn_init(&cx->conn);
	ev_io_init(&cx->io, ipc_cb, cx->fd, EV_READ);
	cx->io.data = cx;
	ev_io_start(cx->loop, &cx->io);
	ev_signal_init(&cx->sig_term, signal_cb, SIGTERM);
	ev_signal_init(&cx->sig_int, signal_cb, SIGINT);
	ev_signal_init(&cx->sig_hup, signal_cb, SIGHUP);
	cx->sig_term.data = cx->sig_int.data = cx->sig_hup.data = cx;
	ev_signal_start(cx->loop, &cx->sig_term);
	ev_signal_start(cx->loop, &cx->sig_int);
	ev_signal_start(cx->loop, &cx->sig_hup);
	ev_prepare_init(&cx->flush_w, flush_cb);
	cx->flush_w.data = cx;
	ev_prepare_start(cx->loop, &cx->flush_w);
	ev_init(&cx->lazy_w, lazy_cb);
	cx->lazy_w.data = cx;
	return 0;
}

int child_main(const struct child_ops *ops, const struct child_opts *o)
{
	static struct child_ctx cx;   /* the child's one context */
	cx.ops = ops;
	char ident[32];
	snprintf(ident, sizeof(ident), "vigild-%s", cx.ops->name);
	log_init(ident, o->log_console, o->debug);
	/* The parent's death ends us too; a respawned parent starts fresh ones. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (o->ipc_fd < 0 || getppid() == 1) {
		log_err("started without a parent (--ipc-fd)");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (child_setup(&cx, o))
		return 1;
	if (cx.ops->start && cx.ops->start(&cx) < 0)
		return 3;
	struct ipc_ready ready = { .pid = getpid(), .generation = cx.generation };
	child_send(&cx, IPC_READY, &ready, sizeof(ready), NULL, 0);
	ev_run(cx.loop, 0);
	ipc_conn_free(&cx.conn);
	conf_free(cx.conf);
	return 0;
}
