/*
 * kc_vs: virtual_server and real_server.
 *
 * keepalived's defaults written out where vigil's differ:
 *   delay_loop 60        -> check_interval = 60.0 (vigil: 2)
 *   real servers up      -> start_up = true (vigil: down until a check
 *   unless alpha            passes); alpha -> nothing written
 *   persistence_timeout  -> 360 s when given without a value (vigil: 300),
 *                           and on a port-0 service without it
 *   no protocol          -> protocol = "udp" for address services (since
 *                           1.3.6 keepalived says "no protocol set -
 *                           defaulting to UDP"; vigil: tcp)
 * Settings keepalived lets a real server or a checker override but vigil
 * keeps per virtual server (alpha, inhibit_on_failure) are converted at
 * the virtual server's level; an override that differs is reported.
 */
#include "kc_conv_int.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct vs {
	const struct kc_node *n;
	int family;
	const char *sched, *fwd, *proto, *pgran, *name, *ip_family;
	const struct kc_node *pgran_n;
	long ptimeout, quorum, hyst, sorry_port;
	bool persistent, ops, sched_flag[4];
	bool addressed;               /* has addresses: the protocol matters */
	bool port0_persist;           /* persistent only as keepalived makes port 0 */
	char *qup, *qdown;
	const char *sorry, *sorry_fwd;
	struct kc_tun tun;
	bool sorry_inhibit, omega;
	int inhibit, vs_alpha;
	struct kc_chk_dflt dflt;
	const struct kc_node **rs;
	unsigned n_rs;
};

static const char *const flag_keys[4] = { "sh_port", "sh_fallback", "mh_port", "mh_fallback" };
static const char *const schedulers[] = {
	"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", NULL
};

static void v_sched(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	for (unsigned i = 0; n->n > 1 && schedulers[i]; i++)
		if (!strcmp(n->w[1], schedulers[i])) {
			((struct vs *)obj)->sched = schedulers[i];
			return;
		}
	kc_skip(x->d, n->src, "%s: scheduler '%s': vigil has none of that name (wlc used)",
		n->w[0], n->n > 1 ? n->w[1] : "");
}

/* NAT, DR or TUN into *out, a TUN's tunnel into *tun (when given); false
 * when unknown. */
static bool method(struct kc_cx *x, const struct kc_node *n, const char **out,
		   struct kc_tun *tun)
{
	static const char *const from[] = { "NAT", "DR", "TUN" }, *const to[] = { "nat", "dr", "tun" };
	for (unsigned i = 0; n->n > 1 && i < 3; i++)
		if (!strcasecmp(n->w[1], from[i])) {
			*out = to[i];
			if (i == 2 && tun)
				kc_tun_parse(x, n, 2, tun);
			else
				kc_extra(x, n, 2);
			return true;
		}
	kc_skip(x->d, n->src, "%s: expected NAT, DR or TUN", n->w[0]);
	return false;
}

static void v_method(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	method(x, n, &((struct vs *)obj)->fwd, &((struct vs *)obj)->tun);
}

static void v_proto(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	static const char *const p[] = { "tcp", "udp", "sctp" };
	for (unsigned i = 0; n->n > 1 && i < 3; i++)
		if (!strcasecmp(n->w[1], p[i])) {
			((struct vs *)obj)->proto = p[i];
			return;
		}
	kc_skip(x->d, n->src, "protocol: expected TCP, UDP or SCTP");
}

static void v_persist(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct vs *vs = obj;
	vs->persistent = true;
	if (!strcmp(n->w[0], "persistence_granularity")) {
		if (n->n > 1)
			vs->pgran = n->w[1], vs->pgran_n = n;
	} else if (n->n > 1) {
		kc_int(x, n, 1, 1, UINT32_MAX, &vs->ptimeout);
	}
}

