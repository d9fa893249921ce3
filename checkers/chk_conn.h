/*
 * conn: a non-blocking client stream for the checks that talk (tcp, http,
 * https, smtp). It connects (with bind_address), runs the transport's
 * handshake, writes what the check queues and collects what arrives into
 * one input buffer; the check parses that buffer on every arrival. Any
 * transport failure ends the run through check_done() with its reason.
 * Transports (Redis ConnectionType style): xport_tcp.c, xport_tls.c — the
 * only file that knows OpenSSL.
 *
 *   CONNECTING --writable, SO_ERROR 0--> HANDSHAKE --done--> OPEN
 *        |                                   |                 | on_input(eof?)
 *        +--error: check_done(refused...)    +--tls: ...       +--reset/closed
 *
 * A check that keeps its connection between runs parks it (OPEN, not
 * watched) and writes on it at the next start.
 */
#ifndef VIGIL_CHK_CONN_H
#define VIGIL_CHK_CONN_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct chk_probe;
struct chk_conn;

struct xport_ops {
	const char *name;
	/* After the TCP connect: 0 done, -EAGAIN (*want_write says which
	 * direction), or -EPROTO with a message in err. */
	int (*handshake)(struct chk_conn *c, bool *want_write, char *err, size_t errlen);
	/* >0 bytes, 0 orderly EOF, -EAGAIN, other -errno (err filled). */
	ssize_t (*read)(struct chk_conn *c, void *buf, size_t len, char *err, size_t errlen);
	ssize_t (*write)(struct chk_conn *c, const void *buf, size_t len, char *err,
			 size_t errlen);
	void (*close)(struct chk_conn *c);
};

extern const struct xport_ops chk_xport_tcp, chk_xport_tls;

/* TLS parameters of a probe, made once by chk_tls_ctx_new (xport_tls.c).
 * sni and verify_name are read at every connection: they must belong to
 * the probe, not to a configuration (a reload frees that). ca_file is
 * read by chk_tls_ctx_new only. */
struct chk_tls_opts {
	const char *sni;              /* NULL: none */
	const char *verify_name;      /* hostname or IP literal checked when verifying */
	bool verify;
	const char *ca_file;          /* NULL: the system's store */
};
/* Returns an opaque context (SSL_CTX) or NULL with err filled. */
void *chk_tls_ctx_new(const struct chk_tls_opts *o, char *err, size_t errlen);
void chk_tls_ctx_free(void *ctx);

enum chk_conn_state { CONN_IDLE, CONN_CONNECTING, CONN_HANDSHAKE, CONN_OPEN };

struct chk_conn {
	struct chk_probe *p;
	const struct xport_ops *xo;
	void *tls_ctx;                /* for xport_tls: the probe's context */
	const struct chk_tls_opts *tls_opts;
	void *tls;                    /* SSL * */
	enum chk_conn_state state;
	bool parked;                  /* open between runs, see chk_conn_park */
	int fd;
	ev_io io;
	char *out;
	size_t out_len, out_off, out_cap;
	char *in;
	size_t in_len, in_cap, in_max;
	void (*on_open)(struct chk_conn *c);
	/* New input in c->in (or eof); the check parses and may end the run. */
	void (*on_input)(struct chk_conn *c, bool eof);
	/* Optional: a send or receive failed with err; true when the check
	 * took it over (a reused connection found dead), else the run fails. */
	bool (*on_error)(struct chk_conn *c, int err);
};

/* Prepares c (once per probe). in_max bounds the input buffer. */
void chk_conn_init(struct chk_conn *c, struct chk_probe *p, const struct xport_ops *xo,
		   size_t in_max);
/* Starts a connection; failures end the run. */
void chk_conn_start(struct chk_conn *c);
/* Queues bytes to send (copied). */
void chk_conn_write(struct chk_conn *c, const void *buf, size_t len);
/* Keeps an open connection for the next run and empties the buffers; the
 * next chk_conn_write sends on it again. It stays watched for reading (no
 * epoll change per run): anything arriving while parked — the server
 * closing, or talking unasked — closes it. */
void chk_conn_park(struct chk_conn *c);
/* Whether c is an open (parked) connection. */
bool chk_conn_is_open(const struct chk_conn *c);
/* Closes and resets for the next run; idempotent. Keeps buffers' memory. */
void chk_conn_close(struct chk_conn *c);
/* Frees the buffers too. */
void chk_conn_free(struct chk_conn *c);

#endif
