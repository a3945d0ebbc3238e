/* SPDX-License-Identifier: ISC */
/*
 * metrics_http.c - the metrics socket (see metrics_http.h).
 * Just enough HTTP/1.1 (RFC 9112) for a scraper: read the request head
 * (request line and fields, up to the empty line), answer, close. No
 * keep-alive ("Connection: close"), no request bodies, no chunking.
 * One thread serves up to METRICS_HTTP_MAX_CONNS connections at once with
 * one poll() loop: each connection is non-blocking, has its own state and
 * one deadline, so an idle or slow client only ever holds its own slot.
 * The request head is read whole before answering, so closing never
 * discards unread bytes (which would reset the connection under the
 * client's feet).
 * libmicrohttpd would do the same; this loop is small enough to keep, and
 * keeps the exact replies the tests hold it to.
 * Ownership: the listening socket and the thread belong to this file,
 * from metrics_http_start to metrics_http_stop.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"
#include "metrics_http.h"
#include "sockspec.h"

/* Connections that may wait for a free slot (METRICS_HTTP_MAX_CONNS). */
#define METRICS_HTTP_BACKLOG	16
/* The exposition format's version is part of the media type. */
#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

static struct {
	int		 fd;		/* listening socket, -1 if none */
	int		 wake[2];	/* a byte on wake[1] stops the thread */
	bool		 running;
	pthread_t	 thread;
	char		 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
} srv = { -1, { -1, -1 }, false, 0, "" };

/* The status line and fields of a response, then its body. */
static int
reply(struct buf *out, int code, const char *reason, const char *extra,
    const struct buf *body)
{
	buf_printf(out, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "Connection: close\r\n"
	    "%s\r\n", code, reason,
	    code == 200 ? METRICS_CONTENT_TYPE : "text/plain; charset=utf-8",
	    body->len, extra);
	buf_add(out, buf_str(body), body->len);
	return code;
}

static int
error_reply(struct buf *out, int code, const char *reason, const char *extra)
{
	struct buf body = BUF_INIT;
	int rc;

	buf_printf(&body, "%d %s\n", code, reason);
	rc = reply(out, code, reason, extra, &body);
	buf_free(&body);
	return rc;
}

/* Does the view [p, p+len) equal the C string s? */
static bool
is(const char *p, size_t len, const char *s)
{
	return strlen(s) == len && memcmp(p, s, len) == 0;
}

int
metrics_http_respond(const char *req, size_t len, struct buf *out)
{
	const char *eol, *sp1, *sp2, *target, *q;
	struct buf body = BUF_INIT;
	size_t tlen;
	int rc;

	/* RFC 9112 3: method SP request-target SP HTTP-version CRLF */
	if ((eol = memchr(req, '\n', len)) == NULL)
		return error_reply(out, 400, "Bad Request", "");
	if (eol > req && eol[-1] == '\r')
		eol--;
	if ((sp1 = memchr(req, ' ', (size_t)(eol - req))) == NULL ||
	    (sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1))) == NULL ||
	    memchr(sp2 + 1, ' ', (size_t)(eol - sp2 - 1)) != NULL)
		return error_reply(out, 400, "Bad Request", "");
	if (!is(sp2 + 1, (size_t)(eol - sp2 - 1), "HTTP/1.1") &&
	    !is(sp2 + 1, (size_t)(eol - sp2 - 1), "HTTP/1.0"))
		return error_reply(out, 400, "Bad Request", "");
	if (!is(req, (size_t)(sp1 - req), "GET"))
		return error_reply(out, 405, "Method Not Allowed",
		    "Allow: GET\r\n");
	/* the path alone counts; a query string is ignored */
	target = sp1 + 1;
	tlen = (size_t)(sp2 - target);
	if ((q = memchr(target, '?', tlen)) != NULL)
		tlen = (size_t)(q - target);
	if (!is(target, tlen, "/metrics"))
		return error_reply(out, 404, "Not Found", "");
	metrics_render(&body);
	if (buf_failed(&body)) {
		buf_free(&body);
		return error_reply(out, 500, "Internal Server Error", "");
	}
	rc = reply(out, 200, "OK", "", &body);
	buf_free(&body);
	return rc;
}

/* Milliseconds left until deadline (CLOCK_MONOTONIC), 0 if none. */
static int
ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec + 999999) / 1000000;
	if (ms > INT_MAX)
		ms = INT_MAX;
	return ms > 0 ? (int)ms : 0;
}

/* The end of the request head (an empty line) within n bytes? */
static bool
head_done(const char *p, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (p[i] == '\n' && (p[i - 1] == '\n' ||
		    (i >= 2 && p[i - 1] == '\r' && p[i - 2] == '\n')))
			return true;
	return false;
}

