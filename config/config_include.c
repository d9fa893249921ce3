/*
 * config_include: `@include` with shell patterns ("conf.d/[0-9]*.conf"), which
 * libconfig 1.5 reads only as literal names.
 *
 *   main.conf                          what libconfig reads
 *     @include "conf.d/[0-9]*"   ->      @include "TMP/i1"   (one line for one)
 *                                        TMP/i1: @include "/etc/vigil/conf.d/a.conf"
 *                                                @include "/etc/vigil/conf.d/b.conf"
 *
 * libconfig 1.5 also puts its include directory before every name, even
 * an absolute one; so when any file reached has a pattern, the load
 * reads copies with every @include made absolute (and no include
 * directory): each pattern's line becomes one line naming a generated
 * list of its matches, sorted, and a file that includes anything is
 * replaced by its copy. The main file's copy is read from memory, so its
 * settings keep their lines and name no file; each line keeps its number
 * in each copy. Copies live in a private directory removed after the
 * load; cfx_file() names the original in messages. A pattern that
 * matches nothing includes nothing (keepalived's behaviour); a missing
 * literal is still libconfig's error. Names are relative to the main
 * file's directory, as libconfig's own. Without patterns nothing changes.
 */
#include "config_int.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INCLUDE_DEPTH 8

struct cfx_shadow {
	char *copy, *orig;            /* orig NULL: a generated list */
};

static void shadow_add(struct cfx *x, const char *copy, const char *orig)
{
	struct cfx_shadow *a = realloc(x->shadows, (x->n_shadows + 1) * sizeof(*a));
	char *c = strdup(copy), *o = orig ? strdup(orig) : NULL;
	if (a)
		x->shadows = a;
	if (!a || !c || (orig && !o)) {
		free(c);
		free(o);
		unlink(copy);
		cfx_oom(x);
	}
	a[x->n_shadows++] = (struct cfx_shadow){ c, o };
}

const char *cfx_include_orig(const struct cfx *x, const char *f)
{
	for (unsigned i = 0; f && i < x->n_shadows; i++)
		if (!strcmp(x->shadows[i].copy, f))
			return x->shadows[i].orig ? x->shadows[i].orig : f;
	return f;
}

/* The quoted name of an `@include "NAME"` line, in buf; false otherwise. */
static bool include_name(const char *line, char *buf, size_t len)
{
	line += strspn(line, " \t");
	if (strncmp(line, "@include", 8) || !strchr(" \t", line[8]))
		return false;
	line += 8 + strspn(line + 8, " \t");
	const char *end = *line == '"' ? strchr(line + 1, '"') : NULL;
	if (!end || (size_t)(end - line - 1) >= len)
		return false;
	memcpy(buf, line + 1, (size_t)(end - line - 1));
	buf[end - line - 1] = '\0';
	return true;
}

static char *resolve(struct cfx *x, const char *name)
{
	if (name[0] == '/')
		return cfx_strdup(x, name);
	size_t n = strlen(x->dir) + strlen(name) + 2;
	char *p = cfx_calloc(x, n, 1);
	snprintf(p, n, "%s/%s", x->dir, name);
	return p;
}

static char *new_copy(struct cfx *x, FILE **f)
{
	char path[PATH_MAX];
	if (!x->tmpdir) {
		char t[] = "/tmp/vigil-include-XXXXXX";
		if (!mkdtemp(t))
			return NULL;
		x->tmpdir = cfx_strdup(x, t);
	}
	snprintf(path, sizeof(path), "%s/%u", x->tmpdir, x->n_copies++);
	*f = fopen(path, "w");
	return *f ? cfx_strdup(x, path) : NULL;
}

static char *rewrite(struct cfx *x, const char *path, int depth, char **text);

/* Whether path, or a file it includes, has an @include pattern. */
static bool has_pattern(struct cfx *x, const char *path, int depth)
{
	FILE *in = depth <= INCLUDE_DEPTH ? fopen(path, "r") : NULL;
	char *buf = NULL, name[PATH_MAX];
	size_t cap = 0;
	bool found = false;
	while (in && !found && getline(&buf, &cap, in) >= 0) {
		if (!include_name(buf, name, sizeof(name)))
			continue;
		if (strpbrk(name, "*?["))
			found = true;
		else {
			char *full = resolve(x, name);
			found = has_pattern(x, full, depth + 1);
			free(full);
		}
	}
	free(buf);
	if (in)
		fclose(in);
	return found;
}

