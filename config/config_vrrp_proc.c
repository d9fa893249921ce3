/*
 * config_vrrp_proc: the processes VRRP instances can track
 * (vrrp.processes, keepalived's vrrp_track_process), the track.processes
 * list of an instance, and a sync group's own track block, whose objects
 * are added to every member's (keepalived's group-level tracking: one
 * failed object moves the whole group, since each member sees it).
 *
 *   vrrp.processes ──► instances' and groups' track.processes (by name)
 *   sync_groups[].track ──► appended to each member's track lists
 */
#include "config_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUORUM_MAX 65535

/* enum vrrp_param_match from VRRP_PM_EXACT on */
static const char *const pm_names[] = { "exact", "partial", "initial", NULL };

static void proc_params(struct cfx *x, const config_setting_t *e, const char *ctx,
			struct vrrp_process_conf *p)
{
	const config_setting_t *l = cfx_list(x, e, ctx, "params", true);
	if (!l)
		return;
	p->params = cfx_calloc(x, cfx_len(l) + 1, sizeof(*p->params));
	for (unsigned i = 0; i < cfx_len(l); i++) {
		const char *s = config_setting_get_string(cfx_elem(l, i));
		if (!s) {
			cfx_err(x, cfx_elem(l, i), ctx, "params: expected a list of strings");
			return;
		}
		p->params[p->n_params++] = cfx_strdup(x, s);
	}
}

static void proc_counts(struct cfx *x, const config_setting_t *e, const char *ctx,
			struct vrrp_process_conf *p)
{
	long long v;
	int pm;
	double d;
	if (cfx_enum(x, e, ctx, "param_match", pm_names, &pm) > 0)
		p->param_match = (enum vrrp_param_match)(VRRP_PM_EXACT + pm);
	else if (p->n_params)
		p->param_match = VRRP_PM_EXACT;
	if (p->param_match > VRRP_PM_EXACT && !p->n_params)
		cfx_err(x, config_setting_get_member(e, "param_match"), ctx,
			"param_match %s: needs params", pm_names[p->param_match - VRRP_PM_EXACT]);
	if (cfx_int(x, e, ctx, "quorum", 0, QUORUM_MAX, &v) > 0)
		p->quorum = (unsigned)v;
	if (cfx_int(x, e, ctx, "quorum_max", 0, QUORUM_MAX, &v) > 0) {
		p->quorum_max = (unsigned)v;
		if (p->quorum_max < p->quorum)
			cfx_err(x, config_setting_get_member(e, "quorum_max"), ctx,
				"quorum_max %u: less than quorum %u", p->quorum_max, p->quorum);
	}
	if (cfx_num(x, e, ctx, "delay", true, &d) > 0)
		p->fork_delay = p->terminate_delay = d;
	cfx_num(x, e, ctx, "fork_delay", true, &p->fork_delay);
	cfx_num(x, e, ctx, "terminate_delay", true, &p->terminate_delay);
}

static void proc_parse(struct cfx *x, const config_setting_t *e, struct vrrp_process_conf *p)
{
	static const char *const keys[] = {
		"name", "process", "params", "param_match", "full_command", "quorum",
		"quorum_max", "delay", "fork_delay", "terminate_delay", NULL
	};
	char ctx[CFX_CTX_LEN];
	const char *name = NULL;
	if (config_setting_lookup_string(e, "name", &name) && *name)
		cfx_ctx(ctx, "vrrp process %s", name);
	else
		cfx_ctx(ctx, "vrrp process at line %u", config_setting_source_line(e));
	p->line = (int)config_setting_source_line(e);
	p->quorum = 1;
	p->quorum_max = UINT_MAX;
	cfx_keys(x, e, ctx, keys);
	if (cfx_require(x, e, ctx, "name"))
		cfx_str(x, e, ctx, "name", &p->name);
	if (cfx_require(x, e, ctx, "process"))
		cfx_str(x, e, ctx, "process", &p->process);
	cfx_bool(x, e, ctx, "full_command", &p->full_command);
	proc_params(x, e, ctx, p);
	proc_counts(x, e, ctx, p);
}

void cfx_vrrp_processes(struct cfx *x, const config_setting_t *list)
{
	struct conf *c = x->c;
	char where[PATH_MAX + 16];
	c->processes = cfx_calloc(x, cfx_len(list), sizeof(*c->processes));
	for (unsigned i = 0; i < cfx_len(list); i++) {
		const config_setting_t *e = config_setting_get_elem(list, i);
		struct vrrp_process_conf *p = &c->processes[c->n_processes++];
		if (!config_setting_is_group(e)) {
			cfx_err(x, e, NULL, "vrrp: processes: element %u: expected a group { ... }",
				i + 1);
			continue;
		}
		proc_parse(x, e, p);
		for (unsigned j = 0; p->name && j < i; j++)
			if (c->processes[j].name && !strcmp(c->processes[j].name, p->name)) {
				char ctx[CFX_CTX_LEN];
				cfx_ctx(ctx, "vrrp process %s", p->name);
				cfx_err(x, config_setting_get_member(e, "name"), ctx,
					"name already used by the process at %s",
					cfx_where(x, config_setting_get_elem(list, j), e, where,
						  sizeof(where)));
				break;
			}
	}
	if (c->n_processes > VRRP_PROCESSES_MAX)
		cfx_err(x, list, "vrrp: processes", "%u processes: at most %u",
			c->n_processes, VRRP_PROCESSES_MAX);
}

