/*
 * chk_tcp: passes when a TCP connection to the target completes; the
 * connection is closed at once (conn.c does the connecting and maps
 * failures to reasons: refused, unreachable, timeout).
 */
#include "chk_conn.h"
#include "chk_engine.h"

struct tcp_priv {
	struct chk_conn conn;
};

static void tcp_on_open(struct chk_conn *c)
{
	check_done(c->p, CHK_R_OK, NULL);
}

static void tcp_on_input(struct chk_conn *c, bool eof)
{
	(void)c;
	(void)eof;
}

static int tcp_parse(struct chk_probe *p, struct errbuf *eb)
{
	struct tcp_priv *t = p->priv;
	(void)eb;
	chk_conn_init(&t->conn, p, &chk_xport_tcp, 4096);
	t->conn.on_open = tcp_on_open;
	t->conn.on_input = tcp_on_input;
	return 0;
}

static void tcp_start(struct chk_probe *p)
{
	struct tcp_priv *t = p->priv;
	chk_conn_start(&t->conn);
}

static void tcp_cancel(struct chk_probe *p)
{
	struct tcp_priv *t = p->priv;
	chk_conn_close(&t->conn);
}

static void tcp_free(struct chk_probe *p)
{
	struct tcp_priv *t = p->priv;
	chk_conn_free(&t->conn);
}

const struct check_ops chk_tcp_ops = {
	.name = "tcp", .type = CHECK_TCP, .priv_size = sizeof(struct tcp_priv),
	.parse = tcp_parse, .start = tcp_start, .cancel = tcp_cancel, .free = tcp_free,
};
