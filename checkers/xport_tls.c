/*
 * xport_tls: the TLS transport of conn.c over OpenSSL, and the only file
 * that uses OpenSSL (hence also the MD5 body digest of the http checks).
 *
 * A probe makes its SSL_CTX once (verification mode, CA file); each run
 * makes an SSL on the connected socket with SNI and, when verifying, the
 * expected host name or address. Failures are reported in OpenSSL's
 * words, the certificate ones as "certificate verify failed (REASON)".
 */
#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

#include "chk_conn.h"
#include "chk_engine.h"

void *chk_tls_ctx_new(const struct chk_tls_opts *o, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		snprintf(err, errlen, "SSL_CTX_new failed");
		return NULL;
	}
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (!o->verify) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
		return ctx;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	int ok = o->ca_file ? SSL_CTX_load_verify_locations(ctx, o->ca_file, NULL)
			    : SSL_CTX_set_default_verify_paths(ctx);
	if (!ok) {
		snprintf(err, errlen, "cannot load CA file %s: %s", o->ca_file ? o->ca_file : "(default)",
			 ERR_reason_error_string(ERR_get_error()));
		ERR_clear_error();
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

void chk_tls_ctx_free(void *ctx)
{
	SSL_CTX_free(ctx);
}

static bool is_ip_literal(const char *s)
{
	struct vaddr a;
	return vaddr_parse(s, &a) == 0;
}

static int tls_setup(struct chk_conn *c, char *err, size_t errlen)
{
	SSL *ssl = SSL_new(c->tls_ctx);
	if (!ssl || !SSL_set_fd(ssl, c->fd)) {
		SSL_free(ssl);
		snprintf(err, errlen, "SSL_new failed");
		return -EPROTO;
	}
	const struct chk_tls_opts *o = c->tls_opts;
	if (o->sni && !is_ip_literal(o->sni))
		SSL_set_tlsext_host_name(ssl, o->sni);
	if (o->verify && o->verify_name) {
		X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
		if (is_ip_literal(o->verify_name))
			X509_VERIFY_PARAM_set1_ip_asc(vp, o->verify_name);
		else
			SSL_set1_host(ssl, o->verify_name);
	}
	SSL_set_connect_state(ssl);
	c->tls = ssl;
	return 0;
}

/* Turns an OpenSSL failure into -errno and text. */
static int tls_error(struct chk_conn *c, int ret, bool *want_write, char *err, size_t errlen)
{
	SSL *ssl = c->tls;
	int e = SSL_get_error(ssl, ret);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		if (want_write)
			*want_write = e == SSL_ERROR_WANT_WRITE;
		return -EAGAIN;
	}
	if (e == SSL_ERROR_ZERO_RETURN)
		return 0;
	long vr = SSL_get_verify_result(ssl);
	unsigned long ec = ERR_get_error();
	ERR_clear_error();
	if (vr != X509_V_OK) {
		snprintf(err, errlen, "certificate verify failed (%s)",
			 X509_verify_cert_error_string(vr));
		return -EPROTO;
	}
	if (e == SSL_ERROR_SYSCALL && !ec) {
		int se = errno ? errno : ECONNRESET;
		if (ret == 0 || se == ECONNRESET || se == EPIPE) {
			snprintf(err, errlen, "connection closed by the server");
			return -EPROTO;
		}
		snprintf(err, errlen, "%s", strerror(se));
		return -EPROTO;
	}
	const char *why = ec ? ERR_reason_error_string(ec) : NULL;
	snprintf(err, errlen, "%s", why ? why : "protocol error");
	return -EPROTO;
}

static int tls_handshake(struct chk_conn *c, bool *want_write, char *err, size_t errlen)
{
	if (!c->tls) {
		int r = tls_setup(c, err, errlen);
		if (r < 0)
			return r;
	}
	ERR_clear_error();
	errno = 0;
	int r = SSL_do_handshake(c->tls);
	if (r == 1)
		return 0;
	r = tls_error(c, r, want_write, err, errlen);
	return r == 0 ? -EPROTO : r;
}

static ssize_t tls_read(struct chk_conn *c, void *buf, size_t len, char *err, size_t errlen)
{
	ERR_clear_error();
	errno = 0;
	int n = SSL_read(c->tls, buf, (int)(len > 1 << 30 ? 1 << 30 : len));
	if (n > 0)
		return n;
	int r = tls_error(c, n, NULL, err, errlen);
	/* A server that closes without close_notify still ended its answer. */
	if (r == -EPROTO && SSL_get_error(c->tls, n) == SSL_ERROR_SYSCALL && !strcmp(err,
	    "connection closed by the server")) {
		err[0] = '\0';
		return 0;
	}
	return r;
}

static ssize_t tls_write(struct chk_conn *c, const void *buf, size_t len, char *err,
			 size_t errlen)
{
	ERR_clear_error();
	errno = 0;
	int n = SSL_write(c->tls, buf, (int)(len > 1 << 30 ? 1 << 30 : len));
	if (n > 0)
		return n;
	int r = tls_error(c, n, NULL, err, errlen);
	return r == 0 ? -EPIPE : r;
}

static void tls_close(struct chk_conn *c)
{
	if (c->tls) {
		SSL_free(c->tls);
		c->tls = NULL;
	}
}

const struct xport_ops chk_xport_tls = {
	.name = "tls",
	.handshake = tls_handshake,
	.read = tls_read,
	.write = tls_write,
	.close = tls_close,
};

int chk_md5_hex(const void *buf, size_t len, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	out[0] = '\0';
	if (!EVP_Digest(buf, len, md, &mdlen, EVP_md5(), NULL) || mdlen != 16) {
		ERR_clear_error();
		return -EINVAL;
	}
	for (unsigned i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}
