/* SPDX-License-Identifier: ISC */
/*
 * dkim_task.h - DKIM verification of one message with its DNS lookups:
 * the core verifier (which does no DNS) joined to the resolver. The key
 * lookups start at end of headers, all at once, and are collected at end of
 * message, so they run while the body streams and overlap each other.
 * Owner: the transaction; it borrows the header list and the resolver.
 */
#ifndef INKAN_DKIM_TASK_H
#define INKAN_DKIM_TASK_H

#include <stddef.h>
#include <time.h>

#include "dkim_verify.h"
#include "dns.h"
#include "err.h"

struct dkim_task;	/* opaque; defined in dkim_task.c */

/* At end of headers: parse signatures and start the key lookups. */
struct dkim_task *dkim_task_start(const struct hdr_list *,
	    struct dns_resolver *, size_t max_signatures, struct err *e);
int	 dkim_task_body(struct dkim_task *, const unsigned char *, size_t,
	    struct err *e);
/*
 * Collect the answers (waiting at most until deadline, CLOCK_MONOTONIC;
 * what has not come by then is a timeout) and verify at time now.
 */
int	 dkim_task_finish(struct dkim_task *, const struct timespec *deadline,
	    time_t now, struct err *e);
size_t	 dkim_task_count(const struct dkim_task *);
const struct dkim_verdict *dkim_task_verdict(const struct dkim_task *,
	    size_t i);
size_t	 dkim_task_ignored(const struct dkim_task *);
/* DNS queries started, and the most that were in flight at once. */
size_t	 dkim_task_queries(const struct dkim_task *);
size_t	 dkim_task_max_in_flight(const struct dkim_task *);
/*
 * A DNS answer for a key (DKIM's or ARC's) as the verifiers take it: the
 * lookup outcome and, when found, the TXT records as (pointer, length)
 * into r, in two arrays the caller frees (NULL when there are none).
 * A timeout, SERVFAIL or backend error is never "absent". 0, or -1 and e.
 */
struct dns_result;
int	 dkim_task_key_answer(const struct dns_result *r,
	    enum dkim_key_lookup *lk, const char ***txt, size_t **len,
	    size_t *n, struct err *e);
/* Cancels lookups still in flight. NULL does nothing. */
void	 dkim_task_free(struct dkim_task *);

#endif
