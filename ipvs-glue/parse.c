/*
 * parse: IPVS attribute nests (from dumps and GET replies) back into the
 * table model, validated against the tables in policy.c. The inverse of
 * msg.c, which the unit tests exploit: build, then parse back.
 */
#include "ipvs_msg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

static void get_addr(struct nlattr *a, uint16_t af, struct vaddr *out)
{
	memset(out, 0, sizeof(*out));
	out->family = af;
	size_t want = af == AF_INET6 ? 16 : 4;
	size_t len = (size_t)nla_len(a);
	memcpy(af == AF_INET6 ? (void *)&out->u.v6 : (void *)&out->u.v4, nla_data(a),
	       len < want ? len : want);
}

/* STATS mixes u32 and u64 counters; the length tells which. */
static uint64_t get_counter(struct nlattr *a)
{
	return nla_len(a) >= 8 ? nla_get_u64(a) : nla_get_u32(a);
}

int ipvs_parse_stats(struct nlattr *nest, bool is64, struct ipvs_stats *out)
{
	struct nlattr *tb[IPVS_STATS_ATTR_MAX + 1];
	if (nla_parse_nested(tb, IPVS_STATS_ATTR_MAX, nest, ipvs_stats_policy) < 0)
		return -EINVAL;
	uint64_t *dst[IPVS_STATS_ATTR_MAX + 1] = {
		[IPVS_STATS_ATTR_CONNS] = &out->conns,
		[IPVS_STATS_ATTR_INPKTS] = &out->inpkts,
		[IPVS_STATS_ATTR_OUTPKTS] = &out->outpkts,
		[IPVS_STATS_ATTR_INBYTES] = &out->inbytes,
		[IPVS_STATS_ATTR_OUTBYTES] = &out->outbytes,
		[IPVS_STATS_ATTR_CPS] = &out->cps,
		[IPVS_STATS_ATTR_INPPS] = &out->inpps,
		[IPVS_STATS_ATTR_OUTPPS] = &out->outpps,
		[IPVS_STATS_ATTR_INBPS] = &out->inbps,
		[IPVS_STATS_ATTR_OUTBPS] = &out->outbps,
	};
	for (int i = 0; i <= IPVS_STATS_ATTR_MAX; i++)
		if (tb[i] && dst[i])
			*dst[i] = get_counter(tb[i]);
	return 0;
}

static int parse_svc_stats(struct nlattr **tb, struct ipvs_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (tb[IPVS_SVC_ATTR_STATS64])
		return ipvs_parse_stats(tb[IPVS_SVC_ATTR_STATS64], true, out);
	if (tb[IPVS_SVC_ATTR_STATS])
		return ipvs_parse_stats(tb[IPVS_SVC_ATTR_STATS], false, out);
	return 0;
}

int ipvs_parse_service(struct nlattr *nest, struct ipvs_service *out)
{
	struct nlattr *tb[IPVS_SVC_ATTR_MAX + 1];
	memset(out, 0, sizeof(*out));
	if (nla_parse_nested(tb, IPVS_SVC_ATTR_MAX, nest, ipvs_svc_policy) < 0)
		return -EINVAL;
	if (!tb[IPVS_SVC_ATTR_AF])
		return -EINVAL;
	out->key.af = nla_get_u16(tb[IPVS_SVC_ATTR_AF]);
	if (out->key.af != AF_INET && out->key.af != AF_INET6)
		return -EAFNOSUPPORT;
	if (tb[IPVS_SVC_ATTR_FWMARK] && nla_get_u32(tb[IPVS_SVC_ATTR_FWMARK])) {
		out->key.fwmark = nla_get_u32(tb[IPVS_SVC_ATTR_FWMARK]);
	} else {
		if (!tb[IPVS_SVC_ATTR_PROTOCOL] || !tb[IPVS_SVC_ATTR_ADDR] || !tb[IPVS_SVC_ATTR_PORT])
			return -EINVAL;
		out->key.proto = nla_get_u16(tb[IPVS_SVC_ATTR_PROTOCOL]);
		get_addr(tb[IPVS_SVC_ATTR_ADDR], out->key.af, &out->key.addr);
		out->key.port = ntohs(nla_get_u16(tb[IPVS_SVC_ATTR_PORT]));
	}
	if (tb[IPVS_SVC_ATTR_SCHED_NAME])
		nla_strlcpy(out->sched, tb[IPVS_SVC_ATTR_SCHED_NAME], sizeof(out->sched));
	if (tb[IPVS_SVC_ATTR_FLAGS]) {
		struct ip_vs_flags fl;
		memcpy(&fl, nla_data(tb[IPVS_SVC_ATTR_FLAGS]), sizeof(fl));
		out->flags = fl.flags & ~(uint32_t)IP_VS_SVC_F_HASHED;
	}
	if (tb[IPVS_SVC_ATTR_TIMEOUT])
		out->timeout = nla_get_u32(tb[IPVS_SVC_ATTR_TIMEOUT]);
	if (tb[IPVS_SVC_ATTR_NETMASK])
		out->netmask = nla_get_u32(tb[IPVS_SVC_ATTR_NETMASK]);
	return parse_svc_stats(tb, &out->stats);
}

