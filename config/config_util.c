/*
 * config_util: the loader's error list and its typed, checked access to
 * libconfig settings.
 *
 * Every message is one "FILE:LINE: context: problem" line, where FILE is
 * the file that holds the setting (an @include'd file names itself) and
 * LINE is the setting's own line. Getters accept what a person would
 * reasonably write (an int64 where an int is expected, an integer where
 * a duration is expected) and refuse the rest with "expected a ...".
 * Unknown keys get a "did you mean" from the key table by edit distance.
 */
#include "config_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Noreturn void cfx_oom(struct cfx *x)
{
	longjmp(x->oom, 1);
}

void *cfx_calloc(struct cfx *x, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		cfx_oom(x);
	return p;
}

char *cfx_strdup(struct cfx *x, const char *s)
{
	char *p = strdup(s);
	if (!p)
		cfx_oom(x);
	return p;
}

void cfx_ctx(char *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, CFX_CTX_LEN, fmt, ap);
	va_end(ap);
}

void cfx_file(const struct cfx *x, const char *f, char *buf, size_t len)
{
	f = cfx_include_orig(x, f);
	if (!f || strcmp(f, x->path) == 0 || f[0] == '/' || strcmp(x->dir, ".") == 0)
		snprintf(buf, len, "%s", f ? f : x->path);
	else
		snprintf(buf, len, "%s/%s", x->dir, f);
}

/* Keeps one slot free past the last line, for conf_load's "out of
 * memory"; a line that cannot be stored is dropped and the load marked
 * out of memory (no jump: reporting must not end the load). */
static void errs_add(struct cfx *x, const char *line)
{
	struct conf_errors *e = x->errs;
	char *copy = strdup(line);
	char **n = copy ? realloc(e->lines, (e->n + 2) * sizeof(*n)) : NULL;
	if (!n) {
		free(copy);
		e->oom = true;
		return;
	}
	e->lines = n;
	e->lines[e->n++] = copy;
}

__attribute__((format(printf, 5, 0)))
static void verr(struct cfx *x, const char *file, int line, const char *ctx,
		 const char *fmt, va_list ap)
{
	char fname[PATH_MAX], msg[512];
	cfx_file(x, file, fname, sizeof(fname));
	vsnprintf(msg, sizeof(msg), fmt, ap);
	char out[PATH_MAX + 1024];
	snprintf(out, sizeof(out), "%s:%d: %s%s%s", fname, line, ctx ? ctx : "",
		 ctx ? ": " : "", msg);
	errs_add(x, out);
}

void cfx_err(struct cfx *x, const config_setting_t *s, const char *ctx,
	     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(x, s ? config_setting_source_file(s) : NULL,
	     s ? (int)config_setting_source_line(s) : 1, ctx, fmt, ap);
	va_end(ap);
}

void cfx_err_at(struct cfx *x, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(x, file, line, NULL, fmt, ap);
	va_end(ap);
}

const char *cfx_where(struct cfx *x, const config_setting_t *s,
		      const config_setting_t *here, char *buf, size_t len)
{
	const char *f = config_setting_source_file(s);
	const char *h = config_setting_source_file(here);
	if (f == h || (f && h && strcmp(f, h) == 0)) {
		snprintf(buf, len, "line %u", config_setting_source_line(s));
	} else {
		char fname[PATH_MAX];
		cfx_file(x, f, fname, sizeof(fname));
		snprintf(buf, len, "%s:%u", fname, config_setting_source_line(s));
	}
	return buf;
}

/* Edit distance with adjacent transpositions ("wcl" is one edit from
 * "wlc"), for short names only. */
static unsigned edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return 99;
	unsigned d[64][64];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			unsigned best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
			    && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

const char *cfx_suggest(const char *s, const char *const *names)
{
	const char *best = NULL;
	unsigned bestd = 99;
	for (; *names; names++) {
		/* One edit for short names, two for longer: "tcp" is not
		 * what someone meant by "icmp", "control_socket" by "contrl_socket". */
		size_t len = strlen(*names);
		unsigned d = edit_distance(s, *names), max = len <= 4 ? 1 : 2;
		if (d <= max && d < bestd && d < len) {
			bestd = d;
			best = *names;
		}
	}
	return best;
}

static bool in_list(const char *s, const char *const *names)
{
	for (; *names; names++)
		if (s[0] == (*names)[0] && strcmp(s, *names) == 0)
			return true;
	return false;
}

