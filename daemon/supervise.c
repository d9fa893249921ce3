/*
 * supervise: start, watch and restart the children.
 *
 *   start ──fork+exec──> STARTING ──READY──> RUNNING
 *                           │                   │ exit, or no heartbeat
 *                           │                   │ echo for HB_DEAD s (SIGKILL)
 *                           └───────exit───────>┴──> BACKOFF ──timer──> start
 *
 * A child that fails (exits, crashes, or hangs and is killed by the parent)
 * waits a backoff that starts at 1 s, doubles up to 30 s, and is reset once
 * a child has run for 60 s: a child that cannot run does not spin. A child
 * killed from outside with SIGKILL or SIGTERM (an operator, the OOM killer)
 * had not failed: it starts again after 0.1 s, its backoff left as it was,
 * so checks or VRRP are missing for as short a time as possible. A child is a re-exec of vigild with --child NAME and the
 * socketpair end on fd 3. The parent pings every HB_INTERVAL; a child whose
 * loop is stuck stops echoing and is killed, not only one that exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "errbuf.h"
#include "health.h"
#include "log.h"
#include "lvs.h"
#include "roles.h"
#include "sdnotify.h"
#include "snmp_feed.h"
#include "vigild.h"

#define HB_INTERVAL 1.0
#define HB_DEAD 5.0                /* s without an echo: the child is stuck */
#define START_DEADLINE 15.0        /* s from fork to READY */
#define BACKOFF_MIN 1.0
#define BACKOFF_MAX 30.0
#define QUICK_RESTART 0.1          /* s, after a kill from outside */
#define HEALTHY_RESET 60.0
#define STOP_GRACE 5.0

static const char *const child_names[CHILD__COUNT] = { "checker", "vrrp", "snmp" };

const char *child_state_str(enum child_state s)
{
	switch (s) {
	case CHILD_DISABLED: return "disabled";
	case CHILD_STARTING: return "starting";
	case CHILD_RUNNING: return "running";
	case CHILD_BACKOFF: return "restarting";
	case CHILD_STOPPING: return "stopping";
	case CHILD_STOPPED: return "stopped";
	}
	return "?";
}

static struct vigild *child_owner(struct child *c)
{
	return (struct vigild *)((char *)(c - c->kind) - offsetof(struct vigild, children));
}

static void child_close_ipc(struct vigild *d, struct child *c)
{
	if (c->fd < 0)
		return;
	ev_io_stop(d->loop, &c->io);
	close(c->fd);
	c->fd = -1;
	ipc_conn_free(&c->conn);
}

static void child_update_io(struct vigild *d, struct child *c)
{
	int events = EV_READ | (ipc_conn_pending(&c->conn) ? EV_WRITE : 0);
	if (c->io.events == events)
		return;
	ev_io_stop(d->loop, &c->io);
	ev_io_set(&c->io, c->fd, events);
	ev_io_start(d->loop, &c->io);
}

static void child_flush(struct vigild *d, struct child *c)
{
	if (c->fd < 0)
		return;
	int r = ipc_conn_flush(&c->conn, c->fd);
	if (r < 0) {
		log_warn("%s: ipc write: %s", c->name, strerror(-r));
		child_close_ipc(d, c);
		return;
	}
	child_update_io(d, c);
}

void supervise_send(struct vigild *d, enum child_kind k, uint16_t type,
		    const void *p1, size_t l1, const void *p2, size_t l2)
{
	struct child *c = &d->children[k];
	if (c->fd < 0)
		return;
	if (ipc_conn_queue2(&c->conn, type, 0, p1, l1, p2, l2) < 0) {
		log_warn("%s: cannot queue %s message", c->name, ipc_type_str(type));
		return;
	}
	child_flush(d, c);
}

