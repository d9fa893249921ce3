/*
 * vrrp_md5: HMAC-MD5 (RFC 2104) for the VRRPv2 IPsec AH authentication
 * keepalived implements (HMAC-MD5-96, RFC 2403), from OpenSSL's libcrypto
 * (vrrp/hmac_md5.c). MD5 is weak as a hash; HMAC-MD5 is what the wire
 * demands, and the key is at most 8 bytes anyway: this authenticates
 * against mistakes and casual injection, not against a determined
 * attacker.
 */
#ifndef VIGIL_VRRP_MD5_H
#define VIGIL_VRRP_MD5_H

#include <stddef.h>
#include <stdint.h>

#define VRRP_MD5_LEN 16

/* HMAC-MD5 of the concatenation a || b (b may be NULL with blen 0).
 * Returns 0, or -EIO when libcrypto fails (out is then all zero, which
 * no peer's ICV matches). */
int vrrp_hmac_md5(const uint8_t *key, size_t klen, const void *a, size_t alen,
		  const void *b, size_t blen, uint8_t out[VRRP_MD5_LEN]);

#endif
