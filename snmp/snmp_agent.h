/*
 * snmp_agent: the only code that talks to net-snmp — an AgentX subagent
 * in the caller's libev loop. net-snmp's descriptors and timers are
 * mirrored into ev_io/ev_timer watchers before the loop blocks (from
 * snmp_select_info), and readiness is handed back to net-snmp without
 * blocking (agent_check_and_process(0)). A master agent that is absent
 * or goes away is retried every SNMP_AGENT_PING s by net-snmp itself;
 * the caller hears of each connect and loss once.
 *
 *   ev_prepare ─> snmp_select_info ─> ev_io per fd, ev_timer for the next alarm
 *   ev_io / ev_timer ─> agent_check_and_process(0) ─> handler ─> tree_cb ─> snmp_tree
 */
#ifndef VIGIL_SNMP_AGENT_H
#define VIGIL_SNMP_AGENT_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snmp_tree.h"

struct errbuf;
struct snmp_agent;

#define SNMP_AGENT_PING 5             /* s: AgentX ping, and reconnect attempts */

struct snmp_agent_cfg {
	const char *agentx;           /* master's address, as net-snmp takes it */
	/* The subtrees answered (each as OID + length), at most 4. */
	const uint32_t *roots[4];
	size_t root_len[4];
	unsigned n_roots;
	/* The current snapshot (rebuilt by the caller when stale). */
	const struct snmp_tree *(*tree)(void *arg);
	/* Connected (true) to the master, or lost it / could not reach it. */
	void (*connected)(void *arg, bool up);
	/* A line net-snmp wanted to log, with its syslog priority. */
	void (*log)(void *arg, int prio, const char *msg);
	void *arg;
};

/* Starts the subagent (one per process: net-snmp is process-wide). It
 * tries to connect at once; not reaching the master is not an error.
 * NULL with the reason in eb. */
struct snmp_agent *snmp_agent_open(struct ev_loop *loop, const struct snmp_agent_cfg *cfg,
				   struct errbuf *eb);
void snmp_agent_close(struct snmp_agent *a);
bool snmp_agent_connected(const struct snmp_agent *a);
/* Sends a notification: vars[0] is snmpTrapOID.0, the rest its objects
 * (see snmp_vrrpv3_new_master()). Dropped when not connected. Returns 0,
 * -ENOTCONN or -ENOMEM. */
int snmp_agent_notify(struct snmp_agent *a, const struct snmp_tree *vars);

#endif
