/*
 * lvs_conntab: the kernel's IPVS connection table — its size and how full
 * it is — for status, /metrics and a warning when connections outgrow it.
 *
 * The table is a hash of 2^conn_tab_bits buckets (the ip_vs module's
 * parameter, 12 = 4,096 by default, 8..20, fixed while the module is
 * loaded) whose chains grow with the connections: past a few entries per
 * bucket every packet's lookup walks a longer chain, and a director
 * holding 100,000 connections in 4,096 buckets stalls. The size comes
 * from the first line of /proc/net/ip_vs ("... (size=4096)"), else from
 * /sys/module/ip_vs/parameters/conn_tab_bits. The fill is the sum of the
 * destinations' active and inactive connections and persistence
 * templates from a dump of the service table — never a walk of the
 * connection table itself — taken every LVS_CONNTAB_PERIOD s and at each
 * status request.
 *
 *   dump ─> entries ─> entries > LVS_CONNTAB_LOAD x size ?
 *             warn (at most every LVS_CONNTAB_WARN_EVERY s): the
 *             conn_tab_bits to set; a notice when it is back under
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "errbuf.h"
#include "jx.h"
#include "log.h"
#include "lvs.h"
#include "lvs_int.h"
#include "vigild.h"

#define LVS_CONNTAB_PERIOD 30.        /* s between looks without a status request */
#define LVS_CONNTAB_LOAD 4            /* entries per bucket beyond which it warns */
#define LVS_CONNTAB_WARN_EVERY 600.   /* s between warnings while it lasts */

int lvs_conntab_parse(const char *proc_line, const char *sys_bits, unsigned long *size)
{
	const char *p = proc_line ? strstr(proc_line, "(size=") : NULL;
	char *end;
	if (p) {
		unsigned long n = strtoul(p + 6, &end, 10);
		if (end != p + 6 && *end == ')' && n > 0) {
			*size = n;
			return 0;
		}
	}
	if (sys_bits) {
		unsigned long b = strtoul(sys_bits, &end, 10);
		if (end != sys_bits && (*end == '\n' || !*end) && b >= 1 && b <= 30) {
			*size = 1UL << b;
			return 0;
		}
	}
	return -ENOENT;
}

unsigned lvs_conntab_bits_for(uint64_t entries)
{
	unsigned b = 8;
	while (b < 20 && (1ULL << b) < entries)
		b++;
	return b;
}

static char *first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	char *r = f ? fgets(buf, (int)len, f) : NULL;
	if (f)
		fclose(f);
	return r;
}

static void read_size(struct lvs *l)
{
	char a[256], b[32];
	const char *pl = first_line("/proc/net/ip_vs", a, sizeof(a));
	const char *sb = first_line("/sys/module/ip_vs/parameters/conn_tab_bits", b, sizeof(b));
	if (lvs_conntab_parse(pl, sb, &l->conntab.size) < 0)
		l->conntab.size = 0;
}

void lvs_conntab_count(struct lvs *l, const struct ipvs_table *kernel, double now)
{
	uint64_t act = 0, inact = 0, tmpl = 0;
	for (unsigned i = 0; i < kernel->n_svcs; i++) {
		const struct ipvs_table_svc *s = &kernel->svcs[i];
		for (unsigned j = 0; j < s->n_dests; j++) {
			act += s->dests[j].active_conns;
			inact += s->dests[j].inact_conns;
			tmpl += s->dests[j].persist_conns;
		}
	}
	struct lvs_conntab *t = &l->conntab;
	t->active = act;
	t->inactive = inact;
	t->templates = tmpl;
	t->at = now;
	uint64_t entries = act + inact + tmpl;
	bool over = t->size && entries > (uint64_t)LVS_CONNTAB_LOAD * t->size;
	if (over && (!t->warned_at || now - t->warned_at >= LVS_CONNTAB_WARN_EVERY)) {
		unsigned bits = lvs_conntab_bits_for(entries);
		log_warn("ipvs: %llu connections in a connection table of %lu buckets (%.1f per "
			 "bucket): lookups slow down; load ip_vs with conn_tab_bits=%u (%lu buckets), "
			 "e.g. \"options ip_vs conn_tab_bits=%u\" in /etc/modprobe.d/ip_vs.conf",
			 (unsigned long long)entries, t->size, (double)entries / (double)t->size,
			 bits, 1UL << bits, bits);
		t->warned_at = now;
	} else if (!over && t->warned_at) {
		log_notice("ipvs: %llu connections: back within the connection table's %lu buckets",
			   (unsigned long long)entries, t->size);
		t->warned_at = 0;
	}
}

static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct lvs *l = w->data;
	/* The dump every reader shares (lvs_stats.c), not one of its own:
	 * the cached one when it is fresh, else one on a thread, counted
	 * when it lands; never a dump on the loop. */
	double now = ev_now(loop);
	if (!l->started)
		return;
	if (lvs_stats_fresh(l, now))
		lvs_conntab_count(l, &l->stats.table, now);
	else
		lvs_stats_kick(l);
	(void)revents;
}

void lvs_conntab_open(struct lvs *l)
{
	read_size(l);
	ev_timer_init(&l->conntab.tick_w, tick_cb, LVS_CONNTAB_PERIOD, LVS_CONNTAB_PERIOD);
	l->conntab.tick_w.data = l;
	if (l->have_ipvs) {
		ev_timer_start(l->d->loop, &l->conntab.tick_w);
		ev_unref(l->d->loop);   /* it alone must not keep the loop alive */
	}
}

void lvs_conntab_close(struct lvs *l)
{
	if (ev_is_active(&l->conntab.tick_w)) {
		ev_ref(l->d->loop);
		ev_timer_stop(l->d->loop, &l->conntab.tick_w);
	}
}

struct json_object *lvs_conntab_json(const struct lvs *l)
{
	const struct lvs_conntab *t = &l->conntab;
	struct json_object *j = jx_new_object();
	uint64_t entries = t->active + t->inactive + t->templates;
	json_object_object_add(j, "size", t->size ? jx_new_int64((int64_t)t->size) : NULL);
	json_object_object_add(j, "active", jx_new_int64((int64_t)t->active));
	json_object_object_add(j, "inactive", jx_new_int64((int64_t)t->inactive));
	json_object_object_add(j, "templates", jx_new_int64((int64_t)t->templates));
	json_object_object_add(j, "entries", jx_new_int64((int64_t)entries));
	json_object_object_add(j, "per_bucket", t->size
			       ? jx_new_double((double)entries / (double)t->size) : NULL);
	bool over = t->size && entries > (uint64_t)LVS_CONNTAB_LOAD * t->size;
	json_object_object_add(j, "outgrown", jx_new_boolean(over));
	json_object_object_add(j, "suggested_bits",
			       over ? jx_new_int((int)lvs_conntab_bits_for(entries)) : NULL);
	return j;
}
