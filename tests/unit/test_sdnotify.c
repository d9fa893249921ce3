/*
 * test_sdnotify: what vigild tells systemd (daemon/sdnotify.c), read from a
 * datagram socket standing in for NOTIFY_SOCKET: READY=1 only when every
 * enabled child runs; RELOADING=1 then READY=1 once every child answered;
 * WATCHDOG=1 at half of WATCHDOG_USEC, and none while a running child is
 * past its heartbeat deadline, unless the parent's own stall made it so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sdnotify.h"
#include "vigild.h"

static int sock = -1;
static char sock_path[64];

/* Every message waiting, joined by ' '. */
static void drain(char *out, size_t len)
{
	out[0] = '\0';
	char buf[512];
	ssize_t n;
	while ((n = recv(sock, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
		buf[n] = '\0';
		strncat(out, buf, len - strlen(out) - 2);
		strcat(out, " ");
	}
}

static int setup(void **state)
{
	snprintf(sock_path, sizeof(sock_path), "/tmp/vigil-sdn-%d.sock", (int)getpid());
	unlink(sock_path);
	sock = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock_path);
	assert_int_equal(bind(sock, (struct sockaddr *)&a, sizeof(a)), 0);
	setenv("NOTIFY_SOCKET", sock_path, 1);
	(void)state;
	return 0;
}

static int teardown(void **state)
{
	close(sock);
	unlink(sock_path);
	(void)state;
	return 0;
}

static void init_d(struct vigild *d)
{
	memset(d, 0, sizeof(*d));
	d->loop = ev_default_loop(0);
	d->generation = 1;
	d->children[CHILD_CHECKER].name = "checker";
	d->children[CHILD_VRRP].name = "vrrp";
	d->children[CHILD_CHECKER].state = CHILD_STARTING;
	d->children[CHILD_VRRP].state = CHILD_STARTING;
}

static void test_ready_and_reload(void **state)
{
	(void)state;
	struct vigild d;
	char got[2048];
	init_d(&d);
	unsetenv("WATCHDOG_USEC");
	sdn_init(&d);
	drain(got, sizeof(got));
	d.children[CHILD_CHECKER].state = CHILD_RUNNING;
	sdn_child_ready(&d);
	drain(got, sizeof(got));
	assert_null(strstr(got, "READY=1"));
	d.children[CHILD_VRRP].state = CHILD_RUNNING;
	sdn_child_ready(&d);
	drain(got, sizeof(got));
	assert_non_null(strstr(got, "READY=1"));
	assert_non_null(strstr(got, "checker running, vrrp running"));

	sdn_reload_begin(&d);
	d.generation = 2;
	d.children[CHILD_CHECKER].reload_pending = d.children[CHILD_VRRP].reload_pending = true;
	sdn_child_answered(&d);
	drain(got, sizeof(got));
	assert_non_null(strstr(got, "RELOADING=1\nMONOTONIC_USEC="));
	assert_null(strstr(got, "READY=1"));
	d.children[CHILD_CHECKER].reload_pending = false;
	sdn_child_answered(&d);
	drain(got, sizeof(got));
	assert_null(strstr(got, "READY=1"));
	d.children[CHILD_VRRP].reload_pending = false;
	sdn_child_answered(&d);
	drain(got, sizeof(got));
	assert_non_null(strstr(got, "READY=1"));
	assert_non_null(strstr(got, "generation 2"));

	sdn_reload_begin(&d);
	sdn_reload_refused(&d, 3);
	drain(got, sizeof(got));
	assert_non_null(strstr(got, "READY=1"));
	assert_non_null(strstr(got, "last reload refused (3 errors)"));
	sdn_stop(&d);
}

static void stop_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
	(void)w;
	(void)revents;
}

static unsigned watchdogs_in(struct vigild *d, double secs)
{
	char got[4096];
	ev_timer stop;
	ev_timer_init(&stop, stop_cb, secs, 0.);
	ev_timer_start(d->loop, &stop);
	ev_run(d->loop, 0);
	drain(got, sizeof(got));
	unsigned n = 0;
	for (const char *p = got; (p = strstr(p, "WATCHDOG=1")); p++)
		n++;
	return n;
}

static void test_watchdog(void **state)
{
	(void)state;
	struct vigild d;
	init_d(&d);
	setenv("WATCHDOG_USEC", "100000", 1);
	unsetenv("WATCHDOG_PID");
	ev_now_update(d.loop);
	d.children[CHILD_CHECKER].state = d.children[CHILD_VRRP].state = CHILD_RUNNING;
	d.children[CHILD_CHECKER].last_heartbeat = d.children[CHILD_VRRP].last_heartbeat =
		ev_now(d.loop);
	sdn_init(&d);
	unsigned n = watchdogs_in(&d, 0.32);
	print_message("%u WATCHDOG=1 in 0.32 s at a 0.1 s watchdog\n", n);
	assert_true(n >= 5 && n <= 8);
	/* A running child past its heartbeat deadline: the watchdog starves. */
	d.children[CHILD_VRRP].last_heartbeat = ev_now(d.loop) - 60;
	assert_int_equal(watchdogs_in(&d, 0.25), 0);
	assert_true(d.sdn.watchdog_held);
	/* The parent itself away from its loop for a minute (its heartbeat
	 * round is as late as the child's echo): nobody pinged the child, so
	 * its silence is not held against it. */
	d.hb_last = ev_now(d.loop) - 60;
	assert_true(watchdogs_in(&d, 0.25) >= 3);
	assert_false(d.sdn.watchdog_held);
	d.hb_last = 0;
	/* A child in its restart backoff does not starve it. */
	d.children[CHILD_VRRP].state = CHILD_BACKOFF;
	assert_true(watchdogs_in(&d, 0.25) >= 3);
	sdn_stop(&d);
	unsetenv("WATCHDOG_USEC");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ready_and_reload),
		cmocka_unit_test(test_watchdog),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
