/*
 * snmp_vrrp: VRRPv3-MIB (RFC 6527) and VRRP-MIB (RFC 2787) from the
 * snmp_db (see snmp.h), with the indexing and values keepalived 2.2.7
 * gives for the same instance, except where keepalived departs from the
 * MIB:
 *
 *   - vrrpv3AssociatedIpAddrTable: the address index is an InetAddress
 *     (SIZE (0|4|16)), not IMPLIED, so RFC 2578 7.7 puts its length
 *     before its octets (…​.1.4.192.0.2.10); keepalived leaves the length
 *     out, and MIB-driven tools misread its rows.
 *   - vrrpOperAuthKey reads as a zero-length string, as RFC 2787 says;
 *     keepalived leaves the column out.
 *   - vrrpOperMasterIpAddr of a master is its own primary address, as in
 *     VRRPv3-MIB; keepalived gives the source of the last advert it
 *     received (0.0.0.0 when it never was backup).
 *
 * As keepalived does, VRRPv3-MIB lists version-2 instances too (Debian
 * builds it so), the virtual MAC column holds the interface's own address
 * (neither sends from the virtual MAC), Priority is the configured one,
 * and a FAULT or STOPPED instance reads initialize(1).
 */
#include <math.h>
#include <string.h>
#include <sys/socket.h>

#include "snmp.h"

static const uint32_t v3_oper[] = { SNMP_VRRPV3_OID, 1, 1, 1, 1 };    /* vrrpv3OperationsEntry */
static const uint32_t v3_assoc[] = { SNMP_VRRPV3_OID, 1, 1, 2, 1 };   /* vrrpv3AssociatedIpAddrEntry */
static const uint32_t v3_router[] = { SNMP_VRRPV3_OID, 1, 2 };        /* vrrpv3Statistics */
static const uint32_t v3_stats[] = { SNMP_VRRPV3_OID, 1, 2, 5, 1 };   /* vrrpv3StatisticsEntry */
static const uint32_t v3_notify[] = { SNMP_VRRPV3_OID, 0 };
static const uint32_t v2_ops[] = { SNMP_VRRPV2_OID, 1 };              /* vrrpOperations */
static const uint32_t v2_oper[] = { SNMP_VRRPV2_OID, 1, 3, 1 };       /* vrrpOperEntry */
static const uint32_t v2_assoc[] = { SNMP_VRRPV2_OID, 1, 4, 1 };      /* vrrpAssoIpAddrEntry */
static const uint32_t v2_router[] = { SNMP_VRRPV2_OID, 2 };           /* vrrpStatistics */
static const uint32_t v2_stats[] = { SNMP_VRRPV2_OID, 2, 4, 1 };      /* vrrpRouterStatsEntry */
static const uint32_t v2_notify[] = { SNMP_VRRPV2_OID, 0 };
static const uint32_t trap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1 };  /* snmpTrapOID */
static const uint32_t zero[] = { 0 };

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define ADD(t, base, col, idx, n) snmp_tree_add((t), (base), N(base), (col), (idx), (n))

enum { TV_TRUE = 1, TV_FALSE = 2 };   /* TruthValue */
enum { ROW_ACTIVE = 1 };              /* RowStatus */

