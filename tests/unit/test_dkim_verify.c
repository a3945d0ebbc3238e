/* SPDX-License-Identifier: ISC */
/*
 * test_dkim_verify.c - unit tests for dkim_verify.c.
 * Keys are generated in setup (RSA-2048, RSA-1024, RSA-512, two Ed25519)
 * and the clock is fixed. Messages are signed with our own signer
 * (dkim_sign.c) and the DKIM-Signature field is put on top of the header
 * block, as an MTA delivers it; signatures the signer cannot make (l=, i=,
 * b= folded early) are made here by an independent implementation of
 * RFC 6376 3.7 (own relaxed header canonicalization, own field picking,
 * OpenSSL for the hash and the signature). Key records come from
 * dkim_key_record() and are handed over with dkim_verifier_set_key(), the
 * way the DNS layer would. Every message is verified twice, with the body
 * fed one byte at a time and all at once, and both must give the verdict.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "auth_result.h"
#include "buf.h"
#include "canon.h"
#include "dkim_key.h"
#include "dkim_sign.h"
#include "dkim_verify.h"
#include "err.h"
#include "hdr.h"

#define NOW		((time_t)1700000000)
#define DEFAULT_MAX	8

enum keyid {
	K_RSA2048,
	K_RSA1024,
	K_RSA512,
	K_ED,
	K_ED2,		/* a second Ed25519 key: the wrong one */
	NKEYS,
	K_NONE = -1,	/* use a literal record instead */
};

static const char *const key_names[NKEYS] = {
	"RSA-2048", "RSA-1024", "RSA-512", "Ed25519", "Ed25519 #2",
};

struct fixture {
	EVP_PKEY	*key[NKEYS];
	char		*rec[NKEYS];	/* "v=DKIM1; k=...; p=..." */
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	size_t i;

	if (fx == NULL)
		return -1;
	fx->key[K_RSA2048] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	fx->key[K_RSA1024] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	fx->key[K_RSA512] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)512);
	fx->key[K_ED] = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	fx->key[K_ED2] = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	*state = fx;
	for (i = 0; i < NKEYS; i++) {
		struct buf b = BUF_INIT;
		struct err e;

		if (fx->key[i] == NULL) {
			fprintf(stderr, "setup: no %s key\n", key_names[i]);
			return -1;	/* a test that cannot run must fail */
		}
		if (dkim_key_record(fx->key[i], &b, &e) == -1 ||
		    buf_failed(&b)) {
			fprintf(stderr, "setup: %s record: %s\n", key_names[i],
			    e.msg);
			buf_free(&b);
			return -1;
		}
		fx->rec[i] = buf_release(&b);
	}
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	size_t i;

	if (fx == NULL)
		return 0;
	for (i = 0; i < NKEYS; i++) {
		EVP_PKEY_free(fx->key[i]);
		free(fx->rec[i]);
	}
	free(fx);
	return 0;
}

/* ---- the message ---- */

static const char *const msg_fields[] = {
	"Received: from a by b; Tue, 14 Nov 2023 22:13:20 +0000",
	"From: Alice <alice@example.com>",
	"To: bob@example.net",
	"Subject: a test\r\n message",
	"Date: Tue, 14 Nov 2023 22:13:20 +0000",
	"Message-ID: <1@example.com>",
	"to: second@example.net",
	"X-Unsigned: yes",
};
#define NFIELDS		(sizeof(msg_fields) / sizeof(msg_fields[0]))
#define SUBJECT_IDX	3

static const char msg_body[] =
    "Hello  world \r\n\r\nSecond\tline\twith  runs\r\n.\r\n\r\n\r\n";

static const char *const sign_hdrs[] = {
	"From", "To", "Cc", "Subject", "Date", "Message-ID",
};
static const char *const over_hdrs[] = { "From" };

/* What happens to the message between signing and verifying. */
enum mutation {
	M_NONE,
	M_BODY,			/* one character of the body changed */
	M_SUBJECT,		/* the signed Subject changed */
	M_SUBJECT_WSP,		/* Subject white space and folding changed */
	M_FROM_TOP,		/* a second From added above the signed one */
	M_UNSIGNED_TOP,		/* an unsigned field added on top */
	M_UNSIGNED_BOTTOM,	/* an unsigned field added at the bottom */
	M_SHA1,			/* a=rsa-sha256 edited to a=rsa-sha1 */
};

static const char changed_body[] =
    "Hello  world \r\n\r\nSecond\tline\twith  runs!\r\n.\r\n\r\n\r\n";

static void
load_fields(struct hdr_list *l, const char *const *f, size_t n)
{
	size_t i;

	hdr_list_init(l);
	for (i = 0; i < n; i++)
		assert_int_equal(hdr_list_add_raw(l, f[i], strlen(f[i])),
		    HDR_ADDED);
}

static void
add_field(struct hdr_list *l, const char *raw)
{
	assert_int_equal(hdr_list_add_raw(l, raw, strlen(raw)), HDR_ADDED);
}

/*
 * The header block as delivered: the signature fields on top (sigs[0]
 * first), then the message's own fields, changed as mut says.
 */
static void
deliver(struct hdr_list *l, const char *const *sigs, size_t nsigs,
    enum mutation mut)
{
	struct buf f = BUF_INIT;
	size_t i;

	hdr_list_init(l);
	for (i = 0; i < nsigs; i++) {
		buf_reset(&f);
		buf_adds(&f, DKIM_SIGNATURE_FIELD ":");
		buf_adds(&f, sigs[i]);
		assert_false(buf_failed(&f));
		assert_int_equal(hdr_list_add_raw(l, f.data, f.len), HDR_ADDED);
	}
	buf_free(&f);
	if (mut == M_FROM_TOP)
		add_field(l, "From: Mallory <mallory@evil.example>");
	if (mut == M_UNSIGNED_TOP)
		add_field(l, "X-Added: on top");
	for (i = 0; i < NFIELDS; i++) {
		if (i == SUBJECT_IDX && mut == M_SUBJECT)
			add_field(l, "Subject: a test\r\n messagE");
		else if (i == SUBJECT_IDX && mut == M_SUBJECT_WSP)
			add_field(l, "Subject:   a  test \r\n\t  message  ");
		else
			add_field(l, msg_fields[i]);
	}
	if (mut == M_UNSIGNED_BOTTOM)
		add_field(l, "X-Added: at the bottom");
}

/* Sign the message with our signer; the caller frees the value. */
static char *
sign_value(EVP_PKEY *key, const char *selector, enum canon_alg hc,
    enum canon_alg bc, unsigned long ttl, const char *body)
{
	struct dkim_sign_key k = { "example.com", selector, key };
	struct dkim_sign_params p;
	struct dkim_signer *s;
	struct hdr_list l;
	struct err e;
	char *v;

