/*
 * ipvs-knobs: a test tool for ipvs-glue's non-table calls — the IPVS
 * connection-sync daemon and the connection timeouts.
 *
 *   ipvs-knobs sync-start master|backup IFNAME SYNCID
 *   ipvs-knobs sync-stop master|backup
 *   ipvs-knobs sync-show            one "STATE IFNAME SYNCID" line per daemon
 *   ipvs-knobs timeouts-get         "tcp N tcpfin N udp N"
 *   ipvs-knobs timeouts-set TCP TCPFIN UDP   (0 leaves one unchanged)
 *
 * Exit: 0 ok, 1 the kernel refused (message on stderr), 2 usage, 3 no IPVS.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipvs.h"

static int state_of(const char *s)
{
	return strcmp(s, "master") == 0 ? IPVS_SYNC_MASTER :
	       strcmp(s, "backup") == 0 ? IPVS_SYNC_BACKUP : 0;
}

static int run(struct ipvs_ctx *ctx, int argc, char **argv, struct errbuf *eb)
{
	const char *cmd = argv[1];
	if (strcmp(cmd, "sync-start") == 0 && argc == 5 && state_of(argv[2])) {
		struct ipvs_sync_daemon d = { .state = state_of(argv[2]),
					      .syncid = (uint32_t)strtoul(argv[4], NULL, 10) };
		snprintf(d.ifname, sizeof(d.ifname), "%s", argv[3]);
		return ipvs_sync_start(ctx, &d, eb);
	}
	if (strcmp(cmd, "sync-stop") == 0 && argc == 3 && state_of(argv[2]))
		return ipvs_sync_stop(ctx, state_of(argv[2]), eb);
	if (strcmp(cmd, "sync-show") == 0 && argc == 2) {
		struct ipvs_sync_daemon d[2];
		unsigned n = 0;
		int err = ipvs_sync_get(ctx, d, &n, eb);
		for (unsigned i = 0; !err && i < n; i++)
			printf("%s %s %u\n", d[i].state == IPVS_SYNC_MASTER ? "master" : "backup",
			       d[i].ifname, d[i].syncid);
		return err;
	}
	if (strcmp(cmd, "timeouts-get") == 0 && argc == 2) {
		struct ipvs_timeouts t;
		int err = ipvs_timeouts_get(ctx, &t, eb);
		if (!err)
			printf("tcp %u tcpfin %u udp %u\n", t.tcp, t.tcp_fin, t.udp);
		return err;
	}
	if (strcmp(cmd, "timeouts-set") == 0 && argc == 5) {
		struct ipvs_timeouts t = { (uint32_t)strtoul(argv[2], NULL, 10),
					   (uint32_t)strtoul(argv[3], NULL, 10),
					   (uint32_t)strtoul(argv[4], NULL, 10) };
		return ipvs_timeouts_set(ctx, &t, eb);
	}
	return -EINVAL - 1000;    /* usage */
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: ipvs-knobs sync-start|sync-stop|sync-show|timeouts-get|"
			"timeouts-set ...\n");
		return 2;
	}
	struct ipvs_ctx ctx;
	struct errbuf eb = { .msg = "" };
	int err = ipvs_open(&ctx, &eb);
	if (err < 0) {
		fprintf(stderr, "ipvs-knobs: %s\n", eb.msg);
		return err == -ENOENT ? 3 : 1;
	}
	err = run(&ctx, argc, argv, &eb);
	ipvs_close(&ctx);
	if (err == -EINVAL - 1000) {
		fprintf(stderr, "ipvs-knobs: bad arguments\n");
		return 2;
	}
	if (err < 0) {
		fprintf(stderr, "ipvs-knobs: %s\n", eb.msg);
		return 1;
	}
	return 0;
}
