/*
 * vmac: a VRRP instance's virtual MAC interface (RFC 5798 §7.3) through
 * libnl-route-3 — a macvlan in private mode on the instance's (base)
 * interface, with 00:00:5e:00:01:VRID (IPv4) or 00:00:5e:00:02:VRID (IPv6)
 * as its address, in the base's interface group, created down so that its
 * settings (vrrp_devconf.h) are in place before it comes up.
 *
 * A macvlan found under the name is adopted when it is what would be
 * created (same base, address and mode: a leftover of a crashed run) and
 * replaced when it is a macvlan that differs; any other interface of that
 * name is refused, never touched. Removal deletes only a macvlan. No
 * logging.
 */
#ifndef VIGIL_VRRP_VMAC_H
#define VIGIL_VRRP_VMAC_H

#include <stddef.h>
#include <stdint.h>

struct errbuf;
struct vrrp_nl;

enum vrrp_vmac_how { VRRP_VMAC_CREATED, VRRP_VMAC_ADOPTED, VRRP_VMAC_REPLACED };

/* 00:00:5e:00:01:vrid, or :02: for IPv6 (pure). */
void vrrp_vmac_addr(int family, uint8_t vrid, uint8_t mac[6]);

/* The macvlan name on base (ifindex) with mac: its ifindex, or -errno
 * (-EEXIST: name taken by another kind of interface). *how says what was
 * done. */
int vrrp_vmac_ensure(struct vrrp_nl *nl, const char *name, int base, const uint8_t mac[6],
		     enum vrrp_vmac_how *how, struct errbuf *eb);
/* Brings it up and sets its alias (what its creator must put back,
 * vrrp_devconf_note). 0 or -errno. */
int vrrp_vmac_up(struct vrrp_nl *nl, int ifindex, const char *alias, struct errbuf *eb);
/* The alias of ifindex into buf ("" when none). */
void vrrp_vmac_alias(struct vrrp_nl *nl, int ifindex, char *buf, size_t len);
/* Deletes the macvlan ifindex. 0, 1 when it was not there, or -errno
 * (-EPERM when ifindex is not a macvlan any more). */
int vrrp_vmac_remove(struct vrrp_nl *nl, int ifindex, struct errbuf *eb);

#endif
