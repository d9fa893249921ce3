/*
 * parent: vigild's supervisor process — start-up (config, daemonize, pid
 * file, control socket, systemd readiness), signals, reload and stop.
 *
 *   SIGHUP  -> a reload (reload.c): load + validate the file on a worker
 *              thread; on any error log every line and keep the running
 *              configuration
 *   SIGTERM -> stop children (SIGTERM, SIGKILL after the grace time),
 *   SIGINT     remove the pid file and socket, exit 0
 *   SIGQUIT
 *   SIGUSR1 -> state to the log, and ask the children for theirs
 *   SIGUSR2    (keepalived's statistics signal: its operators send it)
 *   SIGALRM, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGSTKFLT -> logged, ignored
 *   SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU -> ignored: a broken write or job
 *              control must neither end nor stop the daemon
 * Any signal whose default would end the process without cleaning up is
 * in one of these lists; vigild(8) SIGNALS says the same.
 */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "announce.h"
#include "config.h"
#include "control.h"
#include "errbuf.h"
#include "health.h"
#include "jx.h"
#include "log.h"
#include "lvs.h"
#include "notify_fifo.h"
#include "pidfile.h"
#include "reload.h"
#include "roles.h"
#include "runtime.h"
#include "sdnotify.h"
#include "snmp_feed.h"
#include "status_http.h"
#include "version.h"
#include "vipfw.h"
#include "vigild.h"
#include "wallclock.h"

static void dump_state(struct vigild *d)
{
	double now = ev_now(d->loop);
	log_notice("state: vigild %s pid %d, config %s generation %u", VIGIL_VERSION,
		   (int)getpid(), d->opts.config, d->generation);
	for (int k = 0; k < CHILD__COUNT; k++) {
		const struct child *c = &d->children[k];
		log_notice("state: %s pid %d %s, up %.0f s, %u restarts, heartbeat %.1f s ago, "
			   "generation %u", c->name, (int)c->pid, child_state_str(c->state),
			   c->pid ? now - c->started_at : 0., c->restarts,
			   c->pid ? now - c->last_heartbeat : 0., c->generation);
		supervise_send(d, (enum child_kind)k, IPC_STATE_DUMP, NULL, 0, NULL, 0);
	}
}

void parent_check_stopped(struct vigild *d)
{
	if (d->stopping && supervise_all_stopped(d)) {
		ev_timer_stop(d->loop, &d->stop_w);
		ev_break(d->loop, EVBREAK_ALL);
	}
}

enum parent_sig_action { PSIG_RELOAD, PSIG_DUMP, PSIG_STOP, PSIG_LOG };

static const struct {
	int sig;
	enum parent_sig_action act;
} parent_signals[] = {
	{ SIGHUP, PSIG_RELOAD }, { SIGUSR1, PSIG_DUMP }, { SIGUSR2, PSIG_DUMP },
	{ SIGTERM, PSIG_STOP }, { SIGINT, PSIG_STOP }, { SIGQUIT, PSIG_STOP },
	{ SIGALRM, PSIG_LOG }, { SIGVTALRM, PSIG_LOG }, { SIGPROF, PSIG_LOG },
	{ SIGIO, PSIG_LOG }, { SIGPWR, PSIG_LOG }, { SIGSTKFLT, PSIG_LOG },
};
_Static_assert(sizeof(parent_signals) / sizeof(parent_signals[0]) == PARENT_SIGNALS,
	       "one watcher per signal");

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct vigild *d = w->data;
	switch (parent_signals[w - d->sig_w].act) {
	case PSIG_RELOAD:
		if (d->reloader)
			reload_request(d->reloader, RELOAD_APPLY, 0);
		else
			parent_reload(d, NULL, NULL);
		break;
	case PSIG_DUMP:
		dump_state(d);
		break;
	case PSIG_LOG:
		log_info("signal %s ignored", sigabbrev_np(w->signum));
		break;
	case PSIG_STOP:
		if (d->stopping)
			break;
		log_notice("signal %s: stopping", sigabbrev_np(w->signum));
		sdn_stopping(d);
		announce_stop(d);
		d->stopping = true;
		lvs_omega(d);
		supervise_stop_all(d);
		parent_check_stopped(d);
	}
	(void)loop;
	(void)revents;
}

static void setup_signals(struct vigild *d)
{
	static const int ignored[] = { SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU };
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
	for (size_t i = 0; i < PARENT_SIGNALS; i++) {
		ev_signal_init(&d->sig_w[i], signal_cb, parent_signals[i].sig);
		d->sig_w[i].data = d;
		ev_signal_start(d->loop, &d->sig_w[i]);
	}
}

