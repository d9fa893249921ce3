/*
 * test_vrrp_proc: the pure part of process tracking (vrrp/proc.c) —
 * matching by name (cut at 15 bytes as the kernel cuts it), by argv[0]
 * and parameters (none, exact, partial, initial), the quorum and its
 * maximum, the pid table's counts through set, replace and forget, and
 * the fork/terminate delay rule (a change waits, a count that comes back
 * in time cancels it). Also a scan of /proc finds this very process.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "errbuf.h"
#include "vrrp_proc.h"

/* cmdline as the kernel gives it: arguments each ended by a NUL. */
#define CMD(s) (s), sizeof(s) - 1

static struct vrrp_process_conf pc(const char *process, char **params, unsigned n,
				   enum vrrp_param_match pm, bool full)
{
	return (struct vrrp_process_conf){ .name = "t", .process = (char *)process,
		.params = params, .n_params = n, .param_match = pm, .full_command = full,
		.quorum = 1, .quorum_max = UINT_MAX };
}

static void test_match_name(void **st)
{
	(void)st;
	struct vrrp_process_conf c = pc("nginx", NULL, 0, VRRP_PM_NONE, false);
	assert_false(vrrp_proc_needs_cmdline(&c));
	assert_true(vrrp_proc_match(&c, "nginx", NULL, 0));
	assert_false(vrrp_proc_match(&c, "nginx2", NULL, 0));
	assert_false(vrrp_proc_match(&c, "ngin", NULL, 0));
	assert_false(vrrp_proc_match(&c, "sshd", NULL, 0));
	/* The kernel keeps 15 bytes of a name: a longer one matches its cut. */
	c.process = "a-very-long-process-name";
	assert_true(vrrp_proc_match(&c, "a-very-long-pro", NULL, 0));
	assert_false(vrrp_proc_match(&c, "a-very-long-pr", NULL, 0));
}

static void test_match_full(void **st)
{
	(void)st;
	struct vrrp_process_conf c = pc("/usr/sbin/haproxy", NULL, 0, VRRP_PM_NONE, true);
	assert_true(vrrp_proc_needs_cmdline(&c));
	/* full_command without params: argv[0] only, parameters ignored. */
	assert_true(vrrp_proc_match(&c, "haproxy", CMD("/usr/sbin/haproxy\0-f\0x.cfg\0")));
	assert_true(vrrp_proc_match(&c, "haproxy", CMD("/usr/sbin/haproxy\0")));
	assert_false(vrrp_proc_match(&c, "haproxy", CMD("haproxy\0-f\0")));
	assert_false(vrrp_proc_match(&c, "haproxy", NULL, 0));   /* a kernel thread */
	/* A cmdline rewritten without NULs is one argument. */
	assert_false(vrrp_proc_match(&c, "haproxy", CMD("/usr/sbin/haproxy -f x.cfg")));
}

static void test_match_params(void **st)
{
	(void)st;
	char *p[] = { "-f", "/etc/app.conf" };
	struct vrrp_process_conf c = pc("/usr/bin/app", p, 2, VRRP_PM_EXACT, false);
	assert_true(vrrp_proc_match(&c, "app", CMD("/usr/bin/app\0-f\0/etc/app.conf\0")));
	/* A last argument without its NUL still counts. */
	assert_true(vrrp_proc_match(&c, "app", CMD("/usr/bin/app\0-f\0/etc/app.conf")));
	assert_false(vrrp_proc_match(&c, "app", CMD("/usr/bin/app\0-f\0/etc/app.conf\0-d\0")));
	assert_false(vrrp_proc_match(&c, "app", CMD("/usr/bin/app\0-f\0")));
	assert_false(vrrp_proc_match(&c, "app", CMD("/usr/bin/app\0-f\0/etc/app.conf.new\0")));
	assert_false(vrrp_proc_match(&c, "app", CMD("/usr/bin/ap\0-f\0/etc/app.conf\0")));

	c.param_match = VRRP_PM_PARTIAL;
	assert_true(vrrp_proc_match(&c, "app", CMD("/usr/bin/app\0-f\0/etc/app.conf\0-d\0")));
	assert_true(vrrp_proc_match(&c, "app", CMD("/usr/bin/app\0-f\0/etc/app.conf\0")));
	assert_false(vrrp_proc_match(&c, "app", CMD("/usr/bin/app\0-f\0/etc/app.conf.new\0")));
	assert_false(vrrp_proc_match(&c, "app", CMD("/usr/bin/app\0-d\0-f\0/etc/app.conf\0")));

	c.param_match = VRRP_PM_INITIAL;
	assert_true(vrrp_proc_match(&c, "app", CMD("/usr/bin/app\0-f\0/etc/app.conf.new\0")));
	assert_true(vrrp_proc_match(&c, "app", CMD("/usr/bin/app\0-f\0/etc/app.conf\0-d\0")));
	assert_false(vrrp_proc_match(&c, "app", CMD("/usr/bin/app\0-f\0/etc/app\0")));
	assert_false(vrrp_proc_match(&c, "app", CMD("/usr/bin/app\0-ff\0/etc/app.conf\0")));

	/* exact with no params: a process without any parameter. */
	c = pc("/usr/bin/app", NULL, 0, VRRP_PM_EXACT, false);
	assert_true(vrrp_proc_match(&c, "app", CMD("/usr/bin/app\0")));
	assert_false(vrrp_proc_match(&c, "app", CMD("/usr/bin/app\0-d\0")));
}

