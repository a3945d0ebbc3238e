/* SPDX-License-Identifier: ISC */
/*
 * test_dkim_sign.c - unit tests for dkim_key.c and dkim_sign.c.
 * Keys are generated here (RSA-2048 and Ed25519) and the clock is fixed,
 * so each signature can be checked: the body hash and the header hash are
 * recomputed independently (canon.c plus OpenSSL, RFC 6376 3.7) and the
 * signature is verified with OpenSSL's EVP calls (RFC 6376 3.3.1 for RSA,
 * RFC 8463 section 3 for Ed25519).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "buf.h"
#include "canon.h"
#include "dkim_key.h"
#include "dkim_sign.h"
#include "err.h"
#include "hdr.h"

#define NOW	((time_t)1700000000)

struct keys {
	EVP_PKEY	*rsa;
	EVP_PKEY	*ed;
};

static int
setup_keys(void **state)
{
	struct keys *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return -1;
	k->rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	k->ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (k->rsa == NULL || k->ed == NULL) {
		EVP_PKEY_free(k->rsa);
		EVP_PKEY_free(k->ed);
		free(k);
		return -1;
	}
	*state = k;
	return 0;
}

static int
teardown_keys(void **state)
{
	struct keys *k = *state;

	EVP_PKEY_free(k->rsa);
	EVP_PKEY_free(k->ed);
	free(k);
	return 0;
}

/* Decode base64 s (no white space); the caller frees *out. */
static void
b64_decode(const char *s, unsigned char **out, size_t *outlen)
{
	size_t len = strlen(s), pad = 0;
	int n;

	assert_int_equal(len % 4, 0);
	*out = malloc(len / 4 * 3 + 1);
	assert_non_null(*out);
	n = EVP_DecodeBlock(*out, (const unsigned char *)s, (int)len);
	assert_true(n >= 0);
	if (len > 0 && s[len - 1] == '=')
		pad++;
	if (len > 1 && s[len - 2] == '=')
		pad++;
	*outlen = (size_t)n - pad;
}

static void
b64_encode_str(const unsigned char *p, size_t len, struct buf *out)
{
	buf_reset(out);
	assert_int_equal(buf_reserve(out, 4 * ((len + 2) / 3) + 1), 0);
	out->len = (size_t)EVP_EncodeBlock((unsigned char *)out->data, p,
	    (int)len);
	out->data[out->len] = '\0';
}

/* ---- dkim_key.c ---- */

static void
test_key_types(void **state)
{
	struct keys *k = *state;
	enum dkim_key_type t;
	struct err e;
	EVP_PKEY *ec;

	print_message("case: RSA key type\n");
	assert_int_equal(dkim_key_type(k->rsa, &t, &e), 0);
	assert_int_equal(t, DKIM_KEY_RSA);
	assert_string_equal(dkim_key_type_name(t), "rsa");
	assert_string_equal(dkim_key_alg_name(t), "rsa-sha256");
	print_message("case: Ed25519 key type\n");
	assert_int_equal(dkim_key_type(k->ed, &t, &e), 0);
	assert_int_equal(t, DKIM_KEY_ED25519);
	assert_string_equal(dkim_key_type_name(t), "ed25519");
	assert_string_equal(dkim_key_alg_name(t), "ed25519-sha256");
	print_message("case: EC P-256 key refused\n");
	ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(ec);
	e.msg[0] = '\0';
	assert_int_equal(dkim_key_type(ec, &t, &e), -1);
	assert_true(e.msg[0] != '\0');
	EVP_PKEY_free(ec);
}

static void
test_key_record_rsa(void **state)
{
	struct keys *k = *state;
	static const char head[] = "v=DKIM1; k=rsa; p=";
	struct buf rec = BUF_INIT, p = BUF_INIT;
	unsigned char *der = NULL, *got;
	size_t gotlen;
	struct err e;
	int derlen;

	(void)state;
	print_message("case: RSA record is base64 of the SPKI\n");
	assert_int_equal(dkim_key_record(k->rsa, &rec, &e), 0);
	assert_int_equal(strncmp(buf_str(&rec), head, sizeof(head) - 1), 0);
	assert_null(strpbrk(buf_str(&rec) + sizeof(head) - 1, " \t\r\n;\""));
	b64_decode(buf_str(&rec) + sizeof(head) - 1, &got, &gotlen);
	derlen = i2d_PUBKEY(k->rsa, &der);
	assert_true(derlen > 0);
	assert_int_equal(gotlen, (size_t)derlen);
	assert_memory_equal(got, der, gotlen);
	print_message("case: dkim_key_public_b64 is the p= value\n");
	assert_int_equal(dkim_key_public_b64(k->rsa, &p, &e), 0);
	assert_string_equal(buf_str(&p), buf_str(&rec) + sizeof(head) - 1);
	free(got);
	OPENSSL_free(der);
	buf_free(&rec);
	buf_free(&p);
}

