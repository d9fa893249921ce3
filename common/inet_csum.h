/*
 * inet_csum: the Internet checksum (RFC 1071) — the one implementation
 * for every header vigil builds or checks: VRRP messages and their IPv4
 * header (vrrp/pkt.c), half-open TCP SYNs (checkers/synpkt.c), ICMP
 * echo requests (checkers/chk_ping.c).
 *
 * Sums are of big-endian 16-bit words, kept folded below 2^17 so they
 * never overflow, and may be built in chunks:
 *
 *   sum = inet_csum_pseudo(src, dst, proto, len)     (or 0 when none)
 *   sum = inet_csum_add(sum, header, hlen)           even lengths, but
 *   sum = inet_csum_add(sum, payload, plen)          the last chunk's
 *   csum = inet_csum_fold(sum)    host order: store it big-endian
 *
 * Over data that holds its correct checksum the result is 0, which is
 * how a received packet is verified.
 */
#ifndef VIGIL_INET_CSUM_H
#define VIGIL_INET_CSUM_H

#include <stddef.h>
#include <stdint.h>

struct vaddr;

/* Adds len bytes to a partial sum; an odd last byte counts as the high
 * half of a word (padded with zero). Every chunk but the last must have
 * an even length. */
uint32_t inet_csum_add(uint32_t sum, const void *data, size_t len);
/* The checksum of a partial sum: folded, complemented, in host order. */
uint16_t inet_csum_fold(uint32_t sum);
/* The checksum of data alone: inet_csum_fold(inet_csum_add(0, data, len)). */
uint16_t inet_csum(const void *data, size_t len);
/* The partial sum of the pseudo-header an upper layer's checksum covers:
 * IPv4 (RFC 793/768: source, destination, zero, protocol, 16-bit length)
 * or IPv6 (RFC 8200 8.1: source, destination, 32-bit length, zeros, next
 * header), by src's family; src and dst are of the same family. */
uint32_t inet_csum_pseudo(const struct vaddr *src, const struct vaddr *dst, uint8_t proto,
			  uint32_t len);

#endif
