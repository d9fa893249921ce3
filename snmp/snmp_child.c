/*
 * snmp_child: the snmp child's life cycle around the subagent (see
 * snmp.h): drop to script_user with no capability, start net-snmp,
 * keep the parent's reports (VRRP, and the VIGIL-MIB rows), rebuild the
 * snapshot when a request finds it stale, send notifications on
 * transitions, protocol errors and the parent's events.
 *
 *   start ─> priv_drop_snmp ─> snmp_agent_open (connects or keeps trying)
 *   IPC_SNMP_VRRP ─> snmp_db_update ─> stale; new master / proto error ─> trap
 *   IPC_SNMP_SUMMARY/_VS/_RS ─> snmp_vigil_* ─> stale; an event ─> trap
 *   request ─> tree_cb ─> (stale: resolve interfaces, snmp_vrrp_fill, sort)
 *   reload ─> snmp_db_set_conf (the parent restarts us for a new agentx)
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "errbuf.h"
#include "log.h"
#include "privdrop.h"
#include "snmp.h"
#include "snmp_agent.h"
#include "snmp_child.h"

struct snmp_child {
	struct child_ctx *cx;
	struct snmp_db db;
	struct snmp_vigil vigil;      /* VIGIL-MIB rows */
	struct snmp_tree tree;        /* what requests are answered from */
	bool stale;
	struct snmp_tree trap;        /* one notification being sent */
	struct snmp_agent *agent;
	bool said_absent;             /* "master not reachable" logged */
	uint64_t traps_sent, traps_dropped;
};

static const uint32_t vrrpv3_root[] = { SNMP_VRRPV3_OID };
static const uint32_t vrrpv2_root[] = { SNMP_VRRPV2_OID };
static const uint32_t vigil_root[] = { SNMP_VIGIL_OID };

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ifIndex and MAC address of an instance's interface, now. */
static void resolve(struct snmp_inst *in, int sock)
{
	in->ifindex = if_nametoindex(in->conf->interface);
	in->have_mac = false;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", in->conf->interface);
	if (sock >= 0 && in->ifindex && ioctl(sock, SIOCGIFHWADDR, &ifr) == 0) {
		memcpy(in->mac, ifr.ifr_hwaddr.sa_data, 6);
		in->have_mac = true;
	}
}

static const struct snmp_tree *tree_cb(void *arg)
{
	struct snmp_child *s = arg;
	if (!s->stale)
		return &s->tree;
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	for (unsigned i = 0; i < s->db.n_inst; i++)
		resolve(&s->db.inst[i], sock);
	if (sock >= 0)
		close(sock);
	snmp_tree_reset(&s->tree);
	snmp_vrrp_fill(&s->tree, &s->db, s->cx->conf->global.snmp_traps);
	snmp_vigil_fill(&s->tree, &s->vigil);
	if (s->tree.err)
		log_err("snmp: building the MIB view: %s", strerror(-s->tree.err));
	if (snmp_tree_sort(&s->tree) < 0)
		log_warn("snmp: two rows have the same index; one is hidden");
	s->stale = false;
	return &s->tree;
}

static void connected_cb(void *arg, bool up)
{
	struct snmp_child *s = arg;
	const char *at = s->cx->conf->global.snmp_agentx;
	if (up) {
		log_notice("snmp: connected to the AgentX master at %s", at);
		s->said_absent = false;
	} else {
		log_warn("snmp: lost the AgentX master at %s; reconnecting every %d s", at,
			 SNMP_AGENT_PING);
		s->said_absent = true;
	}
}

static void netsnmp_log_cb(void *arg, int prio, const char *msg)
{
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		n--;
	/* net-snmp's own notices (connected, reconnecting) are said once by
	 * connected_cb; only its warnings and errors are worth a line. */
	log_msg(prio <= LOG_WARNING ? LOG_WARNING : LOG_DEBUG, "snmp: net-snmp: %.*s", (int)n, msg);
	(void)arg;
}

static void send_trap(struct snmp_child *s, int built)
{
	if (built <= 0)
		return;
	if (snmp_agent_notify(s->agent, &s->trap) == 0)
		s->traps_sent++;
	else
		s->traps_dropped++;
}

static void on_vrrp(struct snmp_child *s, const struct ipc_snmp_vrrp *m)
{
	struct ipc_snmp_vrrp prev;
	bool had;
	struct snmp_inst *in = snmp_db_update(&s->db, m, &prev, &had);
	s->stale = true;
	if (!in || !s->cx->conf->global.snmp_traps)
		return;
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	resolve(in, sock);
	if (sock >= 0)
		close(sock);
	if (snmp_report_new_master(&in->r)) {
		send_trap(s, snmp_vrrpv3_new_master(&s->trap, in));
		send_trap(s, snmp_vrrpv2_new_master(&s->trap, in));
	}
	if (had && snmp_report_proto_error(&prev, &in->r))
		send_trap(s, snmp_vrrpv3_proto_error(&s->trap, in));
	if (had && snmp_report_auth_failure(&prev, &in->r))
		send_trap(s, snmp_vrrpv2_auth_failure(&s->trap, in));
}

