/*
 * A status of many virtual servers lets the children's reports in while it
 * is built (supervise_pump): a check result the checker sent before the
 * status request is handled before the status reaches its virtual server,
 * instead of waiting in the socket until the whole status (and its
 * rendering) is done — with thousands of servers, seconds of a DOWN not
 * acted on. The checker here is a socketpair the test writes to.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "config.h"
#include "control.h"
#include "errbuf.h"
#include "health.h"
#include "ipc.h"
#include "lvs.h"
#include "roles.h"
#include "vigild.h"

#define N_VS 40

static void unused_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
}

static void test_pump_during_status(void **st)
{
	(void)st;
	char path[] = "/tmp/vigil-pump-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("virtual_servers = (\n", f);
	for (int i = 0; i < N_VS; i++)
		fprintf(f, "  { address = \"192.0.2.%d\"; port = 80; real_servers = ( { address ="
			" \"198.51.100.11\"; port = 80; checks = ( { type = \"tcp\"; } ); } ); }%s\n",
			i + 1, i < N_VS - 1 ? "," : "");
	fputs(");\n", f);
	fclose(f);
	static struct vigild d;
	struct conf_errors errs = { 0 };
	d.opts.config = path;
	d.opts.dry_run = true;
	d.conf = conf_load(path, &errs);
	assert_non_null(d.conf);
	d.generation = 1;
	d.loop = ev_default_loop(0);
	supervise_init(&d);
	struct errbuf eb;
	assert_int_equal(lvs_open(&d, &eb), 0);

	/* The checker: one end of a socketpair, its watcher active as a running child's. */
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	struct child *c = &d.children[CHILD_CHECKER];
	c->fd = sv[0];
	c->state = CHILD_RUNNING;
	ipc_conn_init(&c->conn);
	ev_io_init(&c->io, unused_cb, sv[0], EV_READ);
	c->io.data = c;
	ev_io_start(d.loop, &c->io);

	/* A DOWN for the last virtual server's real server, already sent. */
	const char text[] = "connect refused";
	struct {
		struct ipc_hdr h;
		struct ipc_check_result m;
		char t[sizeof(text) - 1];
	} __attribute__((packed)) frame = {
		.h = { .type = IPC_CHECK_RESULT, .len = sizeof(struct ipc_check_result) + sizeof(text) - 1 },
		.m = { .generation = 1, .vs = N_VS - 1, .rs = 0, .check = 0, .rs_state = IPC_CHK_DOWN,
		       .check_state = IPC_CHK_DOWN, .pass = 0, .weight = -1, .latency_us = 100,
		       .failures = 1 },
	};
	memcpy(frame.t, text, sizeof(frame.t));
	assert_int_equal(write(sv[1], &frame, sizeof(frame)), (ssize_t)sizeof(frame));

	struct json_object *r = ctl_status(&d);
	struct json_object *vss, *vs, *rss, *rs, *h, *reason;
	assert_true(json_object_object_get_ex(r, "virtual_servers", &vss));
	vs = json_object_array_get_idx(vss, N_VS - 1);
	assert_true(json_object_object_get_ex(vs, "real_servers", &rss));
	rs = json_object_array_get_idx(rss, 0);
	assert_true(json_object_object_get_ex(rs, "health", &h));
	assert_true(json_object_object_get_ex(h, "reason", &reason));
	assert_string_equal(json_object_get_string(reason), "connect refused");
	json_object_put(r);

	ev_io_stop(d.loop, &c->io);
	ipc_conn_free(&c->conn);
	close(sv[0]);
	close(sv[1]);
	lvs_close(&d);
	health_free(&d);
	roles_free(&d);
	conf_free(d.conf);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pump_during_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
