/*
 * kc_sync: an instance's tracking and notify commands, and the sync
 * groups.
 *
 * Tracking weights count differently. keepalived adds a positive weight
 * while the object is up and a negative one while it is down; vigil adds
 * a weight only while the object has failed. So a positive weight W
 * becomes priority + W and weight -W: the same effective priority in
 * every state. keepalived's reverse negates what the object adds: a
 * positive weight W reversed is vigil's weight -W with reverse (counted
 * while up), a negative one -W without (counted while failed, as vigil
 * counts), weight 0 reversed stays reverse (fault while up); a track
 * file's reverse negates its weight. keepalived also drops the weights of a sync group's
 * members (unless sync_group_tracking_weight) and of an address owner:
 * weighted scripts are ignored, a track file keeps weight 0 only if its
 * weight was the default. It says it zeroes a member's interface weights
 * too, but registers the interface with its weight first (vrrp.c, 2.2.7
 * and since), so the weight counts: seen on the wire, priority 150 with
 * an up interface of weight 10 is advertised as 160. The converter does
 * what keepalived does, so the output behaves as keepalived did, and
 * says so in a comment.
 *
 * Notify: vigil appends "INSTANCE|GROUP name state priority" to every
 * command, as keepalived does only for `notify`; a notify_STATE command
 * that does not expect them should ignore extra arguments.
 */
#include "kc_conv_int.h"

#include <stdlib.h>
#include <string.h>

const struct kc_node *kc_group_of(struct kc_cx *x, const char *inst)
{
	for (unsigned g = 0; g < x->n_sync; g++) {
		const struct kc_node *s = x->sync_nodes[g];
		for (unsigned i = 0; i < s->n_kids; i++) {
			const struct kc_node *k = &s->kids[i];
			for (unsigned m = 0; !strcmp(k->w[0], "group") && m < k->n_kids; m++)
				if (!strcmp(k->kids[m].w[0], inst))
					return s;
		}
	}
	return NULL;
}

/* "NAME [weight W [reverse|noreverse]]": false (reported) when unusable. */
static bool track_weight(struct kc_cx *x, const struct kc_node *k, long *weight, bool *reverse)
{
	if (k->n == 1)
		return true;
	if (strcmp(k->w[1], "weight") || !kc_int(x, k, 2, -254, 254, weight)) {
		if (strcmp(k->w[1], "weight"))
			kc_skip(x->d, k->src, "%s: '%s' has no vigil equivalent", k->w[0], k->w[1]);
		return false;
	}
	if (k->n > 3)
		*reverse = !strcmp(k->w[3], "reverse");
	return true;
}

enum kc_trk_kind kc_trk_kind_of(const char *keyword)
{
	return !strcmp(keyword, "track_interface") ? KC_TRK_IF
		: !strcmp(keyword, "track_script") ? KC_TRK_SCRIPT
		: !strcmp(keyword, "track_process") ? KC_TRK_PROC : KC_TRK_FILE;
}

static const char *const ref_kind[] = { "interface", "vrrp_script", "track_file",
					"vrrp_track_process" };

static const struct kc_ref *trk_ref(struct kc_cx *x, enum kc_trk_kind kind, const char *name)
{
	switch (kind) {
	case KC_TRK_SCRIPT: return kc_ref_find(x->scripts_ref, x->n_scripts_ref, name);
	case KC_TRK_FILE: return kc_ref_find(x->files_ref, x->n_files_ref, name);
	case KC_TRK_PROC: return kc_ref_find(x->procs_ref, x->n_procs_ref, name);
	default: return NULL;
	}
}

/* keepalived's reverse, in vigil's terms (see the top of the file). */
static void reversed(struct kc_trk *tr)
{
	if (tr->kind == KC_TRK_FILE) {
		tr->weight = -tr->weight;
		return;
	}
	tr->native = true;
	tr->reverse = tr->weight >= 0;
	tr->weight = -tr->weight;
}

void kc_track_parse(struct kc_cx *x, const struct kc_node *blk, enum kc_trk_kind kind,
		    struct kc_trk **t, unsigned *n, bool from_group)
{
	for (unsigned i = 0; i < blk->n_kids; i++) {
		const struct kc_node *k = &blk->kids[i];
		struct kc_trk tr = { .kind = kind, .name = k->w[0], .n = k, .from_group = from_group };
		bool reverse = false;
		const struct kc_ref *r = NULL;
		if (kind != KC_TRK_IF) {
			r = trk_ref(x, kind, k->w[0]);
			if (!r || !r->ok) {
				kc_skip(x->d, k->src, "%s %s: no converted %s of that name", blk->w[0],
					k->w[0], ref_kind[kind]);
				continue;
			}
			tr.weight = r->weight;
			reverse = r->reverse;
			if (kind == KC_TRK_FILE)
				tr.name = r->path;
		}
		if (!track_weight(x, k, &tr.weight, &reverse))
			continue;
		tr.file_default = kind == KC_TRK_FILE && tr.weight == 1 && !reverse;
		if (reverse)
			reversed(&tr);
		*t = kc_realloc(*t, *n + 1, sizeof(**t));
		(*t)[(*n)++] = tr;
	}
}

