/* SPDX-License-Identifier: ISC */
/*
 * spf_check.h - SPF for one transaction (RFC 7208): check_host() for the
 * MAIL FROM identity and for the HELO identity, run in a worker thread
 * started at MAIL FROM time, so the DNS work overlaps the rest of the SMTP
 * dialogue and the answers are ready by end of message.
 * Owner: the transaction; the resolver is borrowed and must outlive it.
 */
#ifndef INKAN_SPF_CHECK_H
#define INKAN_SPF_CHECK_H

#include <time.h>

#include "buf.h"
#include "dns.h"
#include "err.h"
#include "spf_eval.h"

struct spf_check;	/* opaque; defined in spf_check.c */

/*
 * Start both checks. mail_from is the envelope sender as the MTA gives it
 * ("<a@b>", "a@b" or "<>"); an empty one is checked as postmaster@helo
 * (RFC 7208 2.4). receiver is our host name (r macro). NULL and e when the
 * thread cannot be started.
 */
struct spf_check *spf_check_start(struct dns_resolver *, const char *ip,
	    const char *helo, const char *mail_from, const char *receiver,
	    time_t now, const struct timespec *deadline, struct err *e);
/* Wait for the answers; 0, or -1 and e (internal failure: tempfail). */
int	 spf_check_finish(struct spf_check *, struct err *e);
const struct spf_answer *spf_check_mailfrom(const struct spf_check *);
const struct spf_answer *spf_check_helo(const struct spf_check *);
/* The identity checked for MAIL FROM ("user@example.com") and its domain. */
const char *spf_check_sender(const struct spf_check *);
const char *spf_check_domain(const struct spf_check *);
/*
 * Append a Received-SPF value (RFC 7208 9.1) for the MAIL FROM result,
 * starting with a space and folded with CRLF TAB.
 */
void	 spf_check_received(const struct spf_check *, struct buf *out);
/* Waits for the thread if still running. NULL does nothing. */
void	 spf_check_free(struct spf_check *);

#endif
