/*
 * snmp_agent: net-snmp as an AgentX subagent inside a libev loop (see
 * snmp_agent.h). net-snmp reads no configuration file, loads no MIB and
 * keeps no persistent state here: everything it needs is set below, so
 * what the subagent does does not depend on the host's snmp.conf.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>

#include "errbuf.h"
#include "snmp_agent.h"

#define AGENT_NAME "vigild"
#define MAX_FDS 8

struct snmp_agent {
	struct ev_loop *loop;
	struct snmp_agent_cfg cfg;
	ev_prepare prep_w;
	ev_timer timer_w;
	ev_io io_w[MAX_FDS];
	int fds[MAX_FDS];
	unsigned n_fds;
	bool connected;
	netsnmp_handler_registration *regs[4];
};

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- answering ------------------------------------------------------ */

static void set_value(netsnmp_variable_list *vb, const struct snmp_var *v)
{
	u_long ul = (u_long)v->v.u;
	long l = (long)v->v.i;
	switch ((enum snmp_type)v->type) {
	case SNMP_T_INTEGER:
		snmp_set_var_typed_value(vb, ASN_INTEGER, &l, sizeof(l));
		break;
	case SNMP_T_UNSIGNED:
		snmp_set_var_typed_value(vb, ASN_UNSIGNED, &ul, sizeof(ul));
		break;
	case SNMP_T_COUNTER32:
		snmp_set_var_typed_value(vb, ASN_COUNTER, &ul, sizeof(ul));
		break;
	case SNMP_T_COUNTER64: {
		struct counter64 c = { .high = v->v.u >> 32, .low = v->v.u & 0xffffffffu };
		snmp_set_var_typed_value(vb, ASN_COUNTER64, &c, sizeof(c));
		break;
	}
	case SNMP_T_TIMETICKS:
		snmp_set_var_typed_value(vb, ASN_TIMETICKS, &ul, sizeof(ul));
		break;
	case SNMP_T_UPTIME:
		ul = snmp_uptime_ticks(v->v.since, wall_now());
		snmp_set_var_typed_value(vb, ASN_TIMETICKS, &ul, sizeof(ul));
		break;
	case SNMP_T_OCTETS:
		snmp_set_var_typed_value(vb, ASN_OCTET_STR, v->bytes, v->n);
		break;
	case SNMP_T_IPADDRESS:
		snmp_set_var_typed_value(vb, ASN_IPADDRESS, v->bytes, 4);
		break;
	case SNMP_T_OID: {
		oid o[SNMP_BYTES_MAX / sizeof(uint32_t)];
		const uint32_t *src = (const uint32_t *)(const void *)v->bytes;
		for (unsigned i = 0; i < v->n; i++)
			o[i] = src[i];
		snmp_set_var_typed_value(vb, ASN_OBJECT_ID, o, v->n * sizeof(oid));
		break;
	}
	}
}

static bool under(const struct snmp_var *v, const netsnmp_handler_registration *reg)
{
	if (v->len < reg->rootoid_len)
		return false;
	for (size_t i = 0; i < reg->rootoid_len; i++)
		if (v->oid[i] != reg->rootoid[i])
			return false;
	return true;
}

/* One handler for every subtree: GET is an exact lookup, GETNEXT the
 * first OID after the request within this registration (past its end
 * the varbind is left alone and the master asks the next subtree). */
