/* SPDX-License-Identifier: ISC */
/*
 * dkim_keyrec.h - parsing a DKIM public-key record fetched from DNS
 * (RFC 6376 section 3.6.1; RFC 8301 section 3.2 for RSA key sizes; RFC
 * 8463 section 4 for Ed25519). The record is untrusted. The outcome (ok,
 * revoked, key too small, permerror, with a static reason) is data; -1
 * means the parse could not be done (no memory).
 * Owner: the caller owns the struct and frees it with dkim_keyrec_free(),
 * which frees the EVP_PKEY. Nothing points into the record afterwards.
 * Not here: the DNS query and joining TXT strings (the caller), matching
 * k= against the signature's a= and t=s against i= (the verifier).
 */
#ifndef INKAN_DKIM_KEYREC_H
#define INKAN_DKIM_KEYREC_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>

#include "dkim_key.h"
#include "err.h"

/* RFC 8301 3.2: verifiers must not accept RSA keys under 1024 bits. */
#define DKIM_KEYREC_RSA_MIN_BITS	1024
/* Larger keys cost seconds of CPU per message for an attacker's asking. */
#define DKIM_KEYREC_RSA_MAX_BITS	8192
/* An RSA-8192 SubjectPublicKeyInfo is about 1,100 bytes; refuse far more. */
#define DKIM_KEYREC_MAX_P		2048
/* RFC 8463 section 4: the raw 32-byte Ed25519 public key. */
#define DKIM_KEYREC_ED25519_LEN		32

enum dkim_keyrec_outcome {
	DKIM_KEYREC_OK,
	DKIM_KEYREC_REVOKED,	/* empty p= (3.6.1) */
	DKIM_KEYREC_TOO_SMALL,	/* RSA under the minimum: never passes */
	DKIM_KEYREC_PERMERROR,
};

struct dkim_keyrec {
	enum dkim_keyrec_outcome outcome;
	const char		*reason;	/* static; NULL when ok */
	enum dkim_key_type	 type;		/* k= */
	EVP_PKEY		*key;		/* owned; set for OK and TOO_SMALL */
	int			 bits;		/* RSA modulus bits; 256 for Ed25519 */
	bool			 testing;	/* t=y */
	bool			 no_subdomains;	/* t=s: i= domain must equal d= */
};

/*
 * Decoding a public key costs OpenSSL several times what one verification
 * with it does (tests/bench/README), and a receiver sees the same few keys
 * over and over. A caller that can keep decoded keys hands the parser
 * this: lookup returns a new reference to the key earlier decoded from
 * exactly these DER bytes of this type, or NULL; store is offered each key
 * the parser had to decode and takes its own reference if it keeps it.
 * Both must be safe to call from several threads at once.
 */
struct dkim_key_cache {
	EVP_PKEY	*(*lookup)(void *arg, enum dkim_key_type,
			    const void *der, size_t len);
	void		 (*store)(void *arg, enum dkim_key_type,
			    const void *der, size_t len, EVP_PKEY *);
	void		*arg;
};

/*
 * Parse rec (len bytes, the TXT strings already joined, no NUL needed).
 * Returns 0 with kr->outcome set, or -1 and e. Either way the caller
 * calls dkim_keyrec_free(kr) afterwards. cache may be NULL.
 */
int	 dkim_keyrec_parse(const char *rec, size_t len, struct dkim_keyrec *kr,
	    struct err *e);
int	 dkim_keyrec_parse_cached(const char *rec, size_t len,
	    const struct dkim_key_cache *cache, struct dkim_keyrec *kr,
	    struct err *e);
/* Free the key; safe on a zeroed or already freed struct. */
void	 dkim_keyrec_free(struct dkim_keyrec *);

#endif
