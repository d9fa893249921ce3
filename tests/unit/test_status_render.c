/*
 * The status renderers on a fixed status (status_render.h): the page
 * escapes what came from the configuration, loads nothing from outside,
 * shows each state as a word and an icon (not only a colour), draws the
 * charts from the series reader with a gap where a sample is missing, and
 * says "no history" without one; /metrics turns the kernel's counters
 * into counters and rates per virtual and real server, the latency
 * histogram into cumulative buckets, and leaves out what the status lacks.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "status_render.h"

static const char status_text[] =
	"{\"ok\":true,\"version\":\"9.9\",\"config\":\"/etc/vigil.conf\",\"generation\":3,"
	"\"time\":1000100.0,\"dry_run\":false,"
	"\"processes\":[{\"name\":\"vigild\",\"state\":\"running\",\"restarts\":0},"
	"{\"name\":\"checker\",\"state\":\"backoff\",\"restarts\":4}],"
	"\"check_latency\":{\"bounds_us\":[500,1000],\"types\":{\"http\":{\"runs\":[1,2,3],"
	"\"count\":6,\"sum_us\":2500000}}},"
	"\"vrrp\":{\"instances\":[{\"name\":\"VI_<1>\",\"interface\":\"eth0\",\"vrid\":51,"
	"\"version\":3,\"state\":\"BACKUP\",\"priority\":{\"base\":100,\"effective\":90},"
	"\"master\":{\"address\":\"192.0.2.2\",\"priority\":150,\"self\":false},"
	"\"since\":1000000.0,\"transitions\":7,\"reason\":\"higher priority advert\"}]},"
	"\"virtual_servers\":[{\"name\":\"web<script>\",\"service\":\"tcp 192.0.2.10:80\","
	"\"scheduler\":\"wlc\",\"in_kernel\":true,"
	"\"quorum\":{\"up\":false,\"alive_weight\":0,\"quorum\":1,\"sorry_server_in\":true},"
	"\"stats\":{\"conns\":1234567,\"inpkts\":10,\"outpkts\":11,\"inbytes\":2048,"
	"\"outbytes\":4096,\"cps\":3,\"inpps\":1,\"outpps\":1,\"inbps\":100,\"outbps\":200},"
	"\"real_servers\":[{\"address\":\"198.51.100.11:80\",\"weight_wanted\":0,"
	"\"weight_kernel\":0,\"active_conns\":2,\"inactive_conns\":5,\"override\":\"drain\","
	"\"stats\":{\"conns\":99,\"inpkts\":1,\"outpkts\":2,\"inbytes\":3,\"outbytes\":4,"
	"\"cps\":0,\"inpps\":0,\"outpps\":0,\"inbps\":0,\"outbps\":0},"
	"\"health\":{\"state\":\"down\",\"up\":false,\"reason\":\"http status 503\","
	"\"latency_us\":1500,\"since\":1000040.0}},"
	"{\"address\":\"198.51.100.12:80\",\"weight_wanted\":null,\"weight_kernel\":null,"
	"\"active_conns\":0,\"inactive_conns\":0,\"override\":null,\"stats\":null,"
	"\"health\":{\"state\":\"pending\",\"up\":false,\"reason\":\"no result yet\","
	"\"latency_us\":0,\"since\":null}}]}]}";

/* Five samples for the virtual server, one of them missing; none for its
 * real servers. */
static unsigned series(void *arg, unsigned vs, int rs, float *cps, float *bps)
{
	(void)arg;
	if (vs != 0 || rs >= 0)
		return 0;
	static const float c[] = { 1, 2, NAN, 4, 8 };
	for (unsigned i = 0; i < 5; i++) {
		cps[i] = c[i];
		bps[i] = c[i] * 1024;
	}
	return 5;
}

static void has(const char *text, const char *what)
{
	if (!strstr(text, what))
		fail_msg("missing: %s", what);
}

static void hasnt(const char *text, const char *what)
{
	if (strstr(text, what))
		fail_msg("present: %s", what);
}

