/*
 * status_http: the read-only status endpoint (global.http.listen): `/` a human
 * status page, `/status.json` the same reply as `vigilctl status --json`,
 * `/metrics` Prometheus text format. All three are views of ctl_status(),
 * so they can never disagree with the control socket.
 */
#ifndef VIGIL_STATUS_HTTP_H
#define VIGIL_STATUS_HTTP_H

#include <stdbool.h>
#include <stddef.h>

struct vigild;
struct errbuf;

#define STATUS_HTTP_HEAD_MAX 8192     /* a longer request head is a 400 */

enum status_page { STATUS_PAGE_NONE, STATUS_PAGE_HTML, STATUS_PAGE_JSON, STATUS_PAGE_METRICS };

/* What to answer to a request head. */
struct status_req {
	int code;                     /* 200, or the error status */
	bool head_only;               /* HEAD: headers without the body */
	enum status_page page;        /* what a 200 shows */
	const char *why;              /* an error's body (a static string) */
};

/* Reads a request head of len bytes (NULs allowed): 0 when it has not
 * ended yet and is shorter than STATUS_HTTP_HEAD_MAX, else 1 with *req
 * filled. Pure: routing costs nothing, whatever is asked. */
int status_http_parse(const char *buf, size_t len, struct status_req *req);

/* Listens on "ADDR:PORT" ("[V6]:PORT" for IPv6). NULL with a message in eb. */
struct http_server *http_open(struct vigild *d, const char *listen, struct errbuf *eb);
void http_close(struct http_server *s);

#endif
