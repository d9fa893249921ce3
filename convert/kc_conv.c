/*
 * kc_conv: the conversion's top level and global_defs, and the helpers
 * every block uses (arguments, commands, addresses).
 *
 *   pass 1: global_defs, vrrp_script, track_file   (what others refer to)
 *   pass 2: vrrp_instance, virtual_server, the rest, in file order
 *   pass 3: vrrp_sync_group                         (needs the instances)
 *
 * Defaults that differ are written out: keepalived runs scripts without
 * its script security unless enable_script_security is given, so
 * script_security = false is written when it is not.
 */
#include "kc_conv_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ---- helpers --------------------------------------------------------- */

void kc_each(struct kc_cx *x, const struct kc_node *block, const struct kc_kw *table, void *obj)
{
	for (unsigned i = 0; i < block->n_kids; i++) {
		const struct kc_node *k = &block->kids[i];
		const struct kc_kw *kw = table;
		while (kw->name && strcmp(kw->name, k->w[0]) != 0)
			kw++;
		if (!kw->name)
			kc_skip(x->d, k->src, "'%s': no vigil equivalent here", k->w[0]);
		else if (kw->fn)
			kw->fn(x, k, obj);
		else if (kw->skip)
			kc_skip(x->d, k->src, "%s: %s", k->w[0], kw->skip);
	}
}

/* A block after a keyword that takes a value: keepalived reads its
 * statements as the enclosing block's, which is never what was meant. */
static void no_block(struct kc_cx *x, const struct kc_node *n)
{
	if (n->block)
		kc_skip(x->d, n->src, "%s: takes no { } block (what it holds is not converted)",
			n->w[0]);
}

bool kc_int(struct kc_cx *x, const struct kc_node *n, unsigned idx, long min, long max, long *out)
{
	no_block(x, n);
	return kc_int_arg(x, n, idx, min, max, out);
}

bool kc_int_arg(struct kc_cx *x, const struct kc_node *n, unsigned idx, long min, long max,
		long *out)
{
	if (idx >= n->n) {
		kc_skip(x->d, n->src, "%s: value missing", n->w[0]);
		return false;
	}
	char *end;
	errno = 0;
	long v = strtol(n->w[idx], &end, 10);
	if (errno || end == n->w[idx] || *end || v < min || v > max) {
		kc_skip(x->d, n->src, "%s: '%s' is not a number from %ld to %ld", n->w[0],
			n->w[idx], min, max);
		return false;
	}
	*out = v;
	return true;
}

bool kc_secs(struct kc_cx *x, const struct kc_node *n, unsigned idx, double *out)
{
	no_block(x, n);
	if (idx >= n->n) {
		kc_skip(x->d, n->src, "%s: value missing", n->w[0]);
		return false;
	}
	char *end;
	double v = strtod(n->w[idx], &end);
	if (end == n->w[idx] || *end || !isfinite(v) || v < 0 || v > 86400 * 366) {
		kc_skip(x->d, n->src, "%s: '%s' is not a number of seconds", n->w[0], n->w[idx]);
		return false;
	}
	*out = v;
	return true;
}

bool kc_flag(struct kc_cx *x, const struct kc_node *n, unsigned idx, bool *out)
{
	static const char *const yes[] = { "on", "true", "yes" }, *const no[] = { "off", "false", "no" };
	*out = true;
	no_block(x, n);
	if (idx >= n->n)
		return true;
	for (unsigned i = 0; i < 3; i++) {
		if (!strcmp(n->w[idx], yes[i]))
			return true;
		if (!strcmp(n->w[idx], no[i]))
			return !(*out = false);
	}
	kc_skip(x->d, n->src, "%s: '%s' is not on/off, true/false or yes/no", n->w[0], n->w[idx]);
	return false;
}

void kc_extra(struct kc_cx *x, const struct kc_node *n, unsigned max)
{
	if (n->n <= max)
		return;
	char rest[256] = "";
	for (unsigned i = max; i < n->n; i++)
		snprintf(rest + strlen(rest), sizeof(rest) - strlen(rest), "%s%s",
			 i > max ? " " : "", n->w[i]);
	kc_skip(x->d, n->src, "%s: '%s' has no vigil equivalent", n->w[0], rest);
}

void kc_from(struct kc_val *v, const struct kc_node *n)
{
	char words[96] = "";
	for (unsigned i = 0; i < n->n && strlen(words) < 60; i++)
		snprintf(words + strlen(words), sizeof(words) - strlen(words), "%s%s",
			 i ? " " : "", n->w[i]);
	kv_comment(v, "from %s:%d: %s", n->src.file, n->src.line, words);
}

