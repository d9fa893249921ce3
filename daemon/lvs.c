/*
 * lvs: reconcile the kernel's IPVS table to the wanted one (see lvs.h).
 *
 *   config ─┐
 *   health ─┼─> lvs_build_wanted ─> wanted ─┐
 *   drains ─┘   + quorum, sorry server      ├─ ipvs_reconcile ─> ops ─> ipvs_apply
 *               (lvs_quorum.c)              │        (or, in a dry run, the log)
 *        kernel (dump, or `owned` when the ─┘
 *        last apply fully succeeded)
 *
 * `owned` is the last wanted table: the services vigild created or adopted.
 * The reconciler never touches a kernel service outside wanted ∪ owned, so
 * services an operator added by hand stay. After an apply with no error the
 * kernel equals `owned` for those services and the next pass needs no dump
 * (a one-weight reload of 2,000 services is one edit, no 40,000-entry dump);
 * after any error the next pass dumps and retries what failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "errbuf.h"
#include "health.h"
#include "log.h"
#include "lvs.h"
#include "lvs_int.h"
#include "vigild.h"
#include "wallclock.h"
#include "xalloc.h"

struct lvs_override *lvs_find_override(struct lvs *l, const struct ipvs_svc_key *k,
				       const struct vaddr *a, uint16_t port)
{
	for (struct lvs_override *o = l->overrides; o; o = o->next)
		if (!ipvs_svc_key_cmp(&o->svc, k) && vaddr_equal(&o->addr, a) && o->port == port)
			return o;
	return NULL;
}

/* Health and the operator's word on one destination; false: leave it out.
 * *alive gains its weight when it is up (before the operator's override:
 * quorum counts the pool's health). */
static bool shape_dest(struct lvs *l, const struct conf *c, unsigned i, unsigned j,
		       const struct ipvs_svc_key *k, struct ipvs_dest *dst, unsigned *alive,
		       bool *down)
{
	const struct vs_conf *v = &c->vs[i];
	int dynw;
	bool up;
	if (c == l->d->conf) {
		up = health_rs_up(l->d, i, j);
		dynw = health_rs_weight(l->d, i, j);
	} else {
		up = health_rs_up_conf(l->d, v, &v->rs[j], &dynw);
	}
	if (dynw >= 0)
		dst->weight = dynw;
	if (up && dst->weight > 0)
		*alive += (unsigned)dst->weight;
	const struct lvs_override *o = lvs_find_override(l, k, &dst->addr, dst->port);
	if (o)
		dst->weight = o->weight;   /* the operator wins over checks' weights */
	*down = !up;
	if (up)
		return true;
	dst->weight = 0;
	return v->on_failure == ON_FAILURE_INHIBIT;
}

void lvs_shape(struct lvs *l, const struct conf *c, struct ipvs_table *t, unsigned from,
	       bool commit)
{
	/* t's services from `from` on are as ipvs_table_from_conf gives
	 * them: one per virtual server (per member of a group, consecutive)
	 * and one destination per real server, in configuration order. A
	 * group's services share its first one's key for overrides and
	 * quorum, and are shaped alike. */
	struct ipvs_svc_key key;
	bool up = true, *down = NULL;   /* per kept destination: down (inhibited) */
	size_t n_down = 0;
	for (unsigned i = from; i < t->n_svcs; i++) {
		struct ipvs_table_svc *ts = &t->svcs[i];
		unsigned vi = ts->conf_vs, kept = 0, alive = 0;
		bool first = i == from || t->svcs[i - 1].conf_vs != vi;
		if (first)
			key = ts->svc.key;
		if (ts->n_dests > n_down) {
			n_down = ts->n_dests;
			down = xrealloc(down, n_down * sizeof *down);
		}
		for (unsigned j = 0; j < ts->n_dests; j++) {
			struct ipvs_dest dst = ts->dests[j];
			if (shape_dest(l, c, vi, j, &key, &dst, &alive, &down[kept]))
				ts->dests[kept++] = dst;
		}
		ts->n_dests = kept;
		if (first)
			up = lvs_quorum_apply(l, &c->vs[vi], &key, alive, commit);
		lvs_quorum_sorry(&c->vs[vi], ts, up, down);
	}
	free(down);
}

