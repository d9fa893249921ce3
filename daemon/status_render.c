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
#include "status_util.h"

#define get sj_get
#define str sj_str

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
