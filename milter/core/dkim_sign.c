/* SPDX-License-Identifier: ISC */
/*
 * dkim_sign.c - DKIM signing (RFC 6376 sections 3.5, 3.7 and 5.4; RFC 8463).
 * Which fields are signed: every instance present of each configured name,
 * bottom-up as the verifier will pick them (5.4.2; one choice for both,
 * dkim_hdrhash.c), plus one absent instance of each oversigned name, so
 * that a field of that name added later makes the verifier hash it where
 * we hashed nothing and fail (8.15).
 * No I/O; keys are used only through EVP.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "b64.h"
#include "bodyhash.h"
#include "dkim_hdrhash.h"
#include "dkim_key.h"
#include "dkim_pkey.h"
#include "dkim_sign.h"
#include "taglist.h"

/* Cap on h= entries: the configured lists times instances present. */
#define DKIM_SIGN_MAX_H		512

struct dkim_sig_out {
	char		*domain, *selector;
	EVP_PKEY	*key;		/* our reference */
	enum dkim_key_type type;
	struct buf	 value;
};

struct dkim_signer {
	const struct hdr_list *hdrs;
	enum canon_alg	 hcanon, bcanon;
	time_t		 now;
	unsigned long	 ttl;
	unsigned	 arc_instance;	/* 0: DKIM-Signature */
	struct buf	 h;		/* the h= value */
	struct taglist_view hname[DKIM_SIGN_MAX_H];	/* h= entries, into h */
	size_t		 npick;
	struct bodyhash	*body;
	struct dkim_sig_out sig[DKIM_SIGN_MAX_KEYS];
	size_t		 nsig;
};

static bool
name_in(const char *name, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(name, list[i]) == 0)
			return true;
	return false;
}

/*
 * Add name to h= once per instance, plus one absent if over: the verifier
 * (and dkim_hdrhash) then picks the instances bottom-up.
 */
static int
pick_name(struct dkim_signer *s, const char *name, bool over, struct err *e)
{
	size_t want = hdr_list_count(s->hdrs, name) + (over ? 1 : 0);

	if (want > DKIM_SIGN_MAX_H - s->npick)
		return err_set(e, "too many header fields to sign");
	for (; want > 0; want--) {
		if (s->h.len > 0)
			buf_addc(&s->h, ':');
		buf_adds(&s->h, name);
		s->npick++;
	}
	return 0;
}

static int
pick_fields(struct dkim_signer *s, const struct dkim_sign_params *p,
    struct err *e)
{
	size_t i, start;

	for (i = 0; i < p->nsign_headers; i++)
		if (pick_name(s, p->sign_headers[i], name_in(p->sign_headers[i],
		    p->oversign_headers, p->noversign_headers), e) == -1)
			return -1;
	/* an oversigned name that is not in the signed list is signed too */
	for (i = 0; i < p->noversign_headers; i++)
		if (!name_in(p->oversign_headers[i], p->sign_headers,
		    p->nsign_headers) &&
		    pick_name(s, p->oversign_headers[i], true, e) == -1)
			return -1;
	if (buf_failed(&s->h))
		return err_set(e, "out of memory");
	/* the entries as views, now that h= no longer moves */
	for (i = 0, start = 0; i < s->npick; i++) {
		const char *colon = memchr(s->h.data + start, ':',
		    s->h.len - start);
		size_t end = colon != NULL ? (size_t)(colon - s->h.data) :
		    s->h.len;

		s->hname[i].p = s->h.data + start;
		s->hname[i].len = end - start;
		start = end + 1;
	}
	return 0;
}

struct dkim_signer *
dkim_signer_new(const struct dkim_sign_params *p, const struct hdr_list *hdrs,
    struct err *e)
{
	struct dkim_signer *s;
	size_t i;

	if (p->nkeys == 0 || p->nkeys > DKIM_SIGN_MAX_KEYS) {
		err_set(e, "%zu signing keys (1 to %d allowed)", p->nkeys,
		    DKIM_SIGN_MAX_KEYS);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		err_set(e, "out of memory");
		return NULL;
	}
	s->hdrs = hdrs;
	s->hcanon = p->hcanon;
	s->bcanon = p->bcanon;
	s->now = p->now;
	s->ttl = p->ttl;
	s->arc_instance = p->arc_instance;
	if (p->arc_instance > 0 && p->nkeys != 1) {
		err_set(e, "one key for an ARC-Message-Signature");
		goto fail;
	}
	for (i = 0; i < p->nkeys; i++) {
		struct dkim_sig_out *o = &s->sig[i];

		if (dkim_key_type(p->keys[i].key, &o->type, e) == -1)
			goto fail;
		o->domain = strdup(p->keys[i].domain);
		o->selector = strdup(p->keys[i].selector);
		if (o->domain == NULL || o->selector == NULL) {
			err_set(e, "out of memory");
			goto fail;
		}
		if (EVP_PKEY_up_ref(p->keys[i].key) != 1) {
			err_ssl(e, "EVP_PKEY_up_ref");
			goto fail;
		}
		o->key = p->keys[i].key;
		s->nsig++;
	}
	if (pick_fields(s, p, e) == -1)
		goto fail;
	s->body = bodyhash_new(p->bcanon, EVP_sha256(), BODYHASH_NO_LIMIT, e);
	if (s->body == NULL)
		goto fail;
	return s;
fail:
	dkim_signer_free(s);
	return NULL;
}

