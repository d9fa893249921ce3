/*
 * argv: the shell-free command splitter (argv.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"

static int push_word(char ***v, int *n, char *w)
{
	char **nv = realloc(*v, (size_t)(*n + 2) * sizeof(**v));
	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = w;
	nv[*n] = NULL;
	*v = nv;
	return 0;
}

/* Reads one word from *s into out (which has room for strlen(*s) + 1). */
static int one_word(const char **s, char *out)
{
	const char *p = *s;
	size_t o = 0;
	char q = 0;
	for (; *p; p++) {
		if (q == '\'') {
			if (*p == '\'')
				q = 0;
			else
				out[o++] = *p;
		} else if (q == '"') {
			if (*p == '"')
				q = 0;
			else if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
				out[o++] = *++p;
			else
				out[o++] = *p;
		} else if (*p == '\'' || *p == '"') {
			q = *p;
		} else if (*p == '\\' && p[1]) {
			out[o++] = *++p;
		} else if (*p == ' ' || *p == '\t' || *p == '\n') {
			break;
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
	*s = p;
	return q ? -EINVAL : 0;
}

int argv_split(const char *cmd, char ***argv)
{
	char **v = NULL;
	int n = 0;
	const char *s = cmd;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		char *w = malloc(strlen(s) + 1);
		int r = !w ? -ENOMEM : one_word(&s, w);
		if (r == 0)
			r = push_word(&v, &n, w);
		if (r < 0) {
			free(w);
			argv_free(v);
			return r;
		}
	}
	if (!n)
		return -EINVAL;
	*argv = v;
	return n;
}

void argv_free(char **argv)
{
	for (char **a = argv; a && *a; a++)
		free(*a);
	free(argv);
}
