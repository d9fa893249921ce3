/*
 * lvs_stats: the kernel's IPVS counters, dumped at most once per
 * LVS_STATS_MAX_AGE and shared by every reader (see lvs.h): /metrics,
 * /status.json, `vigilctl status`, the status page's charts (lvs_hist.c)
 * and the snmp feed. A scrape of 1,000 services is then one service dump
 * and 1,000 destination dumps however many clients ask in that time, and
 * never a walk of the connection table (the counters are the kernel's
 * per-service and per-destination IPVS_*_ATTR_STATS64).
 *
 *   reader ─> lvs_stats() ─ fresh? ──yes──> the cached table
 *                             └─no──> ipvs_dump ─> sort by key ─> cache
 *   an apply that changed the table ─> lvs_stats_stale() (weights moved)
 *
 * The dump is sorted once, so each lookup is a binary search: a status
 * of 10,000 real servers does not scan 10,000 destinations each.
 *
 * Periodic readers (lvs_stats_recent, lvs_stats_kick) never wait for a
 * dump: it runs on a thread with a netlink socket of its own and lands on
 * the loop by ev_async.
 *
 *   tick ─> lvs_stats_recent() ─> the cache as it is
 *             └─ old? ─> thread: ipvs_dump (own socket) ─> sort
 *                          ─> ev_async ─> join ─> conntab count, cache
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "log.h"
#include "lvs.h"
#include "lvs_int.h"
#include "vigild.h"

static int svc_cmp(const void *a, const void *b)
{
	return ipvs_svc_key_cmp(&((const struct ipvs_table_svc *)a)->svc.key,
				&((const struct ipvs_table_svc *)b)->svc.key);
}

static int dest_cmp(const void *a, const void *b)
{
	return ipvs_dest_key_cmp(a, b);
}

static void sort_table(struct ipvs_table *t)
{
	qsort(t->svcs, t->n_svcs, sizeof(*t->svcs), svc_cmp);
	for (unsigned i = 0; i < t->n_svcs; i++)
		qsort(t->svcs[i].dests, t->svcs[i].n_dests, sizeof(*t->svcs[i].dests), dest_cmp);
}

bool lvs_stats_fresh(const struct lvs *l, double now)
{
	const struct lvs_stats_cache *c = &l->stats;
	return c->valid && now >= c->at && now - c->at < LVS_STATS_MAX_AGE;
}

const struct ipvs_table *lvs_stats(struct vigild *d, double *taken_at)
{
	struct lvs *l = d->lvs;
	if (!l || !l->have_ipvs)
		return NULL;
	struct lvs_stats_cache *c = &l->stats;
	double now = ev_now(d->loop);
	if (lvs_stats_fresh(l, now)) {
		if (taken_at)
			*taken_at = c->at;
		return &c->table;
	}
	struct errbuf eb;
	ipvs_table_free(&c->table);
	ipvs_table_init(&c->table);
	c->valid = c->have = false;
	c->dumps++;
	if (ipvs_dump(&l->ctx, &c->table, &eb) < 0) {
		/* Once per failure streak: a scrape every second must not flood the log. */
		if (!c->failing)
			log_err("ipvs: counters: %s", eb.msg);
		c->failing = true;
		c->failures++;
		ipvs_table_free(&c->table);
		ipvs_table_init(&c->table);
		return NULL;
	}
	c->failing = false;
	sort_table(&c->table);
	c->valid = c->have = true;
	c->at = now;
	if (taken_at)
		*taken_at = c->at;
	return &c->table;
}

void lvs_stats_moved(struct lvs *l)
{
	l->stats.valid = false;
	l->stats.moved++;
}

void lvs_stats_stale(struct vigild *d)
{
	if (d->lvs)
		lvs_stats_moved(d->lvs);
}

/* ---- the refresh on a thread ---- */

struct lvs_stats_bg {
	struct ipvs_ctx ctx;          /* the thread's alone while it runs */
	bool open, running;
	pthread_t th;
	ev_async done_w;
	struct lvs *l;
	struct ipvs_table table;      /* what the thread dumped */
	int err;
	char msg[sizeof(((struct errbuf *)0)->msg)];
	double started;               /* ev_now() when it started */
	unsigned moved;               /* stats.moved then */
};