	load_fields(&l, msg_fields, NFIELDS);
	memset(&p, 0, sizeof(p));
	p.keys = &k;
	p.nkeys = 1;
	p.hcanon = hc;
	p.bcanon = bc;
	p.sign_headers = sign_hdrs;
	p.nsign_headers = sizeof(sign_hdrs) / sizeof(sign_hdrs[0]);
	p.oversign_headers = over_hdrs;
	p.noversign_headers = 1;
	p.now = NOW;
	p.ttl = ttl;
	e.msg[0] = '\0';
	if ((s = dkim_signer_new(&p, &l, &e)) == NULL)
		fail_msg("dkim_signer_new: %s", e.msg);
	if (dkim_signer_body(s, (const unsigned char *)body, strlen(body),
	    &e) != 0)
		fail_msg("dkim_signer_body: %s", e.msg);
	if (dkim_signer_finish(s, &e) != 0)
		fail_msg("dkim_signer_finish: %s", e.msg);
	assert_int_equal(dkim_signer_count(s), 1);
	v = strdup(dkim_signer_value(s, 0));
	assert_non_null(v);
	dkim_signer_free(s);
	hdr_list_free(&l);
	return v;
}

/* Replace the first from in *v by to. */
static void
edit_value(char **v, const char *from, const char *to)
{
	struct buf b = BUF_INIT;
	char *at = strstr(*v, from);

	assert_non_null(at);
	buf_add(&b, *v, (size_t)(at - *v));
	buf_adds(&b, to);
	buf_adds(&b, at + strlen(from));
	assert_false(buf_failed(&b));
	free(*v);
	*v = buf_release(&b);
}

/* header.b: the first 8 characters of the b= tag's value, FWS removed. */
static void
want_b8(const char *value, char out[9])
{
	const char *p = value;
	size_t n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (strncmp(p, "b=", 2) == 0)
			break;
		p = strchr(p, ';');
		assert_non_null(p);
		p++;
	}
	for (p += 2; *p != '\0' && *p != ';' && n < 8; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			out[n++] = *p;
	out[n] = '\0';
}

/* ---- verifying ---- */

struct keyans {
	enum dkim_key_lookup	 lookup;
	const char *const	*txt;
	size_t			 ntxt;
};

static void
feed(struct dkim_verifier *vf, const char *body, size_t len, size_t chunk)
{
	struct err e;
	size_t off;

	for (off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;

		e.msg[0] = '\0';
		if (dkim_verifier_body(vf, (const unsigned char *)body + off, n,
		    &e) != 0)
			fail_msg("dkim_verifier_body: %s", e.msg);
	}
}

/*
 * new, body (in chunks of chunk bytes, 0 for all at once), set_key for
 * every signature that asks for a key, finish at now.
 */
static struct dkim_verifier *
run_verify(const struct hdr_list *l, const char *body, size_t chunk,
    size_t max, const struct keyans *ans, time_t now)
{
	struct dkim_verifier *vf;
	size_t len = strlen(body), i, *lens;
	struct err e;

	e.msg[0] = '\0';
	if ((vf = dkim_verifier_new(l, max, &e)) == NULL)
		fail_msg("dkim_verifier_new: %s", e.msg);
	feed(vf, body, len, chunk == 0 ? (len > 0 ? len : 1) : chunk);
	lens = calloc(ans->ntxt + 1, sizeof(*lens));
	assert_non_null(lens);
	for (i = 0; i < ans->ntxt; i++)
		lens[i] = strlen(ans->txt[i]);
	for (i = 0; i < dkim_verifier_count(vf); i++)
		if (dkim_verifier_key_name(vf, i) != NULL)
			dkim_verifier_set_key(vf, i, ans->lookup, ans->txt, lens,
			    ans->ntxt);
	free(lens);
	if (dkim_verifier_finish(vf, now, &e) != 0)
		fail_msg("dkim_verifier_finish: %s", e.msg);
	return vf;
}

static void
check_verdict(const struct dkim_verdict *v, enum auth_result want,
    const char *want_reason)
{
	assert_non_null(v);
	if (v->result != want ||
	    (want_reason != NULL && (v->reason == NULL ||
	    strcmp(v->reason, want_reason) != 0)))
		print_message("  got %s (%s), want %s (%s)\n",
		    auth_result_name(v->result),
		    v->reason != NULL ? v->reason : "no reason",
		    auth_result_name(want),
		    want_reason != NULL ? want_reason : "any reason");
	assert_string_equal(auth_result_name(v->result),
	    auth_result_name(want));
	if (want == AUTH_PASS)
		assert_null(v->reason);
	else if (want_reason != NULL)
		assert_string_equal(v->reason != NULL ? v->reason : "(null)",
		    want_reason);
	else
		assert_non_null(v->reason);
}

/* ---- signed with our signer ---- */