static void v_flag(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct vs *vs = obj;
	const char *k = n->w[0];
	if (!strcmp(k, "ops")) {
		vs->ops = true;
		return;
	}
	/* flag-1 is the *-fallback flag, flag-2 the *-port flag of sh and mh */
	bool mh = vs->sched && !strcmp(vs->sched, "mh");
	bool sh = vs->sched && !strcmp(vs->sched, "sh");
	int i = !strcmp(k, "sh-port") ? 0 : !strcmp(k, "sh-fallback") ? 1
		: !strcmp(k, "mh-port") ? 2 : !strcmp(k, "mh-fallback") ? 3
		: !strcmp(k, "flag-1") && (sh || mh) ? (mh ? 3 : 1)
		: !strcmp(k, "flag-2") && (sh || mh) ? (mh ? 2 : 0) : -1;
	if (i < 0)
		kc_skip(x->d, n->src, "%s: no vigil equivalent for scheduler %s", k,
			vs->sched ? vs->sched : "wlc");
	else
		vs->sched_flag[i] = true;
}

static void v_dflt(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	kc_dflt_kw(x, n, &((struct vs *)obj)->dflt);
}

static void v_alpha(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	((struct vs *)obj)->vs_alpha = 1;
}

static void v_count(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct vs *vs = obj;
	kc_int(x, n, 1, strcmp(n->w[0], "quorum") ? 0 : 1, INT32_MAX,
	       !strcmp(n->w[0], "quorum") ? &vs->quorum : &vs->hyst);
}

static void v_quorum_cmd(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct vs *vs = obj;
	char **slot = !strcmp(n->w[0], "quorum_up") ? &vs->qup : &vs->qdown;
	free(*slot);
	*slot = kc_command(x, n, n->w[0]);
}

static void v_sorry(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct vs *vs = obj;
	if (n->n < 2 || !kc_family(n->w[1], false)) {
		kc_skip(x->d, n->src, "sorry_server: expected an IP address");
		return;
	}
	vs->sorry = n->w[1];
	if (n->n > 2 && !kc_int(x, n, 2, 1, 65535, &vs->sorry_port))
		vs->sorry = NULL;
}

static void v_sorry_method(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	method(x, n, &((struct vs *)obj)->sorry_fwd, NULL);
}

static void v_inhibit(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct vs *vs = obj;
	if (!strcmp(n->w[0], "sorry_server_inhibit"))
		vs->sorry_inhibit = true;
	else
		vs->inhibit = 1;
}

static void v_omega(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	((struct vs *)obj)->omega = true;
}

static void v_str(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct vs *vs = obj;
	if (n->n < 2)
		return;
	if (!strcmp(n->w[0], "ip_family"))
		vs->ip_family = n->w[1];
	else
		vs->name = n->w[1];
}

static void v_rs(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct vs *vs = obj;
	vs->rs = kc_realloc(vs->rs, vs->n_rs + 1, sizeof(*vs->rs));
	vs->rs[vs->n_rs++] = n;
}

