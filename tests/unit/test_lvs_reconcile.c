/*
 * test_lvs_reconcile: the parent's reconcile pass (daemon/lvs.c) frees
 * the kernel table it dumped on every path: after a dump that fails half
 * way, after a reconciler that fails (out of memory), and after a normal
 * pass. ipvs_dump and ipvs_reconcile are replaced at link time
 * (-Wl,--wrap, see CMakeLists.txt) by ones that hand back a table made
 * here and fail on demand, and ipvs_table_free is wrapped to see that
 * table come back. Under the sanitizer build LeakSanitizer says the same.
 * And the first pass adopts the table a previous parent left: real
 * servers with checks but no verdict yet keep their destinations as they
 * are, until the first verdicts (whether full passes or the loop's passes
 * over the virtual server follow them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <netinet/in.h>

#include "conf.h"
#include "config.h"
#include "health.h"
#include "ipc.h"
#include "ipvs.h"
#include "lvs.h"
#include "lvs_int.h"
#include "vigild.h"

#define KERNEL \
	"service tcp 192.0.2.10:80 wlc\n" \
	"  dest 198.51.100.11:80 weight 1 nat\n" \
	"service tcp 192.0.2.10:443 wlc\n" \
	"  dest 198.51.100.11:443 weight 1 nat\n"

/* What the wrappers do and saw (a test's own state, one case at a time). */
static struct {
	const char *kernel;             /* the dumped table; NULL: KERNEL */
	int dump_err, reconcile_err;
	unsigned dumps;
	const struct ipvs_table_svc *dumped;
	bool dumped_freed;
} w;

int __real_ipvs_reconcile(const struct ipvs_table *wanted, const struct ipvs_table *kernel,
			  const struct ipvs_table *owned, struct ipvs_oplist *out);
void __real_ipvs_table_free(struct ipvs_table *t);
int __wrap_ipvs_dump(struct ipvs_ctx *ctx, struct ipvs_table *out, struct errbuf *eb);
int __wrap_ipvs_reconcile(const struct ipvs_table *wanted, const struct ipvs_table *kernel,
			  const struct ipvs_table *owned, struct ipvs_oplist *out);
void __wrap_ipvs_table_free(struct ipvs_table *t);

/* The kernel's table; with dump_err, what a dump had read when it failed. */
int __wrap_ipvs_dump(struct ipvs_ctx *ctx, struct ipvs_table *out, struct errbuf *eb)
{
	(void)ctx;
	assert_int_equal(ipvs_table_parse(w.kernel ? w.kernel : KERNEL, out, eb), 0);
	w.dumps++;
	w.dumped = out->svcs;
	w.dumped_freed = false;
	return w.dump_err ? errbuf_set(eb, w.dump_err, "ipvs: dumping: interrupted") : 0;
}

int __wrap_ipvs_reconcile(const struct ipvs_table *wanted, const struct ipvs_table *kernel,
			  const struct ipvs_table *owned, struct ipvs_oplist *out)
{
	if (w.reconcile_err)
		return -w.reconcile_err;
	return __real_ipvs_reconcile(wanted, kernel, owned, out);
}

void __wrap_ipvs_table_free(struct ipvs_table *t)
{
	if (t->svcs && t->svcs == w.dumped)
		w.dumped_freed = true;
	__real_ipvs_table_free(t);
}

/* vigild with no virtual servers stops: the pass that removes what it
 * owned dumps the kernel (the last apply is not known to have worked). */
static void close_with(int dump_err, int reconcile_err)
{
	struct conf c;
	memset(&c, 0, sizeof(c));
	struct vigild d = { .loop = ev_default_loop(0), .conf = &c, .opts.dry_run = true };
	struct errbuf eb = { .msg = "" };
	assert_int_equal(lvs_open(&d, &eb), 0);
	struct lvs *l = d.lvs;
	l->have_ipvs = true;            /* the wrapped dump stands for the kernel */
	l->started = true;
	l->owned_is_kernel = false;
	memset(&w, 0, sizeof(w));
	w.dump_err = dump_err;
	w.reconcile_err = reconcile_err;
	lvs_close(&d);
	assert_int_equal(w.dumps, 1);
	if (!w.dumped_freed)
		fail_msg("the dumped kernel table was not freed (dump %d, reconcile %d)",
			 dump_err, reconcile_err);
}

