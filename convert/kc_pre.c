/*
 * kc_pre: keepalived's line preprocessing, as lib/parser.c read_line()
 * does it, in this order on each line:
 *
 *   @ID / @^ID ...      kept (without the mark) only when ID is / is not
 *                       the config id (-i, default the short host name)
 *   $NAME=value         a definition; a value ending in '\' goes on over
 *                       the next lines (each ending in '\' but the last)
 *   ~SEQ(v, a, s, b)    the rest of the line once per value, $v set;
 *   ~SEQx(...)          the same in hexadecimal; start and step optional
 *   ~LST(v, x, y, ...)  the rest of the line once per value; {a,b} forms
 *                       set several variables at once
 *   $NAME, ${NAME}      replaced by the value, again and again, at use
 *                       time; an unknown name is left as written; a
 *                       multiline value becomes several lines
 *
 * Every line made here keeps the FILE:LINE of the line it came from, so
 * a message about an expanded statement names a line of a real file.
 */
#include "kc_lex_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REPLACE 1000        /* substitutions in one line: a loop otherwise */
#define MAX_REPEAT 100000       /* lines one ~SEQ or ~LST may make */

static struct kc_def *def_find(struct kc_lexer *lx, const char *name, size_t len)
{
	for (unsigned i = 0; i < lx->n_defs; i++)
		if (strlen(lx->defs[i].name) == len && !strncmp(lx->defs[i].name, name, len))
			return &lx->defs[i];
	return NULL;
}

static struct kc_def *def_set(struct kc_lexer *lx, const char *name, size_t len,
			      const char *value)
{
	struct kc_def *def = def_find(lx, name, len);
	if (!def) {
		lx->defs = kc_realloc(lx->defs, lx->n_defs + 1, sizeof(*lx->defs));
		def = &lx->defs[lx->n_defs++];
		def->name = kc_calloc(len + 1, 1);
		memcpy(def->name, name, len);
	} else {
		free(def->value);
	}
	def->value = kc_strdup(value);
	def->multiline = false;
	return def;
}

/* "$NAME=value": a definition (check_definition()). */
static bool define(struct kc_lexer *lx, const char *t)
{
	const char *p = t + 1;
	if (!isalpha((unsigned char)*p) && *p != '_')
		return false;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	size_t len = (size_t)(p - t - 1);
	p += strspn(p, " \t");
	if (*p != '=')
		return false;
	p++;
	p += strspn(p, " \t");
	char *v = kc_strdup(p);
	size_t n = strlen(v);
	bool multi = n && v[n - 1] == '\\';
	if (multi) {
		v[--n] = '\0';
		while (n && isblank((unsigned char)v[n - 1]))
			v[--n] = '\0';
	}
	struct kc_def *def = def_set(lx, t + 1, len, v);
	free(v);
	def->multiline = multi;
	lx->ml = multi ? def : NULL;
	return true;
}

bool kc_pre_continue(struct kc_lexer *lx, const char *text)
{
	if (!lx->ml)
		return false;
	struct kc_def *def = lx->ml;
	size_t n = strlen(text);
	bool more = n && text[n - 1] == '\\';
	if (more) {
		n--;
		while (n && isblank((unsigned char)text[n - 1]))
			n--;
	}
	if (n) {
		size_t have = strlen(def->value);
		def->value = kc_realloc(def->value, have + n + 2, 1);
		if (have)
			def->value[have++] = '\n';
		memcpy(def->value + have, text, n);
		def->value[have + n] = '\0';
	}
	if (!more)
		lx->ml = NULL;
	return true;
}

/* The value of a predefined name, or NULL. */
static const char *predefined(struct kc_lexer *lx, const char *name, size_t len)
{
	if (len == 4 && !strncmp(name, "_PWD", 4))
		return lx->pwd;
	if (len == 9 && !strncmp(name, "_INSTANCE", 9))
		return lx->config_id;
	if (len == 5 && !strncmp(name, "_HASH", 5))
		return "#";
	if (len == 5 && !strncmp(name, "_BANG", 5))
		return "!";
	return NULL;
}

/* Replaces the first known $NAME or ${NAME} at or after *pos in *buf.
 * Sets *rest to the lines after the first of a multiline value. Returns
 * false when there is none left. */
