/*
 * health: parent-side record of check results (see health.h).
 *
 * The table mirrors d->conf: one entry per real server, with the last
 * result of each of its checks. It is rebuilt lazily when the parent's
 * configuration generation moves on; entries whose virtual server (by
 * name/address/fwmark) and real server (by address:port) survive keep
 * their state, so a reload flaps nothing. Results of another generation
 * are dropped (their indexes point into another configuration). A result
 * whose real-server state is UNKNOWN (a restarted checker before its first
 * verdict) updates the details but not the state: the last known state
 * holds until the checker says otherwise. A parent that starts takes the
 * last known state from the kernel (health_adopt): a real server whose
 * destination a previous parent left in the table keeps its weight there
 * until its first verdict.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "health.h"
#include "ipc.h"
#include "jx.h"
#include "log.h"
#include "lvs.h"
#include "notify_fifo.h"
#include "ratelimit.h"
#include "snmp_feed.h"
#include "vigild.h"
#include "xalloc.h"

struct health_check {
	bool seen;
	uint8_t state, pass;
	uint32_t latency_us, passes, failures;
	double at;
	char reason[128];
};

/* Transitions of one real server logged per window; more are counted. */
#define HEALTH_LOG_BURST 5
#define HEALTH_LOG_WINDOW 30.0

struct health_rs {
	struct vaddr addr;
	uint16_t port;
	uint8_t state;                /* enum ipc_chk_state: last verdict */
	bool have_result;
	int adopted_weight;           /* in the kernel at start, before any verdict; or -1 */
	double since, last_result;
	int weight;
	uint32_t latency_us, passes, failures;
	char reason[128];
	unsigned n_checks;
	struct health_check *checks;
	struct ratelimit rl;          /* its transition lines */
};

struct health_vs {
	char key[VADDR_PORT_STRLEN + 32];
	struct health_rs *rs;
	unsigned n_rs;
};

struct health {
	uint32_t generation;
	struct health_vs *vs;
	unsigned n_vs;
	struct health_vs **by_key;    /* vs sorted by key: reloads of thousands stay O(n log n) */
};

static void vs_key(const struct vs_conf *vs, char *buf, size_t len)
{
	char a[VADDR_PORT_STRLEN];
	if (vs->fwmark)
		snprintf(buf, len, "fwmark:%u/%d", vs->fwmark, vs->family);
	else
		snprintf(buf, len, "%s/%s", vaddr_port_str(&vs->addr, vs->port, a, sizeof(a)),
			 vs_proto_str(vs->protocol));
}

static void table_free(struct health *h)
{
	for (unsigned i = 0; h && i < h->n_vs; i++) {
		for (unsigned j = 0; j < h->vs[i].n_rs; j++)
			free(h->vs[i].rs[j].checks);
		free(h->vs[i].rs);
	}
	if (h) {
		free(h->vs);
		free(h->by_key);
	}
	free(h);
}

static int vs_ptr_cmp(const void *a, const void *b)
{
	return strcmp((*(struct health_vs *const *)a)->key, (*(struct health_vs *const *)b)->key);
}

static void index_build(struct health *h)
{
	h->by_key = xcalloc(h->n_vs, sizeof(*h->by_key));
	for (unsigned i = 0; i < h->n_vs; i++)
		h->by_key[i] = &h->vs[i];
	qsort(h->by_key, h->n_vs, sizeof(*h->by_key), vs_ptr_cmp);
}

static const struct health_rs *old_rs(const struct health *o, const char *key,
				      const struct rs_conf *rc)
{
	if (!o)
		return NULL;
	struct health_vs probe, *pp = &probe;
	snprintf(probe.key, sizeof(probe.key), "%s", key);
	struct health_vs **hit = bsearch(&pp, o->by_key, o->n_vs, sizeof(*o->by_key), vs_ptr_cmp);
	for (unsigned j = 0; hit && j < (*hit)->n_rs; j++) {
		const struct health_rs *r = &(*hit)->rs[j];
		if (r->port == rc->port && vaddr_equal(&r->addr, &rc->addr))
			return r;
	}
	return NULL;
}

