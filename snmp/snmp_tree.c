/*
 * snmp_tree: the sorted snapshot the snmp child answers from (see
 * snmp_tree.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "snmp_tree.h"

void snmp_tree_reset(struct snmp_tree *t)
{
	t->n = 0;
	t->err = 0;
}

void snmp_tree_free(struct snmp_tree *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

struct snmp_var *snmp_tree_add(struct snmp_tree *t, const uint32_t *prefix, size_t n_prefix,
			       uint32_t col, const uint32_t *index, size_t n_index)
{
	if (t->err)
		return NULL;
	if (n_prefix + 1 + n_index > SNMP_OID_MAX) {
		t->err = -E2BIG;
		return NULL;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct snmp_var *nv = realloc(t->v, cap * sizeof(*nv));
		if (!nv) {
			t->err = -ENOMEM;
			return NULL;
		}
		t->v = nv;
		t->cap = cap;
	}
	struct snmp_var *v = &t->v[t->n++];
	memset(v, 0, sizeof(*v));
	memcpy(v->oid, prefix, n_prefix * sizeof(*prefix));
	v->oid[n_prefix] = col;
	if (n_index)
		memcpy(v->oid + n_prefix + 1, index, n_index * sizeof(*index));
	v->len = (uint8_t)(n_prefix + 1 + n_index);
	return v;
}

void snmp_var_int(struct snmp_var *v, enum snmp_type type, int64_t i)
{
	if (!v)
		return;
	v->type = (uint8_t)type;
	v->v.i = i;
}

void snmp_var_uint(struct snmp_var *v, enum snmp_type type, uint64_t u)
{
	if (!v)
		return;
	v->type = (uint8_t)type;
	v->v.u = u;
}

void snmp_var_bytes(struct snmp_var *v, enum snmp_type type, const void *p, size_t n)
{
	if (!v)
		return;
	if (n > SNMP_BYTES_MAX)
		n = SNMP_BYTES_MAX;
	v->type = (uint8_t)type;
	v->n = (uint16_t)n;
	if (n)
		memcpy(v->bytes, p, n);
}

void snmp_var_uptime(struct snmp_var *v, double since)
{
	if (!v)
		return;
	v->type = SNMP_T_UPTIME;
	v->v.since = since;
}

void snmp_var_oid(struct snmp_var *v, const uint32_t *oid, size_t n)
{
	if (!v)
		return;
	if (n > SNMP_BYTES_MAX / sizeof(*oid))
		n = SNMP_BYTES_MAX / sizeof(*oid);
	v->type = SNMP_T_OID;
	v->n = (uint16_t)n;
	memcpy(v->bytes, oid, n * sizeof(*oid));
}

int snmp_oid_cmp(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	size_t n = na < nb ? na : nb;
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return na < nb ? -1 : na > nb ? 1 : 0;
}

static int var_cmp(const void *pa, const void *pb)
{
	const struct snmp_var *a = pa, *b = pb;
	return snmp_oid_cmp(a->oid, a->len, b->oid, b->len);
}

int snmp_tree_sort(struct snmp_tree *t)
{
	if (t->n > 1)
		qsort(t->v, t->n, sizeof(*t->v), var_cmp);
	for (size_t i = 1; i < t->n; i++)
		if (!var_cmp(&t->v[i - 1], &t->v[i]))
			return -EEXIST;
	return 0;
}

/* Index of the first variable whose OID is >= oid (or > with after). */
static size_t lower_bound(const struct snmp_tree *t, const uint32_t *oid, size_t n, bool after)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = snmp_oid_cmp(t->v[mid].oid, t->v[mid].len, oid, n);
		if (c < 0 || (after && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct snmp_var *snmp_tree_find(const struct snmp_tree *t, const uint32_t *oid, size_t n)
{
	size_t i = lower_bound(t, oid, n, false);
	if (i < t->n && !snmp_oid_cmp(t->v[i].oid, t->v[i].len, oid, n))
		return &t->v[i];
	return NULL;
}

const struct snmp_var *snmp_tree_next(const struct snmp_tree *t, const uint32_t *oid, size_t n)
{
	size_t i = lower_bound(t, oid, n, true);
	return i < t->n ? &t->v[i] : NULL;
}

uint32_t snmp_uptime_ticks(double since, double now)
{
	if (since <= 0 || now <= since)
		return 0;
	double ticks = (now - since) * 100.;
	return ticks >= 4294967295. ? UINT32_MAX : (uint32_t)ticks;
}