static void test_quorum(void **st)
{
	(void)st;
	struct vrrp_process_conf c = pc("x", NULL, 0, VRRP_PM_NONE, false);
	assert_false(vrrp_proc_quorum(&c, 0));
	assert_true(vrrp_proc_quorum(&c, 1));
	assert_true(vrrp_proc_quorum(&c, 1000));
	c.quorum = 2;
	c.quorum_max = 3;
	assert_false(vrrp_proc_quorum(&c, 1));
	assert_true(vrrp_proc_quorum(&c, 2));
	assert_true(vrrp_proc_quorum(&c, 3));
	assert_false(vrrp_proc_quorum(&c, 4));
	c.quorum = c.quorum_max = 0;          /* ok only while none runs */
	assert_true(vrrp_proc_quorum(&c, 0));
	assert_false(vrrp_proc_quorum(&c, 1));
}

static void test_ptab(void **st)
{
	(void)st;
	struct vrrp_ptab t = { 0 };
	/* Inserted out of order, many: the table stays sorted and counted. */
	for (pid_t p = 400; p > 0; p -= 3)
		assert_int_equal(vrrp_ptab_set(&t, p, 1), 1);
	assert_int_equal(t.counts[0], 134);
	for (unsigned i = 1; i < t.n; i++)
		assert_true(t.e[i - 1].pid < t.e[i].pid);
	assert_int_equal(vrrp_ptab_get(&t, 7), 1);
	assert_int_equal(vrrp_ptab_get(&t, 8), 0);
	/* Same mask again: nothing changes. */
	assert_int_equal(vrrp_ptab_set(&t, 7, 1), 0);
	/* Replaced: bit 0 lost, bits 1 and 63 gained. */
	uint64_t m = 2 | UINT64_C(1) << 63;
	assert_int_equal(vrrp_ptab_set(&t, 7, m), 1 | m);
	assert_int_equal(t.counts[0], 133);
	assert_int_equal(t.counts[1], 1);
	assert_int_equal(t.counts[63], 1);
	/* Forgotten (an exit), and an exit of a pid never seen. */
	assert_int_equal(vrrp_ptab_set(&t, 7, 0), m);
	assert_int_equal(vrrp_ptab_set(&t, 5, 0), 0);
	assert_int_equal(t.counts[1], 0);
	assert_int_equal(t.n, 133);
	assert_int_equal(vrrp_ptab_get(&t, 7), 0);
	vrrp_ptab_free(&t);
	assert_int_equal(t.n, 0);
}

static void test_delays(void **st)
{
	(void)st;
	struct vrrp_pq q = { .up = false };
	/* Up after fork_delay 0.5 s. */
	assert_false(vrrp_pq_count(&q, true, 0.5, 2.0, 10.0));
	assert_true(q.pending);
	assert_true(q.due == 10.5);
	assert_false(vrrp_pq_count(&q, true, 0.5, 2.0, 10.2));   /* same change: due kept */
	assert_true(q.due == 10.5);
	assert_false(vrrp_pq_due(&q, true, 10.4));
	assert_true(vrrp_pq_due(&q, true, 10.5));
	assert_true(q.up);
	assert_false(q.pending);
	/* Lost, and back within terminate_delay: no change ever. */
	assert_false(vrrp_pq_count(&q, false, 0.5, 2.0, 11.0));
	assert_true(q.pending && q.due == 13.0);
	assert_false(vrrp_pq_count(&q, true, 0.5, 2.0, 12.0));
	assert_false(q.pending);
	assert_false(vrrp_pq_due(&q, true, 13.0));
	assert_true(q.up);
	/* Lost for good: down at the deadline. */
	assert_false(vrrp_pq_count(&q, false, 0.5, 2.0, 14.0));
	assert_true(vrrp_pq_due(&q, false, 16.0));
	assert_false(q.up);
	/* Without delays a change is at once. */
	assert_true(vrrp_pq_count(&q, true, 0, 0, 17.0));
	assert_true(q.up);
	assert_false(q.pending);
}

static void found(void *arg, pid_t pid)
{
	if (pid == getpid())
		*(bool *)arg = true;
}

static void test_proc_read(void **st)
{
	(void)st;
	char comm[VRRP_PROC_COMM_LEN], cmd[4096];
	size_t got = 0;
	bool seen = false;
	struct errbuf eb;
	assert_int_equal(vrrp_proc_read(getpid(), comm, cmd, sizeof(cmd), &got), 0);
	assert_string_equal(comm, "test_vrrp_proc");
	assert_true(got > 0 && strstr(cmd, "test_vrrp_proc"));
	assert_int_equal(vrrp_proc_scan(found, &seen, &eb), 0);
	assert_true(seen);
	assert_true(vrrp_proc_read(0x3fffffff, comm, NULL, 0, NULL) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_name),
		cmocka_unit_test(test_match_full),
		cmocka_unit_test(test_match_params),
		cmocka_unit_test(test_quorum),
		cmocka_unit_test(test_ptab),
		cmocka_unit_test(test_delays),
		cmocka_unit_test(test_proc_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
