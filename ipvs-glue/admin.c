/*
 * admin: the IPVS knobs outside the service table — the connection-sync
 * daemon (master/backup, interface, syncid) and the tcp/tcpfin/udp
 * connection timeouts. Each is one request with its ack.
 */
#include "ipvs_msg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netlink/genl/genl.h>

static const char *state_str(enum ipvs_sync_state s)
{
	return s == IPVS_SYNC_MASTER ? "master" : s == IPVS_SYNC_BACKUP ? "backup" : "?";
}

int ipvs_sync_start(struct ipvs_ctx *ctx, const struct ipvs_sync_daemon *d, struct errbuf *eb)
{
	if (d->state != IPVS_SYNC_MASTER && d->state != IPVS_SYNC_BACKUP)
		return errbuf_set(eb, EINVAL, "ipvs: sync daemon state must be master or backup");
	struct nl_msg *m = ipvs_msg_sync_start(ctx->family, d);
	if (!m)
		return errbuf_set(eb, ENOMEM, "ipvs: out of memory");
	int err = ipvs_nl_request(ctx, m, NULL, NULL, eb);
	if (err == -EEXIST)
		return errbuf_set(eb, err, "ipvs: sync daemon (%s) already running",
				  state_str(d->state));
	if (err == -ENODEV)
		return errbuf_set(eb, err, "ipvs: sync daemon: no such interface %s", d->ifname);
	if (err < 0)
		return errbuf_set(eb, err, "ipvs: starting sync daemon (%s on %s, syncid %u): %s",
				  state_str(d->state), d->ifname, d->syncid, strerror(-err));
	return 0;
}

int ipvs_sync_stop(struct ipvs_ctx *ctx, enum ipvs_sync_state state, struct errbuf *eb)
{
	struct nl_msg *m = ipvs_msg_sync_stop(ctx->family, state);
	if (!m)
		return errbuf_set(eb, ENOMEM, "ipvs: out of memory");
	int err = ipvs_nl_request(ctx, m, NULL, NULL, eb);
	if (err == -ESRCH)
		return errbuf_set(eb, err, "ipvs: no sync daemon (%s) running", state_str(state));
	if (err < 0)
		return errbuf_set(eb, err, "ipvs: stopping sync daemon (%s): %s",
				  state_str(state), strerror(-err));
	return 0;
}

struct sync_list {
	struct ipvs_sync_daemon *out;
	unsigned n;
};

static int sync_reply_cb(struct nl_msg *msg, void *arg)
{
	struct sync_list *l = arg;
	struct nlattr *tb[IPVS_CMD_ATTR_MAX + 1], *d[IPVS_DAEMON_ATTR_MAX + 1];
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, IPVS_CMD_ATTR_MAX, ipvs_cmd_policy) < 0 ||
	    !tb[IPVS_CMD_ATTR_DAEMON] ||
	    nla_parse_nested(d, IPVS_DAEMON_ATTR_MAX, tb[IPVS_CMD_ATTR_DAEMON],
			     ipvs_daemon_policy) < 0)
		return -EINVAL;
	if (l->n >= 2 || !d[IPVS_DAEMON_ATTR_STATE])
		return 0;
	struct ipvs_sync_daemon *s = &l->out[l->n++];
	memset(s, 0, sizeof(*s));
	s->state = nla_get_u32(d[IPVS_DAEMON_ATTR_STATE]);
	if (d[IPVS_DAEMON_ATTR_MCAST_IFN])
		nla_strlcpy(s->ifname, d[IPVS_DAEMON_ATTR_MCAST_IFN], sizeof(s->ifname));
	if (d[IPVS_DAEMON_ATTR_SYNC_ID])
		s->syncid = nla_get_u32(d[IPVS_DAEMON_ATTR_SYNC_ID]);
	return 0;
}

int ipvs_sync_get(struct ipvs_ctx *ctx, struct ipvs_sync_daemon out[2], unsigned *n,
		  struct errbuf *eb)
{
	struct sync_list l = { .out = out };
	struct nl_msg *m = ipvs_msg_new(ctx->family, IPVS_CMD_GET_DAEMON, NLM_F_DUMP);
	if (!m)
		return errbuf_set(eb, ENOMEM, "ipvs: out of memory");
	int err = ipvs_nl_request(ctx, m, sync_reply_cb, &l, eb);
	*n = l.n;
	if (err < 0)
		return errbuf_set(eb, err, "ipvs: reading sync daemons: %s", strerror(-err));
	return 0;
}

static int timeouts_reply_cb(struct nl_msg *msg, void *arg)
{
	struct ipvs_timeouts *t = arg;
	struct nlattr *tb[IPVS_CMD_ATTR_MAX + 1];
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, IPVS_CMD_ATTR_MAX, ipvs_cmd_policy) < 0)
		return -EINVAL;
	if (tb[IPVS_CMD_ATTR_TIMEOUT_TCP])
		t->tcp = nla_get_u32(tb[IPVS_CMD_ATTR_TIMEOUT_TCP]);
	if (tb[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN])
		t->tcp_fin = nla_get_u32(tb[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN]);
	if (tb[IPVS_CMD_ATTR_TIMEOUT_UDP])
		t->udp = nla_get_u32(tb[IPVS_CMD_ATTR_TIMEOUT_UDP]);
	return 0;
}

int ipvs_timeouts_get(struct ipvs_ctx *ctx, struct ipvs_timeouts *out, struct errbuf *eb)
{
	memset(out, 0, sizeof(*out));
	struct nl_msg *m = ipvs_msg_new(ctx->family, IPVS_CMD_GET_CONFIG, NLM_F_ACK);
	if (!m)
		return errbuf_set(eb, ENOMEM, "ipvs: out of memory");
	int err = ipvs_nl_request(ctx, m, timeouts_reply_cb, out, eb);
	if (err < 0)
		return errbuf_set(eb, err, "ipvs: reading timeouts: %s", strerror(-err));
	return 0;
}

int ipvs_timeouts_set(struct ipvs_ctx *ctx, const struct ipvs_timeouts *t, struct errbuf *eb)
{
	struct nl_msg *m = ipvs_msg_timeouts_set(ctx->family, t);
	if (!m)
		return errbuf_set(eb, ENOMEM, "ipvs: out of memory");
	int err = ipvs_nl_request(ctx, m, NULL, NULL, eb);
	if (err < 0)
		return errbuf_set(eb, err, "ipvs: setting timeouts (tcp %u, tcpfin %u, udp %u): %s",
				  t->tcp, t->tcp_fin, t->udp, strerror(-err));
	return 0;
}
