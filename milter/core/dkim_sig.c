/* SPDX-License-Identifier: ISC */
/*
 * dkim_sig.c - the DKIM-Signature tags of RFC 6376 section 3.5.
 * taglist_parse() checks the tag-list syntax and rejects duplicates; each
 * known tag then has a handler in sig_tags[], and unknown tags are ignored
 * (3.2). Checks that need two tags (required tags, i= within d=, x= after
 * t=) run once all tags are read. The first permerror reason wins.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dkim_sig.h"

static void
sig_permerror(struct dkim_sig *sig, const char *reason)
{
	if (sig->outcome == DKIM_SIG_OK) {
		sig->outcome = DKIM_SIG_PERMERROR;
		sig->reason = reason;
	}
}

/*
 * A decimal of at most maxdigits digits that fits uint64_t; NULL and *out,
 * or why not.
 */
static const char *
parse_decimal(const struct taglist_view *v, size_t maxdigits, uint64_t *out)
{
	size_t i;
	uint64_t n = 0;

	if (v->len == 0)
		return "empty";
	if (v->len > maxdigits)
		return "too many digits";
	for (i = 0; i < v->len; i++) {
		unsigned d = (unsigned char)v->p[i] - '0';

		if (d > 9)
			return "not a decimal number";
		if (n > (UINT64_MAX - d) / 10)
			return "too large";
		n = n * 10 + d;
	}
	*out = n;
	return NULL;
}

/* field-name = 1*ftext, ftext = %d33-57 / %d59-126 (RFC 5322 3.6.8) */
static bool
is_field_name(const struct taglist_view *v)
{
	size_t i;

	if (v->len == 0)
		return false;
	for (i = 0; i < v->len; i++) {
		unsigned char c = (unsigned char)v->p[i];

		if (c < 33 || c > 126 || c == ':')
			return false;
	}
	return true;
}

static int
sig_v(struct dkim_sig *sig, const struct taglist_view *v, struct err *e)
{
	(void)e;
	if (!taglist_view_eq(v, "1"))
		sig_permerror(sig, "unsupported version (v= is not 1)");
	return 0;
}

static int
sig_a(struct dkim_sig *sig, const struct taglist_view *v, struct err *e)
{
	(void)e;
	if (taglist_view_caseeq(v, "rsa-sha256"))
		sig->alg = DKIM_SIG_RSA_SHA256;
	else if (taglist_view_caseeq(v, "ed25519-sha256"))
		sig->alg = DKIM_SIG_ED25519_SHA256;
	else if (taglist_view_caseeq(v, "rsa-sha1")) {
		/* parsed so the result can name it; RFC 8301 3.1 */
		sig->alg = DKIM_SIG_RSA_SHA1;
		sig->weak_alg = true;
	} else
		sig_permerror(sig, "unsupported algorithm");
	return 0;
}

static int
sig_b(struct dkim_sig *sig, const struct taglist_view *v, struct err *e)
{
	const char *why;

	if (taglist_parse_b64(v, DKIM_SIG_MAX_B, &sig->b, &why, e) == -1)
		return -1;
	if (why != NULL)
		sig_permerror(sig, "b= is not valid base64 or too long");
	else if (sig->b.len == 0)
		sig_permerror(sig, "empty b=");
	return 0;
}

static int
sig_bh(struct dkim_sig *sig, const struct taglist_view *v, struct err *e)
{
	const char *why;

	if (taglist_parse_b64(v, DKIM_SIG_MAX_BH, &sig->bh, &why, e) == -1)
		return -1;
	if (why != NULL)
		sig_permerror(sig, "bh= is not valid base64 or too long");
	else if (sig->bh.len == 0)
		sig_permerror(sig, "empty bh=");
	return 0;
}

/* c= header[/body]; "relaxed" alone is relaxed/simple (3.5). */
static int
sig_c(struct dkim_sig *sig, const struct taglist_view *v, struct err *e)
{
	const char *slash = memchr(v->p, '/', v->len);
	size_t hlen = slash == NULL ? v->len : (size_t)(slash - v->p);

	(void)e;
	if (canon_parse(v->p, hlen, &sig->hcanon) == -1 || (slash != NULL &&
	    canon_parse(slash + 1, v->len - hlen - 1, &sig->bcanon) == -1))
		sig_permerror(sig, "unknown canonicalization (c=)");
	return 0;
}