static void
test_key_record_ed25519(void **state)
{
	struct keys *k = *state;
	static const char head[] = "v=DKIM1; k=ed25519; p=";
	struct buf rec = BUF_INIT;
	unsigned char raw[32], *got;
	size_t rawlen = sizeof(raw), gotlen;
	struct err e;

	print_message("case: Ed25519 record is base64 of the raw key\n");
	assert_int_equal(dkim_key_record(k->ed, &rec, &e), 0);
	assert_int_equal(strncmp(buf_str(&rec), head, sizeof(head) - 1), 0);
	b64_decode(buf_str(&rec) + sizeof(head) - 1, &got, &gotlen);
	assert_int_equal(EVP_PKEY_get_raw_public_key(k->ed, raw, &rawlen), 1);
	assert_int_equal(rawlen, 32);
	assert_int_equal(gotlen, 32);
	assert_memory_equal(got, raw, 32);
	assert_int_equal(strlen(buf_str(&rec)), sizeof(head) - 1 + 44);
	free(got);
	buf_free(&rec);
}

/* Pull the "..." strings out of a zone line and join them. */
static void
zone_strings(const char *z, struct buf *joined, size_t *nstrings,
    size_t *longest)
{
	const char *p = z, *q;

	*nstrings = 0;
	*longest = 0;
	buf_reset(joined);
	while ((p = strchr(p, '"')) != NULL) {
		q = strchr(p + 1, '"');
		assert_non_null(q);
		buf_add(joined, p + 1, (size_t)(q - p - 1));
		if ((size_t)(q - p - 1) > *longest)
			*longest = (size_t)(q - p - 1);
		(*nstrings)++;
		p = q + 1;
	}
}

static void
test_key_record_zone(void **state)
{
	struct keys *k = *state;
	EVP_PKEY *rsa4096 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096);
	/* the tags, then the p= value in 255-byte strings */
	const struct {
		const char	*name;
		EVP_PKEY	*key;
		size_t		 min_strings;
	} t[] = {
		{ "RSA-2048", k->rsa, 3 },
		{ "Ed25519", k->ed, 2 },
		{ "RSA-4096", rsa4096, 4 },
	};
	struct buf z = BUF_INIT, rec = BUF_INIT, joined = BUF_INIT;
	static const char head[] = "sel1._domainkey.example.com. IN TXT (";
	size_t i, n, longest;
	struct err e;

	assert_non_null(rsa4096);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: zone record, %s\n", t[i].name);
		buf_reset(&z);
		buf_reset(&rec);
		assert_int_equal(dkim_key_record_zone(t[i].key, "sel1",
		    "example.com", &z, &e), 0);
		assert_int_equal(dkim_key_record(t[i].key, &rec, &e), 0);
		assert_int_equal(strncmp(buf_str(&z), head, sizeof(head) - 1),
		    0);
		assert_true(z.len >= 2);
		assert_string_equal(buf_str(&z) + z.len - 2, " )");
		assert_null(strchr(buf_str(&z), '\n'));
		zone_strings(buf_str(&z), &joined, &n, &longest);
		print_message("  %zu strings, longest %zu\n", n, longest);
		assert_true(longest <= 255);
		assert_true(n >= t[i].min_strings);
		assert_string_equal(buf_str(&joined), buf_str(&rec));
	}
	EVP_PKEY_free(rsa4096);
	buf_free(&z);
	buf_free(&rec);
	buf_free(&joined);
}

static void
test_key_from_pem(void **state)
{
	struct keys *k = *state;
	const struct {
		const char	*name;
		EVP_PKEY	*key;
		int		 form;	/* 0 PKCS#8, 1 traditional, 2 encrypted */
		bool		 ok;
	} t[] = {
		{ "RSA PKCS#8", k->rsa, 0, true },
		{ "RSA traditional", k->rsa, 1, true },
		{ "Ed25519 PKCS#8", k->ed, 0, true },
		{ "RSA encrypted PKCS#8", k->rsa, 2, false },
	};
	size_t i;
	struct err e;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		BIO *bio = BIO_new(BIO_s_mem());
		char *pem;
		long len;
		EVP_PKEY *got;
		int w;

		print_message("case: %s\n", t[i].name);
		assert_non_null(bio);
		if (t[i].form == 0)
			w = PEM_write_bio_PrivateKey(bio, t[i].key, NULL, NULL,
			    0, NULL, NULL);
		else if (t[i].form == 1)
			w = PEM_write_bio_PrivateKey_traditional(bio, t[i].key,
			    NULL, NULL, 0, NULL, NULL);
		else
			w = PEM_write_bio_PKCS8PrivateKey(bio, t[i].key,
			    EVP_aes_256_cbc(), "secret", 6, NULL, NULL);
		assert_int_equal(w, 1);
		len = BIO_get_mem_data(bio, &pem);
		assert_true(len > 0);
		e.msg[0] = '\0';
		got = dkim_key_from_pem(pem, (size_t)len, &e);
		if (t[i].ok) {
			assert_non_null(got);
			assert_int_equal(EVP_PKEY_eq(got, t[i].key), 1);
		} else {
			assert_null(got);
			assert_true(e.msg[0] != '\0');
		}
		EVP_PKEY_free(got);
		BIO_free(bio);
	}
	{
		static const char *const bad[] = {
			"", "not a key\n",
			("-----BEGIN PRIVATE KEY-----\nAAAA\n"
			    "-----END PRIVATE KEY-----\n"),
		};

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			print_message("case: garbage %zu refused\n", i);
			e.msg[0] = '\0';
			assert_null(dkim_key_from_pem(bad[i], strlen(bad[i]),
			    &e));
			assert_true(e.msg[0] != '\0');
		}
	}
}

