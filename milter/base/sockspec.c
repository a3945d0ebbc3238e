/* SPDX-License-Identifier: ISC */
/*
 * sockspec.c - reading and checking the "socket" setting (see sockspec.h).
 * The grammar is libmilter's (its mi_milteropen): after "inet:" or
 * "inet6:" comes a port, then optionally "@" and a host (a name, an
 * address, or an address in brackets); without "@" it listens on every
 * address. Messages here do not repeat the spec: callers put
 * "socket SPEC: " in front.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockspec.h"

/* "1".."65535" and nothing else: libmilter's atoi would take "8894x". */
int
sockspec_parse_port(const char *s, size_t len, unsigned *port)
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
	*port = (unsigned)v;
	return 0;
}

/* A host name as the resolver takes it: letters, digits, '-' and '.'. */
static bool
host_name_ok(const char *h)
{
	size_t i;

	if (*h == '\0' || *h == '-' || *h == '.')
		return false;
	for (i = 0; h[i] != '\0'; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' &&
		    h[i] <= 'Z') || (h[i] >= '0' && h[i] <= '9') ||
		    h[i] == '-' || h[i] == '.'))
			return false;
	return true;
}

/*
 * rest (after "inet:" or "inet6:", no '@') as Postfix writes an address,
 * HOST:PORT or [HOST]:PORT: fill e with the libmilter spelling and return
 * -1; 0 when rest is not of that form.
 */
int
sockspec_postfix_style(const char *rest, bool libmilter, struct err *e)
{
	char host[256];
	const char *colon, *hs, *he;
	unsigned port;
	bool v6;

	if (*rest == '[') {
		if ((he = strstr(rest, "]:")) == NULL)
			return 0;
		hs = rest + 1;
		colon = he + 1;
	} else {
		if ((colon = strrchr(rest, ':')) == NULL)
			return 0;
		hs = rest;
		he = colon;
	}
	if (he == hs || (size_t)(he - hs) >= sizeof(host) ||
	    sockspec_parse_port(colon + 1, strlen(colon + 1), &port) == -1)
		return 0;
	memcpy(host, hs, (size_t)(he - hs));
	host[he - hs] = '\0';
	v6 = strchr(host, ':') != NULL;
	/* what libmilter makes of it: atoi of the text, every address */
	if (libmilter && rest[0] >= '0' && rest[0] <= '9')
		return err_set(e, "that is Postfix's spelling (HOST:PORT); "
		    "libmilter reads PORT@HOST and would listen on port %d of "
		    "every interface: write %s:%u@%s", atoi(rest) & 0xffff,
		    v6 ? "inet6" : "inet", port, host);
	return err_set(e, "that is Postfix's spelling (HOST:PORT); %s reads "
	    "PORT@HOST: write %s:%u@%s", libmilter ? "libmilter" : "inkan",
	    v6 ? "inet6" : "inet", port, host);
}

int
sockspec_parse(const char *spec, struct sockspec *s, struct err *e)
{
	const char *rest, *at, *host;
	size_t hlen;
	unsigned char addr[sizeof(struct in6_addr)];

	memset(s, 0, sizeof(*s));
	if (strncmp(spec, "unix:", 5) == 0 || strncmp(spec, "local:", 6) == 0) {
		rest = strchr(spec, ':') + 1;
		/* the daemon works from / once it has detached */
		if (*rest != '/')
			return err_set(e, "the path must be absolute");
		if (strlcpy(s->path, rest, sizeof(s->path)) >= sizeof(s->path))
			return err_set(e, "the path is longer than %zu bytes",
			    sizeof(s->path) - 1);
		s->family = AF_UNIX;
		return 0;
	}
	if (strncmp(spec, "inet:", 5) == 0) {
		s->family = AF_INET;
		rest = spec + 5;
	} else if (strncmp(spec, "inet6:", 6) == 0) {
		s->family = AF_INET6;
		rest = spec + 6;
	} else
		return err_set(e, "expected unix:PATH, inet:PORT@HOST or "
		    "inet6:PORT@HOST");
	at = strchr(rest, '@');
	if (sockspec_parse_port(rest, at != NULL ? (size_t)(at - rest) : strlen(rest),
	    &s->port) == -1) {
		if (at == NULL && sockspec_postfix_style(rest, true, e) == -1)
			return -1;
		return err_set(e, "expected a port from 1 to 65535, as in "
		    "%s:8894@%s", s->family == AF_INET ? "inet" : "inet6",
		    s->family == AF_INET ? "127.0.0.1" : "::1");
	}
	if (at == NULL)
		return 0;	/* every address, as libmilter does */
	host = at + 1;
	hlen = strlen(host);
	if (*host == '[') {
		if (hlen < 3 || host[hlen - 1] != ']')
			return err_set(e, "an address in brackets lacks its ']'");
		host++;
		hlen -= 2;
	}
	if (hlen == 0)
		return err_set(e, "no host after '@'");
	if (hlen >= sizeof(s->host))
		return err_set(e, "the host is too long");
	memcpy(s->host, host, hlen);
	s->host[hlen] = '\0';
	if (inet_pton(s->family, s->host, addr) == 1)
		return 0;
	if (host != at + 1)	/* libmilter takes only an address in [] */
		return err_set(e, "'%s' is not an IPv%c address", s->host,
		    s->family == AF_INET ? '4' : '6');
	if (!host_name_ok(s->host))
		return err_set(e, "'%s' is not an IPv%c address or a host name",
		    s->host, s->family == AF_INET ? '4' : '6');
	return 0;
}

