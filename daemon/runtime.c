/*
 * runtime: the operator's runtime additions and removals of real servers
 * (see runtime.h): the list of changes, merging it into a configuration,
 * the add and remove commands, and the state file that carries the list
 * over a parent's restart. An addition's real server is read by
 * rt_build_rs (runtime_rs.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "conf_pack.h"
#include "config.h"
#include "control.h"
#include "errbuf.h"
#include "jx.h"
#include "log.h"
#include "lvs.h"
#include "runtime.h"
#include "vigild.h"
#include "xalloc.h"

void rt_svc_name(const struct vs_conf *v, char *buf, size_t len)
{
	char a[VADDR_PORT_STRLEN];
	if (v->fwmark)
		snprintf(buf, len, "fwmark:%u", v->fwmark);
	else
		snprintf(buf, len, "%s/%s", vaddr_port_str(&v->addr, v->port, a, sizeof(a)),
			 vs_proto_str(v->protocol));
}

static struct vs_conf *find_vs(const struct conf *c, const char *svc)
{
	int i = lvs_vs_index(c, svc);
	return i < 0 ? NULL : &c->vs[i];
}

/* Applies change ch to virtual server v of c. 0, or -1 (why). */
static int apply(struct conf *c, struct vs_conf *v, const struct rt_change *ch,
		 char *why, size_t len)
{
	int j = lvs_rs_index(v, ch->rs);
	if (!ch->add) {
		if (j < 0) {
			snprintf(why, len, "the file no longer lists it");
			return -1;
		}
		conf_rs_free(&v->rs[j]);
		memmove(&v->rs[j], &v->rs[j + 1], (v->n_rs - (unsigned)j - 1) * sizeof(*v->rs));
		v->n_rs--;
		return 0;
	}
	if (j >= 0) {
		snprintf(why, len, "the file now lists it");
		return -1;
	}
	struct rs_conf rs;
	if (rt_build_rs(c, v, ch, &rs, why, len) < 0)
		return -1;
	v->rs = xrealloc(v->rs, (v->n_rs + 1) * sizeof(*v->rs));
	v->rs[v->n_rs++] = rs;
	return 0;
}

static const char *change_str(const struct rt_change *ch, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s %s %s", ch->add ? "add" : "remove", ch->rs,
		 ch->add ? "to" : "from", ch->svc);
	return buf;
}

static struct rt_change *change_find(struct runtime *rt, const char *svc, const char *rs)
{
	for (struct rt_change *ch = rt->changes; ch; ch = ch->next)
		if (!strcmp(ch->svc, svc) && !strcmp(ch->rs, rs))
			return ch;
	return NULL;
}

static void change_unlink(struct runtime *rt, struct rt_change *ch)
{
	for (struct rt_change **pp = &rt->changes; *pp; pp = &(*pp)->next) {
		if (*pp == ch) {
			*pp = ch->next;
			rt->n_changes--;
			json_object_put(ch->spec);
			free(ch);
			return;
		}
	}
}

static void change_append(struct runtime *rt, struct rt_change *ch)
{
	struct rt_change **pp = &rt->changes;
	while (*pp)
		pp = &(*pp)->next;
	ch->next = NULL;
	*pp = ch;
	rt->n_changes++;
}

/* The state file: {"changes":[{"op","vs","rs","spec"}]}, replaced whole. */
static void state_save(struct runtime *rt)
{
	if (!rt->state_path)
		return;
	if (!rt->changes) {
		unlink(rt->state_path);
		return;
	}
	struct json_object *arr = jx_new_array(), *top = jx_new_object();
	for (struct rt_change *ch = rt->changes; ch; ch = ch->next) {
		struct json_object *o = jx_new_object();
		json_object_object_add(o, "op", jx_new_string(ch->add ? "add" : "remove"));
		json_object_object_add(o, "vs", jx_new_string(ch->svc));
		json_object_object_add(o, "rs", jx_new_string(ch->rs));
		if (ch->spec)
			json_object_object_add(o, "spec", json_object_get(ch->spec));
		json_object_array_add(arr, o);
	}
	json_object_object_add(top, "changes", arr);
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.new", rt->state_path);
	if (json_object_to_file_ext(tmp, top, JSON_C_TO_STRING_PLAIN) < 0 ||
	    rename(tmp, rt->state_path) < 0) {
		log_err("runtime: cannot write %s: %s; a restarted vigild would not know the "
			"runtime changes", rt->state_path, strerror(errno));
		unlink(tmp);
	}
	json_object_put(top);
}

