/*
 * proc: the pure part of process tracking (see vrrp_proc.h) — matching a
 * process's name and arguments as keepalived's vrrp_track_process does,
 * the sorted table of matching processes with its counts, and the
 * quorum's delay rule.
 *
 * Matching: with neither params nor param_match nor full_command, the
 * name (/proc/PID/comm, which the kernel cuts at 15 bytes) equals
 * `process` cut the same way; otherwise argv[0] equals `process` and the
 * parameters follow param_match (none: ignored; exact: all equal;
 * partial: the first n equal; initial: the first n-1 equal and the nth
 * begins with the last one given).
 */
#include "vrrp_proc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

bool vrrp_proc_needs_cmdline(const struct vrrp_process_conf *c)
{
	return c->full_command || c->n_params || c->param_match != VRRP_PM_NONE;
}

/* The next NUL-terminated argument of cmd[*off..len), or NULL at the end
 * (a last argument without its NUL counts). */
static const char *next_arg(const char *cmd, size_t len, size_t *off, size_t *alen)
{
	if (*off >= len)
		return NULL;
	const char *a = cmd + *off;
	const char *z = memchr(a, '\0', len - *off);
	*alen = z ? (size_t)(z - a) : len - *off;
	*off += *alen + 1;
	return a;
}

static bool arg_is(const char *a, size_t alen, const char *want)
{
	return strlen(want) == alen && !memcmp(a, want, alen);
}

static bool params_match(const struct vrrp_process_conf *c, const char *cmd, size_t len,
			 size_t off)
{
	size_t alen;
	const char *a;
	for (unsigned i = 0; i < c->n_params; i++) {
		if (!(a = next_arg(cmd, len, &off, &alen)))
			return false;
		bool last = i + 1 == c->n_params;
		if (last && c->param_match == VRRP_PM_INITIAL) {
			size_t wl = strlen(c->params[i]);
			if (alen < wl || memcmp(a, c->params[i], wl))
				return false;
		} else if (!arg_is(a, alen, c->params[i])) {
			return false;
		}
	}
	return c->param_match != VRRP_PM_EXACT || !next_arg(cmd, len, &off, &alen);
}

bool vrrp_proc_match(const struct vrrp_process_conf *c, const char *comm, const char *cmd,
		     size_t len)
{
	if (!vrrp_proc_needs_cmdline(c)) {
		size_t n = strnlen(c->process, VRRP_PROC_COMM_LEN - 1);
		return strlen(comm) == n && !memcmp(comm, c->process, n);
	}
	size_t off = 0, alen;
	const char *a0 = next_arg(cmd, len, &off, &alen);
	if (!a0 || !arg_is(a0, alen, c->process))
		return false;
	return c->param_match == VRRP_PM_NONE || params_match(c, cmd, len, off);
}

bool vrrp_proc_quorum(const struct vrrp_process_conf *c, unsigned count)
{
	return count >= c->quorum && count <= c->quorum_max;
}

/* ---- the table ---- */

static unsigned find(const struct vrrp_ptab *t, pid_t pid, bool *hit)
{
	unsigned lo = 0, hi = t->n;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (t->e[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	*hit = lo < t->n && t->e[lo].pid == pid;
	return lo;
}

static void count(struct vrrp_ptab *t, uint64_t bits, int by)
{
	for (unsigned i = 0; bits && i < VRRP_PROCESSES_MAX; i++, bits >>= 1)
		if (bits & 1)
			t->counts[i] += (unsigned)by;
}

uint64_t vrrp_ptab_set(struct vrrp_ptab *t, pid_t pid, uint64_t mask)
{
	bool hit;
	unsigned i = find(t, pid, &hit);
	uint64_t old = hit ? t->e[i].mask : 0;
	if (old == mask)
		return 0;
	if (!hit) {
		if (t->n == t->cap) {
			unsigned cap = t->cap ? t->cap * 2 : 16;
			struct vrrp_ptab_ent *ne = realloc(t->e, cap * sizeof(*ne));
			if (!ne)
				return UINT64_MAX;
			t->e = ne;
			t->cap = cap;
		}
		memmove(&t->e[i + 1], &t->e[i], (t->n - i) * sizeof(*t->e));
		t->e[i] = (struct vrrp_ptab_ent){ .pid = pid };
		t->n++;
	}
	count(t, old & ~mask, -1);
	count(t, mask & ~old, 1);
	if (mask) {
		t->e[i].mask = mask;
	} else {
		memmove(&t->e[i], &t->e[i + 1], (t->n - i - 1) * sizeof(*t->e));
		t->n--;
	}
	return old ^ mask;
}

uint64_t vrrp_ptab_get(const struct vrrp_ptab *t, pid_t pid)
{
	bool hit;
	unsigned i = find(t, pid, &hit);
	return hit ? t->e[i].mask : 0;
}

void vrrp_ptab_free(struct vrrp_ptab *t)
{
	free(t->e);
	*t = (struct vrrp_ptab){ 0 };
}

/* ---- the delay rule ---- */

bool vrrp_pq_count(struct vrrp_pq *q, bool ok, double fork_delay, double terminate_delay,
		   double now)
{
	if (ok == q->up) {
		q->pending = false;       /* back before the delay ran out */
		return false;
	}
	if (q->pending)
		return false;             /* the same change already waits */
	double delay = ok ? fork_delay : terminate_delay;
	if (delay <= 0) {
		q->up = ok;
		return true;
	}
	q->pending = true;
	q->due = now + delay;
	return false;
}

bool vrrp_pq_due(struct vrrp_pq *q, bool ok, double now)
{
	if (!q->pending || now < q->due)
		return false;
	q->pending = false;
	if (ok == q->up)
		return false;
	q->up = ok;
	return true;
}
