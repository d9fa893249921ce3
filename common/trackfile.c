/*
 * trackfile: reads the number a tracked file holds (see trackfile.h).
 */
#include "trackfile.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

long trackfile_value(const char *path, long bound)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *end;
	long v = strtol(buf, &end, 10);     /* saturates at LONG_MIN/MAX */
	if (end == buf)
		return 0;
	return v > bound ? bound : v < -bound ? -bound : v;
}