static void rs_init(struct health_rs *r, const struct rs_conf *rc, const struct health_rs *o)
{
	struct health_check *checks = xcalloc(rc->n_checks, sizeof(*checks));
	if (o) {
		*r = *o;
		for (unsigned k = 0; k < rc->n_checks && k < o->n_checks; k++)
			checks[k] = o->checks[k];
	} else {
		*r = (struct health_rs){ .weight = -1, .adopted_weight = -1 };
		snprintf(r->reason, sizeof(r->reason), "no result yet");
	}
	r->addr = rc->addr;
	r->port = rc->port;
	r->checks = checks;
	r->n_checks = rc->n_checks;
}

/* Makes the table match the parent's current configuration. */
static struct health *health_sync(struct vigild *d)
{
	struct health *o = d->health;
	if (o && o->generation == d->generation)
		return o;
	struct health *h = xcalloc(1, sizeof(*h));
	h->generation = d->generation;
	const struct conf *c = d->conf;
	h->vs = xcalloc(c->n_vs, sizeof(*h->vs));
	h->n_vs = c->n_vs;
	for (unsigned i = 0; i < c->n_vs; i++) {
		struct health_vs *hv = &h->vs[i];
		vs_key(&c->vs[i], hv->key, sizeof(hv->key));
		hv->n_rs = c->vs[i].n_rs;
		hv->rs = xcalloc(hv->n_rs, sizeof(*hv->rs));
		for (unsigned j = 0; j < hv->n_rs; j++)
			rs_init(&hv->rs[j], &c->vs[i].rs[j], old_rs(o, hv->key, &c->vs[i].rs[j]));
	}
	index_build(h);
	table_free(o);
	d->health = h;
	return h;
}

static const char *vs_label(const struct vs_conf *vs, char *buf, size_t len)
{
	if (vs->name)
		return vs->name;
	if (vs->fwmark) {
		snprintf(buf, len, "fwmark:%u", vs->fwmark);
		return buf;
	}
	return vaddr_port_str(&vs->addr, vs->port, buf, len);
}

static void log_transition(struct vigild *d, const struct ipc_check_result *m,
			   struct health_rs *r)
{
	const struct vs_conf *vs = &d->conf->vs[m->vs];
	const struct rs_conf *rc = &vs->rs[m->rs];
	const struct check_conf *cc = &rc->checks[m->check];
	char vb[VADDR_PORT_STRLEN + 16], rb[VADDR_PORT_STRLEN];
	bool up = m->rs_state == IPC_CHK_UP;
	unsigned quiet;
	/* A flapping server is a line per transition only up to a burst. */
	if (!ratelimit_allow(&r->rl, ev_now(d->loop), HEALTH_LOG_BURST, HEALTH_LOG_WINDOW,
			     &quiet))
		return;
	const char *vl = vs_label(vs, vb, sizeof(vb));
	const char *rl = vaddr_port_str(&rc->addr, rc->port, rb, sizeof(rb));
	char held[96] = "";
	if (quiet)
		snprintf(held, sizeof(held), " [%u transitions of this real server not logged]",
			 quiet);
	const struct log_field f[] = {
		{ "vs", vl }, { "rs", rl }, { "state", up ? "up" : "down" },
		{ "old_state", r->state == IPC_CHK_UP ? "up" : r->state == IPC_CHK_DOWN ? "down"
			       : "unknown" },
		{ "reason", r->reason }, { "check", check_type_str(cc->type) },
	};
	log_event(LOG_NOTICE, f, 6, "%s %s %s: %s (%u/%u)%s", vl, rl, up ? "UP" : "DOWN",
		  r->reason, up ? m->passes : m->failures, up ? cc->rise : cc->fall, held);
}

/* The runs the result carries into its check type's histogram. */
static void count_latency(struct vigild *d, enum check_type t, const struct ipc_check_result *m)
{
	if ((unsigned)t >= CHECK__COUNT)
		return;
	for (unsigned b = 0; b < IPC_LAT_BUCKETS; b++)
		d->check_latency[t].runs[b] += m->lat_runs[b];
	d->check_latency[t].sum_us += m->lat_sum_us;
}

static bool rs_up(const struct health_rs *r, const struct vs_conf *vs);

