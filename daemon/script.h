/*
 * script: runs an operator's command from the parent — notify scripts,
 * on_quorum_up/down — as global.script_user, started by proc/proc_spawn.h
 * like every script (no shell, PATH lookup, stdin and stdout on /dev/null,
 * stderr the daemon's, a process group of its own, the user's groups). It
 * never blocks: libev's ev_child reaps the process and a timer kills the
 * whole group at the timeout. Each run is logged when it ends (exit
 * status, signal or timeout).
 *
 *   script_run --spawn--> running --exit--> log, done
 *                            \--timeout--> kill(-pgid, SIGKILL), log
 */
#ifndef VIGIL_SCRIPT_H
#define VIGIL_SCRIPT_H

#include <ev.h>

struct errbuf;

/* Called when the run ends: status is the wait status. */
typedef void (*script_done_fn)(void *arg, int status);

/* Starts `command` with extra arguments appended (args NULL-terminated,
 * may be NULL) as user (when vigild is root; an unknown user is an
 * error), killed after timeout seconds (30 when 0). what names the run in
 * log lines ("notify master VI_1"). Returns 0, or -errno with a message
 * in eb (bad command, unknown user, a program that cannot be started);
 * done is then not called. done may be NULL. */
int script_run(struct ev_loop *loop, const char *command, const char *const *args,
	       const char *user, double timeout, const char *what,
	       script_done_fn done, void *arg, struct errbuf *eb);

#endif
