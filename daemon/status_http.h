/*
 * status_http: the read-only status endpoint (global.http.listen): `/` a human
 * status page, `/status.json` the same reply as `vigilctl status --json`,
 * `/metrics` Prometheus text format. All three are views of ctl_status(),
 * so they can never disagree with the control socket.
 */
#ifndef VIGIL_STATUS_HTTP_H
#define VIGIL_STATUS_HTTP_H

struct vigild;
struct errbuf;

/* Listens on "ADDR:PORT" ("[V6]:PORT" for IPv6). NULL with a message in eb. */
struct http_server *http_open(struct vigild *d, const char *listen, struct errbuf *eb);
void http_close(struct http_server *s);

#endif
