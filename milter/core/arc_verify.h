/* SPDX-License-Identifier: ISC */
/*
 * arc_verify.h - ARC chain validation (RFC 8617 section 5.2). A push API
 * like dkim_verify.h that does no DNS itself:
 *   new (at end of headers: the ARC Sets are parsed, the form of the
 *   chain checked, and the key names every AS and AMS needs are known, so
 *   the caller starts all lookups while the body streams) -> body chunks
 *   -> set_key for each answer -> finish -> result and per-Set info.
 * Keys are DKIM key records at s._domainkey.d (RFC 8617 4.1.2, 4.1.3),
 * parsed by dkim_keyrec.c with RFC 8301's floor; names are deduplicated,
 * so a sealer that signs AMS and AS with one key is one lookup.
 * Outcomes are data; -1 with struct err only when the check could not be
 * done (no memory, OpenSSL failure).
 * Owner: the transaction owns the verifier; the verifier borrows the header
 * list, which must outlive it. Not here: trusting sealers (policy), the
 * A-R text (the engine's renderers).
 */
#ifndef INKAN_ARC_VERIFY_H
#define INKAN_ARC_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "ar.h"
#include "arc_set.h"
#include "auth_result.h"
#include "dkim_keyrec.h"
#include "dkim_verify.h"
#include "err.h"
#include "hdr.h"

/* Distinct key names: an AS and an AMS key per Set. */
#define ARC_VERIFY_MAX_KEYS	(2 * ARC_MAX_INSTANCES)
/* Distinct body hashes (c= body canonicalization x l=) over all AMSes. */
#define ARC_VERIFY_MAX_BODYHASH	8

struct arc_result {
	enum auth_result result;	/* AUTH_NONE, AUTH_PASS or AUTH_FAIL */
	const char	*reason;	/* static; NULL for pass and none */
	/*
	 * The fail came from a key DNS could not give (timeout, server
	 * failure) and might pass later. RFC 8617 has no temperror for the
	 * arc method (its A-R results are none, pass, fail: section 10.1),
	 * and 5.2 step 5 and 7 make a Set that cannot be validated a fail,
	 * so result is AUTH_FAIL; the engine may tempfail on this instead.
	 */
	bool		 temporary;
	unsigned	 instances;	/* the highest valid i= seen (N) */
	/*
	 * 5.2 step 6: the oldest instance whose AMS still validates when
	 * walking down from N, i.e. one above the first AMS that fails;
	 * 0 when every AMS validates. Only meaningful with AUTH_PASS.
	 */
	unsigned	 oldest_pass;
	size_t		 fields;	/* ARC header fields seen, caps ignored */
};

/* What one Set says and how it fared, for A-R, logs and trusted sealers. */
struct arc_instance {
	unsigned	 i;
	char		 domain[254];	/* the AS d= (the sealer) or "" */
	char		 selector[254];	/* the AS s= */
	char		 ams_domain[254];	/* the AMS d= */
	enum arc_cv	 cv;		/* the AS cv= */
	/* AUTH_PASS, AUTH_FAIL, or AUTH_NONE when not checked */
	enum auth_result seal;
	const char	*seal_reason;	/* static; NULL for pass */
	enum auth_result ams;
	const char	*ams_reason;
	/* The AAR payload after "i=N;" (4.1.1), a view into the header list */
	const char	*aar;
	size_t		 aar_len;
	/* the AAR read by ar.h: 0 when it follows RFC 8601's grammar */
	int		 aar_parsed;
	struct ar_spf	 aar_spf;	/* its authserv-id and spf results */
};

struct arc_verifier;	/* opaque; defined in arc_verify.c */

/*
 * Parse the ARC fields of hdrs. A chain whose form is wrong is decided
 * here (fail, no keys needed). NULL and e on internal failure.
 */
struct arc_verifier *arc_verifier_new(const struct hdr_list *hdrs,
	    struct err *e);
/*
 * Fail a chain not yet decided with reason (the message was not taken in
 * whole: a field missing from our copy could be one a Set covers) and
 * drop the key lookups. A message without ARC fields stays none.
 */
void	 arc_verifier_refuse(struct arc_verifier *, const char *reason);
/* Distinct key names to look up (0 when no lookup is needed). */
size_t	 arc_verifier_key_count(const struct arc_verifier *);
/* The TXT name of key k ("s._domainkey.d"), or NULL past the count. */
const char *arc_verifier_key_name(const struct arc_verifier *, size_t k);
/* Keep decoded keys in cache (dkim_keyrec.h), which must outlive vf. */
void	 arc_verifier_set_key_cache(struct arc_verifier *,
	    const struct dkim_key_cache *);
/*
 * DNS's answer for key k: TXT records as (pointer, length), strings
 * joined. A key never set counts as a timeout.
 */
void	 arc_verifier_set_key(struct arc_verifier *, size_t k,
	    enum dkim_key_lookup, const char *const *txt, const size_t *txtlen,
	    size_t ntxt);
int	 arc_verifier_body(struct arc_verifier *, const unsigned char *,
	    size_t, struct err *e);
/* Validate (5.2 steps 5 to 8); now is the time for AMS x=. 0, or -1, e. */
int	 arc_verifier_finish(struct arc_verifier *, time_t now, struct err *e);
const struct arc_result *arc_verifier_result(const struct arc_verifier *);
/* Set i (1..result->instances), or NULL. */
const struct arc_instance *arc_verifier_instance(const struct arc_verifier *,
	    unsigned i);
/*
 * After finish: may we add a Set, and with which instance and cv=
 * (RFC 8617 5.1): false when the newest AS already says cv=fail (5.1
 * step 1) or the chain is at 50 Sets; else *instance is N + 1 (1 without
 * ARC) and *cv the chain's result (none, pass or fail). The bool and
 * *instance depend on the chain's form alone, so they are already right
 * after new (a sealer starts at end of headers); *cv only after finish.
 */
bool	 arc_verifier_may_seal(const struct arc_verifier *, unsigned *instance,
	    enum arc_cv *cv);
void	 arc_verifier_free(struct arc_verifier *);

#endif
