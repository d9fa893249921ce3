/*
 * pidfile: one running vigild per pid file. The file is created (with its
 * directory), locked with flock for the process's lifetime and holds the
 * pid; a second instance finds the lock taken and names the holder.
 */
#ifndef VIGIL_PIDFILE_H
#define VIGIL_PIDFILE_H

struct errbuf;

/* Returns the locked fd, or -errno (-EEXIST: another vigild holds it). */
int pidfile_acquire(const char *path, struct errbuf *eb);
/* Rewrites the pid (after daemonizing). */
int pidfile_write(int fd, struct errbuf *eb);
void pidfile_release(const char *path, int fd);

/* mkdir -p of the directory part of path (mode 0755). */
int mkdir_parents(const char *path, struct errbuf *eb);

#endif
