/*
 * child: the children's common runtime (see child.h).
 *
 *   exec --child NAME ─> loop ─> CONF_DATA... RELOAD(gen 1) ─> ops->start ─> READY
 *        parent HEARTBEAT ─> echo
 *        CONF_DATA... RELOAD(gen N) ─> unpack ─> ops->reload ─> RELOAD_DONE
 *        SIGTERM or parent EOF ─> ops->stop ─> exit 0
 *
 * A child never reads the configuration file: the parent sends the
 * generation it validated as a blob (config/conf_pack.h), the part this
 * child runs, checked against its size and hash. A respawned child gets
 * the generation in force, not what is on disk; unpacking takes
 * milliseconds, never a parse. A blob that fails its checks is refused
 * and the running configuration kept.
 *
 * Signals an operator may send a child (vigild(8) SIGNALS): TERM, INT and
 * QUIT stop it cleanly (the parent starts another); USR1 and USR2 dump its
 * state to the log; HUP is ignored (reloads come from the parent,
 * validated); ALRM, VTALRM, PROF, IO, PWR and STKFLT are logged and
 * ignored; PIPE, TSTP, TTIN and TTOU are ignored outright — a broken
 * write or job control must neither end nor stop a child.
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
#include "conf_pack.h"
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
	if (cx->ops->stop && cx->conf)
		cx->ops->stop(cx);
	ipc_conn_flush(&cx->conn, cx->fd);
	ev_break(cx->loop, EVBREAK_ALL);
}

static void rx_drop(struct child_ctx *cx)
{
	free(cx->rx);
	cx->rx = NULL;
	cx->rx_len = cx->rx_total = 0;
}

/* A piece of the next configuration: pieces come in order, from 0. */
static void conf_data(struct child_ctx *cx, const struct ipc_conf_data *m, size_t len)
{
	const uint8_t *bytes = (const uint8_t *)(m + 1);
	size_t n = len - sizeof(*m);
	if (m->offset == 0) {
		rx_drop(cx);
		if (m->total == 0 || m->total > IPC_CONF_MAX || !(cx->rx = malloc(m->total))) {
			log_err("configuration of %u bytes: cannot take it", m->total);
			return;
		}
		cx->rx_total = m->total;
		cx->rx_generation = m->generation;
	}
	if (!cx->rx || m->generation != cx->rx_generation || m->total != cx->rx_total ||
	    m->offset != cx->rx_len || n > cx->rx_total - cx->rx_len) {
		if (cx->rx)
			log_err("configuration generation %u: a piece out of order", m->generation);
		rx_drop(cx);
		return;
	}
	memcpy(cx->rx + cx->rx_len, bytes, n);
	cx->rx_len += n;
}

/* The configuration announced by r, from the pieces received; NULL with
 * the reason in msg. */
static struct conf *conf_received(struct child_ctx *cx, const struct ipc_reload *r,
				  char *msg, size_t msg_len)
{
	struct conf *c = NULL;
	struct errbuf eb;
	if (!cx->rx || cx->rx_generation != r->generation || cx->rx_len != r->size ||
	    cx->rx_total != r->size)
		snprintf(msg, msg_len, "configuration generation %u incomplete (%zu of %u bytes)",
			 r->generation, cx->rx ? cx->rx_len : 0, r->size);
	else if (conf_hash(cx->rx, cx->rx_len) != r->hash)
		snprintf(msg, msg_len, "configuration generation %u damaged (hash mismatch)",
			 r->generation);
	else if (!(c = conf_unpack(cx->rx, cx->rx_len, &eb)))
		snprintf(msg, msg_len, "configuration generation %u: %s", r->generation, eb.msg);
	rx_drop(cx);
	return c;
}

/* The first configuration: the subsystem starts, then says READY. */
static void first_conf(struct child_ctx *cx, struct conf *c, uint32_t generation)
{
	cx->conf = c;
	cx->generation = generation;
	log_set_facility(c->global.log_facility);
	if (cx->ops->start && cx->ops->start(cx) < 0) {
		cx->exit_code = 3;
		ev_break(cx->loop, EVBREAK_ALL);
		return;
	}
	struct ipc_ready ready = { .pid = getpid(), .generation = cx->generation };
	child_send(cx, IPC_READY, &ready, sizeof(ready), NULL, 0);
}

