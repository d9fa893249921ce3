/*
 * devconf: kernel settings for virtual MAC interfaces (see vrrp_devconf.h).
 *
 * State kept per base interface (its saved arp_ignore/arp_filter and how
 * many IPv4 vmacs sit on it) and for rp_filter (all's and default's saved
 * values, the interfaces raised, how many IPv4 vmacs need it). Restoring
 * puts a value back only while it is still what this code wrote, so an
 * operator's change in between wins.
 */
#include "vrrp_devconf.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "errbuf.h"
#include "procfs.h"

struct dc_base {
	char name[32];
	unsigned refs;
	bool recalled;                /* saved values from a note, not read */
	int arp_ignore, arp_filter, arp_announce;   /* saved; -1 unknown */
};

struct dc_raised {
	char name[32];
	int was;
};

struct vrrp_devconf {
	char root[PATH_MAX / 2];
	struct dc_base *bases;
	unsigned n_bases;
	unsigned rp_refs;             /* IPv4 vmacs */
	int all_was, default_was;     /* -1: not changed */
	int all_note, default_note;   /* recalled from a note; -1: none */
	struct dc_raised *raised;
	unsigned n_raised;
};

struct vrrp_devconf *vrrp_devconf_new(const char *root)
{
	struct vrrp_devconf *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	snprintf(d->root, sizeof(d->root), "%s", root);
	d->all_was = d->default_was = d->all_note = d->default_note = -1;
	return d;
}

void vrrp_devconf_free(struct vrrp_devconf *d)
{
	if (!d)
		return;
	free(d->bases);
	free(d->raised);
	free(d);
}

static void path(const struct vrrp_devconf *d, int family, const char *ifname, const char *key,
		 char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/conf/%s/%s", d->root, family == AF_INET6 ? "ipv6" : "ipv4",
		 ifname, key);
}

