/*
 * notify_fifo: keepalived's notify FIFO (global.notify_fifo), so
 * consumers written for keepalived read vigild's events unchanged:
 * one line per transition,
 *
 *   INSTANCE "VI_1" MASTER 150
 *   GROUP "G1" BACKUP 0
 *
 * state one of MASTER, BACKUP, FAULT, STOP; the priority the instance's
 * effective one, 0 for a group (keepalived's words and numbers). Real
 * servers going up or down, as keepalived's checker writes them:
 *
 *   RS [198.51.100.11]:tcp:80 [192.0.2.10]:tcp:80 UP
 *   RS [198.51.100.11]:tcp:80 FWM 1 DOWN
 *
 * and a virtual server's quorum gained or lost: VS [192.0.2.10]:tcp:80 UP. The
 * parent creates the FIFO (mode 0644) when it is missing and removes it
 * at exit if it did; it holds it open read-write and non-blocking, so it
 * never waits for a reader and a full FIFO drops lines rather than stall
 * the parent.
 */
#ifndef VIGIL_NOTIFY_FIFO_H
#define VIGIL_NOTIFY_FIFO_H

#include <stdbool.h>

struct conf;
struct errbuf;
struct rs_conf;
struct vs_conf;
struct vigild;

struct notify_fifo;

/* NULL with eb filled when path cannot be created or opened. */
struct notify_fifo *nfifo_open(const char *path, struct errbuf *eb);
void nfifo_close(struct notify_fifo *f);
/* At start (old NULL) and after a reload: (re)opens d->fifo as the
 * configuration says, logging what fails. */
void nfifo_conf_changed(struct vigild *d, const struct conf *old);
/* keepalived's name of a VRRP state in notify arguments and FIFO lines. */
const char *nfifo_state_str(int state);
/* One line; false if it could not be written whole (no room, no FIFO). */
bool nfifo_vrrp(struct notify_fifo *f, bool group, const char *name, int state,
		unsigned priority);

/* A virtual server's quorum, up or down. */
bool nfifo_vs(struct notify_fifo *f, const struct vs_conf *vs, bool up);
/* A real server's new state (up or down). */
bool nfifo_rs(struct notify_fifo *f, const struct vs_conf *vs, const struct rs_conf *rs, bool up);

#endif
