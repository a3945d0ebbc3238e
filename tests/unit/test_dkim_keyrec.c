/* SPDX-License-Identifier: ISC */
/*
 * test_dkim_keyrec.c - unit tests for dkim_keyrec.c, the DKIM key record
 * parser (RFC 6376 3.6.1, RFC 8301 3.2, RFC 8463 4). Keys are generated
 * here (EVP_PKEY_Q_keygen) and published in both RSA encodings; the
 * oversized RSA key is built from a made-up modulus, as only its size
 * matters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include "b64.h"
#include "buf.h"
#include "dkim_keyrec.h"
#include "key_cache.h"

/* base64 p= values of the test keys */
static struct buf rsa512, rsa1024, rsa1024_pkcs1, rsa2048, rsa2048_pkcs1;
static struct buf rsa8200, ec256, ed, ed31, ed33, ed_spki;

static void
der_b64(struct buf *out, int len, unsigned char *der)
{
	assert_true(len > 0);
	buf_init(out);
	b64_encode(out, der, (size_t)len);
	assert_false(buf_failed(out));
	OPENSSL_free(der);
}

/* SubjectPublicKeyInfo and, for RSA, PKCS#1 RSAPublicKey */
static void
publish(EVP_PKEY *k, struct buf *spki, struct buf *pkcs1)
{
	unsigned char *der = NULL;
	int len;

	assert_non_null(k);
	len = i2d_PUBKEY(k, &der);	/* before der is read as an argument */
	der_b64(spki, len, der);
	if (pkcs1 != NULL) {
		der = NULL;
		len = i2d_PublicKey(k, &der);
		der_b64(pkcs1, len, der);
	}
	EVP_PKEY_free(k);
}

/* An RSA public key with an 8200-bit modulus (not a real key). */
static EVP_PKEY *
big_rsa(void)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *k = NULL;
	BIGNUM *n = BN_new(), *e = BN_new();

	assert_non_null(bld);
	assert_non_null(ctx);
	assert_true(BN_set_bit(n, 8199) && BN_set_bit(n, 0) &&
	    BN_set_word(e, 65537));
	assert_true(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n));
	assert_true(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e));
	assert_non_null(params = OSSL_PARAM_BLD_to_param(bld));
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY,
	    params), 1);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(n);
	BN_free(e);
	return k;
}

static int
setup(void **state)
{
	unsigned char raw[33];
	EVP_PKEY *k;
	size_t len = sizeof(raw);

	(void)state;
	publish(EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)512), &rsa512,
	    NULL);
	publish(EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024), &rsa1024,
	    &rsa1024_pkcs1);
	publish(EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048), &rsa2048,
	    &rsa2048_pkcs1);
	publish(big_rsa(), &rsa8200, NULL);
	publish(EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), &ec256, NULL);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(k);
	assert_int_equal(EVP_PKEY_get_raw_public_key(k, raw, &len), 1);
	assert_int_equal(len, 32);
	raw[32] = 0x5a;
	buf_init(&ed);
	b64_encode(&ed, raw, 32);
	buf_init(&ed31);
	b64_encode(&ed31, raw, 31);
	buf_init(&ed33);
	b64_encode(&ed33, raw, 33);
	publish(k, &ed_spki, NULL);
	return 0;
}

static int
teardown(void **state)
{
	struct buf *all[] = { &rsa512, &rsa1024, &rsa1024_pkcs1, &rsa2048,
	    &rsa2048_pkcs1, &rsa8200, &ec256, &ed, &ed31, &ed33, &ed_spki };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		buf_free(all[i]);
	return 0;
}

