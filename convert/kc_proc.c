/*
 * kc_proc: vrrp_track_process, the processes instances track. Each
 * becomes an element of vrrp.processes; its weight, which vigil keeps on
 * the instance's reference, is remembered for the track_process lines
 * that do not give their own (keepalived's default weight is 1).
 *
 *   process NAME [PARAM ...]   ->  process = NAME; params = [ ... ];
 *   param_match initial|partial  ->  param_match (exact when params and none)
 *   quorum, quorum_max, fork_delay, terminate_delay, delay, full_command
 *
 * keepalived's quorum_max 0 means "fails while any runs": vigil needs
 * quorum <= quorum_max, so quorum goes down to it (0).
 */
#include "kc_conv_int.h"

#include <stdlib.h>
#include <string.h>

struct proc {
	struct kc_val *v;
	struct kc_ref *ref;
	const struct kc_node *process;
	long quorum, quorum_max;
	const struct kc_node *qmax_n;
};

static void p_process(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct proc *p = obj;
	if (n->n < 2) {
		kc_skip(x->d, n->src, "process: a process name is needed");
		return;
	}
	p->process = n;
}

static void p_match(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct proc *p = obj;
	if (n->n < 2) {
		kv_str(p->v, "param_match", "exact");   /* no parameters at all */
		return;
	}
	if (strcmp(n->w[1], "initial") && strcmp(n->w[1], "partial")) {
		kc_skip(x->d, n->src, "param_match %s: expected initial or partial", n->w[1]);
		return;
	}
	kv_str(p->v, "param_match", n->w[1]);
}

static void p_weight(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct kc_ref *r = ((struct proc *)obj)->ref;
	long v;
	if (kc_int(x, n, 1, -254, 254, &v))
		r->weight = v;
	r->reverse = n->n > 2 && !strcmp(n->w[2], "reverse");
}

static void p_quorum(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct proc *p = obj;
	bool max = !strcmp(n->w[0], "quorum_max");
	long v;
	if (!kc_int(x, n, 1, max ? 0 : 1, 65535, &v))
		return;
	if (max) {
		p->quorum_max = v;
		p->qmax_n = n;
	} else {
		p->quorum = v;
	}
}

static void p_secs(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	double v;
	if (kc_secs(x, n, 1, &v))
		kv_num(((struct proc *)obj)->v, n->w[0], v);
}

static void p_full(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	kv_bool(((struct proc *)obj)->v, "full_command", true);
	kc_extra(x, n, 1);
}

static const struct kc_kw proc_kw[] = {
	{ "process", p_process, NULL },
	{ "param_match", p_match, NULL },
	{ "weight", p_weight, NULL },
	{ "quorum", p_quorum, NULL },
	{ "quorum_max", p_quorum, NULL },
	{ "fork_delay", p_secs, NULL },
	{ "terminate_delay", p_secs, NULL },
	{ "delay", p_secs, NULL },
	{ "full_command", p_full, NULL },
	{ NULL, NULL, NULL }
};

/* process, params and the counts, in the order vigil.conf(5) lists them. */
static void p_out(struct proc *p)
{
	unsigned at = 1;
	struct kc_val *name = kv_new(KV_STR, "process");
	name->s = kc_strdup(p->process->w[1]);
	kv_insert(p->v, at++, name);
	if (p->process->n > 2) {
		struct kc_val *l = kv_new(KV_ARRAY, "params");
		for (unsigned i = 2; i < p->process->n; i++)
			kv_str(l, NULL, p->process->w[i]);
		kv_insert(p->v, at++, l);
	}
	if (p->quorum_max >= 0 && p->quorum_max < p->quorum) {
		p->quorum = p->quorum_max;
		kv_int(p->v, "quorum", p->quorum);
		kv_comment(kv_get(p->v, "quorum"), "keepalived's quorum_max %ld: ok only while "
			   "at most %ld run", p->quorum_max, p->quorum_max);
	} else if (p->quorum != 1) {
		kv_int(p->v, "quorum", p->quorum);
	}
	if (p->quorum_max >= 0)
		kv_int(p->v, "quorum_max", p->quorum_max);
}

void kc_track_process(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	if (n->n < 2 || !n->block) {
		kc_skip(x->d, n->src, "vrrp_track_process: a name and a { } block are needed");
		return;
	}
	x->procs_ref = kc_realloc(x->procs_ref, x->n_procs_ref + 1, sizeof(*x->procs_ref));
	struct kc_ref *r = &x->procs_ref[x->n_procs_ref++];
	*r = (struct kc_ref){ .name = n->w[1], .n = n, .weight = 1 };
	struct proc p = { .v = kv_new(KV_GROUP, NULL), .ref = r, .quorum = 1, .quorum_max = -1 };
	kc_from(p.v, n);
	kv_str(p.v, "name", n->w[1]);
	kc_each(x, n, proc_kw, &p);
	if (!p.process) {
		kc_skip(x->d, n->src, "vrrp_track_process %s: no process named", n->w[1]);
		kv_free(p.v);
		return;
	}
	p_out(&p);
	r->ok = true;
	kv_attach(x->processes, p.v);
	(void)obj;
}
