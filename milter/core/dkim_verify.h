/* SPDX-License-Identifier: ISC */
/*
 * dkim_verify.h - DKIM verification (RFC 6376 section 6, RFC 8301,
 * RFC 8463). A push API that does no DNS itself:
 *   new (at end of headers: every DKIM-Signature field is parsed and the
 *   key names it needs are known, so the caller can start the lookups while
 *   the body streams) -> body chunks -> set_key for each answer -> finish.
 * Outcomes are data (struct dkim_verdict per signature); -1 with struct err
 * only when the check could not be done (no memory, OpenSSL failure).
 * Owner: the transaction owns the verifier; the verifier borrows the header
 * list, which must outlive it.
 */
#ifndef INKAN_DKIM_VERIFY_H
#define INKAN_DKIM_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "auth_result.h"
#include "dkim_keyrec.h"
#include "err.h"
#include "hdr.h"

/*
 * Signatures kept per message: the first max_signatures (configurable,
 * default 8) are verified, the rest up to this cap are reported neutral;
 * beyond it they are counted only, so 10,000 signature fields cost no more
 * than a count.
 */
#define DKIM_VERIFY_MAX_REPORTED	32
/* Distinct body hashes (canonicalization x l=) computed per message. */
#define DKIM_VERIFY_MAX_BODYHASH	8

/* What DNS said about a key name. */
enum dkim_key_lookup {
	DKIM_KEY_FOUND,		/* TXT records given */
	DKIM_KEY_ABSENT,	/* NXDOMAIN or NODATA */
	DKIM_KEY_TIMEOUT,
	DKIM_KEY_SERVFAIL,
};

struct dkim_verdict {
	enum auth_result result;
	const char	*reason;	/* static text; NULL for a plain pass */
	char		 domain[254];	/* d=, "" if it did not parse */
	char		 selector[254];	/* s= */
	char		 algorithm[16];	/* a= */
	char		 b[9];		/* first 8 characters of b= (RFC 6008) */
	bool		 l_present;	/* l= was used */
	uint64_t	 l;
	uint64_t	 body_len;	/* canonical body length seen */
	bool		 testing;	/* key has t=y */
};

struct dkim_verifier;	/* opaque; defined in dkim_verify.c */

struct dkim_verifier *dkim_verifier_new(const struct hdr_list *hdrs,
	    size_t max_signatures, struct err *e);
/*
 * Give every signature not yet decided the verdict permerror with reason,
 * and drop their key lookups: for a message inkan could not take in whole
 * (a header field refused by a cap), since a field missing from our copy
 * could be the one a signature covers.
 */
void	 dkim_verifier_refuse(struct dkim_verifier *, const char *reason);
/* How many signatures have a verdict (at most DKIM_VERIFY_MAX_REPORTED). */
size_t	 dkim_verifier_count(const struct dkim_verifier *);
/* DKIM-Signature fields beyond those reported, for the log line. */
size_t	 dkim_verifier_ignored(const struct dkim_verifier *);
/* The TXT name signature i needs ("s._domainkey.d"), or NULL if none. */
const char *dkim_verifier_key_name(const struct dkim_verifier *, size_t i);
int	 dkim_verifier_body(struct dkim_verifier *, const unsigned char *,
	    size_t, struct err *e);
/* Keep decoded keys in cache (dkim_keyrec.h), which must outlive vf. */
void	 dkim_verifier_set_key_cache(struct dkim_verifier *,
	    const struct dkim_key_cache *);
/*
 * Hand over DNS's answer for signature i's key name: the TXT records, each
 * as (pointer, length) with the strings already joined.
 */
void	 dkim_verifier_set_key(struct dkim_verifier *, size_t i,
	    enum dkim_key_lookup, const char *const *txt, const size_t *txtlen,
	    size_t ntxt);
/* Verify; now is the verification time for x=. 0, or -1 and e. */
int	 dkim_verifier_finish(struct dkim_verifier *, time_t now, struct err *e);
const struct dkim_verdict *dkim_verifier_verdict(const struct dkim_verifier *,
	    size_t i);
void	 dkim_verifier_free(struct dkim_verifier *);

#endif
