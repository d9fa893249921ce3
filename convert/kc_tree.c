/*
 * kc_tree: nests the lexer's statements. A "{" statement opens a block
 * for the statement before it (keepalived allows the brace on the next
 * line); "}" closes the innermost one. A brace that does not pair up
 * makes the input unusable: what the file meant cannot be known.
 * Also keepalived's quote-and-escape splitting of command strings.
 */
#include "kc_lex_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool is(const struct kc_line *l, const char *brace)
{
	return l->n == 1 && !strcmp(l->w[0], brace);
}

static struct kc_node *add_kid(struct kc_node *parent, const struct kc_line *l)
{
	parent->kids = kc_realloc(parent->kids, parent->n_kids + 1, sizeof(*parent->kids));
	struct kc_node *k = &parent->kids[parent->n_kids++];
	*k = (struct kc_node){ .w = l->w, .n = l->n, .raw = l->raw, .src = l->src };
	return k;
}

/* Fills parent from *i until its closing brace (or the end, at level 0). */
static int build(const struct kc_lex *lx, unsigned *i, struct kc_node *parent,
		 unsigned level, struct kc_diag *d)
{
	while (*i < lx->n) {
		const struct kc_line *l = &lx->v[(*i)++];
		if (is(l, "}")) {
			if (level == 0) {
				kc_fatal(d, l->src, "'}' without a block to close");
				return -1;
			}
			return 0;
		}
		if (is(l, "{")) {
			struct kc_node *prev = parent->n_kids ? &parent->kids[parent->n_kids - 1] : NULL;
			if (!prev || prev->block) {
				kc_fatal(d, l->src, "'{' without a keyword before it");
				return -1;
			}
			prev->block = true;
			if (build(lx, i, prev, level + 1, d) < 0)
				return -1;
			continue;
		}
		add_kid(parent, l);
	}
	if (level > 0) {
		kc_fatal(d, parent->src, "'%s' block not closed: '}' missing", parent->w[0]);
		return -1;
	}
	return 0;
}

int kc_tree_build(const struct kc_lex *lx, struct kc_node *root, struct kc_diag *d)
{
	memset(root, 0, sizeof(*root));
	root->block = true;
	root->src = (struct kc_src){ lx->n_files ? lx->files[0] : NULL, 0 };
	unsigned i = 0;
	return build(lx, &i, root, 0, d);
}

static void free_kids(struct kc_node *n)
{
	for (unsigned i = 0; i < n->n_kids; i++)
		free_kids(&n->kids[i]);
	free(n->kids);
}

void kc_tree_free(struct kc_node *root)
{
	free_kids(root);
	memset(root, 0, sizeof(*root));
}

/* One escape after '\' at *p (alloc_strvec_quoted_escaped()). */
static char unescape(const char **p)
{
	const char *s = *p;
	char c;
	if (*s == 'x' && isxdigit((unsigned char)s[1])) {
		c = 0;
		for (s++; isxdigit((unsigned char)*s); s++)
			c = (char)((c << 4) | (isdigit((unsigned char)*s) ? *s - '0'
					       : tolower((unsigned char)*s) - 'a' + 10));
	} else if (*s == 'c' && s[1]) {
		c = (char)(s[1] & 0x1f);
		s += 2;
	} else if (*s >= '0' && *s <= '7') {
		c = 0;
		for (int k = 0; k < 3 && *s >= '0' && *s <= '7'; k++, s++)
			c = (char)((c << 3) | (*s - '0'));
	} else {
		static const char from[] = "abEfnrtv", to[] = "\a\b\x1b\f\n\r\t\v";
		const char *m = strchr(from, *s);
		c = m ? to[m - from] : *s;
		s++;
	}
	*p = s;
	return c;
}

int kc_qe_split(const char *s, char ***out)
{
	char **w = NULL;
	int n = 0;
	char *buf = kc_calloc(strlen(s) + 1, 1);
	for (;;) {
		s += strspn(s, " \t");
		if (!*s)
			break;
		size_t o = 0;
		char q = 0;
		while (*s && (q || (*s != ' ' && *s != '\t'))) {
			if (*s == '\\' && s[1]) {
				s++;
				buf[o++] = unescape(&s);
			} else if (q && *s == q) {
				q = 0, s++;
			} else if (!q && (*s == '"' || *s == '\'')) {
				q = *s++;
			} else {
				buf[o++] = *s++;
			}
		}
		if (q) {
			kc_words_free(w);
			free(buf);
			return -1;
		}
		buf[o] = '\0';
		w = kc_realloc(w, (size_t)n + 2, sizeof(*w));
		w[n++] = kc_strdup(buf);
		w[n] = NULL;
	}
	free(buf);
	if (!w)
		w = kc_calloc(1, sizeof(*w));
	*out = w;
	return n;
}
