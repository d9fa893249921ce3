/*
 * kc_lex: reads keepalived.conf files into statements, as keepalived's
 * lib/parser.c does:
 *
 *   file ─line─> decomment ─> kc_pre_line (kc_pre.c: @, $, ~SEQ)
 *                               ├─ include PATTERN ─> each matching file
 *                               └─ split at '{' / '}' ─> words
 *
 * Comments start at an unquoted '#' or '!' ("\#" and "\!" escape them).
 * A statement ends at the end of a line or at a brace: "a { b }" is the
 * three statements "a", "{", "b" and "}". Words are separated by blanks;
 * a word in double quotes keeps its blanks. An include pattern is a
 * glob relative to the directory of the file that includes it.
 */
#include "kc_lex_int.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *kc_strdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		abort();
	return d;
}

void *kc_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		abort();
	return p;
}

void *kc_realloc(void *p, size_t n, size_t size)
{
	void *q = reallocarray(p, n ? n : 1, size);
	if (!q)
		abort();
	return q;
}

/* ---- diagnostics ----------------------------------------------------- */

static void diag_add(struct kc_diag *d, struct kc_src src, const char *what,
		     const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	char *line;
	int r = src.line > 0
		? asprintf(&line, "%s:%d: %s: %s", src.file, src.line, what, msg)
		: asprintf(&line, "%s: %s: %s", src.file ? src.file : "-", what, msg);
	if (r < 0)
		abort();
	d->lines = kc_realloc(d->lines, d->n + 1, sizeof(*d->lines));
	d->lines[d->n++] = line;
}

void kc_skip(struct kc_diag *d, struct kc_src src, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_add(d, src, "not converted", fmt, ap);
	va_end(ap);
	d->skipped++;
}

void kc_fatal(struct kc_diag *d, struct kc_src src, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_add(d, src, "error", fmt, ap);
	va_end(ap);
	d->fatal = true;
}

void kc_diag_free(struct kc_diag *d)
{
	for (unsigned i = 0; i < d->n; i++)
		free(d->lines[i]);
	free(d->lines);
	memset(d, 0, sizeof(*d));
}

/* ---- lines and words ------------------------------------------------- */

void kc_decomment(char *s, bool *cont)
{
	bool quote = false;
	char *p = s + strspn(s, " \t"), *cut = NULL;
	memmove(s, p, strlen(p) + 1);
	*cont = false;
	for (p = s; (p = strpbrk(p, "!#\"\\")); ) {
		if (*p == '"') {
			quote = !quote;
			p++;
		} else if (*p == '\\') {
			if (!p[1]) {
				*cont = true;
				break;
			}
			if (!quote && (p[1] == '#' || p[1] == '!')) {
				memmove(p, p + 1, strlen(p));   /* "\#" -> "#" */
				p++;
			} else {
				p += 2;
			}
		} else if (!quote) {
			cut = p;
			break;
		} else {
			p++;
		}
	}
	if (cut)
		*cut = '\0';
	size_t n = strlen(s);
	if (*cont && !cut)
		n--;                                  /* the '\' itself */
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (*cont && !cut)
		s[n++] = '\\';
	else
		*cont = false;
	s[n] = '\0';
}

/* Words of a statement: blanks separate, "..." groups (alloc_strvec_r). */
static int words(const char *s, char ***out)
{
	char **w = NULL;
	int n = 0;
	for (;;) {
		s += strspn(s, " \t");
		if (!*s)
			break;
		const char *start = s;
		size_t len;
		if (*s == '"') {
			const char *q = strchr(++start, '"');
			if (!q) {
				kc_words_free(w);
				return -1;
			}
			len = (size_t)(q - start);
			s = q + 1;
		} else {
			len = strcspn(s, " \t\"");
			s += len;
		}
		w = kc_realloc(w, (size_t)n + 2, sizeof(*w));
		w[n] = kc_calloc(len + 1, 1);
		memcpy(w[n++], start, len);
		w[n] = NULL;
	}
	*out = w;
	return n;
}

static void stmt(struct kc_lexer *lx, const char *text, size_t len, struct kc_src src)
{
	char *raw = kc_calloc(len + 1, 1);
	memcpy(raw, text, len);
	size_t n = strlen(raw);
	while (n && (raw[n - 1] == ' ' || raw[n - 1] == '\t'))
		raw[--n] = '\0';
	char **w = NULL;
	int nw = words(raw, &w);
	if (nw < 0)
		kc_fatal(lx->d, src, "unterminated quote: %s", raw);
	if (nw <= 0) {
		free(raw);
		return;
	}
	struct kc_lex *o = lx->out;
	if (o->n == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 256;
		o->v = kc_realloc(o->v, o->cap, sizeof(*o->v));
	}
	o->v[o->n++] = (struct kc_line){ .raw = raw, .w = w, .n = (unsigned)nw, .src = src };
}

void kc_lex_emit(struct kc_lexer *lx, const char *text, struct kc_src src)
{
	const char *p = text;
	while (*p) {
		p += strspn(p, " \t");
		const char *b = p;
		bool quote = false;
		for (; *b; b++) {
			if (*b == '"')
				quote = !quote;
			else if (!quote && (*b == '{' || *b == '}'))
				break;
		}
		if (b > p)
			stmt(lx, p, (size_t)(b - p), src);
		if (!*b)
			break;
		stmt(lx, b, 1, src);
		p = b + 1;
	}
}

