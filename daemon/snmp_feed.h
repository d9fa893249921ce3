/*
 * snmp_feed: the parent's side of the snmp child — it forwards every
 * VRRP report, translated into IPC_SNMP_VRRP, replays the last known
 * state to a (re)started snmp child, and starts, stops or restarts it
 * when a reload sets, removes or moves global.snmp.agentx.
 */
#ifndef VIGIL_SNMP_FEED_H
#define VIGIL_SNMP_FEED_H

#include <stdbool.h>

#include "ipc.h"
#include "vigild.h"

struct conf;

/* One IPC_VRRP_STATE from the vrrp child (already checked). */
void snmpf_vrrp(struct vigild *d, const struct ipc_vrrp_state *m);
/* The snmp child said READY: send it what is known. */
void snmpf_replay(struct vigild *d);
/* After a reload: old is the previous configuration. */
void snmpf_conf_changed(struct vigild *d, const struct conf *old);

/* snmp_feed_vigil.c: VIGIL-MIB. Starts the periodic refresh and sends
 * one now (the child's READY, a reload). */
void snmpf_vigil_start(struct vigild *d);
/* A real server's health was updated (indexes in d->conf): its health
 * columns go at once, so they are as fresh as status; ev is the
 * transition, if any (IPC_SNMP_EV_UP, _DOWN). */
void snmpf_rs_health(struct vigild *d, unsigned vi, unsigned ri, enum ipc_snmp_event ev);
/* A virtual server's quorum changed (v in d->conf; others are ignored). */
struct vs_conf;
void snmpf_quorum_event(struct vigild *d, const struct vs_conf *v, bool up, bool sorry,
			unsigned alive);
/* A child restarted by supervision reported ready. */
void snmpf_child_restarted(struct vigild *d, enum child_kind k);

#endif
