/*
 * lvs_status: what the IPVS side shows — every virtual server and real
 * server with configured, wanted and kernel weight and the kernel's
 * connection counts, each virtual server's quorum, the operation
 * counters — and the dry-run preview of a configuration (`vigilctl
 * reload --dry-run`).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "errbuf.h"
#include "health.h"
#include "jx.h"
#include "log.h"
#include "lvs.h"
#include "lvs_int.h"
#include "runtime.h"
#include "vigild.h"

/* The kernel's traffic counters and rates of a service or destination. */
static struct json_object *stats_json(const struct ipvs_stats *st)
{
	if (!st)
		return NULL;
	struct json_object *j = jx_new_object();
	const struct { const char *k; uint64_t v; } f[] = {
		{ "conns", st->conns }, { "inpkts", st->inpkts }, { "outpkts", st->outpkts },
		{ "inbytes", st->inbytes }, { "outbytes", st->outbytes }, { "cps", st->cps },
		{ "inpps", st->inpps }, { "outpps", st->outpps }, { "inbps", st->inbps },
		{ "outbps", st->outbps },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		json_object_object_add(j, f[i].k, jx_new_int64((int64_t)f[i].v));
	return j;
}

static struct json_object *rs_json(struct json_object *health, bool runtime,
				   const struct vs_conf *v, const struct rs_conf *r,
				   const struct ipvs_dest *want, const struct ipvs_dest *kern,
				   const struct lvs_override *o)
{
	char buf[VADDR_PORT_STRLEN];
	struct json_object *j = jx_new_object();
	vaddr_port_str(&r->addr, r->port, buf, sizeof(buf));
	json_object_object_add(j, "address", jx_new_string(buf));
	json_object_object_add(j, "forwarding", jx_new_string(fwd_method_str(r->fwd)));
	json_object_object_add(j, "weight_configured", jx_new_int(r->weight));
	json_object_object_add(j, "weight_wanted", want ? jx_new_int(want->weight) : NULL);
	json_object_object_add(j, "in_kernel", jx_new_boolean(kern != NULL));
	json_object_object_add(j, "weight_kernel", kern ? jx_new_int(kern->weight) : NULL);
	json_object_object_add(j, "active_conns",
			       jx_new_int64(kern ? kern->active_conns : 0));
	json_object_object_add(j, "inactive_conns",
			       jx_new_int64(kern ? kern->inact_conns : 0));
	json_object_object_add(j, "override", !o ? NULL
				: jx_new_string(o->drained ? "drain" : "weight"));
	json_object_object_add(j, "stats", stats_json(kern ? &kern->stats : NULL));
	json_object_object_add(j, "health", health);
	json_object_object_add(j, "origin", jx_new_string(runtime ? "runtime" : "file"));
	return j;
}

static struct json_object *quorum_json(const struct lvs *l, const struct vs_conf *v,
				       const struct ipvs_svc_key *k)
{
	const struct lvs_quorum *q = lvs_find_quorum(l, k);
	struct json_object *j = jx_new_object();
	json_object_object_add(j, "up", q ? jx_new_boolean(q->up) : NULL);
	json_object_object_add(j, "alive_weight", q ? jx_new_int64(q->alive) : NULL);
	json_object_object_add(j, "quorum", jx_new_int64(v->quorum));
	json_object_object_add(j, "hysteresis", jx_new_int64(v->hysteresis));
	json_object_object_add(j, "sorry_server_in", jx_new_boolean(
		q && !q->up && v->has_sorry));
	return j;
}

static struct json_object *vs_json(struct lvs *l, unsigned vi, const struct vs_conf *v,
				   const struct ipvs_table_svc *want, const struct ipvs_table *kernel)

{
	char buf[96];
	struct json_object *j = jx_new_object();
	json_object_object_add(j, "name", v->name ? jx_new_string(v->name) : NULL);
	ipvs_svc_key_str(&want->svc.key, buf, sizeof(buf));
	json_object_object_add(j, "service", jx_new_string(buf));
	if (v->group) {   /* the first member's service above; this many in all */
		json_object_object_add(j, "group", jx_new_string(v->group));
		json_object_object_add(j, "services", jx_new_int((int)v->n_members));
	}
	json_object_object_add(j, "scheduler", jx_new_string(want->svc.sched));
	const struct ipvs_table_svc *ks = lvs_stats_svc(kernel, &want->svc.key);
	json_object_object_add(j, "in_kernel", jx_new_boolean(ks != NULL));
	json_object_object_add(j, "stats", stats_json(ks ? &ks->svc.stats : NULL));
	struct json_object *rss = jx_new_array();
	for (unsigned i = 0; i < v->n_rs; i++) {
		const struct rs_conf *rc = &v->rs[i];
		uint16_t port = rc->port;
		const struct ipvs_dest *wd = ipvs_table_find_dest(want, &rc->addr, port);
		const struct ipvs_dest *kd = lvs_stats_dest(ks, &rc->addr, port);
		const struct lvs_override *o = lvs_find_override(l, &want->svc.key, &rc->addr, port);
		json_object_array_add(rss, rs_json(health_rs_json(l->d, vi, i),
						   rt_is_added(l->d, v, rc), v, rc, wd, kd, o));
	}
	json_object_object_add(j, "real_servers", rss);
	json_object_object_add(j, "quorum", quorum_json(l, v, &want->svc.key));
	return j;
}

static struct json_object *counters_json(const struct lvs *l)
{
	static const char *const names[] = {
		[IPVS_OP_ADD_SVC] = "add_service", [IPVS_OP_EDIT_SVC] = "edit_service",
		[IPVS_OP_DEL_SVC] = "delete_service", [IPVS_OP_ADD_DEST] = "add_dest",
		[IPVS_OP_EDIT_DEST] = "edit_dest", [IPVS_OP_DEL_DEST] = "delete_dest",
	};
	struct json_object *j = jx_new_object();
	json_object_object_add(j, "available", jx_new_boolean(l->have_ipvs));
	json_object_object_add(j, "reconciles", jx_new_int64((int64_t)l->count.reconciles));
	json_object_object_add(j, "reconciles_partial", jx_new_int64((int64_t)l->part.passes));
	struct json_object *ops = jx_new_object();
	for (unsigned t = 0; t <= IPVS_OP_DEL_DEST; t++)
		json_object_object_add(ops, names[t], jx_new_int64((int64_t)l->count.ops[t]));
	json_object_object_add(j, "ops", ops);
	json_object_object_add(j, "errors", jx_new_int64((int64_t)l->count.errors));
	struct json_object *last = jx_new_object();
	json_object_object_add(last, "ops", jx_new_int((int)l->last.ops));
	json_object_object_add(last, "errors", jx_new_int((int)l->last.errors));
	json_object_object_add(last, "ms", jx_new_double(l->last.ms));
	json_object_object_add(j, "last", last);
	json_object_object_add(j, "conn_table", lvs_conntab_json(l));
	struct json_object *c = jx_new_object();
	json_object_object_add(c, "at", l->stats.valid ? jx_new_double(l->stats.at) : NULL);
	json_object_object_add(c, "max_age", jx_new_double(LVS_STATS_MAX_AGE));
	json_object_object_add(c, "dumps", jx_new_int64((int64_t)l->stats.dumps));
	json_object_object_add(c, "failures", jx_new_int64((int64_t)l->stats.failures));
	json_object_object_add(j, "counters", c);
	return j;
}

void lvs_status_json(struct vigild *d, struct json_object *r)
{
	struct lvs *l = d->lvs;
	if (!l)
		return;
	struct ipvs_table want;
	struct errbuf eb;
	ipvs_table_init(&want);
	const struct ipvs_table *kernel = lvs_stats(d, NULL);
	if (kernel)
		lvs_conntab_count(l, kernel, ev_now(d->loop));
	struct json_object *vss = jx_new_array();
	if (lvs_build_wanted(l, d->conf, &want, false, &eb) == 0) {
		for (unsigned i = 0; i < d->conf->n_vs; i++) {
			if (i % 16 == 15)
				supervise_pump(d);   /* thousands of servers: let reports in */
			const struct ipvs_table_svc *ts = lvs_vs_svc(&want, i);
			if (ts)
				json_object_array_add(vss, vs_json(l, i, &d->conf->vs[i], ts, kernel));
		}
	}
	json_object_object_add(r, "virtual_servers", vss);
	json_object_object_add(r, "ipvs", counters_json(l));
	ipvs_table_free(&want);
}

/* The key of v's (first) service, as the wanted table makes it. */
static int vs_first_key(const struct vs_conf *v, struct ipvs_svc_key *k)
{
	struct ipvs_table want;
	struct errbuf eb;
	struct conf one = { .vs = (struct vs_conf *)v, .n_vs = 1 };
	ipvs_table_init(&want);
	int err = ipvs_table_from_conf(&one, &want, &eb);
	if (!err && want.n_svcs)
		*k = want.svcs[0].svc.key;
	else if (!err)
		err = -ENOENT;
	ipvs_table_free(&want);
	return err;
}

int lvs_kernel_dump_vs(struct vigild *d, const unsigned *vis, unsigned n, struct ipvs_table *out)
{
	struct errbuf eb;
	if (!d->lvs || !d->lvs->have_ipvs)
		return -ENOENT;
	for (unsigned i = 0; i < n; i++) {
		struct ipvs_svc_key k;
		if (vis[i] >= d->conf->n_vs || vs_first_key(&d->conf->vs[vis[i]], &k) < 0 ||
		    ipvs_table_find_svc(out, &k))
			continue;
		int err = ipvs_dump_service(&d->lvs->ctx, &k, out, &eb);
		if (err) {
			log_err("ipvs: dump: %s", eb.msg);
			return err;
		}
	}
	return 0;
}

int lvs_dest_conns(struct vigild *d, const struct ipvs_table *kernel, unsigned vi, unsigned rj,
		   int64_t *active, int64_t *inactive)
{
	const struct vs_conf *v = &d->conf->vs[vi];
	const struct rs_conf *r = &v->rs[rj];
	struct ipvs_svc_key k;
	int err = vs_first_key(v, &k);
	const struct ipvs_table_svc *ks = err ? NULL : ipvs_table_find_svc(kernel, &k);
	const struct ipvs_dest *kd = ks ? ipvs_table_find_dest(ks, &r->addr,
							       r->port ? r->port : v->port) : NULL;
	if (!err && !kd)
		err = -ENOENT;
	if (kd) {
		*active = kd->active_conns;
		*inactive = kd->inact_conns;
	}
	return err;
}

bool lvs_have_ipvs(const struct vigild *d)
{
	return d->lvs && d->lvs->have_ipvs;
}

static void walk_vs(struct lvs *l, unsigned vi, const struct ipvs_table_svc *want,
		    const struct ipvs_table *kernel,
		    void (*cb)(struct vigild *d, const struct lvs_row *row, void *arg), void *arg)
{
	const struct vs_conf *v = &l->d->conf->vs[vi];
	const struct lvs_quorum *q = lvs_find_quorum(l, &want->svc.key);
	struct lvs_row row = {
		.vi = vi, .ri = LVS_ROW_VS, .v = v, .want = want,
		.kern = lvs_stats_svc(kernel, &want->svc.key),
		.quorum_known = q != NULL, .quorum_up = q && q->up,
		.sorry_in = q && !q->up && v->has_sorry, .alive = q ? q->alive : 0,
	};
	cb(l->d, &row, arg);
	for (unsigned i = 0; i < v->n_rs; i++) {
		const struct rs_conf *rc = &v->rs[i];
		uint16_t port = rc->port ? rc->port : v->port;
		const struct lvs_override *o = lvs_find_override(l, &want->svc.key, &rc->addr, port);
		row.ri = i;
		row.wd = ipvs_table_find_dest(want, &rc->addr, port);
		row.kd = lvs_stats_dest(row.kern, &rc->addr, port);
		row.override = o != NULL;
		row.drained = o && o->drained;
		cb(l->d, &row, arg);
	}
}

int lvs_walk(struct vigild *d, void (*cb)(struct vigild *d, const struct lvs_row *row, void *arg),
	     void *arg, bool *kernel)
{
	struct lvs *l = d->lvs;
	*kernel = false;
	if (!l)
		return -ENOENT;
	struct ipvs_table want;
	struct errbuf eb;
	ipvs_table_init(&want);
	/* The shared, sorted dump (lvs_stats.c): one per LVS_STATS_MAX_AGE
	 * whoever asks — status, /metrics, this feed, which is periodic and
	 * takes the last one as it is, the next made on a thread. */
	const struct ipvs_table *kern = lvs_stats_recent(l, NULL);
	*kernel = kern != NULL;
	int err = lvs_build_wanted(l, d->conf, &want, false, &eb);
	/* A group's virtual server is several services: its first stands
	 * for it, as in status. */
	for (unsigned i = 0; !err && i < d->conf->n_vs; i++) {
		const struct ipvs_table_svc *ts = lvs_vs_svc(&want, i);
		if (ts)
			walk_vs(l, i, ts, kern, cb, arg);
	}
	ipvs_table_free(&want);
	return err;
}

int lvs_preview(struct vigild *d, const struct conf *c, struct json_object *out,
		struct errbuf *eb)
{
	struct lvs *l = d->lvs;
	if (!l)
		return errbuf_set(eb, ENOENT, "no IPVS table in this process");
	struct ipvs_table want, kernel;
	ipvs_table_init(&want);
	ipvs_table_init(&kernel);
	int err = lvs_build_wanted(l, c, &want, false, eb);
	if (!err && l->have_ipvs)
		err = ipvs_dump(&l->ctx, &kernel, eb);
	struct ipvs_oplist ops;
	ipvs_oplist_init(&ops);
	if (!err)
		err = ipvs_reconcile(&want, l->have_ipvs ? &kernel : &l->owned,
				     l->started ? &l->owned : NULL, &ops);
	char buf[256];
	for (unsigned i = 0; !err && i < ops.n; i++)
		json_object_array_add(out, jx_new_string(
			ipvs_op_format(&ops.ops[i], buf, sizeof(buf))));
	ipvs_oplist_free(&ops);
	ipvs_table_free(&want);
	ipvs_table_free(&kernel);
	return err;
}
