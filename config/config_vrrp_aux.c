/*
 * config_vrrp_aux: what VRRP instances refer to or share — the tracked
 * objects and notify scripts of an instance, the vrrp.scripts an instance
 * tracks by name, and the sync groups that tie instances together.
 *
 * Names are resolved here, once: a track script must name a script in
 * vrrp.scripts (read before the instances), a sync group must name
 * instances (read before the groups), and an instance belongs to at most
 * one group, since a group decides its members' state.
 */
#include "config_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRACK_WEIGHT_MAX 254

/* reverse NULL: the element has no reverse (files: negate the weight). */
bool cfx_track_elem(struct cfx *x, const config_setting_t *e, const char *ctx,
		    const char *namekey, char **name, int *weight, bool *reverse)
{
	const char *const keys[] = { namekey, "weight", reverse ? "reverse" : NULL, NULL };
	long long v;
	if (!config_setting_is_group(e)) {
		cfx_err(x, e, ctx, "expected a group { %s = ...; weight = ...; }", namekey);
		return false;
	}
	cfx_keys(x, e, ctx, keys);
	if (cfx_int(x, e, ctx, "weight", -TRACK_WEIGHT_MAX, TRACK_WEIGHT_MAX, &v) > 0)
		*weight = (int)v;
	if (reverse)
		cfx_bool(x, e, ctx, "reverse", reverse);
	return cfx_require(x, e, ctx, namekey) && cfx_str(x, e, ctx, namekey, name) > 0;
}

static bool script_known(const struct conf *c, const char *name)
{
	for (unsigned i = 0; i < c->n_scripts; i++)
		if (c->scripts[i].name && strcmp(c->scripts[i].name, name) == 0)
			return true;
	return false;
}

static void track_ifs(struct cfx *x, const config_setting_t *l, const char *ctx,
		      struct vrrp_inst_conf *vi)
{
	vi->track_ifs = cfx_calloc(x, cfx_len(l), sizeof(*vi->track_ifs));
	for (unsigned i = 0; i < cfx_len(l); i++) {
		struct vrrp_track_if *t = &vi->track_ifs[vi->n_track_ifs];
		if (cfx_track_elem(x, cfx_elem(l, i), ctx, "name", &t->name, &t->weight,
				   &t->reverse))
			vi->n_track_ifs++;
		else
			free(t->name), t->name = NULL;
	}
}

static void track_scripts(struct cfx *x, const config_setting_t *l, const char *ctx,
			  struct vrrp_inst_conf *vi)
{
	vi->track_scripts = cfx_calloc(x, cfx_len(l), sizeof(*vi->track_scripts));
	for (unsigned i = 0; i < cfx_len(l); i++) {
		const config_setting_t *e = cfx_elem(l, i);
		struct vrrp_track_script *t = &vi->track_scripts[vi->n_track_scripts];
		if (!cfx_track_elem(x, e, ctx, "name", &t->name, &t->weight, &t->reverse)) {
			free(t->name), t->name = NULL;
			continue;
		}
		t->line = (int)config_setting_source_line(e);
		vi->n_track_scripts++;
		if (!script_known(x->c, t->name))
			cfx_err(x, cfx_member(e, "name"), ctx,
				"unknown script '%s' (not defined in vrrp.scripts)", t->name);
	}
}

static void track_files(struct cfx *x, const config_setting_t *l, const char *ctx,
			struct vrrp_inst_conf *vi)
{
	vi->track_files = cfx_calloc(x, cfx_len(l), sizeof(*vi->track_files));
	for (unsigned i = 0; i < cfx_len(l); i++) {
		struct vrrp_track_file *t = &vi->track_files[vi->n_track_files];
		if (cfx_track_elem(x, cfx_elem(l, i), ctx, "path", &t->path, &t->weight, NULL))
			vi->n_track_files++;
		else
			free(t->path), t->path = NULL;
	}
}

