/*
 * control: the unix control socket. One JSON request per line, one JSON
 * reply per line ({"ok":true,...} or {"ok":false,"error":"..."}).
 * vigilctl is a thin client of it.
 */
#ifndef VIGIL_CONTROL_H
#define VIGIL_CONTROL_H

#include <stdbool.h>

struct vigild;
struct errbuf;
struct json_object;

#include <stdint.h>

#define CTL_MAX_CLIENTS 64            /* connections at once */

struct ctl_server *ctl_open(struct vigild *d, const char *path, struct errbuf *eb);
void ctl_close(struct ctl_server *s);

/* One request line (without its newline) to its reply: parses the JSON,
 * then ctl_dispatch. NULL only when a command deferred its reply
 * (ctl_defer), which it does only for a socket client. */
struct json_object *ctl_request(struct vigild *d, const char *line);
/* Builds a command's reply (used by the socket and the HTTP status page). */
struct json_object *ctl_dispatch(struct vigild *d, struct json_object *req);
struct json_object *ctl_status(struct vigild *d);

/* A command that answers later (reload, whose load runs on a worker
 * thread) takes a ticket for the client whose request is being answered
 * and returns NULL; that client's further requests wait. 0 when there is
 * no such client (the status page, tests): the command answers at once. */
uint64_t ctl_defer(struct ctl_server *s);
/* Sends reply (owned) to the client holding ticket, if it is still there. */
void ctl_complete(struct ctl_server *s, uint64_t ticket, struct json_object *reply);

/* The two reply shapes every command uses: {"ok":true} to add to, and
 * {"ok":false,"error":MSG} (MSG cut at 255 bytes). */
struct json_object *ctl_reply_ok(void);
struct json_object *ctl_reply_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A request's members, read with their types checked. Each returns NULL
 * when KEY is absent (*out untouched) or has the wanted type (*out set),
 * else the error reply for command CMD. A JSON null is a wrong type, not
 * an absent member: no command reads a member unchecked. */
struct json_object *ctl_member_str(struct json_object *req, const char *cmd, const char *key,
				   const char **out);
struct json_object *ctl_member_bool(struct json_object *req, const char *cmd, const char *key,
				    bool *out);
struct json_object *ctl_member_int(struct json_object *req, const char *cmd, const char *key,
				   int min, int max, int *out);

#endif
