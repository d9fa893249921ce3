/*
 * status_page_vs: the status page's virtual servers — one section each,
 * with its service, quorum, the kernel's traffic counters and rates and
 * its charts, then a table of its real servers: health (icon and word)
 * with the reason of the last result and how long it has held, the weight
 * vigild wants and the kernel's, an operator's override, connections,
 * traffic and charts. A value the status does not have is a dash.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "status_page.h"
#include "status_util.h"

static bool has(struct json_object *o, const char *k)
{
	return sj_get(o, k) != NULL;
}

static uint64_t u64(struct json_object *o, const char *k)
{
	return (uint64_t)json_object_get_int64(sj_get(o, k));
}

static void cell_text(FILE *f, const char *s, bool numeric)
{
	fputs(numeric ? "<td class=\"n\">" : "<td>", f);
	page_html(f, s && *s ? s : "-");
	fputs("</td>", f);
}

/* "12 345 conns, 3 conn/s; in 1.2 MiB (40 KiB/s), out ..." or a dash. */
static void traffic(FILE *f, struct json_object *stats)
{
	if (!stats) {
		fputs("no kernel counters", f);
		return;
	}
	page_count(f, u64(stats, "conns"));
	fprintf(f, " connections, %llu conn/s; in ", (unsigned long long)u64(stats, "cps"));
	page_bytes(f, (double)u64(stats, "inbytes"), 0);
	fputs(" (", f);
	page_bytes(f, (double)u64(stats, "inbps"), 1);
	fputs("), out ", f);
	page_bytes(f, (double)u64(stats, "outbytes"), 0);
	fputs(" (", f);
	page_bytes(f, (double)u64(stats, "outbps"), 1);
	fputs(")", f);
}

static void weight_cell(FILE *f, struct json_object *rs)
{
	fputs("<td class=\"n\">", f);
	page_html(f, has(rs, "weight_wanted") ? sj_str(rs, "weight_wanted") : "-");
	fputs(" / ", f);
	page_html(f, has(rs, "weight_kernel") ? sj_str(rs, "weight_kernel") : "-");
	fputs("</td>", f);
}

static void traffic_cells(FILE *f, struct json_object *stats)
{
	if (!stats) {
		fputs("<td class=\"n\">-</td><td class=\"n\">-</td><td class=\"n\">-</td>", f);
		return;
	}
	fputs("<td class=\"n\">", f);
	page_count(f, u64(stats, "conns"));
	fprintf(f, "<br><small>%llu/s</small></td><td class=\"n\">",
		(unsigned long long)u64(stats, "cps"));
	page_bytes(f, (double)u64(stats, "inbytes"), 0);
	fputs(" / ", f);
	page_bytes(f, (double)u64(stats, "outbytes"), 0);
	fputs("</td><td class=\"n\">", f);
	page_bytes(f, (double)u64(stats, "inbps"), 1);
	fputs(" / ", f);
	page_bytes(f, (double)u64(stats, "outbps"), 1);
	fputs("</td>", f);
}

static void rs_row(FILE *f, struct json_object *rs, const struct status_charts *c, unsigned vi,
		   int ri, double now)
{
	struct json_object *h = sj_get(rs, "health");
	const char *state = h ? sj_str(h, "state") : "unknown";
	fprintf(f, "<tr class=\"%s\">", !strcmp(state, "down") ? "down" : "ok");
	cell_text(f, sj_str(rs, "address"), false);
	fputs("<td>", f);
	page_badge(f, state, state);
	fputs("</td>", f);
	cell_text(f, sj_str(h, "reason"), false);
	fputs("<td class=\"n\">", f);
	struct json_object *since = sj_get(h, "since");
	if (since)
		page_duration(f, now - json_object_get_double(since));
	else
		fputs("-", f);
	fputs("</td>", f);
	weight_cell(f, rs);
	const char *ov = sj_str(rs, "override");
	fputs("<td>", f);
	if (*ov)
		page_badge(f, "pending", !strcmp(ov, "drain") ? "drained" : "weight set");
	else
		fputs("-", f);
	fputs("</td>", f);
	fprintf(f, "<td class=\"n\">%s / %s</td>", sj_str(rs, "active_conns"),
		sj_str(rs, "inactive_conns"));
	traffic_cells(f, sj_get(rs, "stats"));
	fputs("<td>", f);
	page_charts(f, c, vi, ri);
	fputs("</td></tr>\n", f);
}

static void quorum(FILE *f, struct json_object *q)
{
	struct json_object *up = sj_get(q, "up");
	if (!up)
		return;
	char text[96];
	bool ok = json_object_get_boolean(up);
	snprintf(text, sizeof(text), "quorum %s (alive weight %s of %s)", ok ? "up" : "lost",
		 sj_str(q, "alive_weight"), sj_str(q, "quorum"));
	page_badge(f, ok ? "up" : "down", text);
	if (json_object_get_boolean(sj_get(q, "sorry_server_in")))
		fputs(" sorry server in", f);
}

static void vs_section(FILE *f, struct json_object *vs, const struct status_charts *c,
		       unsigned vi, double now)
{
	fputs("<section><h2>", f);
	page_html(f, sj_vs_label(vs));
	fputs(" <small>", f);
	page_html(f, sj_str(vs, "service"));
	fputs(" ", f);
	page_html(f, sj_str(vs, "scheduler"));
	if (!json_object_get_boolean(sj_get(vs, "in_kernel")))
		fputs(", not in the kernel", f);
	fputs("</small></h2>\n<p>", f);
	quorum(f, sj_get(vs, "quorum"));
	fputs(" ", f);
	traffic(f, sj_get(vs, "stats"));
	fputs("</p><p>", f);
	page_charts(f, c, vi, -1);
	fputs("</p>\n<div class=\"w\"><table><tr><th>real server</th><th>health</th>"
	      "<th>last result</th><th>for</th><th>weight (wanted / kernel)</th>"
	      "<th>operator</th><th>active / inactive</th><th>connections</th>"
	      "<th>bytes in / out</th><th>rate in / out</th><th>last minutes</th></tr>\n", f);
	struct json_object *rss = sj_get(vs, "real_servers");
	for (size_t j = 0; j < sj_len(rss); j++)
		rs_row(f, sj_at(rss, j), c, vi, (int)j, now);
	fputs("</table></div></section>\n", f);
}

void page_virtual_servers(FILE *f, struct json_object *st, const struct status_charts *c,
			  double now, const struct status_tick *tick)
{
	struct json_object *vss = sj_get(st, "virtual_servers");
	if (!sj_len(vss)) {
		fputs("<p>No virtual server configured.</p>\n", f);
		return;
	}
	for (size_t i = 0; i < sj_len(vss); i++) {
		status_tick(tick, (unsigned)i);
		vs_section(f, sj_at(vss, i), c, (unsigned)i, now);
	}
}
