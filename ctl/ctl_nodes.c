/*
 * ctl_nodes: `vigilctl add VS RS [weight N] [forwarding F] [check TYPE
 * [KEY VALUE]...]...` and `vigilctl remove VS RS [--graceful [--timeout
 * S]]`.
 *
 * A check is written as in vigil.conf, one KEY VALUE pair per key, and
 * sent as JSON: a value that reads as an integer, a number or a boolean
 * is sent as one, a comma-separated list of integers or of addresses as
 * an array (status 200,204; a dns check's expect), `status` always as an
 * array, and the keys that only take strings (path, host, ...) as
 * written. vigild validates the whole real server with the file's rules.
 *
 * A graceful removal runs in vigild; vigilctl polls `removals` and shows
 * the drained real server's active connections until it is removed.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "ctl_nodes.h"

#define FOLLOW_POLL_MS 500

static const char *const string_keys[] = {
	"type", "path", "host", "method", "digest", "ca_file", "sni", "helo_name", "query",
	"qtype", "payload", "connect_address", "bind_address", NULL
};

static bool in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static bool is_int(const char *s, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || errno)
		return false;
	*out = v;
	return true;
}

static bool is_addr(const char *s)
{
	struct vaddr a;
	return vaddr_parse(s, &a) == 0;
}

/* "200,204" or "192.0.2.1,192.0.2.2" as an array; NULL when not a list of one kind. */
static struct json_object *list_value(const char *s, bool one_ok)
{
	char *copy = must(strdup(s)), *save = NULL;
	struct json_object *arr = must(json_object_new_array());
	bool ints = true, addrs = true;
	size_t n = 0;
	for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save), n++) {
		long long v;
		ints = ints && is_int(p, &v);
		addrs = addrs && is_addr(p);
		json_object_array_add(arr, ints ? json_object_new_int64(v)
				      : must(json_object_new_string(p)));
	}
	free(copy);
	if (!n || (!ints && !addrs) || (n == 1 && !one_ok)) {
		json_object_put(arr);
		return NULL;
	}
	if (!ints) {   /* addresses: the elements written as strings all along */
		json_object_put(arr);
		arr = must(json_object_new_array());
		copy = must(strdup(s));
		for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save))
			json_object_array_add(arr, must(json_object_new_string(p)));
		free(copy);
	}
	return arr;
}

static struct json_object *typed_value(const char *key, const char *s)
{
	long long v;
	char *end;
	struct json_object *arr;
	if (in(key, string_keys))
		return must(json_object_new_string(s));
	if (!strcmp(key, "status") && (arr = list_value(s, true)))
		return arr;
	if (!strcmp(key, "expect"))   /* dns: addresses; http, udp: a substring */
		return (arr = list_value(s, true)) && !json_object_is_type(
			json_object_array_get_idx(arr, 0), json_type_int)
			? arr : (json_object_put(arr), must(json_object_new_string(s)));
	if (!strcmp(s, "true") || !strcmp(s, "false"))
		return must(json_object_new_boolean(s[0] == 't'));
	if (is_int(s, &v))
		return must(json_object_new_int64(v));
	double d = strtod(s, &end);
	if (*s && !*end)
		return must(json_object_new_double(d));
	if ((arr = list_value(s, false)))
		return arr;
	return must(json_object_new_string(s));
}

/* argv: check TYPE [KEY VALUE]... up to the next `check`; returns the
 * words used, or -1. */
static int parse_check(int argc, char **argv, struct json_object *checks)
{
	if (argc < 2) {
		fprintf(stderr, "vigilctl: check needs a TYPE\n");
		return -1;
	}
	struct json_object *ck = must(json_object_new_object());
	json_object_array_add(checks, ck);
	json_object_object_add(ck, "type", must(json_object_new_string(argv[1])));
	int i = 2;
	for (; i < argc && strcmp(argv[i], "check"); i += 2) {
		if (i + 1 >= argc) {
			fprintf(stderr, "vigilctl: check key '%s' has no value\n", argv[i]);
			return -1;
		}
		json_object_object_add(ck, argv[i], typed_value(argv[i], argv[i + 1]));
	}
	return i;
}

static struct json_object *add_request(int argc, char **argv, struct json_object *req)
{
	struct json_object *checks = NULL;
	for (int i = 3; i < argc;) {
		long long w;
		if (!strcmp(argv[i], "weight") && i + 1 < argc && !checks) {
			if (!is_int(argv[i + 1], &w) || w < 0 || w > 65535) {
				fprintf(stderr, "vigilctl: weight must be 0..65535\n");
				return NULL;
			}
			json_object_object_add(req, "weight", json_object_new_int((int)w));
			i += 2;
		} else if (!strcmp(argv[i], "forwarding") && i + 1 < argc && !checks) {
			json_object_object_add(req, "forwarding",
					       must(json_object_new_string(argv[i + 1])));
			i += 2;
		} else if (!strcmp(argv[i], "check")) {
			if (!checks) {
				checks = must(json_object_new_array());
				json_object_object_add(req, "checks", checks);
			}
			int n = parse_check(argc - i, argv + i, checks);
			if (n < 0)
				return NULL;
			i += n;
		} else {
			fprintf(stderr, "vigilctl: add: unexpected '%s'\n", argv[i]);
			return NULL;
		}
	}
	return req;
}

