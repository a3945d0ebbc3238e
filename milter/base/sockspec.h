/* SPDX-License-Identifier: ISC */
/*
 * sockspec.h - the "socket" setting: libmilter's connection spec
 * (smfi_setconn: unix:PATH, local:PATH, inet:PORT[@HOST],
 * inet6:PORT[@HOST]) read the way libmilter reads it, so that what
 * libmilter would misread is refused at load time with the right
 * spelling. Postfix writes the same address the other way round
 * (inet:HOST:PORT); libmilter takes that for port HOST's first number
 * on every interface, which is why it is refused here.
 */
#ifndef INKAN_SOCKSPEC_H
#define INKAN_SOCKSPEC_H

#include <sys/socket.h>
#include <sys/un.h>

#include <stdbool.h>

#include "err.h"

struct sockspec {
	int	 family;		/* AF_UNIX, AF_INET or AF_INET6 */
	char	 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char	 host[256];		/* inet: "" for every address */
	unsigned port;			/* inet: 1 to 65535 */
};

/*
 * Read spec. 0, or -1 with e saying what is wrong and, for a Postfix-style
 * inet:HOST:PORT, how to write it. Reads no file and asks no resolver.
 */
int	 sockspec_parse(const char *spec, struct sockspec *, struct err *e);
/* A port of len bytes at s: "1".."65535", digits only; 0 and *port, or -1. */
int	 sockspec_parse_port(const char *s, size_t len, unsigned *port);
/*
 * rest (what follows "inet:" or "inet6:") in Postfix's HOST:PORT or
 * [HOST]:PORT: -1 with e saying so and giving the PORT@HOST spelling
 * (and, for libmilter's socket, what libmilter would make of it); 0 when
 * it is not of that form. Also for metrics_socket, of the same syntax.
 */
int	 sockspec_postfix_style(const char *rest, bool libmilter,
	    struct err *e);
/*
 * What can be known without binding (for -n and before the start): a unix
 * socket's directory exists and may be written, a file already there is a
 * socket (libmilter replaces nothing else); an inet host resolves. 0, or
 * -1 with e saying why libmilter would fail.
 */
int	 sockspec_check(const struct sockspec *, struct err *e);
/*
 * After libmilter failed to listen (it logs only to syslog): bind a socket
 * of our own to the same address to learn why (EADDRINUSE, EACCES, ...).
 * 0 when the bind works now, or -1 with e holding the reason.
 */
int	 sockspec_probe(const struct sockspec *, struct err *e);

/*
 * Parse spec: "inet:PORT@ADDRESS" (an IPv4 address or "localhost"),
 * "inet6:PORT@ADDRESS" (an IPv6 address) or "unix:PATH" ("local:PATH"),
 * the forms of the milter socket, for metrics_socket. Fills *ss and *len;
 * 0, or -1 with e. No name is looked up: the address is numeric.
 */
int	 sockspec_parse_address(const char *spec, struct sockaddr_storage *ss,
	    socklen_t *len, struct err *e);

#endif