/* ---- dkim_sign.c ---- */

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

static const char msg_body[] =
    "Hello  world \r\n\r\nSecond\tline\twith  runs\r\n.\r\n\r\n\r\n";

static const char *const sign_hdrs[] = {
	"From", "To", "Cc", "Subject", "Date", "Message-ID",
};
static const char *const over_hdrs[] = { "From" };

/* What h= must be for msg_fields: present names per instance, From + 1. */
#define WANT_H	"From:From:To:To:Subject:Date:Message-ID"

static void
load_fields(struct hdr_list *l, const char *const *f, size_t n)
{
	size_t i;

	hdr_list_init(l);
	for (i = 0; i < n; i++)
		assert_int_equal(hdr_list_add_raw(l, f[i], strlen(f[i])),
		    HDR_ADDED);
}

struct tags {
	char	*copy;
	size_t	 n;
	char	*name[32];
	char	*value[32];
};

static char *
trim_wsp(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

/* Unfold and split a tag list; each name appears once (RFC 6376 3.2). */
static void
parse_tags(const char *value, struct tags *t)
{
	char *p, *s, *w;
	size_t i;

	memset(t, 0, sizeof(*t));
	t->copy = strdup(value);
	assert_non_null(t->copy);
	/* unfold: every CRLF must be followed by WSP */
	for (s = w = t->copy; *s != '\0'; s++) {
		if (s[0] == '\r' && s[1] == '\n') {
			assert_true(s[2] == ' ' || s[2] == '\t');
			s++;
			continue;
		}
		assert_true(*s != '\r' && *s != '\n');
		*w++ = *s;
	}
	*w = '\0';
	p = t->copy;
	while ((s = strsep(&p, ";")) != NULL) {
		char *eq;

		s = trim_wsp(s);
		if (*s == '\0')
			continue;
		eq = strchr(s, '=');
		assert_non_null(eq);
		*eq = '\0';
		assert_true(t->n < 32);
		for (i = 0; i < t->n; i++)
			assert_string_not_equal(t->name[i], trim_wsp(s));
		t->name[t->n] = trim_wsp(s);
		/* FWS inside b=, bh= and h= values is not part of them */
		for (s = w = eq + 1; *s != '\0'; s++)
			if (*s != ' ' && *s != '\t')
				*w++ = *s;
		*w = '\0';
		t->value[t->n] = eq + 1;
		t->n++;
	}
}

static const char *
tag(const struct tags *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->name[i], name) == 0)
			return t->value[i];
	return NULL;
}

/* Remove all white space (h= may be folded after colons). */
static void
strip_wsp(const char *s, struct buf *out)
{
	buf_reset(out);
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t')
			buf_addc(out, *s);
}

static int
emit_buf(void *arg, const unsigned char *p, size_t n)
{
	buf_add(arg, p, n);
	return 0;
}

/* base64(SHA-256(canonical body)), computed without bodyhash.c. */
static void
body_hash_b64(enum canon_alg c, const char *body, size_t len, struct buf *out)
{
	struct buf canon = BUF_INIT;
	struct canon_body *cb;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;

	cb = canon_body_new(c, emit_buf, &canon);
	assert_non_null(cb);
	assert_int_equal(canon_body_update(cb, (const unsigned char *)body,
	    len), 0);
	assert_int_equal(canon_body_final(cb), 0);
	canon_body_free(cb);
	assert_int_equal(EVP_Digest(canon.data == NULL ? "" : canon.data,
	    canon.len, md, &mdlen, EVP_sha256(), NULL), 1);
	assert_int_equal(mdlen, 32);
	b64_encode_str(md, mdlen, out);
	buf_free(&canon);
}

/*
 * The header hash of RFC 6376 3.7, done here: for each name in h=, the
 * last not yet used instance of that name (5.4.2; none left hashes
 * nothing), then our own field with b= emptied and no final CRLF.
 */
