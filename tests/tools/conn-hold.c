/*
 * conn-hold: opens and holds many TCP connections, for the connection
 * benchmarks (bench/conns.sh); one epoll loop, no thread, no library.
 *
 *   conn-hold server ADDR PORT
 *       accepts every connection and echoes what it reads, forever;
 *   conn-hold client -n N [-s SRC,...] [-p PENDING] [-w SECONDS] [-r RATE] -o FILE ADDR PORT
 *       opens N connections to ADDR:PORT (at most PENDING connecting at
 *       once, default 1000; bound round-robin to the source addresses, the
 *       kernel picking the port per destination so one source is not
 *       limited to one port range), holds them idle, and on SIGUSR1 sends
 *       one byte on every established one, at most RATE a second (default
 *       0: all at once), and waits up to -w seconds (default 20) after the
 *       last one for the echoes: a probe round. Its numbers go to FILE
 *       (rewritten whole every second) as "key value" lines: established,
 *       failed (connect refused, reset or timed out), connecting, broken
 *       (an established one reset or closed since), probes (rounds
 *       started), and for the last round probe_sent, probe_ok, probe_err,
 *       probe_done (0 while it runs).
 *
 * Both raise RLIMIT_NOFILE to what they need (root in the VM).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

enum cstate { C_FREE, C_CONNECTING, C_UP, C_PROBING, C_DEAD };

struct hold {
	unsigned char *state;      /* per fd */
	int ep, sig;
	long n, maxfd, started, established, failed, connecting, broken;
	long probes, probe_sent, probe_ok, probe_err;
	int probe_done;
	long probe_fd;             /* next descriptor of the round to send on */
	double probe_rate, probe_start, probe_wait, probe_deadline;
	const char *out;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* Room for WANT descriptors; where that is refused (no privilege), as many
 * as the hard limit allows (a connect then fails with EMFILE, counted). */
static void raise_nofile(long want)
{
	struct rlimit r = { (rlim_t)want, (rlim_t)want };
	if (setrlimit(RLIMIT_NOFILE, &r) == 0)
		return;
	if (getrlimit(RLIMIT_NOFILE, &r) < 0)
		die("getrlimit");
	r.rlim_cur = r.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &r) < 0)
		die("setrlimit RLIMIT_NOFILE");
}

static void parse_sa(const char *a, const char *p, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(p));
	if (inet_pton(AF_INET, a, &sa->sin_addr) != 1) {
		fprintf(stderr, "conn-hold: bad IPv4 address %s\n", a);
		exit(2);
	}
}

static void ep_add(int ep, int fd, uint32_t ev)
{
	struct epoll_event e = { .events = ev, .data.fd = fd };
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) < 0)
		die("epoll_ctl");
}

/* ---- server ----------------------------------------------------------- */

static _Noreturn void server(const char *addr, const char *port)
{
	struct sockaddr_in sa;
	int one = 1;
	parse_sa(addr, port, &sa);
	raise_nofile(400000);
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 65535) < 0)
		die("listen");
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1");
	ep_add(ep, ls, EPOLLIN);
	struct epoll_event evs[256];
	char buf[4096];
	for (;;) {
		int n = epoll_wait(ep, evs, 256, -1);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == ls) {
				int c;
				while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
					ep_add(ep, c, EPOLLIN);
				continue;
			}
			ssize_t r = read(fd, buf, sizeof(buf));
			if (r > 0 && write(fd, buf, (size_t)r) == r)
				continue;
			if (r < 0 && errno == EAGAIN)
				continue;
			close(fd);   /* closed, reset, or a full send buffer: not an echo server's case */
		}
	}
}

/* ---- client ----------------------------------------------------------- */

static void report(const struct hold *h)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", h->out);
	FILE *f = fopen(tmp, "w");
	if (!f)
		die(tmp);
	fprintf(f, "target %ld\nstarted %ld\nestablished %ld\nfailed %ld\nconnecting %ld\n"
		"broken %ld\nprobes %ld\nprobe_sent %ld\nprobe_ok %ld\nprobe_err %ld\nprobe_done %d\n",
		h->n, h->started, h->established, h->failed, h->connecting, h->broken,
		h->probes, h->probe_sent, h->probe_ok, h->probe_err, h->probe_done);
	if (fclose(f) != 0 || rename(tmp, h->out) < 0)
		die(h->out);
}

static void start_one(struct hold *h, const struct sockaddr_in *dst,
		      const struct sockaddr_in *src, int nsrc)
{
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || fd >= h->maxfd) {
		h->started++;
		h->failed++;
		if (fd >= 0)
			close(fd);
		return;
	}
	if (nsrc > 0) {
		const struct sockaddr_in *s = &src[h->started % nsrc];
		if (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one)) < 0 ||
		    bind(fd, (const struct sockaddr *)s, sizeof(*s)) < 0)
			die("bind");
	}
	h->started++;
	if (connect(fd, (const struct sockaddr *)dst, sizeof(*dst)) < 0 && errno != EINPROGRESS) {
		h->failed++;
		close(fd);
		return;
	}
	h->state[fd] = C_CONNECTING;
	h->connecting++;
	ep_add(h->ep, fd, EPOLLOUT);
}

/* A connect finished (EPOLLOUT) or failed. */
static void connected(struct hold *h, int fd)
{
	int err = 0;
	socklen_t l = sizeof(err);
	h->connecting--;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0 || err) {
		h->failed++;
		h->state[fd] = C_FREE;
		close(fd);
		return;
	}
	struct epoll_event e = { .events = EPOLLIN | EPOLLRDHUP, .data.fd = fd };
	if (epoll_ctl(h->ep, EPOLL_CTL_MOD, fd, &e) < 0)
		die("epoll_ctl mod");
	h->state[fd] = C_UP;
	h->established++;
}