static void
test_verify_signed(void **state)
{
	struct fixture *fx = *state;
	static const char *const bad_rec[] = { "garbage" };
	static const char *const revoked[] = { "v=DKIM1; k=rsa; p=" };
	static const struct {
		const char		*name;
		enum keyid		 skey;
		enum canon_alg		 hc, bc;
		unsigned long		 ttl;
		enum mutation		 mut;
		enum keyid		 rkey;	/* K_NONE: rec */
		const char *const	*rec;
		enum dkim_key_lookup	 lookup;
		time_t			 now;
		enum auth_result	 want;
		const char		*reason;	/* NULL: any */
	} t[] = {
#define RR	CANON_RELAXED, CANON_RELAXED
#define SS	CANON_SIMPLE, CANON_SIMPLE
#define RS	CANON_RELAXED, CANON_SIMPLE
#define SR	CANON_SIMPLE, CANON_RELAXED
		{ "rsa-2048 relaxed/relaxed", K_RSA2048, RR, 0, M_NONE,
		    K_RSA2048, NULL, DKIM_KEY_FOUND, NOW, AUTH_PASS, NULL },
		{ "rsa-2048 simple/simple", K_RSA2048, SS, 0, M_NONE,
		    K_RSA2048, NULL, DKIM_KEY_FOUND, NOW, AUTH_PASS, NULL },
		{ "rsa-2048 relaxed/simple", K_RSA2048, RS, 0, M_NONE,
		    K_RSA2048, NULL, DKIM_KEY_FOUND, NOW, AUTH_PASS, NULL },
		{ "rsa-2048 simple/relaxed", K_RSA2048, SR, 0, M_NONE,
		    K_RSA2048, NULL, DKIM_KEY_FOUND, NOW, AUTH_PASS, NULL },
		{ "ed25519 relaxed/relaxed", K_ED, RR, 0, M_NONE,
		    K_ED, NULL, DKIM_KEY_FOUND, NOW, AUTH_PASS, NULL },
		{ "ed25519 simple/simple", K_ED, SS, 0, M_NONE,
		    K_ED, NULL, DKIM_KEY_FOUND, NOW, AUTH_PASS, NULL },
		{ "ed25519 relaxed/simple", K_ED, RS, 0, M_NONE,
		    K_ED, NULL, DKIM_KEY_FOUND, NOW, AUTH_PASS, NULL },
		{ "ed25519 simple/relaxed", K_ED, SR, 0, M_NONE,
		    K_ED, NULL, DKIM_KEY_FOUND, NOW, AUTH_PASS, NULL },
		{ "rsa-1024 relaxed/relaxed", K_RSA1024, RR, 0, M_NONE,
		    K_RSA1024, NULL, DKIM_KEY_FOUND, NOW, AUTH_PASS, NULL },

		{ "rsa body changed", K_RSA2048, RR, 0, M_BODY,
		    K_RSA2048, NULL, DKIM_KEY_FOUND, NOW, AUTH_FAIL,
		    "body hash did not verify" },
		{ "ed25519 body changed, simple", K_ED, SS, 0, M_BODY,
		    K_ED, NULL, DKIM_KEY_FOUND, NOW, AUTH_FAIL,
		    "body hash did not verify" },
		{ "rsa signed Subject changed", K_RSA2048, RR, 0, M_SUBJECT,
		    K_RSA2048, NULL, DKIM_KEY_FOUND, NOW, AUTH_FAIL,
		    "signature did not verify" },
		{ "ed25519 signed Subject changed", K_ED, SS, 0, M_SUBJECT,
		    K_ED, NULL, DKIM_KEY_FOUND, NOW, AUTH_FAIL,
		    "signature did not verify" },
		{ "Subject refolded, relaxed headers", K_ED, RS, 0,
		    M_SUBJECT_WSP, K_ED, NULL, DKIM_KEY_FOUND, NOW, AUTH_PASS,
		    NULL },
		{ "Subject refolded, simple headers", K_ED, SR, 0,
		    M_SUBJECT_WSP, K_ED, NULL, DKIM_KEY_FOUND, NOW, AUTH_FAIL,
		    "signature did not verify" },
		{ "From added on top of the oversigned From", K_RSA2048, RR, 0,
		    M_FROM_TOP, K_RSA2048, NULL, DKIM_KEY_FOUND, NOW, AUTH_FAIL,
		    "signature did not verify" },
		{ "From added, ed25519 simple", K_ED, SS, 0, M_FROM_TOP,
		    K_ED, NULL, DKIM_KEY_FOUND, NOW, AUTH_FAIL,
		    "signature did not verify" },
		{ "unsigned field added on top", K_RSA2048, RR, 0,
		    M_UNSIGNED_TOP, K_RSA2048, NULL, DKIM_KEY_FOUND, NOW,
		    AUTH_PASS, NULL },
		{ "unsigned field added at the bottom", K_ED, SS, 0,
		    M_UNSIGNED_BOTTOM, K_ED, NULL, DKIM_KEY_FOUND, NOW,
		    AUTH_PASS, NULL },

		{ "revoked key (p=)", K_RSA2048, RR, 0, M_NONE, K_NONE,
		    revoked, DKIM_KEY_FOUND, NOW, AUTH_PERMERROR, NULL },
		{ "key absent", K_RSA2048, RR, 0, M_NONE, K_NONE, NULL,
		    DKIM_KEY_ABSENT, NOW, AUTH_PERMERROR, NULL },
		{ "key found but no records", K_RSA2048, RR, 0, M_NONE,
		    K_NONE, NULL, DKIM_KEY_FOUND, NOW, AUTH_PERMERROR, NULL },
		{ "key lookup timed out", K_RSA2048, RR, 0, M_NONE, K_NONE,
		    NULL, DKIM_KEY_TIMEOUT, NOW, AUTH_TEMPERROR, NULL },
		{ "key lookup SERVFAIL", K_ED, RR, 0, M_NONE, K_NONE, NULL,
		    DKIM_KEY_SERVFAIL, NOW, AUTH_TEMPERROR, NULL },
		{ "only record is garbage", K_RSA2048, RR, 0, M_NONE, K_NONE,
		    bad_rec, DKIM_KEY_FOUND, NOW, AUTH_PERMERROR, NULL },
		{ "wrong RSA key", K_RSA2048, RR, 0, M_NONE, K_RSA1024, NULL,
		    DKIM_KEY_FOUND, NOW, AUTH_FAIL, "signature did not verify" },
		{ "wrong Ed25519 key", K_ED, RR, 0, M_NONE, K_ED2, NULL,
		    DKIM_KEY_FOUND, NOW, AUTH_FAIL, "signature did not verify" },
		{ "ed25519 key for an rsa signature", K_RSA2048, RR, 0, M_NONE,
		    K_ED, NULL, DKIM_KEY_FOUND, NOW, AUTH_PERMERROR, NULL },
		{ "rsa key for an ed25519 signature", K_ED, RR, 0, M_NONE,
		    K_RSA2048, NULL, DKIM_KEY_FOUND, NOW, AUTH_PERMERROR, NULL },
		{ "512-bit RSA key", K_RSA512, RR, 0, M_NONE, K_RSA512, NULL,
		    DKIM_KEY_FOUND, NOW, AUTH_POLICY, NULL },
		{ "a=rsa-sha1 (edited)", K_RSA2048, RR, 0, M_SHA1, K_RSA2048,
		    NULL, DKIM_KEY_FOUND, NOW, AUTH_POLICY, NULL },

		{ "x= in the past", K_RSA2048, RR, 3600, M_NONE, K_RSA2048,
		    NULL, DKIM_KEY_FOUND, NOW + 7200, AUTH_FAIL,
		    "signature expired" },
		{ "x= one second in the past", K_ED, RR, 3600, M_NONE, K_ED,
		    NULL, DKIM_KEY_FOUND, NOW + 3601, AUTH_FAIL,
		    "signature expired" },
		{ "x= now", K_ED, RR, 3600, M_NONE, K_ED, NULL,
		    DKIM_KEY_FOUND, NOW + 3600, AUTH_PASS, NULL },
		{ "x= in the future", K_RSA2048, RR, 3600, M_NONE, K_RSA2048,
		    NULL, DKIM_KEY_FOUND, NOW + 60, AUTH_PASS, NULL },
#undef RR
#undef SS
#undef RS
#undef SR
	};
	size_t i, pass;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *const *sigs;
		const char *rec1[1];
		struct keyans ans;
		struct hdr_list l;
		char *v, b8[9];

		print_message("case: %s\n", t[i].name);
		v = sign_value(fx->key[t[i].skey], "sel1", t[i].hc, t[i].bc,
		    t[i].ttl, msg_body);
		if (t[i].mut == M_SHA1)
			edit_value(&v, "a=rsa-sha256", "a=rsa-sha1");
		want_b8(v, b8);
		sigs = (const char *const *)&v;
		deliver(&l, sigs, 1, t[i].mut);
		ans.lookup = t[i].lookup;
		if (t[i].rkey != K_NONE) {
			rec1[0] = fx->rec[t[i].rkey];
			ans.txt = rec1;
			ans.ntxt = 1;
		} else {
			ans.txt = t[i].rec;
			ans.ntxt = t[i].rec != NULL ? 1 : 0;
		}
		for (pass = 0; pass < 2; pass++) {
			struct dkim_verifier *vf;
			const struct dkim_verdict *vd;

			print_message("  body %s\n", pass == 0 ? "at once" :
			    "one byte at a time");
			vf = run_verify(&l, t[i].mut == M_BODY ? changed_body :
			    msg_body, pass == 0 ? 0 : 1, DEFAULT_MAX, &ans,
			    t[i].now);
			assert_int_equal(dkim_verifier_count(vf), 1);
			assert_int_equal(dkim_verifier_ignored(vf), 0);
			assert_null(dkim_verifier_verdict(vf, 1));
			vd = dkim_verifier_verdict(vf, 0);
			check_verdict(vd, t[i].want, t[i].reason);
			if (t[i].mut == M_SHA1)
				assert_null(dkim_verifier_key_name(vf, 0));
			else
				assert_string_equal(dkim_verifier_key_name(vf,
				    0), "sel1._domainkey.example.com");
			assert_string_equal(vd->domain, "example.com");
			assert_string_equal(vd->selector, "sel1");
			assert_string_equal(vd->algorithm, t[i].mut == M_SHA1 ?
			    "rsa-sha1" : t[i].skey == K_ED ? "ed25519-sha256" :
			    "rsa-sha256");
			assert_string_equal(vd->b, b8);
			assert_false(vd->l_present);
			assert_false(vd->testing);
			dkim_verifier_free(vf);
		}
		hdr_list_free(&l);
		free(v);
	}
}