static int
sig_d(struct dkim_sig *sig, const struct taglist_view *v, struct err *e)
{
	(void)e;
	sig->d = *v;
	if (v->len == 0)
		sig_permerror(sig, "empty d=");
	return 0;
}

/* h= hdr-name *( [FWS] ":" [FWS] hdr-name ), From required (3.5, 5.4) */
static int
sig_h(struct dkim_sig *sig, const struct taglist_view *v, struct err *e)
{
	struct taglist_view rest = *v, item;
	bool from = false;

	while (taglist_view_next_item(&rest, ':', &item)) {
		if (!is_field_name(&item)) {
			sig_permerror(sig, "invalid header field name in h=");
			return 0;
		}
		if (sig->nh == DKIM_SIG_MAX_H) {
			sig_permerror(sig, "too many header fields in h=");
			return 0;
		}
		if (sig->h == NULL && (sig->h = reallocarray(NULL,
		    DKIM_SIG_MAX_H, sizeof(*sig->h))) == NULL)
			return err_set(e, "no memory for h= list");
		sig->h[sig->nh++] = item;
		if (taglist_view_caseeq(&item, "from"))
			from = true;
	}
	if (!from)
		sig_permerror(sig, "h= does not include From");
	return 0;
}

static int
sig_i(struct dkim_sig *sig, const struct taglist_view *v, struct err *e)
{
	size_t at;

	(void)e;
	sig->i_present = true;
	sig->i = *v;
	/* the last '@': a quoted local part may hold one */
	for (at = v->len; at > 0 && v->p[at - 1] != '@'; at--)
		;
	if (at == 0) {
		sig_permerror(sig, "i= has no @");
		return 0;
	}
	sig->i_local.p = v->p;
	sig->i_local.len = at - 1;
	sig->i_domain.p = v->p + at;
	sig->i_domain.len = v->len - at;
	return 0;
}

static int
sig_l(struct dkim_sig *sig, const struct taglist_view *v, struct err *e)
{
	(void)e;
	sig->l_present = true;
	if (parse_decimal(v, DKIM_SIG_MAX_L_DIGITS, &sig->l) != NULL)
		sig_permerror(sig, "invalid or too large l=");
	return 0;
}

/* q= a colon list; we need dns/txt among the methods (3.5). */
static int
sig_q(struct dkim_sig *sig, const struct taglist_view *v, struct err *e)
{
	struct taglist_view rest = *v, item;
	bool dns = false;

	(void)e;
	while (taglist_view_next_item(&rest, ':', &item))
		if (taglist_view_caseeq(&item, "dns/txt"))
			dns = true;
	if (!dns)
		sig_permerror(sig, "unsupported query method (q=)");
	return 0;
}

static int
sig_s(struct dkim_sig *sig, const struct taglist_view *v, struct err *e)
{
	(void)e;
	sig->s = *v;
	if (v->len == 0)
		sig_permerror(sig, "empty s=");
	return 0;
}

/* t= and x= are 1*12DIGIT in the ABNF; we take any uint64_t. */
static int
sig_t(struct dkim_sig *sig, const struct taglist_view *v, struct err *e)
{
	(void)e;
	sig->t_present = true;
	if (parse_decimal(v, 20, &sig->t) != NULL)
		sig_permerror(sig, "invalid t=");
	return 0;
}

static int
sig_x(struct dkim_sig *sig, const struct taglist_view *v, struct err *e)
{
	(void)e;
	sig->x_present = true;
	if (parse_decimal(v, 20, &sig->x) != NULL)
		sig_permerror(sig, "invalid x=");
	return 0;
}

enum sig_tag {
	SIG_V, SIG_A, SIG_B, SIG_BH, SIG_C, SIG_D, SIG_H, SIG_I, SIG_L,
	SIG_Q, SIG_S, SIG_T, SIG_X,
	SIG_NTAGS
};

static const struct {
	const char	*name;
	bool		 required;
	const char	*missing;
	int		(*fn)(struct dkim_sig *, const struct taglist_view *,
			    struct err *);
} sig_tags[SIG_NTAGS] = {
	[SIG_V] = { "v", true, "missing required tag v=", sig_v },
	[SIG_A] = { "a", true, "missing required tag a=", sig_a },
	[SIG_B] = { "b", true, "missing required tag b=", sig_b },
	[SIG_BH] = { "bh", true, "missing required tag bh=", sig_bh },
	[SIG_C] = { "c", false, NULL, sig_c },
	[SIG_D] = { "d", true, "missing required tag d=", sig_d },
	[SIG_H] = { "h", true, "missing required tag h=", sig_h },
	[SIG_I] = { "i", false, NULL, sig_i },
	[SIG_L] = { "l", false, NULL, sig_l },
	[SIG_Q] = { "q", false, NULL, sig_q },
	[SIG_S] = { "s", true, "missing required tag s=", sig_s },
	[SIG_T] = { "t", false, NULL, sig_t },
	[SIG_X] = { "x", false, NULL, sig_x },
	/* z= (copied header fields) is diagnostic only: ignored */
};

