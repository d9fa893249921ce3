/*
 * text: a small line format for IPVS tables, the mirror of the dry-run
 * output, for tests and test tools that want a table without a vigil.conf:
 *
 *   # comment
 *   service tcp 192.0.2.10:80 wlc persistent 300 netmask 255.255.255.0
 *   service udp [2001:db8::10]:53 rr ops
 *   service fwmark 7 inet6 sh sh-port sh-fallback
 *     dest 198.51.100.11:80 weight 3 nat uthreshold 100 lthreshold 10
 *     dest 198.51.100.12:80 weight 1 tun tun-type gue tun-port 6080
 *
 * A dest line belongs to the service above it. Errors name the line.
 */
#include "ipvs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <linux/ip_vs.h>

#define MAX_TOK 24

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = s ? strtoul(s, &end, 0) : 0;
	if (!s || errno || end == s || *end || v > 0xffffffffUL)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int svc_key(char **t, int n, int *i, struct ipvs_svc_key *k)
{
	uint32_t mark;
	if (n > 2 && strcmp(t[1], "fwmark") == 0) {
		uint16_t af = AF_INET;
		if (parse_u32(t[2], &mark) < 0)
			return -EINVAL;
		*i = 3;
		if (n > 3 && strcmp(t[3], "inet6") == 0) {
			af = AF_INET6;
			*i = 4;
		}
		return ipvs_svc_key_fwmark(k, af, mark);
	}
	if (n < 3)
		return -EINVAL;
	uint16_t proto = strcmp(t[1], "tcp") == 0 ? IPPROTO_TCP :
			 strcmp(t[1], "udp") == 0 ? IPPROTO_UDP :
			 strcmp(t[1], "sctp") == 0 ? IPPROTO_SCTP : 0;
	struct vaddr a;
	uint16_t port;
	if (vaddr_port_parse(t[2], &a, &port) < 0)
		return -EINVAL;
	*i = 3;
	return ipvs_svc_key_inet(k, proto, &a, port);
}

static int svc_opt(char **t, int n, int *i, struct ipvs_service *s)
{
	const char *w = t[*i];
	static const struct { const char *name; uint32_t flag; } flags[] = {
		{ "ops", IP_VS_SVC_F_ONEPACKET },
		{ "sh-fallback", IP_VS_SVC_F_SCHED1 }, { "mh-fallback", IP_VS_SVC_F_SCHED1 },
		{ "sh-port", IP_VS_SVC_F_SCHED2 }, { "mh-port", IP_VS_SVC_F_SCHED2 },
		{ "flag-1", IP_VS_SVC_F_SCHED1 }, { "flag-2", IP_VS_SVC_F_SCHED2 },
		{ "flag-3", IP_VS_SVC_F_SCHED3 },
	};
	for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
		if (strcmp(w, flags[f].name) == 0) {
			s->flags |= flags[f].flag;
			return 0;
		}
	const char *v = *i + 1 < n ? t[++*i] : NULL;
	if (strcmp(w, "persistent") == 0) {
		s->flags |= IP_VS_SVC_F_PERSISTENT;
		return parse_u32(v, &s->timeout);
	}
	if (strcmp(w, "netmask") == 0) {
		struct in_addr m;
		if (!v || inet_pton(AF_INET, v, &m) != 1)
			return -EINVAL;
		s->netmask = m.s_addr;
		return 0;
	}
	if (strcmp(w, "prefix") == 0)
		return parse_u32(v, &s->netmask);
	return -EINVAL;
}

static int parse_service(char **t, int n, struct ipvs_table *out, struct ipvs_table_svc **cur)
{
	struct ipvs_svc_key k;
	struct ipvs_service s;
	int i;
	if (svc_key(t, n, &i, &k) < 0 || i >= n)
		return -EINVAL;
	ipvs_service_defaults(&s, &k);
	snprintf(s.sched, sizeof(s.sched), "%s", t[i++]);
	for (; i < n; i++)
		if (svc_opt(t, n, &i, &s) < 0)
			return -EINVAL;
	*cur = ipvs_table_add_svc(out, &s);
	return *cur ? 0 : -ENOMEM;
}

