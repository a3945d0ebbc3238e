/* SPDX-License-Identifier: ISC */
/*
 * policy.h - local policy: whether a message is signed or verified, and
 * what a transaction's results and the settings make of it. Pure: no I/O,
 * no clock, no globals; the same results and settings always give the
 * same decision (tests/unit/test_policy.c holds the table). In order: an internal error tempfails;
 * too many forged Authentication-Results refuse; in the verify role SPF
 * alone (spf_reject_fail, spf_tempfail_on_temperror), then the author
 * identity (from_reject) and DMARC (dmarc_enforce, dmarc_reject_action,
 * dmarc_quarantine_action, dmarc_never_reject, arc_trusted_sealers,
 * dmarc_trusted_forwarders, dmarc_tempfail_on_temperror). Owner: the caller owns the decision and
 * its buffers (policy_decision_free); its strings point into them, into
 * the results or at constants.
 */
#ifndef INKAN_POLICY_H
#define INKAN_POLICY_H

#include "buf.h"
#include "config.h"
#include "results.h"

struct policy_decision {
	enum txn_action	 action;
	const char	*reply_code;	/* "550" etc., NULL for none */
	const char	*reply_xcode;
	const char	*reply_text;	/* may be set with no code: quarantine */
	/* an X-DMARC-Quarantine value to add (quarantine = header), or NULL */
	const char	*quarantine_header;
	/* the DMARC disposition applied, and why it is not the owner's */
	enum dmarc_request applied;
	const char	*override;
	/* the trusted ARC sealer that spared the message (results.h) */
	const char	*arc_override;
	struct buf	 reply;		/* owned: reply_text's storage */
	struct buf	 header;	/* owned: quarantine_header's */
	struct buf	 arc;		/* owned: arc_override's */
};

/*
 * The role of a message: signed when its sender authenticated (auth_user
 * not NULL or empty), its client is in internal_hosts, or it came in on a
 * service listed in sign_daemons; verified otherwise. Why, for the log
 * line, replaces why's contents.
 */
enum txn_role policy_role(const struct config *c, const char *auth_user,
	    const char *client_ip, const char *daemon_name, struct buf *why);
/* Decide *d from r (its action and reply fields are not read) and c. */
void	 policy_decide(const struct results *r, const struct config *c,
	    struct policy_decision *d);
void	 policy_decision_free(struct policy_decision *);

#endif
