/* SPDX-License-Identifier: ISC */
/*
 * test_arc_verify.c - unit tests for arc_set.c and arc_verify.c (RFC 8617
 * 5.2). Chains are built with our own sealer (arc_seal.c) at a fixed
 * time with RSA keys made in setup, the way a forwarder adds each Set
 * (verify, then seal with the instance and cv= the verifier gives), and
 * then broken the ways 5.2 names: the form (gaps, duplicates, missing
 * fields, cv= rules, caps), the newest AMS, an older AMS (oldest-pass),
 * a seal, and the keys.
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

enum { K_A, K_B, K_C, K_SMALL, NKEYS };

struct fixture {
	EVP_PKEY	*key[NKEYS];
	char		*rec[NKEYS];
	struct arc_msg_key table[NKEYS];
	struct arc_msg	 m;
};

static struct fixture *fx;

static const char *const key_names[NKEYS] = {
	"a1._domainkey.lists.example.org",
	"b2._domainkey.fwd.example.net",
	"c3._domainkey.relay.example.com",
	"small._domainkey.tiny.example",
};

static int
setup(void **state)
{
	size_t i;

	if ((fx = calloc(1, sizeof(*fx))) == NULL)
		return -1;
	for (i = 0; i < NKEYS; i++) {
		fx->key[i] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
		    (size_t)(i == K_SMALL ? 512 : 1024 + 512 * (i % 2)));
		if (fx->key[i] == NULL ||
		    (fx->rec[i] = arc_msg_record(fx->key[i])) == NULL)
			return -1;	/* a test that cannot run must fail */
		fx->table[i].name = key_names[i];
		fx->table[i].lookup = DKIM_KEY_FOUND;
		fx->table[i].rec = fx->rec[i];
	}
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NKEYS; i++) {
		EVP_PKEY_free(fx->key[i]);
		free(fx->rec[i]);
	}
	free(fx);
	return 0;
}

static int
msg_setup(void **state)
{
	(void)state;
	arc_msg_init(&fx->m);
	fx->table[K_A].lookup = DKIM_KEY_FOUND;
	return 0;
}

static int
msg_teardown(void **state)
{
	(void)state;
	arc_msg_free(&fx->m);
	return 0;
}

/* Hops: lists.example.org, fwd.example.net, relay.example.com. */
static void
forward(struct arc_msg *m, unsigned hops)
{
	static const char *const dom[] = { "lists.example.org",
	    "fwd.example.net", "relay.example.com" };
	static const char *const sel[] = { "a1", "b2", "c3" };
	unsigned h, done = 0;
	size_t k;

	for (k = 0; k < m->n; k++)
		if (strncmp(m->f[k], "ARC-Seal:", 9) == 0)
			done++;
	for (h = done; h < done + hops; h++)
		assert_int_equal(arc_msg_forward(m, fx->table, NKEYS, dom[h % 3],
		    sel[h % 3], fx->key[h % 3], NULL, 0), 0);
}

/* Verify the message; check the result and (if not NULL) the reason. */
static struct arc_verifier *
check(const struct arc_msg *m, struct hdr_list *l, enum auth_result want,
    const char *reason)
{
	struct arc_verifier *vf;
	const struct arc_result *r;

	/* one byte at a time and all at once must agree */
	vf = arc_msg_verify(m, l, fx->table, NKEYS, 1);
	assert_non_null(vf);
	r = arc_verifier_result(vf);
	arc_verifier_free(vf);
	hdr_list_free(l);
	assert_int_equal(r == NULL, 0);
	vf = arc_msg_verify(m, l, fx->table, NKEYS, 0);
	assert_non_null(vf);
	r = arc_verifier_result(vf);
	if (r->result != want || (reason != NULL && (r->reason == NULL ||
	    strstr(r->reason, reason) == NULL)))
		fail_msg("result %s (%s), want %s (%s)",
		    auth_result_name(r->result), r->reason ? r->reason : "-",
		    auth_result_name(want), reason ? reason : "-");
	return vf;
}

static void
done(struct arc_verifier *vf, struct hdr_list *l)
{
	arc_verifier_free(vf);
	hdr_list_free(l);
}