/* i='s domain is d or a subdomain of it, ASCII case-insensitive (3.5). */
static bool
within_domain(const struct taglist_view *sub, const struct taglist_view *d)
{
	const char *tail;

	if (sub->len == d->len)
		return strncasecmp(sub->p, d->p, d->len) == 0;
	if (sub->len <= d->len + 1)
		return false;
	tail = sub->p + sub->len - d->len;
	return tail[-1] == '.' && strncasecmp(tail, d->p, d->len) == 0;
}

/*
 * arc: an ARC-Message-Signature (RFC 8617 4.1.2): "the same syntax and
 * semantics as the DKIM-Signature field" except that v= is not defined
 * (ignored like any unknown tag) and i= is the ARC instance, not the AUID
 * (left to arc_set.c, so i_domain is d=).
 */
static int
parse_sig(const char *value, size_t len, struct dkim_sig *sig, bool arc,
    struct err *e)
{
	struct taglist_parsed tl;
	const struct taglist_tag *tag;
	const char *why;
	bool seen[SIG_NTAGS] = { false };
	size_t i, k;

	memset(sig, 0, sizeof(*sig));
	buf_init(&sig->b);
	buf_init(&sig->bh);
	sig->outcome = DKIM_SIG_OK;
	sig->hcanon = sig->bcanon = CANON_SIMPLE;

	if ((why = taglist_parse(value, len, &tl)) != NULL) {
		sig_permerror(sig, why);
		return 0;
	}
	for (i = 0; i < tl.ntags && sig->outcome == DKIM_SIG_OK; i++) {
		tag = &tl.tags[i];
		for (k = 0; k < SIG_NTAGS; k++)
			if (taglist_view_eq(&tag->name, sig_tags[k].name))
				break;
		if (k == SIG_NTAGS)
			continue;	/* unknown tags are ignored (3.2) */
		if (arc && (k == SIG_V || k == SIG_I))
			continue;
		seen[k] = true;
		if (k == SIG_B) {
			sig->b_off = (size_t)(tag->value.p - value);
			sig->b_len = tag->value.len;
		}
		if (sig_tags[k].fn(sig, &tag->value, e) == -1)
			return -1;
	}
	for (k = 0; k < SIG_NTAGS; k++)
		if (sig_tags[k].required && !seen[k] && !(arc && k == SIG_V))
			sig_permerror(sig, sig_tags[k].missing);
	if (sig->outcome != DKIM_SIG_OK)
		return 0;
	if (!sig->i_present)
		sig->i_domain = sig->d;
	else if (!within_domain(&sig->i_domain, &sig->d))
		sig_permerror(sig, "i= not within d=");
	/* 3.5: x= "MUST be greater than" t= */
	if (sig->t_present && sig->x_present && sig->x <= sig->t)
		sig_permerror(sig, "x= not after t=");
	return 0;
}

int
dkim_sig_parse(const char *value, size_t len, struct dkim_sig *sig,
    struct err *e)
{
	return parse_sig(value, len, sig, false, e);
}

int
dkim_sig_parse_ams(const char *value, size_t len, struct dkim_sig *sig,
    struct err *e)
{
	return parse_sig(value, len, sig, true, e);
}

void
dkim_sig_free(struct dkim_sig *sig)
{
	if (sig == NULL)
		return;
	buf_free(&sig->b);
	buf_free(&sig->bh);
	free(sig->h);
	sig->h = NULL;
	sig->nh = 0;
}

const char *
dkim_sig_alg_name(enum dkim_sig_alg a)
{
	switch (a) {
	case DKIM_SIG_RSA_SHA256:
		return "rsa-sha256";
	case DKIM_SIG_RSA_SHA1:
		return "rsa-sha1";
	case DKIM_SIG_ED25519_SHA256:
		return "ed25519-sha256";
	}
	return "unknown";
}
