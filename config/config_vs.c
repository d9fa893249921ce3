/*
 * config_vs: the virtual_servers list and each one's real servers.
 *
 * A virtual server is an address:port:protocol service or a firewall
 * mark (with a `family`); its keys give the IPVS service (scheduler,
 * flags, persistence) and the parent's policy around it (quorum, sorry
 * server, on_failure). Real servers inherit forwarding and port from it.
 * Objects are named in messages by what the user wrote ("virtual server
 * web", "real server 198.51.100.11:80") so a message can be found in the
 * file even when the address in it is the thing that is wrong.
 * Duplicates are caught here, against the objects read before.
 */
#include "config_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const vs_keys[] = {
	"name", "address", "port", "fwmark", "group", "family", "protocol", "scheduler",
	"forwarding", "persistence", "ops", "check_interval", "quorum",
	"hysteresis", "on_quorum_up", "on_quorum_down", "sorry_server",
	"on_failure", "start_up", "sh_port", "sh_fallback", "mh_port",
	"mh_fallback", "tunnel", "omega", "real_servers", NULL
};
static const char *const rs_keys[] = {
	"address", "port", "weight", "forwarding", "tunnel", "uthreshold", "lthreshold",
	"notify_up", "notify_down", "checks", NULL
};
static const char *const schedulers[] = {
	"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq",
	"fo", "ovf", "mh", NULL
};
static const char *const fwd_names[] = { "nat", "dr", "tun", NULL };
static const char *const proto_names[] = { "tcp", "udp", "sctp", NULL };
static const char *const failure_names[] = { "remove", "inhibit", NULL };
static const char *const family_names[] = { "inet", "inet6", NULL };

static const char *fam_str(int af)
{
	return af == AF_INET6 ? "IPv6" : "IPv4";
}

/* "WHAT ADDR:PORT" (IPv6 in brackets), the address as written, or "WHAT
 * ADDR" when it does not parse. Built by hand: every real server gets one,
 * and printf with inet_ntop made this a fifth of a large file's load time. */
static void addr_ctx(const config_setting_t *g, const char *what, unsigned idx,
		     char *buf, size_t len)
{
	const char *a = NULL;
	cfx_member_string(g, "address", &a);
	long long port = 0;
	cfx_member_int(g, "port", &port);
	struct vaddr v;
	size_t nw, na;
	if (!a) {
		snprintf(buf, len, "%s #%u", what, idx + 1);
		return;
	}
	nw = strlen(what);
	na = strlen(a);
	if (vaddr_parse(a, &v) < 0 || port < 1 || port > 65535 || nw + na + 12 > len) {
		snprintf(buf, len, "%s %s", what, a);
		return;
	}
	char *o = buf;
	memcpy(o, what, nw);
	o += nw;
	*o++ = ' ';
	if (v.family == AF_INET6)
		*o++ = '[';
	memcpy(o, a, na);
	o += na;
	if (v.family == AF_INET6)
		*o++ = ']';
	*o++ = ':';
	char digits[6];
	int nd = 0;
	for (unsigned p = (unsigned)port; p; p /= 10)
		digits[nd++] = (char)('0' + p % 10);
	while (nd)
		*o++ = digits[--nd];
	*o = '\0';
}

/* The object's own address: "real server X: not an IP address" when the
 * context already shows X, else the getter's "address X: ..." form. */
static int own_addr(struct cfx *x, const config_setting_t *g, const char *ctx,
		    bool ctx_shows_addr, struct vaddr *out)
{
	const config_setting_t *s = cfx_member(g, "address");
	if (!s)
		return 0;
	if (!ctx_shows_addr || config_setting_type(s) != CONFIG_TYPE_STRING)
		return cfx_addr(x, g, ctx, "address", out);
	if (vaddr_parse(config_setting_get_string(s), out) < 0) {
		cfx_err(x, s, ctx, "not an IP address");
		return -1;
	}
	return 1;
}