int supervise_pack(const struct conf *c, struct conf_blob blobs[CHILD__COUNT])
{
	static const enum conf_view views[CHILD__COUNT] = {
		[CHILD_CHECKER] = CONF_VIEW_CHECKER,
		[CHILD_VRRP] = CONF_VIEW_VRRP,
		[CHILD_SNMP] = CONF_VIEW_SNMP,
	};
	for (int k = 0; k < CHILD__COUNT; k++) {
		int r = conf_pack(c, views[k], &blobs[k]);
		if (r < 0) {
			while (k-- > 0)
				conf_blob_free(&blobs[k]);
			return r;
		}
	}
	return 0;
}

void supervise_blobs_free(struct conf_blob blobs[CHILD__COUNT])
{
	for (int k = 0; k < CHILD__COUNT; k++)
		conf_blob_free(&blobs[k]);
}

/* The generation in force, as the child's view: the pieces, then
 * IPC_RELOAD with its size and hash (see proc/child.c). */
static void send_reload(struct vigild *d, struct child *c)
{
	const struct conf_blob *b = &d->blobs[c->kind];
	if (c->fd < 0 || !b->data)
		return;
	struct ipc_conf_data m = { .generation = d->generation, .total = (uint32_t)b->len };
	const size_t piece = IPC_MAX_PAYLOAD - sizeof(m);
	for (size_t off = 0; off < b->len; off += piece) {
		m.offset = (uint32_t)off;
		size_t n = b->len - off < piece ? b->len - off : piece;
		if (ipc_conn_queue2(&c->conn, IPC_CONF_DATA, 0, &m, sizeof(m), b->data + off, n) < 0) {
			log_err("%s: cannot queue configuration generation %u", c->name,
				d->generation);
			return;
		}
	}
	struct ipc_reload r = { .generation = d->generation, .size = (uint32_t)b->len,
				.hash = b->hash };
	supervise_send(d, c->kind, IPC_RELOAD, &r, sizeof(r), NULL, 0);
	c->sent_generation = d->generation;
}

static void child_handle(struct vigild *d, struct child *c, const struct ipc_hdr *h,
			 const void *p)
{
	switch (h->type) {
	case IPC_READY: {
		const struct ipc_ready *r = p;
		c->state = CHILD_RUNNING;
		c->generation = r->generation;
		c->last_heartbeat = ev_now(d->loop);
		log_info("%s: running (pid %d)", c->name, (int)c->pid);
		if (r->generation != d->generation && c->sent_generation != d->generation)
			send_reload(d, c);
		sdn_child_ready(d);
		if (c->kind == CHILD_SNMP)
			snmpf_replay(d);
		if (c->restarts)
			snmpf_child_restarted(d, c->kind);
		break;
	}
	case IPC_HEARTBEAT:
		c->last_heartbeat = ev_now(d->loop);
		break;
	case IPC_RELOAD_DONE: {
		const struct ipc_reload_done *r = p;
		size_t tl = h->len - sizeof(*r);
		if (r->status == 0) {
			c->generation = r->generation;
			c->last_reload_error[0] = '\0';
			log_info("%s: configuration generation %u in use", c->name, r->generation);
		} else {
			snprintf(c->last_reload_error, sizeof(c->last_reload_error), "%.*s",
				 (int)tl, (const char *)(r + 1));
			log_err("%s: reload failed, keeping generation %u: %s", c->name,
				c->generation, c->last_reload_error);
		}
		if (r->generation == d->generation) {
			c->reload_pending = false;
			sdn_child_answered(d);
		}
		break;
	}
	case IPC_CHECK_RESULT:
		if (health_on_result(d, p, h->len))   /* it checked the indexes */
			lvs_mark_vs_dirty(d, ((const struct ipc_check_result *)p)->vs);
		break;
	case IPC_VRRP_STATE:
		roles_on_msg(d, p, h->len);
		snmpf_vrrp(d, p);
		break;
	case IPC_CHECKER_STATS:
		memcpy(&d->checker_stats, p, sizeof(d->checker_stats));
		d->checker_stats_at = ev_now(d->loop);
		break;
	default:
		log_debug("%s: ignoring %s message", c->name, ipc_type_str(h->type));
	}
}

