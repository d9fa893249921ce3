/*
 * kc: reading a keepalived.conf and turning it into a vigil.conf.
 *
 *   keepalived.conf ─kc_lex──> statements (words + FILE:LINE), after
 *        │                     include, @host, $VAR, ~SEQ/~LST
 *        └─kc_tree──> nested blocks ─kc_convert──> kc_val tree ─kc_write──> vigil.conf
 *
 * Every step is pure: files are read, nothing else is touched, nothing is
 * logged. What cannot be translated is collected in a struct kc_diag as
 * "FILE:LINE: not converted: why" lines; what makes the input unusable
 * (an unreadable file, an unbalanced brace or quote) as
 * "FILE:LINE: error: why" lines with `fatal` set.
 */
#ifndef VIGIL_KC_H
#define VIGIL_KC_H

#include <stdbool.h>
#include <stdio.h>

/* Where a statement came from: file (owned by the kc_lex) and line. */
struct kc_src {
	const char *file;
	int line;
};

struct kc_diag {
	char **lines;
	unsigned n;
	unsigned skipped;             /* "not converted" lines */
	bool fatal;                   /* an "error" line: the input is unusable */
};

void kc_skip(struct kc_diag *d, struct kc_src src, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void kc_fatal(struct kc_diag *d, struct kc_src src, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void kc_diag_free(struct kc_diag *d);

/* ---- lexer (kc_lex.c, kc_pre.c) -------------------------------------- */

/* One statement: the words of a line up to a brace, or a lone "{"/"}".
 * raw is the text the words came from, for commands, which keepalived
 * splits again with its quote and escape rules. */
struct kc_line {
	char *raw;
	char **w;
	unsigned n;
	struct kc_src src;
};

struct kc_lex {
	struct kc_line *v;
	unsigned n, cap;
	char **files;                 /* every file read, in order */
	unsigned n_files;
};

struct kc_lex_opts {
	const char *config_id;        /* @ID lines; NULL: the host name up to its first '.' */
};

/* Reads path and what it includes. Returns 0, or -errno when path cannot
 * be read (also reported in d as fatal). */
int kc_lex_file(const char *path, const struct kc_lex_opts *o, struct kc_lex *out,
		struct kc_diag *d);
void kc_lex_free(struct kc_lex *lx);

/* keepalived's quote-and-escape word splitting for commands: "..." and
 * '...' group, \n \t \xHH \NNN \cC escapes. Returns the count, or -1 on
 * an unterminated quote. */
int kc_qe_split(const char *s, char ***words);
void kc_words_free(char **words);

/* ---- tree (kc_tree.c) ------------------------------------------------ */

struct kc_node {
	char **w;                     /* borrowed from the kc_lex */
	unsigned n;
	const char *raw;
	struct kc_src src;
	bool block;                   /* followed by { ... } */
	struct kc_node *kids;
	unsigned n_kids;
};

/* Nests the statements; root gets the top level as kids. Returns 0, or
 * -1 with a fatal diag on an unbalanced brace. */
int kc_tree_build(const struct kc_lex *lx, struct kc_node *root, struct kc_diag *d);
void kc_tree_free(struct kc_node *root);

/* ---- output tree (kc_out.c) ------------------------------------------ */

enum kc_vtype { KV_STR, KV_INT, KV_NUM, KV_BOOL, KV_GROUP, KV_LIST, KV_ARRAY };

struct kc_val {
	enum kc_vtype t;
	char *key;                    /* NULL for list and array elements */
	char *s;
	long long i;
	double d;
	char *comment;                /* written as "# ..." lines before it */
	struct kc_val **kids;
	unsigned n, cap;
};

struct kc_val *kv_new(enum kc_vtype t, const char *key);
void kv_free(struct kc_val *v);
struct kc_val *kv_add(struct kc_val *parent, enum kc_vtype t, const char *key);
void kv_str(struct kc_val *g, const char *key, const char *s);
void kv_int(struct kc_val *g, const char *key, long long i);
void kv_num(struct kc_val *g, const char *key, double d);
void kv_bool(struct kc_val *g, const char *key, bool b);
void kv_comment(struct kc_val *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct kc_val *kv_get(const struct kc_val *g, const char *key);
/* Adds v (owned from now on) to parent, at the end or at index at. */
void kv_attach(struct kc_val *parent, struct kc_val *v);
void kv_insert(struct kc_val *parent, unsigned at, struct kc_val *v);
/* Writes root's members as a vigil.conf. */
void kc_write(FILE *f, const struct kc_val *root);

/* ---- conversion (kc_conv.c and the kc_*.c it calls) ------------------ */

struct kc_conv_opts {
	const char *search_path;      /* for bare program names; NULL: a default */
	const char *log_facility;     /* keepalived -S, as vigil names it ("local3"); NULL: none */
};

/* Converts the tree into out (a KV_GROUP whose members are the sections).
 * Never fails: what cannot be converted is reported in d and left out. */
void kc_convert(const struct kc_node *root, const struct kc_conv_opts *o,
		struct kc_val *out, struct kc_diag *d);

#endif
