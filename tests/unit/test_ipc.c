/*
 * IPC framing: frames survive partial reads and arrive whole and in order;
 * an oversized or unknown frame is reported as malformed (never a crash);
 * the output buffer drains through a socket that takes only part of it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "errbuf.h"
#include "ipc.h"

static int pair[2];

static int setup(void **state)
{
	(void)state;
	return socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pair);
}

static int teardown(void **state)
{
	(void)state;
	close(pair[0]);
	close(pair[1]);
	return 0;
}

static void write_all(int fd, const void *p, size_t n)
{
	assert_int_equal(write(fd, p, n), (ssize_t)n);
}

static void test_partial_reads(void **state)
{
	(void)state;
	static struct ipc_conn out, in;
	ipc_conn_init(&out);
	ipc_conn_init(&in);
	struct ipc_heartbeat hb = { .seq = 42 };
	struct ipc_ready rd = { .pid = 7, .generation = 3 };
	assert_int_equal(ipc_conn_queue(&out, IPC_HEARTBEAT, 1, &hb, sizeof(hb)), 0);
	assert_int_equal(ipc_conn_queue(&out, IPC_READY, 2, &rd, sizeof(rd)), 0);
	/* Deliver the bytes one at a time: no frame before its last byte. */
	struct ipc_hdr h;
	const void *p;
	struct errbuf eb;
	int frames = 0;
	for (size_t i = 0; i < out.out_used; i++) {
		write_all(pair[0], out.out + i, 1);
		assert_true(ipc_conn_read(&in, pair[1]) == 1);
		int r;
		while ((r = ipc_conn_next(&in, &h, &p, &eb)) == 1) {
			frames++;
			if (frames == 1) {
				assert_int_equal(i, sizeof(h) + sizeof(hb) - 1);
				assert_int_equal(h.type, IPC_HEARTBEAT);
				assert_int_equal(h.id, 1);
				assert_int_equal(((const struct ipc_heartbeat *)p)->seq, 42);
			} else {
				assert_int_equal(h.type, IPC_READY);
				assert_int_equal(((const struct ipc_ready *)p)->generation, 3);
			}
		}
		assert_int_equal(r, 0);
	}
	assert_int_equal(frames, 2);
	ipc_conn_free(&out);
	ipc_conn_free(&in);
}

static void test_many_frames_in_one_read(void **state)
{
	(void)state;
	static struct ipc_conn out, in;
	ipc_conn_init(&out);
	ipc_conn_init(&in);
	for (uint64_t i = 0; i < 100; i++) {
		struct ipc_heartbeat hb = { .seq = i };
		assert_int_equal(ipc_conn_queue(&out, IPC_HEARTBEAT, 0, &hb, sizeof(hb)), 0);
	}
	assert_int_equal(ipc_conn_flush(&out, pair[0]), 0);
	assert_true(ipc_conn_read(&in, pair[1]) > 0);
	struct ipc_hdr h;
	const void *p;
	uint64_t want = 0;
	while (ipc_conn_next(&in, &h, &p, NULL) == 1)
		assert_int_equal(((const struct ipc_heartbeat *)p)->seq, want++);
	assert_int_equal(want, 100);
	ipc_conn_free(&out);
	ipc_conn_free(&in);
}

static void expect_malformed(const struct ipc_hdr *h, const char *msg_part)
{
	static struct ipc_conn in;
	ipc_conn_init(&in);
	uint8_t buf[64] = { 0 };
	memcpy(buf, h, sizeof(*h));
	write_all(pair[0], buf, sizeof(buf));
	assert_true(ipc_conn_read(&in, pair[1]) > 0);
	struct ipc_hdr got;
	const void *p;
	struct errbuf eb;
	assert_int_equal(ipc_conn_next(&in, &got, &p, &eb), -EBADMSG);
	assert_non_null(strstr(eb.msg, msg_part));
	ipc_conn_free(&in);
}

static void test_unknown_type(void **state)
{
	(void)state;
	struct ipc_hdr h = { .type = 999, .len = 0 };
	expect_malformed(&h, "unknown message type 999");
	struct ipc_hdr z = { .type = 0, .len = 0 };
	expect_malformed(&z, "unknown message type 0");
}

static void test_wrong_size(void **state)
{
	(void)state;
	struct ipc_hdr big = { .type = IPC_HEARTBEAT, .len = 60000 };
	expect_malformed(&big, "heartbeat message of 60000 bytes");
	struct ipc_hdr small = { .type = IPC_READY, .len = 2 };
	expect_malformed(&small, "ready message of 2 bytes");
	struct ipc_hdr over = { .type = IPC_CONF_DATA, .len = IPC_MAX_PAYLOAD + 1 };
	expect_malformed(&over, "conf-data");
}

static void test_queue_limits(void **state)
{
	(void)state;
	static struct ipc_conn out;
	static uint8_t big[IPC_MAX_PAYLOAD + 1];
	ipc_conn_init(&out);
	assert_int_equal(ipc_conn_queue(&out, IPC_CONF_DATA, 0, big, sizeof(big)), -EMSGSIZE);
	assert_int_equal(ipc_conn_queue(&out, IPC_CONF_DATA, 0, big, IPC_MAX_PAYLOAD), 0);
	ipc_conn_free(&out);
}

static void test_flush_backpressure(void **state)
{
	(void)state;
	static struct ipc_conn out, in;
	static uint8_t blob[IPC_MAX_PAYLOAD];
	ipc_conn_init(&out);
	ipc_conn_init(&in);
	int sndbuf = 4096;
	setsockopt(pair[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	for (int i = 0; i < 64; i++) {
		memset(blob, i, sizeof(blob));
		assert_int_equal(ipc_conn_queue(&out, IPC_CONF_DATA, (uint32_t)i, blob, sizeof(blob)), 0);
	}
	/* The socket cannot take 1 MiB at once: flush reports what is left. */
	assert_int_equal(ipc_conn_flush(&out, pair[0]), 1);
	int got = 0;
	for (int rounds = 0; rounds < 100000 && got < 64; rounds++) {
		ipc_conn_flush(&out, pair[0]);
		long n = ipc_conn_read(&in, pair[1]);
		assert_true(n > 0 || n == -EAGAIN);
		struct ipc_hdr h;
		const void *p;
		while (ipc_conn_next(&in, &h, &p, NULL) == 1) {
			assert_int_equal(h.id, (uint32_t)got);
			assert_int_equal(((const uint8_t *)p)[h.len - 1], (uint8_t)got);
			got++;
		}
	}
	assert_int_equal(got, 64);
	assert_false(ipc_conn_pending(&out));
	ipc_conn_free(&out);
	ipc_conn_free(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_partial_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_frames_in_one_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_backpressure, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
