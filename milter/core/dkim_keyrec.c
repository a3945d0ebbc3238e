/* SPDX-License-Identifier: ISC */
/*
 * dkim_keyrec.c - the key record tags of RFC 6376 section 3.6.1:
 * v= (DKIM1, first if present), h= (hash algorithms), k= (key type),
 * n= (notes, ignored), p= (the key), s= (service types), t= (flags).
 * Unknown tags, and unknown items in h=, s= and t=, are ignored (3.6.1).
 * The key is decoded with OpenSSL only: d2i_PUBKEY for the
 * SubjectPublicKeyInfo the RFC specifies, d2i_PublicKey for the bare
 * PKCS#1 RSAPublicKey some domains publish, EVP_PKEY_new_raw_public_key
 * for Ed25519. A key OpenSSL rejects is the record's fault: a permerror,
 * with OpenSSL's error queue cleared.
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "buf.h"
#include "dkim_keyrec.h"
#include "taglist_parse.h"

static void
kr_permerror(struct dkim_keyrec *kr, const char *reason)
{
	if (kr->outcome == DKIM_KEYREC_OK) {
		kr->outcome = DKIM_KEYREC_PERMERROR;
		kr->reason = reason;
	}
}

/* Whether a colon list holds want (ASCII case-insensitive). */
static bool
list_has(const struct taglist_view *v, const char *want)
{
	struct taglist_view rest = *v, item;

	while (taglist_view_next_item(&rest, ':', &item))
		if (taglist_view_caseeq(&item, want))
			return true;
	return false;
}

static void decode_fresh(struct dkim_keyrec *, const struct buf *);

/* RSA from DER: SubjectPublicKeyInfo, else PKCS#1 RSAPublicKey. */
static EVP_PKEY *
rsa_from_der(const struct buf *der)
{
	const unsigned char *p = (const unsigned char *)der->data;
	EVP_PKEY *k;

	if ((k = d2i_PUBKEY(NULL, &p, (long)der->len)) != NULL) {
		if (p == (const unsigned char *)der->data + der->len &&
		    EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA)
			return k;
		EVP_PKEY_free(k);
		return NULL;
	}
	p = (const unsigned char *)der->data;
	if ((k = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)der->len)) !=
	    NULL) {
		if (p == (const unsigned char *)der->data + der->len)
			return k;
		EVP_PKEY_free(k);
	}
	return NULL;
}

static void
decode_key(struct dkim_keyrec *kr, const struct buf *der,
    const struct dkim_key_cache *cache)
{
	if (cache != NULL && (kr->key = cache->lookup(cache->arg, kr->type,
	    der->data, der->len)) != NULL) {
		/* it passed the checks below when it was stored */
		kr->bits = EVP_PKEY_get_bits(kr->key);
		if (kr->type == DKIM_KEY_RSA &&
		    kr->bits < DKIM_KEYREC_RSA_MIN_BITS) {
			kr->outcome = DKIM_KEYREC_TOO_SMALL;
			kr->reason = "RSA key too small";
		}
		return;
	}
	decode_fresh(kr, der);
	if (cache != NULL && kr->key != NULL)
		cache->store(cache->arg, kr->type, der->data, der->len,
		    kr->key);
}

static void
decode_fresh(struct dkim_keyrec *kr, const struct buf *der)
{
	if (kr->type == DKIM_KEY_ED25519) {
		if (der->len != DKIM_KEYREC_ED25519_LEN) {
			kr_permerror(kr, "Ed25519 key is not 32 bytes");
			return;
		}
		kr->key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
		    (const unsigned char *)der->data, der->len);
		if (kr->key == NULL)
			kr_permerror(kr, "invalid Ed25519 key");
		else
			kr->bits = EVP_PKEY_get_bits(kr->key);
		return;
	}
	if ((kr->key = rsa_from_der(der)) == NULL) {
		kr_permerror(kr, "p= is not an RSA public key");
		return;
	}
	kr->bits = EVP_PKEY_get_bits(kr->key);
	if (kr->bits > DKIM_KEYREC_RSA_MAX_BITS) {
		EVP_PKEY_free(kr->key);
		kr->key = NULL;
		kr_permerror(kr, "RSA key too large");
	} else if (kr->bits < DKIM_KEYREC_RSA_MIN_BITS) {
		kr->outcome = DKIM_KEYREC_TOO_SMALL;
		kr->reason = "RSA key too small";
	}
}

