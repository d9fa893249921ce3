/*
 * synpkt: see synpkt.h.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "inet_csum.h"
#include "synpkt.h"

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)get16(b) << 16 | get16(b + 2);
}

void synpkt_build(uint8_t out[SYNPKT_LEN], const struct vaddr *src, const struct vaddr *dst,
		  uint16_t sport, uint16_t dport, uint32_t seq)
{
	memset(out, 0, SYNPKT_LEN);
	put16(out, sport);
	put16(out + 2, dport);
	put32(out + 4, seq);
	out[12] = (SYNPKT_LEN / 4) << 4;      /* data offset */
	out[13] = SYNPKT_SYN;
	put16(out + 14, 65535);               /* window */
	out[20] = 2;                          /* MSS option */
	out[21] = 4;
	put16(out + 22, SYNPKT_MSS);
	if (!src || !vaddr_is_set(src))
		return;
	uint32_t s = inet_csum_pseudo(src, dst, IPPROTO_TCP, SYNPKT_LEN);
	put16(out + 16, inet_csum_fold(inet_csum_add(s, out, SYNPKT_LEN)));
}

static int parse_tcp(const uint8_t *t, size_t len, struct synpkt_reply *out)
{
	if (len < 20 || (t[12] >> 4) < 5 || (size_t)(t[12] >> 4) * 4 > len)
		return -1;
	out->sport = get16(t);
	out->dport = get16(t + 2);
	out->seq = get32(t + 4);
	out->ack = get32(t + 8);
	out->flags = t[13];
	return 0;
}

int synpkt_parse(int family, const uint8_t *pkt, size_t len, const struct vaddr *from,
		 struct synpkt_reply *out)
{
	memset(out, 0, sizeof(*out));
	if (family == AF_INET6) {
		if (!from || from->family != AF_INET6)
			return -1;
		out->src = *from;
		return parse_tcp(pkt, len, out);
	}
	if (family != AF_INET || len < 20 || pkt[0] >> 4 != 4)
		return -1;
	size_t hl = (size_t)(pkt[0] & 0x0f) * 4;
	size_t tot = get16(pkt + 2);
	if (hl < 20 || tot < hl || tot > len || pkt[9] != IPPROTO_TCP)
		return -1;
	if (get16(pkt + 6) & 0x3fff)          /* a fragment: not ours */
		return -1;
	out->src.family = AF_INET;
	memcpy(&out->src.u, pkt + 12, 4);
	return parse_tcp(pkt + hl, tot - hl, out);
}

int synpkt_parse_quoted(const uint8_t *tcp, size_t len, uint16_t *sport, uint16_t *dport,
			uint32_t *seq)
{
	if (len < 8)                          /* ICMP quotes at least 8 bytes */
		return -1;
	*sport = get16(tcp);
	*dport = get16(tcp + 2);
	*seq = get32(tcp + 4);
	return 0;
}
