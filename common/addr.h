/*
 * addr: IPv4/IPv6 addresses as plain comparable values, their parsing and
 * printing, and conversion to socket addresses. Used by the config, the
 * IPVS glue, the checkers and VRRP alike.
 */
#ifndef VIGIL_ADDR_H
#define VIGIL_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct vaddr {
	sa_family_t family;       /* AF_INET, AF_INET6, or AF_UNSPEC (unset) */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

/* An address with a prefix length, e.g. a VRRP virtual address "192.0.2.10/24". */
struct vprefix {
	struct vaddr addr;
	uint8_t plen;
};

#define VADDR_STRLEN 46          /* INET6_ADDRSTRLEN */
#define VADDR_PORT_STRLEN (VADDR_STRLEN + 8)

/* Parses an IPv4 or IPv6 literal. Returns 0 or -EINVAL. */
int vaddr_parse(const char *s, struct vaddr *out);
/* Parses "ADDR/LEN" (LEN optional: host prefix). Returns 0 or -EINVAL. */
int vprefix_parse(const char *s, struct vprefix *out);
/* Parses "ADDR:PORT" or "[V6]:PORT". Returns 0 or -EINVAL. */
int vaddr_port_parse(const char *s, struct vaddr *out, uint16_t *port);

const char *vaddr_str(const struct vaddr *a, char *buf, size_t len);
/* "192.0.2.1:80" or "[2001:db8::1]:80". */
const char *vaddr_port_str(const struct vaddr *a, uint16_t port, char *buf, size_t len);

bool vaddr_equal(const struct vaddr *a, const struct vaddr *b);
int vaddr_cmp(const struct vaddr *a, const struct vaddr *b);
static inline bool vaddr_is_set(const struct vaddr *a) { return a->family != AF_UNSPEC; }

/* Fills a sockaddr_storage; returns its length. */
socklen_t vaddr_to_sockaddr(const struct vaddr *a, uint16_t port, struct sockaddr_storage *ss);
int vaddr_from_sockaddr(const struct sockaddr *sa, struct vaddr *out, uint16_t *port);

#endif
