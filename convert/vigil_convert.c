/*
 * vigil-convert: reads a keepalived.conf and writes the equivalent
 * vigil.conf (see vigil-convert(8)).
 *
 *   read (kc_lex) ─> nest (kc_tree) ─> convert ─> write to memory
 *        └── unusable: exit 1            │           └─ load it with vigil's own loader
 *                                        │              (as vigild -t does); refused: exit 1
 *        every "FILE:LINE: not converted" line on stderr ─> written: exit 0, or 2 if any
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "kc.h"
#include "log.h"

#define DEFAULT_INPUT "/etc/keepalived/keepalived.conf"

static void usage(FILE *f)
{
	fprintf(f, "usage: vigil-convert [-n] [-i id] [-o file] [-p path] [-S facility] "
		"[keepalived.conf]\n"
		"  -i id    the config id for @id lines (default: the short host name)\n"
		"  -n       do not load the output with vigil's configuration loader\n"
		"  -o file  write vigil.conf there (default: standard output)\n"
		"  -p path  where bare program names are looked up (default: a standard PATH)\n"
		"  -S facility  keepalived's -S / --log-facility (0-7, local0-7, user, daemon)\n");
}

/* Loads the text as vigild -t would; false with the reasons printed. */
static bool output_loads(const char *text, size_t len)
{
	char path[] = "/tmp/vigil-convert.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		fprintf(stderr, "vigil-convert: cannot check the output: %s\n", strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return false;
	}
	close(fd);
	struct conf_errors errs;
	struct conf *c = conf_load(path, &errs);
	unlink(path);
	for (unsigned i = 0; i < errs.n; i++) {
		const char *msg = strncmp(errs.lines[i], path, strlen(path)) ? errs.lines[i]
			: errs.lines[i] + strlen(path);
		fprintf(stderr, "vigil-convert: the output does not load: output%s\n", msg);
	}
	conf_errors_free(&errs);
	conf_free(c);
	return c != NULL;
}

static int emit(const char *out, const char *text, size_t len)
{
	FILE *f = out ? fopen(out, "w") : stdout;
	if (!f || fwrite(text, 1, len, f) != len || (out ? fclose(f) : fflush(f)) != 0) {
		fprintf(stderr, "vigil-convert: %s: %s\n", out ? out : "standard output",
			strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct kc_lex_opts lo = { 0 };
	struct kc_conv_opts co = { 0 };
	const char *out = NULL;
	bool check = true;
	int opt;
	while ((opt = getopt(argc, argv, "hi:no:p:S:")) != -1) {
		switch (opt) {
		case 'S':
			if (log_facility_parse(optarg) < 0) {
				fprintf(stderr, "vigil-convert: -S %s: expected 0-7, local0-7, user or "
					"daemon\n", optarg);
				return 1;
			}
			co.log_facility = log_facility_str(log_facility_parse(optarg));
			break;
		case 'i': lo.config_id = optarg; break;
		case 'n': check = false; break;
		case 'o': out = optarg; break;
		case 'p': co.search_path = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (argc - optind > 1) {
		usage(stderr);
		return 1;
	}
	const char *in = optind < argc ? argv[optind] : DEFAULT_INPUT;
	struct kc_diag d = { 0 };
	struct kc_lex lx;
	struct kc_node root = { 0 };
	struct kc_val *conf = kv_new(KV_GROUP, NULL);
	char *text = NULL;
	size_t len = 0;
	if (kc_lex_file(in, &lo, &lx, &d) == 0 && !d.fatal && kc_tree_build(&lx, &root, &d) == 0)
		kc_convert(&root, &co, conf, &d);
	for (unsigned i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.lines[i]);
	int rc = d.fatal ? 1 : d.skipped ? 2 : 0;
	if (!d.fatal) {
		FILE *m = open_memstream(&text, &len);
		if (!m)
			abort();
		kc_write(m, conf);
		fclose(m);
		if ((check && !output_loads(text, len)) || emit(out, text, len) < 0)
			rc = 1;
	}
	free(text);
	kv_free(conf);
	kc_tree_free(&root);
	kc_lex_free(&lx);
	kc_diag_free(&d);
	return rc;
}
