/*
 * status_page: what the status page's renderers share (status_page.c
 * lays out the page and its header, status_page_vs.c the virtual and real
 * servers, status_svg.c the charts and the number formats).
 */
#ifndef VIGIL_STATUS_PAGE_H
#define VIGIL_STATUS_PAGE_H

#include <stdint.h>
#include <stdio.h>

#include "status_render.h"

struct json_object;

/* Text escaped for HTML content and attribute values. */
void page_html(FILE *f, const char *s);
/* A state as an icon, a word and a class: the colours (Okabe-Ito, safe
 * for colour-blind readers) are never the only sign. kind: "up", "down",
 * "pending", "master", "backup", "fault", anything else neutral. */
void page_badge(FILE *f, const char *kind, const char *text);
/* "3d 4h", "5m 12s", "42s"; "-" when negative. */
void page_duration(FILE *f, double s);
/* 1536 -> "1.5 KiB"; with per_s "1.5 KiB/s". */
void page_bytes(FILE *f, double b, int per_s);
/* A number with thousands grouped by thin spaces: 1 234 567. */
void page_count(FILE *f, uint64_t n);
/* The two small charts (connections/s, bytes/s) of one series, as
 * inline SVG with a text summary for screen readers and no-SVG clients. */
void page_charts(FILE *f, const struct status_charts *c, unsigned vs, int rs);

/* The virtual servers' sections (status_page_vs.c). now: the status' wall clock. */
void page_virtual_servers(FILE *f, struct json_object *st, const struct status_charts *c,
			  double now, const struct status_tick *tick);

#endif
