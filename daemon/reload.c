/*
 * reload: the parent's reload (see reload.h): the load and the packing of
 * the children's views on a worker thread, the rest on the loop.
 *
 * The worker shares nothing mutable with the loop: it reads the file
 * (d->opts.config, fixed at start) and fills r->out, which the loop reads
 * only after pthread_join. The configuration loader and the packer are
 * library code that neither logs nor touches the parent's state. A fork
 * while the worker runs (a child restarted) is followed at once by exec
 * of async-signal-safe steps only (supervise.c, proc/spawn.c), so the
 * thread's locks cannot be inherited held by anything that runs.
 */
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "control.h"
#include "errbuf.h"
#include "jx.h"
#include "log.h"
#include "lvs.h"
#include "notify_fifo.h"
#include "reload.h"
#include "runtime.h"
#include "sdnotify.h"
#include "snmp_feed.h"
#include "status_http.h"
#include "vigild.h"
#include "vipfw.h"
#include "wallclock.h"

/* Each control client waits for one reply at a time, and there are at
 * most CTL_MAX_CLIENTS of them. */
#define RELOAD_WAITERS CTL_MAX_CLIENTS

struct waiters {
	uint64_t ticket[RELOAD_WAITERS];
	unsigned n;
	bool wanted;                  /* a load of this kind is asked for */
};

struct reloader {
	struct vigild *d;
	ev_async done_w;
	pthread_t th;
	bool running, threaded;
	enum reload_kind kind;        /* of the running load */
	struct waiters cur;           /* answered when the running load ends */
	struct waiters next[2];       /* by kind: the load after it */
	struct {                      /* the worker's result */
		struct conf *conf;
		struct conf_errors errs;
		struct conf_blob blobs[CHILD__COUNT];
		int pack_err;
		double ms;
		unsigned reused, parsed;  /* virtual servers copied, read (conf_cache_stats) */
	} out;
};

/* A reload that changes global.http.listen moves the status endpoint. */
static void reopen_http(struct vigild *d, const struct conf *old)
{
	const char *was = old->global.http_listen, *now = d->conf->global.http_listen;
	if ((!was && !now) || (was && now && !strcmp(was, now)))
		return;
	http_close(d->http);
	d->http = NULL;
	struct errbuf eb;
	if (now && !(d->http = http_open(d, now, &eb)))
		log_err("%s; the status endpoint is off until the next reload", eb.msg);
}

static void reload_begin(struct vigild *d)
{
	log_info("reloading %s", d->opts.config);
	sdn_reload_begin(d);
}

/* A refused reload: every error line logged and returned as a JSON array. */
static struct json_object *reload_refuse(struct vigild *d, const struct conf_errors *errs,
					 const char *why)
{
	struct json_object *arr = jx_new_array();
	for (unsigned i = 0; errs && i < errs->n; i++) {
		log_err("%s", errs->lines[i]);
		json_object_array_add(arr, jx_new_string(errs->lines[i]));
	}
	if (why) {
		log_err("%s", why);
		json_object_array_add(arr, jx_new_string(why));
	} else if (errs->oom) {
		log_err("reload refused: out of memory; the running configuration is kept");
	} else {
		log_err("reload refused: %u error(s); the running configuration is kept", errs->n);
	}
	sdn_reload_refused(d, errs && errs->n ? errs->n : 1);
	return arr;
}

/* The accepted half: c and blobs become the running generation. */
static void reload_commit(struct vigild *d, struct conf *c, struct conf_blob *blobs, double ms)
{
	supervise_blobs_free(d->blobs);
	memcpy(d->blobs, blobs, sizeof(d->blobs));
	lvs_omega_removed(d, c);      /* while health still indexes the old one */
	struct conf *old = d->conf;
	d->conf = c;
	reopen_http(d, old);
	nfifo_conf_changed(d, old);
	lvs_conf_changed(d, old);
	d->generation++;
	d->conf_loaded_at = wall_now();
	log_set_facility(c->global.log_facility);
	if (ms >= 0)
		log_info("configuration generation %u loaded in %.1f ms (%u virtual servers, %u VRRP "
			 "instances)", d->generation, ms, c->n_vs, c->n_vrrp);
	else
		log_info("configuration generation %u: a runtime change", d->generation);
	/* The kernel first: the children's own unpacking would compete for the CPU. */
	lvs_reconcile_now(d);
	vipfw_changed(d, old, ms < 0);
	lvs_sync_both(d, false);
	supervise_broadcast_reload(d);
	/* After the broadcast: a snmp child started now gets generation N+1 once. */
	snmpf_conf_changed(d, old);
	conf_free(old);
	sdn_child_answered(d);   /* at once when no child runs */
}

