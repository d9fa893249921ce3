/*
 * nl: the IPVS generic netlink transport — one socket per struct ipvs_ctx,
 * the family resolved once at open, and a fresh nl_cb for every request
 * or batch (never a cached callback whose argument points at a dead
 * stack frame).
 *
 * A batch goes out like this:
 *
 *   build(i) ─▶ nl_msg ─▶ seq = s+k ─▶ appended to one buffer
 *        (up to max_inflight requests or BATCH_BYTES)   │
 *                                     the last one gets NLM_F_ACK
 *                                                       ▼  one sendmsg
 *   the kernel runs the requests in order inside that sendmsg and queues
 *   an error for each request that failed, then the last one's ack (or
 *   error) on our socket
 *                                                       ▼
 *   nl_recvmsgs until the last one is settled: err(seq) ─▶ errs[index of
 *   s+k]; every request not answered by then succeeded
 *
 * The kernel answers a request without NLM_F_ACK only when it fails
 * (netlink_rcv_skb), and handles the requests of one sendmsg in order, so
 * the last request's answer settles the whole batch: one skb and one
 * recvmsg per batch instead of one per request. ack_each asks for every
 * ack, as before (the benchmark's comparison). Bounding the requests per
 * sendmsg bounds the answers queued at once, so the receive buffer (raised
 * at open) never overflows and no answer is lost.
 */
#include "ipvs_msg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#define BATCH_BYTES (64 * 1024)
#define SOCK_BUF (4 * 1024 * 1024)
#define ERR_PENDING 1

static int nl_to_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_NOMEM: return -ENOBUFS;
	case NLE_DUMP_INTR: return -EINTR;
	case NLE_AGAIN: return -EAGAIN;
	case NLE_PERM: return -EPERM;
	default: return -EIO;
	}
}

static int version_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[IPVS_INFO_ATTR_MAX + 1];
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, IPVS_INFO_ATTR_MAX, ipvs_info_policy) < 0)
		return -EINVAL;
	if (tb[IPVS_INFO_ATTR_VERSION])
		*(uint32_t *)arg = nla_get_u32(tb[IPVS_INFO_ATTR_VERSION]);
	return 0;
}

static void raise_buffers(struct nl_sock *sk)
{
	int fd = nl_socket_get_fd(sk), sz = SOCK_BUF, one = 1;
	nl_socket_set_buffer_size(sk, SOCK_BUF, SOCK_BUF);
	/* Beyond net.core.rmem_max when we have CAP_NET_ADMIN; best effort. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	/* Acks without a copy of the request: smaller, more fit in the buffer. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* One datagram per recvmsg, no MSG_PEEK round trip. */
	nl_socket_disable_msg_peek(sk);
	nl_socket_set_msg_buf_size(sk, 64 * 1024);
}

int ipvs_open(struct ipvs_ctx *ctx, struct errbuf *eb)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->sk = nl_socket_alloc();
	if (!ctx->sk)
		return errbuf_set(eb, ENOMEM, "ipvs: out of memory");
	int err = genl_connect(ctx->sk);
	if (err < 0) {
		ipvs_close(ctx);
		return errbuf_set(eb, -nl_to_errno(err), "ipvs: generic netlink socket: %s",
				  nl_geterror(err));
	}
	raise_buffers(ctx->sk);
	ctx->family = genl_ctrl_resolve(ctx->sk, IPVS_GENL_NAME);
	if (ctx->family < 0) {
		err = ctx->family;
		ipvs_close(ctx);
		if (err == -NLE_OBJ_NOTFOUND)
			return errbuf_set(eb, ENOENT, "ipvs: the kernel has no IPVS (generic netlink "
					  "family \"IPVS\" not found); load it with `modprobe ip_vs`");
		return errbuf_set(eb, -nl_to_errno(err), "ipvs: resolving the IPVS family: %s",
				  nl_geterror(err));
	}
	ctx->max_inflight = IPVS_MAX_INFLIGHT;
	/* Our builders ask for acks where they want them; dumps end in DONE. */
	nl_socket_disable_auto_ack(ctx->sk);
	struct nl_msg *m = ipvs_msg_new(ctx->family, IPVS_CMD_GET_INFO, NLM_F_ACK);
	if (!m) {
		ipvs_close(ctx);
		return errbuf_set(eb, ENOMEM, "ipvs: out of memory");
	}
	err = ipvs_nl_request(ctx, m, version_cb, &ctx->version, eb);
	if (err < 0) {
		ipvs_close(ctx);
		return err == -EPERM ? errbuf_set(eb, EPERM, "ipvs: permission denied "
						  "(CAP_NET_ADMIN needed)") : err;
	}
	return 0;
}

