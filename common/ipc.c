/*
 * ipc: frame buffers and the payload size table (see ipc.h).
 */
#include "ipc.h"
#include "errbuf.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const struct {
	const char *name;
	uint16_t min, max;
} ipc_types[IPC__MAX] = {
	[IPC_READY] = { "ready", sizeof(struct ipc_ready), sizeof(struct ipc_ready) },
	[IPC_HEARTBEAT] = { "heartbeat", sizeof(struct ipc_heartbeat), sizeof(struct ipc_heartbeat) },
	[IPC_RELOAD] = { "reload", sizeof(struct ipc_reload), sizeof(struct ipc_reload) },
	[IPC_RELOAD_DONE] = { "reload-done", sizeof(struct ipc_reload_done), IPC_MAX_PAYLOAD },
	[IPC_STATE_DUMP] = { "state-dump", 0, 0 },
	[IPC_CHECK_RESULT] = { "check-result", 1, IPC_MAX_PAYLOAD },
	[IPC_VRRP_STATE] = { "vrrp-state", sizeof(struct ipc_vrrp_state), sizeof(struct ipc_vrrp_state) },
	[IPC_CHECKER_STATS] = { "checker-stats", sizeof(struct ipc_checker_stats),
				sizeof(struct ipc_checker_stats) },
	[IPC_CONF_DATA] = { "conf-data", sizeof(struct ipc_conf_data) + 1, IPC_MAX_PAYLOAD },
	[IPC_SNMP_VRRP] = { "snmp-vrrp", sizeof(struct ipc_snmp_vrrp), sizeof(struct ipc_snmp_vrrp) },
	[IPC_SNMP_SUMMARY] = { "snmp-summary", sizeof(struct ipc_snmp_summary),
			       sizeof(struct ipc_snmp_summary) },
	[IPC_SNMP_VS] = { "snmp-vs", sizeof(struct ipc_snmp_vs), sizeof(struct ipc_snmp_vs) },
	[IPC_SNMP_RS] = { "snmp-rs", sizeof(struct ipc_snmp_rs), sizeof(struct ipc_snmp_rs)
			  + IPC_SNMP_CHECKS_MAX * sizeof(struct ipc_snmp_check) },
};

/* 0.5 ms to 10 s: a LAN answer to a timeout's worth (Prometheus' own
 * default buckets, with a finer low end for checks on a LAN). */
const uint32_t ipc_lat_bounds_us[IPC_LAT_BUCKETS - 1] = {
	500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000,
};

unsigned ipc_lat_bucket(uint32_t latency_us)
{
	unsigned b = 0;
	while (b < IPC_LAT_BUCKETS - 1 && latency_us > ipc_lat_bounds_us[b])
		b++;
	return b;
}

const char *ipc_type_str(uint16_t type)
{
	if (type == 0 || type >= IPC__MAX || !ipc_types[type].name)
		return "unknown";
	return ipc_types[type].name;
}

int ipc_check(const struct ipc_hdr *h, struct errbuf *eb)
{
	if (h->type == 0 || h->type >= IPC__MAX || !ipc_types[h->type].name)
		return errbuf_set(eb, EBADMSG, "unknown message type %u", h->type);
	if (h->len < ipc_types[h->type].min || h->len > ipc_types[h->type].max)
		return errbuf_set(eb, EBADMSG, "%s message of %u bytes (expected %u..%u)",
				  ipc_types[h->type].name, h->len, ipc_types[h->type].min,
				  ipc_types[h->type].max);
	return 0;
}

void ipc_conn_init(struct ipc_conn *c)
{
	memset(c, 0, sizeof(*c));
}

void ipc_conn_free(struct ipc_conn *c)
{
	free(c->out);
	memset(c, 0, sizeof(*c));
}

long ipc_conn_read(struct ipc_conn *c, int fd)
{
	size_t room = sizeof(c->in) - c->in_used;
	if (room == 0)
		return -ENOBUFS;     /* cannot happen: ipc_conn_next drains frames */
	ssize_t n = read(fd, c->in + c->in_used, room);
	if (n < 0)
		return errno == EINTR || errno == EWOULDBLOCK ? -EAGAIN : -errno;
	c->in_used += (size_t)n;
	return n;
}

int ipc_conn_next(struct ipc_conn *c, struct ipc_hdr *hdr, const void **payload,
		  struct errbuf *eb)
{
	static_assert(sizeof(struct ipc_hdr) == 8, "ipc header is 8 bytes");
	/* Drop the frame handed out by the previous call. */
	if (c->in_handed) {
		memmove(c->in, c->in + c->in_handed, c->in_used - c->in_handed);
		c->in_used -= c->in_handed;
		c->in_handed = 0;
	}
	if (c->in_used < sizeof(*hdr))
		return 0;
	memcpy(hdr, c->in, sizeof(*hdr));
	int r = ipc_check(hdr, eb);
	if (r < 0)
		return r;
	size_t total = sizeof(*hdr) + hdr->len;
	if (c->in_used < total)
		return 0;
	*payload = c->in + sizeof(*hdr);
	c->in_handed = total;
	c->frames_in++;
	return 1;
}

int ipc_conn_queue2(struct ipc_conn *c, uint16_t type, uint32_t id,
		    const void *p1, size_t l1, const void *p2, size_t l2)
{
	if (l1 + l2 > IPC_MAX_PAYLOAD)
		return -EMSGSIZE;
	size_t need = c->out_used + sizeof(struct ipc_hdr) + l1 + l2;
	if (need > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		while (cap < need)
			cap *= 2;
		uint8_t *p = realloc(c->out, cap);
		if (!p)
			return -ENOMEM;
		c->out = p;
		c->out_cap = cap;
	}
	struct ipc_hdr h = { .type = type, .len = (uint16_t)(l1 + l2), .id = id };
	memcpy(c->out + c->out_used, &h, sizeof(h));
	c->out_used += sizeof(h);
	if (l1)
		memcpy(c->out + c->out_used, p1, l1);
	c->out_used += l1;
	if (l2)
		memcpy(c->out + c->out_used, p2, l2);
	c->out_used += l2;
	c->frames_out++;
	return 0;
}

int ipc_conn_queue(struct ipc_conn *c, uint16_t type, uint32_t id,
		   const void *payload, size_t len)
{
	return ipc_conn_queue2(c, type, id, payload, len, NULL, 0);
}

int ipc_conn_flush(struct ipc_conn *c, int fd)
{
	size_t off = 0;
	while (off < c->out_used) {
		ssize_t n = send(fd, c->out + off, c->out_used - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		off += (size_t)n;
	}
	memmove(c->out, c->out + off, c->out_used - off);
	c->out_used -= off;
	return c->out_used ? 1 : 0;
}
