/*
 * status_metrics: the status reply as Prometheus text (exposition format
 * 0.0.4), for /metrics. Names follow Prometheus' conventions — a vigil_
 * prefix, base units (seconds, bytes), counters ending in _total, an
 * enum as one 0/1 gauge per value — and `promtool check metrics` finds
 * nothing to say (t_status_http). Label values are escaped; a value the
 * status does not have (null: no kernel entry, no verdict yet) is left
 * out rather than invented. The names are listed in vigild(8) and used by
 * etc/monitoring/ (checked by tests/lint/monitoring.sh).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "status_render.h"
#include "status_util.h"

/* Prometheus label value: \ " and newline escaped. */
static void label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void help(FILE *f, const char *name, const char *type, const char *text)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

static void metrics_processes(FILE *f, struct json_object *st)
{
	struct json_object *procs = sj_get(st, "processes");
	help(f, "vigil_process_up", "gauge", "1 when the process is running.");
	for (size_t i = 0; i < sj_len(procs); i++) {
		struct json_object *p = sj_at(procs, i);
		fprintf(f, "vigil_process_up{process=\"%s\"} %d\n", sj_str(p, "name"),
			!strcmp(sj_str(p, "state"), "running"));
	}
	help(f, "vigil_process_restarts_total", "counter", "Restarts of a child by the supervisor.");
	for (size_t i = 0; i < sj_len(procs); i++) {
		struct json_object *p = sj_at(procs, i);
		fprintf(f, "vigil_process_restarts_total{process=\"%s\"} %s\n", sj_str(p, "name"),
			sj_str(p, "restarts"));
	}
}

static void metrics_ipvs(FILE *f, struct json_object *st)
{
	struct json_object *ipvs = sj_get(st, "ipvs");
	if (!ipvs)
		return;
	help(f, "vigil_ipvs_operations_total", "counter", "IPVS operations applied, by kind.");
	json_object_object_foreach(sj_get(ipvs, "ops"), k, v)
		fprintf(f, "vigil_ipvs_operations_total{op=\"%s\"} %s\n", k, json_object_get_string(v));
	help(f, "vigil_ipvs_errors_total", "counter", "IPVS operations the kernel refused.");
	fprintf(f, "vigil_ipvs_errors_total %s\n", sj_str(ipvs, "errors"));
	help(f, "vigil_ipvs_reconciles_total", "counter", "Reconciliations of the IPVS table.");
	fprintf(f, "vigil_ipvs_reconciles_total %s\n", sj_str(ipvs, "reconciles"));
	help(f, "vigil_ipvs_partial_reconciles_total", "counter",
	     "Reconciliations over only the virtual servers whose health changed.");
	fprintf(f, "vigil_ipvs_partial_reconciles_total %s\n", sj_str(ipvs, "reconciles_partial"));
	help(f, "vigil_ipvs_last_reconcile_seconds", "gauge", "Duration of the last reconciliation.");
	fprintf(f, "vigil_ipvs_last_reconcile_seconds %.6f\n",
		json_object_get_double(sj_get(sj_get(ipvs, "last"), "ms")) / 1e3);
	struct json_object *ct = sj_get(ipvs, "conn_table");
	if (ct) {
		if (sj_get(ct, "size")) {
			help(f, "vigil_ipvs_conn_table_size", "gauge",
			     "Buckets of the kernel's IPVS connection table (2^conn_tab_bits).");
			fprintf(f, "vigil_ipvs_conn_table_size %s\n", sj_str(ct, "size"));
		}
		help(f, "vigil_ipvs_connections", "gauge",
		     "Entries of the IPVS connection table, by kind (sum over destinations).");
		fprintf(f, "vigil_ipvs_connections{state=\"active\"} %s\n", sj_str(ct, "active"));
		fprintf(f, "vigil_ipvs_connections{state=\"inactive\"} %s\n", sj_str(ct, "inactive"));
		fprintf(f, "vigil_ipvs_connections{state=\"template\"} %s\n", sj_str(ct, "templates"));
	}
	struct json_object *c = sj_get(ipvs, "counters");
	if (c) {
		help(f, "vigil_ipvs_stats_dumps_total", "counter",
		     "Dumps of the kernel's IPVS counters (at most one per 2 s, shared by all readers).");
		fprintf(f, "vigil_ipvs_stats_dumps_total %s\n", sj_str(c, "dumps"));
	}
}

