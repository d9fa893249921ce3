/*
 * status_svg: the status page's small pieces — escaped text, state
 * badges, durations, byte and count formats — and its charts: the last
 * minutes of connections/s and bytes/s drawn as inline SVG polylines
 * (no script, no external resource), each with a <title> and a visible
 * text line giving the last and highest values, so the chart is never
 * the only way to read them.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "status_page.h"

#define CHART_W 120
#define CHART_H 28

void page_html(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

void page_badge(FILE *f, const char *kind, const char *text)
{
	static const struct { const char *kind, *icon; } icons[] = {
		{ "up", "\u2714" }, { "down", "\u2716" }, { "pending", "\u231b" },
		{ "master", "\u2605" }, { "backup", "\u25cb" }, { "fault", "\u26a0" },
	};
	const char *icon = "\u2022";
	for (size_t i = 0; i < sizeof(icons) / sizeof(icons[0]); i++)
		if (!strcmp(kind, icons[i].kind))
			icon = icons[i].icon;
	fputs("<span class=\"b b-", f);
	page_html(f, kind);
	fprintf(f, "\"><span aria-hidden=\"true\">%s</span> ", icon);
	page_html(f, text);
	fputs("</span>", f);
}

void page_duration(FILE *f, double s)
{
	if (!(s >= 0)) {
		fputs("-", f);
		return;
	}
	unsigned long long t = (unsigned long long)s;
	if (t >= 86400)
		fprintf(f, "%llud %lluh", t / 86400, t % 86400 / 3600);
	else if (t >= 3600)
		fprintf(f, "%lluh %llum", t / 3600, t % 3600 / 60);
	else if (t >= 60)
		fprintf(f, "%llum %llus", t / 60, t % 60);
	else
		fprintf(f, "%llus", t);
}

void page_bytes(FILE *f, double b, int per_s)
{
	static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	unsigned i = 0;
	while (b >= 1024 && i < sizeof(u) / sizeof(u[0]) - 1) {
		b /= 1024;
		i++;
	}
	fprintf(f, i ? "%.1f %s%s" : "%.0f %s%s", b, u[i], per_s ? "/s" : "");
}

void page_count(FILE *f, uint64_t n)
{
	char d[24];
	int len = snprintf(d, sizeof(d), "%llu", (unsigned long long)n);
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			fputs("\u2009", f);
		fputc(d[i], f);
	}
}

/* One chart: a polyline per run of samples without gaps, scaled to the
 * series' own maximum (the text says what that maximum is). */
static void chart(FILE *f, const float *v, unsigned n, const char *what, int bytes)
{
	double max = 0, last = NAN;
	for (unsigned i = 0; i < n; i++)
		if (!isnan(v[i])) {
			if (v[i] > max)
				max = v[i];
			last = v[i];
		}
	fprintf(f, "<span class=\"ch\"><svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"role=\"img\" aria-label=\"%s\"><title>%s</title>"
		"<rect width=\"%d\" height=\"%d\" class=\"bg\"/>",
		CHART_W, CHART_H, CHART_W, CHART_H, what, what, CHART_W, CHART_H);
	bool open = false;
	for (unsigned i = 0; i < n; i++) {
		if (isnan(v[i])) {
			if (open)
				fputs("\"/>", f);
			open = false;
			continue;
		}
		double x = n > 1 ? (double)i * (CHART_W - 2) / (n - 1) + 1 : CHART_W / 2.0;
		double y = CHART_H - 2 - (max > 0 ? v[i] / max * (CHART_H - 4) : 0);
		fprintf(f, "%s%.1f,%.1f", open ? " " : "<polyline points=\"", x, y);
		open = true;
	}
	if (open)
		fputs("\"/>", f);
	fputs("</svg><small>", f);
	if (isnan(last))
		fputs("no data", f);
	else if (bytes) {
		page_bytes(f, last, 1);
		fputs(" (max ", f);
		page_bytes(f, max, 1);
		fputs(")", f);
	} else {
		fprintf(f, "%.1f conn/s (max %.1f)", last, max);
	}
	fputs("</small></span>", f);
}

void page_charts(FILE *f, const struct status_charts *c, unsigned vs, int rs)
{
	float cps[STATUS_CHART_MAX], bps[STATUS_CHART_MAX];
	unsigned n = c && c->series ? c->series(c->arg, vs, rs, cps, bps) : 0;
	if (n > STATUS_CHART_MAX)
		n = STATUS_CHART_MAX;
	if (n < 2) {
		fputs("<small class=\"nd\">no history yet</small>", f);
		return;
	}
	char what[96];
	snprintf(what, sizeof(what), "connections per second, last %.0f s", n * c->step);
	chart(f, cps, n, what, 0);
	snprintf(what, sizeof(what), "bytes per second in and out, last %.0f s", n * c->step);
	chart(f, bps, n, what, 1);
}
