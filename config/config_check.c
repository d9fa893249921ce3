/*
 * config_check: a real server's `checks` list.
 *
 * Every check takes the common keys (interval, timeout, rise, fall and
 * where to probe); each type adds its own, listed in one table below, so
 * a key written for the wrong type is reported as such ("'digest' does
 * not apply to a tcp check") rather than as a typo. Defaults that depend
 * on the surroundings (interval from the virtual server, the port from
 * the real server, helo_name from router_id) are resolved here, so the
 * checker reads finished values.
 */
#include "config_int.h"
#include "hexbytes.h"

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const check_names[] = {
	[CHECK_TCP] = "tcp", [CHECK_HTTP] = "http", [CHECK_HTTPS] = "https",
	[CHECK_SMTP] = "smtp", [CHECK_DNS] = "dns", [CHECK_UDP] = "udp",
	[CHECK_PING] = "ping", [CHECK_SCRIPT] = "script", [CHECK_FILE] = "file",
	[CHECK__COUNT] = NULL
};
static const char *const common_keys[] = {
	"type", "interval", "timeout", "rise", "fall", "retry", "retry_delay", "warmup",
	"connect_address",
	"connect_port", "bind_address", NULL
};
static const char *const http_keys[] = {
	"path", "host", "status", "digest", "expect", "method", "reuse_connection",
	"regex", "regex_no_match", "regex_min_offset", "regex_max_offset", "http_version", NULL
};
static const char *const https_keys[] = {
	"path", "host", "status", "digest", "expect", "method", "reuse_connection", "verify",
	"ca_file", "sni", "regex", "regex_no_match", "regex_min_offset", "regex_max_offset",
	"http_version", NULL
};
static const char *const smtp_keys[] = { "helo_name", NULL };
static const char *const dns_keys[] = { "query", "qtype", "expect", NULL };
static const char *const udp_keys[] = {
	"payload", "expect", "payload_hex", "reply_hex", "min_reply_length", "max_reply_length",
	"require_reply", NULL
};
static const char *const script_keys[] = { "command", "dynamic_weight", NULL };
static const char *const tcp_keys[] = { "half_open", NULL };
static const char *const file_keys[] = { "path", "weight", "reverse", "dynamic_weight", NULL };
static const char *const no_keys[] = { NULL };
static const char *const *const type_keys[CHECK__COUNT] = {
	[CHECK_TCP] = tcp_keys, [CHECK_HTTP] = http_keys, [CHECK_HTTPS] = https_keys,
	[CHECK_SMTP] = smtp_keys, [CHECK_DNS] = dns_keys, [CHECK_UDP] = udp_keys,
	[CHECK_PING] = no_keys, [CHECK_SCRIPT] = script_keys, [CHECK_FILE] = file_keys,
};
static const char *const qtypes[] = {
	"A", "AAAA", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT", "CAA", "ANY", NULL
};

static bool listed(const char *s, const char *const *names)
{
	for (; *names; names++)
		if (strcmp(s, *names) == 0)
			return true;
	return false;
}

static void check_keys(struct cfx *x, const config_setting_t *g, const char *ctx,
		       enum check_type t)
{
	const char *allowed[48];
	unsigned n = 0;
	for (unsigned i = 0; common_keys[i]; i++)
		allowed[n++] = common_keys[i];
	for (unsigned i = 0; type_keys[t][i]; i++)
		allowed[n++] = type_keys[t][i];
	allowed[n] = NULL;
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		const char *k = config_setting_name(m);
		if (listed(k, allowed))
			continue;
		bool other = false;
		for (unsigned o = 0; o < CHECK__COUNT; o++)
			other |= listed(k, type_keys[o]);
		if (other)
			cfx_err(x, m, ctx, "'%s' does not apply to a %s check", k, check_names[t]);
		else
			cfx_unknown_key(x, m, ctx, allowed);
	}
}

