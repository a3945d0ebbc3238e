/* SPDX-License-Identifier: ISC */
/*
 * dkim_check.h - DKIM verification of one message with its DNS lookups:
 * the core verifier (which does no DNS) joined to the resolver. The key
 * lookups start at end of headers, all at once, and are collected at end of
 * message, so they run while the body streams and overlap each other.
 * Owner: the transaction; it borrows the header list and the resolver.
 */
#ifndef INKAN_DKIM_CHECK_H
#define INKAN_DKIM_CHECK_H

#include <stddef.h>
#include <time.h>

#include "dkim_verify.h"
#include "dns.h"
#include "err.h"

struct dkim_check;	/* opaque; defined in dkim_check.c */

/* At end of headers: parse signatures and start the key lookups. */
struct dkim_check *dkim_check_start(const struct hdr_list *,
	    struct dns_resolver *, size_t max_signatures, struct err *e);
int	 dkim_check_body(struct dkim_check *, const unsigned char *, size_t,
	    struct err *e);
/*
 * Collect the answers (waiting at most until deadline, CLOCK_MONOTONIC;
 * what has not come by then is a timeout) and verify at time now.
 */
int	 dkim_check_finish(struct dkim_check *, const struct timespec *deadline,
	    time_t now, struct err *e);
size_t	 dkim_check_count(const struct dkim_check *);
const struct dkim_verdict *dkim_check_verdict(const struct dkim_check *,
	    size_t i);
size_t	 dkim_check_ignored(const struct dkim_check *);
/* DNS queries started, and the most that were in flight at once. */
size_t	 dkim_check_queries(const struct dkim_check *);
size_t	 dkim_check_max_in_flight(const struct dkim_check *);
/* Cancels lookups still in flight. NULL does nothing. */
void	 dkim_check_free(struct dkim_check *);

#endif
