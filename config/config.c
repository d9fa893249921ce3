/*
 * config: loads vigil.conf into a struct conf (see config.h).
 *
 *   conf_load(path)
 *     ├─ libconfig parse (include dir = the file's directory)
 *     │    └─ syntax error / missing @include → one error, stop
 *     ├─ top level: global, virtual_servers (config_vs.c → config_check.c),
 *     │             vrrp (config_vrrp.c), announce (config_announce.c)
 *     └─ any error collected → free the partial conf, return NULL
 *
 * Readers never stop at the first problem: each reports and carries on,
 * so `vigild -t` prints everything wrong with a file in one run. The
 * libconfig tree is only read here; the conf owns copies of everything.
 */
#include "config_int.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

static const char *const top_keys[] = {
	"global", "virtual_server_groups", "virtual_servers", "vrrp", "announce", NULL
};
static const char *const global_keys[] = {
	"router_id", "script_user", "script_security", "control_socket",
	"keep_ipvs_on_exit", "http", "snmp", "vrrp_realtime", "vrrp_mlock",
	"vrrp_startup_delay", "notify_fifo", "vrrp_strict",
	"ipvs_sync_threshold", "ipvs_sync_refresh_period", "ipvs_sync_retries", "log_facility",
	"ipvs_timeouts",
	NULL
};

static void global_defaults(struct cfx *x, struct global_conf *g)
{
	char host[256] = "localhost";
	if (gethostname(host, sizeof(host)) < 0 || !host[0])
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	g->router_id = cfx_strdup(x, host);
	g->script_user = cfx_strdup(x, "nobody");
	g->script_security = true;
	g->control_socket = cfx_strdup(x, "/run/vigil/vigil.sock");
	g->vrrp_realtime = true;
	g->vrrp_mlock = true;
	g->log_facility = LOG_DAEMON;
	/* A TCP connection is synced on its 2nd inbound packet (the handshake's
	 * ACK), not the kernel's 3rd: an idle connection is known to the backup. */
	g->sync_threshold = 2;
	g->sync_period = 50;
	g->sync_refresh_period = -1;
	g->sync_retries = -1;
}

/* The net.ipv4.vs sysctls vigild sets when it runs the sync daemon. */
static void global_sync(struct cfx *x, const config_setting_t *g, struct global_conf *gc)
{
	long long v;
	const config_setting_t *l = cfx_list(x, g, "global", "ipvs_sync_threshold", false);
	if (l) {
		long long t[2] = { -1, -1 };
		for (unsigned i = 0; i < cfx_len(l) && i < 2; i++) {
			const config_setting_t *e = cfx_elem(l, i);
			int ty = config_setting_type(e);
			if (ty == CONFIG_TYPE_INT || ty == CONFIG_TYPE_INT64)
				t[i] = config_setting_get_int64(e);
		}
		if (cfx_len(l) != 2 || t[0] < 0 || t[1] < 0 || t[1] > 65535)
			cfx_err(x, l, "global", "ipvs_sync_threshold: expected [ THRESHOLD, PERIOD ], "
				"two integers (PERIOD 0..65535)");
		else if (t[1] && t[0] >= t[1])
			cfx_err(x, l, "global", "ipvs_sync_threshold: threshold %lld must be below "
				"the period %lld (or the period 0)", t[0], t[1]);
		else {
			gc->sync_threshold = (int)t[0];
			gc->sync_period = (int)t[1];
		}
	}
	if (cfx_int(x, g, "global", "ipvs_sync_refresh_period", 0, 86400, &v) > 0)
		gc->sync_refresh_period = (int)v;
	if (cfx_int(x, g, "global", "ipvs_sync_retries", 0, 3, &v) > 0)
		gc->sync_retries = (int)v;
}