static void
test_no_arc(void **state)
{
	struct hdr_list l;
	struct arc_verifier *vf;
	unsigned inst;
	enum arc_cv cv;

	(void)state;
	vf = check(&fx->m, &l, AUTH_NONE, NULL);
	assert_int_equal(arc_verifier_key_count(vf), 0);
	assert_int_equal(arc_verifier_result(vf)->instances, 0);
	assert_true(arc_verifier_may_seal(vf, &inst, &cv));
	assert_int_equal(inst, 1);
	assert_int_equal(cv, ARC_CV_NONE);
	done(vf, &l);
}

static void
test_chain_pass(void **state)
{
	struct hdr_list l;
	struct arc_verifier *vf;
	const struct arc_instance *in;
	unsigned n, inst;
	enum arc_cv cv;

	(void)state;
	for (n = 1; n <= 3; n++) {
		forward(&fx->m, 1);
		vf = check(&fx->m, &l, AUTH_PASS, NULL);
		assert_int_equal(arc_verifier_result(vf)->instances, n);
		assert_int_equal(arc_verifier_result(vf)->oldest_pass, 0);
		assert_int_equal(arc_verifier_result(vf)->fields, 3 * n);
		/* one name per sealer: AS and AMS share the key */
		assert_int_equal(arc_verifier_key_count(vf), n);
		in = arc_verifier_instance(vf, 1);
		assert_non_null(in);
		assert_string_equal(in->domain, "lists.example.org");
		assert_string_equal(in->selector, "a1");
		assert_string_equal(in->ams_domain, "lists.example.org");
		assert_int_equal(in->cv, ARC_CV_NONE);
		assert_int_equal(in->seal, AUTH_PASS);
		assert_int_equal(in->ams, AUTH_PASS);
		assert_int_equal(in->aar_parsed, 0);
		assert_string_equal(in->aar_spf.id, "mx.lists.example.org");
		assert_true(in->aar_spf.mailfrom.found);
		assert_int_equal(in->aar_spf.mailfrom.result, AUTH_PASS);
		assert_non_null(strstr(in->aar, "dkim=pass"));
		in = arc_verifier_instance(vf, n);
		assert_int_equal(in->i, n);
		assert_int_equal(in->cv, n == 1 ? ARC_CV_NONE : ARC_CV_PASS);
		assert_null(arc_verifier_instance(vf, n + 1));
		assert_null(arc_verifier_instance(vf, 0));
		assert_true(arc_verifier_may_seal(vf, &inst, &cv));
		assert_int_equal(inst, n + 1);
		assert_int_equal(cv, ARC_CV_PASS);
		done(vf, &l);
	}
}

static void
remove_instance(struct arc_msg *m, unsigned i)
{
	char pat[32];
	size_t k;

	for (k = 0; k < m->n;) {
		snprintf(pat, sizeof(pat), " i=%u;", i);
		if (strncmp(m->f[k], "ARC-", 4) == 0 &&
		    strstr(m->f[k], pat) != NULL)
			arc_msg_remove(m, k);
		else
			k++;
	}
}

static void
test_gap(void **state)
{
	struct hdr_list l;

	(void)state;
	forward(&fx->m, 3);
	remove_instance(&fx->m, 2);
	done(check(&fx->m, &l, AUTH_FAIL, "gap"), &l);
}

static void
test_duplicate(void **state)
{
	struct hdr_list l;
	long i;

	(void)state;
	forward(&fx->m, 2);
	i = arc_msg_find(&fx->m, "ARC-Authentication-Results: i=1;");
	assert_true(i >= 0);
	arc_msg_push(&fx->m, fx->m.f[i]);
	done(check(&fx->m, &l, AUTH_FAIL, "share an instance"), &l);
}

static void
test_missing_aar(void **state)
{
	struct hdr_list l;
	long i;

	(void)state;
	forward(&fx->m, 2);
	i = arc_msg_find(&fx->m, "ARC-Authentication-Results: i=1;");
	assert_true(i >= 0);
	arc_msg_remove(&fx->m, (size_t)i);
	done(check(&fx->m, &l, AUTH_FAIL, "no ARC-Authentication-Results"),
	    &l);
}

static void
test_missing_seal(void **state)
{
	struct hdr_list l;
	long i;

	(void)state;
	forward(&fx->m, 1);
	i = arc_msg_find(&fx->m, "ARC-Seal:");
	arc_msg_remove(&fx->m, (size_t)i);
	done(check(&fx->m, &l, AUTH_FAIL, "no ARC-Seal"), &l);
}