static void
header_hash(enum canon_alg c, const struct hdr_list *l, const char *h,
    const char *sigvalue, unsigned char digest[32])
{
	struct buf all = BUF_INIT, self = BUF_INIT;
	bool used[64];
	char *hcopy, *p, *name;
	const char *semi, *b;
	unsigned int dlen;
	size_t i;

	assert_true(l->n <= 64);
	memset(used, 0, sizeof(used));
	hcopy = strdup(h);
	assert_non_null(hcopy);
	p = hcopy;
	while ((name = strsep(&p, ":")) != NULL) {
		for (i = l->n; i > 0; i--) {
			const struct hdr_field *f = &l->f[i - 1];

			if (!used[i - 1] &&
			    hdr_field_is(f, name, strlen(name))) {
				used[i - 1] = true;
				canon_header(c, f->raw, f->raw_len, true, &all);
				break;
			}
		}
	}
	free(hcopy);
	/* b= is the last tag: cut after "b=" following the last ';' */
	semi = strrchr(sigvalue, ';');
	assert_non_null(semi);
	b = semi + 1;
	while (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n')
		b++;
	assert_int_equal(strncmp(b, "b=", 2), 0);
	buf_adds(&self, DKIM_SIGNATURE_FIELD ":");
	buf_add(&self, sigvalue, (size_t)(b + 2 - sigvalue));
	canon_header(c, self.data, self.len, false, &all);
	assert_false(buf_failed(&all));
	assert_int_equal(EVP_Digest(all.data, all.len, digest, &dlen,
	    EVP_sha256(), NULL), 1);
	assert_int_equal(dlen, 32);
	buf_free(&all);
	buf_free(&self);
}

/* 1 if sig verifies over digest with pub, else 0. */
static int
verify_digest(EVP_PKEY *pub, const unsigned char digest[32],
    const unsigned char *sig, size_t siglen)
{
	int ok = 0;

	if (EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA) {
		EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(pub, NULL);

		assert_non_null(pc);
		assert_int_equal(EVP_PKEY_verify_init(pc), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pc,
		    RSA_PKCS1_PADDING), 1);
		assert_int_equal(EVP_PKEY_CTX_set_signature_md(pc, EVP_sha256()),
		    1);
		ok = EVP_PKEY_verify(pc, sig, siglen, digest, 32) == 1;
		EVP_PKEY_CTX_free(pc);
	} else {
		EVP_MD_CTX *mc = EVP_MD_CTX_new();

		assert_non_null(mc);
		assert_int_equal(EVP_DigestVerifyInit(mc, NULL, NULL, NULL, pub),
		    1);
		ok = EVP_DigestVerify(mc, sig, siglen, digest, 32) == 1;
		EVP_MD_CTX_free(mc);
	}
	return ok;
}

/* Only the public half, as a verifier would have it from DNS. */
static EVP_PKEY *
public_only(EVP_PKEY *k)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	EVP_PKEY *pub;
	int len;

	len = i2d_PUBKEY(k, &der);
	assert_true(len > 0);
	p = der;
	pub = d2i_PUBKEY(NULL, &p, len);
	assert_non_null(pub);
	OPENSSL_free(der);
	return pub;
}

static struct dkim_signer *
sign_message(const struct dkim_sign_key *keys, size_t nkeys,
    enum canon_alg hc, enum canon_alg bc, unsigned long ttl,
    const struct hdr_list *l, const char *body, size_t chunk)
{
	struct dkim_sign_params p;
	struct dkim_signer *s;
	struct err e;
	size_t len = strlen(body), off;

	memset(&p, 0, sizeof(p));
	p.keys = keys;
	p.nkeys = nkeys;
	p.hcanon = hc;
	p.bcanon = bc;
	p.sign_headers = sign_hdrs;
	p.nsign_headers = sizeof(sign_hdrs) / sizeof(sign_hdrs[0]);
	p.oversign_headers = over_hdrs;
	p.noversign_headers = 1;
	p.now = NOW;
	p.ttl = ttl;
	e.msg[0] = '\0';
	s = dkim_signer_new(&p, l, &e);
	if (s == NULL)
		fail_msg("dkim_signer_new: %s", e.msg);
	for (off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;

		if (dkim_signer_body(s, (const unsigned char *)body + off, n,
		    &e) != 0)
			fail_msg("dkim_signer_body: %s", e.msg);
	}
	if (dkim_signer_finish(s, &e) != 0)
		fail_msg("dkim_signer_finish: %s", e.msg);
	return s;
}

