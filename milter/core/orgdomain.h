/* SPDX-License-Identifier: ISC */
/*
 * orgdomain.h - finding DMARC Policy Records up the DNS tree and the
 * Organizational Domain of a name: the DNS Tree Walk of RFC 9989 section
 * 4.10 with its selection rules (4.10.2), and the RFC 7489 section 3.2
 * way through a Public Suffix List (libpsl; the caller loads the list).
 * DNS only through the resolver the caller hands in; every wait uses the
 * caller's deadline. No globals, no logging, no file I/O.
 * Ownership: a struct orgdomain_walk owns the record texts of its steps
 * (orgdomain_walk_free); the records are views into them.
 * Not here: which record applies to a message and what it means (dmarc.c).
 */
#ifndef INKAN_ORGDOMAIN_H
#define INKAN_ORGDOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "dmarc_record.h"
#include "dns.h"

struct err;
struct psl_ctx_st;	/* libpsl's psl_ctx_t */

/*
 * RFC 9989 4.10: "Author Domains with more than eight labels do not
 * result in more than eight DNS queries": a name of eight or more labels
 * is cut to its last seven after the first query (step 4).
 */
#define ORGDOMAIN_MAX_QUERIES	8
#define ORGDOMAIN_SHORTEN_TO	7

/* What one _dmarc.<name> TXT query gave (4.10 steps 2 and 6). */
enum orgdomain_state {
	ORGDOMAIN_NOREC,	/* no DMARC record (NXDOMAIN, NODATA, none) */
	ORGDOMAIN_RECORD,	/* exactly one DMARC record */
	ORGDOMAIN_MULTIPLE,	/* several: all discarded, as no record */
	ORGDOMAIN_TEMPERROR,	/* SERVFAIL or timeout: no answer */
};

struct orgdomain_step {
	char			 name[DNS_NAME_MAX + 1]; /* without "_dmarc." */
	enum orgdomain_state	 state;
	enum dns_status		 status;	/* of the TXT query */
	bool			 asked;		/* false: _dmarc.<name> too long */
	/* ORGDOMAIN_RECORD only: */
	char			*text;		/* the record, malloc'd */
	size_t			 len;
	enum dmarc_record_outcome outcome;	/* OK or INVALID */
	const char		*why;		/* for INVALID */
	struct dmarc_record	 rec;		/* views into text */
};

struct orgdomain_walk {
	struct orgdomain_step	 step[ORGDOMAIN_MAX_QUERIES];
	size_t			 n;		/* steps taken, in order */
	/* the walk stopped at a step in ORGDOMAIN_TEMPERROR (the last) */
	bool			 temperror;
};

/*
 * Normalise a domain for DMARC: no trailing dot, ASCII lowercase (RFC
 * 9989 compares names case-insensitively, RFC 4343). 0 and out filled,
 * or -1 if in is not a valid name (dns_name_valid).
 */
int	 orgdomain_normalize(const char *in, char out[DNS_NAME_MAX + 1]);
/* The number of labels of a normalised name. */
size_t	 orgdomain_labels(const char *name);
/* The last n labels of name (a pointer into it); name if it has fewer. */
const char *orgdomain_suffix(const char *name, size_t n);
/* Is d (normalised) equal to s or a subdomain of s? */
bool	 orgdomain_within(const char *d, const char *s);

/*
 * Query _dmarc.<name> (name normalised) and fill *st. Returns 0 (DNS
 * trouble is the state ORGDOMAIN_TEMPERROR), or -1 with e filled if the
 * lookup could not be done (no memory, a resolver backend failure).
 * orgdomain_step_free() afterwards either way.
 */
int	 orgdomain_fetch(struct dns_resolver *, const char *name,
	    const struct timespec *deadline, struct orgdomain_step *st,
	    struct err *e);
void	 orgdomain_step_free(struct orgdomain_step *st);

/*
 * The DNS Tree Walk of RFC 9989 4.10 from domain (normalised): query
 * _dmarc.<domain>, then its parent (or, for eight or more labels, its
 * last seven labels), then one label less each time up to the top-level
 * label, stopping after a name holding exactly one DMARC record with
 * psd=y or psd=n, or at a temporary DNS error. At most
 * ORGDOMAIN_MAX_QUERIES queries. Returns 0 with *out filled, or -1 with e
 * filled (as orgdomain_fetch). orgdomain_walk_free() afterwards either way.
 */
int	 orgdomain_walk(struct dns_resolver *, const char *domain,
	    const struct timespec *deadline, struct orgdomain_walk *out,
	    struct err *e);
void	 orgdomain_walk_free(struct orgdomain_walk *w);

/*
 * The Organizational Domain of the walk's start (RFC 9989 4.10.2) into
 * org (DNS_NAME_MAX + 1 bytes). Returns the step whose record selected
 * it (psd=n there; psd=y there, org being the name one label below; or
 * the record with the fewest labels), or NULL when no step holds a record
 * and org is the start itself. Only for a walk without temperror.
 */
const struct orgdomain_step *orgdomain_select(const struct orgdomain_walk *,
	    char org[DNS_NAME_MAX + 1]);

/*
 * RFC 7489 3.2: the Organizational Domain of domain (normalised) is its
 * public suffix plus one label, from the list psl (psl_registrable_domain).
 * A name that is itself a public suffix has no such domain; it is then
 * its own Organizational Domain.
 */
void	 orgdomain_psl(const struct psl_ctx_st *psl, const char *domain,
	    char org[DNS_NAME_MAX + 1]);

#endif