/* A chain that fails gets a cv=fail Set; after that, nobody seals. */
static void
test_cv_fail(void **state)
{
	struct hdr_list l;
	struct arc_verifier *vf;
	unsigned inst;
	enum arc_cv cv;

	(void)state;
	forward(&fx->m, 1);
	arc_msg_set_body(&fx->m, "a footer added by a list\r\n");
	vf = check(&fx->m, &l, AUTH_FAIL, "body hash");
	assert_true(arc_verifier_may_seal(vf, &inst, &cv));
	assert_int_equal(inst, 2);
	assert_int_equal(cv, ARC_CV_FAIL);
	done(vf, &l);
	forward(&fx->m, 1);	/* seals with cv=fail */
	vf = check(&fx->m, &l, AUTH_FAIL, "newest ARC-Seal says cv=fail");
	assert_int_equal(arc_verifier_key_count(vf), 0);
	assert_int_equal(arc_verifier_instance(vf, 2)->cv, ARC_CV_FAIL);
	assert_false(arc_verifier_may_seal(vf, &inst, &cv));	/* 5.1 step 1 */
	done(vf, &l);
	assert_int_equal(arc_msg_forward(&fx->m, fx->table, NKEYS,
	    "relay.example.com", "c3", fx->key[K_C], NULL, 0), 1);
}

static void
test_first_cv_pass(void **state)
{
	struct hdr_list l;
	long i;

	(void)state;
	forward(&fx->m, 1);
	i = arc_msg_find(&fx->m, "ARC-Seal:");
	assert_true(arc_msg_edit(&fx->m, (size_t)i, "cv=none", "cv=pass"));
	done(check(&fx->m, &l, AUTH_FAIL, "i=1 has a cv= other than none"),
	    &l);
}

static void
test_later_cv_none(void **state)
{
	struct hdr_list l;
	long i;

	(void)state;
	forward(&fx->m, 2);
	i = arc_msg_find(&fx->m, "ARC-Seal: i=2;");
	assert_true(i >= 0);
	assert_true(arc_msg_edit(&fx->m, (size_t)i, "cv=pass", "cv=none"));
	done(check(&fx->m, &l, AUTH_FAIL, "other than pass"), &l);
}

static void
test_newest_ams_body(void **state)
{
	struct hdr_list l;
	struct arc_verifier *vf;

	(void)state;
	forward(&fx->m, 2);
	arc_msg_set_body(&fx->m, "Hello  world \r\n\r\nSecond\tline!\r\n");
	vf = check(&fx->m, &l, AUTH_FAIL,
	    "ARC-Message-Signature body hash did not verify");
	assert_int_equal(arc_verifier_instance(vf, 2)->ams, AUTH_FAIL);
	done(vf, &l);
}

static void
test_newest_ams_header(void **state)
{
	struct hdr_list l;
	long i;

	(void)state;
	forward(&fx->m, 2);
	i = arc_msg_find(&fx->m, "Subject:");
	assert_true(arc_msg_edit(&fx->m, (size_t)i, "ARC", "arc"));
	done(check(&fx->m, &l, AUTH_FAIL,
	    "ARC-Message-Signature did not verify"), &l);
}

/*
 * 5.2 step 6: an older AMS broken by a field it signed and later hops do
 * not: the chain passes, oldest-pass names the oldest AMS still valid.
 */