static void child_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct child *c = w->data;
	struct vigild *d = child_owner(c);
	if (revents & EV_WRITE)
		child_flush(d, c);
	if (!(revents & EV_READ) || c->fd < 0)
		return;
	long n = ipc_conn_read(&c->conn, c->fd);
	if (n == -EAGAIN)
		return;
	if (n <= 0) {
		if (n < 0)
			log_warn("%s: ipc read: %s", c->name, strerror((int)-n));
		child_close_ipc(d, c);   /* the exit watcher restarts it */
		return;
	}
	struct ipc_hdr h;
	const void *p;
	struct errbuf eb;
	int r;
	while ((r = ipc_conn_next(&c->conn, &h, &p, &eb)) == 1)
		child_handle(d, c, &h, p);
	if (r < 0) {
		log_err("%s: malformed message (%s); closing its connection", c->name, eb.msg);
		child_close_ipc(d, c);
		if (c->pid > 0) {
			c->parent_killed = true;
			kill(c->pid, SIGKILL);
		}
	}
	(void)loop;
}

static void child_start(struct vigild *d, struct child *c);

void supervise_pump(struct vigild *d)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	double now = ts.tv_sec + ts.tv_nsec / 1e9;
	if (now - d->pumped_at < 0.005)
		return;
	d->pumped_at = now;
	ev_now_update(d->loop);   /* results handled here carry their own time */
	for (int k = 0; k < CHILD__COUNT; k++) {
		struct child *c = &d->children[k];
		if (c->fd >= 0 && ev_is_active(&c->io))
			child_io_cb(d->loop, &c->io, EV_READ);
	}
}

static void child_exec(struct vigild *d, struct child *c, int fd)
{
	/* In the new child: the socketpair end becomes fd 3, the rest closes on exec. */
	if (fd != 3) {
		if (dup2(fd, 3) < 0)
			_exit(127);
	} else {
		fcntl(3, F_SETFD, 0);
	}
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	const char *argv[16];
	int n = 0;
	argv[n++] = "vigild";
	argv[n++] = "--child";
	argv[n++] = c->name;
	argv[n++] = "--ipc-fd";
	argv[n++] = "3";
	if (d->opts.log_console)
		argv[n++] = "-l";
	if (d->opts.debug)
		argv[n++] = "-D";
	if (d->opts.dry_run)
		argv[n++] = "--dry-run";
	argv[n] = NULL;
	execv(d->self_exe, (char *const *)argv);
	_exit(127);
}

/* SIGKILL or SIGTERM that the parent did not send: someone stopped a child
 * that was working. Crashes (SIGSEGV, SIGABRT...) and exits are failures. */
static bool killed_from_outside(const struct child *c, int status)
{
	if (!WIFSIGNALED(status) || c->parent_killed)
		return false;
	return WTERMSIG(status) == SIGKILL || WTERMSIG(status) == SIGTERM;
}

static void child_exit_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct child *c = w->data;
	struct vigild *d = child_owner(c);
	ev_child_stop(loop, w);
	c->last_exit = w->rstatus;
	child_close_ipc(d, c);
	c->reload_pending = false;     /* it gets the generation in force at its restart */
	sdn_child_answered(d);
	if (WIFSIGNALED(w->rstatus))
		log_msg(d->stopping ? LOG_INFO : LOG_ERR, "%s (pid %d) killed by signal %d",
			c->name, (int)c->pid, WTERMSIG(w->rstatus));
	else
		log_msg(d->stopping ? LOG_INFO : LOG_ERR, "%s (pid %d) exited with status %d",
			c->name, (int)c->pid, WEXITSTATUS(w->rstatus));
	c->pid = 0;
	if (d->stopping) {
		c->state = CHILD_STOPPED;
		parent_check_stopped(d);
		return;
	}
	if (c->disabling) {
		c->disabling = false;
		c->state = CHILD_DISABLED;
		sdn_child_ready(d);
		return;
	}
	if (ev_now(loop) - c->started_at >= HEALTHY_RESET)
		c->backoff = BACKOFF_MIN;
	c->state = CHILD_BACKOFF;
	double delay = c->backoff;
	if (killed_from_outside(c, w->rstatus))
		delay = QUICK_RESTART;
	else
		c->backoff = c->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : c->backoff * 2;
	const struct log_field f[] = { { "child", c->name }, { "event", "restart" } };
	log_event(LOG_WARNING, f, 2, "%s: restarting in %.1f s", c->name, delay);
	ev_timer_set(&c->restart_w, delay, 0.);
	ev_timer_start(loop, &c->restart_w);
	c->restarts++;
}

