/*
 * fuzz_dns: what the dns check makes of an answer (chk_dns_has_addr,
 * checkers/chk_dns.c): it sizes an array by the answer count the header
 * claims, c-ares parses the message into it (ares_parse_a_reply,
 * ares_parse_aaaa_reply) and the check looks for the expected address.
 * Before that, c-ares has read the header itself — the query id and
 * question must match the query, and the rcode and answer count become
 * the status the callback gets — so any message c-ares accepts can reach
 * chk_dns_has_addr, and any message is given to it here.
 *
 * c-ares is the system library, not built with coverage: the fuzzer gets
 * no guidance inside it, and AddressSanitizer sees its memory accesses
 * only through the functions it intercepts (memcpy — which is how the
 * addresses reach the check's array —, strlen, ...). What this harness
 * proves is the check's side: its sizing and its loop, on any message;
 * c-ares's own parsers are fuzzed by its project (OSS-Fuzz).
 *
 * Input: a control byte (0x01: the expected address is IPv6), the
 * expected address (4 or 16 bytes), then the DNS message, in a heap
 * block of exactly its length.
 */
#include <sys/socket.h>

#include "addr.h"
#include "chk_parsers.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t ctl = fuzz_u8(&in);
	struct vaddr want = { .family = ctl & 0x01 ? AF_INET6 : AF_INET };
	size_t al = want.family == AF_INET ? 4 : 16;
	fuzz_bytes(&in, &want.u, al);
	if (in.n > 65535)
		return 0;     /* c-ares takes an int length; DNS over UDP/TCP stays below */
	unsigned char *abuf = fuzz_dup(in.p, in.n);
	bool has = chk_dns_has_addr(abuf, (int)in.n, &want);
	/* A record's address is copied out of the message: it must be there. */
	FUZZ_CHECK(!has || memmem(abuf, in.n, &want.u, al) != NULL);
	free(abuf);
	return 0;
}
