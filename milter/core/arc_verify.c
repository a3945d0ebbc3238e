/* SPDX-License-Identifier: ISC */
/*
 * arc_verify.c - ARC chain validation (RFC 8617 5.2; see arc_verify.h).
 * The form of the chain (steps 1 to 4) is arc_set.c's; here are the
 * signatures: the newest AMS over the message (step 5, as a DKIM
 * signature: dkim_hdrhash.c, bodyhash.c), the older AMSes for oldest-pass
 * (step 6), and every AS over the Sets up to its own (step 7, 5.1.1).
 * ARC uses rsa-sha256 only; the key floor is RFC 8301's (dkim_keyrec.c).
 * Results only get worse: once the chain is decided it stays so.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "arc_verify.h"
#include "bodyhash.h"
#include "dkim_hdrhash.h"
#include "dkim_pkey.h"

/* "selector._domainkey.domain": a DNS name is at most 253 bytes. */
#define ARC_KEYNAME_MAX	256

struct akey {
	char		 name[ARC_KEYNAME_MAX];
	enum dkim_key_lookup lookup;
	bool		 key_set;
	struct dkim_keyrec key;
};

struct arc_verifier {
	const struct hdr_list *hdrs;
	struct arc_chain ch;
	bool		 decided;
	struct arc_result r;
	struct arc_instance inst[ARC_MAX_INSTANCES];
	int		 as_key[ARC_MAX_INSTANCES], ams_key[ARC_MAX_INSTANCES];
	int		 ams_bh[ARC_MAX_INSTANCES];	/* -1: no body hash */
	struct akey	 keys[ARC_VERIFY_MAX_KEYS];
	size_t		 nkeys;
	struct bodyhash	*bh[ARC_VERIFY_MAX_BODYHASH];
	size_t		 nbh;
	const struct dkim_key_cache *cache;
};

static void
decide(struct arc_verifier *vf, enum auth_result r, const char *reason,
    bool temporary)
{
	if (vf->decided)
		return;		/* results only get worse, and only once */
	vf->decided = true;
	vf->r.result = r;
	vf->r.reason = reason;
	vf->r.temporary = temporary;
}

/*
 * The index of key name "s._domainkey.d", added if new; -1 when s= or d=
 * is not a valid DNS name (or holds bytes taglist_view_display would drop).
 */
static int
add_key(struct arc_verifier *vf, const struct taglist_view *s,
    const struct taglist_view *d)
{
	char name[ARC_KEYNAME_MAX];
	size_t i;

	if (s->len + 12 + d->len + 1 > sizeof(name) ||
	    memchr(s->p, '\0', s->len) != NULL ||
	    memchr(d->p, '\0', d->len) != NULL)
		return -1;
	memcpy(name, s->p, s->len);
	memcpy(name + s->len, "._domainkey.", 12);
	memcpy(name + s->len + 12, d->p, d->len);
	name[s->len + 12 + d->len] = '\0';
	if (!addr_domain_valid(name, strlen(name)))
		return -1;
	for (i = 0; i < vf->nkeys; i++)
		if (strcasecmp(vf->keys[i].name, name) == 0)
			return (int)i;
	if (vf->nkeys == ARC_VERIFY_MAX_KEYS)
		return -1;	/* cannot happen: two per Set at most */
	strlcpy(vf->keys[vf->nkeys].name, name, sizeof(vf->keys[0].name));
	vf->keys[vf->nkeys].lookup = DKIM_KEY_TIMEOUT;
	return (int)vf->nkeys++;
}

/* A shared body hash for sig: index, -2 when the cap is hit, -1 failure. */
static int
find_bodyhash(struct arc_verifier *vf, const struct dkim_sig *sig,
    struct err *e)
{
	uint64_t limit = sig->l_present ? sig->l : BODYHASH_NO_LIMIT;
	size_t i;

	for (i = 0; i < vf->nbh; i++)
		if (bodyhash_matches(vf->bh[i], sig->bcanon, EVP_sha256(), limit))
			return (int)i;
	if (vf->nbh == ARC_VERIFY_MAX_BODYHASH)
		return -2;
	if ((vf->bh[vf->nbh] = bodyhash_new(sig->bcanon, EVP_sha256(), limit,
	    e)) == NULL)
		return -1;
	return (int)vf->nbh++;
}

