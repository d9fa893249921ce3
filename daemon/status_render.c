/*
 * status_render: Prometheus exposition format (text 0.0.4) and an HTML page
 * from the status JSON (see status_render.h). Label values and HTML are
 * escaped; absent (null) values are left out rather than invented.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "status_render.h"

static struct json_object *get(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;
	return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static const char *str(struct json_object *o, const char *k)
{
	struct json_object *v = get(o, k);
	return v ? json_object_get_string(v) : "";
}

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
	struct json_object *procs = get(st, "processes");
	help(f, "vigil_process_up", "gauge", "1 when the process is running.");
	for (size_t i = 0; procs && i < json_object_array_length(procs); i++) {
		struct json_object *p = json_object_array_get_idx(procs, i);
		fprintf(f, "vigil_process_up{process=\"%s\"} %d\n", str(p, "name"),
			!strcmp(str(p, "state"), "running"));
	}
	help(f, "vigil_process_restarts_total", "counter", "Restarts of a child by the supervisor.");
	for (size_t i = 0; procs && i < json_object_array_length(procs); i++) {
		struct json_object *p = json_object_array_get_idx(procs, i);
		fprintf(f, "vigil_process_restarts_total{process=\"%s\"} %s\n", str(p, "name"),
			str(p, "restarts"));
	}
}

static void metrics_ipvs(FILE *f, struct json_object *st)
{
	struct json_object *ipvs = get(st, "ipvs");
	if (!ipvs)
		return;
	help(f, "vigil_ipvs_operations_total", "counter", "IPVS operations applied, by kind.");
	json_object_object_foreach(get(ipvs, "ops"), k, v)
		fprintf(f, "vigil_ipvs_operations_total{op=\"%s\"} %s\n", k, json_object_get_string(v));
	help(f, "vigil_ipvs_errors_total", "counter", "IPVS operations the kernel refused.");
	fprintf(f, "vigil_ipvs_errors_total %s\n", str(ipvs, "errors"));
	help(f, "vigil_ipvs_reconciles_total", "counter", "Reconciliations of the IPVS table.");
	fprintf(f, "vigil_ipvs_reconciles_total %s\n", str(ipvs, "reconciles"));
	help(f, "vigil_ipvs_last_reconcile_seconds", "gauge", "Duration of the last reconciliation.");
	fprintf(f, "vigil_ipvs_last_reconcile_seconds %.6f\n",
		json_object_get_double(get(get(ipvs, "last"), "ms")) / 1e3);
	struct json_object *ct = get(ipvs, "conn_table");
	if (!ct)
		return;
	if (get(ct, "size")) {
		help(f, "vigil_ipvs_conn_table_size", "gauge",
		     "Buckets of the kernel's IPVS connection table (2^conn_tab_bits).");
		fprintf(f, "vigil_ipvs_conn_table_size %s\n", str(ct, "size"));
	}
	help(f, "vigil_ipvs_connections", "gauge",
	     "Entries of the IPVS connection table, by kind (sum over destinations).");
	fprintf(f, "vigil_ipvs_connections{state=\"active\"} %s\n", str(ct, "active"));
	fprintf(f, "vigil_ipvs_connections{state=\"inactive\"} %s\n", str(ct, "inactive"));
	fprintf(f, "vigil_ipvs_connections{state=\"template\"} %s\n", str(ct, "templates"));
}

static void metrics_checker(FILE *f, struct json_object *st)
{
	struct json_object *c = get(st, "checker");
	if (!c)
		return;
	help(f, "vigil_checker_probes", "gauge", "Distinct probes the checker runs (shared checks count once).");
	fprintf(f, "vigil_checker_probes %s\n", str(c, "probes"));
	help(f, "vigil_checker_runs_total", "counter", "Probe runs completed since the checker started.");
	fprintf(f, "vigil_checker_runs_total %s\n", str(c, "runs"));
	help(f, "vigil_checker_reports_total", "counter",
	     "Results the checker sent to the parent, and those it did not send (nothing new).");
	fprintf(f, "vigil_checker_reports_total{sent=\"yes\"} %s\n", str(c, "reports"));
	fprintf(f, "vigil_checker_reports_total{sent=\"no\"} %s\n", str(c, "reports_unchanged"));
	help(f, "vigil_checker_half_open_segments_total", "counter",
	     "Half-open tcp checks: SYNs sent, replies matched, and segments stray, malformed or dropped.");
	static const char *const kinds[] = { "sent", "replies", "stray", "malformed", "dropped" };
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char k[32];
		snprintf(k, sizeof(k), "half_open_%s", kinds[i]);
		fprintf(f, "vigil_checker_half_open_segments_total{kind=\"%s\"} %s\n", kinds[i],
			str(c, k));
	}
}

/* VRRP instances: state as a gauge per state name (the Prometheus way for
 * an enum), effective priority, and the advert and transition counters. */