static void global_http(struct cfx *x, const config_setting_t *g, struct global_conf *gc)
{
	static const char *const keys[] = { "listen", NULL };
	const config_setting_t *h = cfx_group(x, g, "global", "http");
	if (!h)
		return;
	cfx_keys(x, h, "global: http", keys);
	if (!cfx_require(x, h, "global: http", "listen"))
		return;
	if (cfx_str(x, h, "global: http", "listen", &gc->http_listen) <= 0)
		return;
	struct vaddr a;
	uint16_t port;
	if (vaddr_port_parse(gc->http_listen, &a, &port) < 0 || port == 0)
		cfx_err(x, cfx_member(h, "listen"), "global: http",
			"listen \"%s\": expected ADDRESS:PORT (e.g. 127.0.0.1:9650 or [::1]:9650)",
			gc->http_listen);
}

/* An AgentX master address as net-snmp takes it: a unix socket path
 * (absolute, optionally "unix:"), or "tcp:HOST:PORT". */
static const char *agentx_problem(const char *a)
{
	const char *path = !strncmp(a, "unix:", 5) ? a + 5 : a[0] == '/' ? a : NULL;
	if (path) {
		if (path[0] != '/')
			return "a unix socket must be an absolute path";
		if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return "unix socket path too long";
		return NULL;
	}
	if (strncmp(a, "tcp:", 4))
		return "expected \"unix:/PATH\", \"/PATH\" or \"tcp:HOST:PORT\"";
	const char *colon = strrchr(a + 4, ':');
	char *end;
	long port = colon ? strtol(colon + 1, &end, 10) : 0;
	if (!colon || colon == a + 4 || !colon[1] || *end || port < 1 || port > 65535)
		return "expected \"tcp:HOST:PORT\" with a port of 1..65535";
	return NULL;
}

static void global_snmp(struct cfx *x, const config_setting_t *g, struct global_conf *gc)
{
	static const char *const keys[] = { "agentx", "traps", NULL };
	const config_setting_t *s = cfx_group(x, g, "global", "snmp");
	if (!s)
		return;
	cfx_keys(x, s, "global: snmp", keys);
	cfx_bool(x, s, "global: snmp", "traps", &gc->snmp_traps);
	if (!cfx_require(x, s, "global: snmp", "agentx") ||
	    cfx_str(x, s, "global: snmp", "agentx", &gc->snmp_agentx) <= 0)
		return;
	const char *why = agentx_problem(gc->snmp_agentx);
	if (why)
		cfx_err(x, cfx_member(s, "agentx"), "global: snmp",
			"agentx \"%s\": %s", gc->snmp_agentx, why);
}

