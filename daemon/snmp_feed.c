/*
 * snmp_feed: what the parent tells the snmp child (see snmp_feed.h).
 *
 *   vrrp child ─IPC_VRRP_STATE─> roles_on_msg ─> snmpf_vrrp ─IPC_SNMP_VRRP─> snmp child
 *   snmp child READY ─> snmpf_replay: the last report of every object
 *   reload: global.snmp.agentx set / unset / moved ─> start / stop / restart it
 *
 * The snmp child may not include the VRRP code's headers (the layering),
 * so the translation from its enums and reject reasons to what the MIBs
 * count is done here, once per report: a few hundred bytes, never a
 * round trip, and the parent never waits for the snmp child.
 */
#include <signal.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "roles.h"
#include "snmp_feed.h"
#include "vigild.h"
#include "vrrp_fsm.h"
#include "vrrp_pkt.h"

static uint8_t vstate(uint8_t s)
{
	switch ((enum vrrp_state)s) {
	case VRRP_STATE_BACKUP: return IPC_SNMP_VS_BACKUP;
	case VRRP_STATE_MASTER: return IPC_SNMP_VS_MASTER;
	case VRRP_STATE_FAULT: return IPC_SNMP_VS_FAULT;
	case VRRP_STATE_STOPPED: return IPC_SNMP_VS_STOPPED;
	default: return IPC_SNMP_VS_INIT;
	}
}

static uint8_t proto_err(uint8_t rx)
{
	switch ((enum vrrp_rx)rx) {
	case VRRP_RX_TTL: return IPC_SNMP_PE_TTL;
	case VRRP_RX_VERSION: return IPC_SNMP_PE_VERSION;
	case VRRP_RX_CHECKSUM: return IPC_SNMP_PE_CHECKSUM;
	default: return IPC_SNMP_PE_NONE;
	}
}

/* RFC 2787 vrrpTrapAuthErrorType: a type we do not take (the codec
 * tells no unknown type from another one) is a mismatch. */
static uint8_t auth_err(uint8_t rx)
{
	switch ((enum vrrp_rx)rx) {
	case VRRP_RX_AUTH_TYPE: return 2;   /* authTypeMismatch */
	case VRRP_RX_AUTH_PASS: return 3;   /* authFailure */
	default: return 0;
	}
}

static void translate(const struct vigild *d, const struct ipc_vrrp_state *m,
		      struct ipc_snmp_vrrp *o)
{
	const uint64_t *rj = m->rejected;
	memset(o, 0, sizeof(*o));
	o->generation = d->generation;
	o->kind = m->kind;
	o->state = vstate(m->state);
	o->prev_state = vstate(m->prev_state);
	o->changed = m->changed;
	o->family = m->family;
	o->priority = m->priority;
	o->master_reason = m->master_reason;
	o->proto_err = proto_err(m->proto_err);
	o->auth_err = auth_err(m->auth_err);
	memcpy(o->auth_src, m->auth_src, sizeof(o->auth_src));
	o->master_known = m->master_known;
	o->primary_known = m->primary_known;
	memcpy(o->name, m->name, sizeof(o->name));
	o->name[sizeof(o->name) - 1] = '\0';
	memcpy(o->master, m->master, sizeof(o->master));
	memcpy(o->primary, m->primary, sizeof(o->primary));
	o->up_since = m->up_since;
	o->became_master = m->became_master;
	o->adverts_received = m->received;
	o->adverts_sent = m->sent;
	o->pri0_received = m->pri0_received;
	o->pri0_sent = m->pri0_sent;
	o->err_interval = rj[VRRP_RX_INTERVAL];
	o->err_ttl = rj[VRRP_RX_TTL];
	o->err_type = rj[VRRP_RX_TYPE];
	o->err_addr_list = rj[VRRP_RX_ADDR_MISMATCH] + rj[VRRP_RX_TOO_MANY];
	o->err_length = rj[VRRP_RX_SHORT] + rj[VRRP_RX_LENGTH] + rj[VRRP_RX_COUNT];
	o->err_checksum = rj[VRRP_RX_CHECKSUM];
	o->err_version = rj[VRRP_RX_VERSION];
	o->err_vrid = rj[VRRP_RX_NOT_FOR_US];
	o->err_auth_type = rj[VRRP_RX_AUTH_TYPE];
	o->err_auth = rj[VRRP_RX_AUTH_PASS];
}

static void forward(struct vigild *d, const struct ipc_vrrp_state *m, bool replay)
{
	if (m->kind != IPC_VRRP_INSTANCE && m->kind != IPC_VRRP_IFACE)
		return;
	struct ipc_snmp_vrrp o;
	translate(d, m, &o);
	if (replay)
		o.changed = 0;   /* old news: no notification */
	supervise_send(d, CHILD_SNMP, IPC_SNMP_VRRP, &o, sizeof(o), NULL, 0);
}

void snmpf_vrrp(struct vigild *d, const struct ipc_vrrp_state *m)
{
	if (d->children[CHILD_SNMP].fd >= 0)
		forward(d, m, false);
}

static void replay_one(struct vigild *d, const struct ipc_vrrp_state *m)
{
	forward(d, m, true);
}

void snmpf_replay(struct vigild *d)
{
	roles_foreach(d, replay_one);
	snmpf_vigil_start(d);
}

void snmpf_conf_changed(struct vigild *d, const struct conf *old)
{
	const char *was = old->global.snmp_agentx, *now = d->conf->global.snmp_agentx;
	if (now)
		snmpf_vigil_start(d);   /* the new generation's rows, before its events */
	if (!was && !now)
		return;
	if (was && now && !strcmp(was, now))
		return;
	if (!now) {
		log_notice("snmp: global.snmp removed; stopping the subagent");
		supervise_enable(d, CHILD_SNMP, false);
	} else if (!was) {
		log_notice("snmp: starting the subagent for %s", now);
		supervise_enable(d, CHILD_SNMP, true);
	} else {
		log_notice("snmp: AgentX master now %s; restarting the subagent", now);
		supervise_restart(d, CHILD_SNMP);
	}
}