/*
 * One connection. The states follow one exchange: read the request head,
 * write the answer, then linger: say we are done (FIN) and read what the
 * client still sends (the rest of a request head we refused) until it
 * closes, so closing does not reset the connection and throw away the
 * answer before the client has read it (RFC 9112 9.6). Every state ends
 * at the connection's one deadline, METRICS_HTTP_TIMEOUT_MS after accept.
 */
enum conn_state { CONN_READ, CONN_WRITE, CONN_LINGER, CONN_DONE };

struct conn {
	int		 fd;
	enum conn_state	 state;
	struct timespec	 deadline;
	size_t		 n;		/* bytes of req read */
	size_t		 off;		/* bytes of out written */
	struct buf	 out;
	char		 req[METRICS_HTTP_MAX_REQUEST];
};

/* Read what there is; answer once the head is whole (or can never be). */
static void
conn_read(struct conn *c)
{
	ssize_t r;

	while (!head_done(c->req, c->n)) {
		if (c->n == sizeof(c->req)) {
			error_reply(&c->out, 431,
			    "Request Header Fields Too Large", "");
			break;
		}
		r = recv(c->fd, c->req + c->n, sizeof(c->req) - c->n, 0);
		if (r > 0) {
			c->n += (size_t)r;
			continue;
		}
		if (r == 0)
			break;	/* the client is done sending: answer that */
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			c->state = CONN_DONE;	/* gone: no answer */
		return;	/* wait for more, until the deadline */
	}
	if (c->out.len == 0)
		metrics_http_respond(c->req, c->n, &c->out);
	c->state = buf_failed(&c->out) ? CONN_DONE : CONN_WRITE;
}

static void
conn_write(struct conn *c)
{
	ssize_t r;

	while (c->off < c->out.len) {
		r = send(c->fd, c->out.data + c->off, c->out.len - c->off,
		    MSG_NOSIGNAL);
		if (r > 0) {
			c->off += (size_t)r;
			continue;
		}
		if (r == -1 && errno == EINTR)
			continue;
		if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			c->state = CONN_DONE;
		return;
	}
	buf_free(&c->out);
	c->state = shutdown(c->fd, SHUT_WR) == -1 ? CONN_DONE : CONN_LINGER;
}

static void
conn_linger(struct conn *c)
{
	char sink[4096];
	ssize_t r;

	for (;;) {
		r = recv(c->fd, sink, sizeof(sink), 0);
		if (r > 0 || (r == -1 && errno == EINTR))
			continue;
		if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			c->state = CONN_DONE;
		return;
	}
}

/* Go as far as the socket lets: each step may lead to the next. */
static void
conn_step(struct conn *c)
{
	enum conn_state was;

	do {
		was = c->state;
		switch (c->state) {
		case CONN_READ:
			conn_read(c);
			break;
		case CONN_WRITE:
			conn_write(c);
			break;
		case CONN_LINGER:
			conn_linger(c);
			break;
		case CONN_DONE:
			break;
		}
	} while (c->state != was && c->state != CONN_DONE);
}

static void
conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	buf_free(&c->out);
	free(c);
}

static struct conn *
conn_new(int fd)
{
	struct conn *c;

	if ((c = malloc(sizeof(*c))) == NULL)
		return NULL;
	c->fd = fd;
	c->state = CONN_READ;
	c->n = c->off = 0;
	buf_init(&c->out);
	clock_gettime(CLOCK_MONOTONIC, &c->deadline);
	c->deadline.tv_sec += METRICS_HTTP_TIMEOUT_MS / 1000;
	c->deadline.tv_nsec += (long)(METRICS_HTTP_TIMEOUT_MS % 1000) *
	    1000000L;
	if (c->deadline.tv_nsec >= 1000000000L) {
		c->deadline.tv_sec++;
		c->deadline.tv_nsec -= 1000000000L;
	}
	return c;
}

/* Take the waiting connections, as many as there are free slots. */
static void
accept_some(struct conn **conns, size_t *nconns)
{
	struct timespec pause = { 0, 100 * 1000000L };
	struct conn *c;
	int fd;

	while (*nconns < METRICS_HTTP_MAX_CONNS) {
		fd = accept4(srv.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			/* out of descriptors: let some close before retrying */
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				nanosleep(&pause, NULL);
			return;
		}
		if ((c = conn_new(fd)) == NULL) {
			close(fd);
			nanosleep(&pause, NULL);
			return;
		}
		conns[(*nconns)++] = c;
		conn_step(c);	/* a request that came with the SYN's ACK */
	}
}

/*
 * The serving loop: every connection has its own state and deadline, and
 * one poll() waits for all of them, so an idle or slow client holds one
 * slot until its deadline and nobody else waits for it. At
 * METRICS_HTTP_MAX_CONNS the listening socket is left out of the poll:
 * newcomers wait in the backlog until a slot is free.
 */
