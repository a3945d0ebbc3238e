/* SPDX-License-Identifier: ISC */
/*
 * test_dkim_hdrhash.c - unit tests for dkim_hdrhash.c: the fields the h=
 * entries choose (RFC 6376 5.4.2: bottom-up, one instance per entry, an
 * entry with none left hashes as nothing, the signature being verified
 * never chosen) and the header hash over them (3.7), checked against
 * SHA-256 of the canonical bytes written out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "dkim_hdrhash.h"

static void
add(struct hdr_list *l, const char *raw)
{
	assert_int_equal(hdr_list_add_raw(l, raw, strlen(raw)), HDR_ADDED);
}

static void
views(struct taglist_view *v, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		v[i].p = names[i];
		v[i].len = strlen(names[i]);
	}
}

static void
sha256(const char *s, unsigned char out[32])
{
	unsigned int len = 0;

	assert_int_equal(EVP_Digest(s, strlen(s), out, &len, EVP_sha256(),
	    NULL), 1);
	assert_int_equal(len, 32);
}

static void
test_pick_bottom_up(void **state)
{
	static const char *const names[] = { "from", "FROM", "From",
	    "subject", "x-absent" };
	struct taglist_view v[5];
	struct hdr_list l;

	(void)state;
	hdr_list_init(&l);
	add(&l, "From: first");
	add(&l, "To: t");
	add(&l, "From : second");	/* RFC 5322 4.5 obsolete: same name */
	add(&l, "Subject: s");
	views(v, names, 5);
	assert_ptr_equal(dkim_hdrhash_pick(&l, NULL, v, 0), &l.f[2]);
	assert_ptr_equal(dkim_hdrhash_pick(&l, NULL, v, 1), &l.f[0]);
	assert_null(dkim_hdrhash_pick(&l, NULL, v, 2));	/* none left */
	assert_ptr_equal(dkim_hdrhash_pick(&l, NULL, v, 3), &l.f[3]);
	assert_null(dkim_hdrhash_pick(&l, NULL, v, 4));
	hdr_list_free(&l);
}

static void
test_pick_skips_signature(void **state)
{
	static const char *const names[] = { "dkim-signature",
	    "dkim-signature" };
	struct taglist_view v[2];
	struct hdr_list l;

	(void)state;
	hdr_list_init(&l);
	add(&l, "DKIM-Signature: v=1; older");
	add(&l, "DKIM-Signature: v=1; this one");
	views(v, names, 2);
	assert_ptr_equal(dkim_hdrhash_pick(&l, &l.f[1], v, 0), &l.f[0]);
	assert_null(dkim_hdrhash_pick(&l, &l.f[1], v, 1));
	assert_ptr_equal(dkim_hdrhash_pick(&l, NULL, v, 0), &l.f[1]);
	hdr_list_free(&l);
}

static void
test_digest_relaxed(void **state)
{
	static const char *const names[] = { "from", "from", "subject",
	    "from" };
	static const char self[] = "DKIM-Signature: v=1;  h=from; b=";
	unsigned char got[32], want[32];
	struct taglist_view v[4];
	struct hdr_list l;
	struct err e;

	(void)state;
	hdr_list_init(&l);
	add(&l, "From:  One <a@example.com>");
	add(&l, "Subject:\tHello\r\n  world  ");
	add(&l, "From: Two <b@example.com>");
	views(v, names, 4);
	assert_int_equal(dkim_hdrhash(&l, NULL, v, 4, CANON_RELAXED, self,
	    strlen(self), got, &e), 0);
	/* bottom-up: Two, then One; the fourth entry hashes as nothing */
	sha256("from:Two <b@example.com>\r\n"
	    "from:One <a@example.com>\r\n"
	    "subject:Hello world\r\n"
	    "dkim-signature:v=1; h=from; b=", want);
	assert_memory_equal(got, want, 32);
	hdr_list_free(&l);
}

static void
test_digest_simple(void **state)
{
	static const char *const names[] = { "to", "x-none" };
	static const char self[] = "DKIM-Signature: v=1; b=";
	unsigned char got[32], want[32];
	struct taglist_view v[2];
	struct hdr_list l;
	struct err e;

	(void)state;
	hdr_list_init(&l);
	add(&l, "To:  Somebody \r\n\tElse");
	views(v, names, 2);
	assert_int_equal(dkim_hdrhash(&l, NULL, v, 2, CANON_SIMPLE, self,
	    strlen(self), got, &e), 0);
	sha256("To:  Somebody \r\n\tElse\r\n"
	    "DKIM-Signature: v=1; b=", want);
	assert_memory_equal(got, want, 32);
	/* no entries: the signature field alone */
	assert_int_equal(dkim_hdrhash(&l, NULL, v, 0, CANON_SIMPLE, self,
	    strlen(self), got, &e), 0);
	sha256("DKIM-Signature: v=1; b=", want);
	assert_memory_equal(got, want, 32);
	hdr_list_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick_bottom_up),
		cmocka_unit_test(test_pick_skips_signature),
		cmocka_unit_test(test_digest_relaxed),
		cmocka_unit_test(test_digest_simple),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
