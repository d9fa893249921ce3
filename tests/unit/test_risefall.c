/*
 * risefall: the one pass/fail hysteresis of checks and track scripts, as
 * a table — each case a rise, a fall, a series of results and the state
 * after each. Every step also checks the return value (true exactly when
 * the state changed) and the consecutive counters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "risefall.h"

#define U RISEFALL_UNKNOWN
#define P RISEFALL_UP
#define D RISEFALL_DOWN

static const struct {
	unsigned rise, fall;
	const char *results;                /* '+' pass, '-' fail */
	enum risefall_state states[12];     /* after each result */
} cases[] = {
	{ 1, 1, "+-+", { P, D, P } },
	{ 3, 3, "+", { P } },                           /* first pass: up at once */
	{ 3, 3, "--+", { U, U, P } },                   /* still no verdict: first pass */
	{ 3, 3, "---", { U, U, D } },
	{ 3, 3, "+--+---+++", { P, P, P, P, P, P, D, D, D, P } },
	{ 2, 1, "+-+-++", { P, D, D, D, D, P } },
	{ 1, 2, "+-+--", { P, P, P, P, D } },
	{ 2, 2, "+-+-+-", { P, P, P, P, P, P } },       /* never fall in a row: stays up */
	{ 2, 2, "-+-+", { U, P, P, P } },
	{ 2, 2, "--+-++", { U, D, D, D, D, P } },       /* a fail resets the rise count */
	{ 0, 0, "-+-", { D, P, D } },                   /* 0 counts as 1 */
	{ 1, 3, "---------+", { U, U, D, D, D, D, D, D, D, P } },
};

static void test_table(void **st)
{
	(void)st;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct risefall s = RISEFALL_INIT;
		unsigned run = 0;
		for (size_t k = 0; cases[i].results[k]; k++) {
			bool pass = cases[i].results[k] == '+';
			enum risefall_state before = s.state;
			bool changed = risefall_step(&s, pass, cases[i].rise, cases[i].fall);
			if (s.state != cases[i].states[k])
				fail_msg("case %zu step %zu: %s, expected %s", i, k,
					 risefall_state_str(s.state),
					 risefall_state_str(cases[i].states[k]));
			assert_int_equal(changed, before != s.state);
			run = k && cases[i].results[k - 1] == cases[i].results[k] ? run + 1 : 1;
			assert_int_equal(pass ? s.passes : s.failures, run);
			assert_int_equal(pass ? s.failures : s.passes, 0);
		}
	}
}

static void test_names(void **st)
{
	(void)st;
	assert_string_equal(risefall_state_str(RISEFALL_UP), "up");
	assert_string_equal(risefall_state_str(RISEFALL_DOWN), "down");
	assert_string_equal(risefall_state_str(RISEFALL_UNKNOWN), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
