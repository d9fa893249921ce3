/*
 * vrrp_trackers: the vrrp child's trackers wired to its instances — link
 * events (own interface and track.interfaces), files (inotify) and track
 * scripts — each change ends in vrrp_inst_retrack() for the instances
 * concerned, which turns what the trackers say into priority and fault.
 * The link and file monitors are vrrp/track.c's; the scripts run here,
 * started by proc/proc_spawn.h as script_user:
 *
 *     faults  = own interface down + weight-0 trackers failed
 *     weights = failed interfaces', scripts' and processes' weights
 *               (reverse: of those up) + file value × weight
 *     ─> FAULT_ON / FAULT_OFF, PRIORITY_CHANGED (vrrp_effective_priority)
 *
 *   link monitor ─> vrrp_link_event_cb ─> sockets reopened if the
 *                   interface came back; if_up / trk_if_up ─> retrack;
 *                   a link up ─> MASTERs restore routes it took (vrrp_moves.c)
 *   address event ─> advert source looked up again at the next send
 *   inotify ─> file_cb ─> value re-read ─> retrack
 *   script:  tick_w ──spawn──> running ──exit──> script_done_cb ─┐
 *              ^                  └─timeout: group killed ─────┘ (a failure)
 *              └──── interval ──── rise/fall ──> script_cb on a new verdict
 *                                               ─> retrack its instances
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "argv.h"
#include "child.h"
#include "errbuf.h"
#include "log.h"
#include "vrrp_run.h"
#include "xalloc.h"

static void script_cb(struct vrrp_tscript *t, bool up)
{
	struct vrrp_run *r = t->run;
	char why[64];
	log_info("vrrp script %s: %s", t->conf->name, up ? "up" : "down");
	snprintf(why, sizeof(why), "script %s %s", t->conf->name, up ? "up" : "down");
	for (unsigned i = 0; i < r->n_insts; i++) {
		struct vrrp_inst *in = &r->insts[i];
		for (unsigned j = 0; j < in->conf->n_track_scripts; j++)
			if (in->trk_script[j] == t) {
				vrrp_inst_retrack(in, why);
				break;
			}
	}
}

static void script_verdict(struct vrrp_tscript *t, bool pass)
{
	if (risefall_step(&t->rf, pass, t->conf->rise, t->conf->fall))
		script_cb(t, t->rf.state == RISEFALL_UP);
}

static void script_done_cb(void *arg, int status, bool timed_out)
{
	struct vrrp_tscript *t = arg;
	if (timed_out)
		log_debug("vrrp script %s: killed at its timeout", t->conf->name);
	script_verdict(t, WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void script_tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vrrp_tscript *t = w->data;
	struct vrrp_run *r = t->run;
	struct errbuf eb;
	if (t->sp.pid > 0)
		return;                   /* still running: its timeout ends it */
	double timeout = t->conf->timeout > 0 ? t->conf->timeout : t->conf->interval;
	int rc;
	if (!r->have_user && geteuid() == 0)
		rc = errbuf_set(&eb, ENOENT, "%s", r->user_err);   /* never as root */
	else
		rc = spawn_start(&t->sp, t->argv, r->have_user ? &r->user : NULL, timeout, &eb);
	if (rc < 0) {
		if (!t->start_failed)   /* once, not at every interval */
			log_warn("vrrp script %s: cannot start: %s", t->conf->name, eb.msg);
		t->start_failed = true;
		script_verdict(t, false);
		return;
	}
	t->start_failed = false;
	(void)loop;
	(void)revents;
}

static void script_start(struct vrrp_tscript *t)
{
	t->rf = (struct risefall)RISEFALL_INIT;
	spawn_init(&t->sp, t->run->loop, script_done_cb, t);
	double every = t->conf->interval > 0 ? t->conf->interval : 2.;
	ev_timer_init(&t->tick_w, script_tick_cb, 0., every);
	t->tick_w.data = t;
	ev_timer_start(t->run->loop, &t->tick_w);
}

/* After script_start: takes over the verdict, the rise/fall counts and
 * the schedule of the same script in the previous run, so a reload that
 * did not change it does not make it start over as "unknown" (which
 * counts as passing). A run still in progress is not taken over: the new
 * one starts at once instead. */
