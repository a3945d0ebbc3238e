/* SPDX-License-Identifier: ISC */
/*
 * arc_task.h - ARC for one inbound message (RFC 8617): the core verifier
 * (arc_verify.h, which does no DNS) joined to the resolver, and, when the
 * admin asked for it, the sealer (arc_seal.h) that adds our own ARC Set.
 * Like dkim_task.h: at end of headers the chain is parsed and the key
 * lookups for every instance start at once, in parallel with DKIM's, on
 * the same resolver and key cache; at end of message they are collected
 * within the same DNS deadline. A message with no ARC field costs a scan
 * of the field names and nothing else: no task is made (unless sealing,
 * which needs the body hash of every message).
 * Owner: the transaction; it borrows the header list, the resolver and
 * the sealing key (the world's), all of which outlive the task.
 */
#ifndef INKAN_ARC_TASK_H
#define INKAN_ARC_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "arc_verify.h"
#include "dns.h"
#include "err.h"
#include "hdr.h"

struct arc_task;	/* opaque; defined in arc_task.c */

struct world;

/*
 * At end of headers, with the world's resolver and, when its settings say
 * arc_seal = yes, its sealing key (t= of the Set is now): *out is the
 * task, or NULL when the message has no ARC field and nothing is sealed
 * (nothing to do: the result is none). 0, or -1 and e (no memory, or a
 * sealer that cannot be made).
 */
int	 arc_task_start(struct arc_task **out, const struct hdr_list *,
	    const struct world *w, time_t now, struct err *e);
int	 arc_task_body(struct arc_task *, const unsigned char *, size_t,
	    struct err *e);
/* Collect the key answers (until deadline) and validate at time now. */
int	 arc_task_finish(struct arc_task *, const struct timespec *deadline,
	    time_t now, struct err *e);
const struct arc_result *arc_task_result(const struct arc_task *);
/* Set i (1..result->instances), or NULL. */
const struct arc_instance *arc_task_instance(const struct arc_task *,
	    unsigned i);
/* DNS queries started, and the most in flight at once. */
size_t	 arc_task_queries(const struct arc_task *);
size_t	 arc_task_max_in_flight(const struct arc_task *);
/* Was a sealer started (arc_seal = yes)? */
bool	 arc_task_sealing(const struct arc_task *);
/*
 * After finish: add our Set, its AAR holding ar_payload (our own
 * Authentication-Results value), with the instance and cv= the verifier
 * allows (arc_verifier_may_seal); none when it allows none (the newest
 * AS says cv=fail, or 50 Sets already). 0 (sealed or not: see
 * arc_task_aar), or -1 and e.
 */
int	 arc_task_seal(struct arc_task *, const char *ar_payload,
	    struct err *e);
/* The values of the Set made, or NULL when none was. */
const char *arc_task_aar(const struct arc_task *);
const char *arc_task_ams(const struct arc_task *);
const char *arc_task_as(const struct arc_task *);
/* Cancels lookups still in flight. NULL does nothing. */
void	 arc_task_free(struct arc_task *);

#endif
