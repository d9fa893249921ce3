/*
 * snmp_db: the snmp child's copy of what the parent knows about VRRP —
 * the last IPC_SNMP_VRRP of every configured instance and receiving
 * interface (see snmp.h). A reload keeps the reports of the instances
 * still there; a report about a name the configuration does not hold
 * (the parent's reload is a moment ahead of ours) is dropped and comes
 * again within a second.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "snmp.h"

int snmp_db_set_conf(struct snmp_db *db, const struct conf *c)
{
	struct snmp_inst *n = c->n_vrrp ? calloc(c->n_vrrp, sizeof(*n)) : NULL;
	if (c->n_vrrp && !n)
		return -ENOMEM;
	for (unsigned i = 0; i < c->n_vrrp; i++) {
		n[i].conf = &c->vrrp[i];
		for (unsigned j = 0; j < db->n_inst; j++) {
			const struct snmp_inst *o = &db->inst[j];
			if (o->have && !strcmp(o->r.name, c->vrrp[i].name)) {
				n[i].have = true;
				n[i].r = o->r;
			}
		}
	}
	free(db->inst);
	db->inst = n;
	db->n_inst = c->n_vrrp;
	db->conf = c;
	return 0;
}

void snmp_db_free(struct snmp_db *db)
{
	free(db->inst);
	free(db->ifs);
	db->inst = NULL;
	db->ifs = NULL;
	db->n_inst = db->n_ifs = db->cap_ifs = 0;
}

static void update_iface(struct snmp_db *db, const struct ipc_snmp_vrrp *m)
{
	for (unsigned i = 0; i < db->n_ifs; i++)
		if (db->ifs[i].r.family == m->family && !strcmp(db->ifs[i].r.name, m->name)) {
			db->ifs[i].r = *m;
			return;
		}
	if (db->n_ifs == db->cap_ifs) {
		unsigned cap = db->cap_ifs ? db->cap_ifs * 2 : 8;
		struct snmp_iface *n = realloc(db->ifs, cap * sizeof(*n));
		if (!n)
			return;   /* its counters are missing from the sums until memory is back */
		db->ifs = n;
		db->cap_ifs = cap;
	}
	db->ifs[db->n_ifs++].r = *m;
}

struct snmp_inst *snmp_db_update(struct snmp_db *db, const struct ipc_snmp_vrrp *in,
				 struct ipc_snmp_vrrp *prev, bool *had)
{
	struct ipc_snmp_vrrp m = *in;
	m.name[sizeof(m.name) - 1] = '\0';
	*had = false;
	if (m.kind == IPC_VRRP_IFACE) {
		update_iface(db, &m);
		return NULL;
	}
	if (m.kind != IPC_VRRP_INSTANCE)
		return NULL;
	for (unsigned i = 0; i < db->n_inst; i++) {
		struct snmp_inst *s = &db->inst[i];
		if (strcmp(s->conf->name, m.name))
			continue;
		*had = s->have;
		if (s->have)
			*prev = s->r;
		s->r = m;
		s->have = true;
		return s;
	}
	return NULL;
}
