/*
 * dump: reads the kernel's IPVS table — one IPVS_CMD_GET_SERVICE dump,
 * then one IPVS_CMD_GET_DEST dump per service (a netlink socket runs one
 * dump at a time) — into the table model, stats included; or one
 * service's destinations alone (ipvs_dump_service).
 */
#include "ipvs_msg.h"

#include <errno.h>
#include <string.h>

#include <netlink/genl/genl.h>

static int svc_reply_cb(struct nl_msg *msg, void *arg)
{
	struct ipvs_table *t = arg;
	struct nlattr *tb[IPVS_CMD_ATTR_MAX + 1];
	struct ipvs_service svc;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, IPVS_CMD_ATTR_MAX, ipvs_cmd_policy) < 0 ||
	    !tb[IPVS_CMD_ATTR_SERVICE])
		return -EINVAL;
	int err = ipvs_parse_service(tb[IPVS_CMD_ATTR_SERVICE], &svc);
	if (err == -EAFNOSUPPORT)
		return 0;         /* a family we do not model: not ours to touch */
	if (err)
		return err;
	return ipvs_table_add_svc(t, &svc) ? 0 : -ENOMEM;
}

static int dest_reply_cb(struct nl_msg *msg, void *arg)
{
	struct ipvs_table_svc *ts = arg;
	struct nlattr *tb[IPVS_CMD_ATTR_MAX + 1];
	struct ipvs_dest d;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, IPVS_CMD_ATTR_MAX, ipvs_cmd_policy) < 0 ||
	    !tb[IPVS_CMD_ATTR_DEST])
		return -EINVAL;
	int err = ipvs_parse_dest(tb[IPVS_CMD_ATTR_DEST], ts->svc.key.af, &d);
	return err ? err : ipvs_table_add_dest(ts, &d);
}

static int dump_dests(struct ipvs_ctx *ctx, struct ipvs_table_svc *ts, struct errbuf *eb)
{
	struct nl_msg *m = ipvs_msg_new(ctx->family, IPVS_CMD_GET_DEST, NLM_F_DUMP);
	if (!m || ipvs_msg_put_service(m, &ts->svc, false) < 0) {
		nlmsg_free(m);
		return errbuf_set(eb, ENOMEM, "ipvs: out of memory");
	}
	int err = ipvs_nl_request(ctx, m, dest_reply_cb, ts, eb);
	if (err == -ESRCH)
		return 0;         /* deleted by someone else since the service dump */
	if (err < 0) {
		char k[80];
		return errbuf_set(eb, err, "ipvs: dumping destinations of %s: %s",
				  ipvs_svc_key_str(&ts->svc.key, k, sizeof(k)), strerror(-err));
	}
	return 0;
}

int ipvs_dump(struct ipvs_ctx *ctx, struct ipvs_table *out, struct errbuf *eb)
{
	struct errbuf teb = { .msg = "" };
	struct nl_msg *m = ipvs_msg_new(ctx->family, IPVS_CMD_GET_SERVICE, NLM_F_DUMP);
	if (!m)
		return errbuf_set(eb, ENOMEM, "ipvs: out of memory");
	int err = ipvs_nl_request(ctx, m, svc_reply_cb, out, &teb);
	if (err < 0)
		return errbuf_set(eb, err, "ipvs: dumping services: %s",
				  teb.msg[0] ? teb.msg : strerror(-err));
	for (unsigned i = 0; i < out->n_svcs; i++) {
		err = dump_dests(ctx, &out->svcs[i], eb);
		if (err < 0)
			return err;
	}
	return 0;
}

int ipvs_dump_service(struct ipvs_ctx *ctx, const struct ipvs_svc_key *k, struct ipvs_table *out,
		      struct errbuf *eb)
{
	struct ipvs_service svc;
	ipvs_service_defaults(&svc, k);
	struct ipvs_table_svc *ts = ipvs_table_add_svc(out, &svc);
	if (!ts)
		return errbuf_set(eb, ENOMEM, "ipvs: out of memory");
	return dump_dests(ctx, ts, eb);
}
