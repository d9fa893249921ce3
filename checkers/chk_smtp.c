/*
 * chk_smtp: passes on a 2xx greeting and a 2xx reply to HELO, then sends
 * QUIT without waiting for its answer.
 *
 *   open --> greeting 2xx? --> HELO name --> reply 2xx? --> QUIT, pass
 *                 \-- other: "smtp greeting 554"    \-- "smtp helo reply 501"
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "chk_conn.h"
#include "chk_engine.h"
#include "chk_parsers.h"

enum smtp_step { SMTP_GREETING, SMTP_HELO };

struct smtp_priv {
	struct chk_conn conn;
	enum smtp_step step;
	size_t seen;                  /* input bytes of earlier replies */
};

int chk_smtp_reply(const char *buf, size_t len, int *code, size_t *used)
{
	size_t pos = 0;
	int first = -1;
	while (pos < len) {
		const char *eol = memchr(buf + pos, '\n', len - pos);
		if (!eol)
			return 0;
		size_t ll = (size_t)(eol - (buf + pos));
		const char *l = buf + pos;
		if (ll < 3 || !isdigit((unsigned char)l[0]) || !isdigit((unsigned char)l[1])
		    || !isdigit((unsigned char)l[2]))
			return -1;
		int c = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
		if (c < 200 || c > 599)
			return -1;
		if (first < 0)
			first = c;
		else if (c != first)
			return -1;
		char sep = ll > 3 ? l[3] : ' ';
		pos = (size_t)(eol - buf) + 1;
		if (sep == '-')
			continue;
		if (sep != ' ' && sep != '\r')
			return -1;
		*code = c;
		*used = pos;
		return 1;
	}
	return 0;
}

static void smtp_on_input(struct chk_conn *c, bool eof)
{
	struct chk_probe *p = c->p;
	struct smtp_priv *s = p->priv;
	int code;
	size_t used;
	int r = chk_smtp_reply(c->in + s->seen, c->in_len - s->seen, &code, &used);
	if (r < 0) {
		check_done(p, CHK_R_SMTP_BAD, NULL);
		return;
	}
	if (r == 0) {
		if (eof)
			check_done(p, CHK_R_CLOSED, "(smtp %s)",
				   s->step == SMTP_GREETING ? "greeting" : "helo");
		return;
	}
	s->seen += used;
	if (code / 100 != 2) {
		check_done(p, s->step == SMTP_GREETING ? CHK_R_SMTP_GREETING : CHK_R_SMTP_HELO,
			   "%d", code);
		return;
	}
	if (s->step == SMTP_GREETING) {
		char helo[300];
		int n = snprintf(helo, sizeof(helo), "HELO %s\r\n",
				 p->cc->helo_name ? p->cc->helo_name : "vigil");
		s->step = SMTP_HELO;
		p->phase = "waiting for the helo reply";
		chk_conn_write(c, helo, (size_t)n < sizeof(helo) ? (size_t)n : sizeof(helo) - 1);
		return;
	}
	chk_conn_write(c, "QUIT\r\n", 6);
	if (p->running)
		check_done(p, CHK_R_OK, NULL);
}

static void smtp_on_open(struct chk_conn *c)
{
	c->p->phase = "waiting for the greeting";
}

static int smtp_parse(struct chk_probe *p, struct errbuf *eb)
{
	struct smtp_priv *s = p->priv;
	(void)eb;
	chk_conn_init(&s->conn, p, &chk_xport_tcp, 64 * 1024);
	s->conn.on_open = smtp_on_open;
	s->conn.on_input = smtp_on_input;
	return 0;
}

static void smtp_start(struct chk_probe *p)
{
	struct smtp_priv *s = p->priv;
	s->step = SMTP_GREETING;
	s->seen = 0;
	chk_conn_start(&s->conn);
}

static void smtp_cancel(struct chk_probe *p)
{
	struct smtp_priv *s = p->priv;
	chk_conn_close(&s->conn);
}

static void smtp_free(struct chk_probe *p)
{
	struct smtp_priv *s = p->priv;
	chk_conn_free(&s->conn);
}

const struct check_ops chk_smtp_ops = {
	.name = "smtp", .type = CHECK_SMTP, .priv_size = sizeof(struct smtp_priv),
	.parse = smtp_parse, .start = smtp_start, .cancel = smtp_cancel, .free = smtp_free,
};
