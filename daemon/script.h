/*
 * script: runs an operator's command from the parent — notify scripts,
 * on_quorum_up/down — without a shell (argv split like a shell's words,
 * no expansion), as global.script_user, in its own process group with
 * stdin/stdout on /dev/null. It never blocks: libev's ev_child reaps the
 * process and a timer kills the whole group at the timeout. Each run is
 * logged when it ends (exit status or signal).
 *
 *   script_run --fork/setuid/exec--> running --exit--> log, done
 *                                       \--timeout--> kill(-pgid, SIGKILL)
 */
#ifndef VIGIL_SCRIPT_H
#define VIGIL_SCRIPT_H

#include <ev.h>

struct errbuf;

/* Called when the run ends: status is the wait status, or -1 if the
 * process could not be started. */
typedef void (*script_done_fn)(void *arg, int status);

/* Starts `command` with extra arguments appended (args NULL-terminated,
 * may be NULL). what names the run in log lines ("notify master VI_1").
 * Returns 0, or -errno with a message in eb (bad command, unknown user,
 * fork failure). done may be NULL. */
int script_run(struct ev_loop *loop, const char *command, const char *const *args,
	       const char *user, double timeout, const char *what,
	       script_done_fn done, void *arg, struct errbuf *eb);

#endif
