/* pidfile: locked pid file (see pidfile.h). */
#include "pidfile.h"
#include "errbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int mkdir_parents(const char *path, struct errbuf *eb)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return errbuf_set(eb, ENAMETOOLONG, "%s: path too long", path);
	char *slash = strrchr(buf, '/');
	if (!slash || slash == buf)
		return 0;
	*slash = '\0';
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return errbuf_set(eb, errno, "mkdir %s: %s", buf, strerror(errno));
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

int pidfile_write(int fd, struct errbuf *eb)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		return errbuf_set(eb, errno, "writing pid file: %s", strerror(errno));
	return 0;
}

int pidfile_acquire(const char *path, struct errbuf *eb)
{
	int r = mkdir_parents(path, eb);
	if (r < 0)
		return r;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return errbuf_set(eb, errno, "%s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int err = errno;
		char buf[32] = "";
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n > 0)
			buf[n] = '\0';
		close(fd);
		if (err == EWOULDBLOCK)
			return errbuf_set(eb, EEXIST, "vigild is already running (pid %d, pid file %s)",
					  atoi(buf), path);
		return errbuf_set(eb, err, "%s: lock: %s", path, strerror(err));
	}
	r = pidfile_write(fd, eb);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

void pidfile_release(const char *path, int fd)
{
	if (fd < 0)
		return;
	unlink(path);
	close(fd);
}
