/*
 * kc_vrrp: vrrp_instance.
 *
 * keepalived's defaults written out where vigil's differ: VRRP version 2
 * (vigil: 3) unless vrrp_version/version say otherwise or the addresses
 * are IPv6; accept mode on (vigil accepts either way, but says so) except
 * in strict mode (kc_strict.c); "state MASTER" without a priority means
 * 255, the address owner. advert_int is rounded as keepalived
 * rounds it: whole seconds for v2, centiseconds for v3.
 */
#include "kc_conv_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- vrrp_instance ---------------------------------------------------- */

struct inst {
	const struct kc_node *n;
	const char *iface, *src, *mcast_src, *pass, *sync_if;
	long ttl, min_ttl, max_ttl;   /* unicast_ttl, the peers' min/max_ttl; -1 unset */
	const struct kc_node *ttl_n;  /* a peer whose TTL range differs from the first's */
	long vrid, prio, version;
	double advert, pdelay;
	int preempt, state;           /* -1: not given */
	int strict, accept;           /* strict_mode, accept / no_accept; -1: not given */
	bool ah;                      /* auth_type AH (else PASS) */
	struct kc_val *addrs, *peers;
	int family;
	struct kc_garp garp;
	struct kc_trk *trk;
	unsigned n_trk;
	struct kc_notify notify;
	const struct kc_node *vips, *xvips, *routes, *rules;   /* kc_vmove.c */
	const struct kc_node **over;  /* virtual_ipaddress beyond an advert's 20 */
	unsigned n_over;
	struct kc_vmac vmac;
};

static void i_state(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct inst *in = obj;
	if (n->n >= 2 && !strcasecmp(n->w[1], "MASTER"))
		in->state = 1;
	else if (n->n >= 2 && !strcasecmp(n->w[1], "BACKUP"))
		in->state = 0;
	else
		kc_skip(x->d, n->src, "state: expected MASTER or BACKUP");
}

static void i_interface(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	if (n->n >= 2)
		((struct inst *)obj)->iface = n->w[1];
}

static void i_number(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct inst *in = obj;
	const char *k = n->w[0];
	if (!strcmp(k, "virtual_router_id"))
		kc_int(x, n, 1, 1, 255, &in->vrid);
	else if (!strcmp(k, "priority"))
		kc_int(x, n, 1, 1, 255, &in->prio);
	else if (!strcmp(k, "version"))
		kc_int(x, n, 1, 2, 3, &in->version);
	else if (!strcmp(k, "advert_int"))
		kc_secs(x, n, 1, &in->advert);
	else if (!strcmp(k, "preempt_delay"))
		kc_secs(x, n, 1, &in->pdelay);
}

static void i_preempt(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	((struct inst *)obj)->preempt = strcmp(n->w[0], "nopreempt") != 0;
}

static void i_strict(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct inst *in = obj;
	bool on;
	if (!strcmp(n->w[0], "strict_mode")) {
		if (kc_flag(x, n, 1, &on))
			in->strict = on;
	} else {
		in->accept = strcmp(n->w[0], "no_accept") != 0;
	}
}

static void add_addr(struct kc_cx *x, struct inst *in, struct kc_val *arr, const char *a,
		     const struct kc_node *n)
{
	int af = kc_family(a, arr == in->addrs);
	if (!af) {
		kc_skip(x->d, n->src, "'%s' is not an IP address", a);
		return;
	}
	if (in->family && af != in->family) {
		kc_skip(x->d, n->src, "%s: one instance has one address family in vigil "
			"(use another instance for the other)", a);
		return;
	}
	in->family = af;
	kv_str(arr, NULL, a);
}

static void i_vips(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct inst *in = obj;
	const char *k = n->w[0];
	if (!strcmp(k, "virtual_ipaddress"))
		in->vips = n;
	else if (!strcmp(k, "virtual_ipaddress_excluded"))
		in->xvips = n;
	else if (!strcmp(k, "virtual_routes"))
		in->routes = n;
	else
		in->rules = n;
}

/* The virtual addresses, once the interface is known; one with options
 * (kc_vmove.c) makes the list one of strings and groups. */