static void global_section(struct cfx *x, const config_setting_t *root)
{
	struct global_conf *gc = &x->c->global;
	global_defaults(x, gc);
	const config_setting_t *g = cfx_group(x, root, NULL, "global");
	if (!g)
		return;
	cfx_keys(x, g, "global", global_keys);
	cfx_str(x, g, "global", "router_id", &gc->router_id);
	cfx_str(x, g, "global", "script_user", &gc->script_user);
	cfx_bool(x, g, "global", "script_security", &gc->script_security);
	if (cfx_str(x, g, "global", "control_socket", &gc->control_socket) > 0) {
		const config_setting_t *s = cfx_member(g, "control_socket");
		if (gc->control_socket[0] != '/')
			cfx_err(x, s, "global", "control_socket \"%s\": must be an absolute path",
				gc->control_socket);
		else if (strlen(gc->control_socket) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			cfx_err(x, s, "global", "control_socket: path longer than %zu bytes",
				sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
	}
	cfx_bool(x, g, "global", "keep_ipvs_on_exit", &gc->keep_ipvs_on_exit);
	cfx_bool(x, g, "global", "vrrp_realtime", &gc->vrrp_realtime);
	cfx_bool(x, g, "global", "vrrp_mlock", &gc->vrrp_mlock);
	cfx_num(x, g, "global", "vrrp_startup_delay", true, &gc->vrrp_startup_delay);
	cfx_bool(x, g, "global", "vrrp_strict", &gc->vrrp_strict);
	if (cfx_str(x, g, "global", "notify_fifo", &gc->notify_fifo) > 0 &&
	    gc->notify_fifo[0] != '/')
		cfx_err(x, cfx_member(g, "notify_fifo"), "global",
			"notify_fifo \"%s\": must be an absolute path", gc->notify_fifo);
	char *fac = NULL;
	if (cfx_str(x, g, "global", "log_facility", &fac) > 0 &&
	    (gc->log_facility = log_facility_parse(fac)) < 0) {
		cfx_err(x, cfx_member(g, "log_facility"), "global",
			"log_facility \"%s\": expected daemon, user or local0..local7", fac);
		gc->log_facility = LOG_DAEMON;
	}
	free(fac);
	global_http(x, g, gc);
	global_snmp(x, g, gc);
	global_sync(x, g, gc);
	cfx_ipvs_timeouts(x, g, gc);
}

static void top_level(struct cfx *x, const config_setting_t *root)
{
	cfx_keys(x, root, NULL, top_keys);
	global_section(x, root);
	const config_setting_t *vsg = cfx_list(x, root, NULL, "virtual_server_groups", false);
	if (vsg)
		cfx_vs_groups(x, vsg);
	const config_setting_t *vs = cfx_list(x, root, NULL, "virtual_servers", false);
	if (vs && x->incr)
		cfx_vs_incr(x, vs);
	else if (vs)
		cfx_virtual_servers(x, vs);
	const config_setting_t *vrrp = cfx_group(x, root, NULL, "vrrp");
	if (vrrp)
		cfx_vrrp(x, vrrp);
	cfx_announce(x, cfx_group(x, root, NULL, "announce"));
	/* Present but empty counts as absent: there would be nothing to run. */
	if (x->c->n_vs == 0 && x->c->n_vrrp == 0)
		cfx_err_at(x, x->path, 1,
			   "nothing to do: neither virtual_servers nor vrrp is configured");
}

static char *dir_of(struct cfx *x, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return cfx_strdup(x, ".");
	if (slash == path)
		return cfx_strdup(x, "/");
	char *d = cfx_strdup(x, path);
	d[slash - path] = '\0';
	return d;
}

/* Parses the file (or the text read from it, x->text); false (with the
 * error reported) when libconfig refuses it. */
static bool parse_file(struct cfx *x, config_t *cfg)
{
	if (x->text) {                /* no @include in it (config_cache.c) */
		if (config_read_string(cfg, x->text))
			return true;
		cfx_err_at(x, config_error_file(cfg), config_error_line(cfg), "%s",
			   config_error_text(cfg));
		return false;
	}
	FILE *f = fopen(x->path, "r");
	if (!f) {
		cfx_err_at(x, x->path, 0, "cannot open: %s", strerror(errno));
		return false;
	}
	fclose(f);
	char *text = cfx_include_expand(x);
	if (!text)                    /* the copies name their files from here */
		config_set_include_dir(cfg, x->dir);
	int ok = text ? config_read_string(cfg, text) : config_read_file(cfg, x->path);
	free(text);
	if (ok)
		return true;
	if (config_error_type(cfg) == CONFIG_ERR_FILE_IO)
		cfx_err_at(x, x->path, 0, "cannot read: %s", config_error_text(cfg));
	else
		cfx_err_at(x, config_error_file(cfg), config_error_line(cfg), "%s",
			   config_error_text(cfg));
	return false;
}

/* The load proper. An allocation that fails jumps back here (cfx_oom):
 * nothing in this frame changes after setjmp, and what was built so far
 * hangs off x, for conf_load to free. */
static int load(struct cfx *x, config_t *cfg)
{
	if (setjmp(x->oom))
		return -ENOMEM;
	x->dir = dir_of(x, x->path);
	if (parse_file(x, cfg)) {
		x->c = cfx_calloc(x, 1, sizeof(*x->c));
		x->c->path = cfx_strdup(x, x->path);
		top_level(x, config_root_setting(cfg));
	}
	return 0;
}

struct conf *conf_load(const char *path, struct conf_errors *errs)
{
	return cfx_load(path, NULL, NULL, errs);
}

struct conf *cfx_load(const char *path, const char *text, struct cfx_incr *incr,
		      struct conf_errors *errs)
{
	memset(errs, 0, sizeof(*errs));
	/* The line that says the load ran out of memory, and a slot for it
	 * (errs_add keeps one free), are taken first. */
	size_t ol = strlen(path) + 32;
	char *oom_line = malloc(ol);
	errs->lines = malloc(sizeof(*errs->lines));
	if (!oom_line || !errs->lines) {
		free(oom_line);
		free(errs->lines);
		errs->lines = NULL;
		errs->oom = true;
		return NULL;
	}
	snprintf(oom_line, ol, "%s:0: out of memory", path);
	struct cfx x = { .errs = errs, .path = path, .text = text, .incr = incr };
	config_t cfg;
	config_init(&cfg);
	if (load(&x, &cfg) < 0 || errs->oom) {
		errs->oom = true;
		errs->lines[errs->n++] = oom_line;
		oom_line = NULL;
	}
	free(oom_line);
	config_destroy(&cfg);
	cfx_vs_groups_free(&x);
	cfx_vrrp_group_track_free(&x);
	cfx_include_free(&x);
	free(x.dir);
	if (errs->n > 0 || errs->oom) {
		conf_free(x.c);
		return NULL;
	}
	/* A good load leaves errs as it found it: callers free errors only
	 * when there were some. */
	free(errs->lines);
	errs->lines = NULL;
	return x.c;
}

void conf_free(struct conf *c)
{
	if (!c)
		return;
	struct global_conf *g = &c->global;
	free(g->router_id);
	free(g->script_user);
	free(g->control_socket);
	free(g->http_listen);
	free(g->snmp_agentx);
	free(g->notify_fifo);
	for (unsigned i = 0; i < c->n_vs; i++)
		cfx_vs_free(&c->vs[i]);
	free(c->vs);
	cfx_vrrp_free(c);
	cfx_announce_free(c);
	free(c->path);
	free(c);
}

/* As load(): a failed allocation jumps back here, and what was built
 * hangs off out, for conf_rs_read to free. */
static int rs_load(struct cfx *x, const config_setting_t *g, const struct vs_conf *vs,
		   struct rs_conf *out)
{
	if (setjmp(x->oom))
		return -ENOMEM;
	cfx_rs_parse(x, g, vs, out, 0);
	return 0;
}

int conf_rs_read(const struct conf *c, const struct vs_conf *vs,
		 const struct config_setting_t *g, const char *where,
		 struct rs_conf *out, struct conf_errors *errs)
{
	memset(errs, 0, sizeof(*errs));
	memset(out, 0, sizeof(*out));
	/* The readers only read x->c (router_id, script_security). */
	struct cfx x = { .errs = errs, .path = where, .dir = (char *)".",
			 .c = (struct conf *)c };
	if (rs_load(&x, g, vs, out) < 0 || errs->oom) {
		errs->oom = true;
		char line[256];
		snprintf(line, sizeof(line), "%s:0: out of memory", where);
		char *copy = strdup(line);
		char **n = copy ? realloc(errs->lines, (errs->n + 1) * sizeof(*n)) : NULL;
		if (n) {
			errs->lines = n;
			errs->lines[errs->n++] = copy;
		} else {
			free(copy);
		}
	}
	if (errs->n > 0 || errs->oom) {
		cfx_rs_free(out);
		return -1;
	}
	return 0;
}

void conf_rs_free(struct rs_conf *rs)
{
	cfx_rs_free(rs);
}

void conf_errors_free(struct conf_errors *errs)
{
	for (unsigned i = 0; i < errs->n; i++)
		free(errs->lines[i]);
	free(errs->lines);
	errs->lines = NULL;
	errs->n = 0;
}
