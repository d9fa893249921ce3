/*
 * runtime_rs: an addition's real server, read with the file's rules. It is
 * built as a libconfig group from the request's JSON (strings, integers,
 * numbers, booleans, arrays of them, as the file would write them) and
 * read by conf_rs_read, so it is validated exactly as the same lines in
 * vigil.conf would be. `script` checks are refused: the control socket
 * must not be a way to have commands run.
 */
#include <libconfig.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "config.h"
#include "runtime.h"

/* One JSON value as member `key` of libconfig group g: 0, or -1 (why). */
static int json_member(config_setting_t *g, const char *key, struct json_object *v,
		       char *why, size_t len)
{
	static const int types[] = {
		[json_type_boolean] = CONFIG_TYPE_BOOL, [json_type_double] = CONFIG_TYPE_FLOAT,
		[json_type_int] = CONFIG_TYPE_INT64, [json_type_string] = CONFIG_TYPE_STRING,
		[json_type_array] = CONFIG_TYPE_ARRAY,
	};
	enum json_type t = json_object_get_type(v);
	int ct = (size_t)t < sizeof(types) / sizeof(types[0]) ? types[t] : 0;
	config_setting_t *s = ct ? config_setting_add(g, key, ct) : NULL;
	if (!s) {
		snprintf(why, len, "%.64s: %s", key, ct ? "not a valid key name"
			 : "expected a string, number, boolean or array");
		return -1;
	}
	switch (t) {
	case json_type_boolean:
		config_setting_set_bool(s, json_object_get_boolean(v));
		return 0;
	case json_type_double:
		config_setting_set_float(s, json_object_get_double(v));
		return 0;
	case json_type_int:
		config_setting_set_int64(s, json_object_get_int64(v));
		return 0;
	case json_type_string:
		config_setting_set_string(s, json_object_get_string(v));
		return 0;
	default:
		break;
	}
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		bool ok = false;
		if (json_object_is_type(e, json_type_int))
			ok = config_setting_set_int64_elem(s, -1, json_object_get_int64(e));
		else if (json_object_is_type(e, json_type_string))
			ok = config_setting_set_string_elem(s, -1, json_object_get_string(e));
		if (!ok) {
			snprintf(why, len, "%.64s: expected an array of integers or of strings", key);
			return -1;
		}
	}
	return 0;
}

/* The real server group the file would have: address, port, weight,
 * forwarding, checks. 0, or -1 (why). */
static int spec_group(config_setting_t *g, const char *rs, struct json_object *spec,
		      char *why, size_t len)
{
	struct vaddr a;
	uint16_t port;
	char as[VADDR_STRLEN];
	if (vaddr_port_parse(rs, &a, &port) < 0 || !port) {
		snprintf(why, len, "real server '%.64s': expected ADDR:PORT", rs);
		return -1;
	}
	config_setting_set_string(config_setting_add(g, "address", CONFIG_TYPE_STRING),
				  vaddr_str(&a, as, sizeof(as)));
	config_setting_set_int(config_setting_add(g, "port", CONFIG_TYPE_INT), port);
	struct json_object *v;
	if (json_object_object_get_ex(spec, "weight", &v) && json_member(g, "weight", v, why, len))
		return -1;
	if (json_object_object_get_ex(spec, "forwarding", &v) &&
	    json_member(g, "forwarding", v, why, len))
		return -1;
	if (!json_object_object_get_ex(spec, "checks", &v))
		return 0;
	config_setting_t *l = config_setting_add(g, "checks", CONFIG_TYPE_LIST);
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		struct json_object *ck = json_object_array_get_idx(v, i);
		config_setting_t *cg = config_setting_add(l, NULL, CONFIG_TYPE_GROUP);
		json_object_object_foreach(ck, key, val) {
			if (json_member(cg, key, val, why, len) < 0)
				return -1;
		}
	}
	return 0;
}

/* Reads an addition's real server for virtual server v of c. 0, or -1 (why). */
int rt_build_rs(const struct conf *c, const struct vs_conf *v, const struct rt_change *ch,
		    struct rs_conf *out, char *why, size_t len)
{
	config_t cfg;
	config_init(&cfg);
	config_setting_t *g = config_setting_add(config_root_setting(&cfg), "rs",
						 CONFIG_TYPE_GROUP);
	int r = g ? spec_group(g, ch->rs, ch->spec, why, len) : -1;
	if (!g)
		snprintf(why, len, "out of memory");
	struct conf_errors errs;
	if (r == 0 && conf_rs_read(c, v, g, "add", out, &errs) < 0) {
		/* The first problem, without the "add:0: " a file's line would take. */
		const char *m = errs.n ? errs.lines[0] : "add:0: out of memory";
		const char *p = strstr(m, ": ");
		snprintf(why, len, "%s%s", p ? p + 2 : m, errs.n > 1 ? " (and more)" : "");
		conf_errors_free(&errs);
		r = -1;
	}
	config_destroy(&cfg);
	for (unsigned k = 0; r == 0 && k < out->n_checks; k++) {
		if (out->checks[k].type == CHECK_SCRIPT) {
			snprintf(why, len, "script checks can only be configured in the file");
			conf_rs_free(out);
			r = -1;
		}
	}
	return r;
}