static bool replace_one(struct kc_lexer *lx, char **buf, size_t *pos, const char **rest)
{
	char *s = *buf;
	for (char *p = strchr(s + *pos, '$'); p; p = strchr(p + 1, '$')) {
		bool brace = p[1] == '{';
		const char *name = p + 1 + brace;
		if (!isalpha((unsigned char)*name) && *name != '_')
			continue;
		size_t len = 1;
		while (isalnum((unsigned char)name[len]) || name[len] == '_')
			len++;
		const char *end = name + len;
		if (brace) {
			if (*end != '}')
				continue;
			end++;
		} else if (*end && !strchr(" \t,)", *end)) {
			continue;
		}
		struct kc_def *def = def_find(lx, name, len);
		const char *val = def ? def->value : predefined(lx, name, len);
		if (!val || (def && def->multiline && *end))
			continue;
		size_t first = def && def->multiline ? strcspn(val, "\n") : strlen(val);
		*rest = def && def->multiline && val[first] ? val + first + 1 : NULL;
		size_t head = (size_t)(p - s), tail = strlen(end);
		char *n = kc_calloc(head + first + tail + 1, 1);
		memcpy(n, s, head);
		memcpy(n + head, val, first);
		memcpy(n + head + first, end, tail);
		free(s);
		*buf = n;
		*pos = head;    /* the value is scanned again: substitution recurses */
		return true;
	}
	return false;
}

/* ~SEQ(var, [start,] [step,] end): fills the values; false if malformed. */
static bool seq_values(const char *args, bool hex, char ***vals, unsigned *n)
{
	long a[3];
	int k = 0;
	const char *p = args;
	while (k < 3) {
		char *e;
		a[k++] = strtol(p, &e, 0);
		if (e == p)
			return false;
		p = e + strspn(e, " \t");
		if (*p == ')')
			break;
		if (*p++ != ',')
			return false;
	}
	if (*p != ')')
		return false;
	long start = k == 1 ? (a[0] < 0 ? -1 : 1) : a[0];
	long end = a[k - 1];
	long step = k == 3 ? a[1] : (start <= end ? 1 : -1);
	if (!step || (start < end && step < 0) || (start > end && step > 0)
	    || (hex && (start < 0 || end < 0)))
		return false;
	*n = 0;
	*vals = NULL;
	for (long v = start; step > 0 ? v <= end : v >= end; v += step) {
		if (*n == MAX_REPEAT)
			return false;
		char b[24];
		snprintf(b, sizeof(b), hex ? "%lx" : "%ld", v);
		*vals = kc_realloc(*vals, *n + 1, sizeof(char *));
		(*vals)[(*n)++] = kc_strdup(b);
	}
	return true;
}

/* Splits "a, b, c" (up to the closing ')') into trimmed items. */
static unsigned split_items(const char *s, char sep_end, char ***out)
{
	unsigned n = 0;
	*out = NULL;
	while (*s && *s != sep_end) {
		s += strspn(s, " \t");
		size_t len = strcspn(s, sep_end == ')' ? ",)" : ",}");
		size_t t = len;
		while (t && isblank((unsigned char)s[t - 1]))
			t--;
		*out = kc_realloc(*out, n + 1, sizeof(char *));
		(*out)[n] = kc_calloc(t + 1, 1);
		memcpy((*out)[n++], s, t);
		s += len;
		if (*s == ',')
			s++;
	}
	return n;
}

static void repeat(struct kc_lexer *lx, char **vars, unsigned nv, char **vals, unsigned nvals,
		   const char *rest, struct kc_src src, unsigned depth)
{
	for (unsigned i = 0; i + nv <= nvals; i += nv) {
		for (unsigned k = 0; k < nv; k++)
			def_set(lx, vars[k], strlen(vars[k]), vals[i + k]);
		kc_pre_line(lx, rest, src, depth + 1, false);
	}
}

static void free_words(char **w, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(w[i]);
	free(w);
}