void cfx_unknown_key(struct cfx *x, const config_setting_t *m, const char *ctx,
		     const char *const *keys)
{
	const char *hint = cfx_suggest(config_setting_name(m), keys);
	if (hint)
		cfx_err(x, m, ctx, "unknown key '%s' (did you mean '%s'?)",
			config_setting_name(m), hint);
	else
		cfx_err(x, m, ctx, "unknown key '%s'", config_setting_name(m));
}

void cfx_keys(struct cfx *x, const config_setting_t *g, const char *ctx,
	      const char *const *keys)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		if (!in_list(config_setting_name(m), keys))
			cfx_unknown_key(x, m, ctx, keys);
	}
}

static const char *type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean (true or false)";
	case CONFIG_TYPE_INT: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a number";
	case CONFIG_TYPE_GROUP: return "a group { ... }";
	case CONFIG_TYPE_LIST: return "a list";
	}
	return "something else";
}

/* A group's or list's members, read from libconfig's public structure:
 * lookups run for every key of every real server, and through the
 * library's accessors they were a third of the walk of a large file. */
static const config_list_t *members(const config_setting_t *g)
{
	return config_setting_is_aggregate(g) ? g->value.list : NULL;
}

config_setting_t *cfx_member(const config_setting_t *g, const char *key)
{
	const config_list_t *l = g && config_setting_is_group(g) ? members(g) : NULL;
	for (unsigned i = 0; l && i < l->length; i++) {
		config_setting_t *e = l->elements[i];
		const char *name = e->name;
		if (name && name[0] == key[0] && !strcmp(name, key))
			return e;
	}
	return NULL;
}

int cfx_member_string(const config_setting_t *g, const char *key, const char **out)
{
	const config_setting_t *s = cfx_member(g, key);
	if (!s || config_setting_type(s) != CONFIG_TYPE_STRING)
		return 0;
	*out = config_setting_get_string(s);
	return 1;
}

int cfx_member_int(const config_setting_t *g, const char *key, long long *out)
{
	const config_setting_t *s = cfx_member(g, key);
	if (!s)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_INT64)
		*out = config_setting_get_int64(s);
	else if (config_setting_type(s) == CONFIG_TYPE_INT)
		*out = config_setting_get_int(s);
	else
		return 0;
	return 1;
}

static const config_setting_t *member(struct cfx *x, const config_setting_t *g,
				      const char *ctx, const char *key, int type)
{
	config_setting_t *s = cfx_member(g, key);
	if (!s)
		return NULL;
	int t = config_setting_type(s);
	bool ok = t == type
		|| (type == CONFIG_TYPE_INT && t == CONFIG_TYPE_INT64)
		|| (type == CONFIG_TYPE_FLOAT && (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64))
		|| (type == CONFIG_TYPE_LIST && t == CONFIG_TYPE_ARRAY);
	if (!ok) {
		cfx_err(x, s, ctx, "%s: expected %s", key, type_name(type));
		return NULL;
	}
	return s;
}

int cfx_str(struct cfx *x, const config_setting_t *g, const char *ctx,
	    const char *key, char **out)
{
	if (!cfx_member(g, key))
		return 0;
	const config_setting_t *s = member(x, g, ctx, key, CONFIG_TYPE_STRING);
	if (!s)
		return -1;
	const char *v = config_setting_get_string(s);
	if (!*v) {
		cfx_err(x, s, ctx, "%s: must not be empty", key);
		return -1;
	}
	char *copy = cfx_strdup(x, v);
	free(*out);
	*out = copy;
	return 1;
}

int cfx_bool(struct cfx *x, const config_setting_t *g, const char *ctx,
	     const char *key, bool *out)
{
	if (!cfx_member(g, key))
		return 0;
	const config_setting_t *s = member(x, g, ctx, key, CONFIG_TYPE_BOOL);
	if (!s)
		return -1;
	*out = config_setting_get_bool(s);
	return 1;
}

int cfx_int(struct cfx *x, const config_setting_t *g, const char *ctx,
	    const char *key, long long min, long long max, long long *out)
{
	if (!cfx_member(g, key))
		return 0;
	const config_setting_t *s = member(x, g, ctx, key, CONFIG_TYPE_INT);
	if (!s)
		return -1;
	long long v = config_setting_get_int64(s);
	if (v < min || v > max) {
		if (max >= INT_MAX)
			cfx_err(x, s, ctx, "%s %lld: must be at least %lld", key, v, min);
		else
			cfx_err(x, s, ctx, "%s %lld out of range (%lld..%lld)", key, v, min, max);
		return -1;
	}
	*out = v;
	return 1;
}

