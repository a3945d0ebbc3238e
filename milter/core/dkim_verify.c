/* SPDX-License-Identifier: ISC */
/*
 * dkim_verify.c - DKIM verification (see dkim_verify.h).
 * Per signature, in this order (RFC 6376 6.1): the field must parse
 * (dkim_sig.c), DNS must give a usable key (dkim_keyrec.c), RFC 8301's
 * floor (no rsa-sha1, no RSA key under 1024 bits) gives "policy", then the
 * body hash and the header signature are checked. Signed fields are picked
 * bottom-up, one instance per h= entry, and an h= entry with no instance
 * left hashes as nothing (5.4.2, dkim_hdrhash.c) — which is what makes
 * oversigning work.
 * Results only get worse: once a verdict is set it is final.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "bodyhash.h"
#include "canon.h"
#include "dkim_hdrhash.h"
#include "dkim_keyrec.h"
#include "dkim_pkey.h"
#include "dkim_sig.h"
#include "dkim_verify.h"

/* "selector._domainkey.domain": a DNS name is at most 253 bytes. */
#define DNS_KEYNAME_MAX	256

struct vsig {
	const struct hdr_field *field;
	struct dkim_sig	 sig;
	bool		 decided;	/* verdict final */
	char		 keyname[DNS_KEYNAME_MAX];
	bool		 need_key;
	enum dkim_key_lookup lookup;
	bool		 key_set;
	struct dkim_keyrec key;
	int		 bh;		/* index into bodyhash, or -1 */
	struct dkim_verdict v;
};

struct dkim_verifier {
	const struct hdr_list *hdrs;
	struct vsig	 s[DKIM_VERIFY_MAX_REPORTED];
	size_t		 n;
	size_t		 ignored;
	struct bodyhash	*bh[DKIM_VERIFY_MAX_BODYHASH];
	size_t		 nbh;
	const struct dkim_key_cache *cache;	/* NULL: decode every key */
};

static void
decide(struct vsig *s, enum auth_result r, const char *reason)
{
	if (s->decided)
		return;		/* results only get worse, and only once */
	s->decided = true;
	s->v.result = r;
	s->v.reason = reason;
}

static int
find_bodyhash(struct dkim_verifier *vf, const struct dkim_sig *sig,
    struct err *e)
{
	uint64_t limit = sig->l_present ? sig->l : BODYHASH_NO_LIMIT;
	size_t i;

	for (i = 0; i < vf->nbh; i++)
		if (bodyhash_matches(vf->bh[i], sig->bcanon, EVP_sha256(), limit))
			return (int)i;
	if (vf->nbh == DKIM_VERIFY_MAX_BODYHASH)
		return -2;
	if ((vf->bh[vf->nbh] = bodyhash_new(sig->bcanon, EVP_sha256(), limit,
	    e)) == NULL)
		return -1;
	return (int)vf->nbh++;
}

/*
 * A signature that did not parse may still name its d= and s= (v=2, an
 * unknown a=): report them so the admin can tell whose signature it was.
 * When the tag list itself is broken (say, a duplicate tag) nothing is
 * certain and nothing is reported.
 */
static void
name_malformed(struct vsig *s, const char *val, size_t vlen)
{
	struct taglist_parsed tl;
	const struct taglist_tag *t;

	if (taglist_parse(val, vlen, &tl) != NULL)
		return;
	if ((t = taglist_parse_find(&tl, "d")) != NULL)
		taglist_view_display(s->v.domain, sizeof(s->v.domain), &t->value);
	if ((t = taglist_parse_find(&tl, "s")) != NULL)
		taglist_view_display(s->v.selector, sizeof(s->v.selector), &t->value);
}

/* "selector._domainkey.domain" into dst; false if it does not fit. */
static bool
key_name(char *dst, size_t dstlen, const char *sel, const char *dom)
{
	size_t sl = strlen(sel), dl = strlen(dom);

	if (sl + 12 + dl + 1 > dstlen)
		return false;
	memcpy(dst, sel, sl);
	memcpy(dst + sl, "._domainkey.", 12);
	memcpy(dst + sl + 12, dom, dl + 1);
	return true;
}