static const char *const kind_str[] = { "interface", "script", "file", "process" };

/* keepalived's rules for sync group members and address owners: false
 * when the tracker is to be left out. */
static bool member_rule(struct kc_val *v, struct kc_trk *t, bool owner)
{
	const char *why = owner ? "an address owner" : "a sync group member";
	if (!t->weight)
		return true;
	if (t->kind == KC_TRK_FILE && t->file_default) {
		t->weight = 0;
		return true;
	}
	if (t->kind == KC_TRK_IF && !owner) {
		kv_comment(v, "interface %s: weight kept: keepalived logs that it ignores it for "
			   "%s, but counts it", t->name, why);
		return true;
	}
	kv_comment(v, "%s %s: left out, as keepalived ignores a weighted one for %s",
		   kind_str[t->kind], t->name, why);
	return false;
}

static void track_elem(struct kc_val *list, const char *key, const struct kc_trk *t)
{
	struct kc_val *e = kv_add(list, KV_GROUP, NULL);
	kv_str(e, key, t->name);
	kv_int(e, "weight", t->weight);
	if (t->reverse)
		kv_bool(e, "reverse", true);
}

/* A weight keepalived adds while the object is up: vigil raises the
 * priority by it and subtracts it on failure. */
static bool raises(const struct kc_trk *t)
{
	return t->name && t->kind != KC_TRK_FILE && !t->native && t->weight > 0;
}

void kc_track_out(struct kc_cx *x, struct kc_val *inst, const char *name, long *priority,
		  struct kc_trk *t, unsigned n, bool in_group, bool sync_weights)
{
	bool owner = *priority == 255;
	long raise = 0;
	for (unsigned i = 0; i < n; i++) {
		bool keep = true;
		if (owner || (in_group && !sync_weights && !t[i].from_group))
			keep = member_rule(inst, &t[i], owner);
		if (keep && t[i].kind == KC_TRK_FILE && !t[i].weight) {
			kc_skip(x->d, t[i].n->src, "track_file %s: weight 0 (a non-zero value means "
				"fault): vigil multiplies the value by the weight", t[i].n->w[0]);
			keep = false;
		}
		if (!keep)
			t[i].name = NULL;
		else if (raises(&t[i]))
			raise += t[i].weight;
	}
	if (raise && *priority + raise > 254) {
		for (unsigned i = 0; i < n; i++)
			if (raises(&t[i])) {
				kc_skip(x->d, t[i].n->src, "%s: positive weight %ld: priority %ld plus "
					"the positive weights passes 254, which vigil cannot express",
					t[i].n->w[0], t[i].weight, *priority);
				t[i].name = NULL;
			}
		raise = 0;
	}
	if (raise) {
		struct kc_val *p = kv_get(inst, "priority");
		kv_comment(p, "%ld + %ld: keepalived adds positive track weights while up, vigil "
			   "subtracts them on failure", *priority, raise);
		*priority += raise;
		p->i = *priority;
	}
	struct kc_val *tv = kv_new(KV_GROUP, "track");
	struct kc_val *l[4] = { kv_new(KV_LIST, "interfaces"), kv_new(KV_LIST, "scripts"),
				kv_new(KV_LIST, "files"), kv_new(KV_LIST, "processes") };
	for (unsigned i = 0; i < n; i++) {
		if (!t[i].name)
			continue;
		if (raises(&t[i]))
			t[i].weight = -t[i].weight;
		track_elem(l[t[i].kind], t[i].kind == KC_TRK_FILE ? "path" : "name", &t[i]);
	}
	for (unsigned k = 0; k < 4; k++) {
		if (l[k]->n)
			kv_attach(tv, l[k]);
		else
			kv_free(l[k]);
	}
	if (tv->n)
		kv_attach(inst, tv);
	else
		kv_free(tv);
	(void)name;
}

/* ---- notify ----------------------------------------------------------- */

static const char *const states[] = { "master", "backup", "fault", "stop" };

void kc_notify_kw(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct kc_notify *nt = obj;
	char *cmd = kc_command(x, n, n->w[0]);
	if (!cmd)
		return;
	if (!strcmp(n->w[0], "notify")) {
		free(nt->any);
		nt->any = cmd;
		nt->any_n = n;
		return;
	}
	for (unsigned i = 0; i < 4; i++)
		if (!strcmp(n->w[0] + 7, states[i])) {
			free(nt->cmd[i]);
			nt->cmd[i] = cmd;
			nt->n[i] = n;
		}
}

