/*
 * lvs_sync: the IPVS connection-sync daemon, which follows a VRRP
 * instance (roles.c asks), and the net.ipv4.vs sysctls that decide which
 * connections it sends.
 *
 * The kernel's master syncs a TCP connection when its count of inbound
 * packets reaches sync_threshold (3 of each period of 50 by default).
 * After the handshake a client has sent 2 (SYN, ACK): a connection that
 * stays idle is never synced, and none of those survives a failover
 * (measured: 0 of 20,000). vigild therefore sets sync_threshold to
 * "2 50" (the handshake's ACK syncs it; every 50 packets after, again)
 * when it starts a sync daemon, in the network namespace it runs in, and
 * logs what it changed; global.ipvs_sync_threshold, _refresh_period and
 * _retries override it (vigil.conf(5)).
 *
 * Directors that are all active behind ECMP (announce.ipvs_sync) run
 * both daemons at once instead, from start to stop: the master sends this
 * director's connections, the backup takes the others'. The master's
 * multicast does not loop back to its own host, so a director never
 * learns its own connections twice; the backup keeps only messages of its
 * syncid. When the router moves a flow to another director, that one has
 * the connection and forwards it to the same real server.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "errbuf.h"
#include "log.h"
#include "procfs.h"
#include "lvs.h"
#include "lvs_int.h"
#include "vigild.h"

#define SYNC_SYSCTL_DIR "/proc/sys/net/ipv4/vs"

/* One sysctl: its old value into was, the new one written (as a shell's
 * echo would: O_TRUNC, one write) when it differs. */
static int set_one(const char *dir, const char *name, const char *value, char *was,
		   size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int err = procfs_read(path, was, len);
	if (err)
		return err;
	for (char *p = was; *p; p++)   /* "3\t50\n" -> "3 50" */
		if (*p == '\t' || *p == '\n')
			*p = *p == '\t' ? ' ' : '\0';
	return strcmp(was, value) ? procfs_write(path, value) : 0;
}

int lvs_sync_tune(const char *dir, const struct global_conf *g, char *msg, size_t len)
{
	struct { const char *name; int a, b; } want[] = {
		{ "sync_threshold", g->sync_threshold, g->sync_period },
		{ "sync_refresh_period", g->sync_refresh_period, -1 },
		{ "sync_retries", g->sync_retries, -1 },
	};
	size_t off = 0;
	msg[0] = '\0';
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char value[32], was[64];
		if (want[i].a < 0)
			continue;
		if (want[i].b >= 0)
			snprintf(value, sizeof(value), "%d %d", want[i].a, want[i].b);
		else
			snprintf(value, sizeof(value), "%d", want[i].a);
		int err = set_one(dir, want[i].name, value, was, sizeof(was));
		if (err) {
			snprintf(msg, len, "%s/%s: %s", dir, want[i].name, strerror(-err));
			return err;
		}
		int n = snprintf(msg + off, len - off, "%snet.ipv4.vs.%s = %s (%s%s)", off ? ", " : "",
				 want[i].name, value, strcmp(was, value) ? "was " : "already",
				 strcmp(was, value) ? was : "");
		if (n > 0 && (size_t)n < len - off)
			off += (size_t)n;
	}
	return 0;
}

/* Once per configuration of the values: before the first start of a
 * sync daemon, and again when a reload changes them. */
static void tune(struct vigild *d, struct lvs *l)
{
	const struct global_conf *g = &d->conf->global;
	int now[4] = { g->sync_threshold, g->sync_period, g->sync_refresh_period, g->sync_retries };
	if (l->sync_tuned && !memcmp(now, l->sync_tuning, sizeof(now)))
		return;
	memcpy(l->sync_tuning, now, sizeof(now));
	l->sync_tuned = true;
	if (now[0] < 0 && now[2] < 0 && now[3] < 0)
		return;
	char msg[512];
	if (!l->have_ipvs || d->opts.dry_run) {
		log_info("ipvs: (%s) connection sync would set net.ipv4.vs.sync_threshold = %d %d",
			 l->have_ipvs ? "dry run" : "no IPVS", now[0], now[1]);
		return;
	}
	if (lvs_sync_tune(SYNC_SYSCTL_DIR, g, msg, sizeof(msg)) < 0)
		log_err("ipvs: connection sync: cannot set %s; idle connections may not survive "
			"a failover", msg);
	else
		log_notice("ipvs: connection sync: %s%s", msg, g->sync_threshold == 2 ?
			   ": a connection is synced on its 2nd inbound packet, so one idle since "
			   "its handshake survives a failover" : "");
}

