/*
 * status_util: small readers of the status JSON shared by its renderers
 * (status_metrics.c, status_page*.c): a member or NULL, a member's text
 * or "" — the renderers take whatever shape the status has and leave out
 * what is absent rather than invent it.
 */
#ifndef VIGIL_STATUS_UTIL_H
#define VIGIL_STATUS_UTIL_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdio.h>

static inline struct json_object *sj_get(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;
	return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, k, &v)
	       ? v : NULL;
}

static inline const char *sj_str(struct json_object *o, const char *k)
{
	struct json_object *v = sj_get(o, k);
	const char *s = v ? json_object_get_string(v) : NULL;
	return s ? s : "";
}

static inline size_t sj_len(struct json_object *a)
{
	return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static inline struct json_object *sj_at(struct json_object *a, size_t i)
{
	return json_object_array_get_idx(a, i);
}

/* A virtual server's label: its name, else its service ("tcp 192.0.2.10:80"). */
static inline const char *sj_vs_label(struct json_object *vs)
{
	return sj_get(vs, "name") ? sj_str(vs, "name") : sj_str(vs, "service");
}

#endif
