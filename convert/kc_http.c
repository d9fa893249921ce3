/*
 * kc_http: the keys of an HTTP_GET/SSL_GET url, and http_protocol.
 *
 *   status_code 200-299 301     -> status = [ "200-299", "301" ]
 *     (default 200-299)            (numbers when no entry is a range)
 *   regex, regex_no_match,      -> the same keys, when the pattern is a
 *   regex_min/max_offset           POSIX extended expression (keepalived
 *                                  uses PCRE2: PCRE-only syntax is reported)
 *   http_protocol 1.0, 1.0C     -> http_version = "1.0" (also written when
 *     (default 1.0), 1.1           absent: vigil's default is 1.1)
 */
#include "kc_conv_int.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STATUS 16

/* status_code words into an array: numbers, or all strings ("200-299",
 * "301") when one is a range; false (reported) past vigil's 16 entries. */
static bool status_codes(struct kc_cx *x, const struct kc_node *n, struct kc_val *arr)
{
	long lo[MAX_STATUS], hi[MAX_STATUS];
	unsigned k = 0;
	bool ranges = false;
	for (unsigned i = 1; i < n->n; i++) {
		char *end;
		long l = strtol(n->w[i], &end, 10), h = l;
		if (*end == '-')
			h = strtol(end + 1, &end, 10);
		if (*end || l < 100 || h > 599 || h < l) {
			kc_skip(x->d, n->src, "status_code %s: expected CODE or LOW-HIGH", n->w[i]);
			return false;
		}
		if (k == MAX_STATUS) {
			kc_skip(x->d, n->src, "status_code: more than %d codes and ranges, vigil's "
				"limit (the url is not checked)", MAX_STATUS);
			return false;
		}
		ranges |= h != l;
		lo[k] = l, hi[k++] = h;
	}
	for (unsigned i = 0; i < k; i++) {
		char b[16];
		snprintf(b, sizeof(b), hi[i] != lo[i] ? "%ld-%ld" : "%ld", lo[i], hi[i]);
		if (ranges)
			kv_str(arr, NULL, b);
		else
			kv_int(arr, NULL, lo[i]);
	}
	return true;
}

/* keepalived matches with PCRE2, vigil with POSIX extended expressions:
 * the pattern is kept when it uses nothing PCRE-only and compiles. */
static bool posix_regex(const char *re)
{
	regex_t c;
	if (regcomp(&c, re, REG_EXTENDED | REG_NOSUB))
		return false;
	regfree(&c);
	static const char *const pcre_only[] = {
		"\\d", "\\D", "\\h", "\\H", "\\A", "\\z", "\\Z", "\\Q", "\\K", "\\R",
		"(?", "*?", "+?", "??", "}?", "*+", "++", "?+", NULL
	};
	for (unsigned i = 0; pcre_only[i]; i++)
		if (strstr(re, pcre_only[i]))
			return false;
	return true;
}

/* regex, regex_no_match, regex_min_offset, regex_max_offset of a url. */
static void http_regex(struct kc_cx *x, const struct kc_node *k, struct kc_val *v)
{
	const char *key = k->w[0];
	long off;
	if (!strcmp(key, "regex") && k->n > 1) {
		if (posix_regex(k->w[1]))
			kv_str(v, "regex", k->w[1]);
		else
			kc_skip(x->d, k->src, "regex \"%s\": not a POSIX extended expression, "
				"or PCRE syntax one does not have", k->w[1]);
	} else if (!strcmp(key, "regex_no_match")) {
		kv_bool(v, "regex_no_match", true);
	} else if (!strcmp(key, "regex_min_offset") || !strcmp(key, "regex_max_offset")) {
		if (kc_int(x, k, 1, 0, 4294967295L, &off))
			kv_int(v, key, off);
	} else {
		kc_skip(x->d, k->src, "%s: vigil's regex takes no such option", key);
	}
}

/* The url's keys into v; false when it cannot be checked as keepalived did. */
bool kc_http_url(struct kc_cx *x, const struct kc_node *u, const char *vhost, struct kc_val *v)
{
	struct kc_val *st = kv_new(KV_ARRAY, "status");
	bool ok = true, given = false;
	for (unsigned i = 0; i < u->n_kids; i++) {
		const struct kc_node *k = &u->kids[i];
		if (!strcmp(k->w[0], "path") && k->n > 1)
			kv_str(v, "path", k->w[1]);
		else if (!strcmp(k->w[0], "digest") && k->n > 1)
			kv_str(v, "digest", k->w[1]);
		else if (!strcmp(k->w[0], "virtualhost") && k->n > 1)
			kv_str(v, "host", k->w[1]);
		else if (!strcmp(k->w[0], "status_code"))
			ok &= status_codes(x, k, st), given = true;
		else if (!strncmp(k->w[0], "regex", 5))
			http_regex(x, k, v);
		else
			kc_skip(x->d, k->src, "'%s': no vigil equivalent here", k->w[0]);
	}
	if (!kv_get(v, "host") && vhost)
		kv_str(v, "host", vhost);
	if (!given) {
		kv_comment(st, "keepalived's default: 200-299");
		status_codes(x, &(struct kc_node){ .w = (char *[]){ "status_code", "200-299" }, .n = 2 }, st);
	}
	if (ok)
		kv_attach(v, st);
	else
		kv_free(st);
	return ok;
}

/* http_protocol: 1.0 (keepalived's default) and 1.0C (1.0 with
 * "Connection: close", which vigil always sends) are HTTP/1.0; 1.1 is
 * vigil's default. */
void kc_http_protocol(struct kc_cx *x, const struct kc_node *n, struct kc_val *v)
{
	const char *p = n && n->n > 1 ? n->w[1] : "";
	if (!n) {
		kv_str(v, "http_version", "1.0");
		kv_comment(kv_get(v, "http_version"), "keepalived's default");
	} else if (!strcmp(p, "1.0") || !strcmp(p, "1.0C") || !strcmp(p, "1.0c"))
		kv_str(v, "http_version", "1.0");
	else if (strcmp(p, "1.1") && kc_once(x, n))
		kc_skip(x->d, n->src, "http_protocol %s: vigil sends HTTP/1.0 or HTTP/1.1 "
			"(with Connection: close or keep-alive)", p);
}