int parent_install(struct vigild *d, struct conf *c)
{
	struct conf_blob blobs[CHILD__COUNT];
	if (supervise_pack(c, blobs) < 0)
		return -ENOMEM;
	reload_commit(d, c, blobs, -1);
	return 0;
}

int parent_reload(struct vigild *d, struct json_object **errors, struct json_object *runtime)
{
	struct conf_errors errs = { 0 };
	reload_begin(d);
	double t0 = ev_time();
	struct conf *c = conf_load(d->opts.config, &errs);
	struct conf_blob blobs[CHILD__COUNT];
	struct json_object *arr = NULL;
	/* The runtime changes (vigilctl add/remove) carry over, or are dropped
	 * with a notice each when the file took them over or away. */
	if (c)
		rt_merge(d, c, runtime, true);
	if (!c)
		arr = reload_refuse(d, &errs, NULL);
	else if (supervise_pack(c, blobs) < 0)
		arr = reload_refuse(d, NULL, "reload refused: out of memory packing the configuration");
	conf_errors_free(&errs);
	if (arr) {
		conf_free(c);
		if (errors)
			*errors = arr;
		else
			json_object_put(arr);
		return 1;
	}
	reload_commit(d, c, blobs, (ev_time() - t0) * 1e3);
	return 0;
}

static void *worker(void *arg)
{
	struct reloader *r = arg;
	double t0 = ev_time();
	r->out.conf = conf_load_cached(r->d->opts.config, &r->out.errs, &r->d->conf_cache);
	conf_cache_stats(r->d->conf_cache, &r->out.reused, &r->out.parsed, NULL);
	if (r->out.conf && r->kind == RELOAD_APPLY)
		r->out.pack_err = supervise_pack(r->out.conf, r->out.blobs);
	r->out.ms = (ev_time() - t0) * 1e3;
	ev_async_send(r->d->loop, &r->done_w);
	return NULL;
}

static void start_next(struct reloader *r);

/* A result nobody will use (vigild stopping). */
static void drop_out(struct reloader *r)
{
	if (r->out.conf && r->kind == RELOAD_APPLY && !r->out.pack_err)
		supervise_blobs_free(r->out.blobs);
	conf_free(r->out.conf);
	r->out.conf = NULL;
}

/* Starts a load of kind k for the clients waiting for one. */
static void start_job(struct reloader *r, enum reload_kind k)
{
	r->kind = k;
	r->cur = r->next[k];
	memset(&r->next[k], 0, sizeof(r->next[k]));
	memset(&r->out, 0, sizeof(r->out));
	if (k == RELOAD_APPLY)
		reload_begin(r->d);
	r->running = true;
	/* The worker takes no signal: they are the loop's. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int err = pthread_create(&r->th, NULL, worker, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	r->threaded = err == 0;
	if (err) {
		log_warn("reload: no worker thread (%s); loading on the main loop", strerror(err));
		worker(r);   /* done_cb runs on the next loop iteration */
	}
}

static void answer(struct reloader *r, const struct waiters *w, struct json_object *reply)
{
	for (unsigned i = 0; i < w->n; i++)
		ctl_complete(r->d->ctl, w->ticket[i], json_object_get(reply));
	json_object_put(reply);
}

static struct json_object *refused_reply(struct json_object *errors)
{
	struct json_object *rep = ctl_reply_err("configuration invalid; the running one is kept");
	json_object_object_add(rep, "errors", errors);
	return rep;
}

/* The runtime changes merged into the worker's c, on the loop (the loop
 * owns them), and c packed again when it changed. true with *rep the ok
 * reply and its "runtime" report; false with *rep the refusal (blobs
 * freed). */
static bool merge_runtime(struct vigild *d, struct conf *c, struct conf_blob *blobs,
			  struct json_object **rep)
{
	struct json_object *rt = jx_new_array();
	if (d->rt && d->rt->changes) {
		supervise_blobs_free(blobs);
		rt_merge(d, c, rt, true);
		if (supervise_pack(c, blobs) < 0) {
			json_object_put(rt);
			*rep = refused_reply(reload_refuse(
				d, NULL, "reload refused: out of memory packing the configuration"));
			return false;
		}
	}
	*rep = ctl_reply_ok();
	json_object_object_add(*rep, "runtime", rt);
	return true;
}

