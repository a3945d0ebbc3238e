/* SPDX-License-Identifier: ISC */
/*
 * arc_set.c - collecting the ARC Sets of a message and checking the form
 * of the chain (RFC 8617 sections 4.1, 4.2.1 and 5.2 steps 2 to 4), and
 * the ARC-Seal hash (5.1.1). See arc_set.h.
 * The AMS is a DKIM signature without v= and with i= as the instance
 * (4.1.2), so dkim_sig.c parses it; the AS has its own few tags (4.1.3),
 * read here with taglist_parse(). The first problem found is the reason
 * the chain fails; later problems are not looked for.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "abnf.h"
#include "arc_set.h"
#include "canon.h"

enum arc_kind {
	ARC_KIND_AAR,
	ARC_KIND_AMS,
	ARC_KIND_AS,
};

const char *
arc_cv_name(enum arc_cv cv)
{
	switch (cv) {
	case ARC_CV_NONE:
		return "none";
	case ARC_CV_PASS:
		return "pass";
	case ARC_CV_FAIL:
		return "fail";
	}
	return "none";
}

static void
chain_fail(struct arc_chain *ch, const char *reason)
{
	if (ch->reason == NULL)
		ch->reason = reason;	/* the first problem is reported */
}

/*
 * instance = 1*2DIGIT with the value 1 to 50 (RFC 8617 4.2.1). A longer
 * run of digits is read (up to 9, so it cannot overflow) only to tell
 * "above 50" from garbage. 0 and *out, -1 for no number at all.
 */
static int
parse_instance(const char *p, size_t len, unsigned *out)
{
	unsigned n = 0;
	size_t i;

	if (len == 0 || len > 9)
		return -1;
	for (i = 0; i < len; i++) {
		if (!abnf_digit((unsigned char)p[i]))
			return -1;
		n = n * 10 + (unsigned)(p[i] - '0');
	}
	*out = n;
	return 0;
}

static const char *
skip_fws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/*
 * The AAR value: arc-info = instance [CFWS] ";" authres-payload (4.1.1),
 * instance = [FWS] "i" [FWS] "=" [FWS] 1*2DIGIT [FWS] (4.2.1). -1 when it
 * does not start that way; else 0, *inst and the payload after the ';'.
 */
static int
aar_instance(const char *v, size_t len, unsigned *inst, const char **payload,
    size_t *plen)
{
	const char *p = v, *end = v + len, *d;

	p = skip_fws(p, end);
	if (p == end || *p != 'i')	/* %x69: lower case only */
		return -1;
	p = skip_fws(p + 1, end);
	if (p == end || *p != '=')
		return -1;
	p = skip_fws(p + 1, end);
	for (d = p; p < end && abnf_digit((unsigned char)*p); p++)
		;
	if (parse_instance(d, (size_t)(p - d), inst) == -1)
		return -1;
	p = skip_fws(p, end);
	if (p == end || *p != ';')
		return -1;
	p++;
	*payload = p;
	*plen = (size_t)(end - p);
	return 0;
}

/* The i= of an AMS or AS tag list; -1 when there is none or it is bad. */
static int
taglist_instance(const char *v, size_t len, unsigned *inst)
{
	struct taglist_parsed tl;
	const struct taglist_tag *t;

	if (taglist_parse(v, len, &tl) != NULL ||
	    (t = taglist_parse_find(&tl, "i")) == NULL)
		return -1;
	return parse_instance(t->value.p, t->value.len, inst);
}

static int
field_kind(const struct hdr_field *f)
{
	if (hdr_field_is(f, ARC_SEAL_FIELD, sizeof(ARC_SEAL_FIELD) - 1))
		return ARC_KIND_AS;
	if (hdr_field_is(f, ARC_AMS_FIELD, sizeof(ARC_AMS_FIELD) - 1))
		return ARC_KIND_AMS;
	if (hdr_field_is(f, ARC_AAR_FIELD, sizeof(ARC_AAR_FIELD) - 1))
		return ARC_KIND_AAR;
	return -1;
}

/* Put field f where its instance says; problems go to ch->reason. */
static void
collect(struct arc_chain *ch, const struct hdr_field *f, enum arc_kind kind)
{
	const struct hdr_field **slot;
	struct arc_set *set;
	const char *val, *payload = NULL;
	size_t vlen, plen = 0;
	unsigned inst;
	int r;

	val = hdr_field_value(f, &vlen);
	if (kind == ARC_KIND_AAR)
		r = aar_instance(val, vlen, &inst, &payload, &plen);
	else
		r = taglist_instance(val, vlen, &inst);
	if (r == -1 || inst == 0) {
		chain_fail(ch, "an ARC header field has no valid i= tag");
		return;
	}
	if (inst > ARC_MAX_INSTANCES) {
		chain_fail(ch, "ARC instance above 50 (RFC 8617 4.2.1)");
		return;
	}
	set = &ch->set[inst - 1];
	slot = kind == ARC_KIND_AAR ? &set->aar : kind == ARC_KIND_AMS ?
	    &set->ams : &set->as;
	if (*slot != NULL) {
		/* 5.2 step 2: exactly one of each field per Set */
		chain_fail(ch, "two ARC header fields of one kind share an "
		    "instance");
		return;
	}
	*slot = f;
	if (kind == ARC_KIND_AAR) {
		set->aar_payload = payload;
		set->aar_len = plen;
	}
	if (inst > ch->highest)
		ch->highest = inst;
}