static void vips(struct kc_cx *x, struct inst *in)
{
	for (unsigned i = 0; in->vips && i < in->vips->n_kids; i++) {
		const struct kc_node *a = &in->vips->kids[i];
		unsigned before = in->addrs->n;
		/* keepalived moves the addresses past its adverts' 20 to the
		 * excluded ones (kc_vaddrs_excluded writes them there) */
		if (before >= KC_ADVERT_ADDRS && kc_family(a->w[0], true)) {
			if (!in->over)
				in->over = kc_calloc(in->vips->n_kids, sizeof(*in->over));
			in->over[in->n_over++] = a;
			continue;
		}
		add_addr(x, in, in->addrs, a->w[0], a);
		if (in->addrs->n == before)
			continue;
		kv_free(in->addrs->kids[--in->addrs->n]);
		struct kc_val *e = kc_vaddr(x, a, in->iface, "virtual_ipaddress");
		if (e->t == KV_GROUP)
			in->addrs->t = KV_LIST;
		kv_attach(in->addrs, e);
	}
}

static void i_src(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct inst *in = obj;
	if (n->n >= 2 && kc_family(n->w[1], false) && !strcmp(n->w[0], "mcast_src_ip"))
		in->mcast_src = n->w[1];
	else if (n->n >= 2 && kc_family(n->w[1], false))
		in->src = n->w[1];
	else
		kc_skip(x->d, n->src, "%s: expected an IP address", n->w[0]);
}

/* "ADDR [min_ttl N] [max_ttl N]": vigil has one range per instance. */
static void peer_ttl(struct kc_cx *x, struct inst *in, const struct kc_node *k, bool first)
{
	long lo = -1, hi = -1;
	unsigned i = 1;
	for (; i + 1 < k->n; i += 2) {
		if (!strcmp(k->w[i], "min_ttl") && kc_int(x, k, i + 1, 0, 255, &lo))
			continue;
		if (!strcmp(k->w[i], "max_ttl") && kc_int(x, k, i + 1, 1, 255, &hi))
			continue;
		break;
	}
	if (i < k->n)
		kc_extra(x, k, i);
	if (first) {
		in->min_ttl = lo;
		in->max_ttl = hi;
	} else if (lo != in->min_ttl || hi != in->max_ttl) {
		in->ttl_n = k;
	}
}

static void i_peers(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct inst *in = obj;
	for (unsigned i = 0; i < n->n_kids; i++) {
		add_addr(x, in, in->peers, n->kids[i].w[0], &n->kids[i]);
		peer_ttl(x, in, &n->kids[i], i == 0);
	}
}

static void i_ttl(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	long v;
	if (kc_int(x, n, 1, 1, 255, &v))
		((struct inst *)obj)->ttl = v;
}

static void i_auth(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct inst *in = obj;
	const char *type = NULL, *pass = NULL;
	for (unsigned i = 0; i < n->n_kids; i++) {
		const struct kc_node *k = &n->kids[i];
		if (!strcmp(k->w[0], "auth_type") && k->n > 1)
			type = k->w[1];
		else if (!strcmp(k->w[0], "auth_pass") && k->n > 1)
			pass = k->w[1];
		else
			kc_skip(x->d, k->src, "'%s': no vigil equivalent here", k->w[0]);
	}
	if (pass) {
		in->pass = pass;
		in->ah = type && !strcasecmp(type, "AH");
	}
}

static void i_track(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct inst *in = obj;
	kc_track_parse(x, n, kc_trk_kind_of(n->w[0]), &in->trk, &in->n_trk, false);
}

static void i_notify(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	kc_notify_kw(x, n, &((struct inst *)obj)->notify);
}

