/*
 * test_lvs_reconcile: the parent's reconcile pass (daemon/lvs.c) frees
 * the kernel table it dumped on every path: after a dump that fails half
 * way, after a reconciler that fails (out of memory), and after a normal
 * pass. ipvs_dump and ipvs_reconcile are replaced at link time
 * (-Wl,--wrap, see CMakeLists.txt) by ones that hand back a table made
 * here and fail on demand, and ipvs_table_free is wrapped to see that
 * table come back. Under the sanitizer build LeakSanitizer says the same.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>

#include "conf.h"
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
	assert_int_equal(ipvs_table_parse(KERNEL, out, eb), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_pass),
		cmocka_unit_test(test_reconcile_fails),
		cmocka_unit_test(test_dump_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