static void finish_apply(struct reloader *r, const struct waiters *w)
{
	struct vigild *d = r->d;
	struct json_object *rep;
	if (!r->out.conf) {
		rep = refused_reply(reload_refuse(d, &r->out.errs, NULL));
	} else if (r->out.pack_err) {
		conf_free(r->out.conf);
		rep = refused_reply(reload_refuse(
			d, NULL, "reload refused: out of memory packing the configuration"));
	} else if (!merge_runtime(d, r->out.conf, r->out.blobs, &rep)) {
		conf_free(r->out.conf);
	} else {
		if (r->out.reused)
			log_info("configuration: %u virtual servers unchanged (not read again), %u read",
				 r->out.reused, r->out.parsed);
		reload_commit(d, r->out.conf, r->out.blobs, r->out.ms);
		json_object_object_add(rep, "generation", jx_new_int((int)d->generation));
	}
	answer(r, w, rep);
}

/* reload --dry-run: the operations loading the file would make, none
 * made. Takes c (NULL: the load failed with errs). */
static struct json_object *preview_reply(struct vigild *d, struct conf *c,
					 const struct conf_errors *errs)
{
	if (!c) {
		struct json_object *arr = jx_new_array();
		for (unsigned i = 0; i < errs->n; i++)
			json_object_array_add(arr, jx_new_string(errs->lines[i]));
		return refused_reply(arr);
	}
	struct json_object *ops = jx_new_array(), *rt = jx_new_array(), *rep;
	struct errbuf eb;
	rt_merge(d, c, rt, false);   /* what the reload would do with each change */
	if (lvs_preview(d, c, ops, &eb)) {
		json_object_put(ops);
		json_object_put(rt);
		rep = ctl_reply_err("%s", eb.msg);
	} else {
		rep = ctl_reply_ok();
		json_object_object_add(rep, "dry_run", jx_new_boolean(1));
		json_object_object_add(rep, "operations", ops);
		json_object_object_add(rep, "runtime", rt);
	}
	conf_free(c);
	return rep;
}

struct json_object *reload_preview_now(struct vigild *d)
{
	struct conf_errors errs = { 0 };
	struct conf *c = conf_load(d->opts.config, &errs);
	struct json_object *rep = preview_reply(d, c, &errs);
	conf_errors_free(&errs);
	return rep;
}

static void done_cb(struct ev_loop *loop, ev_async *aw, int revents)
{
	struct reloader *r = aw->data;
	if (!r->running)
		return;
	if (r->threaded)
		pthread_join(r->th, NULL);
	r->running = false;
	struct waiters w = r->cur;
	r->cur.n = 0;
	if (r->d->stopping) {
		drop_out(r);
		answer(r, &w, ctl_reply_err("vigild is stopping; nothing was reloaded"));
	} else if (r->kind == RELOAD_APPLY) {
		finish_apply(r, &w);
	} else {
		answer(r, &w, preview_reply(r->d, r->out.conf, &r->out.errs));
		r->out.conf = NULL;
	}
	conf_errors_free(&r->out.errs);
	start_next(r);
	(void)loop;
	(void)revents;
}

static void start_next(struct reloader *r)
{
	if (r->running || r->d->stopping)
		return;
	if (r->next[RELOAD_APPLY].wanted)
		start_job(r, RELOAD_APPLY);
	else if (r->next[RELOAD_PREVIEW].wanted)
		start_job(r, RELOAD_PREVIEW);
}

int reload_request(struct reloader *r, enum reload_kind kind, uint64_t ticket)
{
	struct waiters *q = &r->next[kind];
	if (ticket && q->n == RELOAD_WAITERS)
		return -1;
	if (ticket)
		q->ticket[q->n++] = ticket;
	q->wanted = true;
	start_next(r);
	return 0;
}

struct reloader *reloader_new(struct vigild *d)
{
	struct reloader *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->d = d;
	ev_async_init(&r->done_w, done_cb);
	r->done_w.data = r;
	ev_async_start(d->loop, &r->done_w);
	return r;
}

void reloader_free(struct reloader *r)
{
	if (!r)
		return;
	ev_async_stop(r->d->loop, &r->done_w);
	if (r->running) {
		/* A load that has not ended may be stuck in a read (a FIFO, a
		 * hung NFS mount): vigild stops without it. The worker still
		 * owns r; the process's exit ends both. */
		log_info("reload: a configuration load still running is abandoned");
		if (r->threaded)
			pthread_detach(r->th);
		return;
	}
	conf_cache_free(r->d->conf_cache);
	r->d->conf_cache = NULL;
	free(r);
}