static void metrics_checker(FILE *f, struct json_object *st)
{
	struct json_object *c = sj_get(st, "checker");
	if (!c)
		return;
	help(f, "vigil_checker_probes", "gauge", "Distinct probes the checker runs (shared checks count once).");
	fprintf(f, "vigil_checker_probes %s\n", sj_str(c, "probes"));
	help(f, "vigil_checker_runs_total", "counter", "Probe runs completed since the checker started.");
	fprintf(f, "vigil_checker_runs_total %s\n", sj_str(c, "runs"));
	help(f, "vigil_checker_reports_total", "counter",
	     "Results the checker sent to the parent, and those it did not send (nothing new).");
	fprintf(f, "vigil_checker_reports_total{sent=\"yes\"} %s\n", sj_str(c, "reports"));
	fprintf(f, "vigil_checker_reports_total{sent=\"no\"} %s\n", sj_str(c, "reports_unchanged"));
	help(f, "vigil_checker_half_open_segments_total", "counter",
	     "Half-open tcp checks: SYNs sent, replies matched, and segments stray, malformed or dropped.");
	static const char *const kinds[] = { "sent", "replies", "stray", "malformed", "dropped" };
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char k[32];
		snprintf(k, sizeof(k), "half_open_%s", kinds[i]);
		fprintf(f, "vigil_checker_half_open_segments_total{kind=\"%s\"} %s\n", kinds[i],
			sj_str(c, k));
	}
}

/* Every check run's latency, by check type: a Prometheus histogram
 * (cumulative buckets) from the status' per-bucket counts. */
static void metrics_latency(FILE *f, struct json_object *st)
{
	struct json_object *cl = sj_get(st, "check_latency"), *bounds = sj_get(cl, "bounds_us");
	help(f, "vigil_check_latency_seconds", "histogram", "Latency of every check run, by check type.");
	json_object_object_foreach(sj_get(cl, "types"), type, o) {
		struct json_object *runs = sj_get(o, "runs");
		long long cum = 0;
		for (size_t b = 0; b < sj_len(runs); b++) {
			cum += json_object_get_int64(sj_at(runs, b));
			if (b < sj_len(bounds))
				fprintf(f, "vigil_check_latency_seconds_bucket{type=\"%s\",le=\"%g\"} %lld\n",
					type, json_object_get_int64(sj_at(bounds, b)) / 1e6, cum);
			else
				fprintf(f, "vigil_check_latency_seconds_bucket{type=\"%s\",le=\"+Inf\"} %lld\n",
					type, cum);
		}
		fprintf(f, "vigil_check_latency_seconds_sum{type=\"%s\"} %.6f\n", type,
			json_object_get_int64(sj_get(o, "sum_us")) / 1e6);
		fprintf(f, "vigil_check_latency_seconds_count{type=\"%s\"} %lld\n", type, cum);
	}
}

/* VRRP instances: state as a gauge per state name (the Prometheus way for
 * an enum), effective priority, and the advert and transition counters.
 * The label is vrrp_instance: Prometheus gives `instance` to the target. */
