/*
 * vigilctl: the operator's client of vigild's control socket. Builds one
 * JSON request, sends it as a line, reads one JSON reply line, prints it
 * (as a table, or raw with --json). Exit: 0 ok, 1 refused/unknown object,
 * 2 usage, 3 no daemon at the socket.
 */
#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl_nodes.h"
#include "version.h"

#define DEFAULT_SOCKET "/run/vigil/vigil.sock"
#define REPLY_TIMEOUT_MS 30000
#define REPLY_MAX (256 << 20)   /* status of tens of thousands of real servers */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vigilctl [-s SOCKET] status [--json | --stats | --rate]\n"
		"       vigilctl [-s SOCKET] reload [--dry-run]\n"
		"       vigilctl [-s SOCKET] drain   VS RS\n"
		"       vigilctl [-s SOCKET] undrain VS RS\n"
		"       vigilctl [-s SOCKET] weight  VS RS N\n"
		"       vigilctl [-s SOCKET] add     VS RS [weight N] [forwarding nat|dr|tun]\n"
		"                                    [check TYPE [KEY VALUE]...]...\n"
		"       vigilctl [-s SOCKET] remove  VS RS [--graceful [--timeout S]]\n"
		"       vigilctl [-s SOCKET] vrrp    [INSTANCE] [--json]\n"
		"VS is a virtual server's name, ADDR:PORT[/proto] or fwmark:N; RS is ADDR:PORT.\n");
}

static int connect_socket(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "vigilctl: socket path too long\n");
		return -1;
	}
	strcpy(sun.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "vigilctl: no daemon at %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

void *must(void *p)
{
	if (!p) {
		fprintf(stderr, "vigilctl: out of memory\n");
		exit(1);
	}
	return p;
}

struct json_object *ctl_roundtrip(int fd, struct json_object *req)
{
	const char *txt = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	if (!txt)
		must(NULL);
	size_t len = strlen(txt);
	char *line = must(malloc(len + 2));
	memcpy(line, txt, len);
	line[len] = '\n';
	ssize_t w = send(fd, line, len + 1, MSG_NOSIGNAL);
	free(line);
	if (w != (ssize_t)len + 1) {
		fprintf(stderr, "vigilctl: send: %s\n", strerror(errno));
		return NULL;
	}
	size_t cap = 65536, used = 0;
	char *buf = must(malloc(cap));
	while (used < REPLY_MAX - 1) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, REPLY_TIMEOUT_MS) <= 0) {
			fprintf(stderr, "vigilctl: no reply from the daemon\n");
			break;
		}
		if (cap - used < 65536) {
			buf = must(realloc(buf, cap * 2));
			cap *= 2;
		}
		ssize_t n = read(fd, buf + used, cap - 1 - used);
		if (n <= 0)
			break;
		used += (size_t)n;
		if (memchr(buf + used - n, '\n', (size_t)n))
			break;
	}
	buf[used] = '\0';
	struct json_object *reply = used ? json_tokener_parse(buf) : NULL;
	if (!reply && used)
		fprintf(stderr, "vigilctl: unreadable reply\n");
	free(buf);
	return reply;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return "-";
	return json_object_get_string(v);
}

/* One line per real server: state, reason and latency of the last result,
 * consecutive passes/failures, age of the last transition. */
/* One block per virtual server, one line per real server: health, the
 * weight vigild wants and the kernel's, and the kernel's connections. */
