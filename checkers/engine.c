/*
 * engine: runs probes (see chk_engine.h for a check type's view, chk.h for the
 * caller's). This file holds a probe's life: its one timer, the random
 * first offset, the whole-run deadline taken from ev_now() at start (so a
 * server that drips one byte a second cannot stretch `timeout`), the end
 * of a run in check_done(), rise/fall (common/risefall.h), and the
 * reports fanned out to every (vs, rs) that shares the probe.
 * engine_load.c builds the probe set.
 *
 *   timer fires, idle:    start run, timer := deadline (timeout)
 *   timer fires, running: expire() or check_done(TIMEOUT)
 *   check_done:           cancel(), rise/fall, report each use,
 *                         timer := started + interval (at once if late)
 *   check_done, failed, retries left, not DOWN:
 *                         timer := now + retry_delay; nothing counted or
 *                         reported (keepalived's retry/delay_before_retry)
 *
 * The first run comes at a random point within the interval (or within
 * `warmup` when set), so probes loaded together do not fire together.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chk_engine_int.h"

static const char *const reason_names[CHK_R__COUNT] = {
	[CHK_R_OK] = "ok",
	[CHK_R_TIMEOUT] = "timeout",
	[CHK_R_REFUSED] = "connect refused",
	[CHK_R_UNREACH] = "unreachable",
	[CHK_R_CONNECT] = "connect:",
	[CHK_R_RESET] = "connection reset",
	[CHK_R_CLOSED] = "connection closed",
	[CHK_R_LOCAL] = "local error:",
	[CHK_R_TLS] = "tls:",
	[CHK_R_HTTP_BAD] = "http: malformed response",
	[CHK_R_HTTP_STATUS] = "http status",
	[CHK_R_DIGEST] = "digest mismatch",
	[CHK_R_EXPECT] = "expected text not found",
	[CHK_R_TOO_LARGE] = "response too large",
	[CHK_R_SMTP_GREETING] = "smtp greeting",
	[CHK_R_SMTP_HELO] = "smtp helo reply",
	[CHK_R_SMTP_BAD] = "smtp: malformed reply",
	[CHK_R_DNS] = "dns:",
	[CHK_R_DNS_EXPECT] = "dns: expected address missing",
	[CHK_R_PORT_UNREACH] = "port unreachable",
	[CHK_R_UDP_REPLY] = "unexpected reply",
	[CHK_R_SCRIPT_EXIT] = "script exit",
	[CHK_R_SCRIPT_SIGNAL] = "script killed by signal",
	[CHK_R_SCRIPT_SPAWN] = "script:",
	[CHK_R_REGEX] = "regex",
	[CHK_R_FILE] = "file value",
};

const char *chk_reason_str(enum chk_reason r)
{
	return (unsigned)r < CHK_R__COUNT ? reason_names[r] : "unknown";
}

const char *chk_state_str(enum chk_state s)
{
	switch (s) {
	case CHK_UP: return "up";
	case CHK_DOWN: return "down";
	default: return "unknown";
	}
}

struct ev_loop *chk_loop(const struct chk_probe *p)
{
	return p->eng->loop;
}

struct chk_shared *chk_shared(struct chk_probe *p, enum chk_shared_kind k)
{
	return &p->eng->shared[k];
}

unsigned chk_random(struct chk_probe *p)
{
	return (unsigned)rand_r(&p->eng->seed);
}

/* The AND of a real server's checks; UNKNOWN counts as up with start_up. */
static enum chk_state rs_state(const struct chk_rs *r)
{
	enum chk_state st = CHK_UP;
	for (unsigned i = 0; i < r->n_probes; i++) {
		enum chk_state s = (enum chk_state)r->probes[i]->counts.state;
		if (s == CHK_DOWN)
			return CHK_DOWN;
		if (s == CHK_UNKNOWN && !r->start_up)
			st = CHK_UNKNOWN;
	}
	return st;
}