/* A VIGIL-MIB row; its event, if any, is a notification. */
static void on_vigil(struct snmp_child *s, const struct ipc_hdr *h, const void *p)
{
	double now = wall_now();
	int r = h->type == IPC_SNMP_SUMMARY ? snmp_vigil_summary(&s->vigil, p, now)
		: h->type == IPC_SNMP_VS ? snmp_vigil_vs(&s->vigil, p)
		: snmp_vigil_rs(&s->vigil, p, h->len, now);
	if (r == -ENOMEM)
		log_err("snmp: out of memory for VIGIL-MIB rows; some are missing");
	if (r < 0)
		return;   /* another generation's row: the next refresh brings it */
	s->stale = true;
	if (!s->cx->conf->global.snmp_traps)
		return;
	if (h->type == IPC_SNMP_SUMMARY) {
		const struct ipc_snmp_summary *m = p;
		if (m->restarted)
			send_trap(s, snmp_vigil_proc_trap(&s->trap, &s->vigil, m->restarted - 1u));
	} else if (h->type == IPC_SNMP_VS) {
		const struct ipc_snmp_vs *m = p;
		if (m->event)
			send_trap(s, snmp_vigil_quorum_trap(&s->trap, &s->vigil, m->vs,
							    m->event == IPC_SNMP_EV_UP));
	} else {
		const struct ipc_snmp_rs *m = p;
		if (m->event)
			send_trap(s, snmp_vigil_rs_trap(&s->trap, &s->vigil, m->vs, m->rs,
							m->event == IPC_SNMP_EV_UP));
	}
}

static void msg_cb(struct child_ctx *cx, const struct ipc_hdr *h, const void *p)
{
	struct snmp_child *s = cx->priv;
	if (h->type == IPC_SNMP_VRRP)
		on_vrrp(s, p);
	else if (h->type == IPC_SNMP_SUMMARY || h->type == IPC_SNMP_VS || h->type == IPC_SNMP_RS)
		on_vigil(s, h, p);
	else
		log_debug("ignoring %s message", ipc_type_str(h->type));
}

static int start(struct child_ctx *cx)
{
	struct errbuf eb;
	char user[64];
	priv_script_user(cx->conf->global.script_user, user, sizeof(user));
	int r = priv_drop_snmp(user, &eb);
	if (r < 0) {
		log_err("snmp: cannot drop privileges to %s: %s", user, eb.msg);
		return r;
	}
	struct snmp_child *s = calloc(1, sizeof(*s));
	if (!s || snmp_db_set_conf(&s->db, cx->conf) < 0) {
		log_err("snmp: out of memory");
		free(s);
		return -ENOMEM;
	}
	s->cx = cx;
	s->stale = true;
	s->db.started = wall_now();
	cx->priv = s;
	struct snmp_agent_cfg cfg = {
		.agentx = cx->conf->global.snmp_agentx,
		.roots = { vrrpv3_root, vrrpv2_root, vigil_root },
		.root_len = { sizeof(vrrpv3_root) / sizeof(vrrpv3_root[0]),
			      sizeof(vrrpv2_root) / sizeof(vrrpv2_root[0]),
			      sizeof(vigil_root) / sizeof(vigil_root[0]) },
		.n_roots = 3,
		.tree = tree_cb, .connected = connected_cb, .log = netsnmp_log_cb, .arg = s,
	};
	if (!(s->agent = snmp_agent_open(cx->loop, &cfg, &eb))) {
		log_err("%s", eb.msg);
		return -EIO;
	}
	log_info("snmp: subagent started as %s%s", r == 1 ? "the current user" : user,
		 snmp_agent_connected(s->agent) ? "" : "; the AgentX master is not reachable yet");
	if (!snmp_agent_connected(s->agent)) {
		log_warn("snmp: no AgentX master at %s; trying every %d s",
			 cx->conf->global.snmp_agentx, SNMP_AGENT_PING);
		s->said_absent = true;
	}
	return 0;
}

static int reload(struct child_ctx *cx, const struct conf *old)
{
	struct snmp_child *s = cx->priv;
	(void)old;
	if (snmp_db_set_conf(&s->db, cx->conf) < 0)
		return -ENOMEM;
	s->stale = true;
	return 0;
}

static void dump(struct child_ctx *cx)
{
	struct snmp_child *s = cx->priv;
	log_notice("state: snmp: AgentX master %s %s, %u instances, %zu objects, "
		   "%llu notifications sent, %llu dropped", cx->conf->global.snmp_agentx,
		   snmp_agent_connected(s->agent) ? "connected" : "not connected", s->db.n_inst,
		   s->tree.n, (unsigned long long)s->traps_sent,
		   (unsigned long long)s->traps_dropped);
}

static void stop(struct child_ctx *cx)
{
	struct snmp_child *s = cx->priv;
	if (!s)
		return;
	snmp_agent_close(s->agent);
	snmp_tree_free(&s->tree);
	snmp_tree_free(&s->trap);
	snmp_db_free(&s->db);
	snmp_vigil_free(&s->vigil);
	free(s);
	cx->priv = NULL;
}

const struct child_ops child_snmp_ops = {
	.name = "snmp",
	.start = start,
	.reload = reload,
	.dump = dump,
	.stop = stop,
	.msg = msg_cb,
};
