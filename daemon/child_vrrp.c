/*
 * child_vrrp: the vrrp child's hooks. It will run the VRRP instances
 * (vrrp/) and report state changes; at this stage it only keeps the
 * configuration current and reports readiness and heartbeats.
 */
#include "child.h"
#include "conf.h"
#include "log.h"

static int vrrp_start(struct child_ctx *cx)
{
	log_info("vrrp ready: %u instances configured", cx->conf->n_vrrp);
	return 0;
}

static int vrrp_reload(struct child_ctx *cx, const struct conf *old)
{
	log_info("vrrp: configuration generation %u (%u instances, was %u)",
		 cx->generation, cx->conf->n_vrrp, old->n_vrrp);
	return 0;
}

const struct child_ops child_vrrp_ops = {
	.name = "vrrp",
	.start = vrrp_start,
	.reload = vrrp_reload,
};