static void
describe(struct arc_verifier *vf, unsigned k)
{
	const struct arc_set *set = &vf->ch.set[k - 1];
	struct arc_instance *in = &vf->inst[k - 1];

	in->i = k;
	in->seal = in->ams = AUTH_NONE;
	in->aar_parsed = -1;
	if (set->seal_parsed) {
		taglist_view_display(in->domain, sizeof(in->domain), &set->seal.d);
		taglist_view_display(in->selector, sizeof(in->selector), &set->seal.s);
		in->cv = set->seal.cv;
	}
	if (set->ams_parsed)
		taglist_view_display(in->ams_domain, sizeof(in->ams_domain),
		    &set->ams_sig.d);
	if (set->aar != NULL) {
		in->aar = set->aar_payload;
		in->aar_len = set->aar_len;
		in->aar_parsed = ar_read_spf(in->aar, in->aar_len,
		    &in->aar_spf);
	}
}

/* Key names and body hashes for Set k of a chain of valid form. */
static int
prepare(struct arc_verifier *vf, unsigned k, struct err *e)
{
	const struct arc_set *set = &vf->ch.set[k - 1];
	int bh;

	vf->as_key[k - 1] = add_key(vf, &set->seal.s, &set->seal.d);
	vf->ams_key[k - 1] = add_key(vf, &set->ams_sig.s, &set->ams_sig.d);
	if (vf->as_key[k - 1] == -1 || vf->ams_key[k - 1] == -1) {
		decide(vf, AUTH_FAIL, "an ARC s= or d= is not a valid DNS name",
		    false);
		return 0;
	}
	if ((bh = find_bodyhash(vf, &set->ams_sig, e)) == -1)
		return -1;
	vf->ams_bh[k - 1] = bh < 0 ? -1 : bh;
	return 0;
}

struct arc_verifier *
arc_verifier_new(const struct hdr_list *hdrs, struct err *e)
{
	struct arc_verifier *vf;
	unsigned k;

	if ((vf = calloc(1, sizeof(*vf))) == NULL) {
		err_set(e, "out of memory");
		return NULL;
	}
	vf->hdrs = hdrs;
	if (arc_chain_parse(hdrs, &vf->ch, e) == -1)
		goto fail;
	vf->r.fields = vf->ch.nfields;
	vf->r.instances = vf->ch.highest;
	for (k = 1; k <= vf->ch.highest; k++)
		describe(vf, k);
	if (vf->ch.nfields == 0) {
		decide(vf, AUTH_NONE, NULL, false);	/* 5.2 step 1 */
		return vf;
	}
	if (vf->ch.reason != NULL) {
		decide(vf, AUTH_FAIL, vf->ch.reason, false);
		return vf;
	}
	/* newest first, so the AMS that decides the chain gets a body hash */
	for (k = vf->ch.highest; k >= 1 && !vf->decided; k--)
		if (prepare(vf, k, e) == -1)
			goto fail;
	if (vf->decided)
		vf->nkeys = 0;	/* nothing left to look up */
	return vf;
fail:
	arc_verifier_free(vf);
	return NULL;
}

void
arc_verifier_refuse(struct arc_verifier *vf, const char *reason)
{
	decide(vf, AUTH_FAIL, reason, false);
	vf->nkeys = 0;
}

size_t
arc_verifier_key_count(const struct arc_verifier *vf)
{
	return vf->nkeys;
}

const char *
arc_verifier_key_name(const struct arc_verifier *vf, size_t k)
{
	return k < vf->nkeys ? vf->keys[k].name : NULL;
}

void
arc_verifier_set_key_cache(struct arc_verifier *vf,
    const struct dkim_key_cache *cache)
{
	vf->cache = cache;
}

void
arc_verifier_set_key(struct arc_verifier *vf, size_t k,
    enum dkim_key_lookup lookup, const char *const *txt, const size_t *txtlen,
    size_t ntxt)
{
	struct akey *ak;
	struct err e;
	size_t j;

	if (k >= vf->nkeys)
		return;
	ak = &vf->keys[k];
	dkim_keyrec_free(&ak->key);
	memset(&ak->key, 0, sizeof(ak->key));
	ak->key_set = false;
	ak->lookup = lookup;
	if (lookup != DKIM_KEY_FOUND)
		return;
	if (ntxt == 0) {
		ak->lookup = DKIM_KEY_ABSENT;
		return;
	}
	/* as dkim_verify.c: the first usable record of several (6376 3.6.2.2) */
	for (j = 0; j < ntxt; j++) {
		struct dkim_keyrec kr;

		memset(&kr, 0, sizeof(kr));
		if (dkim_keyrec_parse_cached(txt[j], txtlen[j], vf->cache, &kr,
		    &e) == -1) {
			dkim_keyrec_free(&kr);
			continue;
		}
		if (!ak->key_set || (ak->key.outcome != DKIM_KEYREC_OK &&
		    kr.outcome == DKIM_KEYREC_OK)) {
			dkim_keyrec_free(&ak->key);
			ak->key = kr;
			ak->key_set = true;
		} else
			dkim_keyrec_free(&kr);
		if (ak->key.outcome == DKIM_KEYREC_OK)
			break;
	}
}