bool health_on_result(struct vigild *d, const void *payload, size_t len)
{
	const struct ipc_check_result *m = payload;
	if (len < sizeof(*m) || len > sizeof(*m) + 255) {
		log_warn("checker: check result of %zu bytes ignored", len);
		return false;
	}
	struct health *h = health_sync(d);
	if (m->generation != d->generation || m->vs >= h->n_vs || m->rs >= h->vs[m->vs].n_rs
	    || m->check >= h->vs[m->vs].rs[m->rs].n_checks)
		return false;   /* stale: another configuration's indexes */
	struct health_rs *r = &h->vs[m->vs].rs[m->rs];
	struct health_check *ck = &r->checks[m->check];
	count_latency(d, d->conf->vs[m->vs].rs[m->rs].checks[m->check].type, m);
	double now = ev_now(d->loop);
	int tl = (int)(len - sizeof(*m));
	snprintf(ck->reason, sizeof(ck->reason), "%.*s", tl, (const char *)(m + 1));
	ck->seen = true;
	ck->state = m->check_state;
	ck->pass = m->pass;
	ck->latency_us = m->latency_us;
	ck->passes = m->passes;
	ck->failures = m->failures;
	ck->at = now;
	memcpy(r->reason, ck->reason, sizeof(r->reason));
	r->have_result = true;
	r->last_result = now;
	r->latency_us = m->latency_us;
	r->passes = m->passes;
	r->failures = m->failures;
	bool changed = m->weight >= 0 && m->weight != r->weight;
	if (m->weight >= 0)
		r->weight = m->weight;
	if (m->rs_state == IPC_CHK_UNKNOWN || m->rs_state == r->state) {
		snmpf_rs_health(d, m->vs, m->rs, IPC_SNMP_EV_NONE);
		return changed;
	}
	bool was_up = rs_up(r, &d->conf->vs[m->vs]);
	log_transition(d, m, r);   /* r->state is still the old one */
	r->state = m->rs_state;
	r->since = now;
	if (d->fifo && !nfifo_rs(d->fifo, &d->conf->vs[m->vs], &d->conf->vs[m->vs].rs[m->rs],
				 m->rs_state == IPC_CHK_UP))
		log_warn("notify_fifo: no room for a real server's line");
	snmpf_rs_health(d, m->vs, m->rs, m->rs_state == IPC_CHK_UP ? IPC_SNMP_EV_UP
							    : IPC_SNMP_EV_DOWN);
	/* What the server was taken for until now (start_up, the kernel's)
	 * counts: a first verdict that confirms it is no change. */
	if (rs_up(r, &d->conf->vs[m->vs]) != was_up)
		lvs_rs_notify(d, m->vs, m->rs, !was_up);
	return true;
}

void health_adopt(struct vigild *d, unsigned vs_idx, unsigned rs_idx, int weight)
{
	struct health *h = health_sync(d);
	if (vs_idx >= h->n_vs || rs_idx >= h->vs[vs_idx].n_rs)
		return;
	struct health_rs *r = &h->vs[vs_idx].rs[rs_idx];
	if (!r->n_checks || r->state != IPC_CHK_UNKNOWN)
		return;
	r->adopted_weight = weight;
	snprintf(r->reason, sizeof(r->reason), "no result yet; weight %d kept from the kernel", weight);
}

bool health_rs_judged(struct vigild *d, unsigned vs_idx, unsigned rs_idx)
{
	struct health *h = health_sync(d);
	if (vs_idx >= h->n_vs || rs_idx >= h->vs[vs_idx].n_rs)
		return false;
	const struct health_rs *r = &h->vs[vs_idx].rs[rs_idx];
	return !r->n_checks || r->state != IPC_CHK_UNKNOWN;
}

/* Before any verdict: the kernel's word if the table was adopted, else start_up. */
static bool rs_up(const struct health_rs *r, const struct vs_conf *vs)
{
	if (r->state == IPC_CHK_UNKNOWN)
		return r->adopted_weight >= 0 || vs->start_up;
	return r->state == IPC_CHK_UP;
}

static int rs_weight(const struct health_rs *r)
{
	if (r->weight < 0 && r->state == IPC_CHK_UNKNOWN)
		return r->adopted_weight;
	return r->weight;
}