/* A group's virtual server: the services are the group's members. */
static void vs_group_service(struct cfx *x, const config_setting_t *g, const char *ctx,
			     struct vs_conf *vs)
{
	static const char *const own[] = { "address", "port", "fwmark", NULL };
	int fam = -1, proto = PROTO_TCP;
	const char *name = NULL;
	for (unsigned i = 0; own[i]; i++)
		if (cfx_member(g, own[i]))
			cfx_err(x, cfx_member(g, own[i]), ctx,
				"%s: not used with group (the group's members are the services)",
				own[i]);
	cfx_enum(x, g, ctx, "family", family_names, &fam);
	cfx_member_string(g, "group", &name);
	int gf = name ? cfx_vs_group_family(x, name) : 0;
	vs->family = fam == 1 ? AF_INET6 : fam == 0 ? AF_INET : gf ? gf : AF_INET;
	cfx_enum(x, g, ctx, "protocol", proto_names, &proto);
	vs->protocol = (enum vs_proto)proto;
	cfx_vs_group_ref(x, g, ctx, vs);
}

static void vs_service(struct cfx *x, const config_setting_t *g, const char *ctx,
		       bool ctx_shows_addr, struct vs_conf *vs)
{
	bool has_addr = cfx_member(g, "address") != NULL;
	bool has_mark = cfx_member(g, "fwmark") != NULL;
	long long v;
	int fam = -1, proto = PROTO_TCP;
	if (cfx_member(g, "group")) {
		vs_group_service(x, g, ctx, vs);
		return;
	}
	if (has_addr && has_mark)
		cfx_err(x, g, ctx, "address and fwmark are mutually exclusive");
	else if (!has_addr && !has_mark)
		cfx_err(x, g, ctx, "needs either address and port, or fwmark");
	if (has_addr && !has_mark) {
		own_addr(x, g, ctx, ctx_shows_addr, &vs->addr);
		if (cfx_require(x, g, ctx, "port") && cfx_int(x, g, ctx, "port", 0, 65535, &v) > 0)
			vs->port = (uint16_t)v;
	} else if (has_mark) {
		if (cfx_int(x, g, ctx, "fwmark", 1, UINT32_MAX, &v) > 0)
			vs->fwmark = (uint32_t)v;
		if (cfx_member(g, "port"))
			cfx_err(x, cfx_member(g, "port"), ctx,
				"port: not used with fwmark (the mark selects the traffic)");
	}
	cfx_enum(x, g, ctx, "family", family_names, &fam);
	vs->family = fam == 1 ? AF_INET6 : AF_INET;
	if (has_addr && vaddr_is_set(&vs->addr)) {
		if (fam >= 0 && vs->family != vs->addr.family)
			cfx_err(x, cfx_member(g, "family"), ctx,
				"family \"%s\" does not match the %s address",
				family_names[fam], fam_str(vs->addr.family));
		vs->family = vs->addr.family;
	}
	cfx_enum(x, g, ctx, "protocol", proto_names, &proto);
	vs->protocol = (enum vs_proto)proto;
}

static void sched_flag(struct cfx *x, const config_setting_t *g, const char *ctx,
		       const char *key, const char *sched, uint32_t flag, struct vs_conf *vs)
{
	bool on = false;
	if (cfx_bool(x, g, ctx, key, &on) <= 0 || !on)
		return;
	if (strcmp(vs->scheduler, sched) != 0)
		cfx_err(x, cfx_member(g, key), ctx,
			"%s: needs scheduler \"%s\"", key, sched);
	vs->sched_flags |= flag;
}

