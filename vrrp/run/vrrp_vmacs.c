/*
 * vrrp_vmacs: the vrrp child's virtual MAC interfaces (vrrp/vrrp_vmac.h,
 * vrrp/vrrp_devconf.h), one per instance with `vmac`, kept across reloads
 * like the netlink socket and the link monitor:
 *
 *   run built ──> vrrp_vmacs_get per instance: adopt / create, settings,
 *                 up, IPv6 link-local; marked with the run's generation
 *   reload    ──> (old instances shut down) vrrp_vmacs_sweep: the ones the
 *                 new run does not use are removed
 *   stop      ──> vrrp_vmacs_close: every one removed, settings restored
 *   deleted   ──> (link monitor) vrrp_inst_vmac_gone: made again
 *
 * The interface lives from start to stop whatever the instance's state,
 * as in keepalived: a backup has it too (with no address), so taking over
 * only moves addresses. An IPv6 vmac that sends the adverts carries its
 * base's link-local address (the adverts' source must be on the sending
 * interface, and the peer must see the same source either way).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "log.h"
#include "vrrp_devconf.h"
#include "vrrp_run.h"
#include "vrrp_vmac.h"
#include "xalloc.h"

#define PROC_SYS_NET "/proc/sys/net"

struct vmac_ent {
	char name[IF_NAMESIZE], base[IF_NAMESIZE];
	int family;
	uint8_t vrid;
	bool want_ll;                 /* IPv6, adverts sent from the vmac */
	bool ll_done;
	bool devconf;                 /* vrrp_devconf_vmac_on done */
	int ifindex;                  /* 0: not there (yet) */
	unsigned gen;                 /* the last run that uses it */
};

struct vrrp_vmacs {
	struct vrrp_nl *nl;
	struct vrrp_devconf *dc;
	struct vmac_ent *e;
	unsigned n;
	unsigned gen;
};

struct vrrp_vmacs *vrrp_vmacs_open(struct vrrp_nl *nl)
{
	struct vrrp_vmacs *v = xcalloc(1, sizeof(*v));
	v->nl = nl;
	v->dc = xnonnull(vrrp_devconf_new(PROC_SYS_NET));
	return v;
}

void vrrp_vmacs_begin(struct vrrp_vmacs *v)
{
	v->gen++;
}

/* The base's link-local address on the vmac, once the base has one. */
static void copy_ll(struct vrrp_vmacs *v, struct vmac_ent *e)
{
	struct errbuf eb;
	struct vprefix ll = { .plen = 64 };
	int base = (int)if_nametoindex(e->base);
	if (!e->want_ll || e->ll_done || !e->ifindex || !base ||
	    vrrp_if_source(v->nl, base, AF_INET6, NULL, 0, &ll.addr, &eb) < 0)
		return;
	if (vrrp_vip_add(v->nl, e->ifindex, &ll, &eb) < 0)
		log_warn("vrrp: %s: link-local address: %s", e->name, eb.msg);
	else
		e->ll_done = true;
}

static void ent_remove(struct vrrp_vmacs *v, struct vmac_ent *e)
{
	struct errbuf eb;
	if (e->ifindex) {
		int r = vrrp_vmac_remove(v->nl, e->ifindex, &eb);
		if (r < 0)
			log_err("vrrp: %s: %s", e->name, eb.msg);
		else if (r == 0)
			log_info("vrrp: removed virtual MAC interface %s", e->name);
	}
	if (e->devconf && vrrp_devconf_vmac_off(v->dc, e->base, e->family, &eb) < 0)
		log_warn("vrrp: restoring %s's settings: %s", e->base, eb.msg);
	e->devconf = false;
	e->ifindex = 0;
	e->ll_done = false;
}