static void
seal_fail(struct arc_seal_tags *st, const char *reason)
{
	if (st->reason == NULL)
		st->reason = reason;
}

/* The ARC-Seal tags (4.1.3): i, a, b, cv, d, s required; t optional. */
static int
parse_seal(const char *val, size_t vlen, struct arc_seal_tags *st,
    struct err *e)
{
	struct taglist_parsed tl;
	const struct taglist_tag *t;
	const char *why;

	buf_init(&st->b);
	if ((why = taglist_parse(val, vlen, &tl)) != NULL) {
		seal_fail(st, "ARC-Seal tag list does not parse");
		return 0;
	}
	if ((t = taglist_parse_find(&tl, "a")) == NULL)
		seal_fail(st, "ARC-Seal without a=");
	else if (!taglist_view_caseeq(&t->value, "rsa-sha256"))
		seal_fail(st, "ARC-Seal a= is not rsa-sha256");
	if ((t = taglist_parse_find(&tl, "cv")) == NULL)
		seal_fail(st, "ARC-Seal without cv=");
	else if (taglist_view_caseeq(&t->value, "none"))
		st->cv = ARC_CV_NONE;
	else if (taglist_view_caseeq(&t->value, "pass"))
		st->cv = ARC_CV_PASS;
	else if (taglist_view_caseeq(&t->value, "fail"))
		st->cv = ARC_CV_FAIL;
	else
		seal_fail(st, "ARC-Seal cv= is not none, pass or fail");
	if ((t = taglist_parse_find(&tl, "d")) == NULL || t->value.len == 0)
		seal_fail(st, "ARC-Seal without d=");
	else
		st->d = t->value;
	if ((t = taglist_parse_find(&tl, "s")) == NULL || t->value.len == 0)
		seal_fail(st, "ARC-Seal without s=");
	else
		st->s = t->value;
	/* 4.1.3: the AS covers the ARC Sets, never a list of fields */
	if (taglist_parse_find(&tl, "h") != NULL)
		seal_fail(st, "ARC-Seal has an h= tag");
	if ((t = taglist_parse_find(&tl, "t")) != NULL) {
		size_t j;

		/* 1*12DIGIT, as DKIM's t= (RFC 6376 3.5) */
		st->t_present = true;
		if (t->value.len == 0 || t->value.len > 12)
			seal_fail(st, "ARC-Seal t= is not a number");
		for (j = 0; j < t->value.len && j < 12; j++) {
			if (!abnf_digit((unsigned char)t->value.p[j])) {
				seal_fail(st, "ARC-Seal t= is not a number");
				break;
			}
			st->t = st->t * 10 + (uint64_t)(t->value.p[j] - '0');
		}
	}
	if ((t = taglist_parse_find(&tl, "b")) == NULL) {
		seal_fail(st, "ARC-Seal without b=");
		return 0;
	}
	st->b_off = (size_t)(t->value.p - val);
	st->b_len = t->value.len;
	if (taglist_parse_b64(&t->value, DKIM_SIG_MAX_B, &st->b, &why,
	    e) == -1)
		return -1;
	if (why != NULL || st->b.len == 0)
		seal_fail(st, "ARC-Seal b= is not valid base64");
	return 0;
}

static int
parse_set(struct arc_chain *ch, unsigned inst, struct err *e)
{
	struct arc_set *set = &ch->set[inst - 1];
	const char *val;
	size_t vlen;

	if (set->ams != NULL) {
		val = hdr_field_value(set->ams, &vlen);
		if (dkim_sig_parse_ams(val, vlen, &set->ams_sig, e) == -1)
			return -1;
		set->ams_parsed = true;
		if (set->ams_sig.outcome != DKIM_SIG_OK)
			chain_fail(ch, "an ARC-Message-Signature does not "
			    "parse");
		else if (set->ams_sig.alg != DKIM_SIG_RSA_SHA256)
			chain_fail(ch, "ARC-Message-Signature a= is not "
			    "rsa-sha256");
	}
	if (set->as != NULL) {
		val = hdr_field_value(set->as, &vlen);
		if (parse_seal(val, vlen, &set->seal, e) == -1)
			return -1;
		set->seal_parsed = true;
		if (set->seal.reason != NULL)
			chain_fail(ch, set->seal.reason);
		/* 5.2 step 4: AS(1) says cv=none, every later one cv=pass */
		else if (inst == 1 && set->seal.cv != ARC_CV_NONE)
			chain_fail(ch, "ARC-Seal i=1 has a cv= other than none");
		else if (inst > 1 && set->seal.cv != ARC_CV_PASS)
			chain_fail(ch, "an ARC-Seal after i=1 has a cv= other "
			    "than pass");
	}
	return 0;
}

