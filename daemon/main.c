/*
 * vigild entry point: command line, -t, and the choice between running as
 * the parent (supervisor) or as one of its children (--child, internal).
 * Exit status: 0 clean, 1 configuration error, 2 usage, 3 runtime failure.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "chk.h"
#include "config.h"
#include "log.h"
#include "snmp_child.h"
#include "version.h"
#include "vigild.h"
#include "vrrp_run.h"

enum { OPT_DRY_RUN = 256, OPT_CHECKER_ONLY, OPT_VRRP_ONLY, OPT_CHILD, OPT_IPC_FD };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vigild [-f FILE] [-n] [-l] [-D] [-t] [-p PIDFILE] [--dry-run]\n"
		"              [--checker-only | --vrrp-only] [-v] [-h]\n"
		"  -f, --config FILE     configuration file (default %s)\n"
		"  -n, --foreground      do not daemonize\n"
		"  -l, --log-console     log to stderr as well as syslog\n"
		"  -D, --debug           debug-level logging\n"
		"  -t, --check-config    validate FILE, print every error, exit 0 or 1\n"
		"  -p, --pid-file FILE   pid file (default /run/vigil/vigild.pid)\n"
		"      --dry-run         log the IPVS operations instead of making them\n"
		"      --checker-only    run only the checker child\n"
		"      --vrrp-only       run only the vrrp child\n"
		"  -v, --version         print the version\n"
		"  -h, --help            this text\n",
		VIGIL_DEFAULT_CONFIG);
}

static int parse_args(int argc, char **argv, struct vigild_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "foreground", no_argument, NULL, 'n' },
		{ "log-console", no_argument, NULL, 'l' },
		{ "debug", no_argument, NULL, 'D' },
		{ "check-config", no_argument, NULL, 't' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "checker-only", no_argument, NULL, OPT_CHECKER_ONLY },
		{ "vrrp-only", no_argument, NULL, OPT_VRRP_ONLY },
		{ "child", required_argument, NULL, OPT_CHILD },
		{ "ipc-fd", required_argument, NULL, OPT_IPC_FD },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "f:nlDtp:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': o->config = optarg; break;
		case 'n': o->foreground = true; break;
		case 'l': o->log_console = true; break;
		case 'D': o->debug = true; break;
		case 't': o->check_only = true; break;
		case 'p': o->pidfile = optarg; break;
		case OPT_DRY_RUN: o->dry_run = true; break;
		case OPT_CHECKER_ONLY: o->checker_only = true; break;
		case OPT_VRRP_ONLY: o->vrrp_only = true; break;
		case OPT_CHILD: o->child = optarg; break;
		case OPT_IPC_FD: o->ipc_fd = atoi(optarg); break;
		case 'v': printf("vigild %s\n", VIGIL_VERSION); exit(0);
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vigild: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (o->checker_only && o->vrrp_only) {
		fprintf(stderr, "vigild: --checker-only and --vrrp-only exclude each other\n");
		return -1;
	}
	return 0;
}

/* -t: print every error as FILE:LINE: message, exit 0 or 1. */
static int check_config(const char *path)
{
	struct conf_errors errs = { 0 };
	struct conf *c = conf_load(path, &errs);
	for (unsigned i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.lines[i]);
	if (errs.oom && !errs.n)
		fprintf(stderr, "vigild: %s: out of memory\n", path);
	conf_errors_free(&errs);
	if (!c)
		return 1;
	printf("%s: configuration OK (%u virtual servers, %u VRRP instances)\n", path,
	       c->n_vs, c->n_vrrp);
	conf_free(c);
	return 0;
}

/* --child NAME: this process is one of the parent's children. */
static int run_child(const struct vigild_opts *o)
{
	const struct child_ops *ops;
	if (!strcmp(o->child, "checker"))
		ops = &child_checker_ops;
	else if (!strcmp(o->child, "vrrp"))
		ops = &child_vrrp_ops;
	else if (!strcmp(o->child, "snmp"))
		ops = &child_snmp_ops;
	else {
		fprintf(stderr, "vigild: unknown child '%s'\n", o->child);
		return 2;
	}
	struct child_opts co = {
		.ipc_fd = o->ipc_fd, .log_console = o->log_console,
		.debug = o->debug, .dry_run = o->dry_run,
	};
	return child_main(ops, &co);
}

int main(int argc, char **argv)
{
	struct vigild_opts o = {
		.config = VIGIL_DEFAULT_CONFIG,
		.pidfile = "/run/vigil/vigild.pid",
		.ipc_fd = -1,
	};
	if (parse_args(argc, argv, &o) < 0)
		return 2;
	if (o.check_only)
		return check_config(o.config);
	if (o.child)
		return run_child(&o);

	static struct vigild d;       /* the parent's one context */
	d.opts = o;
	return parent_run(&d);
}
