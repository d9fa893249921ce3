/*
 * log: the daemon's only way to speak. Messages go to syslog (daemon
 * facility) and, with -l, to stderr too. Debug messages are dropped unless
 * -D. Library code does not call this; it fills an errbuf instead.
 */
#ifndef VIGIL_LOG_H
#define VIGIL_LOG_H

#include <stdbool.h>
#include <syslog.h>

void log_init(const char *ident, bool to_console, bool debug);
/* Children call this after fork so their lines say which process wrote them. */
void log_set_ident(const char *ident);
bool log_debug_enabled(void);
void log_set_console(bool to_console);

void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define log_err(...)   log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) do { if (log_debug_enabled()) log_msg(LOG_DEBUG, __VA_ARGS__); } while (0)

#endif
