/*
 * lvs_hist: the last minutes of traffic per virtual server and real
 * server, for the status page's charts (see lvs.h, lvs_history). Every
 * LVS_HIST_STEP seconds, while the status page is served, one sample is
 * taken from the shared counter cache (lvs_stats_recent: the last dump,
 * a scrape's or the one it starts on a thread; never a dump on the loop;
 * each dump is sampled once, at its own time) and each series gains the connections/s and
 * bytes/s since the previous sample — differences of the kernel's
 * counters, not its smoothed estimator — in a ring of LVS_HIST_LEN slots.
 *
 *   timer (5 s) ─> layout for d->generation ─> lvs_stats_recent() ─> one slot per series
 *
 * The layout follows the configuration: on a reload the series of
 * virtual and real servers that stay (same service key, same address and
 * port) are kept, new ones start empty (NaN), others go. Memory is fixed
 * by the configuration: 2 x LVS_HIST_LEN floats per series.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "log.h"
#include "lvs.h"
#include "lvs_int.h"
#include "vigild.h"
#include "xalloc.h"

static void series_init(struct lvs_series *s)
{
	s->have = false;
	for (unsigned i = 0; i < LVS_HIST_LEN; i++)
		s->cps[i] = s->bps[i] = NAN;
}

static const struct lvs_hist_vs *old_vs(const struct lvs_hist *h, unsigned i,
					const struct ipvs_svc_key *k)
{
	/* Reloads mostly keep the order: try the same index first. */
	if (i < h->n_vs && !ipvs_svc_key_cmp(&h->vs[i].key, k))
		return &h->vs[i];
	for (unsigned j = 0; j < h->n_vs; j++)
		if (!ipvs_svc_key_cmp(&h->vs[j].key, k))
			return &h->vs[j];
	return NULL;
}

static const struct lvs_hist_rs *old_rs(const struct lvs_hist_vs *v, unsigned i,
					const struct ipvs_dest *d)
{
	if (!v)
		return NULL;
	if (i < v->n_rs && v->rs[i].port == d->port && vaddr_equal(&v->rs[i].addr, &d->addr))
		return &v->rs[i];
	for (unsigned j = 0; j < v->n_rs; j++)
		if (v->rs[j].port == d->port && vaddr_equal(&v->rs[j].addr, &d->addr))
			return &v->rs[j];
	return NULL;
}

static void layout_free(struct lvs_hist_vs *vs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(vs[i].rs);
	free(vs);
}

/* One series per virtual server and real server of d->conf, keeping the
 * samples of those that were there before. */
static int layout(struct lvs *l)
{
	struct lvs_hist *h = &l->hist;
	if (h->laid_out && h->generation == l->d->generation)
		return 0;
	struct ipvs_table t;
	struct errbuf eb;
	ipvs_table_init(&t);
	if (ipvs_table_from_conf(l->d->conf, &t, &eb) < 0) {
		ipvs_table_free(&t);
		return -1;
	}
	/* ipvs_table_from_conf: one service per virtual server (a group's
	 * first member's stands for it), one destination per real server, in
	 * configuration order. */
	unsigned n = l->d->conf->n_vs;
	struct lvs_hist_vs *vs = xcalloc(n ? n : 1, sizeof(*vs));
	for (unsigned i = 0; i < n; i++) {
		const struct ipvs_table_svc *ts = lvs_vs_svc(&t, i);
		const struct lvs_hist_vs *ov = h->laid_out ? old_vs(h, i, &ts->svc.key) : NULL;
		vs[i].key = ts->svc.key;
		if (ov)
			vs[i].s = ov->s;
		else
			series_init(&vs[i].s);
		vs[i].n_rs = ts->n_dests;
		vs[i].rs = xcalloc(ts->n_dests ? ts->n_dests : 1, sizeof(*vs[i].rs));
		for (unsigned j = 0; j < ts->n_dests; j++) {
			const struct lvs_hist_rs *orr = old_rs(ov, j, &ts->dests[j]);
			vs[i].rs[j].addr = ts->dests[j].addr;
			vs[i].rs[j].port = ts->dests[j].port;
			if (orr)
				vs[i].rs[j].s = orr->s;
			else
				series_init(&vs[i].rs[j].s);
		}
	}
	layout_free(h->vs, h->n_vs);
	h->vs = vs;
	h->n_vs = n;
	h->generation = l->d->generation;
	h->laid_out = true;
	ipvs_table_free(&t);
	return 0;
}