static void print_servers(struct json_object *r)
{
	struct json_object *vss, *rss, *h, *v;
	if (!json_object_object_get_ex(r, "virtual_servers", &vss))
		return;
	time_t now = time(NULL);
	for (size_t i = 0; i < json_object_array_length(vss); i++) {
		struct json_object *vs = json_object_array_get_idx(vss, i);
		printf("\nVIRTUAL SERVER %s  %s  %s%s\n", jstr(vs, "name"), jstr(vs, "service"),
		       jstr(vs, "scheduler"),
		       json_object_object_get_ex(vs, "in_kernel", &v) && json_object_get_boolean(v)
		       ? "" : "  (not in the kernel)");
		printf("  %-24s %-8s %6s %6s %7s %7s %9s %9s %-10s %s\n", "REAL SERVER", "HEALTH",
		       "WANT", "KERNEL", "ACTIVE", "INACT", "LATENCY", "PASS/FAIL", "SINCE", "LAST RESULT");
		if (!json_object_object_get_ex(vs, "real_servers", &rss))
			continue;
		for (size_t j = 0; j < json_object_array_length(rss); j++) {
			struct json_object *rs = json_object_array_get_idx(rss, j);
			if (!json_object_object_get_ex(rs, "health", &h) || !h)
				h = rs;
			char since[32] = "-", pf[24], lat[16] = "-";
			if (json_object_object_get_ex(h, "since", &v) && v)
				snprintf(since, sizeof(since), "%llds ago",
					 (long long)(now - (time_t)json_object_get_double(v)));
			if (json_object_object_get_ex(h, "latency_us", &v) && v)
				snprintf(lat, sizeof(lat), "%.1fms", json_object_get_int64(v) / 1000.0);
			snprintf(pf, sizeof(pf), "%s/%s", jstr(h, "passes"), jstr(h, "failures"));
			const char *ov = jstr(rs, "override");
			char ovs[48] = "";
			if (strcmp(ov, "-"))
				snprintf(ovs, sizeof(ovs), "  [operator: %s]", ov);
			if (!strcmp(jstr(rs, "origin"), "runtime"))
				snprintf(ovs + strlen(ovs), sizeof(ovs) - strlen(ovs), "  [added]");
			printf("  %-24s %-8s %6s %6s %7s %7s %9s %9s %-10s %s%s\n", jstr(rs, "address"),
			       jstr(h, "state"), jstr(rs, "weight_wanted"), jstr(rs, "weight_kernel"),
			       jstr(rs, "active_conns"), jstr(rs, "inactive_conns"), lat, pf, since,
			       jstr(h, "reason"), ovs);
		}
	}
}

/* One line per announced virtual address: state, why, since when. */
static void print_announce(struct json_object *r)
{
	struct json_object *an, *addrs, *v;
	if (!json_object_object_get_ex(r, "announce", &an) ||
	    !json_object_object_get_ex(an, "addresses", &addrs))
		return;
	printf("\nANNOUNCE via %s (table %s, protocol %s)%s%s\n", jstr(an, "interface"),
	       jstr(an, "table"), jstr(an, "protocol"), strcmp(jstr(an, "error"), "-") ? ": " : "",
	       strcmp(jstr(an, "error"), "-") ? jstr(an, "error") : "");
	printf("  %-40s %-10s %-12s %-10s %s\n", "ADDRESS", "STATE", "REASON", "SINCE", "DETAIL");
	time_t now = time(NULL);
	for (size_t i = 0; i < json_object_array_length(addrs); i++) {
		struct json_object *a = json_object_array_get_idx(addrs, i);
		char since[32] = "-";
		if (json_object_object_get_ex(a, "since", &v) && v)
			snprintf(since, sizeof(since), "%llds ago",
				 (long long)(now - (time_t)json_object_get_double(v)));
		bool on = json_object_object_get_ex(a, "announced", &v) && json_object_get_boolean(v);
		printf("  %-40s %-10s %-12s %-10s %s\n", jstr(a, "address"),
		       on ? "announced" : "withdrawn", jstr(a, "reason"), since, jstr(a, "detail"));
	}
}

static void print_status(struct json_object *r)
{
	printf("vigild %s, config %s (generation %s)\n", jstr(r, "version"), jstr(r, "config"),
	       jstr(r, "generation"));
	printf("%-10s %8s %-11s %10s %8s %10s\n", "PROCESS", "PID", "STATE", "UPTIME", "RESTARTS",
	       "HEARTBEAT");
	struct json_object *procs;
	if (!json_object_object_get_ex(r, "processes", &procs))
		return;
	for (size_t i = 0; i < json_object_array_length(procs); i++) {
		struct json_object *p = json_object_array_get_idx(procs, i), *hb;
		char hbs[32] = "-";
		if (json_object_object_get_ex(p, "heartbeat_age", &hb) && hb)
			snprintf(hbs, sizeof(hbs), "%.1fs ago", json_object_get_double(hb));
		struct json_object *up;
		json_object_object_get_ex(p, "uptime", &up);
		printf("%-10s %8s %-11s %9.0fs %8s %10s\n", jstr(p, "name"), jstr(p, "pid"),
		       jstr(p, "state"), json_object_get_double(up), jstr(p, "restarts"), hbs);
		const char *re = jstr(p, "reload_error");
		if (strcmp(re, "-"))
			printf("  last reload failed: %s\n", re);
	}
	struct json_object *ipvs, *ct, *v;
	if (json_object_object_get_ex(r, "ipvs", &ipvs) &&
	    json_object_object_get_ex(ipvs, "conn_table", &ct)) {
		bool over = json_object_object_get_ex(ct, "outgrown", &v) && json_object_get_boolean(v);
		printf("\nIPVS connection table: %s active, %s inactive, %s templates; ",
		       jstr(ct, "active"), jstr(ct, "inactive"), jstr(ct, "templates"));
		if (json_object_object_get_ex(ct, "size", &v) && v)
			printf("%s buckets (%.1f per bucket)", jstr(ct, "size"),
			       json_object_get_double(json_object_object_get(ct, "per_bucket")));
		else
			printf("size unknown");
		if (over)
			printf(" -- outgrown: load ip_vs with conn_tab_bits=%s",
			       jstr(ct, "suggested_bits"));
		printf("\n");
	}
	print_servers(r);
	print_announce(r);
}

