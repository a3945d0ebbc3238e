/* SPDX-License-Identifier: ISC */
/*
 * spf_eval.h - the SPF check_host() function (RFC 7208 sections 4-7).
 * Fetches the SPF record of a domain through the resolver the caller
 * hands in, evaluates its mechanisms and modifiers (following include and
 * redirect), applies the limits of 4.6.4 (10 DNS-querying terms, 2 void
 * lookups, 10 MX names, 10 PTR names) across the whole evaluation, and
 * for a fail fetches the exp= explanation (6.2).
 * No globals, no logging, no I/O except through the resolver; every DNS
 * wait uses the caller's deadline.
 * Not here: record syntax (spf_record.c), macros (spf_macro.c), the
 * Received-SPF and Authentication-Results fields (the caller's job).
 */
#ifndef INKAN_SPF_EVAL_H
#define INKAN_SPF_EVAL_H

#include <time.h>

#include "auth_result.h"

struct dns_resolver;
struct err;

/* RFC 7208 4.6.4 */
#define SPF_MAX_DNS_TERMS	10	/* include a mx ptr exists redirect */
#define SPF_MAX_VOID_LOOKUPS	2	/* NXDOMAIN or NODATA answers */
#define SPF_MAX_MX_NAMES	10	/* more MX names: permerror */
#define SPF_MAX_PTR_NAMES	10	/* more PTR names: the rest ignored */

/* RFC 7208 2.6 */
enum spf_result {
	SPF_NONE,
	SPF_NEUTRAL,
	SPF_PASS,
	SPF_FAIL,
	SPF_SOFTFAIL,
	SPF_TEMPERROR,
	SPF_PERMERROR,
};

/* "none", "neutral", "pass", ... (RFC 7208 2.6, as in Received-SPF). */
const char *spf_result_name(enum spf_result);
/* The RFC 8601 word for an SPF result (the same words, RFC 8601 2.7.2). */
enum auth_result spf_result_auth(enum spf_result);

struct spf_request {
	/* textual IPv4 or IPv6; IPv4-mapped IPv6 is treated as IPv4 */
	const char		*ip;
	/*
	 * MAIL FROM address; for the HELO identity or an empty MAIL FROM
	 * the caller passes "postmaster@<helo>" (RFC 7208 2.4). NULL is
	 * taken as "postmaster@<domain>".
	 */
	const char		*sender;
	const char		*helo;		/* h macro; NULL: "unknown" */
	/* the <domain> of check_host: the sender's domain or the HELO name */
	const char		*domain;
	const char		*receiver;	/* r macro; NULL: "unknown" */
	time_t			 now;		/* t macro */
	/* CLOCK_MONOTONIC, for every DNS wait; NULL: none */
	const struct timespec	*deadline;
};

#define SPF_REASON_MAX		200
#define SPF_MECHANISM_MAX	100

struct spf_answer {
	enum spf_result	 result;
	/*
	 * exp= text, macro-expanded (RFC 7208 6.2), only for fail and
	 * only when one could be fetched; malloc'd (spf_answer_free) or
	 * NULL.
	 */
	char		*explanation;
	/* short human text: "matched ip4:192.0.2.0/24", "no SPF record" */
	char		 reason[SPF_REASON_MAX];
	/*
	 * The term of the checked domain's record that decided the result
	 * ("-all", "include:_spf.example.net"; for a redirect, the term of
	 * the redirect target's record); "" if none matched.
	 */
	char		 mechanism[SPF_MECHANISM_MAX];
	unsigned	 dns_terms;	/* DNS-querying terms evaluated */
	unsigned	 void_lookups;	/* void answers counted */
};

/*
 * Run check_host() (RFC 7208 4) for req and fill *out (which need not be
 * initialised). Returns 0 with *out filled: DNS trouble is a temperror
 * result, bad records a permerror result. Returns -1 with e filled only
 * when the check could not be done (no memory, a resolver backend
 * failure, or req->ip not being an IP address); *out is then
 * SPF_TEMPERROR with no explanation. Either way spf_answer_free(out) is
 * needed afterwards.
 */
int	 spf_eval_check_host(struct dns_resolver *,
	    const struct spf_request *req, struct spf_answer *out, struct err *e);

/* Free out->explanation; NULL does nothing. */
void	 spf_answer_free(struct spf_answer *out);

#endif