/* One status element: an integer, or a string "CODE" or "LOW-HIGH". */
static bool status_elem(struct cfx *x, const config_setting_t *e, const char *ctx,
			struct conf_status_range *out)
{
	int t = config_setting_type(e);
	long long lo, hi;
	if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
		lo = hi = config_setting_get_int64(e);
	} else if (t == CONFIG_TYPE_STRING) {
		const char *s = config_setting_get_string(e);
		char *end;
		lo = hi = strtoll(s, &end, 10);
		if (end != s && *end == '-')
			hi = strtoll(end + 1, &end, 10);
		if (end == s || *end || !isdigit((unsigned char)end[-1])) {
			cfx_err(x, e, ctx, "status \"%s\": expected CODE or LOW-HIGH", s);
			return false;
		}
	} else {
		cfx_err(x, e, ctx, "status: expected a list of codes or \"LOW-HIGH\" ranges");
		return false;
	}
	if (lo < 100 || hi > 599 || lo > 599 || hi < 100) {
		if (hi != lo)
			cfx_err(x, e, ctx, "status %lld-%lld out of range (100..599)", lo, hi);
		else
			cfx_err(x, e, ctx, "status %lld out of range (100..599)", lo);
		return false;
	}
	if (hi < lo) {
		cfx_err(x, e, ctx, "status %lld-%lld: the range ends before it starts", lo, hi);
		return false;
	}
	*out = (struct conf_status_range){ (int)lo, (int)hi };
	return true;
}

static void http_status(struct cfx *x, const config_setting_t *g, const char *ctx,
			struct check_conf *ck)
{
	const config_setting_t *l = cfx_list(x, g, ctx, "status", true);
	if (!l)
		return;
	ck->n_status = 0;
	for (unsigned i = 0; i < cfx_len(l); i++) {
		const config_setting_t *e = cfx_elem(l, i);
		struct conf_status_range r;
		if (!status_elem(x, e, ctx, &r))
			continue;
		if (ck->n_status == CONF_MAX_STATUS)
			cfx_err(x, e, ctx, "status: more than %d codes or ranges", CONF_MAX_STATUS);
		else
			ck->status[ck->n_status++] = r;
	}
	if (cfx_len(l) == 0)
		cfx_err(x, l, ctx, "status: empty list");
}

/* regex, regex_no_match, regex_min_offset, regex_max_offset. The
 * pattern is compiled here once, so a bad one is a FILE:LINE error; the
 * checker compiles it again for itself (compiled state cannot travel). */
static void http_regex(struct cfx *x, const config_setting_t *g, const char *ctx,
		       struct check_conf *ck)
{
	long long v;
	if (cfx_str(x, g, ctx, "regex", &ck->regex) > 0) {
		regex_t re;
		int rc = regcomp(&re, ck->regex, REG_EXTENDED);
		if (rc) {
			char msg[128];
			regerror(rc, &re, msg, sizeof(msg));
			cfx_err(x, cfx_member(g, "regex"), ctx,
				"regex \"%s\": %s", ck->regex, msg);
		} else {
			regfree(&re);
		}
	}
	cfx_bool(x, g, ctx, "regex_no_match", &ck->regex_no_match);
	if (cfx_int(x, g, ctx, "regex_min_offset", 0, UINT32_MAX, &v) > 0)
		ck->regex_min_offset = (uint32_t)v;
	if (cfx_int(x, g, ctx, "regex_max_offset", 1, UINT32_MAX, &v) > 0)
		ck->regex_max_offset = (uint32_t)v;
	const char *const opt[] = { "regex_no_match", "regex_min_offset", "regex_max_offset" };
	for (unsigned i = 0; i < 3; i++)
		if (!ck->regex && cfx_member(g, opt[i]))
			cfx_err(x, cfx_member(g, opt[i]), ctx,
				"%s: needs a regex", opt[i]);
	if (ck->regex_max_offset && ck->regex_max_offset <= ck->regex_min_offset)
		cfx_err(x, cfx_member(g, "regex_max_offset"), ctx,
			"regex_max_offset %u: not past regex_min_offset %u", ck->regex_max_offset,
			ck->regex_min_offset);
}

static void http_version(struct cfx *x, const config_setting_t *g, const char *ctx,
			 struct check_conf *ck)
{
	static const char *const versions[] = { "1.0", "1.1", NULL };
	int v = 1;
	ck->http_minor = 1;
	if (cfx_enum_as(x, g, ctx, "http_version", "HTTP version", versions, &v) > 0)
		ck->http_minor = (uint8_t)v;
}

