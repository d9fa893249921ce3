/*
 * runtime: real servers added and removed by the operator while vigild
 * runs (`vigilctl add`, `vigilctl remove`), without editing the file.
 *
 * The running configuration is always one validated struct conf: the
 * file as loaded, with the runtime changes merged into it. A change is
 * kept as the request that made it (a virtual server, a real server and,
 * for an addition, its weight, forwarding and checks as the file would
 * write them), and merging re-reads it with the file's own rules
 * (conf_rs_read). Each change makes a new configuration generation,
 * packed and sent to the children like a reload, so a child runs exactly
 * what the parent validated:
 *
 *   vigilctl add ─> copy(d->conf) + real server ─> parent_install ─> IPC_RELOAD
 *   SIGHUP       ─> conf_load(file) ─> rt_merge(changes) ─> parent_install
 *
 * On a reload each change is kept, or dropped and reported (never
 * silently): an addition whose virtual server is gone or whose real
 * server the file now lists itself, a removal whose real server the file
 * no longer lists. `reload --dry-run` reports the same before it happens.
 * The changes are written to a state file beside the control socket, so a
 * parent that crashes and is restarted carries on with them; a clean stop
 * removes it (the next start begins from the file alone).
 */
#ifndef VIGIL_RUNTIME_H
#define VIGIL_RUNTIME_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RT_MAX_CHANGES 256            /* additions + removals kept at once */
#define RT_MAX_CHECKS 8               /* checks of one added real server */
#define RT_MAX_DRAINS 64              /* graceful removals in progress */
#define RT_DRAIN_TIMEOUT 300          /* s: remove --graceful without --timeout */

#define RT_SVC_LEN 96
#define RT_RS_LEN 64
#define RT_DONE_KEPT 16               /* finished graceful removals remembered */

struct vigild;
struct conf;
struct ipvs_table;
struct vs_conf;
struct rs_conf;
struct json_object;

/* One change: virtual server svc (rt_svc_name) gains or loses real server rs. */
struct rt_change {
	bool add;
	char svc[RT_SVC_LEN];
	char rs[RT_RS_LEN];           /* ADDR:PORT */
	struct json_object *spec;     /* add: {"weight","forwarding","checks"} as given */
	struct rt_change *next;
};

/* A graceful removal: drained, waiting for its active connections. */
struct rt_drain {
	struct vigild *d;
	char svc[RT_SVC_LEN];
	char rs[RT_RS_LEN];
	double started, deadline;     /* ev_now */
	int64_t active, inactive;     /* the kernel's, at the last look; -1: not seen */
	struct rt_drain *next;
};

struct rt_done {
	char svc[RT_SVC_LEN];
	char rs[RT_RS_LEN];
	double waited;                /* s */
	int64_t active_left;          /* active connections when removed */
	bool timed_out;
	char error[128];              /* empty: removed */
};

struct runtime {
	struct rt_change *changes;    /* in the order they were made */
	unsigned n_changes;
	char *state_path;             /* NULL: none (the socket's directory is unusable) */
	struct rt_drain *drains;
	unsigned n_drains;
	ev_timer drain_w;             /* one look for all of them; runs while there are some */
	struct rt_done done[RT_DONE_KEPT];
	unsigned n_done;              /* ever; done[n_done % RT_DONE_KEPT] is next */
};

/* Allocates d->rt and, with_state, reads the state file a previous
 * parent left beside the control socket (its changes are merged by the
 * first rt_merge) and keeps it up to date. */
void rt_open(struct vigild *d, bool with_state);
/* clean: a deliberate stop, which forgets the changes (removes the file). */
void rt_close(struct vigild *d, bool clean);

/* Merges the runtime changes into c, a configuration just loaded from the
 * file. report (an array, or NULL) gets one object per change saying
 * whether it is kept and why not. With commit the dropped changes are
 * forgotten and logged. Returns 0 (its small allocations end the process
 * when they fail, xalloc.h). */
int rt_merge(struct vigild *d, struct conf *c, struct json_object *report, bool commit);

struct json_object *rt_cmd_add(struct vigild *d, struct json_object *req);
struct json_object *rt_cmd_remove(struct vigild *d, struct json_object *req);
struct json_object *rt_cmd_removals(struct vigild *d, struct json_object *req);

/* Real server r of v came from vigilctl add (status shows it). */
bool rt_is_added(const struct vigild *d, const struct vs_conf *v, const struct rs_conf *r);
/* v's canonical name in runtime changes: "ADDR:PORT/proto" or "fwmark:N". */
void rt_svc_name(const struct vs_conf *v, char *buf, size_t len);

/* runtime.c, for runtime_drain.c: removes real server rs of virtual
 * server svc now. NULL, or the reason it could not (in why, or a
 * constant string). */
const char *rt_remove_now(struct vigild *d, const char *svc, const char *rs, char *why,
			  size_t len);

/* runtime_rs.c: reads addition ch's real server for virtual server v of
 * c into out. 0, or -1 with the reason in why. */
int rt_build_rs(const struct conf *c, const struct vs_conf *v, const struct rt_change *ch,
		struct rs_conf *out, char *why, size_t len);

/* runtime_drain.c: graceful removals. */
struct json_object *rt_drain_start(struct vigild *d, unsigned vi, unsigned rj, int timeout);
void rt_drain_free(struct vigild *d);

#endif