/* Where a case's record ends up: prefix, the key, suffix. */
static void
test_records(void **state)
{
	const struct {
		const char	*name;
		const char	*pre;
		const struct buf *key;	/* NULL: nothing between */
		const char	*post;
		enum dkim_keyrec_outcome want;
		const char	*reason;
		enum dkim_key_type type;
		int		 bits;
		bool		 testing, nosub;
	} t[] = {
		{ "RSA 1024 SPKI", "v=DKIM1; k=rsa; p=", &rsa1024, "",
		    DKIM_KEYREC_OK, NULL, DKIM_KEY_RSA, 1024, false, false },
		{ "RSA 1024 PKCS#1", "v=DKIM1; k=rsa; p=", &rsa1024_pkcs1, "",
		    DKIM_KEYREC_OK, NULL, DKIM_KEY_RSA, 1024, false, false },
		{ "RSA 2048 SPKI, no v= or k=", "p=", &rsa2048, "",
		    DKIM_KEYREC_OK, NULL, DKIM_KEY_RSA, 2048, false, false },
		{ "RSA 2048 PKCS#1", "v=DKIM1; p=", &rsa2048_pkcs1, ";",
		    DKIM_KEYREC_OK, NULL, DKIM_KEY_RSA, 2048, false, false },
		{ "RSA 512 too small", "v=DKIM1; p=", &rsa512, "",
		    DKIM_KEYREC_TOO_SMALL, "RSA key too small", DKIM_KEY_RSA,
		    512, false, false },
		{ "RSA 8200 too large", "v=DKIM1; p=", &rsa8200, "",
		    DKIM_KEYREC_PERMERROR, "RSA key too large", DKIM_KEY_RSA,
		    0, false, false },
		{ "EC key under k=rsa", "v=DKIM1; p=", &ec256, "",
		    DKIM_KEYREC_PERMERROR, "p= is not an RSA public key",
		    DKIM_KEY_RSA, 0, false, false },
		{ "Ed25519 key under k=rsa", "v=DKIM1; p=", &ed_spki, "",
		    DKIM_KEYREC_PERMERROR, "p= is not an RSA public key",
		    DKIM_KEY_RSA, 0, false, false },
		{ "Ed25519 raw 32", "v=DKIM1; k=ed25519; p=", &ed, "",
		    DKIM_KEYREC_OK, NULL, DKIM_KEY_ED25519, 256, false, false },
		{ "Ed25519 31 bytes", "v=DKIM1; k=ed25519; p=", &ed31, "",
		    DKIM_KEYREC_PERMERROR, "Ed25519 key is not 32 bytes",
		    DKIM_KEY_ED25519, 0, false, false },
		{ "Ed25519 33 bytes", "v=DKIM1; k=ed25519; p=", &ed33, "",
		    DKIM_KEYREC_PERMERROR, "Ed25519 key is not 32 bytes",
		    DKIM_KEY_ED25519, 0, false, false },
		{ "Ed25519 in SPKI form", "k=ed25519; p=", &ed_spki, "",
		    DKIM_KEYREC_PERMERROR, "Ed25519 key is not 32 bytes",
		    DKIM_KEY_ED25519, 0, false, false },
		{ "RSA key under k=ed25519", "k=ed25519; p=", &rsa1024, "",
		    DKIM_KEYREC_PERMERROR, "Ed25519 key is not 32 bytes",
		    DKIM_KEY_ED25519, 0, false, false },
		{ "empty p= revoked", "v=DKIM1; k=rsa; p=", NULL, "",
		    DKIM_KEYREC_REVOKED, "key revoked (empty p=)", DKIM_KEY_RSA,
		    0, false, false },
		{ "p= only FWS revoked", "v=DKIM1; p= \r\n\t; n=x", NULL, "",
		    DKIM_KEYREC_REVOKED, "key revoked (empty p=)", DKIM_KEY_RSA,
		    0, false, false },
		{ "missing p=", "v=DKIM1; k=rsa", NULL, "",
		    DKIM_KEYREC_PERMERROR, "missing required tag p=",
		    DKIM_KEY_RSA, 0, false, false },
		{ "p= garbage base64", "p=AAAA", NULL, "",
		    DKIM_KEYREC_PERMERROR, "p= is not an RSA public key",
		    DKIM_KEY_RSA, 0, false, false },
		{ "p= not base64", "p=AA*A", NULL, "",
		    DKIM_KEYREC_PERMERROR, "p= is not valid base64 or too long",
		    DKIM_KEY_RSA, 0, false, false },
		{ "p= trailing bytes after the key", "p=", &rsa1024, "AAAA",
		    DKIM_KEYREC_PERMERROR, NULL, DKIM_KEY_RSA, 0, false,
		    false },
		{ "v=DKIM2", "v=DKIM2; p=", &rsa1024, "",
		    DKIM_KEYREC_PERMERROR, "v= is not DKIM1 or not first",
		    DKIM_KEY_RSA, 0, false, false },
		{ "v= not first", "k=rsa; v=DKIM1; p=", &rsa1024, "",
		    DKIM_KEYREC_PERMERROR, "v= is not DKIM1 or not first",
		    DKIM_KEY_RSA, 0, false, false },
		{ "k=dsa", "v=DKIM1; k=dsa; p=", &rsa1024, "",
		    DKIM_KEYREC_PERMERROR, "unsupported key type (k=)",
		    DKIM_KEY_RSA, 0, false, false },
		{ "h=sha256", "h=sha256; p=", &rsa1024, "", DKIM_KEYREC_OK,
		    NULL, DKIM_KEY_RSA, 1024, false, false },
		{ "h=sha1:sha256", "h=sha1 : sha256; p=", &rsa1024, "",
		    DKIM_KEYREC_OK, NULL, DKIM_KEY_RSA, 1024, false, false },
		{ "h=sha1", "h=sha1; p=", &rsa1024, "", DKIM_KEYREC_PERMERROR,
		    "key does not allow sha256 (h=)", DKIM_KEY_RSA, 0, false,
		    false },
		{ "s=email", "s=email; p=", &rsa1024, "", DKIM_KEYREC_OK, NULL,
		    DKIM_KEY_RSA, 1024, false, false },
		{ "s=*", "s=*; p=", &rsa1024, "", DKIM_KEYREC_OK, NULL,
		    DKIM_KEY_RSA, 1024, false, false },
		{ "s=other:email", "s=other:email; p=", &rsa1024, "",
		    DKIM_KEYREC_OK, NULL, DKIM_KEY_RSA, 1024, false, false },
		{ "s=other", "s=other; p=", &rsa1024, "", DKIM_KEYREC_PERMERROR,
		    "key not for email (s=)", DKIM_KEY_RSA, 0, false, false },
		{ "t=y", "t=y; p=", &rsa1024, "", DKIM_KEYREC_OK, NULL,
		    DKIM_KEY_RSA, 1024, true, false },
		{ "t=s", "t=s; p=", &rsa1024, "", DKIM_KEYREC_OK, NULL,
		    DKIM_KEY_RSA, 1024, false, true },
		{ "t=y:s", "t=y:s; p=", &rsa1024, "", DKIM_KEYREC_OK, NULL,
		    DKIM_KEY_RSA, 1024, true, true },
		{ "t= unknown flag", "t=q : s; p=", &rsa1024, "", DKIM_KEYREC_OK,
		    NULL, DKIM_KEY_RSA, 1024, false, true },
		{ "unknown tags and n=", "n=a note; zz=1; p=", &rsa1024, "",
		    DKIM_KEYREC_OK, NULL, DKIM_KEY_RSA, 1024, false, false },
		{ "duplicate p=", "p=; p=", &rsa1024, "",
		    DKIM_KEYREC_PERMERROR, "duplicate tag", DKIM_KEY_RSA, 0,
		    false, false },
		{ "garbage", "\x80\x81", NULL, "", DKIM_KEYREC_PERMERROR,
		    "tag name does not start with a letter", DKIM_KEY_RSA, 0,
		    false, false },
	};
	struct buf rec = BUF_INIT, folded = BUF_INIT;
	struct dkim_keyrec kr;
	struct err e;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: %s\n", t[i].name);
		buf_reset(&rec);
		buf_adds(&rec, t[i].pre);
		if (t[i].key != NULL) {
			/* fold the key as a zone file's strings might join */
			buf_reset(&folded);
			for (j = 0; j < t[i].key->len; j++) {
				if (j > 0 && j % 60 == 0)
					buf_adds(&folded, " \r\n\t");
				buf_addc(&folded, t[i].key->data[j]);
			}
			buf_adds(&rec, buf_str(&folded));
		}
		buf_adds(&rec, t[i].post);
		assert_false(buf_failed(&rec));
		assert_int_equal(dkim_keyrec_parse(rec.data, rec.len, &kr, &e),
		    0);
		if (kr.outcome != t[i].want) {
			print_message("  got outcome %d (%s), want %d\n",
			    (int)kr.outcome, kr.reason ? kr.reason : "-",
			    (int)t[i].want);
			fail();
		}
		if (t[i].want == DKIM_KEYREC_OK)
			assert_null(kr.reason);
		else if (t[i].reason != NULL)
			assert_string_equal(kr.reason, t[i].reason);
		else
			assert_non_null(kr.reason);
		assert_int_equal(kr.testing, t[i].testing);
		assert_int_equal(kr.no_subdomains, t[i].nosub);
		if (t[i].want == DKIM_KEYREC_OK ||
		    t[i].want == DKIM_KEYREC_TOO_SMALL) {
			assert_non_null(kr.key);
			assert_int_equal(kr.type, t[i].type);
			assert_int_equal(kr.bits, t[i].bits);
		} else
			assert_null(kr.key);
		dkim_keyrec_free(&kr);
		dkim_keyrec_free(&kr);	/* twice is harmless */
	}
	buf_free(&rec);
	buf_free(&folded);
}

