/*
 * test_notify_fifo: the notify FIFO (daemon/notify_fifo.c) — keepalived's
 * line formats for instances, groups, real and virtual servers; the FIFO
 * created when missing and removed at close only then; a path that is
 * not a FIFO refused; a full FIFO drops a line whole instead of blocking.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "errbuf.h"
#include "notify_fifo.h"
#include "vrrp_fsm.h"

static char dir[] = "/tmp/test_notify_fifo.XXXXXX";
static char path[256];

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/fifo", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

/* Everything written so far, read through a second descriptor. */
static void read_all(int rfd, char *buf, size_t len)
{
	ssize_t n = read(rfd, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
}

static void test_lines(void **state)
{
	struct errbuf eb;
	char buf[1024];
	(void)state;
	struct notify_fifo *f = nfifo_open(path, &eb);
	assert_non_null(f);
	int rfd = open(path, O_RDONLY | O_NONBLOCK);
	assert_true(rfd >= 0);
	assert_true(nfifo_vrrp(f, false, "VI_1", VRRP_STATE_MASTER, 150));
	assert_true(nfifo_vrrp(f, false, "VI_1", VRRP_STATE_STOPPED, 150));
	assert_true(nfifo_vrrp(f, true, "G1", VRRP_STATE_BACKUP, 99));
	assert_true(nfifo_vrrp(f, false, "VI_6", VRRP_STATE_FAULT, 1));
	struct rs_conf rs = { .port = 8080 };
	struct vs_conf vs = { .port = 80, .protocol = PROTO_TCP };
	vaddr_parse("198.51.100.11", &rs.addr);
	vaddr_parse("192.0.2.10", &vs.addr);
	assert_true(nfifo_rs(f, &vs, &rs, true));
	assert_true(nfifo_vs(f, &vs, false));
	struct vs_conf fw = { .fwmark = 7, .protocol = PROTO_UDP };
	vaddr_parse("2001:db8::11", &rs.addr);
	rs.port = 53;
	assert_true(nfifo_rs(f, &fw, &rs, false));
	read_all(rfd, buf, sizeof(buf));
	assert_string_equal(buf,
		"INSTANCE \"VI_1\" MASTER 150\n"
		"INSTANCE \"VI_1\" STOP 150\n"
		"GROUP \"G1\" BACKUP 0\n"
		"INSTANCE \"VI_6\" FAULT 1\n"
		"RS [198.51.100.11]:tcp:8080 [192.0.2.10]:tcp:80 UP\n"
		"VS [192.0.2.10]:tcp:80 DOWN\n"
		"RS [2001:db8::11]:udp:53 FWM 7 DOWN\n");
	close(rfd);
	nfifo_close(f);
	assert_int_equal(access(path, F_OK), -1);    /* ours: removed */
}

static void test_existing_kept(void **state)
{
	struct errbuf eb;
	(void)state;
	assert_int_equal(mkfifo(path, 0600), 0);
	struct notify_fifo *f = nfifo_open(path, &eb);
	assert_non_null(f);
	nfifo_close(f);
	assert_int_equal(access(path, F_OK), 0);     /* the reader's: kept */
	unlink(path);
	FILE *reg = fopen(path, "w");
	assert_non_null(reg);
	fclose(reg);
	assert_null(nfifo_open(path, &eb));
	assert_non_null(strstr(eb.msg, "not a FIFO"));
	unlink(path);
}

static void test_full_drops(void **state)
{
	struct errbuf eb;
	(void)state;
	struct notify_fifo *f = nfifo_open(path, &eb);
	assert_non_null(f);
	/* No reader: the pipe fills, then lines are refused whole. */
	unsigned ok = 0, refused = 0;
	for (unsigned i = 0; i < 100000 && refused < 3; i++) {
		if (nfifo_vrrp(f, false, "VI_1", VRRP_STATE_MASTER, 150))
			ok++;
		else
			refused++;
	}
	assert_true(ok > 100);
	assert_int_equal(refused, 3);
	int rfd = open(path, O_RDONLY | O_NONBLOCK);
	char buf[64];
	size_t total = 0;
	ssize_t n;
	while ((n = read(rfd, buf, sizeof(buf))) > 0)
		total += (size_t)n;
	assert_int_equal(total % strlen("INSTANCE \"VI_1\" MASTER 150\n"), 0);
	close(rfd);
	nfifo_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_existing_kept),
		cmocka_unit_test(test_full_drops),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
