/*
 * snmp_feed: the parent's side of the snmp child — it forwards every
 * VRRP report, translated into IPC_SNMP_VRRP, replays the last known
 * state to a (re)started snmp child, and starts, stops or restarts it
 * when a reload sets, removes or moves global.snmp.agentx.
 */
#ifndef VIGIL_SNMP_FEED_H
#define VIGIL_SNMP_FEED_H

#include "ipc.h"

struct vigild;
struct conf;

/* One IPC_VRRP_STATE from the vrrp child (already checked). */
void snmpf_vrrp(struct vigild *d, const struct ipc_vrrp_state *m);
/* The snmp child said READY: send it what is known. */
void snmpf_replay(struct vigild *d);
/* After a reload: old is the previous configuration. */
void snmpf_conf_changed(struct vigild *d, const struct conf *old);

#endif
