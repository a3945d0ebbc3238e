/* SPDX-License-Identifier: ISC */
/*
 * results.h - everything one transaction concluded: the author identity,
 * SPF for MAIL FROM and HELO, each DKIM verdict, the DMARC verdict and the
 * policy found, the signatures made, and the action and reply with the
 * reason. txn.c fills one at the end of each message (txn_eom); policy.c
 * decides from it, and the renderers (render_ar, render_log, render_json,
 * render_report, render_metrics) write from it alone. Owner: the txn owns
 * the struct and everything its pointers reach (the checks' objects, its
 * buffers); it is valid until the next message or txn_free, and read-only
 * to every consumer.
 * The one table of action and role names is here (results.c); result
 * words are the core's (auth_result_name, spf_result_name).
 */
#ifndef INKAN_RESULTS_H
#define INKAN_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "arc_verify.h"
#include "auth_result.h"
#include "dkim_sign.h"
#include "dkim_verify.h"
#include "dmarc.h"
#include "spf_eval.h"

/* These keep the txn_ names of the API they were first part of (txn.h). */
enum txn_action {
	TXN_ACCEPT,	/* deliver (with any added headers) */
	TXN_REJECT,
	TXN_TEMPFAIL,
	TXN_QUARANTINE,
	TXN_DISCARD,
};

enum txn_role {
	TXN_ROLE_NONE,		/* no message yet */
	TXN_ROLE_SIGN,
	TXN_ROLE_VERIFY,
};

/*
 * Forged Authentication-Results we have the MTA delete, at most. A message
 * that passes through this server again (a forwarding loop, a content
 * filter re-injecting) gains one of ours each time, and Postfix bounces
 * it after hopcount_limit (50) Received fields; past this many the fields
 * are an attack, and each deletion costs the MTA a scan of the header
 * block (Postfix's cleanup daemon), so the message is refused instead.
 */
#define TXN_MAX_FORGED_AR	100

/* "accept", "reject", "tempfail", "quarantine", "discard". */
const char *results_action_name(enum txn_action);
/* "sign", "verify", "none". */
const char *results_role_name(enum txn_role);

/* The answer to the MTA at end of message (txn_eom fills it). */
struct txn_added {
	const char	*name;
	const char	*value;	/* starts with a space, folded with CRLF TAB */
};

/* Caps for what one message may make us add (TXN_MAX_FORGED_AR: results.h). */
#define TXN_MAX_ADDED	8

struct txn_outcome {
	enum txn_action	 action;
	const char	*reply_code;	/* "550" etc., NULL for none */
	const char	*reply_xcode;	/* "5.7.1" */
	const char	*reply_text;
	struct txn_added added[TXN_MAX_ADDED];	/* insert at the top, in order */
	size_t		 nadded;
	/*
	 * Fields to delete: delete_name's instances number delete_idx[i]
	 * (1-based among fields of that name, as smfi_chgheader counts),
	 * in rising order: apply them from the last, so each deletion
	 * leaves the lower numbers valid.
	 */
	const char	*delete_name;
	const size_t	*delete_idx;
	size_t		 ndelete;
	const char	*log_line;	/* one line: what was done and why */
};

struct results_sig {
	const char	*domain;
	const char	*selector;
	const char	*algorithm;
	const char	*value;		/* the DKIM-Signature field's value */
};

struct arc_task;
struct dkim_task;
struct dkim_signer;
struct spf_task;