/* ---- signed here, independently of dkim_sign.c ---- */

static void
my_canon_header(enum canon_alg c, const char *raw, size_t len, bool crlf,
    struct buf *out)
{
	const char *colon = memchr(raw, ':', len), *p;
	bool wsp = false, any = false;
	size_t nlen, i;

	assert_non_null(colon);
	if (c == CANON_SIMPLE)
		buf_add(out, raw, len);
	else {
		/* 3.4.2: lower-case name, unfold, WSP runs to one SP, trim */
		nlen = (size_t)(colon - raw);
		while (nlen > 0 && (raw[nlen - 1] == ' ' ||
		    raw[nlen - 1] == '\t'))
			nlen--;
		for (i = 0; i < nlen; i++)
			buf_addc(out, (char)tolower((unsigned char)raw[i]));
		buf_addc(out, ':');
		for (p = colon + 1; p < raw + len; p++) {
			if (*p == '\r' || *p == '\n')
				continue;
			if (*p == ' ' || *p == '\t') {
				wsp = true;
				continue;
			}
			if (wsp && any)
				buf_addc(out, ' ');
			wsp = false;
			any = true;
			buf_addc(out, *p);
		}
	}
	if (crlf)
		buf_adds(out, "\r\n");
}

static void
b64(const unsigned char *p, size_t len, struct buf *out)
{
	buf_reset(out);
	assert_int_equal(buf_reserve(out, 4 * ((len + 2) / 3) + 1), 0);
	out->len = (size_t)EVP_EncodeBlock((unsigned char *)out->data, p,
	    (int)len);
	out->data[out->len] = '\0';
}

/* Where b= goes and what white space surrounds its value. */
enum bplace {
	B_LAST,			/* "...; bh=X;\r\n\tb=SIG" */
	B_LAST_FOLD_INSIDE,	/* "b=SIG" folded after 3 characters */
	B_LAST_FWS_BEFORE,	/* "b=\r\n\tSIG" */
	B_MIDDLE,		/* "...; b=SIG;\r\n\tbh=X" */
	B_MIDDLE_FWS_BEFORE,	/* "...; b=\r\n\t SIG;\r\n\tbh=X" */
};

/*
 * Sign l (the message's own fields) with the names in h (colon-separated),
 * bh over hashed, the tags in extra ("l=10; " say) added, b= placed as bp
 * says. The header hash covers our field with the b= value and all white
 * space around it deleted (RFC 6376 3.7). The caller frees the value.
 */
static char *
hand_sign(EVP_PKEY *key, enum canon_alg hc, enum canon_alg bc,
    const struct hdr_list *l, const char *h, const char *hashed,
    const char *extra, enum bplace bp)
{
	bool middle = bp == B_MIDDLE || bp == B_MIDDLE_FWS_BEFORE;
	struct buf post = BUF_INIT;
	bool ed = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519;
	struct buf v = BUF_INIT, all = BUF_INIT, enc = BUF_INIT;
	unsigned char md[EVP_MAX_MD_SIZE], sig[1024];
	size_t siglen = sizeof(sig), i;
	unsigned int mdlen;
	bool *used;
	char *hcopy, *p, *name;

	/* bh= */
	assert_int_equal(EVP_Digest(hashed, strlen(hashed), md, &mdlen,
	    EVP_sha256(), NULL), 1);
	b64(md, mdlen, &enc);
	buf_printf(&v, " v=1; a=%s; c=%s/%s; d=example.com; s=hand;\r\n"
	    "\tt=%lld; %sh=%s;\r\n\t",
	    ed ? "ed25519-sha256" : "rsa-sha256",
	    hc == CANON_SIMPLE ? "simple" : "relaxed",
	    bc == CANON_SIMPLE ? "simple" : "relaxed",
	    (long long)NOW, extra, h);
	if (middle) {
		buf_adds(&v, "b=");
		buf_printf(&post, ";\r\n\tbh=%s", buf_str(&enc));
	} else
		buf_printf(&v, "bh=%s;\r\n\tb=", buf_str(&enc));

	/* the signed fields, each from the bottom up (5.4.2) */
	used = calloc(l->n + 1, sizeof(*used));
	assert_non_null(used);
	hcopy = strdup(h);
	assert_non_null(hcopy);
	p = hcopy;
	while ((name = strsep(&p, ":")) != NULL) {
		for (i = l->n; i > 0; i--) {
			const struct hdr_field *f = &l->f[i - 1];

			if (!used[i - 1] && f->name_len == strlen(name) &&
			    strncasecmp(f->raw, name, f->name_len) == 0) {
				used[i - 1] = true;
				my_canon_header(hc, f->raw, f->raw_len, true,
				    &all);
				break;
			}
		}
	}
	free(hcopy);
	free(used);
	/* then our own field, b= empty, no CRLF */
	{
		struct buf self = BUF_INIT;

		buf_adds(&self, DKIM_SIGNATURE_FIELD ":");
		buf_add(&self, v.data, v.len);
		buf_add(&self, post.data, post.len);
		my_canon_header(hc, self.data, self.len, false, &all);
		buf_free(&self);
	}
	assert_false(buf_failed(&all));
	assert_false(buf_failed(&v));
	assert_int_equal(EVP_Digest(all.data, all.len, md, &mdlen,
	    EVP_sha256(), NULL), 1);
	assert_int_equal(mdlen, 32);
	if (ed) {
		EVP_MD_CTX *mc = EVP_MD_CTX_new();

		assert_non_null(mc);
		assert_int_equal(EVP_DigestSignInit(mc, NULL, NULL, NULL, key),
		    1);
		assert_int_equal(EVP_DigestSign(mc, sig, &siglen, md, 32), 1);
		EVP_MD_CTX_free(mc);
	} else {
		EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(key, NULL);

		assert_non_null(pc);
		assert_int_equal(EVP_PKEY_sign_init(pc), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pc,
		    RSA_PKCS1_PADDING), 1);
		assert_int_equal(EVP_PKEY_CTX_set_signature_md(pc,
		    EVP_sha256()), 1);
		assert_int_equal(EVP_PKEY_sign(pc, sig, &siglen, md, 32), 1);
		EVP_PKEY_CTX_free(pc);
	}
	b64(sig, siglen, &enc);
	switch (bp) {
	case B_LAST:
	case B_MIDDLE:
		buf_adds(&v, buf_str(&enc));
		break;
	case B_LAST_FOLD_INSIDE:
		buf_add(&v, enc.data, 3);
		buf_adds(&v, "\r\n\t ");
		buf_adds(&v, enc.data + 3);
		break;
	case B_LAST_FWS_BEFORE:
		buf_adds(&v, "\r\n\t");
		buf_adds(&v, buf_str(&enc));
		break;
	case B_MIDDLE_FWS_BEFORE:
		buf_adds(&v, "\r\n\t ");
		buf_adds(&v, buf_str(&enc));
		break;
	}
	buf_add(&v, post.data, post.len);
	assert_false(buf_failed(&v));
	buf_free(&post);
	buf_free(&all);
	buf_free(&enc);
	return buf_release(&v);
}

