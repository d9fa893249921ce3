/*
 * kc_check: keepalived's checkers as vigil checks.
 *
 * A setting comes from the checker, else the real server, else the
 * virtual server, else keepalived's default, and is written out:
 *
 *   connect_timeout (5 s)         -> timeout (vigil: 3 s)
 *   retry / nb_get_retry          -> retry (vigil: 0), with
 *     (1; MISC_CHECK 0; DNS 3)
 *   delay_before_retry (1 s;      -> retry_delay
 *     HTTP_GET/SSL_GET 3 s)
 *   warmup (any level)            -> warmup (none: nothing; keepalived's
 *                                    default is the delay_loop, a first run
 *                                    at random within it, as vigil's)
 *   delay_loop                    -> interval, when not the service's
 *   misc_timeout (the service's   -> timeout of a script check
 *     delay_loop)
 *   HTTP status 200-299           -> status = [ "200-299" ] (vigil: 200)
 *   http_protocol 1.0 (1.0C: with -> http_version = "1.0" (vigil: 1.1)
 *     Connection: close)
 *   SMTP helo smtpchecker.keepalived.org, DNS type SOA and name "."
 *
 * One HTTP_GET/SSL_GET url becomes one check (its keys: kc_http.c) (all must pass, as in
 * keepalived); one SMTP_CHECK host likewise.
 */
#include "kc_conv_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const checkers[] = {
	"TCP_CHECK", "HTTP_GET", "SSL_GET", "SMTP_CHECK", "DNS_CHECK", "MISC_CHECK",
	"UDP_CHECK", "PING_CHECK", "FILE_CHECK", "BFD_CHECK", NULL
};

bool kc_is_checker(const char *kw)
{
	for (unsigned i = 0; checkers[i]; i++)
		if (!strcmp(kw, checkers[i]))
			return true;
	return false;
}

bool kc_dflt_kw(struct kc_cx *x, const struct kc_node *n, struct kc_chk_dflt *c)
{
	const char *k = n->w[0];
	bool on;
	if (!strcmp(k, "connect_timeout"))
		kc_secs(x, n, 1, &c->timeout);
	else if (!strcmp(k, "retry") || !strcmp(k, "nb_get_retry"))
		kc_int(x, n, 1, 0, 1000000, &c->retry);
	else if (!strcmp(k, "delay_loop"))
		kc_secs(x, n, 1, &c->delay_loop);
	else if (!strcmp(k, "delay_before_retry")) {
		if (kc_secs(x, n, 1, &c->dbr))
			c->dbr_n = n;
	} else if (!strcmp(k, "alpha")) {
		if (kc_flag(x, n, 1, &on))
			c->alpha = on, c->alpha_n = n;
	} else if (!strcmp(k, "virtualhost")) {
		c->vhost = n->n > 1 ? n->w[1] : NULL;
	} else if (!strcmp(k, "warmup")) {
		c->has_warmup = kc_secs(x, n, 1, &c->warmup);
	} else {
		return false;
	}
	return true;
}

struct kc_chk_dflt kc_dflt_merge(struct kc_chk_dflt o, struct kc_chk_dflt u)
{
	if (o.timeout < 0)
		o.timeout = u.timeout;
	if (o.retry < 0)
		o.retry = u.retry;
	if (o.delay_loop < 0)
		o.delay_loop = u.delay_loop;
	if (o.dbr < 0)
		o.dbr = u.dbr, o.dbr_n = u.dbr_n;
	if (o.alpha < 0)
		o.alpha = u.alpha, o.alpha_n = u.alpha_n;
	if (!o.vhost)
		o.vhost = u.vhost;
	if (!o.has_warmup)
		o.has_warmup = u.has_warmup, o.warmup = u.warmup;
	return o;
}

/* ---- one checker ------------------------------------------------------ */

struct chk {
	const struct kc_node *n;
	struct kc_chk_dflt d;
	const char *connect_ip, *bindto, *helo, *dns_type, *dns_name;
	const struct kc_node *payload, *reply, *http_proto, *reply_min, *reply_max;
	long connect_port;
	char *cmd;
	double misc_timeout;
	bool dynamic, reply_any;
	const struct kc_node **sub;           /* url or host blocks */
	unsigned n_sub;
};

static void c_dflt(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	kc_dflt_kw(x, n, &((struct chk *)obj)->d);
}

