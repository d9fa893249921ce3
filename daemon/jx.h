/*
 * jx: json-c constructors under the daemon's out-of-memory rule
 * (docs/architecture.md, "Out of memory"): a JSON node is a few dozen
 * bytes of a status reply, so one that cannot be allocated ends the
 * process (xnonnull) instead of handing json-c's adders a NULL — which
 * they either write as null, silently, or assert on (a NULL container).
 * A deliberate null is still written as NULL, e.g. v ? jx_new_string(v)
 * : NULL.
 */
#ifndef VIGIL_JX_H
#define VIGIL_JX_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "xalloc.h"

static inline struct json_object *jx_new_object(void)
{
	return xnonnull(json_object_new_object());
}

static inline struct json_object *jx_new_array(void)
{
	return xnonnull(json_object_new_array());
}

static inline struct json_object *jx_new_string(const char *s)
{
	return xnonnull(json_object_new_string(s));
}

static inline struct json_object *jx_new_int(int32_t v)
{
	return xnonnull(json_object_new_int(v));
}

static inline struct json_object *jx_new_int64(int64_t v)
{
	return xnonnull(json_object_new_int64(v));
}

static inline struct json_object *jx_new_double(double v)
{
	return xnonnull(json_object_new_double(v));
}

static inline struct json_object *jx_new_boolean(bool v)
{
	return xnonnull(json_object_new_boolean(v));
}

#endif
