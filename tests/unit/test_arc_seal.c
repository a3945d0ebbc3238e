/* SPDX-License-Identifier: ISC */
/*
 * test_arc_seal.c - unit tests for arc_seal.c (RFC 8617 5.1): what the
 * three fields hold, what the sealer refuses, that a cv=fail seal signs
 * its own Set alone (5.1.2, checked against an AS hash computed here from
 * the new fields only), and that the output depends on the given time
 * only (same input, same bytes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arc_msg.h"
#include "dkim_hdrhash.h"
#include "dkim_pkey.h"
#include "taglist_parse.h"

static EVP_PKEY *rsa, *ed;

static int
setup(void **state)
{
	(void)state;
	rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	return rsa == NULL || ed == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ed);
	return 0;
}

static const char *const sign_list[] = {
	"From", "Subject", "Authentication-Results", "ARC-Seal",
	"arc-message-signature", "ARC-Authentication-Results", "To",
};

static void
params(struct arc_seal_params *p, unsigned inst, enum arc_cv cv, EVP_PKEY *k)
{
	memset(p, 0, sizeof(*p));
	p->instance = inst;
	p->cv = cv;
	p->ar_payload =
	    "\r\n\tmx.example.org; spf=pass smtp.mailfrom=a@b.example";
	p->domain = "example.org";
	p->selector = "sel";
	p->key = k;
	p->now = ARC_MSG_NOW;
	p->sign_headers = sign_list;
	p->nsign_headers = sizeof(sign_list) / sizeof(sign_list[0]);
}

static struct arc_sealer *
seal(const struct arc_seal_params *p, const struct hdr_list *l,
    const char *body)
{
	struct arc_sealer *s;
	struct err e;

	s = arc_sealer_new(p, l, &e);
	if (s == NULL)
		fail_msg("arc_sealer_new: %s", e.msg);
	assert_int_equal(arc_sealer_body(s, (const unsigned char *)body,
	    strlen(body), &e), 0);
	assert_int_equal(arc_sealer_finish(s, &e), 0);
	return s;
}

static void
test_values(void **state)
{
	struct arc_msg m;
	struct arc_seal_params p;
	struct arc_sealer *s;
	struct hdr_list l;
	const char *ams, *as;

	(void)state;
	arc_msg_init(&m);
	arc_msg_push(&m, "DKIM-Signature: v=1; d=example.com; b=x");
	arc_msg_push(&m, "Authentication-Results: mx.example.org; none");
	arc_msg_hdrs(&m, &l);
	params(&p, 1, ARC_CV_NONE, rsa);
	s = seal(&p, &l, m.body);
	/* 4.1.1: "i=N; " and the payload, leading white space dropped */
	assert_string_equal(arc_sealer_aar(s),
	    " i=1; mx.example.org; spf=pass smtp.mailfrom=a@b.example");
	ams = arc_sealer_ams(s);
	assert_non_null(strstr(ams, " i=1;"));
	assert_null(strstr(ams, "v="));
	assert_non_null(strstr(ams, "c=relaxed/relaxed;"));
	assert_non_null(strstr(ams, "t=1700000000;"));
	assert_non_null(strstr(ams, "h=From:Subject:To:DKIM-Signature;"));
	assert_null(strstr(ams, "Authentication-Results"));
	as = arc_sealer_seal(s);
	assert_true(strncmp(as, " i=1; a=rsa-sha256; t=1700000000; cv=none; "
	    "d=example.org; s=sel;", 64) == 0);
	assert_null(strstr(as, "h="));
	assert_null(strstr(as, "bh="));
	arc_sealer_free(s);
	arc_sealer_free(NULL);
	hdr_list_free(&l);
	arc_msg_free(&m);
}

static void
test_same_bytes(void **state)
{
	struct arc_msg m;
	struct arc_seal_params p;
	struct arc_sealer *s1, *s2;
	struct hdr_list l;

	(void)state;
	arc_msg_init(&m);
	arc_msg_hdrs(&m, &l);
	params(&p, 1, ARC_CV_NONE, rsa);
	s1 = seal(&p, &l, m.body);
	s2 = seal(&p, &l, m.body);
	assert_string_equal(arc_sealer_ams(s1), arc_sealer_ams(s2));
	assert_string_equal(arc_sealer_seal(s1), arc_sealer_seal(s2));
	arc_sealer_free(s2);
	p.now++;
	s2 = seal(&p, &l, m.body);
	assert_string_not_equal(arc_sealer_seal(s1), arc_sealer_seal(s2));
	arc_sealer_free(s1);
	arc_sealer_free(s2);
	hdr_list_free(&l);
	arc_msg_free(&m);
}

static void
refused(const struct arc_seal_params *p, const struct hdr_list *l,
    const char *why)
{
	struct err e;

	assert_null(arc_sealer_new(p, l, &e));
	if (strstr(e.msg, why) == NULL)
		fail_msg("error \"%s\", want \"%s\"", e.msg, why);
}

