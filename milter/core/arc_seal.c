/* SPDX-License-Identifier: ISC */
/*
 * arc_seal.c - making one ARC Set (RFC 8617 5.1; see arc_seal.h).
 * The AMS is dkim_sign.c's signature in its ARC form (4.1.2), so field
 * picking, oversigning and the body hash are DKIM's. The AS (4.1.3) signs
 * the Sets in the order of 5.1.1 with relaxed canonicalization
 * (arc_set.c's arc_seal_digest, which the verifier uses too). When the
 * chain failed, the AS signs the new Set alone (5.1.2).
 * No I/O; the key is used only through EVP.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arc_seal.h"
#include "dkim_key.h"
#include "dkim_pkey.h"
#include "dkim_sign.h"
#include "taglist.h"

struct arc_sealer {
	const struct hdr_list *hdrs;
	struct arc_chain ch;
	unsigned	 instance;
	enum arc_cv	 cv;
	char		*domain, *selector;
	EVP_PKEY	*key;		/* our reference */
	time_t		 now;
	const char	**sign, **over;	/* filtered lists; names borrowed */
	struct dkim_signer *ams;
	struct buf	 aar, seal;	/* field values */
	struct buf	 aar_raw, ams_raw;	/* "Name:value" for the AS */
};

/* RFC 8617 4.1.2 and RFC 8601 5: never in the AMS h=. */
static bool
never_signed(const char *name)
{
	return strcasecmp(name, ARC_SEAL_FIELD) == 0 ||
	    strcasecmp(name, ARC_AMS_FIELD) == 0 ||
	    strcasecmp(name, ARC_AAR_FIELD) == 0 ||
	    strcasecmp(name, "Authentication-Results") == 0;
}

/* Copy the names of in[0..n) that may be signed; one slot more for extra. */
static const char **
filter(const char *const *in, size_t n, const char *extra, size_t *nout)
{
	const char **out;
	size_t i, k = 0;
	bool have = false;

	if ((out = reallocarray(NULL, n + 1, sizeof(*out))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (never_signed(in[i]))
			continue;
		if (extra != NULL && strcasecmp(in[i], extra) == 0)
			have = true;
		out[k++] = in[i];
	}
	if (extra != NULL && !have)
		out[k++] = extra;
	*nout = k;
	return out;
}

static bool
has_from(const char *const *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(l[i], "From") == 0)
			return true;
	return false;
}

/* Is the message's chain what params say it is? NULL, or why not. */
static const char *
check_chain(const struct arc_sealer *s)
{
	if (s->instance < 1 || s->instance > ARC_MAX_INSTANCES)
		return "ARC instance outside 1 to 50";
	if (s->cv == ARC_CV_NONE && s->instance != 1)
		return "cv=none is for instance 1 only";
	/*
	 * cv=fail at instance 1 is allowed: ARC fields none of which has a
	 * valid instance are a failed chain with no Set to count from
	 * (arc_verifier_may_seal gives 1), and cv=fail stops later sealers.
	 */
	switch (s->cv) {
	case ARC_CV_NONE:
		if (s->ch.nfields != 0)
			return "cv=none but the message has ARC fields";
		break;
	case ARC_CV_PASS:
		if (s->instance == 1 || s->ch.reason != NULL ||
		    s->ch.nfields == 0 || s->ch.highest != s->instance - 1)
			return "cv=pass but the ARC Sets are not 1 to "
			    "instance - 1";
		break;
	case ARC_CV_FAIL:
		break;	/* 5.1.2: the earlier Sets are not signed */
	}
	return NULL;
}

/* 4.1.1: the AAR is "i=N; " then the Authentication-Results payload. */
static int
set_payload(struct arc_sealer *s, const char *payload, struct err *e)
{
	while (*payload == ' ' || *payload == '\t' || *payload == '\r' ||
	    *payload == '\n')
		payload++;
	buf_reset(&s->aar);
	buf_reset(&s->aar_raw);
	buf_printf(&s->aar, " i=%u; %s", s->instance, payload);
	buf_adds(&s->aar_raw, ARC_AAR_FIELD ":");
	buf_add(&s->aar_raw, s->aar.data, s->aar.len);
	if (buf_failed(&s->aar) || buf_failed(&s->aar_raw))
		return err_set(e, "out of memory");
	return 0;
}

struct arc_sealer *
arc_sealer_new(const struct arc_seal_params *p, const struct hdr_list *hdrs,
    struct err *e)
{
	struct arc_sealer *s;
	struct dkim_sign_params dp;
	struct dkim_sign_key k;
	enum dkim_key_type type;
	const char *why;
	size_t nsign = 0, nover = 0;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		err_set(e, "out of memory");
		return NULL;
	}
	s->hdrs = hdrs;
	s->instance = p->instance;
	s->cv = p->cv;
	s->now = p->now;
	if (arc_chain_parse(hdrs, &s->ch, e) == -1)
		goto fail;
	if ((why = check_chain(s)) != NULL) {
		err_set(e, "cannot seal: %s", why);
		goto fail;
	}
	if (dkim_key_type(p->key, &type, e) == -1)
		goto fail;
	if (type != DKIM_KEY_RSA) {
		err_set(e, "ARC sealing needs an RSA key (rsa-sha256)");
		goto fail;
	}
	if ((s->domain = strdup(p->domain)) == NULL ||
	    (s->selector = strdup(p->selector)) == NULL) {
		err_set(e, "out of memory");
		goto fail;
	}
	if (EVP_PKEY_up_ref(p->key) != 1) {
		err_ssl(e, "EVP_PKEY_up_ref");
		goto fail;
	}
	s->key = p->key;
	s->sign = filter(p->sign_headers, p->nsign_headers, "DKIM-Signature",
	    &nsign);
	s->over = filter(p->oversign_headers, p->noversign_headers, NULL,
	    &nover);
	if (s->sign == NULL || s->over == NULL) {
		err_set(e, "out of memory");
		goto fail;
	}
	if (!has_from(s->sign, nsign) && !has_from(s->over, nover)) {
		/* RFC 6376 5.4, which the AMS inherits (4.1.2) */
		err_set(e, "the ARC-Message-Signature must sign From");
		goto fail;
	}
	if (set_payload(s, p->ar_payload, e) == -1)
		goto fail;
	memset(&dp, 0, sizeof(dp));
	k.domain = s->domain;
	k.selector = s->selector;
	k.key = s->key;
	dp.keys = &k;
	dp.nkeys = 1;
	dp.hcanon = dp.bcanon = CANON_RELAXED;
	dp.sign_headers = s->sign;
	dp.nsign_headers = nsign;
	dp.oversign_headers = s->over;
	dp.noversign_headers = nover;
	dp.now = p->now;
	dp.arc_instance = s->instance;
	if ((s->ams = dkim_signer_new(&dp, hdrs, e)) == NULL)
		goto fail;
	return s;
