/* SPDX-License-Identifier: ISC */
/*
 * resolver.c - build the libunbound resolver from the configuration.
 * TEMPORARY: until the libunbound backend lands, there is no system
 * resolver and every lookup is a temporary failure (temperror, never a
 * pass); dns_zone_file works.
 */
#include <stddef.h>

#include "config.h"
#include "resolver.h"

static void *
none_start(void *ctx, const char *name, enum dns_type t, struct err *e)
{
	(void)ctx;
	(void)name;
	(void)t;
	err_set(e, "no system resolver yet");
	return NULL;
}

static int
none_wait(void *ctx, void *q, const struct timespec *d, struct dns_result *out,
    struct err *e)
{
	(void)ctx;
	(void)q;
	(void)d;
	(void)e;
	out->status = DNS_SERVFAIL;
	return 0;
}

static void
none_cancel(void *ctx, void *q)
{
	(void)ctx;
	(void)q;
}

static void
none_free(void *ctx)
{
	(void)ctx;
}

static const struct dns_backend none_backend = {
	none_start, none_wait, none_cancel, none_free,
};

struct dns_resolver *
dns_system_resolver(const struct config *c, struct err *e)
{
	static int token;

	(void)c;
	return dns_resolver_new(&none_backend, &token, e);
}
