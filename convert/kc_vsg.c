/*
 * kc_vsg: virtual_server_group, and `virtual_server group NAME`.
 *
 *   virtual_server_group VSG_1 {        virtual_server_groups = (
 *       10.0.0.1 8080                     { name = "VSG_1"; members = (
 *       192.168.200.3-10 80        ->        { address = "10.0.0.1"; port = 8080; },
 *       fwmark 1                             { range = "192.168.200.3-10"; port = 80; },
 *   }                                        { fwmark = 1; } ); } );
 *
 * Groups are read in the first pass, so a virtual server finds its group
 * wherever the group is in the file. A member that cannot be written is
 * reported and left out; a group with none left is not written, and the
 * virtual servers that name it are reported.
 */
#include "kc_conv_int.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* keepalived's range "ADDR-LAST": the last IPv4 byte (decimal) or IPv6
 * group (hex), from the address's up, at most vigil's 256 addresses. */
static bool range_ok(const char *spec, int *family)
{
	char buf[64];
	const char *dash = strrchr(spec, '-');
	if (!dash || (size_t)(dash - spec) >= sizeof(buf) || !dash[1])
		return false;
	memcpy(buf, spec, (size_t)(dash - spec));
	buf[dash - spec] = '\0';
	unsigned char a[16];
	char *end;
	bool v6 = strchr(buf, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, a) != 1)
		return false;
	unsigned long last = strtoul(dash + 1, &end, v6 ? 16 : 10);
	unsigned cur = v6 ? (unsigned)(a[14] << 8 | a[15]) : a[3];
	*family = v6 ? AF_INET6 : AF_INET;
	return !*end && last <= (v6 ? 0xffffUL : 0xffUL) && last >= cur && last - cur < 256;
}

static bool member(struct kc_cx *x, const struct kc_node *n, struct kc_val *list, int *family,
		   bool *port0)
{
	long v;
	if (!strcmp(n->w[0], "fwmark")) {
		if (n->n < 2 || !kc_int(x, n, 1, 1, UINT32_MAX, &v))
			return false;
		kv_int(kv_add(list, KV_GROUP, NULL), "fwmark", v);
		return true;
	}
	int af = strchr(n->w[0], '-') ? 0 : kc_family(n->w[0], false);
	if (!af && !range_ok(n->w[0], &af)) {
		kc_skip(x->d, n->src, "%s: expected ADDRESS PORT, ADDRESS-LAST PORT (at most 256 "
			"addresses) or fwmark N", n->w[0]);
		return false;
	}
	if (*family && af != *family) {
		kc_skip(x->d, n->src, "%s: IPv4 and IPv6 members in one group", n->w[0]);
		return false;
	}
	v = 0;
	if (n->n > 1 && !kc_int(x, n, 1, 0, 65535, &v))
		return false;
	kc_extra(x, n, 2);
	*family = af;
	*port0 |= v == 0;
	struct kc_val *m = kv_add(list, KV_GROUP, NULL);
	kv_str(m, strchr(n->w[0], '-') ? "range" : "address", n->w[0]);
	kv_int(m, "port", v);
	return true;
}

void kc_vs_group(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	if (n->n < 2 || !n->block) {
		kc_skip(x->d, n->src, "virtual_server_group: expected a name and a { } block");
		return;
	}
	struct kc_vsg g = { .name = n->w[1] };
	struct kc_val *v = kv_new(KV_GROUP, NULL), *list = kv_new(KV_LIST, "members");
	kc_from(v, n);
	kv_str(v, "name", n->w[1]);
	for (unsigned i = 0; i < n->n_kids; i++)
		if (member(x, &n->kids[i], list, &g.family, &g.port0))
			g.ok = true;
	if (g.ok) {
		kv_attach(v, list);
		kv_attach(x->vsg, v);
	} else {
		kv_free(list);
		kv_free(v);
	}
	x->vsgs = kc_realloc(x->vsgs, x->n_vsgs + 1, sizeof(*x->vsgs));
	x->vsgs[x->n_vsgs++] = g;
}

const struct kc_vsg *kc_vs_group_find(const struct kc_cx *x, const char *name)
{
	for (unsigned i = x->n_vsgs; i-- > 0;)
		if (!strcmp(x->vsgs[i].name, name))
			return &x->vsgs[i];
	return NULL;
}
