/*
 * runtime_drain: graceful removals (`vigilctl remove VS RS --graceful`).
 *
 *   remove --graceful ─> drain (weight 0: no new connections)
 *        ─> every RT_DRAIN_POLL s: the kernel's active connections of the
 *           destination (one destination dump per service with a removal
 *           in progress, never the whole table nor the connection table)
 *        ─> 0 active, or the timeout ─> rt_remove_now ─> done (kept for
 *           `removals`, which vigilctl polls to show the progress)
 *
 * The removal belongs to the daemon: a vigilctl that is interrupted while
 * it shows the progress does not stop it. A removal whose real server a
 * reload takes away ends there. A parent restart forgets removals in
 * progress (the real server stays, with its configured weight).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "control.h"
#include "ipvs.h"
#include "jx.h"
#include "log.h"
#include "lvs.h"
#include "runtime.h"
#include "vigild.h"
#include "xalloc.h"

#define RT_DRAIN_POLL 0.5             /* s between looks at the connections */

static void drain_free(struct vigild *d, struct rt_drain *dr)
{
	struct runtime *rt = d->rt;
	for (struct rt_drain **pp = &rt->drains; *pp; pp = &(*pp)->next) {
		if (*pp == dr) {
			*pp = dr->next;
			rt->n_drains--;
			break;
		}
	}
	free(dr);
	if (!rt->drains)
		ev_timer_stop(d->loop, &rt->drain_w);
}

static void drain_finish(struct vigild *d, struct rt_drain *dr, bool timed_out,
			 const char *error)
{
	struct runtime *rt = d->rt;
	struct rt_done *o = &rt->done[rt->n_done++ % RT_DONE_KEPT];
	memset(o, 0, sizeof(*o));
	snprintf(o->svc, sizeof(o->svc), "%s", dr->svc);
	snprintf(o->rs, sizeof(o->rs), "%s", dr->rs);
	o->waited = ev_now(d->loop) - dr->started;
	o->active_left = dr->active < 0 ? 0 : dr->active;
	o->timed_out = timed_out;
	if (error) {
		snprintf(o->error, sizeof(o->error), "%s", error);
		log_err("operator: graceful removal of %s from %s: %s", dr->rs, dr->svc, error);
	} else {
		log_notice("operator: %s drained from %s in %.1f s%s (%lld active connection(s) "
			   "left)", dr->rs, dr->svc, o->waited, timed_out ? ", timed out" : "",
			   (long long)o->active_left);
	}
	drain_free(d, dr);
}

/* One look at one removal: true when it is over (dr freed). */
static bool drain_step(struct vigild *d, struct rt_drain *dr, const struct ipvs_table *kernel,
		       double now)
{
	int vi = lvs_vs_index(d->conf, dr->svc);
	int rj = vi < 0 ? -1 : lvs_rs_index(&d->conf->vs[vi], dr->rs);
	if (rj < 0) {
		drain_finish(d, dr, false, "the real server is no longer configured");
		return true;
	}
	/* A reload that changed the real server dropped the drain: again. */
	lvs_override_drain(d, (unsigned)vi, (unsigned)rj);
	int64_t act = 0, inact = 0;
	if (!kernel || lvs_dest_conns(d, kernel, (unsigned)vi, (unsigned)rj, &act, &inact) < 0)
		act = inact = 0;   /* not in the kernel: nothing to wait for */
	dr->active = act;
	dr->inactive = inact;
	bool timed_out = now >= dr->deadline;
	if (act > 0 && !timed_out)
		return false;
	char why[256];
	drain_finish(d, dr, timed_out && act > 0,
		     rt_remove_now(d, dr->svc, dr->rs, why, sizeof(why)));
	return true;
}

static void drain_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vigild *d = w->data;
	struct ipvs_table kernel;
	unsigned vis[RT_MAX_DRAINS], n = 0;
	for (struct rt_drain *dr = d->rt->drains; dr && n < RT_MAX_DRAINS; dr = dr->next) {
		int vi = lvs_vs_index(d->conf, dr->svc);
		if (vi >= 0)
			vis[n++] = (unsigned)vi;
	}
	ipvs_table_init(&kernel);
	bool have = lvs_kernel_dump_vs(d, vis, n, &kernel) == 0;
	/* A removal installs a new configuration: the list is walked again
	 * from its head after each one that ends. */
	bool again = true;
	while (again && d->rt->drains) {
		again = false;
		for (struct rt_drain *dr = d->rt->drains; dr; dr = dr->next)
			if ((again = drain_step(d, dr, have ? &kernel : NULL, ev_now(loop))))
				break;
	}
	ipvs_table_free(&kernel);
	(void)revents;
}