/* Creates or adopts e's interface, sets it up; false when it cannot be. */
static bool ent_setup(struct vrrp_vmacs *v, struct vmac_ent *e, bool *conflict)
{
	static const char *const how_str[] = { "created", "adopted", "replaced" };
	struct errbuf eb;
	enum vrrp_vmac_how how;
	uint8_t mac[6];
	int base = (int)if_nametoindex(e->base);
	*conflict = false;
	if (!base)
		return false;                 /* the link monitor retries when it comes */
	vrrp_vmac_addr(e->family, e->vrid, mac);
	int idx = vrrp_vmac_ensure(v->nl, e->name, base, mac, &how, &eb);
	if (idx < 0) {
		log_err("vrrp: virtual MAC interface: %s", eb.msg);
		*conflict = idx == -EEXIST;
		return false;
	}
	e->ifindex = idx;
	char note[160];
	if (how == VRRP_VMAC_ADOPTED && !e->devconf) {
		/* What a killed run saved: it, not what that run left, goes back. */
		vrrp_vmac_alias(v->nl, idx, note, sizeof(note));
		vrrp_devconf_recall(v->dc, e->base, note);
	}
	if ((e->devconf ? vrrp_devconf_vmac_again(v->dc, e->name, e->family, &eb)
			: vrrp_devconf_vmac_on(v->dc, e->name, e->base, e->family, &eb)) < 0)
		log_warn("vrrp: %s: kernel settings: %s", e->name, eb.msg);
	e->devconf = true;
	vrrp_devconf_note(v->dc, e->base, note, sizeof(note));
	if (vrrp_vmac_up(v->nl, idx, note, &eb) < 0)
		log_err("vrrp: %s: %s", e->name, eb.msg);
	log_info("vrrp: %s virtual MAC interface %s on %s (%02x:%02x:%02x:%02x:%02x:%02x)",
		 how_str[how], e->name, e->base, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	copy_ll(v, e);
	return true;
}

static struct vmac_ent *find(struct vrrp_vmacs *v, const char *name)
{
	for (unsigned i = 0; i < v->n; i++)
		if (!strcmp(v->e[i].name, name))
			return &v->e[i];
	return NULL;
}

int vrrp_vmacs_get(struct vrrp_vmacs *v, const struct vrrp_inst_conf *c, bool *conflict)
{
	struct vmac_ent *e = find(v, c->vmac.ifname);
	bool want_ll = c->family == AF_INET6 && !c->vmac.xmit_base;
	*conflict = false;
	if (e && (strcmp(e->base, c->interface) || e->family != c->family || e->vrid != c->vrid))
		ent_remove(v, e);             /* same name, another interface: redo */
	if (!e) {
		v->e = xrealloc(v->e, (v->n + 1) * sizeof(*v->e));
		e = &v->e[v->n++];
		memset(e, 0, sizeof(*e));
	}
	snprintf(e->name, sizeof(e->name), "%s", c->vmac.ifname);
	snprintf(e->base, sizeof(e->base), "%s", c->interface);
	e->family = c->family;
	e->vrid = c->vrid;
	if (e->want_ll != want_ll)
		e->ll_done = false;
	e->want_ll = want_ll;
	e->gen = v->gen;
	if (e->ifindex && (int)if_nametoindex(e->name) == e->ifindex) {
		copy_ll(v, e);
		return e->ifindex;
	}
	e->ifindex = 0;                  /* new, or deleted under us: made (again) */
	e->ll_done = false;
	return ent_setup(v, e, conflict) ? e->ifindex : 0;
}

void vrrp_vmacs_addr_event(struct vrrp_vmacs *v)
{
	for (unsigned i = 0; v && i < v->n; i++)
		copy_ll(v, &v->e[i]);
}

void vrrp_vmacs_sweep(struct vrrp_vmacs *v)
{
	unsigned k = 0;
	for (unsigned i = 0; i < v->n; i++) {
		if (v->e[i].gen != v->gen)
			ent_remove(v, &v->e[i]);
		else
			v->e[k++] = v->e[i];
	}
	v->n = k;
}

void vrrp_vmacs_close(struct vrrp_vmacs *v)
{
	if (!v)
		return;
	for (unsigned i = 0; i < v->n; i++)
		ent_remove(v, &v->e[i]);
	vrrp_devconf_free(v->dc);
	free(v->e);
	free(v);
}
