/*
 * sdnotify: systemd's readiness, reload and watchdog protocol (see
 * sdnotify.h). A child is counted as having answered a reload when its
 * generation is the parent's, when its reload failed (it keeps the old
 * one and says so), or when it is not running (it gets the generation in
 * force when it starts).
 */
#include <stdio.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "log.h"
#include "sdnotify.h"
#include "vigild.h"

static bool all_ready(const struct vigild *d)
{
	for (int k = 0; k < CHILD__COUNT; k++) {
		const struct child *c = &d->children[k];
		if (c->state != CHILD_DISABLED && c->state != CHILD_RUNNING)
			return false;
	}
	return true;
}

static bool all_answered(const struct vigild *d)
{
	for (int k = 0; k < CHILD__COUNT; k++)
		if (d->children[k].reload_pending)
			return false;
	return true;
}

static void status(struct vigild *d, const char *state)
{
	char buf[256];
	const char *err = d->sdn.last_error[0] ? d->sdn.last_error : "";
	snprintf(buf, sizeof(buf), "STATUS=%s; configuration generation %u; checker %s, vrrp %s%s%s",
		 state, d->generation, child_state_str(d->children[CHILD_CHECKER].state),
		 child_state_str(d->children[CHILD_VRRP].state), *err ? "; " : "", err);
	sd_notify(0, buf);
}

/* The watchdog is fed from the parent's loop, and only while every running
 * child answers heartbeats: a child stuck beyond the supervisor's reach
 * (its kill has not ended it) lets systemd restart the whole director. */
static void watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vigild *d = w->data;
	bool ok = supervise_children_answer(d);
	if (ok)
		sd_notify(0, "WATCHDOG=1");
	else if (!d->sdn.watchdog_held)
		log_err("a child answers no heartbeat: the systemd watchdog is no longer fed");
	d->sdn.watchdog_held = !ok;
	(void)loop;
	(void)revents;
}

void sdn_init(struct vigild *d)
{
	uint64_t usec = 0;
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		ev_timer_init(&d->sdn.watchdog_w, watchdog_cb, 0., usec / 2e6);
		d->sdn.watchdog_w.data = d;
		ev_timer_again(d->loop, &d->sdn.watchdog_w);
		log_info("systemd watchdog: fed every %.3g s", usec / 2e6);
	}
	status(d, "starting");
}

void sdn_stop(struct vigild *d)
{
	ev_timer_stop(d->loop, &d->sdn.watchdog_w);
}

void sdn_child_ready(struct vigild *d)
{
	if (d->sdn.ready_sent || !all_ready(d))
		return;
	d->sdn.ready_sent = true;
	sd_notify(0, "READY=1");
	status(d, "running");
}

void sdn_reload_begin(struct vigild *d)
{
	char buf[64];
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(buf, sizeof(buf), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000);
	sd_notify(0, buf);
	d->sdn.reloading = true;
	d->sdn.last_error[0] = '\0';
}

void sdn_reload_refused(struct vigild *d, unsigned errors)
{
	snprintf(d->sdn.last_error, sizeof(d->sdn.last_error),
		 "last reload refused (%u errors)", errors);
	d->sdn.reloading = false;
	sd_notify(0, "READY=1");
	status(d, "running");
}

void sdn_child_answered(struct vigild *d)
{
	if (!d->sdn.reloading || !all_answered(d))
		return;
	d->sdn.reloading = false;
	for (int k = 0; k < CHILD__COUNT; k++)
		if (d->children[k].last_reload_error[0])
			snprintf(d->sdn.last_error, sizeof(d->sdn.last_error),
				 "%s kept its generation %u", d->children[k].name,
				 d->children[k].generation);
	if (d->sdn.ready_sent)
		sd_notify(0, "READY=1");
	status(d, "running");
}

void sdn_stopping(struct vigild *d)
{
	sd_notify(0, "STOPPING=1");
	status(d, "stopping");
}
