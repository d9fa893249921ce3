/*
 * parsers: the pure text parsers of the smtp and script checks, kept
 * apart from their I/O so the unit tests reach them directly.
 */
#ifndef VIGIL_CHK_PARSERS_H
#define VIGIL_CHK_PARSERS_H

#include <stddef.h>

/* One SMTP reply (RFC 5321 4.2: "250-..." lines then "250 ..."). Returns 1
 * with *code and *used (bytes of the reply) when complete, 0 when more is
 * needed, -1 when malformed. */
int chk_smtp_reply(const char *buf, size_t len, int *code, size_t *used);

/* Splits a command line into argv without a shell: blanks separate
 * words; '...' is literal; "..." is literal but for \" \\ \$ \`; a
 * backslash outside quotes takes the next character. Returns the number
 * of words (>0) with a NULL-terminated *argv (free with chk_argv_free),
 * or -EINVAL for an empty line or an unterminated quote. */
int chk_argv_split(const char *cmd, char ***argv);
void chk_argv_free(char **argv);

#endif