/* Check one signature value against everything we know it must hold. */
static void
check_signature(const char *value, EVP_PKEY *key, const char *alg,
    enum canon_alg hc, enum canon_alg bc, unsigned long ttl,
    const struct hdr_list *l, const char *body)
{
	struct buf want = BUF_INIT, h = BUF_INIT;
	unsigned char digest[32], *sig;
	size_t siglen;
	struct tags t;
	EVP_PKEY *pub;

	assert_true(value[0] == ' ');
	parse_tags(value, &t);
	assert_string_equal(tag(&t, "v"), "1");
	assert_string_equal(tag(&t, "a"), alg);
	buf_printf(&want, "%s/%s", canon_name(hc), canon_name(bc));
	assert_string_equal(tag(&t, "c"), buf_str(&want));
	assert_string_equal(tag(&t, "d"), "example.com");
	assert_non_null(tag(&t, "s"));
	assert_string_equal(tag(&t, "t"), "1700000000");
	if (ttl == 0)
		assert_null(tag(&t, "x"));
	else {
		buf_reset(&want);
		buf_printf(&want, "%lld", (long long)NOW + (long long)ttl);
		assert_string_equal(tag(&t, "x"), buf_str(&want));
	}
	assert_null(tag(&t, "l"));
	assert_null(tag(&t, "i"));
	/* h=: every present instance, From once more, no absent Cc */
	assert_non_null(tag(&t, "h"));
	strip_wsp(tag(&t, "h"), &h);
	assert_string_equal(buf_str(&h), WANT_H);
	/* bh= recomputed without the signer */
	body_hash_b64(bc, body, strlen(body), &want);
	assert_string_equal(tag(&t, "bh"), buf_str(&want));
	/* b= verifies over the header hash recomputed here */
	assert_non_null(tag(&t, "b"));
	assert_string_equal(t.name[t.n - 1], "b");
	header_hash(hc, l, buf_str(&h), value, digest);
	b64_decode(tag(&t, "b"), &sig, &siglen);
	pub = public_only(key);
	assert_int_equal(verify_digest(pub, digest, sig, siglen), 1);
	/* and the same signature fails over a different digest */
	digest[0] ^= 1;
	assert_int_equal(verify_digest(pub, digest, sig, siglen), 0);
	EVP_PKEY_free(pub);
	free(sig);
	free(t.copy);
	buf_free(&want);
	buf_free(&h);
}

static void
test_sign_verify(void **state)
{
	struct keys *k = *state;
	static const struct {
		const char	*name;
		bool		 ed;
		enum canon_alg	 hc, bc;
		unsigned long	 ttl;
		size_t		 chunk;
	} t[] = {
		{ "rsa relaxed/relaxed", false, CANON_RELAXED, CANON_RELAXED, 0,
		    4096 },
		{ "rsa simple/simple", false, CANON_SIMPLE, CANON_SIMPLE, 0, 1 },
		{ "rsa relaxed/simple, ttl", false, CANON_RELAXED, CANON_SIMPLE,
		    86400, 7 },
		{ "rsa simple/relaxed", false, CANON_SIMPLE, CANON_RELAXED, 0,
		    3 },
		{ "ed25519 relaxed/relaxed", true, CANON_RELAXED, CANON_RELAXED,
		    0, 4096 },
		{ "ed25519 simple/simple, ttl", true, CANON_SIMPLE, CANON_SIMPLE,
		    3600, 2 },
		{ "ed25519 relaxed/simple", true, CANON_RELAXED, CANON_SIMPLE, 0,
		    5 },
		{ "ed25519 simple/relaxed, ttl 1", true, CANON_SIMPLE,
		    CANON_RELAXED, 1, 11 },
	};
	struct hdr_list l;
	size_t i;

	load_fields(&l, msg_fields, sizeof(msg_fields) / sizeof(msg_fields[0]));
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct dkim_sign_key key = { "example.com", "sel1",
		    t[i].ed ? k->ed : k->rsa };
		struct dkim_signer *s;

		print_message("case: %s\n", t[i].name);
		s = sign_message(&key, 1, t[i].hc, t[i].bc, t[i].ttl, &l,
		    msg_body, t[i].chunk);
		assert_int_equal(dkim_signer_count(s), 1);
		assert_string_equal(dkim_signer_alg(s, 0),
		    t[i].ed ? "ed25519-sha256" : "rsa-sha256");
		assert_string_equal(dkim_signer_selector(s, 0), "sel1");
		assert_string_equal(dkim_signer_domain(s, 0), "example.com");
		assert_null(dkim_signer_value(s, 1));
		check_signature(dkim_signer_value(s, 0), key.key,
		    dkim_signer_alg(s, 0), t[i].hc, t[i].bc, t[i].ttl, &l,
		    msg_body);
		dkim_signer_free(s);
	}
	hdr_list_free(&l);
}

/* Same inputs, same signature (both algorithms are deterministic). */
static void
test_sign_reproducible(void **state)
{
	struct keys *k = *state;
	struct hdr_list l;
	size_t i;

	load_fields(&l, msg_fields, sizeof(msg_fields) / sizeof(msg_fields[0]));
	for (i = 0; i < 2; i++) {
		struct dkim_sign_key key = { "example.com", "sel1",
		    i == 0 ? k->rsa : k->ed };
		struct dkim_signer *a, *b;

		print_message("case: reproducible, %s\n", i == 0 ? "rsa" :
		    "ed25519");
		a = sign_message(&key, 1, CANON_RELAXED, CANON_RELAXED, 0, &l,
		    msg_body, 4096);
		b = sign_message(&key, 1, CANON_RELAXED, CANON_RELAXED, 0, &l,
		    msg_body, 1);
		assert_string_equal(dkim_signer_value(a, 0),
		    dkim_signer_value(b, 0));
		dkim_signer_free(a);
		dkim_signer_free(b);
	}
	hdr_list_free(&l);
}