int kc_family(const char *s, bool prefix_ok)
{
	char a[64];
	unsigned char buf[16];
	size_t n = strcspn(s, "/");
	if (n >= sizeof(a) || (s[n] && !prefix_ok))
		return 0;
	memcpy(a, s, n);
	a[n] = '\0';
	int af = inet_pton(AF_INET, a, buf) == 1 ? AF_INET
		: inet_pton(AF_INET6, a, buf) == 1 ? AF_INET6 : 0;
	if (af && s[n]) {
		char *end;
		long len = strtol(s + n + 1, &end, 10);
		if (end == s + n + 1 || *end || len < 0 || len > (af == AF_INET ? 32 : 128))
			return 0;
	}
	return af;
}

bool kc_once(struct kc_cx *x, const struct kc_node *n)
{
	for (unsigned i = 0; i < x->n_seen; i++)
		if (x->seen[i] == n)
			return false;
	x->seen = kc_realloc(x->seen, x->n_seen + 1, sizeof(*x->seen));
	x->seen[x->n_seen++] = n;
	return true;
}

const struct kc_ref *kc_ref_find(const struct kc_ref *v, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

/* A program name without a slash, found in the search path, or NULL. */
static char *find_program(const char *path, const char *name)
{
	char *dirs = kc_strdup(path), *save = NULL, *found = NULL;
	for (char *d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *p;
		if (asprintf(&p, "%s/%s", d, name) < 0)
			abort();
		if (access(p, X_OK) == 0)
			found = p;
		else
			free(p);
	}
	free(dirs);
	return found;
}

/* One word as vigil's command splitter reads it back (common/argv.c). */
static void quote_word(char **cmd, size_t *len, const char *w)
{
	bool plain = *w != '\0';
	for (const char *p = w; *p && plain; p++)
		plain = strchr("'\"\\ \t\n$`", *p) == NULL;
	size_t need = *len + 4 * strlen(w) + 4;
	*cmd = kc_realloc(*cmd, need, 1);
	char *o = *cmd + *len;
	if (*len)
		*o++ = ' ';
	if (plain) {
		o = stpcpy(o, w);
	} else {
		*o++ = '\'';
		for (const char *p = w; *p; p++)
			o = *p == '\'' ? stpcpy(o, "'\\''") : (*o = *p, o + 1);
		*o++ = '\'';
	}
	*o = '\0';
	*len = (size_t)(o - *cmd);
}

char *kc_command(struct kc_cx *x, const struct kc_node *n, const char *what)
{
	char **w = NULL, **argv = NULL, *cmd = NULL;
	int nw = kc_qe_split(n->raw, &w);
	int na = nw >= 2 ? kc_qe_split(w[1], &argv) : -1;
	if (na <= 0) {
		kc_skip(x->d, n->src, "%s: no command, or an unterminated quote", what);
		goto out;
	}
	if (nw > 2)
		kc_skip(x->d, n->src, "%s: user '%s': vigil runs every script as global script_user",
			what, w[2]);
	if (argv[0][0] == '<') {
		kc_skip(x->d, n->src, "%s: '%s' is a file test keepalived makes itself; "
			"vigil runs programs only (e.g. /usr/bin/test -e FILE)", what, argv[0]);
		goto out;
	}
	if (!strchr(argv[0], '/')) {
		char *p = find_program(x->search_path, argv[0]);
		if (!p) {
			kc_skip(x->d, n->src, "%s: program '%s' not found in %s: write its absolute path",
				what, argv[0], x->search_path);
			goto out;
		}
		free(argv[0]);
		argv[0] = p;
	} else if (argv[0][0] != '/') {
		kc_skip(x->d, n->src, "%s: '%s' is relative: vigil needs an absolute path", what,
			argv[0]);
		goto out;
	}
	size_t len = 0;
	for (int i = 0; i < na; i++)
		quote_word(&cmd, &len, argv[i]);
out:
	kc_words_free(w);
	kc_words_free(argv);
	return cmd;
}

/* ---- global_defs ------------------------------------------------------ */

static void g_router_id(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	if (n->n >= 2)
		kv_str(x->global, "router_id", n->w[1]);
	kc_extra(x, n, 2);
}

/* notify_fifo / vrrp_notify_fifo / lvs_notify_fifo PATH [USER [GROUP]]:
 * vigil has one FIFO, with VRRP and real-server lines. */
static void g_fifo(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	if (n->n < 2 || n->w[1][0] != '/') {
		kc_skip(x->d, n->src, "%s: expected an absolute path", n->w[0]);
		return;
	}
	if (x->fifo_n) {
		kc_skip(x->d, n->src, "%s: vigil writes one FIFO (%s, line %d)", n->w[0],
			x->fifo_n->w[1], x->fifo_n->src.line);
		return;
	}
	x->fifo_n = n;
	kv_str(x->global, "notify_fifo", n->w[1]);
	if (n->n > 2)
		kc_skip(x->d, n->src, "%s: owner '%s': vigil creates the FIFO as root, mode 0644",
			n->w[0], n->w[2]);
	if (strcmp(n->w[0], "notify_fifo"))
		kc_skip(x->d, n->src, "%s: vigil writes its VRRP and real-server lines alike "
			"to global.notify_fifo", n->w[0]);
}

static void g_startup_delay(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	double d;
	if (kc_secs(x, n, 1, &d))
		kv_num(x->global, "vrrp_startup_delay", d);
}

static void g_strict(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	x->vrrp_strict = true;
	kv_bool(x->global, "vrrp_strict", true);
	kc_extra(x, n, 1);
}

/* keepalived names an instance's default vmac PREFIX.VRID; vigil's default
 * is vrrp.VRID, so the instances get the name (kc_vmac_out). */
static void g_vmac_prefix(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	if (n->n >= 2)
		x->vmac_prefix = n->w[1];
	kc_extra(x, n, 2);
	(void)obj;
}

static void g_script_user(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	if (n->n < 2)
		return;
	kv_str(x->global, "script_user", n->w[1]);
	x->has_script_user = true;
	if (n->n > 2)
		kc_skip(x->d, n->src, "script_user: group '%s': vigil runs scripts with the "
			"user's own groups", n->w[2]);
}

static void g_security(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	x->script_security = true;
}

static void g_version(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	long v;
	if (kc_int(x, n, 1, 2, 3, &v))
		x->vrrp_version = v;
}

static void g_garp(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct kc_garp *g = &x->garp;
	const char *k = n->w[0] + 5;          /* past "vrrp_" */
	long v;
	if (!strcmp(k, "garp_master_delay")) {
		if (kc_secs(x, n, 1, &g->delay))
			g->delay_n = n;
	} else if (!strcmp(k, "garp_master_repeat")) {
		if (kc_int(x, n, 1, 0, 100, &v))
			g->repeat = v;
	} else if (!strcmp(k, "garp_master_refresh")) {
		kc_secs(x, n, 1, &g->refresh);
	} else if (!strcmp(k, "garp_master_refresh_repeat")) {
		if (kc_int(x, n, 1, 1, 100, &v))
			g->refresh_repeat = v, g->refresh_repeat_n = n;
	} else if (!strcmp(k, "garp_lower_prio_repeat")) {
		if (kc_int(x, n, 1, 0, 100, &v))
			g->lower_repeat = v, g->lower_n = n;
	} else if (!strcmp(k, "garp_interval") || !strcmp(k, "gna_interval")) {
		kc_secs(x, n, 1, &g->interval);
	} else if (!strcmp(k, "min_garp")) {
		bool on;
		if (kc_flag(x, n, 1, &on) && on)
			g->repeat = 1, g->delay = 0;
	}
}

static void g_lvs_sync(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	x->lvs_sync = n;
}

static void nothing(struct kc_cx *x, const struct kc_node *n, void *obj)
{
}

#define MAIL "e-mail alerts: vigil sends none (use notify scripts)"
static const struct kc_kw global_kw[] = {
	{ "router_id", g_router_id, NULL },
	{ "script_user", g_script_user, NULL },
	{ "enable_script_security", g_security, NULL },
	{ "vrrp_version", g_version, NULL },
	{ "notify_fifo", g_fifo, NULL },
	{ "vrrp_notify_fifo", g_fifo, NULL },
	{ "lvs_notify_fifo", g_fifo, NULL },
	{ "notify_fifo_script", NULL, "vigil starts no FIFO reader (run it as a service)" },
	{ "lvs_notify_fifo_script", NULL, "vigil starts no FIFO reader (run it as a service)" },
	{ "vrrp_notify_fifo_script", NULL, "vigil starts no FIFO reader (run it as a service)" },
	{ "vrrp_startup_delay", g_startup_delay, NULL },
	{ "vrrp_garp_master_delay", g_garp, NULL },
	{ "vrrp_garp_master_repeat", g_garp, NULL },
	{ "vrrp_garp_master_refresh", g_garp, NULL },
	{ "vrrp_garp_master_refresh_repeat", g_garp, NULL },
	{ "vrrp_garp_interval", g_garp, NULL },
	{ "vrrp_gna_interval", g_garp, NULL },
	{ "vrrp_min_garp", g_garp, NULL },
	{ "lvs_sync_daemon", g_lvs_sync, NULL },
	{ "lvs_timeouts", kc_lvs_timeouts, NULL },
	/* what vigil does anyway: memory locked, real-time VRRP, own entries removed */
	{ "vrrp_no_swap", nothing, NULL },
	{ "vrrp_rt_priority", nothing, NULL },
	{ "lvs_flush_on_stop", nothing, NULL },
	{ "notification_email", NULL, MAIL },
	{ "notification_email_from", NULL, MAIL },
	{ "smtp_server", NULL, MAIL },
	{ "smtp_helo_name", NULL, MAIL },
	{ "smtp_connect_timeout", NULL, MAIL },
	{ "smtp_alert", NULL, MAIL },
	{ "smtp_alert_vrrp", NULL, MAIL },
	{ "smtp_alert_checker", NULL, MAIL },
	{ "no_email_faults", NULL, MAIL },
	{ "vrrp_strict", g_strict, NULL },
	{ "vrrp_mcast_group4", NULL, "vigil sends adverts to the RFC group 224.0.0.18" },
	{ "vrrp_mcast_group6", NULL, "vigil sends adverts to the RFC group ff02::12" },
	{ "vrrp_garp_lower_prio_delay", NULL, "vigil's second burst after a lower-priority "
					      "master follows garp.delay" },
	{ "vrrp_garp_lower_prio_repeat", g_garp, NULL },
	{ "snmp_socket", NULL, "vigil's AgentX subagent serves its own MIB (global.snmp)" },
	{ "enable_snmp_vrrp", NULL, "vigil's AgentX subagent serves its own MIB (global.snmp)" },
	{ "enable_snmp_checker", NULL, "vigil's AgentX subagent serves its own MIB (global.snmp)" },
	{ "enable_snmp_rfc", NULL, "vigil's AgentX subagent serves its own MIB (global.snmp)" },
	{ "enable_traps", NULL, "vigil sends no SNMP traps" },
	{ "lvs_flush", NULL, "vigil never flushes IPVS entries it did not create" },
	{ "vmac_prefix", g_vmac_prefix, NULL },
	{ "vmac_addr_prefix", NULL, "vigil's virtual MAC is always 00:00:5e:00:01:VRID" },
	{ "disable_local_igmp", NULL, "set net.ipv4.igmp_link_local_mcast_reports = 0 "
				      "in the system's sysctl settings" },
	{ NULL, NULL, NULL }
};

static void global_defs(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	kc_from(x->global, n);
	kc_each(x, n, global_kw, NULL);
}

/* ---- top level -------------------------------------------------------- */

static void collect_sync(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	x->sync_nodes = kc_realloc(x->sync_nodes, x->n_sync + 1, sizeof(*x->sync_nodes));
	x->sync_nodes[x->n_sync++] = n;
}

#define STATIC "static addresses, routes and rules belong in the system's network setup"
static const struct kc_kw pass1_kw[] = {
	{ "global_defs", global_defs, NULL },
	{ "vrrp_script", kc_vrrp_script, NULL },
	{ "track_file", kc_track_file, NULL },
	{ "vrrp_track_file", kc_track_file, NULL },
	{ "vrrp_track_process", kc_track_process, NULL },
	{ "vrrp_sync_group", collect_sync, NULL },
	{ "virtual_server_group", kc_vs_group, NULL },
	{ NULL, NULL, NULL }
};
static const struct kc_kw pass2_kw[] = {
	{ "global_defs", nothing, NULL }, { "vrrp_script", nothing, NULL },
	{ "track_file", nothing, NULL }, { "vrrp_track_file", nothing, NULL },
	{ "vrrp_track_process", nothing, NULL },
	{ "vrrp_sync_group", nothing, NULL },
	{ "vrrp_instance", kc_vrrp_instance, NULL },
	{ "virtual_server", kc_virtual_server, NULL },
	{ "virtual_server_group", nothing, NULL },
	{ "static_ipaddress", NULL, STATIC },
	{ "static_routes", NULL, STATIC },
	{ "static_rules", NULL, STATIC },
	{ "linkbeat_interfaces", NULL, "vigil follows links through netlink events only" },
	{ "interface_up_down_delays", NULL, "vigil has no interface debouncing" },
	{ "track_group", NULL, "static track groups: vigil has no static addresses" },
	{ "garp_group", NULL, "per-interface ARP pacing: set garp.interval per instance" },
	{ "bfd_instance", NULL, "vigil has no BFD" },
	{ "SSL", NULL, "client certificates: vigil's https checks present none" },
	{ "net_namespace", NULL, "run vigild in the namespace instead (ip netns exec)" },
	{ "net_namespace_ipvs", NULL, "vigil programs IPVS in its own namespace" },
	{ "instance", NULL, "vigil's control socket and pid file paths are set apart" },
	{ "use_pid_dir", NULL, "vigil's pid file is set by its unit" },
	{ "child_wait_time", NULL, "vigil waits for its children itself" },
	{ "linkbeat_use_polling", NULL, "vigil follows links through netlink events only" },
	{ NULL, NULL, NULL }
};

/* Moves a non-empty section into out; frees an empty one. */
static void keep_section(struct kc_val *parent, struct kc_val *v)
{
	if (!v->n) {
		kv_free(v);
		return;
	}
	kv_attach(parent, v);
}

static void finish(struct kc_cx *x)
{
	if (x->lvs_sync && !x->lvs_sync_used)
		kc_skip(x->d, x->lvs_sync->src, "lvs_sync_daemon: vigil runs the sync daemon with "
			"a converted VRRP instance's state only (name one with inst)");
	kv_bool(x->global, "script_security", x->script_security);
	struct kc_val *sec = kv_get(x->global, "script_security");
	if (!x->script_security)
		kv_comment(sec, "keepalived checks scripts only with enable_script_security");
	if (!x->has_script_user)
		kv_comment(sec, "keepalived ran scripts as keepalived_script or root; vigil never "
			   "runs them as root:\nset script_user (default \"nobody\")");
	keep_section(x->out, x->global);
	keep_section(x->out, x->vsg);
	keep_section(x->out, x->vs);
	keep_section(x->vrrp, x->scripts);
	keep_section(x->vrrp, x->processes);
	keep_section(x->vrrp, x->instances);
	keep_section(x->vrrp, x->groups);
	keep_section(x->out, x->vrrp);
}

void kc_convert(const struct kc_node *root, const struct kc_conv_opts *o,
		struct kc_val *out, struct kc_diag *d)
{
	struct kc_cx x = {
		.d = d, .out = out,
		.search_path = o && o->search_path ? o->search_path : DEFAULT_PATH,
		.vrrp_version = 2,
		.garp = { .delay = 5, .repeat = 5, .refresh_repeat = 1 },
	};
	x.global = kv_new(KV_GROUP, "global");
	x.vsg = kv_new(KV_LIST, "virtual_server_groups");
	x.vs = kv_new(KV_LIST, "virtual_servers");
	x.vrrp = kv_new(KV_GROUP, "vrrp");
	x.scripts = kv_new(KV_LIST, "scripts");
	x.processes = kv_new(KV_LIST, "processes");
	x.instances = kv_new(KV_LIST, "instances");
	x.groups = kv_new(KV_LIST, "sync_groups");
	/* pass 1 sees only its keywords; pass 2 reports everything else */
	for (unsigned i = 0; i < root->n_kids; i++) {
		const struct kc_kw *kw = pass1_kw;
		while (kw->name && strcmp(kw->name, root->kids[i].w[0]))
			kw++;
		if (kw->name)
			kw->fn(&x, &root->kids[i], NULL);
	}
	kc_each(&x, root, pass2_kw, NULL);
	kc_strict_vs(&x);
	kc_sync_groups(&x);
	if (!x.vs->n && !x.instances->n)
		kc_fatal(d, root->src, "nothing converted: no virtual server and no VRRP instance "
			 "could be written, and vigil needs at least one");
	if (o && o->log_facility) {
		kv_str(x.global, "log_facility", o->log_facility);
		kv_comment(kv_get(x.global, "log_facility"), "keepalived -S (--log-facility)");
	}
	finish(&x);
	kv_comment(out, "vigil.conf converted from %s by vigil-convert; see vigil.conf(5)\n"
		   "and docs/migration.md. Each block names the keepalived lines it came from.",
		   root->src.file ? root->src.file : "keepalived.conf");
	free(x.scripts_ref);
	free(x.strict_refs);
	free(x.files_ref);
	free(x.procs_ref);
	free(x.sync_nodes);
	free(x.vsgs);
	free(x.seen);
	for (unsigned i = 0; i < x.n_inst_ok; i++)
		free(x.inst_ok[i]);
	free(x.inst_ok);
}
