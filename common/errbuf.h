/*
 * errbuf: how library code reports failure. Library functions never log;
 * they return 0 or -errno and leave a readable message here for the caller,
 * which decides whether and how to log it (the Redis anet pattern).
 */
#ifndef VIGIL_ERRBUF_H
#define VIGIL_ERRBUF_H

#include <stddef.h>

struct errbuf {
	char msg[256];
};

/* Sets the message (printf-style) and returns -err, so callers can write
 * `return errbuf_set(eb, EINVAL, "bad %s", x);`. eb may be NULL. */
int errbuf_set(struct errbuf *eb, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline void errbuf_clear(struct errbuf *eb)
{
	if (eb)
		eb->msg[0] = '\0';
}

#endif
