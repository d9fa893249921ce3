/*
 * kc_out: the vigil.conf being written, as a small tree of libconfig
 * values, and its writer. The writer follows etc/vigil.conf: two spaces
 * per level, groups and lists of groups over several lines, arrays of
 * scalars on one, comments on the lines before what they describe.
 * Durations are written with a decimal point (2.0), as libconfig reads
 * "2" as an integer; an integer beyond 2^31-1 gets libconfig's L suffix.
 */
#include "kc_lex_int.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct kc_val *kv_new(enum kc_vtype t, const char *key)
{
	struct kc_val *v = kc_calloc(1, sizeof(*v));
	v->t = t;
	v->key = key ? kc_strdup(key) : NULL;
	return v;
}

void kv_free(struct kc_val *v)
{
	if (!v)
		return;
	for (unsigned i = 0; i < v->n; i++)
		kv_free(v->kids[i]);
	free(v->kids);
	free(v->key);
	free(v->s);
	free(v->comment);
	free(v);
}

void kv_insert(struct kc_val *parent, unsigned at, struct kc_val *v)
{
	if (parent->n == parent->cap) {
		parent->cap = parent->cap ? 2 * parent->cap : 8;
		parent->kids = kc_realloc(parent->kids, parent->cap, sizeof(*parent->kids));
	}
	if (at > parent->n)
		at = parent->n;
	memmove(parent->kids + at + 1, parent->kids + at, (parent->n - at) * sizeof(*parent->kids));
	parent->kids[at] = v;
	parent->n++;
}

void kv_attach(struct kc_val *parent, struct kc_val *v)
{
	kv_insert(parent, parent->n, v);
}

struct kc_val *kv_add(struct kc_val *parent, enum kc_vtype t, const char *key)
{
	struct kc_val *v = kv_new(t, key);
	kv_attach(parent, v);
	return v;
}

void kv_str(struct kc_val *g, const char *key, const char *s)
{
	kv_add(g, KV_STR, key)->s = kc_strdup(s);
}

void kv_int(struct kc_val *g, const char *key, long long i)
{
	kv_add(g, KV_INT, key)->i = i;
}

void kv_num(struct kc_val *g, const char *key, double d)
{
	kv_add(g, KV_NUM, key)->d = d;
}

void kv_bool(struct kc_val *g, const char *key, bool b)
{
	kv_add(g, KV_BOOL, key)->i = b;
}

void kv_comment(struct kc_val *v, const char *fmt, ...)
{
	va_list ap;
	char *c;
	va_start(ap, fmt);
	int r = vasprintf(&c, fmt, ap);
	va_end(ap);
	if (r < 0)
		abort();
	if (v->comment) {
		char *both;
		if (asprintf(&both, "%s\n%s", v->comment, c) < 0)
			abort();
		free(v->comment);
		free(c);
		c = both;
	}
	v->comment = c;
}

struct kc_val *kv_get(const struct kc_val *g, const char *key)
{
	for (unsigned i = 0; g && i < g->n; i++)
		if (g->kids[i]->key && !strcmp(g->kids[i]->key, key))
			return g->kids[i];
	return NULL;
}

/* ---- writer ---------------------------------------------------------- */

static void indent(FILE *f, unsigned level)
{
	for (unsigned i = 0; i < level; i++)
		fputs("  ", f);
}

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void put_num(FILE *f, double d)
{
	char b[64];
	snprintf(b, sizeof(b), "%.6f", d);
	char *e = b + strlen(b) - 1;
	while (*e == '0' && e[-1] != '.')
		*e-- = '\0';
	fputs(b, f);
}

static void put_scalar(FILE *f, const struct kc_val *v)
{
	switch (v->t) {
	case KV_STR:
		put_string(f, v->s);
		break;
	case KV_INT:
		fprintf(f, "%lld%s", v->i, v->i > INT32_MAX || v->i < INT32_MIN ? "L" : "");
		break;
	case KV_NUM:
		put_num(f, v->d);
		break;
	case KV_BOOL:
		fputs(v->i ? "true" : "false", f);
		break;
	default:
		break;
	}
}

static void put_comment(FILE *f, const char *c, unsigned level)
{
	while (c && *c) {
		size_t n = strcspn(c, "\n");
		indent(f, level);
		fprintf(f, "# %.*s\n", (int)n, c);
		c += n + (c[n] != '\0');
	}
}

static void put(FILE *f, const struct kc_val *v, unsigned level, bool last);

static void put_members(FILE *f, const struct kc_val *v, unsigned level)
{
	for (unsigned i = 0; i < v->n; i++)
		put(f, v->kids[i], level, i + 1 == v->n);
}

/* A group of a few scalars, without comments, goes on one line. */
static bool inline_group(FILE *f, const struct kc_val *v, unsigned level, const char *end)
{
	if (v->t != KV_GROUP || v->n > 4 || level == 0)
		return false;
	for (unsigned i = 0; i < v->n; i++)
		if (v->kids[i]->t >= KV_GROUP || v->kids[i]->comment)
			return false;
	char *line = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&line, &len);
	if (!m)
		abort();
	fputs("{", m);
	for (unsigned i = 0; i < v->n; i++) {
		fprintf(m, " %s = ", v->kids[i]->key);
		put_scalar(m, v->kids[i]);
		fputs(";", m);
	}
	fprintf(m, " }%s\n", end);
	fclose(m);
	bool fits = 2 * level + (v->key ? strlen(v->key) + 3 : 0) + len <= 90;
	if (fits)
		fputs(line, f);
	free(line);
	return fits;
}

static void put(FILE *f, const struct kc_val *v, unsigned level, bool last)
{
	put_comment(f, v->comment, level);
	indent(f, level);
	if (v->key)
		fprintf(f, "%s = ", v->key);
	const char *end = v->key ? ";" : last ? "" : ",";
	if (inline_group(f, v, level, end))
		return;
	switch (v->t) {
	case KV_GROUP:
		fputs("{\n", f);
		put_members(f, v, level + 1);
		indent(f, level);
		fprintf(f, "}%s\n", end);
		break;
	case KV_LIST:
		fputs("(\n", f);
		put_members(f, v, level + 1);
		indent(f, level);
		fprintf(f, ")%s\n", end);
		break;
	case KV_ARRAY:
		fputs("[ ", f);
		for (unsigned i = 0; i < v->n; i++) {
			put_scalar(f, v->kids[i]);
			fputs(i + 1 < v->n ? ", " : " ", f);
		}
		fprintf(f, "]%s\n", end);
		break;
	default:
		put_scalar(f, v);
		fprintf(f, "%s\n", end);
		break;
	}
}

void kc_write(FILE *f, const struct kc_val *root)
{
	put_comment(f, root->comment, 0);
	for (unsigned i = 0; i < root->n; i++) {
		fputc('\n', f);
		put(f, root->kids[i], 0, i + 1 == root->n);
	}
}
