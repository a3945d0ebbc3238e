/* SPDX-License-Identifier: ISC */
/*
 * dns_cache.h - a small answer cache in front of another resolver (a
 * backend of dns.h). libunbound caches too, but each of its answers,
 * cached or not, travels through its worker thread and two pipes: at a
 * handful of lookups per inbound message that cost more CPU than the
 * rest of the message (tests/bench/README). Answers found here are given
 * at once, in the calling thread.
 * What is kept: NOERROR answers for the smallest TTL of their records,
 * NXDOMAIN and NODATA for DNS_CACHE_NEG_TTL seconds (RFC 2308 lets a
 * resolver cap negative caching; the SOA minimum is not passed up to us),
 * all for at most DNS_CACHE_MAX_TTL seconds. SERVFAIL and timeouts are
 * never kept. The DNSSEC state (secure) is kept with the answer.
 * Owner: the cache owns the inner resolver and frees it with itself.
 */
#ifndef INKAN_DNS_CACHE_H
#define INKAN_DNS_CACHE_H

#include "dns.h"

#define DNS_CACHE_SLOTS		4096	/* answers kept at most */
#define DNS_CACHE_MAX_TTL	3600
#define DNS_CACHE_NEG_TTL	60

/* A caching resolver over inner (taken over, also on failure); NULL + e. */
struct dns_resolver *dns_cache_new(struct dns_resolver *inner, struct err *e);

#endif
