/*
 * parsers: the pure parsers of the smtp and dns checks, kept apart from
 * their I/O so the unit tests reach them directly.
 */
#ifndef VIGIL_CHK_PARSERS_H
#define VIGIL_CHK_PARSERS_H

#include <stdbool.h>
#include <stddef.h>

struct vaddr;

/* One SMTP reply (RFC 5321 4.2: "250-..." lines then "250 ..."). Returns 1
 * with *code and *used (bytes of the reply) when complete, 0 when more is
 * needed, -1 when malformed. */
int chk_smtp_reply(const char *buf, size_t len, int *code, size_t *used);

/* Whether the DNS answer abuf (alen bytes) holds the address want among
 * its answer records (an A record for IPv4, AAAA for IPv6): 1 or 0, or
 * -ENOMEM when the records could not be unpacked. */
int chk_dns_has_addr(const unsigned char *abuf, int alen, const struct vaddr *want);

#endif