/* A changed body changes bh=; a changed or added field breaks b=. */
static void
test_sign_tamper(void **state)
{
	struct keys *k = *state;
	static const char *const changed[] = {
		"Received: from a by b; Tue, 14 Nov 2023 22:13:20 +0000",
		"From: Alice <alice@example.com>",
		"To: bob@example.net",
		"Subject: a test\r\n messagE",
		"Date: Tue, 14 Nov 2023 22:13:20 +0000",
		"Message-ID: <1@example.com>",
		"to: second@example.net",
		"X-Unsigned: yes",
	};
	struct dkim_sign_key key = { "example.com", "sel1", k->ed };
	struct hdr_list l, l2;
	struct dkim_signer *s, *s2;
	struct tags t, t2;
	struct buf h = BUF_INIT;
	unsigned char digest[32], *sig;
	size_t siglen;
	EVP_PKEY *pub;

	load_fields(&l, msg_fields, sizeof(msg_fields) / sizeof(msg_fields[0]));
	s = sign_message(&key, 1, CANON_RELAXED, CANON_RELAXED, 0, &l,
	    msg_body, 4096);
	parse_tags(dkim_signer_value(s, 0), &t);

	print_message("case: changed body gives a different bh=\n");
	s2 = sign_message(&key, 1, CANON_RELAXED, CANON_RELAXED, 0, &l,
	    "Hello  world \r\n\r\nSecond\tline\twith  runs!\r\n", 4096);
	parse_tags(dkim_signer_value(s2, 0), &t2);
	assert_string_not_equal(tag(&t, "bh"), tag(&t2, "bh"));
	free(t2.copy);
	dkim_signer_free(s2);

	print_message("case: relaxed-equal body gives the same bh=\n");
	s2 = sign_message(&key, 1, CANON_RELAXED, CANON_RELAXED, 0, &l,
	    "Hello world\r\n\r\nSecond line with runs  \r\n.\r\n", 4096);
	parse_tags(dkim_signer_value(s2, 0), &t2);
	assert_string_equal(tag(&t, "bh"), tag(&t2, "bh"));
	free(t2.copy);
	dkim_signer_free(s2);

	pub = public_only(k->ed);
	b64_decode(tag(&t, "b"), &sig, &siglen);
	strip_wsp(tag(&t, "h"), &h);

	print_message("case: changed Subject breaks the signature\n");
	load_fields(&l2, changed, sizeof(changed) / sizeof(changed[0]));
	header_hash(CANON_RELAXED, &l2, buf_str(&h), dkim_signer_value(s, 0),
	    digest);
	assert_int_equal(verify_digest(pub, digest, sig, siglen), 0);
	hdr_list_free(&l2);

	print_message("case: an added From breaks it (oversigned)\n");
	load_fields(&l2, msg_fields, sizeof(msg_fields) / sizeof(msg_fields[0]));
	assert_int_equal(hdr_list_add_raw(&l2, "From: Mallory <m@evil.example>",
	    30), HDR_ADDED);
	header_hash(CANON_RELAXED, &l2, buf_str(&h), dkim_signer_value(s, 0),
	    digest);
	assert_int_equal(verify_digest(pub, digest, sig, siglen), 0);
	hdr_list_free(&l2);

	print_message("case: an added unsigned field does not break it\n");
	load_fields(&l2, msg_fields, sizeof(msg_fields) / sizeof(msg_fields[0]));
	assert_int_equal(hdr_list_add_raw(&l2, "X-Later: 1", 10), HDR_ADDED);
	header_hash(CANON_RELAXED, &l2, buf_str(&h), dkim_signer_value(s, 0),
	    digest);
	assert_int_equal(verify_digest(pub, digest, sig, siglen), 1);
	hdr_list_free(&l2);

	EVP_PKEY_free(pub);
	free(sig);
	free(t.copy);
	buf_free(&h);
	dkim_signer_free(s);
	hdr_list_free(&l);
}

/* Two keys: two values over one body hash, each verifying. */
static void
test_sign_dual(void **state)
{
	struct keys *k = *state;
	struct dkim_sign_key keys[2] = {
		{ "example.com", "rsa2048", k->rsa },
		{ "example.com", "ed1", k->ed },
	};
	struct dkim_signer *s;
	struct hdr_list l;
	struct tags t0, t1;

	print_message("case: RSA and Ed25519 together\n");
	load_fields(&l, msg_fields, sizeof(msg_fields) / sizeof(msg_fields[0]));
	s = sign_message(keys, 2, CANON_RELAXED, CANON_SIMPLE, 600, &l,
	    msg_body, 13);
	assert_int_equal(dkim_signer_count(s), 2);
	assert_string_equal(dkim_signer_alg(s, 0), "rsa-sha256");
	assert_string_equal(dkim_signer_alg(s, 1), "ed25519-sha256");
	assert_string_equal(dkim_signer_selector(s, 0), "rsa2048");
	assert_string_equal(dkim_signer_selector(s, 1), "ed1");
	assert_null(dkim_signer_value(s, 2));
	assert_null(dkim_signer_alg(s, 2));
	check_signature(dkim_signer_value(s, 0), k->rsa, "rsa-sha256",
	    CANON_RELAXED, CANON_SIMPLE, 600, &l, msg_body);
	check_signature(dkim_signer_value(s, 1), k->ed, "ed25519-sha256",
	    CANON_RELAXED, CANON_SIMPLE, 600, &l, msg_body);
	parse_tags(dkim_signer_value(s, 0), &t0);
	parse_tags(dkim_signer_value(s, 1), &t1);
	assert_string_equal(tag(&t0, "s"), "rsa2048");
	assert_string_equal(tag(&t1, "s"), "ed1");
	assert_string_equal(tag(&t0, "bh"), tag(&t1, "bh"));
	free(t0.copy);
	free(t1.copy);
	dkim_signer_free(s);
	hdr_list_free(&l);
}

