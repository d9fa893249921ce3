/*
 * config_script: the commands an operator gives vigild to run — check
 * scripts, vrrp scripts, notify and on_quorum_up/down commands. Each must
 * split into words (no shell is involved at run time), and with
 * global.script_security (the default) its program must be safe to run:
 *
 *   the program file and every directory above it, up to /, both as
 *   written and with symbolic links resolved, are owned by root and not
 *   writable by another user (group write is fine for group root);
 *   a directory with the sticky bit (/tmp) is accepted, as keepalived
 *   does: no other user can replace or rename root's file in it.
 *
 * A program missing at load time is not an error (it may be installed
 * later; its run then fails and says so), but the directories above it
 * that exist are still checked. Relative programs are refused: a bare
 * name would be looked up in PATH at run time (proc/proc_spawn.h), a relative
 * path against the daemon's working directory, neither checked here.
 */
#include "config_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "argv.h"

/* Why st is unsafe, into why; false when it is safe. */
static bool unsafe(const char *path, const struct stat *st, char *why, size_t len)
{
	const char *what = S_ISDIR(st->st_mode) ? "directory " : "";
	if (st->st_uid != 0) {
		snprintf(why, len, "%s%s is owned by uid %u, not root", what, path,
			 (unsigned)st->st_uid);
		return true;
	}
	if (S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX))
		return false;
	if ((st->st_mode & S_IWOTH) || ((st->st_mode & S_IWGRP) && st->st_gid != 0)) {
		snprintf(why, len, "%s%s is writable by a non-root user", what, path);
		return true;
	}
	return false;
}

/* Checks path and each directory above it; false with why when unsafe. */
static bool walk_safe(const char *path, char *why, size_t len)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	for (unsigned depth = 0; depth < PATH_MAX / 2; depth++) {   /* shortens each pass */
		struct stat st;
		if (stat(buf, &st) == 0 && unsafe(buf, &st, why, len))
			return false;
		if (!strcmp(buf, "/"))
			return true;
		char *slash = strrchr(buf, '/');
		if (!slash)
			return true;
		if (slash == buf)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	return true;
}

static bool program_safe(const char *prog, char *why, size_t len)
{
	if (prog[0] != '/') {
		snprintf(why, len, "\"%s\" is not an absolute path", prog);
		return false;
	}
	if (!walk_safe(prog, why, len))
		return false;
	char *real = realpath(prog, NULL);
	bool ok = !real || walk_safe(real, why, len);
	free(real);
	return ok;
}

void cfx_command(struct cfx *x, const config_setting_t *g, const char *ctx,
		 const char *key, const char *command)
{
	if (!command || !command[0])
		return;   /* reported by the getter */
	const config_setting_t *s = cfx_member(g, key);
	char **argv = NULL;
	int n = argv_split(command, &argv);
	if (n == -ENOMEM)
		cfx_oom(x);
	if (n <= 0) {
		cfx_err(x, s ? s : g, ctx, "%s \"%s\": unterminated quote", key, command);
		return;
	}
	char why[PATH_MAX + 64];
	if (x->c->global.script_security && !program_safe(argv[0], why, sizeof(why)))
		cfx_err(x, s ? s : g, ctx, "%s \"%s\": refused by script_security: %s", key,
			command, why);
	argv_free(argv);
}
