/*
 * fuzz_udp: the udp check's reply tests (checkers/chk_udp.c) — does the
 * datagram a server sent contain `expect` (chk_udp_reply_ok), and the
 * whole judgement with reply_hex's masked prefix and length bounds
 * (chk_udp_judge, common/hexbytes.c) — against plain byte-by-byte ones.
 *
 * Input: a length byte k, then `expect` (k % 64 bytes, cut at a NUL as
 * the configuration's string would be), then the reply. The prefix and
 * its mask are the expect bytes read as data and as mask.
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
	/* reply_hex: the first k bytes under a mask; bounds from k */
	uint8_t mask[64];
	for (size_t i = 0; i < k; i++)
		mask[i] = (uint8_t)(expect[i] * 37u);
	struct chk_udp_want w = { .prefix = (const uint8_t *)expect, .mask = mask,
				  .prefix_len = k, .min_len = (uint32_t)k / 2,
				  .max_len = (uint32_t)k * 8 };
	bool pre = in.n >= k;
	for (size_t i = 0; pre && i < k; i++)
		pre = !(((uint8_t)reply[i] ^ (uint8_t)expect[i]) & mask[i]);
	enum chk_udp_verdict v = chk_udp_judge(reply, in.n, in.n, &w);
	enum chk_udp_verdict want = in.n < k / 2 ? CHK_UDP_SHORT
		: (k && in.n > k * 8) ? CHK_UDP_LONG : !pre ? CHK_UDP_PREFIX : CHK_UDP_OK;
	FUZZ_CHECK(v == want);
	free(reply);
	return 0;
}
