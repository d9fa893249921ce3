/*
 * parsers: the pure parsers of the smtp, dns and udp checks — what they
 * make of the bytes a real server sent — kept apart from their I/O so the
 * unit tests and the fuzz harnesses (tests/fuzz) reach them directly.
 */
#ifndef VIGIL_CHK_PARSERS_H
#define VIGIL_CHK_PARSERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* What a udp check asks of a reply (checkers/chk_udp.c). */
struct chk_udp_want {
	const char *expect;           /* NULL: none */
	const uint8_t *prefix, *mask; /* reply_hex decoded; mask 0 nibbles: any */
	size_t prefix_len;
	uint32_t min_len, max_len;    /* 0: no bound */
};
enum chk_udp_verdict { CHK_UDP_OK, CHK_UDP_SHORT, CHK_UDP_LONG, CHK_UDP_PREFIX, CHK_UDP_EXPECT };
/* Judges a datagram of full_len bytes of which the first len (<= full_len)
 * were received: length bounds on full_len, then the prefix, then expect. */
enum chk_udp_verdict chk_udp_judge(const char *reply, size_t len, size_t full_len,
				   const struct chk_udp_want *w);

/* A file check's verdict on the number its file holds (checkers/
 * chk_file.c): pass or fail, and with dynamic_weight the real server's
 * new weight in *weight (else -1). */
struct check_conf;
bool chk_file_judge(long value, const struct check_conf *cc, int *weight);

#endif