/* Parse field f as signature number idx. 0, or -1 (internal failure). */
static int
add_sig(struct dkim_verifier *vf, const struct hdr_field *f, size_t idx,
    size_t max_signatures, struct err *e)
{
	struct vsig *s = &vf->s[vf->n++];
	const char *val;
	size_t vlen;
	int bh;

	s->field = f;
	s->bh = -1;
	s->lookup = DKIM_KEY_TIMEOUT;
	val = hdr_field_value(f, &vlen);
	if (dkim_sig_parse(val, vlen, &s->sig, e) == -1)
		return -1;
	taglist_view_display(s->v.domain, sizeof(s->v.domain), &s->sig.d);
	taglist_view_display(s->v.selector, sizeof(s->v.selector), &s->sig.s);
	if (s->sig.outcome != DKIM_SIG_OK && s->sig.d.len == 0)
		name_malformed(s, val, vlen);
	if (s->sig.outcome == DKIM_SIG_OK) {
		struct taglist_view bview = { val + s->sig.b_off, s->sig.b_len };
		struct buf b = BUF_INIT;

		strlcpy(s->v.algorithm, dkim_sig_alg_name(s->sig.alg),
		    sizeof(s->v.algorithm));
		/* header.b: the first 8 characters of b= (RFC 6008 2) */
		taglist_parse_strip_fws(&bview, &b);
		strlcpy(s->v.b, buf_str(&b), sizeof(s->v.b));
		buf_free(&b);
		s->v.l_present = s->sig.l_present;
		s->v.l = s->sig.l;
	}
	if (idx >= max_signatures) {
		decide(s, AUTH_NEUTRAL, "not checked: more signatures than "
		    "max_signatures");
		return 0;
	}
	if (s->sig.outcome != DKIM_SIG_OK) {
		decide(s, AUTH_PERMERROR, s->sig.reason);
		return 0;
	}
	if (s->sig.weak_alg) {
		decide(s, AUTH_POLICY, "rsa-sha1 is not accepted (RFC 8301)");
		return 0;
	}
	if (!key_name(s->keyname, sizeof(s->keyname), s->v.selector,
	    s->v.domain) ||
	    s->sig.s.len != strlen(s->v.selector) ||
	    s->sig.d.len != strlen(s->v.domain) ||
	    !addr_domain_valid(s->keyname, strlen(s->keyname))) {
		decide(s, AUTH_PERMERROR, "s= or d= is not a valid DNS name");
		return 0;
	}
	if ((bh = find_bodyhash(vf, &s->sig, e)) == -1)
		return -1;
	if (bh == -2) {
		decide(s, AUTH_NEUTRAL, "not checked: too many distinct body "
		    "canonicalizations");
		return 0;
	}
	s->bh = bh;
	s->need_key = true;
	return 0;
}

struct dkim_verifier *
dkim_verifier_new(const struct hdr_list *hdrs, size_t max_signatures,
    struct err *e)
{
	struct dkim_verifier *vf;
	size_t i, idx = 0;

	if ((vf = calloc(1, sizeof(*vf))) == NULL) {
		err_set(e, "out of memory");
		return NULL;
	}
	vf->hdrs = hdrs;
	for (i = 0; i < hdrs->n; i++) {
		if (!hdr_field_is(&hdrs->f[i], "DKIM-Signature", 14))
			continue;
		if (vf->n == DKIM_VERIFY_MAX_REPORTED) {
			vf->ignored++;
			continue;
		}
		if (add_sig(vf, &hdrs->f[i], idx++, max_signatures, e) == -1) {
			dkim_verifier_free(vf);
			return NULL;
		}
	}
	return vf;
}