static bool proc_known(const struct conf *c, const char *name)
{
	for (unsigned i = 0; i < c->n_processes; i++)
		if (c->processes[i].name && !strcmp(c->processes[i].name, name))
			return true;
	return false;
}

void cfx_vrrp_track_procs(struct cfx *x, const config_setting_t *l, const char *ctx,
			  struct vrrp_inst_conf *vi)
{
	vi->track_procs = cfx_calloc(x, cfx_len(l), sizeof(*vi->track_procs));
	for (unsigned i = 0; i < cfx_len(l); i++) {
		const config_setting_t *e = cfx_elem(l, i);
		struct vrrp_track_proc *t = &vi->track_procs[vi->n_track_procs];
		if (!cfx_track_elem(x, e, ctx, "name", &t->name, &t->weight, &t->reverse)) {
			free(t->name), t->name = NULL;
			continue;
		}
		t->line = (int)config_setting_source_line(e);
		vi->n_track_procs++;
		if (!proc_known(x->c, t->name))
			cfx_err(x, config_setting_get_member(e, "name"), ctx,
				"unknown process '%s' (not defined in vrrp.processes)", t->name);
	}
}

/* ---- a sync group's track block -------------------------------------- */

#define APPEND(vi, arr, n, from, nfrom, DUP) do { \
		void *na_ = realloc((vi)->arr, ((vi)->n + (nfrom) + 1) * sizeof(*(vi)->arr)); \
		if (!na_) \
			cfx_oom(x); \
		(vi)->arr = na_; \
		for (unsigned k_ = 0; k_ < (nfrom); k_++) { \
			(vi)->arr[(vi)->n] = (from)[k_]; \
			(vi)->arr[(vi)->n].DUP = cfx_strdup(x, (from)[k_].DUP); \
			(vi)->n++; \
		} \
	} while (0)

static struct vrrp_inst_conf *inst_named(struct conf *c, const char *name)
{
	for (unsigned i = 0; i < c->n_vrrp; i++)
		if (c->vrrp[i].name && !strcmp(c->vrrp[i].name, name))
			return &c->vrrp[i];
	return NULL;
}

static void track_conf_free(struct vrrp_inst_conf *t)
{
	for (unsigned k = 0; k < t->n_track_ifs; k++)
		free(t->track_ifs[k].name);
	for (unsigned k = 0; k < t->n_track_scripts; k++)
		free(t->track_scripts[k].name);
	for (unsigned k = 0; k < t->n_track_files; k++)
		free(t->track_files[k].path);
	for (unsigned k = 0; k < t->n_track_procs; k++)
		free(t->track_procs[k].name);
	free(t->track_ifs);
	free(t->track_scripts);
	free(t->track_files);
	free(t->track_procs);
}

/* The group's track block is read as an instance's would be, into a
 * scratch copy the load owns (x->grp_track), then added to each member's
 * lists, so the children see plain instance trackers. */
void cfx_vrrp_group_track(struct cfx *x, const config_setting_t *e, const char *ctx,
			  const struct vrrp_group_conf *g)
{
	if (!config_setting_get_member(e, "track"))
		return;
	void *na = realloc(x->grp_track, (x->n_grp_track + 1) * sizeof(*x->grp_track));
	if (!na)
		cfx_oom(x);
	x->grp_track = na;
	struct vrrp_inst_conf *t = &x->grp_track[x->n_grp_track++];
	*t = (struct vrrp_inst_conf){ 0 };
	cfx_vrrp_track(x, e, ctx, t);
	for (unsigned i = 0; i < g->n_instances; i++) {
		struct vrrp_inst_conf *vi = inst_named(x->c, g->instances[i]);
		if (!vi)
			continue;
		APPEND(vi, track_ifs, n_track_ifs, t->track_ifs, t->n_track_ifs, name);
		APPEND(vi, track_scripts, n_track_scripts, t->track_scripts, t->n_track_scripts,
		       name);
		APPEND(vi, track_files, n_track_files, t->track_files, t->n_track_files, path);
		APPEND(vi, track_procs, n_track_procs, t->track_procs, t->n_track_procs, name);
	}
}

void cfx_vrrp_group_track_free(struct cfx *x)
{
	for (unsigned i = 0; i < x->n_grp_track; i++)
		track_conf_free(&x->grp_track[i]);
	free(x->grp_track);
	x->grp_track = NULL;
	x->n_grp_track = 0;
}

void cfx_vrrp_proc_free(struct conf *c)
{
	for (unsigned i = 0; i < c->n_processes; i++) {
		struct vrrp_process_conf *p = &c->processes[i];
		free(p->name);
		free(p->process);
		for (unsigned k = 0; k < p->n_params; k++)
			free(p->params[k]);
		free(p->params);
	}
	free(c->processes);
}
