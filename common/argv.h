/*
 * argv: splits an operator's command line into words without a shell.
 * One splitter for every place that runs a command (check scripts, track
 * scripts, notify and quorum scripts) and for the loader that validates
 * them, so what -t accepts is exactly what runs.
 */
#ifndef VIGIL_ARGV_H
#define VIGIL_ARGV_H

/* Blanks separate words; '...' is literal; "..." is literal but for \" \\
 * \$ \`; a backslash outside quotes takes the next character. Returns the
 * number of words (>0) with a NULL-terminated *argv (free with argv_free),
 * -EINVAL for an empty line or an unterminated quote, or -ENOMEM. */
int argv_split(const char *cmd, char ***argv);
void argv_free(char **argv);

#endif
