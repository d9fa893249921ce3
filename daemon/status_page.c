/*
 * status_page: the human status page (`/`), rendered on the server from
 * the status reply: no script, no external resource (style and charts
 * are inline), a meta refresh every 5 s, a viewport for phones (tables
 * scroll sideways in their own box). Read-only: it has no form and no
 * link that changes anything — the control socket does that.
 *
 *   <header>   the director: VRRP instances (state, priority, master
 *              seen, time in state, transitions), sync groups, processes
 *   <section>  one per virtual server (status_page_vs.c)
 *
 * States are shown as icon + word + colour (Okabe-Ito palette), so
 * neither a colour-blind reader nor a monochrome screen loses them.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status_page.h"
#include "status_util.h"

static const char style[] =
	"body{font-family:system-ui,sans-serif;margin:0 auto;max-width:80em;padding:0 .5em;"
	"color:#111;background:#fff}"
	"h1{font-size:1.3em;margin:.4em 0}h2{font-size:1.1em;margin:1em 0 .3em}"
	"table{border-collapse:collapse;font-size:.9em}"
	"td,th{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top}"
	"th{background:#eee}td.n{text-align:right;font-variant-numeric:tabular-nums}"
	".w{overflow-x:auto}"
	".b{display:inline-block;padding:0 .4em;border-radius:.3em;font-weight:bold;"
	"white-space:nowrap;border:1px solid}"
	".b-up,.b-master{color:#004d80;background:#e0f0fa;border-color:#0072b2}"
	".b-down,.b-fault{color:#7a2e00;background:#fbe3d4;border-color:#d55e00}"
	".b-pending,.b-backup{color:#5c4300;background:#fdf1d3;border-color:#e69f00}"
	"tr.down td{font-weight:bold}"
	".ch{display:inline-block;margin-right:.5em}.ch svg{display:block}"
	".ch rect.bg{fill:#f4f4f4}.ch polyline{fill:none;stroke:#0072b2;stroke-width:1.5}"
	"small{color:#444}.nd{color:#666}"
	"header{border-bottom:2px solid #0072b2;padding-bottom:.5em}"
	"@media (max-width:40em){td,th{padding:2px 3px}.ch svg{width:90px}}";

static double num(struct json_object *o, const char *k)
{
	struct json_object *v = sj_get(o, k);
	return v ? json_object_get_double(v) : -1;
}

static const char *vrrp_kind(const char *state)
{
	return !strcmp(state, "MASTER") ? "master" : !strcmp(state, "BACKUP") ? "backup"
	     : !strcmp(state, "FAULT") ? "fault" : "pending";
}

static void td(FILE *f, const char *s)
{
	fputs("<td>", f);
	page_html(f, s);
	fputs("</td>", f);
}

static void vrrp_row(FILE *f, struct json_object *in, double now)
{
	struct json_object *pr = sj_get(in, "priority"), *m = sj_get(in, "master");
	const char *state = sj_str(in, "state");
	fputs("<tr>", f);
	td(f, sj_str(in, "name"));
	fputs("<td>", f);
	page_badge(f, vrrp_kind(state), state);
	fputs("</td><td class=\"n\">", f);
	page_html(f, sj_str(pr, "effective"));
	fputs(" / ", f);
	page_html(f, sj_str(pr, "base"));
	fputs("</td><td>", f);
	if (m) {
		page_html(f, sj_str(m, "address"));
		fputs(" (", f);
		page_html(f, sj_str(m, "priority"));
		fputs(json_object_get_boolean(sj_get(m, "self")) ? ", this director)" : ")", f);
	} else {
		fputs("none seen", f);
	}
	fputs("</td><td class=\"n\">", f);
	double since = num(in, "since");
	page_duration(f, since > 0 ? now - since : -1);
	fputs("</td><td class=\"n\">", f);
	page_html(f, sj_get(in, "transitions") ? sj_str(in, "transitions") : "-");
	fputs("</td>", f);
	char where[96];
	if (sj_get(in, "vmac"))       /* as ip(8) names a macvlan: vrrp.51@eth0 */
		snprintf(where, sizeof(where), "%s@%s vrid %s v%s", sj_str(in, "vmac"),
			 sj_str(in, "interface"), sj_str(in, "vrid"), sj_str(in, "version"));
	else
		snprintf(where, sizeof(where), "%s vrid %s v%s", sj_str(in, "interface"),
			 sj_str(in, "vrid"), sj_str(in, "version"));
	td(f, where);
	td(f, sj_get(in, "reason") ? sj_str(in, "reason") : "");
	fputs("</tr>\n", f);
}

static void vrrp_section(FILE *f, struct json_object *st, double now)
{
	struct json_object *v = sj_get(st, "vrrp"), *insts = sj_get(v, "instances");
	if (!sj_len(insts)) {
		fputs("<p>No VRRP instance: this director holds no address by VRRP.</p>\n", f);
		return;
	}
	fputs("<h2>VRRP</h2><div class=\"w\"><table><tr><th>instance</th><th>state</th>"
	      "<th>priority (effective / base)</th><th>master seen</th><th>in state for</th>"
	      "<th>transitions</th><th>interface</th><th>last reason</th></tr>\n", f);
	for (size_t i = 0; i < sj_len(insts); i++)
		vrrp_row(f, sj_at(insts, i), now);
	fputs("</table></div>\n", f);
	struct json_object *groups = sj_get(v, "sync_groups");
	for (size_t i = 0; i < sj_len(groups); i++) {
		struct json_object *g = sj_at(groups, i);
		fputs("<p>sync group ", f);
		page_html(f, sj_str(g, "name"));
		fputs(": ", f);
		page_badge(f, vrrp_kind(sj_str(g, "state")), sj_str(g, "state"));
		fputs("</p>\n", f);
	}
}

static void processes(FILE *f, struct json_object *st)
{
	struct json_object *procs = sj_get(st, "processes");
	fputs("<p>", f);
	for (size_t i = 0; i < sj_len(procs); i++) {
		struct json_object *p = sj_at(procs, i);
		const char *state = sj_str(p, "state");
		char text[96];
		snprintf(text, sizeof(text), "%s %s, %s restarts", sj_str(p, "name"), state,
			 sj_str(p, "restarts"));
		page_badge(f, !strcmp(state, "running") ? "up" : "down", text);
		fputs(" ", f);
	}
	fputs("</p>\n", f);
}

static void header(FILE *f, struct json_object *st, double now)
{
	fputs("<header><h1>vigil ", f);
	page_html(f, sj_str(st, "version"));
	fputs("</h1><p>configuration ", f);
	page_html(f, sj_str(st, "config"));
	fputs(" (generation ", f);
	page_html(f, sj_str(st, "generation"));
	fputs(json_object_get_boolean(sj_get(st, "dry_run")) ? ", dry run" : "", f);
	fputs("); page refreshes every 5 s</p>\n", f);
	processes(f, st);
	vrrp_section(f, st, now);
	fputs("</header>\n", f);
}

char *status_render_page(struct json_object *st, const struct status_charts *charts,
			 const struct status_tick *tick)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	double now = num(st, "time");
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
		"<meta http-equiv=\"refresh\" content=\"5\"><title>vigil status</title>\n"
		/* An empty icon: no /favicon.ico request, no 404 in a console. */
		"<link rel=\"icon\" href=\"data:,\">"
		"<style>%s</style></head><body>\n", style);
	header(f, st, now);
	page_virtual_servers(f, st, charts, now, tick);
	fputs("<footer><p><a href=\"/status.json\">status.json</a> \u00b7 "
	      "<a href=\"/metrics\">metrics</a></p></footer></body></html>\n", f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
