/*
 * table: the IPVS table as plain data — what the kernel has (from a dump)
 * and what vigil wants (from the config, later checks and overrides).
 *
 * A service is keyed by (af, protocol, address, port), or by (af, fwmark)
 * for a firewall-mark service (protocol, address and port then zero). A
 * destination is keyed by its address and port within its service. Every
 * other field is editable in place with IPVS_CMD_SET_SERVICE/SET_DEST, so
 * the reconciler only deletes and re-adds when a key changes.
 *
 * Values use the kernel's encodings so no translation happens between a
 * dump and a comparison: `fwd` is IP_VS_CONN_F_MASQ/DROUTE/TUNNEL, `flags`
 * IP_VS_SVC_F_* (without HASHED), `netmask` a network-order IPv4 mask or
 * an IPv6 prefix length.
 */
#ifndef VIGIL_IPVS_TABLE_H
#define VIGIL_IPVS_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

#define IPVS_SCHED_MAXLEN 16

/* Counters from a dump (IPVS_*_ATTR_STATS64); zero in wanted tables. */
struct ipvs_stats {
	uint64_t conns, inpkts, outpkts, inbytes, outbytes;
	uint64_t cps, inpps, outpps, inbps, outbps;
};

struct ipvs_svc_key {
	uint16_t af;                  /* AF_INET / AF_INET6 */
	uint16_t proto;               /* IPPROTO_TCP/UDP/SCTP; 0 for fwmark */
	uint32_t fwmark;              /* non-zero: a fwmark service */
	struct vaddr addr;            /* unset for fwmark */
	uint16_t port;
};

struct ipvs_service {
	struct ipvs_svc_key key;
	char sched[IPVS_SCHED_MAXLEN];
	uint32_t flags;               /* IP_VS_SVC_F_*, HASHED masked off */
	uint32_t timeout;             /* persistence, s */
	uint32_t netmask;             /* v4: mask (network order); v6: prefix len */
	struct ipvs_stats stats;
};

struct ipvs_dest {
	struct vaddr addr;
	uint16_t port;
	uint32_t fwd;                 /* IP_VS_CONN_F_MASQ/DROUTE/TUNNEL */
	int32_t weight;
	uint32_t u_thresh, l_thresh;
	uint8_t tun_type;             /* IP_VS_CONN_F_TUNNEL_TYPE_*; TUN only */
	uint16_t tun_port;            /* GUE port, host order */
	uint16_t tun_flags;
	/* from a dump only */
	uint32_t active_conns, inact_conns, persist_conns;
	struct ipvs_stats stats;
};

struct ipvs_table_svc {
	struct ipvs_service svc;
	struct ipvs_dest *dests;
	unsigned n_dests, cap_dests;
	/* ipvs_table_from_conf: the index of the virtual server it serves (a
	 * group's serves several services, consecutive); 0 in dumps. */
	unsigned conf_vs;
};

struct ipvs_table {
	struct ipvs_table_svc *svcs;
	unsigned n_svcs, cap_svcs;
};

void ipvs_table_init(struct ipvs_table *t);
void ipvs_table_free(struct ipvs_table *t);
/* Appends a copy of svc (no dests). Returns it, or NULL on ENOMEM. */
struct ipvs_table_svc *ipvs_table_add_svc(struct ipvs_table *t, const struct ipvs_service *svc);
/* Appends a copy of d to ts. Returns 0 or -ENOMEM. */
int ipvs_table_add_dest(struct ipvs_table_svc *ts, const struct ipvs_dest *d);
/* Room for n services in all / n destinations in ts, so that a table
 * built from a known count grows once; 0 or -ENOMEM. */
int ipvs_table_reserve(struct ipvs_table *t, unsigned n);
int ipvs_table_reserve_dests(struct ipvs_table_svc *ts, unsigned n);
/* Linear lookups (tests, tools, a service's destinations at start-up);
 * the reconciler sorts instead. */
struct ipvs_table_svc *ipvs_table_find_svc(const struct ipvs_table *t, const struct ipvs_svc_key *k);
struct ipvs_dest *ipvs_table_find_dest(const struct ipvs_table_svc *ts,
				       const struct vaddr *addr, uint16_t port);

int ipvs_svc_key_cmp(const struct ipvs_svc_key *a, const struct ipvs_svc_key *b);
int ipvs_dest_key_cmp(const struct ipvs_dest *a, const struct ipvs_dest *b);
/* Editable fields only (not keys, not stats). */
bool ipvs_service_attrs_equal(const struct ipvs_service *a, const struct ipvs_service *b);
bool ipvs_dest_attrs_equal(const struct ipvs_dest *a, const struct ipvs_dest *b);

/* Key helpers: fill a service key. Return 0 or -EINVAL. */
int ipvs_svc_key_inet(struct ipvs_svc_key *k, uint16_t proto, const struct vaddr *a, uint16_t port);
int ipvs_svc_key_fwmark(struct ipvs_svc_key *k, uint16_t af, uint32_t fwmark);
/* A service with vigil's defaults: wlc, no flags, netmask for "no mask". */
void ipvs_service_defaults(struct ipvs_service *s, const struct ipvs_svc_key *k);

/* "tcp 192.0.2.10:80", "udp [2001:db8::1]:53", "fwmark 7", "fwmark 7 inet6". */
const char *ipvs_svc_key_str(const struct ipvs_svc_key *k, char *buf, size_t len);
const char *ipvs_proto_str(uint16_t proto);
const char *ipvs_fwd_str(uint32_t fwd);

#endif
