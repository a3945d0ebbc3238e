/* SPDX-License-Identifier: ISC */
/*
 * dkim_pkey.c - signing and checking a DKIM or ARC header digest (see
 * dkim_pkey.h). OpenSSL's EVP does the work; nothing here is secret but
 * the key, which never leaves its EVP_PKEY.
 */
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/rsa.h>

#include "b64.h"
#include "dkim_pkey.h"

int
dkim_pkey_sign(EVP_PKEY *key, enum dkim_key_type type,
    const unsigned char digest[32], struct buf *b64, struct err *e)
{
	unsigned char *sig = NULL;
	size_t siglen = 0;
	int rc = -1;

	if (type == DKIM_KEY_RSA) {
		EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(key, NULL);

		if (pc == NULL || EVP_PKEY_sign_init(pc) != 1 ||
		    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) != 1 ||
		    EVP_PKEY_CTX_set_signature_md(pc, EVP_sha256()) != 1 ||
		    EVP_PKEY_sign(pc, NULL, &siglen, digest, 32) != 1 ||
		    (sig = malloc(siglen)) == NULL ||
		    EVP_PKEY_sign(pc, sig, &siglen, digest, 32) != 1)
			err_ssl(e, "RSA signing");
		else
			rc = 0;
		EVP_PKEY_CTX_free(pc);
	} else {
		EVP_MD_CTX *mc = EVP_MD_CTX_new();

		if (mc == NULL ||
		    EVP_DigestSignInit(mc, NULL, NULL, NULL, key) != 1 ||
		    EVP_DigestSign(mc, NULL, &siglen, digest, 32) != 1 ||
		    (sig = malloc(siglen)) == NULL ||
		    EVP_DigestSign(mc, sig, &siglen, digest, 32) != 1)
			err_ssl(e, "Ed25519 signing");
		else
			rc = 0;
		EVP_MD_CTX_free(mc);
	}
	if (rc == 0)
		b64_encode(b64, sig, siglen);
	free(sig);
	return rc;
}

int
dkim_pkey_verify(EVP_PKEY *key, enum dkim_key_type type,
    const unsigned char digest[32], const unsigned char *sig, size_t siglen,
    struct err *e)
{
	int r;

	if (type == DKIM_KEY_RSA) {
		EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(key, NULL);

		if (pc == NULL || EVP_PKEY_verify_init(pc) != 1 ||
		    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) != 1 ||
		    EVP_PKEY_CTX_set_signature_md(pc, EVP_sha256()) != 1) {
			EVP_PKEY_CTX_free(pc);
			return err_ssl(e, "RSA verify init");
		}
		r = EVP_PKEY_verify(pc, sig, siglen, digest, 32);
		EVP_PKEY_CTX_free(pc);
	} else {
		EVP_MD_CTX *mc = EVP_MD_CTX_new();

		if (mc == NULL ||
		    EVP_DigestVerifyInit(mc, NULL, NULL, NULL, key) != 1) {
			EVP_MD_CTX_free(mc);
			return err_ssl(e, "Ed25519 verify init");
		}
		r = EVP_DigestVerify(mc, sig, siglen, digest, 32);
		EVP_MD_CTX_free(mc);
	}
	/* a malformed signature (wrong length) is a bad one, not our failure */
	ERR_clear_error();
	return r == 1 ? 1 : 0;
}