void cfx_vrrp_track(struct cfx *x, const config_setting_t *inst, const char *ctx,
		    struct vrrp_inst_conf *vi)
{
	static const char *const keys[] = { "interfaces", "scripts", "files", "processes", NULL };
	const config_setting_t *t = cfx_group(x, inst, ctx, "track");
	char tctx[CFX_CTX_LEN];
	if (!t)
		return;
	cfx_ctx(tctx, "%s: track", ctx);
	cfx_keys(x, t, tctx, keys);
	const config_setting_t *ifs = cfx_list(x, t, tctx, "interfaces", false);
	const config_setting_t *scripts = cfx_list(x, t, tctx, "scripts", false);
	const config_setting_t *files = cfx_list(x, t, tctx, "files", false);
	const config_setting_t *procs = cfx_list(x, t, tctx, "processes", false);
	cfx_ctx(tctx, "%s: track interfaces", ctx);
	if (ifs)
		track_ifs(x, ifs, tctx, vi);
	cfx_ctx(tctx, "%s: track scripts", ctx);
	if (scripts)
		track_scripts(x, scripts, tctx, vi);
	cfx_ctx(tctx, "%s: track files", ctx);
	if (files)
		track_files(x, files, tctx, vi);
	cfx_ctx(tctx, "%s: track processes", ctx);
	if (procs)
		cfx_vrrp_track_procs(x, procs, tctx, vi);
}

void cfx_vrrp_notify(struct cfx *x, const config_setting_t *g, const char *ctx,
		     struct vrrp_notify *n)
{
	static const char *const keys[] = { "master", "backup", "fault", "stop", "all", NULL };
	char nctx[CFX_CTX_LEN];
	cfx_ctx(nctx, "%s: notify", ctx);
	cfx_keys(x, g, nctx, keys);
	if (cfx_str(x, g, nctx, "master", &n->master) > 0)
		cfx_command(x, g, nctx, "master", n->master);
	if (cfx_str(x, g, nctx, "backup", &n->backup) > 0)
		cfx_command(x, g, nctx, "backup", n->backup);
	if (cfx_str(x, g, nctx, "fault", &n->fault) > 0)
		cfx_command(x, g, nctx, "fault", n->fault);
	if (cfx_str(x, g, nctx, "stop", &n->stop) > 0)
		cfx_command(x, g, nctx, "stop", n->stop);
	if (cfx_str(x, g, nctx, "all", &n->all) > 0)
		cfx_command(x, g, nctx, "all", n->all);
}

static void script_parse(struct cfx *x, const config_setting_t *e, struct vrrp_script_conf *s)
{
	static const char *const keys[] = {
		"name", "command", "interval", "timeout", "rise", "fall", NULL
	};
	char ctx[CFX_CTX_LEN];
	const char *name = NULL;
	long long v;
	if (cfx_member_string(e, "name", &name) && *name)
		cfx_ctx(ctx, "vrrp script %s", name);
	else
		cfx_ctx(ctx, "vrrp script at line %u", config_setting_source_line(e));
	s->line = (int)config_setting_source_line(e);
	s->interval = 2.0;
	s->rise = s->fall = 1;
	cfx_keys(x, e, ctx, keys);
	if (cfx_require(x, e, ctx, "name"))
		cfx_str(x, e, ctx, "name", &s->name);
	if (cfx_require(x, e, ctx, "command") && cfx_str(x, e, ctx, "command", &s->command) > 0)
		cfx_command(x, e, ctx, "command", s->command);
	cfx_num(x, e, ctx, "interval", false, &s->interval);
	s->timeout = s->interval;
	cfx_num(x, e, ctx, "timeout", false, &s->timeout);
	if (cfx_int(x, e, ctx, "rise", 1, INT_MAX, &v) > 0)
		s->rise = (unsigned)v;
	if (cfx_int(x, e, ctx, "fall", 1, INT_MAX, &v) > 0)
		s->fall = (unsigned)v;
}

void cfx_vrrp_scripts(struct cfx *x, const config_setting_t *list)
{
	struct conf *c = x->c;
	char where[PATH_MAX + 16];
	c->scripts = cfx_calloc(x, cfx_len(list), sizeof(*c->scripts));
	for (unsigned i = 0; i < cfx_len(list); i++) {
		const config_setting_t *e = config_setting_get_elem(list, i);
		struct vrrp_script_conf *s = &c->scripts[c->n_scripts++];
		if (!config_setting_is_group(e)) {
			cfx_err(x, e, NULL, "vrrp: scripts: element %u: expected a group { ... }", i + 1);
			continue;
		}
		script_parse(x, e, s);
		for (unsigned j = 0; s->name && j < i; j++) {
			if (c->scripts[j].name && strcmp(c->scripts[j].name, s->name) == 0) {
				char ctx[CFX_CTX_LEN];
				cfx_ctx(ctx, "vrrp script %s", s->name);
				cfx_err(x, cfx_member(e, "name"), ctx,
					"name already used by the script at %s",
					cfx_where(x, config_setting_get_elem(list, j), e, where, sizeof(where)));
				break;
			}
		}
	}
}