/* Data or an end on an established connection. */
static void readable(struct hold *h, int fd)
{
	char b[64];
	ssize_t r = read(fd, b, sizeof(b));
	if (r > 0) {
		if (h->state[fd] == C_PROBING) {
			h->state[fd] = C_UP;
			h->probe_ok++;
		}
		return;
	}
	if (r < 0 && errno == EAGAIN)
		return;
	if (h->state[fd] == C_PROBING)
		h->probe_err++;
	h->state[fd] = C_DEAD;
	h->established--;
	h->broken++;
	epoll_ctl(h->ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
}

/* A probe round starts (SIGUSR1): its sends go out in probe_send. */
static void probe_start(struct hold *h, double wait_s)
{
	h->probes++;
	h->probe_sent = h->probe_ok = h->probe_err = 0;
	h->probe_done = 0;
	h->probe_fd = 0;
	h->probe_start = now_s();
	h->probe_wait = wait_s;
	h->probe_deadline = 0;
}

/* Sends the round's bytes due by T (all of them without a rate); after the
 * last one the round waits probe_wait seconds for the echoes. */
static void probe_send(struct hold *h, double t)
{
	long due = h->probe_rate > 0 ? (long)((t - h->probe_start) * h->probe_rate) + 1 : h->maxfd;
	for (; h->probe_fd < h->maxfd && h->probe_sent < due; h->probe_fd++) {
		int fd = (int)h->probe_fd;
		if (h->state[fd] != C_UP && h->state[fd] != C_PROBING)
			continue;
		h->probe_sent++;
		if (write(fd, "p", 1) == 1) {
			h->state[fd] = C_PROBING;
		} else {
			h->probe_err++;
			h->state[fd] = C_UP;
		}
	}
	if (h->probe_fd >= h->maxfd && h->probe_deadline == 0)
		h->probe_deadline = t + h->probe_wait;
}

static void client_loop(struct hold *h, const struct sockaddr_in *dst,
			const struct sockaddr_in *src, int nsrc, long pending, double wait_s)
{
	struct epoll_event evs[512];
	double next_report = 0;
	for (;;) {
		while (h->started < h->n && h->connecting < pending)
			start_one(h, dst, src, nsrc);
		/* A paced round sends every 10 ms, in small bursts. */
		int pacing = !h->probe_done && h->probe_rate > 0 && h->probe_deadline == 0;
		int n = epoll_wait(h->ep, evs, 512, pacing ? 10 : 100);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == h->sig) {
				struct signalfd_siginfo si;
				if (read(h->sig, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo != SIGUSR1) {
					report(h);
					return;
				}
				probe_start(h, wait_s);
			} else if (h->state[fd] == C_CONNECTING) {
				connected(h, fd);
			} else {
				readable(h, fd);
			}
		}
		double t = now_s();
		if (!h->probe_done) {
			probe_send(h, t);
			if (h->probe_deadline > 0 &&
			    (t >= h->probe_deadline || h->probe_ok + h->probe_err >= h->probe_sent))
				h->probe_done = 1;
		}
		if (t >= next_report) {
			report(h);
			next_report = t + 1;
		}
	}
}

static int client(int argc, char **argv)
{
	long n = 0, pending = 1000;
	double wait_s = 20, rate = 0;
	const char *out = NULL;
	char *srcs = NULL;
	int o;
	while ((o = getopt(argc, argv, "n:s:p:w:r:o:")) != -1) {
		switch (o) {
		case 'n': n = atol(optarg); break;
		case 's': srcs = optarg; break;
		case 'p': pending = atol(optarg); break;
		case 'w': wait_s = atof(optarg); break;
		case 'r': rate = atof(optarg); break;
		case 'o': out = optarg; break;
		default: return 2;
		}
	}
	if (n <= 0 || pending <= 0 || rate < 0 || !out || argc - optind != 2) {
		fprintf(stderr, "usage: conn-hold client -n N [-s SRC,...] [-p PENDING] [-w S] [-r RATE] -o FILE ADDR PORT\n");
		return 2;
	}
	struct sockaddr_in dst, src[64];
	int nsrc = 0;
	parse_sa(argv[optind], argv[optind + 1], &dst);
	for (char *tok = srcs ? strtok(srcs, ",") : NULL; tok && nsrc < 64; tok = strtok(NULL, ","))
		parse_sa(tok, "0", &src[nsrc++]);
	long maxfd = n + 64;
	raise_nofile(maxfd);
	struct hold h = { .n = n, .maxfd = maxfd, .out = out, .probe_done = 1, .probe_rate = rate };
	h.state = calloc((size_t)maxfd, 1);
	if (!h.state)
		die("calloc");
	h.ep = epoll_create1(EPOLL_CLOEXEC);
	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGUSR1);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	if (h.ep < 0 || sigprocmask(SIG_BLOCK, &ss, NULL) < 0 ||
	    (h.sig = signalfd(-1, &ss, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		die("epoll/signalfd");
	ep_add(h.ep, h.sig, EPOLLIN);
	client_loop(&h, &dst, src, nsrc, pending, wait_s);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 4 && !strcmp(argv[1], "server"))
		server(argv[2], argv[3]);
	if (argc >= 2 && !strcmp(argv[1], "client"))
		return client(argc - 1, argv + 1);
	fprintf(stderr, "usage: conn-hold server ADDR PORT | conn-hold client -n N ... ADDR PORT\n");
	return 2;
}