/*
 * The daemon's decoded-key cache (key_cache.c) behind the parser: the
 * second parse of a record gets the very key the first decoded, with the
 * same verdict; a key that failed the checks is never kept; another key
 * is another entry.
 */
static void
test_cached(void **state)
{
	const struct buf *keys[] = { &rsa1024, &rsa1024_pkcs1, &rsa2048, &rsa512,
	    &rsa8200, &ed };
	const char *pre[] = { "p=", "p=", "p=", "p=", "p=", "k=ed25519; p=" };
	struct dkim_keyrec first[6], again, plain;
	struct buf rec = BUF_INIT;
	struct err e;
	size_t i, j;

	(void)state;
	key_cache_clear();
	for (i = 0; i < 6; i++) {
		buf_reset(&rec);
		buf_adds(&rec, pre[i]);
		buf_add(&rec, keys[i]->data, keys[i]->len);
		assert_false(buf_failed(&rec));
		assert_int_equal(dkim_keyrec_parse_cached(rec.data, rec.len,
		    key_cache(), &first[i], &e), 0);
		assert_int_equal(dkim_keyrec_parse_cached(rec.data, rec.len,
		    key_cache(), &again, &e), 0);
		assert_int_equal(dkim_keyrec_parse(rec.data, rec.len, &plain,
		    &e), 0);
		/* the same verdict as without a cache */
		assert_int_equal(again.outcome, plain.outcome);
		assert_int_equal(first[i].outcome, plain.outcome);
		assert_int_equal(again.bits, plain.bits);
		if (plain.key == NULL) {	/* RSA 8200: refused, not kept */
			assert_null(first[i].key);
			assert_null(again.key);
		} else {
			/* from the cache: the key the first parse decoded */
			assert_ptr_equal(again.key, first[i].key);
			assert_ptr_not_equal(plain.key, first[i].key);
		}
		dkim_keyrec_free(&again);
		dkim_keyrec_free(&plain);
	}
	/* distinct DER (SPKI and PKCS#1 of one key) are distinct entries */
	assert_ptr_not_equal(first[0].key, first[1].key);
	for (j = 0; j < 6; j++)
		dkim_keyrec_free(&first[j]);
	/* the cache's own references go; what callers still hold stays */
	key_cache_clear();
	buf_free(&rec);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_cached),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