static const struct kc_kw vs_kw[] = {
	{ "lb_algo", v_sched, NULL }, { "lvs_sched", v_sched, NULL },
	{ "lb_kind", v_method, NULL }, { "lvs_method", v_method, NULL },
	{ "protocol", v_proto, NULL },
	{ "persistence_timeout", v_persist, NULL },
	{ "persistence_granularity", v_persist, NULL },
	{ "ops", v_flag, NULL }, { "sh-port", v_flag, NULL }, { "sh-fallback", v_flag, NULL },
	{ "mh-port", v_flag, NULL }, { "mh-fallback", v_flag, NULL },
	{ "flag-1", v_flag, NULL }, { "flag-2", v_flag, NULL }, { "flag-3", v_flag, NULL },
	{ "delay_loop", v_dflt, NULL }, { "connect_timeout", v_dflt, NULL },
	{ "retry", v_dflt, NULL }, { "nb_get_retry", v_dflt, NULL },
	{ "delay_before_retry", v_dflt, NULL }, { "virtualhost", v_dflt, NULL },
	{ "alpha", v_alpha, NULL },
	{ "quorum", v_count, NULL }, { "hysteresis", v_count, NULL },
	{ "quorum_up", v_quorum_cmd, NULL }, { "quorum_down", v_quorum_cmd, NULL },
	{ "sorry_server", v_sorry, NULL },
	{ "sorry_server_lvs_method", v_sorry_method, NULL },
	{ "inhibit_on_failure", v_inhibit, NULL },
	{ "ip_family", v_str, NULL }, { "snmp_name", v_str, NULL },
	{ "real_server", v_rs, NULL },
	{ "sorry_server_inhibit", v_inhibit, NULL },
	{ "persistence_engine", NULL, "vigil sets no IPVS persistence engine" },
	{ "omega", v_omega, NULL },
	{ "ha_suspend", NULL, "vigil checks real servers whether or not the address is local" },
	{ "warmup", v_dflt, NULL },
	{ "smtp_alert", NULL, "e-mail alerts: vigil sends none" },
	{ NULL, NULL, NULL }
};

/* ---- real_server ------------------------------------------------------ */

struct rs {
	struct kc_val *v;
	const char *fwd;
	long weight, uth, lth;
	int inhibit;
	const struct kc_node *inhibit_n;
	struct kc_chk_dflt dflt;
	struct kc_tun tun;
	char *notify[2];              /* notify_up, notify_down */
};

static void r_count(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct rs *r = obj;
	long *slot = !strcmp(n->w[0], "weight") ? &r->weight
		: !strcmp(n->w[0], "uthreshold") ? &r->uth : &r->lth;
	kc_int(x, n, 1, 0, *n->w[0] == 'w' ? 65535 : UINT32_MAX, slot);
}

static void r_method(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	method(x, n, &((struct rs *)obj)->fwd, &((struct rs *)obj)->tun);
}

static void r_inhibit(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct rs *r = obj;
	bool on;
	if (kc_flag(x, n, 1, &on))
		r->inhibit = on, r->inhibit_n = n;
}

static void r_notify(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	char **slot = &((struct rs *)obj)->notify[strcmp(n->w[0], "notify_up") != 0];
	free(*slot);
	*slot = kc_command(x, n, n->w[0]);
}

static void r_dflt(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	if (!kc_dflt_kw(x, n, &((struct rs *)obj)->dflt))
		kc_skip(x->d, n->src, "'%s': no vigil equivalent here", n->w[0]);
}

static void nothing(struct kc_cx *x, const struct kc_node *n, void *obj)
{
}

static const struct kc_kw rs_kw[] = {
	{ "weight", r_count, NULL }, { "uthreshold", r_count, NULL }, { "lthreshold", r_count, NULL },
	{ "lvs_method", r_method, NULL }, { "lb_kind", r_method, NULL },
	{ "inhibit_on_failure", r_inhibit, NULL },
	{ "alpha", r_dflt, NULL }, { "connect_timeout", r_dflt, NULL },
	{ "retry", r_dflt, NULL }, { "nb_get_retry", r_dflt, NULL },
	{ "delay_before_retry", r_dflt, NULL }, { "delay_loop", r_dflt, NULL },
	{ "virtualhost", r_dflt, NULL },
	/* checkers: kc_checks */
	{ "TCP_CHECK", nothing, NULL }, { "HTTP_GET", nothing, NULL }, { "SSL_GET", nothing, NULL },
	{ "SMTP_CHECK", nothing, NULL }, { "DNS_CHECK", nothing, NULL },
	{ "MISC_CHECK", nothing, NULL }, { "UDP_CHECK", nothing, NULL },
	{ "PING_CHECK", nothing, NULL }, { "FILE_CHECK", nothing, NULL }, { "BFD_CHECK", nothing, NULL },
	{ "notify_up", r_notify, NULL }, { "notify_down", r_notify, NULL },
	{ "smtp_alert", NULL, "e-mail alerts: vigil sends none" },
	{ "warmup", r_dflt, NULL },
	{ "snmp_name", NULL, "vigil names real servers by address and port" },
	{ "track_file", NULL, "vigil real servers track no files (a script check can)" },
	{ NULL, NULL, NULL }
};

