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
 */
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

const struct ipvs_table *lvs_stats(struct vigild *d, double *taken_at)
{
	struct lvs *l = d->lvs;
	if (!l || !l->have_ipvs)
		return NULL;
	struct lvs_stats_cache *c = &l->stats;
	double now = ev_now(d->loop);
	if (c->valid && now - c->at < LVS_STATS_MAX_AGE && now >= c->at) {
		if (taken_at)
			*taken_at = c->at;
		return &c->table;
	}
	struct errbuf eb;
	ipvs_table_free(&c->table);
	ipvs_table_init(&c->table);
	c->valid = false;
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
	c->valid = true;
	c->at = now;
	if (taken_at)
		*taken_at = c->at;
	return &c->table;
}

void lvs_stats_stale(struct vigild *d)
{
	if (d->lvs)
		d->lvs->stats.valid = false;
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
	ipvs_table_free(&l->stats.table);
	l->stats.valid = false;
}
