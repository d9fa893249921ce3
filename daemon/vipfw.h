/*
 * vipfw: non-accept mode (RFC 5798 §6.4.2, §6.4.3) for strict VRRP
 * instances, enforced by the parent with nftables in a table of its own,
 * `table inet vigil`. See vipfw.c.
 */
#ifndef VIGIL_VIPFW_H
#define VIGIL_VIPFW_H

#include <stdbool.h>

#include "conf.h"
#include "errbuf.h"

#define VIPFW_TABLE "vigil"   /* family inet */

/* True when some instance is strict without accept: the table is needed. */
bool vipfw_needed(const struct conf *c);
/* The nft script that replaces the table with c's (or, when c needs none,
 * only removes it), as one atomic transaction. NULL: out of memory. */
char *vipfw_script(const struct conf *c);
/* Runs vipfw_script(c) through libnftables. 0 or -errno with eb filled. */
int vipfw_apply(const struct conf *c, struct errbuf *eb);
/* Removes the table if it is there. 0 or -errno with eb filled. */
int vipfw_remove(struct errbuf *eb);

/* The parent's use of the above, which logs. */
struct vigild;
/* At start: d->conf's table in place (a leftover replaced). -1 when d->conf
 * needs the table and it cannot be written (vigild does not start). */
int vipfw_start(struct vigild *d);
/* After a reload (or a runtime change): d->conf's table, when old or the
 * new one needs one. */
void vipfw_changed(struct vigild *d, const struct conf *old, bool runtime);
/* On stop, after the children are gone: the table removed. */
void vipfw_stop(struct vigild *d);

#endif
