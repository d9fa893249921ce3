/*
 * fuzz_ipc: the frame reader between vigild and its children (common/
 * ipc.c) on any byte stream a child can write: ipc_conn_read takes what
 * arrived (here through a pipe, in pieces of the sizes the input picks),
 * ipc_conn_next hands out frames and refuses unknown types and payload
 * sizes outside the table. Every frame handed out must lie inside what
 * was read and pass ipc_check; queued again and read back by a second
 * connection, it must come out the same.
 *
 * Input: a list of pieces, each a length byte (the piece is that many
 * bytes, 0 meaning 255) and its bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "errbuf.h"
#include "fuzz.h"
#include "ipc.h"

static int pipe_fd[2] = { -1, -1 };   /* one pipe for the process's life */

static void feed(struct ipc_conn *c, const uint8_t *p, size_t n)
{
	FUZZ_CHECK(write(pipe_fd[1], p, n) == (ssize_t)n);
	long r = ipc_conn_read(c, pipe_fd[0]);
	FUZZ_CHECK(r == (long)n || (n == 0 && r == -EAGAIN));
}

/* Frames of c in order; each is queued on echo. Returns ipc_conn_next's last result. */
static int drain(struct ipc_conn *c, struct ipc_conn *echo, unsigned *frames)
{
	struct ipc_hdr h;
	const void *payload;
	struct errbuf eb;
	int r;
	while ((r = ipc_conn_next(c, &h, &payload, &eb)) == 1) {
		const uint8_t *pl = payload;
		FUZZ_CHECK(pl == c->in + sizeof(h));
		FUZZ_CHECK(sizeof(h) + h.len <= c->in_used);
		FUZZ_CHECK(ipc_check(&h, &eb) == 0);
		FUZZ_CHECK(strcmp(ipc_type_str(h.type), "unknown") != 0);
		if (echo)
			FUZZ_CHECK(ipc_conn_queue(echo, h.type, h.id, payload, h.len) == 0);
		(*frames)++;
	}
	FUZZ_CHECK(r == 0 || (r == -EBADMSG && eb.msg[0]));
	return r;
}

/* The echo's frames, read back through the pipe, are the same frames. */
static void read_back(struct ipc_conn *echo, unsigned frames)
{
	struct ipc_conn back;
	unsigned n = 0;
	ipc_conn_init(&back);
	size_t off = 0;
	while (off < echo->out_used) {
		size_t k = echo->out_used - off < 4096 ? echo->out_used - off : 4096;
		feed(&back, echo->out + off, k);
		off += k;
		FUZZ_CHECK(drain(&back, NULL, &n) == 0);
	}
	FUZZ_CHECK(n == frames && back.in_used == back.in_handed);
	ipc_conn_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (pipe_fd[0] < 0) {
		FUZZ_CHECK(pipe2(pipe_fd, O_NONBLOCK) == 0);
		fcntl(pipe_fd[1], F_SETPIPE_SZ, 1 << 20);
	}
	struct fuzz_in in = { data, size };
	struct ipc_conn *c = malloc(sizeof(*c)), *echo = malloc(sizeof(*echo));
	FUZZ_CHECK(c && echo);
	ipc_conn_init(c);
	ipc_conn_init(echo);
	unsigned frames = 0;
	int r = 0;
	while (in.n && r == 0) {
		size_t n = fuzz_u8(&in);
		n = n ? n : 255;
		n = n < in.n ? n : in.n;
		feed(c, in.p, n);
		in.p += n;
		in.n -= n;
		r = drain(c, echo, &frames);
		/* Never more than a frame's worth left over after draining. */
		FUZZ_CHECK(c->in_used - c->in_handed < IPC_FRAME_MAX);
	}
	read_back(echo, frames);
	ipc_conn_free(c);
	ipc_conn_free(echo);
	free(c);
	free(echo);
	return 0;
}
