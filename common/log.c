/*
 * log: syslog (or the journal) plus optional stderr. The state below is
 * the process's one logging context; it is set once at start (and once
 * more in each child), and the facility again at each configuration.
 *
 * An event line (log_event) is its sentence followed by its fields as
 * key=value, quoted when needed: `... vs=web rs=192.0.2.1:80 state=up`.
 * Where journald listens, every line goes to it directly
 * (sd_journal_sendv) with the same fields as VIGIL_KEY=value journal
 * fields, so `journalctl VIGIL_INSTANCE=VI_1` finds them; the priority,
 * facility and identifier are the ones syslog would have carried. A
 * journal that refuses a line gets it through syslog instead.
 */
#include "log.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <paths.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

static struct {
	char ident[32];
	bool console;
	bool debug;
	bool opened;
	bool journal;                 /* journald's socket is there: send to it */
	int facility;
	time_t no_syslog_until;       /* console on and no /dev/log: syslog skipped */
} log_ctx = { "vigild", true, false, false, false, LOG_DAEMON, 0 };

static const struct {
	const char *name;
	int facility;
} facilities[] = {
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

int log_facility_parse(const char *name)
{
	/* keepalived's -S also takes 0..7 for local0..local7. */
	if (name[0] >= '0' && name[0] <= '7' && !name[1])
		return LOG_LOCAL0 + ((name[0] - '0') << 3);
	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (!strcmp(name, facilities[i].name))
			return facilities[i].facility;
	return -1;
}

const char *log_facility_str(int facility)
{
	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (facility == facilities[i].facility)
			return facilities[i].name;
	return "daemon";
}

void log_init(const char *ident, bool to_console, bool debug)
{
	log_ctx.console = to_console;
	log_ctx.debug = debug;
	log_ctx.journal = access(JOURNAL_SOCKET, W_OK) == 0;
	log_set_ident(ident);
}

static void open_syslog(void)
{
	if (log_ctx.opened)
		closelog();
	openlog(log_ctx.ident, LOG_PID | LOG_NDELAY, log_ctx.facility);
	log_ctx.opened = true;
}

void log_set_ident(const char *ident)
{
	snprintf(log_ctx.ident, sizeof(log_ctx.ident), "%s", ident);
	open_syslog();
}

void log_set_facility(int facility)
{
	if (facility == log_ctx.facility)
		return;
	log_ctx.facility = facility;
	if (log_ctx.opened)
		open_syslog();
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

/* key=value, the value quoted (with \" and \\ escaped) when it is
 * empty or holds a space, a quote, a backslash or '='. */
static size_t put_field(char *out, size_t room, const struct log_field *f)
{
	const char *v = f->value ? f->value : "";
	bool quote = !*v || strpbrk(v, " \t\"\\=") != NULL;
	size_t n = (size_t)snprintf(out, room, " %s=%s", f->key, quote ? "\"" : "");
	for (; *v && n + 3 < room; v++) {
		if (quote && (*v == '"' || *v == '\\'))
			out[n++] = '\\';
		out[n++] = (*v == '\n' || *v == '\r') ? ' ' : *v;
	}
	if (quote && n + 2 < room)
		out[n++] = '"';
	out[n < room ? n : room - 1] = '\0';
	return n;
}

#define JOURNAL_FIELD_MAX 256

static bool journal_send(int prio, const char *line, const struct log_field *f, size_t n)
{
	char head[4][64];
	char fields[LOG_FIELDS_MAX][JOURNAL_FIELD_MAX];
	struct iovec iov[5 + LOG_FIELDS_MAX];
	int k = 0;
	snprintf(head[0], sizeof(head[0]), "PRIORITY=%d", prio);
	snprintf(head[1], sizeof(head[1]), "SYSLOG_FACILITY=%d", log_ctx.facility >> 3);
	snprintf(head[2], sizeof(head[2]), "SYSLOG_IDENTIFIER=%s", log_ctx.ident);
	snprintf(head[3], sizeof(head[3]), "SYSLOG_PID=%d", (int)getpid());
	for (int i = 0; i < 4; i++)
		iov[k++] = (struct iovec){ head[i], strlen(head[i]) };
	char *msg = NULL;
	if (asprintf(&msg, "MESSAGE=%s", line) < 0)
		return false;
	iov[k++] = (struct iovec){ msg, strlen(msg) };
	for (size_t i = 0; i < n && i < LOG_FIELDS_MAX; i++) {
		size_t w = (size_t)snprintf(fields[i], sizeof(fields[i]), "VIGIL_");
		for (const char *c = f[i].key; *c && w < 40; c++)
			fields[i][w++] = (char)toupper((unsigned char)*c);
		snprintf(fields[i] + w, sizeof(fields[i]) - w, "=%s", f[i].value ? f[i].value : "");
		iov[k++] = (struct iovec){ fields[i], strlen(fields[i]) };
	}
	int r = sd_journal_sendv(iov, k);
	free(msg);
	return r >= 0;
}

/* Where nothing listens on /dev/log (a container logging to its console)
 * every syslog() call would open, fail to connect and close a socket
 * again: with the console on, that is checked once per 10 s instead. */
static bool syslog_listens(void)
{
	if (!log_ctx.console)
		return true;
	time_t now = time(NULL);
	if (now < log_ctx.no_syslog_until)
		return false;
	if (access(_PATH_LOG, W_OK) == 0)
		return true;
	log_ctx.no_syslog_until = now + 10;
	return false;
}

static void emit(int prio, const char *line, const struct log_field *f, size_t n)
{
	if (log_ctx.opened && !(log_ctx.journal && journal_send(prio, line, f, n)) &&
	    syslog_listens())
		syslog(log_ctx.facility | prio, "%s", line);
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

__attribute__((format(printf, 2, 0)))
static void log_v(int prio, const char *fmt, va_list ap)
{
	char line[1024];
	vsnprintf(line, sizeof(line), fmt, ap);
	emit(prio, line, NULL, 0);
}

void log_event(int prio, const struct log_field *f, size_t n, const char *fmt, ...)
{
	if (prio == LOG_DEBUG && !log_ctx.debug)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	size_t at = len < 0 ? 0 : (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1;
	for (size_t i = 0; i < n && at + 1 < sizeof(line); i++)
		at += put_field(line + at, sizeof(line) - at, &f[i]);
	emit(prio, line, f, n);
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