int cfx_num(struct cfx *x, const config_setting_t *g, const char *ctx,
	    const char *key, bool allow_zero, double *out)
{
	if (!cfx_member(g, key))
		return 0;
	const config_setting_t *s = member(x, g, ctx, key, CONFIG_TYPE_FLOAT);
	if (!s)
		return -1;
	double v = config_setting_type(s) == CONFIG_TYPE_FLOAT
		? config_setting_get_float(s) : (double)config_setting_get_int64(s);
	if (!isfinite(v) || v < 0 || (v == 0 && !allow_zero)) {
		cfx_err(x, s, ctx, "%s %g: must be %s", key, v,
			allow_zero ? "zero or more" : "positive");
		return -1;
	}
	*out = v;
	return 1;
}

int cfx_addr(struct cfx *x, const config_setting_t *g, const char *ctx,
	     const char *key, struct vaddr *out)
{
	if (!cfx_member(g, key))
		return 0;
	const config_setting_t *s = member(x, g, ctx, key, CONFIG_TYPE_STRING);
	if (!s)
		return -1;
	const char *v = config_setting_get_string(s);
	if (vaddr_parse(v, out) < 0) {
		cfx_err(x, s, ctx, "%s %s: not an IP address", key, v);
		return -1;
	}
	return 1;
}

static void enum_error(struct cfx *x, const config_setting_t *s, const char *ctx,
		       const char *what, const char *v, const char *const *names)
{
	const char *hint = cfx_suggest(v, names);
	if (hint) {
		cfx_err(x, s, ctx, "unknown %s \"%s\" (did you mean \"%s\"?)", what, v, hint);
		return;
	}
	char list[256] = "";
	size_t used = 0;
	for (unsigned i = 0; names[i]; i++) {
		const char *sep = i == 0 ? "" : names[i + 1] ? ", " : " or ";
		int n = snprintf(list + used, sizeof(list) - used, "%s%s", sep, names[i]);
		if (n < 0 || (size_t)n >= sizeof(list) - used)
			break;
		used += (size_t)n;
	}
	cfx_err(x, s, ctx, "unknown %s \"%s\" (expected %s)", what, v, list);
}

int cfx_enum(struct cfx *x, const config_setting_t *g, const char *ctx,
	     const char *key, const char *const *names, int *out)
{
	return cfx_enum_as(x, g, ctx, key, key, names, out);
}

int cfx_enum_as(struct cfx *x, const config_setting_t *g, const char *ctx,
		const char *key, const char *what, const char *const *names, int *out)
{
	if (!cfx_member(g, key))
		return 0;
	const config_setting_t *s = member(x, g, ctx, key, CONFIG_TYPE_STRING);
	if (!s)
		return -1;
	const char *v = config_setting_get_string(s);
	for (int i = 0; names[i]; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return 1;
		}
	}
	enum_error(x, s, ctx, what, v, names);
	return -1;
}

const config_setting_t *cfx_group(struct cfx *x, const config_setting_t *g,
				  const char *ctx, const char *key)
{
	return member(x, g, ctx, key, CONFIG_TYPE_GROUP);
}

const config_setting_t *cfx_list(struct cfx *x, const config_setting_t *g,
				 const char *ctx, const char *key, bool scalar_ok)
{
	config_setting_t *s = cfx_member(g, key);
	if (s && scalar_ok && config_setting_is_scalar(s))
		return s;
	return member(x, g, ctx, key, CONFIG_TYPE_LIST);
}

unsigned cfx_len(const config_setting_t *l)
{
	if (!config_setting_is_aggregate(l))
		return 1;
	const config_list_t *m = members(l);
	return m ? m->length : 0;
}

const config_setting_t *cfx_elem(const config_setting_t *l, unsigned i)
{
	if (!config_setting_is_aggregate(l))
		return l;
	const config_list_t *m = members(l);
	return m && i < m->length ? m->elements[i] : NULL;
}

bool cfx_require(struct cfx *x, const config_setting_t *g, const char *ctx,
		 const char *key)
{
	if (cfx_member(g, key))
		return true;
	cfx_err(x, g, ctx, "missing '%s'", key);
	return false;
}
