/*
 * test_lvs_part: a pass over the virtual servers whose health changed
 * (daemon/lvs_part.c) stands for a full pass. Random verdicts, weights
 * and states over virtual servers with a group, a quorum with a sorry
 * server, inhibit and a sorry server kept at weight 0; after each loop
 * pass the table vigild owns equals the whole wanted table built afresh,
 * and the pass made as many operations as a full comparison with the
 * table before it would have. Both kinds of pass must have run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "config.h"
#include "health.h"
#include "ipc.h"
#include "ipvs.h"
#include "lvs.h"
#include "lvs_int.h"
#include "vigild.h"

#define N_VS 12
#define N_RS 4

static struct conf *load_conf(void)
{
	static char text[16384];
	size_t n = 0;
	n += (size_t)snprintf(text + n, sizeof(text) - n,
		"virtual_server_groups = ( { name = \"g\"; members = (\n"
		"  { address = \"192.0.2.30\"; port = 80; }, { address = \"192.0.2.31\"; port = 80; } ); } );\n"
		"virtual_servers = (\n");
	for (unsigned i = 0; i < N_VS; i++) {
		const char *extra = "";
		if (i == 2)
			extra = "quorum = 5; hysteresis = 1; sorry_server = { address = \"198.51.100.99\"; };";
		else if (i == 3)
			extra = "quorum = 4; on_failure = \"inhibit\"; "
				"sorry_server = { address = \"198.51.100.98\"; inhibit = true; };";
		else if (i == 5)
			extra = "on_failure = \"inhibit\";";
		if (i == 7)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "  { group = \"g\"; ");
		else
			n += (size_t)snprintf(text + n, sizeof(text) - n,
					      "  { address = \"192.0.2.%u\"; port = 80; ", 10 + i);
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s real_servers = (", extra);
		for (unsigned j = 0; j < N_RS; j++)
			n += (size_t)snprintf(text + n, sizeof(text) - n,
				"%s{ address = \"198.51.100.%u\"; port = 80; weight = %u; "
				"checks = ( { type = \"tcp\"; } ); }", j ? ", " : " ",
				1 + i * N_RS + j, 1 + j);
		n += (size_t)snprintf(text + n, sizeof(text) - n, " ); }%s\n", i + 1 < N_VS ? "," : "");
	}
	n += (size_t)snprintf(text + n, sizeof(text) - n, ");\n");
	assert_true(n < sizeof(text));
	char path[] = "/tmp/test_lvs_part.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
	struct conf_errors errs = { 0 };
	struct conf *c = conf_load(path, &errs);
	for (unsigned i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.lines[i]);
	conf_errors_free(&errs);
	unlink(path);
	assert_non_null(c);
	return c;
}

static void table_copy(const struct ipvs_table *from, struct ipvs_table *to)
{
	ipvs_table_init(to);
	for (unsigned i = 0; i < from->n_svcs; i++) {
		struct ipvs_table_svc *ts = ipvs_table_add_svc(to, &from->svcs[i].svc);
		assert_non_null(ts);
		ts->conf_vs = from->svcs[i].conf_vs;
		for (unsigned j = 0; j < from->svcs[i].n_dests; j++)
			assert_int_equal(ipvs_table_add_dest(ts, &from->svcs[i].dests[j]), 0);
	}
}

static void assert_tables_equal(const struct ipvs_table *a, const struct ipvs_table *b)
{
	assert_int_equal(a->n_svcs, b->n_svcs);
	for (unsigned i = 0; i < a->n_svcs; i++) {
		const struct ipvs_table_svc *x = &a->svcs[i], *y = &b->svcs[i];
		assert_int_equal(ipvs_svc_key_cmp(&x->svc.key, &y->svc.key), 0);
		assert_true(ipvs_service_attrs_equal(&x->svc, &y->svc));
		assert_int_equal(x->conf_vs, y->conf_vs);
		if (x->n_dests != y->n_dests)
			fail_msg("service %u (vs %u): %u destinations owned, %u wanted", i,
				 x->conf_vs, x->n_dests, y->n_dests);
		for (unsigned j = 0; j < x->n_dests; j++) {
			assert_int_equal(ipvs_dest_key_cmp(&x->dests[j], &y->dests[j]), 0);
			if (!ipvs_dest_attrs_equal(&x->dests[j], &y->dests[j]))
				fail_msg("service %u dest %u: weight %d owned, %d wanted", i, j,
					 x->dests[j].weight, y->dests[j].weight);
		}
	}
}

/* One verdict as the checker sends it, through the parent's own path. */
static void verdict(struct vigild *d, unsigned vs, unsigned rs, bool up, int weight)
{
	struct ipc_check_result m = {
		.generation = d->generation, .vs = vs, .rs = rs, .check = 0,
		.rs_state = up ? IPC_CHK_UP : IPC_CHK_DOWN,
		.check_state = up ? IPC_CHK_UP : IPC_CHK_DOWN,
		.pass = up, .weight = weight, .passes = 1,
	};
	if (health_on_result(d, &m, sizeof(m)))
		lvs_mark_vs_dirty(d, vs);
}

