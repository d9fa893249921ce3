/*
 * test_chk_engine: shared-probe keying, and the engine on a real libev
 * loop with script checks: one probe for a check shared by three virtual
 * servers, reports fanned out to each, a reload that keeps an unchanged
 * probe's state, and a kept https probe that still sends its own SNI
 * after the old configuration is freed; retry/retry_delay and warmup
 * timing. (Rise/fall itself:
 * test_risefall.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "chk.h"
#include "conf.h"
#include "errbuf.h"

static void test_keying(void **st)
{
	(void)st;
	struct vaddr a, b;
	vaddr_parse("198.51.100.11", &a);
	vaddr_parse("198.51.100.12", &b);
	struct check_conf x = { .type = CHECK_HTTP, .interval = 1, .timeout = 1, .rise = 1,
				.fall = 1, .path = "/health", .n_status = 1, .status = { { 200, 200 } },
				.line = 10 };
	struct check_conf y = x;
	y.path = strdup("/health");   /* equal content, other pointer */
	y.line = 20;
	assert_true(chk_probe_same(&x, &a, 80, &y, &a, 80));
	assert_false(chk_probe_same(&x, &a, 80, &y, &b, 80));      /* other real server */
	assert_false(chk_probe_same(&x, &a, 80, &y, &a, 8080));
	y.connect_port = 8081;
	assert_false(chk_probe_same(&x, &a, 80, &y, &a, 80));
	y.connect_port = 0;
	y.status[0].lo = y.status[0].hi = 204;
	assert_false(chk_probe_same(&x, &a, 80, &y, &a, 80));
	y.status[0].lo = y.status[0].hi = 200;
	y.status[0].hi = 299;              /* a range instead of the code */
	assert_false(chk_probe_same(&x, &a, 80, &y, &a, 80));
	y.status[0].hi = 200;
	y.regex = "ok";
	assert_false(chk_probe_same(&x, &a, 80, &y, &a, 80));
	y.regex = NULL;
	y.http_minor = 1;
	assert_false(chk_probe_same(&x, &a, 80, &y, &a, 80));
	y.http_minor = 0;
	y.interval = 2;
	assert_false(chk_probe_same(&x, &a, 80, &y, &a, 80));
	y.interval = 1;
	vaddr_parse("203.0.113.1", &y.connect_addr);
	assert_false(chk_probe_same(&x, &a, 80, &y, &a, 80));
	free(y.path);
}

struct seen {
	unsigned n, per_vs[4];
	enum chk_state last_rs[4];
	char text[64];
	struct chk_engine *e;         /* set: runs_at_report is filled */
	uint64_t lat_carried;         /* runs the reports' latency buckets carried */
	uint64_t runs_at_report;      /* the engine's runs at the last report */
};

static void report_cb(void *arg, const struct chk_report *r)
{
	struct seen *s = arg;
	s->n++;
	s->per_vs[r->vs]++;
	s->last_rs[r->vs] = r->rs_state;
	snprintf(s->text, sizeof(s->text), "%s", r->text);
	for (unsigned b = 0; b < IPC_LAT_BUCKETS; b++)
		s->lat_carried += r->lat_runs[b];
	if (s->e) {
		struct chk_stats cs;
		chk_engine_stats(s->e, &cs);
		s->runs_at_report = cs.runs;
	}
}

static void stop_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ONE);
}

static void run_for(struct ev_loop *loop, double s)
{
	ev_timer t;
	ev_timer_init(&t, stop_cb, s, 0);
	ev_timer_start(loop, &t);
	ev_run(loop, 0);
	ev_timer_stop(loop, &t);
}