struct json_object *rt_drain_start(struct vigild *d, unsigned vi, unsigned rj, int timeout)
{
	struct runtime *rt = d->rt;
	char svc[RT_SVC_LEN], rs[RT_RS_LEN];
	const struct vs_conf *v = &d->conf->vs[vi];
	rt_svc_name(v, svc, sizeof(svc));
	vaddr_port_str(&v->rs[rj].addr, v->rs[rj].port, rs, sizeof(rs));
	for (struct rt_drain *dr = rt->drains; dr; dr = dr->next)
		if (!strcmp(dr->svc, svc) && !strcmp(dr->rs, rs))
			return ctl_reply_err("%s of %s is already being removed", rs, svc);
	if (rt->n_drains >= RT_MAX_DRAINS)
		return ctl_reply_err("remove: %d graceful removals already in progress",
				     RT_MAX_DRAINS);
	if (lvs_override_drain(d, vi, rj) < 0)
		return ctl_reply_err("remove: out of memory; nothing changed");
	struct rt_drain *dr = xcalloc(1, sizeof(*dr));
	dr->d = d;
	snprintf(dr->svc, sizeof(dr->svc), "%s", svc);
	snprintf(dr->rs, sizeof(dr->rs), "%s", rs);
	dr->started = ev_now(d->loop);
	dr->deadline = dr->started + timeout;
	dr->active = dr->inactive = -1;
	if (!rt->drains) {
		ev_timer_init(&rt->drain_w, drain_cb, RT_DRAIN_POLL, RT_DRAIN_POLL);
		rt->drain_w.data = d;
		ev_timer_start(d->loop, &rt->drain_w);
	}
	dr->next = rt->drains;
	rt->drains = dr;
	rt->n_drains++;
	log_notice("operator: remove %s from %s gracefully (drained; waiting up to %d s for its "
		   "active connections)", rs, svc, timeout);
	struct json_object *r = ctl_reply_ok();
	json_object_object_add(r, "vs", jx_new_string(svc));
	json_object_object_add(r, "rs", jx_new_string(rs));
	json_object_object_add(r, "draining", jx_new_boolean(1));
	json_object_object_add(r, "timeout", jx_new_int(timeout));
	return r;
}

struct json_object *rt_cmd_removals(struct vigild *d, struct json_object *req)
{
	struct runtime *rt = d->rt;
	if (!rt)
		return ctl_reply_err("removals: not in this process");
	struct json_object *r = ctl_reply_ok(), *now = jx_new_array(), *done = jx_new_array();
	double t = ev_now(d->loop);
	for (struct rt_drain *dr = rt->drains; dr; dr = dr->next) {
		struct json_object *o = jx_new_object();
		json_object_object_add(o, "vs", jx_new_string(dr->svc));
		json_object_object_add(o, "rs", jx_new_string(dr->rs));
		json_object_object_add(o, "active_conns",
				       dr->active < 0 ? NULL : jx_new_int64(dr->active));
		json_object_object_add(o, "inactive_conns",
				       dr->inactive < 0 ? NULL : jx_new_int64(dr->inactive));
		json_object_object_add(o, "elapsed", jx_new_double(t - dr->started));
		json_object_object_add(o, "left", jx_new_double(dr->deadline - t));
		json_object_array_add(now, o);
	}
	unsigned n = rt->n_done < RT_DONE_KEPT ? rt->n_done : RT_DONE_KEPT;
	for (unsigned i = 0; i < n; i++) {
		const struct rt_done *o = &rt->done[(rt->n_done - n + i) % RT_DONE_KEPT];
		struct json_object *j = jx_new_object();
		json_object_object_add(j, "vs", jx_new_string(o->svc));
		json_object_object_add(j, "rs", jx_new_string(o->rs));
		json_object_object_add(j, "waited", jx_new_double(o->waited));
		json_object_object_add(j, "active_left", jx_new_int64(o->active_left));
		json_object_object_add(j, "timed_out", jx_new_boolean(o->timed_out));
		json_object_object_add(j, "error", o->error[0] ? jx_new_string(o->error) : NULL);
		json_object_array_add(done, j);
	}
	json_object_object_add(r, "removing", now);
	json_object_object_add(r, "done", done);
	(void)req;
	return r;
}

void rt_drain_free(struct vigild *d)
{
	while (d->rt && d->rt->drains)
		drain_free(d, d->rt->drains);
}