static const char two_lines[] = "Line one\r\nLine two\r\n";
static const char appended[] = "Line one\r\nLine two\r\nAppended text\r\n";
static const char relaxed_appended[] =
    "Line  one \r\nLine\ttwo\r\nAppended  text\r\n\r\n";

struct hand_case {
	const char	*name;
	enum keyid	 skey;
	enum canon_alg	 hc, bc;
	const char	*hashed;	/* canonical bytes bh= covers */
	const char	*extra;		/* tags added to the signature */
	const char	*rec_suffix;	/* added to the key record */
	enum bplace	 bp;
	const char	*body;		/* as delivered */
	enum auth_result want;
	const char	*reason;
	bool		 l_present;
	uint64_t	 l, body_len;
};

static void
run_hand_cases(struct fixture *fx, const struct hand_case *t, size_t n)
{
	struct hdr_list own;
	size_t i, pass;

	load_fields(&own, msg_fields, NFIELDS);
	for (i = 0; i < n; i++) {
		struct buf rec = BUF_INIT;
		const char *txt[1];
		struct keyans ans;
		struct hdr_list l;
		char *v, b8[9];

		print_message("case: %s\n", t[i].name);
		v = hand_sign(fx->key[t[i].skey], t[i].hc, t[i].bc, &own,
		    "From:From:To:To:Subject:Date:Message-ID", t[i].hashed,
		    t[i].extra, t[i].bp);
		want_b8(v, b8);
		assert_int_equal(strlen(b8), 8);
		deliver(&l, (const char *const *)&v, 1, M_NONE);
		buf_adds(&rec, fx->rec[t[i].skey]);
		buf_adds(&rec, t[i].rec_suffix);
		txt[0] = buf_str(&rec);
		ans.lookup = DKIM_KEY_FOUND;
		ans.txt = txt;
		ans.ntxt = 1;
		for (pass = 0; pass < 2; pass++) {
			struct dkim_verifier *vf;
			const struct dkim_verdict *vd;

			print_message("  body %s\n", pass == 0 ? "at once" :
			    "one byte at a time");
			vf = run_verify(&l, t[i].body, pass == 0 ? 0 : 1,
			    DEFAULT_MAX, &ans, NOW);
			assert_int_equal(dkim_verifier_count(vf), 1);
			assert_string_equal(dkim_verifier_key_name(vf, 0),
			    "hand._domainkey.example.com");
			vd = dkim_verifier_verdict(vf, 0);
			check_verdict(vd, t[i].want, t[i].reason);
			assert_string_equal(vd->b, b8);
			assert_int_equal(vd->l_present, t[i].l_present);
			if (t[i].l_present)
				assert_int_equal(vd->l, t[i].l);
			if (t[i].want == AUTH_PASS || t[i].l_present) {
				print_message("  body_len %llu\n",
				    (unsigned long long)vd->body_len);
				assert_int_equal(vd->body_len, t[i].body_len);
			}
			if (t[i].l_present && t[i].want == AUTH_PASS)
				assert_true(vd->body_len >= vd->l);
			assert_int_equal(vd->testing,
			    strstr(t[i].rec_suffix, "y") != NULL);
			dkim_verifier_free(vf);
		}
		hdr_list_free(&l);
		buf_free(&rec);
		free(v);
	}
	hdr_list_free(&own);
}