/* What a report says, as a number: a change in it is reported at once. */
static uint32_t verdict_hash(const struct chk_probe *p)
{
	uint32_t h = 2166136261u;
	const int v[] = { p->pass, (int)p->reason, (int)p->counts.state, p->weight };
	const unsigned char *b = (const unsigned char *)v;
	for (size_t i = 0; i < sizeof(v); i++)
		h = (h ^ b[i]) * 16777619u;
	for (const char *c = p->text; *c; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	return h;
}

void eng_probe_report(struct chk_probe *p)
{
	struct chk_engine *e = p->eng;
	double now = ev_now(e->loop);
	uint32_t vh = verdict_hash(p);
	bool changed = vh != p->reported_hash;
	bool all = e->refresh <= 0 || changed || now - p->reported_at >= e->refresh;
	if (all) {
		p->reported_hash = vh;
		p->reported_at = now;
	}
	struct chk_report rep = {
		.check_state = (enum chk_state)p->counts.state, .pass = p->pass, .weight = p->weight,
		.latency_us = p->latency_us, .passes = p->counts.passes,
		.failures = p->counts.failures, .reason = p->reason, .text = p->text,
		.lat_runs = p->lat_runs, .lat_sum_us = p->lat_sum_us,
	};
	static const uint32_t none[IPC_LAT_BUCKETS];
	for (unsigned i = 0; i < p->n_uses; i++) {
		struct chk_use *u = &p->uses[i];
		rep.vs = u->rs->vs;
		rep.rs = u->rs->rs;
		rep.check = u->check;
		rep.rs_state = rs_state(u->rs);
		bool same_rs = u->sent && u->sent_rs_state == (uint8_t)rep.rs_state;
		if (!all && same_rs) {
			e->reports_saved++;
			continue;
		}
		rep.changed = changed || !same_rs;
		u->sent = true;
		u->sent_rs_state = (uint8_t)rep.rs_state;
		e->reports++;
		e->cb(e->cb_arg, &rep);
		/* Each run is counted once, by the first report that carries it. */
		memset(p->lat_runs, 0, sizeof(p->lat_runs));
		p->lat_sum_us = 0;
		rep.lat_runs = none;
		rep.lat_sum_us = 0;
	}
}

static void arm(struct chk_probe *p, double after)
{
	ev_timer_stop(p->eng->loop, &p->timer);
	ev_timer_set(&p->timer, after > 0 ? after : 0., 0.);
	ev_timer_start(p->eng->loop, &p->timer);
}

void check_done(struct chk_probe *p, enum chk_reason r, const char *fmt, ...)
{
	assert(p->running);
	char detail[128] = "";
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
	}
	/* The detail may live in the run's buffers: copy before cancel. */
	snprintf(p->text, sizeof(p->text), "%s%s%s", chk_reason_str(r), detail[0] ? " " : "",
		 detail);
	p->running = false;
	p->ops->cancel(p);
	/* The loop's time: set after the poll that brought this result (one
	 * clock read per probe, at its start, is all a run costs). */
	double lat = ev_now(p->eng->loop) - p->t0;
	p->latency_us = lat > 0 ? (uint32_t)(lat * 1e6) : 0;
	p->lat_runs[ipc_lat_bucket(p->latency_us)]++;
	p->lat_sum_us += p->latency_us;
	p->pass = r == CHK_R_OK;
	p->reason = r;
	p->runs++;
	p->eng->runs++;
	double now = ev_now(p->eng->loop);
	/* A failure is confirmed by retries before it counts; a check
	 * already down needs no confirmation. */
	if (!p->pass && p->retries < p->cc->retry && p->counts.state != RISEFALL_DOWN) {
		p->retries++;
		p->due = now + p->cc->retry_delay;
		arm(p, p->cc->retry_delay);
		return;
	}
	p->retries = 0;
	risefall_step(&p->counts, p->pass, p->cc->rise, p->cc->fall);
	p->due = p->started + p->cc->interval;
	arm(p, p->due - now);
	eng_probe_report(p);
}