static void script_adopt(struct vrrp_tscript *t, const struct vrrp_tscript *old)
{
	t->rf = old->rf;
	t->start_failed = old->start_failed;
	if (old->sp.pid > 0 || !ev_is_active(&old->tick_w))
		return;
	struct ev_loop *loop = t->run->loop;
	ev_timer_stop(loop, &t->tick_w);
	ev_timer_set(&t->tick_w, ev_timer_remaining(loop, (ev_timer *)&old->tick_w),
		     t->tick_w.repeat);
	ev_timer_start(loop, &t->tick_w);
}

static void script_stop(struct vrrp_tscript *t)
{
	ev_timer_stop(t->run->loop, &t->tick_w);
	spawn_stop(&t->sp);
}

static void file_cb(void *arg, const char *path)
{
	struct vrrp_run *r = arg;
	for (unsigned i = 0; i < r->n_insts; i++) {
		struct vrrp_inst *in = &r->insts[i];
		bool hit = false;
		for (unsigned j = 0; j < in->conf->n_track_files; j++)
			if (!strcmp(in->conf->track_files[j].path, path)) {
				in->trk_file[j] = vrrp_file_value(path);
				hit = true;
			}
		if (hit) {
			char why[64];
			snprintf(why, sizeof(why), "file %.50s changed", path);
			vrrp_inst_retrack(in, why);
		}
	}
}

static bool referenced(const struct conf *c, const char *name)
{
	for (unsigned i = 0; i < c->n_vrrp; i++)
		for (unsigned j = 0; j < c->vrrp[i].n_track_scripts; j++)
			if (!strcmp(c->vrrp[i].track_scripts[j].name, name))
				return true;
	return false;
}

static bool same_script(const struct vrrp_script_conf *a, const struct vrrp_script_conf *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->command, b->command) &&
	       a->interval == b->interval && a->timeout == b->timeout &&
	       a->rise == b->rise && a->fall == b->fall;
}

static bool same_user(const struct spawn_user *a, const struct spawn_user *b)
{
	return a->uid == b->uid && a->gid == b->gid && a->ngroups == b->ngroups &&
	       !memcmp(a->groups, b->groups, (size_t)a->ngroups * sizeof(a->groups[0]));
}

/* The previous run's tracker of the same script, if it runs the same way. */
static const struct vrrp_tscript *prev_script(const struct vrrp_run *r,
					      const struct vrrp_run *prev,
					      const struct vrrp_script_conf *sc)
{
	if (!prev || prev->have_user != r->have_user ||
	    (r->have_user && !same_user(&prev->user, &r->user)))
		return NULL;
	for (unsigned i = 0; i < prev->n_scripts; i++)
		if (same_script(prev->scripts[i].conf, sc))
			return &prev->scripts[i];
	return NULL;
}

static void setup_scripts(struct vrrp_run *r, const struct conf *c, const struct vrrp_run *prev)
{
	r->scripts = xcalloc(c->n_scripts + 1, sizeof(*r->scripts));
	for (unsigned i = 0; i < c->n_scripts; i++) {
		const struct vrrp_script_conf *sc = &c->scripts[i];
		if (!referenced(c, sc->name))
			continue;
		struct vrrp_tscript *t = &r->scripts[r->n_scripts];
		int n = argv_split(sc->command, &t->argv);
		if (n == -ENOMEM)
			xalloc_die(0);    /* bookkeeping, as the calloc above */
		if (n <= 0) {
			log_err("vrrp script %s: cannot split '%s'", sc->name, sc->command);
			continue;
		}
		t->run = r;
		t->conf = sc;
		script_start(t);
		const struct vrrp_tscript *old = prev_script(r, prev, sc);
		if (old)
			script_adopt(t, old);
		r->n_scripts++;
	}
}

static struct vrrp_tscript *find_script(struct vrrp_run *r, const char *name)
{
	for (unsigned i = 0; i < r->n_scripts; i++)
		if (!strcmp(r->scripts[i].conf->name, name))
			return &r->scripts[i];
	return NULL;
}

