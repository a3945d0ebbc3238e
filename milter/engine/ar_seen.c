/* SPDX-License-Identifier: ISC */
/*
 * ar_seen.c - the Authentication-Results fields a message arrives with
 * (see ar_seen.h).
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "ar_seen.h"
#include "results.h"

/* An A-R result word as an SPF result; -1 for one SPF has not (policy). */
static int
spf_of_auth(enum auth_result r, enum spf_result *out)
{
	switch (r) {
	case AUTH_NONE:		*out = SPF_NONE; return 0;
	case AUTH_PASS:		*out = SPF_PASS; return 0;
	case AUTH_FAIL:		*out = SPF_FAIL; return 0;
	case AUTH_SOFTFAIL:	*out = SPF_SOFTFAIL; return 0;
	case AUTH_NEUTRAL:	*out = SPF_NEUTRAL; return 0;
	case AUTH_TEMPERROR:	*out = SPF_TEMPERROR; return 0;
	case AUTH_PERMERROR:	*out = SPF_PERMERROR; return 0;
	case AUTH_POLICY:	break;
	}
	return -1;
}

/* Copy a view that is a usable identity value; false if it is not. */
static bool
take_value(char *dst, size_t size, const struct ar_view *v)
{
	const char *at;
	size_t dlen;

	if (v->len == 0 || v->len >= size)
		return false;
	memcpy(dst, v->p, v->len);
	dst[v->len] = '\0';
	at = memchr(dst, '@', v->len) != NULL ? strrchr(dst, '@') + 1 : dst;
	dlen = strlen(at);
	return addr_domain_valid(at, dlen);
}

/*
 * trusted_authserv_ids (OpenDMARC's TrustedAuthservIDs): behind another MX
 * our client is that relay, so our SPF check is of the relay, not of the
 * sender. The relay's own field carries the sender's SPF result. Only the
 * topmost field with a trusted id is read: the relay adds its field on
 * top, and RFC 8601 section 5 makes it remove fields claiming its id that
 * came from outside, so a trusted field below it may be a forgery it did
 * not see (or a stale one). If that field has no usable spf result for
 * smtp.mailfrom, our own check stands.
 */
static void
note_upstream(struct ar_seen *t, const struct strlist *ids,
    const char *value, size_t vlen)
{
	struct ar_spf spf;
	size_t i;
	int rc;

	if (t->up_seen || ids->n == 0)
		return;
	rc = ar_read_spf(value, vlen, &spf);
	for (i = 0; i < ids->n; i++)
		if (ar_id_equal(spf.id, ids->v[i]))
			break;
	if (i == ids->n)
		return;
	t->up_seen = true;
	strlcpy(t->up_id, spf.id, sizeof(t->up_id));
	if (rc == -1) {
		t->up_why = "its Authentication-Results does not parse";
		return;
	}
	if (!spf.mailfrom.found || spf_of_auth(spf.mailfrom.result,
	    &t->up_mf) == -1 || !take_value(t->up_mailfrom,
	    sizeof(t->up_mailfrom), &spf.mailfrom.value)) {
		t->up_why = "its Authentication-Results has no usable spf "
		    "result for smtp.mailfrom";
		return;
	}
	t->up_found = true;
	t->up_helo_found = spf.helo.found && spf_of_auth(spf.helo.result,
	    &t->up_helo) == 0 && take_value(t->up_helo_name,
	    sizeof(t->up_helo_name), &spf.helo.value);
}

int
ar_seen_field(struct ar_seen *t, const char *authserv_id,
    const struct strlist *trusted, bool trust, const char *value, size_t vlen,
    struct err *e)
{
	t->nar++;
	if (!ar_claims(value, vlen, authserv_id)) {
		/* ours is never trusted: it is removed as forged below */
		if (trust)
			note_upstream(t, trusted, value, vlen);
		return 0;
	}
	if (t->nforged == TXN_MAX_FORGED_AR) {
		t->forged_over = true;
		return 0;
	}
	if ((t->nforged & (t->nforged + 1)) == 0) {
		size_t *n = reallocarray(t->forged, (t->nforged + 1) * 2,
		    sizeof(*n));

		if (n == NULL)
			return err_set(e, "out of memory");
		t->forged = n;
	}
	t->forged[t->nforged++] = t->nar;
	return 0;
}


void
ar_seen_free(struct ar_seen *t)
{
	free(t->forged);
	memset(t, 0, sizeof(*t));
}
