/*
 * announce: the policy and state of announced virtual addresses (see
 * announce.h). One ev_prepare watcher at the lowest priority runs after
 * the IPVS reconcile of the same loop pass, so a quorum the reconcile
 * just recorded is acted on in that pass:
 *
 *   health / VRRP report ─> lvs reconcile (quorum) ─> announce pass
 *                                                       │ per address
 *        announce_decide(services' quorum, VRRP state, stopping)
 *            │ HEALTHY and not announced ──> route add   (FRR: BGP UPDATE)
 *            │ not HEALTHY and announced ──> route del   (FRR: WITHDRAW)
 *   SIGTERM ─> announce_stop: close the device (every route goes at once)
 *   SIGKILL ─> the kernel closes the device: the same, with no code of ours
 *
 * A failed route change is retried once a second, not every pass. A
 * reload keeps the state of the addresses it keeps; one that changes the
 * interface, table or protocol withdraws everything and opens afresh.
 */
#include "announce.h"

#include <errno.h>
#include <ifaddrs.h>
#include <stdlib.h>
#include <string.h>

#include "announce_route.h"
#include "errbuf.h"
#include "health.h"
#include "ipvs.h"
#include "jx.h"
#include "log.h"
#include "lvs_int.h"
#include "roles.h"
#include "vigild.h"
#include "vrrp_fsm.h"
#include "wallclock.h"
#include "xalloc.h"

#define RETRY_INTERVAL 1.0            /* s between attempts after a route error */

struct announce_vip {
	struct vaddr addr;
	bool announced;               /* its route is in the kernel */
	enum announce_reason reason;
	char detail[256];             /* the service or instance behind the reason */
	double since;                 /* wall clock of the last announce/withdraw */
	unsigned changes;
	char error[256];              /* the last route error, "" when none */
};

struct announce {
	struct vigild *d;
	struct announce_route rt;     /* rt.tun_fd < 0: not open */
	char open_error[256];
	uint32_t generation;          /* of the configuration vips[] follows; 0: none yet */
	struct announce_vip *vips;
	unsigned n_vips;
	double next_try;              /* ev_now before which no failed step is retried */
	bool stopping;
	ev_prepare prepare_w;
};

static const char *const reason_names[ANNOUNCE__COUNT] = {
	[ANNOUNCE_HEALTHY] = "healthy", [ANNOUNCE_NO_VERDICT] = "no_verdict",
	[ANNOUNCE_QUORUM_LOST] = "quorum_lost", [ANNOUNCE_NOT_MASTER] = "not_master",
	[ANNOUNCE_STOPPING] = "stopping", [ANNOUNCE_NO_IPVS] = "no_ipvs",
	[ANNOUNCE_ROUTE_ERROR] = "route_error",
};

const char *announce_reason_str(enum announce_reason r)
{
	return (unsigned)r < ANNOUNCE__COUNT ? reason_names[r] : "?";
}

enum announce_reason announce_decide(const struct announce_input *in)
{
	if (in->stopping)
		return ANNOUNCE_STOPPING;
	if (in->no_ipvs)
		return ANNOUNCE_NO_IPVS;
	if (in->need == ANNOUNCE_NEED_ANY) {
		if (in->up == 0)
			return in->unknown ? ANNOUNCE_NO_VERDICT : ANNOUNCE_QUORUM_LOST;
	} else {
		/* A lost quorum is said before a missing verdict: it is news. */
		if (in->services == 0 || in->up + in->unknown < in->services)
			return ANNOUNCE_QUORUM_LOST;
		if (in->unknown)
			return ANNOUNCE_NO_VERDICT;
	}
	if (in->vrrp && in->vrrp_state != VRRP_STATE_MASTER)
		return ANNOUNCE_NOT_MASTER;
	return ANNOUNCE_HEALTHY;
}

/* The policy's input for address ac, with a word on the first service or
 * instance that keeps it from being announced. */
