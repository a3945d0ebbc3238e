/* SPDX-License-Identifier: ISC */
/*
 * dmarc.h - DMARC (RFC 9989): discovering the policy that applies to an
 * Author Domain, and evaluating a message's SPF and DKIM results against
 * it (Identifier Alignment, 4.4 and 4.10.2; policy choice, 4.10.1 and
 * 5.3.6).
 * Two steps so the caller can start the DNS work at end of headers:
 *   dmarc_discover()        the policy record and the Author Domain's
 *                           Organizational Domain (DNS);
 *   dmarc_orgdomain_lookup() the Organizational Domain of an
 *                           Authenticated Identifier, when
 *                           dmarc_needs_orgdomain() says so (DNS);
 *   dmarc_evaluate()        pure: alignment, result, policy, disposition.
 * Discovery is the RFC 9989 DNS Tree Walk or, as a setting, RFC 7489
 * discovery through a Public Suffix List the caller loaded (libpsl).
 * No globals, no logging, no I/O except through the resolver; every DNS
 * wait uses the caller's deadline.
 * Ownership: the caller owns each struct dmarc_policy (dmarc_policy_free);
 * a verdict points into the caller's DKIM domain array.
 * Not here: the record syntax (dmarc_record.c), the tree walk
 * (orgdomain.c), the Authentication-Results field and SMTP replies (the
 * glue), local policy such as RFC 9989's "Interoperability
 * Considerations" ("treat reject as quarantine without other knowledge";
 * configuration in the glue).
 */
#ifndef INKAN_DMARC_H
#define INKAN_DMARC_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "auth_result.h"
#include "dmarc_record.h"
#include "dns.h"

struct err;
struct psl_ctx_st;	/* libpsl's psl_ctx_t */

enum dmarc_discovery {
	DMARC_DISCOVERY_TREEWALK,	/* RFC 9989 4.10 */
	DMARC_DISCOVERY_PSL,		/* RFC 7489 6.6.3 with 3.2 */
};

enum dmarc_policy_status {
	DMARC_POLICY_FOUND,	/* a record applies */
	DMARC_POLICY_NONE,	/* no record: DMARC does not apply */
	DMARC_POLICY_TEMPERROR,	/* a DNS query did not complete */
	/* the record that applies is unusable (4.10.1): no processing */
	DMARC_POLICY_INVALID,
	DMARC_POLICY_BADDOMAIN,	/* the Author Domain is not a DNS name */
};

/* Which tag of the record gave the policy. */
enum dmarc_policy_tag {
	DMARC_TAG_NONE,		/* no policy */
	DMARC_TAG_P,		/* the record of the Author Domain itself */
	DMARC_TAG_SP,		/* an existing subdomain of the record's name */
	DMARC_TAG_NP,		/* a non-existent subdomain (4.7 np) */
};

/*
 * Whether the Author Domain exists (RFC 9989 "Non-existent Domains" and
 * "Domain Existence Test": it does not after an NXDOMAIN answer).
 */
enum dmarc_existence {
	DMARC_EXISTS_UNCHECKED,	/* not needed: np does not matter */
	DMARC_EXISTS_YES,
	DMARC_EXISTS_NO,
	DMARC_EXISTS_TEMPERROR,
};

/* a domain name (DNS_NAME_MAX) and some words */
#define DMARC_REASON_MAX	384

struct dmarc_policy {
	enum dmarc_policy_status status;
	enum dmarc_discovery	 mode;
	/* normalised: lowercase, no trailing dot; "" if BADDOMAIN */
	char			 author_domain[DNS_NAME_MAX + 1];
	/* the name holding the record that applies; "" if none */
	char			 policy_domain[DNS_NAME_MAX + 1];
	/*
	 * The Organizational Domain of the Author Domain, for relaxed
	 * alignment; "" and org_temperror when a query for it failed.
	 */
	char			 org_domain[DNS_NAME_MAX + 1];
	bool			 org_temperror;
	bool			 psd;		/* the record is a PSD's (psd=y) */
	enum dmarc_policy_tag	 tag;
	enum dmarc_request	 request;	/* the value of that tag */
	enum dmarc_existence	 author_exists;
	/* FOUND and INVALID: the record (text owned, rec views into it) */
	char			*text;
	size_t			 len;
	struct dmarc_record	 rec;
	unsigned		 queries;	/* DNS queries made */
	char			 reason[DMARC_REASON_MAX];
};