/* ~SEQ / ~SEQx / ~LST at the start of t: runs the rest; false if malformed. */
static bool repetition(struct kc_lexer *lx, const char *t, struct kc_src src, unsigned depth)
{
	bool seq = !strncmp(t, "~SEQ", 4), hex = seq && t[4] == 'x';
	const char *p = t + 4 + hex;
	p += strspn(p, " \t");
	const char *close = *p == '(' ? strchr(p, ')') : NULL;
	if (!close)
		return false;
	/* ~LST's values may hold {..}: its closing ')' is the last one before
	 * the text that repeats, found by balancing. */
	if (!seq) {
		int lvl = 0;
		for (close = p; *close; close++) {
			lvl += *close == '(' ? 1 : *close == ')' ? -1 : 0;
			if (!lvl)
				break;
		}
		if (!*close)
			return false;
	}
	char *args = kc_calloc((size_t)(close - p) + 2, 1);
	memcpy(args, p + 1, (size_t)(close - p));     /* up to and with ')' */
	const char *rest = close + 1 + strspn(close + 1, " \t");
	char **vars = NULL, **vals = NULL;
	unsigned nv = 0, nvals = 0;
	bool ok = false;
	if (seq) {
		size_t vl = strcspn(args, " \t,)");
		char *comma = strchr(args, ',');
		if (vl && comma) {
			vars = kc_calloc(1, sizeof(char *));
			vars[0] = kc_calloc(vl + 1, 1);
			memcpy(vars[0], args, vl);
			nv = 1;
			ok = seq_values(comma + 1, hex, &vals, &nvals);
		}
	} else {
		char *a = args + strspn(args, " \t");
		if (*a == '{') {
			nv = split_items(a + 1, '}', &vars);
			a = strchr(a, '}');
			a = a ? a + 1 : NULL;
		} else {
			size_t vl = strcspn(a, " \t,)");
			vars = kc_calloc(1, sizeof(char *));
			vars[0] = kc_calloc(vl + 1, 1);
			memcpy(vars[0], a, vl);
			nv = 1;
			a += vl;
		}
		a = a ? a + strspn(a, " \t") : NULL;
		if (a && *a == ',') {
			char *flat = kc_strdup(a + 1);   /* {x,y},{z,w} -> x,y,z,w */
			char *o = flat;
			for (char *q = flat; *q; q++)
				if (*q != '{' && *q != '}')
					*o++ = *q;
			*o = '\0';
			nvals = split_items(flat, ')', &vals);
			free(flat);
			ok = nv > 0 && nvals > 0 && nvals % nv == 0;
		}
	}
	if (ok)
		repeat(lx, vars, nv, vals, nvals, rest, src, depth);
	free_words(vars, nv);
	free_words(vals, nvals);
	free(args);
	return ok;
}

/* A line with its substitutions made, then on to includes and statements. */
static void substituted(struct kc_lexer *lx, char *buf, struct kc_src src, unsigned depth)
{
	size_t pos = 0;
	const char *more = NULL;
	unsigned count = 0;
	bool changed = false;
	while (strchr(buf + pos, '$')) {
		const char *rest = NULL;
		if (!replace_one(lx, &buf, &pos, &rest))
			break;
		changed = true;
		if (++count > MAX_REPLACE) {
			kc_fatal(lx->d, src, "substitution does not end (a definition refers to itself?)");
			free(buf);
			return;
		}
		if (rest) {
			more = rest;
			break;      /* the later lines of a multiline value follow */
		}
	}
	if (changed) {
		kc_pre_line(lx, buf, src, depth + 1, false);
	} else if (!kc_lex_include(lx, buf, src)) {
		kc_lex_emit(lx, buf, src);
	}
	free(buf);
	while (more) {
		size_t n = strcspn(more, "\n");
		char *line = kc_calloc(n + 1, 1);
		memcpy(line, more, n);
		kc_pre_line(lx, line, src, depth + 1, false);
		free(line);
		more = more[n] ? more + n + 1 : NULL;
	}
}

void kc_pre_line(struct kc_lexer *lx, const char *text, struct kc_src src, unsigned depth,
		 bool fresh)
{
	if (depth > KC_MAX_DEPTH * 4) {
		kc_fatal(lx->d, src, "expansion nested too deeply");
		return;
	}
	char *buf = kc_strdup(text);
	bool cont;
	if (fresh)
		kc_decomment(buf, &cont);
	const char *t = buf;
	if (*t == '@') {
		bool neg = t[1] == '^';
		const char *id = t + 1 + neg;
		size_t n = strcspn(id, " \t");
		bool match = lx->config_id && strlen(lx->config_id) == n
			&& !strncmp(id, lx->config_id, n);
		if (!id[n] || match == neg) {
			free(buf);
			return;
		}
		t = id + n + strspn(id + n, " \t");
	}
	if (!*t) {
		free(buf);
		return;
	}
	if (*t == '$' && define(lx, t)) {
		free(buf);
		return;
	}
	if (!strncmp(t, "~SEQ", 4) || !strncmp(t, "~LST", 4)) {
		if (!repetition(lx, t, src, depth))
			kc_skip(lx->d, src, "invalid %.4s specification", t);
		free(buf);
		return;
	}
	char *line = kc_strdup(t);
	free(buf);
	substituted(lx, line, src, depth);
}

void kc_pre_free(struct kc_lexer *lx)
{
	for (unsigned i = 0; i < lx->n_defs; i++) {
		free(lx->defs[i].name);
		free(lx->defs[i].value);
	}
	free(lx->defs);
	lx->defs = NULL;
	lx->n_defs = 0;
}
