/*
 * lvs_ctl: the operator's side of the IPVS table — drain, undrain and
 * weight overrides, and the virtual/real server part of status. An
 * override is keyed by (service, real server address:port) and remembers
 * the configured weight and forwarding it was set against: a reload that
 * leaves the real server unchanged keeps it, one that changes it drops it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "control.h"
#include "errbuf.h"
#include "log.h"
#include "lvs.h"
#include "lvs_int.h"
#include "vigild.h"

int lvs_vs_key(const struct vs_conf *v, struct ipvs_svc_key *k)
{
	struct conf one = { .vs = (struct vs_conf *)v, .n_vs = 1 };
	struct ipvs_table t;
	struct errbuf eb;
	ipvs_table_init(&t);
	int err = ipvs_table_from_conf(&one, &t, &eb);
	if (!err)
		*k = t.svcs[0].svc.key;
	ipvs_table_free(&t);
	return err;
}

static bool vs_matches(const struct vs_conf *v, const char *spec)
{
	if (v->name && !strcmp(v->name, spec))
		return true;
	if (!strncmp(spec, "fwmark:", 7))
		return v->fwmark && strtoul(spec + 7, NULL, 10) == v->fwmark;
	char buf[80];
	snprintf(buf, sizeof(buf), "%s", spec);
	enum vs_proto proto = PROTO_TCP;
	char *slash = strrchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (!strcmp(slash + 1, "udp"))
			proto = PROTO_UDP;
		else if (!strcmp(slash + 1, "sctp"))
			proto = PROTO_SCTP;
		else if (strcmp(slash + 1, "tcp"))
			return false;
	}
	struct vaddr a;
	uint16_t port;
	if (vaddr_port_parse(buf, &a, &port) < 0 || v->fwmark)
		return false;
	return vaddr_equal(&a, &v->addr) && port == v->port && proto == v->protocol;
}

int lvs_vs_index(const struct conf *c, const char *spec)
{
	for (unsigned i = 0; i < c->n_vs; i++)
		if (vs_matches(&c->vs[i], spec))
			return (int)i;
	return -1;
}

int lvs_rs_index(const struct vs_conf *v, const char *spec)
{
	struct vaddr a;
	uint16_t port;
	if (vaddr_port_parse(spec, &a, &port) < 0)
		return -1;
	for (unsigned j = 0; j < v->n_rs; j++) {
		const struct rs_conf *r = &v->rs[j];
		uint16_t rport = r->port;
		if (vaddr_equal(&r->addr, &a) && rport == port)
			return (int)j;
	}
	return -1;
}

/* Returns 0, or -ENOMEM (the command fails; nothing changed). */
static int set_override(struct lvs *l, const struct ipvs_svc_key *k, const struct vs_conf *v,
			const struct rs_conf *r, const char *cmd, int weight)
{
	uint16_t port = r->port;
	struct lvs_override *o = lvs_find_override(l, k, &r->addr, port);
	if (!strcmp(cmd, "undrain")) {
		for (struct lvs_override **pp = &l->overrides; *pp; pp = &(*pp)->next)
			if (*pp == o) {
				*pp = o->next;
				free(o);
				break;
			}
		return 0;
	}
	if (!o) {
		o = calloc(1, sizeof(*o));
		if (!o)
			return -ENOMEM;
		o->svc = *k;
		o->addr = r->addr;
		o->port = port;
		o->next = l->overrides;
		l->overrides = o;
	}
	o->drained = !strcmp(cmd, "drain");
	o->weight = o->drained ? 0 : weight;
	o->conf_weight = r->weight;
	o->conf_fwd = r->fwd;
	return 0;
}

struct json_object *lvs_cmd_steer(struct vigild *d, const char *cmd, struct json_object *req)
{
	const char *vss = NULL, *rss = NULL;
	int weight = -1;
	bool is_weight = !strcmp(cmd, "weight");
	struct json_object *err;
	if ((err = ctl_member_str(req, cmd, "vs", &vss)) ||
	    (err = ctl_member_str(req, cmd, "rs", &rss)) ||
	    (is_weight && (err = ctl_member_int(req, cmd, "weight", 0, 65535, &weight))))
		return err;
	if (!vss || !rss)
		return ctl_reply_err("%s needs \"vs\" and \"rs\"", cmd);
	if (is_weight && weight < 0)
		return ctl_reply_err("%s needs a \"weight\" of 0..65535", cmd);
	if (!d->lvs)
		return ctl_reply_err("%s: no IPVS table in this process", cmd);
	int vi = lvs_vs_index(d->conf, vss);
	if (vi < 0)
		return ctl_reply_err("unknown virtual server '%s'", vss);
	const struct vs_conf *v = &d->conf->vs[vi];
	int rj = lvs_rs_index(v, rss);
	if (rj < 0)
		return ctl_reply_err("unknown real server '%s'", rss);
	const struct rs_conf *r = &v->rs[rj];
	struct ipvs_svc_key k;
	if (lvs_vs_key(v, &k) < 0)
		return ctl_reply_err("virtual server '%s' has no usable key", vss);
	if (set_override(d->lvs, &k, v, r, cmd, is_weight ? weight : 0) < 0) {
		log_err("operator: %s %s %s: out of memory", cmd, vss, rss);
		return ctl_reply_err("%s: out of memory; nothing changed", cmd);
	}
	if (is_weight)
		log_notice("operator: %s %s %s %d", cmd, vss, rss, weight);
	else
		log_notice("operator: %s %s %s", cmd, vss, rss);
	lvs_mark_dirty(d);
	return ctl_reply_ok();
}

int lvs_override_drain(struct vigild *d, unsigned vi, unsigned rj)
{
	const struct vs_conf *v = &d->conf->vs[vi];
	const struct rs_conf *r = &v->rs[rj];
	struct ipvs_svc_key k;
	if (!d->lvs || lvs_vs_key(v, &k) < 0)
		return -ENOENT;
	const struct lvs_override *o = lvs_find_override(d->lvs, &k, &r->addr,
							 r->port);
	if (o && o->drained && o->conf_weight == r->weight && o->conf_fwd == r->fwd)
		return 0;
	if (set_override(d->lvs, &k, v, r, "drain", 0) < 0)
		return -ENOMEM;
	lvs_mark_dirty(d);
	return 0;
}

void lvs_conf_changed(struct vigild *d, const struct conf *old)
{
	struct lvs *l = d->lvs;
	if (!l)
		return;
	lvs_timeouts(d, old);
	/* Keep an override only where the same real server is configured alike. */
	for (struct lvs_override **pp = &l->overrides; *pp;) {
		struct lvs_override *o = *pp;
		bool keep = false;
		for (unsigned i = 0; i < d->conf->n_vs && !keep; i++) {
			const struct vs_conf *v = &d->conf->vs[i];
			struct ipvs_svc_key k;
			if (lvs_vs_key(v, &k) < 0 || ipvs_svc_key_cmp(&k, &o->svc))
				continue;
			for (unsigned j = 0; j < v->n_rs && !keep; j++) {
				const struct rs_conf *r = &v->rs[j];
				keep = vaddr_equal(&r->addr, &o->addr) &&
				       r->port == o->port &&
				       r->weight == o->conf_weight && r->fwd == o->conf_fwd;
			}
		}
		if (keep) {
			pp = &o->next;
		} else {
			*pp = o->next;
			free(o);
		}
	}
	lvs_mark_dirty(d);
}
