/*
 * ops: the operation list — growing it, printing it for dry runs
 * ("add service tcp 192.0.2.10:80 wlc"), explaining the kernel's errnos
 * per operation, and ipvs_apply, which sends a list through the batched
 * transport and records each operation's result.
 */
#include "ipvs_msg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ipvs_oplist_init(struct ipvs_oplist *l)
{
	memset(l, 0, sizeof(*l));
}

void ipvs_oplist_free(struct ipvs_oplist *l)
{
	free(l->ops);
	ipvs_oplist_init(l);
}

int ipvs_oplist_reserve(struct ipvs_oplist *l, unsigned n)
{
	if (n <= l->cap)
		return 0;
	struct ipvs_op *ops = realloc(l->ops, (size_t)n * sizeof(*ops));
	if (!ops)
		return -ENOMEM;
	l->ops = ops;
	l->cap = n;
	return 0;
}

int ipvs_oplist_push(struct ipvs_oplist *l, const struct ipvs_op *op)
{
	if (l->n == l->cap) {
		unsigned ncap = l->cap ? l->cap * 2 : 64;
		struct ipvs_op *n = realloc(l->ops, (size_t)ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		l->ops = n;
		l->cap = ncap;
	}
	l->ops[l->n++] = *op;
	return 0;
}

/* ---- formatting ---- */

static const char *const op_verb[] = {
	[IPVS_OP_ADD_SVC] = "add service", [IPVS_OP_EDIT_SVC] = "edit service",
	[IPVS_OP_DEL_SVC] = "delete service", [IPVS_OP_ADD_DEST] = "add dest",
	[IPVS_OP_EDIT_DEST] = "edit dest", [IPVS_OP_DEL_DEST] = "delete dest",
};

/* Appends printf output at *pos without overrunning len. */
__attribute__((format(printf, 4, 5)))
static void app(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	if (*pos >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (r > 0)
		*pos += (size_t)r;
}

static void fmt_sched_flags(const struct ipvs_service *s, char *buf, size_t len, size_t *pos)
{
	const char *pfx = strcmp(s->sched, "sh") == 0 ? "sh" :
			  strcmp(s->sched, "mh") == 0 ? "mh" : NULL;
	if (s->flags & IP_VS_SVC_F_SCHED1)
		app(buf, len, pos, pfx ? " %s-fallback" : " %sflag-1", pfx ? pfx : "");
	if (s->flags & IP_VS_SVC_F_SCHED2)
		app(buf, len, pos, pfx ? " %s-port" : " %sflag-2", pfx ? pfx : "");
	if (s->flags & IP_VS_SVC_F_SCHED3)
		app(buf, len, pos, " flag-3");
}

static void fmt_service_attrs(const struct ipvs_service *s, char *buf, size_t len, size_t *pos)
{
	app(buf, len, pos, " %s", s->sched);
	fmt_sched_flags(s, buf, len, pos);
	if (s->flags & IP_VS_SVC_F_PERSISTENT) {
		app(buf, len, pos, " persistent %u", s->timeout);
		if (s->key.af == AF_INET && s->netmask != 0xffffffffU) {
			char m[INET_ADDRSTRLEN];
			struct in_addr a = { .s_addr = s->netmask };
			app(buf, len, pos, " netmask %s", inet_ntop(AF_INET, &a, m, sizeof(m)));
		} else if (s->key.af == AF_INET6 && s->netmask != 128) {
			app(buf, len, pos, " prefix %u", s->netmask);
		}
	}
	if (s->flags & IP_VS_SVC_F_ONEPACKET)
		app(buf, len, pos, " ops");
}

static void fmt_dest_attrs(const struct ipvs_dest *d, char *buf, size_t len, size_t *pos)
{
	app(buf, len, pos, " weight %d %s", d->weight, ipvs_fwd_str(d->fwd));
	if (d->u_thresh)
		app(buf, len, pos, " uthreshold %u", d->u_thresh);
	if (d->l_thresh)
		app(buf, len, pos, " lthreshold %u", d->l_thresh);
	if (d->fwd == IP_VS_CONN_F_TUNNEL && d->tun_type != IP_VS_CONN_F_TUNNEL_TYPE_IPIP) {
		app(buf, len, pos, " tun-type %s",
		    d->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GUE ? "gue" :
		    d->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GRE ? "gre" : "?");
		if (d->tun_port)
			app(buf, len, pos, " tun-port %u", d->tun_port);
		if (d->tun_flags)
			app(buf, len, pos, " tun-flags 0x%x", d->tun_flags);
	}
}

const char *ipvs_op_format(const struct ipvs_op *op, char *buf, size_t len)
{
	char key[VADDR_PORT_STRLEN + 16], dst[VADDR_PORT_STRLEN];
	size_t pos = 0;
	if (len == 0)
		return buf;
	buf[0] = '\0';
	app(buf, len, &pos, "%s %s", op_verb[op->type],
	    ipvs_svc_key_str(&op->svc.key, key, sizeof(key)));
	if (op->type == IPVS_OP_ADD_SVC || op->type == IPVS_OP_EDIT_SVC)
		fmt_service_attrs(&op->svc, buf, len, &pos);
	if (op->type >= IPVS_OP_ADD_DEST)
		app(buf, len, &pos, " -> %s",
		    vaddr_port_str(&op->dest.addr, op->dest.port, dst, sizeof(dst)));
	if (op->type == IPVS_OP_ADD_DEST || op->type == IPVS_OP_EDIT_DEST)
		fmt_dest_attrs(&op->dest, buf, len, &pos);
	return buf;
}

/* ---- errors ---- */

static const char *svc_strerror(enum ipvs_op_type t, int err)
{
	switch (err) {
	case EEXIST: return "service already exists";
	case ESRCH: return "no such service";
	case ENOENT: return "scheduler module not found";
	case EINVAL: return "invalid service (rejected by the kernel)";
	}
	return NULL;
}

static const char *dest_strerror(enum ipvs_op_type t, int err)
{
	switch (err) {
	case EEXIST: return "destination already exists";
	case ESRCH: return "no such service";
	case ENOENT: return "no such destination";
	case ERANGE: return "weight or thresholds out of range";
	case EINVAL: return "invalid destination (rejected by the kernel)";
	case EAFNOSUPPORT: return "address family not supported with this forwarding method";
	}
	return NULL;
}

const char *ipvs_op_strerror(const struct ipvs_op *op, int err)
{
	err = err < 0 ? -err : err;
	const char *s = op->type >= IPVS_OP_ADD_DEST ? dest_strerror(op->type, err)
						     : svc_strerror(op->type, err);
	if (s)
		return s;
	switch (err) {
	case EPERM: return "permission denied (CAP_NET_ADMIN needed)";
	case EAFNOSUPPORT: return "address family not supported";
	case EPROTONOSUPPORT: return "protocol not supported";
	case ENOBUFS: return "netlink buffer overflow";
	}
	return strerror(err);
}

int ipvs_op_errbuf(const struct ipvs_op *op, int err, struct errbuf *eb)
{
	char what[256];
	ipvs_op_format(op, what, sizeof(what));
	if ((op->type == IPVS_OP_ADD_SVC || op->type == IPVS_OP_EDIT_SVC) &&
	    (err == -ENOENT || err == ENOENT))
		return errbuf_set(eb, err, "%s: scheduler module not found (ip_vs_%s)", what,
				  op->svc.sched);
	return errbuf_set(eb, err, "%s: %s", what, ipvs_op_strerror(op, err));
}

/* ---- apply ---- */

struct apply_ctx {
	int family;
	const struct ipvs_oplist *ops;
};

static struct nl_msg *build_op_cb(void *arg, unsigned i)
{
	struct apply_ctx *a = arg;
	return ipvs_msg_op(a->family, &a->ops->ops[i]);
}

int ipvs_apply(struct ipvs_ctx *ctx, struct ipvs_oplist *ops, struct errbuf *eb)
{
	if (ops->n == 0)
		return 0;
	int *errs = calloc(ops->n, sizeof(*errs));
	if (!errs)
		return errbuf_set(eb, ENOMEM, "ipvs: out of memory");
	struct apply_ctx a = { .family = ctx->family, .ops = ops };
	struct errbuf teb = { .msg = "" };
	int terr = ipvs_nl_batch(ctx, ops->n, build_op_cb, &a, errs, &teb);
	unsigned failed = 0, first = 0;
	for (unsigned i = 0; i < ops->n; i++) {
		ops->ops[i].err = errs[i];
		if (errs[i] && failed++ == 0)
			first = i;
	}
	free(errs);
	if (terr)
		return errbuf_set(eb, terr, "%u of %u operations failed: %s", failed, ops->n,
				  teb.msg);
	if (!failed)
		return 0;
	struct errbuf one;
	int err = ipvs_op_errbuf(&ops->ops[first], ops->ops[first].err, &one);
	return errbuf_set(eb, err, "%u of %u operations failed; first: %s", failed, ops->n,
			  one.msg);
}