static bool link_up(struct vrrp_run *r, const char *ifname)
{
	int idx;
	bool up;
	return vrrp_link_query(r->links, ifname, &idx, &up) == 0 && up;
}

static void setup_inst(struct vrrp_run *r, struct vrrp_inst *in)
{
	const struct vrrp_inst_conf *c = in->conf;
	in->trk_if_up = xcalloc(c->n_track_ifs + 1, sizeof(*in->trk_if_up));
	in->trk_script = xcalloc(c->n_track_scripts + 1, sizeof(*in->trk_script));
	in->trk_file = xcalloc(c->n_track_files + 1, sizeof(*in->trk_file));
	in->if_up = link_up(r, c->interface);
	for (unsigned i = 0; i < c->n_track_ifs; i++)
		in->trk_if_up[i] = link_up(r, c->track_ifs[i].name);
	for (unsigned i = 0; i < c->n_track_scripts; i++)
		in->trk_script[i] = find_script(r, c->track_scripts[i].name);
	for (unsigned i = 0; i < c->n_track_files; i++) {
		struct errbuf eb;
		in->trk_file[i] = vrrp_file_value(c->track_files[i].path);
		if (r->files && vrrp_filemon_add(r->files, c->track_files[i].path, &eb) < 0)
			log_warn("%s: %s", c->name, eb.msg);
	}
}

void vrrp_run_track_setup(struct vrrp_run *r, const struct vrrp_run *prev)
{
	struct errbuf eb;
	const struct conf *c = r->cx->conf;
	r->files = vrrp_filemon_open(r->loop, file_cb, r, &eb);
	if (!r->files)
		log_warn("vrrp: track files: %s", eb.msg);
	setup_scripts(r, c, prev);
	vrrp_run_procs_setup(r);
	for (unsigned i = 0; i < r->n_insts; i++)
		setup_inst(r, &r->insts[i]);
	/* On a reload the caller retracks once the kept instances have
	 * their state machines back. */
	for (unsigned i = 0; !prev && i < r->n_insts; i++)
		vrrp_inst_retrack(&r->insts[i], "trackers");
}

void vrrp_run_track_free(struct vrrp_run *r)
{
	for (unsigned i = 0; i < r->n_scripts; i++) {
		script_stop(&r->scripts[i]);
		argv_free(r->scripts[i].argv);
	}
	free(r->scripts);
	r->scripts = NULL;
	r->n_scripts = 0;
	vrrp_filemon_close(r->files);
	r->files = NULL;
	vrrp_run_procs_free(r);
	for (unsigned i = 0; i < r->n_insts; i++) {
		free(r->insts[i].trk_if_up);
		free(r->insts[i].trk_script);
		free(r->insts[i].trk_file);
	}
}

static void link_changed(struct vrrp_run *r, const char *ifname, bool up)
{
	char why[64];
	snprintf(why, sizeof(why), "interface %s %s", ifname, up ? "up" : "down");
	for (struct vrrp_io *io = r->ios; io; io = io->next)
		if (!strcmp(io->ifname, ifname) && up) {
			vrrp_io_open(io);
			io->src_valid = false;
			if (io->garp.fd >= 0)
				vrrp_garp_refresh_mac(&io->garp, io->ifname);
		}
	for (unsigned i = 0; i < r->n_insts; i++) {
		struct vrrp_inst *in = &r->insts[i];
		bool hit = false;
		if (!strcmp(in->conf->interface, ifname) && in->if_up != up) {
			in->if_up = up;
			hit = true;
		}
		if (up && in->conf->vmac.on && !in->vmac_ifindex &&
		    !strcmp(in->conf->interface, ifname))
			vrrp_inst_vmac(in);       /* the base is back: its vmac now */
		for (unsigned j = 0; j < in->conf->n_track_ifs; j++)
			if (!strcmp(in->conf->track_ifs[j].name, ifname) && in->trk_if_up[j] != up) {
				in->trk_if_up[j] = up;
				hit = true;
			}
		if (hit)
			vrrp_inst_retrack(in, why);
	}
}

