/*
 * engine: what a check type sees of the engine. A check type is one file
 * with one `struct check_ops`; it starts a run, watches its own fds, and
 * ends every run with exactly one check_done(). It holds no retry, rise,
 * fall or timeout logic: the engine owns the timer (one per probe, used
 * for the interval while idle and for the whole-run deadline while
 * running) and calls ops->cancel to release a run's resources after
 * check_done or at the deadline.
 *
 *   idle --timer--> start() --...--> check_done() --> cancel() --> idle
 *                      \--deadline (timer)--> expire()/timeout --^
 */
#ifndef VIGIL_CHK_ENGINE_H
#define VIGIL_CHK_ENGINE_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "chk.h"
#include "conf.h"

struct chk_probe;
struct chk_use;

struct check_ops {
	const char *name;
	enum check_type type;
	size_t priv_size;             /* zeroed block at p->priv */
	/* Once per probe: validate and precompute (argv, TLS context...).
	 * What it keeps must be the probe's own: a reload that keeps the
	 * probe re-points p->cc at the new configuration and frees the old
	 * one, so a pointer into *p->cc taken here would dangle. */
	int (*parse)(struct chk_probe *p, struct errbuf *eb);
	/* Begins a run; ends, now or later, in check_done(). */
	void (*start)(struct chk_probe *p);
	/* Releases the run's fds, watchers, children. Idempotent. */
	void (*cancel)(struct chk_probe *p);
	/* The deadline passed; optional (default: check_done TIMEOUT). */
	void (*expire)(struct chk_probe *p);
	/* Releases what parse() made. */
	void (*free)(struct chk_probe *p);
};

struct chk_probe {
	struct chk_engine *eng;
	const struct check_ops *ops;
	const struct check_conf *cc;  /* borrowed from the engine's conf; a reload
					 that keeps the probe re-points it */
	struct vaddr rs_addr;         /* the real server it stands for */
	uint16_t rs_port;
	struct sockaddr_storage dst;  /* where it goes (connect_address/port) */
	socklen_t dst_len;
	struct vaddr dst_addr;
	uint16_t dst_port;
	ev_timer timer;               /* interval when idle, deadline when running */
	bool running;
	double started;               /* ev_now() at start */
	double due;                   /* when the next run should start */
	double t0;                    /* ev_time() at start: lateness, latency */
	const char *phase;            /* what a timeout interrupted */
	int weight;                   /* set by a check before check_done; -1 none */
	struct risefall counts;       /* this check's rise/fall */
	unsigned retries;             /* failed runs retried in a row (cc->retry) */
	bool pass;
	enum chk_reason reason;
	char text[160];
	uint32_t latency_us;
	uint32_t lat_runs[IPC_LAT_BUCKETS];   /* runs not yet reported, by latency */
	uint64_t lat_sum_us;
	unsigned long runs;
	double reported_at;           /* ev_now() of the last full report */
	uint32_t reported_hash;       /* of what that report said */
	struct chk_use *uses;         /* (vs, rs, check) referencing it */
	unsigned n_uses, cap_uses;
	struct chk_probe *hnext;      /* hash chain */
	struct chk_probe *next;       /* list of all probes */
	struct chk_probe *ohnext, *onext;   /* the same, of the set being replaced */
	bool keep;                    /* reload bookkeeping */
	void *priv;
};

/* The one way out of a run (asserted). fmt may be NULL; otherwise its
 * text follows the reason's, e.g. (CHK_R_HTTP_STATUS, "%d", 503). */
void check_done(struct chk_probe *p, enum chk_reason r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

struct ev_loop *chk_loop(const struct chk_probe *p);
/* A random number from the engine's own state. */
unsigned chk_random(struct chk_probe *p);

/* State a check type shares between all its probes (the half-open TCP
 * check's raw sockets): made on a probe's first use, freed with the
 * engine; `dump` adds a line to the state dump. */
enum chk_shared_kind { CHK_SHARED_SYN, CHK_SHARED__COUNT };
struct chk_shared {
	void *state;
	void (*free)(void *state);
	void (*dump)(void *state, char *buf, size_t len);
	void (*stats)(void *state, struct chk_stats *out);   /* adds its counters */
};
struct chk_shared *chk_shared(struct chk_probe *p, enum chk_shared_kind k);

/* Helpers shared by the socket-based checks. */
/* socket() + O_NONBLOCK + CLOEXEC + bind_address; -errno with text. */
int chk_socket(struct chk_probe *p, int type, int proto, char *err, size_t errlen);
/* Maps a connect/recv errno to a reason and ends the run. */
void chk_fail_errno(struct chk_probe *p, int err, const char *what);

/* The registry. */
extern const struct check_ops chk_tcp_ops, chk_tcp_half_ops, chk_http_ops, chk_https_ops, chk_smtp_ops,
	chk_dns_ops, chk_udp_ops, chk_ping_ops, chk_script_ops, chk_file_ops;

#endif