void
dkim_verifier_refuse(struct dkim_verifier *vf, const char *reason)
{
	size_t i;

	for (i = 0; i < vf->n; i++) {
		decide(&vf->s[i], AUTH_PERMERROR, reason);
		vf->s[i].need_key = false;
	}
}

size_t
dkim_verifier_count(const struct dkim_verifier *vf)
{
	return vf->n;
}

size_t
dkim_verifier_ignored(const struct dkim_verifier *vf)
{
	return vf->ignored;
}

const char *
dkim_verifier_key_name(const struct dkim_verifier *vf, size_t i)
{
	return i < vf->n && vf->s[i].need_key ? vf->s[i].keyname : NULL;
}

int
dkim_verifier_body(struct dkim_verifier *vf, const unsigned char *p, size_t n,
    struct err *e)
{
	size_t i;

	for (i = 0; i < vf->nbh; i++)
		if (bodyhash_update(vf->bh[i], p, n, e) == -1)
			return -1;
	return 0;
}

void
dkim_verifier_set_key_cache(struct dkim_verifier *vf,
    const struct dkim_key_cache *cache)
{
	vf->cache = cache;
}

void
dkim_verifier_set_key(struct dkim_verifier *vf, size_t i,
    enum dkim_key_lookup lookup, const char *const *txt, const size_t *txtlen,
    size_t ntxt)
{
	struct vsig *s;
	struct err e;
	size_t j;

	if (i >= vf->n || !vf->s[i].need_key)
		return;
	s = &vf->s[i];
	dkim_keyrec_free(&s->key);
	memset(&s->key, 0, sizeof(s->key));
	s->key_set = false;
	s->lookup = lookup;
	if (lookup != DKIM_KEY_FOUND)
		return;
	if (ntxt == 0) {
		s->lookup = DKIM_KEY_ABSENT;
		return;
	}
	/*
	 * 3.6.2.2: with several records the result is undefined; take the
	 * first that is a usable key, else report the first one's problem.
	 */
	for (j = 0; j < ntxt; j++) {
		struct dkim_keyrec kr;

		memset(&kr, 0, sizeof(kr));
		if (dkim_keyrec_parse_cached(txt[j], txtlen[j], vf->cache,
		    &kr, &e) == -1) {
			dkim_keyrec_free(&kr);
			continue;	/* no memory: try the others */
		}
		if (!s->key_set || (s->key.outcome != DKIM_KEYREC_OK &&
		    kr.outcome == DKIM_KEYREC_OK)) {
			dkim_keyrec_free(&s->key);
			s->key = kr;
			s->key_set = true;
		} else
			dkim_keyrec_free(&kr);
		if (s->key.outcome == DKIM_KEYREC_OK)
			break;
	}
}

/* SHA-256 of the signed fields and the signature field, b= blanked (3.7). */
static int
header_digest(const struct dkim_verifier *vf, const struct vsig *s,
    unsigned char digest[32], struct err *e)
{
	struct buf self = BUF_INIT;
	const struct dkim_sig *sig = &s->sig;
	int rc;

	dkim_hdrhash_self(s->field, sig->b_off, sig->b_len, &self);
	if (buf_failed(&self))
		rc = err_set(e, "header hash");
	else
		rc = dkim_hdrhash(vf->hdrs, s->field, sig->h, sig->nh,
		    sig->hcanon, self.data, self.len, digest, e);
	buf_free(&self);
	return rc;
}

/* 1 good, 0 bad signature, -1 could not check. */
static int
check_signature(const struct vsig *s, const unsigned char digest[32],
    struct err *e)
{
	return dkim_pkey_verify(s->key.key, s->key.type, digest,
	    (const unsigned char *)s->sig.b.data, s->sig.b.len, e);
}

static bool
key_matches_alg(const struct vsig *s)
{
	if (s->sig.alg == DKIM_SIG_ED25519_SHA256)
		return s->key.type == DKIM_KEY_ED25519;
	return s->key.type == DKIM_KEY_RSA;
}