/* A dry-run parent with the test's configuration and its first full pass made. */
static struct lvs *start(struct vigild *d)
{
	struct errbuf eb = { .msg = "" };
	*d = (struct vigild){ .loop = ev_default_loop(0), .conf = load_conf(), .generation = 1,
			      .opts.dry_run = true };
	assert_int_equal(lvs_open(d, &eb), 0);
	lvs_reconcile_now(d);
	assert_true(d->lvs->started && d->lvs->owned_is_kernel);
	return d->lvs;
}

static void stop(struct vigild *d)
{
	d->lvs->started = false;        /* nothing to remove at close */
	lvs_close(d);
	health_free(d);
	conf_free(d->conf);
}

static void test_part_equals_full(void **st)
{
	(void)st;
	struct vigild d;
	struct lvs *l = start(&d);
	const struct conf *c = d.conf;
	struct errbuf eb = { .msg = "" };
	srandom(7);
	unsigned part_ops = 0;
	for (unsigned round = 0; round < 400; round++) {
		struct ipvs_table before, want;
		struct ipvs_oplist ops;
		table_copy(&l->owned, &before);
		uint64_t passes = l->count.reconciles;
		unsigned n = 1 + (unsigned)random() % 5;
		for (unsigned k = 0; k < n; k++) {
			int w = random() % 3 ? -1 : (int)(random() % 6);
			verdict(&d, (unsigned)random() % N_VS, (unsigned)random() % N_RS,
				random() % 2, w);
		}
		if (round % 97 == 96)
			lvs_mark_dirty(&d);   /* an operator's word: the whole table */
		ev_run(d.loop, EVRUN_NOWAIT);   /* the prepare watcher's pass */
		assert_false(l->dirty);
		ipvs_table_init(&want);
		assert_int_equal(lvs_build_wanted(l, c, &want, false, &eb), 0);
		assert_tables_equal(&l->owned, &want);
		ipvs_oplist_init(&ops);
		assert_int_equal(ipvs_reconcile(&want, &before, &before, &ops), 0);
		if (l->count.reconciles != passes)
			assert_int_equal(l->last.ops, ops.n);
		else
			assert_int_equal(ops.n, 0);   /* no pass: nothing had changed */
		part_ops += ops.n;
		ipvs_oplist_free(&ops);
		ipvs_table_free(&want);
		ipvs_table_free(&before);
	}
	uint64_t full = l->count.reconciles - l->part.passes;
	if (l->part.passes < 100 || full < 10 || part_ops < 100)
		fail_msg("%llu partial passes, %llu full ones, %u operations",
			 (unsigned long long)l->part.passes, (unsigned long long)full, part_ops);
	stop(&d);
}

/* A reload's new configuration, and a failed apply, make the next pass
 * a full one whatever is marked. */
static void test_part_refused(void **st)
{
	(void)st;
	struct vigild d;
	struct lvs *l = start(&d);
	verdict(&d, 1, 0, false, -1);
	ev_run(d.loop, EVRUN_NOWAIT);
	assert_int_equal(l->part.passes, 1);
	verdict(&d, 1, 0, true, -1);
	l->owned_is_kernel = false;     /* as after an operation the kernel refused */
	ev_run(d.loop, EVRUN_NOWAIT);
	assert_int_equal(l->part.passes, 1);
	verdict(&d, 1, 1, false, -1);
	d.generation++;                 /* a reload installed another configuration */
	verdict(&d, 1, 1, false, -1);
	ev_run(d.loop, EVRUN_NOWAIT);
	assert_int_equal(l->part.passes, 1);
	stop(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_part_equals_full),
		cmocka_unit_test(test_part_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