static void test_reconcile_fails(void **st)
{
	(void)st;
	close_with(0, ENOMEM);
}

static void test_dump_fails(void **st)
{
	(void)st;
	close_with(EINTR, 0);
}

static void test_normal_pass(void **st)
{
	(void)st;
	close_with(0, 0);
}

/* The counter cache (lvs_stats): readers within LVS_STATS_MAX_AGE share
 * one dump, sorted for lookups whatever the kernel's order; a change
 * applied makes it stale; a dump too old is done again; a failed dump
 * gives nothing and is tried again by the next reader. */
static void test_stats_cache(void **st)
{
	(void)st;
	struct conf c;
	memset(&c, 0, sizeof(c));
	struct vigild d = { .loop = ev_default_loop(0), .conf = &c, .opts.dry_run = true };
	struct errbuf eb = { .msg = "" };
	assert_int_equal(lvs_open(&d, &eb), 0);
	struct lvs *l = d.lvs;
	l->have_ipvs = true;            /* the wrapped dump stands for the kernel */
	memset(&w, 0, sizeof(w));
	w.kernel = "service tcp 192.0.2.10:443 wlc\n"
		   "  dest 198.51.100.12:443 weight 1 nat\n"
		   "  dest 198.51.100.11:443 weight 2 nat\n"
		   "service tcp 192.0.2.10:80 wlc\n"
		   "  dest 198.51.100.11:80 weight 1 nat\n";
	double at = 0;
	const struct ipvs_table *t = lvs_stats(&d, &at);
	assert_non_null(t);
	assert_true(at > 0);
	assert_ptr_equal(lvs_stats(&d, NULL), t);
	assert_ptr_equal(lvs_stats(&d, NULL), t);
	assert_int_equal(w.dumps, 1);
	struct vaddr vip, r11, r12, r13;
	struct ipvs_svc_key k;
	vaddr_parse("192.0.2.10", &vip);
	vaddr_parse("198.51.100.11", &r11);
	vaddr_parse("198.51.100.12", &r12);
	vaddr_parse("198.51.100.13", &r13);
	assert_int_equal(ipvs_svc_key_inet(&k, IPPROTO_TCP, &vip, 443), 0);
	const struct ipvs_table_svc *ts = lvs_stats_svc(t, &k);
	assert_non_null(ts);
	assert_int_equal(lvs_stats_dest(ts, &r11, 443)->weight, 2);
	assert_int_equal(lvs_stats_dest(ts, &r12, 443)->weight, 1);
	assert_null(lvs_stats_dest(ts, &r13, 443));
	assert_null(lvs_stats_dest(ts, &r11, 80));
	assert_int_equal(ipvs_svc_key_inet(&k, IPPROTO_TCP, &vip, 80), 0);
	assert_non_null(lvs_stats_dest(lvs_stats_svc(t, &k), &r11, 80));
	assert_int_equal(ipvs_svc_key_inet(&k, IPPROTO_UDP, &vip, 80), 0);
	assert_null(lvs_stats_svc(t, &k));
	lvs_stats_stale(&d);            /* an apply changed the table */
	assert_non_null(lvs_stats(&d, NULL));
	assert_int_equal(w.dumps, 2);
	l->stats.at -= LVS_STATS_MAX_AGE + 0.1;
	assert_non_null(lvs_stats(&d, NULL));
	assert_int_equal(w.dumps, 3);
	w.dump_err = EINTR;
	l->stats.valid = false;
	assert_null(lvs_stats(&d, NULL));
	assert_null(lvs_stats(&d, NULL));
	assert_int_equal(w.dumps, 5);
	w.dump_err = 0;
	assert_non_null(lvs_stats(&d, NULL));
	assert_int_equal(w.dumps, 6);
	lvs_close(&d);
}

/* Three real servers with a check each (start_up = false); the kernel
 * has the first at weight 1, the second at 0 (inhibited or drained), not
 * the third. */
#define ADOPT_CONF \
	"virtual_servers = ( { address = \"192.0.2.10\"; port = 80; forwarding = \"nat\";\n" \
	"  real_servers = ( { address = \"198.51.100.11\"; checks = ( { type = \"tcp\"; } ); },\n" \
	"    { address = \"198.51.100.12\"; checks = ( { type = \"tcp\"; } ); },\n" \
	"    { address = \"198.51.100.13\"; checks = ( { type = \"tcp\"; } ); } ); } );\n"