fail:
	arc_sealer_free(s);
	return NULL;
}

int
arc_sealer_conclude(struct arc_sealer *s, enum arc_cv cv,
    const char *ar_payload, struct err *e)
{
	const char *why;

	s->cv = cv;
	if ((why = check_chain(s)) != NULL)
		return err_set(e, "cannot seal: %s", why);
	return set_payload(s, ar_payload, e);
}

int
arc_sealer_body(struct arc_sealer *s, const unsigned char *p, size_t n,
    struct err *e)
{
	return dkim_signer_body(s->ams, p, n, e);
}

int
arc_sealer_finish(struct arc_sealer *s, struct err *e)
{
	struct taglist_view fields[3 * ARC_MAX_INSTANCES];
	struct taglist_writer w;
	struct buf self = BUF_INIT, sig64 = BUF_INIT;
	unsigned char digest[32];
	char num[32];
	size_t n = 0;
	unsigned k;
	int rc = -1;

	if (dkim_signer_finish(s->ams, e) == -1)
		return -1;
	buf_reset(&s->ams_raw);
	buf_adds(&s->ams_raw, ARC_AMS_FIELD ":");
	buf_adds(&s->ams_raw, dkim_signer_value(s->ams, 0));

	buf_reset(&s->seal);
	taglist_begin(&w, &s->seal, sizeof(ARC_SEAL_FIELD));
	snprintf(num, sizeof(num), "%u", s->instance);
	taglist_add(&w, "i", num, TAGLIST_FOLD_NONE);
	taglist_add(&w, "a", "rsa-sha256", TAGLIST_FOLD_NONE);
	snprintf(num, sizeof(num), "%lld", (long long)s->now);
	taglist_add(&w, "t", num, TAGLIST_FOLD_NONE);
	taglist_add(&w, "cv", arc_cv_name(s->cv), TAGLIST_FOLD_NONE);
	taglist_add(&w, "d", s->domain, TAGLIST_FOLD_NONE);
	taglist_add(&w, "s", s->selector, TAGLIST_FOLD_NONE);
	taglist_open(&w, "b");

	/*
	 * 5.1.1: the Sets by increasing instance, AAR, AMS, AS each, the new
	 * AS last with b= empty. 5.1.2: when the chain failed, only the new
	 * Set, "as if this newest ARC Set was the only set present".
	 */
	if (s->cv == ARC_CV_PASS)
		for (k = 1; k < s->instance; k++) {
			const struct arc_set *set = &s->ch.set[k - 1];

			fields[n].p = set->aar->raw;
			fields[n++].len = set->aar->raw_len;
			fields[n].p = set->ams->raw;
			fields[n++].len = set->ams->raw_len;
			fields[n].p = set->as->raw;
			fields[n++].len = set->as->raw_len;
		}
	fields[n].p = s->aar_raw.data;
	fields[n++].len = s->aar_raw.len;
	fields[n].p = s->ams_raw.data;
	fields[n++].len = s->ams_raw.len;
	buf_adds(&self, ARC_SEAL_FIELD ":");
	buf_add(&self, s->seal.data, s->seal.len);
	if (buf_failed(&self) || buf_failed(&s->seal) ||
	    buf_failed(&s->ams_raw)) {
		err_set(e, "out of memory");
		goto out;
	}
	if (arc_seal_digest(fields, n, self.data, self.len, digest, e) == -1 ||
	    dkim_pkey_sign(s->key, DKIM_KEY_RSA, digest, &sig64, e) == -1)
		goto out;
	taglist_add_tail(&w, buf_str(&sig64));
	if (buf_failed(&s->seal) || buf_failed(&sig64)) {
		err_set(e, "out of memory");
		goto out;
	}
	rc = 0;
out:
	buf_free(&self);
	buf_free(&sig64);
	return rc;
}

const char *
arc_sealer_aar(const struct arc_sealer *s)
{
	return buf_str(&s->aar);
}

const char *
arc_sealer_ams(const struct arc_sealer *s)
{
	return dkim_signer_value(s->ams, 0);
}

const char *
arc_sealer_seal(const struct arc_sealer *s)
{
	return buf_str(&s->seal);
}

void
arc_sealer_free(struct arc_sealer *s)
{
	if (s == NULL)
		return;
	arc_chain_free(&s->ch);
	dkim_signer_free(s->ams);
	EVP_PKEY_free(s->key);
	free(s->domain);
	free(s->selector);
	free(s->sign);
	free(s->over);
	buf_free(&s->aar);
	buf_free(&s->seal);
	buf_free(&s->aar_raw);
	buf_free(&s->ams_raw);
	free(s);
}
