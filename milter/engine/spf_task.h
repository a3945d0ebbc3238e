/* SPDX-License-Identifier: ISC */
/*
 * spf_task.h - SPF for one transaction (RFC 7208): check_host() for the
 * MAIL FROM identity and for the HELO identity, run in a worker thread
 * started at MAIL FROM time, so the DNS work overlaps the rest of the SMTP
 * dialogue and the answers are ready by end of message.
 * Owner: the transaction; the resolver is borrowed and must outlive it.
 */
#ifndef INKAN_SPF_TASK_H
#define INKAN_SPF_TASK_H

#include <time.h>

#include "buf.h"
#include "dns.h"
#include "err.h"
#include "spf_eval.h"

struct spf_task;	/* opaque; defined in spf_task.c */

/*
 * Start both checks. mail_from is the envelope sender as the MTA gives it
 * ("<a@b>", "a@b" or "<>"); an empty one is checked as postmaster@helo
 * (RFC 7208 2.4). receiver is our host name (r macro). NULL and e when the
 * thread cannot be started.
 */
struct spf_task *spf_task_start(struct dns_resolver *, const char *ip,
	    const char *helo, const char *mail_from, const char *receiver,
	    time_t now, const struct timespec *deadline, struct err *e);
/* Wait for the answers; 0, or -1 and e (internal failure: tempfail). */
int	 spf_task_finish(struct spf_task *, struct err *e);
const struct spf_answer *spf_task_mailfrom(const struct spf_task *);
const struct spf_answer *spf_task_helo(const struct spf_task *);
/* The identity checked for MAIL FROM ("user@example.com") and its domain. */
const char *spf_task_sender(const struct spf_task *);
const char *spf_task_domain(const struct spf_task *);
/*
 * Append a Received-SPF value (RFC 7208 9.1) for the MAIL FROM result,
 * starting with a space and folded with CRLF TAB.
 */
void	 spf_task_received(const struct spf_task *, struct buf *out);
/*
 * After spf_task_finish: take an upstream relay's results instead of ours
 * (trusted_authserv_ids), so that everything read from here on (DMARC,
 * Authentication-Results, the log, reports) has them. from is the relay's
 * authserv-id, given as each result's reason ("from mx1.example.net");
 * mailfrom the smtp.mailfrom it checked (an address or a domain: the
 * domain is what DMARC aligns). With helo NULL our HELO result is dropped
 * (it was of the relay's HELO, not the sender's). 0, or -1 and e.
 */
int	 spf_task_use_upstream(struct spf_task *, const char *from,
	    enum spf_result mf, const char *mailfrom, const enum spf_result *helo,
	    const char *helo_name, struct err *e);
/* The relay's authserv-id whose results these are, or NULL: our own. */
const char *spf_task_upstream(const struct spf_task *);
/* The HELO name the HELO result is for ("" if none). */
const char *spf_task_helo_name(const struct spf_task *);
/* Waits for the thread if still running. NULL does nothing. */
void	 spf_task_free(struct spf_task *);

#endif
