/*
 * devconf: the per-interface kernel settings a virtual MAC interface needs
 * (see vrrp_vmac.h), written under /proc/sys/net and restored, as
 * keepalived does them (vrrp_if_config.c):
 *
 *   the vmac        arp_ignore=1; IPv4 also accept_local=1, rp_filter=0,
 *                   promote_secondaries=1 and IPv6 off (disable_ipv6=1);
 *                   IPv6 addr_gen_mode=1 (none: no EUI-64 link-local from
 *                   a MAC that the other router has too)
 *   the base (IPv4) arp_ignore=1, arp_filter=1: it must not answer ARP for
 *                   the virtual addresses with its own MAC; and (beyond
 *                   keepalived) arp_announce=2 when lower: a reply from a
 *                   virtual address leaves by the base (its route), and
 *                   the ARP request it may need would otherwise name the
 *                   virtual address with the base's MAC, and teach the
 *                   neighbours the wrong MAC for it; saved by its first
 *                   vmac, restored by its last
 *   all.rp_filter   (IPv4) the vmac's rp_filter only counts while
 *                   all.rp_filter is 0: when it is not, default and every
 *                   interface below it are raised to it first (nothing
 *                   changes for them), then all is set to 0; the first
 *                   IPv4 vmac does it, the last puts back what is still
 *                   as it was set
 *
 * The root directory is a parameter so that the bookkeeping is tested on
 * a directory tree. No logging: what was done is counted for the caller.
 */
#ifndef VIGIL_VRRP_DEVCONF_H
#define VIGIL_VRRP_DEVCONF_H

#include <stddef.h>

struct errbuf;
struct vrrp_devconf;

/* root: "/proc/sys/net" (ipv4/conf/IF/KEY and ipv6/conf/IF/KEY below it). */
struct vrrp_devconf *vrrp_devconf_new(const char *root);
void vrrp_devconf_free(struct vrrp_devconf *d);

/* Before vmac is brought up. 0, or -errno for the first setting that could
 * not be written (the others are still tried). */
int vrrp_devconf_vmac_on(struct vrrp_devconf *d, const char *vmac, const char *base, int family,
			 struct errbuf *eb);
/* A vmac made again (it was deleted): its own settings only. */
int vrrp_devconf_vmac_again(const struct vrrp_devconf *d, const char *vmac, int family,
			    struct errbuf *eb);
/* After vmac is gone: the base's settings and rp_filter, by the last one. */
int vrrp_devconf_vmac_off(struct vrrp_devconf *d, const char *base, int family,
			  struct errbuf *eb);

/*
 * What must be put back for base, as one line of text ("arp_ignore=0
 * arp_filter=0 ..."), for the caller to keep with the vmac (its interface
 * alias), where a run that is killed leaves it. A later run that adopts
 * the vmac hands it to vrrp_devconf_recall before vrrp_devconf_vmac_on,
 * and the values it saved are the first run's, not the ones it finds.
 */
void vrrp_devconf_note(const struct vrrp_devconf *d, const char *base, char *buf, size_t len);
void vrrp_devconf_recall(struct vrrp_devconf *d, const char *base, const char *note);

/* One setting: root/{ipv4|ipv6}/conf/ifname/key. 0 or -errno. */
int vrrp_devconf_get(const struct vrrp_devconf *d, int family, const char *ifname,
		     const char *key, int *out);
int vrrp_devconf_set(const struct vrrp_devconf *d, int family, const char *ifname,
		     const char *key, int val);

#endif
