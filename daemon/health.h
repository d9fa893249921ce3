/*
 * health: the parent's view of the real servers' health, fed by the
 * checker child's IPC_CHECK_RESULT messages. It keeps the last known state
 * of every (virtual server, real server) across checker restarts and
 * reloads (matched by address, not position), logs each transition as one
 * line, and shows it in status. The IPVS side asks health_rs_up().
 */
#ifndef VIGIL_HEALTH_H
#define VIGIL_HEALTH_H

#include <stdbool.h>
#include <stddef.h>

struct vigild;
struct json_object;

/* Records one result. Returns true when what health_rs_up() or
 * health_rs_weight() say for that real server changed (mark IPVS dirty). */
bool health_on_result(struct vigild *d, const void *payload, size_t len);
/* The "health" object of one real server in status (indexes in d->conf). */
struct json_object *health_rs_json(struct vigild *d, unsigned vs_idx, unsigned rs_idx);

/* At start, for each real server whose destination the kernel already
 * has (left by a previous parent): its weight there, taken as the last
 * known state until the checker's first verdict. */
void health_adopt(struct vigild *d, unsigned vs_idx, unsigned rs_idx, int weight);
/* Whether real server rs_idx of virtual server vs_idx (indexes in
 * d->conf) is healthy: its last verdict; before any, up if adopted from
 * the kernel or with the virtual server's start_up; a real server without
 * checks is always up. */
bool health_rs_up(struct vigild *d, unsigned vs_idx, unsigned rs_idx);
/* The same for a real server of another configuration (a reload's
 * preview), matched by service and address; *weight as health_rs_weight. */
struct vs_conf;
struct rs_conf;
bool health_rs_up_conf(struct vigild *d, const struct vs_conf *vs, const struct rs_conf *rc,
		       int *weight);
/* Whether it has a verdict of its own checks (or has no checks): false
 * while it is up only by adoption or start_up. */
bool health_rs_judged(struct vigild *d, unsigned vs_idx, unsigned rs_idx);
/* Its dynamic weight from a script check, the adopted one before any
 * verdict, or -1 (use the configured one). */
int health_rs_weight(struct vigild *d, unsigned vs_idx, unsigned rs_idx);

/* Adds "check_latency": every check run since the parent started, by
 * check type, in ipc.h's latency buckets (non-cumulative counts), with
 * the bounds and the sum; types that never ran are left out. */
void health_latency_json(struct vigild *d, struct json_object *r);
/* The health columns of a real server for the snmp child: state,
 * reason, ages, n_checks, and its checks into ck (IPC_SNMP_CHECKS_MAX). */
struct ipc_snmp_rs;
struct ipc_snmp_check;
void health_rs_snmp(struct vigild *d, unsigned vs_idx, unsigned rs_idx, struct ipc_snmp_rs *o,
		    struct ipc_snmp_check *ck);

/* Frees the table (at exit). */
void health_free(struct vigild *d);

#endif
