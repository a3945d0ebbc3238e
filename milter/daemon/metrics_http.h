/* SPDX-License-Identifier: ISC */
/*
 * metrics_http.h - the optional metrics socket (metrics_socket): a tiny
 * HTTP/1.x server that answers GET /metrics with metrics_render()'s text,
 * so Prometheus can scrape inkan-milter directly.
 * One thread of its own serves up to METRICS_HTTP_MAX_CONNS connections
 * at once, each bounded in size (METRICS_HTTP_MAX_REQUEST) and time
 * (METRICS_HTTP_TIMEOUT_MS): a slow, idle or hostile client holds only its
 * own connection and delays neither a scrape nor mail, which the milter's
 * threads handle without ever waiting for this one.
 * No TLS and no authentication: listen on loopback (or a management
 * network behind a firewall), as inkan.conf(5) says.
 */
#ifndef INKAN_METRICS_HTTP_H
#define INKAN_METRICS_HTTP_H

#include <sys/socket.h>

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* A request head (request line and header fields) longer is refused. */
#define METRICS_HTTP_MAX_REQUEST	8192
/* One exchange, from accept to the last byte written, at most. */
#define METRICS_HTTP_TIMEOUT_MS		2000
/*
 * Connections served at once. Each holds a descriptor and a request
 * buffer (METRICS_HTTP_MAX_REQUEST), so 32 cost at most 32 descriptors and
 * 256 KiB; a Prometheus setup scrapes from one or a few servers. Beyond
 * it, connections wait in the listen backlog for a free slot (at most
 * METRICS_HTTP_TIMEOUT_MS): a flood of idle clients can delay a scrape by
 * that long, not longer.
 */
#define METRICS_HTTP_MAX_CONNS		32

/*
 * Listen on spec and start the serving thread. A stale socket file at a
 * unix PATH is removed first; a new one gets mode 0660 (the daemon hands
 * it to its user as it does the milter socket). 0, or -1 with e.
 * Call after daemon(3): the thread does not survive a fork.
 */
int	 metrics_http_start(const char *spec, struct err *e);
/* Stop the thread, close the socket, remove a unix socket file. */
void	 metrics_http_stop(void);
/*
 * The whole response to one request head (len bytes, as read: it need not
 * be complete or NUL-terminated): 200 with the metrics for "GET /metrics"
 * in HTTP/1.0 or 1.1, 405 for another method, 404 for another path, 400
 * for anything unreadable. Appended to out; returns the status code.
 */
int	 metrics_http_respond(const char *req, size_t len, struct buf *out);

#endif
