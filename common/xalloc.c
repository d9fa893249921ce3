/*
 * xalloc: checked allocation that ends the process (see xalloc.h).
 */
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

_Noreturn void xalloc_die(size_t size)
{
	if (size)
		log_msg(LOG_CRIT, "out of memory (%zu bytes); aborting", size);
	else
		log_msg(LOG_CRIT, "out of memory; aborting");
	abort();
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		xalloc_die(size);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		xalloc_die(n * size);
	return p;
}

void *xrealloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);
	if (!q)
		xalloc_die(size);
	return q;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		xalloc_die(strlen(s) + 1);
	return p;
}

void *xnonnull(void *p)
{
	if (!p)
		xalloc_die(0);
	return p;
}
