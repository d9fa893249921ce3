/*
 * control_cmd: the control socket's commands. Each takes the parsed
 * request and returns the reply object; the socket (control.c) and the
 * HTTP status page share them, so both always say the same thing.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "announce.h"
#include "conf.h"
#include "config.h"
#include "control.h"
#include "errbuf.h"
#include "health.h"
#include "jx.h"
#include "lvs.h"
#include "reload.h"
#include "roles.h"
#include "runtime.h"
#include "version.h"
#include "vigild.h"
#include "wallclock.h"

static struct json_object *proc_json(const char *name, int pid, const char *state,
				     double uptime, unsigned restarts, double hb_age)
{
	struct json_object *p = jx_new_object();
	json_object_object_add(p, "name", jx_new_string(name));
	json_object_object_add(p, "pid", jx_new_int(pid));
	json_object_object_add(p, "state", jx_new_string(state));
	json_object_object_add(p, "uptime", jx_new_double(uptime));
	json_object_object_add(p, "restarts", jx_new_int((int)restarts));
	json_object_object_add(p, "heartbeat_age",
			       hb_age < 0 ? NULL : jx_new_double(hb_age));
	return p;
}

struct json_object *ctl_status(struct vigild *d)
{
	struct json_object *r = ctl_reply_ok();
	double now = ev_now(d->loop);
	json_object_object_add(r, "version", jx_new_string(VIGIL_VERSION));
	json_object_object_add(r, "config", jx_new_string(d->opts.config));
	json_object_object_add(r, "config_loaded", jx_new_double(d->conf_loaded_at));
	json_object_object_add(r, "generation", jx_new_int((int)d->generation));
	json_object_object_add(r, "dry_run", jx_new_boolean(d->opts.dry_run));
	json_object_object_add(r, "time", jx_new_double(wall_now()));
	struct json_object *procs = jx_new_array();
	json_object_array_add(procs, proc_json("vigild", (int)getpid(), "running",
					       wall_now() - d->started_at, 0, -1));
	for (int k = 0; k < CHILD__COUNT; k++) {
		const struct child *c = &d->children[k];
		/* Without global.snmp there is no snmp child to speak of. */
		if (k == CHILD_SNMP && c->state == CHILD_DISABLED)
			continue;
		bool live = c->pid > 0;
		struct json_object *p = proc_json(c->name, live ? (int)c->pid : 0,
						  child_state_str(c->state),
						  live ? now - c->started_at : 0., c->restarts,
						  live ? now - c->last_heartbeat : -1);
		json_object_object_add(p, "generation", jx_new_int((int)c->generation));
		if (c->last_reload_error[0])
			json_object_object_add(p, "reload_error",
					       jx_new_string(c->last_reload_error));
		json_object_array_add(procs, p);
	}
	json_object_object_add(r, "processes", procs);
	if (d->checker_stats_at > 0) {
		const struct ipc_checker_stats *cs = &d->checker_stats;
		struct json_object *c = jx_new_object();
		const struct { const char *k; uint64_t v; } f[] = {
			{ "probes", cs->probes }, { "runs", cs->runs }, { "reports", cs->reports },
			{ "reports_unchanged", cs->reports_unchanged },
			{ "half_open_sent", cs->syn_sent }, { "half_open_replies", cs->syn_replies },
			{ "half_open_stray", cs->syn_stray },
			{ "half_open_malformed", cs->syn_malformed },
			{ "half_open_dropped", cs->syn_dropped },
		};
		for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
			json_object_object_add(c, f[i].k, jx_new_int64((int64_t)f[i].v));
		json_object_object_add(c, "age", jx_new_double(now - d->checker_stats_at));
		json_object_object_add(r, "checker", c);
	}
	health_latency_json(d, r);
	lvs_status_json(d, r);
	roles_status_json(d, r);
	announce_status_json(d, r);
	return r;
}

/* reload [--dry-run]: on the reload worker when a socket client asks
 * (answered when the load is done), else at once. */
static struct json_object *cmd_reload(struct vigild *d, struct json_object *req)
{
	bool dry = false;
	struct json_object *err = ctl_member_bool(req, "reload", "dry_run", &dry);
	if (err)
		return err;
	uint64_t ticket = d->reloader ? ctl_defer(d->ctl) : 0;
	if (ticket) {
		if (reload_request(d->reloader, dry ? RELOAD_PREVIEW : RELOAD_APPLY, ticket) < 0)
			ctl_complete(d->ctl, ticket, ctl_reply_err("too many reloads waiting"));
		return NULL;
	}
	if (dry)
		return reload_preview_now(d);
	struct json_object *errors = NULL, *rt = jx_new_array();
	if (parent_reload(d, &errors, rt) != 0) {
		json_object_put(rt);
		struct json_object *r = ctl_reply_err("configuration invalid; the running one is kept");
		json_object_object_add(r, "errors", errors);
		return r;
	}
	struct json_object *r = ctl_reply_ok();
	json_object_object_add(r, "generation", jx_new_int((int)d->generation));
	json_object_object_add(r, "runtime", rt);
	return r;
}

struct json_object *ctl_dispatch(struct vigild *d, struct json_object *req)
{
	struct json_object *cmdo;
	if (!json_object_object_get_ex(req, "cmd", &cmdo) ||
	    !json_object_is_type(cmdo, json_type_string))
		return ctl_reply_err("request has no \"cmd\" string");
	const char *cmd = json_object_get_string(cmdo);
	if (!strcmp(cmd, "status"))
		return ctl_status(d);
	if (!strcmp(cmd, "reload"))
		return cmd_reload(d, req);
	if (!strcmp(cmd, "drain") || !strcmp(cmd, "undrain") || !strcmp(cmd, "weight"))
		return lvs_cmd_steer(d, cmd, req);
	if (!strcmp(cmd, "add"))
		return rt_cmd_add(d, req);
	if (!strcmp(cmd, "remove"))
		return rt_cmd_remove(d, req);
	if (!strcmp(cmd, "removals"))
		return rt_cmd_removals(d, req);
	if (!strcmp(cmd, "vrrp"))
		return roles_cmd(d, req);
	return ctl_reply_err("unknown command '%.64s'", cmd);
}