static void
test_verify_hand_signed(void **state)
{
	static const struct hand_case t[] = {
		{ "rsa simple/simple, independent signer", K_RSA2048,
		    CANON_SIMPLE, CANON_SIMPLE, two_lines, "", "", B_LAST,
		    two_lines, AUTH_PASS, NULL, false, 0, 20 },
		{ "ed25519 relaxed/relaxed, independent signer", K_ED,
		    CANON_RELAXED, CANON_RELAXED, two_lines, "", "", B_LAST,
		    "Line one \r\nLine  two\r\n\r\n", AUTH_PASS, NULL, false,
		    0, 20 },
		{ "empty body, simple", K_ED, CANON_SIMPLE, CANON_SIMPLE,
		    "\r\n", "", "", B_LAST, "", AUTH_PASS, NULL, false, 0, 2 },
		{ "empty body, relaxed", K_ED, CANON_SIMPLE, CANON_RELAXED,
		    "", "", "", B_LAST, "", AUTH_PASS, NULL, false, 0, 0 },
		{ "empty lines only, simple", K_ED, CANON_RELAXED, CANON_SIMPLE,
		    "\r\n", "", "", B_LAST, "\r\n\r\n\r\n", AUTH_PASS, NULL,
		    false, 0, 2 },
		{ "no final CRLF, simple", K_RSA2048, CANON_RELAXED,
		    CANON_SIMPLE, two_lines, "", "", B_LAST,
		    "Line one\r\nLine two", AUTH_PASS, NULL, false, 0, 20 },
		{ "no final CRLF, relaxed", K_ED, CANON_RELAXED, CANON_RELAXED,
		    two_lines, "", "", B_LAST, "Line one\r\nLine two \t",
		    AUTH_PASS, NULL, false, 0, 20 },
		{ "b= folded inside its first 8 characters", K_RSA2048,
		    CANON_RELAXED, CANON_SIMPLE, two_lines, "", "",
		    B_LAST_FOLD_INSIDE, two_lines, AUTH_PASS, NULL, false, 0,
		    20 },
		{ "b= folded inside, simple headers", K_ED, CANON_SIMPLE,
		    CANON_SIMPLE, two_lines, "", "", B_LAST_FOLD_INSIDE,
		    two_lines, AUTH_PASS, NULL, false, 0, 20 },
		{ "b= not last", K_ED, CANON_SIMPLE, CANON_SIMPLE, two_lines,
		    "", "", B_MIDDLE, two_lines, AUTH_PASS, NULL, false, 0, 20 },
		{ "l=10 simple, text appended", K_RSA2048, CANON_RELAXED,
		    CANON_SIMPLE, "Line one\r\n", "l=10; ", "", B_LAST,
		    appended, AUTH_PASS, NULL, true, 10, 35 },
		{ "l=10 relaxed, text appended", K_ED, CANON_SIMPLE,
		    CANON_RELAXED, "Line one\r\n", "l=10; ", "", B_LAST,
		    relaxed_appended, AUTH_PASS, NULL, true, 10, 35 },
		{ "l=20, whole body, nothing appended", K_ED, CANON_RELAXED,
		    CANON_SIMPLE, two_lines, "l=20; ", "", B_LAST, two_lines,
		    AUTH_PASS, NULL, true, 20, 20 },
		{ "l=0, text appended", K_ED, CANON_RELAXED, CANON_SIMPLE, "",
		    "l=0; ", "", B_LAST, appended, AUTH_PASS, NULL, true, 0,
		    35 },
		{ "l= longer than the body", K_ED, CANON_RELAXED, CANON_SIMPLE,
		    two_lines, "l=21; ", "", B_LAST, two_lines, AUTH_FAIL,
		    "l= is longer than the body", true, 21, 20 },
		{ "l=10, signed part changed", K_ED, CANON_RELAXED,
		    CANON_SIMPLE, "Line one\r\n", "l=10; ", "", B_LAST,
		    "Line One\r\nLine two\r\n", AUTH_FAIL,
		    "body hash did not verify", true, 10, 20 },
		{ "i= subdomain, key t=s", K_RSA2048, CANON_RELAXED,
		    CANON_RELAXED, two_lines, "i=@sub.example.com; ", "; t=s",
		    B_LAST, two_lines, AUTH_PERMERROR, NULL, false, 0, 0 },
		{ "i= subdomain, key t=y:s", K_ED, CANON_RELAXED,
		    CANON_RELAXED, two_lines, "i=u@sub.example.com; ",
		    "; t=y:s", B_LAST, two_lines, AUTH_PERMERROR, NULL, false,
		    0, 0 },
		{ "i= subdomain, key without t=s", K_RSA2048, CANON_RELAXED,
		    CANON_RELAXED, two_lines, "i=@sub.example.com; ", "",
		    B_LAST, two_lines, AUTH_PASS, NULL, false, 0, 20 },
		{ "i= is d=, key t=s", K_ED, CANON_RELAXED, CANON_RELAXED,
		    two_lines, "i=user@example.com; ", "; t=s", B_LAST,
		    two_lines, AUTH_PASS, NULL, false, 0, 20 },
		{ "i= is d= in other case, key t=s", K_ED, CANON_RELAXED,
		    CANON_RELAXED, two_lines, "i=@EXAMPLE.com; ", "; t=s",
		    B_LAST, two_lines, AUTH_PASS, NULL, false, 0, 20 },
		{ "key t=y: pass, testing", K_ED, CANON_RELAXED, CANON_RELAXED,
		    two_lines, "", "; t=y", B_LAST, two_lines, AUTH_PASS, NULL,
		    false, 0, 20 },
		{ "key s=email", K_RSA2048, CANON_RELAXED, CANON_RELAXED,
		    two_lines, "", "; s=email", B_LAST, two_lines, AUTH_PASS,
		    NULL, false, 0, 20 },
		{ "key s=other", K_RSA2048, CANON_RELAXED, CANON_RELAXED,
		    two_lines, "", "; s=other", B_LAST, two_lines,
		    AUTH_PERMERROR, NULL, false, 0, 0 },
		{ "key h=sha1", K_RSA2048, CANON_RELAXED, CANON_RELAXED,
		    two_lines, "", "; h=sha1", B_LAST, two_lines,
		    AUTH_PERMERROR, NULL, false, 0, 0 },
		{ "key h=sha1:sha256", K_RSA2048, CANON_RELAXED, CANON_RELAXED,
		    two_lines, "", "; h=sha1:sha256", B_LAST, two_lines,
		    AUTH_PASS, NULL, false, 0, 20 },
	};

	run_hand_cases(*state, t, sizeof(t) / sizeof(t[0]));
}

/*
 * RFC 6376 3.7: the b= value "including all surrounding whitespace" is
 * deleted before the header hash, so a signer that folds right after "b="
 * hashed "b=" with nothing after it. Only white space before the value is
 * tested: implementations differ on white space between the value and a
 * following ';'.
 */
static void
test_verify_b_whitespace(void **state)
{
	static const struct hand_case t[] = {
		{ "b= value folded after b=, relaxed headers", K_ED,
		    CANON_RELAXED, CANON_SIMPLE, two_lines, "", "",
		    B_LAST_FWS_BEFORE, two_lines, AUTH_PASS, NULL, false, 0,
		    20 },
		{ "b= value folded after b=, simple headers", K_ED,
		    CANON_SIMPLE, CANON_SIMPLE, two_lines, "", "",
		    B_LAST_FWS_BEFORE, two_lines, AUTH_PASS, NULL, false, 0,
		    20 },
		{ "b= not last, FWS before its value, relaxed", K_RSA2048,
		    CANON_RELAXED, CANON_RELAXED, two_lines, "", "",
		    B_MIDDLE_FWS_BEFORE, two_lines, AUTH_PASS, NULL, false, 0,
		    20 },
		{ "b= not last, FWS before its value, simple", K_ED,
		    CANON_SIMPLE, CANON_SIMPLE, two_lines, "", "",
		    B_MIDDLE_FWS_BEFORE, two_lines, AUTH_PASS, NULL, false, 0,
		    20 },
	};

	run_hand_cases(*state, t, sizeof(t) / sizeof(t[0]));
}

/* ---- malformed signature fields ---- */

#define GOOD_BH		"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="

