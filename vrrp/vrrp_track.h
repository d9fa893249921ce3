/*
 * track: what moves an instance's priority or puts it in fault — link
 * state of interfaces (rtnetlink link events, no polling) and the number
 * in a file (inotify). Each tracker only observes and calls back; the
 * instance driver adds up the weights (vrrp_effective_priority) and feeds
 * the state machine. No logging: failures to start go to an errbuf.
 * (Track scripts are run by the vrrp child, vrrp/run/vrrp_trackers.c,
 * through proc/proc_spawn.h like every script.)
 *
 *   link:   NETLINK_ROUTE socket in RTNLGRP_LINK (+ address groups) ─ev_io─>
 *           link_cb(ifindex, name, up) / addr_cb()
 *   file:   inotify on the file's directory ─ev_io─> file_cb(path)
 */
#ifndef VIGIL_VRRP_TRACK_H
#define VIGIL_VRRP_TRACK_H

#include <ev.h>
#include <stdbool.h>

struct errbuf;

/* ---- links ---- */
typedef void (*vrrp_link_fn)(void *arg, int ifindex, const char *ifname, bool up);
typedef void (*vrrp_addr_fn)(void *arg);

struct vrrp_linkmon;

struct vrrp_linkmon *vrrp_linkmon_open(struct ev_loop *loop, vrrp_link_fn link_cb,
				       vrrp_addr_fn addr_cb, void *arg, struct errbuf *eb);
void vrrp_linkmon_close(struct vrrp_linkmon *m);
/* The current state of ifname (a one-off query). -ENODEV when absent. */
int vrrp_link_query(struct vrrp_linkmon *m, const char *ifname, int *ifindex, bool *up);
/* "up" as VRRP means it: administratively up and with carrier. */
bool vrrp_link_flags_up(unsigned flags);

/* ---- files ---- */
typedef void (*vrrp_file_fn)(void *arg, const char *path);

struct vrrp_filemon;

struct vrrp_filemon *vrrp_filemon_open(struct ev_loop *loop, vrrp_file_fn cb, void *arg,
				       struct errbuf *eb);
void vrrp_filemon_close(struct vrrp_filemon *m);
/* Watches path (its directory, so creation and replacement are seen too). */
int vrrp_filemon_add(struct vrrp_filemon *m, const char *path, struct errbuf *eb);
/* The integer the file holds, within -VRRP_TRACK_FILE_MAX..VRRP_TRACK_FILE_MAX
 * (a number beyond counts as the bound it passed); 0 when the file is
 * absent or holds none. */
#define VRRP_TRACK_FILE_MAX 254
long vrrp_file_value(const char *path);

#endif
