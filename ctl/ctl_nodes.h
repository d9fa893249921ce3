/*
 * ctl_nodes: vigilctl's add and remove (real servers added and removed
 * while vigild runs) and the progress of a graceful removal.
 */
#ifndef VIGIL_CTL_NODES_H
#define VIGIL_CTL_NODES_H

#include <stdbool.h>

struct json_object;

/* vigilctl.c: sends req over fd, returns the parsed reply or NULL
 * (message printed); out of memory, exits 1. */
struct json_object *ctl_roundtrip(int fd, struct json_object *req);
void *must(void *p);

/* The request for `add ...` or `remove ...` (argv[0]); NULL: usage. */
struct json_object *ctl_nodes_request(int argc, char **argv, bool *json);
/* After a graceful remove's reply: polls the daemon, printing progress,
 * until the removal is done. Returns the exit status. */
int ctl_nodes_follow(int fd, struct json_object *reply, bool json);

#endif