static void i_garp(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct kc_garp *g = &((struct inst *)obj)->garp;
	const char *k = n->w[0];
	long v;
	if (!strcmp(k, "garp_master_delay")) {
		if (kc_secs(x, n, 1, &g->delay))
			g->delay_n = n;
	} else if (!strcmp(k, "garp_master_repeat")) {
		if (kc_int(x, n, 1, 0, 100, &v))
			g->repeat = v;
	} else if (!strcmp(k, "garp_master_refresh")) {
		kc_secs(x, n, 1, &g->refresh);
	} else if (!strcmp(k, "garp_lower_prio_repeat")) {
		if (kc_int(x, n, 1, 0, 100, &v))
			g->lower_repeat = v, g->lower_n = n;
	} else if (kc_int(x, n, 1, 1, 100, &v)) {
		g->refresh_repeat = v;
		g->refresh_repeat_n = n;
	}
}

static void i_sync_if(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	if (n->n >= 2)
		((struct inst *)obj)->sync_if = n->w[1];
}

static void i_vmac(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	kc_vmac_kw(x, n, &((struct inst *)obj)->vmac);
}

static void nothing(struct kc_cx *x, const struct kc_node *n, void *obj)
{
}

#define LOWER "vigil's second burst after a lower-priority master follows garp.delay"
static const struct kc_kw inst_kw[] = {
	{ "state", i_state, NULL },
	{ "interface", i_interface, NULL },
	{ "virtual_router_id", i_number, NULL },
	{ "priority", i_number, NULL },
	{ "version", i_number, NULL },
	{ "advert_int", i_number, NULL },
	{ "preempt_delay", i_number, NULL },
	{ "nopreempt", i_preempt, NULL },
	{ "preempt", i_preempt, NULL },
	{ "virtual_ipaddress", i_vips, NULL },
	{ "unicast_src_ip", i_src, NULL },
	{ "mcast_src_ip", i_src, NULL },
	{ "unicast_peer", i_peers, NULL },
	{ "unicast_ttl", i_ttl, NULL },
	{ "authentication", i_auth, NULL },
	{ "track_interface", i_track, NULL },
	{ "track_script", i_track, NULL },
	{ "track_file", i_track, NULL },
	{ "notify_master", i_notify, NULL },
	{ "notify_backup", i_notify, NULL },
	{ "notify_fault", i_notify, NULL },
	{ "notify_stop", i_notify, NULL },
	{ "notify", i_notify, NULL },
	{ "garp_master_delay", i_garp, NULL },
	{ "garp_master_repeat", i_garp, NULL },
	{ "garp_master_refresh", i_garp, NULL },
	{ "garp_master_refresh_repeat", i_garp, NULL },
	{ "lvs_sync_daemon_interface", i_sync_if, NULL },
	{ "accept", i_strict, NULL },
	{ "native_ipv6", nothing, NULL },
	{ "debug", nothing, NULL },
	{ "no_accept", i_strict, NULL },
	{ "virtual_ipaddress_excluded", i_vips, NULL },
	{ "virtual_routes", i_vips, NULL },
	{ "virtual_rules", i_vips, NULL },
	{ "track_process", i_track, NULL },
	{ "track_bfd", NULL, "vigil has no BFD" },
	{ "notify_deleted", NULL, "vigil has no DELETED notification" },
	{ "notify_master_rx_lower_pri", NULL, "vigil has no such notification" },
	{ "smtp_alert", NULL, "e-mail alerts: vigil sends none (use notify scripts)" },
	{ "use_vmac", i_vmac, NULL },
	{ "vmac_xmit_base", i_vmac, NULL },
	{ "use_vmac_addr", NULL, "vigil adds the addresses to the virtual MAC interface only" },
	{ "use_ipvlan", NULL, "vigil's virtual interface is a macvlan (vmac)" },
	{ "dont_track_primary", NULL, "vigil always tracks the instance's own interface" },
	{ "garp_lower_prio_delay", NULL, LOWER },
	{ "garp_lower_prio_repeat", i_garp, NULL },
	{ "lower_prio_no_advert", NULL, LOWER },
	{ "higher_prio_send_advert", NULL, "vigil always sends one last advert when it yields" },
	{ "garp_extra_if", NULL, "vigil sends ARP on the instance's interface only" },
	{ "mcast_dst_ip", NULL, "vigil sends adverts to the RFC multicast groups" },
	{ "strict_mode", i_strict, NULL },
	{ NULL, NULL, NULL }
};