/* `status --stats` / `--rate`: the kernel's traffic counters or rates of
 * every virtual server and real server, laid out like `ipvsadm -L -n
 * --stats` / `--rate` (exact numbers, no K/M rounding). */
static void print_traffic(struct json_object *r, bool rate)
{
	static const char *const cnt[] = { "conns", "inpkts", "outpkts", "inbytes", "outbytes" };
	static const char *const rt[] = { "cps", "inpps", "outpps", "inbps", "outbps" };
	const char *const *k = rate ? rt : cnt;
	struct json_object *vss, *rss, *st;
	printf("%-34s %10s %10s %10s %12s %12s\n  -> %-29s\n", "Prot LocalAddress:Port",
	       rate ? "CPS" : "Conns", rate ? "InPPS" : "InPkts", rate ? "OutPPS" : "OutPkts",
	       rate ? "InBPS" : "InBytes", rate ? "OutBPS" : "OutBytes", "RemoteAddress:Port");
	if (!json_object_object_get_ex(r, "virtual_servers", &vss))
		return;
	for (size_t i = 0; i < json_object_array_length(vss); i++) {
		struct json_object *vs = json_object_array_get_idx(vss, i);
		char name[160];
		snprintf(name, sizeof(name), "%s", jstr(vs, "service"));
		for (char *c = name; *c && *c != ' '; c++)
			*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
		json_object_object_get_ex(vs, "stats", &st);
		printf("%-34s %10s %10s %10s %12s %12s", name, jstr(st, k[0]), jstr(st, k[1]),
		       jstr(st, k[2]), jstr(st, k[3]), jstr(st, k[4]));
		printf(strcmp(jstr(vs, "name"), "-") ? "  (%s)\n" : "%s\n",
		       strcmp(jstr(vs, "name"), "-") ? jstr(vs, "name") : "");
		if (!json_object_object_get_ex(vs, "real_servers", &rss))
			continue;
		for (size_t j = 0; j < json_object_array_length(rss); j++) {
			struct json_object *rs = json_object_array_get_idx(rss, j);
			json_object_object_get_ex(rs, "stats", &st);
			printf("  -> %-29s %10s %10s %10s %12s %12s\n", jstr(rs, "address"),
			       jstr(st, k[0]), jstr(st, k[1]), jstr(st, k[2]), jstr(st, k[3]),
			       jstr(st, k[4]));
		}
	}
}