static void state_load(struct runtime *rt)
{
	if (!rt->state_path || access(rt->state_path, F_OK) < 0)
		return;
	struct json_object *top = json_object_from_file(rt->state_path), *arr;
	if (!top || !json_object_object_get_ex(top, "changes", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		log_err("runtime: %s is unreadable; it is ignored", rt->state_path);
		json_object_put(top);
		return;
	}
	for (size_t i = 0; i < json_object_array_length(arr) && rt->n_changes < RT_MAX_CHANGES;
	     i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *op, *vs, *rs, *spec;
		if (!json_object_object_get_ex(o, "op", &op) ||
		    !json_object_object_get_ex(o, "vs", &vs) ||
		    !json_object_object_get_ex(o, "rs", &rs))
			continue;
		struct rt_change *ch = xcalloc(1, sizeof(*ch));
		ch->add = !strcmp(json_object_get_string(op), "add");
		snprintf(ch->svc, sizeof(ch->svc), "%s", json_object_get_string(vs));
		snprintf(ch->rs, sizeof(ch->rs), "%s", json_object_get_string(rs));
		if (ch->add)
			ch->spec = json_object_object_get_ex(o, "spec", &spec) &&
				   json_object_is_type(spec, json_type_object)
				   ? json_object_get(spec) : jx_new_object();
		change_append(rt, ch);
	}
	log_notice("runtime: %u change(s) of a previous vigild read from %s", rt->n_changes,
		   rt->state_path);
	json_object_put(top);
}

int rt_merge(struct vigild *d, struct conf *c, struct json_object *report, bool commit)
{
	struct runtime *rt = d->rt;
	bool dropped = false;
	for (struct rt_change *ch = rt ? rt->changes : NULL, *next; ch; ch = next) {
		next = ch->next;
		char why[256] = "", what[256];
		struct vs_conf *v = find_vs(c, ch->svc);
		if (!v)
			snprintf(why, sizeof(why), "the virtual server is no longer configured");
		bool kept = v && apply(c, v, ch, why, sizeof(why)) == 0;
		change_str(ch, what, sizeof(what));
		if (report) {
			struct json_object *o = jx_new_object();
			json_object_object_add(o, "change", jx_new_string(what));
			json_object_object_add(o, "kept", jx_new_boolean(kept));
			json_object_object_add(o, "reason", kept ? NULL : jx_new_string(why));
			json_object_array_add(report, o);
		}
		if (kept || !commit)
			continue;
		log_notice("runtime: %s dropped: %s", what, why);
		change_unlink(rt, ch);
		dropped = true;
	}
	if (dropped)
		state_save(rt);
	return 0;
}

/* A new generation from a copy of the running configuration changed by
 * ch. NULL, or the reason it failed (nothing changed then). */
static const char *install_change(struct vigild *d, const struct rt_change *ch,
				  char *why, size_t len)
{
	struct conf_blob b;
	struct errbuf eb;
	struct conf *c = NULL;
	if (conf_pack(d->conf, CONF_VIEW_ALL, &b) == 0) {
		c = conf_unpack(b.data, b.len, &eb);
		conf_blob_free(&b);
	}
	if (!c)
		return "out of memory; nothing changed";
	struct vs_conf *v = find_vs(c, ch->svc);
	if (!v || apply(c, v, ch, why, len) < 0) {
		if (!v)
			snprintf(why, len, "unknown virtual server '%s'", ch->svc);
		conf_free(c);
		return why;
	}
	if (parent_install(d, c) < 0) {
		conf_free(c);
		return "out of memory; nothing changed";
	}
	return NULL;
}

/* The add request's spec: its weight, forwarding and checks, checked for
 * shape (their values are conf_rs_read's). NULL with *err set when bad. */
static struct json_object *add_spec(struct json_object *req, struct json_object **err)
{
	struct json_object *spec = jx_new_object(), *v;
	int weight = -1;
	const char *fwd = NULL;
	if ((*err = ctl_member_int(req, "add", "weight", 0, 65535, &weight)) ||
	    (*err = ctl_member_str(req, "add", "forwarding", &fwd)))
		goto bad;
	if (weight >= 0)
		json_object_object_add(spec, "weight", jx_new_int(weight));
	if (fwd)
		json_object_object_add(spec, "forwarding", jx_new_string(fwd));
	if (!json_object_object_get_ex(req, "checks", &v))
		return spec;
	if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) > RT_MAX_CHECKS) {
		*err = ctl_reply_err("add: \"checks\" must be an array of at most %d objects",
				     RT_MAX_CHECKS);
		goto bad;
	}
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		if (!json_object_is_type(json_object_array_get_idx(v, i), json_type_object)) {
			*err = ctl_reply_err("add: check %zu is not an object", i + 1);
			goto bad;
		}
	}
	struct json_object *copy = NULL;
	if (json_object_deep_copy(v, &copy, NULL) < 0)
		xalloc_die(0);
	json_object_object_add(spec, "checks", copy);
	return spec;