static void vs_sched(struct cfx *x, const config_setting_t *g, const char *ctx,
		     struct vs_conf *vs)
{
	int i = 3, fwd = FWD_NAT;     /* wlc */
	cfx_enum(x, g, ctx, "scheduler", schedulers, &i);
	snprintf(vs->scheduler, sizeof(vs->scheduler), "%s", schedulers[i]);
	sched_flag(x, g, ctx, "sh_port", "sh", SCHED_FLAG_SH_PORT, vs);
	sched_flag(x, g, ctx, "sh_fallback", "sh", SCHED_FLAG_SH_FALLBACK, vs);
	sched_flag(x, g, ctx, "mh_port", "mh", SCHED_FLAG_MH_PORT, vs);
	sched_flag(x, g, ctx, "mh_fallback", "mh", SCHED_FLAG_MH_FALLBACK, vs);
	cfx_enum(x, g, ctx, "forwarding", fwd_names, &fwd);
	vs->fwd = (enum fwd_method)fwd;
	cfx_tunnel(x, g, ctx, vs->fwd, &vs->tunnel);
	if (cfx_bool(x, g, ctx, "ops", &vs->ops) > 0 && vs->ops && vs->protocol != PROTO_UDP)
		cfx_err(x, cfx_member(g, "ops"), ctx,
			"ops: one-packet scheduling needs protocol \"udp\"");
}

static void persist_netmask(struct cfx *x, const config_setting_t *p, const char *ctx,
			    struct vs_conf *vs)
{
	const config_setting_t *s = cfx_member(p, "netmask");
	long long v;
	if (!s)
		return;
	if (vs->family == AF_INET6) {
		if (config_setting_type(s) == CONFIG_TYPE_STRING)
			cfx_err(x, s, ctx, "netmask: an IPv6 service takes a prefix length (1..128)");
		else if (cfx_int(x, p, ctx, "netmask", 1, 128, &v) > 0)
			vs->persist_prefix = (uint8_t)v;
		return;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		if (cfx_int(x, p, ctx, "netmask", 1, 32, &v) > 0) {
			vs->persist_netmask.family = AF_INET;
			vs->persist_netmask.u.v4.s_addr = htonl(~0u << (32 - v));
		}
		return;
	}
	const char *m = config_setting_get_string(s);
	struct vaddr a;
	uint32_t inv = 0;
	if (vaddr_parse(m, &a) == 0 && a.family == AF_INET)
		inv = ~ntohl(a.u.v4.s_addr);
	if (a.family != AF_INET || (inv & (inv + 1)) != 0) {
		cfx_err(x, s, ctx, "netmask %s: not an IPv4 netmask", m);
		return;
	}
	vs->persist_netmask = a;
}

static void vs_persistence(struct cfx *x, const config_setting_t *g, const char *ctx,
			   struct vs_conf *vs)
{
	static const char *const keys[] = { "timeout", "netmask", NULL };
	const config_setting_t *p = cfx_group(x, g, ctx, "persistence");
	char pctx[CFX_CTX_LEN];
	long long v;
	if (!p)
		return;
	cfx_ctx(pctx, "%s: persistence", ctx);
	vs->persistent = true;
	vs->persist_timeout = 300;
	vs->persist_prefix = 128;
	cfx_keys(x, p, pctx, keys);
	if (cfx_int(x, p, pctx, "timeout", 1, UINT32_MAX, &v) > 0)
		vs->persist_timeout = (uint32_t)v;
	persist_netmask(x, p, pctx, vs);
}

static void vs_sorry(struct cfx *x, const config_setting_t *g, const char *ctx,
		     struct vs_conf *vs)
{
	static const char *const keys[] = { "address", "port", "forwarding", "inhibit", NULL };
	const config_setting_t *s = cfx_group(x, g, ctx, "sorry_server");
	char sctx[CFX_CTX_LEN];
	long long v;
	int fwd = vs->fwd;
	if (!s)
		return;
	cfx_ctx(sctx, "%s: sorry_server", ctx);
	vs->has_sorry = true;
	cfx_keys(x, s, sctx, keys);
	cfx_enum(x, s, sctx, "forwarding", fwd_names, &fwd);
	vs->sorry_fwd = (enum fwd_method)fwd;
	cfx_bool(x, s, sctx, "inhibit", &vs->sorry_inhibit);
	if (cfx_require(x, s, sctx, "address")
	    && cfx_addr(x, s, sctx, "address", &vs->sorry_addr) > 0
	    && vs->sorry_addr.family != vs->family)
		cfx_err(x, cfx_member(s, "address"), sctx,
			"%s address in an %s virtual server",
			fam_str(vs->sorry_addr.family), fam_str(vs->family));
	if (cfx_int(x, s, sctx, "port", 1, 65535, &v) > 0)
		vs->sorry_port = (uint16_t)v;
}