static void child_restart_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct child *c = w->data;
	child_start(child_owner(c), c);
	(void)loop;
}

static void child_start(struct vigild *d, struct child *c)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0) {
		log_err("%s: socketpair: %s", c->name, strerror(errno));
		goto retry;
	}
	pid_t pid = fork();
	if (pid < 0) {
		log_err("%s: fork: %s", c->name, strerror(errno));
		close(sv[0]);
		close(sv[1]);
		goto retry;
	}
	if (pid == 0) {
		int fl = fcntl(sv[1], F_GETFL);
		fcntl(sv[1], F_SETFL, fl & ~O_NONBLOCK);
		child_exec(d, c, sv[1]);
	}
	close(sv[1]);
	c->pid = pid;
	c->fd = sv[0];
	c->parent_killed = false;
	c->state = CHILD_STARTING;
	c->started_at = ev_now(d->loop);
	c->last_heartbeat = c->started_at;
	ipc_conn_init(&c->conn);
	ev_io_init(&c->io, child_io_cb, c->fd, EV_READ);
	c->io.data = c;
	ev_io_start(d->loop, &c->io);
	ev_child_set(&c->exit_w, pid, 0);
	ev_child_start(d->loop, &c->exit_w);
	log_info("%s: started (pid %d)", c->name, (int)pid);
	send_reload(d, c);
	return;
retry:
	c->state = CHILD_BACKOFF;
	ev_timer_set(&c->restart_w, c->backoff, 0.);
	ev_timer_start(d->loop, &c->restart_w);
}

/* How late the heartbeat round is, if at all. A round later than its
 * interval means the parent itself did not run its loop (a long reload,
 * SIGSTOP, a paused machine, a clock step): nobody pinged the children
 * then, so that silence is not theirs. Without this, a reload parsing
 * for more than HB_DEAD killed both healthy children (and the VRRP
 * adverts with them). */
static double parent_stall(const struct vigild *d, double now)
{
	double lag = d->hb_last > 0 ? now - d->hb_last - HB_INTERVAL : 0;
	return lag > 0 ? lag : 0;
}

static void heartbeat_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vigild *d = w->data;
	double now = ev_now(loop);
	double lag = parent_stall(d, now);
	d->hb_last = now;
	for (int k = 0; k < CHILD__COUNT; k++) {
		struct child *c = &d->children[k];
		c->last_heartbeat += lag;
		if (c->state != CHILD_RUNNING && c->state != CHILD_STARTING)
			continue;
		double limit = c->state == CHILD_STARTING ? START_DEADLINE : HB_DEAD;
		if (c->pid > 0 && now - c->last_heartbeat > limit) {
			log_err("%s (pid %d): no heartbeat for %.1f s; killing it", c->name,
				(int)c->pid, now - c->last_heartbeat);
			c->parent_killed = true;
			kill(c->pid, SIGKILL);
			c->last_heartbeat = now;   /* one kill per stall */
			continue;
		}
		struct ipc_heartbeat hb = { .seq = ++c->hb_sent };
		supervise_send(d, (enum child_kind)k, IPC_HEARTBEAT, &hb, sizeof(hb), NULL, 0);
	}
}

