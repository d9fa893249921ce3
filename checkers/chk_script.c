/*
 * chk_script: runs `command` with the checker's credentials (it already
 * runs as global.script_user) through proc/proc_spawn.h, which gives every
 * script the same start: argv split here, never a shell, PATH lookup,
 * stdin and stdout on /dev/null, stderr the checker's, its own process
 * group. Exit 0 passes; with dynamic_weight, exit 2..255 passes with
 * weight = code - 2 (1 fails). A program that cannot be started fails
 * with "script: <reason>". At the engine's deadline the whole group is
 * killed with SIGKILL (cancel); libev's SIGCHLD handler reaps it.
 *
 *   start --spawn_start--> ev_child --exit--> pass/fail
 *                             \--deadline--> spawn_stop, "timeout"
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "argv.h"
#include "chk_engine.h"
#include "errbuf.h"
#include "proc_spawn.h"

struct script_priv {
	char **argv;
	struct spawn sp;
	struct chk_probe *p;
};

static void script_done_cb(void *arg, int st, bool timed_out)
{
	struct script_priv *s = arg;
	struct chk_probe *p = s->p;
	(void)timed_out;   /* no spawn timeout: the engine's deadline cancels */
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

static void script_start(struct chk_probe *p)
{
	struct script_priv *s = p->priv;
	struct errbuf eb;
	if (spawn_start(&s->sp, s->argv, NULL, 0., &eb) < 0) {
		check_done(p, CHK_R_SCRIPT_SPAWN, "%s", eb.msg);
		return;
	}
	p->phase = "script running";
}

static void script_cancel(struct chk_probe *p)
{
	struct script_priv *s = p->priv;
	spawn_stop(&s->sp);
}

static int script_parse(struct chk_probe *p, struct errbuf *eb)
{
	struct script_priv *s = p->priv;
	int n = p->cc->command ? argv_split(p->cc->command, &s->argv) : -EINVAL;
	if (n == -ENOMEM)
		return errbuf_set(eb, ENOMEM, "out of memory");
	if (n < 0)
		return errbuf_set(eb, EINVAL, "command: empty or unterminated quote");
	s->p = p;
	spawn_init(&s->sp, chk_loop(p), script_done_cb, s);
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