/* The absolute name libconfig is to include for one @include line: the
 * file itself, its copy, or a generated list of a pattern's matches. NULL:
 * an error, already reported. */
static char *include_target(struct cfx *x, const char *from, int line, const char *name,
			    int depth)
{
	char *full = resolve(x, name), *out = NULL;
	if (!strpbrk(name, "*?[")) {
		out = access(full, R_OK) == 0 ? rewrite(x, full, depth + 1, NULL) : NULL;
		if (out) {
			free(full);
			return out;
		}
		return full;              /* as it is; a missing file is libconfig's error */
	}
	glob_t g;
	int r = glob(full, 0, NULL, &g);
	FILE *f = NULL;
	char *list = r == 0 || r == GLOB_NOMATCH ? new_copy(x, &f) : NULL;
	if (!list)
		cfx_err_at(x, from, line, "@include \"%s\": %s", name,
			   r == 0 || r == GLOB_NOMATCH ? strerror(errno) : "cannot expand the pattern");
	for (size_t i = 0; list && r == 0 && i < g.gl_pathc; i++) {
		char *t = rewrite(x, g.gl_pathv[i], depth + 1, NULL);
		fprintf(f, "@include \"%s\"\n", t ? t : g.gl_pathv[i]);
		free(t);
	}
	if (f && fclose(f) != 0)
		cfx_err_at(x, from, line, "@include \"%s\": %s", name, strerror(errno));
	if (list)
		shadow_add(x, list, NULL);
	if (r == 0)
		globfree(&g);
	free(full);
	return list;
}

/* Reads path; when a line needs changing, returns the name of a copy with
 * the changes (or, with text, the changed text itself), else NULL. */
static char *rewrite(struct cfx *x, const char *path, int depth, char **text)
{
	const char *shown = depth ? path : NULL;
	FILE *in = fopen(path, "r");
	char *buf = NULL, *out = NULL, name[PATH_MAX];
	size_t cap = 0, len = 0;
	bool changed = false;
	if (!in)
		return NULL;                  /* libconfig says why */
	FILE *mem = open_memstream(&out, &len);
	for (int line = 1; mem && getline(&buf, &cap, in) >= 0; line++) {
		char *t = NULL;
		if (include_name(buf, name, sizeof(name))) {
			if (depth >= INCLUDE_DEPTH)
				cfx_err_at(x, shown, line, "@include \"%s\": more than %d levels deep",
					   name, INCLUDE_DEPTH);
			else
				t = include_target(x, shown, line, name, depth);
		}
		if (t)
			fprintf(mem, "@include \"%s\"\n", t);
		else
			fputs(buf, mem);
		changed |= t != NULL;
		free(t);
	}
	free(buf);
	fclose(in);
	if (!mem || fclose(mem) != 0) {
		free(out);
		cfx_oom(x);
	}
	if (!changed) {
		free(out);
		return NULL;
	}
	if (text) {
		*text = out;
		return NULL;
	}
	FILE *f;
	char *copy = new_copy(x, &f);
	if (copy) {
		fputs(out, f);
		fclose(f);
		shadow_add(x, copy, path);
	}
	free(out);
	return copy;
}

char *cfx_include_expand(struct cfx *x)
{
	char *text = NULL;
	if (has_pattern(x, x->path, 0))
		rewrite(x, x->path, 0, &text);
	return text;
}

void cfx_include_free(struct cfx *x)
{
	for (unsigned i = 0; i < x->n_shadows; i++) {
		unlink(x->shadows[i].copy);
		free(x->shadows[i].copy);
		free(x->shadows[i].orig);
	}
	free(x->shadows);
	x->shadows = NULL;
	x->n_shadows = 0;
	if (x->tmpdir)
		rmdir(x->tmpdir);
	free(x->tmpdir);
	x->tmpdir = NULL;
}