/* The slot's rates from the counters' progress since the last sample;
 * NaN without a previous sample or entry, or when a counter went back (the
 * service or destination was deleted and added again). */
static void sample(struct lvs_series *s, const struct ipvs_stats *st, unsigned slot, double dt)
{
	s->cps[slot] = s->bps[slot] = NAN;
	if (!st) {
		s->have = false;
		return;
	}
	uint64_t bytes = st->inbytes + st->outbytes;
	if (s->have && dt > 0 && st->conns >= s->conns && bytes >= s->bytes) {
		s->cps[slot] = (float)((double)(st->conns - s->conns) / dt);
		s->bps[slot] = (float)((double)(bytes - s->bytes) / dt);
	}
	s->conns = st->conns;
	s->bytes = bytes;
	s->have = true;
}

static void take_sample(struct lvs *l)
{
	struct lvs_hist *h = &l->hist;
	double at;
	const struct ipvs_table *t = lvs_stats_recent(l, &at);
	if (!t || layout(l) < 0)
		return;
	if (h->n && at <= h->last_at)
		return;   /* the same dump as the last sample's */
	double dt = h->n ? at - h->last_at : 0;
	unsigned slot = h->head;
	for (unsigned i = 0; i < h->n_vs; i++) {
		struct lvs_hist_vs *v = &h->vs[i];
		const struct ipvs_table_svc *ks = lvs_stats_svc(t, &v->key);
		sample(&v->s, ks ? &ks->svc.stats : NULL, slot, dt);
		for (unsigned j = 0; j < v->n_rs; j++) {
			const struct ipvs_dest *kd = lvs_stats_dest(ks, &v->rs[j].addr, v->rs[j].port);
			sample(&v->rs[j].s, kd ? &kd->stats : NULL, slot, dt);
		}
	}
	h->head = (h->head + 1) % LVS_HIST_LEN;
	if (h->n < LVS_HIST_LEN)
		h->n++;
	h->last_at = at;
}

static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct lvs *l = w->data;
	(void)loop;
	(void)revents;
	if (l->d->http)     /* only the status page draws them */
		take_sample(l);
}

void lvs_hist_start(struct lvs *l)
{
	if (!l->have_ipvs)
		return;
	ev_timer_init(&l->hist.w, tick_cb, LVS_HIST_STEP, LVS_HIST_STEP);
	l->hist.w.data = l;
	ev_timer_start(l->d->loop, &l->hist.w);
	ev_unref(l->d->loop);   /* the charts alone must not keep the loop alive */
}

void lvs_hist_free(struct lvs *l)
{
	if (ev_is_active(&l->hist.w)) {
		ev_ref(l->d->loop);
		ev_timer_stop(l->d->loop, &l->hist.w);
	}
	layout_free(l->hist.vs, l->hist.n_vs);
	l->hist.vs = NULL;
	l->hist.n_vs = 0;
}

static void copy_series(const struct lvs_hist *h, const struct lvs_series *s, float *cps,
			float *bps)
{
	unsigned first = (h->head + LVS_HIST_LEN - h->n) % LVS_HIST_LEN;
	for (unsigned i = 0; i < h->n; i++) {
		cps[i] = s->cps[(first + i) % LVS_HIST_LEN];
		bps[i] = s->bps[(first + i) % LVS_HIST_LEN];
	}
}

unsigned lvs_history(struct vigild *d, unsigned vs, int rs, float *cps, float *bps)
{
	struct lvs *l = d->lvs;
	if (!l || !l->hist.n || layout(l) < 0 || vs >= l->hist.n_vs)
		return 0;
	const struct lvs_hist *h = &l->hist;
	const struct lvs_hist_vs *v = &h->vs[vs];
	if (rs >= (int)v->n_rs)
		return 0;
	copy_series(h, rs < 0 ? &v->s : &v->rs[rs].s, cps, bps);
	return h->n;
}