static void *
serve(void *arg)
{
	struct pollfd p[2 + METRICS_HTTP_MAX_CONNS];
	struct conn *conns[METRICS_HTTP_MAX_CONNS];
	struct timespec pause = { 0, 100 * 1000000L };
	size_t nconns = 0, np, i, j;
	int timeout, ms;

	(void)arg;
	for (;;) {
		p[0].fd = srv.wake[0];
		p[0].events = POLLIN;
		p[1].fd = nconns < METRICS_HTTP_MAX_CONNS ? srv.fd : -1;
		p[1].events = POLLIN;
		timeout = -1;
		for (i = 0, np = 2; i < nconns; i++, np++) {
			p[np].fd = conns[i]->fd;
			p[np].events = conns[i]->state == CONN_WRITE ? POLLOUT :
			    POLLIN;
			ms = ms_left(&conns[i]->deadline);
			if (timeout == -1 || ms < timeout)
				timeout = ms;
		}
		for (i = 0; i < np; i++)
			p[i].revents = 0;
		if (poll(p, (nfds_t)np, timeout) == -1) {
			if (errno != EINTR)
				nanosleep(&pause, NULL);	/* no busy loop */
			continue;
		}
		if (p[0].revents != 0)
			break;
		for (i = 0; i < nconns; i++) {
			if (p[2 + i].revents != 0)
				conn_step(conns[i]);
			/* too slow, or done: no answer, or no more */
			if (conns[i]->state != CONN_DONE &&
			    ms_left(&conns[i]->deadline) == 0)
				conns[i]->state = CONN_DONE;
		}
		for (i = j = 0; i < nconns; i++) {
			if (conns[i]->state == CONN_DONE)
				conn_free(conns[i]);
			else
				conns[j++] = conns[i];
		}
		nconns = j;
		if (p[1].revents != 0)
			accept_some(conns, &nconns);
	}
	for (i = 0; i < nconns; i++)
		conn_free(conns[i]);
	return NULL;
}

static void
cleanup(void)
{
	if (srv.fd != -1)
		close(srv.fd);
	if (srv.wake[0] != -1)
		close(srv.wake[0]);
	if (srv.wake[1] != -1)
		close(srv.wake[1]);
	if (srv.path[0] != '\0')
		(void)unlink(srv.path);
	srv.fd = srv.wake[0] = srv.wake[1] = -1;
	srv.path[0] = '\0';
}

int
metrics_http_start(const char *spec, struct err *e)
{
	struct sockaddr_storage ss;
	struct stat st;
	sigset_t all, old;
	socklen_t len;
	int one = 1, rc;

	if (srv.running)
		return err_set(e, "metrics: already listening");
	if (sockspec_parse_address(spec, &ss, &len, e) == -1)
		return -1;
	if (pipe2(srv.wake, O_CLOEXEC) == -1)
		return err_set(e, "metrics: pipe: %s", strerror(errno));
	if ((srv.fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		rc = errno;
		cleanup();
		return err_set(e, "metrics: socket: %s", strerror(rc));
	}
	if (ss.ss_family == AF_UNIX) {
		const char *path = ((struct sockaddr_un *)&ss)->sun_path;

		/* a socket left by a previous run; anything else stays */
		if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			(void)unlink(path);
	} else
		(void)setsockopt(srv.fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
	if (bind(srv.fd, (struct sockaddr *)&ss, len) == -1) {
		rc = errno;
		cleanup();
		return err_set(e, "metrics: cannot listen on %s: %s", spec,
		    strerror(rc));
	}
	if (ss.ss_family == AF_UNIX) {
		strlcpy(srv.path, ((struct sockaddr_un *)&ss)->sun_path,
		    sizeof(srv.path));
		if (chmod(srv.path, 0660) == -1) {
			rc = errno;
			cleanup();
			return err_set(e, "metrics: chmod %s: %s", spec,
			    strerror(rc));
		}
	}
	if (listen(srv.fd, METRICS_HTTP_BACKLOG) == -1) {
		rc = errno;
		cleanup();
		return err_set(e, "metrics: listen on %s: %s", spec,
		    strerror(rc));
	}
	/* signals are for the daemon's own threads, not this one */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&srv.thread, NULL, serve, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		cleanup();
		return err_set(e, "metrics: cannot start a thread: %s",
		    strerror(rc));
	}
	srv.running = true;
	return 0;
}

void
metrics_http_stop(void)
{
	ssize_t w;

	if (!srv.running)
		return;
	do
		w = write(srv.wake[1], "x", 1);
	while (w == -1 && errno == EINTR);
	pthread_join(srv.thread, NULL);
	srv.running = false;
	cleanup();
}