static void metrics_vrrp(FILE *f, struct json_object *st)
{
	struct json_object *insts = sj_get(sj_get(st, "vrrp"), "instances");
	size_t n = sj_len(insts);
	if (!n)
		return;
	static const char *const states[] = { "INIT", "BACKUP", "MASTER", "FAULT" };
	help(f, "vigil_vrrp_state", "gauge", "1 for the instance's current state.");
	for (size_t i = 0; i < n; i++) {
		struct json_object *in = sj_at(insts, i);
		for (size_t k = 0; k < sizeof(states) / sizeof(states[0]); k++) {
			fputs("vigil_vrrp_state{vrrp_instance=\"", f);
			label(f, sj_str(in, "name"));
			fprintf(f, "\",state=\"%s\"} %d\n", states[k],
				!strcmp(sj_str(in, "state"), states[k]));
		}
	}
	static const struct { const char *name, *type, *help, *obj, *key; } m[] = {
		{ "vigil_vrrp_priority", "gauge", "Effective priority (base plus tracking).", "priority", "effective" },
		{ "vigil_vrrp_adverts_sent_total", "counter", "Adverts sent.", "adverts", "sent" },
		{ "vigil_vrrp_adverts_received_total", "counter", "Adverts received and accepted.", "adverts", "received" },
		{ "vigil_vrrp_adverts_rejected_total", "counter", "Adverts received and rejected (malformed, wrong auth, ...).", "adverts", "rejected" },
		{ "vigil_vrrp_transitions_total", "counter", "State transitions.", NULL, "transitions" },
	};
	for (size_t j = 0; j < sizeof(m) / sizeof(m[0]); j++) {
		help(f, m[j].name, m[j].type, m[j].help);
		for (size_t i = 0; i < n; i++) {
			struct json_object *in = sj_at(insts, i);
			struct json_object *o = m[j].obj ? sj_get(in, m[j].obj) : in;
			if (!sj_get(o, m[j].key))
				continue;
			fprintf(f, "%s{vrrp_instance=\"", m[j].name);
			label(f, sj_str(in, "name"));
			fprintf(f, "\"} %s\n", sj_str(o, m[j].key));
		}
	}
}

/* One family per row: the status member it reads (in "health", "stats"
 * or the object itself), and an optional direction label. */
struct fam {
	const char *name, *type, *help, *obj, *field, *dir;
	double scale;                 /* 0: the value as it is */
};

static const struct fam rs_fams[] = {
	{ "up", "gauge", "1 when the real server's checks pass.", "health", "up", NULL, 0 },
	{ "weight", "gauge", "Weight vigild wants in the kernel.", NULL, "weight_wanted", NULL, 0 },
	{ "kernel_weight", "gauge", "Weight in the kernel table.", NULL, "weight_kernel", NULL, 0 },
	{ "active_connections", "gauge", "Active connections (kernel).", NULL, "active_conns", NULL, 0 },
	{ "inactive_connections", "gauge", "Inactive connections (kernel).", NULL, "inactive_conns", NULL, 0 },
	{ "check_latency_seconds", "gauge", "Latency of the last check result.", "health", "latency_us", NULL, 1e6 },
	{ "last_change_timestamp_seconds", "gauge", "When the real server's health last changed (Unix time).", "health", "since", NULL, 0 },
};

/* The kernel's IPVS counters and rates, for services and destinations alike. */
static const struct fam traffic_fams[] = {
	{ "connections_total", "counter", "Connections scheduled (kernel IPVS counter).", "stats", "conns", NULL, 0 },
	{ "packets_total", "counter", "Packets in and out (kernel IPVS counter).", "stats", "inpkts", "in", 0 },
	{ NULL, NULL, NULL, "stats", "outpkts", "out", 0 },
	{ "bytes_total", "counter", "Bytes in and out (kernel IPVS counter).", "stats", "inbytes", "in", 0 },
	{ NULL, NULL, NULL, "stats", "outbytes", "out", 0 },
	{ "connections_per_second", "gauge", "Connection rate (kernel IPVS estimator, 2 s).", "stats", "cps", NULL, 0 },
	{ "packets_per_second", "gauge", "Packet rates in and out (kernel IPVS estimator).", "stats", "inpps", "in", 0 },
	{ NULL, NULL, NULL, "stats", "outpps", "out", 0 },
	{ "bytes_per_second", "gauge", "Byte rates in and out (kernel IPVS estimator).", "stats", "inbps", "in", 0 },
	{ NULL, NULL, NULL, "stats", "outbps", "out", 0 },
};

