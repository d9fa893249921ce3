/*
 * snmp_tree: what the snmp child answers, as one sorted array of
 * (OID, typed value) — a snapshot of the MIBs built from the state the
 * parent pushed. A GET is a binary search for the OID, a GETNEXT one for
 * the first OID after it; the snapshot is rebuilt only when the state
 * changed, so a walk of any length never waits for anything and costs
 * O(log n) per step. Pure data: no net-snmp here, so it is unit-tested
 * as it is.
 *
 *   state ─> snmp_vrrp_fill() ─> snmp_tree_add()... ─> snmp_tree_sort()
 *   request ─> snmp_tree_find() / snmp_tree_next() ─> the varbind
 */
#ifndef VIGIL_SNMP_TREE_H
#define VIGIL_SNMP_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNMP_OID_MAX 40               /* sub-identifiers in one OID */
#define SNMP_BYTES_MAX 64             /* octets of a string value */

enum snmp_type {
	SNMP_T_INTEGER,               /* INTEGER, Integer32, enumerations, TruthValue */
	SNMP_T_UNSIGNED,              /* Unsigned32, Gauge32 */
	SNMP_T_COUNTER32,
	SNMP_T_COUNTER64,
	SNMP_T_TIMETICKS,             /* TimeTicks, TimeStamp: hundredths of a second */
	SNMP_T_UPTIME,                /* TimeTicks since the wall clock in .since (0: 0) */
	SNMP_T_OCTETS,                /* OCTET STRING, InetAddress, MacAddress */
	SNMP_T_IPADDRESS,             /* IpAddress: 4 octets */
	SNMP_T_OID,                   /* OBJECT IDENTIFIER: n sub-ids (uint32) in bytes */
};

struct snmp_var {
	uint32_t oid[SNMP_OID_MAX];
	uint8_t len;                  /* sub-identifiers used */
	uint8_t type;                 /* enum snmp_type */
	uint16_t n;                   /* octets in bytes (OCTETS, IPADDRESS); sub-ids (OID) */
	union {
		int64_t i;
		uint64_t u;
		double since;
	} v;
	uint8_t bytes[SNMP_BYTES_MAX];
};

struct snmp_tree {
	struct snmp_var *v;
	size_t n, cap;
	int err;                      /* first failure while adding: -ENOMEM, -E2BIG */
};

void snmp_tree_reset(struct snmp_tree *t);
void snmp_tree_free(struct snmp_tree *t);

/* A new variable prefix.col.index (n_index sub-ids), zeroed, or NULL
 * (t->err set) when it does not fit. */
struct snmp_var *snmp_tree_add(struct snmp_tree *t, const uint32_t *prefix, size_t n_prefix,
			       uint32_t col, const uint32_t *index, size_t n_index);
/* Setters for the value of v (NULL-safe: a failed add is ignored). */
void snmp_var_int(struct snmp_var *v, enum snmp_type type, int64_t i);
void snmp_var_uint(struct snmp_var *v, enum snmp_type type, uint64_t u);
void snmp_var_bytes(struct snmp_var *v, enum snmp_type type, const void *p, size_t n);
void snmp_var_uptime(struct snmp_var *v, double since);
/* An OBJECT IDENTIFIER value of up to SNMP_BYTES_MAX / 4 sub-ids. */
void snmp_var_oid(struct snmp_var *v, const uint32_t *oid, size_t n);

/* Sorts by OID. Returns 0, or -EEXIST when two variables have the same
 * OID (a bug in a builder). */
int snmp_tree_sort(struct snmp_tree *t);

/* -1, 0 or 1 as OID a sorts before, equal to or after b. */
int snmp_oid_cmp(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);

/* The variable with exactly this OID, or NULL. */
const struct snmp_var *snmp_tree_find(const struct snmp_tree *t, const uint32_t *oid, size_t n);
/* The first variable after this OID, or NULL. */
const struct snmp_var *snmp_tree_next(const struct snmp_tree *t, const uint32_t *oid, size_t n);

/* TimeTicks of an SNMP_T_UPTIME value at wall clock now. */
uint32_t snmp_uptime_ticks(double since, double now);

#endif