void ipvs_close(struct ipvs_ctx *ctx)
{
	if (ctx->sk)
		nl_socket_free(ctx->sk);
	ctx->sk = NULL;
}

/* ---- one request ---- */

struct req_state {
	uint32_t seq;
	int err;
	bool done;
	ipvs_reply_fn fn;
	void *arg;
};

static int req_seq_cb(struct nl_msg *msg, void *arg)
{
	struct req_state *st = arg;
	return nlmsg_hdr(msg)->nlmsg_seq == st->seq ? NL_OK : NL_SKIP;
}

static int req_valid_cb(struct nl_msg *msg, void *arg)
{
	struct req_state *st = arg;
	if (st->fn && !st->err)
		st->err = st->fn(msg, st->arg);
	return NL_OK;
}

static int req_done_cb(struct nl_msg *msg, void *arg)
{
	((struct req_state *)arg)->done = true;
	return NL_STOP;
}

static int req_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct req_state *st = arg;
	if (e->msg.nlmsg_seq == st->seq) {
		st->err = e->error;
		st->done = true;
	}
	return NL_SKIP;
}

static int recv_until(struct ipvs_ctx *ctx, struct nl_cb *cb, bool *done, struct errbuf *eb)
{
	while (!*done) {
		int r = nl_recvmsgs(ctx->sk, cb);
		if (r < 0)
			return errbuf_set(eb, -nl_to_errno(r), "ipvs: netlink receive: %s",
					  nl_geterror(r));
	}
	return 0;
}

int ipvs_nl_request(struct ipvs_ctx *ctx, struct nl_msg *msg, ipvs_reply_fn fn, void *arg,
		    struct errbuf *eb)
{
	struct req_state st = { .fn = fn, .arg = arg };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return errbuf_set(eb, ENOMEM, "ipvs: out of memory");
	}
	nl_complete_msg(ctx->sk, msg);
	st.seq = nlmsg_hdr(msg)->nlmsg_seq;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, req_seq_cb, &st);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, req_valid_cb, &st);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, req_done_cb, &st);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, req_done_cb, &st);
	nl_cb_err(cb, NL_CB_CUSTOM, req_err_cb, &st);
	int err = nl_send(ctx->sk, msg);
	nlmsg_free(msg);
	ctx->n_requests++;
	ctx->n_batches++;
	if (err < 0)
		err = errbuf_set(eb, -nl_to_errno(err), "ipvs: netlink send: %s", nl_geterror(err));
	else
		err = recv_until(ctx, cb, &st.done, eb);
	nl_cb_put(cb);
	return err < 0 ? err : st.err;
}

/* ---- batches ---- */

struct batch_state {
	uint32_t first_seq;
	bool ack_each;
	unsigned n_sent, n_acked;
	unsigned idx[IPVS_MAX_INFLIGHT];  /* slot (seq - first_seq) -> request index */
	int *errs;
	bool done;
};

static int batch_slot(const struct batch_state *b, uint32_t seq)
{
	uint32_t off = seq - b->first_seq;
	return off < b->n_sent ? (int)off : -1;
}

/* The answer to seq; the last request's also settles every one before it
 * still unanswered as a success, unless each has its own ack coming. */
static void batch_settle(struct batch_state *b, uint32_t seq, int err)
{
	int slot = batch_slot(b, seq);
	if (slot < 0 || b->errs[b->idx[slot]] != ERR_PENDING)
		return;
	b->errs[b->idx[slot]] = err;
	b->n_acked++;
	if (!b->ack_each && (unsigned)slot == b->n_sent - 1) {
		for (unsigned s = 0; s < b->n_sent; s++)
			if (b->errs[b->idx[s]] == ERR_PENDING) {
				b->errs[b->idx[s]] = 0;
				b->n_acked++;
			}
	}
	b->done = b->n_acked == b->n_sent;
}

static int batch_seq_cb(struct nl_msg *msg, void *arg)
{
	return batch_slot(arg, nlmsg_hdr(msg)->nlmsg_seq) < 0 ? NL_SKIP : NL_OK;
}

static int batch_ack_cb(struct nl_msg *msg, void *arg)
{
	batch_settle(arg, nlmsg_hdr(msg)->nlmsg_seq, 0);
	return NL_OK;
}

static int batch_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	batch_settle(arg, e->msg.nlmsg_seq, e->error);
	return NL_SKIP;
}

static int batch_skip_cb(struct nl_msg *msg, void *arg)
{
	return NL_SKIP;
}

