/*
 * health: the parent's view of the real servers' health, fed by the
 * checker child's IPC_CHECK_RESULT messages. It keeps the last known state
 * of every (virtual server, real server) across checker restarts, logs
 * each transition, and shows it in status.
 */
#ifndef VIGIL_HEALTH_H
#define VIGIL_HEALTH_H

#include <stddef.h>

struct vigild;
struct json_object;

void health_on_result(struct vigild *d, const void *payload, size_t len);
/* Adds the health part of the status reply to r. */
void health_status_json(struct vigild *d, struct json_object *r);

#endif
