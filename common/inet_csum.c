/*
 * inet_csum: the Internet checksum (see inet_csum.h).
 */
#include "inet_csum.h"

#include <sys/socket.h>

#include "addr.h"

uint32_t inet_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *b = data;
	size_t i;
	for (i = 0; i + 1 < len; i += 2) {
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
		sum = (sum & 0xffff) + (sum >> 16);
	}
	if (i < len) {
		sum += (uint32_t)b[i] << 8;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return sum;
}

uint16_t inet_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t inet_csum(const void *data, size_t len)
{
	return inet_csum_fold(inet_csum_add(0, data, len));
}

uint32_t inet_csum_pseudo(const struct vaddr *src, const struct vaddr *dst, uint8_t proto,
			  uint32_t len)
{
	size_t al = src->family == AF_INET6 ? 16 : 4;
	uint32_t sum = inet_csum_add(0, &src->u, al);
	sum = inet_csum_add(sum, &dst->u, al);
	/* The zero bytes add nothing; both layouts come to the same words
	 * (IPv4's length is 16 bits, so its high half is 0). */
	uint8_t tail[6] = { 0, proto, (uint8_t)(len >> 24), (uint8_t)(len >> 16),
			    (uint8_t)(len >> 8), (uint8_t)len };
	return inet_csum_add(sum, tail, sizeof(tail));
}