static int
verify_one(struct dkim_verifier *vf, struct vsig *s, time_t now, struct err *e)
{
	unsigned char bh[EVP_MAX_MD_SIZE], digest[32];
	size_t bhlen;
	int r;

	switch (s->lookup) {
	case DKIM_KEY_TIMEOUT:
		decide(s, AUTH_TEMPERROR, "DNS timeout looking up the key");
		return 0;
	case DKIM_KEY_SERVFAIL:
		decide(s, AUTH_TEMPERROR, "DNS server failure looking up the key");
		return 0;
	case DKIM_KEY_ABSENT:
		decide(s, AUTH_PERMERROR, "no key record in DNS");
		return 0;
	case DKIM_KEY_FOUND:
		break;
	}
	if (!s->key_set) {
		decide(s, AUTH_TEMPERROR, "key record could not be parsed");
		return 0;
	}
	s->v.testing = s->key.testing;
	switch (s->key.outcome) {
	case DKIM_KEYREC_REVOKED:
		decide(s, AUTH_PERMERROR, "key revoked");
		return 0;
	case DKIM_KEYREC_PERMERROR:
		decide(s, AUTH_PERMERROR, s->key.reason != NULL ? s->key.reason :
		    "key record unusable");
		return 0;
	case DKIM_KEYREC_TOO_SMALL:
		decide(s, AUTH_POLICY, "RSA key under 1024 bits (RFC 8301)");
		return 0;
	case DKIM_KEYREC_OK:
		break;
	}
	if (!key_matches_alg(s)) {
		decide(s, AUTH_PERMERROR, "key type does not match a=");
		return 0;
	}
	/* 3.6.1 t=s: the i= domain must be d= itself, not a subdomain */
	if (s->key.no_subdomains && (s->sig.i_domain.len != s->sig.d.len ||
	    strncasecmp(s->sig.i_domain.p, s->sig.d.p, s->sig.d.len) != 0)) {
		decide(s, AUTH_PERMERROR, "i= is a subdomain but the key has t=s");
		return 0;
	}
	if (s->sig.x_present && now > 0 && (uint64_t)now > s->sig.x) {
		decide(s, AUTH_FAIL, "signature expired");
		return 0;
	}
	if (bodyhash_final(vf->bh[s->bh], bh, &bhlen, e) == -1)
		return -1;
	s->v.body_len = bodyhash_total(vf->bh[s->bh]);
	if (s->sig.l_present && s->sig.l > s->v.body_len) {
		decide(s, AUTH_FAIL, "l= is longer than the body");
		return 0;
	}
	if (s->sig.bh.len != bhlen || memcmp(s->sig.bh.data, bh, bhlen) != 0) {
		decide(s, AUTH_FAIL, "body hash did not verify");
		return 0;
	}
	if (header_digest(vf, s, digest, e) == -1)
		return -1;
	if ((r = check_signature(s, digest, e)) == -1)
		return -1;
	if (r == 0)
		decide(s, AUTH_FAIL, "signature did not verify");
	else
		decide(s, AUTH_PASS, NULL);
	return 0;
}

int
dkim_verifier_finish(struct dkim_verifier *vf, time_t now, struct err *e)
{
	size_t i;

	for (i = 0; i < vf->n; i++)
		if (!vf->s[i].decided && verify_one(vf, &vf->s[i], now, e) == -1)
			return -1;
	return 0;
}

const struct dkim_verdict *
dkim_verifier_verdict(const struct dkim_verifier *vf, size_t i)
{
	return i < vf->n ? &vf->s[i].v : NULL;
}

void
dkim_verifier_free(struct dkim_verifier *vf)
{
	size_t i;

	if (vf == NULL)
		return;
	for (i = 0; i < vf->n; i++) {
		dkim_sig_free(&vf->s[i].sig);
		dkim_keyrec_free(&vf->s[i].key);
	}
	for (i = 0; i < vf->nbh; i++)
		bodyhash_free(vf->bh[i]);
	free(vf);
}
