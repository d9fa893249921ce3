/*
 * lvs_quorum: each virtual server's quorum and sorry server, applied to
 * its wanted service by lvs_build_wanted().
 *
 * The alive weight is the sum of the weights of the real servers that are
 * up, after health and dynamic weights (an operator's drain or weight is
 * not counted: quorum measures the pool's health, not the operator's
 * steering). keepalived's rule, with hysteresis h:
 *
 *          alive == 0 or alive < quorum - h
 *     UP ──────────────────────────────────> LOST   sorry server in the
 *        <──────────────────────────────────        service; the live real
 *          alive >= quorum + h                       servers leave (failed
 *                                                    ones kept at weight 0
 *                                                    by on_failure =
 *                                                    "inhibit" stay)
 *
 * The first evaluation of a service (at start, or new in a reload) sets
 * the state from alive >= quorum and runs no command; every later change
 * runs on_quorum_up or on_quorum_down (script.h, as script_user) with the
 * virtual server's name (or ADDR:PORT, fwmark:N) as argument. Without a
 * sorry server a lost quorum only runs the command and the live real
 * servers stay. States are kept by service key, so a reload that keeps
 * the service keeps its state (no command runs again).
 */
#include <stdio.h>
#include <stdlib.h>

#include "errbuf.h"
#include "log.h"
#include "lvs_int.h"
#include "notify_fifo.h"
#include "privdrop.h"
#include "script.h"
#include "snmp_feed.h"
#include "vigild.h"
#include "xalloc.h"

static int quorum_cmp(const void *a, const void *b)
{
	const struct lvs_quorum *const *x = a, *const *y = b;
	return ipvs_svc_key_cmp(&(*x)->svc, &(*y)->svc);
}

/* Every state that survived the last sweep is in the index; one created in
 * this pass is not, but no pass looks a service up twice. With thousands of
 * virtual servers a list walk per service would make each pass O(n²). */
const struct lvs_quorum *lvs_find_quorum(const struct lvs *l, const struct ipvs_svc_key *k)
{
	struct lvs_quorum probe = { .svc = *k }, *pp = &probe;
	struct lvs_quorum **hit = l->n_quorum_index
		? bsearch(&pp, l->quorum_index, l->n_quorum_index, sizeof(*hit), quorum_cmp) : NULL;
	return hit ? *hit : NULL;
}

static void index_rebuild(struct lvs *l)
{
	unsigned n = 0;
	for (struct lvs_quorum *q = l->quorums; q; q = q->next)
		n++;
	free(l->quorum_index);
	l->quorum_index = xcalloc(n, sizeof(*l->quorum_index));
	n = 0;
	for (struct lvs_quorum *q = l->quorums; q; q = q->next)
		l->quorum_index[n++] = q;
	qsort(l->quorum_index, n, sizeof(*l->quorum_index), quorum_cmp);
	l->n_quorum_index = n;
}

static bool quorum_next(const struct vs_conf *v, const struct lvs_quorum *q, unsigned alive)
{
	long long a = alive, need = v->quorum, h = v->hysteresis;
	if (!q)
		return a >= need;
	if (q->up)
		return a > 0 && a >= need - h;
	return a >= need + h;
}

const char *lvs_vs_label(const struct vs_conf *v, char *buf, size_t len)
{
	if (v->name)
		snprintf(buf, len, "%s", v->name);
	else if (v->fwmark)
		snprintf(buf, len, "fwmark:%u", v->fwmark);
	else
		vaddr_port_str(&v->addr, v->port, buf, len);
	return buf;
}

void lvs_quorum_command(struct lvs *l, const struct vs_conf *v, bool up)
{
	const char *cmd = up ? v->on_quorum_up : v->on_quorum_down;
	if (l->d->fifo && !nfifo_vs(l->d->fifo, v, up))
		log_warn("notify_fifo: no room for a virtual server's line");
	if (!cmd)
		return;
	char label[VADDR_PORT_STRLEN + 64], what[160], user[64];
	const char *args[] = { lvs_vs_label(v, label, sizeof(label)), NULL };
	snprintf(what, sizeof(what), "on_quorum_%s %s", up ? "up" : "down", label);
	struct errbuf eb = { "" };
	priv_script_user(l->d->conf->global.script_user, user, sizeof(user));
	if (script_run(l->d->loop, cmd, args, user, 0., what, NULL, NULL, &eb) < 0)
		log_err("%s", eb.msg);
}

