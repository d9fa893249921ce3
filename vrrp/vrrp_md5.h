/*
 * md5: MD5 (RFC 1321) and HMAC-MD5 (RFC 2104), for the VRRPv2 IPsec AH
 * authentication keepalived implements (HMAC-MD5-96, RFC 2403). Pure and
 * small, so the vrrp child needs no crypto library for one 12-byte ICV a
 * second. MD5 is weak as a hash; HMAC-MD5 is what the wire demands, and
 * the key is at most 8 bytes anyway: this authenticates against mistakes
 * and casual injection, not against a determined attacker.
 */
#ifndef VIGIL_VRRP_MD5_H
#define VIGIL_VRRP_MD5_H

#include <stddef.h>
#include <stdint.h>

#define VRRP_MD5_LEN 16

struct vrrp_md5 {
	uint32_t h[4];
	uint64_t len;                 /* bytes so far */
	uint8_t buf[64];
};

void vrrp_md5_init(struct vrrp_md5 *m);
void vrrp_md5_update(struct vrrp_md5 *m, const void *data, size_t len);
void vrrp_md5_final(struct vrrp_md5 *m, uint8_t out[VRRP_MD5_LEN]);

/* HMAC-MD5 of the concatenation a || b (b may be NULL with blen 0). */
void vrrp_hmac_md5(const uint8_t *key, size_t klen, const void *a, size_t alen,
		   const void *b, size_t blen, uint8_t out[VRRP_MD5_LEN]);

#endif