int vrrp_devconf_get(const struct vrrp_devconf *d, int family, const char *ifname,
		     const char *key, int *out)
{
	char p[PATH_MAX], buf[32];
	path(d, family, ifname, key, p, sizeof(p));
	int err = procfs_read(p, buf, sizeof(buf));
	if (err)
		return err;
	char *end;
	long v = strtol(buf, &end, 10);
	if (end == buf || v < INT_MIN || v > INT_MAX)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

int vrrp_devconf_set(const struct vrrp_devconf *d, int family, const char *ifname,
		     const char *key, int val)
{
	char p[PATH_MAX], buf[32];
	path(d, family, ifname, key, p, sizeof(p));
	snprintf(buf, sizeof(buf), "%d\n", val);
	return procfs_write(p, buf);
}

/* Writes one setting; the first failure is kept in *first (and eb). */
static void put(const struct vrrp_devconf *d, int family, const char *ifname, const char *key,
		int val, int *first, struct errbuf *eb)
{
	int r = vrrp_devconf_set(d, family, ifname, key, val);
	if (r < 0 && !*first)
		*first = errbuf_set(eb, -r, "%s: %s.%s = %d: %s", ifname,
				    family == AF_INET6 ? "ipv6" : "ipv4", key, val, strerror(-r));
}

/* Back to was, if the setting still holds what we wrote. */
static void put_back(const struct vrrp_devconf *d, const char *ifname, const char *key,
		     int ours, int was, int *first, struct errbuf *eb)
{
	int now;
	if (was < 0 || was == ours || vrrp_devconf_get(d, AF_INET, ifname, key, &now) < 0 ||
	    now != ours)
		return;
	put(d, AF_INET, ifname, key, was, first, eb);
}

static struct dc_base *base_get(struct vrrp_devconf *d, const char *name, bool add)
{
	for (unsigned i = 0; i < d->n_bases; i++)
		if (!strcmp(d->bases[i].name, name))
			return &d->bases[i];
	if (!add)
		return NULL;
	struct dc_base *b = realloc(d->bases, (d->n_bases + 1) * sizeof(*b));
	if (!b)
		return NULL;
	d->bases = b;
	b = &d->bases[d->n_bases++];
	memset(b, 0, sizeof(*b));
	snprintf(b->name, sizeof(b->name), "%s", name);
	b->arp_ignore = b->arp_filter = b->arp_announce = -1;
	return b;
}

static void raise_one(struct vrrp_devconf *d, const char *name, int to)
{
	int v;
	size_t len = strlen(name);
	if (len >= sizeof(d->raised->name))   /* no interface name is that long */
		return;
	if (vrrp_devconf_get(d, AF_INET, name, "rp_filter", &v) < 0 || v >= to)
		return;
	struct dc_raised *r = realloc(d->raised, (d->n_raised + 1) * sizeof(*r));
	if (!r)
		return;
	d->raised = r;
	r = &d->raised[d->n_raised];
	memcpy(r->name, name, len + 1);
	r->was = v;
	if (vrrp_devconf_set(d, AF_INET, name, "rp_filter", to) == 0)
		d->n_raised++;
}

/* all.rp_filter to 0 without changing what any interface does. */
static void rp_filter_clear(struct vrrp_devconf *d, const char *vmac, int *first,
			    struct errbuf *eb)
{
	int all, def;
	char p[PATH_MAX];
	if (vrrp_devconf_get(d, AF_INET, "all", "rp_filter", &all) == 0 && all == 0 &&
	    d->all_note > 0) {
		d->all_was = d->all_note;      /* cleared by a run that was killed */
		d->default_was = d->default_note;
		return;
	}
	if (vrrp_devconf_get(d, AF_INET, "all", "rp_filter", &all) < 0 || all == 0)
		return;
	if (vrrp_devconf_get(d, AF_INET, "default", "rp_filter", &def) == 0 && def < all &&
	    vrrp_devconf_set(d, AF_INET, "default", "rp_filter", all) == 0)
		d->default_was = def;
	snprintf(p, sizeof(p), "%s/ipv4/conf", d->root);
	DIR *dir = opendir(p);
	for (struct dirent *e = dir ? readdir(dir) : NULL; e; e = readdir(dir))
		if (e->d_name[0] != '.' && strcmp(e->d_name, "all") &&
		    strcmp(e->d_name, "default") && strcmp(e->d_name, vmac))
			raise_one(d, e->d_name, all);
	if (dir)
		closedir(dir);
	int before = *first;
	put(d, AF_INET, "all", "rp_filter", 0, first, eb);
	if (*first == before)
		d->all_was = all;
}

static void rp_filter_restore(struct vrrp_devconf *d, int *first, struct errbuf *eb)
{
	if (d->all_was < 0)
		return;
	put_back(d, "all", "rp_filter", 0, d->all_was, first, eb);
	put_back(d, "default", "rp_filter", d->all_was, d->default_was, first, eb);
	for (unsigned i = 0; i < d->n_raised; i++)
		put_back(d, d->raised[i].name, "rp_filter", d->all_was, d->raised[i].was, first,
			 eb);
	d->n_raised = 0;
	d->all_was = d->default_was = -1;
}

int vrrp_devconf_vmac_again(const struct vrrp_devconf *d, const char *vmac, int family,
			    struct errbuf *eb)
{
	int first = 0;
	put(d, AF_INET, vmac, "arp_ignore", 1, &first, eb);
	if (family == AF_INET6) {
		put(d, AF_INET6, vmac, "addr_gen_mode", 1, &first, eb);
		put(d, AF_INET6, vmac, "disable_ipv6", 0, &first, eb);
		return first;
	}
	put(d, AF_INET, vmac, "accept_local", 1, &first, eb);
	put(d, AF_INET, vmac, "rp_filter", 0, &first, eb);
	put(d, AF_INET, vmac, "promote_secondaries", 1, &first, eb);
	put(d, AF_INET6, vmac, "disable_ipv6", 1, &first, eb);
	return first;
}

int vrrp_devconf_vmac_on(struct vrrp_devconf *d, const char *vmac, const char *base, int family,
			 struct errbuf *eb)
{
	int first = 0;
	if (family == AF_INET && d->rp_refs++ == 0)
		rp_filter_clear(d, vmac, &first, eb);   /* first: it would raise vmac's too */
	int r = vrrp_devconf_vmac_again(d, vmac, family, eb);
	if (r < 0 && !first)
		first = r;
	if (family == AF_INET6)
		return first;
	struct dc_base *b = base_get(d, base, true);
	if (!b)
		return first ? first : errbuf_set(eb, ENOMEM, "out of memory");
	if (b->refs++ == 0 && !b->recalled) {
		if (vrrp_devconf_get(d, AF_INET, base, "arp_ignore", &b->arp_ignore) < 0)
			b->arp_ignore = -1;
		if (vrrp_devconf_get(d, AF_INET, base, "arp_filter", &b->arp_filter) < 0)
			b->arp_filter = -1;
		if (vrrp_devconf_get(d, AF_INET, base, "arp_announce", &b->arp_announce) < 0)
			b->arp_announce = -1;
	}
	put(d, AF_INET, base, "arp_ignore", 1, &first, eb);
	put(d, AF_INET, base, "arp_filter", 1, &first, eb);
	if (b->arp_announce < 2)
		put(d, AF_INET, base, "arp_announce", 2, &first, eb);
	return first;
}

int vrrp_devconf_vmac_off(struct vrrp_devconf *d, const char *base, int family,
			  struct errbuf *eb)
{
	int first = 0;
	if (family != AF_INET)
		return 0;
	struct dc_base *b = base_get(d, base, false);
	if (b && b->refs && --b->refs == 0) {
		put_back(d, base, "arp_ignore", 1, b->arp_ignore, &first, eb);
		put_back(d, base, "arp_filter", 1, b->arp_filter, &first, eb);
		if (b->arp_announce < 2)
			put_back(d, base, "arp_announce", 2, b->arp_announce, &first, eb);
		b->recalled = false;
	}
	if (d->rp_refs && --d->rp_refs == 0) {
		rp_filter_restore(d, &first, eb);
		d->all_note = d->default_note = -1;
	}
	return first;
}

void vrrp_devconf_note(const struct vrrp_devconf *d, const char *base, char *buf, size_t len)
{
	const struct dc_base *b = NULL;
	for (unsigned i = 0; i < d->n_bases; i++)
		if (!strcmp(d->bases[i].name, base))
			b = &d->bases[i];
	snprintf(buf, len, "vigil arp_ignore=%d arp_filter=%d arp_announce=%d all.rp_filter=%d "
		 "default.rp_filter=%d", b ? b->arp_ignore : -1, b ? b->arp_filter : -1,
		 b ? b->arp_announce : -1, d->all_was, d->default_was);
}

static int note_val(const char *note, const char *key)
{
	char k[32];
	snprintf(k, sizeof(k), " %s=", key);
	const char *p = strstr(note, k);
	if (!p)
		return -1;
	long v = strtol(p + strlen(k), NULL, 10);
	return v < -1 || v > 255 ? -1 : (int)v;
}

void vrrp_devconf_recall(struct vrrp_devconf *d, const char *base, const char *note)
{
	if (!note || strncmp(note, "vigil ", 6))
		return;
	struct dc_base *b = note_val(note, "arp_ignore") >= 0 ? base_get(d, base, true) : NULL;
	if (b && b->refs == 0) {
		b->recalled = true;
		b->arp_ignore = note_val(note, "arp_ignore");
		b->arp_filter = note_val(note, "arp_filter");
		b->arp_announce = note_val(note, "arp_announce");
	}
	if (d->rp_refs == 0 && d->all_note < 0 && note_val(note, "all.rp_filter") > 0) {
		d->all_note = note_val(note, "all.rp_filter");
		d->default_note = note_val(note, "default.rp_filter");
	}
}