void supervise_init(struct vigild *d)
{
	for (int k = 0; k < CHILD__COUNT; k++) {
		struct child *c = &d->children[k];
		memset(c, 0, sizeof(*c));
		c->kind = (enum child_kind)k;
		c->name = child_names[k];
		c->fd = -1;
		c->backoff = BACKOFF_MIN;
		c->state = CHILD_STOPPED;
		ev_child_init(&c->exit_w, child_exit_cb, 0, 0);
		c->exit_w.data = c;
		ev_timer_init(&c->restart_w, child_restart_cb, 0., 0.);
		c->restart_w.data = c;
	}
	if (d->opts.vrrp_only)
		d->children[CHILD_CHECKER].state = CHILD_DISABLED;
	if (d->opts.checker_only)
		d->children[CHILD_VRRP].state = CHILD_DISABLED;
	if (!d->conf->global.snmp_agentx)
		d->children[CHILD_SNMP].state = CHILD_DISABLED;
	ev_timer_init(&d->heartbeat_w, heartbeat_cb, HB_INTERVAL, HB_INTERVAL);
	d->heartbeat_w.data = d;
}

void supervise_start_all(struct vigild *d)
{
	for (int k = 0; k < CHILD__COUNT; k++)
		if (d->children[k].state != CHILD_DISABLED)
			child_start(d, &d->children[k]);
	d->hb_last = ev_now(d->loop);
	ev_timer_start(d->loop, &d->heartbeat_w);
}

static void stop_grace_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vigild *d = w->data;
	for (int k = 0; k < CHILD__COUNT; k++) {
		struct child *c = &d->children[k];
		if (c->pid > 0) {
			log_warn("%s (pid %d) did not stop within %.0f s; killing it", c->name,
				 (int)c->pid, STOP_GRACE);
			kill(c->pid, SIGKILL);
		}
	}
	(void)loop;
}

void supervise_stop_all(struct vigild *d)
{
	ev_timer_stop(d->loop, &d->heartbeat_w);
	for (int k = 0; k < CHILD__COUNT; k++) {
		struct child *c = &d->children[k];
		ev_timer_stop(d->loop, &c->restart_w);
		if (c->pid > 0) {
			c->state = CHILD_STOPPING;
			kill(c->pid, SIGTERM);
		} else if (c->state != CHILD_DISABLED) {
			c->state = CHILD_STOPPED;
		}
	}
	ev_timer_init(&d->stop_w, stop_grace_cb, STOP_GRACE, 0.);
	d->stop_w.data = d;
	ev_timer_start(d->loop, &d->stop_w);
}

bool supervise_children_answer(const struct vigild *d)
{
	double now = ev_now(d->loop);
	double lag = parent_stall(d, now);   /* not yet discounted by heartbeat_cb */
	for (int k = 0; k < CHILD__COUNT; k++) {
		const struct child *c = &d->children[k];
		if (c->state == CHILD_RUNNING && now - c->last_heartbeat - lag > 2 * HB_DEAD)
			return false;
	}
	return true;
}

bool supervise_all_stopped(const struct vigild *d)
{
	for (int k = 0; k < CHILD__COUNT; k++)
		if (d->children[k].pid > 0)
			return false;
	return true;
}

void supervise_broadcast_reload(struct vigild *d)
{
	for (int k = 0; k < CHILD__COUNT; k++) {
		struct child *c = &d->children[k];
		c->reload_pending = c->fd >= 0 && c->pid > 0;
		send_reload(d, c);
	}
}

void supervise_enable(struct vigild *d, enum child_kind k, bool on)
{
	struct child *c = &d->children[k];
	if (on) {
		c->disabling = false;
		if (c->state == CHILD_DISABLED) {
			c->backoff = BACKOFF_MIN;
			child_start(d, c);
		}
		return;
	}
	ev_timer_stop(d->loop, &c->restart_w);
	if (c->pid > 0) {
		c->disabling = true;
		c->state = CHILD_STOPPING;
		kill(c->pid, SIGTERM);
	} else {
		c->state = CHILD_DISABLED;
	}
}

void supervise_restart(struct vigild *d, enum child_kind k)
{
	struct child *c = &d->children[k];
	if (c->pid > 0) {
		c->backoff = BACKOFF_MIN;
		kill(c->pid, SIGTERM);
	}
}