void vrrp_link_event_cb(void *arg, int ifindex, const char *ifname, bool up)
{
	struct child_ctx *cx = arg;
	struct vrrp_run *r = cx->priv;
	if (!r || r->stopping)
		return;
	for (unsigned i = 0; !up && i < r->n_insts; i++)
		vrrp_inst_vmac_gone(&r->insts[i], ifindex);
	if (ifname && *ifname) {
		link_changed(r, ifname, up);
		if (up)
			vrrp_run_moves_link_up(r, ifname);
		return;
	}
	/* Events were lost: ask for every interface we care about. */
	for (unsigned i = 0; i < r->n_insts; i++) {
		const struct vrrp_inst_conf *c = r->insts[i].conf;
		link_changed(r, c->interface, link_up(r, c->interface));
		for (unsigned j = 0; j < c->n_track_ifs; j++)
			link_changed(r, c->track_ifs[j].name, link_up(r, c->track_ifs[j].name));
	}
}

void vrrp_addr_event_cb(void *arg)
{
	struct child_ctx *cx = arg;
	struct vrrp_run *r = cx->priv;
	for (struct vrrp_io *io = r ? r->ios : NULL; io; io = io->next)
		io->src_valid = false;
	if (r)
		vrrp_vmacs_addr_event(r->vmacs);
}

/* A tracked object counts (its weight, or a fault with weight 0) while
 * it has failed; with reverse, while it is up. */
static void track_add(bool failed, bool reverse, int weight, long *sum, unsigned *faults)
{
	if (failed == reverse)
		return;
	if (weight == 0)
		(*faults)++;
	else
		*sum += weight;
}

/* Sums what the trackers say now. */
static long track_sum(struct vrrp_inst *in, unsigned *faults)
{
	const struct vrrp_inst_conf *c = in->conf;
	long sum = 0;
	*faults = (in->if_up ? 0 : 1) + (in->vmac_bad ? 1 : 0);
	for (unsigned i = 0; i < c->n_track_ifs; i++)
		track_add(!in->trk_if_up[i], c->track_ifs[i].reverse, c->track_ifs[i].weight,
			  &sum, faults);
	for (unsigned i = 0; i < c->n_track_scripts; i++) {
		const struct vrrp_tscript *t = in->trk_script[i];
		/* unknown counts as passing */
		track_add(t && t->rf.state == RISEFALL_DOWN, c->track_scripts[i].reverse,
			  c->track_scripts[i].weight, &sum, faults);
	}
	/* A process with no monitor (no events) counts as down. */
	for (unsigned i = 0; i < c->n_track_procs; i++) {
		const struct vrrp_tproc *t = in->trk_proc[i];
		track_add(!t || !t->pq.up || !in->run->procmon, c->track_procs[i].reverse,
			  c->track_procs[i].weight, &sum, faults);
	}
	/* |value| <= VRRP_TRACK_FILE_MAX and |weight| <= 254: no overflow. */
	for (unsigned i = 0; i < c->n_track_files; i++)
		sum += in->trk_file[i] * c->track_files[i].weight;
	return sum;
}

void vrrp_inst_retrack(struct vrrp_inst *in, const char *why)
{
	unsigned faults;
	long sum = track_sum(in, &faults);
	uint8_t prio = vrrp_effective_priority(in->conf->priority, sum);
	in->faults = faults;
	if (in->fsm.state == VRRP_STATE_STOPPED)
		return;
	if (prio != in->fsm.priority) {
		log_info("%s: priority %u -> %u (%s)", in->conf->name, in->fsm.priority, prio, why);
		struct vrrp_event ev = { .type = VRRP_EV_PRIORITY_CHANGED, .priority = prio };
		vrrp_inst_event(in, &ev, why);
		if (in->fsm.state != VRRP_STATE_INIT)
			vrrp_inst_report(in, false, in->fsm.state);
	}
	if ((faults > 0) != in->fsm.fault) {
		struct vrrp_event ev = { .type = faults ? VRRP_EV_FAULT_ON : VRRP_EV_FAULT_OFF };
		vrrp_inst_event(in, &ev, why);
	}
}
