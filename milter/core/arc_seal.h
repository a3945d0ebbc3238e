/* SPDX-License-Identifier: ISC */
/*
 * arc_seal.h - adding one ARC Set to a message, for a forwarder (RFC 8617
 * 5.1): the ARC-Authentication-Results (a copy of our own A-R payload
 * with the instance), the ARC-Message-Signature (a DKIM signature with
 * i= for v=, relaxed/relaxed, made by dkim_sign.c) and the ARC-Seal over
 * the chain. rsa-sha256 only. A push API like dkim_sign.h: new at end of
 * headers -> body chunks -> finish -> the three field values.
 * Which instance and cv= come from the verifier (arc_verifier_may_seal);
 * the sealer checks they fit the message's ARC fields. The time t= is
 * given, never read from a clock.
 * Owner: the transaction owns the sealer; the sealer borrows the header
 * list (which must outlive it) and holds its own reference on the key.
 */
#ifndef INKAN_ARC_SEAL_H
#define INKAN_ARC_SEAL_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>

#include "arc_set.h"
#include "err.h"
#include "hdr.h"

struct arc_seal_params {
	unsigned	 instance;	/* N + 1: 1 to 50 */
	enum arc_cv	 cv;		/* the chain's validation result */
	/*
	 * The AAR payload: an Authentication-Results value as the engine
	 * writes its own ("authserv-id; method=result ..."; leading white
	 * space is dropped). RFC 8617 4.1.1: the AAR is "i=N; " and that.
	 */
	const char	*ar_payload;
	const char	*domain;	/* d= of the AMS and the AS */
	const char	*selector;	/* s= of both */
	EVP_PKEY	*key;		/* an RSA private key */
	time_t		 now;		/* t= of both */
	/*
	 * Fields the AMS signs, as dkim_sign_params (every instance present,
	 * plus one absent instance of each oversigned name). From must be
	 * among them. ARC-Seal, ARC-Message-Signature,
	 * ARC-Authentication-Results and Authentication-Results are left
	 * out whatever the lists say (RFC 8617 4.1.2: the AMS must not sign
	 * ARC-Seal; an A-R is removed by later hops, RFC 8601 5), and
	 * DKIM-Signature is added (4.1.2 says the AMS should sign them).
	 */
	const char *const *sign_headers;
	size_t		 nsign_headers;
	const char *const *oversign_headers;
	size_t		 noversign_headers;
};

struct arc_sealer;	/* opaque; defined in arc_seal.c */

/*
 * NULL and e when the Set cannot be made: a key that is not RSA, an
 * instance outside 1..50, cv=none with an instance above 1 or on a
 * message with ARC fields, cv=pass with ARC fields that are not Sets
 * 1..instance - 1 of valid form, no From among the signed names, no memory.
 */
struct arc_sealer *arc_sealer_new(const struct arc_seal_params *,
	    const struct hdr_list *hdrs, struct err *e);
int	 arc_sealer_body(struct arc_sealer *, const unsigned char *, size_t,
	    struct err *e);
/*
 * Before finish, for a sealer made at end of headers when the chain's
 * result and our A-R were not known yet: the cv= (the verifier's, from
 * arc_verifier_may_seal) and the AAR payload replace those given to new,
 * with the same checks. 0, or -1 and e.
 */
int	 arc_sealer_conclude(struct arc_sealer *, enum arc_cv cv,
	    const char *ar_payload, struct err *e);
/* Make the three values; 0, or -1 and e (the caller tempfails). */
int	 arc_sealer_finish(struct arc_sealer *, struct err *e);
/*
 * After finish: the values of the ARC-Authentication-Results,
 * ARC-Message-Signature and ARC-Seal fields (ARC_AAR_FIELD, ARC_AMS_FIELD,
 * ARC_SEAL_FIELD), each starting with a space and folded with CRLF TAB,
 * owned by the sealer. The engine adds them on top of the header block,
 * the AS topmost (5.1 step 3 adds AAR, then AMS, then AS).
 */
const char *arc_sealer_aar(const struct arc_sealer *);
const char *arc_sealer_ams(const struct arc_sealer *);
const char *arc_sealer_seal(const struct arc_sealer *);
void	 arc_sealer_free(struct arc_sealer *);

#endif
