/* lvs internals shared by lvs.c (reconcile) and lvs_ctl.c (commands, status). */
#ifndef VIGIL_LVS_INT_H
#define VIGIL_LVS_INT_H

#include <ev.h>
#include <stdint.h>

#include "conf.h"
#include "ipvs.h"

/* An operator's weight for one real server of one virtual server. */
struct lvs_override {
	struct ipvs_svc_key svc;
	struct vaddr addr;
	uint16_t port;
	int weight;                   /* the weight to use (0 for drain) */
	bool drained;
	int conf_weight;              /* the configured weight it was set against */
	enum fwd_method conf_fwd;
	struct lvs_override *next;
};

struct lvs_counts {
	uint64_t ops[IPVS_OP_DEL_DEST + 1];   /* applied, by enum ipvs_op_type */
	uint64_t errors;
	uint64_t reconciles;
};

struct lvs {
	struct vigild *d;
	struct ipvs_ctx ctx;
	bool have_ipvs;
	struct ipvs_table owned;      /* the last wanted table: what vigild owns */
	bool owned_is_kernel;         /* the last apply succeeded: no dump needed */
	bool started;                 /* a first reconcile ran */
	bool dirty;
	ev_prepare prepare_w;
	struct lvs_override *overrides;
	struct lvs_counts count;
	struct { unsigned ops, errors; double ms; } last;
};

/* Builds the wanted table for c (config + health + overrides). */
int lvs_build_wanted(struct lvs *l, const struct conf *c, struct ipvs_table *out,
		     struct errbuf *eb);
struct lvs_override *lvs_find_override(struct lvs *l, const struct ipvs_svc_key *k,
				       const struct vaddr *a, uint16_t port);

#endif