static void *bg_dump(void *arg)
{
	struct lvs_stats_bg *b = arg;
	struct errbuf eb;
	b->err = ipvs_dump(&b->ctx, &b->table, &eb);
	if (b->err)
		snprintf(b->msg, sizeof(b->msg), "%s", eb.msg);
	else
		sort_table(&b->table);
	ev_async_send(b->l->d->loop, &b->done_w);
	return NULL;
}

static void bg_done_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct lvs_stats_bg *b = w->data;
	struct lvs_stats_cache *c = &b->l->stats;
	(void)revents;
	if (!b->running)
		return;
	pthread_join(b->th, NULL);
	b->running = false;
	if (b->err) {
		if (!c->failing)
			log_err("ipvs: counters: %s", b->msg);
		c->failing = true;
		c->failures++;
	} else {
		c->failing = false;
		c->dumps++;
		lvs_conntab_count(b->l, &b->table, ev_now(loop));
		/* Not over a newer dump, nor with weights an apply has moved since. */
		if (c->moved == b->moved && (!c->have || c->at <= b->started)) {
			ipvs_table_free(&c->table);
			c->table = b->table;
			ipvs_table_init(&b->table);
			c->at = b->started;
			c->valid = c->have = true;
		}
	}
	ipvs_table_free(&b->table);
	ipvs_table_init(&b->table);
}

static struct lvs_stats_bg *bg_get(struct lvs *l)
{
	struct lvs_stats_bg *b = l->stats.bg;
	if (b)
		return b->open ? b : NULL;
	struct errbuf eb;
	if (!(b = l->stats.bg = calloc(1, sizeof(*b))))
		return NULL;
	b->l = l;
	ipvs_table_init(&b->table);
	if (ipvs_open(&b->ctx, &eb) < 0) {
		log_err("ipvs: counters: a second netlink socket: %s; periodic looks stop", eb.msg);
		return NULL;
	}
	b->open = true;
	ev_async_init(&b->done_w, bg_done_cb);
	b->done_w.data = b;
	ev_async_start(l->d->loop, &b->done_w);
	ev_unref(l->d->loop);         /* it alone must not keep the loop alive */
	return b;
}

bool lvs_stats_kick(struct lvs *l)
{
	struct lvs_stats_bg *b = l->have_ipvs ? bg_get(l) : NULL;
	if (!b)
		return false;
	if (b->running)
		return true;
	b->started = ev_now(l->d->loop);
	b->moved = l->stats.moved;
	b->err = 0;
	b->running = pthread_create(&b->th, NULL, bg_dump, b) == 0;
	return b->running;
}

const struct ipvs_table *lvs_stats_recent(struct lvs *l, double *taken_at)
{
	if (!l || !l->have_ipvs)
		return NULL;
	struct lvs_stats_cache *c = &l->stats;
	double now = ev_now(l->d->loop);
	if (!lvs_stats_fresh(l, now))
		lvs_stats_kick(l);
	if (!c->have)
		return NULL;
	if (taken_at)
		*taken_at = c->at;
	return &c->table;
}

const struct ipvs_table_svc *lvs_stats_svc(const struct ipvs_table *t,
					   const struct ipvs_svc_key *k)
{
	if (!t)
		return NULL;
	struct ipvs_table_svc probe = { .svc.key = *k };
	return bsearch(&probe, t->svcs, t->n_svcs, sizeof(*t->svcs), svc_cmp);
}

const struct ipvs_dest *lvs_stats_dest(const struct ipvs_table_svc *ts, const struct vaddr *a,
				       uint16_t port)
{
	if (!ts)
		return NULL;
	struct ipvs_dest probe = { .addr = *a, .port = port };
	return bsearch(&probe, ts->dests, ts->n_dests, sizeof(*ts->dests), dest_cmp);
}

void lvs_stats_free(struct lvs *l)
{
	struct lvs_stats_bg *b = l->stats.bg;
	if (b) {
		if (b->running)
			pthread_join(b->th, NULL);
		if (b->open) {
			ev_ref(l->d->loop);
			ev_async_stop(l->d->loop, &b->done_w);
			ipvs_close(&b->ctx);
		}
		ipvs_table_free(&b->table);
		free(b);
		l->stats.bg = NULL;
	}
	ipvs_table_free(&l->stats.table);
	l->stats.valid = l->stats.have = false;
}
