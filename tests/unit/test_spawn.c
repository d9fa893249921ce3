/*
 * spawn: the one way scripts start (proc/proc_spawn.h). A /bin/sh
 * script that stops itself (kill -STOP $$) is looked at from outside through /proc:
 * its process group, its descriptors and where 0-2 lead, its blocked and
 * ignored signals, its user and groups — after this process has opened
 * descriptors without close-on-exec, blocked and ignored signals. Then
 * PATH lookup (found, skipped when not executable, missing, no /bin/sh
 * for a file without "#!"), exit statuses and signals, the environment,
 * and a timeout that kills the script's whole group. The user switch is
 * checked when the test runs as root.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "errbuf.h"
#include "proc_spawn.h"

static char dir[64];

struct outcome {
	bool done;
	int status;
	bool timed_out;
};

static void done_cb(void *arg, int status, bool timed_out)
{
	struct outcome *o = arg;
	o->done = true;
	o->status = status;
	o->timed_out = timed_out;
	ev_break(EV_DEFAULT, EVBREAK_ALL);
}

static void guard_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
	(void)w;
	(void)revents;
}

/* Runs the loop until sp's run ends (at most 10 s). */
static void wait_done(struct outcome *o)
{
	ev_timer guard;
	ev_timer_init(&guard, guard_cb, 10., 0.);
	ev_timer_start(EV_DEFAULT, &guard);
	if (!o->done)
		ev_run(EV_DEFAULT, 0);
	ev_timer_stop(EV_DEFAULT, &guard);
	assert_true(o->done);
}

/* Starts argv and waits for its end; returns spawn_start's result. */
static int run(char *const argv[], const struct spawn_user *u, double timeout,
	       struct outcome *o, struct errbuf *eb)
{
	struct spawn sp;
	*o = (struct outcome){ 0 };
	spawn_init(&sp, EV_DEFAULT, done_cb, o);
	int r = spawn_start(&sp, argv, u, timeout, eb);
	if (r == 0)
		wait_done(o);
	return r;
}

static int exit_code(char *const argv[])
{
	struct outcome o;
	struct errbuf eb;
	assert_int_equal(run(argv, NULL, 5., &o, &eb), 0);
	assert_true(WIFEXITED(o.status));
	return WEXITSTATUS(o.status);
}

/* The field of /proc/PID/status named key (e.g. "SigBlk:"), into buf. */
static char *status_field(pid_t pid, const char *key, char *buf, size_t len)
{
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	buf[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key))) {
			char *v = line + strlen(key);
			v += strspn(v, " \t");
			size_t n = strlen(v);
			while (n && (v[n - 1] == '\n' || v[n - 1] == ' ' || v[n - 1] == '\t'))
				v[--n] = '\0';
			snprintf(buf, len, "%s", v);
		}
	fclose(f);
	return buf;
}

