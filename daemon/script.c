/*
 * script: the parent's runner for operator commands (see script.h); the
 * start itself is proc/spawn.c's.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "argv.h"
#include "errbuf.h"
#include "log.h"
#include "script.h"
#include "proc_spawn.h"

#define SCRIPT_TIMEOUT 30.0   /* s, when the caller gives none */

struct script_job {
	struct spawn sp;
	double timeout;
	script_done_fn done;
	void *arg;
	char what[96];
};

static void job_done_cb(void *arg, int status, bool timed_out)
{
	struct script_job *j = arg;
	if (timed_out)
		log_warn("%s: still running after %g s; killed", j->what, j->timeout);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		log_info("%s: done", j->what);
	else if (WIFEXITED(status))
		log_warn("%s: exited with status %d", j->what, WEXITSTATUS(status));
	else
		log_warn("%s: killed by signal %d", j->what, WTERMSIG(status));
	if (j->done)
		j->done(j->arg, status);
	free(j);
}

/* command's words, then args, into *out (NULL-terminated). */
static int build_argv(const char *command, const char *const *args, char ***out,
		      struct errbuf *eb)
{
	char **argv = NULL;
	int n = argv_split(command, &argv);
	if (n == -ENOMEM)
		return errbuf_set(eb, ENOMEM, "out of memory");
	if (n <= 0)
		return errbuf_set(eb, EINVAL, "cannot split command '%s'", command);
	int extra = 0;
	while (args && args[extra])
		extra++;
	char **all = realloc(argv, (size_t)(n + extra + 1) * sizeof(*all));
	if (!all) {
		argv_free(argv);
		return errbuf_set(eb, ENOMEM, "out of memory");
	}
	all[n] = NULL;
	for (int i = 0; i < extra; i++) {
		if (!(all[n + i] = strdup(args[i]))) {
			argv_free(all);
			return errbuf_set(eb, ENOMEM, "out of memory");
		}
		all[n + i + 1] = NULL;
	}
	*out = all;
	return 0;
}

int script_run(struct ev_loop *loop, const char *command, const char *const *args,
	       const char *user, double timeout, const char *what,
	       script_done_fn done, void *arg, struct errbuf *eb)
{
	struct spawn_user su;
	struct errbuf ueb;
	if (user && spawn_user_lookup(user, &su, &ueb) < 0)
		return errbuf_set(eb, ENOENT, "%s: script_user: %s", what, ueb.msg);
	char **argv = NULL;
	struct errbuf aeb;
	int r = build_argv(command, args, &argv, &aeb);
	if (r < 0)
		return errbuf_set(eb, -r, "%s: %s", what, aeb.msg);
	struct script_job *j = calloc(1, sizeof(*j));
	if (!j) {
		argv_free(argv);
		return errbuf_set(eb, ENOMEM, "%s: out of memory", what);
	}
	j->timeout = timeout > 0 ? timeout : SCRIPT_TIMEOUT;
	j->done = done;
	j->arg = arg;
	snprintf(j->what, sizeof(j->what), "%s", what);
	spawn_init(&j->sp, loop, job_done_cb, j);
	struct errbuf seb;
	r = spawn_start(&j->sp, argv, user ? &su : NULL, j->timeout, &seb);
	argv_free(argv);
	if (r < 0) {
		free(j);
		return errbuf_set(eb, -r, "%s: cannot start: %s", what, seb.msg);
	}
	log_info("%s: started %s (pid %d)", what, command, (int)j->sp.pid);
	return 0;
}