/* "ttl=2 checksum=1" from a reason -> count object; "-" when empty. */
static void reasons_str(struct json_object *o, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	json_object_object_foreach(o, k, v) {
		int n = snprintf(buf + off, len - off, "%s%s=%s", off ? " " : "", k,
				 json_object_get_string(v));
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
	if (!off)
		snprintf(buf, len, "-");
}

/* One line per instance, then sync groups and per-interface rejects. */
static void print_vrrp(struct json_object *r)
{
	struct json_object *a, *o, *v;
	printf("%-12s %-8s %4s %2s %-7s %-8s %-26s %8s %8s %8s  %s\n", "INSTANCE", "IFACE",
	       "VRID", "V", "STATE", "PRIO", "MASTER", "DOWN-IN", "SENT", "RECV", "REJECTED");
	if (json_object_object_get_ex(r, "instances", &a))
		for (size_t i = 0; i < json_object_array_length(a); i++) {
			o = json_object_array_get_idx(a, i);
			char prio[16] = "-", master[64] = "-", down[16] = "-", rej[256] = "-";
			struct json_object *p, *adv = NULL;
			if (json_object_object_get_ex(o, "priority", &p))
				snprintf(prio, sizeof(prio), "%s/%s", jstr(p, "effective"), jstr(p, "base"));
			if (json_object_object_get_ex(o, "master", &v) && v)
				snprintf(master, sizeof(master), "%s%s (%s)", jstr(v, "address"),
					 json_object_get_boolean(json_object_object_get(v, "self"))
					 ? "*" : "", jstr(v, "priority"));
			if (json_object_object_get_ex(o, "master_down_timer", &v) && v)
				snprintf(down, sizeof(down), "%.2fs", json_object_get_double(v));
			if (json_object_object_get_ex(o, "rejected", &v) && v)
				reasons_str(v, rej, sizeof(rej));
			json_object_object_get_ex(o, "adverts", &adv);
			/* a virtual MAC shows as ip(8) names it: vrrp.51@eth0 */
			char ifc[64];
			if (json_object_object_get_ex(o, "vmac", &v) && v)
				snprintf(ifc, sizeof(ifc), "%s@%s", json_object_get_string(v),
					 jstr(o, "interface"));
			else
				snprintf(ifc, sizeof(ifc), "%s", jstr(o, "interface"));
			printf("%-12s %-8s %4s %2s %-7s %-8s %-26s %8s %8s %8s  %s\n", jstr(o, "name"),
			       ifc, jstr(o, "vrid"), jstr(o, "version"),
			       jstr(o, "state"), prio, master, down, adv ? jstr(adv, "sent") : "-",
			       adv ? jstr(adv, "received") : "-", rej);
		}
	if (json_object_object_get_ex(r, "sync_groups", &a) && json_object_array_length(a)) {
		printf("\n%-12s %-7s %s\n", "SYNC GROUP", "STATE", "INSTANCES");
		for (size_t i = 0; i < json_object_array_length(a); i++) {
			o = json_object_array_get_idx(a, i);
			json_object_object_get_ex(o, "instances", &v);
			char mem[256] = "";
			for (size_t j = 0; v && j < json_object_array_length(v); j++)
				snprintf(mem + strlen(mem), sizeof(mem) - strlen(mem), "%s%s", j ? " " : "",
					 json_object_get_string(json_object_array_get_idx(v, j)));
			printf("%-12s %-7s %s\n", jstr(o, "name"), jstr(o, "state"), mem);
		}
	}
	if (json_object_object_get_ex(r, "interfaces", &a))
		for (size_t i = 0; i < json_object_array_length(a); i++) {
			o = json_object_array_get_idx(a, i);
			char rej[256];
			if (!json_object_object_get_ex(o, "rejected", &v) || !json_object_object_length(v))
				continue;
			reasons_str(v, rej, sizeof(rej));
			printf("interface %s (%s): rejected %s\n", jstr(o, "name"), jstr(o, "family"), rej);
		}
	printf("(* = this router; PRIO = effective/base; DOWN-IN = master-down timer)\n");
}

/* What a reload did, or would do, with each runtime change. */
static void print_runtime(struct json_object *r, bool dry)
{
	struct json_object *a, *v;
	if (!json_object_object_get_ex(r, "runtime", &a))
		return;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *o = json_object_array_get_idx(a, i);
		bool kept = json_object_object_get_ex(o, "kept", &v) && json_object_get_boolean(v);
		printf("runtime change \"%s\": %s%s%s%s\n", jstr(o, "change"),
		       dry ? "would be " : "", kept ? "kept" : "dropped", kept ? "" : ": ",
		       kept ? "" : jstr(o, "reason"));
	}
}

/* How a reply is shown: the table, raw JSON, or a traffic view. */
enum view { VIEW_TABLE, VIEW_JSON, VIEW_STATS, VIEW_RATE };

static void print_reply(const char *cmd, struct json_object *r, enum view view)
{
	if (view == VIEW_JSON) {
		printf("%s\n", json_object_to_json_string_ext(r, JSON_C_TO_STRING_PRETTY));
		return;
	}
	if (!strcmp(cmd, "status") && view != VIEW_TABLE) {
		print_traffic(r, view == VIEW_RATE);
	} else if (!strcmp(cmd, "status")) {
		print_status(r);
	} else if (!strcmp(cmd, "reload")) {
		struct json_object *ops;
		print_runtime(r, json_object_object_get_ex(r, "operations", &ops));
		if (json_object_object_get_ex(r, "operations", &ops)) {
			size_t n = json_object_array_length(ops);
			for (size_t i = 0; i < n; i++)
				printf("%s\n", json_object_get_string(json_object_array_get_idx(ops, i)));
			printf("dry run: %zu IPVS operation%s, nothing changed\n", n, n == 1 ? "" : "s");
		} else {
			printf("configuration accepted (generation %s)\n", jstr(r, "generation"));
		}
	} else if (!strcmp(cmd, "vrrp")) {
		print_vrrp(r);
	} else if (!strcmp(cmd, "drain") || !strcmp(cmd, "undrain") || !strcmp(cmd, "weight") ||
		   !strcmp(cmd, "add") || !strcmp(cmd, "remove")) {
		/* silence is success, as with ipvsadm */
	} else {
		printf("%s\n", json_object_to_json_string_ext(r, JSON_C_TO_STRING_PRETTY));
	}
}

