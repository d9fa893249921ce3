/*
 * kc_script: vrrp_script and track_file, the named objects instances
 * track. A vrrp_script becomes an element of vrrp.scripts; its weight,
 * which vigil keeps on the instance's reference instead, is remembered
 * for the track_script lines that do not give their own. A track_file's
 * path and weight likewise wait for the instances that name it.
 * keepalived's script interval defaults to 1 s (vigil's to 2): written.
 */
#include "kc_conv_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- vrrp_script and track_file --------------------------------------- */

struct script {
	struct kc_val *v;
	struct kc_ref *ref;
	char *cmd;
};

static void s_script(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct script *s = obj;
	free(s->cmd);
	s->cmd = kc_command(x, n, "script");
}

static void s_secs(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	double v;
	if (kc_secs(x, n, 1, &v) && v > 0)
		kv_num(((struct script *)obj)->v, n->w[0], v);
}

static void s_count(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	long v;
	if (kc_int(x, n, 1, 1, 1000000, &v))
		kv_int(((struct script *)obj)->v, n->w[0], v);
}

static void s_weight(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct kc_ref *r = ((struct script *)obj)->ref;
	long v;
	if (kc_int(x, n, 1, -254, 254, &v))
		r->weight = v;
	r->reverse = n->n > 2 && !strcmp(n->w[2], "reverse");
}

static const struct kc_kw script_kw[] = {
	{ "script", s_script, NULL },
	{ "interval", s_secs, NULL },
	{ "timeout", s_secs, NULL },
	{ "rise", s_count, NULL },
	{ "fall", s_count, NULL },
	{ "weight", s_weight, NULL },
	{ "user", NULL, "vigil runs every script as global script_user" },
	{ "init_fail", NULL, "vigil counts a script as passing until its first result" },
	{ NULL, NULL, NULL }
};

static struct kc_ref *new_ref(struct kc_ref **v, unsigned *n, const struct kc_node *node)
{
	*v = kc_realloc(*v, *n + 1, sizeof(**v));
	struct kc_ref *r = &(*v)[(*n)++];
	*r = (struct kc_ref){ .name = node->n > 1 ? node->w[1] : "", .n = node };
	return r;
}

void kc_vrrp_script(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	if (n->n < 2 || !n->block) {
		kc_skip(x->d, n->src, "vrrp_script: a name and a { } block are needed");
		return;
	}
	struct script s = { .v = kv_new(KV_GROUP, NULL) };
	s.ref = new_ref(&x->scripts_ref, &x->n_scripts_ref, n);
	kc_from(s.v, n);
	kv_str(s.v, "name", n->w[1]);
	kc_each(x, n, script_kw, &s);
	if (!kv_get(s.v, "interval"))
		kv_num(s.v, "interval", 1.0);          /* keepalived's default; vigil's is 2 */
	if (!s.cmd) {
		kc_skip(x->d, n->src, "vrrp_script %s: no command vigil can run", n->w[1]);
		kv_free(s.v);
		free(s.cmd);
		return;
	}
	/* name first, then the command, as vigil.conf(5) lists them */
	struct kc_val *cmd = kv_new(KV_STR, "command");
	cmd->s = s.cmd;
	kv_insert(s.v, 1, cmd);
	s.ref->ok = true;
	kv_attach(x->scripts, s.v);
}

static void f_file(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	if (n->n >= 2)
		((struct kc_ref *)obj)->path = n->w[1];
}

static void f_weight(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct kc_ref *r = obj;
	long v;
	if (kc_int(x, n, 1, -254, 254, &v))
		r->weight = v;
	r->reverse = n->n > 2 && !strcmp(n->w[2], "reverse");
}

static const struct kc_kw file_kw[] = {
	{ "file", f_file, NULL },
	{ "weight", f_weight, NULL },
	{ "init_file", NULL, "vigil neither creates nor writes track files (a missing one counts 0)" },
	{ NULL, NULL, NULL }
};

void kc_track_file(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	if (n->n < 2 || !n->block) {
		kc_skip(x->d, n->src, "%s: a name and a { } block are needed", n->w[0]);
		return;
	}
	struct kc_ref *r = new_ref(&x->files_ref, &x->n_files_ref, n);
	r->weight = 1;
	kc_each(x, n, file_kw, r);
	r->ok = r->path && r->path[0] == '/';
	if (!r->ok)
		kc_skip(x->d, n->src, "%s %s: no absolute file path", n->w[0], n->w[1]);
}
