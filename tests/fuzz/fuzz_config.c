/*
 * fuzz_config: the configuration loader (config/) on any text: libconfig
 * parses it, the readers turn it into a struct conf or a list of
 * "FILE:LINE: message" errors — exactly one of the two — and conf_free /
 * conf_errors_free release everything (LeakSanitizer checks after every
 * input).
 *
 * The text is written to vigil.conf in a private directory (conf_load
 * reads a path; an in-memory entry point would skip the file handling
 * the daemon uses). The directory also holds vs.conf (a real server, to
 * be included inside a list) and bad.conf (a syntax error); an @include
 * of any other name is skipped, so the fuzzer never reads the machine's
 * files nor includes the input into itself (ten levels deep).
 *
 * Then the reload's cached load (config_cache.c) must give the same:
 * the input "A%%\nB" loads A, then B from what A left in the cache, and
 * B's conf packs to the same bytes as B's full load (or both fail with
 * the same lines). Without "%%\n", A is B.
 *
 * Input: the configuration text (or two, as above).
 */
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_pack.h"
#include "config.h"
#include "fuzz.h"

static char conf_dir[200];            /* set once, for the process's life */
static char conf_path[256];

static void write_file(const char *path, const void *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, text, len) == (ssize_t)len);
	close(fd);
}

static void cleanup(void)
{
	static const char *const names[] = { "vigil.conf", "vs.conf", "bad.conf" };
	char p[256];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", conf_dir, names[i]);
		unlink(p);
	}
	rmdir(conf_dir);
}

static void setup(void)
{
	char dir[] = "/dev/shm/vigil-fuzz-config-XXXXXX";
	char tmpl[] = "/tmp/vigil-fuzz-config-XXXXXX";
	const char *d = mkdtemp(dir);
	if (!d)
		d = mkdtemp(tmpl);
	FUZZ_CHECK(d != NULL);
	char p[256];
	static const char vs[] =
		"{ address = \"198.51.100.11\"; port = 80; weight = 2;\n"
		"  checks = ( { type = \"tcp\"; timeout = 2.0; } ); }\n";
	snprintf(p, sizeof(p), "%s/vs.conf", d);
	write_file(p, vs, sizeof(vs) - 1);
	snprintf(p, sizeof(p), "%s/bad.conf", d);
	write_file(p, "x = ;\n", 6);
	snprintf(conf_dir, sizeof(conf_dir), "%s", d);
	snprintf(conf_path, sizeof(conf_path), "%s/vigil.conf", d);
	atexit(cleanup);
}

/* Every @include names vs.conf or bad.conf (libconfig 1.5 reads the
 * name up to the next quote; \\ and \" are its only escapes). */
static bool includes_allowed(const char *text, size_t len)
{
	static const char kw[] = "@include";
	const char *p = text, *end = text + len;
	while ((p = memmem(p, (size_t)(end - p), kw, sizeof(kw) - 1))) {
		p += sizeof(kw) - 1;
		const char *q = memchr(p, '"', (size_t)(end - p));
		if (!q)
			return true;          /* no name: a syntax error */
		q++;
		const char *e = memchr(q, '"', (size_t)(end - q));
		size_t n = e ? (size_t)(e - q) : 0;
		if (!e || !((n == 7 && !memcmp(q, "vs.conf", 7)) ||
			    (n == 8 && !memcmp(q, "bad.conf", 8))))
			return false;
		p = e;
	}
	return true;
}

/* A cached load of b (after one of a made the cache) gives what the full
 * load gave: c, or the same errors. */
static void same_cached(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
			const struct conf *c, const struct conf_errors *errs)
{
	struct conf_cache *k = NULL;
	struct conf_errors e = { 0 };
	write_file(conf_path, a, alen);
	conf_free(conf_load_cached(conf_path, &e, &k));
	conf_errors_free(&e);
	write_file(conf_path, b, blen);
	struct conf *d = conf_load_cached(conf_path, &e, &k);
	FUZZ_CHECK((c != NULL) == (d != NULL));
	if (c) {
		struct conf_blob x, y;
		FUZZ_CHECK(conf_pack(c, CONF_VIEW_ALL, &x) == 0 && conf_pack(d, CONF_VIEW_ALL, &y) == 0);
		FUZZ_CHECK(x.len == y.len && !memcmp(x.data, y.data, x.len));
		conf_blob_free(&x);
		conf_blob_free(&y);
	} else {
		FUZZ_CHECK(e.n == errs->n);
		for (unsigned i = 0; i < e.n; i++)
			FUZZ_CHECK(!strcmp(e.lines[i], errs->lines[i]));
	}
	conf_free(d);
	conf_errors_free(&e);
	conf_cache_free(k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!conf_path[0])
		setup();
	if (!includes_allowed((const char *)data, size))
		return 0;
	/* "A%%\nB": B loaded after A (a reload); without "%%\n", A = B. */
	const uint8_t *sep = memmem(data, size, "%%\n", 3);
	size_t alen = sep ? (size_t)(sep - data) : size;
	const uint8_t *b = sep ? sep + 3 : data;
	size_t blen = sep ? size - alen - 3 : size;
	write_file(conf_path, b, blen);
	struct conf_errors errs;
	struct conf *c = conf_load(conf_path, &errs);
	FUZZ_CHECK((c != NULL) != (errs.n > 0));
	for (unsigned i = 0; i < errs.n; i++)
		FUZZ_CHECK(errs.lines[i] && strchr(errs.lines[i], ':'));
	if (c)
		FUZZ_CHECK(c->n_vs > 0 || c->n_vrrp > 0);
	if (!errs.oom)
		same_cached(data, alen, b, blen, c, &errs);
	conf_free(c);
	conf_errors_free(&errs);
	return 0;
}
