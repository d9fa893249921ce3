/*
 * procfs: reading and writing one /proc/sys (or /sys) value, as a shell's
 * cat and echo would: one read, or one write of the whole value into a
 * truncated file. Shared by the parent's IPVS sync tuning and the vrrp
 * child's per-interface settings. Library code: 0 or -errno, no logging.
 */
#ifndef VIGIL_PROCFS_H
#define VIGIL_PROCFS_H

#include <stddef.h>

/* The file's first len - 1 bytes into buf, NUL-terminated; 0 or -errno. */
int procfs_read(const char *path, char *buf, size_t len);
/* value written in one write (O_TRUNC); 0 or -errno (a short write: -EIO). */
int procfs_write(const char *path, const char *value);

#endif