/* ---- files ----------------------------------------------------------- */

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return kc_strdup(".");
	char *d = kc_strdup(path);
	d[slash == path ? 1 : slash - path] = '\0';
	return d;
}

static const char *keep_file(struct kc_lexer *lx, const char *path)
{
	struct kc_lex *o = lx->out;
	o->files = kc_realloc(o->files, o->n_files + 1, sizeof(*o->files));
	o->files[o->n_files] = kc_strdup(path);
	return o->files[o->n_files++];
}

static void read_lines(struct kc_lexer *lx, FILE *f, const char *file)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int no = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		no++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (lx->ml) {
			bool cont;
			char *copy = kc_strdup(line);
			kc_decomment(copy, &cont);
			if (!*copy)
				lx->ml = NULL;       /* a blank line ends a definition */
			else
				kc_pre_continue(lx, copy);
			free(copy);
			continue;
		}
		kc_pre_line(lx, line, (struct kc_src){ file, no }, 0, true);
	}
	free(line);
}

/* Reads one file; from names the including line (file NULL: the root). */
static int read_file(struct kc_lexer *lx, const char *path, struct kc_src from)
{
	struct stat st;
	FILE *f = fopen(path, "r");
	if (!f || fstat(fileno(f), &st) < 0 || S_ISDIR(st.st_mode)) {
		int err = f ? EISDIR : errno;
		if (f)
			fclose(f);
		if (from.file)
			kc_fatal(lx->d, from, "include %s: %s", path, strerror(err));
		else
			kc_fatal(lx->d, (struct kc_src){ path, 0 }, "cannot read: %s", strerror(err));
		return -err;
	}
	const char *file = keep_file(lx, path);
	char *saved = lx->pwd;
	char *dir = dir_of(path);
	char abs[PATH_MAX];
	lx->pwd = kc_strdup(realpath(dir, abs) ? abs : dir);
	free(dir);
	lx->depth++;
	read_lines(lx, f, file);
	lx->depth--;
	fclose(f);
	lx->ml = NULL;            /* a definition does not run on into the next file */
	free(lx->pwd);
	lx->pwd = saved;
	return 0;
}

bool kc_lex_include(struct kc_lexer *lx, const char *text, struct kc_src src)
{
	/* include, and includer/m/w/b/a: the checks they add do not matter here */
	if (strncmp(text, "include", 7) != 0)
		return false;
	const char *p = text + 7;
	if (*p && strchr("rmwba", *p) && (p[1] == ' ' || p[1] == '\t'))
		p++;
	if (*p != ' ' && *p != '\t')
		return false;
	p += strspn(p, " \t");
	if (lx->depth > KC_MAX_DEPTH) {
		kc_fatal(lx->d, src, "include %s: nested more than %d deep", p, KC_MAX_DEPTH);
		return true;
	}
	char *pattern;
	char *dir = dir_of(src.file);
	if (*p == '/' || !strcmp(dir, "."))
		pattern = kc_strdup(p);
	else if (asprintf(&pattern, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", p) < 0)
		abort();
	free(dir);
	glob_t g;
	int r = glob(pattern, GLOB_BRACE | GLOB_TILDE | GLOB_MARK, NULL, &g);
	unsigned files = 0;
	for (size_t i = 0; r == 0 && i < g.gl_pathc; i++) {
		size_t n = strlen(g.gl_pathv[i]);
		if (n && g.gl_pathv[i][n - 1] == '/')
			continue;                   /* a directory */
		files++;
		read_file(lx, g.gl_pathv[i], src);
	}
	if (!files)
		kc_skip(lx->d, src, "include %s: no file matches (nothing read from it)", p);
	if (r == 0)
		globfree(&g);
	free(pattern);
	return true;
}

static char *short_hostname(void)
{
	char host[256] = "";
	if (gethostname(host, sizeof(host)) < 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	host[strcspn(host, ".")] = '\0';
	return kc_strdup(host);
}

int kc_lex_file(const char *path, const struct kc_lex_opts *o, struct kc_lex *out,
		struct kc_diag *d)
{
	memset(out, 0, sizeof(*out));
	struct kc_lexer lx = {
		.out = out, .d = d,
		.config_id = o && o->config_id ? kc_strdup(o->config_id) : short_hostname(),
	};
	int r = read_file(&lx, path, (struct kc_src){ NULL, 0 });
	kc_pre_free(&lx);
	free(lx.config_id);
	return r;
}

void kc_words_free(char **w)
{
	for (char **p = w; p && *p; p++)
		free(*p);
	free(w);
}

void kc_lex_free(struct kc_lex *lx)
{
	for (unsigned i = 0; i < lx->n; i++) {
		free(lx->v[i].raw);
		kc_words_free(lx->v[i].w);
	}
	free(lx->v);
	for (unsigned i = 0; i < lx->n_files; i++)
		free(lx->files[i]);
	free(lx->files);
	memset(lx, 0, sizeof(*lx));
}
