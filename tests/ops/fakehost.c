/* SPDX-License-Identifier: ISC */
/*
 * fakehost.c - an LD_PRELOAD shim for check_authserv_id.sh: this host's
 * name and what the resolver says of it, without touching /etc/hosts,
 * /etc/resolv.conf or the network (a mount namespace would, but cannot be
 * made in a chroot such as CI's).
 *   FAKEHOST_NAME=N     gethostname() answers N
 *   FAKEHOST_CANON=C    getaddrinfo(N) answers 127.0.0.1 with canonical name C
 *   FAKEHOST_HANG=S     getaddrinfo(N) answers EAI_AGAIN after S seconds, as
 *                       a resolver that never answers does
 * Every other name goes to the C library. Test code only; never installed.
 */
#define _GNU_SOURCE
#include <sys/socket.h>

#include <dlfcn.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int	gethostname(char *, size_t);
int	getaddrinfo(const char *, const char *, const struct addrinfo *,
	    struct addrinfo **);

int
gethostname(char *name, size_t len)
{
	const char *n = getenv("FAKEHOST_NAME");

	if (n == NULL || len == 0 || strlen(n) >= len)
		return -1;
	memcpy(name, n, strlen(n) + 1);
	return 0;
}

int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	int (*real)(const char *, const char *, const struct addrinfo *,
	    struct addrinfo **);
	const char *n = getenv("FAKEHOST_NAME"), *c, *h;
	struct addrinfo plain;
	int rc;

	real = (int (*)(const char *, const char *, const struct addrinfo *,
	    struct addrinfo **))dlsym(RTLD_NEXT, "getaddrinfo");
	if (real == NULL)
		return EAI_SYSTEM;
	if (node == NULL || n == NULL || strcasecmp(node, n) != 0)
		return real(node, service, hints, res);
	if ((h = getenv("FAKEHOST_HANG")) != NULL) {
		sleep((unsigned)atoi(h));
		return EAI_AGAIN;
	}
	if ((c = getenv("FAKEHOST_CANON")) == NULL)
		return EAI_NONAME;
	memset(&plain, 0, sizeof(plain));
	plain.ai_family = AF_INET;
	plain.ai_socktype = SOCK_STREAM;
	plain.ai_flags = AI_NUMERICHOST;
	if ((rc = real("127.0.0.1", service, &plain, res)) != 0)
		return rc;
	/* the C library's freeaddrinfo() frees ai_canonname with free() */
	(*res)->ai_canonname = strdup(c);
	return 0;
}
