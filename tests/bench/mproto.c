/* SPDX-License-Identifier: ISC */
/*
 * mproto.c - the MTA side of the milter protocol (see mproto.h).
 * Reads are buffered (one recv may bring several replies, e.g. the
 * header edits and the final reply of end of message), writes are one
 * writev per packet; the socket has send and receive timeouts so a stuck
 * milter fails the session instead of hanging the run.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mproto.h"

#define RBUF_MIN	(64 * 1024)

static int
fail(struct mconn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct mconn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -1;
}

static int
connect_unix(struct mconn *c, const char *path)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return fail(c, "socket path too long: %s", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return fail(c, "socket: %s", strerror(errno));
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		return fail(c, "connect %s: %s", path, strerror(errno));
	return 0;
}

/* inet:PORT@HOST, the form Sendmail, Postfix and libmilter use. */
static int
connect_inet(struct mconn *c, const char *spec)
{
	struct addrinfo hints, *res, *ai;
	char port[16], host[256];
	const char *at = strchr(spec, '@');
	int rc;

	if (at == NULL || (size_t)(at - spec) >= sizeof(port) ||
	    strlen(at + 1) >= sizeof(host))
		return fail(c, "bad socket %s (want inet:PORT@HOST)", spec);
	memcpy(port, spec, (size_t)(at - spec));
	port[at - spec] = '\0';
	strcpy(host, at + 1);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0)
		return fail(c, "%s: %s", spec, gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((c->fd = socket(ai->ai_family, ai->ai_socktype, 0)) == -1)
			continue;
		if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(c->fd);
		c->fd = -1;
	}
	freeaddrinfo(res);
	if (c->fd == -1)
		return fail(c, "connect %s: %s", spec, strerror(errno));
	return 0;
}

