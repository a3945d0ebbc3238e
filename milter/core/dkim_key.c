/* SPDX-License-Identifier: ISC */
/*
 * dkim_key.c - our own DKIM keys (see dkim_key.h). Key material is only
 * ever touched through OpenSSL's EVP interfaces.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "b64.h"
#include "dkim_key.h"

/* A TXT character-string holds at most 255 bytes (RFC 1035 3.3). */
#define TXT_STRING_MAX	255

EVP_PKEY *
dkim_key_from_pem(const void *pem, size_t len, struct err *e)
{
	EVP_PKEY *k;
	BIO *bio;

	if (len > INT32_MAX) {
		err_set(e, "key file too large");
		return NULL;
	}
	/* an empty buffer may have no storage: BIO_new_mem_buf refuses NULL */
	if (len == 0) {
		err_set(e, "the key is empty (no PEM private key)");
		return NULL;
	}
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		err_ssl(e, "BIO_new_mem_buf");
		return NULL;
	}
	/* No passphrase callback: an encrypted key cannot be used unattended. */
	k = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
	BIO_free(bio);
	if (k == NULL)
		err_ssl(e, "not a PEM private key");
	return k;
}

int
dkim_key_type(const EVP_PKEY *k, enum dkim_key_type *out, struct err *e)
{
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA:
		*out = DKIM_KEY_RSA;
		return 0;
	case EVP_PKEY_ED25519:
		*out = DKIM_KEY_ED25519;
		return 0;
	default:
		return err_set(e, "key type %s is not usable for DKIM "
		    "(RSA or Ed25519 only)", EVP_PKEY_get0_type_name(k));
	}
}

const char *
dkim_key_type_name(enum dkim_key_type t)
{
	return t == DKIM_KEY_ED25519 ? "ed25519" : "rsa";
}

const char *
dkim_key_alg_name(enum dkim_key_type t)
{
	return t == DKIM_KEY_ED25519 ? "ed25519-sha256" : "rsa-sha256";
}

int
dkim_key_public_b64(const EVP_PKEY *k, struct buf *out, struct err *e)
{
	enum dkim_key_type t;
	unsigned char raw[32], *der = NULL;
	size_t rawlen = sizeof(raw);
	int derlen;

	if (dkim_key_type(k, &t, e) == -1)
		return -1;
	if (t == DKIM_KEY_ED25519) {
		/* RFC 8463 section 4: p= is the bare 32-byte public key. */
		if (EVP_PKEY_get_raw_public_key(k, raw, &rawlen) != 1 ||
		    rawlen != sizeof(raw))
			return err_ssl(e, "EVP_PKEY_get_raw_public_key");
		b64_encode(out, raw, rawlen);
	} else {
		/* RFC 6376 3.6.1: RSA p= is a DER SubjectPublicKeyInfo. */
		if ((derlen = i2d_PUBKEY(k, &der)) <= 0)
			return err_ssl(e, "i2d_PUBKEY");
		b64_encode(out, der, (size_t)derlen);
		OPENSSL_free(der);
	}
	return buf_failed(out) ? err_set(e, "out of memory") : 0;
}

int
dkim_key_record(const EVP_PKEY *k, struct buf *out, struct err *e)
{
	enum dkim_key_type t;

	if (dkim_key_type(k, &t, e) == -1)
		return -1;
	buf_printf(out, "v=DKIM1; k=%s; p=", dkim_key_type_name(t));
	return dkim_key_public_b64(k, out, e);
}

int
dkim_key_record_zone(const EVP_PKEY *k, const char *selector,
    const char *domain, struct buf *out, struct err *e)
{
	struct buf rec = BUF_INIT;
	const char *p;
	size_t left, off;

	if (dkim_key_record(k, &rec, e) == -1) {
		buf_free(&rec);
		return -1;
	}
	buf_printf(out, "%s._domainkey.%s. IN TXT (", selector, domain);
	/* First string: the tags before p=, so the key starts a string. */
	p = strstr(buf_str(&rec), "p=");
	off = p == NULL ? 0 : (size_t)(p - rec.data);
	if (off > 0)
		buf_printf(out, " \"%.*s\"", (int)off, rec.data);
	for (left = rec.len - off; left > 0;) {
		size_t n = left < TXT_STRING_MAX ? left : TXT_STRING_MAX;

		buf_printf(out, " \"%.*s\"", (int)n, rec.data + off);
		off += n;
		left -= n;
	}
	buf_adds(out, " )");
	buf_free(&rec);
	return buf_failed(out) ? err_set(e, "out of memory") : 0;
}
