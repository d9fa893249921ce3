/*
 * conf_text: loads a configuration given as text, through a temporary
 * file (conf_load reads files only), for the unit tests. The file is
 * removed before the caller's asserts run.
 */
#ifndef VIGIL_TEST_CONF_TEXT_H
#define VIGIL_TEST_CONF_TEXT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"

#define CONF_TEXT_PATH "/tmp/vigil-test-XXXXXX.conf"

/* path: where the file was (sizeof(CONF_TEXT_PATH) bytes), or NULL. */
static inline struct conf *conf_load_text_at(const char *text, struct conf_errors *errs,
					     char *path_out)
{
	char path[] = CONF_TEXT_PATH;
	int fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	struct conf *c = n == (ssize_t)strlen(text) ? conf_load(path, errs) : NULL;
	unlink(path);
	if (path_out)
		memcpy(path_out, path, sizeof(path));
	assert_int_equal(n, (ssize_t)strlen(text));
	return c;
}

static inline struct conf *conf_load_text(const char *text, struct conf_errors *errs)
{
	return conf_load_text_at(text, errs, NULL);
}

#endif
