/* SPDX-License-Identifier: ISC */
/*
 * resolver.h - the production resolver a configuration asks for.
 */
#ifndef INKAN_RESOLVER_H
#define INKAN_RESOLVER_H

#include <time.h>

#include "dns.h"
#include "err.h"

struct config;

/*
 * The system resolver for c (dns_forwarders or resolv.conf, DNSSEC with
 * dns_trust_anchor, dns_timeout per query). NULL with e on failure.
 */
struct dns_resolver *resolver_system(const struct config *c,
	    struct err *e);

/*
 * A resolver that asks inner and counts every query for the metrics
 * (metrics.h): queries, timeouts, SERVFAILs, resolver errors and answer
 * times. Takes inner, also on failure (NULL with e; inner is then freed);
 * NULL inner gives NULL, so calls can be chained.
 */
struct dns_resolver *resolver_counted(struct dns_resolver *inner,
	    struct err *e);

/*
 * Now plus ms (a message's dns_budget), on the monotonic clock: the
 * deadline every lookup of the message shares.
 */
void	 resolver_deadline(unsigned long ms, struct timespec *d);

#endif