void kc_notify_out(struct kc_cx *x, struct kc_val *g, struct kc_notify *nt, const char *kind)
{
	struct kc_val *v = g ? kv_new(KV_GROUP, "notify") : NULL;
	bool specific = false;
	for (unsigned i = 0; v && i < 4; i++) {
		specific |= nt->cmd[i] != NULL;
		if (nt->cmd[i])
			kv_str(v, states[i], nt->cmd[i]);
	}
	/* keepalived's generic notify is vigil's "all": same arguments and words. */
	if (v && nt->any)
		kv_str(v, "all", nt->any);
	if (v && v->n) {
		if (specific)
			kv_comment(v, "vigil appends \"%s name state priority\" to each command "
				   "(keepalived did so only for notify)", kind);
		kv_attach(g, v);
	} else {
		kv_free(v);
	}
	for (unsigned i = 0; i < 4; i++) {
		free(nt->cmd[i]);
		nt->cmd[i] = NULL;
	}
	free(nt->any);
	nt->any = NULL;
}

/* ---- vrrp_sync_group -------------------------------------------------- */

struct group {
	struct kc_val *members;
	struct kc_notify notify;
	char ***used;
	unsigned *n_used;
};

static bool converted(struct kc_cx *x, const char *name)
{
	for (unsigned i = 0; i < x->n_inst_ok; i++)
		if (!strcmp(x->inst_ok[i], name))
			return true;
	return false;
}

static void g_members(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct group *g = obj;
	for (unsigned i = 0; i < n->n_kids; i++) {
		const struct kc_node *m = &n->kids[i];
		bool twice = false;
		for (unsigned k = 0; k < *g->n_used; k++)
			twice |= !strcmp((*g->used)[k], m->w[0]);
		if (!converted(x, m->w[0])) {
			kc_skip(x->d, m->src, "sync group member %s: no converted vrrp_instance of "
				"that name", m->w[0]);
		} else if (twice) {
			kc_skip(x->d, m->src, "sync group member %s: already in another group", m->w[0]);
		} else {
			kv_str(g->members, NULL, m->w[0]);
			*g->used = kc_realloc(*g->used, *g->n_used + 1, sizeof(char *));
			(*g->used)[(*g->n_used)++] = m->w[0];
		}
	}
}

static void g_notify(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	kc_notify_kw(x, n, &((struct group *)obj)->notify);
}

static void nothing(struct kc_cx *x, const struct kc_node *n, void *obj)
{
}

static const struct kc_kw group_kw[] = {
	{ "group", g_members, NULL },
	{ "notify_master", g_notify, NULL },
	{ "notify_backup", g_notify, NULL },
	{ "notify_fault", g_notify, NULL },
	{ "notify_stop", g_notify, NULL },
	{ "notify", g_notify, NULL },
	/* taken into each member instance (kc_vrrp.c) */
	{ "track_interface", nothing, NULL },
	{ "track_script", nothing, NULL },
	{ "track_file", nothing, NULL },
	{ "sync_group_tracking_weight", nothing, NULL },
	{ "track_process", nothing, NULL },
	{ "track_bfd", NULL, "vigil has no BFD" },
	{ "smtp_alert", NULL, "e-mail alerts: vigil sends none (use notify scripts)" },
	{ "global_tracking", NULL, "deprecated; use track_* on the group" },
	{ "notify_priority_changes", NULL, "vigil's notify FIFO has no priority-change lines" },
	{ "notify_deleted", NULL, "vigil has no DELETED notification" },
	{ NULL, NULL, NULL }
};

void kc_sync_groups(struct kc_cx *x)
{
	char **used = NULL;
	unsigned n_used = 0;
	for (unsigned i = 0; i < x->n_sync; i++) {
		const struct kc_node *n = x->sync_nodes[i];
		if (n->n < 2 || !n->block) {
			kc_skip(x->d, n->src, "vrrp_sync_group: a name and a { } block are needed");
			continue;
		}
		struct group g = { .members = kv_new(KV_ARRAY, "instances"), .used = &used,
				   .n_used = &n_used };
		kc_each(x, n, group_kw, &g);
		if (!g.members->n) {
			kc_skip(x->d, n->src, "vrrp_sync_group %s: no converted member", n->w[1]);
			kv_free(g.members);
			kc_notify_out(x, NULL, &g.notify, NULL);
			continue;
		}
		struct kc_val *v = kv_add(x->groups, KV_GROUP, NULL);
		kc_from(v, n);
		kv_str(v, "name", n->w[1]);
		kv_attach(v, g.members);
		kc_notify_out(x, v, &g.notify, "GROUP");
	}
	free(used);
}
