/*
 * hmac_md5: HMAC-MD5 through OpenSSL's EVP_MAC interface (see
 * vrrp_md5.h). One MAC context per call: an advert a second per instance
 * does not need a cached one, and nothing is shared between calls.
 */
#include "vrrp_md5.h"

#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

int vrrp_hmac_md5(const uint8_t *key, size_t klen, const void *a, size_t alen,
		  const void *b, size_t blen, uint8_t out[VRRP_MD5_LEN])
{
	char digest[] = "MD5";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	size_t n = 0;
	int ok = ctx && EVP_MAC_init(ctx, key, klen, params) && EVP_MAC_update(ctx, a, alen) &&
		 (!blen || EVP_MAC_update(ctx, b, blen)) &&
		 EVP_MAC_final(ctx, out, &n, VRRP_MD5_LEN) && n == VRRP_MD5_LEN;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	if (ok)
		return 0;
	ERR_clear_error();
	memset(out, 0, VRRP_MD5_LEN);
	return -EIO;
}