static void gather(struct announce *a, const struct announce_addr_conf *ac,
		   struct announce_input *in, char *detail, size_t len)
{
	const struct conf *c = a->d->conf;
	*in = (struct announce_input){ .need = ac->need, .stopping = a->stopping,
				       .no_ipvs = !a->d->lvs, .vrrp = ac->vrrp_instance != NULL };
	unsigned lost = 0;
	detail[0] = '\0';
	for (unsigned i = 0; a->d->lvs && i < c->n_vs; i++) {
		const struct vs_conf *v = &c->vs[i];
		struct ipvs_svc_key k;
		if (v->fwmark || !vaddr_equal(&v->addr, &ac->addr) ||
		    ipvs_svc_key_inet(&k, v->protocol == PROTO_UDP ? IPPROTO_UDP
				      : v->protocol == PROTO_SCTP ? IPPROTO_SCTP : IPPROTO_TCP,
				      &v->addr, v->port) < 0)
			continue;
		/* A verdict of this parent's own checks: a restarted parent
		 * adopts the kernel's destinations as up, but must not announce
		 * on them before its checks have spoken. */
		bool judged = true;
		for (unsigned j = 0; j < v->n_rs; j++)
			judged = judged && health_rs_judged(a->d, i, j);
		const struct lvs_quorum *q = judged ? lvs_find_quorum(a->d->lvs, &k) : NULL;
		char ks[96];
		const char *name = v->name ? v->name : ipvs_svc_key_str(&k, ks, sizeof(ks));
		in->services++;
		if (q && q->up) {
			in->up++;
		} else if (!q) {
			in->unknown++;
			if (!detail[0])
				snprintf(detail, len, "%s: no verdict yet", name);
		} else if (!lost++) {
			snprintf(detail, len, "%s: alive weight %u < quorum %u", name, q->alive,
				 v->quorum);
		}
	}
	if (in->vrrp) {
		in->vrrp_state = roles_instance_state(a->d, ac->vrrp_instance);
		if (in->vrrp_state != VRRP_STATE_MASTER && in->up == in->services)
			snprintf(detail, len, "VRRP instance %s is %s", ac->vrrp_instance,
				 in->vrrp_state < 0 ? "not reported yet"
				 : vrrp_state_str((enum vrrp_state)in->vrrp_state));
	}
}

static void log_change(const struct announce_vip *v, bool announced)
{
	char buf[VADDR_STRLEN];
	vaddr_str(&v->addr, buf, sizeof(buf));
	if (announced)
		log_notice("announce %s: announced (%s)", buf, v->detail[0] ? v->detail : "healthy");
	else
		log_notice("announce %s: withdrawn (%s%s%s)", buf, announce_reason_str(v->reason),
			   v->detail[0] ? ": " : "", v->detail);
}

static void set_route(struct announce *a, struct announce_vip *v, bool want)
{
	struct errbuf eb = { "" };
	if (announce_route_set(&a->rt, &v->addr, want, &eb) < 0) {
		if (strcmp(v->error, eb.msg))
			log_err("%s", eb.msg);
		snprintf(v->error, sizeof(v->error), "%s", eb.msg);
		a->next_try = ev_now(a->d->loop) + RETRY_INTERVAL;
		if (want) {
			v->reason = ANNOUNCE_ROUTE_ERROR;
			snprintf(v->detail, sizeof(v->detail), "%s", eb.msg);
		}
		return;
	}
	v->error[0] = '\0';
	v->announced = want;
	v->since = wall_now();
	v->changes++;
	log_change(v, want);
}

/* One address: decide, and add or delete its route when that changes. */
static void step(struct announce *a, struct announce_vip *v, const struct announce_addr_conf *ac)
{
	struct announce_input in;
	char detail[sizeof(v->detail)];
	gather(a, ac, &in, detail, sizeof(detail));
	enum announce_reason r = announce_decide(&in);
	if (r == ANNOUNCE_HEALTHY)
		snprintf(detail, sizeof(detail), "%u of %u services have quorum%s%s", in.up,
			 in.services, in.vrrp ? ", VRRP instance MASTER: " : "",
			 in.vrrp ? ac->vrrp_instance : "");
	bool want = r == ANNOUNCE_HEALTHY;
	v->reason = r;
	snprintf(v->detail, sizeof(v->detail), "%s", detail);
	if (want == v->announced || a->d->opts.dry_run)
		return;
	if (a->rt.tun_fd < 0 || (v->error[0] && ev_now(a->d->loop) < a->next_try)) {
		/* Not open, or waiting to retry: say why it is not announced. */
		if (want) {
			v->reason = ANNOUNCE_ROUTE_ERROR;
			snprintf(v->detail, sizeof(v->detail), "%s",
				 a->rt.tun_fd < 0 ? a->open_error : v->error);
		}
		return;
	}
	set_route(a, v, want);
}

