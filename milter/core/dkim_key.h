/* SPDX-License-Identifier: ISC */
/*
 * dkim_key.h - DKIM keys on our side: loading a private key from PEM bytes,
 * naming its algorithm, and writing the public-key record to publish
 * (RFC 6376 section 3.6.1; RFC 8463 section 4 for Ed25519).
 * Private keys stay inside EVP_PKEY; the caller owns the returned key and
 * frees it with EVP_PKEY_free().
 */
#ifndef INKAN_DKIM_KEY_H
#define INKAN_DKIM_KEY_H

#include <stddef.h>

#include <openssl/evp.h>

#include "buf.h"
#include "err.h"

enum dkim_key_type {
	DKIM_KEY_RSA,
	DKIM_KEY_ED25519,
};

/* RFC 8301 section 3.2: signers use at least 1024 bits, we default to 2048. */
#define DKIM_RSA_MIN_BITS	1024
#define DKIM_RSA_DEFAULT_BITS	2048
#define DKIM_RSA_MAX_SIGN_BITS	4096

/* Parse a PEM private key (PKCS#8 or traditional RSA); NULL and e on error. */
EVP_PKEY *dkim_key_from_pem(const void *pem, size_t len, struct err *e);
/* The key's type; -1 (and e) for a type DKIM cannot use. */
int	 dkim_key_type(const EVP_PKEY *, enum dkim_key_type *out, struct err *e);
/* "rsa" or "ed25519": the k= value. */
const char *dkim_key_type_name(enum dkim_key_type);
/* The signing algorithm for a key: "rsa-sha256" or "ed25519-sha256". */
const char *dkim_key_alg_name(enum dkim_key_type);
/*
 * Append the public key's p= value to out: base64 of the DER
 * SubjectPublicKeyInfo for RSA, of the raw 32-byte key for Ed25519.
 */
int	 dkim_key_public_b64(const EVP_PKEY *, struct buf *out, struct err *e);
/* Append the whole record value, "v=DKIM1; k=rsa; p=...". */
int	 dkim_key_record(const EVP_PKEY *, struct buf *out, struct err *e);
/* Append the record in zone-file form, split into strings of <= 255 bytes. */
int	 dkim_key_record_zone(const EVP_PKEY *, const char *selector,
	    const char *domain, struct buf *out, struct err *e);

#endif
