/*
 * notify_fifo: keepalived's notify FIFO lines for VRRP events (see
 * notify_fifo.h).
 */
#include "notify_fifo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "errbuf.h"
#include "log.h"
#include "vigild.h"
#include "vrrp_fsm.h"
#include "xalloc.h"

struct notify_fifo {
	int fd;
	bool created;                 /* ours to remove at close */
	char *path;
};

struct notify_fifo *nfifo_open(const char *path, struct errbuf *eb)
{
	bool created = false;
	if (mkfifo(path, 0644) == 0)
		created = true;
	else if (errno != EEXIST) {
		errbuf_set(eb, errno, "notify_fifo %s: cannot create it: %s", path, strerror(errno));
		return NULL;
	}
	int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
		int e = fd < 0 ? errno : EINVAL;
		if (fd >= 0)
			close(fd);
		if (created)
			unlink(path);
		errbuf_set(eb, e, "notify_fifo %s: %s", path,
			   e == EINVAL ? "not a FIFO" : strerror(e));
		return NULL;
	}
	struct notify_fifo *f = xcalloc(1, sizeof(*f));
	f->fd = fd;
	f->created = created;
	f->path = xstrdup(path);
	return f;
}

void nfifo_close(struct notify_fifo *f)
{
	if (!f)
		return;
	close(f->fd);
	if (f->created)
		unlink(f->path);
	free(f->path);
	free(f);
}

void nfifo_conf_changed(struct vigild *d, const struct conf *old)
{
	const char *was = old ? old->global.notify_fifo : NULL;
	const char *now = d->conf->global.notify_fifo;
	if (d->fifo && was && now && !strcmp(was, now))
		return;
	nfifo_close(d->fifo);
	d->fifo = NULL;
	struct errbuf eb;
	if (now && !(d->fifo = nfifo_open(now, &eb)))
		log_err("%s; no FIFO lines until the next reload", eb.msg);
}

const char *nfifo_state_str(int state)
{
	switch (state) {
	case VRRP_STATE_MASTER: return "MASTER";
	case VRRP_STATE_BACKUP: return "BACKUP";
	case VRRP_STATE_FAULT: return "FAULT";
	case VRRP_STATE_STOPPED: return "STOP";
	default: return "{UNKNOWN}";
	}
}

/* keepalived's "[address]:proto:port" (format_rs, format_vs). */
static void trio(char *buf, size_t len, const struct vaddr *a, uint16_t port, enum vs_proto p)
{
	char s[VADDR_STRLEN];
	snprintf(buf, len, "[%s]:%s:%u", vaddr_str(a, s, sizeof(s)), vs_proto_str(p), port);
}

static void vs_str(char *buf, size_t len, const struct vs_conf *vs)
{
	if (vs->fwmark)
		snprintf(buf, len, "FWM %u", vs->fwmark);
	else
		trio(buf, len, &vs->addr, vs->port, vs->protocol);
}

bool nfifo_vs(struct notify_fifo *f, const struct vs_conf *vs, bool up)
{
	char line[128], v[VADDR_STRLEN + 16];
	if (!f)
		return false;
	vs_str(v, sizeof(v), vs);
	int n = snprintf(line, sizeof(line), "VS %s %s\n", v, up ? "UP" : "DOWN");
	return n > 0 && (size_t)n < sizeof(line) && write(f->fd, line, (size_t)n) == n;
}

bool nfifo_rs(struct notify_fifo *f, const struct vs_conf *vs, const struct rs_conf *rs, bool up)
{
	char line[256], r[VADDR_STRLEN + 16], v[VADDR_STRLEN + 16];
	if (!f)
		return false;
	trio(r, sizeof(r), &rs->addr, rs->port ? rs->port : vs->port, vs->protocol);
	vs_str(v, sizeof(v), vs);
	int n = snprintf(line, sizeof(line), "RS %s %s %s\n", r, v, up ? "UP" : "DOWN");
	if (n < 0 || (size_t)n >= sizeof(line))
		return false;
	return write(f->fd, line, (size_t)n) == n;
}

bool nfifo_vrrp(struct notify_fifo *f, bool group, const char *name, int state,
		unsigned priority)
{
	char line[160];
	if (!f)
		return false;
	int n = snprintf(line, sizeof(line), "%s \"%s\" %s %u\n", group ? "GROUP" : "INSTANCE",
			 name, nfifo_state_str(state), group ? 0 : priority);
	if (n < 0 || (size_t)n >= sizeof(line))
		return false;
	/* One write of less than PIPE_BUF bytes: whole or not at all. */
	return write(f->fd, line, (size_t)n) == n;
}