static void out_garp(struct kc_cx *x, struct kc_val *v, const struct kc_garp *g)
{
	/* g started as a copy of the global settings (vrrp_garp_*), with
	 * keepalived's defaults: its second burst 5 s after the first is
	 * written out, vigil's default being none. */
	double delay = g->delay;
	long lower = g->lower_n ? g->lower_repeat : -1;
	const struct kc_node *rn = g->refresh_repeat_n ? g->refresh_repeat_n : x->garp.refresh_repeat_n;
	if (rn && g->refresh_repeat > 1)
		kc_skip(x->d, rn->src, "garp_master_refresh_repeat: vigil sends one gratuitous "
			"ARP per address at each refresh");
	if (g->repeat == 5 && g->interval == 0 && g->refresh == 0 && delay == 0 && lower < 0)
		return;
	struct kc_val *gv = kv_add(v, KV_GROUP, "garp");
	kv_int(gv, "count", g->repeat);
	kv_num(gv, "interval", g->interval);
	kv_num(gv, "refresh", g->refresh);
	if (delay > 0)
		kv_num(gv, "delay", delay);
	if (lower >= 0)
		kv_int(gv, "lower_prio_count", lower);
}

static double advert_round(double a, long version)
{
	double unit = version == 2 ? 1.0 : 0.01;
	double r = round(a / unit) * unit;
	return r < unit ? unit : r > (version == 2 ? 255 : 40.95) ? (version == 2 ? 255 : 40.95) : r;
}

/* The instance's priority, and what vigil writes before tracking. */
static void out_basics(struct kc_cx *x, struct inst *in, struct kc_val *v, long *prio)
{
	const char *name = in->n->w[1];
	long version = in->version > 0 ? in->version : x->vrrp_version;
	if (in->family == AF_INET6)
		version = 3;
	*prio = in->prio > 0 ? in->prio : in->state == 1 ? 255 : 100;
	kv_str(v, "name", name);
	kv_str(v, "interface", in->iface);
	kv_int(v, "vrid", in->vrid);
	kv_int(v, "priority", *prio);
	kv_int(v, "version", version);
	kv_num(v, "advert_interval", advert_round(in->advert > 0 ? in->advert : 1.0, version));
	if (in->preempt == 0)
		kv_bool(v, "preempt", false);
	if (in->pdelay > 0)
		kv_num(v, "preempt_delay", in->pdelay);
	if (in->state == 1)
		kv_str(v, "initial_state", "master");
	kv_attach(v, in->addrs);
	in->addrs = NULL;
	if (in->mcast_src)
		kv_str(v, "source", in->mcast_src);
	if (in->peers->n) {
		struct kc_val *u = kv_add(v, KV_GROUP, "unicast");
		if (in->src)
			kv_str(u, "source", in->src);
		kv_attach(u, in->peers);
		in->peers = NULL;
		if (in->ttl > 0)
			kv_int(u, "ttl", in->ttl);
		if (in->min_ttl >= 0 && !in->ttl_n)
			kv_int(u, "min_ttl", in->min_ttl);
		if (in->max_ttl >= 0 && !in->ttl_n)
			kv_int(u, "max_ttl", in->max_ttl);
		if (in->ttl_n)
			kc_skip(x->d, in->ttl_n->src, "unicast_peer: TTL ranges differ between peers: "
				"vigil has one range per instance");
	} else if (in->src) {
		kc_skip(x->d, in->n->src, "vrrp_instance %s: unicast_src_ip without unicast_peer: "
			"vigil sends multicast from source (or the interface's primary address)",
			name);
	} else if (in->ttl > 0) {
		kc_skip(x->d, in->n->src, "vrrp_instance %s: unicast_ttl without unicast_peer",
			name);
	}
	if (in->pass && version == 2) {
		struct kc_val *au = kv_add(v, KV_GROUP, "authentication");
		kv_str(au, "type", in->ah ? "ah" : "pass");
		char pw[9];
		snprintf(pw, sizeof(pw), "%s", in->pass);  /* keepalived uses the first 8 */
		kv_str(au, "password", pw);
	} else if (in->pass) {
		kc_skip(x->d, in->n->src, "vrrp_instance %s: authentication: VRRPv3 has none", name);
	}
	kv_bool(v, "accept", true);
}