int
dkim_signer_body(struct dkim_signer *s, const unsigned char *p, size_t n,
    struct err *e)
{
	return bodyhash_update(s->body, p, n, e);
}

/* Write the field value with an empty b= (the form that gets hashed). */
static void
write_value(struct dkim_signer *s, struct dkim_sig_out *o, const char *bh,
    struct taglist_writer *w)
{
	char num[32];

	if (s->arc_instance > 0) {
		/* RFC 8617 4.1.2: no v=; i= is the ARC instance */
		taglist_begin(w, &o->value,
		    sizeof(ARC_MESSAGE_SIGNATURE_FIELD));
		snprintf(num, sizeof(num), "%u", s->arc_instance);
		taglist_add(w, "i", num, TAGLIST_FOLD_NONE);
	} else {
		taglist_begin(w, &o->value, sizeof(DKIM_SIGNATURE_FIELD));
		taglist_add(w, "v", "1", TAGLIST_FOLD_NONE);
	}
	taglist_add(w, "a", dkim_key_alg_name(o->type), TAGLIST_FOLD_NONE);
	snprintf(num, sizeof(num), "%s/%s", canon_name(s->hcanon),
	    canon_name(s->bcanon));
	taglist_add(w, "c", num, TAGLIST_FOLD_NONE);
	taglist_add(w, "d", o->domain, TAGLIST_FOLD_NONE);
	taglist_add(w, "s", o->selector, TAGLIST_FOLD_NONE);
	snprintf(num, sizeof(num), "%lld", (long long)s->now);
	taglist_add(w, "t", num, TAGLIST_FOLD_NONE);
	if (s->ttl > 0) {
		snprintf(num, sizeof(num), "%lld",
		    (long long)s->now + (long long)s->ttl);
		taglist_add(w, "x", num, TAGLIST_FOLD_NONE);
	}
	taglist_add(w, "h", buf_str(&s->h), TAGLIST_FOLD_COLON);
	taglist_add(w, "bh", bh, TAGLIST_FOLD_ANY);
	taglist_open(w, "b");
}

/* SHA-256 over the picked fields and our own field with b= empty (3.7). */
static int
header_digest(struct dkim_signer *s, struct dkim_sig_out *o,
    unsigned char digest[32], struct err *e)
{
	struct buf self = BUF_INIT;
	int rc;

	buf_adds(&self, s->arc_instance > 0 ? ARC_MESSAGE_SIGNATURE_FIELD ":" :
	    DKIM_SIGNATURE_FIELD ":");
	buf_add(&self, o->value.data, o->value.len);
	if (buf_failed(&self))
		rc = err_set(e, "header hash");
	else
		rc = dkim_hdrhash(s->hdrs, NULL, s->hname, s->npick,
		    s->hcanon, self.data, self.len, digest, e);
	buf_free(&self);
	return rc;
}

int
dkim_signer_finish(struct dkim_signer *s, struct err *e)
{
	unsigned char bh[EVP_MAX_MD_SIZE], digest[32];
	struct buf bh64 = BUF_INIT, sig64 = BUF_INIT;
	size_t bhlen, i;
	int rc = -1;

	if (bodyhash_final(s->body, bh, &bhlen, e) == -1)
		return -1;
	b64_encode(&bh64, bh, bhlen);
	for (i = 0; i < s->nsig; i++) {
		struct dkim_sig_out *o = &s->sig[i];
		struct taglist_writer w;

		buf_reset(&o->value);
		buf_reset(&sig64);
		write_value(s, o, buf_str(&bh64), &w);
		if (buf_failed(&o->value)) {
			err_set(e, "out of memory");
			goto out;
		}
		if (header_digest(s, o, digest, e) == -1 ||
		    dkim_pkey_sign(o->key, o->type, digest, &sig64, e) == -1)
			goto out;
		taglist_add_tail(&w, buf_str(&sig64));
		if (buf_failed(&o->value) || buf_failed(&sig64)) {
			err_set(e, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	buf_free(&bh64);
	buf_free(&sig64);
	return rc;
}

size_t
dkim_signer_count(const struct dkim_signer *s)
{
	return s->nsig;
}

const char *
dkim_signer_value(const struct dkim_signer *s, size_t i)
{
	return i < s->nsig ? buf_str(&s->sig[i].value) : NULL;
}

const char *
dkim_signer_alg(const struct dkim_signer *s, size_t i)
{
	return i < s->nsig ? dkim_key_alg_name(s->sig[i].type) : NULL;
}

const char *
dkim_signer_selector(const struct dkim_signer *s, size_t i)
{
	return i < s->nsig ? s->sig[i].selector : NULL;
}

const char *
dkim_signer_domain(const struct dkim_signer *s, size_t i)
{
	return i < s->nsig ? s->sig[i].domain : NULL;
}

void
dkim_signer_free(struct dkim_signer *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < DKIM_SIGN_MAX_KEYS; i++) {
		free(s->sig[i].domain);
		free(s->sig[i].selector);
		EVP_PKEY_free(s->sig[i].key);
		buf_free(&s->sig[i].value);
	}
	bodyhash_free(s->body);
	buf_free(&s->h);
	free(s);
}
