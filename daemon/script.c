/*
 * script: the parent's runner for operator commands (see script.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "argv.h"
#include "errbuf.h"
#include "log.h"
#include "script.h"

struct script_job {
	struct ev_loop *loop;
	pid_t pid;
	ev_child child_w;
	ev_timer timeout_w;
	script_done_fn done;
	void *arg;
	char what[96];
};

static void job_end(struct script_job *j, int status)
{
	ev_child_stop(j->loop, &j->child_w);
	ev_timer_stop(j->loop, &j->timeout_w);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		log_info("%s: done", j->what);
	else if (WIFEXITED(status))
		log_warn("%s: exited with status %d", j->what, WEXITSTATUS(status));
	else
		log_warn("%s: killed by signal %d", j->what, WTERMSIG(status));
	if (j->done)
		j->done(j->arg, status);
	free(j);
}

static void child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	job_end(w->data, w->rstatus);
	(void)loop;
}

static void timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct script_job *j = w->data;
	log_warn("%s: still running at its timeout; killing it", j->what);
	kill(-j->pid, SIGKILL);   /* the exit is reaped by child_cb */
	(void)loop;
}

/* In the forked child: never returns. */
static void exec_as(char **argv, const struct passwd *pw)
{
	setpgid(0, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
	}
	if (pw && getuid() == 0 &&
	    (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0))
		_exit(126);
	execv(argv[0], argv);
	_exit(127);
}

static char **build_argv(const char *command, const char *const *args, struct errbuf *eb)
{
	char **argv = NULL;
	int n = argv_split(command, &argv);
	if (n <= 0) {
		errbuf_set(eb, EINVAL, "cannot split command '%s'", command);
		return NULL;
	}
	int extra = 0;
	while (args && args[extra])
		extra++;
	char **all = realloc(argv, (size_t)(n + extra + 1) * sizeof(*all));
	if (!all) {
		argv_free(argv);
		errbuf_set(eb, ENOMEM, "out of memory");
		return NULL;
	}
	for (int i = 0; i < extra; i++)
		all[n + i] = strdup(args[i]);
	all[n + extra] = NULL;
	return all;
}

int script_run(struct ev_loop *loop, const char *command, const char *const *args,
	       const char *user, double timeout, const char *what,
	       script_done_fn done, void *arg, struct errbuf *eb)
{
	const struct passwd *pw = NULL;
	if (user && !(pw = getpwnam(user)))
		return errbuf_set(eb, ENOENT, "%s: unknown script_user '%s'", what, user);
	char **argv = build_argv(command, args, eb);
	if (!argv)
		return -EINVAL;
	struct script_job *j = calloc(1, sizeof(*j));
	if (!j) {
		argv_free(argv);
		return errbuf_set(eb, ENOMEM, "out of memory");
	}
	pid_t pid = fork();
	if (pid == 0)
		exec_as(argv, pw);
	argv_free(argv);
	if (pid < 0) {
		free(j);
		return errbuf_set(eb, errno, "%s: fork: %s", what, strerror(errno));
	}
	setpgid(pid, pid);   /* both sides: no race with the kill at timeout */
	j->loop = loop;
	j->pid = pid;
	j->done = done;
	j->arg = arg;
	snprintf(j->what, sizeof(j->what), "%s", what);
	ev_child_init(&j->child_w, child_cb, pid, 0);
	j->child_w.data = j;
	ev_child_start(loop, &j->child_w);
	ev_timer_init(&j->timeout_w, timeout_cb, timeout > 0 ? timeout : 30., 0.);
	j->timeout_w.data = j;
	ev_timer_start(loop, &j->timeout_w);
	log_info("%s: started %s (pid %d)", what, command, (int)pid);
	return 0;
}
