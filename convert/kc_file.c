/*
 * kc_file: keepalived's FILE_CHECK as a vigil file check.
 *
 *   FILE_CHECK {                     { type = "file";
 *     track_file NAME          ->        path = <NAME's file>;
 *     weight W [reverse]       ->        weight = W; reverse = true;
 *     dynamic                  ->        dynamic_weight = true;
 *   }                                    interval = 1.0; }
 *
 * The weight defaults to the track_file's own. keepalived reads the file
 * whenever it changes; vigil reads it at every check, so the check is
 * written with a 1 s interval. FILE_CHECK takes none of the connection
 * options (keepalived ignores them there too).
 */
#include "kc_conv_int.h"

#include <string.h>

struct fchk {
	const char *name;
	const struct kc_node *weight_n;
	long weight;
	bool reverse, dynamic;
};

static void f_track(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	if (n->n >= 2)
		((struct fchk *)obj)->name = n->w[1];
}

static void f_weight(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct fchk *f = obj;
	if (!kc_int(x, n, 1, -65535, 65535, &f->weight))
		return;
	f->weight_n = n;
	f->reverse = n->n > 2 && !strcmp(n->w[2], "reverse");
}

static void f_dynamic(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	((struct fchk *)obj)->dynamic = true;
}

static const struct kc_kw file_chk_kw[] = {
	{ "track_file", f_track, NULL }, { "weight", f_weight, NULL },
	{ "dynamic", f_dynamic, NULL },
	{ NULL, NULL, NULL }
};

void kc_file_check(struct kc_cx *x, const struct kc_node *n, struct kc_val *list)
{
	struct fchk f = { 0 };
	kc_each(x, n, file_chk_kw, &f);
	const struct kc_ref *r = f.name ? kc_ref_find(x->files_ref, x->n_files_ref, f.name) : NULL;
	if (!f.name) {
		kc_skip(x->d, n->src, "FILE_CHECK: no track_file named");
		return;
	}
	if (!r || !r->ok) {
		kc_skip(x->d, n->src, "FILE_CHECK: track_file %s: %s", f.name,
			r ? "not converted" : "no such track_file");
		return;
	}
	long weight = f.weight_n ? f.weight : r->weight;
	bool reverse = f.weight_n ? f.reverse : r->reverse;
	if (f.dynamic && !weight) {
		kc_skip(x->d, n->src, "FILE_CHECK: dynamic with weight 0: vigil's weight 0 is an "
			"on/off switch (converted without dynamic)");
		f.dynamic = false;
	}
	struct kc_val *v = kv_add(list, KV_GROUP, NULL);
	kc_from(v, n);
	kv_str(v, "type", "file");
	kv_num(v, "interval", 1.0);
	kv_comment(kv_get(v, "interval"), "keepalived reads the file when it changes");
	kv_str(v, "path", r->path);
	kv_int(v, "weight", weight);
	if (reverse)
		kv_bool(v, "reverse", true);
	if (f.dynamic)
		kv_bool(v, "dynamic_weight", true);
}
