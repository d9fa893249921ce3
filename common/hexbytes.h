/*
 * hexbytes: binary data written as hexadecimal text in the configuration
 * (the udp check's payload_hex and reply_hex, keepalived's UDP_CHECK
 * payload and require_reply). Pure; used by the loader to validate and by
 * the checker to decode.
 */
#ifndef VIGIL_HEXBYTES_H
#define VIGIL_HEXBYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes s: pairs of hexadecimal digits, with blanks (space, tab)
 * allowed between pairs, e.g. "4e5450 0a". With wild, an 'x' or 'X'
 * digit stands for any nibble: its mask nibble is 0 (else 0xf), its out
 * nibble 0. Writes at most cap bytes to out and mask, either of which may
 * be NULL (to validate or count only). Returns the number of bytes,
 * -EINVAL (*bad, when not NULL: the offending offset in s) for a
 * character that is not a digit, a lone digit or a wildcard where none is
 * allowed, or -E2BIG past cap. */
long hexbytes_parse(const char *s, bool wild, uint8_t *out, uint8_t *mask, size_t cap,
		    size_t *bad);

/* Whether data (len bytes) begins with want[0..n) where mask is set
 * (mask NULL: every bit). */
bool hexbytes_prefix(const uint8_t *data, size_t len, const uint8_t *want, const uint8_t *mask,
		     size_t n);

#endif
