/*
 * ipvs: the public API of ipvs-glue, the only code in vigil that speaks
 * IPVS generic netlink.
 *
 *   struct conf ──ipvs_table_from_conf──▶ wanted ┐
 *                                                ├─ipvs_reconcile─▶ ops ─ipvs_apply─▶ kernel
 *   kernel ──────ipvs_dump──────────────▶ kernel ┘                   │
 *                                                    ipvs_op_format ─┘ (dry run)
 *
 * The caller owns a struct ipvs_ctx (one netlink socket, the IPVS family
 * resolved once). Nothing here logs: functions return 0 or -errno and
 * leave a readable message in the errbuf; ipvs_apply also records each
 * operation's own result in op->err, one failure not stopping the others.
 */
#ifndef VIGIL_IPVS_H
#define VIGIL_IPVS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "errbuf.h"
#include "ipvs_table.h"

struct nl_sock;
struct conf;

#define IPVS_MAX_INFLIGHT 256         /* requests in one sendmsg, answered before the next */

struct ipvs_ctx {
	struct nl_sock *sk;
	int family;                   /* generic netlink id of "IPVS" */
	unsigned max_inflight;        /* 1..IPVS_MAX_INFLIGHT */
	bool ack_each;                /* an ack for every request of a batch, not only
				       * for its last (benchmarks compare the two) */
	uint32_t version;             /* IPVS_INFO_ATTR_VERSION, e.g. 0x010201 */
	uint64_t n_requests;          /* requests sent, for tests and status */
	uint64_t n_batches;           /* sendmsg calls carrying them */
};

/* Opens the socket and resolves the family. -ENOENT with a message that
 * says `modprobe ip_vs` when the kernel has no IPVS. */
int ipvs_open(struct ipvs_ctx *ctx, struct errbuf *eb);
void ipvs_close(struct ipvs_ctx *ctx);

/* Dumps every service and its destinations (with stats) into out, which
 * must be empty (ipvs_table_init). On failure out holds what was read
 * before it: the caller frees out either way. */
int ipvs_dump(struct ipvs_ctx *ctx, struct ipvs_table *out, struct errbuf *eb);
/* Appends the service with key k to out and dumps its destinations (with
 * stats) into it: one request, whatever the size of the rest of the
 * table. The service's own attributes are not read (defaults); a service
 * the kernel does not have gets no destinations. 0 or -errno. */
int ipvs_dump_service(struct ipvs_ctx *ctx, const struct ipvs_svc_key *k, struct ipvs_table *out,
		      struct errbuf *eb);

/* ---- operations ---- */

enum ipvs_op_type {
	IPVS_OP_ADD_SVC, IPVS_OP_EDIT_SVC, IPVS_OP_DEL_SVC,
	IPVS_OP_ADD_DEST, IPVS_OP_EDIT_DEST, IPVS_OP_DEL_DEST,
};

struct ipvs_op {
	enum ipvs_op_type type;
	struct ipvs_service svc;      /* for dest ops only the key matters */
	struct ipvs_dest dest;        /* dest ops only */
	int err;                      /* after ipvs_apply: 0 or -errno */
};

struct ipvs_oplist {
	struct ipvs_op *ops;
	unsigned n, cap;
};

void ipvs_oplist_init(struct ipvs_oplist *l);
void ipvs_oplist_free(struct ipvs_oplist *l);
int ipvs_oplist_push(struct ipvs_oplist *l, const struct ipvs_op *op);
/* Room for n operations in all; 0 or -ENOMEM. */
int ipvs_oplist_reserve(struct ipvs_oplist *l, unsigned n);

/*
 * The minimal operations that turn `kernel` into `wanted` for the services
 * vigil owns: those in `wanted`, plus those in `owned` (the previously
 * wanted table; NULL for none), which are deleted when no longer wanted.
 * Kernel services in neither are never touched. Matching services and
 * destinations are adopted; differing editable fields are edited. Order:
 * service deletes, then per service: its add or edit, dest deletes, edits,
 * adds. Pure: no I/O. Returns 0 or -ENOMEM.
 */
int ipvs_reconcile(const struct ipvs_table *wanted, const struct ipvs_table *kernel,
		   const struct ipvs_table *owned, struct ipvs_oplist *out);

/* Sends every op batched (up to ctx->max_inflight requests per sendmsg,
 * acks collected after), sets each op->err. Returns 0 when all succeeded,
 * else the first failure's -errno with "N of M operations failed; first:
 * <op>: <reason>" in eb. */
int ipvs_apply(struct ipvs_ctx *ctx, struct ipvs_oplist *ops, struct errbuf *eb);

/* "add service tcp 192.0.2.10:80 wlc", "edit dest tcp 192.0.2.10:80 ->
 * 198.51.100.11:80 weight 3 nat", "delete service fwmark 7". */
const char *ipvs_op_format(const struct ipvs_op *op, char *buf, size_t len);
/* The readable reason for an errno returned by the kernel for op. */
const char *ipvs_op_strerror(const struct ipvs_op *op, int err);
/* The message for a whole request: "<op>: <reason>". */
int ipvs_op_errbuf(const struct ipvs_op *op, int err, struct errbuf *eb);

/* ---- the wanted table from the configuration ---- */

/* Every virtual server (a group's: one service per member, consecutive,
 * each with conf_vs set) with every real server up at its configured
 * weight, in configuration order. Returns 0, or -EINVAL/-ENOMEM with a
 * message. */
int ipvs_table_from_conf(const struct conf *c, struct ipvs_table *out, struct errbuf *eb);
/* Appends the services of virtual server i of c alone, as
 * ipvs_table_from_conf makes them (for a pass over the virtual servers
 * whose health changed; c was checked whole before). 0, or -EINVAL/-ENOMEM. */
int ipvs_table_append_vs(const struct conf *c, unsigned i, struct ipvs_table *out,
			 struct errbuf *eb);
/* The IP_VS_CONN_F_* flag of a forwarding method. */
uint32_t ipvs_fwd_flag(enum fwd_method f);

/* Parses the text table format of text.c ("service tcp 192.0.2.10:80 wlc",
 * "  dest 198.51.100.11:80 weight 3 nat"), for tests and tools. Returns 0
 * or -EINVAL with "line N: ..." in eb. */
int ipvs_table_parse(const char *text, struct ipvs_table *out, struct errbuf *eb);

/* ---- connection sync daemon, timeouts, info ---- */

enum ipvs_sync_state { IPVS_SYNC_MASTER = 1, IPVS_SYNC_BACKUP = 2 };

struct ipvs_sync_daemon {
	enum ipvs_sync_state state;
	char ifname[16];
	uint32_t syncid;
};

int ipvs_sync_start(struct ipvs_ctx *ctx, const struct ipvs_sync_daemon *d, struct errbuf *eb);
int ipvs_sync_stop(struct ipvs_ctx *ctx, enum ipvs_sync_state state, struct errbuf *eb);
/* Fills up to two running daemons (master, backup); *n gets the count. */
int ipvs_sync_get(struct ipvs_ctx *ctx, struct ipvs_sync_daemon out[2], unsigned *n,
		  struct errbuf *eb);

struct ipvs_timeouts {
	uint32_t tcp, tcp_fin, udp;   /* s; 0 in a set = leave unchanged */
};

int ipvs_timeouts_get(struct ipvs_ctx *ctx, struct ipvs_timeouts *out, struct errbuf *eb);
int ipvs_timeouts_set(struct ipvs_ctx *ctx, const struct ipvs_timeouts *t, struct errbuf *eb);

#endif
