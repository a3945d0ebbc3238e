/* SPDX-License-Identifier: ISC */
/*
 * dkim_pkey.h - the two signature primitives of DKIM and ARC over a
 * finished 32-byte SHA-256 header digest: RSA PKCS#1 v1.5 with SHA-256
 * (RFC 6376 3.3.1) and PureEdDSA over the digest itself (RFC 8463 3).
 * Shared by dkim_sign.c, dkim_verify.c, arc_seal.c and arc_verify.c so
 * that every signer and verifier uses one way. Keys stay inside EVP_PKEY.
 */
#ifndef INKAN_DKIM_PKEY_H
#define INKAN_DKIM_PKEY_H

#include <stddef.h>

#include <openssl/evp.h>

#include "buf.h"
#include "dkim_key.h"
#include "err.h"

/* Sign digest with key (of type); append the base64 to b64. 0, or -1 and e. */
int	 dkim_pkey_sign(EVP_PKEY *key, enum dkim_key_type,
	    const unsigned char digest[32], struct buf *b64, struct err *e);
/*
 * Check sig (siglen bytes) over digest with the public key: 1 good, 0 bad
 * (a malformed signature, of the wrong length say, is a bad one), -1 and e
 * when the check could not be done.
 */
int	 dkim_pkey_verify(EVP_PKEY *key, enum dkim_key_type,
	    const unsigned char digest[32], const unsigned char *sig,
	    size_t siglen, struct err *e);

#endif
