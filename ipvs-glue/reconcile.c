/*
 * reconcile: wanted table vs kernel table → the minimal operation list.
 * A pure function (no I/O), tested with tables of cases.
 *
 * Ownership: vigil manages the services in `wanted`, and deletes those in
 * `owned` (what it wanted before) that are no longer wanted. Any other
 * kernel service is an operator's and is never touched. Within a managed
 * service vigil owns the destination set.
 *
 * Adoption: a kernel service or destination whose key matches is kept;
 * only differing editable fields produce an edit (IPVS_CMD_SET_*), so
 * connections and counters survive a daemon restart or reload.
 *
 *   owned∖wanted ∩ kernel ─▶ delete service
 *   wanted ∖ kernel       ─▶ add service, add each dest
 *   wanted ∩ kernel       ─▶ [edit service] dest deletes, edits, adds
 *
 * Kernel services and destinations are looked up first at the same
 * position (a reload compares two tables built from configurations in the
 * same order: a 42,000-destination diff is then one linear pass), and
 * only when that misses through sorted pointer arrays (O(n log n)), made
 * on the first miss. Ops follow the wanted table's order, so a dry run
 * reads like the config.
 */
#include "ipvs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int svc_ptr_cmp(const void *a, const void *b)
{
	const struct ipvs_table_svc *const *x = a, *const *y = b;
	return ipvs_svc_key_cmp(&(*x)->svc.key, &(*y)->svc.key);
}

static int dest_ptr_cmp(const void *a, const void *b)
{
	const struct ipvs_dest *const *x = a, *const *y = b;
	return ipvs_dest_key_cmp(*x, *y);
}

/* A sorted array of pointers to t's services; NULL only on ENOMEM. */
static const struct ipvs_table_svc **svc_index(const struct ipvs_table *t)
{
	const struct ipvs_table_svc **ix = malloc(sizeof(*ix) * (t->n_svcs + 1));
	if (!ix)
		return NULL;
	for (unsigned i = 0; i < t->n_svcs; i++)
		ix[i] = &t->svcs[i];
	qsort(ix, t->n_svcs, sizeof(*ix), svc_ptr_cmp);
	return ix;
}

/* A table and its sorted index, made when a positional guess misses. */
struct svc_finder {
	const struct ipvs_table *t;
	const struct ipvs_table_svc **ix;
};

/* t's service with key's key, trying position `hint` first. 0 or -ENOMEM. */
static int svc_find(struct svc_finder *f, unsigned hint, const struct ipvs_table_svc *key,
		    const struct ipvs_table_svc **out)
{
	const struct ipvs_table *t = f->t;
	*out = NULL;
	if (hint < t->n_svcs && !ipvs_svc_key_cmp(&t->svcs[hint].svc.key, &key->svc.key)) {
		*out = &t->svcs[hint];
		return 0;
	}
	if (!f->ix && !(f->ix = svc_index(t)))
		return -ENOMEM;
	const struct ipvs_table_svc *const *hit =
		bsearch(&key, f->ix, t->n_svcs, sizeof(*f->ix), svc_ptr_cmp);
	*out = hit ? *hit : NULL;
	return 0;
}

static int push_svc_op(struct ipvs_oplist *out, enum ipvs_op_type type,
		       const struct ipvs_service *svc, const struct ipvs_dest *d)
{
	struct ipvs_op op;
	memset(&op, 0, sizeof(op));
	op.type = type;
	op.svc = *svc;
	memset(&op.svc.stats, 0, sizeof(op.svc.stats));
	if (d) {
		op.dest = *d;
		op.dest.active_conns = op.dest.inact_conns = op.dest.persist_conns = 0;
		memset(&op.dest.stats, 0, sizeof(op.dest.stats));
	}
	return ipvs_oplist_push(out, &op);
}

static const struct ipvs_dest *dest_lookup(const struct ipvs_dest **ix, unsigned n,
					   const struct ipvs_dest *key)
{
	const struct ipvs_dest *const *hit = bsearch(&key, ix, n, sizeof(*ix), dest_ptr_cmp);
	return hit ? *hit : NULL;
}

static const struct ipvs_dest **dest_index(const struct ipvs_table_svc *ts)
{
	const struct ipvs_dest **ix = malloc(sizeof(*ix) * (ts->n_dests + 1));
	if (!ix)
		return NULL;
	for (unsigned i = 0; i < ts->n_dests; i++)
		ix[i] = &ts->dests[i];
	qsort(ix, ts->n_dests, sizeof(*ix), dest_ptr_cmp);
	return ix;
}