static void sample(FILE *f, const char *name, struct json_object *vs, struct json_object *rs,
		   const struct fam *m, struct json_object *v)
{
	fprintf(f, "%s{vs=\"", name);
	label(f, sj_vs_label(vs));
	if (rs) {
		fputs("\",rs=\"", f);
		label(f, sj_str(rs, "address"));
	}
	if (m->dir)
		fprintf(f, "\",direction=\"%s", m->dir);
	if (json_object_is_type(v, json_type_boolean))
		fprintf(f, "\"} %d\n", json_object_get_boolean(v));
	else if (m->scale)
		fprintf(f, "\"} %.6f\n", json_object_get_double(v) / m->scale);
	else if (json_object_is_type(v, json_type_double))
		fprintf(f, "\"} %.3f\n", json_object_get_double(v));
	else
		fprintf(f, "\"} %s\n", json_object_get_string(v));
}

/* Family m (and its continuation rows, name NULL) over every virtual
 * server, or every real server when rs_level. */
static void family(FILE *f, struct json_object *vss, const struct fam *m, size_t n_rows,
		   const char *prefix, bool rs_level, const struct status_tick *tick)
{
	char name[96];
	snprintf(name, sizeof(name), "%s%s", prefix, m->name);
	help(f, name, m->type, m->help);
	for (size_t i = 0; i < sj_len(vss); i++) {
		struct json_object *vs = sj_at(vss, i), *rss = sj_get(vs, "real_servers");
		if (rs_level)
			status_tick(tick, (unsigned)i);
		for (size_t j = 0; j < (rs_level ? sj_len(rss) : 1); j++) {
			struct json_object *rs = rs_level ? sj_at(rss, j) : NULL, *o = rs_level ? rs : vs;
			for (size_t r = 0; r < n_rows; r++) {
				struct json_object *src = m[r].obj ? sj_get(o, m[r].obj) : o;
				struct json_object *v = sj_get(src, m[r].field);
				if (v)
					sample(f, name, vs, rs, &m[r], v);
			}
		}
	}
}

static void metrics_servers(FILE *f, struct json_object *st, const struct status_tick *tick)
{
	struct json_object *vss = sj_get(st, "virtual_servers");
	if (!vss)
		return;
	static const struct fam quorum = { "quorum_up", "gauge",
		"1 while the virtual server's alive weight meets its quorum.", "quorum", "up", NULL, 0 };
	family(f, vss, &quorum, 1, "vigil_virtual_server_", false, tick);
	size_t nt = sizeof(traffic_fams) / sizeof(traffic_fams[0]);
	for (int rs_level = 0; rs_level <= 1; rs_level++)
		for (size_t m = 0; m < nt; m++) {
			if (!traffic_fams[m].name)
				continue;
			size_t rows = 1;
			while (m + rows < nt && !traffic_fams[m + rows].name)
				rows++;
			family(f, vss, &traffic_fams[m], rows,
			       rs_level ? "vigil_real_server_" : "vigil_virtual_server_", rs_level,
			       tick);
		}
	for (size_t m = 0; m < sizeof(rs_fams) / sizeof(rs_fams[0]); m++)
		family(f, vss, &rs_fams[m], 1, "vigil_real_server_", true, tick);
}

char *status_render_metrics(struct json_object *st, const struct status_tick *tick)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	help(f, "vigil_up", "gauge", "1 while vigild answers.");
	fputs("vigil_up 1\n", f);
	help(f, "vigil_config_generation", "gauge", "Configuration generation in use.");
	fprintf(f, "vigil_config_generation %s\n", sj_str(st, "generation"));
	metrics_processes(f, st);
	metrics_checker(f, st);
	metrics_latency(f, st);
	metrics_vrrp(f, st);
	metrics_ipvs(f, st);
	metrics_servers(f, st, tick);
	announce_metrics(f, st);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
