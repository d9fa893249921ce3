/*
 * fuzz_synpkt: the half-open tcp check's segment parser (checkers/
 * synpkt.c) on anything a raw TCP socket or its error queue can return:
 * IPv4 packets (header included), IPv6 TCP segments, and the TCP header an
 * ICMP error quotes. For each parsed segment, the SYN we would send back
 * to its sender is built and must parse as that SYN, with a checksum that
 * verifies.
 *
 * Input: a control byte (0x01 IPv6, 0x02 the sender is unknown), for IPv6
 * the sender (16 bytes), then the bytes read, in a heap block of exactly
 * their length.
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "inet_csum.h"
#include "synpkt.h"

/* The SYN to the segment's sender, from the port it wrote to. */
static void reply_syn(const struct synpkt_reply *r)
{
	uint8_t seg[SYNPKT_LEN];
	struct vaddr me = r->src;
	me.u.v6.s6_addr[0] ^= 0x5a;           /* any other address */
	bool v4 = r->src.family == AF_INET;
	synpkt_build(seg, v4 ? &me : NULL, &r->src, r->dport, r->sport, r->ack);
	struct synpkt_reply back;
	FUZZ_CHECK(synpkt_parse(AF_INET6, seg, sizeof(seg), &(struct vaddr){ .family = AF_INET6 },
				&back) == 0);
	FUZZ_CHECK(back.sport == r->dport && back.dport == r->sport && back.seq == r->ack);
	FUZZ_CHECK(back.flags == SYNPKT_SYN);
	if (!v4)
		return;
	uint32_t s = inet_csum_add(0, &me.u.v4, 4);
	s = inet_csum_add(s, &r->src.u.v4, 4);
	s += IPPROTO_TCP + SYNPKT_LEN;
	FUZZ_CHECK(inet_csum_fold(inet_csum_add(s, seg, sizeof(seg))) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t ctl = fuzz_u8(&in);
	int family = ctl & 0x01 ? AF_INET6 : AF_INET;
	struct vaddr from = { .family = AF_INET6 };
	if (family == AF_INET6)
		fuzz_bytes(&in, &from.u.v6, 16);
	uint8_t *pkt = fuzz_dup(in.p, in.n);
	struct synpkt_reply r;
	if (synpkt_parse(family, pkt, in.n, ctl & 0x02 ? NULL : &from, &r) == 0) {
		FUZZ_CHECK(r.src.family == family);
		size_t off = family == AF_INET ? (size_t)(pkt[0] & 0x0f) * 4 : 0;
		FUZZ_CHECK(off + 20 <= in.n);
		FUZZ_CHECK(r.sport == (pkt[off] << 8 | pkt[off + 1]) && r.flags == pkt[off + 13]);
		reply_syn(&r);
	}
	uint16_t sport, dport;
	uint32_t seq;
	if (synpkt_parse_quoted(pkt, in.n, &sport, &dport, &seq) == 0)
		FUZZ_CHECK(in.n >= 8 && sport == (pkt[0] << 8 | pkt[1]));
	free(pkt);
	return 0;
}
