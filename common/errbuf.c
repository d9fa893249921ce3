/* errbuf: formatted error messages for library code (see errbuf.h). */
#include "errbuf.h"

#include <stdarg.h>
#include <stdio.h>

int errbuf_set(struct errbuf *eb, int err, const char *fmt, ...)
{
	if (eb) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(eb->msg, sizeof(eb->msg), fmt, ap);
		va_end(ap);
	}
	return err > 0 ? -err : err;
}