static void metrics_vrrp(FILE *f, struct json_object *st)
{
	struct json_object *insts = get(get(st, "vrrp"), "instances");
	size_t n = insts ? json_object_array_length(insts) : 0;
	if (!n)
		return;
	static const char *const states[] = { "INIT", "BACKUP", "MASTER", "FAULT" };
	help(f, "vigil_vrrp_state", "gauge", "1 for the instance's current state.");
	for (size_t i = 0; i < n; i++) {
		struct json_object *in = json_object_array_get_idx(insts, i);
		for (size_t k = 0; k < sizeof(states) / sizeof(states[0]); k++) {
			fputs("vigil_vrrp_state{instance=\"", f);
			label(f, str(in, "name"));
			fprintf(f, "\",state=\"%s\"} %d\n", states[k], !strcmp(str(in, "state"), states[k]));
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
			struct json_object *in = json_object_array_get_idx(insts, i);
			struct json_object *o = m[j].obj ? get(in, m[j].obj) : in;
			if (!get(o, m[j].key))
				continue;
			fprintf(f, "%s{instance=\"", m[j].name);
			label(f, str(in, "name"));
			fprintf(f, "\"} %s\n", str(o, m[j].key));
		}
	}
}

/* One sample per real server for each of these status fields. */
static const struct {
	const char *name, *type, *help, *field;
	bool in_health;
} rs_metrics[] = {
	{ "vigil_real_server_up", "gauge", "1 when the real server's checks pass.", "up", true },
	{ "vigil_real_server_weight", "gauge", "Weight vigild wants in the kernel.", "weight_wanted", false },
	{ "vigil_real_server_kernel_weight", "gauge", "Weight in the kernel table.", "weight_kernel", false },
	{ "vigil_real_server_active_connections", "gauge", "Active connections (kernel).", "active_conns", false },
	{ "vigil_real_server_inactive_connections", "gauge", "Inactive connections (kernel).", "inactive_conns", false },
	{ "vigil_real_server_check_latency_seconds", "gauge", "Latency of the last check.", "latency_us", true },
};

static void metrics_servers(FILE *f, struct json_object *st)
{
	struct json_object *vss = get(st, "virtual_servers");
	for (size_t m = 0; vss && m < sizeof(rs_metrics) / sizeof(rs_metrics[0]); m++) {
		help(f, rs_metrics[m].name, rs_metrics[m].type, rs_metrics[m].help);
		for (size_t i = 0; i < json_object_array_length(vss); i++) {
			struct json_object *vs = json_object_array_get_idx(vss, i);
			struct json_object *rss = get(vs, "real_servers");
			for (size_t j = 0; rss && j < json_object_array_length(rss); j++) {
				struct json_object *rs = json_object_array_get_idx(rss, j);
				struct json_object *src = rs_metrics[m].in_health ? get(rs, "health") : rs;
				struct json_object *v = get(src, rs_metrics[m].field);
				if (!v)
					continue;
				fprintf(f, "%s{vs=\"", rs_metrics[m].name);
				label(f, get(vs, "name") ? str(vs, "name") : str(vs, "service"));
				fputs("\",rs=\"", f);
				label(f, str(rs, "address"));
				if (json_object_is_type(v, json_type_boolean))
					fprintf(f, "\"} %d\n", json_object_get_boolean(v));
				else if (!strcmp(rs_metrics[m].field, "latency_us"))
					fprintf(f, "\"} %.6f\n", json_object_get_int64(v) / 1e6);
				else
					fprintf(f, "\"} %s\n", json_object_get_string(v));
			}
		}
	}
}

