/*
 * ipvs-apply: a test tool for ipvs-glue. Loads a vigil.conf (or, with -t,
 * a table in ipvs-glue's text format), builds the wanted table, dumps the
 * kernel, reconciles and applies the operations batched — or only prints
 * them with -n. With --delete it removes the services the file defines and
 * nothing else. A dry run on a kernel without IPVS diffs against an empty
 * table. Prints each operation, then "ops: N" and "failed: N".
 *
 * Exit: 0 all applied, 1 some operation failed, 2 usage or config error,
 * 3 no IPVS in the kernel.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "ipvs.h"

struct opts {
	bool dry_run, delete, text, quiet, ack_each;
	unsigned inflight;            /* 0: the library's default */
	const char *path;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n < 2) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

static int load_wanted(const struct opts *o, struct ipvs_table *t)
{
	struct errbuf eb = { .msg = "" };
	if (o->text) {
		char *text = slurp(o->path);
		if (!text) {
			fprintf(stderr, "ipvs-apply: %s: %s\n", o->path, strerror(errno));
			return -1;
		}
		int err = ipvs_table_parse(text, t, &eb);
		free(text);
		if (err)
			fprintf(stderr, "ipvs-apply: %s: %s\n", o->path, eb.msg);
		return err;
	}
	struct conf_errors errs = { 0 };
	struct conf *c = conf_load(o->path, &errs);
	if (!c) {
		for (unsigned i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.lines[i]);
		if (errs.n == 0)
			fprintf(stderr, "ipvs-apply: %s: could not load the configuration\n", o->path);
		conf_errors_free(&errs);
		return -1;
	}
	int err = ipvs_table_from_conf(c, t, &eb);
	if (err)
		fprintf(stderr, "ipvs-apply: %s: %s\n", o->path, eb.msg);
	conf_free(c);
	return err;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'n' }, { "delete", no_argument, NULL, 'd' },
		{ "text", no_argument, NULL, 't' }, { "quiet", no_argument, NULL, 'q' },
		{ "inflight", required_argument, NULL, 'b' },
		{ "ack-each", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "ntqb:", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': o->dry_run = true; break;
		case 'd': o->delete = true; break;
		case 'a': o->ack_each = true; break;
		case 't': o->text = true; break;
		case 'q': o->quiet = true; break;
		case 'b': o->inflight = (unsigned)strtoul(optarg, NULL, 10); break;
		default: return -1;
		}
	}
	if (optind != argc - 1)
		return -1;
	o->path = argv[optind];
	return 0;
}

static void print_ops(const struct ipvs_oplist *ops, bool applied)
{
	char buf[256];
	for (unsigned i = 0; i < ops->n; i++) {
		const struct ipvs_op *op = &ops->ops[i];
		if (!applied || !op->err) {
			printf("%s\n", ipvs_op_format(op, buf, sizeof(buf)));
		} else {
			struct errbuf eb;
			ipvs_op_errbuf(op, op->err, &eb);
			printf("FAILED %s\n", eb.msg);
		}
	}
}

static int run(const struct opts *o, struct ipvs_ctx *ctx, struct ipvs_table *wanted)
{
	struct ipvs_table kernel, empty;
	struct ipvs_oplist ops;
	struct errbuf eb = { .msg = "" };
	ipvs_table_init(&kernel);
	ipvs_table_init(&empty);
	ipvs_oplist_init(&ops);
	double t0 = now_ms();
	int rc = 0;
	if (ctx && ipvs_dump(ctx, &kernel, &eb) < 0) {
		fprintf(stderr, "ipvs-apply: %s\n", eb.msg);
		rc = 1;
		goto out;
	}
	double t1 = now_ms();
	if (ipvs_reconcile(o->delete ? &empty : wanted, &kernel, wanted, &ops) < 0) {
		fprintf(stderr, "ipvs-apply: out of memory\n");
		rc = 1;
		goto out;
	}
	double t2 = now_ms();
	unsigned failed = 0;
	if (ctx && !o->dry_run && ipvs_apply(ctx, &ops, &eb) < 0) {
		for (unsigned i = 0; i < ops.n; i++)
			failed += ops.ops[i].err != 0;
		fprintf(stderr, "ipvs-apply: %s\n", eb.msg);
		rc = 1;
	}
	double t3 = now_ms();
	if (!o->quiet)
		print_ops(&ops, !o->dry_run);
	printf("ops: %u\nfailed: %u\n", ops.n, failed);
	fprintf(stderr, "ipvs-apply: dump %.1f ms (%u services), reconcile %.1f ms, apply %.1f ms "
		"(%llu requests in %llu sendmsg)\n", t1 - t0, kernel.n_svcs, t2 - t1, t3 - t2,
		ctx ? (unsigned long long)ctx->n_requests : 0ULL,
		ctx ? (unsigned long long)ctx->n_batches : 0ULL);
out:
	ipvs_oplist_free(&ops);
	ipvs_table_free(&kernel);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	if (parse_args(argc, argv, &o) < 0) {
		fprintf(stderr, "usage: ipvs-apply [-n] [-q] [-b N] [--ack-each] [--delete] [-t] CONFIG\n"
			"  -n, --dry-run  print the operations, change nothing\n"
			"  --delete       remove the services CONFIG defines, nothing else\n"
			"  -t, --text     CONFIG is an ipvs-glue text table, not a vigil.conf\n"
			"  -q, --quiet    print only the counts\n"
			"  -b, --inflight N  requests per sendmsg (default %d; 1 = unbatched)\n"
			"  --ack-each     an ack for every request, not only each batch's last\n",
			IPVS_MAX_INFLIGHT);
		return 2;
	}
	struct ipvs_table wanted;
	ipvs_table_init(&wanted);
	if (load_wanted(&o, &wanted) < 0)
		return 2;
	struct ipvs_ctx ctx;
	struct errbuf eb = { .msg = "" };
	int err = ipvs_open(&ctx, &eb);
	if (err == -ENOENT && o.dry_run) {
		/* a dry run still shows what a start on an empty table would do */
		fprintf(stderr, "ipvs-apply: %s; assuming an empty table\n", eb.msg);
		int rc = run(&o, NULL, &wanted);
		ipvs_table_free(&wanted);
		return rc;
	}
	if (err < 0) {
		fprintf(stderr, "ipvs-apply: %s\n", eb.msg);
		ipvs_table_free(&wanted);
		return err == -ENOENT ? 3 : 1;
	}
	if (o.inflight)
		ctx.max_inflight = o.inflight;
	ctx.ack_each = o.ack_each;
	int rc = run(&o, &ctx, &wanted);
	ipvs_close(&ctx);
	ipvs_table_free(&wanted);
	return rc;
}