static void
test_oldest_pass(void **state)
{
	static const char *const with_note[] = { "From", "Subject", "X-Note" };
	static const char *const without[] = { "From", "Subject" };
	struct hdr_list l;
	struct arc_verifier *vf;
	long i;

	(void)state;
	assert_int_equal(arc_msg_forward(&fx->m, fx->table, NKEYS,
	    "lists.example.org", "a1", fx->key[K_A], with_note, 3), 0);
	assert_int_equal(arc_msg_forward(&fx->m, fx->table, NKEYS,
	    "fwd.example.net", "b2", fx->key[K_B], with_note, 3), 0);
	assert_int_equal(arc_msg_forward(&fx->m, fx->table, NKEYS,
	    "relay.example.com", "c3", fx->key[K_C], without, 2), 0);
	vf = check(&fx->m, &l, AUTH_PASS, NULL);
	assert_int_equal(arc_verifier_result(vf)->oldest_pass, 0);
	done(vf, &l);
	/* hop 3 rewrote X-Note: AMS 1 and 2 break, AMS 3 holds */
	i = arc_msg_find(&fx->m, "X-Note:");
	assert_true(arc_msg_edit(&fx->m, (size_t)i, "kept", "changed"));
	vf = check(&fx->m, &l, AUTH_PASS, NULL);
	assert_int_equal(arc_verifier_result(vf)->oldest_pass, 3);
	assert_int_equal(arc_verifier_instance(vf, 3)->ams, AUTH_PASS);
	assert_int_equal(arc_verifier_instance(vf, 2)->ams, AUTH_FAIL);
	/* the walk stops at the first failure (5.2 step 6) */
	assert_int_equal(arc_verifier_instance(vf, 1)->ams, AUTH_NONE);
	assert_int_equal(arc_verifier_instance(vf, 1)->seal, AUTH_PASS);
	done(vf, &l);
}

static void
test_oldest_pass_two(void **state)
{
	static const char *const with_note[] = { "From", "Subject", "X-Note" };
	static const char *const without[] = { "From", "Subject" };
	struct hdr_list l;
	struct arc_verifier *vf;
	long i;

	(void)state;
	assert_int_equal(arc_msg_forward(&fx->m, fx->table, NKEYS,
	    "lists.example.org", "a1", fx->key[K_A], with_note, 3), 0);
	assert_int_equal(arc_msg_forward(&fx->m, fx->table, NKEYS,
	    "fwd.example.net", "b2", fx->key[K_B], without, 2), 0);
	assert_int_equal(arc_msg_forward(&fx->m, fx->table, NKEYS,
	    "relay.example.com", "c3", fx->key[K_C], without, 2), 0);
	i = arc_msg_find(&fx->m, "X-Note:");
	assert_true(arc_msg_edit(&fx->m, (size_t)i, "kept", "changed"));
	vf = check(&fx->m, &l, AUTH_PASS, NULL);
	assert_int_equal(arc_verifier_result(vf)->oldest_pass, 2);
	done(vf, &l);
}

static void
test_tampered_seal(void **state)
{
	struct hdr_list l;
	struct arc_verifier *vf;
	long i;

	(void)state;
	forward(&fx->m, 2);
	/* AAR 1 is covered by AS 1 and AS 2, not by any AMS */
	i = arc_msg_find(&fx->m, "ARC-Authentication-Results: i=1;");
	assert_true(arc_msg_edit(&fx->m, (size_t)i, "spf=pass", "spf=fail"));
	vf = check(&fx->m, &l, AUTH_FAIL, "ARC-Seal did not verify");
	assert_int_equal(arc_verifier_instance(vf, 2)->seal, AUTH_FAIL);
	done(vf, &l);
}

static void
test_tampered_seal_b(void **state)
{
	struct hdr_list l;
	struct arc_verifier *vf;
	char *b;
	long i;

	(void)state;
	forward(&fx->m, 2);
	i = arc_msg_find(&fx->m, "ARC-Seal: i=1;");
	b = strstr(fx->m.f[i], "b=");
	assert_non_null(b);
	b += 2;
	b += strspn(b, " \t\r\n");
	b[3] = b[3] == 'A' ? 'B' : 'A';
	vf = check(&fx->m, &l, AUTH_FAIL, "ARC-Seal did not verify");
	/* AS 2 covers AS 1, so it fails first */
	assert_int_equal(arc_verifier_instance(vf, 2)->seal, AUTH_FAIL);
	done(vf, &l);
}

static void
test_seal_alg(void **state)
{
	struct hdr_list l;
	long i;

	(void)state;
	forward(&fx->m, 1);
	i = arc_msg_find(&fx->m, "ARC-Seal:");
	assert_true(arc_msg_edit(&fx->m, (size_t)i, "a=rsa-sha256",
	    "a=rsa-sha1"));
	done(check(&fx->m, &l, AUTH_FAIL, "not rsa-sha256"), &l);
	i = arc_msg_find(&fx->m, "ARC-Seal:");
	assert_true(arc_msg_edit(&fx->m, (size_t)i, "a=rsa-sha1",
	    "a=rsa-sha256; h=From"));
	done(check(&fx->m, &l, AUTH_FAIL, "h= tag"), &l);
}