static int handler_cb(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
		      netsnmp_agent_request_info *ri, netsnmp_request_info *requests)
{
	struct snmp_agent *a = reg->my_reg_void;
	const struct snmp_tree *t = a->cfg.tree(a->cfg.arg);
	(void)h;
	for (netsnmp_request_info *r = requests; r; r = r->next) {
		if (r->processed)
			continue;
		netsnmp_variable_list *vb = r->requestvb;
		uint32_t q[SNMP_OID_MAX];
		size_t n = vb->name_length < SNMP_OID_MAX ? vb->name_length : SNMP_OID_MAX;
		for (size_t i = 0; i < n; i++)
			q[i] = vb->name[i] > UINT32_MAX ? UINT32_MAX : (uint32_t)vb->name[i];
		const struct snmp_var *v;
		if (ri->mode == MODE_GET) {
			v = vb->name_length <= SNMP_OID_MAX ? snmp_tree_find(t, q, n) : NULL;
			if (!v) {
				netsnmp_set_request_error(ri, r, SNMP_NOSUCHINSTANCE);
				continue;
			}
		} else if (ri->mode == MODE_GETNEXT) {
			v = snmp_tree_next(t, q, n);
			if (!v || !under(v, reg))
				continue;
			oid name[SNMP_OID_MAX];
			for (unsigned i = 0; i < v->len; i++)
				name[i] = v->oid[i];
			snmp_set_var_objid(vb, name, v->len);
		} else {
			netsnmp_set_request_error(ri, r, SNMP_ERR_NOTWRITABLE);
			continue;
		}
		set_value(vb, v);
	}
	return SNMP_ERR_NOERROR;
}

static int add_root(struct snmp_agent *a, unsigned i, struct errbuf *eb)
{
	oid root[SNMP_OID_MAX];
	size_t n = a->cfg.root_len[i];
	for (size_t k = 0; k < n; k++)
		root[k] = a->cfg.roots[i][k];
	netsnmp_handler_registration *reg =
		netsnmp_create_handler_registration(AGENT_NAME, handler_cb, root, n,
						    HANDLER_CAN_RONLY);
	if (!reg)
		return errbuf_set(eb, ENOMEM, "snmp: cannot register a subtree");
	reg->my_reg_void = a;
	if (netsnmp_register_handler(reg) != MIB_REGISTERED_OK)
		return errbuf_set(eb, EEXIST, "snmp: a subtree could not be registered");
	a->regs[i] = reg;
	return 0;
}

/* ---- the loop ------------------------------------------------------- */

static void process(struct snmp_agent *a)
{
	agent_check_and_process(0);
	(void)a;
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	process(w->data);
	(void)loop;
	(void)revents;
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	process(w->data);
	(void)loop;
	(void)revents;
}

/* Before the loop blocks: watch the descriptors and the next timeout
 * net-snmp has now (they change as the master comes and goes). */
static void prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct snmp_agent *a = w->data;
	int maxfd = 0, block = 1;
	fd_set set;
	struct timeval tv = { 0, 0 };
	FD_ZERO(&set);
	snmp_select_info(&maxfd, &set, &tv, &block);
	int want[MAX_FDS];
	unsigned n = 0;
	for (int fd = 0; fd < maxfd && fd < FD_SETSIZE && n < MAX_FDS; fd++)
		if (FD_ISSET(fd, &set))
			want[n++] = fd;
	bool same = n == a->n_fds;
	for (unsigned i = 0; same && i < n; i++)
		same = want[i] == a->fds[i];
	if (!same) {
		for (unsigned i = 0; i < a->n_fds; i++)
			ev_io_stop(loop, &a->io_w[i]);
		for (unsigned i = 0; i < n; i++) {
			ev_io_init(&a->io_w[i], io_cb, want[i], EV_READ);
			a->io_w[i].data = a;
			ev_io_start(loop, &a->io_w[i]);
			a->fds[i] = want[i];
		}
		a->n_fds = n;
	}
	ev_timer_stop(loop, &a->timer_w);
	if (!block) {
		ev_timer_set(&a->timer_w, tv.tv_sec + tv.tv_usec / 1e6, 0.);
		ev_timer_start(loop, &a->timer_w);
	}
	(void)revents;
}

/* ---- connection and logging ----------------------------------------- */

static int index_cb(int major, int minor, void *serverarg, void *clientarg)
{
	struct snmp_agent *a = clientarg;
	bool up = minor == SNMPD_CALLBACK_INDEX_START;
	(void)major;
	(void)serverarg;
	if (up != a->connected) {
		a->connected = up;
		if (a->cfg.connected)
			a->cfg.connected(a->cfg.arg, up);
	}
	return 0;
}