static void c_target(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct chk *c = obj;
	if (!strcmp(n->w[0], "connect_port")) {
		kc_int(x, n, 1, 1, 65535, &c->connect_port);
	} else if (n->n < 2 || !kc_family(n->w[1], false)) {
		kc_skip(x->d, n->src, "%s: expected an IP address", n->w[0]);
	} else if (!strcmp(n->w[0], "connect_ip")) {
		c->connect_ip = n->w[1];
	} else {
		c->bindto = n->w[1];
	}
}

static void c_str(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct chk *c = obj;
	const char *k = n->w[0], *v = n->n > 1 ? n->w[1] : NULL;
	if (!strcmp(k, "helo_name"))
		c->helo = v;
	else if (!strcmp(k, "type"))
		c->dns_type = v;
	else if (!strcmp(k, "name"))
		c->dns_name = v;
	else if (!strcmp(k, "payload"))
		c->payload = n;
	else if (!strcmp(k, "require_reply"))
		c->reply = v ? n : NULL, c->reply_any = !v;
	else if (!strcmp(k, "http_protocol"))
		c->http_proto = n;
	else if (!strcmp(k, "min_reply_length"))
		c->reply_min = n;
	else if (!strcmp(k, "max_reply_length"))
		c->reply_max = n;
}

static void c_misc(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct chk *c = obj;
	if (!strcmp(n->w[0], "misc_path")) {
		free(c->cmd);
		c->cmd = kc_command(x, n, "misc_path");
	} else if (!strcmp(n->w[0], "misc_timeout")) {
		kc_secs(x, n, 1, &c->misc_timeout);
	} else {
		c->dynamic = true;
	}
}

static void c_sub(struct kc_cx *x, const struct kc_node *n, void *obj)
{
	struct chk *c = obj;
	c->sub = kc_realloc(c->sub, c->n_sub + 1, sizeof(*c->sub));
	c->sub[c->n_sub++] = n;
}

static void nothing(struct kc_cx *x, const struct kc_node *n, void *obj)
{
}

static const struct kc_kw chk_kw[] = {
	{ "connect_ip", c_target, NULL }, { "connect_port", c_target, NULL },
	{ "bindto", c_target, NULL },
	{ "connect_timeout", c_dflt, NULL }, { "retry", c_dflt, NULL },
	{ "nb_get_retry", c_dflt, NULL }, { "delay_before_retry", c_dflt, NULL },
	{ "delay_loop", c_dflt, NULL }, { "alpha", c_dflt, NULL }, { "virtualhost", c_dflt, NULL },
	{ "url", c_sub, NULL }, { "host", c_sub, NULL },
	{ "helo_name", c_str, NULL }, { "type", c_str, NULL }, { "name", c_str, NULL },
	{ "payload", c_str, NULL }, { "require_reply", c_str, NULL },
	{ "misc_path", c_misc, NULL }, { "misc_timeout", c_misc, NULL },
	{ "misc_dynamic", c_misc, NULL },
	{ "enable_sni", nothing, NULL },      /* vigil sends SNI, the host, anyway */
	{ "bind_port", NULL, "vigil's probes use the kernel's source port" },
	{ "bind_if", NULL, "vigil binds probes by address only" },
	{ "fwmark", NULL, "vigil does not mark its probes" },
	{ "warmup", c_dflt, NULL },
	{ "log_all_failures", NULL, "vigil logs each transition with its reason" },
	{ "http_protocol", c_str, NULL },
	{ "fast_recovery", NULL, "vigil checks each url on its own schedule" },
	{ "user", NULL, "vigil runs every script as global script_user" },
	{ "min_reply_length", c_str, NULL }, { "max_reply_length", c_str, NULL },
	{ NULL, NULL, NULL }
};

/* keepalived's hex strings: "Ab12f 3" is AB 12 0F 03 (a group's last odd
 * digit is a low nibble). Written as vigil's "ab 12 0f 03"; with wild an
 * X stays a wildcard nibble (require_reply). NULL (reported) otherwise. */
