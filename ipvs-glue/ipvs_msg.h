/*
 * msg: ipvs-glue's internal interfaces — the message builders and
 * attribute parsers (msg.c, parse.c), the nla_policy tables (policy.c) and
 * the netlink transport (nl.c). Not for use outside ipvs-glue except by
 * its unit tests, which build messages and parse them back.
 */
#ifndef VIGIL_IPVS_MSG_H
#define VIGIL_IPVS_MSG_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/ip_vs.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "ipvs.h"

/* ---- policy.c: for parsing what the kernel sends ---- */
extern const struct nla_policy ipvs_cmd_policy[IPVS_CMD_ATTR_MAX + 1];
extern const struct nla_policy ipvs_svc_policy[IPVS_SVC_ATTR_MAX + 1];
extern const struct nla_policy ipvs_dest_policy[IPVS_DEST_ATTR_MAX + 1];
extern const struct nla_policy ipvs_stats_policy[IPVS_STATS_ATTR_MAX + 1];
extern const struct nla_policy ipvs_daemon_policy[IPVS_DAEMON_ATTR_MAX + 1];
extern const struct nla_policy ipvs_info_policy[IPVS_INFO_ATTR_MAX + 1];

/* ---- msg.c: builders (no I/O) ---- */

/* A generic netlink request for the IPVS family id: header only. */
struct nl_msg *ipvs_msg_new(int family, uint8_t cmd, int nlflags);
/* An IPVS_CMD_ATTR_SERVICE nest: the key, plus (full) sched, flags,
 * timeout and netmask. Returns 0 or -EMSGSIZE. */
int ipvs_msg_put_service(struct nl_msg *m, const struct ipvs_service *s, bool full);
/* An IPVS_CMD_ATTR_DEST nest: the key, plus (full) fwd, weight, thresholds
 * and, for TUN, the tunnel attributes. Returns 0 or -EMSGSIZE. */
int ipvs_msg_put_dest(struct nl_msg *m, const struct ipvs_dest *d, bool full);
/* The whole request for one operation, NLM_F_ACK set. NULL on ENOMEM. */
struct nl_msg *ipvs_msg_op(int family, const struct ipvs_op *op);
struct nl_msg *ipvs_msg_sync_start(int family, const struct ipvs_sync_daemon *d);
struct nl_msg *ipvs_msg_sync_stop(int family, enum ipvs_sync_state state);
struct nl_msg *ipvs_msg_timeouts_set(int family, const struct ipvs_timeouts *t);
/* The generic netlink command that carries an op. */
uint8_t ipvs_op_cmd(enum ipvs_op_type t);

/* ---- parse.c: attribute nests back into the table model ---- */
int ipvs_parse_service(struct nlattr *nest, struct ipvs_service *out);
int ipvs_parse_dest(struct nlattr *nest, uint16_t svc_af, struct ipvs_dest *out);
int ipvs_parse_stats(struct nlattr *nest, bool is64, struct ipvs_stats *out);

/* ---- nl.c: transport ---- */

/* Called for each reply message of a request; returns 0 or -errno. */
typedef int (*ipvs_reply_fn)(struct nl_msg *msg, void *arg);
/* Builds request i of a batch; NULL on ENOMEM. */
typedef struct nl_msg *(*ipvs_build_fn)(void *arg, unsigned i);

/* Sends one request (consumed) and reads its replies (dump or ack).
 * Returns 0, the kernel's -errno, or a transport -errno with eb set. */
int ipvs_nl_request(struct ipvs_ctx *ctx, struct nl_msg *msg, ipvs_reply_fn fn, void *arg,
		    struct errbuf *eb);
/* Sends n requests, up to ctx->max_inflight per sendmsg, then collects
 * their acks; errs[i] gets request i's 0 or -errno (-EMSGSIZE, unsent,
 * for one larger than a sendmsg may carry). Returns 0, or a transport
 * -errno (requests not acked then get it too) with eb set. */
int ipvs_nl_batch(struct ipvs_ctx *ctx, unsigned n, ipvs_build_fn build, void *arg, int *errs,
		  struct errbuf *eb);

#endif