static int alen(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* vrrpv3OperationsStatus / vrrpOperState: initialize(1) backup(2) master(3). */
static int64_t oper_status(const struct snmp_inst *in)
{
	if (!in->have)
		return 1;
	switch (in->r.state) {
	case IPC_SNMP_VS_BACKUP: return 2;
	case IPC_SNMP_VS_MASTER: return 3;
	default: return 1;
	}
}

static bool is_up(const struct snmp_inst *in)
{
	return in->have && (in->r.state == IPC_SNMP_VS_BACKUP || in->r.state == IPC_SNMP_VS_MASTER);
}

static void primary_addr(const struct snmp_inst *in, uint8_t out[16])
{
	memset(out, 0, 16);
	if (in->have && in->r.primary_known)
		memcpy(out, in->r.primary, 16);
}

/* The master's address: ours when master, the last master heard when
 * backup, else zeros. */
static void master_addr(const struct snmp_inst *in, uint8_t out[16])
{
	memset(out, 0, 16);
	if (!in->have)
		return;
	if (in->r.state == IPC_SNMP_VS_MASTER)
		primary_addr(in, out);
	else if (in->r.master_known == 1)
		memcpy(out, in->r.master, 16);
}

static uint32_t centisecs(double s)
{
	return (uint32_t)lround(s * 100.);
}

/* ifIndex.VrId.InetAddrType */
static size_t v3_index(const struct snmp_inst *in, uint32_t *idx)
{
	idx[0] = in->ifindex;
	idx[1] = in->conf->vrid;
	idx[2] = in->conf->family == AF_INET6 ? 2 : 1;
	return 3;
}

static void v3_oper_row(struct snmp_tree *t, const struct snmp_inst *in)
{
	const struct vrrp_inst_conf *c = in->conf;
	uint32_t idx[3];
	size_t n = v3_index(in, idx);
	uint8_t a[16];
	int len = alen(c->family);
	master_addr(in, a);
	snmp_var_bytes(ADD(t, v3_oper, 3, idx, n), SNMP_T_OCTETS, a, (size_t)len);
	primary_addr(in, a);
	snmp_var_bytes(ADD(t, v3_oper, 4, idx, n), SNMP_T_OCTETS, a, (size_t)len);
	if (in->have_mac)
		snmp_var_bytes(ADD(t, v3_oper, 5, idx, n), SNMP_T_OCTETS, in->mac, 6);
	snmp_var_int(ADD(t, v3_oper, 6, idx, n), SNMP_T_INTEGER, oper_status(in));
	snmp_var_uint(ADD(t, v3_oper, 7, idx, n), SNMP_T_UNSIGNED, c->priority);
	snmp_var_int(ADD(t, v3_oper, 8, idx, n), SNMP_T_INTEGER, c->n_addrs);
	snmp_var_int(ADD(t, v3_oper, 9, idx, n), SNMP_T_INTEGER, centisecs(c->advert_interval));
	snmp_var_int(ADD(t, v3_oper, 10, idx, n), SNMP_T_INTEGER, c->preempt ? TV_TRUE : TV_FALSE);
	/* The virtual addresses are ordinary local addresses: a master takes
	 * packets for them whatever `accept` says (vigil.conf(5)), as
	 * keepalived without vrrp_strict, which reads true(1) here too.
	 * Strict mode enforces accept (daemon/vipfw.c). */
	snmp_var_int(ADD(t, v3_oper, 11, idx, n), SNMP_T_INTEGER,
		     !c->strict || c->accept ? TV_TRUE : TV_FALSE);
	snmp_var_uptime(ADD(t, v3_oper, 12, idx, n), is_up(in) ? in->r.up_since : 0);
	snmp_var_int(ADD(t, v3_oper, 13, idx, n), SNMP_T_INTEGER, ROW_ACTIVE);
	/* vrrpv3AssociatedIpAddrRowStatus.ifIndex.VrId.Type.Len.Address */
	for (unsigned i = 0; i < c->n_addrs; i++) {
		uint32_t ai[3 + 1 + 16];
		const uint8_t *b = (const uint8_t *)&c->addrs[i].addr.u;
		memcpy(ai, idx, sizeof(idx));
		ai[3] = (uint32_t)len;
		for (int k = 0; k < len; k++)
			ai[4 + k] = b[k];
		snmp_var_int(ADD(t, v3_assoc, 2, ai, 4 + (size_t)len), SNMP_T_INTEGER, ROW_ACTIVE);
	}
}

static void v3_stats_row(struct snmp_tree *t, const struct snmp_inst *in)
{
	static const struct ipc_snmp_vrrp none;
	const struct ipc_snmp_vrrp *r = in->have ? &in->r : &none;
	uint32_t idx[3];
	size_t n = v3_index(in, idx);
	uint32_t cs = centisecs(in->conf->advert_interval);
	snmp_var_uint(ADD(t, v3_stats, 1, idx, n), SNMP_T_COUNTER32, (uint32_t)r->became_master);
	snmp_var_int(ADD(t, v3_stats, 2, idx, n), SNMP_T_INTEGER, r->master_reason);
	snmp_var_uint(ADD(t, v3_stats, 3, idx, n), SNMP_T_COUNTER64, r->adverts_received);
	snmp_var_uint(ADD(t, v3_stats, 4, idx, n), SNMP_T_COUNTER64, r->err_interval);
	snmp_var_uint(ADD(t, v3_stats, 5, idx, n), SNMP_T_COUNTER64, r->err_ttl);
	snmp_var_int(ADD(t, v3_stats, 6, idx, n), SNMP_T_INTEGER, r->proto_err);
	snmp_var_uint(ADD(t, v3_stats, 7, idx, n), SNMP_T_COUNTER64, r->pri0_received);
	snmp_var_uint(ADD(t, v3_stats, 8, idx, n), SNMP_T_COUNTER64, r->pri0_sent);
	snmp_var_uint(ADD(t, v3_stats, 9, idx, n), SNMP_T_COUNTER64, r->err_type);
	snmp_var_uint(ADD(t, v3_stats, 10, idx, n), SNMP_T_COUNTER64, r->err_addr_list);
	snmp_var_uint(ADD(t, v3_stats, 11, idx, n), SNMP_T_COUNTER64, r->err_length);
	snmp_var_uint(ADD(t, v3_stats, 12, idx, n), SNMP_T_TIMETICKS, 0);   /* no discontinuity kept */
	snmp_var_uint(ADD(t, v3_stats, 13, idx, n), SNMP_T_UNSIGNED, cs * 10u);   /* ms */
}

/* Router-wide error counters: instances (restricted to RFC 2787's rows
 * when v2) and the rejects of the interfaces. */
struct router_errs {
	uint64_t checksum, version, vrid;
};

static struct router_errs router_errs(const struct snmp_db *db, bool v2)
{
	struct router_errs e = { 0 };
	for (unsigned i = 0; i < db->n_inst; i++) {
		const struct snmp_inst *in = &db->inst[i];
		if (!in->have || (v2 && !snmp_vrrp_v2_row(in)))
			continue;
		e.checksum += in->r.err_checksum;
		e.version += in->r.err_version;
	}
	for (unsigned i = 0; i < db->n_ifs; i++) {
		const struct ipc_snmp_vrrp *r = &db->ifs[i].r;
		if (v2 && r->family != AF_INET)
			continue;
		e.checksum += r->err_checksum;
		e.version += r->err_version;
		e.vrid += r->err_vrid;
	}
	return e;
}

bool snmp_vrrp_v2_row(const struct snmp_inst *in)
{
	return in->conf->version == 2 && in->conf->family == AF_INET && in->conf->n_addrs > 0;
}

static void v2_oper_row(struct snmp_tree *t, const struct snmp_db *db, const struct snmp_inst *in)
{
	const struct vrrp_inst_conf *c = in->conf;
	uint32_t idx[2] = { in->ifindex, c->vrid };
	uint8_t a[16];
	if (in->have_mac)
		snmp_var_bytes(ADD(t, v2_oper, 2, idx, 2), SNMP_T_OCTETS, in->mac, 6);
	snmp_var_int(ADD(t, v2_oper, 3, idx, 2), SNMP_T_INTEGER, oper_status(in));
	snmp_var_int(ADD(t, v2_oper, 4, idx, 2), SNMP_T_INTEGER, 1);   /* vrrpOperAdminState up */
	snmp_var_int(ADD(t, v2_oper, 5, idx, 2), SNMP_T_INTEGER, c->priority);
	snmp_var_int(ADD(t, v2_oper, 6, idx, 2), SNMP_T_INTEGER, c->n_addrs);
	master_addr(in, a);
	snmp_var_bytes(ADD(t, v2_oper, 7, idx, 2), SNMP_T_IPADDRESS, a, 4);
	primary_addr(in, a);
	snmp_var_bytes(ADD(t, v2_oper, 8, idx, 2), SNMP_T_IPADDRESS, a, 4);
	snmp_var_int(ADD(t, v2_oper, 9, idx, 2), SNMP_T_INTEGER,
		     c->auth_type == VRRP_AUTH_AH ? 3 : c->auth_type == VRRP_AUTH_PASS ? 2 : 1);
	snmp_var_bytes(ADD(t, v2_oper, 10, idx, 2), SNMP_T_OCTETS, "", 0);   /* never readable */
	snmp_var_int(ADD(t, v2_oper, 11, idx, 2), SNMP_T_INTEGER, lround(c->advert_interval));
	snmp_var_int(ADD(t, v2_oper, 12, idx, 2), SNMP_T_INTEGER, c->preempt ? TV_TRUE : TV_FALSE);
	/* A TimeStamp: counted from the subagent's start, as keepalived does. */
	double up = is_up(in) && in->r.up_since > db->started ? in->r.up_since - db->started : 0;
	snmp_var_uint(ADD(t, v2_oper, 13, idx, 2), SNMP_T_TIMETICKS, (uint64_t)(up * 100.));
	snmp_var_int(ADD(t, v2_oper, 14, idx, 2), SNMP_T_INTEGER, 1);   /* vrrpOperProtocol ip */
	snmp_var_int(ADD(t, v2_oper, 15, idx, 2), SNMP_T_INTEGER, ROW_ACTIVE);
	for (unsigned i = 0; i < c->n_addrs; i++) {
		const uint8_t *b = (const uint8_t *)&c->addrs[i].addr.u.v4;
		uint32_t ai[6] = { idx[0], idx[1], b[0], b[1], b[2], b[3] };
		snmp_var_int(ADD(t, v2_assoc, 2, ai, 6), SNMP_T_INTEGER, ROW_ACTIVE);
	}
}

static void v2_stats_row(struct snmp_tree *t, const struct snmp_inst *in)
{
	static const struct ipc_snmp_vrrp none;
	const struct ipc_snmp_vrrp *r = in->have ? &in->r : &none;
	uint32_t idx[2] = { in->ifindex, in->conf->vrid };
	const uint64_t col[] = {
		r->became_master, r->adverts_received, r->err_interval, r->err_auth, r->err_ttl,
		r->pri0_received, r->pri0_sent, r->err_type, r->err_addr_list,
		0 /* vrrpStatsInvalidAuthType: an unknown type counts as a mismatch */,
		r->err_auth_type, r->err_length,
	};
	for (unsigned i = 0; i < N(col); i++)
		snmp_var_uint(ADD(t, v2_stats, i + 1, idx, 2), SNMP_T_COUNTER32, (uint32_t)col[i]);
}

void snmp_vrrp_fill(struct snmp_tree *t, const struct snmp_db *db, bool traps)
{
	struct router_errs e3 = router_errs(db, false), e2 = router_errs(db, true);
	snmp_var_uint(ADD(t, v3_router, 1, zero, 1), SNMP_T_COUNTER64, e3.checksum);
	snmp_var_uint(ADD(t, v3_router, 2, zero, 1), SNMP_T_COUNTER64, e3.version);
	snmp_var_uint(ADD(t, v3_router, 3, zero, 1), SNMP_T_COUNTER64, e3.vrid);
	snmp_var_uint(ADD(t, v3_router, 4, zero, 1), SNMP_T_TIMETICKS, 0);
	snmp_var_int(ADD(t, v2_ops, 1, zero, 1), SNMP_T_INTEGER, 2);   /* vrrpNodeVersion */
	snmp_var_int(ADD(t, v2_ops, 2, zero, 1), SNMP_T_INTEGER, traps ? 1 : 2);
	snmp_var_uint(ADD(t, v2_router, 1, zero, 1), SNMP_T_COUNTER32, (uint32_t)e2.checksum);
	snmp_var_uint(ADD(t, v2_router, 2, zero, 1), SNMP_T_COUNTER32, (uint32_t)e2.version);
	snmp_var_uint(ADD(t, v2_router, 3, zero, 1), SNMP_T_COUNTER32, (uint32_t)e2.vrid);
	for (unsigned i = 0; i < db->n_inst; i++) {
		const struct snmp_inst *in = &db->inst[i];
		if (!in->conf->n_addrs)
			continue;
		v3_oper_row(t, in);
		v3_stats_row(t, in);
		if (snmp_vrrp_v2_row(in)) {
			v2_oper_row(t, db, in);
			v2_stats_row(t, in);
		}
	}
}

/* ---- notifications -------------------------------------------------- */

static void trap_head(struct snmp_tree *out, const uint32_t *base, size_t n, uint32_t which)
{
	uint32_t value[SNMP_BYTES_MAX / sizeof(uint32_t)];
	memcpy(value, base, n * sizeof(*base));
	value[n] = which;
	snmp_var_oid(snmp_tree_add(out, trap_oid, N(trap_oid), 0, NULL, 0), value, n + 1);
}

bool snmp_report_new_master(const struct ipc_snmp_vrrp *m)
{
	return m->changed && m->state == IPC_SNMP_VS_MASTER && m->prev_state != IPC_SNMP_VS_MASTER;
}

bool snmp_report_proto_error(const struct ipc_snmp_vrrp *prev, const struct ipc_snmp_vrrp *m)
{
	return m->err_ttl + m->err_version + m->err_checksum >
	       prev->err_ttl + prev->err_version + prev->err_checksum && m->proto_err;
}

bool snmp_report_auth_failure(const struct ipc_snmp_vrrp *prev, const struct ipc_snmp_vrrp *m)
{
	return m->err_auth + m->err_auth_type > prev->err_auth + prev->err_auth_type && m->auth_err;
}

int snmp_vrrpv3_new_master(struct snmp_tree *out, const struct snmp_inst *in)
{
	if (!in->have || !in->conf->n_addrs)
		return 0;
	uint32_t idx[3];
	size_t n = v3_index(in, idx);
	uint8_t a[16];
	snmp_tree_reset(out);
	trap_head(out, v3_notify, N(v3_notify), 1);
	master_addr(in, a);
	snmp_var_bytes(ADD(out, v3_oper, 3, idx, n), SNMP_T_OCTETS, a, (size_t)alen(in->conf->family));
	snmp_var_int(ADD(out, v3_stats, 2, idx, n), SNMP_T_INTEGER, in->r.master_reason);
	return out->err ? out->err : 1;
}

int snmp_vrrpv3_proto_error(struct snmp_tree *out, const struct snmp_inst *in)
{
	if (!in->have || !in->conf->n_addrs)
		return 0;
	uint32_t idx[3];
	size_t n = v3_index(in, idx);
	snmp_tree_reset(out);
	trap_head(out, v3_notify, N(v3_notify), 2);
	snmp_var_int(ADD(out, v3_stats, 6, idx, n), SNMP_T_INTEGER, in->r.proto_err);
	return out->err ? out->err : 1;
}

int snmp_vrrpv2_new_master(struct snmp_tree *out, const struct snmp_inst *in)
{
	if (!in->have || !snmp_vrrp_v2_row(in))
		return 0;
	uint32_t idx[2] = { in->ifindex, in->conf->vrid };
	uint8_t a[16];
	snmp_tree_reset(out);
	trap_head(out, v2_notify, N(v2_notify), 1);
	master_addr(in, a);
	snmp_var_bytes(ADD(out, v2_oper, 7, idx, 2), SNMP_T_IPADDRESS, a, 4);
	return out->err ? out->err : 1;
}

int snmp_vrrpv2_auth_failure(struct snmp_tree *out, const struct snmp_inst *in)
{
	if (!in->have || !snmp_vrrp_v2_row(in) || !in->r.auth_err)
		return 0;
	snmp_tree_reset(out);
	trap_head(out, v2_notify, N(v2_notify), 2);
	/* vrrpTrapPacketSrc.0 and vrrpTrapAuthErrorType.0 (accessible-for-notify scalars) */
	snmp_var_bytes(ADD(out, v2_ops, 5, zero, 1), SNMP_T_IPADDRESS, in->r.auth_src, 4);
	snmp_var_int(ADD(out, v2_ops, 6, zero, 1), SNMP_T_INTEGER, in->r.auth_err);
	return out->err ? out->err : 1;
}