int lvs_sync_daemon(struct vigild *d, int state, const char *ifname, unsigned syncid)
{
	struct lvs *l = d->lvs;
	const char *role = state == IPVS_SYNC_MASTER ? "master" : state == IPVS_SYNC_BACKUP
			   ? "backup" : "stopped";
	if (l && state)
		tune(d, l);
	if (!l || !l->have_ipvs || d->opts.dry_run) {
		log_info("ipvs: %ssync daemon %s on %s, syncid %u", l && l->have_ipvs ? "(dry run) "
			 : "(no IPVS) ", role, ifname, syncid);
		return 0;
	}
	struct errbuf eb;
	for (int s = IPVS_SYNC_MASTER; s <= IPVS_SYNC_BACKUP; s++)
		if (s != state)
			ipvs_sync_stop(&l->ctx, (enum ipvs_sync_state)s, &eb);   /* may not run */
	if (!state)
		return 0;
	struct ipvs_sync_daemon sd = { .state = (enum ipvs_sync_state)state, .syncid = syncid };
	snprintf(sd.ifname, sizeof(sd.ifname), "%s", ifname);
	int r = ipvs_sync_start(&l->ctx, &sd, &eb);
	if (r < 0)
		log_err("ipvs: sync daemon %s on %s: %s", role, ifname, eb.msg);
	else
		log_info("ipvs: sync daemon %s on %s, syncid %u", role, ifname, syncid);
	return r;
}

/* The daemon of state as it runs now: 1 when it matches (ifname, id),
 * 0 when none runs, -1 when another runs. */
static int running_as(struct lvs *l, enum ipvs_sync_state state, const char *ifname,
		      unsigned id)
{
	struct ipvs_sync_daemon run[2];
	unsigned n = 0;
	struct errbuf eb;
	if (ipvs_sync_get(&l->ctx, run, &n, &eb) < 0)
		return -1;
	for (unsigned i = 0; i < n; i++)
		if (run[i].state == state)
			return !strcmp(run[i].ifname, ifname) && run[i].syncid == id ? 1 : -1;
	return 0;
}

/* Starts both; one that already runs alike (a previous vigild's, killed)
 * is adopted, one that runs otherwise is restarted. */
static bool start_both(struct vigild *d, const char *ifname, unsigned id)
{
	struct lvs *l = d->lvs;
	bool ok = true;
	for (int s = IPVS_SYNC_MASTER; s <= IPVS_SYNC_BACKUP; s++) {
		const char *role = s == IPVS_SYNC_MASTER ? "master" : "backup";
		struct ipvs_sync_daemon sd = { .state = (enum ipvs_sync_state)s, .syncid = id };
		struct errbuf eb;
		snprintf(sd.ifname, sizeof(sd.ifname), "%s", ifname);
		int now = running_as(l, sd.state, ifname, id);
		if (now > 0) {
			log_info("ipvs: sync daemon %s on %s, syncid %u: already running", role,
				 ifname, id);
			continue;
		}
		if (now < 0)
			ipvs_sync_stop(&l->ctx, sd.state, &eb);
		if (ipvs_sync_start(&l->ctx, &sd, &eb) < 0) {
			log_err("ipvs: sync daemon %s on %s: %s; connections of other directors "
				"may not survive a change of director", role, ifname, eb.msg);
			ok = false;
		} else {
			log_notice("ipvs: sync daemon %s on %s, syncid %u (announce: master and "
				   "backup at once)", role, ifname, id);
		}
	}
	return ok;
}

void lvs_sync_both(struct vigild *d, bool stopping)
{
	struct lvs *l = d->lvs;
	if (!l)
		return;
	const struct announce_conf *an = &d->conf->announce;
	const char *want = stopping ? NULL : an->sync_interface;
	bool live = l->have_ipvs && !d->opts.dry_run;
	if (want ? l->both_on && !strcmp(l->both_if, want) && l->both_id == an->syncid
		 : !l->both_on)
		return;
	if (l->both_on && live) {
		struct errbuf eb;
		ipvs_sync_stop(&l->ctx, IPVS_SYNC_MASTER, &eb);
		ipvs_sync_stop(&l->ctx, IPVS_SYNC_BACKUP, &eb);
		log_info("ipvs: sync daemons on %s stopped", l->both_if);
	}
	l->both_on = false;
	if (!want)
		return;
	tune(d, l);
	if (!live)
		log_info("ipvs: (%s) sync daemons master and backup on %s, syncid %u",
			 l->have_ipvs ? "dry run" : "no IPVS", want, an->syncid);
	else if (!start_both(d, want, an->syncid))
		return;   /* tried again at the next reload */
	l->both_on = true;
	snprintf(l->both_if, sizeof(l->both_if), "%s", want);
	l->both_id = an->syncid;
}