bool health_rs_up(struct vigild *d, unsigned vs_idx, unsigned rs_idx)
{
	struct health *h = health_sync(d);
	if (vs_idx >= h->n_vs || rs_idx >= h->vs[vs_idx].n_rs)
		return false;
	const struct health_rs *r = &h->vs[vs_idx].rs[rs_idx];
	if (!r->n_checks)
		return true;
	return rs_up(r, &d->conf->vs[vs_idx]);
}

bool health_rs_up_conf(struct vigild *d, const struct vs_conf *vs, const struct rs_conf *rc,
		       int *weight)
{
	struct health *h = health_sync(d);
	char key[sizeof(h->vs[0].key)];
	vs_key(vs, key, sizeof(key));
	const struct health_rs *r = old_rs(h, key, rc);
	*weight = r ? rs_weight(r) : -1;
	if (!rc->n_checks)
		return true;
	return r ? rs_up(r, vs) : vs->start_up;
}

int health_rs_weight(struct vigild *d, unsigned vs_idx, unsigned rs_idx)
{
	struct health *h = health_sync(d);
	if (vs_idx >= h->n_vs || rs_idx >= h->vs[vs_idx].n_rs)
		return -1;
	return rs_weight(&h->vs[vs_idx].rs[rs_idx]);
}

void health_free(struct vigild *d)
{
	table_free(d->health);
	d->health = NULL;
}

static const char *state_name(uint8_t s)
{
	return s == IPC_CHK_UP ? "up" : s == IPC_CHK_DOWN ? "down" : "unknown";
}

static struct json_object *check_json(const struct check_conf *cc, const struct health_check *k)
{
	struct json_object *o = jx_new_object();
	json_object_object_add(o, "type", jx_new_string(check_type_str(cc->type)));
	json_object_object_add(o, "state", jx_new_string(state_name(k->state)));
	json_object_object_add(o, "last", k->seen ? jx_new_string(k->pass ? "pass" : "fail")
						  : NULL);
	json_object_object_add(o, "reason", k->seen ? jx_new_string(k->reason) : NULL);
	json_object_object_add(o, "latency_us", jx_new_int64(k->latency_us));
	json_object_object_add(o, "passes", jx_new_int64(k->passes));
	json_object_object_add(o, "failures", jx_new_int64(k->failures));
	json_object_object_add(o, "rise", jx_new_int64(cc->rise));
	json_object_object_add(o, "fall", jx_new_int64(cc->fall));
	return o;
}

/* What status and the MIB call its state: up, down or pending. */
static const char *rs_state_name(struct vigild *d, unsigned i, unsigned j,
				 const struct health_rs *r)
{
	if (!d->conf->vs[i].rs[j].n_checks)
		return "up";
	if (r->state == IPC_CHK_UNKNOWN)
		return health_rs_up(d, i, j) ? "up" : "pending";
	return state_name(r->state);
}

static struct json_object *health_json(struct vigild *d, unsigned i, unsigned j,
				       const struct health_rs *r)
{
	const struct rs_conf *rc = &d->conf->vs[i].rs[j];
	struct json_object *hh = jx_new_object();
	bool up = health_rs_up(d, i, j);
	json_object_object_add(hh, "state", jx_new_string(rs_state_name(d, i, j, r)));
	json_object_object_add(hh, "up", jx_new_boolean(up));
	json_object_object_add(hh, "reason", jx_new_string(
		rc->n_checks ? r->reason : "no checks"));
	json_object_object_add(hh, "latency_us", jx_new_int64(r->latency_us));
	json_object_object_add(hh, "passes", jx_new_int64(r->passes));
	json_object_object_add(hh, "failures", jx_new_int64(r->failures));
	json_object_object_add(hh, "since", r->since > 0 ? jx_new_double(r->since) : NULL);
	json_object_object_add(hh, "last_result",
			       r->have_result ? jx_new_double(r->last_result) : NULL);
	json_object_object_add(hh, "dynamic_weight",
			       r->weight >= 0 ? jx_new_int(r->weight) : NULL);
	struct json_object *cks = jx_new_array();
	for (unsigned k = 0; k < r->n_checks; k++)
		json_object_array_add(cks, check_json(&rc->checks[k], &r->checks[k]));
	json_object_object_add(hh, "checks", cks);
	return hh;
}

