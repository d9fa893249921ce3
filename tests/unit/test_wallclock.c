/*
 * wallclock: wall_now() is the time of day (seconds since the epoch, as
 * time(2)), not a monotonic clock, and finer than a second.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "wallclock.h"

static void test_epoch_seconds(void **st)
{
	(void)st;
	time_t before = time(NULL);
	double now = wall_now();
	time_t after = time(NULL);
	assert_true(now >= (double)before && now < (double)after + 1);
}

static void test_sub_second(void **st)
{
	(void)st;
	/* Some call within a second lands off a whole second. */
	double t = wall_now(), end = t + 1.5;
	while (t == (double)(time_t)t && t < end)
		t = wall_now();
	assert_true(t != (double)(time_t)t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epoch_seconds),
		cmocka_unit_test(test_sub_second),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
