/*
 * log: syslog plus optional stderr. The state below is the process's one
 * logging context; it is set once at start (and once more in each child).
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct {
	char ident[32];
	bool console;
	bool debug;
	bool opened;
} log_ctx = { "vigild", true, false, false };

void log_init(const char *ident, bool to_console, bool debug)
{
	log_ctx.console = to_console;
	log_ctx.debug = debug;
	log_set_ident(ident);
}

void log_set_ident(const char *ident)
{
	snprintf(log_ctx.ident, sizeof(log_ctx.ident), "%s", ident);
	if (log_ctx.opened)
		closelog();
	openlog(log_ctx.ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_ctx.opened = true;
}

void log_set_console(bool to_console)
{
	log_ctx.console = to_console;
}

bool log_debug_enabled(void)
{
	return log_ctx.debug;
}

static const char *prio_str(int prio)
{
	switch (prio) {
	case LOG_EMERG: case LOG_ALERT: case LOG_CRIT: return "crit";
	case LOG_ERR: return "error";
	case LOG_WARNING: return "warning";
	case LOG_NOTICE: return "notice";
	case LOG_INFO: return "info";
	default: return "debug";
	}
}

__attribute__((format(printf, 2, 0)))
static void log_v(int prio, const char *fmt, va_list ap)
{
	char line[1024];
	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_ctx.opened)
		syslog(prio, "%s", line);
	if (log_ctx.console || !log_ctx.opened) {
		struct timespec ts;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		fprintf(stderr, "%02d:%02d:%02d.%03ld %s[%d] %s: %s\n", tm.tm_hour,
			tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, log_ctx.ident,
			(int)getpid(), prio_str(prio), line);
	}
}

void log_msg(int prio, const char *fmt, ...)
{
	if (prio == LOG_DEBUG && !log_ctx.debug)
		return;
	va_list ap;
	va_start(ap, fmt);
	log_v(prio, fmt, ap);
	va_end(ap);
}

void log_fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_v(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(3);
}
