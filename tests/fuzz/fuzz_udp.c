/*
 * fuzz_udp: the udp check's reply test (chk_udp_reply_ok, checkers/
 * chk_udp.c) — does the datagram a server sent contain `expect` — against
 * a plain byte-by-byte search.
 *
 * Input: a length byte k, then `expect` (k % 64 bytes, cut at a NUL as
 * the configuration's string would be), then the reply.
 */
#include <stdbool.h>

#include "chk_parsers.h"
#include "fuzz.h"

static bool naive_contains(const char *h, size_t hl, const char *n, size_t nl)
{
	for (size_t i = 0; i + nl <= hl; i++)
		if (!memcmp(h + i, n, nl))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	char expect[64];
	size_t k = fuzz_u8(&in) % sizeof(expect);
	if (k > in.n)
		k = in.n;
	memcpy(expect, in.p, k);
	expect[k] = '\0';
	in.p += k;
	in.n -= k;
	char *reply = fuzz_dup(in.p, in.n);
	bool ok = chk_udp_reply_ok(reply, in.n, expect);
	FUZZ_CHECK(ok == naive_contains(reply, in.n, expect, strlen(expect)));
	FUZZ_CHECK(chk_udp_reply_ok(reply, in.n, NULL));
	free(reply);
	return 0;
}