static int
grow(unsigned char **p, size_t *cap, size_t want)
{
	unsigned char *n;
	size_t ncap = *cap > 0 ? *cap : 256;

	if (want <= *cap)
		return 0;
	while (ncap < want)
		ncap *= 2;
	if ((n = realloc(*p, ncap)) == NULL)
		return -1;
	*p = n;
	*cap = ncap;
	return 0;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

int
mconn_send(struct mconn *c, char cmd, const void *data, size_t len)
{
	unsigned char hdr[5];
	struct iovec iov[2];
	size_t left = 5 + len;
	int n = 2;

	if (len >= MPROTO_MAX_REPLY)
		return fail(c, "packet too long");
	put32(hdr, (uint32_t)(len + 1));
	hdr[4] = (unsigned char)cmd;
	iov[0].iov_base = hdr;
	iov[0].iov_len = 5;
	iov[1].iov_base = (void *)(uintptr_t)data;
	iov[1].iov_len = len;
	if (len == 0)
		n = 1;
	while (left > 0) {
		ssize_t w = writev(c->fd, iov, n);
		size_t done;

		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return fail(c, "send '%c': %s", cmd,
			    w == 0 ? "nothing written" : strerror(errno));
		left -= (size_t)w;
		/* a partial write: move the vectors on */
		for (done = (size_t)w; done > 0 && n > 0;) {
			if (done >= iov[0].iov_len) {
				done -= iov[0].iov_len;
				iov[0] = iov[1];
				n--;
			} else {
				iov[0].iov_base = (char *)iov[0].iov_base + done;
				iov[0].iov_len -= done;
				done = 0;
			}
		}
	}
	return 0;
}

int
mconn_macros(struct mconn *c, char cmd, const char *const *names,
    const char *const *values, size_t n)
{
	size_t i, len = 1;
	unsigned char *p;

	for (i = 0; i < n; i++)
		len += strlen(names[i]) + 1 + strlen(values[i]) + 1;
	if (grow(&c->sbuf, &c->scap, len) == -1)
		return fail(c, "out of memory");
	p = c->sbuf;
	*p++ = (unsigned char)cmd;
	for (i = 0; i < n; i++) {
		size_t l = strlen(names[i]) + 1;

		memcpy(p, names[i], l);
		p += l;
		l = strlen(values[i]) + 1;
		memcpy(p, values[i], l);
		p += l;
	}
	return mconn_send(c, 'D', c->sbuf, len);
}

/* Make at least want bytes available in rbuf. */
static int
fill(struct mconn *c, size_t want)
{
	while (c->rlen - c->rpos < want) {
		ssize_t r;

		if (c->rpos > 0) {
			memmove(c->rbuf, c->rbuf + c->rpos, c->rlen - c->rpos);
			c->rlen -= c->rpos;
			c->rpos = 0;
		}
		if (grow(&c->rbuf, &c->rcap, want > RBUF_MIN ? want :
		    RBUF_MIN) == -1)
			return fail(c, "out of memory");
		r = read(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == 0)
			return fail(c, "milter closed the connection");
		if (r == -1)
			return fail(c, "read: %s", errno == EAGAIN ?
			    "timed out" : strerror(errno));
		c->rlen += (size_t)r;
	}
	return 0;
}

int
mconn_read(struct mconn *c, char *cmd, const unsigned char **data,
    size_t *len)
{
	uint32_t n;

	if (fill(c, 4) == -1)
		return -1;
	n = get32(c->rbuf + c->rpos);
	if (n == 0 || n > MPROTO_MAX_REPLY)
		return fail(c, "reply length %u out of range", n);
	if (fill(c, 4 + (size_t)n) == -1)
		return -1;
	*cmd = (char)c->rbuf[c->rpos + 4];
	/* copied out, so that the next fill may move the buffer */
	if (grow(&c->reply, &c->replycap, n) == -1)
		return fail(c, "out of memory");
	memcpy(c->reply, c->rbuf + c->rpos + 5, n - 1);
	c->reply[n - 1] = '\0';
	*data = c->reply;
	*len = n - 1;
	c->rpos += 4 + (size_t)n;
	return 0;
}

bool
mconn_skips(const struct mconn *c, unsigned long flag)
{
	return (c->steps & flag) != 0;
}

int
mconn_open(struct mconn *c, const char *spec, int timeout_s)
{
	struct timeval tv = { timeout_s, 0 };
	unsigned char opt[12];
	const unsigned char *d;
	size_t len;
	char cmd;
	int rc;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (strncmp(spec, "unix:", 5) == 0)
		rc = connect_unix(c, spec + 5);
	else if (strncmp(spec, "local:", 6) == 0)
		rc = connect_unix(c, spec + 6);
	else if (strncmp(spec, "inet:", 5) == 0)
		rc = connect_inet(c, spec + 5);
	else
		rc = connect_unix(c, spec);
	if (rc == -1)
		return -1;
	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1)
		return fail(c, "setsockopt: %s", strerror(errno));
	put32(opt, MPROTO_VERSION);
	put32(opt + 4, MPROTO_ACTIONS);
	put32(opt + 8, MPROTO_STEPS);
	if (mconn_send(c, 'O', opt, sizeof(opt)) == -1 ||
	    mconn_read(c, &cmd, &d, &len) == -1)
		return -1;
	/* more than 12 bytes: the macros it wants per stage; we send ours */
	if (cmd != 'O' || len < 12)
		return fail(c, "bad negotiation reply '%c' (%zu bytes)", cmd, len);
	c->version = get32(d);
	c->actions = get32(d + 4);
	/* the MDS_* bits are about packet sizes, not steps: ignore them */
	c->steps = get32(d + 8) & ~0x70000000UL;
	if (c->version < 2 || c->version > MPROTO_VERSION)
		return fail(c, "milter speaks version %lu", c->version);
	if ((c->steps & ~MPROTO_STEPS) != 0)
		return fail(c, "milter asks for steps we did not offer: %#lx",
		    c->steps);
	return 0;
}

void
mconn_close(struct mconn *c)
{
	if (c->fd != -1)
		close(c->fd);
	free(c->rbuf);
	free(c->reply);
	free(c->sbuf);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}