/* An address on an interface gives zebra a connected route to the same
 * prefix, which it prefers to the announce route: neither would be
 * redistributed. The director takes the address by a local route
 * instead (ip route add local VIP/32 dev lo table local). */
static void warn_if_address(const struct announce_vip *v)
{
	struct ifaddrs *ifs;
	if (getifaddrs(&ifs) < 0)
		return;
	for (const struct ifaddrs *i = ifs; i; i = i->ifa_next) {
		struct vaddr a;
		uint16_t port;
		if (!i->ifa_addr || vaddr_from_sockaddr(i->ifa_addr, &a, &port) < 0 ||
		    !vaddr_equal(&a, &v->addr))
			continue;
		char buf[VADDR_STRLEN];
		log_warn("announce %s: it is an address of %s: FRR prefers that connected route "
			 "and redistributes neither; make it local with a route instead "
			 "(ip route add local %s dev lo table local)",
			 vaddr_str(&v->addr, buf, sizeof(buf)), i->ifa_name, buf);
		break;
	}
	freeifaddrs(ifs);
}

/* A new configuration: keep the state of the addresses it keeps, withdraw
 * the others; reopen when the device, table or protocol changed. */
static void follow_conf(struct announce *a)
{
	const struct announce_conf *an = &a->d->conf->announce;
	bool same_dev = !strcmp(a->rt.ifname, an->interface) && a->rt.table == an->table &&
		a->rt.protocol == an->protocol;
	struct announce_vip *nv = xcalloc(an->n_addrs ? an->n_addrs : 1, sizeof(*nv));
	for (unsigned i = 0; i < an->n_addrs; i++) {
		nv[i].addr = an->addrs[i].addr;
		nv[i].reason = ANNOUNCE_NO_VERDICT;
		warn_if_address(&nv[i]);
		for (unsigned j = 0; same_dev && j < a->n_vips; j++)
			if (vaddr_equal(&a->vips[j].addr, &nv[i].addr))
				nv[i] = a->vips[j], a->vips[j].announced = false;
	}
	for (unsigned j = 0; j < a->n_vips; j++)
		if (a->vips[j].announced && same_dev && a->rt.tun_fd >= 0)
			set_route(a, &a->vips[j], false);
	free(a->vips);
	a->vips = nv;
	a->n_vips = an->n_addrs;
	a->generation = a->d->generation;
	if (!same_dev || !an->n_addrs) {
		if (a->rt.tun_fd >= 0)
			log_notice("announce: %s closed", a->rt.ifname);
		announce_route_close(&a->rt);
		snprintf(a->rt.ifname, sizeof(a->rt.ifname), "%s", an->interface);
		a->rt.table = an->table;
		a->rt.protocol = an->protocol;
		a->next_try = 0;
	}
}

static void try_open(struct announce *a)
{
	const struct announce_conf *an = &a->d->conf->announce;
	struct errbuf eb = { "" };
	if (announce_route_open(&a->rt, an->interface, an->table, an->protocol, &eb) < 0) {
		if (strcmp(a->open_error, eb.msg))
			log_err("%s", eb.msg);
		snprintf(a->open_error, sizeof(a->open_error), "%s", eb.msg);
		a->next_try = ev_now(a->d->loop) + RETRY_INTERVAL;
		return;
	}
	a->open_error[0] = '\0';
	log_notice("announce: %s up (table %u, protocol %u)", an->interface, an->table,
		   an->protocol);
}