/* The group that already holds instance name, or NULL. */
static const struct vrrp_group_conf *group_of(const struct conf *c, const char *name)
{
	for (unsigned g = 0; g < c->n_groups; g++)
		for (unsigned i = 0; i < c->groups[g].n_instances; i++)
			if (strcmp(c->groups[g].instances[i], name) == 0)
				return &c->groups[g];
	return NULL;
}

static bool inst_known(const struct conf *c, const char *name)
{
	for (unsigned i = 0; i < c->n_vrrp; i++)
		if (c->vrrp[i].name && strcmp(c->vrrp[i].name, name) == 0)
			return true;
	return false;
}

static void group_members(struct cfx *x, const config_setting_t *e, const char *ctx,
			  struct vrrp_group_conf *g)
{
	const config_setting_t *l = cfx_require(x, e, ctx, "instances")
		? cfx_list(x, e, ctx, "instances", true) : NULL;
	if (!l)
		return;
	if (cfx_len(l) == 0)
		cfx_err(x, l, ctx, "instances: empty list");
	g->instances = cfx_calloc(x, cfx_len(l), sizeof(*g->instances));
	for (unsigned i = 0; i < cfx_len(l); i++) {
		const config_setting_t *m = cfx_elem(l, i);
		const char *name = config_setting_get_string(m);
		const struct vrrp_group_conf *other;
		if (!name) {
			cfx_err(x, m, ctx, "instances: expected a list of strings");
			return;
		}
		if (!inst_known(x->c, name))
			cfx_err(x, m, ctx, "unknown vrrp instance '%s'", name);
		else if ((other = group_of(x->c, name)) == g)
			cfx_err(x, m, ctx, "vrrp instance '%s' listed twice", name);
		else if (other)
			cfx_err(x, m, ctx, "vrrp instance '%s' is already in sync group %s",
				name, other->name ? other->name : "?");
		g->instances[g->n_instances++] = cfx_strdup(x, name);
	}
}

void cfx_vrrp_groups(struct cfx *x, const config_setting_t *list)
{
	static const char *const keys[] = { "name", "instances", "notify", "track", NULL };
	struct conf *c = x->c;
	char where[PATH_MAX + 16];
	c->groups = cfx_calloc(x, cfx_len(list), sizeof(*c->groups));
	for (unsigned i = 0; i < cfx_len(list); i++) {
		const config_setting_t *e = config_setting_get_elem(list, i);
		struct vrrp_group_conf *g = &c->groups[c->n_groups++];
		char ctx[CFX_CTX_LEN];
		const char *name = NULL;
		if (!config_setting_is_group(e)) {
			cfx_err(x, e, NULL, "vrrp: sync_groups: element %u: expected a group { ... }", i + 1);
			continue;
		}
		if (cfx_member_string(e, "name", &name) && *name)
			cfx_ctx(ctx, "sync group %s", name);
		else
			cfx_ctx(ctx, "sync group #%u", i + 1);
		g->line = (int)config_setting_source_line(e);
		cfx_keys(x, e, ctx, keys);
		if (cfx_require(x, e, ctx, "name"))
			cfx_str(x, e, ctx, "name", &g->name);
		for (unsigned j = 0; g->name && j < i; j++)
			if (c->groups[j].name && strcmp(c->groups[j].name, g->name) == 0)
				cfx_err(x, cfx_member(e, "name"), ctx,
					"name already used by the sync group at %s",
					cfx_where(x, config_setting_get_elem(list, j), e, where, sizeof(where)));
		/* Counted before its members are added, so a name listed twice
		 * in this group is reported as being in this group already. */
		group_members(x, e, ctx, g);
		const config_setting_t *n = cfx_group(x, e, ctx, "notify");
		if (n)
			cfx_vrrp_notify(x, n, ctx, &g->notify);
		cfx_vrrp_group_track(x, e, ctx, g);
	}
}

void cfx_notify_free(struct vrrp_notify *n)
{
	free(n->master);
	free(n->backup);
	free(n->fault);
	free(n->stop);
	free(n->all);
}

void cfx_vrrp_aux_free(struct conf *c)
{
	for (unsigned i = 0; i < c->n_groups; i++) {
		for (unsigned k = 0; k < c->groups[i].n_instances; k++)
			free(c->groups[i].instances[k]);
		free(c->groups[i].instances);
		free(c->groups[i].name);
		cfx_notify_free(&c->groups[i].notify);
	}
	free(c->groups);
	for (unsigned i = 0; i < c->n_scripts; i++) {
		free(c->scripts[i].name);
		free(c->scripts[i].command);
	}
	free(c->scripts);
}
