/*
 * config_split: the byte ranges of the top-level virtual_servers list's
 * elements in a vigil.conf text (config_split.c), for the reload cache.
 */
#ifndef VIGIL_CONFIG_SPLIT_H
#define VIGIL_CONFIG_SPLIT_H

#include <stddef.h>

struct cfx_span {
	size_t off, len;              /* "{" .. "}" inclusive */
	int line;                     /* of the "{", from 1 */
};

struct cfx_split {
	struct cfx_span *spans;
	unsigned n, cap;
	size_t list_open;             /* just after the list's "(" */
	size_t list_close;            /* at its ")" */
};

/* 0: out filled (free it with cfx_split_free); 1: the text has no single
 * top-level virtual_servers list of groups this can split with certainty;
 * -ENOMEM. */
int cfx_split(const char *text, size_t len, struct cfx_split *out);
void cfx_split_free(struct cfx_split *s);

#endif