int lvs_build_wanted(struct lvs *l, const struct conf *c, struct ipvs_table *out,
		     bool commit, struct errbuf *eb)
{
	int err = ipvs_table_from_conf(c, out, eb);
	if (err)
		return err;
	lvs_shape(l, c, out, 0, commit);
	if (commit)
		lvs_quorum_sweep(l);
	return 0;
}

static void count_applied(struct lvs *l, const struct ipvs_oplist *ops)
{
	for (unsigned i = 0; i < ops->n; i++) {
		if (ops->ops[i].err) {
			l->count.errors++;
			l->last.errors++;
		} else {
			l->count.ops[ops->ops[i].type]++;
		}
	}
}

/* Failures always; each operation in a dry run, or when debugging (formatting
 * 40,000 lines nobody reads would cost more than applying them). */
static void log_ops(const struct ipvs_oplist *ops, const char *prefix)
{
	char buf[256];
	bool each = prefix || log_debug_enabled();
	for (unsigned i = 0; i < ops->n; i++) {
		const struct ipvs_op *op = &ops->ops[i];
		if (!op->err && !each)
			continue;
		ipvs_op_format(op, buf, sizeof(buf));
		if (op->err)
			log_err("ipvs: %s: %s", buf, ipvs_op_strerror(op, op->err));
		else
			log_msg(prefix ? LOG_NOTICE : LOG_DEBUG, "%s%s", prefix ? prefix : "ipvs: ", buf);
	}
}

/* The kernel's view for the reconciler: the cache, a dump, or empty. */
static int kernel_view(struct lvs *l, struct ipvs_table *kernel, bool *borrowed)
{
	struct errbuf eb;
	*borrowed = false;
	if (l->owned_is_kernel) {
		*kernel = l->owned;
		*borrowed = true;
		return 0;
	}
	ipvs_table_init(kernel);
	if (!l->have_ipvs)
		return 0;   /* dry run without IPVS: start from an empty table */
	int err = ipvs_dump(&l->ctx, kernel, &eb);
	if (err) {
		log_err("ipvs: dump: %s", eb.msg);
		ipvs_table_free(kernel);    /* what was read before the failure */
	}
	return err;
}

static int svc_ptr_cmp(const void *a, const void *b)
{
	return ipvs_svc_key_cmp(&(*(struct ipvs_table_svc *const *)a)->svc.key,
				&(*(struct ipvs_table_svc *const *)b)->svc.key);
}

/* The first pass: a previous parent (killed, or stopped with
 * keep_ipvs_on_exit) may have left the table. Each configured real server
 * with a destination there keeps it, at its weight, until the checker's
 * first verdict (health_adopt) instead of leaving the service until then:
 * a restarted parent changes nothing in an unchanged table. */