static void pass(struct announce *a)
{
	/* By generation: a new configuration may sit where the old one was. */
	if (a->generation != a->d->generation)
		follow_conf(a);
	if (!a->n_vips || a->stopping)
		return;
	if (a->rt.tun_fd < 0 && !a->d->opts.dry_run && ev_now(a->d->loop) >= a->next_try)
		try_open(a);
	const struct announce_conf *an = &a->d->conf->announce;
	for (unsigned i = 0; i < a->n_vips; i++)
		step(a, &a->vips[i], &an->addrs[i]);
}

static void prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	pass(w->data);
	(void)loop;
	(void)revents;
}

int announce_open(struct vigild *d, struct errbuf *eb)
{
	struct announce *a = xcalloc(1, sizeof(*a));
	a->d = d;
	a->rt.tun_fd = -1;
	d->announce = a;
	follow_conf(a);
	ev_prepare_init(&a->prepare_w, prepare_cb);
	a->prepare_w.data = a;
	/* Lowest priority: after the IPVS reconcile's prepare in the same pass. */
	ev_set_priority(&a->prepare_w, EV_MINPRI);
	ev_prepare_start(d->loop, &a->prepare_w);
	ev_unref(d->loop);
	if (!a->n_vips || d->opts.dry_run)
		return 0;
	const struct announce_conf *an = &d->conf->announce;
	int err = announce_route_open(&a->rt, an->interface, an->table, an->protocol, eb);
	if (!err)
		log_notice("announce: %s up (table %u, protocol %u)", an->interface, an->table,
			   an->protocol);
	return err;
}

void announce_stop(struct vigild *d)
{
	struct announce *a = d->announce;
	if (!a || a->stopping)
		return;
	a->stopping = true;
	for (unsigned i = 0; i < a->n_vips; i++) {
		struct announce_vip *v = &a->vips[i];
		v->reason = ANNOUNCE_STOPPING;
		v->detail[0] = '\0';
		if (v->announced) {
			v->announced = false;
			v->since = wall_now();
			v->changes++;
			log_change(v, false);
		}
	}
	/* Closing deletes the device and its routes in one step. */
	announce_route_close(&a->rt);
}

void announce_close(struct vigild *d)
{
	struct announce *a = d->announce;
	if (!a)
		return;
	announce_stop(d);
	ev_ref(d->loop);
	ev_prepare_stop(d->loop, &a->prepare_w);
	free(a->vips);
	free(a);
	d->announce = NULL;
}

static struct json_object *vip_json(const struct announce_vip *v)
{
	char buf[VADDR_STRLEN];
	struct json_object *j = jx_new_object();
	json_object_object_add(j, "address", jx_new_string(vaddr_str(&v->addr, buf, sizeof(buf))));
	json_object_object_add(j, "announced", jx_new_boolean(v->announced));
	json_object_object_add(j, "reason", jx_new_string(announce_reason_str(v->reason)));
	json_object_object_add(j, "detail", jx_new_string(v->detail));
	json_object_object_add(j, "since", v->since > 0 ? jx_new_double(v->since) : NULL);
	json_object_object_add(j, "changes", jx_new_int64(v->changes));
	json_object_object_add(j, "error", v->error[0] ? jx_new_string(v->error) : NULL);
	return j;
}

void announce_status_json(struct vigild *d, struct json_object *r)
{
	struct announce *a = d->announce;
	if (!a || !a->n_vips)
		return;
	struct json_object *j = jx_new_object(), *vs = jx_new_array();
	json_object_object_add(j, "interface", jx_new_string(a->rt.ifname));
	json_object_object_add(j, "table", jx_new_int64(a->rt.table));
	json_object_object_add(j, "protocol", jx_new_int(a->rt.protocol));
	json_object_object_add(j, "open", jx_new_boolean(a->rt.tun_fd >= 0));
	json_object_object_add(j, "error", a->open_error[0] ? jx_new_string(a->open_error) : NULL);
	for (unsigned i = 0; i < a->n_vips; i++)
		json_object_array_add(vs, vip_json(&a->vips[i]));
	json_object_object_add(j, "addresses", vs);
	json_object_object_add(r, "announce", j);
}