static void vs_policy(struct cfx *x, const config_setting_t *g, const char *ctx,
		      struct vs_conf *vs)
{
	long long v;
	int f = ON_FAILURE_REMOVE;
	vs->check_interval = 2.0;
	vs->quorum = 1;
	cfx_num(x, g, ctx, "check_interval", false, &vs->check_interval);
	if (cfx_int(x, g, ctx, "quorum", 1, INT_MAX, &v) > 0)
		vs->quorum = (unsigned)v;
	if (cfx_int(x, g, ctx, "hysteresis", 0, INT_MAX, &v) > 0)
		vs->hysteresis = (unsigned)v;
	if (cfx_str(x, g, ctx, "on_quorum_up", &vs->on_quorum_up) > 0)
		cfx_command(x, g, ctx, "on_quorum_up", vs->on_quorum_up);
	if (cfx_str(x, g, ctx, "on_quorum_down", &vs->on_quorum_down) > 0)
		cfx_command(x, g, ctx, "on_quorum_down", vs->on_quorum_down);
	vs_sorry(x, g, ctx, vs);
	cfx_enum(x, g, ctx, "on_failure", failure_names, &f);
	vs->on_failure = (enum on_failure)f;
	cfx_bool(x, g, ctx, "start_up", &vs->start_up);
	cfx_bool(x, g, ctx, "omega", &vs->omega);
}

/* Port 0 keeps the port the client asked for: what a firewall-mark or an
 * all-ports service needs, and harmless with dr/tun (the packet is not
 * rewritten). A NAT real server of a one-port service needs a port. */
static void rs_port(struct cfx *x, const config_setting_t *g, const char *ctx,
		    const struct vs_conf *vs, struct rs_conf *rs)
{
	long long v;
	if (cfx_int(x, g, ctx, "port", 0, 65535, &v) <= 0)
		return;
	rs->port = (uint16_t)v;
	if (v == 0 && vs->port && !vs->fwmark && rs->fwd == FWD_NAT)
		cfx_err(x, cfx_member(g, "port"), ctx,
			"port 0: only for a dr or tun real server, or in a firewall-mark or "
			"all-ports service (NAT needs a port)");
}