/* The global lvs_sync_daemon, when it names this instance. */
static const char *global_sync_if(struct kc_cx *x, const char *name, long *syncid)
{
	const struct kc_node *n = x->lvs_sync;
	if (!n || n->n < 2)
		return NULL;
	const char *inst = NULL;
	for (unsigned i = 2; i < n->n; i++) {
		if (!strcmp(n->w[i], "inst") && i + 1 < n->n)
			inst = n->w[++i];
		else if (!strcmp(n->w[i], "id") && i + 1 < n->n)
			*syncid = atol(n->w[++i]);
		else if (i == 2)
			inst = n->w[i];
	}
	return inst && !strcmp(inst, name) ? n->w[1] : NULL;
}

void kc_vrrp_instance(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	if (n->n < 2 || !n->block) {
		kc_skip(x->d, n->src, "vrrp_instance: a name and a { } block are needed");
		return;
	}
	const char *name = n->w[1];
	struct inst in = { .n = n, .vrid = -1, .prio = -1, .version = -1, .advert = -1,
			   .pdelay = -1, .preempt = -1, .state = -1, .garp = x->garp,
			   .ttl = -1, .min_ttl = -1, .max_ttl = -1,
			   .strict = -1, .accept = -1 };
	in.garp.delay_n = NULL;
	in.garp.refresh_repeat_n = NULL;
	in.addrs = kv_new(KV_ARRAY, "addresses");
	in.peers = kv_new(KV_ARRAY, "peers");
	kc_each(x, n, inst_kw, &in);
	vips(x, &in);
	const struct kc_node *grp = kc_group_of(x, name);
	bool group_weights = false;
	for (unsigned i = 0; grp && i < grp->n_kids; i++) {
		const struct kc_node *k = &grp->kids[i];
		if (!strcmp(k->w[0], "sync_group_tracking_weight"))
			group_weights = true;
		else if (!strncmp(k->w[0], "track_", 6) && strcmp(k->w[0], "track_bfd"))
			kc_track_parse(x, k, kc_trk_kind_of(k->w[0]), &in.trk, &in.n_trk, true);
	}
	const char *missing = !in.iface ? "interface" : in.vrid < 0 ? "virtual_router_id"
		: !in.addrs->n ? "virtual_ipaddress" : NULL;
	if (missing) {
		kc_skip(x->d, n->src, "vrrp_instance %s: no %s, which vigil needs", name, missing);
	} else {
		struct kc_val *v = kv_add(x->instances, KV_GROUP, NULL);
		long prio;
		kc_from(v, n);
		out_basics(x, &in, v, &prio);
		kc_vaddrs_excluded(x, in.over, in.n_over, in.xvips, in.iface, v);
		kc_vroutes(x, in.routes, v);
		kc_vrules(x, in.rules, v);
		out_garp(x, v, &in.garp);
		kc_strict_inst(x, n, v, in.strict, in.accept);
		kc_vmac_out(x, v, &in.vmac, name);
		kc_track_out(x, v, name, &prio, in.trk, in.n_trk, grp != NULL, group_weights);
		kc_notify_out(x, v, &in.notify, "INSTANCE");
		long syncid = -1;
		const char *sif = in.sync_if ? in.sync_if : global_sync_if(x, name, &syncid);
		x->lvs_sync_used |= !in.sync_if && sif;
		if (sif) {
			struct kc_val *s = kv_add(v, KV_GROUP, "ipvs_sync");
			kv_str(s, "interface", sif);
			if (syncid >= 0 && syncid <= 255)
				kv_int(s, "syncid", syncid);
		}
		x->inst_ok = kc_realloc(x->inst_ok, x->n_inst_ok + 1, sizeof(*x->inst_ok));
		x->inst_ok[x->n_inst_ok++] = kc_strdup(name);
	}
	kc_notify_out(x, NULL, &in.notify, NULL);
	kv_free(in.addrs);
	kv_free(in.peers);
	free(in.over);
	free(in.trk);
}
