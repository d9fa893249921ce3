/*
 * chk_script: runs `command` (split into argv here, never through a
 * shell) as the checker's own user, in its own process group, stdin and
 * stdout on /dev/null. Exit 0 passes; with dynamic_weight, exit 2..255
 * passes with weight = code - 2 (1 fails). At the deadline the whole
 * group is killed with SIGKILL; libev's SIGCHLD handler reaps it.
 *
 *   start --posix_spawn--> ev_child --exit--> pass/fail
 *                             \--deadline--> kill(-pgid), "timeout"
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "argv.h"
#include "chk_engine.h"
#include "errbuf.h"

extern char **environ;

struct script_priv {
	char **argv;
	pid_t pid;
	ev_child child;
	struct chk_probe *p;
};

static void script_child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct script_priv *s = w->data;
	struct chk_probe *p = s->p;
	int st = w->rstatus;
	(void)revents;
	ev_child_stop(loop, w);
	s->pid = 0;
	if (WIFSIGNALED(st)) {
		check_done(p, CHK_R_SCRIPT_SIGNAL, "%d", WTERMSIG(st));
		return;
	}
	int code = WEXITSTATUS(st);
	if (code == 0) {
		check_done(p, CHK_R_OK, NULL);
	} else if (p->cc->dynamic_weight && code >= 2) {
		p->weight = code - 2;
		check_done(p, CHK_R_OK, "(weight %d)", p->weight);
	} else {
		check_done(p, CHK_R_SCRIPT_EXIT, "%d", code);
	}
}

static int script_spawn(struct script_priv *s, pid_t *pid)
{
	posix_spawnattr_t at;
	posix_spawn_file_actions_t fa;
	sigset_t none, def;
	sigemptyset(&none);
	sigemptyset(&def);
	for (int sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaddset(&def, sig);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK
				 | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	int r = posix_spawnp(pid, s->argv[0], &fa, &at, s->argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return -r;
}

static void script_start(struct chk_probe *p)
{
	struct script_priv *s = p->priv;
	pid_t pid;
	int r = script_spawn(s, &pid);
	if (r < 0) {
		check_done(p, CHK_R_SCRIPT_SPAWN, "%s: %s", s->argv[0], strerror(-r));
		return;
	}
	s->pid = pid;
	p->phase = "script running";
	ev_child_set(&s->child, pid, 0);
	ev_child_start(chk_loop(p), &s->child);
}

static void script_cancel(struct chk_probe *p)
{
	struct script_priv *s = p->priv;
	if (s->pid > 0) {
		kill(-s->pid, SIGKILL);
		kill(s->pid, SIGKILL);
		s->pid = 0;
	}
	ev_child_stop(chk_loop(p), &s->child);
}

static int script_parse(struct chk_probe *p, struct errbuf *eb)
{
	struct script_priv *s = p->priv;
	if (!p->cc->command || argv_split(p->cc->command, &s->argv) < 0)
		return errbuf_set(eb, EINVAL, "command: empty or unterminated quote");
	s->p = p;
	ev_child_init(&s->child, script_child_cb, 0, 0);
	s->child.data = s;
	return 0;
}

static void script_free(struct chk_probe *p)
{
	struct script_priv *s = p->priv;
	argv_free(s->argv);
	s->argv = NULL;
}

const struct check_ops chk_script_ops = {
	.name = "script", .type = CHECK_SCRIPT, .priv_size = sizeof(struct script_priv),
	.parse = script_parse, .start = script_start, .cancel = script_cancel,
	.free = script_free,
};
