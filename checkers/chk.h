/*
 * chk: the health-check library's public face, used by the checker
 * child (checker_child.c) and the unit tests.
 *
 * The engine turns a configuration into probes (one per distinct check on
 * a distinct target, shared by every virtual server that lists it), runs
 * them on one libev loop, applies rise/fall and reports, after every probe
 * completion, one chk_report per (virtual server, real server) that uses
 * the probe. The library never logs: it reports, and the caller decides.
 */
#ifndef VIGIL_CHK_H
#define VIGIL_CHK_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "ipc.h"
#include "risefall.h"

struct conf;
struct check_conf;
struct errbuf;
struct chk_engine;

/* Why a probe ended; chk_reason_str() gives the text's first words. */
enum chk_reason {
	CHK_R_OK,
	CHK_R_TIMEOUT,          /* "timeout" (the whole-probe deadline) */
	CHK_R_REFUSED,          /* "connect refused" */
	CHK_R_UNREACH,          /* "unreachable" */
	CHK_R_CONNECT,          /* "connect:" other errno */
	CHK_R_RESET,            /* "connection reset" */
	CHK_R_CLOSED,           /* "connection closed" before a full answer */
	CHK_R_LOCAL,            /* "local error:" socket(), bind(), ... */
	CHK_R_TLS,              /* "tls:" */
	CHK_R_HTTP_BAD,         /* "http: malformed response" */
	CHK_R_HTTP_STATUS,      /* "http status" N */
	CHK_R_DIGEST,           /* "digest mismatch" */
	CHK_R_EXPECT,           /* "expected text not found" */
	CHK_R_TOO_LARGE,        /* "response too large" */
	CHK_R_SMTP_GREETING,    /* "smtp greeting" CODE */
	CHK_R_SMTP_HELO,        /* "smtp helo reply" CODE */
	CHK_R_SMTP_BAD,         /* "smtp: malformed reply" */
	CHK_R_DNS,              /* "dns:" c-ares status */
	CHK_R_DNS_EXPECT,       /* "dns: expected address missing" */
	CHK_R_PORT_UNREACH,     /* "port unreachable" (ICMP) */
	CHK_R_UDP_REPLY,        /* "unexpected reply" */
	CHK_R_SCRIPT_EXIT,      /* "script exit" N */
	CHK_R_SCRIPT_SIGNAL,    /* "script killed by signal" N */
	CHK_R_SCRIPT_SPAWN,     /* "script:" cannot start */
	CHK_R_REGEX,            /* "regex" not found, or found with regex_no_match */
	CHK_R_FILE,             /* "file value" N: a file check's number says down */
	CHK_R__COUNT
};

const char *chk_reason_str(enum chk_reason r);

/* A check's or a real server's state. UNKNOWN: no verdict yet (a new
 * probe that has neither passed once nor failed `fall` times). A check's
 * is its rise/fall state (common/risefall.h), hence the same values. */
enum chk_state {
	CHK_UNKNOWN = RISEFALL_UNKNOWN, CHK_UP = RISEFALL_UP, CHK_DOWN = RISEFALL_DOWN,
};

const char *chk_state_str(enum chk_state s);

/* What one probe completion says about one (vs, rs). */
struct chk_report {
	unsigned vs, rs, check;       /* indexes into the configuration */
	enum chk_state rs_state;      /* AND of the real server's checks */
	enum chk_state check_state;   /* this check after rise/fall */
	bool pass;                    /* this run's raw result */
	int weight;                   /* dynamic weight, or -1 */
	uint32_t latency_us;
	unsigned passes, failures;    /* consecutive */
	enum chk_reason reason;
	const char *text;             /* full reason text, e.g. "http status 503" */
	bool changed;                 /* says something new (else a refresh) */
	/* The probe's runs since its previous report by latency bucket (see
	 * ipc.h): on the first use reported after them, zeros on the rest. */
	const uint32_t *lat_runs;     /* IPC_LAT_BUCKETS counts */
	uint64_t lat_sum_us;
};

typedef void chk_report_fn(void *arg, const struct chk_report *r);

struct chk_engine *chk_engine_new(struct ev_loop *loop, chk_report_fn *cb, void *arg);
/* Takes a (new) configuration. Probes whose check and target did not change
 * keep their state and timers; new ones start UNKNOWN at a random offset
 * within their interval; the rest stop. The engine borrows c until the
 * next load or free. Returns 0, or -errno with eb set: -EINVAL names the
 * first check that could not be set up (the engine runs the rest);
 * -ENOMEM leaves the engine empty (its old probes point into the
 * configuration being replaced, so they cannot be kept). */
int chk_engine_load(struct chk_engine *e, const struct conf *c, struct errbuf *eb);
void chk_engine_free(struct chk_engine *e);
/* With refresh > 0, a probe's result is reported only when it differs from
 * the last one reported for that use (pass, reason and its text, check
 * state, weight, the real server's state), or when refresh seconds have
 * passed since: latency and consecutive counts then lag by up to that
 * much, verdicts never. 0 (the default): every result. */
void chk_engine_set_refresh(struct chk_engine *e, double refresh);
unsigned chk_engine_probe_count(const struct chk_engine *e);
/* Counters since the engine was made (half-open: its shared raw sockets). */
struct chk_stats {
	unsigned probes;
	uint64_t runs, reports, reports_unchanged;
	uint64_t syn_sent, syn_replies, syn_stray, syn_malformed, syn_dropped;
};
void chk_engine_stats(const struct chk_engine *e, struct chk_stats *out);
/* How late runs started against their schedule, over the engine's life
 * (a debug counter for benchmarks and state dumps). */
struct chk_lateness {
	uint64_t runs;
	double p50_ms, p99_ms, max_ms;   /* p50/p99: upper bucket edges (+19%) */
};
void chk_engine_lateness(const struct chk_engine *e, struct chk_lateness *out);
/* Starts a new lateness window (each state dump reports one window). */
void chk_engine_lateness_reset(struct chk_engine *e);
/* A lateness summary, then one line per probe, for SIGUSR1 state dumps. */
void chk_engine_dump(struct chk_engine *e, void (*line)(void *arg, const char *s),
		     void *arg);

/* Shared-probe keying: true when the two checks, on real servers a and b,
 * would send the same probe (content of the check, where it goes, and
 * the real server it stands for; the config line does not count). */
bool chk_probe_same(const struct check_conf *a, const struct vaddr *rs_a, uint16_t port_a,
		    const struct check_conf *b, const struct vaddr *rs_b, uint16_t port_b);

/* The checker child's life cycle (child_checker.c), run by child_main(). */
struct child_ops;
extern const struct child_ops child_checker_ops;

#endif
