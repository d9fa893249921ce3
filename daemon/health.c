/*
 * health: parent-side record of check results (see health.h). For now it
 * logs what the checker reports; the state table comes with the checkers.
 */
#include "health.h"
#include "log.h"
#include "vigild.h"

void health_on_result(struct vigild *d, const void *payload, size_t len)
{
	(void)d;
	(void)payload;
	log_debug("check result of %zu bytes", len);
}

void health_status_json(struct vigild *d, struct json_object *r)
{
	(void)d;
	(void)r;
}