/* The forwarding method a real server ends up with: its own, else the
 * service's. */
static const char *rs_method(const struct kc_node *n, const struct vs *vs)
{
	static const char *const from[] = { "NAT", "DR", "TUN" }, *const to[] = { "nat", "dr", "tun" };
	const char *m = vs->fwd ? vs->fwd : "nat";
	for (unsigned k = 0; k < n->n_kids; k++) {
		const struct kc_node *c = &n->kids[k];
		if (c->n < 2 || (strcmp(c->w[0], "lvs_method") && strcmp(c->w[0], "lb_kind")))
			continue;
		for (unsigned i = 0; i < 3; i++)
			if (!strcasecmp(c->w[1], from[i]))
				m = to[i];
	}
	return m;
}

/* The port keepalived gives a real or sorry server (check_data.c): in a
 * one-address service, the service's when it has none, and always with
 * DR or TUN, which cannot change it; none with DR or TUN in a fwmark
 * service; as given in a group. */
static long keepalived_port(const struct vs *vs, const char *method, long port, long vs_port)
{
	bool nat = !strcmp(method, "nat");
	if (!strcmp(vs->n->w[1], "group"))
		return port;
	if (!strcmp(vs->n->w[1], "fwmark"))
		return nat ? port : 0;
	return nat && port ? port : vs_port;
}

static void real_server(struct kc_cx *x, struct vs *vs, const struct kc_node *n,
			struct kc_val *list, long vs_port, struct kc_rs_info *info)
{
	int af = n->n > 1 ? kc_family(n->w[1], false) : 0;
	long port = 0;
	if (!af || (n->n > 2 && !kc_int_arg(x, n, 2, 0, 65535, &port))) {
		kc_skip(x->d, n->src, "real_server: expected an IP address and a port");
		return;
	}
	if (af != vs->family) {
		kc_skip(x->d, n->src, "real_server %s: another address family than the service's "
			"(vigil does not tunnel across families)", n->w[1]);
		return;
	}
	struct rs r = { .v = kv_add(list, KV_GROUP, NULL), .weight = 1, .uth = -1, .lth = -1,
			.inhibit = -1, .dflt = { -1, -1, -1, -1, NULL, -1, NULL, NULL } };
	kc_from(r.v, n);
	kc_each(x, n, rs_kw, &r);
	kv_str(r.v, "address", n->w[1]);
	long given = port;
	port = keepalived_port(vs, rs_method(n, vs), port, vs_port);
	if (port || vs_port || given)  /* a port-0 service's real servers default to 0 */
		kv_int(r.v, "port", port);
	if (given && port != given)
		kv_comment(kv_get(r.v, "port"), "port %ld: keepalived resets it (%s)", given,
			   port ? "DR and TUN cannot change the port" : "a fwmark service");
	kv_int(r.v, "weight", r.weight);
	if (r.fwd && strcmp(r.fwd, vs->fwd ? vs->fwd : "nat"))
		kv_str(r.v, "forwarding", r.fwd);
	/* keepalived's own TUN on a real server is ipip unless it says more;
	 * vigil's real servers take the service's tunnel unless they differ. */
	if (r.fwd && !strcmp(r.fwd, "tun") && !r.tun.type)
		r.tun.type = "ipip";
	if (r.tun.type && !strcmp(rs_method(n, vs), "tun") && !kc_tun_same(&r.tun, &vs->tun))
		kc_tun_out_always(r.v, &r.tun);
	for (unsigned i = 0; i < 2; i++)
		if (r.notify[i]) {
			kv_str(r.v, i ? "notify_down" : "notify_up", r.notify[i]);
			kv_comment(kv_get(r.v, i ? "notify_down" : "notify_up"), "vigil appends the "
				   "service's name (ADDRESS:PORT, fwmark:N) and the server's ADDRESS:PORT");
			free(r.notify[i]);
		}
	if (r.uth >= 0)
		kv_int(r.v, "uthreshold", r.uth);
	if (r.lth >= 0)
		kv_int(r.v, "lthreshold", r.lth);
	if (r.inhibit >= 0 && r.inhibit != (vs->inhibit > 0))
		kc_skip(x->d, r.inhibit_n->src, "inhibit_on_failure: vigil sets on_failure per "
			"virtual server (%s here)", vs->inhibit > 0 ? "inhibit" : "remove");
	info->has_port = port != 0;
	kc_checks(x, n, r.v, &vs->dflt, &r.dflt, info);
}