/* Both sides list the same destinations in the same order: edits only. */
static int diff_dests_aligned(const struct ipvs_table_svc *w, const struct ipvs_table_svc *k,
			      struct ipvs_oplist *out, bool *aligned)
{
	*aligned = w->n_dests == k->n_dests;
	for (unsigned i = 0; *aligned && i < w->n_dests; i++)
		*aligned = !ipvs_dest_key_cmp(&w->dests[i], &k->dests[i]);
	int err = 0;
	for (unsigned i = 0; *aligned && !err && i < w->n_dests; i++)
		if (!ipvs_dest_attrs_equal(&k->dests[i], &w->dests[i]))
			err = push_svc_op(out, IPVS_OP_EDIT_DEST, &w->svc, &w->dests[i]);
	return err;
}

/* Destination ops for a service present on both sides. */
static int diff_dests(const struct ipvs_table_svc *w, const struct ipvs_table_svc *k,
		      struct ipvs_oplist *out)
{
	bool aligned;
	int err0 = diff_dests_aligned(w, k, out, &aligned);
	if (aligned || err0)
		return err0;
	const struct ipvs_dest **wix = dest_index(w), **kix = dest_index(k);
	int err = (!wix || !kix) ? -ENOMEM : 0;
	for (unsigned i = 0; !err && i < k->n_dests; i++)
		if (!dest_lookup(wix, w->n_dests, &k->dests[i]))
			err = push_svc_op(out, IPVS_OP_DEL_DEST, &w->svc, &k->dests[i]);
	for (unsigned i = 0; !err && i < w->n_dests; i++) {
		const struct ipvs_dest *kd = dest_lookup(kix, k->n_dests, &w->dests[i]);
		if (kd && !ipvs_dest_attrs_equal(kd, &w->dests[i]))
			err = push_svc_op(out, IPVS_OP_EDIT_DEST, &w->svc, &w->dests[i]);
	}
	for (unsigned i = 0; !err && i < w->n_dests; i++)
		if (!dest_lookup(kix, k->n_dests, &w->dests[i]))
			err = push_svc_op(out, IPVS_OP_ADD_DEST, &w->svc, &w->dests[i]);
	free(wix);
	free(kix);
	return err;
}

static int diff_service(const struct ipvs_table_svc *w, const struct ipvs_table_svc *k,
			struct ipvs_oplist *out)
{
	int err = 0;
	if (!k) {
		err = push_svc_op(out, IPVS_OP_ADD_SVC, &w->svc, NULL);
		for (unsigned i = 0; !err && i < w->n_dests; i++)
			err = push_svc_op(out, IPVS_OP_ADD_DEST, &w->svc, &w->dests[i]);
		return err;
	}
	if (!ipvs_service_attrs_equal(&w->svc, &k->svc))
		err = push_svc_op(out, IPVS_OP_EDIT_SVC, &w->svc, NULL);
	return err ? err : diff_dests(w, k, out);
}

int ipvs_reconcile(const struct ipvs_table *wanted, const struct ipvs_table *kernel,
		   const struct ipvs_table *owned, struct ipvs_oplist *out)
{
	struct svc_finder wf = { .t = wanted }, kf = { .t = kernel };
	int err = 0;
	if (kernel->n_svcs == 0) {    /* a start: an add for every entry wanted */
		unsigned n = out->n + wanted->n_svcs;
		for (unsigned i = 0; i < wanted->n_svcs; i++)
			n += wanted->svcs[i].n_dests;
		err = ipvs_oplist_reserve(out, n);
	}
	for (unsigned i = 0; !err && owned && i < owned->n_svcs; i++) {
		const struct ipvs_table_svc *o = &owned->svcs[i], *k, *w = NULL;
		err = svc_find(&kf, i, o, &k);
		if (!err && k)
			err = svc_find(&wf, i, o, &w);
		if (!err && k && !w)
			err = push_svc_op(out, IPVS_OP_DEL_SVC, &k->svc, NULL);
	}
	for (unsigned i = 0; !err && i < wanted->n_svcs; i++) {
		const struct ipvs_table_svc *w = &wanted->svcs[i], *k;
		err = svc_find(&kf, i, w, &k);
		if (!err)
			err = diff_service(w, k, out);
	}
	free(wf.ix);
	free(kf.ix);
	return err;
}
