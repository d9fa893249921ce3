/*
 * spawn: the one way vigil starts an operator's program — check scripts
 * (in the checker child), VRRP track scripts (in the vrrp child), notify
 * and on_quorum_up/down commands (in the parent). Every one starts the
 * same way:
 *
 *   argv     words from argv_split() (common/argv.h), never a shell; a
 *            first word without '/' is looked up in PATH (the spawner's,
 *            SPAWN_DEFAULT_PATH when unset), one with '/' is used as is;
 *            a file without "#!" is not handed to /bin/sh
 *   stdio    stdin and stdout on /dev/null; stderr is the spawner's own
 *            (every vigil process shares vigild's): the journal under
 *            systemd, the terminal in the foreground, /dev/null once
 *            vigild has daemonized itself
 *   fds      none but 0, 1 and 2
 *   group    a process group of its own, so a timeout kills what the
 *            program started as well
 *   signals  every disposition default, nothing blocked
 *   user     when the spawner is root and a user is given: its uid,
 *            primary group and supplementary groups (as initgroups(3)),
 *            looked up beforehand; otherwise the spawner's own
 *   env      the spawner's environment
 *
 * A program that cannot be started (not found, not executable, a refused
 * user switch) is an error of spawn_start() with the reason, not an exit
 * status: the child reports it through a close-on-exec pipe, which closes
 * without a word when exec succeeds. Nothing in the child between fork
 * and exec allocates or reads a file.
 *
 *   spawn_start ─fork─> child: setpgid, signals, stdio, fds, ids, exec
 *        │                         └─ failure: errno up the pipe, _exit(127)
 *        ├─> ev_child ──exit──────────────────────────────> done(status)
 *        └─> ev_timer ──timeout──> kill(-pgid, SIGKILL) ──> done(status, timed out)
 *   spawn_stop: kill(-pgid, SIGKILL), no done (libev reaps the exit)
 *
 * ev_child works on the default loop only: spawn there.
 */
#ifndef VIGIL_PROC_SPAWN_H
#define VIGIL_PROC_SPAWN_H

#include <ev.h>
#include <stdbool.h>
#include <sys/types.h>

struct errbuf;

#define SPAWN_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define SPAWN_MAX_GROUPS 64

/* Who a program runs as when the spawner is root. */
struct spawn_user {
	uid_t uid;
	gid_t gid;
	int ngroups;
	gid_t groups[SPAWN_MAX_GROUPS];
};

/* Looks name up (passwd and group databases). -ENOENT for an unknown
 * user, -E2BIG for one in more than SPAWN_MAX_GROUPS groups; eb says which. */
int spawn_user_lookup(const char *name, struct spawn_user *u, struct errbuf *eb);

/* status is the wait status; timed_out when the timeout killed the run. */
typedef void (*spawn_done_fn)(void *arg, int status, bool timed_out);

struct spawn {
	struct ev_loop *loop;
	spawn_done_fn done;
	void *arg;
	pid_t pid;                    /* also the process group; 0 when none runs */
	bool timed_out;
	ev_child child_w;
	ev_timer timeout_w;
};

void spawn_init(struct spawn *sp, struct ev_loop *loop, spawn_done_fn done, void *arg);

/* Starts argv (NULL-terminated) as user (NULL: the spawner's own). With
 * timeout > 0 the group is killed that many seconds later. done is called
 * once, when the process has exited, after sp is idle again (it may start
 * the next run or free sp). -EBUSY while a run is going; -errno with eb
 * set when the program could not be started. */
int spawn_start(struct spawn *sp, char *const argv[], const struct spawn_user *user,
		double timeout, struct errbuf *eb);

/* Kills a run's process group, if one is going; done is not called. */
void spawn_stop(struct spawn *sp);

/* The same start without libev: *pid is the new process (and group), for
 * the caller to wait for. spawn_start() is this plus its watchers. */
int spawn_process(char *const argv[], const struct spawn_user *user, pid_t *pid,
		  struct errbuf *eb);

#endif
