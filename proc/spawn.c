/*
 * spawn: starts an operator's program (see proc_spawn.h).
 *
 * The child is a clone(CLONE_VM | CLONE_VFORK) on a stack of its own, as
 * posix_spawn(3) does: no page tables are copied, so a start costs the
 * same in a small parent as in a large one (fork() of a 200 MB process
 * takes some 15 ms, this well under 1 ms), and the parent sleeps until
 * the child has exec'd or failed. The child shares the parent's memory,
 * hence the rules it follows between clone and exec:
 *
 *   - everything it needs (the user's groups, PATH, the descriptor limit)
 *     is read by the parent beforehand; the child allocates nothing and
 *     writes to memory only its own stack and the plan's fail fields
 *   - all signals are blocked across the clone, and the child resets
 *     every disposition before it unblocks: no handler of the parent may
 *     run on the shared memory
 *   - credentials change through raw system calls: glibc's setgroups,
 *     setresgid and setresuid would broadcast the change to the parent's
 *     threads, which the child shares memory with
 *
 * A failed step leaves its number and errno in the plan and _exit(127)s;
 * the parent reads them once the clone returns (the child has exited by
 * then) and reaps the child itself.
 */
#include "proc_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errbuf.h"

#define SPAWN_STACK (64 * 1024)   /* the child's: exec_search's PATH_MAX and little else */

/* Code that runs in the child, on a stack AddressSanitizer does not know
 * of (sanitizer builds): left uninstrumented, or it warns at _exit. */
#define CHILD_CODE __attribute__((no_sanitize_address))

enum spawn_step {
	STEP_NONE, STEP_PGID, STEP_STDIO, STEP_FDS, STEP_GROUPS, STEP_GID, STEP_UID, STEP_EXEC,
};

static const char *const step_str[] = {
	[STEP_NONE] = "", [STEP_PGID] = "setpgid", [STEP_STDIO] = "/dev/null",
	[STEP_FDS] = "closing descriptors", [STEP_GROUPS] = "setgroups",
	[STEP_GID] = "setgid", [STEP_UID] = "setuid", [STEP_EXEC] = "exec",
};

/* Everything the child uses, prepared before the clone; the child writes
 * only fail_step and fail_err. */
struct spawn_plan {
	char *const *argv;
	const struct spawn_user *user;   /* NULL: no switch */
	const char *path;
	int maxfd;                       /* for closing without close_range */
	int fail_step;
	int fail_err;
};

int spawn_user_lookup(const char *name, struct spawn_user *u, struct errbuf *eb)
{
	const struct passwd *pw = getpwnam(name);
	if (!pw)
		return errbuf_set(eb, ENOENT, "unknown user '%s'", name);
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	int n = SPAWN_MAX_GROUPS;
	if (getgrouplist(name, u->gid, u->groups, &n) < 0)
		return errbuf_set(eb, E2BIG, "user '%s' is in %d groups, more than %d", name, n,
				  SPAWN_MAX_GROUPS);
	u->ngroups = n;
	return 0;
}

CHILD_CODE static _Noreturn void child_fail(struct spawn_plan *c, enum spawn_step step, int err)
{
	c->fail_step = step;
	c->fail_err = err;
	_exit(127);
}

/* execv() along PATH, as execvp() but without its retry through /bin/sh
 * for a file that is not an executable format. Returns the errno to
 * report: the first hard error, else EACCES if a candidate was refused,
 * else ENOENT. */
CHILD_CODE static int exec_search(char *const argv[], const char *path)
{
	const char *name = argv[0];
	if (strchr(name, '/')) {
		execv(name, argv);
		return errno;
	}
	size_t nlen = strlen(name);
	int err = ENOENT;
	for (const char *p = path; *p; ) {
		const char *end = strchrnul(p, ':');
		size_t dlen = (size_t)(end - p);
		char buf[PATH_MAX];
		if (dlen && dlen + 1 + nlen < sizeof(buf)) {   /* empty entries are skipped */
			memcpy(buf, p, dlen);
			buf[dlen] = '/';
			memcpy(buf + dlen + 1, name, nlen + 1);
			execv(buf, argv);
			if (errno == EACCES)
				err = EACCES;
			else if (errno != ENOENT && errno != ENOTDIR)
				return errno;
		}
		p = *end ? end + 1 : end;
	}
	return err;
}

/* Closes every descriptor from 3 up. */
CHILD_CODE static int close_from3(int maxfd)
{
	if (close_range(3, ~0U, 0) == 0)
		return 0;
	if (errno != ENOSYS)
		return -1;
	for (int fd = 3; fd < maxfd; fd++)
		close(fd);
	return 0;
}