static void test_engine_shared_scripts(void **st)
{
	(void)st;
	struct ev_loop *loop = ev_default_loop(0);
	struct check_conf ok = { .type = CHECK_SCRIPT, .interval = 0.2, .timeout = 0.5,
				 .rise = 1, .fall = 1, .command = "/bin/true" };
	struct check_conf bad = ok;
	bad.command = "/bin/sh -c 'exit 3'";
	struct rs_conf rs[3] = { 0 };
	struct vs_conf vs[3] = { 0 };
	for (int i = 0; i < 3; i++) {
		vaddr_parse("198.51.100.11", &rs[i].addr);
		rs[i].port = 80;
		rs[i].checks = &ok;
		rs[i].n_checks = 1;
		vs[i].rs = &rs[i];
		vs[i].n_rs = 1;
	}
	struct conf c = { .vs = vs, .n_vs = 3 };
	struct seen s = { 0 };
	struct chk_engine *e = chk_engine_new(loop, report_cb, &s);
	s.e = e;
	struct errbuf eb;
	assert_int_equal(chk_engine_load(e, &c, &eb), 0);
	assert_int_equal(chk_engine_probe_count(e), 1);   /* shared by three */
	run_for(loop, 0.5);
	assert_true(s.n >= 3);
	/* Every run's latency reaches the parent once, not once per use. */
	assert_int_equal(s.lat_carried, s.runs_at_report);
	assert_int_equal(s.lat_carried * 3, s.n);
	assert_int_equal(s.per_vs[0], s.per_vs[1]);
	assert_int_equal(s.per_vs[1], s.per_vs[2]);
	assert_int_equal(s.last_rs[2], CHK_UP);
	/* vs 2 now points at a failing script: a second probe; vs 0/1 keep theirs. */
	rs[2].checks = &bad;
	assert_int_equal(chk_engine_load(e, &c, &eb), 0);
	assert_int_equal(chk_engine_probe_count(e), 2);
	memset(&s, 0, sizeof(s));
	run_for(loop, 0.5);
	assert_int_equal(s.last_rs[0], CHK_UP);
	assert_int_equal(s.last_rs[2], CHK_DOWN);
	chk_engine_free(e);
}

static void test_engine_script_timeout_and_weight(void **st)
{
	(void)st;
	struct ev_loop *loop = ev_default_loop(0);
	struct check_conf slow = { .type = CHECK_SCRIPT, .interval = 1, .timeout = 0.2,
				   .rise = 1, .fall = 1, .command = "/bin/sleep 5" };
	struct check_conf dyn = { .type = CHECK_SCRIPT, .interval = 1, .timeout = 1,
				  .rise = 1, .fall = 1, .command = "/bin/sh -c 'exit 7'",
				  .dynamic_weight = true };
	struct rs_conf rs = { .port = 80, .checks = &slow, .n_checks = 1 };
	vaddr_parse("198.51.100.11", &rs.addr);
	struct vs_conf vs = { .rs = &rs, .n_rs = 1 };
	struct conf c = { .vs = &vs, .n_vs = 1 };
	struct seen s = { 0 };
	struct chk_engine *e = chk_engine_new(loop, report_cb, &s);
	struct errbuf eb;
	assert_int_equal(chk_engine_load(e, &c, &eb), 0);
	double t0 = ev_time();
	while (!s.n && ev_time() - t0 < 3)
		run_for(loop, 0.1);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.text, "timeout (script running)");
	rs.checks = &dyn;
	assert_int_equal(chk_engine_load(e, &c, &eb), 0);
	s.n = 0;
	t0 = ev_time();
	while (!s.n && ev_time() - t0 < 3)
		run_for(loop, 0.1);
	assert_string_equal(s.text, "ok (weight 5)");
	chk_engine_free(e);
}

/* With a refresh period, unchanged results are not reported again until
 * it has passed; a changed verdict is reported at once. */
static void test_engine_refresh(void **st)
{
	(void)st;
	struct ev_loop *loop = ev_default_loop(0);
	char flag[] = "/tmp/vigil-test-flag.XXXXXX";
	int fd = mkstemp(flag);
	assert_true(fd >= 0);
	close(fd);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "/bin/sh -c 'test -e %s'", flag);
	struct check_conf ck = { .type = CHECK_SCRIPT, .interval = 0.05, .timeout = 0.5,
				 .rise = 1, .fall = 1, .command = cmd };
	struct rs_conf rs = { .port = 80, .checks = &ck, .n_checks = 1 };
	vaddr_parse("198.51.100.11", &rs.addr);
	struct vs_conf vs = { .rs = &rs, .n_rs = 1 };
	struct conf c = { .vs = &vs, .n_vs = 1 };
	struct seen s = { 0 };
	struct chk_engine *e = chk_engine_new(loop, report_cb, &s);
	s.e = e;
	chk_engine_set_refresh(e, 10.);
	struct errbuf eb;
	assert_int_equal(chk_engine_load(e, &c, &eb), 0);
	run_for(loop, 0.6);                  /* about ten passing runs */
	assert_int_equal(s.n, 1);
	assert_string_equal(s.text, "ok");
	unlink(flag);
	run_for(loop, 0.3);
	assert_int_equal(s.n, 2);            /* the failure, at once */
	/* ... carrying the latency of every run, the unreported ones too. */
	assert_true(s.runs_at_report >= 5);
	assert_int_equal(s.lat_carried, s.runs_at_report);
	assert_string_equal(s.text, "script exit 1");
	assert_int_equal(s.last_rs[0], CHK_DOWN);
	run_for(loop, 0.3);
	assert_int_equal(s.n, 2);
	chk_engine_set_refresh(e, 0.2);      /* now a report every 0.2 s at least */
	run_for(loop, 0.7);
	assert_in_range(s.n, 4, 8);
	chk_engine_free(e);
}