static void
test_refused(void **state)
{
	static const char *const no_from[] = { "To", "Subject" };
	struct arc_msg m;
	struct arc_seal_params p;
	struct hdr_list l;

	(void)state;
	arc_msg_init(&m);
	arc_msg_hdrs(&m, &l);
	params(&p, 1, ARC_CV_NONE, ed);
	refused(&p, &l, "RSA");
	params(&p, 0, ARC_CV_NONE, rsa);
	refused(&p, &l, "outside 1 to 50");
	params(&p, 51, ARC_CV_PASS, rsa);
	refused(&p, &l, "outside 1 to 50");
	params(&p, 2, ARC_CV_NONE, rsa);
	refused(&p, &l, "cv=none");
	params(&p, 1, ARC_CV_PASS, rsa);
	refused(&p, &l, "cv=pass but");
	params(&p, 2, ARC_CV_PASS, rsa);
	refused(&p, &l, "cv=pass but");
	params(&p, 1, ARC_CV_NONE, rsa);
	p.sign_headers = no_from;
	p.nsign_headers = 2;
	refused(&p, &l, "must sign From");
	hdr_list_free(&l);
	/* cv=none on a message that has ARC fields */
	assert_int_equal(arc_msg_seal(&m, 1, ARC_CV_NONE, "example.org", "sel",
	    rsa, NULL, 0), 0);
	arc_msg_hdrs(&m, &l);
	params(&p, 1, ARC_CV_NONE, rsa);
	refused(&p, &l, "has ARC fields");
	params(&p, 3, ARC_CV_PASS, rsa);
	refused(&p, &l, "cv=pass but");
	hdr_list_free(&l);
	arc_msg_free(&m);
}

/*
 * 5.1.2: a cv=fail AS signs the new Set "as if this newest ARC Set was
 * the only set present": its signature checks against a hash of the new
 * AAR, AMS and AS alone.
 */
static void
test_fail_seals_own_set(void **state)
{
	struct arc_msg m;
	struct arc_seal_params p;
	struct arc_sealer *s;
	struct hdr_list l;
	struct buf aar = BUF_INIT, ams = BUF_INIT, as = BUF_INIT, b = BUF_INIT;
	struct taglist_view f[2];
	struct taglist_parsed tl;
	const struct taglist_tag *t;
	unsigned char digest[32];
	const char *why;
	struct err e;
	size_t boff;

	(void)state;
	arc_msg_init(&m);
	assert_int_equal(arc_msg_seal(&m, 1, ARC_CV_NONE, "example.org", "sel",
	    rsa, NULL, 0), 0);
	arc_msg_hdrs(&m, &l);
	params(&p, 2, ARC_CV_FAIL, rsa);
	s = seal(&p, &l, "a changed body\r\n");
	assert_non_null(strstr(arc_sealer_seal(s), "cv=fail;"));
	buf_printf(&aar, "%s:%s", ARC_AAR_FIELD, arc_sealer_aar(s));
	buf_printf(&ams, "%s:%s", ARC_AMS_FIELD, arc_sealer_ams(s));
	f[0].p = aar.data;
	f[0].len = aar.len;
	f[1].p = ams.data;
	f[1].len = ams.len;
	/* the AS with b= emptied, by hand */
	assert_null(taglist_parse(arc_sealer_seal(s),
	    strlen(arc_sealer_seal(s)), &tl));
	t = taglist_parse_find(&tl, "b");
	assert_non_null(t);
	boff = (size_t)(t->value.p - arc_sealer_seal(s));
	buf_printf(&as, "%s:", ARC_SEAL_FIELD);
	buf_add(&as, arc_sealer_seal(s), boff);
	assert_int_equal(taglist_parse_b64(&t->value, 1024, &b, &why, &e), 0);
	assert_null(why);
	assert_int_equal(arc_seal_digest(f, 2, as.data, as.len, digest, &e), 0);
	assert_int_equal(dkim_pkey_verify(rsa, DKIM_KEY_RSA, digest,
	    (const unsigned char *)b.data, b.len, &e), 1);
	/* and the same hash with the old Set in front does not match */
	{
		struct taglist_view g[5];
		long i;

		i = arc_msg_find(&m, "ARC-Authentication-Results:");
		g[0].p = m.f[i];
		g[0].len = strlen(m.f[i]);
		i = arc_msg_find(&m, "ARC-Message-Signature:");
		g[1].p = m.f[i];
		g[1].len = strlen(m.f[i]);
		i = arc_msg_find(&m, "ARC-Seal:");
		g[2].p = m.f[i];
		g[2].len = strlen(m.f[i]);
		g[3] = f[0];
		g[4] = f[1];
		assert_int_equal(arc_seal_digest(g, 5, as.data, as.len, digest,
		    &e), 0);
		assert_int_equal(dkim_pkey_verify(rsa, DKIM_KEY_RSA, digest,
		    (const unsigned char *)b.data, b.len, &e), 0);
	}
	buf_free(&aar);
	buf_free(&ams);
	buf_free(&as);
	buf_free(&b);
	arc_sealer_free(s);
	hdr_list_free(&l);
	arc_msg_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_same_bytes),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_fail_seals_own_set),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
