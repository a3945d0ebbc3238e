/* SPDX-License-Identifier: ISC */
/*
 * test_bodyhash.c - unit tests for bodyhash.c: the streamed body hash of
 * RFC 6376 3.7, with and without an l= limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>

#include "bodyhash.h"
#include "buf.h"

/* base64 of the digest of a body fed in chunks of chunk bytes. */
static uint64_t
hash_b64(enum canon_alg alg, const EVP_MD *md, uint64_t limit,
    const char *body, size_t chunk, struct buf *out)
{
	unsigned char d[EVP_MAX_MD_SIZE], again[EVP_MAX_MD_SIZE];
	size_t dlen, dlen2, len = strlen(body), off;
	struct bodyhash *bh;
	struct err e;
	uint64_t total;

	bh = bodyhash_new(alg, md, limit, &e);
	assert_non_null(bh);
	for (off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;

		assert_int_equal(bodyhash_update(bh,
		    (const unsigned char *)body + off, n, &e), 0);
	}
	assert_int_equal(bodyhash_final(bh, d, &dlen, &e), 0);
	assert_int_equal(dlen, (size_t)EVP_MD_get_size(md));
	/* final again gives the same digest; more body is refused */
	assert_int_equal(bodyhash_final(bh, again, &dlen2, &e), 0);
	assert_int_equal(dlen2, dlen);
	assert_memory_equal(again, d, dlen);
	e.msg[0] = '\0';
	assert_int_equal(bodyhash_update(bh, (const unsigned char *)"x", 1, &e),
	    -1);
	assert_true(e.msg[0] != '\0');
	total = bodyhash_total(bh);
	bodyhash_free(bh);
	buf_reset(out);
	assert_int_equal(buf_reserve(out, 4 * ((dlen + 2) / 3)), 0);
	out->len = (size_t)EVP_EncodeBlock((unsigned char *)out->data, d,
	    (int)dlen);
	out->data[out->len] = '\0';
	return total;
}

/* base64(SHA-256(s)) */
static void
sha256_b64(const char *s, size_t len, struct buf *out)
{
	unsigned char d[32];
	unsigned int dlen;

	assert_int_equal(EVP_Digest(s, len, d, &dlen, EVP_sha256(), NULL), 1);
	buf_reset(out);
	assert_int_equal(buf_reserve(out, 44), 0);
	out->len = (size_t)EVP_EncodeBlock((unsigned char *)out->data, d, 32);
	out->data[out->len] = '\0';
}

static void
test_hashes(void **state)
{
	static const char rfc[] = " C \r\nD \t E\r\n\r\n\r\n";
	static const struct {
		const char	*name;
		enum canon_alg	 alg;
		uint64_t	 limit;
		const char	*body;
		const char	*hashed;	/* canonical bytes after l= */
		uint64_t	 total;
		const char	*golden;	/* known bh=, or NULL */
	} t[] = {
		/* the well-known bh= of an empty body */
		{ "empty, simple", CANON_SIMPLE, BODYHASH_NO_LIMIT, "", "\r\n",
		    2, "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=" },
		{ "empty, relaxed", CANON_RELAXED, BODYHASH_NO_LIMIT, "", "", 0,
		    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" },
		{ "RFC example, relaxed", CANON_RELAXED, BODYHASH_NO_LIMIT, rfc,
		    " C\r\nD E\r\n", 9, NULL },
		{ "RFC example, simple", CANON_SIMPLE, BODYHASH_NO_LIMIT, rfc,
		    " C \r\nD \t E\r\n", 12, NULL },
		{ "l=0", CANON_RELAXED, 0, rfc, "", 9, NULL },
		{ "l=3", CANON_RELAXED, 3, rfc, " C\r", 9, NULL },
		{ "l= the whole body", CANON_RELAXED, 9, rfc, " C\r\nD E\r\n", 9,
		    NULL },
		{ "l= past the end", CANON_SIMPLE, 1000, rfc,
		    " C \r\nD \t E\r\n", 12, NULL },
		{ "l=1, empty simple body", CANON_SIMPLE, 1, "", "\r", 2, NULL },
	};
	static const size_t chunks[] = { 1, 2, 5, 4096 };
	struct buf got = BUF_INIT, want = BUF_INIT;
	size_t i, c;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: %s\n", t[i].name);
		sha256_b64(t[i].hashed, strlen(t[i].hashed), &want);
		if (t[i].golden != NULL)
			assert_string_equal(buf_str(&want), t[i].golden);
		for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			assert_int_equal(hash_b64(t[i].alg, EVP_sha256(),
			    t[i].limit, t[i].body, chunks[c], &got), t[i].total);
			assert_string_equal(buf_str(&got), buf_str(&want));
		}
	}
	print_message("case: SHA-1 digest length\n");
	hash_b64(CANON_SIMPLE, EVP_sha1(), BODYHASH_NO_LIMIT, "a\r\n", 1, &got);
	assert_int_equal(got.len, 28);
	buf_free(&got);
	buf_free(&want);
}

static void
test_matches(void **state)
{
	struct bodyhash *bh;
	struct err e;

	(void)state;
	bh = bodyhash_new(CANON_RELAXED, EVP_sha256(), 100, &e);
	assert_non_null(bh);
	print_message("case: same parameters\n");
	assert_true(bodyhash_matches(bh, CANON_RELAXED, EVP_sha256(), 100));
	print_message("case: other canonicalization\n");
	assert_false(bodyhash_matches(bh, CANON_SIMPLE, EVP_sha256(), 100));
	print_message("case: other digest\n");
	assert_false(bodyhash_matches(bh, CANON_RELAXED, EVP_sha1(), 100));
	print_message("case: other limit\n");
	assert_false(bodyhash_matches(bh, CANON_RELAXED, EVP_sha256(),
	    BODYHASH_NO_LIMIT));
	bodyhash_free(bh);
	bodyhash_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hashes),
		cmocka_unit_test(test_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
