/*
 * lvs_notify: the operator's commands around real servers.
 *
 *   health (a verdict that changes      ─> notify_up / notify_down
 *   whether the server is up)               REAL_SERVER's command + VS RS
 *   stop (SIGTERM...) with omega,       ─> notify_down of each server up,
 *   or a reload that removes an omega       on_quorum_down if the quorum is up
 *   service (as keepalived does)
 *
 * Like every command the parent runs (script.h), they run as script_user,
 * without a shell, killed after 30 s, and also under --dry-run. A real
 * server's commands get two more arguments: the virtual server's name
 * (or ADDR:PORT, fwmark:N) and the real server's ADDR:PORT. At stop they
 * are started, not waited for: vigild does not linger for them.
 */
#include <stdio.h>
#include <string.h>

#include "errbuf.h"
#include "health.h"
#include "log.h"
#include "lvs.h"
#include "lvs_int.h"
#include "privdrop.h"
#include "script.h"
#include "vigild.h"

void lvs_rs_notify(struct vigild *d, unsigned vi, unsigned ri, bool up)
{
	const struct vs_conf *v = &d->conf->vs[vi];
	const struct rs_conf *r = &v->rs[ri];
	const char *cmd = up ? r->notify_up : r->notify_down;
	if (!cmd)
		return;
	char label[VADDR_PORT_STRLEN + 64], rs[VADDR_PORT_STRLEN], what[256], user[64];
	const char *args[] = { lvs_vs_label(v, label, sizeof(label)),
			       vaddr_port_str(&r->addr, r->port, rs, sizeof(rs)), NULL };
	snprintf(what, sizeof(what), "notify_%s %s %s", up ? "up" : "down", label, rs);
	struct errbuf eb = { "" };
	priv_script_user(d->conf->global.script_user, user, sizeof(user));
	if (script_run(d->loop, cmd, args, user, 0., what, NULL, NULL, &eb) < 0)
		log_err("%s", eb.msg);
}

static void omega_vs(struct vigild *d, unsigned i)
{
	const struct vs_conf *v = &d->conf->vs[i];
	for (unsigned j = 0; j < v->n_rs; j++)
		if (health_rs_up(d, i, j))
			lvs_rs_notify(d, i, j, false);
	struct ipvs_svc_key k;
	const struct lvs_quorum *q = d->lvs && lvs_vs_key(v, &k) == 0
		? lvs_find_quorum(d->lvs, &k) : NULL;
	if (q && q->up)
		lvs_quorum_command(d->lvs, v, false);
}

void lvs_omega(struct vigild *d)
{
	for (unsigned i = 0; i < d->conf->n_vs; i++)
		if (d->conf->vs[i].omega)
			omega_vs(d, i);
}

/* The same service in next: the same kernel key, or the same name. */
static bool vs_kept(const struct vs_conf *v, const struct conf *next)
{
	struct ipvs_svc_key k, nk;
	bool keyed = lvs_vs_key(v, &k) == 0;
	for (unsigned i = 0; i < next->n_vs; i++) {
		const struct vs_conf *n = &next->vs[i];
		if (keyed && lvs_vs_key(n, &nk) == 0 && !ipvs_svc_key_cmp(&k, &nk))
			return true;
		if (v->name && n->name && !strcmp(v->name, n->name))
			return true;
	}
	return false;
}

void lvs_omega_removed(struct vigild *d, const struct conf *next)
{
	for (unsigned i = 0; i < d->conf->n_vs; i++)
		if (d->conf->vs[i].omega && !vs_kept(&d->conf->vs[i], next))
			omega_vs(d, i);
}
