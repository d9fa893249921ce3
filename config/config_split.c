/*
 * config_split: where each element of the top-level `virtual_servers`
 * list sits in the text of a vigil.conf, without parsing it — so that a
 * reload parses again only the virtual servers whose text changed
 * (config_cache.c).
 *
 *   virtual_servers = (        <- list_open: just after "("
 *     { address = ...; },      <- span: "{" .. its "}", with its first line
 *     { ... }
 *   );                         <- list_close: the ")"
 *
 * It knows libconfig's lexical rules that can hide a bracket: strings
 * with backslash escapes, and #, // and C comments. Anything it is not
 * sure of — no such list or two of them, an element that is not a group,
 * an unbalanced bracket, a NUL byte, an @include — makes it answer "not
 * splittable", and the caller parses the whole file as before: a wrong
 * split would only cost the shortcut, never change what is loaded,
 * because nothing here decides what the text means.
 */
#include "config_split.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct scan {
	const char *t;
	size_t n, i;
};

/* The bytes that can open or close a bracket, a string or a comment. */
static const unsigned char special[256] = {
	['"'] = 1, ['{'] = 1, ['}'] = 1, ['('] = 1, [')'] = 1, ['['] = 1, [']'] = 1,
	['#'] = 1, ['/'] = 1,
};

/* At a '#' or '/': past the comment that starts there (1), not a
 * comment (0), or a comment without its end (-1). */
static int skip_comment(struct scan *s)
{
	const char *t = s->t + s->i, *e = s->t + s->n;
	if (*t == '#' || (t + 1 < e && t[0] == '/' && t[1] == '/')) {
		const char *nl = memchr(t, '\n', (size_t)(e - t));
		s->i = nl ? (size_t)(nl - s->t) : s->n;
		return 1;
	}
	if (t + 1 < e && t[0] == '/' && t[1] == '*') {
		const char *end = memmem(t + 2, (size_t)(e - t - 2), "*/", 2);
		if (!end)
			return -1;
		s->i = (size_t)(end - s->t) + 2;
		return 1;
	}
	return 0;
}

/* Skips whitespace and comments; false at an unterminated comment. */
static bool skip_blank(struct scan *s)
{
	while (s->i < s->n) {
		char c = s->t[s->i];
		if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			s->i++;
		} else if (c == '#' || c == '/') {
			int r = skip_comment(s);
			if (r <= 0)
				return r == 0;
		} else {
			return true;
		}
	}
	return true;
}

/* At a '"': past the closing quote; false when there is none. */
static bool skip_string(struct scan *s)
{
	for (s->i++; s->i < s->n; s->i++) {
		char c = s->t[s->i];
		if (c == '\\' && s->i + 1 < s->n)
			s->i++;
		else if (c == '"') {
			s->i++;
			return true;
		}
	}
	return false;
}

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '*';
}

/* At an opening bracket: past its matching closer; false when unbalanced. */
static bool skip_nested(struct scan *s)
{
	char stack[64];
	unsigned depth = 0;
	const unsigned char *t = (const unsigned char *)s->t;
	while (s->i < s->n) {
		while (s->i < s->n && !special[t[s->i]])
			s->i++;
		if (s->i >= s->n)
			break;
		char c = s->t[s->i];
		if (c == '"') {
			if (!skip_string(s))
				return false;
			continue;
		}
		if (c == '#' || c == '/') {
			int r = skip_comment(s);
			if (r < 0)
				return false;
			if (r == 0)
				s->i++;
			continue;
		}
		s->i++;
		if (c == '{' || c == '(' || c == '[') {
			if (depth == sizeof(stack))
				return false;
			stack[depth++] = c == '{' ? '}' : c == '(' ? ')' : ']';
		} else if (!depth || stack[--depth] != c) {
			return false;
		} else if (!depth) {
			return true;
		}
	}
	return false;
}

static int add_span(struct cfx_split *out, size_t off, size_t len)
{
	if (out->n == out->cap) {
		unsigned cap = out->cap ? out->cap * 2 : 64;
		struct cfx_span *a = realloc(out->spans, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		out->spans = a;
		out->cap = cap;
	}
	out->spans[out->n++] = (struct cfx_span){ off, len, 0 };
	return 0;
}

/* At the list's "(": its elements, each a group. 1: not splittable. */
static int split_list(struct scan *s, struct cfx_split *out)
{
	s->i++;
	out->list_open = s->i;
	for (;;) {
		if (!skip_blank(s) || s->i >= s->n)
			return 1;
		char c = s->t[s->i];
		if (c == ')' && out->n == 0)
			break;
		if (c != '{')
			return 1;
		size_t off = s->i;
		if (!skip_nested(s))
			return 1;
		if (add_span(out, off, s->i - off) < 0)
			return -ENOMEM;
		if (!skip_blank(s) || s->i >= s->n)
			return 1;
		if (s->t[s->i] == ')')
			break;
		if (s->t[s->i] != ',')
			return 1;
		s->i++;
	}
	out->list_close = s->i;
	s->i++;
	return 0;
}

int cfx_split(const char *text, size_t len, struct cfx_split *out)
{
	memset(out, 0, sizeof(*out));
	if (memchr(text, '\0', len) || memmem(text, len, "@include", 8))
		return 1;
	struct scan s = { text, len, 0 };
	bool found = false;
	int r = 1;
	while (s.i < s.n) {
		if (!skip_blank(&s))
			goto refuse;
		if (s.i >= s.n)
			break;
		char c = s.t[s.i];
		if (c == '"') {
			if (!skip_string(&s))
				goto refuse;
		} else if (c == '{' || c == '(' || c == '[') {
			if (!skip_nested(&s))
				goto refuse;
		} else if (c == '}' || c == ')' || c == ']') {
			goto refuse;
		} else if (ident_char(c)) {
			size_t a = s.i;
			while (s.i < s.n && ident_char(s.t[s.i]))
				s.i++;
			if (s.i - a != 15 || memcmp(s.t + a, "virtual_servers", 15))
				continue;
			if (found || !skip_blank(&s) || s.i >= s.n ||
			    (s.t[s.i] != '=' && s.t[s.i] != ':'))
				goto refuse;
			s.i++;
			if (!skip_blank(&s) || s.i >= s.n || s.t[s.i] != '(')
				goto refuse;
			found = true;
			if ((r = split_list(&s, out)) != 0)
				goto refuse;
		} else {
			s.i++;
		}
	}
	if (found) {
		/* Lines: libconfig counts every newline, in strings and comments too. */
		const char *p = text, *nl;
		int line = 1;
		for (unsigned k = 0; k < out->n; k++) {
			const char *to = text + out->spans[k].off;
			while ((nl = memchr(p, '\n', (size_t)(to - p)))) {
				line++;
				p = nl + 1;
			}
			p = to;
			out->spans[k].line = line;
		}
		return 0;
	}
	r = 1;
refuse:
	cfx_split_free(out);
	return r;
}

void cfx_split_free(struct cfx_split *s)
{
	free(s->spans);
	memset(s, 0, sizeof(*s));
}