bad:
	json_object_put(spec);
	return NULL;
}

/* The request's vs and rs, resolved in the running configuration. */
static struct json_object *resolve(struct vigild *d, const char *cmd, struct json_object *req,
				   int *vi, char *svc, char *rs)
{
	const char *vss = NULL, *rss = NULL;
	struct json_object *err;
	struct vaddr a;
	uint16_t port;
	if ((err = ctl_member_str(req, cmd, "vs", &vss)) ||
	    (err = ctl_member_str(req, cmd, "rs", &rss)))
		return err;
	if (!vss || !rss)
		return ctl_reply_err("%s needs \"vs\" and \"rs\"", cmd);
	if (!d->lvs)
		return ctl_reply_err("%s: no IPVS table in this process", cmd);
	if ((*vi = lvs_vs_index(d->conf, vss)) < 0)
		return ctl_reply_err("unknown virtual server '%.64s'", vss);
	if (vaddr_port_parse(rss, &a, &port) < 0 || !port)
		return ctl_reply_err("real server '%.64s': expected ADDR:PORT", rss);
	rt_svc_name(&d->conf->vs[*vi], svc, RT_SVC_LEN);
	vaddr_port_str(&a, port, rs, RT_RS_LEN);
	return NULL;
}

static struct json_object *reply_done(struct vigild *d, const char *svc, const char *rs)
{
	struct json_object *r = ctl_reply_ok();
	json_object_object_add(r, "vs", jx_new_string(svc));
	json_object_object_add(r, "rs", jx_new_string(rs));
	json_object_object_add(r, "generation", jx_new_int((int)d->generation));
	return r;
}

struct json_object *rt_cmd_add(struct vigild *d, struct json_object *req)
{
	char svc[RT_SVC_LEN], rs[RT_RS_LEN], why[256];
	int vi;
	if (!d->rt)
		return ctl_reply_err("add: not in this process");
	struct json_object *err = resolve(d, "add", req, &vi, svc, rs);
	if (err)
		return err;
	if (lvs_rs_index(&d->conf->vs[vi], rs) >= 0)
		return ctl_reply_err("%s is already a real server of %s", rs, svc);
	struct rt_change *old = change_find(d->rt, svc, rs);   /* a removal of it */
	if (!old && d->rt->n_changes >= RT_MAX_CHANGES)
		return ctl_reply_err("add: %d runtime changes already; write them in the "
				     "configuration file and reload", RT_MAX_CHANGES);
	struct rt_change *ch = xcalloc(1, sizeof(*ch));
	ch->add = true;
	snprintf(ch->svc, sizeof(ch->svc), "%s", svc);
	snprintf(ch->rs, sizeof(ch->rs), "%s", rs);
	if (!(ch->spec = add_spec(req, &err))) {
		free(ch);
		return err;
	}
	const char *fail = install_change(d, ch, why, sizeof(why));
	if (fail) {
		json_object_put(ch->spec);
		free(ch);
		return ctl_reply_err("add %s to %s: %s", rs, svc, fail);
	}
	if (old)
		change_unlink(d->rt, old);
	change_append(d->rt, ch);
	state_save(d->rt);
	log_notice("operator: add %s to %s %s (generation %u)", rs, svc,
		   json_object_to_json_string_ext(ch->spec, JSON_C_TO_STRING_PLAIN), d->generation);
	return reply_done(d, svc, rs);
}