void cfx_rs_parse(struct cfx *x, const config_setting_t *g, const struct vs_conf *vs,
		  struct rs_conf *rs, unsigned idx)
{
	char ctx[CFX_CTX_LEN];
	long long v;
	int fwd = vs->fwd;
	addr_ctx(g, "real server", idx, ctx, sizeof(ctx));
	rs->line = (int)config_setting_source_line(g);
	rs->weight = 1;
	rs->port = vs->port;
	cfx_keys(x, g, ctx, rs_keys);
	if (cfx_require(x, g, ctx, "address") && own_addr(x, g, ctx, true, &rs->addr) > 0
	    && rs->addr.family != vs->family)
		cfx_err(x, cfx_member(g, "address"), ctx,
			"%s real server in an %s virtual server",
			fam_str(rs->addr.family), fam_str(vs->family));
	cfx_enum(x, g, ctx, "forwarding", fwd_names, &fwd);
	rs->fwd = (enum fwd_method)fwd;
	rs->tunnel = vs->tunnel;
	cfx_tunnel(x, g, ctx, rs->fwd, &rs->tunnel);
	rs_port(x, g, ctx, vs, rs);
	if (cfx_int(x, g, ctx, "weight", 0, 65535, &v) > 0)
		rs->weight = (int)v;
	if (cfx_int(x, g, ctx, "uthreshold", 0, UINT32_MAX, &v) > 0)
		rs->uthreshold = (uint32_t)v;
	if (cfx_int(x, g, ctx, "lthreshold", 0, UINT32_MAX, &v) > 0)
		rs->lthreshold = (uint32_t)v;
	if (cfx_str(x, g, ctx, "notify_up", &rs->notify_up) > 0)
		cfx_command(x, g, ctx, "notify_up", rs->notify_up);
	if (cfx_str(x, g, ctx, "notify_down", &rs->notify_down) > 0)
		cfx_command(x, g, ctx, "notify_down", rs->notify_down);
	if (rs->uthreshold && rs->lthreshold > rs->uthreshold)
		cfx_err(x, cfx_member(g, "lthreshold"), ctx,
			"lthreshold %u: above uthreshold %u", rs->lthreshold, rs->uthreshold);
	const config_setting_t *l = cfx_list(x, g, ctx, "checks", false);
	if (l)
		cfx_checks(x, l, ctx, vs, rs);
}

static void vs_real_servers(struct cfx *x, const config_setting_t *g, const char *ctx,
			    struct vs_conf *vs)
{
	const config_setting_t *l = cfx_list(x, g, ctx, "real_servers", false);
	char where[PATH_MAX + 16];
	if (!l)
		return;
	unsigned n = cfx_len(l);
	vs->rs = cfx_calloc(x, n, sizeof(*vs->rs));
	for (unsigned i = 0; i < n; i++) {
		/* Slots follow list positions (a bad element leaves an empty
		 * one), so slot j's setting is element j of the list. */
		const config_setting_t *e = config_setting_get_elem(l, i);
		struct rs_conf *rs = &vs->rs[vs->n_rs++];
		if (!config_setting_is_group(e)) {
			cfx_err(x, e, ctx, "real_servers: element %u: expected a group { ... }", i + 1);
			continue;
		}
		cfx_rs_parse(x, e, vs, rs, i);
		for (unsigned j = 0; vaddr_is_set(&rs->addr) && j + 1 < vs->n_rs; j++) {
			if (vaddr_equal(&vs->rs[j].addr, &rs->addr) && vs->rs[j].port == rs->port) {
				char rctx[CFX_CTX_LEN];
				addr_ctx(e, "real server", i, rctx, sizeof(rctx));
				cfx_err(x, e, rctx, "listed twice in this virtual server (first at %s)",
					cfx_where(x, config_setting_get_elem(l, j), e, where, sizeof(where)));
				break;
			}
		}
	}
}

static void vs_ctx(const config_setting_t *g, unsigned idx, char *buf, size_t len,
		   bool *shows_addr)
{
	const char *name = NULL, *group = NULL;
	long long mark = 0;
	*shows_addr = false;
	if (cfx_member_string(g, "name", &name) && *name)
		snprintf(buf, len, "virtual server %s", name);
	else if (cfx_member_string(g, "group", &group) && *group)
		snprintf(buf, len, "virtual server group:%s", group);
	else if (!cfx_member(g, "address")
		 && cfx_member_int(g, "fwmark", &mark))
		snprintf(buf, len, "virtual server fwmark:%lld", mark);
	else {
		addr_ctx(g, "virtual server", idx, buf, len);
		*shows_addr = true;
	}
}

/* Duplicates among the virtual servers, found by sorting (a 2,000-service
 * file must not cost 2,000,000 comparisons): each later one is reported
 * against the first, in file order; a duplicate name hides a duplicate
 * service. */
struct vs_ref {
	const struct vs_conf *vs;
	unsigned i;
};