static int
check_unix(const struct sockspec *s, struct err *e)
{
	char dir[sizeof(s->path)];
	char *slash;
	struct stat st;

	strlcpy(dir, s->path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &st) == -1)
		return err_set(e, "directory %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return err_set(e, "%s: %s", dir, strerror(ENOTDIR));
	if (access(dir, W_OK | X_OK) == -1)
		return err_set(e, "cannot make the socket in %s: %s", dir,
		    strerror(errno));
	if (lstat(s->path, &st) == 0 && !S_ISSOCK(st.st_mode))
		return err_set(e, "%s exists and is not a socket (libmilter "
		    "replaces only a socket)", s->path);
	return 0;
}

/* The addresses of s (AI_PASSIVE: every address for an empty host). */
static int
resolve(const struct sockspec *s, struct addrinfo **res, struct err *e)
{
	struct addrinfo hints;
	char port[8];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = s->family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", s->port);
	if ((rc = getaddrinfo(*s->host != '\0' ? s->host : NULL, port, &hints,
	    res)) != 0)
		return err_set(e, "host %s: %s", s->host, gai_strerror(rc));
	return 0;
}

int
sockspec_check(const struct sockspec *s, struct err *e)
{
	struct addrinfo *res;

	if (s->family == AF_UNIX)
		return check_unix(s, e);
	if (resolve(s, &res, e) == -1)
		return -1;
	freeaddrinfo(res);
	return 0;
}

int
sockspec_probe(const struct sockspec *s, struct err *e)
{
	struct sockaddr_un sun;
	struct addrinfo *res;
	int fd, one = 1, rc = 0;

	if (sockspec_check(s, e) == -1)
		return -1;
	if (s->family == AF_UNIX) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		strlcpy(sun.sun_path, s->path, sizeof(sun.sun_path));
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
			return err_set(e, "socket: %s", strerror(errno));
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
			rc = err_set(e, "%s", strerror(errno));
		else
			(void)unlink(s->path);	/* ours, just made */
		close(fd);
		return rc;
	}
	if (resolve(s, &res, e) == -1)
		return -1;
	if ((fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		rc = err_set(e, "socket: %s", strerror(errno));
	else {
		/* as libmilter does, so only a live listener is in the way */
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		if (bind(fd, res->ai_addr, res->ai_addrlen) == -1)
			rc = err_set(e, "%s", strerror(errno));
		close(fd);
	}
	freeaddrinfo(res);
	return rc;
}

int
sockspec_parse_address(const char *spec, struct sockaddr_storage *ss,
    socklen_t *len, struct err *e)
{
	const char *rest, *at;
	struct err pf;
	in_port_t port;
	unsigned p;
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
	if (at == NULL ||
	    sockspec_parse_port(rest, (size_t)(at - rest), &p) == -1)
		return err_set(e, "%s: expected a port from 1 to 65535, then "
		    "@ADDRESS", spec);
	port = htons((in_port_t)p);
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