/* The time of the first report, or -1 within `limit` s. */
static double first_report(struct ev_loop *loop, const struct seen *s, double t0, double limit)
{
	while (!s->n && ev_time() - t0 < limit)
		run_for(loop, 0.01);
	return s->n ? ev_time() - t0 : -1;
}

/* retry/retry_delay: a failed run is run again after retry_delay, retry
 * times, before one failure counts (nothing reported meanwhile); a check
 * already down is not retried; a passing run is never delayed. */
static void test_engine_retry(void **st)
{
	(void)st;
	struct ev_loop *loop = ev_default_loop(0);
	struct check_conf bad = { .type = CHECK_SCRIPT, .interval = 0.6, .timeout = 0.5,
				  .rise = 1, .fall = 1, .command = "/bin/false", .retry = 2,
				  .retry_delay = 0.15, .has_warmup = true, .warmup = 0 };
	struct rs_conf rs = { .port = 80, .checks = &bad, .n_checks = 1 };
	vaddr_parse("198.51.100.11", &rs.addr);
	struct vs_conf vs = { .rs = &rs, .n_rs = 1 };
	struct conf c = { .vs = &vs, .n_vs = 1 };
	struct seen s = { 0 };
	struct chk_engine *e = chk_engine_new(loop, report_cb, &s);
	struct errbuf eb;
	struct chk_stats stats;
	ev_now_update(loop);
	double t0 = ev_time();
	assert_int_equal(chk_engine_load(e, &c, &eb), 0);
	double t = first_report(loop, &s, t0, 3);
	chk_engine_stats(e, &stats);
	/* runs at 0, 0.15, 0.30: the failure counts at the third (runs paced
	 * by the 0.6 s interval instead would count it at 1.2 s; the slack
	 * is for three fork+execs on a loaded machine) */
	assert_true(t >= 0.29 && t < 1.1);
	assert_int_equal(stats.runs, 3);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.last_rs[0], CHK_DOWN);
	assert_string_equal(s.text, "script exit 1");
	/* down: the next runs (0.6 s apart) are not retried */
	run_for(loop, 1.3);
	chk_engine_stats(e, &stats);
	assert_int_equal(stats.runs, 5);
	assert_int_equal(s.n, 3);
	/* a passing check reports at its first run */
	struct check_conf ok = bad;
	ok.command = "/bin/true";
	rs.checks = &ok;
	memset(&s, 0, sizeof(s));
	ev_now_update(loop);
	t0 = ev_time();
	assert_int_equal(chk_engine_load(e, &c, &eb), 0);
	t = first_report(loop, &s, t0, 3);
	assert_true(t >= 0 && t < 0.12);
	assert_string_equal(s.text, "ok");
	chk_engine_free(e);
}

/* warmup: every first run comes within warmup, not within the (long)
 * interval; without it, first runs spread over the interval. */
