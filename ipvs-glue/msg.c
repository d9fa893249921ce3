/*
 * msg: builds IPVS generic netlink requests from the table model. Pure
 * (no socket): the transport in nl.c sends what these return, and the
 * unit tests parse it back attribute by attribute.
 *
 * Encodings follow the kernel (net/netfilter/ipvs/ip_vs_ctl.c): addresses
 * are a 16-byte union nf_inet_addr, ports big-endian u16, the netmask a
 * raw be32 (IPv4 mask) or a prefix length (IPv6), flags a struct
 * ip_vs_flags whose mask covers every bit, so an edit sets them all.
 */
#include "ipvs_msg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <netlink/genl/genl.h>

struct nl_msg *ipvs_msg_new(int family, uint8_t cmd, int nlflags)
{
	struct nl_msg *m = nlmsg_alloc_size(512);
	if (!m)
		return NULL;
	if (!genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, nlflags, cmd,
			 IPVS_GENL_VERSION)) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

static int put_addr(struct nl_msg *m, int attr, const struct vaddr *a)
{
	uint8_t buf[16] = { 0 };
	if (a->family == AF_INET6)
		memcpy(buf, &a->u.v6, 16);
	else if (a->family == AF_INET)
		memcpy(buf, &a->u.v4, 4);
	return nla_put(m, attr, sizeof(buf), buf);
}

static int put_svc_key(struct nl_msg *m, const struct ipvs_svc_key *k)
{
	if (nla_put_u16(m, IPVS_SVC_ATTR_AF, k->af) < 0)
		return -EMSGSIZE;
	if (k->fwmark)
		return nla_put_u32(m, IPVS_SVC_ATTR_FWMARK, k->fwmark) < 0 ? -EMSGSIZE : 0;
	if (nla_put_u16(m, IPVS_SVC_ATTR_PROTOCOL, k->proto) < 0 ||
	    put_addr(m, IPVS_SVC_ATTR_ADDR, &k->addr) < 0 ||
	    nla_put_u16(m, IPVS_SVC_ATTR_PORT, htons(k->port)) < 0)
		return -EMSGSIZE;
	return 0;
}

int ipvs_msg_put_service(struct nl_msg *m, const struct ipvs_service *s, bool full)
{
	struct nlattr *nest = nla_nest_start(m, IPVS_CMD_ATTR_SERVICE);
	if (!nest || put_svc_key(m, &s->key) < 0)
		return -EMSGSIZE;
	if (full) {
		struct ip_vs_flags fl = { .flags = s->flags, .mask = ~0U };
		if (nla_put_string(m, IPVS_SVC_ATTR_SCHED_NAME, s->sched) < 0 ||
		    nla_put(m, IPVS_SVC_ATTR_FLAGS, sizeof(fl), &fl) < 0 ||
		    nla_put_u32(m, IPVS_SVC_ATTR_TIMEOUT, s->timeout) < 0 ||
		    nla_put_u32(m, IPVS_SVC_ATTR_NETMASK, s->netmask) < 0)
			return -EMSGSIZE;
	}
	nla_nest_end(m, nest);
	return 0;
}

static int put_dest_tun(struct nl_msg *m, const struct ipvs_dest *d)
{
	if (d->fwd != IP_VS_CONN_F_TUNNEL)
		return 0;
	if (nla_put_u8(m, IPVS_DEST_ATTR_TUN_TYPE, d->tun_type) < 0 ||
	    nla_put_u16(m, IPVS_DEST_ATTR_TUN_PORT, htons(d->tun_port)) < 0 ||
	    nla_put_u16(m, IPVS_DEST_ATTR_TUN_FLAGS, d->tun_flags) < 0)
		return -EMSGSIZE;
	return 0;
}