static void http_digest(struct cfx *x, const config_setting_t *g, const char *ctx,
			struct check_conf *ck)
{
	if (cfx_str(x, g, ctx, "digest", &ck->digest) <= 0)
		return;
	size_t n = strlen(ck->digest);
	bool hex = n == 32;
	for (size_t i = 0; hex && i < n; i++) {
		hex = isxdigit((unsigned char)ck->digest[i]);
		ck->digest[i] = (char)tolower((unsigned char)ck->digest[i]);
	}
	if (!hex)
		cfx_err(x, cfx_member(g, "digest"), ctx,
			"digest \"%s\": expected 32 hexadecimal digits (an MD5 sum)", ck->digest);
}

static void http_keys_parse(struct cfx *x, const config_setting_t *g, const char *ctx,
			    struct check_conf *ck, bool tls)
{
	ck->path = cfx_strdup(x, "/");
	ck->method = cfx_strdup(x, "GET");
	ck->status[0] = (struct conf_status_range){ 200, 200 };
	ck->n_status = 1;
	if (cfx_str(x, g, ctx, "path", &ck->path) > 0 && ck->path[0] != '/')
		cfx_err(x, cfx_member(g, "path"), ctx,
			"path \"%s\": must start with '/'", ck->path);
	cfx_str(x, g, ctx, "host", &ck->host);
	if (cfx_str(x, g, ctx, "method", &ck->method) > 0) {
		bool ok = strlen(ck->method) <= 16;
		for (const char *p = ck->method; ok && *p; p++)
			ok = *p >= 'A' && *p <= 'Z';
		if (!ok)
			cfx_err(x, cfx_member(g, "method"), ctx,
				"method \"%s\": expected an upper-case HTTP method such as GET or HEAD",
				ck->method);
	}
	http_status(x, g, ctx, ck);
	http_digest(x, g, ctx, ck);
	http_regex(x, g, ctx, ck);
	http_version(x, g, ctx, ck);
	cfx_str(x, g, ctx, "expect", &ck->expect);
	cfx_bool(x, g, ctx, "reuse_connection", &ck->reuse_connection);
	if (!tls)
		return;
	cfx_bool(x, g, ctx, "verify", &ck->verify);
	cfx_str(x, g, ctx, "ca_file", &ck->ca_file);
	cfx_str(x, g, ctx, "sni", &ck->sni);
}