/*
 * Find the DMARC policy for from_domain (the RFC5322.From domain, any
 * case, optional trailing dot; an A-label) and the Organizational Domain
 * of it. psl is needed for DMARC_DISCOVERY_PSL only. deadline is
 * CLOCK_MONOTONIC (NULL: none). Returns 0 with *out filled (DNS trouble
 * is the status TEMPERROR), or -1 with e filled when discovery could not
 * be done (no memory, a resolver backend failure). dmarc_policy_free(out)
 * afterwards either way.
 */
int	 dmarc_discover(struct dns_resolver *, const char *from_domain,
	    enum dmarc_discovery mode, const struct psl_ctx_st *psl,
	    const struct timespec *deadline, struct dmarc_policy *out,
	    struct err *e);
/* Free out's record text; NULL does nothing. */
void	 dmarc_policy_free(struct dmarc_policy *out);

/* The Organizational Domain of an Authenticated Identifier. */
struct dmarc_orgdomain {
	char	 domain[DNS_NAME_MAX + 1];	/* normalised; "" if unknown */
	bool	 temperror;
};

/*
 * Whether evaluating id (the MAIL FROM domain of an SPF pass or
 * temperror, dkim false, or the d= of a DKIM pass or temperror, dkim
 * true) against policy needs the
 * Organizational Domain of id: only for relaxed alignment when id is
 * neither the Author Domain nor its Organizational Domain but lies within
 * the latter (the Organizational Domain of a name is the name or one of
 * its parents, so outside it they cannot match).
 */
bool	 dmarc_needs_orgdomain(const struct dmarc_policy *, const char *id,
	    bool dkim);
/*
 * Find the Organizational Domain of domain the same way dmarc_discover()
 * did for the Author Domain (mode and psl as there). Returns 0 with *out
 * filled (temperror set on DNS trouble; domain "" with temperror false if
 * domain is not a DNS name), or -1 with e filled.
 */
int	 dmarc_orgdomain_lookup(struct dns_resolver *, const char *domain,
	    enum dmarc_discovery mode, const struct psl_ctx_st *psl,
	    const struct timespec *deadline, struct dmarc_orgdomain *out,
	    struct err *e);

/*
 * The Authenticated Identifiers of a message (RFC 9989 4.4), and those
 * that could not be checked: an SPF or DKIM temperror. Only pass and
 * temperror matter to DMARC; other results may be given and are ignored.
 */
struct dmarc_auth {
	/* SPF result of the MAIL FROM identity (the HELO one never counts) */
	enum auth_result		 spf;
	const char			*spf_domain;	/* MAIL FROM domain */
	/* its Organizational Domain, if dmarc_needs_orgdomain(); or NULL */
	const struct dmarc_orgdomain	*spf_org;
	/* d= of each DKIM signature that passed or got temperror */
	const char *const		*dkim_domains;
	/* parallel to dkim_domains: each one's result; NULL: all pass */
	const enum auth_result		*dkim_results;
	/* parallel to dkim_domains, entries used where needed; or NULL */
	const struct dmarc_orgdomain	*dkim_orgs;
	size_t				 ndkim;
};

struct dmarc_verdict {
	/* pass, fail, none, temperror or permerror (RFC 8601 2.7.1) */
	enum auth_result	 result;
	enum dmarc_policy_tag	 tag;		/* which tag gave the policy */
	enum dmarc_request	 policy;	/* the published policy */
	/*
	 * What the Domain Owner asks to be done with this message: none
	 * unless the result is fail; with t=y one level below the policy
	 * (4.7 "t").
	 */
	enum dmarc_request	 disposition;
	bool			 testing;	/* t=y */
	bool			 spf_aligned;
	bool			 dkim_aligned;
	const char		*dkim_domain;	/* the aligned d=, or NULL */
	char			 reason[DMARC_REASON_MAX];
};

/*
 * Evaluate auth against policy (RFC 9989 5.3.4 to 5.3.6) into *v. Pure:
 * no DNS, cannot fail. The result is pass if any passing identifier
 * aligns. Otherwise it is temperror, not fail, when the outcome could
 * have been a pass had DNS answered: an aligned identifier whose SPF or
 * DKIM check got temperror, an identifier whose alignment is unknown
 * because an Organizational Domain it needs is unknown (not given or
 * temperror), or (for the policy) an Author Domain whose existence is
 * unknown when np would apply. A temperror of an identifier that does
 * not align changes nothing.
 */
void	 dmarc_evaluate(const struct dmarc_policy *,
	    const struct dmarc_auth *auth, struct dmarc_verdict *v);

/* "p", "sp", "np", "" */
const char *dmarc_policy_tag_name(enum dmarc_policy_tag);

#endif
