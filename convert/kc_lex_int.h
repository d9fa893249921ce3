/*
 * kc_lex_int: what the two halves of the lexer share. kc_lex.c reads
 * files (comments, includes, statements and words); kc_pre.c does what
 * keepalived does to a line before that (@ID conditions, $NAME
 * definitions and substitution, ~SEQ and ~LST repetitions).
 */
#ifndef VIGIL_KC_LEX_INT_H
#define VIGIL_KC_LEX_INT_H

#include "kc.h"

struct kc_def {
	char *name;
	char *value;                  /* a multiline value has '\n' between lines */
	bool multiline;
};

struct kc_lexer {
	struct kc_lex *out;
	struct kc_diag *d;
	char *config_id;
	char *pwd;                    /* ${_PWD}: the current file's directory */
	struct kc_def *defs;
	unsigned n_defs;
	struct kc_def *ml;            /* a multiline definition still being read */
	unsigned depth;               /* include nesting */
};

#define KC_MAX_DEPTH 16         /* includes, and expansions within a line */

/* One line (fresh from a file: decommented here first): conditions,
 * definitions, repetitions and substitutions, then an include or
 * statements. Lines made by an expansion are not decommented again, so
 * ${_HASH} and ${_BANG} give a literal '#' and '!'. */
void kc_pre_line(struct kc_lexer *lx, const char *text, struct kc_src src, unsigned depth,
		 bool fresh);
/* The next physical line of a multiline definition: true when taken. */
bool kc_pre_continue(struct kc_lexer *lx, const char *text);
void kc_pre_free(struct kc_lexer *lx);

/* Statements of a line, split at braces. */
void kc_lex_emit(struct kc_lexer *lx, const char *text, struct kc_src src);
/* An "include" line: reads the files it names; false when not one. */
bool kc_lex_include(struct kc_lexer *lx, const char *text, struct kc_src src);
/* keepalived's decomment(): leading blanks, comments after an unquoted
 * '#' or '!', trailing blanks; a final '\' is kept and *cont set. */
void kc_decomment(char *s, bool *cont);

char *kc_strdup(const char *s);
void *kc_calloc(size_t n, size_t size);
void *kc_realloc(void *p, size_t n, size_t size);

#endif