/* ---- the virtual server ---------------------------------------------- */

static void persistence(struct kc_cx *x, struct vs *vs, struct kc_val *v)
{
	struct kc_val *p = kv_add(v, KV_GROUP, "persistence");
	kv_int(p, "timeout", vs->ptimeout > 0 ? vs->ptimeout : 360);
	if (!vs->pgran)
		return;
	struct in_addr m;
	if (vs->family == AF_INET6) {
		long plen = atol(vs->pgran);
		if (plen >= 1 && plen <= 128)
			kv_int(p, "netmask", plen);
		else
			kc_skip(x->d, vs->pgran_n->src, "persistence_granularity %s: expected 1 to 128",
				vs->pgran);
	} else if (inet_pton(AF_INET, vs->pgran, &m) == 1
		   && !((~ntohl(m.s_addr)) & (~ntohl(m.s_addr) + 1))) {
		kv_str(p, "netmask", vs->pgran);
	} else {
		kc_skip(x->d, vs->pgran_n->src, "persistence_granularity %s: vigil takes a contiguous "
			"IPv4 netmask", vs->pgran);
	}
}

static void service(struct kc_cx *x, struct vs *vs, struct kc_val *v, long port)
{
	if (vs->proto && strcmp(vs->proto, "tcp")) {
		kv_str(v, "protocol", vs->proto);
	} else if (!vs->proto && vs->addressed) {
		vs->proto = "udp";
		kv_str(v, "protocol", "udp");
		kv_comment(kv_get(v, "protocol"), "no protocol: keepalived's default is UDP "
			   "(it says \"no protocol set - defaulting to UDP\")");
	}
	kv_str(v, "scheduler", vs->sched ? vs->sched : "wlc");
	for (unsigned i = 0; i < 4; i++)
		if (vs->sched_flag[i] && vs->sched && !strncmp(vs->sched, flag_keys[i], 2))
			kv_bool(v, flag_keys[i], true);
		else if (vs->sched_flag[i])
			kc_skip(x->d, vs->n->src, "%s: needs scheduler %.2s", flag_keys[i], flag_keys[i]);
	kv_str(v, "forwarding", vs->fwd ? vs->fwd : "nat");
	if (vs->fwd && !strcmp(vs->fwd, "tun"))
		kc_tun_out(v, &vs->tun);
	if (vs->persistent)
		persistence(x, vs, v);
	if (vs->port0_persist)
		kv_comment(kv_get(v, "persistence"), "keepalived makes a port-0 service persistent");
	if (vs->ops && vs->proto && !strcmp(vs->proto, "udp"))
		kv_bool(v, "ops", true);
	else if (vs->ops)
		kc_skip(x->d, vs->n->src, "ops: one-packet scheduling needs protocol UDP");
	kv_num(v, "check_interval", vs->dflt.delay_loop >= 0 ? vs->dflt.delay_loop : 60.0);
	if (vs->quorum > 0)
		kv_int(v, "quorum", vs->quorum);
	if (vs->hyst > 0)
		kv_int(v, "hysteresis", vs->hyst);
	if (vs->qup)
		kv_str(v, "on_quorum_up", vs->qup);
	if (vs->qdown)
		kv_str(v, "on_quorum_down", vs->qdown);
	if (vs->qup || vs->qdown)
		kv_comment(kv_get(v, vs->qup ? "on_quorum_up" : "on_quorum_down"), "vigil appends "
			   "the service's name, ADDRESS:PORT or fwmark:N to the command");
	if (vs->sorry && kc_family(vs->sorry, false) == vs->family) {
		struct kc_val *s = kv_add(v, KV_GROUP, "sorry_server");
		kv_str(s, "address", vs->sorry);
		long sp = keepalived_port(vs, vs->sorry_fwd ? vs->sorry_fwd : vs->fwd ? vs->fwd : "nat",
					  vs->sorry_port > 0 ? vs->sorry_port : 0, port);
		if (sp > 0 && sp != port)
			kv_int(s, "port", sp);
		if (vs->sorry_port > 0 && sp != vs->sorry_port)
			kv_comment(s, "port %ld: keepalived resets it (DR and TUN cannot change "
				   "the port)", vs->sorry_port);
		if (vs->sorry_fwd && strcmp(vs->sorry_fwd, vs->fwd ? vs->fwd : "nat"))
			kv_str(s, "forwarding", vs->sorry_fwd);
		if (vs->sorry_inhibit)
			kv_bool(s, "inhibit", true);
	} else if (vs->sorry) {
		kc_skip(x->d, vs->n->src, "sorry_server %s: another address family than the "
			"service's", vs->sorry);
	}
	if (vs->inhibit > 0)
		kv_str(v, "on_failure", "inhibit");
	if (vs->omega)
		kv_bool(v, "omega", true);
	if (vs->vs_alpha <= 0) {
		kv_bool(v, "start_up", true);
		kv_comment(kv_get(v, "start_up"), "keepalived's real servers start up unless alpha");
	}
}

