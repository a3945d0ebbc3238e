/* SPDX-License-Identifier: ISC */
/*
 * dkim_sign.h - DKIM signing (RFC 6376 sections 3.5 and 5; RFC 8463 for
 * ed25519-sha256). A push API: create the signer when the header block is
 * complete (the From domain picks the keys), feed body chunks as they
 * arrive, finish to get one DKIM-Signature value per key. One message gets
 * several signatures (an RSA and an Ed25519 one, say) over one body hash.
 * Owner: the transaction owns the signer; the signer borrows the header
 * list (which must outlive it) and holds its own reference on each key.
 */
#ifndef INKAN_DKIM_SIGN_H
#define INKAN_DKIM_SIGN_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>

#include "canon.h"
#include "err.h"
#include "hdr.h"

#define DKIM_SIGN_MAX_KEYS	4	/* signatures per message */

struct dkim_sign_key {
	const char	*domain;	/* d= */
	const char	*selector;	/* s= */
	EVP_PKEY	*key;		/* RSA or Ed25519 private key */
};

struct dkim_sign_params {
	const struct dkim_sign_key *keys;
	size_t		 nkeys;
	enum canon_alg	 hcanon, bcanon;
	/* fields signed in every instance present, in this order */
	const char *const *sign_headers;
	size_t		 nsign_headers;
	/* fields signed once more than present: adding one breaks the sig */
	const char *const *oversign_headers;
	size_t		 noversign_headers;
	time_t		 now;		/* t= */
	unsigned long	 ttl;		/* x= is t= + ttl; 0 for no x= */
	/*
	 * 0 for DKIM-Signature fields. Else the signer makes the
	 * ARC-Message-Signature of this ARC instance instead (RFC 8617
	 * 4.1.2: no v=, i= is the instance; arc_seal.c), one key only.
	 */
	unsigned	 arc_instance;
};

/* The name of a DKIM-Signature header field, as we write it. */
#define DKIM_SIGNATURE_FIELD	"DKIM-Signature"
#define ARC_MESSAGE_SIGNATURE_FIELD	"ARC-Message-Signature"

struct dkim_signer;	/* opaque; defined in dkim_sign.c */

/* NULL and e filled if the signer cannot be made (bad key, no memory). */
struct dkim_signer *dkim_signer_new(const struct dkim_sign_params *,
	    const struct hdr_list *hdrs, struct err *e);
int	 dkim_signer_body(struct dkim_signer *, const unsigned char *, size_t,
	    struct err *e);
/* Compute the signatures; 0, or -1 and e (the caller tempfails). */
int	 dkim_signer_finish(struct dkim_signer *, struct err *e);
size_t	 dkim_signer_count(const struct dkim_signer *);
/*
 * After finish: the value of the i-th DKIM-Signature field, starting with a
 * space and folded with CRLF TAB. Owned by the signer.
 */
const char *dkim_signer_value(const struct dkim_signer *, size_t i);
/* The algorithm and selector of the i-th signature, for logs. */
const char *dkim_signer_alg(const struct dkim_signer *, size_t i);
const char *dkim_signer_selector(const struct dkim_signer *, size_t i);
const char *dkim_signer_domain(const struct dkim_signer *, size_t i);
void	 dkim_signer_free(struct dkim_signer *);

#endif