static int load_initial(struct vigild *d)
{
	static char path[PATH_MAX], exe[PATH_MAX];
	if (!realpath(d->opts.config, path)) {
		fprintf(stderr, "%s: %s\n", d->opts.config, strerror(errno));
		return 1;
	}
	d->opts.config = path;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		fprintf(stderr, "vigild: cannot find its own executable: %s\n", strerror(errno));
		return 3;
	}
	exe[n] = '\0';
	d->self_exe = exe;
	struct conf_errors errs = { 0 };
	double t0 = ev_time();
	d->conf = conf_load_cached(d->opts.config, &errs, &d->conf_cache);
	d->load_ms = (ev_time() - t0) * 1e3;
	for (unsigned i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.lines[i]);
	if (errs.oom && !errs.n)
		fprintf(stderr, "vigild: %s: out of memory\n", d->opts.config);
	conf_errors_free(&errs);
	if (!d->conf)
		return 1;
	d->generation = 1;
	d->conf_loaded_at = wall_now();
	log_set_facility(d->conf->global.log_facility);
	return 0;
}

/* Everything that can fail at start happens before daemonizing, so the
 * failure reaches the terminal and the exit status. */
static int start_up(struct vigild *d)
{
	struct errbuf eb;
	d->pidfile_fd = pidfile_acquire(d->opts.pidfile, &eb);
	if (d->pidfile_fd < 0) {
		log_err("%s", eb.msg);
		return 3;
	}
	d->loop = ev_default_loop(EVFLAG_AUTO);
	d->ctl = ctl_open(d, d->conf->global.control_socket, &eb);
	if (!d->ctl) {
		log_err("control socket: %s", eb.msg);
		pidfile_release(d->opts.pidfile, d->pidfile_fd);
		return 3;
	}
	if (d->conf->global.http_listen &&
	    !(d->http = http_open(d, d->conf->global.http_listen, &eb))) {
		log_err("%s", eb.msg);
		ctl_close(d->ctl);
		pidfile_release(d->opts.pidfile, d->pidfile_fd);
		return 3;
	}
	if (!d->opts.vrrp_only && lvs_open(d, &eb) < 0) {
		log_err("%s", eb.msg);
		ctl_close(d->ctl);
		pidfile_release(d->opts.pidfile, d->pidfile_fd);
		return 3;
	}
	if (announce_open(d, &eb) < 0) {
		log_err("%s", eb.msg);
		announce_close(d);
		lvs_close(d);
		ctl_close(d->ctl);
		pidfile_release(d->opts.pidfile, d->pidfile_fd);
		return 3;
	}
	/* Before any child adds an address: a strict master without accept
	 * never takes a packet for one, and a leftover table is replaced. */
	if (vipfw_start(d) < 0) {
		announce_close(d);
		lvs_close(d);
		ctl_close(d->ctl);
		pidfile_release(d->opts.pidfile, d->pidfile_fd);
		return 3;
	}
	nfifo_conf_changed(d, NULL);
	if (!d->opts.foreground) {
		if (daemon(0, 0) < 0) {
			log_err("daemon: %s", strerror(errno));
			return 3;
		}
		ev_loop_fork(d->loop);
		if (pidfile_write(d->pidfile_fd, &eb) < 0)
			log_err("%s", eb.msg);
	}
	return 0;
}

int parent_run(struct vigild *d)
{
	int r = load_initial(d);
	if (r)
		return r;
	/* Until start-up is done, failures also go to the terminal. */
	log_init("vigild", true, d->opts.debug);
	log_info("configuration loaded in %.1f ms (%u virtual servers, %u VRRP instances)",
		 d->load_ms, d->conf->n_vs, d->conf->n_vrrp);
	d->pidfile_fd = -1;
	r = start_up(d);
	if (r) {
		conf_free(d->conf);
		conf_cache_free(d->conf_cache);
		return r;
	}
	/* A previous parent's runtime changes (it crashed) carry over; read
	 * once the pid file is ours, so only this daemon's file is touched. */
	rt_open(d, true);
	rt_merge(d, d->conf, NULL, true);
	log_set_console(d->opts.log_console);
	d->started_at = wall_now();
	setup_signals(d);
	/* The kernel table first, then the children's views: packing them
	 * (megabytes for thousands of services) would only delay the table. */
	lvs_reconcile_now(d);
	if (supervise_pack(d->conf, d->blobs) < 0) {
		log_err("out of memory packing the configuration");
		return 3;
	}
	lvs_sync_both(d, false);
	supervise_init(d);
	supervise_start_all(d);
	log_notice("vigild %s started (config %s)", VIGIL_VERSION, d->opts.config);
	sdn_init(d);
	if (!(d->reloader = reloader_new(d)))
		log_warn("out of memory for the reload worker; reloads run on the main loop");
	ev_run(d->loop, 0);
	if (!d->reloader) {
		conf_cache_free(d->conf_cache);
		d->conf_cache = NULL;
	}
	reloader_free(d->reloader);   /* and the cache, unless a load still runs */
	d->reloader = NULL;
	sdn_stop(d);
	roles_settle(d);
	lvs_sync_both(d, true);
	announce_close(d);
	lvs_close(d);
	vipfw_stop(d);   /* after the vrrp child has released the addresses */
	rt_close(d, true);
	health_free(d);
	roles_free(d);
	nfifo_close(d->fifo);
	d->fifo = NULL;
	http_close(d->http);
	ctl_close(d->ctl);
	pidfile_release(d->opts.pidfile, d->pidfile_fd);
	supervise_blobs_free(d->blobs);
	conf_free(d->conf);
	log_notice("vigild stopped");
	return 0;
}