static int dest_opt(char **t, int n, int *i, struct ipvs_dest *d)
{
	const char *w = t[*i];
	uint32_t v;
	if (strcmp(w, "nat") == 0 || strcmp(w, "dr") == 0 || strcmp(w, "tun") == 0) {
		d->fwd = w[0] == 'n' ? IP_VS_CONN_F_MASQ :
			 w[0] == 'd' ? IP_VS_CONN_F_DROUTE : IP_VS_CONN_F_TUNNEL;
		return 0;
	}
	const char *arg = *i + 1 < n ? t[++*i] : NULL;
	if (strcmp(w, "tun-type") == 0 && arg) {
		d->tun_type = strcmp(arg, "gue") == 0 ? IP_VS_CONN_F_TUNNEL_TYPE_GUE :
			      strcmp(arg, "gre") == 0 ? IP_VS_CONN_F_TUNNEL_TYPE_GRE :
			      IP_VS_CONN_F_TUNNEL_TYPE_IPIP;
		return 0;
	}
	if (parse_u32(arg, &v) < 0)
		return -EINVAL;
	if (strcmp(w, "weight") == 0)
		d->weight = (int32_t)v;
	else if (strcmp(w, "uthreshold") == 0)
		d->u_thresh = v;
	else if (strcmp(w, "lthreshold") == 0)
		d->l_thresh = v;
	else if (strcmp(w, "tun-port") == 0 && v <= 65535)
		d->tun_port = (uint16_t)v;
	else if (strcmp(w, "tun-flags") == 0 && v <= 65535)
		d->tun_flags = (uint16_t)v;
	else
		return -EINVAL;
	return 0;
}

static int parse_dest(char **t, int n, struct ipvs_table_svc *cur)
{
	struct ipvs_dest d;
	memset(&d, 0, sizeof(d));
	d.weight = 1;
	if (!cur || n < 2 || vaddr_port_parse(t[1], &d.addr, &d.port) < 0)
		return -EINVAL;
	for (int i = 2; i < n; i++)
		if (dest_opt(t, n, &i, &d) < 0)
			return -EINVAL;
	if (ipvs_table_find_dest(cur, &d.addr, d.port))
		return -EEXIST;
	return ipvs_table_add_dest(cur, &d);
}

static int parse_line(char *line, struct ipvs_table *out, struct ipvs_table_svc **cur)
{
	char *t[MAX_TOK], *save = NULL;
	int n = 0;
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	for (char *w = strtok_r(line, " \t\r", &save); w && n < MAX_TOK;
	     w = strtok_r(NULL, " \t\r", &save))
		t[n++] = w;
	if (n == 0)
		return 0;
	if (strcmp(t[0], "service") == 0)
		return parse_service(t, n, out, cur);
	if (strcmp(t[0], "dest") == 0)
		return parse_dest(t, n, *cur);
	return -EINVAL;
}

int ipvs_table_parse(const char *text, struct ipvs_table *out, struct errbuf *eb)
{
	char *copy = strdup(text), *save = NULL;
	struct ipvs_table_svc *cur = NULL;
	int lineno = 0, err = 0;
	if (!copy)
		return errbuf_set(eb, ENOMEM, "out of memory");
	for (char *p = copy; p && !err; p = save) {
		save = strchr(p, '\n');
		if (save)
			*save++ = '\0';
		lineno++;
		err = parse_line(p, out, &cur);
	}
	free(copy);
	if (err == -ENOMEM)
		return errbuf_set(eb, err, "out of memory");
	if (err)
		return errbuf_set(eb, EINVAL, "line %d: %s", lineno,
				  err == -EEXIST ? "destination listed twice" : "syntax error");
	return 0;
}