static void adopt_kernel(struct lvs *l, const struct ipvs_table *kernel)
{
	struct ipvs_table conf;
	struct errbuf eb;
	if (kernel->n_svcs == 0)
		return;   /* an empty table (the usual start): nothing to keep */
	ipvs_table_init(&conf);
	/* Sized by the kernel's table: its failure fails the adoption, and the
	 * real servers wait for their first verdicts as on an empty table. */
	struct ipvs_table_svc **by_key = malloc(sizeof(*by_key) * (kernel->n_svcs + 1));
	if (!by_key || ipvs_table_from_conf(l->d->conf, &conf, &eb) < 0) {
		log_err("ipvs: cannot adopt the kernel's destinations: %s",
			by_key ? eb.msg : "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < kernel->n_svcs; i++)
		by_key[i] = &kernel->svcs[i];
	qsort(by_key, kernel->n_svcs, sizeof(*by_key), svc_ptr_cmp);
	/* conf: one service per virtual server (or group member), one
	 * destination per real server. */
	for (unsigned i = 0; i < conf.n_svcs; i++) {
		struct ipvs_table_svc *p = &conf.svcs[i];
		struct ipvs_table_svc **k = bsearch(&p, by_key, kernel->n_svcs, sizeof(*by_key),
						    svc_ptr_cmp);
		for (unsigned j = 0; k && j < p->n_dests; j++) {
			const struct ipvs_dest *kd = ipvs_table_find_dest(*k, &p->dests[j].addr,
									  p->dests[j].port);
			if (kd)
				health_adopt(l->d, p->conf_vs, j, (int)kd->weight);
		}
	}
out:
	ipvs_table_free(&conf);
	free(by_key);
}

void lvs_apply(struct lvs *l, struct ipvs_oplist *ops, double t0)
{
	double t_diff = mono_ms();
	struct errbuf eb;
	l->last.ops = ops->n;
	l->last.errors = 0;
	if (l->d->opts.dry_run) {
		log_ops(ops, "dry-run: would ");
	} else if (ops->n) {
		if (ipvs_apply(&l->ctx, ops, &eb) < 0)
			log_err("ipvs: %s", eb.msg);
		lvs_stats_moved(l);   /* the counter cache's weights moved */
		log_ops(ops, NULL);
	}
	count_applied(l, ops);
	l->count.reconciles++;
	double t_end = mono_ms();
	l->last.ms = t_end - t0;
	if (ops->n)
		log_info("ipvs: %u operations (%u failed) in %.1f ms (diff %.1f ms, apply %.1f ms)",
			 ops->n, l->last.errors, l->last.ms, t_diff - t0, t_end - t_diff);
	l->owned_is_kernel = l->last.errors == 0;
}

/* Brings the kernel to `wanted`; takes ownership of wanted, and of the
 * kernel's table when one is given (else it is the cache or a dump). */
static bool reconcile_to(struct lvs *l, struct ipvs_table *wanted, struct ipvs_table *given)
{
	bool done = false;
	struct ipvs_table kernel;
	bool borrowed = false;
	double t0 = mono_ms();
	if (given) {
		kernel = *given;
		ipvs_table_init(given);
	} else if (kernel_view(l, &kernel, &borrowed) < 0) {
		ipvs_table_free(wanted);
		l->dirty = true;   /* try again on the next pass */
		return false;
	}
	struct ipvs_oplist ops;
	ipvs_oplist_init(&ops);
	if (ipvs_reconcile(wanted, &kernel, l->started ? &l->owned : NULL, &ops) < 0) {
		log_err("ipvs: out of memory computing the changes");
		if (!borrowed)
			ipvs_table_free(&kernel);
		goto out;
	}
	lvs_apply(l, &ops, t0);
	if (!borrowed)
		ipvs_table_free(&kernel);
	ipvs_table_free(&l->owned);
	l->owned = *wanted;
	ipvs_table_init(wanted);
	l->started = true;
	done = true;
out:
	ipvs_oplist_free(&ops);
	ipvs_table_free(wanted);
	return done;
}

/* The whole table: the configuration changed, the operator steered, the
 * last apply failed, or too many virtual servers changed for a pass over
 * them alone (lvs_part.c). */
static void reconcile_all(struct lvs *l)
{
	struct ipvs_table wanted, kernel;
	struct errbuf eb;
	bool first = !l->started && l->have_ipvs, borrowed;
	ipvs_table_init(&kernel);
	if (first) {
		if (kernel_view(l, &kernel, &borrowed) < 0) {
			l->dirty = true;
			return;
		}
		adopt_kernel(l, &kernel);
	}
	double t0 = mono_ms();
	ipvs_table_init(&wanted);
	if (lvs_build_wanted(l, l->d->conf, &wanted, true, &eb) < 0) {
		log_err("ipvs: cannot build the wanted table: %s", eb.msg);
		ipvs_table_free(&wanted);
		ipvs_table_free(&kernel);
		return;
	}
	log_debug("ipvs: wanted table built in %.1f ms", mono_ms() - t0);
	if (reconcile_to(l, &wanted, first ? &kernel : NULL))
		lvs_part_reset(l);
}

static void reconcile(struct lvs *l)
{
	l->dirty = false;
	if (!lvs_part_reconcile(l))
		reconcile_all(l);
}

static void prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct lvs *l = w->data;
	if (l->dirty && !l->d->stopping)
		reconcile(l);
	(void)loop;
}

void lvs_reconcile_now(struct vigild *d)
{
	if (d->lvs) {
		d->lvs->dirty = false;
		reconcile_all(d->lvs);
	}
}

void lvs_mark_dirty(struct vigild *d)
{
	if (d->lvs) {
		d->lvs->dirty = true;
		d->lvs->part.all = true;
	}
}

/* global.ipvs_timeouts: set at start, and again when a reload changes
 * them; a timeout left out is not touched (nor restored at exit: they
 * are the system's, as with ipvsadm --set). */
void lvs_timeouts(struct vigild *d, const struct conf *old)
{
	struct lvs *l = d->lvs;
	const struct global_conf *g = &d->conf->global;
	struct ipvs_timeouts t = { g->ipvs_tcp, g->ipvs_tcp_fin, g->ipvs_udp };
	struct errbuf eb;
	if (!l || !(t.tcp || t.tcp_fin || t.udp))
		return;
	if (old && old->global.ipvs_tcp == t.tcp && old->global.ipvs_tcp_fin == t.tcp_fin
	    && old->global.ipvs_udp == t.udp)
		return;
	if (!l->have_ipvs || d->opts.dry_run) {
		log_info("ipvs: (dry run) timeouts tcp %u tcpfin %u udp %u", t.tcp, t.tcp_fin, t.udp);
		return;
	}
	if (ipvs_timeouts_set(&l->ctx, &t, &eb) < 0)
		log_err("ipvs: timeouts: %s", eb.msg);
	else
		log_info("ipvs: timeouts tcp %u tcpfin %u udp %u (0: unchanged)", t.tcp, t.tcp_fin,
			 t.udp);
}

int lvs_open(struct vigild *d, struct errbuf *eb)
{
	struct lvs *l = calloc(1, sizeof(*l));
	if (!l)
		return errbuf_set(eb, ENOMEM, "out of memory");
	l->d = d;
	ipvs_table_init(&l->owned);
	int err = ipvs_open(&l->ctx, eb);
	if (err == 0) {
		l->have_ipvs = true;
	} else if (d->conf->n_vs > 0 && !d->opts.dry_run) {
		free(l);
		return err;
	} else if (d->conf->n_vs > 0) {
		log_warn("%s; dry run against an empty table", eb->msg);
	}
	ev_prepare_init(&l->prepare_w, prepare_cb);
	l->prepare_w.data = l;
	ev_prepare_start(d->loop, &l->prepare_w);
	ev_unref(d->loop);   /* the prepare watcher alone must not keep the loop alive */
	l->dirty = true;
	l->part.all = true;
	d->lvs = l;
	lvs_conntab_open(l);
	lvs_hist_start(l);
	lvs_timeouts(d, NULL);
	return 0;
}

void lvs_close(struct vigild *d)
{
	struct lvs *l = d->lvs;
	if (!l)
		return;
	if (l->started && !d->conf->global.keep_ipvs_on_exit) {
		struct ipvs_table empty;
		ipvs_table_init(&empty);
		log_info("ipvs: removing the %u services vigild owns", l->owned.n_svcs);
		reconcile_to(l, &empty, NULL);
	} else if (l->started) {
		log_info("ipvs: keep_ipvs_on_exit: leaving %u services in place", l->owned.n_svcs);
	}
	lvs_conntab_close(l);
	ev_ref(d->loop);
	ev_prepare_stop(d->loop, &l->prepare_w);
	if (l->have_ipvs)
		ipvs_close(&l->ctx);
	ipvs_table_free(&l->owned);
	lvs_part_free(l);
	lvs_hist_free(l);
	lvs_stats_free(l);
	lvs_quorum_free(l);
	while (l->overrides) {
		struct lvs_override *o = l->overrides;
		l->overrides = o->next;
		free(o);
	}
	free(l);
	d->lvs = NULL;
}
