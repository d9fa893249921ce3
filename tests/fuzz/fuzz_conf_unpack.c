/*
 * fuzz_conf_unpack: the configuration codec's reader (config/conf_pack.c)
 * on any blob — what a child rebuilds its configuration from, after the
 * IPC_CONF_DATA pieces are joined and their hash checked. Every count and
 * length must be checked against the bytes there are, a refused blob must
 * leave nothing allocated, and what is accepted must pack and unpack to
 * the same bytes again (unpack clears the pointers a blob carries, so the
 * first repack is the fixed point).
 *
 * Input: a control byte (0x01: write this build's header — magic, layout
 * and the body length — over the first 16 bytes, which the fuzzer would
 * otherwise rarely get right), then the blob, in a heap block of exactly
 * its length.
 */
#include <errno.h>

#include "conf_pack.h"
#include "config.h"
#include "errbuf.h"
#include "fuzz.h"

#define HEAD_LEN 16                   /* magic, layout, body length */

static uint8_t head[HEAD_LEN];        /* this build's, from an empty configuration */

static void make_head(void)
{
	struct conf empty = { 0 };
	struct conf_blob b;
	FUZZ_CHECK(conf_pack(&empty, CONF_VIEW_ALL, &b) == 0 && b.len > HEAD_LEN);
	memcpy(head, b.data, HEAD_LEN);
	conf_blob_free(&b);
}

static struct conf_blob repack(const struct conf *c)
{
	struct conf_blob b;
	FUZZ_CHECK(conf_pack(c, CONF_VIEW_ALL, &b) == 0);
	FUZZ_CHECK(b.hash == conf_hash(b.data, b.len));
	return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	if (!head[0])
		make_head();
	uint8_t ctl = fuzz_u8(&in);
	uint8_t *blob = fuzz_dup(in.p, in.n);
	if ((ctl & 0x01) && in.n >= HEAD_LEN) {
		uint64_t body = in.n - HEAD_LEN;
		memcpy(blob, head, 8);
		memcpy(blob + 8, &body, sizeof(body));
	}
	struct errbuf eb = { 0 };
	struct conf *c = conf_unpack(blob, in.n, &eb);
	free(blob);
	if (!c) {
		FUZZ_CHECK(eb.msg[0] != '\0');
		return 0;
	}
	struct conf_blob b1 = repack(c);
	conf_free(c);
	struct conf *c2 = conf_unpack(b1.data, b1.len, &eb);
	FUZZ_CHECK(c2 != NULL);
	struct conf_blob b2 = repack(c2);
	FUZZ_CHECK(b1.len == b2.len && !memcmp(b1.data, b2.data, b1.len));
	conf_free(c2);
	conf_blob_free(&b1);
	conf_blob_free(&b2);
	return 0;
}
