/*
 * engine_int: the engine's own structures, shared by engine.c (a probe's
 * life) and engine_load.c (building the probe set from a configuration).
 * Check types do not include this.
 */
#ifndef VIGIL_CHK_ENGINE_INT_H
#define VIGIL_CHK_ENGINE_INT_H

#include "chk_engine.h"

/* One (virtual server, real server) with checks: its probes in check order. */
struct chk_rs {
	unsigned vs, rs;
	bool start_up;
	struct chk_probe **probes;
	unsigned n_probes;
};

/* A probe's user: which real server, and which of its checks. */
struct chk_use {
	struct chk_rs *rs;
	unsigned check;
	bool sent;                    /* reported at least once (this load) */
	uint8_t sent_rs_state;        /* the real server's state last reported */
};

/* Start lateness (actual start - due), in quarter-octave buckets of
 * microseconds: bucket 0 is < 1 us, bucket b >= 1 ends at 2^(b/4) us. */
#define CHK_LATE_BUCKETS 106

struct chk_engine {
	struct ev_loop *loop;
	chk_report_fn *cb;
	void *cb_arg;
	unsigned seed;
	const struct conf *conf;
	struct chk_probe *probes;     /* list */
	unsigned n_probes;
	struct chk_probe **hash;      /* buckets, by chk_probe_hash() */
	unsigned n_buckets;
	struct chk_rs *rs;
	unsigned n_rs;
	uint64_t late[CHK_LATE_BUCKETS];
	uint64_t late_n;
	double late_max;              /* s */
	double late_since;             /* window start: probes due earlier are not counted */
	struct chk_shared shared[CHK_SHARED__COUNT];
	double refresh;               /* see chk_engine_set_refresh */
	unsigned long reports, reports_saved, runs;
};

void eng_probe_schedule_first(struct chk_probe *p);
void eng_probe_stop(struct chk_probe *p);
void eng_probe_report(struct chk_probe *p);

#endif