static void
test_verify_malformed(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char		*name;
		const char		*value;
		enum auth_result	 want;
	} t[] = {
		/* control: well formed, so the others fail on their defect */
		{ "well formed, wrong hashes", " v=1; a=rsa-sha256; "
		    "d=example.com; s=sel1; h=From:To; bh=" GOOD_BH
		    "; b=dGVzdA==", AUTH_FAIL },
		{ "missing d=", " v=1; a=rsa-sha256; s=sel1; h=From:To; bh="
		    GOOD_BH "; b=dGVzdA==", AUTH_PERMERROR },
		{ "missing s=", " v=1; a=rsa-sha256; d=example.com; "
		    "h=From:To; bh=" GOOD_BH "; b=dGVzdA==", AUTH_PERMERROR },
		{ "missing b=", " v=1; a=rsa-sha256; d=example.com; s=sel1; "
		    "h=From:To; bh=" GOOD_BH, AUTH_PERMERROR },
		{ "missing bh=", " v=1; a=rsa-sha256; d=example.com; s=sel1; "
		    "h=From:To; b=dGVzdA==", AUTH_PERMERROR },
		{ "missing h=", " v=1; a=rsa-sha256; d=example.com; s=sel1; "
		    "bh=" GOOD_BH "; b=dGVzdA==", AUTH_PERMERROR },
		{ "missing v=", " a=rsa-sha256; d=example.com; s=sel1; "
		    "h=From:To; bh=" GOOD_BH "; b=dGVzdA==", AUTH_PERMERROR },
		{ "duplicate d=", " v=1; a=rsa-sha256; d=example.com; s=sel1; "
		    "d=example.org; h=From:To; bh=" GOOD_BH "; b=dGVzdA==",
		    AUTH_PERMERROR },
		{ "duplicate tag, same value", " v=1; a=rsa-sha256; "
		    "d=example.com; s=sel1; s=sel1; h=From:To; bh=" GOOD_BH
		    "; b=dGVzdA==", AUTH_PERMERROR },
		{ "garbage", " garbage", AUTH_PERMERROR },
		{ "empty value", "", AUTH_PERMERROR },
		{ "only semicolons", " ;;;;", AUTH_PERMERROR },
		{ "binary junk", " v=1; \x01\x02\xff=\x80", AUTH_PERMERROR },
		{ "v=2", " v=2; a=rsa-sha256; d=example.com; s=sel1; "
		    "h=From:To; bh=" GOOD_BH "; b=dGVzdA==", AUTH_PERMERROR },
		{ "unknown a=", " v=1; a=rsa-md5; d=example.com; s=sel1; "
		    "h=From:To; bh=" GOOD_BH "; b=dGVzdA==", AUTH_PERMERROR },
		{ "unknown c=", " v=1; a=rsa-sha256; c=loose/simple; "
		    "d=example.com; s=sel1; h=From:To; bh=" GOOD_BH
		    "; b=dGVzdA==", AUTH_PERMERROR },
		{ "h= without From", " v=1; a=rsa-sha256; d=example.com; "
		    "s=sel1; h=To:Subject; bh=" GOOD_BH "; b=dGVzdA==",
		    AUTH_PERMERROR },
		{ "bh= not base64", " v=1; a=rsa-sha256; d=example.com; "
		    "s=sel1; h=From:To; bh=!!!!; b=dGVzdA==", AUTH_PERMERROR },
		{ "l= not a number", " v=1; a=rsa-sha256; d=example.com; "
		    "s=sel1; h=From:To; l=ten; bh=" GOOD_BH "; b=dGVzdA==",
		    AUTH_PERMERROR },
		{ "x= not after t=", " v=1; a=rsa-sha256; d=example.com; "
		    "s=sel1; h=From:To; t=1700000000; x=1600000000; bh="
		    GOOD_BH "; b=dGVzdA==", AUTH_PERMERROR },
		{ "i= outside d=", " v=1; a=rsa-sha256; d=example.com; "
		    "s=sel1; i=@example.org; h=From:To; bh=" GOOD_BH
		    "; b=dGVzdA==", AUTH_PERMERROR },
		{ "d= not a DNS name", " v=1; a=rsa-sha256; d=example..com; "
		    "s=sel1; h=From:To; bh=" GOOD_BH "; b=dGVzdA==",
		    AUTH_PERMERROR },
		{ "s= not a DNS label", " v=1; a=rsa-sha256; d=example.com; "
		    "s=a_b/c; h=From:To; bh=" GOOD_BH "; b=dGVzdA==",
		    AUTH_PERMERROR },
	};
	const char *txt[1] = { fx->rec[K_RSA2048] };
	struct keyans ans = { DKIM_KEY_FOUND, txt, 1 };
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct dkim_verifier *vf;
		const struct dkim_verdict *vd;
		struct hdr_list l;

		print_message("case: %s\n", t[i].name);
		deliver(&l, &t[i].value, 1, M_NONE);
		vf = run_verify(&l, msg_body, 0, DEFAULT_MAX, &ans, NOW);
		assert_int_equal(dkim_verifier_count(vf), 1);
		vd = dkim_verifier_verdict(vf, 0);
		print_message("  reason: %s\n", vd->reason != NULL ? vd->reason :
		    "(none)");
		check_verdict(vd, t[i].want, NULL);
		if (t[i].want == AUTH_PERMERROR)
			assert_null(dkim_verifier_key_name(vf, 0));
		else
			assert_string_equal(dkim_verifier_key_name(vf, 0),
			    "sel1._domainkey.example.com");
		dkim_verifier_free(vf);
		hdr_list_free(&l);
	}
}

/* ---- several signatures ---- */

static void
test_verify_max_signatures(void **state)
{
	struct fixture *fx = *state;
	const char *txt[1] = { fx->rec[K_ED] };
	struct keyans ans = { DKIM_KEY_FOUND, txt, 1 };
	char *v[10];
	struct hdr_list l;
	size_t i, pass;

	print_message("case: 10 good signatures, max_signatures 8\n");
	for (i = 0; i < 10; i++) {
		char sel[8];

		snprintf(sel, sizeof(sel), "s%zu", i);
		v[i] = sign_value(fx->key[K_ED], sel, CANON_RELAXED,
		    CANON_RELAXED, 0, msg_body);
	}
	deliver(&l, (const char *const *)v, 10, M_NONE);
	for (pass = 0; pass < 2; pass++) {
		struct dkim_verifier *vf = run_verify(&l, msg_body,
		    pass == 0 ? 0 : 1, 8, &ans, NOW);

		assert_int_equal(dkim_verifier_count(vf), 10);
		assert_int_equal(dkim_verifier_ignored(vf), 0);
		for (i = 0; i < 10; i++) {
			const struct dkim_verdict *vd =
			    dkim_verifier_verdict(vf, i);
			char sel[8], b8[9];

			snprintf(sel, sizeof(sel), "s%zu", i);
			print_message("  signature %zu: %s\n", i,
			    auth_result_name(vd->result));
			assert_string_equal(vd->selector, sel);
			want_b8(v[i], b8);
			assert_string_equal(vd->b, b8);
			if (i < 8) {
				check_verdict(vd, AUTH_PASS, NULL);
				assert_non_null(dkim_verifier_key_name(vf, i));
			} else {
				check_verdict(vd, AUTH_NEUTRAL, NULL);
				assert_null(dkim_verifier_key_name(vf, i));
			}
		}
		dkim_verifier_free(vf);
	}
	hdr_list_free(&l);
	for (i = 0; i < 10; i++)
		free(v[i]);
}

static void
test_verify_too_many(void **state)
{
	struct fixture *fx = *state;
	const char *txt[1] = { fx->rec[K_ED] };
	struct keyans ans = { DKIM_KEY_FOUND, txt, 1 };
	static const struct {
		const char	*name;
		size_t		 nsig, max, want_pass;
	} t[] = {
		{ "40 fields, max 8", 40, 8, 8 },
		{ "40 fields, max 100", 40, 100, DKIM_VERIFY_MAX_REPORTED },
		{ "32 fields, max 100", DKIM_VERIFY_MAX_REPORTED, 100,
		    DKIM_VERIFY_MAX_REPORTED },
		{ "1000 fields, max 8", 1000, 8, 8 },
		{ "no signature", 0, 8, 0 },
	};
	const char **sigs;
	char *v;
	size_t i, j;

	v = sign_value(fx->key[K_ED], "sel1", CANON_SIMPLE, CANON_RELAXED, 0,
	    msg_body);
	sigs = calloc(1000, sizeof(*sigs));
	assert_non_null(sigs);
	for (j = 0; j < 1000; j++)
		sigs[j] = v;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t want_n = t[i].nsig < DKIM_VERIFY_MAX_REPORTED ?
		    t[i].nsig : DKIM_VERIFY_MAX_REPORTED;
		struct dkim_verifier *vf;
		struct hdr_list l;

		print_message("case: %s\n", t[i].name);
		deliver(&l, sigs, t[i].nsig, M_NONE);
		vf = run_verify(&l, msg_body, 0, t[i].max, &ans, NOW);
		assert_int_equal(dkim_verifier_count(vf), want_n);
		assert_int_equal(dkim_verifier_ignored(vf),
		    t[i].nsig - want_n);
		for (j = 0; j < want_n; j++)
			check_verdict(dkim_verifier_verdict(vf, j),
			    j < t[i].want_pass ? AUTH_PASS : AUTH_NEUTRAL,
			    NULL);
		assert_null(dkim_verifier_verdict(vf, want_n));
		assert_null(dkim_verifier_key_name(vf, want_n));
		dkim_verifier_free(vf);
		hdr_list_free(&l);
	}
	free(sigs);
	free(v);
}

