/*
 * fake_vigild: a parent context with a configuration and a dry-run IPVS
 * table but no children, no sockets and no running loop, to drive the
 * control commands directly (unit tests and the control-request fuzzer).
 * The configuration lives in a file of its own, which "reload" re-reads.
 */
#ifndef VIGIL_FAKE_VIGILD_H
#define VIGIL_FAKE_VIGILD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "errbuf.h"
#include "health.h"
#include "lvs.h"
#include "roles.h"
#include "runtime.h"
#include "vigild.h"

/* One virtual server with two real servers, one VRRP instance. */
#define FAKE_VIGILD_CONF \
	"virtual_servers = (\n" \
	"  { name = \"web\"; address = \"192.0.2.10\"; port = 80;\n" \
	"    real_servers = ( { address = \"198.51.100.11\"; port = 80; },\n" \
	"                     { address = \"198.51.100.12\"; port = 8080; weight = 3; } ); },\n" \
	"  { fwmark = 7; family = \"inet6\"; real_servers = ( { address = \"2001:db8::11\"; port = 443; } ); }\n" \
	");\n" \
	"vrrp = { instances = ( { name = \"VI_1\"; interface = \"lo\"; vrid = 51; priority = 100;\n" \
	"                         addresses = [ \"192.0.2.10/24\" ]; } ); };\n"

struct fake_vigild {
	struct vigild d;
	char path[64];
};

/* 0, or -1 with the reason on stderr. */
static inline int fake_vigild_init(struct fake_vigild *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "/tmp/vigil-fake-XXXXXX");
	int fd = mkstemp(f->path);
	if (fd < 0 || write(fd, FAKE_VIGILD_CONF, strlen(FAKE_VIGILD_CONF)) < 0) {
		perror("fake_vigild: config file");
		return -1;
	}
	close(fd);
	struct vigild *d = &f->d;
	struct conf_errors errs = { 0 };
	d->opts.config = f->path;
	d->opts.dry_run = true;
	d->opts.pidfile = "/nonexistent";
	d->conf = conf_load(f->path, &errs);
	for (unsigned i = 0; i < errs.n; i++)
		fprintf(stderr, "fake_vigild: %s\n", errs.lines[i]);
	conf_errors_free(&errs);
	if (!d->conf)
		return -1;
	d->generation = 1;
	d->loop = ev_default_loop(0);
	supervise_init(d);
	struct errbuf eb;
	if (lvs_open(d, &eb) < 0) {
		fprintf(stderr, "fake_vigild: %s\n", eb.msg);
		return -1;
	}
	rt_open(d, false);
	return 0;
}

static inline void fake_vigild_free(struct fake_vigild *f)
{
	if (!f->d.conf)
		return;
	lvs_close(&f->d);
	rt_close(&f->d, false);
	health_free(&f->d);
	roles_free(&f->d);
	supervise_blobs_free(f->d.blobs);
	conf_free(f->d.conf);
	unlink(f->path);
}

#endif
