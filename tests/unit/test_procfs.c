/*
 * test_procfs: one value read and written as cat and echo would —
 * truncated to the buffer, NUL-terminated; a write replaces a longer old
 * value whole; a missing file is -ENOENT both ways.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "procfs.h"

static void test_read_write(void **state)
{
	(void)state;
	char dir[] = "/tmp/vigil-procfs-XXXXXX", path[64], buf[8];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/value", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("3\t50\n", f);
	fclose(f);
	assert_int_equal(procfs_read(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "3\t50\n");
	assert_int_equal(procfs_read(path, buf, 3), 0);   /* truncated, terminated */
	assert_string_equal(buf, "3\t");
	assert_int_equal(procfs_write(path, "7\n"), 0);
	assert_int_equal(procfs_read(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "7\n");                  /* the longer old value is gone */
	unlink(path);
	assert_int_equal(procfs_read(path, buf, sizeof(buf)), -ENOENT);
	assert_string_equal(buf, "7\n");                  /* untouched on failure */
	assert_int_equal(procfs_write(path, "1"), -ENOENT);   /* never created */
	assert_int_equal(access(path, F_OK), -1);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