/* State letter and process group of pid, from /proc/PID/stat; 0 if gone. */
static char proc_state(pid_t pid, pid_t *pgid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char st = 0;
	int ppid = 0, pg = 0;
	char *rp = strrchr(buf, ')');   /* the name may hold blanks */
	if (rp && sscanf(rp + 1, " %c %d %d", &st, &ppid, &pg) == 3 && pgid)
		*pgid = pg;
	return st;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Waits (at most 5 s) until pid is stopped. */
static void wait_stopped(pid_t pid)
{
	for (int i = 0; i < 500 && proc_state(pid, NULL) != 'T'; i++)
		sleep_ms(10);
	assert_int_equal(proc_state(pid, NULL), 'T');
}

static void fd_target(pid_t pid, int fd, char *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	ssize_t n = readlink(path, buf, len - 1);
	assert_true(n > 0);
	buf[n] = '\0';
}

static int count_fds(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	assert_non_null(d);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static char *const stop_self[] = { "/bin/sh", "-c", "kill -STOP $$; exit 0", NULL };

/* Starts stop_self as u, checks what every spawn must give it, returns
 * its pid still stopped (for more checks) with sp running. */
static pid_t start_stopped(struct spawn *sp, struct outcome *o, const struct spawn_user *u)
{
	struct errbuf eb;
	*o = (struct outcome){ 0 };
	spawn_init(sp, EV_DEFAULT, done_cb, o);
	assert_int_equal(spawn_start(sp, stop_self, u, 10., &eb), 0);
	pid_t pid = sp->pid, pgid = 0;
	wait_stopped(pid);
	proc_state(pid, &pgid);
	assert_int_equal(pgid, pid);              /* a group of its own */
	assert_int_not_equal(pgid, getpgrp());
	char t[256], mine[256], buf[64];
	assert_int_equal(count_fds(pid), 3);      /* 0, 1, 2 and nothing else */
	fd_target(pid, 0, t, sizeof(t));
	assert_string_equal(t, "/dev/null");
	fd_target(pid, 1, t, sizeof(t));
	assert_string_equal(t, "/dev/null");
	fd_target(pid, 2, t, sizeof(t));
	fd_target(getpid(), 2, mine, sizeof(mine));
	assert_string_equal(t, mine);             /* stderr is the spawner's */
	assert_string_equal(status_field(pid, "SigBlk:", buf, sizeof(buf)), "0000000000000000");
	assert_string_equal(status_field(pid, "SigIgn:", buf, sizeof(buf)), "0000000000000000");
	return pid;
}

static void finish_stopped(pid_t pid, struct outcome *o)
{
	kill(pid, SIGCONT);
	wait_done(o);
	assert_true(WIFEXITED(o->status));
	assert_int_equal(WEXITSTATUS(o->status), 0);
}

static void test_clean_process(void **state)
{
	(void)state;
	/* Leave things for the spawner to clean up: descriptors without
	 * close-on-exec, blocked and ignored signals. */
	int leak = open("/dev/null", O_RDONLY);
	int leak_hi = dup2(leak, 60);
	assert_true(leak >= 3 && leak_hi == 60);
	sigset_t blk, old;
	sigemptyset(&blk);
	sigaddset(&blk, SIGUSR1);
	sigaddset(&blk, SIGTERM);
	sigprocmask(SIG_BLOCK, &blk, &old);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);

	struct spawn sp;
	struct outcome o;
	pid_t pid = start_stopped(&sp, &o, NULL);
	char buf[64];
	assert_int_equal(atoi(status_field(pid, "Uid:", buf, sizeof(buf))), getuid());
	finish_stopped(pid, &o);

	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	close(leak);
	close(leak_hi);
}

static void test_user_switch(void **state)
{
	(void)state;
	struct spawn_user u;
	struct errbuf eb;
	assert_int_equal(spawn_user_lookup("no-such-user-vigil", &u, &eb), -ENOENT);
	assert_non_null(strstr(eb.msg, "no-such-user-vigil"));
	if (geteuid() != 0 || spawn_user_lookup("nobody", &u, &eb) < 0)
		skip();
	const struct passwd *pw = getpwnam("nobody");
	gid_t groups[SPAWN_MAX_GROUPS];
	int n = SPAWN_MAX_GROUPS;
	assert_true(getgrouplist("nobody", pw->pw_gid, groups, &n) >= 0);
	assert_int_equal(u.ngroups, n);
	/* The supplementary groups must be the user's, not root's nor none:
	 * give root an extra group for the spawn to replace. */
	gid_t extra = 4242;
	assert_int_equal(setgroups(1, &extra), 0);

	struct spawn sp;
	struct outcome o;
	pid_t pid = start_stopped(&sp, &o, &u);
	char buf[256], want[256];
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", pw->pw_uid, pw->pw_uid, pw->pw_uid,
		 pw->pw_uid);
	assert_string_equal(status_field(pid, "Uid:", buf, sizeof(buf)), want);
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", pw->pw_gid, pw->pw_gid, pw->pw_gid,
		 pw->pw_gid);
	assert_string_equal(status_field(pid, "Gid:", buf, sizeof(buf)), want);
	size_t off = 0;
	want[0] = '\0';
	for (int i = 0; i < n; i++)
		off += (size_t)snprintf(want + off, sizeof(want) - off, "%s%u", i ? " " : "",
					(unsigned)groups[i]);
	status_field(pid, "Groups:", buf, sizeof(buf));
	assert_string_equal(buf, want);
	finish_stopped(pid, &o);
	assert_int_equal(setgroups(0, NULL), 0);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_path_lookup(void **state)
{
	(void)state;
	char d1[128], d2[128], p[192], path[512];
	snprintf(d1, sizeof(d1), "%s/bin1", dir);
	snprintf(d2, sizeof(d2), "%s/bin2", dir);
	mkdir(d1, 0755);
	mkdir(d2, 0755);
	/* bin1 has a copy that is not executable: skipped for bin2's. */
	snprintf(p, sizeof(p), "%s/vigil-probe", d1);
	write_file(p, "#!/bin/sh\nexit 5\n", 0644);
	snprintf(p, sizeof(p), "%s/vigil-probe", d2);
	write_file(p, "#!/bin/sh\nexit 6\n", 0755);
	/* No "#!": not an executable format, and no /bin/sh behind its back. */
	snprintf(p, sizeof(p), "%s/vigil-noshebang", d2);
	write_file(p, "exit 7\n", 0755);
	char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	snprintf(path, sizeof(path), "%s::%s:/usr/bin:/bin", d1, d2);
	setenv("PATH", path, 1);

	char *probe[] = { "vigil-probe", NULL };
	assert_int_equal(exit_code(probe), 6);
	struct outcome o;
	struct errbuf eb;
	char *missing[] = { "vigil-no-such-program", NULL };
	assert_int_equal(run(missing, NULL, 5., &o, &eb), -ENOENT);
	assert_string_equal(eb.msg, "vigil-no-such-program: No such file or directory");
	char *noshebang[] = { "vigil-noshebang", NULL };
	assert_int_equal(run(noshebang, NULL, 5., &o, &eb), -ENOEXEC);
	/* Only the non-executable one: permission denied, not "not found". */
	snprintf(path, sizeof(path), "%s", d1);
	setenv("PATH", path, 1);
	assert_int_equal(run(probe, NULL, 5., &o, &eb), -EACCES);
	/* With a '/', PATH is not used. */
	char *rel[] = { "./vigil-probe", NULL };
	assert_int_equal(run(rel, NULL, 5., &o, &eb), -ENOENT);
	snprintf(p, sizeof(p), "%s/vigil-probe", d2);
	char *abs[] = { p, NULL };
	assert_int_equal(exit_code(abs), 6);
	/* No PATH at all: the default one, which holds sh. */
	unsetenv("PATH");
	char *sh[] = { "sh", "-c", "exit 0", NULL };
	assert_int_equal(exit_code(sh), 0);
	if (old)
		setenv("PATH", old, 1);
	free(old);
}