static void test_engine_warmup(void **st)
{
	(void)st;
	struct ev_loop *loop = ev_default_loop(0);
	enum { N = 8 };
	struct check_conf ck[N];
	char cmd[N][32];
	struct rs_conf rs = { .port = 80, .checks = ck, .n_checks = N };
	vaddr_parse("198.51.100.11", &rs.addr);
	for (int i = 0; i < N; i++) {
		snprintf(cmd[i], sizeof(cmd[i]), "/bin/true %d", i);   /* N probes */
		ck[i] = (struct check_conf){ .type = CHECK_SCRIPT, .interval = 30, .timeout = 1,
					     .rise = 1, .fall = 1, .command = cmd[i],
					     .has_warmup = true, .warmup = 0.3 };
	}
	struct vs_conf vs = { .rs = &rs, .n_rs = 1 };
	struct conf c = { .vs = &vs, .n_vs = 1 };
	struct seen s = { 0 };
	struct chk_engine *e = chk_engine_new(loop, report_cb, &s);
	struct errbuf eb;
	assert_int_equal(chk_engine_load(e, &c, &eb), 0);
	assert_int_equal(chk_engine_probe_count(e), N);
	run_for(loop, 0.5);
	assert_int_equal(s.n, N);            /* all N ran within 0.3 s (+ run time) */
	chk_engine_free(e);
	/* the same without warmup: first runs spread over 30 s */
	for (int i = 0; i < N; i++)
		ck[i].has_warmup = false;
	memset(&s, 0, sizeof(s));
	e = chk_engine_new(loop, report_cb, &s);
	assert_int_equal(chk_engine_load(e, &c, &eb), 0);
	run_for(loop, 0.5);
	assert_true(s.n < N);
	chk_engine_free(e);
}

/* A kept probe must not read the configuration it was made from: the
 * checker frees the old one right after the reload. An https check's host
 * name travels in the ClientHello (SNI), so the listener here reads what
 * the probe sent after the old strings were scribbled on and freed. */
static struct check_conf *https_conf(const char *host, const char *sni)
{
	struct check_conf *cc = calloc(1, sizeof(*cc));
	*cc = (struct check_conf){ .type = CHECK_HTTPS, .interval = 0.1, .timeout = 0.3,
				   .rise = 1, .fall = 1, .verify = true,
				   .method = strdup("GET"), .host = strdup(host), .sni = strdup(sni) };
	return cc;
}

static void https_conf_free(struct check_conf *cc, bool scribble)
{
	char *const s[] = { cc->method, cc->host, cc->sni };
	for (size_t i = 0; i < 3; i++) {
		if (scribble)
			memset(s[i], 'Z', strlen(s[i]));
		free(s[i]);
	}
	free(cc);
}

static void test_engine_reload_frees_old_conf(void **st)
{
	(void)st;
	struct ev_loop *loop = ev_default_loop(0);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sin);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 16), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &sl), 0);

	struct check_conf *old = https_conf("www.example.test", "sni.example.test");
	struct rs_conf rs = { .port = ntohs(sin.sin_port), .checks = old, .n_checks = 1 };
	vaddr_parse("127.0.0.1", &rs.addr);
	struct vs_conf vs = { .rs = &rs, .n_rs = 1 };
	struct conf c = { .vs = &vs, .n_vs = 1 };
	struct seen s = { 0 };
	struct chk_engine *e = chk_engine_new(loop, report_cb, &s);
	struct errbuf eb = { "" };
	assert_int_equal(chk_engine_load(e, &c, &eb), 0);
	/* The same check in a new configuration: the probe is kept. */
	struct check_conf *cur = https_conf("www.example.test", "sni.example.test");
	rs.checks = cur;
	assert_int_equal(chk_engine_load(e, &c, &eb), 0);
	assert_int_equal(chk_engine_probe_count(e), 1);
	https_conf_free(old, true);

	char hello[4096];
	size_t got = 0;
	double t0 = ev_time();
	while (!memmem(hello, got, "sni.example.test", 16) && ev_time() - t0 < 3) {
		run_for(loop, 0.05);
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		run_for(loop, 0.05);
		ssize_t n = recv(fd, hello, sizeof(hello), MSG_DONTWAIT);
		got = n > 0 ? (size_t)n : 0;
		close(fd);
	}
	assert_non_null(memmem(hello, got, "sni.example.test", 16));
	chk_engine_free(e);
	https_conf_free(cur, false);
	close(lfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keying),
		cmocka_unit_test(test_engine_shared_scripts),
		cmocka_unit_test(test_engine_script_timeout_and_weight),
		cmocka_unit_test(test_engine_refresh),
		cmocka_unit_test(test_engine_retry),
		cmocka_unit_test(test_engine_warmup),
		cmocka_unit_test(test_engine_reload_frees_old_conf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