/* The keys alone; equal keys are duplicates. */
static int name_key(const struct vs_conf *p, const struct vs_conf *q)
{
	return strcmp(p->name, q->name);
}

static int service_key(const struct vs_conf *p, const struct vs_conf *q)
{
	if ((p->fwmark != 0) != (q->fwmark != 0))
		return p->fwmark ? 1 : -1;
	if (p->fwmark)
		return p->fwmark != q->fwmark ? (p->fwmark > q->fwmark ? 1 : -1)
					      : p->family - q->family;
	int c = vaddr_cmp(&p->addr, &q->addr);
	if (!c)
		c = (int)p->port - (int)q->port;
	return c ? c : (int)p->protocol - (int)q->protocol;
}

/* Sorting: by key, then file order (the first of equals comes first). */
static int index_cmp(const struct vs_ref *x, const struct vs_ref *y)
{
	return (x->i > y->i) - (x->i < y->i);
}

static int by_name(const void *a, const void *b)
{
	int c = name_key(((const struct vs_ref *)a)->vs, ((const struct vs_ref *)b)->vs);
	return c ? c : index_cmp(a, b);
}

static int by_service(const void *a, const void *b)
{
	int c = service_key(((const struct vs_ref *)a)->vs, ((const struct vs_ref *)b)->vs);
	return c ? c : index_cmp(a, b);
}

struct vs_dup {
	unsigned i, first;
	bool name;
};

static int dup_order(const void *a, const void *b)
{
	const struct vs_dup *x = a, *y = b;
	return x->i != y->i ? (x->i > y->i) - (x->i < y->i) : (int)y->name - (int)x->name;
}

/* Sorts refs; each later member of a run of equal keys is a dup of the
 * run's first. */
static unsigned runs(struct vs_ref *r, unsigned n, int (*sort)(const void *, const void *),
		     int (*key)(const struct vs_conf *, const struct vs_conf *), bool name,
		     const bool *skip, struct vs_dup *out)
{
	unsigned k = 0;
	qsort(r, n, sizeof(*r), sort);
	for (unsigned a = 0, b; a < n; a = b)
		for (b = a + 1; b < n && !key(r[a].vs, r[b].vs); b++)
			if (!skip || !skip[r[b].i])
				out[k++] = (struct vs_dup){ r[b].i, r[a].i, name };
	return k;
}

static void vs_duplicates(struct cfx *x, const config_setting_t *list)
{
	const struct conf *c = x->c;
	unsigned n = c->n_vs, nn = 0, ns = 0;
	struct vs_ref *named = calloc(n ? n : 1, sizeof(*named));
	struct vs_ref *svc = calloc(n ? n : 1, sizeof(*svc));
	struct vs_dup *dups = calloc(2 * n + 1, sizeof(*dups));
	bool *name_dup = calloc(n ? n : 1, sizeof(*name_dup));
	if (!named || !svc || !dups || !name_dup) {   /* temporaries: give back first */
		free(named);
		free(svc);
		free(dups);
		free(name_dup);
		cfx_oom(x);
	}
	for (unsigned i = 0; i < n; i++) {
		const struct vs_conf *vs = &c->vs[i];
		if (vs->name)
			named[nn++] = (struct vs_ref){ vs, i };
		if (vs->fwmark || vaddr_is_set(&vs->addr))
			svc[ns++] = (struct vs_ref){ vs, i };
	}
	unsigned nd = runs(named, nn, by_name, name_key, true, NULL, dups);
	for (unsigned k = 0; k < nd; k++)
		name_dup[dups[k].i] = true;
	nd += runs(svc, ns, by_service, service_key, false, name_dup, dups + nd);
	qsort(dups, nd, sizeof(*dups), dup_order);
	char ctx[CFX_CTX_LEN], where[PATH_MAX + 16];
	if (!list && nd)              /* a cached load: the full one says where */
		cfx_err_at(x, x->path, 0, "duplicate virtual servers");
	for (unsigned k = 0; list && k < nd; k++) {
		const config_setting_t *e = config_setting_get_elem(list, dups[k].i);
		const config_setting_t *o = config_setting_get_elem(list, dups[k].first);
		bool shows_addr;
		vs_ctx(e, dups[k].i, ctx, sizeof(ctx), &shows_addr);
		if (dups[k].name)
			cfx_err(x, cfx_member(e, "name"), ctx,
				"name already used by the virtual server at %s",
				cfx_where(x, o, e, where, sizeof(where)));
		else
			cfx_err(x, e, ctx, "same service as the virtual server at %s",
				cfx_where(x, o, e, where, sizeof(where)));
	}
	free(named);
	free(svc);
	free(dups);
	free(name_dup);
}

