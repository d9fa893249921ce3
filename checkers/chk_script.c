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

#include "engine.h"
#include "errbuf.h"
#include "parsers.h"

extern char **environ;

struct script_priv {
	char **argv;
	pid_t pid;
	ev_child child;
	struct chk_probe *p;
};

static int push_word(char ***v, int *n, char *w)
{
	char **nv = realloc(*v, (size_t)(*n + 2) * sizeof(**v));
	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = w;
	nv[*n] = NULL;
	*v = nv;
	return 0;
}

/* Reads one word from *s into out (which has room for strlen(*s) + 1). */
static int one_word(const char **s, char *out)
{
	const char *p = *s;
	size_t o = 0;
	char q = 0;
	for (; *p; p++) {
		if (q == '\'') {
			if (*p == '\'')
				q = 0;
			else
				out[o++] = *p;
		} else if (q == '"') {
			if (*p == '"')
				q = 0;
			else if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
				out[o++] = *++p;
			else
				out[o++] = *p;
		} else if (*p == '\'' || *p == '"') {
			q = *p;
		} else if (*p == '\\' && p[1]) {
			out[o++] = *++p;
		} else if (*p == ' ' || *p == '\t' || *p == '\n') {
			break;
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
	*s = p;
	return q ? -EINVAL : 0;
}

int chk_argv_split(const char *cmd, char ***argv)
{
	char **v = NULL;
	int n = 0;
	const char *s = cmd;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		char *w = malloc(strlen(s) + 1);
		if (!w || one_word(&s, w) < 0 || push_word(&v, &n, w) < 0) {
			free(w);
			chk_argv_free(v);
			return -EINVAL;
		}
	}
	if (!n)
		return -EINVAL;
	*argv = v;
	return n;
}

void chk_argv_free(char **argv)
{
	for (char **a = argv; a && *a; a++)
		free(*a);
	free(argv);
}

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
	if (!p->cc->command || chk_argv_split(p->cc->command, &s->argv) < 0)
		return errbuf_set(eb, EINVAL, "command: empty or unterminated quote");
	s->p = p;
	ev_child_init(&s->child, script_child_cb, 0, 0);
	s->child.data = s;
	return 0;
}

static void script_free(struct chk_probe *p)
{
	struct script_priv *s = p->priv;
	chk_argv_free(s->argv);
	s->argv = NULL;
}

const struct check_ops chk_script_ops = {
	.name = "script", .type = CHECK_SCRIPT, .priv_size = sizeof(struct script_priv),
	.parse = script_parse, .start = script_start, .cancel = script_cancel,
	.free = script_free,
};