/* h= for other header blocks: absent names left out, oversign-only names. */
static void
test_sign_h_list(void **state)
{
	struct keys *k = *state;
	static const char *const only_from[] = { "FROM: a@example.com" };
	static const char *const three_from[] = {
		"From: a@example.com", "Subject: x", "from: b@example.com",
		"From: c@example.com",
	};
	static const char *const sign_list[] = { "From", "Subject", "Cc" };
	static const char *const over_list[] = { "From", "Reply-To" };
	const struct {
		const char		*name;
		const char *const	*fields;
		size_t			 nfields;
		size_t			 noversign;
		const char		*want;
	} t[] = {
		{ "only From", only_from, 1, 2, "From:From:Reply-To" },
		{ "three From", three_from, 4, 2,
		    "From:From:From:From:Subject:Reply-To" },
		{ "no oversigning", three_from, 4, 0, "From:From:From:Subject" },
	};
	struct dkim_sign_key key = { "example.com", "s", k->ed };
	struct dkim_sign_params p;
	struct buf h = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct dkim_signer *s;
		struct hdr_list l;
		struct tags tg;
		struct err e;
		unsigned char digest[32], *sig;
		size_t siglen;

		print_message("case: %s\n", t[i].name);
		load_fields(&l, t[i].fields, t[i].nfields);
		memset(&p, 0, sizeof(p));
		p.keys = &key;
		p.nkeys = 1;
		p.hcanon = CANON_RELAXED;
		p.bcanon = CANON_RELAXED;
		p.sign_headers = sign_list;
		p.nsign_headers = 3;
		p.oversign_headers = over_list;
		p.noversign_headers = t[i].noversign;
		p.now = NOW;
		s = dkim_signer_new(&p, &l, &e);
		assert_non_null(s);
		assert_int_equal(dkim_signer_finish(s, &e), 0);
		parse_tags(dkim_signer_value(s, 0), &tg);
		strip_wsp(tag(&tg, "h"), &h);
		assert_string_equal(buf_str(&h), t[i].want);
		/* an empty body: simple or relaxed, it still verifies */
		header_hash(CANON_RELAXED, &l, buf_str(&h),
		    dkim_signer_value(s, 0), digest);
		b64_decode(tag(&tg, "b"), &sig, &siglen);
		assert_int_equal(verify_digest(k->ed, digest, sig, siglen), 1);
		body_hash_b64(CANON_RELAXED, "", 0, &h);
		assert_string_equal(tag(&tg, "bh"), buf_str(&h));
		free(sig);
		free(tg.copy);
		dkim_signer_free(s);
		hdr_list_free(&l);
	}
	buf_free(&h);
}

/*
 * A name listed twice in sign_headers ("From, from"): h= names it twice,
 * so the second entry is the next From up, absent here, and hashes as
 * nothing (5.4.2). The signer hashes what a verifier picks (one choice
 * for both, dkim_hdrhash.c), so the signature verifies; before, the
 * signer hashed the one From twice and no verifier could agree.
 */
static void
test_sign_h_repeated(void **state)
{
	struct keys *k = *state;
	static const char *const fields[] = { "From: a@example.com",
	    "Subject: x" };
	static const char *const sign_list[] = { "From", "from", "Subject" };
	struct dkim_sign_key key = { "example.com", "s", k->ed };
	struct dkim_sign_params p;
	struct dkim_signer *s;
	struct buf h = BUF_INIT;
	struct hdr_list l;
	struct tags tg;
	struct err e;
	unsigned char digest[32], *sig;
	size_t siglen;

	load_fields(&l, fields, 2);
	memset(&p, 0, sizeof(p));
	p.keys = &key;
	p.nkeys = 1;
	p.hcanon = CANON_RELAXED;
	p.bcanon = CANON_RELAXED;
	p.sign_headers = sign_list;
	p.nsign_headers = 3;
	p.now = NOW;
	s = dkim_signer_new(&p, &l, &e);
	assert_non_null(s);
	assert_int_equal(dkim_signer_finish(s, &e), 0);
	parse_tags(dkim_signer_value(s, 0), &tg);
	strip_wsp(tag(&tg, "h"), &h);
	assert_string_equal(buf_str(&h), "From:from:Subject");
	header_hash(CANON_RELAXED, &l, buf_str(&h), dkim_signer_value(s, 0),
	    digest);
	b64_decode(tag(&tg, "b"), &sig, &siglen);
	assert_int_equal(verify_digest(k->ed, digest, sig, siglen), 1);
	free(sig);
	free(tg.copy);
	dkim_signer_free(s);
	hdr_list_free(&l);
	buf_free(&h);
}

