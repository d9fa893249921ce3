/*
 * log: the daemon's only way to speak. Messages go to syslog (the daemon
 * facility unless global.log_facility says otherwise), or straight to
 * journald where it listens, and with -l to stderr too. Debug messages
 * are dropped unless -D. Events (a real server, a quorum, a VRRP state
 * changing) are one line each with stable key=value fields, which the
 * journal also gets as VIGIL_KEY fields. Library code does not call
 * this; it fills an errbuf instead.
 */
#ifndef VIGIL_LOG_H
#define VIGIL_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

void log_init(const char *ident, bool to_console, bool debug);
/* Children call this after fork so their lines say which process wrote them. */
void log_set_ident(const char *ident);
bool log_debug_enabled(void);
void log_set_console(bool to_console);

/* The syslog facility (LOG_DAEMON, LOG_LOCAL0...) of every later line. */
void log_set_facility(int facility);
/* "daemon", "user", "local0".."local7", or keepalived's -S 0..7 (local0..7):
 * the facility, or -1. */
int log_facility_parse(const char *name);
const char *log_facility_str(int facility);

void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One event: the sentence, then each field as key=value (keys are
 * lower-case words: vs, rs, instance, group, child, state, old_state,
 * reason...). The journal gets them as VIGIL_VS=... */
#define LOG_FIELDS_MAX 8
struct log_field {
	const char *key;
	const char *value;
};
void log_event(int prio, const struct log_field *f, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void log_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define log_err(...)   log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) do { if (log_debug_enabled()) log_msg(LOG_DEBUG, __VA_ARGS__); } while (0)

#endif
