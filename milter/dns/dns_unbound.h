/* SPDX-License-Identifier: ISC */
/*
 * dns_unbound.h - the production resolver backend, on libunbound.
 * Returns a struct dns_resolver (dns.h) whose lookups run concurrently:
 * any number of threads may start queries at once, and one thread may
 * have several outstanding (a message starts its DKIM key and DMARC
 * lookups at end of headers and waits for them at end of message).
 *
 * Configuration is only what is passed here: libunbound never reads an
 * unbound.conf or /etc/hosts. Nameservers come from forwarders if any are
 * given, else from a resolv.conf file; with neither, libunbound recurses
 * from the root itself.
 *
 * Ownership: the caller owns the resolver (dns_resolver_free) and keeps
 * the options only for the duration of the call (strings are copied by
 * libunbound). No logging: libunbound's own log output is switched off.
 *
 * Threads: the resolver starts a thread of its own (and libunbound
 * another) on the first query, not here, so a daemon may create the
 * resolver before it forks into the background.
 */
#ifndef INKAN_DNS_UNBOUND_H
#define INKAN_DNS_UNBOUND_H

#include <stddef.h>

#include "dns.h"

struct err;
struct ub_result;

/* The per-query timeout when the options give 0. */
#define DNS_UNBOUND_DEFAULT_TIMEOUT_MS	5000

struct dns_unbound_opts {
	/* NULL: /etc/resolv.conf; "": none. Ignored when forwarders given. */
	const char		*resolv_conf;
	/*
	 * IP addresses of recursive resolvers to forward to, each with an
	 * optional "@port" ("192.0.2.1", "2001:db8::1@5353"); they override
	 * resolv_conf. Later ones are backups.
	 */
	const char *const	*forwarders;
	size_t			 nforwarders;
	/* DS/DNSKEY records in zone-file format; NULL: no validation. */
	const char		*trust_anchor_file;
	/*
	 * Per query, from dns_start(); the earlier of this and the deadline
	 * given to dns_wait() ends the query with DNS_TIMEOUT. 0: the
	 * default above.
	 */
	unsigned int		 query_timeout_ms;
	/*
	 * For tests: records in zone-file text ("example.com. 300 IN TXT
	 * \"v=spf1 -all\""), answered locally (ub_ctx_data_add), and zone
	 * names made "static" local zones (ub_ctx_zone_add): a name under
	 * one that has no local data is NXDOMAIN, never asked upstream.
	 */
	const char *const	*local_data;
	size_t			 nlocal_data;
	const char *const	*local_zones;
	size_t			 nlocal_zones;
};

/*
 * A resolver on libunbound configured by opts (NULL: all defaults), or
 * NULL with e filled (a bad forwarder address or local record, an
 * unreadable resolv.conf or trust anchor file, no memory).
 *
 * Answers: NXDOMAIN and NODATA as the resolver reports them; SERVFAIL for
 * a resolver failure, any other rcode, a DNSSEC-bogus answer and an
 * answer whose rdata does not parse (a TXT length byte past the end of
 * the rdata, a name with bytes that have no plain text form: anything
 * outside '!'..'~', or a '.' or '\' inside a label). secure is set only
 * for answers validated with the trust anchor. CNAMEs are followed by
 * libunbound; the records are those of the asked type at the chain's
 * end, all with the answer's TTL (libunbound gives one TTL per answer).
 */
struct dns_resolver *dns_unbound_new(const struct dns_unbound_opts *opts,
	    struct err *e);

/*
 * How an answer is mapped, for the callback, tests and fuzzing: turn
 * libunbound's err and result (read only; NULL if err is set) for a query
 * of type into out (initialised by the caller), as described above.
 * Returns 0, or -1 when out of memory; either way the caller frees out
 * with dns_result_free.
 */
int	 dns_unbound_answer(enum dns_type type, int err,
	    const struct ub_result *res, struct dns_result *out);

#endif