static void count_lateness(struct chk_engine *e, double late)
{
	double us = late * 1e6;
	unsigned b = us < 1. ? 0 : 1 + (unsigned)(4. * log2(us));
	e->late[b < CHK_LATE_BUCKETS ? b : CHK_LATE_BUCKETS - 1]++;
	e->late_n++;
	if (late > e->late_max)
		e->late_max = late;
}

static double late_quantile(const struct chk_engine *e, double q)
{
	uint64_t want = (uint64_t)ceil(q * (double)e->late_n), seen = 0;
	for (unsigned b = 0; b < CHK_LATE_BUCKETS; b++) {
		seen += e->late[b];
		if (seen >= want && seen)
			return b ? pow(2., b / 4.) / 1e3 : 0.001;
	}
	return e->late_max * 1e3;
}

void chk_engine_lateness(const struct chk_engine *e, struct chk_lateness *out)
{
	out->runs = e->late_n;
	out->p50_ms = e->late_n ? late_quantile(e, .5) : 0;
	out->p99_ms = e->late_n ? late_quantile(e, .99) : 0;
	out->max_ms = e->late_max * 1e3;
}

void chk_engine_lateness_reset(struct chk_engine *e)
{
	memset(e->late, 0, sizeof(e->late));
	e->late_n = 0;
	e->late_max = 0;
	/* Called after a dump: what the dump itself delayed is not counted. */
	e->late_since = ev_time();
}

static void probe_start(struct chk_probe *p)
{
	/* The real clock, not the loop's: a probe started late in a long
	 * loop pass is counted as late as it is. */
	p->t0 = ev_time();
	double late = p->t0 - p->due;
	if (p->due >= p->eng->late_since)
		count_lateness(p->eng, late > 0 ? late : 0);
	p->running = true;
	p->started = ev_now(p->eng->loop);
	p->phase = NULL;
	p->weight = -1;
	arm(p, p->cc->timeout);
	p->ops->start(p);
}

static void probe_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct chk_probe *p = (struct chk_probe *)((char *)w - offsetof(struct chk_probe, timer));
	(void)loop;
	(void)revents;
	if (!p->running) {
		probe_start(p);
		return;
	}
	if (p->ops->expire) {
		p->ops->expire(p);
		return;
	}
	if (p->phase)
		check_done(p, CHK_R_TIMEOUT, "(%s)", p->phase);
	else
		check_done(p, CHK_R_TIMEOUT, NULL);
}

void eng_probe_schedule_first(struct chk_probe *p)
{
	ev_init(&p->timer, probe_timer_cb);
	double frac = (double)(rand_r(&p->eng->seed) % 10000) / 10000.;
	double span = p->cc->has_warmup ? p->cc->warmup : p->cc->interval;
	p->due = ev_now(p->eng->loop) + frac * span;
	arm(p, frac * span);
}

void eng_probe_stop(struct chk_probe *p)
{
	if (p->running) {
		p->running = false;
		p->ops->cancel(p);
	}
	ev_timer_stop(p->eng->loop, &p->timer);
}

int chk_socket(struct chk_probe *p, int type, int proto, char *err, size_t errlen)
{
	int fd = socket(p->dst.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "socket: %s", strerror(e));
		return -e;
	}
	if (vaddr_is_set(&p->cc->bind_addr)) {
		struct sockaddr_storage ss;
		socklen_t sl = vaddr_to_sockaddr(&p->cc->bind_addr, 0, &ss);
		if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
			int e = errno;
			snprintf(err, errlen, "bind: %s", strerror(e));
			close(fd);
			return -e;
		}
	}
	return fd;
}

void chk_fail_errno(struct chk_probe *p, int err, const char *what)
{
	switch (err) {
	case ECONNREFUSED:
		check_done(p, CHK_R_REFUSED, NULL);
		break;
	case EHOSTUNREACH:
	case ENETUNREACH:
		check_done(p, CHK_R_UNREACH, "(%s)", strerror(err));
		break;
	case ECONNRESET:
	case EPIPE:
		check_done(p, CHK_R_RESET, NULL);
		break;
	default:
		check_done(p, CHK_R_CONNECT, "%s%s%s", what ? what : "", what ? ": " : "",
			   strerror(err));
	}
}
