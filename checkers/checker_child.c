/*
 * child_checker: the checker child's hooks. It runs the health-check
 * engine (checkers/) over the configuration and forwards every report as
 * an IPC_CHECK_RESULT to the parent: one per (vs, rs) using a probe, when
 * its verdict changes, and otherwise at least every REPORT_REFRESH seconds
 * (for the latency and counts in status) — the parent keeps the latest and
 * logs transitions, so this side logs only at debug level. On reload the engine
 * keeps the probes whose check did not change (no re-rise). Before the
 * engine starts it drops root (privdrop.h): from then on it is
 * global.script_user with CAP_NET_RAW alone, and re-reads the
 * configuration on reload as that user.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "chk.h"
#include "conf.h"
#include "errbuf.h"
#include "log.h"
#include "privdrop.h"

/* Unchanged results reach the parent at most this often (s). */
#define REPORT_REFRESH 5.0
/* The engine's counters go to the parent this often (s; lazily). */
#define STATS_EVERY 5.0

struct checker {
	struct chk_engine *e;
	ev_timer stats_w;
	struct child_ctx *cx;
};

static void send_stats(struct checker *k)
{
	struct chk_stats st;
	chk_engine_stats(k->e, &st);
	struct ipc_checker_stats m = {
		.probes = st.probes, .runs = st.runs, .reports = st.reports,
		.reports_unchanged = st.reports_unchanged, .syn_sent = st.syn_sent,
		.syn_replies = st.syn_replies, .syn_stray = st.syn_stray,
		.syn_malformed = st.syn_malformed, .syn_dropped = st.syn_dropped,
	};
	if (child_send_lazy(k->cx, IPC_CHECKER_STATS, &m, sizeof(m), NULL, 0) < 0)
		log_warn("cannot queue the checker's counters for the parent");
}

static void stats_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	send_stats(w->data);
}

static void report_cb(void *arg, const struct chk_report *r)
{
	struct child_ctx *cx = arg;
	struct ipc_check_result m = {
		.generation = cx->generation, .vs = r->vs, .rs = r->rs,
		.check = (uint16_t)r->check, .rs_state = (uint8_t)r->rs_state,
		.check_state = (uint8_t)r->check_state, .pass = r->pass, .weight = r->weight,
		.latency_us = r->latency_us, .passes = r->passes, .failures = r->failures,
		.reason = (uint32_t)r->reason, .lat_sum_us = r->lat_sum_us,
	};
	memcpy(m.lat_runs, r->lat_runs, sizeof(m.lat_runs));
	size_t tl = strnlen(r->text, 255);
	if (log_debug_enabled()) {
		char a[VADDR_PORT_STRLEN];
		const struct rs_conf *rs = &cx->conf->vs[r->vs].rs[r->rs];
		log_debug("vs #%u %s check #%u: %s, %s (%u us)", r->vs,
			  vaddr_port_str(&rs->addr, rs->port, a, sizeof(a)), r->check,
			  r->pass ? "pass" : "fail", r->text, r->latency_us);
	}
	int (*send)(struct child_ctx *, uint16_t, const void *, size_t, const void *, size_t) =
		r->changed ? child_send : child_send_lazy;
	if (send(cx, IPC_CHECK_RESULT, &m, sizeof(m), r->text, tl) < 0)
		log_warn("cannot queue a check result for the parent");
}

static int drop_privileges(struct child_ctx *cx)
{
	char user[64];
	struct errbuf eb = { "" };
	priv_script_user(cx->conf->global.script_user, user, sizeof(user));
	int r = priv_drop_checker(user, &eb);
	if (r < 0) {
		log_err("checker: cannot drop privileges to '%s': %s", user, eb.msg);
		return -1;
	}
	if (r > 0) {
		log_info("checker: not started as root; running as uid %u", (unsigned)getuid());
		return 0;
	}
	if (strcmp(user, cx->conf->global.script_user))
		log_warn("checker: script_user '%s' does not exist; running as '%s'",
			 cx->conf->global.script_user, user);
	log_info("checker: running as %s (uid %u) with CAP_NET_RAW only", user,
		 (unsigned)getuid());
	return 0;
}

static int checker_start(struct child_ctx *cx)
{
	if (drop_privileges(cx) < 0)
		return -1;
	struct checker *k = calloc(1, sizeof(*k));
	struct chk_engine *e = k ? chk_engine_new(cx->loop, report_cb, cx) : NULL;
	if (!e) {
		free(k);
		log_err("checker: out of memory");
		return -1;
	}
	chk_engine_set_refresh(e, REPORT_REFRESH);
	k->e = e;
	k->cx = cx;
	ev_timer_init(&k->stats_w, stats_cb, STATS_EVERY, STATS_EVERY);
	k->stats_w.data = k;
	ev_timer_start(cx->loop, &k->stats_w);
	cx->priv = k;
	struct errbuf eb = { "" };
	int r = chk_engine_load(e, cx->conf, &eb);
	if (r == -ENOMEM)
		log_fatal("checker: %s", eb.msg);   /* start-up: nothing to run */
	if (r < 0)
		log_err("checker: %s", eb.msg);
	log_info("checker ready: %u virtual servers, %u probes", cx->conf->n_vs,
		 chk_engine_probe_count(e));
	return 0;
}

static int checker_reload(struct child_ctx *cx, const struct conf *old)
{
	struct chk_engine *e = ((struct checker *)cx->priv)->e;
	struct errbuf eb = { "" };
	int r = chk_engine_load(e, cx->conf, &eb);
	if (r == -ENOMEM)   /* the engine is empty: a fresh checker loads it whole */
		log_fatal("checker: reload: %s; exiting to be restarted", eb.msg);
	if (r < 0)
		log_err("checker: %s", eb.msg);
	log_info("checker: configuration generation %u (%u virtual servers, was %u), %u probes",
		 cx->generation, cx->conf->n_vs, old->n_vs, chk_engine_probe_count(e));
	return 0;
}

static void dump_line(void *arg, const char *s)
{
	(void)arg;
	log_notice("%s", s);
}

static void checker_dump(struct child_ctx *cx)
{
	struct checker *k = cx->priv;
	if (k) {
		chk_engine_dump(k->e, dump_line, NULL);
		send_stats(k);
	}
}

static void checker_stop(struct child_ctx *cx)
{
	struct checker *k = cx->priv;
	if (!k)
		return;
	ev_timer_stop(cx->loop, &k->stats_w);
	chk_engine_free(k->e);
	free(k);
	cx->priv = NULL;
}

const struct child_ops child_checker_ops = {
	.name = "checker",
	.start = checker_start,
	.reload = checker_reload,
	.dump = checker_dump,
	.stop = checker_stop,
};
