/*
 * lvs_part: a pass over the virtual servers whose health changed, alone.
 *
 * A check's verdict changes one real server of one virtual server, yet a
 * full pass builds and compares the whole wanted table: 42,000
 * destinations for a change of one (15–30 ms natively, half a second
 * under emulation, on the parent's loop, for every loop pass that brings
 * a verdict). When the table vigild owns is the kernel's (the last apply
 * had no error) and was built from the configuration in use, the marked
 * virtual servers' services are built and shaped alone, compared with
 * their own services in `owned`, applied, and put in its place:
 *
 *   marked vs ─> ipvs_table_append_vs ─> lvs_shape ─┐
 *   owned's services of those vs (a view) ──────────┴─ ipvs_reconcile ─> lvs_apply
 *
 * The operations are those a full pass would make: the other services'
 * wanted state cannot have moved (their real servers' health did not,
 * and any other change — configuration, operator, failed apply — marks
 * the whole table). With more than a quarter of the virtual servers
 * marked, a full pass is cheaper than the many small ones.
 */
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "log.h"
#include "lvs.h"
#include "lvs_int.h"
#include "vigild.h"
#include "wallclock.h"
#include "xalloc.h"

void lvs_mark_vs_dirty(struct vigild *d, unsigned vi)
{
	struct lvs *l = d->lvs;
	if (!l)
		return;
	struct lvs_part *p = &l->part;
	l->dirty = true;
	if (p->all)
		return;
	unsigned most = p->n_vs / 4 ? p->n_vs / 4 : 1;   /* marked before a full pass is cheaper */
	if (vi >= p->n_vs || (!p->marked[vi] && p->n >= most)) {
		p->all = true;
		return;
	}
	if (p->marked[vi])
		return;
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 16;
		p->list = xrealloc(p->list, p->cap * sizeof(*p->list));
	}
	p->marked[vi] = 1;
	p->list[p->n++] = vi;
}

/* Nothing marked any more. */
static void unmark(struct lvs_part *p)
{
	for (unsigned i = 0; i < p->n; i++)
		p->marked[p->list[i]] = 0;
	p->n = 0;
}

void lvs_part_reset(struct lvs *l)
{
	struct lvs_part *p = &l->part;
	unsigned n_vs = l->d->conf->n_vs;
	if (n_vs != p->n_vs) {
		free(p->marked);
		p->marked = n_vs ? xcalloc(n_vs, 1) : NULL;
		p->n_vs = n_vs;
		p->n = 0;
	}
	unmark(p);
	p->all = false;
	p->conf = l->d->conf;
	p->generation = l->d->generation;
}

void lvs_part_free(struct lvs *l)
{
	free(l->part.list);
	free(l->part.marked);
	memset(&l->part, 0, sizeof(l->part));
}

static int uint_cmp(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return x < y ? -1 : x > y;
}

/* The index of virtual server vi's first service in t and their count. */
static bool vs_range(const struct ipvs_table *t, unsigned vi, unsigned *first, unsigned *n)
{
	const struct ipvs_table_svc *ts = lvs_vs_svc(t, vi);
	if (!ts)
		return false;
	*first = (unsigned)(ts - t->svcs);
	for (*n = 0; *first + *n < t->n_svcs && t->svcs[*first + *n].conf_vs == vi; (*n)++)
		;
	return true;
}

/* The marked virtual servers' services into want (built and shaped) and
 * a view of their services in owned into have (its svcs[] copied, its
 * destinations owned's), at[k] the index in owned of want's k-th. */
static bool part_build(struct lvs *l, struct ipvs_table *want, struct ipvs_table *have,
		       unsigned *at)
{
	struct lvs_part *p = &l->part;
	const struct conf *c = l->d->conf;
	struct errbuf eb;
	for (unsigned i = 0; i < p->n; i++) {
		unsigned vi = p->list[i], from = want->n_svcs, first, n;
		if (!vs_range(&l->owned, vi, &first, &n))
			return false;
		if (ipvs_table_append_vs(c, vi, want, &eb) < 0) {
			log_err("ipvs: %s", eb.msg);
			return false;
		}
		if (want->n_svcs - from != n)
			return false;
		lvs_shape(l, c, want, from, true);
		for (unsigned k = 0; k < n; k++) {
			at[from + k] = first + k;
			have->svcs[have->n_svcs++] = l->owned.svcs[first + k];
		}
	}
	return true;
}

bool lvs_part_reconcile(struct lvs *l)
{
	struct lvs_part *p = &l->part;
	if (p->all || !l->started || !l->owned_is_kernel || p->conf != l->d->conf
	    || p->generation != l->d->generation)
		return false;
	double t0 = mono_ms();
	qsort(p->list, p->n, sizeof(*p->list), uint_cmp);   /* operations in config order */
	unsigned n_svcs = 0;
	for (unsigned i = 0; i < p->n; i++)
		n_svcs += vs_n_services(&l->d->conf->vs[p->list[i]]);
	struct ipvs_table want, have;
	ipvs_table_init(&want);
	ipvs_table_init(&have);
	unsigned *at = xcalloc(n_svcs + 1, sizeof(*at));
	have.svcs = xcalloc(n_svcs + 1, sizeof(*have.svcs));
	struct ipvs_oplist ops;
	ipvs_oplist_init(&ops);
	bool done = false;
	if (!part_build(l, &want, &have, at))
		goto out;
	if (ipvs_reconcile(&want, &have, NULL, &ops) < 0) {
		log_err("ipvs: out of memory computing the changes");
		goto out;
	}
	lvs_apply(l, &ops, t0);
	/* The built services take their places in owned. */
	for (unsigned k = 0; k < want.n_svcs; k++) {
		free(l->owned.svcs[at[k]].dests);
		l->owned.svcs[at[k]] = want.svcs[k];
	}
	want.n_svcs = 0;
	p->passes++;
	log_debug("ipvs: a pass over %u virtual servers (%u services) in %.1f ms", p->n, n_svcs,
		  mono_ms() - t0);
	unmark(p);
	done = true;
out:
	ipvs_oplist_free(&ops);
	ipvs_table_free(&want);   /* what was not moved into owned */
	free(have.svcs);          /* a view: the destinations are owned's */
	free(at);
	return done;
}