#define ADOPT_KERNEL \
	"service tcp 192.0.2.10:80 wlc\n" \
	"  dest 198.51.100.11:80 weight 1 nat\n" \
	"  dest 198.51.100.12:80 weight 0 nat\n"

static uint64_t ops_of(const struct lvs *l, enum ipvs_op_type t)
{
	return l->count.ops[t];
}

static uint64_t all_ops(const struct lvs *l)
{
	uint64_t n = 0;
	for (int t = 0; t <= IPVS_OP_DEL_DEST; t++)
		n += l->count.ops[t];
	return n;
}

/* The checker's first verdict on real server rs, then a pass: a full
 * one, or the loop's (over the virtual server whose health changed). */
static bool full_passes;
static void verdict(struct vigild *d, uint32_t rs, enum ipc_chk_state st)
{
	struct ipc_check_result m = {
		.generation = d->generation, .vs = 0, .rs = rs, .check = 0,
		.rs_state = (uint8_t)st, .check_state = (uint8_t)st,
		.pass = st == IPC_CHK_UP, .weight = -1, .passes = 1,
	};
	if (!health_on_result(d, &m, sizeof(m)))
		return;
	if (full_passes) {
		lvs_mark_dirty(d);
		lvs_reconcile_now(d);
	} else {
		lvs_mark_vs_dirty(d, 0);
		ev_run(d->loop, EVRUN_NOWAIT);
	}
}

static void adopt_at_start(bool full)
{
	full_passes = full;
	char path[] = "/tmp/test_lvs_adopt.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, ADOPT_CONF, strlen(ADOPT_CONF)), (ssize_t)strlen(ADOPT_CONF));
	close(fd);
	struct conf_errors errs = { 0 };
	struct conf *c = conf_load(path, &errs);
	unlink(path);
	assert_non_null(c);
	struct vigild d = { .loop = ev_default_loop(0), .conf = c, .generation = 1,
			    .opts.dry_run = true };
	struct errbuf eb = { .msg = "" };
	assert_int_equal(lvs_open(&d, &eb), 0);
	struct lvs *l = d.lvs;
	l->have_ipvs = true;            /* the wrapped dump stands for the kernel */
	memset(&w, 0, sizeof(w));
	w.kernel = ADOPT_KERNEL;

	lvs_reconcile_now(&d);
	assert_int_equal(w.dumps, 1);
	assert_int_equal(all_ops(l), 0);          /* nothing deleted, nothing edited */
	assert_true(health_rs_up(&d, 0, 0));
	assert_int_equal(health_rs_weight(&d, 0, 0), 1);
	assert_true(health_rs_up(&d, 0, 1));
	assert_int_equal(health_rs_weight(&d, 0, 1), 0);
	assert_false(health_rs_up(&d, 0, 2));     /* not in the kernel: down until it passes */

	verdict(&d, 0, IPC_CHK_UP);               /* as adopted: no operation */
	assert_int_equal(all_ops(l), 0);
	verdict(&d, 1, IPC_CHK_UP);               /* up: its configured weight */
	assert_int_equal(ops_of(l, IPVS_OP_EDIT_DEST), 1);
	verdict(&d, 2, IPC_CHK_UP);
	assert_int_equal(ops_of(l, IPVS_OP_ADD_DEST), 1);
	verdict(&d, 0, IPC_CHK_DOWN);             /* a verdict ends the adoption */
	assert_int_equal(ops_of(l, IPVS_OP_DEL_DEST), 1);
	assert_int_equal(all_ops(l), 3);
	assert_int_equal(w.dumps, 1);
	assert_int_equal(l->part.passes, full ? 0 : 4);   /* one per verdict */

	l->started = false;             /* nothing to remove at close */
	lvs_close(&d);
	health_free(&d);
	conf_free(c);
}

static void test_adopt_at_start(void **st)
{
	(void)st;
	adopt_at_start(true);
	adopt_at_start(false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_pass),
		cmocka_unit_test(test_reconcile_fails),
		cmocka_unit_test(test_dump_fails),
		cmocka_unit_test(test_adopt_at_start),
		cmocka_unit_test(test_stats_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
