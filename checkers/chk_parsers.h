/*
 * parsers: the pure parsers of the smtp, dns and udp checks — what they
 * make of the bytes a real server sent — kept apart from their I/O so the
 * unit tests and the fuzz harnesses (tests/fuzz) reach them directly.
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

/* Whether a UDP reply passes: any reply when expect is NULL, else one
 * that contains expect (compared as bytes; the reply may hold NULs). */
bool chk_udp_reply_ok(const char *reply, size_t len, const char *expect);

#endif