char *status_render_metrics(struct json_object *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	help(f, "vigil_up", "gauge", "1 while vigild answers.");
	fputs("vigil_up 1\n", f);
	help(f, "vigil_config_generation", "gauge", "Configuration generation in use.");
	fprintf(f, "vigil_config_generation %s\n", str(st, "generation"));
	metrics_processes(f, st);
	metrics_checker(f, st);
	metrics_vrrp(f, st);
	metrics_ipvs(f, st);
	metrics_servers(f, st);
	fclose(f);
	return buf;
}

static void html(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void page_row(FILE *f, const char *const *cells, size_t n, const char *cls)
{
	fprintf(f, "<tr%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
	for (size_t i = 0; i < n; i++) {
		fputs("<td>", f);
		html(f, cells[i]);
		fputs("</td>", f);
	}
	fputs("</tr>\n", f);
}

static void page_servers(FILE *f, struct json_object *st)
{
	struct json_object *vss = get(st, "virtual_servers");
	for (size_t i = 0; vss && i < json_object_array_length(vss); i++) {
		struct json_object *vs = json_object_array_get_idx(vss, i);
		fputs("<h2>", f);
		html(f, get(vs, "name") ? str(vs, "name") : "");
		fputs(" <small>", f);
		html(f, str(vs, "service"));
		fputs(" ", f);
		html(f, str(vs, "scheduler"));
		fputs("</small></h2>\n<table><tr><th>real server</th><th>health</th><th>last result</th>"
		      "<th>wanted weight</th><th>kernel weight</th><th>active</th><th>inactive</th>"
		      "<th>operator</th></tr>\n", f);
		struct json_object *rss = get(vs, "real_servers");
		for (size_t j = 0; rss && j < json_object_array_length(rss); j++) {
			struct json_object *rs = json_object_array_get_idx(rss, j), *h = get(rs, "health");
			const char *cells[] = { str(rs, "address"), str(h, "state"), str(h, "reason"),
						str(rs, "weight_wanted"), str(rs, "weight_kernel"),
						str(rs, "active_conns"), str(rs, "inactive_conns"),
						str(rs, "override") };
			page_row(f, cells, 8, str(h, "state"));
		}
		fputs("</table>\n", f);
	}
}

char *status_render_page(struct json_object *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>vigil</title>\n"
	      "<meta http-equiv=\"refresh\" content=\"5\"><style>body{font-family:sans-serif}"
	      "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px}"
	      "tr.up{background:#dfd}tr.down{background:#fdd}tr.pending{background:#ffd}"
	      "</style></head><body>\n<h1>vigil ", f);
	html(f, str(st, "version"));
	fputs("</h1>\n<p>configuration ", f);
	html(f, str(st, "config"));
	fprintf(f, " (generation %s)</p>\n<table><tr><th>process</th><th>pid</th><th>state</th>"
		"<th>restarts</th></tr>\n", str(st, "generation"));
	struct json_object *procs = get(st, "processes");
	for (size_t i = 0; procs && i < json_object_array_length(procs); i++) {
		struct json_object *p = json_object_array_get_idx(procs, i);
		const char *cells[] = { str(p, "name"), str(p, "pid"), str(p, "state"),
					str(p, "restarts") };
		page_row(f, cells, 4, NULL);
	}
	fputs("</table>\n", f);
	page_servers(f, st);
	fputs("<p><a href=\"/status.json\">status.json</a> · <a href=\"/metrics\">metrics</a></p>"
	      "</body></html>\n", f);
	fclose(f);
	return buf;
}
