/*
 * config: loads vigil.conf (libconfig) into a struct conf and validates
 * it. Every problem found is collected as one "FILE:LINE: message" line;
 * a file with any error yields no conf at all.
 */
#ifndef VIGIL_CONFIG_H
#define VIGIL_CONFIG_H

#include <stdbool.h>

#include "conf.h"

struct conf_errors {
	char **lines;                 /* "FILE:LINE: message" */
	unsigned n;
	bool oom;                     /* the load ran out of memory (lines may be missing) */
};

/*
 * Loads and validates path. Returns the conf, or NULL with errs->n > 0 or
 * errs->oom. errs is reset on entry (pass a zeroed or conf_errors_free'd
 * one) and is filled in file order, one line per problem. `@include "x"`
 * names a file relative to path's directory. Never logs, never aborts:
 * out of memory, it frees what it built and returns NULL with errs->oom
 * and a last line "FILE:0: out of memory" (no line at all when even that
 * could not be allocated: errs->oom with errs->n == 0).
 */
struct conf *conf_load(const char *path, struct conf_errors *errs);
void conf_free(struct conf *c);

/*
 * conf_load, for a file loaded again and again (reloads): *cache (NULL at
 * first) remembers the text and each virtual server as read, and a load
 * whose text outside the virtual_servers list is unchanged parses again
 * only the virtual servers whose text changed (config_cache.c). The
 * result and the errors are conf_load's. A failed load leaves *cache as
 * it was; free it with conf_cache_free. A full load of a large file
 * parses its virtual servers in two halves, one on a second thread. The
 * stats say how the last load that made the cache went: virtual servers
 * copied, read, and whether in two halves (halves may be NULL).
 */
struct conf_cache;
struct conf *conf_load_cached(const char *path, struct conf_errors *errs,
			      struct conf_cache **cache);
void conf_cache_free(struct conf_cache *cache);
void conf_cache_stats(const struct conf_cache *cache, unsigned *reused, unsigned *parsed,
		      bool *halves);

/*
 * Reads one real server of virtual server vs (of the loaded configuration
 * c), given as a libconfig group g built in memory rather than read from a
 * file (vigilctl add), with the file's rules: the same keys, defaults,
 * checks and messages. Returns 0 with *out filled (its contents freed
 * with conf_rs_free), or -1 with *out empty and one line per problem in
 * errs, each "WHERE:0: real server ...: message" (WHERE is `where`).
 */
struct config_setting_t;
int conf_rs_read(const struct conf *c, const struct vs_conf *vs,
		 const struct config_setting_t *g, const char *where,
		 struct rs_conf *out, struct conf_errors *errs);
void conf_rs_free(struct rs_conf *rs);
void conf_errors_free(struct conf_errors *errs);

#endif