static void vs_parse(struct cfx *x, const config_setting_t *g, struct vs_conf *vs,
		     const char *ctx, bool shows_addr)
{
	cfx_keys(x, g, ctx, vs_keys);
	cfx_str(x, g, ctx, "name", &vs->name);
	vs_service(x, g, ctx, shows_addr, vs);
	vs_sched(x, g, ctx, vs);
	vs_persistence(x, g, ctx, vs);
	/* The kernel takes an all-ports service without persistence but
	 * schedules none of its connections. */
	long long port = -1;
	if (!vs->fwmark && !vs->persistent && cfx_member_int(g, "port", &port)
	    && port == 0)
		cfx_err(x, cfx_member(g, "port"), ctx,
			"port 0 (all ports): needs persistence");
	for (unsigned m = 0; !vs->persistent && m < vs->n_members; m++)
		if (!vs->members[m].fwmark && !vs->members[m].port) {
			cfx_err(x, cfx_member(g, "group"), ctx,
				"group %s: a port-0 (all ports) member needs persistence", vs->group);
			break;
		}
	vs_policy(x, g, ctx, vs);
	vs_real_servers(x, g, ctx, vs);
}

void cfx_vs_element(struct cfx *x, const config_setting_t *e, unsigned i, struct vs_conf *vs)
{
	if (!config_setting_is_group(e)) {
		cfx_err(x, e, NULL, "virtual_servers: element %u: expected a group { ... }", i + 1);
		return;
	}
	char ctx[CFX_CTX_LEN];
	bool shows_addr;
	vs_ctx(e, i, ctx, sizeof(ctx), &shows_addr);
	vs->line = (int)config_setting_source_line(e);
	vs_parse(x, e, vs, ctx, shows_addr);
}

void cfx_vs_across(struct cfx *x, const config_setting_t *list)
{
	vs_duplicates(x, list);
	cfx_vs_group_dups(x, list);
}

void cfx_virtual_servers(struct cfx *x, const config_setting_t *list)
{
	unsigned n = cfx_len(list);
	struct conf *c = x->c;
	c->vs = cfx_calloc(x, n, sizeof(*c->vs));
	/* Slots follow list positions, as for real servers. */
	for (unsigned i = 0; i < n; i++)
		cfx_vs_element(x, config_setting_get_elem(list, i), i, &c->vs[c->n_vs++]);
	cfx_vs_across(x, list);
}

void cfx_vs_free(struct vs_conf *vs)
{
	free(vs->name);
	free(vs->group);
	free(vs->members);
	free(vs->on_quorum_up);
	free(vs->on_quorum_down);
	for (unsigned i = 0; i < vs->n_rs; i++)
		cfx_rs_free(&vs->rs[i]);
	free(vs->rs);
}

void cfx_rs_free(struct rs_conf *rs)
{
	free(rs->notify_up);
	free(rs->notify_down);
	rs->notify_up = rs->notify_down = NULL;
	for (unsigned k = 0; k < rs->n_checks; k++)
		cfx_check_free(&rs->checks[k]);
	free(rs->checks);
	rs->checks = NULL;
	rs->n_checks = 0;
}
