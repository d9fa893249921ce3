/*
 * status_render: the status reply (ctl_status) as Prometheus text
 * (status_metrics.c) and as a human HTML page (status_page*.c). Pure
 * functions of the JSON and, for the page's charts, of a series reader:
 * they return a malloc'd string (NULL on allocation failure).
 */
#ifndef VIGIL_STATUS_RENDER_H
#define VIGIL_STATUS_RENDER_H

struct json_object;

/* Samples a chart may draw at most. */
#define STATUS_CHART_MAX 120

/* The page's charts: `series` fills up to STATUS_CHART_MAX connections/s
 * and bytes/s of virtual server vs (its index in the status'
 * virtual_servers) or of its real server rs (rs < 0: the virtual server
 * itself), oldest first, NaN for a gap; it returns how many. */
struct status_charts {
	unsigned (*series)(void *arg, unsigned vs, int rs, float *cps, float *bps);
	void *arg;
	double step;                  /* seconds between two samples */
};

/* Called now and then during a long render (between virtual servers):
 * the parent reads its children's reports there (supervise_pump), so a
 * status of thousands of servers does not hold a check result or a VRRP
 * report back for the whole render. NULL: not called. */
struct status_tick {
	void (*fn)(void *arg);
	void *arg;
};

static inline void status_tick(const struct status_tick *t, unsigned i)
{
	if (t && t->fn && i % 16 == 15)
		t->fn(t->arg);
}

char *status_render_metrics(struct json_object *status, const struct status_tick *tick);
/* charts may be NULL: the page then says there is no history. */
char *status_render_page(struct json_object *status, const struct status_charts *charts,
			 const struct status_tick *tick);

#endif