/* Whether every real server sets the <BOOL> keyword kw on: then it is
 * the service's setting, which is where vigil keeps it. */
static bool every_rs(const struct vs *vs, const char *kw)
{
	for (unsigned i = 0; i < vs->n_rs; i++) {
		bool on = false;
		for (unsigned k = 0; k < vs->rs[i]->n_kids; k++) {
			const struct kc_node *n = &vs->rs[i]->kids[k];
			if (!strcmp(n->w[0], kw))
				on = n->n < 2 || !strcmp(n->w[1], "on") || !strcmp(n->w[1], "true")
					|| !strcmp(n->w[1], "yes");
		}
		if (!on)
			return false;
	}
	return vs->n_rs > 0;
}

/* The family of a fwmark service: ip_family, else its real servers'. */
static int mark_family(const struct vs *vs)
{
	int af = vs->ip_family && !strcmp(vs->ip_family, "inet6") ? AF_INET6 : 0;
	for (unsigned i = 0; !af && i < vs->n_rs; i++)
		if (vs->rs[i]->n > 1)
			af = kc_family(vs->rs[i]->w[1], false);
	return af ? af : AF_INET;
}

/* virtual_server group NAME: the group's members are the services. */
static bool group_identity(struct kc_cx *x, struct vs *vs, struct kc_val *v)
{
	const struct kc_node *n = vs->n;
	const struct kc_vsg *g = kc_vs_group_find(x, n->w[2]);
	if (!g || !g->ok) {
		kc_skip(x->d, n->src, "virtual_server group %s: %s", n->w[2],
			g ? "the group was not converted" : "no virtual_server_group of that name");
		return false;
	}
	if (g->port0 && !vs->persistent)
		vs->persistent = vs->port0_persist = true;
	vs->addressed = g->family != 0;
	kv_str(v, "group", n->w[2]);
	vs->family = g->family ? g->family : mark_family(vs);
	if (!g->family)
		kv_str(v, "family", vs->family == AF_INET6 ? "inet6" : "inet");
	return true;
}

