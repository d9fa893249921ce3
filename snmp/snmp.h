/*
 * snmp: the snmp child — an AgentX subagent answering the VRRP MIBs
 * from the state the parent pushes to it (IPC_SNMP_VRRP), in its own
 * unprivileged process: net-snmp is large and parses what the master
 * agent sends, so it never runs in the root parent, and a walk never
 * waits for the parent or another child.
 *
 *   parent ─IPC_SNMP_VRRP─> snmp_db (last report per instance/interface)
 *                              │ changed: mark the tree stale, traps
 *   AgentX master ─GET/GETNEXT─> snmp_agent ─> snmp_tree (rebuilt when stale)
 *
 * snmp_db and the builders (snmp_vrrp.c) are pure: the unit tests drive
 * them without net-snmp. snmp_agent.c is the only file that includes
 * net-snmp; snmp_child.c the process around it.
 */
#ifndef VIGIL_SNMP_H
#define VIGIL_SNMP_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "ipc.h"
#include "snmp_tree.h"

/* One configured VRRP instance and what is known of it. */
struct snmp_inst {
	const struct vrrp_inst_conf *conf;
	bool have;                    /* a report came */
	struct ipc_snmp_vrrp r;       /* the last one */
	uint32_t ifindex;             /* 0: interface unknown */
	bool have_mac;
	uint8_t mac[6];               /* the interface's: adverts are sent from it */
};

/* A receiving interface: the rejects no instance could be blamed for. */
struct snmp_iface {
	struct ipc_snmp_vrrp r;
};

struct snmp_db {
	const struct conf *conf;
	struct snmp_inst *inst;       /* one per conf->vrrp[], same order */
	unsigned n_inst;
	struct snmp_iface *ifs;
	unsigned n_ifs, cap_ifs;
	double started;               /* wall clock: RFC 2787's TimeStamps count from it */
};

/* snmp_db.c */
/* (Re)builds the instance list for c, keeping the reports of instances
 * still configured under the same name. Returns 0 or -ENOMEM. */
int snmp_db_set_conf(struct snmp_db *db, const struct conf *c);
void snmp_db_free(struct snmp_db *db);
/* Stores a report. Returns the instance it is about (NULL for an
 * interface or an unknown name); *prev receives the report it replaces
 * (have = false when none). */
struct snmp_inst *snmp_db_update(struct snmp_db *db, const struct ipc_snmp_vrrp *m,
				 struct ipc_snmp_vrrp *prev, bool *had);

/* snmp_vrrp.c: the VRRP MIBs. */
#define SNMP_VRRPV3_OID 1, 3, 6, 1, 2, 1, 207     /* vrrpv3MIB, RFC 6527 */
#define SNMP_VRRPV3_LEN 7
#define SNMP_VRRPV2_OID 1, 3, 6, 1, 2, 1, 68      /* vrrpMIB, RFC 2787 */
#define SNMP_VRRPV2_LEN 7

/* Adds every object of VRRPv3-MIB (every instance, v2 ones too, as
 * keepalived does) and VRRP-MIB (IPv4 version-2 instances). */
void snmp_vrrp_fill(struct snmp_tree *t, const struct snmp_db *db, bool traps);
/* An instance in RFC 2787's tables? */
bool snmp_vrrp_v2_row(const struct snmp_inst *in);

/* Notifications, as a list: the first variable is snmpTrapOID.0, the
 * others its objects. Each returns 0 when there is nothing to send. */
int snmp_vrrpv3_new_master(struct snmp_tree *out, const struct snmp_inst *in);
int snmp_vrrpv3_proto_error(struct snmp_tree *out, const struct snmp_inst *in);
int snmp_vrrpv2_new_master(struct snmp_tree *out, const struct snmp_inst *in);
/* vrrpTrapAuthFailure: the last bad advert's sender and error type. */
int snmp_vrrpv2_auth_failure(struct snmp_tree *out, const struct snmp_inst *in);

/* What a report changed that deserves a notification. */
bool snmp_report_new_master(const struct ipc_snmp_vrrp *m);
bool snmp_report_proto_error(const struct ipc_snmp_vrrp *prev, const struct ipc_snmp_vrrp *m);
/* Adverts failed authentication since the previous report (one
 * notification per report: at most one a second per instance). */
bool snmp_report_auth_failure(const struct ipc_snmp_vrrp *prev, const struct ipc_snmp_vrrp *m);

/* snmp_vigil.c: VIGIL-MIB (mibs/VIGIL-MIB.txt), from the rows the
 * parent sends (ipc.h IPC_SNMP_SUMMARY, _VS, _RS). Ages become wall
 * clock times on arrival. */
#define SNMP_VIGIL_OID 1, 3, 6, 1, 3, 58432     /* vigilMIB: experimental, see the MIB */
#define SNMP_VIGIL_LEN 6

struct snmp_vrs {
	bool have;
	struct ipc_snmp_rs r;
	struct ipc_snmp_check *checks;     /* r.n_checks of them */
	double state_since, result_at;     /* wall clock; 0: never */
};

struct snmp_vvs {
	bool have;
	struct ipc_snmp_vs v;
	struct snmp_vrs *rs;
	unsigned n_rs;
};

struct snmp_vigil {
	bool have;
	struct ipc_snmp_summary s;
	double started, conf_loaded;       /* wall clock */
	double proc_started[IPC_SNMP_PROCS];
	struct snmp_vvs *vs;
	unsigned n_vs;
};

/* Each stores one message (len: its payload's) at wall clock now and
 * returns 0, or -EINVAL (malformed, or another generation's row: the
 * next refresh brings it again), -ENOMEM. */
int snmp_vigil_summary(struct snmp_vigil *db, const struct ipc_snmp_summary *m, double now);
int snmp_vigil_vs(struct snmp_vigil *db, const struct ipc_snmp_vs *m);
int snmp_vigil_rs(struct snmp_vigil *db, const void *p, size_t len, double now);
void snmp_vigil_free(struct snmp_vigil *db);

/* Adds every VIGIL-MIB object. */
void snmp_vigil_fill(struct snmp_tree *t, const struct snmp_vigil *db);

/* Notifications (see snmp_vrrpv3_new_master()): vigilRsUp/Down,
 * vigilQuorumLost/Regained and vigilProcRestarted for the rows named.
 * Each returns 1 when built, 0 when the row is unknown. */
int snmp_vigil_rs_trap(struct snmp_tree *out, const struct snmp_vigil *db, unsigned vs,
		       unsigned rs, bool up);
int snmp_vigil_quorum_trap(struct snmp_tree *out, const struct snmp_vigil *db, unsigned vs,
			   bool up);
int snmp_vigil_proc_trap(struct snmp_tree *out, const struct snmp_vigil *db, unsigned proc);

#endif