/* 4.2.1: at most 50 Sets; a real chain of 50 passes and takes no more. */
static void
test_fifty(void **state)
{
	struct hdr_list l;
	struct arc_verifier *vf;
	unsigned inst;
	enum arc_cv cv;
	unsigned k;

	(void)state;
	for (k = 1; k <= ARC_MAX_INSTANCES; k++)
		assert_int_equal(arc_msg_seal(&fx->m, k, k == 1 ? ARC_CV_NONE :
		    ARC_CV_PASS, "lists.example.org", "a1", fx->key[K_A], NULL,
		    0), 0);
	vf = check(&fx->m, &l, AUTH_PASS, NULL);
	assert_int_equal(arc_verifier_result(vf)->instances, 50);
	assert_false(arc_verifier_may_seal(vf, &inst, &cv));
	done(vf, &l);
	/* the sealer refuses a 51st */
	assert_int_equal(arc_msg_seal(&fx->m, 51, ARC_CV_PASS,
	    "lists.example.org", "a1", fx->key[K_A], NULL, 0), -1);
	/* one field more is past the cap of 150 */
	arc_msg_push(&fx->m, "ARC-Authentication-Results: i=51; x; none");
	done(check(&fx->m, &l, AUTH_FAIL, "more ARC header fields"), &l);
	/* a field claiming i=51 fails the chain */
	arc_msg_free(&fx->m);
	arc_msg_init(&fx->m);
	forward(&fx->m, 1);
	arc_msg_push(&fx->m, "ARC-Authentication-Results: i=51; x; none");
	done(check(&fx->m, &l, AUTH_FAIL, "above 50"), &l);
}

static void
test_too_many_fields(void **state)
{
	struct hdr_list l;
	struct arc_verifier *vf;
	size_t k;

	(void)state;
	forward(&fx->m, 1);
	for (k = 0; k < 200; k++)
		arc_msg_insert(&fx->m, fx->m.n,
		    "ARC-Authentication-Results: i=1; x; none");
	vf = check(&fx->m, &l, AUTH_FAIL, "more ARC header fields");
	assert_int_equal(arc_verifier_result(vf)->fields, 203);
	done(vf, &l);
}

static void
test_garbage(void **state)
{
	static const char *const bad[] = {
		"ARC-Seal: garbage",
		"ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=!!",
		"ARC-Seal: i=1; i=1",
		"ARC-Message-Signature: i=1; ;;==",
		"ARC-Message-Signature: i=x",
		("ARC-Message-Signature: i=1; a=rsa-sha256; b=AAAA; bh=AAAA; "
		    "d=x.example; s=s; h=To"),
		"ARC-Authentication-Results: no instance",
		"ARC-Authentication-Results: i=0; x; none",
		"ARC-Authentication-Results: i=1 x; none",
		"ARC-Authentication-Results: i=99999999999999999999; x",
		"ARC-Authentication-Results:",
		"ARC-Seal:",
		"ARC-Seal: i=1; a=rsa-sha256; cv=maybe; d=x; s=s; b=AAAA",
		"ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x; s=s; t=12x; b=AAAA",
	};
	struct hdr_list l;
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		struct arc_msg m;

		arc_msg_init(&m);
		forward(&m, 1);
		arc_msg_push(&m, bad[k]);
		done(check(&m, &l, AUTH_FAIL, NULL), &l);
		arc_msg_free(&m);
		/* alone, too */
		arc_msg_init(&m);
		arc_msg_push(&m, bad[k]);
		done(check(&m, &l, AUTH_FAIL, NULL), &l);
		arc_msg_free(&m);
	}
}

/* An AMS d=/s= that is not a DNS name: fail, no lookup of it. */
static void
test_bad_key_name(void **state)
{
	struct hdr_list l;
	struct arc_verifier *vf;
	long i;

	(void)state;
	forward(&fx->m, 1);
	i = arc_msg_find(&fx->m, "ARC-Seal:");
	assert_true(arc_msg_edit(&fx->m, (size_t)i, "s=a1", "s=a..1"));
	vf = check(&fx->m, &l, AUTH_FAIL, "not a valid DNS name");
	assert_int_equal(arc_verifier_key_count(vf), 0);
	done(vf, &l);
}

