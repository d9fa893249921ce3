/*
 * announce_metrics: the announce section of a status reply as Prometheus
 * text (a pure function of the JSON, like status_render.c, which calls
 * it). Per address: whether it is announced, why (one sample per reason,
 * 1 for the current one, the Prometheus way for an enum), and how many
 * times it was announced or withdrawn.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "announce.h"

static struct json_object *get(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;
	return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static const char *str(struct json_object *o, const char *k)
{
	struct json_object *v = get(o, k);
	return v ? json_object_get_string(v) : "";
}

/* Addresses are printed by vaddr_str: no character needs escaping. */
void announce_metrics(FILE *f, struct json_object *status)
{
	struct json_object *addrs = get(get(status, "announce"), "addresses");
	size_t n = addrs ? json_object_array_length(addrs) : 0;
	if (!n)
		return;
	fputs("# HELP vigil_announce_announced 1 while the address's route is announced.\n"
	      "# TYPE vigil_announce_announced gauge\n", f);
	for (size_t i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(addrs, i);
		fprintf(f, "vigil_announce_announced{address=\"%s\"} %d\n", str(a, "address"),
			json_object_get_boolean(get(a, "announced")));
	}
	fputs("# HELP vigil_announce_reason 1 for the reason the address is or is not announced.\n"
	      "# TYPE vigil_announce_reason gauge\n", f);
	for (size_t i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(addrs, i);
		for (int r = 0; r < ANNOUNCE__COUNT; r++) {
			const char *name = announce_reason_str((enum announce_reason)r);
			fprintf(f, "vigil_announce_reason{address=\"%s\",reason=\"%s\"} %d\n",
				str(a, "address"), name, !strcmp(str(a, "reason"), name));
		}
	}
	fputs("# HELP vigil_announce_changes_total Announcements and withdrawals of the address.\n"
	      "# TYPE vigil_announce_changes_total counter\n", f);
	for (size_t i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(addrs, i);
		fprintf(f, "vigil_announce_changes_total{address=\"%s\"} %s\n", str(a, "address"),
			str(a, "changes"));
	}
}
