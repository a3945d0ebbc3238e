/* SPDX-License-Identifier: ISC */
/*
 * metrics_http.c - the metrics socket (see metrics_http.h).
 * Just enough HTTP/1.1 (RFC 9112) for a scraper: read the request head
 * (request line and fields, up to the empty line), answer, close. No
 * keep-alive ("Connection: close"), no request bodies, no chunking.
 * Each exchange has one deadline; the socket is non-blocking and every
 * read and write waits in poll() for what is left of it. The request head
 * is read whole before answering, so closing never discards unread bytes
 * (which would reset the connection under the client's feet).
 * Ownership: the listening socket and the thread belong to this file,
 * from metrics_http_start to metrics_http_stop.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
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

/* Connections that may wait while one is served. */
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

static int
parse_port(const char *s, size_t len, in_port_t *port)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 5)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*port = htons((in_port_t)v);
	return 0;
}

int
metrics_http_parse(const char *spec, struct sockaddr_storage *ss,
    socklen_t *len, struct err *e)
{
	const char *rest, *at;
	struct err pf;
	in_port_t port;
	bool v6;

	memset(ss, 0, sizeof(*ss));
	if (strncmp(spec, "unix:", 5) == 0 || strncmp(spec, "local:", 6) == 0) {
		struct sockaddr_un *sun = (struct sockaddr_un *)ss;

		rest = spec + (spec[0] == 'u' ? 5 : 6);
		if (*rest != '/')
			return err_set(e, "%s: the path must be absolute",
			    spec);
		if (strlen(rest) >= sizeof(sun->sun_path))
			return err_set(e, "%s: the path is too long", spec);
		sun->sun_family = AF_UNIX;
		strlcpy(sun->sun_path, rest, sizeof(sun->sun_path));
		*len = sizeof(*sun);
		return 0;
	}
	if (strncmp(spec, "inet:", 5) == 0) {
		rest = spec + 5;
		v6 = false;
	} else if (strncmp(spec, "inet6:", 6) == 0) {
		rest = spec + 6;
		v6 = true;
	} else
		return err_set(e, "%s: expected inet:PORT@ADDRESS, "
		    "inet6:PORT@ADDRESS or unix:PATH", spec);
	if ((at = strchr(rest, '@')) == NULL &&
	    sockspec_postfix_style(rest, false, &pf) == -1)
		return err_set(e, "%s: %s", spec, pf.msg);
	if (at == NULL || parse_port(rest, (size_t)(at - rest), &port) == -1)
		return err_set(e, "%s: expected a port from 1 to 65535, then "
		    "@ADDRESS", spec);
	at++;
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, at, &s6->sin6_addr) != 1)
			return err_set(e, "%s: %s is not an IPv6 address", spec,
			    at);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = port;
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		if (strcmp(at, "localhost") == 0)
			at = "127.0.0.1";
		if (inet_pton(AF_INET, at, &s4->sin_addr) != 1)
			return err_set(e, "%s: %s is not an IPv4 address", spec,
			    at);
		s4->sin_family = AF_INET;
		s4->sin_port = port;
		*len = sizeof(*s4);
	}
	return 0;
}

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
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

/* Wait for events on fd until deadline: 1 ready, 0 timed out or failed. */
static int
await(int fd, short events, const struct timespec *deadline)
{
	struct pollfd p;
	int ms, r;

	for (;;) {
		if ((ms = ms_left(deadline)) == 0)
			return 0;
		p.fd = fd;
		p.events = events;
		p.revents = 0;
		if ((r = poll(&p, 1, ms)) == -1 && errno == EINTR)
			continue;
		return r == 1 ? 1 : 0;
	}
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
 * After the answer: say we are done (FIN) and read what the client still
 * sends (the rest of a request head we refused) until it closes or the
 * deadline, so closing does not reset the connection and throw away the
 * answer before the client has read it (RFC 9112 9.6).
 */
static void
linger(int fd, const struct timespec *deadline)
{
	char sink[4096];
	ssize_t r;

	if (shutdown(fd, SHUT_WR) == -1)
		return;
	for (;;) {
		r = recv(fd, sink, sizeof(sink), 0);
		if (r > 0 || (r == -1 && errno == EINTR))
			continue;
		if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) ||
		    await(fd, POLLIN, deadline) == 0)
			return;
	}
}

/* One exchange on fd (non-blocking), within METRICS_HTTP_TIMEOUT_MS. */
static void
serve_one(int fd)
{
	char req[METRICS_HTTP_MAX_REQUEST];
	struct buf out = BUF_INIT;
	struct timespec deadline;
	size_t n = 0, off = 0;
	ssize_t r;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += METRICS_HTTP_TIMEOUT_MS / 1000;
	deadline.tv_nsec += (long)(METRICS_HTTP_TIMEOUT_MS % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	while (!head_done(req, n)) {
		if (n == sizeof(req)) {
			error_reply(&out, 431,
			    "Request Header Fields Too Large", "");
			break;
		}
		r = recv(fd, req + n, sizeof(req) - n, 0);
		if (r > 0) {
			n += (size_t)r;
			continue;
		}
		if (r == 0)
			break;	/* the client is done sending: answer that */
		if (errno == EINTR)
			continue;
		if ((errno != EAGAIN && errno != EWOULDBLOCK) ||
		    await(fd, POLLIN, &deadline) == 0)
			return;	/* gone, or too slow: no answer */
	}
	if (out.len == 0)
		metrics_http_respond(req, n, &out);
	while (off < out.len && !buf_failed(&out)) {
		r = send(fd, out.data + off, out.len - off, MSG_NOSIGNAL);
		if (r > 0) {
			off += (size_t)r;
			continue;
		}
		if (r == -1 && errno == EINTR)
			continue;
		if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) ||
		    await(fd, POLLOUT, &deadline) == 0)
			break;
	}
	buf_free(&out);
	linger(fd, &deadline);
}

static void *
serve(void *arg)
{
	struct pollfd p[2];
	struct timespec pause = { 0, 100 * 1000000L };
	int fd;

	(void)arg;
	for (;;) {
		p[0].fd = srv.wake[0];
		p[0].events = POLLIN;
		p[0].revents = 0;
		p[1].fd = srv.fd;
		p[1].events = POLLIN;
		p[1].revents = 0;
		if (poll(p, 2, -1) == -1) {
			if (errno != EINTR)
				nanosleep(&pause, NULL);	/* no busy loop */
			continue;
		}
		if (p[0].revents != 0)
			break;
		if (p[1].revents == 0)
			continue;
		fd = accept4(srv.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			/* out of descriptors: let some close before retrying */
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				nanosleep(&pause, NULL);
			continue;
		}
		serve_one(fd);
		close(fd);
	}
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
	if (metrics_http_parse(spec, &ss, &len, e) == -1)
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
