/*
 * status_render: the status reply (ctl_status) as Prometheus text and as a
 * human HTML page. Pure functions of the JSON: they return a malloc'd
 * string (NULL on allocation failure).
 */
#ifndef VIGIL_STATUS_RENDER_H
#define VIGIL_STATUS_RENDER_H

struct json_object;

char *status_render_metrics(struct json_object *status);
char *status_render_page(struct json_object *status);

#endif