struct results {
	/* the connection and the message */
	enum txn_role	 role;
	bool		 failed;	/* internal error: the message tempfails */
	const char	*error;		/* why, when failed */
	const char	*qid;		/* NULL: none yet */
	const char	*client_ip;	/* NULL: unknown */
	const char	*helo;
	const char	*authserv_id;
	time_t		 when;		/* the message's time (report row) */
	enum dmarc_discovery discovery;	/* the config's, for the report row */
	/* the author: from_domain is "" without one usable From identity */
	const char	*from_domain;
	bool		 bad_from;	/* verify role: not exactly one author */
	const char	*from_why;	/* why the From identity is unusable */
	/* sign role: why signed or why not; the signatures made */
	const char	*why;
	bool		 signing;	/* a signer was started */
	size_t		 nsig;
	struct results_sig sig[DKIM_SIGN_MAX_KEYS];
	/* SPF (verify role); spf_mf is NULL when SPF was not checked */
	const struct spf_answer *spf_mf;
	const struct spf_answer *spf_helo;	/* NULL: HELO not checked */
	const char	*spf_sender;	/* smtp.mailfrom as checked */
	const char	*spf_domain;
	const char	*spf_helo_name;
	const char	*spf_upstream;	/* the relay whose result we took */
	/* Received-SPF is spf_task's to write (spf_task_received) */
	const struct spf_task *spf;
	/* a trusted relay's A-R that was not used, and why */
	const char	*up_id;
	const char	*up_why;	/* NULL: none, or it was used */
	/* DKIM (verify role) */
	bool		 dkim_checked;
	size_t		 ndkim;
	const struct dkim_verdict *dkim[DKIM_VERIFY_MAX_REPORTED];
	size_t		 dkim_ignored;	/* signatures past max_signatures */
	size_t		 dns_queries;
	size_t		 dns_max_in_flight;
	/*
	 * ARC (verify role): arc NULL when the message has no ARC field
	 * (the result is none), else the chain's result and its Sets,
	 * arc_set[k] being instance k + 1 (narc = arc->instances).
	 */
	const struct arc_result *arc;
	unsigned	 narc;
	const struct arc_instance *arc_set[ARC_MAX_INSTANCES];
	/* the ARC Set inkan added (arc_seal = yes): NULL when none */
	const char	*arc_aar, *arc_ams, *arc_as;
	/* DMARC: NULL when not evaluated; policy NULL when not looked up */
	const struct dmarc_verdict *dmarc;
	const struct dmarc_policy *policy;
	/* Authentication-Results fields claiming our authserv-id */
	size_t		 nforged;
	const size_t	*forged;	/* their instance numbers, rising */
	bool		 forged_over;	/* more than TXN_MAX_FORGED_AR */
	/*
	 * The decision (policy.c): the action, the reply (code NULL for
	 * none), and the DMARC disposition applied with the reason local
	 * policy overrode the Domain Owner's (RFC 9990 2.1.5), or NULL.
	 */
	enum txn_action	 action;
	const char	*reply_code;
	const char	*reply_xcode;
	const char	*reply_text;
	enum dmarc_request applied;
	const char	*override;
	/*
	 * The DMARC policy was not applied because a trusted ARC sealer
	 * saw the message pass (arc_trusted_sealers): who and what, as
	 * "arc trusted sealer D spf=pass", or NULL.
	 */
	const char	*arc_override;
};

/*
 * Read a finished check into r: the signatures a signer made, SPF's
 * answers, each DKIM verdict and the DNS statistics. NULL fills nothing.
 */
void	 results_fill_signer(struct results *r, const struct dkim_signer *);
void	 results_fill_spf(struct results *r, const struct spf_task *);
void	 results_fill_dkim(struct results *r, const struct dkim_task *);
/* The chain's result and Sets, and the DNS statistics added to DKIM's. */
void	 results_fill_arc(struct results *r, const struct arc_task *);
/* What ar_seen.c found among the A-R fields the message came with. */
struct ar_seen;
void	 results_fill_seen(struct results *r, const struct ar_seen *);
/* The policy's decision (policy.h) into r. */
struct policy_decision;
void	 results_fill_decision(struct results *r,
	    const struct policy_decision *);
/* The Set made by arc_task_seal, if any. */
void	 results_fill_arc_seal(struct results *r, const struct arc_task *);

#endif