static char *hex_norm(struct kc_cx *x, const struct kc_node *n, bool wild)
{
	const char *s = n->raw + strlen(n->w[0]);
	char *out = kc_calloc(3 * strlen(s) + 4, 1);
	size_t o = 0;
	while (*(s += strspn(s, " \t"))) {
		size_t len = strcspn(s, " \t");
		for (size_t i = 0; i < len; i += 2) {
			char b[2] = { s[i], i + 1 < len ? s[i + 1] : 0 };
			if (!b[1])
				b[1] = b[0], b[0] = '0';
			for (int k = 0; k < 2; k++) {
				bool ok = isxdigit((unsigned char)b[k])
					|| (wild && (b[k] == 'x' || b[k] == 'X'));
				if (!ok) {
					kc_skip(x->d, n->src, "%s: '%c' is not a hexadecimal digit%s",
						n->w[0], b[k], wild ? " or X" : "");
					free(out);
					return NULL;
				}
				out[o++] = (char)tolower((unsigned char)b[k]);
			}
			out[o++] = ' ';
		}
		s += len;
	}
	if (o)
		out[o - 1] = '\0';
	return out;
}

static struct kc_val *new_check(struct kc_val *list, const struct kc_node *from, const char *type)
{
	struct kc_val *v = kv_add(list, KV_GROUP, NULL);
	kc_from(v, from);
	kv_str(v, "type", type);
	return v;
}

/* The keys every check takes, then the type's own; false: leave it out. */
static bool common(struct kc_cx *x, const struct chk *c, struct kc_val *v, long def_retry,
		   struct kc_rs_info *info, const char *connect_ip, long connect_port,
		   const char *bindto)
{
	bool script = !strcmp(kv_get(v, "type")->s, "script");
	if (c->d.delay_loop >= 0 && c->d.delay_loop != info->vs_delay_loop)
		kv_num(v, "interval", c->d.delay_loop);
	kv_num(v, "timeout", script ? (c->misc_timeout > 0 ? c->misc_timeout : info->vs_delay_loop)
				   : c->d.timeout >= 0 ? c->d.timeout : 5.0);
	long retry = c->d.retry >= 0 ? c->d.retry : def_retry;
	if (retry > 0) {
		bool http = !strcmp(kv_get(v, "type")->s, "http") || !strcmp(kv_get(v, "type")->s, "https");
		kv_int(v, "retry", retry);
		kv_num(v, "retry_delay", c->d.dbr >= 0 ? c->d.dbr : http ? 3.0 : 1.0);
	}
	if (c->d.has_warmup)
		kv_num(v, "warmup", c->d.warmup);
	if (connect_ip)
		kv_str(v, "connect_address", connect_ip);
	if (connect_port)
		kv_int(v, "connect_port", connect_port);
	if (bindto)
		kv_str(v, "bind_address", bindto);
	if (!connect_port && !info->has_port && !script && strcmp(kv_get(v, "type")->s, "ping")) {
		kc_skip(x->d, c->n->src, "%s: no port to probe: the real server has none and "
			"connect_port is not set", c->n->w[0]);
		return false;
	}
	return true;
}

/* SMTP host { connect_ip connect_port bindto } blocks: one check each. */
static void smtp(struct kc_cx *x, const struct chk *c, struct kc_val *list, struct kc_rs_info *info)
{
	for (unsigned h = 0; h <= c->n_sub; h++) {
		if (h == c->n_sub && c->n_sub)
			break;
		struct chk hc = *c;
		const struct kc_node *from = h < c->n_sub ? c->sub[h] : c->n;
		if (h < c->n_sub)
			kc_each(x, c->sub[h], chk_kw, &hc);
		struct kc_val *v = new_check(list, from, "smtp");
		if (!common(x, &hc, v, 1, info, hc.connect_ip, hc.connect_port, hc.bindto)) {
			kv_free(list->kids[--list->n]);
			continue;
		}
		kv_str(v, "helo_name", c->helo ? c->helo : "smtpchecker.keepalived.org");
	}
}

/* UDP_CHECK: payload and require_reply in hex; the reply's length, which
 * keepalived checks only with require_reply (then max 255 by default). */
static void udp(struct kc_cx *x, const struct chk *c, struct kc_val *v)
{
	char *p = c->payload ? hex_norm(x, c->payload, false) : NULL;
	char *r = c->reply ? hex_norm(x, c->reply, true) : NULL;
	long len;
	if (p && *p)
		kv_str(v, "payload_hex", p);
	if (r && *r)
		kv_str(v, "reply_hex", r);
	free(p);
	free(r);
	if (!c->reply && !c->reply_any) {
		const struct kc_node *l = c->reply_min ? c->reply_min : c->reply_max;
		if (l)
			kc_skip(x->d, l->src, "%s without require_reply: keepalived does not check "
				"the length then either", l->w[0]);
		return;
	}
	if (c->reply_any)
		kv_bool(v, "require_reply", true);
	if (c->reply_min && kc_int(x, c->reply_min, 1, 0, 65535, &len))
		kv_int(v, "min_reply_length", len);
	if (!c->reply_max || !kc_int(x, c->reply_max, 1, 1, 65535, &len)) {
		len = 255;
		kv_int(v, "max_reply_length", len);
		kv_comment(kv_get(v, "max_reply_length"), "keepalived's default");
	} else {
		kv_int(v, "max_reply_length", len);
	}
}