/* Each (c=, l=) pair needs its own body hash; past the cap: neutral. */
static void
test_verify_many_bodyhashes(void **state)
{
	struct fixture *fx = *state;
	const char *txt[1] = { fx->rec[K_ED] };
	struct keyans ans = { DKIM_KEY_FOUND, txt, 1 };
	char *v[DKIM_VERIFY_MAX_BODYHASH + 2];
	const size_t nsig = DKIM_VERIFY_MAX_BODYHASH + 2;
	struct hdr_list own, l;
	size_t i, pass;

	print_message("case: %zu signatures with distinct l=, %d body hashes\n",
	    nsig, DKIM_VERIFY_MAX_BODYHASH);
	load_fields(&own, msg_fields, NFIELDS);
	for (i = 0; i < nsig; i++) {
		char extra[16], hashed[32];

		/* l=1 .. l=nsig over the simple canonical two_lines */
		assert_true(i + 1 < sizeof(hashed) && i + 1 <= strlen(two_lines));
		snprintf(extra, sizeof(extra), "l=%zu; ", i + 1);
		memcpy(hashed, two_lines, i + 1);
		hashed[i + 1] = '\0';
		v[i] = hand_sign(fx->key[K_ED], CANON_RELAXED, CANON_SIMPLE,
		    &own, "From:To:Subject", hashed, extra, B_LAST);
	}
	deliver(&l, (const char *const *)v, nsig, M_NONE);
	for (pass = 0; pass < 2; pass++) {
		struct dkim_verifier *vf = run_verify(&l, two_lines,
		    pass == 0 ? 0 : 1, nsig, &ans, NOW);

		assert_int_equal(dkim_verifier_count(vf), nsig);
		for (i = 0; i < nsig; i++) {
			const struct dkim_verdict *vd =
			    dkim_verifier_verdict(vf, i);

			print_message("  l=%zu: %s\n", i + 1,
			    auth_result_name(vd->result));
			assert_true(vd->l_present);
			assert_int_equal(vd->l, i + 1);
			if (i < DKIM_VERIFY_MAX_BODYHASH) {
				check_verdict(vd, AUTH_PASS, NULL);
				assert_non_null(dkim_verifier_key_name(vf, i));
			} else {
				check_verdict(vd, AUTH_NEUTRAL, NULL);
				assert_null(dkim_verifier_key_name(vf, i));
			}
		}
		dkim_verifier_free(vf);
	}
	for (i = 0; i < nsig; i++)
		free(v[i]);
	hdr_list_free(&l);
	hdr_list_free(&own);
}

/* ---- several TXT records (3.6.2.2) ---- */

static void
test_verify_txt_records(void **state)
{
	struct fixture *fx = *state;
	const char *real = fx->rec[K_RSA2048];
	const struct {
		const char	*name;
		const char	*txt[3];
		size_t		 ntxt;
		enum auth_result want;
	} t[] = {
		{ "garbage, then the key", { "garbage", real, NULL }, 2,
		    AUTH_PASS },
		{ "bad p=, then the key", { "v=DKIM1; k=rsa; p=!!!!", real,
		    NULL }, 2, AUTH_PASS },
		{ "unknown k=, then the key", { "v=DKIM1; k=dsa; p=AAAA", real,
		    NULL }, 2, AUTH_PASS },
		{ "the key, then garbage", { real, "garbage", NULL }, 2,
		    AUTH_PASS },
		{ "garbage twice, then the key", { "x", "v=DKIM2", real }, 3,
		    AUTH_PASS },
		{ "garbage only", { "garbage", "v=DKIM1; p=%%", NULL }, 2,
		    AUTH_PERMERROR },
		{ "another key, then ours", { fx->rec[K_RSA1024], real, NULL },
		    2, AUTH_FAIL },
	};
	struct hdr_list l;
	char *v;
	size_t i;

	v = sign_value(fx->key[K_RSA2048], "sel1", CANON_RELAXED,
	    CANON_RELAXED, 0, msg_body);
	deliver(&l, (const char *const *)&v, 1, M_NONE);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct keyans ans = { DKIM_KEY_FOUND, t[i].txt, t[i].ntxt };
		struct dkim_verifier *vf;

		print_message("case: %s\n", t[i].name);
		vf = run_verify(&l, msg_body, 0, DEFAULT_MAX, &ans, NOW);
		check_verdict(dkim_verifier_verdict(vf, 0), t[i].want, NULL);
		dkim_verifier_free(vf);
	}
	hdr_list_free(&l);
	free(v);
}

/* A second set_key replaces the first answer. */
static void
test_verify_set_key_again(void **state)
{
	struct fixture *fx = *state;
	const char *txt[1] = { fx->rec[K_ED] };
	size_t len[1] = { strlen(fx->rec[K_ED]) };
	struct dkim_verifier *vf;
	struct hdr_list l;
	struct err e;
	char *v;

	print_message("case: timeout, then the key\n");
	v = sign_value(fx->key[K_ED], "sel1", CANON_RELAXED, CANON_RELAXED, 0,
	    msg_body);
	deliver(&l, (const char *const *)&v, 1, M_NONE);
	vf = dkim_verifier_new(&l, DEFAULT_MAX, &e);
	assert_non_null(vf);
	feed(vf, msg_body, strlen(msg_body), 5);
	dkim_verifier_set_key(vf, 0, DKIM_KEY_TIMEOUT, NULL, NULL, 0);
	dkim_verifier_set_key(vf, 0, DKIM_KEY_FOUND, txt, len, 1);
	/* out of range: ignored */
	dkim_verifier_set_key(vf, 1, DKIM_KEY_FOUND, txt, len, 1);
	assert_int_equal(dkim_verifier_finish(vf, NOW, &e), 0);
	check_verdict(dkim_verifier_verdict(vf, 0), AUTH_PASS, NULL);
	dkim_verifier_free(vf);
	dkim_verifier_free(NULL);
	hdr_list_free(&l);
	free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify_signed),
		cmocka_unit_test(test_verify_hand_signed),
		cmocka_unit_test(test_verify_b_whitespace),
		cmocka_unit_test(test_verify_malformed),
		cmocka_unit_test(test_verify_max_signatures),
		cmocka_unit_test(test_verify_too_many),
		cmocka_unit_test(test_verify_many_bodyhashes),
		cmocka_unit_test(test_verify_txt_records),
		cmocka_unit_test(test_verify_set_key_again),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