/* Appends requests from *next on into buf until a bound is hit; returns
 * the bytes used. Requests whose builder failed get -ENOMEM, and one that
 * alone exceeds BATCH_BYTES -EMSGSIZE: left for the next sendmsg, it would
 * be refused again, and again. */
static size_t batch_fill(struct ipvs_ctx *ctx, struct batch_state *b, unsigned *next,
			 unsigned n, ipvs_build_fn build, void *arg, char *buf)
{
	size_t len = 0, last = 0;
	while (*next < n && b->n_sent < ctx->max_inflight) {
		struct nl_msg *m = build(arg, *next);
		if (!m) {
			b->errs[(*next)++] = -ENOMEM;
			continue;
		}
		struct nlmsghdr *h = nlmsg_hdr(m);
		size_t l = NLMSG_ALIGN(h->nlmsg_len);
		if (l > BATCH_BYTES) {
			nlmsg_free(m);
			b->errs[(*next)++] = -EMSGSIZE;
			continue;
		}
		if (len + l > BATCH_BYTES) {
			nlmsg_free(m);    /* rebuilt for the next sendmsg */
			break;
		}
		h->nlmsg_pid = nl_socket_get_local_port(ctx->sk);
		h->nlmsg_flags |= NLM_F_REQUEST;
		if (ctx->ack_each)
			h->nlmsg_flags |= NLM_F_ACK;
		else
			h->nlmsg_flags &= ~NLM_F_ACK;
		h->nlmsg_seq = nl_socket_use_seq(ctx->sk);
		if (b->n_sent == 0)
			b->first_seq = h->nlmsg_seq;
		memcpy(buf + len, h, h->nlmsg_len);
		memset(buf + len + h->nlmsg_len, 0, l - h->nlmsg_len);
		last = len;
		len += l;
		b->errs[*next] = ERR_PENDING;
		b->idx[b->n_sent++] = (*next)++;
		nlmsg_free(m);
	}
	if (len)
		((struct nlmsghdr *)(void *)(buf + last))->nlmsg_flags |= NLM_F_ACK;
	return len;
}

static struct nl_cb *batch_cb(struct batch_state *b)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return NULL;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, batch_seq_cb, b);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, batch_ack_cb, b);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, batch_skip_cb, b);
	nl_cb_err(cb, NL_CB_CUSTOM, batch_err_cb, b);
	return cb;
}

/* Marks every request of the chunk still waiting with err. */
static void batch_fail(struct batch_state *b, int err)
{
	for (unsigned s = 0; s < b->n_sent; s++)
		if (b->errs[b->idx[s]] == ERR_PENDING)
			b->errs[b->idx[s]] = err;
}

static int batch_chunk(struct ipvs_ctx *ctx, unsigned *next, unsigned n, ipvs_build_fn build,
		       void *arg, int *errs, char *buf, struct errbuf *eb)
{
	struct batch_state *b = calloc(1, sizeof(*b));
	if (!b)
		return errbuf_set(eb, ENOMEM, "ipvs: out of memory");
	b->errs = errs;
	b->ack_each = ctx->ack_each;
	size_t len = batch_fill(ctx, b, next, n, build, arg, buf);
	int err = 0;
	if (b->n_sent == 0)
		goto out;
	struct nl_cb *cb = batch_cb(b);
	if (!cb) {
		err = errbuf_set(eb, ENOMEM, "ipvs: out of memory");
	} else {
		int r = nl_sendto(ctx->sk, buf, len);
		if (r < 0)
			err = errbuf_set(eb, -nl_to_errno(r), "ipvs: netlink send: %s",
					 nl_geterror(r));
		else
			err = recv_until(ctx, cb, &b->done, eb);
		ctx->n_requests += b->n_sent;
		ctx->n_batches++;
		nl_cb_put(cb);
	}
	if (err)
		batch_fail(b, err);
out:
	free(b);
	return err;
}

int ipvs_nl_batch(struct ipvs_ctx *ctx, unsigned n, ipvs_build_fn build, void *arg, int *errs,
		  struct errbuf *eb)
{
	char *buf = malloc(BATCH_BYTES);
	if (!buf)
		return errbuf_set(eb, ENOMEM, "ipvs: out of memory");
	unsigned next = 0;
	int err = 0;
	if (ctx->max_inflight == 0 || ctx->max_inflight > IPVS_MAX_INFLIGHT)
		ctx->max_inflight = IPVS_MAX_INFLIGHT;
	while (next < n && !err)
		err = batch_chunk(ctx, &next, n, build, arg, errs, buf, eb);
	for (; next < n; next++)
		errs[next] = err;    /* never sent: the transport failed */
	free(buf);
	return err;
}