const char *rt_remove_now(struct vigild *d, const char *svc, const char *rs, char *why,
			  size_t len)
{
	struct rt_change *added = change_find(d->rt, svc, rs);
	if (added && !added->add)
		added = NULL;
	if (!added && d->rt->n_changes >= RT_MAX_CHANGES) {
		snprintf(why, len, "%d runtime changes already; write them in the "
			 "configuration file and reload", RT_MAX_CHANGES);
		return why;
	}
	struct rt_change *ch = xcalloc(1, sizeof(*ch));
	snprintf(ch->svc, sizeof(ch->svc), "%s", svc);
	snprintf(ch->rs, sizeof(ch->rs), "%s", rs);
	const char *fail = install_change(d, ch, why, len);
	if (fail) {
		free(ch);
		return fail;
	}
	/* Removing a runtime addition forgets it; a configured real server is
	 * remembered as removed, so a reload keeps it out. */
	if (added) {
		change_unlink(d->rt, added);
		free(ch);
	} else {
		change_append(d->rt, ch);
	}
	state_save(d->rt);
	log_notice("operator: removed %s from %s (generation %u)", rs, svc, d->generation);
	return NULL;
}

struct json_object *rt_cmd_remove(struct vigild *d, struct json_object *req)
{
	char svc[RT_SVC_LEN], rs[RT_RS_LEN], why[256];
	int vi, timeout = RT_DRAIN_TIMEOUT;
	bool graceful = false;
	if (!d->rt)
		return ctl_reply_err("remove: not in this process");
	struct json_object *err = resolve(d, "remove", req, &vi, svc, rs);
	if (err || (err = ctl_member_bool(req, "remove", "graceful", &graceful)) ||
	    (err = ctl_member_int(req, "remove", "timeout", 0, 86400, &timeout)))
		return err;
	int rj = lvs_rs_index(&d->conf->vs[vi], rs);
	if (rj < 0)
		return ctl_reply_err("unknown real server '%s' of %s", rs, svc);
	if (graceful)
		return rt_drain_start(d, (unsigned)vi, (unsigned)rj, timeout);
	const char *fail = rt_remove_now(d, svc, rs, why, sizeof(why));
	if (fail)
		return ctl_reply_err("remove %s from %s: %s", rs, svc, fail);
	return reply_done(d, svc, rs);
}

bool rt_is_added(const struct vigild *d, const struct vs_conf *v, const struct rs_conf *r)
{
	char svc[RT_SVC_LEN], rs[RT_RS_LEN];
	if (!d->rt || !d->rt->changes)
		return false;
	rt_svc_name(v, svc, sizeof(svc));
	vaddr_port_str(&r->addr, r->port ? r->port : v->port, rs, sizeof(rs));
	const struct rt_change *ch = change_find(d->rt, svc, rs);
	return ch && ch->add;
}

void rt_open(struct vigild *d, bool with_state)
{
	struct runtime *rt = xcalloc(1, sizeof(*rt));
	const char *sock = d->conf->global.control_socket;
	const char *slash = sock && with_state ? strrchr(sock, '/') : NULL;
	if (slash) {
		size_t n = (size_t)(slash - sock);
		rt->state_path = xmalloc(n + sizeof("/runtime.json"));
		memcpy(rt->state_path, sock, n);
		strcpy(rt->state_path + n, "/runtime.json");
	}
	d->rt = rt;
	state_load(rt);
}

void rt_close(struct vigild *d, bool clean)
{
	struct runtime *rt = d->rt;
	if (!rt)
		return;
	rt_drain_free(d);
	if (clean && rt->state_path && rt->changes) {
		log_info("runtime: %u runtime change(s) end with this vigild", rt->n_changes);
		unlink(rt->state_path);
	}
	while (rt->changes)
		change_unlink(rt, rt->changes);
	free(rt->state_path);
	free(rt);
	d->rt = NULL;
}