static void commit(struct lvs *l, const struct vs_conf *v, const struct ipvs_svc_key *k,
		   struct lvs_quorum *q, bool up, unsigned alive)
{
	char label[VADDR_PORT_STRLEN + 64];
	if (!q) {
		q = xcalloc(1, sizeof(*q));
		q->svc = *k;
		q->up = up;
		q->next = l->quorums;
		l->quorums = q;
		if (!up)
			log_notice("%s: quorum not reached at start (alive weight %u < %u)%s",
				   lvs_vs_label(v, label, sizeof(label)), alive, v->quorum,
				   v->has_sorry ? ": sorry server in" : "");
	} else if (q->up != up) {
		q->up = up;
		char aw[16];
		snprintf(aw, sizeof(aw), "%u", alive);
		const char *vl = lvs_vs_label(v, label, sizeof(label));
		const struct log_field f[] = {
			{ "vs", vl }, { "event", "quorum" },
			{ "state", up ? "up" : "down" }, { "old_state", up ? "down" : "up" },
			{ "alive_weight", aw },
		};
		log_event(LOG_NOTICE, f, 5, "%s: quorum %s (alive weight %u, quorum %u, "
			  "hysteresis %u)%s", vl, up ? "regained" : "lost", alive, v->quorum,
			  v->hysteresis, !v->has_sorry ? "" : up ? ": sorry server out"
			  : ": sorry server in");
		lvs_quorum_command(l, v, up);
		snmpf_quorum_event(l->d, v, up, !up && v->has_sorry, alive);
	}
	q->alive = alive;
	q->seen = true;
}

/* The sorry server's port defaults to the service's (each member's, in a
 * group). With its `inhibit` it stays in the service at weight 0 while
 * the quorum holds (keepalived's sorry_server_inhibit): established
 * connections to it are not cut when the real servers return. When the
 * quorum is lost, the live real servers leave and the failed ones kept
 * at weight 0 (down[j]: on_failure = "inhibit") stay, as in keepalived:
 * their established connections are not cut either. */
void lvs_quorum_sorry(const struct vs_conf *v, struct ipvs_table_svc *ts, bool up,
		      const bool *down)
{
	if (!v->has_sorry || (up && !v->sorry_inhibit))
		return;
	struct ipvs_dest s = {
		.addr = v->sorry_addr, .port = v->sorry_port ? v->sorry_port : ts->svc.key.port,
		.fwd = ipvs_fwd_flag(v->sorry_fwd), .weight = up ? 0 : 1,
	};
	if (!up) {
		unsigned kept = 0;
		for (unsigned j = 0; j < ts->n_dests; j++)
			if (down && down[j])
				ts->dests[kept++] = ts->dests[j];
		ts->n_dests = kept;
	}
	struct ipvs_dest *same = ipvs_table_find_dest(ts, &s.addr, s.port);
	if (same) {
		if (!up)                  /* a failed real server: the sorry server rules */
			*same = s;
		return;                   /* else also a live real server: that one rules */
	}
	if (ipvs_table_add_dest(ts, &s) < 0)
		log_err("ipvs: out of memory adding a sorry server");
}

bool lvs_quorum_apply(struct lvs *l, const struct vs_conf *v, const struct ipvs_svc_key *key,
		      unsigned alive, bool do_commit)
{
	struct lvs_quorum *q = (struct lvs_quorum *)lvs_find_quorum(l, key);
	bool up = quorum_next(v, q, alive);
	if (do_commit)
		commit(l, v, key, q, up, alive);
	return up;
}

const struct ipvs_table_svc *lvs_vs_svc(const struct ipvs_table *t, unsigned vi)
{
	unsigned lo = 0, hi = t->n_svcs;     /* conf_vs rises with the index */
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (t->svcs[mid].conf_vs < vi)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n_svcs && t->svcs[lo].conf_vs == vi ? &t->svcs[lo] : NULL;
}

void lvs_quorum_sweep(struct lvs *l)
{
	for (struct lvs_quorum **pp = &l->quorums; *pp;) {
		struct lvs_quorum *q = *pp;
		if (q->seen) {
			q->seen = false;
			pp = &q->next;
		} else {
			*pp = q->next;
			free(q);
		}
	}
	index_rebuild(l);
}

void lvs_quorum_free(struct lvs *l)
{
	free(l->quorum_index);
	l->quorum_index = NULL;
	l->n_quorum_index = 0;
	while (l->quorums) {
		struct lvs_quorum *q = l->quorums;
		l->quorums = q->next;
		free(q);
	}
}
