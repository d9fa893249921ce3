/*
 * Out of memory in library code (docs/architecture.md, "Out of memory"):
 * every allocation that vigil's own code makes is failed in turn, one run
 * each, and the code under test must report it (-ENOMEM, NULL with
 * errs->oom, CHK_HTTP_NOMEM, a DNS answer's -ENOMEM), not abort, not crash, and give back all it
 * took. The daemons' xalloc helpers, on the other hand, must abort with
 * a message. This program replaces malloc, calloc, realloc, free and strdup
 * (glibc allows it); only calls made directly from this executable — the
 * vigil libraries are linked in statically — can fail: libconfig aborts
 * on its own when it runs out, by design, so its allocations are spared.
 * (Not built with sanitizers: they bring their own malloc.)
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "addr.h"
#include "argv.h"
#include "chk_parsers.h"
#include "config.h"
#include "http_parse.h"
#include "xalloc.h"

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);

/* The injector: while armed, counts the allocations made from this
 * executable and fails the fail_at-th (1-based; 0 fails none); tracks
 * how many blocks are outstanding, whoever asked. */
static struct {
	bool armed;
	unsigned seen, fail_at;
	long outstanding;
} inj;

/* The caller's address is in this executable's code (the linker's
 * symbols bound it: no dladdr per allocation). */
extern char __executable_start[], etext[];
static bool from_us(void *ra)
{
	return (char *)ra >= __executable_start && (char *)ra < etext;
}

/* True when this allocation is to fail. The counts are atomic: a large
 * file's load allocates from two threads at once (which of two racing
 * allocations is the fail_at-th may differ from run to run; each run
 * still fails exactly one). */
static bool injected(void *ra)
{
	if (!inj.armed || !from_us(ra))
		return false;
	return __atomic_add_fetch(&inj.seen, 1, __ATOMIC_RELAXED) == inj.fail_at;
}

static void count_block(long d)
{
	__atomic_add_fetch(&inj.outstanding, d, __ATOMIC_RELAXED);
}

void *malloc(size_t size)
{
	if (injected(__builtin_return_address(0)))
		return NULL;
	void *p = __libc_malloc(size);
	if (p && inj.armed)
		count_block(1);
	return p;
}

void *calloc(size_t n, size_t size)
{
	if (injected(__builtin_return_address(0)))
		return NULL;
	void *p = __libc_calloc(n, size);
	if (p && inj.armed)
		count_block(1);
	return p;
}

void *realloc(void *old, size_t size)
{
	if (injected(__builtin_return_address(0)))
		return NULL;
	void *p = __libc_realloc(old, size);
	if (p && !old && inj.armed)
		count_block(1);
	return p;
}

void free(void *p)
{
	if (p && inj.armed)
		count_block(-1);
	__libc_free(p);
}

char *strdup(const char *s)
{
	if (injected(__builtin_return_address(0)))
		return NULL;
	size_t n = strlen(s) + 1;
	char *p = __libc_malloc(n);
	if (p) {
		memcpy(p, s, n);
		if (inj.armed)
			count_block(1);
	}
	return p;
}

static void arm(unsigned fail_at)
{
	inj = (typeof(inj)){ .armed = true, .fail_at = fail_at };
}

/* Disarms; returns how many of our allocations the run made. */
static unsigned disarm(void)
{
	inj.armed = false;
	return inj.seen;
}

#define EXAMPLE TEST_SOURCE_DIR "/etc/vigil.conf"

/* The shipped example, every allocation of the loader failing in turn. */
static void test_conf_load(void **st)
{
	(void)st;
	struct conf_errors errs;
	arm(0);
	struct conf *c = conf_load(EXAMPLE, &errs);
	unsigned total = disarm();
	assert_non_null(c);
	if (total <= 50)
		fail_msg("only %u allocations", total);
	conf_free(c);
	conf_errors_free(&errs);
	print_message("conf_load: %u allocations, each failed in turn\n", total);
	for (unsigned n = 1; n <= total; n++) {
		arm(n);
		c = conf_load(EXAMPLE, &errs);
		if (c)
			fail_msg("allocation %u of %u failed, yet the load succeeded", n, total);
		if (!errs.oom)
			fail_msg("allocation %u of %u: NULL without errs->oom", n, total);
		/* Its first two allocations are the room for the message. */
		char want[256];
		snprintf(want, sizeof(want), "%s:0: out of memory", EXAMPLE);
		if (n > 2)
			assert_string_equal(errs.lines[errs.n - 1], want);
		else
			assert_int_equal(errs.n, 0);
		conf_errors_free(&errs);
		disarm();
		if (inj.outstanding != 0)
			fail_msg("allocation %u of %u failed: %ld blocks not given back", n, total,
				 inj.outstanding);
	}
}

/* A large file's full load with the reload cache: its virtual servers
 * parsed and walked in two halves, the second on a thread of its own
 * (config_cache.c). With every allocation failing in turn, a load either
 * fails whole (errs->oom) or is made again in one piece and succeeds with
 * every virtual server (what a failure in the halves, or in the cache's
 * own bookkeeping, leads to); either way every block comes back, the
 * cache's included. */