static void
test_keys(void **state)
{
	struct hdr_list l;
	struct arc_verifier *vf;

	(void)state;
	forward(&fx->m, 2);
	fx->table[K_A].lookup = DKIM_KEY_ABSENT;
	vf = check(&fx->m, &l, AUTH_FAIL, "no ARC key record");
	assert_false(arc_verifier_result(vf)->temporary);
	done(vf, &l);
	fx->table[K_A].lookup = DKIM_KEY_TIMEOUT;
	vf = check(&fx->m, &l, AUTH_FAIL, "DNS timeout");
	assert_true(arc_verifier_result(vf)->temporary);
	done(vf, &l);
	fx->table[K_A].lookup = DKIM_KEY_SERVFAIL;
	vf = check(&fx->m, &l, AUTH_FAIL, "DNS server failure");
	assert_true(arc_verifier_result(vf)->temporary);
	done(vf, &l);
	/* the newest sealer's key: the newest AMS decides (step 5) */
	fx->table[K_A].lookup = DKIM_KEY_FOUND;
	fx->table[K_B].rec = "v=DKIM1; k=rsa; p=";
	vf = check(&fx->m, &l, AUTH_FAIL, "revoked");
	assert_int_equal(arc_verifier_instance(vf, 2)->ams, AUTH_FAIL);
	done(vf, &l);
	fx->table[K_B].rec = fx->rec[K_A];	/* the wrong key */
	done(check(&fx->m, &l, AUTH_FAIL, "did not verify"), &l);
	fx->table[K_B].rec = fx->rec[K_B];
}

static void
test_small_key(void **state)
{
	struct hdr_list l;

	(void)state;
	assert_int_equal(arc_msg_seal(&fx->m, 1, ARC_CV_NONE, "tiny.example",
	    "small", fx->key[K_SMALL], NULL, 0), 0);
	done(check(&fx->m, &l, AUTH_FAIL, "under 1024 bits"), &l);
}

/* A key never answered counts as a timeout; a refused message fails. */
static void
test_unanswered_refuse(void **state)
{
	struct hdr_list l;
	struct arc_verifier *vf;
	struct err e;

	(void)state;
	forward(&fx->m, 1);
	arc_msg_hdrs(&fx->m, &l);
	vf = arc_verifier_new(&l, &e);
	assert_non_null(vf);
	assert_int_equal(arc_verifier_key_count(vf), 1);
	assert_string_equal(arc_verifier_key_name(vf, 0), key_names[K_A]);
	assert_null(arc_verifier_key_name(vf, 1));
	arc_verifier_set_key(vf, 7, DKIM_KEY_FOUND, NULL, NULL, 0);
	assert_int_equal(arc_verifier_finish(vf, ARC_MSG_NOW, &e), 0);
	assert_int_equal(arc_verifier_result(vf)->result, AUTH_FAIL);
	assert_true(arc_verifier_result(vf)->temporary);
	arc_verifier_free(vf);
	vf = arc_verifier_new(&l, &e);
	arc_verifier_refuse(vf, "header too large");
	assert_int_equal(arc_verifier_key_count(vf), 0);
	assert_int_equal(arc_verifier_finish(vf, ARC_MSG_NOW, &e), 0);
	assert_string_equal(arc_verifier_result(vf)->reason,
	    "header too large");
	done(vf, &l);
	arc_verifier_free(NULL);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, msg_setup, msg_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_no_arc),
		T(test_chain_pass),
		T(test_gap),
		T(test_duplicate),
		T(test_missing_aar),
		T(test_missing_seal),
		T(test_cv_fail),
		T(test_first_cv_pass),
		T(test_later_cv_none),
		T(test_newest_ams_body),
		T(test_newest_ams_header),
		T(test_oldest_pass),
		T(test_oldest_pass_two),
		T(test_tampered_seal),
		T(test_tampered_seal_b),
		T(test_seal_alg),
		T(test_fifty),
		T(test_too_many_fields),
		T(test_garbage),
		T(test_bad_key_name),
		T(test_keys),
		T(test_small_key),
		T(test_unanswered_refuse),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