static void test_page(void **st)
{
	(void)st;
	struct json_object *s = json_tokener_parse(status_text);
	assert_non_null(s);
	struct status_charts ch = { series, NULL, 5.0 };
	char *p = status_render_page(s, &ch, NULL);
	assert_non_null(p);
	/* Self-contained, read-only, refreshing, sized for a phone. */
	hasnt(p, "<script");
	hasnt(p, "src=");
	hasnt(p, "<form");
	hasnt(p, "@import");
	has(p, "<meta http-equiv=\"refresh\" content=\"5\">");
	has(p, "name=\"viewport\"");
	/* Configuration text is escaped. */
	has(p, "web&lt;script&gt;");
	has(p, "VI_&lt;1&gt;");
	/* VRRP: state in words, priority, master seen, time in state, transitions. */
	has(p, "\u25cb</span> BACKUP</span>");
	has(p, "90 / 100");
	has(p, "192.0.2.2 (150)");
	has(p, "<td class=\"n\">1m 40s</td><td class=\"n\">7</td>");
	/* Health in words and icons; reason and duration; the operator's drain. */
	has(p, "\u2716</span> down</span>");
	has(p, "<td>http status 503</td><td class=\"n\">1m 0s</td>");
	has(p, "\u231b</span> pending</span>");
	has(p, "drained");
	has(p, "quorum lost (alive weight 0 of 1)");
	has(p, "checker backoff, 4 restarts");
	/* Traffic: grouped counts and binary units; a dash without counters. */
	has(p, "1\u2009234\u2009567 connections, 3 conn/s");
	has(p, "in 2.0 KiB (100 B/s), out 4.0 KiB (200 B/s)");
	has(p, "<td class=\"n\">- / -</td>");
	/* Charts: two polylines each side of the gap, per chart; text beside. */
	has(p, "<svg width=\"120\" height=\"28\"");
	has(p, "8.0 conn/s (max 8.0)");
	has(p, "8.0 KiB/s (max 8.0 KiB/s)");
	const char *q = p;
	int lines = 0;
	while ((q = strstr(q, "<polyline")))
		lines++, q++;
	assert_int_equal(lines, 4);
	has(p, "no history yet");
	free(p);
	/* No reader at all: still a page. */
	p = status_render_page(s, NULL, NULL);
	assert_non_null(p);
	hasnt(p, "<svg");
	free(p);
	json_object_put(s);
}

static void test_metrics(void **st)
{
	(void)st;
	struct json_object *s = json_tokener_parse(status_text);
	char *m = status_render_metrics(s, NULL);
	assert_non_null(m);
	has(m, "# TYPE vigil_virtual_server_connections_total counter\n"
	       "vigil_virtual_server_connections_total{vs=\"web<script>\"} 1234567\n");
	has(m, "vigil_virtual_server_bytes_total{vs=\"web<script>\",direction=\"in\"} 2048\n"
	       "vigil_virtual_server_bytes_total{vs=\"web<script>\",direction=\"out\"} 4096\n");
	has(m, "vigil_virtual_server_bytes_per_second{vs=\"web<script>\",direction=\"out\"} 200\n");
	has(m, "vigil_real_server_packets_total{vs=\"web<script>\",rs=\"198.51.100.11:80\","
	       "direction=\"out\"} 2\n");
	hasnt(m, "vigil_real_server_connections_total{vs=\"web<script>\",rs=\"198.51.100.12:80\"}");
	has(m, "vigil_virtual_server_quorum_up{vs=\"web<script>\"} 0\n");
	has(m, "vigil_real_server_last_change_timestamp_seconds{vs=\"web<script>\","
	       "rs=\"198.51.100.11:80\"} 1000040.000\n");
	hasnt(m, "vigil_real_server_last_change_timestamp_seconds{vs=\"web<script>\","
		 "rs=\"198.51.100.12:80\"}");
	has(m, "vigil_real_server_check_latency_seconds{vs=\"web<script>\","
	       "rs=\"198.51.100.11:80\"} 0.001500\n");
	has(m, "vigil_check_latency_seconds_bucket{type=\"http\",le=\"0.0005\"} 1\n"
	       "vigil_check_latency_seconds_bucket{type=\"http\",le=\"0.001\"} 3\n"
	       "vigil_check_latency_seconds_bucket{type=\"http\",le=\"+Inf\"} 6\n"
	       "vigil_check_latency_seconds_sum{type=\"http\"} 2.500000\n"
	       "vigil_check_latency_seconds_count{type=\"http\"} 6\n");
	has(m, "vigil_vrrp_state{vrrp_instance=\"VI_<1>\",state=\"BACKUP\"} 1\n");
	has(m, "vigil_vrrp_priority{vrrp_instance=\"VI_<1>\"} 90\n");
	free(m);
	json_object_put(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_metrics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