int
arc_verifier_body(struct arc_verifier *vf, const unsigned char *p, size_t n,
    struct err *e)
{
	size_t i;

	for (i = 0; i < vf->nbh; i++)
		if (bodyhash_update(vf->bh[i], p, n, e) == -1)
			return -1;
	return 0;
}

/* The usable RSA key k, or NULL with *why (and *temp for DNS trouble). */
static const struct dkim_keyrec *
usable_key(const struct arc_verifier *vf, int k, const char **why, bool *temp)
{
	const struct akey *ak = &vf->keys[k];

	*temp = false;
	switch (ak->lookup) {
	case DKIM_KEY_TIMEOUT:
		*temp = true;
		*why = "DNS timeout looking up an ARC key";
		return NULL;
	case DKIM_KEY_SERVFAIL:
		*temp = true;
		*why = "DNS server failure looking up an ARC key";
		return NULL;
	case DKIM_KEY_ABSENT:
		*why = "no ARC key record in DNS";
		return NULL;
	case DKIM_KEY_FOUND:
		break;
	}
	if (!ak->key_set) {
		*temp = true;
		*why = "ARC key record could not be parsed";
		return NULL;
	}
	switch (ak->key.outcome) {
	case DKIM_KEYREC_REVOKED:
		*why = "ARC key revoked";
		return NULL;
	case DKIM_KEYREC_PERMERROR:
		*why = "ARC key record unusable";
		return NULL;
	case DKIM_KEYREC_TOO_SMALL:
		*why = "ARC RSA key under 1024 bits (RFC 8301)";
		return NULL;
	case DKIM_KEYREC_OK:
		break;
	}
	if (ak->key.type != DKIM_KEY_RSA) {
		*why = "ARC key is not RSA (rsa-sha256 only)";
		return NULL;
	}
	return &ak->key;
}

static void
ams_result(struct arc_instance *in, enum auth_result r, const char *why,
    bool *temp, bool t)
{
	in->ams = r;
	in->ams_reason = why;
	*temp = t;
}

/* AMS(k) as a DKIM signature (RFC 8617 4.1.2, 5.2 step 5). */
static int
check_ams(struct arc_verifier *vf, unsigned k, time_t now, bool *temp,
    struct err *e)
{
	const struct arc_set *set = &vf->ch.set[k - 1];
	const struct dkim_sig *sig = &set->ams_sig;
	struct arc_instance *in = &vf->inst[k - 1];
	const struct dkim_keyrec *key;
	unsigned char bh[EVP_MAX_MD_SIZE], digest[32];
	struct buf self = BUF_INIT;
	const char *why;
	size_t bhlen;
	uint64_t total;
	int r;

	if ((key = usable_key(vf, vf->ams_key[k - 1], &why, temp)) == NULL) {
		ams_result(in, AUTH_FAIL, why, temp, *temp);
		return 0;
	}
	if (sig->x_present && now > 0 && (uint64_t)now > sig->x) {
		ams_result(in, AUTH_FAIL, "ARC-Message-Signature expired", temp,
		    false);
		return 0;
	}
	if (vf->ams_bh[k - 1] < 0) {
		ams_result(in, AUTH_FAIL, "ARC-Message-Signature not checked: "
		    "too many distinct body canonicalizations", temp, false);
		return 0;
	}
	if (bodyhash_final(vf->bh[vf->ams_bh[k - 1]], bh, &bhlen, e) == -1)
		return -1;
	total = bodyhash_total(vf->bh[vf->ams_bh[k - 1]]);
	if ((sig->l_present && sig->l > total) || sig->bh.len != bhlen ||
	    memcmp(sig->bh.data, bh, bhlen) != 0) {
		ams_result(in, AUTH_FAIL, "ARC-Message-Signature body hash did "
		    "not verify", temp, false);
		return 0;
	}
	dkim_hdrhash_self(set->ams, sig->b_off, sig->b_len, &self);
	if (buf_failed(&self))
		r = err_set(e, "out of memory");
	else
		r = dkim_hdrhash(vf->hdrs, set->ams, sig->h, sig->nh,
		    sig->hcanon, self.data, self.len, digest, e);
	buf_free(&self);
	if (r == -1 || (r = dkim_pkey_verify(key->key, DKIM_KEY_RSA, digest,
	    (const unsigned char *)sig->b.data, sig->b.len, e)) == -1)
		return -1;
	if (r == 0)
		ams_result(in, AUTH_FAIL, "ARC-Message-Signature did not verify",
		    temp, false);
	else
		ams_result(in, AUTH_PASS, NULL, temp, false);
	return 0;
}