/* The service: address and port, or fwmark and family; false if neither. */
static bool identity(struct kc_cx *x, struct vs *vs, struct kc_val *v, long *port)
{
	const struct kc_node *n = vs->n;
	long mark;
	if (n->n >= 3 && !strcmp(n->w[1], "group"))
		return group_identity(x, vs, v);
	if (n->n >= 3 && !strcmp(n->w[1], "fwmark")) {
		if (!kc_int_arg(x, n, 2, 1, UINT32_MAX, &mark))
			return false;
		kv_int(v, "fwmark", mark);
		vs->family = mark_family(vs);
		kv_str(v, "family", vs->family == AF_INET6 ? "inet6" : "inet");
		return true;
	}
	vs->family = n->n > 1 ? kc_family(n->w[1], false) : 0;
	if (!vs->family) {
		kc_skip(x->d, n->src, "virtual_server: expected an address and port, fwmark N "
			"or group NAME");
		return false;
	}
	if (n->n >= 3 && !kc_int_arg(x, n, 2, 0, 65535, port))
		return false;
	if (!*port && !vs->persistent)
		vs->persistent = vs->port0_persist = true;
	vs->addressed = true;
	kv_str(v, "address", n->w[1]);
	kv_int(v, "port", *port);
	return true;
}

/* keepalived lowers a quorum above the real servers' total weight to
 * that total ("otherwise we will never be able to come up"). */
static void cap_quorum(struct kc_val *v, const struct kc_val *list)
{
	struct kc_val *q = kv_get(v, "quorum");
	long long sum = 0;
	for (unsigned i = 0; q && i < list->n; i++)
		sum += kv_get(list->kids[i], "weight")->i;
	if (!q || !sum || q->i <= sum)
		return;
	kv_comment(q, "quorum %lld: keepalived lowers it to the real servers' total weight",
		   q->i);
	q->i = sum;
}

void kc_virtual_server(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct vs vs = { .n = n, .ptimeout = -1, .quorum = -1, .hyst = -1, .sorry_port = -1,
			 .inhibit = -1, .vs_alpha = -1,
			 .dflt = { -1, -1, -1, -1, NULL, -1, NULL, NULL } };
	if (!n->block) {
		kc_skip(x->d, n->src, "virtual_server: a { } block is needed");
		return;
	}
	struct kc_val *v = kv_new(KV_GROUP, NULL);
	long port = 0;
	kc_each(x, n, vs_kw, &vs);
	kc_from(v, n);
	if (vs.name)
		kv_str(v, "name", vs.name);
	if (!identity(x, &vs, v, &port)) {
		kv_free(v);
	} else {
		if (vs.inhibit < 0 && every_rs(&vs, "inhibit_on_failure"))
			vs.inhibit = 1;
		if (vs.vs_alpha < 0 && every_rs(&vs, "alpha"))
			vs.vs_alpha = 1;
		service(x, &vs, v, port);
		struct kc_val *list = kv_new(KV_LIST, "real_servers");
		struct kc_rs_info info = { .family = vs.family, .vs_alpha = vs.vs_alpha > 0,
					   .vs_proto = vs.proto ? vs.proto : "tcp",
					   .vs_delay_loop = vs.dflt.delay_loop >= 0 ? vs.dflt.delay_loop : 60 };
		for (unsigned i = 0; i < vs.n_rs; i++)
			real_server(x, &vs, vs.rs[i], list, port, &info);
		cap_quorum(v, list);
		if (list->n)
			kv_attach(v, list);
		else
			kv_free(list);
		kv_attach(x->vs, v);
	}
	free(vs.qup);
	free(vs.qdown);
	free(vs.rs);
}
