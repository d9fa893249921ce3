/*
 * child: the runtime shared by the checker and vrrp children — the IPC
 * connection to the parent, heartbeat echoes, reload and stop. What a
 * child actually does is behind struct child_ops (checkers/checker_child.c,
 * vrrp/run/vrrp_child.c, snmp/snmp_child.c).
 */
#ifndef VIGIL_CHILD_H
#define VIGIL_CHILD_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc.h"

struct conf;
struct child_ctx;

#define CHILD_SIGNALS 12              /* signals a child catches */

struct child_ops {
	const char *name;
	/* Called with the first configuration the parent sends. */
	int (*start)(struct child_ctx *cx);
	/* A new, valid configuration; the old one is freed after the call. */
	int (*reload)(struct child_ctx *cx, const struct conf *old);
	void (*dump)(struct child_ctx *cx);
	/* Graceful stop (SIGTERM or the parent gone). */
	void (*stop)(struct child_ctx *cx);
	/* A message of a type the shell does not handle, once started
	 * (size already checked by the framing); NULL: logged and dropped. */
	void (*msg)(struct child_ctx *cx, const struct ipc_hdr *h, const void *payload);
};

struct child_ctx {
	struct ev_loop *loop;
	const struct child_ops *ops;
	struct conf *conf;
	uint32_t generation;
	bool dry_run;
	int fd;
	struct ipc_conn conn;
	ev_io io;
	ev_signal sig_w[CHILD_SIGNALS];   /* child.c's signal table */
	ev_prepare flush_w;           /* writes the queued messages once per pass */
	ev_timer lazy_w;              /* or, when all are lazy, CHILD_LAZY s later */
	bool urgent;                  /* an urgent message is queued */
	void *priv;                   /* the subsystem's own state */
	/* The configuration blob being received (IPC_CONF_DATA). */
	uint8_t *rx;
	size_t rx_len, rx_total;
	uint32_t rx_generation;
	int exit_code;                /* child_main's return value */
};

/* Queues a message to the parent; it is written before the loop next
 * blocks (never blocks itself). */
int child_send(struct child_ctx *cx, uint16_t type, const void *p1, size_t l1,
	       const void *p2, size_t l2);
/* The same for a message that may wait up to CHILD_LAZY s (a refresh the
 * parent acts on nothing for): the parent is woken a few times a second,
 * not once per result. An urgent message takes the lazy ones along. */
int child_send_lazy(struct child_ctx *cx, uint16_t type, const void *p1, size_t l1,
		    const void *p2, size_t l2);

/* What a child is started with (vigild --child NAME --ipc-fd N). It
 * reads no file: its configuration comes from the parent. */
struct child_opts {
	int ipc_fd;
	bool log_console, debug, dry_run;
};

/* Runs a child to its end: the loop, the first configuration from the
 * parent, ops->start, READY. Returns the process's exit code. */
int child_main(const struct child_ops *ops, const struct child_opts *o);


#endif
