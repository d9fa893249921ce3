/*
 * test_vrrp_track: the number a tracked file holds (vrrp_file_value) —
 * plain, signed, absent, not a number, and beyond what a priority can use,
 * which saturates at -254..254 so that value x weight (|weight| <= 254),
 * as the vrrp child adds it up, never overflows (UBSan in the sanitize
 * build).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vrrp_fsm.h"
#include "vrrp_track.h"

static long value_of(const char *text)
{
	char path[] = "/tmp/vigil-test-track.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	long v = vrrp_file_value(path);
	unlink(path);
	return v;
}

static void test_file_values(void **st)
{
	(void)st;
	assert_int_equal(value_of("12\n"), 12);
	assert_int_equal(value_of("-7"), -7);
	assert_int_equal(value_of("0"), 0);
	assert_int_equal(value_of("abc"), 0);
	assert_int_equal(value_of(""), 0);
	assert_int_equal(vrrp_file_value("/nonexistent/vigil-track"), 0);
	assert_int_equal(value_of("254"), 254);
	assert_int_equal(value_of("-254"), -254);
}

static void test_file_values_saturate(void **st)
{
	(void)st;
	static const struct { const char *text; long v; } cases[] = {
		{ "9223372036854775807", 254 }, { "-9223372036854775808", -254 },
		{ "99999999999999999999999999", 254 }, { "-99999999999999999999999999", -254 },
		{ "255", 254 }, { "-255", -254 }, { "100000", 254 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long v = value_of(cases[i].text);
		/* What the vrrp child does with it: value x weight, summed. */
		long sum = v * 254 + v * -254 + v * 254;
		if (v != cases[i].v)
			fail_msg("\"%s\": %ld, want %ld", cases[i].text, v, cases[i].v);
		assert_int_equal(vrrp_effective_priority(100, sum), v > 0 ? 254 : 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_values),
		cmocka_unit_test(test_file_values_saturate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