/* AS(k) over the Sets 1..k (RFC 8617 5.1.1, 5.2 step 7). */
static int
check_as(struct arc_verifier *vf, unsigned k, bool *temp, struct err *e)
{
	const struct arc_set *set = &vf->ch.set[k - 1];
	struct arc_instance *in = &vf->inst[k - 1];
	struct taglist_view fields[3 * ARC_MAX_INSTANCES];
	const struct dkim_keyrec *key;
	unsigned char digest[32];
	struct buf self = BUF_INIT;
	const char *why;
	size_t n;
	int r;

	if ((key = usable_key(vf, vf->as_key[k - 1], &why, temp)) == NULL) {
		in->seal = AUTH_FAIL;
		in->seal_reason = why;
		return 0;
	}
	arc_chain_seal_fields(&vf->ch, k, fields, &n);
	dkim_hdrhash_self(set->as, set->seal.b_off, set->seal.b_len, &self);
	if (buf_failed(&self))
		r = err_set(e, "out of memory");
	else
		r = arc_seal_digest(fields, n, self.data, self.len, digest, e);
	buf_free(&self);
	if (r == -1 || (r = dkim_pkey_verify(key->key, DKIM_KEY_RSA, digest,
	    (const unsigned char *)set->seal.b.data, set->seal.b.len,
	    e)) == -1)
		return -1;
	in->seal = r == 1 ? AUTH_PASS : AUTH_FAIL;
	in->seal_reason = r == 1 ? NULL : "ARC-Seal did not verify";
	return 0;
}

int
arc_verifier_finish(struct arc_verifier *vf, time_t now, struct err *e)
{
	unsigned n = vf->ch.highest, k;
	bool temp;

	if (vf->decided)
		return 0;
	/* step 5: the newest AMS must validate */
	if (check_ams(vf, n, now, &temp, e) == -1)
		return -1;
	if (vf->inst[n - 1].ams != AUTH_PASS) {
		decide(vf, AUTH_FAIL, vf->inst[n - 1].ams_reason, temp);
		return 0;
	}
	/*
	 * step 6: walk down from N - 1; the first AMS that fails makes
	 * oldest-pass the instance above it; all passing leaves it 0.
	 */
	vf->r.oldest_pass = 0;
	for (k = n - 1; k >= 1; k--) {
		if (check_ams(vf, k, now, &temp, e) == -1)
			return -1;
		if (vf->inst[k - 1].ams != AUTH_PASS) {
			vf->r.oldest_pass = k + 1;
			break;
		}
	}
	/* step 7: every AS, newest first; one failing fails the chain */
	for (k = n; k >= 1; k--) {
		if (check_as(vf, k, &temp, e) == -1)
			return -1;
		if (vf->inst[k - 1].seal != AUTH_PASS) {
			decide(vf, AUTH_FAIL, vf->inst[k - 1].seal_reason, temp);
			return 0;
		}
	}
	decide(vf, AUTH_PASS, NULL, false);	/* step 8 */
	return 0;
}

const struct arc_result *
arc_verifier_result(const struct arc_verifier *vf)
{
	return &vf->r;
}

const struct arc_instance *
arc_verifier_instance(const struct arc_verifier *vf, unsigned i)
{
	return i >= 1 && i <= vf->ch.highest ? &vf->inst[i - 1] : NULL;
}

bool
arc_verifier_may_seal(const struct arc_verifier *vf, unsigned *instance,
    enum arc_cv *cv)
{
	if (vf->ch.newest_cv_fail || vf->ch.highest >= ARC_MAX_INSTANCES)
		return false;	/* 5.1 step 1; 4.2.1's 50 */
	*instance = vf->ch.highest + 1;
	switch (vf->r.result) {
	case AUTH_NONE:
		*cv = ARC_CV_NONE;
		break;
	case AUTH_PASS:
		*cv = ARC_CV_PASS;
		break;
	default:
		*cv = ARC_CV_FAIL;
		break;
	}
	return true;
}

void
arc_verifier_free(struct arc_verifier *vf)
{
	size_t i;

	if (vf == NULL)
		return;
	arc_chain_free(&vf->ch);
	for (i = 0; i < ARC_VERIFY_MAX_KEYS; i++)
		dkim_keyrec_free(&vf->keys[i].key);
	for (i = 0; i < vf->nbh; i++)
		bodyhash_free(vf->bh[i]);
	free(vf);
}