int
arc_chain_parse(const struct hdr_list *hdrs, struct arc_chain *ch,
    struct err *e)
{
	struct arc_set *newest;
	const char *form;
	size_t i;
	unsigned k;
	int kind;

	memset(ch, 0, sizeof(*ch));
	for (i = 0; i < hdrs->n; i++) {
		if ((kind = field_kind(&hdrs->f[i])) == -1)
			continue;
		if (++ch->nfields > ARC_MAX_FIELDS)
			continue;	/* counted, not kept */
		collect(ch, &hdrs->f[i], (enum arc_kind)kind);
	}
	/*
	 * So many fields hold duplicates too; the count is what tells the
	 * admin what happened, so it is the reason.
	 */
	if (ch->nfields > ARC_MAX_FIELDS)
		ch->reason = "more ARC header fields than 50 Sets hold";
	if (ch->nfields == 0)
		return 0;
	if (ch->highest == 0) {
		chain_fail(ch, "no ARC header field has a valid i= tag");
		return 0;
	}
	/* 5.2 step 2 and 4: Sets 1..N, each with its three fields */
	for (k = 1; k <= ch->highest; k++) {
		struct arc_set *set = &ch->set[k - 1];

		if (set->aar == NULL && set->ams == NULL && set->as == NULL)
			chain_fail(ch, "a gap in the ARC instance numbers");
		else if (set->as == NULL)
			chain_fail(ch, "an ARC Set has no ARC-Seal");
		else if (set->ams == NULL)
			chain_fail(ch, "an ARC Set has no "
			    "ARC-Message-Signature");
		else if (set->aar == NULL)
			chain_fail(ch, "an ARC Set has no "
			    "ARC-Authentication-Results");
	}
	form = ch->reason;
	for (k = 1; k <= ch->highest; k++)
		if (parse_set(ch, k, e) == -1)
			return -1;
	/*
	 * 5.2 step 3: the newest AS saying cv=fail ends the chain as fail.
	 * It comes after the form (step 2) and before the cv= rules of step
	 * 4, so it is the reason unless the form was already wrong.
	 */
	newest = &ch->set[ch->highest - 1];
	if (newest->seal_parsed && newest->seal.reason == NULL &&
	    newest->seal.cv == ARC_CV_FAIL) {
		ch->newest_cv_fail = true;
		if (form == NULL)
			ch->reason = "the newest ARC-Seal says cv=fail";
	}
	return 0;
}

void
arc_chain_free(struct arc_chain *ch)
{
	size_t k;

	if (ch == NULL)
		return;
	for (k = 0; k < ARC_MAX_INSTANCES; k++) {
		dkim_sig_free(&ch->set[k].ams_sig);
		buf_free(&ch->set[k].seal.b);
	}
}

static struct taglist_view
raw_view(const struct hdr_field *f)
{
	struct taglist_view v = { f->raw, f->raw_len };

	return v;
}

void
arc_chain_seal_fields(const struct arc_chain *ch, unsigned upto,
    struct taglist_view *out, size_t *n)
{
	unsigned k;

	*n = 0;
	for (k = 1; k <= upto; k++) {
		const struct arc_set *set = &ch->set[k - 1];

		/* 5.1.1: AAR, AMS, AS of each Set, by increasing instance */
		out[(*n)++] = raw_view(set->aar);
		out[(*n)++] = raw_view(set->ams);
		if (k < upto)
			out[(*n)++] = raw_view(set->as);
	}
}

int
arc_seal_digest(const struct taglist_view *fields, size_t n, const char *self,
    size_t selflen, unsigned char digest[32], struct err *e)
{
	struct buf scratch = BUF_INIT;
	EVP_MD_CTX *ctx;
	unsigned int dlen = 0;
	size_t i;
	int rc = -1;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		err_ssl(e, "ARC-Seal hash init");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (canon_header_hash(ctx, CANON_RELAXED, fields[i].p,
		    fields[i].len, true, &scratch) == -1) {
			err_set(e, "ARC-Seal hash");
			goto out;
		}
	if (canon_header_hash(ctx, CANON_RELAXED, self, selflen, false,
	    &scratch) == -1 || EVP_DigestFinal_ex(ctx, digest, &dlen) != 1 ||
	    dlen != 32) {
		err_set(e, "ARC-Seal hash");
		goto out;
	}
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	buf_free(&scratch);
	return rc;
}