static void do_reload(struct child_ctx *cx, const struct ipc_reload *r)
{
	struct ipc_reload_done done = { .generation = r->generation };
	char msg[512] = "";
	struct conf *c = conf_received(cx, r, msg, sizeof(msg));
	if (!cx->conf) {
		if (!c) {
			log_err("%s", msg);
			cx->exit_code = 1;
			ev_break(cx->loop, EVBREAK_ALL);
			return;
		}
		first_conf(cx, c, r->generation);
		return;
	}
	if (!c) {
		done.status = -EINVAL;
	} else {
		struct conf *old = cx->conf;
		cx->conf = c;
		cx->generation = r->generation;
		log_set_facility(c->global.log_facility);
		if (cx->ops->reload)
			done.status = cx->ops->reload(cx, old);
		conf_free(old);
	}
	child_send(cx, IPC_RELOAD_DONE, &done, sizeof(done), msg, strlen(msg));
}

static void dump_state(struct child_ctx *cx)
{
	log_notice("state: %s, configuration generation %u", cx->ops->name, cx->generation);
	if (cx->ops->dump && cx->conf)
		cx->ops->dump(cx);
}

static void handle(struct child_ctx *cx, const struct ipc_hdr *h, const void *p)
{
	switch (h->type) {
	case IPC_HEARTBEAT:
		child_send(cx, IPC_HEARTBEAT, p, h->len, NULL, 0);
		break;
	case IPC_CONF_DATA:
		conf_data(cx, p, h->len);
		break;
	case IPC_RELOAD:
		do_reload(cx, p);
		break;
	case IPC_STATE_DUMP:
		dump_state(cx);
		break;
	default:
		if (cx->ops->msg && cx->conf)
			cx->ops->msg(cx, h, p);
		else
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

enum child_sig_action { CHILD_SIG_STOP, CHILD_SIG_DUMP, CHILD_SIG_IGNORE, CHILD_SIG_LOG };

static const struct {
	int sig;
	enum child_sig_action act;
} child_signals[] = {
	{ SIGTERM, CHILD_SIG_STOP }, { SIGINT, CHILD_SIG_STOP }, { SIGQUIT, CHILD_SIG_STOP },
	{ SIGUSR1, CHILD_SIG_DUMP }, { SIGUSR2, CHILD_SIG_DUMP }, { SIGHUP, CHILD_SIG_IGNORE },
	{ SIGALRM, CHILD_SIG_LOG }, { SIGVTALRM, CHILD_SIG_LOG }, { SIGPROF, CHILD_SIG_LOG },
	{ SIGIO, CHILD_SIG_LOG }, { SIGPWR, CHILD_SIG_LOG }, { SIGSTKFLT, CHILD_SIG_LOG },
};
_Static_assert(sizeof(child_signals) / sizeof(child_signals[0]) == CHILD_SIGNALS,
	       "one watcher per signal");

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct child_ctx *cx = w->data;
	const char *name = sigabbrev_np(w->signum);
	switch (child_signals[w - cx->sig_w].act) {
	case CHILD_SIG_STOP: {
		char why[16];
		snprintf(why, sizeof(why), "SIG%s", name);
		child_stop(cx, why);
		break;
	}
	case CHILD_SIG_DUMP:
		dump_state(cx);
		break;
	case CHILD_SIG_LOG:
		log_info("signal %s ignored", name);
		break;
	case CHILD_SIG_IGNORE:
		break;
	}
	(void)loop;
	(void)revents;
}

static void setup_signals(struct child_ctx *cx)
{
	static const int ignored[] = { SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU };
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
	for (size_t i = 0; i < CHILD_SIGNALS; i++) {
		ev_signal_init(&cx->sig_w[i], signal_cb, child_signals[i].sig);
		cx->sig_w[i].data = cx;
		ev_signal_start(cx->loop, &cx->sig_w[i]);
	}
}

static int child_setup(struct child_ctx *cx, const struct child_opts *o)
{
	cx->dry_run = o->dry_run;
	cx->fd = o->ipc_fd;
	fcntl(cx->fd, F_SETFL, fcntl(cx->fd, F_GETFL) | O_NONBLOCK);
	fcntl(cx->fd, F_SETFD, FD_CLOEXEC);
	cx->loop = ev_default_loop(EVFLAG_AUTO);
	if (!cx->loop)
		return 1;
	ipc_conn_init(&cx->conn);
	ev_io_init(&cx->io, ipc_cb, cx->fd, EV_READ);
	cx->io.data = cx;
	ev_io_start(cx->loop, &cx->io);
	setup_signals(cx);
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
	if (child_setup(&cx, o))
		return 1;
	ev_run(cx.loop, 0);
	ipc_conn_free(&cx.conn);
	rx_drop(&cx);
	conf_free(cx.conf);
	return cx.exit_code;
}