static struct json_object *remove_request(int argc, char **argv, struct json_object *req)
{
	bool graceful = false;
	long long timeout = -1;
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--graceful")) {
			graceful = true;
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			if (!is_int(argv[++i], &timeout) || timeout < 0 || timeout > 86400) {
				fprintf(stderr, "vigilctl: --timeout must be 0..86400 seconds\n");
				return NULL;
			}
		} else {
			return NULL;
		}
	}
	if (timeout >= 0 && !graceful) {
		fprintf(stderr, "vigilctl: --timeout goes with --graceful\n");
		return NULL;
	}
	if (graceful)
		json_object_object_add(req, "graceful", json_object_new_boolean(1));
	if (timeout >= 0)
		json_object_object_add(req, "timeout", json_object_new_int((int)timeout));
	return req;
}

struct json_object *ctl_nodes_request(int argc, char **argv, bool *json)
{
	int n = 0;
	char *args[argc + 1];
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			*json = true;
		else
			args[n++] = argv[i];
	}
	args[n] = NULL;
	if (n < 3 || args[1][0] == '-' || args[2][0] == '-')
		return NULL;
	struct json_object *req = must(json_object_new_object());
	json_object_object_add(req, "cmd", must(json_object_new_string(args[0])));
	json_object_object_add(req, "vs", must(json_object_new_string(args[1])));
	json_object_object_add(req, "rs", must(json_object_new_string(args[2])));
	struct json_object *r = !strcmp(args[0], "add") ? add_request(n, args, req)
		: remove_request(n, args, req);
	if (!r)
		json_object_put(req);
	return r;
}

static const char *jstring(struct json_object *o, const char *key)
{
	struct json_object *v;
	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : "";
}

/* The entry of list `key` in reply r for this vs and rs (the last one). */
static struct json_object *find_entry(struct json_object *r, const char *key, const char *vs,
				      const char *rs)
{
	struct json_object *arr, *hit = NULL;
	if (!json_object_object_get_ex(r, key, &arr))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		if (!strcmp(jstring(e, "vs"), vs) && !strcmp(jstring(e, "rs"), rs))
			hit = e;
	}
	return hit;
}

static int print_done(struct json_object *e, const char *vs, const char *rs, bool json)
{
	struct json_object *v;
	if (json) {
		printf("%s\n", json_object_to_json_string_ext(e, JSON_C_TO_STRING_PRETTY));
	} else if (json_object_object_get_ex(e, "error", &v) && v) {
		fprintf(stderr, "vigilctl: %s of %s was not removed: %s\n", rs, vs,
			json_object_get_string(v));
		return 1;
	}
	if (json)
		return json_object_object_get_ex(e, "error", &v) && v ? 1 : 0;
	json_object_object_get_ex(e, "waited", &v);
	double waited = json_object_get_double(v);
	json_object_object_get_ex(e, "active_left", &v);
	long long left = json_object_get_int64(v);
	json_object_object_get_ex(e, "timed_out", &v);
	if (json_object_get_boolean(v))
		printf("removed %s from %s at the timeout (%.1f s) with %lld active connection%s "
		       "left\n", rs, vs, waited, left, left == 1 ? "" : "s");
	else
		printf("removed %s from %s after %.1f s: no active connection left\n", rs, vs,
		       waited);
	return 0;
}

int ctl_nodes_follow(int fd, struct json_object *reply, bool json)
{
	char vs[128], rs[80];
	snprintf(vs, sizeof(vs), "%s", jstring(reply, "vs"));
	snprintf(rs, sizeof(rs), "%s", jstring(reply, "rs"));
	if (!json)
		printf("draining %s of %s (weight 0) for up to %s s\n", rs, vs,
		       jstring(reply, "timeout"));
	long long shown = -2;
	time_t shown_at = 0;
	for (;;) {
		struct timespec ts = { 0, FOLLOW_POLL_MS * 1000000L };
		nanosleep(&ts, NULL);
		struct json_object *req = must(json_object_new_object());
		json_object_object_add(req, "cmd", must(json_object_new_string("removals")));
		struct json_object *r = ctl_roundtrip(fd, req);
		json_object_put(req);
		if (!r)
			return 3;
		struct json_object *e = find_entry(r, "removing", vs, rs), *v;
		if (!e) {
			e = find_entry(r, "done", vs, rs);
			int rc = e ? print_done(e, vs, rs, json) : 1;
			if (!e)
				fprintf(stderr, "vigilctl: the removal of %s is no longer known\n", rs);
			json_object_put(r);
			return rc;
		}
		long long act = json_object_object_get_ex(e, "active_conns", &v) && v
				? json_object_get_int64(v) : -1;
		if (!json && act >= 0 && (act != shown || time(NULL) - shown_at >= 5)) {
			json_object_object_get_ex(e, "left", &v);
			printf("  active connections: %lld, inactive: %s; %.0f s left\n", act,
			       jstring(e, "inactive_conns"),
			       json_object_get_double(v));
			fflush(stdout);
			shown = act;
			shown_at = time(NULL);
		}
		json_object_put(r);
	}
}
