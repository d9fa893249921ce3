/*
 * status_metrics: prints the /metrics text that vigild renders from a
 * status reply read from a file (or stdin) — for the lint check of
 * etc/monitoring/ (monitoring.sh), which needs vigild's metric names
 * without a running daemon.
 */
#include <stdio.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "status_render.h"

int main(int argc, char **argv)
{
	struct json_object *st = argc > 1 ? json_object_from_file(argv[1]) : NULL;
	if (!st) {
		fprintf(stderr, "usage: status_metrics STATUS.json\n");
		return 2;
	}
	char *m = status_render_metrics(st, NULL);
	if (!m)
		return 1;
	fputs(m, stdout);
	free(m);
	json_object_put(st);
	return 0;
}