static int log_cb(int major, int minor, void *serverarg, void *clientarg)
{
	struct snmp_agent *a = clientarg;
	const struct snmp_log_message *m = serverarg;
	(void)major;
	(void)minor;
	if (a->cfg.log && m && m->msg)
		a->cfg.log(a->cfg.arg, m->priority, m->msg);
	return 0;
}

/* What net-snmp would otherwise take from snmp.conf and the environment. */
static void settings(const struct snmp_agent *a)
{
	/* No MIB files: the subagent answers numeric OIDs. */
	setenv("MIBS", "", 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	/* Alarms (pings, reconnects) come from snmp_select_info, not SIGALRM. */
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
	/* The ping is a synchronous exchange: a hung master holds the loop
	 * at most 2 s, well within the parent's heartbeat. */
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_TIMEOUT, 1);
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_RETRIES, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
	netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, a->cfg.agentx);
	/* Failed reconnects are ours to report, once. */
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS, 1);
}

struct snmp_agent *snmp_agent_open(struct ev_loop *loop, const struct snmp_agent_cfg *cfg,
				   struct errbuf *eb)
{
	struct snmp_agent *a = calloc(1, sizeof(*a));
	if (!a) {
		errbuf_set(eb, ENOMEM, "snmp: out of memory");
		return NULL;
	}
	a->loop = loop;
	a->cfg = *cfg;
	snmp_disable_log();
	snmp_enable_calllog();
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, log_cb, a);
	settings(a);
	snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START, index_cb, a);
	snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP, index_cb, a);
	if (init_agent(AGENT_NAME) != 0) {
		errbuf_set(eb, EIO, "snmp: net-snmp's agent would not start");
		free(a);
		return NULL;
	}
	/* After init_agent(), which sets its default of 15 s. */
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
			   SNMP_AGENT_PING);
	for (unsigned i = 0; i < cfg->n_roots && i < 4; i++)
		if (add_root(a, i, eb) < 0) {
			free(a);   /* the child exits: see snmp_agent_close() */
			return NULL;
		}
	init_snmp(AGENT_NAME);   /* connects, or arms the reconnect alarm */
	ev_prepare_init(&a->prep_w, prepare_cb);
	a->prep_w.data = a;
	ev_prepare_start(loop, &a->prep_w);
	ev_init(&a->timer_w, timer_cb);
	a->timer_w.data = a;
	return a;
}

void snmp_agent_close(struct snmp_agent *a)
{
	if (!a)
		return;
	ev_prepare_stop(a->loop, &a->prep_w);
	ev_timer_stop(a->loop, &a->timer_w);
	for (unsigned i = 0; i < a->n_fds; i++)
		ev_io_stop(a->loop, &a->io_w[i]);
	/* No snmp_shutdown(): its subagent teardown frees the session twice
	 * in net-snmp 5.9.3 (an abort at every stop). The process is ending;
	 * the master drops the session when the socket closes. */
	free(a);
}

bool snmp_agent_connected(const struct snmp_agent *a)
{
	return a && a->connected;
}

int snmp_agent_notify(struct snmp_agent *a, const struct snmp_tree *vars)
{
	if (!a->connected)
		return -ENOTCONN;
	netsnmp_variable_list *list = NULL;
	for (size_t i = 0; i < vars->n; i++) {
		const struct snmp_var *v = &vars->v[i];
		oid name[SNMP_OID_MAX];
		for (unsigned k = 0; k < v->len; k++)
			name[k] = v->oid[k];
		netsnmp_variable_list *vb = snmp_varlist_add_variable(&list, name, v->len,
								       ASN_NULL, NULL, 0);
		if (!vb) {
			snmp_free_varbind(list);
			return -ENOMEM;
		}
		set_value(vb, v);
	}
	send_v2trap(list);
	snmp_free_varbind(list);
	return 0;
}