static void dns_keys_parse(struct cfx *x, const config_setting_t *g, const char *ctx,
			   struct check_conf *ck)
{
	ck->qtype = cfx_strdup(x, "A");
	if (cfx_require(x, g, ctx, "query"))
		cfx_str(x, g, ctx, "query", &ck->query);
	if (cfx_str(x, g, ctx, "qtype", &ck->qtype) > 0) {
		for (char *p = ck->qtype; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		if (!listed(ck->qtype, qtypes))
			cfx_err(x, cfx_member(g, "qtype"), ctx,
				"unknown qtype \"%s\" (expected A, AAAA, CNAME, MX, NS, PTR, SOA, SRV, TXT, CAA or ANY)",
				config_setting_get_string(cfx_member(g, "qtype")));
	}
	const config_setting_t *l = cfx_list(x, g, ctx, "expect", true);
	for (unsigned i = 0; l && i < cfx_len(l); i++) {
		const config_setting_t *e = cfx_elem(l, i);
		const char *s = config_setting_get_string(e);
		if (!s)
			cfx_err(x, e, ctx, "expect: expected a list of addresses");
		else if (ck->n_dns_expect == CONF_MAX_DNS_EXPECT)
			cfx_err(x, e, ctx, "expect: more than %d addresses", CONF_MAX_DNS_EXPECT);
		else if (vaddr_parse(s, &ck->dns_expect[ck->n_dns_expect]) < 0)
			cfx_err(x, e, ctx, "expect %s: not an IP address", s);
		else
			ck->n_dns_expect++;
		if (!s)
			break;
	}
}

/* A hex key: decodes it once to report a bad digit with its place. */
static void udp_hex(struct cfx *x, const config_setting_t *g, const char *ctx, const char *key,
		    bool wildcards, char **out)
{
	if (cfx_str(x, g, ctx, key, out) <= 0)
		return;
	size_t bad = 0;
	long n = hexbytes_parse(*out, wildcards, NULL, NULL, CONF_MAX_UDP_HEX, &bad);
	const config_setting_t *m = cfx_member(g, key);
	if (n == -E2BIG)
		cfx_err(x, m, ctx, "%s: more than %d bytes", key, CONF_MAX_UDP_HEX);
	else if (n < 0)
		cfx_err(x, m, ctx, "%s \"%s\": expected pairs of hexadecimal digits%s (at offset %zu)",
			key, *out, wildcards ? " or x" : "", bad);
	else if (n == 0)
		cfx_err(x, m, ctx, "%s: no bytes", key);
}

static void udp_keys_parse(struct cfx *x, const config_setting_t *g, const char *ctx,
			   struct check_conf *ck)
{
	long long v;
	cfx_str(x, g, ctx, "payload", &ck->payload);
	cfx_str(x, g, ctx, "expect", &ck->expect);
	udp_hex(x, g, ctx, "payload_hex", false, &ck->payload_hex);
	udp_hex(x, g, ctx, "reply_hex", true, &ck->reply_hex);
	if (ck->payload && ck->payload_hex)
		cfx_err(x, cfx_member(g, "payload_hex"), ctx,
			"payload and payload_hex are mutually exclusive");
	if (cfx_int(x, g, ctx, "min_reply_length", 0, 65535, &v) > 0)
		ck->min_reply_length = (uint32_t)v;
	if (cfx_int(x, g, ctx, "max_reply_length", 1, 65535, &v) > 0)
		ck->max_reply_length = (uint32_t)v;
	if (ck->max_reply_length && ck->max_reply_length < ck->min_reply_length)
		cfx_err(x, cfx_member(g, "max_reply_length"), ctx,
			"max_reply_length %u: less than min_reply_length %u", ck->max_reply_length,
			ck->min_reply_length);
	cfx_bool(x, g, ctx, "require_reply", &ck->require_reply);
}

/* keepalived's FILE_CHECK: the file's number times weight. */
static void file_keys_parse(struct cfx *x, const config_setting_t *g, const char *ctx,
			    struct check_conf *ck)
{
	long long v;
	ck->file_weight = 1;
	if (cfx_require(x, g, ctx, "path") && cfx_str(x, g, ctx, "path", &ck->path) > 0
	    && ck->path[0] != '/')
		cfx_err(x, cfx_member(g, "path"), ctx,
			"path \"%s\": must be an absolute path", ck->path);
	if (cfx_int(x, g, ctx, "weight", -65535, 65535, &v) > 0)
		ck->file_weight = (int)v;
	cfx_bool(x, g, ctx, "reverse", &ck->file_reverse);
	cfx_bool(x, g, ctx, "dynamic_weight", &ck->dynamic_weight);
	if (ck->dynamic_weight && !ck->file_weight)
		cfx_err(x, cfx_member(g, "dynamic_weight"), ctx,
			"dynamic_weight: weight 0 makes the file an on/off switch, with no weight to add");
}

static void type_keys_parse(struct cfx *x, const config_setting_t *g, const char *ctx,
			    struct check_conf *ck)
{
	switch (ck->type) {
	case CHECK_HTTP:
	case CHECK_HTTPS:
		http_keys_parse(x, g, ctx, ck, ck->type == CHECK_HTTPS);
		break;
	case CHECK_SMTP:
		ck->helo_name = cfx_strdup(x, x->c->global.router_id);
		cfx_str(x, g, ctx, "helo_name", &ck->helo_name);
		break;
	case CHECK_DNS:
		dns_keys_parse(x, g, ctx, ck);
		break;
	case CHECK_UDP:
		udp_keys_parse(x, g, ctx, ck);
		break;
	case CHECK_SCRIPT:
		if (cfx_require(x, g, ctx, "command") && cfx_str(x, g, ctx, "command", &ck->command) > 0)
			cfx_command(x, g, ctx, "command", ck->command);
		cfx_bool(x, g, ctx, "dynamic_weight", &ck->dynamic_weight);
		break;
	case CHECK_TCP:
		cfx_bool(x, g, ctx, "half_open", &ck->half_open);
		break;
	case CHECK_FILE:
		file_keys_parse(x, g, ctx, ck);
		break;
	case CHECK_PING:
	case CHECK__COUNT:
		break;
	}
}

/* Where the check goes: port and address families. */
static void check_target(struct cfx *x, const config_setting_t *g, const char *ctx,
			 const struct rs_conf *rs, struct check_conf *ck)
{
	long long v;
	cfx_addr(x, g, ctx, "connect_address", &ck->connect_addr);
	if (cfx_int(x, g, ctx, "connect_port", 1, 65535, &v) > 0)
		ck->connect_port = (uint16_t)v;
	int af = vaddr_is_set(&ck->connect_addr) ? ck->connect_addr.family : rs->addr.family;
	if (cfx_addr(x, g, ctx, "bind_address", &ck->bind_addr) > 0 && af
	    && ck->bind_addr.family != af)
		cfx_err(x, cfx_member(g, "bind_address"), ctx,
			"bind_address: address family differs from the address probed");
	bool needs_port = ck->type != CHECK_PING && ck->type != CHECK_SCRIPT
		&& ck->type != CHECK_FILE;
	if (needs_port && !ck->connect_port && !rs->port)
		cfx_err(x, g, ctx, "no port to probe: set connect_port (the real server has none)");
}

/* retry, retry_delay (keepalived's retry and delay_before_retry) and
 * warmup (keepalived's: a random delay before the first run). */
static void check_retry(struct cfx *x, const config_setting_t *g, const char *ctx,
			struct check_conf *ck)
{
	long long v;
	ck->retry_delay = 1.0;
	if (cfx_int(x, g, ctx, "retry", 0, 1000, &v) > 0)
		ck->retry = (unsigned)v;
	if (cfx_num(x, g, ctx, "retry_delay", true, &ck->retry_delay) > 0 && !ck->retry)
		cfx_err(x, cfx_member(g, "retry_delay"), ctx,
			"retry_delay: needs retry (how many times a failed check is retried)");
	if (cfx_num(x, g, ctx, "warmup", true, &ck->warmup) > 0)
		ck->has_warmup = true;
}

static void check_parse(struct cfx *x, const config_setting_t *g, const char *rctx,
			const struct vs_conf *vs, const struct rs_conf *rs,
			struct check_conf *ck, unsigned idx)
{
	char ctx[CFX_CTX_LEN];
	long long v;
	int type = -1;
	cfx_ctx(ctx, "%s: check #%u", rctx, idx + 1);
	ck->line = (int)config_setting_source_line(g);
	if (!cfx_require(x, g, ctx, "type") || cfx_enum_as(x, g, ctx, "type", "check type", check_names, &type) < 0)
		return;
	ck->type = (enum check_type)type;
	ck->base_weight = rs->weight;
	cfx_ctx(ctx, "%s: %s check", rctx, check_names[type]);
	check_keys(x, g, ctx, ck->type);
	ck->interval = vs->check_interval;
	ck->rise = ck->fall = 1;
	cfx_num(x, g, ctx, "interval", false, &ck->interval);
	ck->timeout = ck->type == CHECK_SCRIPT ? ck->interval : 3.0;
	cfx_num(x, g, ctx, "timeout", false, &ck->timeout);
	if (cfx_int(x, g, ctx, "rise", 1, INT_MAX, &v) > 0)
		ck->rise = (unsigned)v;
	if (cfx_int(x, g, ctx, "fall", 1, INT_MAX, &v) > 0)
		ck->fall = (unsigned)v;
	check_retry(x, g, ctx, ck);
	check_target(x, g, ctx, rs, ck);
	type_keys_parse(x, g, ctx, ck);
}

void cfx_checks(struct cfx *x, const config_setting_t *list, const char *ctx,
		const struct vs_conf *vs, struct rs_conf *rs)
{
	unsigned n = cfx_len(list);
	rs->checks = cfx_calloc(x, n, sizeof(*rs->checks));
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, i);
		struct check_conf *ck = &rs->checks[rs->n_checks++];
		if (!config_setting_is_group(e))
			cfx_err(x, e, ctx, "checks: element %u: expected a group { ... }", i + 1);
		else
			check_parse(x, e, ctx, vs, rs, ck, i);
	}
}

void cfx_check_free(struct check_conf *ck)
{
	free(ck->path);
	free(ck->host);
	free(ck->method);
	free(ck->digest);
	free(ck->regex);
	free(ck->expect);
	free(ck->ca_file);
	free(ck->sni);
	free(ck->helo_name);
	free(ck->query);
	free(ck->qtype);
	free(ck->payload);
	free(ck->payload_hex);
	free(ck->reply_hex);
	free(ck->command);
}
