/*
 * parsers: the pure text parser of the smtp check, kept apart from its
 * I/O so the unit tests reach it directly.
 */
#ifndef VIGIL_CHK_PARSERS_H
#define VIGIL_CHK_PARSERS_H

#include <stddef.h>

/* One SMTP reply (RFC 5321 4.2: "250-..." lines then "250 ..."). Returns 1
 * with *code and *used (bytes of the reply) when complete, 0 when more is
 * needed, -1 when malformed. */
int chk_smtp_reply(const char *buf, size_t len, int *code, size_t *used);

#endif