static uint32_t opt_u32(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

int ipvs_parse_dest(struct nlattr *nest, uint16_t svc_af, struct ipvs_dest *out)
{
	struct nlattr *tb[IPVS_DEST_ATTR_MAX + 1];
	memset(out, 0, sizeof(*out));
	if (nla_parse_nested(tb, IPVS_DEST_ATTR_MAX, nest, ipvs_dest_policy) < 0)
		return -EINVAL;
	if (!tb[IPVS_DEST_ATTR_ADDR] || !tb[IPVS_DEST_ATTR_PORT])
		return -EINVAL;
	uint16_t af = tb[IPVS_DEST_ATTR_ADDR_FAMILY] ? nla_get_u16(tb[IPVS_DEST_ATTR_ADDR_FAMILY])
						      : svc_af;
	if (af != AF_INET && af != AF_INET6)
		return -EAFNOSUPPORT;
	get_addr(tb[IPVS_DEST_ATTR_ADDR], af, &out->addr);
	out->port = ntohs(nla_get_u16(tb[IPVS_DEST_ATTR_PORT]));
	out->fwd = opt_u32(tb[IPVS_DEST_ATTR_FWD_METHOD]) & IP_VS_CONN_F_FWD_MASK;
	out->weight = (int32_t)opt_u32(tb[IPVS_DEST_ATTR_WEIGHT]);
	out->u_thresh = opt_u32(tb[IPVS_DEST_ATTR_U_THRESH]);
	out->l_thresh = opt_u32(tb[IPVS_DEST_ATTR_L_THRESH]);
	out->active_conns = opt_u32(tb[IPVS_DEST_ATTR_ACTIVE_CONNS]);
	out->inact_conns = opt_u32(tb[IPVS_DEST_ATTR_INACT_CONNS]);
	out->persist_conns = opt_u32(tb[IPVS_DEST_ATTR_PERSIST_CONNS]);
	if (tb[IPVS_DEST_ATTR_TUN_TYPE])
		out->tun_type = nla_get_u8(tb[IPVS_DEST_ATTR_TUN_TYPE]);
	if (tb[IPVS_DEST_ATTR_TUN_PORT])
		out->tun_port = ntohs(nla_get_u16(tb[IPVS_DEST_ATTR_TUN_PORT]));
	if (tb[IPVS_DEST_ATTR_TUN_FLAGS])
		out->tun_flags = nla_get_u16(tb[IPVS_DEST_ATTR_TUN_FLAGS]);
	if (tb[IPVS_DEST_ATTR_STATS64])
		return ipvs_parse_stats(tb[IPVS_DEST_ATTR_STATS64], true, &out->stats);
	if (tb[IPVS_DEST_ATTR_STATS])
		return ipvs_parse_stats(tb[IPVS_DEST_ATTR_STATS], false, &out->stats);
	return 0;
}
