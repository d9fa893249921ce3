/*
 * config: loads vigil.conf (libconfig) into a struct conf and validates
 * it. Every problem found is collected as one "FILE:LINE: message" line;
 * a file with any error yields no conf at all.
 */
#ifndef VIGIL_CONFIG_H
#define VIGIL_CONFIG_H

#include "conf.h"

struct conf_errors {
	char **lines;                 /* "FILE:LINE: message" */
	unsigned n;
};

/*
 * Loads and validates path. Returns the conf, or NULL with errs->n > 0.
 * errs is reset on entry (pass a zeroed or conf_errors_free'd one) and is
 * filled in file order, one line per problem. `@include "x"` names a
 * file relative to path's directory. Never logs; aborts only when out of
 * memory.
 */
struct conf *conf_load(const char *path, struct conf_errors *errs);
void conf_free(struct conf *c);
void conf_errors_free(struct conf_errors *errs);

#endif