int
dkim_keyrec_parse(const char *rec, size_t len, struct dkim_keyrec *kr,
    struct err *e)
{
	return dkim_keyrec_parse_cached(rec, len, NULL, kr, e);
}

int
dkim_keyrec_parse_cached(const char *rec, size_t len,
    const struct dkim_key_cache *cache, struct dkim_keyrec *kr,
    struct err *e)
{
	struct taglist_parsed tl;
	const struct taglist_tag *tag;
	struct buf der = BUF_INIT;
	struct taglist_view rest, item;
	const char *why;

	memset(kr, 0, sizeof(*kr));
	kr->outcome = DKIM_KEYREC_OK;
	kr->type = DKIM_KEY_RSA;	/* k= default (3.6.1) */

	if ((why = taglist_parse(rec, len, &tl)) != NULL) {
		kr_permerror(kr, why);
		return 0;
	}
	/* v= "MUST be the first tag in the record" when present */
	if ((tag = taglist_parse_find(&tl, "v")) != NULL &&
	    (tag != &tl.tags[0] || !taglist_view_eq(&tag->value, "DKIM1"))) {
		kr_permerror(kr, "v= is not DKIM1 or not first");
		return 0;
	}
	/* h=: we only verify SHA-256 (RFC 8301) */
	if ((tag = taglist_parse_find(&tl, "h")) != NULL &&
	    !list_has(&tag->value, "sha256")) {
		kr_permerror(kr, "key does not allow sha256 (h=)");
		return 0;
	}
	if ((tag = taglist_parse_find(&tl, "k")) != NULL) {
		if (taglist_view_caseeq(&tag->value, "rsa"))
			kr->type = DKIM_KEY_RSA;
		else if (taglist_view_caseeq(&tag->value, "ed25519"))
			kr->type = DKIM_KEY_ED25519;
		else {
			kr_permerror(kr, "unsupported key type (k=)");
			return 0;
		}
	}
	if ((tag = taglist_parse_find(&tl, "s")) != NULL &&
	    !list_has(&tag->value, "*") && !list_has(&tag->value, "email")) {
		kr_permerror(kr, "key not for email (s=)");
		return 0;
	}
	if ((tag = taglist_parse_find(&tl, "t")) != NULL) {
		rest = tag->value;
		while (taglist_view_next_item(&rest, ':', &item)) {
			if (taglist_view_eq(&item, "y"))
				kr->testing = true;
			else if (taglist_view_eq(&item, "s"))
				kr->no_subdomains = true;
		}
	}
	if ((tag = taglist_parse_find(&tl, "p")) == NULL) {
		kr_permerror(kr, "missing required tag p=");
		return 0;
	}
	if (taglist_parse_b64(&tag->value, DKIM_KEYREC_MAX_P, &der, &why,
	    e) == -1) {
		buf_free(&der);
		return -1;
	}
	if (why != NULL)
		kr_permerror(kr, "p= is not valid base64 or too long");
	else if (der.len == 0) {
		kr->outcome = DKIM_KEYREC_REVOKED;
		kr->reason = "key revoked (empty p=)";
	} else
		decode_key(kr, &der, cache);
	buf_free(&der);
	ERR_clear_error();
	return 0;
}

void
dkim_keyrec_free(struct dkim_keyrec *kr)
{
	if (kr == NULL)
		return;
	EVP_PKEY_free(kr->key);
	kr->key = NULL;
}