static void test_conf_load_halves(void **st)
{
	(void)st;
	char path[] = "/tmp/test_oom_halves.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fprintf(f, "virtual_servers = (\n");
	for (unsigned i = 0; i < 300; i++)
		fprintf(f, "  { address = \"192.0.2.%u\"; port = %u; real_servers = ( "
			"{ address = \"198.51.100.1\"; checks = ( { type = \"tcp\"; } ); } ); }%s\n",
			1 + i % 250, 80 + i / 250, i < 299 ? "," : "");
	fprintf(f, ");\n");
	fclose(f);
	struct conf_errors errs;
	struct conf_cache *cache = NULL;
	/* Once unarmed: the C library keeps a finished thread's stack and
	 * TLS for the next one, which would count as a block not given back. */
	struct conf *c = conf_load_cached(path, &errs, &cache);
	assert_non_null(c);
	conf_free(c);
	conf_cache_free(cache);
	conf_errors_free(&errs);
	cache = NULL;
	arm(0);
	c = conf_load_cached(path, &errs, &cache);
	assert_non_null(c);
	bool halves = false;
	unsigned reused, parsed;
	conf_cache_stats(cache, &reused, &parsed, &halves);
	assert_true(halves);
	conf_free(c);
	conf_cache_free(cache);
	conf_errors_free(&errs);
	unsigned total = disarm(), failed = 0, again = 0;
	assert_int_equal(inj.outstanding, 0);
	for (unsigned n = 1; n <= total; n++) {
		cache = NULL;
		arm(n);
		c = conf_load_cached(path, &errs, &cache);
		if (c) {
			again++;
			assert_int_equal(c->n_vs, 300);
			conf_free(c);
			conf_cache_free(cache);
		} else {
			failed++;
			if (!errs.oom)
				fail_msg("allocation %u of %u: NULL without errs->oom", n, total);
			assert_null(cache);
		}
		conf_errors_free(&errs);
		disarm();
		if (inj.outstanding != 0)
			fail_msg("allocation %u of %u failed: %ld blocks not given back", n, total,
				 inj.outstanding);
	}
	unlink(path);
	print_message("conf_load_cached in halves: %u allocations, each failed in turn: %u loads "
		      "failed, %u made again in one piece\n", total, failed, again);
	assert_int_equal(failed + again, total);
}

static void test_argv_split(void **st)
{
	(void)st;
	const char *cmd = "/bin/echo 'a b' \"c\" d";
	char **v = NULL;
	arm(0);
	assert_int_equal(argv_split(cmd, &v), 4);
	argv_free(v);
	unsigned total = disarm();
	assert_true(total >= 4);
	for (unsigned n = 1; n <= total; n++) {
		arm(n);
		v = NULL;
		assert_int_equal(argv_split(cmd, &v), -ENOMEM);   /* not "unterminated quote" */
		assert_null(v);
		disarm();
		assert_int_equal(inj.outstanding, 0);
	}
}

/* A chunked body is copied to be de-chunked: without memory that is a
 * local failure, not a malformed response. */
static void test_http_dechunk(void **st)
{
	(void)st;
	const char *resp = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			   "5\r\nhello\r\n0\r\n\r\n";
	struct chk_http_resp r = { 0 };
	arm(1);
	int got = chk_http_parse(resp, strlen(resp), false, false, &r);
	disarm();
	assert_int_equal(got, CHK_HTTP_NOMEM);
	chk_http_resp_free(&r);
	assert_int_equal(inj.outstanding, 0);
	assert_int_equal(chk_http_parse(resp, strlen(resp), false, false, &r), CHK_HTTP_DONE);
	assert_int_equal(r.body_len, 5);
	chk_http_resp_free(&r);
}

/* The answer records are unpacked into an array: without memory the
 * probe fails as a local error, not as "expected address missing". */
static void test_dns_answer(void **st)
{
	(void)st;
	static const unsigned char ans[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,     /* 1 question, 1 answer */
		1, 'a', 0, 0, 1, 0, 1,                               /* a. IN A */
		0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7,
	};
	struct vaddr want;
	assert_int_equal(vaddr_parse("192.0.2.7", &want), 0);
	assert_int_equal(chk_dns_has_addr(ans, sizeof(ans), &want), 1);
	arm(1);
	int got = chk_dns_has_addr(ans, sizeof(ans), &want);
	disarm();
	assert_int_equal(got, -ENOMEM);
	assert_int_equal(inj.outstanding, 0);
}

/* The daemons' bookkeeping helpers end the process, saying why. */
static void test_xalloc_aborts(void **st)
{
	(void)st;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 2);
		arm(1);
		char *p = xstrdup("x");   /* must not return */
		_exit(p ? 0 : 1);
	}
	close(fds[1]);
	char buf[512] = "";
	ssize_t n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	buf[n > 0 ? n : 0] = '\0';
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	assert_non_null(strstr(buf, "crit: out of memory (2 bytes); aborting"));
	assert_non_null(xnonnull(buf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_load),
		cmocka_unit_test(test_conf_load_halves),
		cmocka_unit_test(test_argv_split),
		cmocka_unit_test(test_http_dechunk),
		cmocka_unit_test(test_dns_answer),
		cmocka_unit_test(test_xalloc_aborts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
