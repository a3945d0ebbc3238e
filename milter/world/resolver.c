/* SPDX-License-Identifier: ISC */
/*
 * resolver.c - build the libunbound resolver from the configuration:
 * dns_forwarders (or /etc/resolv.conf), dns_trust_anchor for DNSSEC,
 * dns_timeout per query. The per-message budget (dns_budget) is applied by
 * the transaction as a deadline on each wait. Answers are kept in a
 * small cache in front of libunbound (dns_cache.h): a cached answer then
 * costs no trip through libunbound's threads.
 * Also the counting resolver: a backend (dns.h) that passes every query to
 * another resolver and counts queries, errors and answer times for the
 * metrics, so the core and the DNS backends stay free of them.
 */
#include <stddef.h>

#include "config.h"
#include "dns_cache.h"
#include "dns_unbound.h"
#include "metrics.h"
#include "resolver.h"

struct dns_resolver *
resolver_system(const struct config *c, struct err *e)
{
	struct dns_unbound_opts o = { 0 };

	o.resolv_conf = NULL;
	o.forwarders = (const char *const *)c->dns_forwarders.v;
	o.nforwarders = c->dns_forwarders.n;
	o.trust_anchor_file = *c->dns_trust_anchor != '\0' ?
	    c->dns_trust_anchor : NULL;
	o.query_timeout_ms = (unsigned int)c->dns_timeout;
	return dns_cache_new(dns_unbound_new(&o, e), e);
}

/* ctx is the inner resolver; a query handle is the inner dns_query. */
static void *
counted_start(void *ctx, const char *name, enum dns_type type, struct err *e)
{
	struct dns_query *q = dns_start(ctx, name, type, e);

	if (q != NULL)
		metrics_dns_query();
	else
		metrics_dns_failure();
	return q;
}

static int
counted_wait(void *ctx, void *q, const struct timespec *deadline,
    struct dns_result *out, struct err *e)
{
	int rc = dns_wait(ctx, q, deadline, out, e);

	if (rc == -1)
		metrics_dns_failure();
	else
		metrics_dns_answer(out->status, out->usec);
	return rc;
}

static void
counted_cancel(void *ctx, void *q)
{
	(void)ctx;
	dns_cancel(q);
}

static void
counted_free(void *ctx)
{
	dns_resolver_free(ctx);
}

static const struct dns_backend counted_backend = {
	counted_start, counted_wait, counted_cancel, counted_free,
};

struct dns_resolver *
resolver_counted(struct dns_resolver *inner, struct err *e)
{
	if (inner == NULL)
		return NULL;
	return dns_resolver_new(&counted_backend, inner, e);
}

void
resolver_deadline(unsigned long ms, struct timespec *d)
{
	clock_gettime(CLOCK_MONOTONIC, d);
	d->tv_sec += (time_t)(ms / 1000);
	d->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (d->tv_nsec >= 1000000000L) {
		d->tv_sec++;
		d->tv_nsec -= 1000000000L;
	}
}