/* Builds the request from the command line; NULL on a usage error. */
static struct json_object *build_request(int argc, char **argv, enum view *view)
{
	const char *cmd = argv[0];
	struct json_object *req = must(json_object_new_object());
	json_object_object_add(req, "cmd", must(json_object_new_string(cmd)));
	char *pos[4];
	int npos = 0;
	bool dry = false, traffic = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && *view == VIEW_TABLE)
			*view = VIEW_JSON;
		else if ((!strcmp(argv[i], "--stats") || !strcmp(argv[i], "--rate"))
			 && *view == VIEW_TABLE) {
			*view = argv[i][2] == 's' ? VIEW_STATS : VIEW_RATE;
			traffic = true;
		} else if (!strcmp(argv[i], "--dry-run"))
			dry = true;
		else if (npos < 4)
			pos[npos++] = argv[i];
		else
			goto bad;
	}
	if (!strcmp(cmd, "status") && npos == 0 && !dry)
		return req;
	if (traffic)
		goto bad;   /* --stats and --rate are views of status only */
	if (!strcmp(cmd, "reload") && npos == 0 && *view != VIEW_JSON) {
		json_object_object_add(req, "dry_run", must(json_object_new_boolean(dry)));
		return req;
	}
	if ((!strcmp(cmd, "drain") || !strcmp(cmd, "undrain")) && npos == 2 && !dry) {
		json_object_object_add(req, "vs", must(json_object_new_string(pos[0])));
		json_object_object_add(req, "rs", must(json_object_new_string(pos[1])));
		return req;
	}
	if (!strcmp(cmd, "weight") && npos == 3 && !dry) {
		char *end;
		long w = strtol(pos[2], &end, 10);
		if (*end || end == pos[2] || w < 0 || w > 65535) {
			fprintf(stderr, "vigilctl: weight must be 0..65535\n");
			goto bad;
		}
		json_object_object_add(req, "vs", must(json_object_new_string(pos[0])));
		json_object_object_add(req, "rs", must(json_object_new_string(pos[1])));
		json_object_object_add(req, "weight", must(json_object_new_int((int)w)));
		return req;
	}
	if (!strcmp(cmd, "vrrp") && npos <= 1 && !dry) {
		if (npos)
			json_object_object_add(req, "instance",
					       must(json_object_new_string(pos[0])));
		return req;
	}
bad:
	json_object_put(req);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *sock = DEFAULT_SOCKET;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if ((!strcmp(argv[i], "-s") || !strcmp(argv[i], "--socket")) && i + 1 < argc)
			sock = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--version")) {
			printf("vigilctl %s\n", VIGIL_VERSION);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	enum view view = VIEW_TABLE;
	bool json = false;
	struct json_object *req = !strcmp(argv[i], "add") || !strcmp(argv[i], "remove")
				  ? ctl_nodes_request(argc - i, argv + i, &json)
				  : build_request(argc - i, argv + i, &view);
	if (json)
		view = VIEW_JSON;
	if (!req) {
		usage(stderr);
		return 2;
	}
	int fd = connect_socket(sock);
	if (fd < 0) {
		json_object_put(req);
		return 3;
	}
	struct json_object *reply = ctl_roundtrip(fd, req);
	json_object_put(req);
	if (!reply) {
		close(fd);
		return 3;
	}
	struct json_object *ok;
	int rc = 0;
	if (!json_object_object_get_ex(reply, "ok", &ok) || !json_object_get_boolean(ok)) {
		fprintf(stderr, "vigilctl: %s\n", jstr(reply, "error"));
		struct json_object *errs;
		if (json_object_object_get_ex(reply, "errors", &errs))
			for (size_t k = 0; k < json_object_array_length(errs); k++)
				fprintf(stderr, "%s\n",
					json_object_get_string(json_object_array_get_idx(errs, k)));
		if (view == VIEW_JSON)
			printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PRETTY));
		rc = 1;
	} else if (json_object_object_get_ex(reply, "draining", &ok)) {
		rc = ctl_nodes_follow(fd, reply, view == VIEW_JSON);
	} else {
		print_reply(argv[i], reply, view);
	}
	close(fd);
	json_object_put(reply);
	return rc;
}
