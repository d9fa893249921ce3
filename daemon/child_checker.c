/*
 * child_checker: the checker child's hooks. It will run the health checks
 * (checkers/) and report results; at this stage it only keeps the
 * configuration current and reports readiness and heartbeats.
 */
#include "child.h"
#include "conf.h"
#include "log.h"

static int checker_start(struct child_ctx *cx)
{
	unsigned n = 0;
	for (unsigned i = 0; i < cx->conf->n_vs; i++)
		for (unsigned j = 0; j < cx->conf->vs[i].n_rs; j++)
			n += cx->conf->vs[i].rs[j].n_checks;
	log_info("checker ready: %u virtual servers, %u checks configured",
		 cx->conf->n_vs, n);
	return 0;
}

static int checker_reload(struct child_ctx *cx, const struct conf *old)
{
	log_info("checker: configuration generation %u (%u virtual servers, was %u)",
		 cx->generation, cx->conf->n_vs, old->n_vs);
	return 0;
}

const struct child_ops child_checker_ops = {
	.name = "checker",
	.start = checker_start,
	.reload = checker_reload,
};
