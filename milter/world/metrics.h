/* SPDX-License-Identifier: ISC */
/*
 * metrics.h - the daemon's counters, and their text for Prometheus.
 * Process-wide counters and histograms, kept as C11 atomics: libmilter
 * runs a thread per connection and each count is one relaxed atomic add,
 * with no lock. The milter layers count (txn.c, glue.c, the counting
 * resolver in resolver.c, sighup.c); the core never does. Counting is
 * always on and costs next to nothing; metrics_http.c only exports it.
 * Values are read without a snapshot: a scrape during traffic may see one
 * counter moved and a related one not yet, as Prometheus expects.
 */
#ifndef INKAN_METRICS_H
#define INKAN_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "auth_result.h"
#include "buf.h"
#include "dns.h"
#include "spf_eval.h"
#include "results.h"

/* A message finished (end of message) in this role. */
void	 metrics_message(enum txn_role);
/* A message in the sign role left without a signature (no key, no From). */
void	 metrics_unsigned(void);
/* A DKIM-Signature made with algorithm ("rsa-sha256", "ed25519-sha256"). */
void	 metrics_signature(const char *algorithm);
/* Verify role: one per signature verified, AUTH_NONE for none at all. */
void	 metrics_dkim(enum auth_result);
/* Verify role: the SPF result of the MAIL FROM identity. */
void	 metrics_spf(enum spf_result);
/* Verify role: the DMARC result. */
void	 metrics_dmarc(enum auth_result);
/* Verify role: the ARC result (none without ARC fields). */
void	 metrics_arc(enum auth_result);
/* A DMARC policy not applied because a trusted ARC sealer vouched. */
void	 metrics_arc_override(void);
/* An ARC Set added (arc_seal). */
void	 metrics_arc_sealed(void);
/* What the MTA was told to do with a message. */
void	 metrics_action(enum txn_action);
/* Time from end of message to the answer (DNS waits, hashing, signing). */
void	 metrics_eom_usec(uint64_t usec);
/* DNS: a query started; one answered (status, time the answer took); a
 * query that failed inside the resolver (no answer of any kind). */
void	 metrics_dns_query(void);
void	 metrics_dns_answer(enum dns_status, uint64_t usec);
void	 metrics_dns_failure(void);
/* MTA connections open now: +1 at connect, -1 at close. */
void	 metrics_connections(int delta);
/* A SIGHUP reload, applied (ok) or refused. */
void	 metrics_reload(bool ok);

/*
 * Append every metric to out in the Prometheus text exposition format,
 * version 0.0.4: "# HELP" and "# TYPE" lines, then the samples; every
 * label value is written, zeros too, so rate() works from the start.
 */
void	 metrics_render(struct buf *out);
/*
 * Append v as a label value, without the quotes: backslash, double quote
 * and line feed escaped as \\, \" and \n (the exposition format's rules).
 */
void	 metrics_label_escape(struct buf *out, const char *v);
/* Set everything back to zero (tests only: not atomic as a whole). */
void	 metrics_reset(void);

#endif
