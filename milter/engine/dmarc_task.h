/* SPDX-License-Identifier: ISC */
/*
 * dmarc_task.h - DMARC for one message (RFC 9989): policy discovery by the
 * DNS tree walk (or the PSL) runs in a worker thread from the end of the
 * headers, when the RFC 5322.From domain is known; at end of message the
 * SPF and DKIM results are joined to it (organizational domains of the
 * SPF and DKIM domains looked up as needed) and evaluated.
 * Owner: the transaction; the resolver and PSL are borrowed from the config.
 */
#ifndef INKAN_DMARC_TASK_H
#define INKAN_DMARC_TASK_H

#include <stddef.h>
#include <time.h>

#include "dmarc.h"
#include "err.h"

struct dmarc_task;	/* opaque; defined in dmarc_task.c */

struct dmarc_task *dmarc_task_start(struct dns_resolver *,
	    const char *from_domain, enum dmarc_discovery,
	    const struct psl_ctx_st *psl, const struct timespec *deadline,
	    struct err *e);
/*
 * Wait for discovery and evaluate with the MAIL FROM SPF result and the d=
 * and result (parallel arrays of n) of every DKIM signature that passed or
 * got temperror, the passing ones first: only the first
 * DMARC_TASK_MAX_DKIM count, so no run of unverifiable signatures can
 * push a pass out. 0 with *v filled, or -1 and e.
 */
int	 dmarc_task_finish(struct dmarc_task *, enum auth_result spf,
	    const char *spf_domain, const char *const *dkim_domains,
	    const enum auth_result *dkim_results, size_t n,
	    struct dmarc_verdict *v, struct err *e);
/*
 * dmarc_task_finish with the findings of r (results.h): SPF for MAIL FROM
 * and the DKIM signatures that passed or could not be checked (temperror:
 * an aligned one makes DMARC temperror, not fail), the passing ones first.
 */
struct results;
int	 dmarc_task_join(struct dmarc_task *, const struct results *r,
	    struct dmarc_verdict *v, struct err *e);
const struct dmarc_policy *dmarc_task_policy(const struct dmarc_task *);
/* Waits for the thread if still running. NULL does nothing. */
void	 dmarc_task_free(struct dmarc_task *);

#endif