int ipvs_msg_put_dest(struct nl_msg *m, const struct ipvs_dest *d, bool full)
{
	struct nlattr *nest = nla_nest_start(m, IPVS_CMD_ATTR_DEST);
	if (!nest ||
	    put_addr(m, IPVS_DEST_ATTR_ADDR, &d->addr) < 0 ||
	    nla_put_u16(m, IPVS_DEST_ATTR_PORT, htons(d->port)) < 0 ||
	    nla_put_u16(m, IPVS_DEST_ATTR_ADDR_FAMILY, d->addr.family) < 0)
		return -EMSGSIZE;
	if (full) {
		if (nla_put_u32(m, IPVS_DEST_ATTR_FWD_METHOD, d->fwd) < 0 ||
		    nla_put_u32(m, IPVS_DEST_ATTR_WEIGHT, (uint32_t)d->weight) < 0 ||
		    nla_put_u32(m, IPVS_DEST_ATTR_U_THRESH, d->u_thresh) < 0 ||
		    nla_put_u32(m, IPVS_DEST_ATTR_L_THRESH, d->l_thresh) < 0 ||
		    put_dest_tun(m, d) < 0)
			return -EMSGSIZE;
	}
	nla_nest_end(m, nest);
	return 0;
}

uint8_t ipvs_op_cmd(enum ipvs_op_type t)
{
	switch (t) {
	case IPVS_OP_ADD_SVC: return IPVS_CMD_NEW_SERVICE;
	case IPVS_OP_EDIT_SVC: return IPVS_CMD_SET_SERVICE;
	case IPVS_OP_DEL_SVC: return IPVS_CMD_DEL_SERVICE;
	case IPVS_OP_ADD_DEST: return IPVS_CMD_NEW_DEST;
	case IPVS_OP_EDIT_DEST: return IPVS_CMD_SET_DEST;
	case IPVS_OP_DEL_DEST: return IPVS_CMD_DEL_DEST;
	}
	return IPVS_CMD_UNSPEC;
}

struct nl_msg *ipvs_msg_op(int family, const struct ipvs_op *op)
{
	struct nl_msg *m = ipvs_msg_new(family, ipvs_op_cmd(op->type), NLM_F_ACK);
	if (!m)
		return NULL;
	bool svc_full = op->type == IPVS_OP_ADD_SVC || op->type == IPVS_OP_EDIT_SVC;
	bool is_dest = op->type >= IPVS_OP_ADD_DEST;
	int err = ipvs_msg_put_service(m, &op->svc, svc_full);
	if (!err && is_dest)
		err = ipvs_msg_put_dest(m, &op->dest, op->type != IPVS_OP_DEL_DEST);
	if (err) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

struct nl_msg *ipvs_msg_sync_start(int family, const struct ipvs_sync_daemon *d)
{
	struct nl_msg *m = ipvs_msg_new(family, IPVS_CMD_NEW_DAEMON, NLM_F_ACK);
	if (!m)
		return NULL;
	struct nlattr *nest = nla_nest_start(m, IPVS_CMD_ATTR_DAEMON);
	if (!nest ||
	    nla_put_u32(m, IPVS_DAEMON_ATTR_STATE, d->state) < 0 ||
	    nla_put_string(m, IPVS_DAEMON_ATTR_MCAST_IFN, d->ifname) < 0 ||
	    nla_put_u32(m, IPVS_DAEMON_ATTR_SYNC_ID, d->syncid) < 0) {
		nlmsg_free(m);
		return NULL;
	}
	nla_nest_end(m, nest);
	return m;
}

struct nl_msg *ipvs_msg_sync_stop(int family, enum ipvs_sync_state state)
{
	struct nl_msg *m = ipvs_msg_new(family, IPVS_CMD_DEL_DAEMON, NLM_F_ACK);
	if (!m)
		return NULL;
	struct nlattr *nest = nla_nest_start(m, IPVS_CMD_ATTR_DAEMON);
	if (!nest || nla_put_u32(m, IPVS_DAEMON_ATTR_STATE, state) < 0) {
		nlmsg_free(m);
		return NULL;
	}
	nla_nest_end(m, nest);
	return m;
}

struct nl_msg *ipvs_msg_timeouts_set(int family, const struct ipvs_timeouts *t)
{
	struct nl_msg *m = ipvs_msg_new(family, IPVS_CMD_SET_CONFIG, NLM_F_ACK);
	if (!m)
		return NULL;
	if ((t->tcp && nla_put_u32(m, IPVS_CMD_ATTR_TIMEOUT_TCP, t->tcp) < 0) ||
	    (t->tcp_fin && nla_put_u32(m, IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, t->tcp_fin) < 0) ||
	    (t->udp && nla_put_u32(m, IPVS_CMD_ATTR_TIMEOUT_UDP, t->udp) < 0)) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}
