/*
 * test_ratelimit: the log flood guard — a burst per window, silence
 * after it, the count of what was held back handed to the next line let
 * through (and only once), a new window after the old one ends, and a
 * clock that goes back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ratelimit.h"

static void test_burst_then_count(void **st)
{
	(void)st;
	struct ratelimit rl = { 0 };
	unsigned q = 99;
	for (int i = 0; i < 3; i++) {
		assert_true(ratelimit_allow(&rl, 100. + i * 0.1, 3, 10., &q));
		assert_int_equal(q, 0);
	}
	for (int i = 0; i < 5; i++)
		assert_false(ratelimit_allow(&rl, 101. + i, 3, 10., &q));
	/* Window over: the first line says 5 were held back, the next none. */
	assert_true(ratelimit_allow(&rl, 110.5, 3, 10., &q));
	assert_int_equal(q, 5);
	assert_true(ratelimit_allow(&rl, 110.6, 3, 10., &q));
	assert_int_equal(q, 0);
}

static void test_once_per_window(void **st)
{
	(void)st;
	struct ratelimit rl = { 0 };
	unsigned q;
	assert_true(ratelimit_allow(&rl, 5., 1, 10., &q));
	assert_false(ratelimit_allow(&rl, 14.9, 1, 10., &q));
	assert_true(ratelimit_allow(&rl, 15., 1, 10., &q));
	assert_int_equal(q, 1);
	/* A clock that went back starts a window rather than holding forever. */
	assert_false(ratelimit_allow(&rl, 16., 1, 10., &q));
	assert_true(ratelimit_allow(&rl, 2., 1, 10., &q));
	assert_int_equal(q, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_count),
		cmocka_unit_test(test_once_per_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
