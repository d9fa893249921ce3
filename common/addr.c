/* addr: address parsing, printing and comparison (see addr.h). */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vaddr_parse(const char *s, struct vaddr *out)
{
	memset(out, 0, sizeof(*out));
	if (!s)
		return -EINVAL;
	if (inet_pton(AF_INET, s, &out->u.v4) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &out->u.v6) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	out->family = AF_UNSPEC;
	return -EINVAL;
}

int vprefix_parse(const char *s, struct vprefix *out)
{
	char buf[VADDR_STRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= VADDR_STRLEN)
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (vaddr_parse(buf, &out->addr) < 0)
		return -EINVAL;
	unsigned max = out->addr.family == AF_INET ? 32 : 128;
	if (!slash) {
		out->plen = (uint8_t)max;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long len = strtoul(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end || len > max)
		return -EINVAL;
	out->plen = (uint8_t)len;
	return 0;
}

int vaddr_port_parse(const char *s, struct vaddr *out, uint16_t *port)
{
	char buf[VADDR_STRLEN + 8];
	const char *colon;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(buf))
			return -EINVAL;
		memcpy(buf, s + 1, close - s - 1);
		buf[close - s - 1] = '\0';
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(buf))
			return -EINVAL;
		memcpy(buf, s, colon - s);
		buf[colon - s] = '\0';
	}
	if (vaddr_parse(buf, out) < 0)
		return -EINVAL;
	char *end;
	errno = 0;
	unsigned long p = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || p > 65535)
		return -EINVAL;
	*port = (uint16_t)p;
	return 0;
}

const char *vaddr_str(const struct vaddr *a, char *buf, size_t len)
{
	if (a->family == AF_UNSPEC || !inet_ntop(a->family, &a->u, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

const char *vaddr_port_str(const struct vaddr *a, uint16_t port, char *buf, size_t len)
{
	char ab[VADDR_STRLEN];
	vaddr_str(a, ab, sizeof(ab));
	if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", ab, port);
	else
		snprintf(buf, len, "%s:%u", ab, port);
	return buf;
}

int vaddr_cmp(const struct vaddr *a, const struct vaddr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->family == AF_INET)
		return memcmp(&a->u.v4, &b->u.v4, sizeof(a->u.v4));
	if (a->family == AF_INET6)
		return memcmp(&a->u.v6, &b->u.v6, sizeof(a->u.v6));
	return 0;
}

bool vaddr_equal(const struct vaddr *a, const struct vaddr *b)
{
	return vaddr_cmp(a, b) == 0;
}

socklen_t vaddr_to_sockaddr(const struct vaddr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr = a->u.v4;
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	sin6->sin6_addr = a->u.v6;
	return sizeof(*sin6);
}

int vaddr_from_sockaddr(const struct sockaddr *sa, struct vaddr *out, uint16_t *port)
{
	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
		out->family = AF_INET;
		out->u.v4 = sin->sin_addr;
		if (port)
			*port = ntohs(sin->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
		out->family = AF_INET6;
		out->u.v6 = sin6->sin6_addr;
		if (port)
			*port = ntohs(sin6->sin6_port);
		return 0;
	}
	return -EAFNOSUPPORT;
}