struct json_object *health_rs_json(struct vigild *d, unsigned vs_idx, unsigned rs_idx)
{
	struct health *h = health_sync(d);
	if (vs_idx >= h->n_vs || rs_idx >= h->vs[vs_idx].n_rs)
		return NULL;
	return health_json(d, vs_idx, rs_idx, &h->vs[vs_idx].rs[rs_idx]);
}

void health_latency_json(struct vigild *d, struct json_object *r)
{
	struct json_object *j = jx_new_object(), *bounds = jx_new_array(), *types = jx_new_object();
	for (unsigned b = 0; b < IPC_LAT_BUCKETS - 1; b++)
		json_object_array_add(bounds, jx_new_int64(ipc_lat_bounds_us[b]));
	json_object_object_add(j, "bounds_us", bounds);
	for (unsigned t = 0; t < CHECK__COUNT; t++) {
		uint64_t n = 0;
		for (unsigned b = 0; b < IPC_LAT_BUCKETS; b++)
			n += d->check_latency[t].runs[b];
		if (!n)
			continue;
		struct json_object *o = jx_new_object(), *runs = jx_new_array();
		for (unsigned b = 0; b < IPC_LAT_BUCKETS; b++)
			json_object_array_add(runs, jx_new_int64((int64_t)d->check_latency[t].runs[b]));
		json_object_object_add(o, "runs", runs);
		json_object_object_add(o, "count", jx_new_int64((int64_t)n));
		json_object_object_add(o, "sum_us", jx_new_int64((int64_t)d->check_latency[t].sum_us));
		json_object_object_add(types, check_type_str((enum check_type)t), o);
	}
	json_object_object_add(j, "types", types);
	json_object_object_add(r, "check_latency", j);
}

/* A DisplayString column: cut, never failing. */
static void text(char *dst, size_t n, const char *src)
{
	size_t l = strnlen(src, n - 1);
	memcpy(dst, src, l);
	dst[l] = '\0';
}

static uint8_t mib_state(const char *s)
{
	return !strcmp(s, "up") ? 1 : !strcmp(s, "down") ? 2 : 3;   /* VigilHealthState */
}

void health_rs_snmp(struct vigild *d, unsigned vs_idx, unsigned rs_idx, struct ipc_snmp_rs *o,
		    struct ipc_snmp_check *ck)
{
	struct health *h = health_sync(d);
	if (vs_idx >= h->n_vs || rs_idx >= h->vs[vs_idx].n_rs)
		return;
	const struct rs_conf *rc = &d->conf->vs[vs_idx].rs[rs_idx];
	const struct health_rs *r = &h->vs[vs_idx].rs[rs_idx];
	double now = ev_now(d->loop);
	o->state = mib_state(rs_state_name(d, vs_idx, rs_idx, r));
	text(o->reason, sizeof(o->reason), rc->n_checks ? r->reason : "no checks");
	o->state_age = r->since > 0 ? now - r->since : -1;
	o->result_age = r->have_result ? now - r->last_result : -1;
	unsigned n = r->n_checks < IPC_SNMP_CHECKS_MAX ? r->n_checks : IPC_SNMP_CHECKS_MAX;
	for (unsigned k = 0; k < n; k++) {
		const struct health_check *c = &r->checks[k];
		memset(&ck[k], 0, sizeof(ck[k]));
		snprintf(ck[k].type, sizeof(ck[k].type), "%s", check_type_str(rc->checks[k].type));
		text(ck[k].reason, sizeof(ck[k].reason), c->seen ? c->reason : "");
		ck[k].state = mib_state(state_name(c->state));
		ck[k].last = !c->seen ? 1 : c->pass ? 2 : 3;
		ck[k].latency_us = c->latency_us;
		ck[k].passes = c->passes;
		ck[k].failures = c->failures;
		ck[k].rise = rc->checks[k].rise;
		ck[k].fall = rc->checks[k].fall;
	}
	o->n_checks = (uint8_t)n;
}