static void test_exit_and_env(void **state)
{
	(void)state;
	char *ok[] = { "sh", "-c", "exit 0", NULL };
	char *three[] = { "sh", "-c", "exit 3", NULL };
	char *env[] = { "sh", "-c", "[ \"$VIGIL_SPAWN_TEST\" = here ] && exit 9", NULL };
	assert_int_equal(exit_code(ok), 0);
	assert_int_equal(exit_code(three), 3);
	setenv("VIGIL_SPAWN_TEST", "here", 1);
	assert_int_equal(exit_code(env), 9);
	unsetenv("VIGIL_SPAWN_TEST");
	char *term[] = { "sh", "-c", "kill -TERM $$", NULL };
	struct outcome o;
	struct errbuf eb;
	assert_int_equal(run(term, NULL, 5., &o, &eb), 0);
	assert_true(WIFSIGNALED(o.status));
	assert_int_equal(WTERMSIG(o.status), SIGTERM);
	assert_false(o.timed_out);
	char *empty[] = { NULL };
	assert_int_equal(run(empty, NULL, 5., &o, &eb), -EINVAL);
}

/* A script that started a child of its own runs past its timeout: both
 * are killed (the group), and done reports the timeout. */
static void test_timeout_kills_group(void **state)
{
	(void)state;
	char out[128], cmd[256];
	snprintf(out, sizeof(out), "%s/bgpid", dir);
	snprintf(cmd, sizeof(cmd), "sleep 30.321 & echo $! > %s; wait", out);
	char *argv[] = { "sh", "-c", cmd, NULL };
	struct outcome o;
	struct errbuf eb;
	assert_int_equal(run(argv, NULL, 0.3, &o, &eb), 0);
	assert_true(o.timed_out);
	assert_true(WIFSIGNALED(o.status));
	assert_int_equal(WTERMSIG(o.status), SIGKILL);
	FILE *f = fopen(out, "r");
	assert_non_null(f);
	int bg = 0;
	assert_int_equal(fscanf(f, "%d", &bg), 1);
	fclose(f);
	/* Gone, or a zombie waiting for whoever inherited it. */
	char st = 'S';
	for (int i = 0; i < 300 && (st = proc_state(bg, NULL)) && st != 'Z'; i++)
		sleep_ms(10);
	assert_true(st == 0 || st == 'Z');
}

/* spawn_stop kills a running script and its done is never called. */
static void test_stop(void **state)
{
	(void)state;
	char *argv[] = { "sleep", "30.322", NULL };
	struct spawn sp;
	struct outcome o = { 0 };
	struct errbuf eb;
	spawn_init(&sp, EV_DEFAULT, done_cb, &o);
	assert_int_equal(spawn_start(&sp, argv, NULL, 0., &eb), 0);
	pid_t pid = sp.pid;
	assert_int_equal(spawn_start(&sp, argv, NULL, 0., &eb), -EBUSY);
	spawn_stop(&sp);
	assert_int_equal(sp.pid, 0);
	char st = 'S';
	for (int i = 0; i < 300; i++) {
		ev_run(EV_DEFAULT, EVRUN_NOWAIT);   /* libev reaps it */
		if (!(st = proc_state(pid, NULL)))
			break;
		sleep_ms(10);
	}
	assert_int_equal(st, 0);
	assert_false(o.done);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/vigil-spawn-XXXXXX");
	ev_default_loop(0);
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_process),
		cmocka_unit_test(test_user_switch),
		cmocka_unit_test(test_path_lookup),
		cmocka_unit_test(test_exit_and_env),
		cmocka_unit_test(test_timeout_kills_group),
		cmocka_unit_test(test_stop),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