static void
test_signer_errors(void **state)
{
	struct keys *k = *state;
	struct dkim_sign_key keys[DKIM_SIGN_MAX_KEYS + 1];
	struct dkim_sign_params p;
	struct hdr_list l;
	struct err e;
	EVP_PKEY *ec;
	size_t i;

	for (i = 0; i < DKIM_SIGN_MAX_KEYS + 1; i++) {
		keys[i].domain = "example.com";
		keys[i].selector = "s";
		keys[i].key = k->ed;
	}
	load_fields(&l, msg_fields, sizeof(msg_fields) / sizeof(msg_fields[0]));
	memset(&p, 0, sizeof(p));
	p.keys = keys;
	p.sign_headers = sign_hdrs;
	p.nsign_headers = sizeof(sign_hdrs) / sizeof(sign_hdrs[0]);
	p.now = NOW;

	print_message("case: no keys\n");
	p.nkeys = 0;
	e.msg[0] = '\0';
	assert_null(dkim_signer_new(&p, &l, &e));
	assert_true(e.msg[0] != '\0');

	print_message("case: too many keys\n");
	p.nkeys = DKIM_SIGN_MAX_KEYS + 1;
	e.msg[0] = '\0';
	assert_null(dkim_signer_new(&p, &l, &e));
	assert_true(e.msg[0] != '\0');

	print_message("case: DKIM_SIGN_MAX_KEYS keys\n");
	p.nkeys = DKIM_SIGN_MAX_KEYS;
	{
		struct dkim_signer *s = dkim_signer_new(&p, &l, &e);

		assert_non_null(s);
		assert_int_equal(dkim_signer_finish(s, &e), 0);
		assert_int_equal(dkim_signer_count(s), DKIM_SIGN_MAX_KEYS);
		dkim_signer_free(s);
	}

	print_message("case: EC key refused\n");
	ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(ec);
	keys[1].key = ec;
	p.nkeys = 2;
	e.msg[0] = '\0';
	assert_null(dkim_signer_new(&p, &l, &e));
	assert_true(e.msg[0] != '\0');
	EVP_PKEY_free(ec);
	keys[1].key = k->ed;
	hdr_list_free(&l);

	print_message("case: too many fields to sign\n");
	hdr_list_init(&l);
	for (i = 0; i < 600; i++)
		assert_int_equal(hdr_list_add_raw(&l, "From: a@example.com", 19),
		    HDR_ADDED);
	p.nkeys = 1;
	e.msg[0] = '\0';
	assert_null(dkim_signer_new(&p, &l, &e));
	assert_true(e.msg[0] != '\0');
	hdr_list_free(&l);

	dkim_signer_free(NULL);
}

/* The signer holds its own key reference: the caller may free first. */
static void
test_signer_key_ref(void **state)
{
	struct hdr_list l;
	struct dkim_sign_key key;
	struct dkim_signer *s;
	EVP_PKEY *ed;

	(void)state;
	print_message("case: key freed by the caller before finish\n");
	ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(ed);
	key.domain = "example.com";
	key.selector = "s";
	key.key = ed;
	load_fields(&l, msg_fields, sizeof(msg_fields) / sizeof(msg_fields[0]));
	{
		struct dkim_sign_params p;
		struct err e;
		EVP_PKEY *pub = public_only(ed);

		memset(&p, 0, sizeof(p));
		p.keys = &key;
		p.nkeys = 1;
		p.sign_headers = sign_hdrs;
		p.nsign_headers = sizeof(sign_hdrs) / sizeof(sign_hdrs[0]);
		p.oversign_headers = over_hdrs;
		p.noversign_headers = 1;
		p.now = NOW;
		s = dkim_signer_new(&p, &l, &e);
		assert_non_null(s);
		EVP_PKEY_free(ed);
		assert_int_equal(dkim_signer_body(s,
		    (const unsigned char *)msg_body, strlen(msg_body), &e), 0);
		assert_int_equal(dkim_signer_finish(s, &e), 0);
		check_signature(dkim_signer_value(s, 0), pub, "ed25519-sha256",
		    CANON_SIMPLE, CANON_SIMPLE, 0, &l, msg_body);
		EVP_PKEY_free(pub);
	}
	dkim_signer_free(s);
	hdr_list_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_types),
		cmocka_unit_test(test_key_record_rsa),
		cmocka_unit_test(test_key_record_ed25519),
		cmocka_unit_test(test_key_record_zone),
		cmocka_unit_test(test_key_from_pem),
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_sign_reproducible),
		cmocka_unit_test(test_sign_tamper),
		cmocka_unit_test(test_sign_dual),
		cmocka_unit_test(test_sign_h_list),
		cmocka_unit_test(test_sign_h_repeated),
		cmocka_unit_test(test_signer_errors),
		cmocka_unit_test(test_signer_key_ref),
	};

	return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
