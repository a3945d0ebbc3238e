/* SPDX-License-Identifier: ISC */
/*
 * fqdn.c - this host's fully qualified name (see fqdn.h).
 */
#include <sys/socket.h>

#include <ctype.h>
#include <netdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fqdn.h"

/*
 * The canonical name of this host, looked up once per process on a thread
 * of its own: with /etc/hosts lacking the name, getaddrinfo() asks DNS,
 * and a resolver that does not answer would hold up every start, reload
 * and -n for its whole retry cycle (seen: a fresh chroot with no network).
 * fqdn_default waits at most AUTHSERV_LOOKUP_MS for it the first
 * time and never again; an answer that comes later serves later reloads.
 */
#define AUTHSERV_LOOKUP_MS	2000

static struct {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	bool		 started, done, waited;
	char		 name[256];	/* the FQDN found, or "" */
} fqdn = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
    false, false, false, "" };

static void *
fqdn_lookup(void *arg)
{
	struct addrinfo hints, *res = NULL;
	char *host = arg;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_CANONNAME;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		res = NULL;
	pthread_mutex_lock(&fqdn.mu);
	if (res != NULL && res->ai_canonname != NULL &&
	    strchr(res->ai_canonname, '.') != NULL)
		strlcpy(fqdn.name, res->ai_canonname, sizeof(fqdn.name));
	fqdn.done = true;
	pthread_cond_broadcast(&fqdn.cv);
	pthread_mutex_unlock(&fqdn.mu);
	if (res != NULL)
		freeaddrinfo(res);
	free(host);
	return NULL;
}

void
fqdn_default(char *host, size_t len)
{
	struct timespec until;
	pthread_t th;
	char *copy;

	if (gethostname(host, len) == -1)
		strlcpy(host, "localhost", len);
	host[len - 1] = '\0';
	if (strchr(host, '.') != NULL)
		return;
	pthread_mutex_lock(&fqdn.mu);
	if (!fqdn.started) {
		fqdn.started = true;
		if ((copy = strdup(host)) == NULL ||
		    pthread_create(&th, NULL, fqdn_lookup, copy) != 0) {
			free(copy);
			fqdn.done = true;
		} else
			pthread_detach(th);
	}
	if (!fqdn.done && !fqdn.waited) {
		fqdn.waited = true;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += AUTHSERV_LOOKUP_MS / 1000;
		until.tv_nsec += (AUTHSERV_LOOKUP_MS % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!fqdn.done && pthread_cond_timedwait(&fqdn.cv,
		    &fqdn.mu, &until) == 0)
			;
	}
	if (fqdn.done && fqdn.name[0] != '\0')
		strlcpy(host, fqdn.name, len);
	pthread_mutex_unlock(&fqdn.mu);
}

bool
fqdn_usable(const char *s)
{
	size_t len = s != NULL ? strlen(s) : 0, i;

	if (len == 0 || len > 254 || s[0] == '.')
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '.' && s[i] != '_')
			return false;
	return true;
}