/* The user switch, with raw system calls (see the top of the file). */
CHILD_CODE static void child_ids(struct spawn_plan *c)
{
	const struct spawn_user *u = c->user;
	if (syscall(SYS_setgroups, (size_t)u->ngroups, u->groups) < 0)
		child_fail(c, STEP_GROUPS, errno);
	if (syscall(SYS_setresgid, u->gid, u->gid, u->gid) < 0)
		child_fail(c, STEP_GID, errno);
	if (syscall(SYS_setresuid, u->uid, u->uid, u->uid) < 0)
		child_fail(c, STEP_UID, errno);
}

/* In the child, on its own stack: never returns. */
CHILD_CODE static int child_run(void *arg)
{
	struct spawn_plan *c = arg;
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &dfl, NULL);   /* EINVAL for KILL, STOP and libc's own */
	if (setpgid(0, 0) < 0)
		child_fail(c, STEP_PGID, errno);
	int fd = open("/dev/null", O_RDWR);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0)
		child_fail(c, STEP_STDIO, errno);
	if (close_from3(c->maxfd) < 0)
		child_fail(c, STEP_FDS, errno);
	if (c->user)
		child_ids(c);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	child_fail(c, STEP_EXEC, exec_search(c->argv, c->path));
}

int spawn_process(char *const argv[], const struct spawn_user *user, pid_t *pid,
		  struct errbuf *eb)
{
	if (!argv || !argv[0] || !argv[0][0])
		return errbuf_set(eb, EINVAL, "empty command");
	struct rlimit rl = { 1024, 1024 };
	getrlimit(RLIMIT_NOFILE, &rl);
	const char *path = getenv("PATH");
	struct spawn_plan c = {
		.argv = argv, .user = user && geteuid() == 0 ? user : NULL,
		.path = path && *path ? path : SPAWN_DEFAULT_PATH,
		.maxfd = rl.rlim_cur < 65536 ? (int)rl.rlim_cur : 65536,
	};
	char *stack = mmap(NULL, SPAWN_STACK, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return errbuf_set(eb, errno, "%s: stack: %s", argv[0], strerror(errno));
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid_t p = clone(child_run, stack + SPAWN_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, &c);
	int err = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	munmap(stack, SPAWN_STACK);
	if (p < 0)
		return errbuf_set(eb, err, "%s: clone: %s", argv[0], strerror(err));
	if (c.fail_step == STEP_NONE) {
		*pid = p;
		return 0;
	}
	while (waitpid(p, NULL, 0) < 0 && errno == EINTR)
		;
	if (c.fail_step == STEP_EXEC)
		return errbuf_set(eb, c.fail_err, "%s: %s", argv[0], strerror(c.fail_err));
	return errbuf_set(eb, c.fail_err, "%s: %s: %s", argv[0], step_str[c.fail_step],
			  strerror(c.fail_err));
}

/* ---- with libev ------------------------------------------------------ */

static void spawn_idle(struct spawn *sp)
{
	ev_child_stop(sp->loop, &sp->child_w);
	ev_timer_stop(sp->loop, &sp->timeout_w);
	sp->pid = 0;
	sp->timed_out = false;
}

static void spawn_child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct spawn *sp = w->data;
	int status = w->rstatus;
	bool timed_out = sp->timed_out;
	spawn_idle(sp);
	sp->done(sp->arg, status, timed_out);   /* last: it may free sp */
	(void)loop;
	(void)revents;
}

static void spawn_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct spawn *sp = w->data;
	sp->timed_out = true;
	kill(-sp->pid, SIGKILL);   /* the exit still comes, through child_w */
	(void)loop;
	(void)revents;
}

void spawn_init(struct spawn *sp, struct ev_loop *loop, spawn_done_fn done, void *arg)
{
	*sp = (struct spawn){ .loop = loop, .done = done, .arg = arg };
	ev_child_init(&sp->child_w, spawn_child_cb, 0, 0);
	ev_timer_init(&sp->timeout_w, spawn_timeout_cb, 1., 0.);
	sp->child_w.data = sp->timeout_w.data = sp;
}

int spawn_start(struct spawn *sp, char *const argv[], const struct spawn_user *user,
		double timeout, struct errbuf *eb)
{
	if (sp->pid > 0)
		return errbuf_set(eb, EBUSY, "%s: still running", argv[0]);
	pid_t pid;
	int r = spawn_process(argv, user, &pid, eb);
	if (r < 0)
		return r;
	sp->pid = pid;
	sp->timed_out = false;
	ev_child_set(&sp->child_w, pid, 0);
	ev_child_start(sp->loop, &sp->child_w);
	if (timeout > 0) {
		ev_timer_set(&sp->timeout_w, timeout, 0.);
		ev_timer_start(sp->loop, &sp->timeout_w);
	}
	return 0;
}

void spawn_stop(struct spawn *sp)
{
	if (sp->pid > 0)
		kill(-sp->pid, SIGKILL);
	spawn_idle(sp);
}