static void one(struct kc_cx *x, struct chk *c, struct kc_val *list, struct kc_rs_info *info)
{
	const char *k = c->n->w[0];
	bool ssl = !strcmp(k, "SSL_GET");
	if (ssl || !strcmp(k, "HTTP_GET")) {
		if (!c->n_sub)
			kc_skip(x->d, c->n->src, "%s: no url to check", k);
		for (unsigned i = 0; i < c->n_sub; i++) {
			struct kc_val *v = new_check(list, c->sub[i], ssl ? "https" : "http");
			if (!common(x, c, v, 1, info, c->connect_ip, c->connect_port, c->bindto)
			    || !kc_http_url(x, c->sub[i], c->d.vhost, v))
				kv_free(list->kids[--list->n]);
			else
				kc_http_protocol(x, c->http_proto, v);
		}
		return;
	}
	if (!strcmp(k, "SMTP_CHECK")) {
		smtp(x, c, list, info);
		return;
	}
	const char *type = !strcmp(k, "TCP_CHECK") ? "tcp" : !strcmp(k, "DNS_CHECK") ? "dns"
		: !strcmp(k, "MISC_CHECK") ? "script" : !strcmp(k, "UDP_CHECK") ? "udp" : "ping";
	if (!strcmp(type, "script") && !c->cmd) {
		kc_skip(x->d, c->n->src, "MISC_CHECK: no command vigil can run");
		return;
	}
	struct kc_val *v = new_check(list, c->n, type);
	long def_retry = !strcmp(type, "script") ? 0 : !strcmp(type, "dns") ? 3 : 1;
	if (!common(x, c, v, def_retry, info, c->connect_ip, c->connect_port, c->bindto)) {
		kv_free(list->kids[--list->n]);
		return;
	}
	if (!strcmp(type, "script")) {
		kv_str(v, "command", c->cmd);
		if (c->dynamic)
			kv_bool(v, "dynamic_weight", true);
	} else if (!strcmp(type, "dns")) {
		kv_str(v, "query", c->dns_name ? c->dns_name : ".");
		kv_str(v, "qtype", c->dns_type ? c->dns_type : "SOA");
		if (strcmp(info->vs_proto, "udp"))
			kv_comment(v, "keepalived queried over UDP; vigil uses the service's protocol (%s)",
				   info->vs_proto);
	} else if (!strcmp(type, "udp")) {
		udp(x, c, v);
	}}

void kc_checks(struct kc_cx *x, const struct kc_node *rs, struct kc_val *rsv,
	       const struct kc_chk_dflt *vsd, const struct kc_chk_dflt *rsd,
	       struct kc_rs_info *info)
{
	struct kc_val *list = kv_new(KV_LIST, "checks");
	struct kc_chk_dflt vs = *vsd;
	vs.alpha = -1;                        /* the service's alpha is start_up */
	for (unsigned i = 0; i < rs->n_kids; i++) {
		const struct kc_node *n = &rs->kids[i];
		if (!kc_is_checker(n->w[0]))
			continue;
		if (!strcmp(n->w[0], "FILE_CHECK")) {
			kc_file_check(x, n, list);
			continue;
		}
		if (!strcmp(n->w[0], "BFD_CHECK")) {
			kc_skip(x->d, n->src, "BFD_CHECK: vigil has no BFD checks");
			continue;
		}
		struct chk c = { .n = n, .d = { -1, -1, -1, -1, NULL, -1, NULL, NULL } };
		kc_each(x, n, chk_kw, &c);
		c.d = kc_dflt_merge(kc_dflt_merge(c.d, *rsd), vs);
		if (c.d.alpha >= 0 && c.d.alpha != info->vs_alpha && kc_once(x, c.d.alpha_n))
			kc_skip(x->d, c.d.alpha_n->src, "alpha: vigil sets start_up per virtual "
				"server (%s here)", info->vs_alpha ? "down" : "up");
		one(x, &c, list, info);
		free(c.cmd);
		free(c.sub);
	}
	if (list->n)
		kv_attach(rsv, list);
	else
		kv_free(list);
}
