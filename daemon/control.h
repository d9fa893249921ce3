/*
 * control: the unix control socket. One JSON request per line, one JSON
 * reply per line ({"ok":true,...} or {"ok":false,"error":"..."}).
 * vigilctl is a thin client of it.
 */
#ifndef VIGIL_CONTROL_H
#define VIGIL_CONTROL_H

struct vigild;
struct errbuf;
struct json_object;

struct ctl_server *ctl_open(struct vigild *d, const char *path, struct errbuf *eb);
void ctl_close(struct ctl_server *s);

/* Builds a command's reply (used by the socket and the HTTP status page). */
struct json_object *ctl_dispatch(struct vigild *d, struct json_object *req);
struct json_object *ctl_status(struct vigild *d);

/* The two reply shapes every command uses: {"ok":true} to add to, and
 * {"ok":false,"error":MSG} (MSG cut at 255 bytes). */
struct json_object *ctl_reply_ok(void);
struct json_object *ctl_reply_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
