/* SPDX-License-Identifier: ISC */
/*
 * txn.c - the per-transaction pipeline (see txn.h).
 * Role: a message is signed when its sender authenticated, its client is in
 * internal_hosts, or it came in on a service listed in sign_daemons; and
 * only when its RFC 5322.From domain has a key. Anything inkan cannot sign
 * (no From, several From fields, no key) passes untouched with a log line
 * saying why: signing is a service, never a reason to lose mail.
 * Internal errors (no memory, OpenSSL failures) tempfail the message so the
 * MTA keeps it and retries.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "ar.h"
#include "dkim_check.h"
#include "dmarc_check.h"
#include "spf_check.h"
#include "dkim_sign.h"
#include "hdr.h"
#include "metrics.h"
#include "policy.h"
#include "render_ar.h"
#include "render_log.h"
#include "render_metrics.h"
#include "render_report.h"
#include "txn.h"

/*
 * An smtp.mailfrom or smtp.helo value taken from a trusted relay: an
 * address (RFC 5321 4.5.3.1: 64 + 1 + 255) or a domain fits; a longer one
 * is not used.
 */
#define TXN_UPSTREAM_VALUE_MAX	330

struct txn {
	/* connection */
	char		*client_ip;
	char		*client_name;
	char		*helo;
	char		*daemon_name;
	char		*mta_host;	/* the MTA's j macro, if usable */
	/* message */
	struct config	*cfg;
	enum txn_role	 role;
	char		*mail_from;
	char		*auth_user;
	char		*qid;
	time_t		 now;
	struct hdr_list	 hdrs;
	struct dkim_signer *signer;
	struct dkim_check *dkim;	/* verify role */
	struct spf_check *spf;		/* verify role, from MAIL FROM */
	struct dmarc_check *dmarc;	/* verify role, from end of headers */
	struct dmarc_verdict dmarc_v;
	bool		 dmarc_done;
	char		 from_domain[256];
	struct buf	 from_why;	/* why the From identity is unusable */
	bool		 bad_from;	/* verify role: not exactly one address */
	struct buf	 received_spf;
	struct timespec	 dns_deadline;	/* end of the message's DNS budget */
	const char	*authserv_id;	/* the message's: cfg's or mta_host */
	struct buf	 ar;		/* our Authentication-Results value */
	size_t		 nar;		/* AR fields seen, stored or not */
	size_t		*ar_forged;	/* AR instances claiming our id */
	size_t		 nforged;
	bool		 forged_over;	/* more than TXN_MAX_FORGED_AR */
	/*
	 * The topmost Authentication-Results of a relay in
	 * trusted_authserv_ids, and the SPF results taken from it.
	 */
	bool		 up_seen;	/* that field has been read */
	bool		 up_found;	/* it had a usable smtp.mailfrom result */
	char		 up_id[AR_ID_MAX];
	enum spf_result	 up_mf, up_helo;
	bool		 up_helo_found;
	char		 up_mailfrom[TXN_UPSTREAM_VALUE_MAX];
	char		 up_helo_name[TXN_UPSTREAM_VALUE_MAX];
	const char	*up_why;	/* why its spf= was not used, or NULL */
	struct buf	 why;		/* why signed, or why not */
	bool		 failed;	/* internal error: tempfail */
	struct err	 err;
	struct buf	 log;
	struct results	 res;		/* filled at end of message */
	struct policy_decision pol;	/* its storage: the reply */
};

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

struct txn *
txn_new(const char *client_ip, const char *client_name)
{
	struct txn *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->client_ip = dup_or_null(client_ip);
	t->client_name = dup_or_null(client_name);
	hdr_list_init(&t->hdrs);
	if ((client_ip != NULL && t->client_ip == NULL) ||
	    (client_name != NULL && t->client_name == NULL)) {
		txn_free(t);
		return NULL;
	}
	return t;
}

void
txn_reset(struct txn *t)
{
	dkim_signer_free(t->signer);
	t->signer = NULL;
	dkim_check_free(t->dkim);
	t->dkim = NULL;
	spf_check_free(t->spf);
	t->spf = NULL;
	dmarc_check_free(t->dmarc);
	t->dmarc = NULL;
	t->dmarc_done = false;
	t->bad_from = false;
	t->from_domain[0] = '\0';
	buf_free(&t->from_why);
	buf_free(&t->received_spf);
	policy_decision_free(&t->pol);
	memset(&t->res, 0, sizeof(t->res));
	buf_free(&t->ar);
	free(t->ar_forged);
	t->ar_forged = NULL;
	t->nforged = 0;
	t->nar = 0;
	t->forged_over = false;
	t->up_seen = t->up_found = t->up_helo_found = false;
	t->up_why = NULL;
	t->authserv_id = NULL;
	hdr_list_free(&t->hdrs);
	free(t->mail_from);
	free(t->auth_user);
	free(t->qid);
	t->mail_from = t->auth_user = t->qid = NULL;
	buf_free(&t->why);
	buf_free(&t->log);
	config_unref(t->cfg);
	t->cfg = NULL;
	t->role = TXN_ROLE_NONE;
	t->failed = false;
	/* t->now stays: it is the clock of every message on this object */
}

void
txn_free(struct txn *t)
{
	if (t == NULL)
		return;
	txn_reset(t);
	free(t->client_ip);
	free(t->client_name);
	free(t->helo);
	free(t->daemon_name);
	free(t->mta_host);
	free(t);
}

static void
replace(char **dst, const char *s)
{
	free(*dst);
	*dst = dup_or_null(s);
}

void
txn_set_daemon_name(struct txn *t, const char *name)
{
	replace(&t->daemon_name, name);
}

/*
 * A host name good for an authserv-id: what the MTA calls itself is a
 * domain name (RFC 1035 2.3.4: at most 253 bytes, plus a final dot), made
 * of letters, digits, hyphens and dots; underscores are let through, as
 * some hosts carry them. Anything else is not used.
 */
static bool
usable_host(const char *s)
{
	size_t len = s != NULL ? strlen(s) : 0, i;

	if (len == 0 || len > 254 || s[0] == '.')
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '.' && s[i] != '_')
			return false;
	return true;
}

void
txn_set_mta_host(struct txn *t, const char *j)
{
	replace(&t->mta_host, usable_host(j) ? j : NULL);
}

void
txn_helo(struct txn *t, const char *helo)
{
	replace(&t->helo, helo);
}

void
txn_set_queue_id(struct txn *t, const char *qid)
{
	replace(&t->qid, qid);
}

void
txn_set_now(struct txn *t, time_t now)
{
	t->now = now;
}

enum txn_role
txn_role(const struct txn *t)
{
	return t->role;
}

static bool
in_list(const struct strlist *l, const char *s)
{
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], s) == 0)
			return true;
	return false;
}

/* Decide sign or verify, and note why, for the log line. */
static void
decide_role(struct txn *t)
{
	buf_reset(&t->why);
	if (t->auth_user != NULL && *t->auth_user != '\0') {
		t->role = TXN_ROLE_SIGN;
		buf_printf(&t->why, "sender authenticated as %s", t->auth_user);
	} else if (cidr_list_match(&t->cfg->internal_hosts, t->client_ip)) {
		t->role = TXN_ROLE_SIGN;
		buf_printf(&t->why, "internal host %s", t->client_ip);
	} else if (in_list(&t->cfg->sign_daemons, t->daemon_name)) {
		t->role = TXN_ROLE_SIGN;
		buf_printf(&t->why, "service %s", t->daemon_name);
	} else {
		t->role = TXN_ROLE_VERIFY;
		buf_printf(&t->why, "client %s is not internal and not "
		    "authenticated", t->client_ip != NULL ? t->client_ip :
		    "(unknown)");
	}
}

/* Now plus the configured DNS budget, on the monotonic clock. */
static void
budget_deadline(const struct config *c, struct timespec *d)
{
	clock_gettime(CLOCK_MONOTONIC, d);
	d->tv_sec += (time_t)(c->dns_budget / 1000);
	d->tv_nsec += (long)(c->dns_budget % 1000) * 1000000L;
	if (d->tv_nsec >= 1000000000L) {
		d->tv_sec++;
		d->tv_nsec -= 1000000000L;
	}
}

int
txn_mail_from(struct txn *t, const char *addr, const char *auth_user,
    struct config *cfg)
{
	txn_reset(t);
	t->cfg = cfg != NULL ? config_ref(cfg) : config_current();
	if (t->cfg == NULL) {
		t->failed = true;
		err_set(&t->err, "no configuration loaded");
		return -1;
	}
	t->mail_from = dup_or_null(addr);
	t->auth_user = dup_or_null(auth_user);
	if ((addr != NULL && t->mail_from == NULL) ||
	    (auth_user != NULL && t->auth_user == NULL)) {
		t->failed = true;
		err_set(&t->err, "out of memory");
		return -1;
	}
	/*
	 * One authserv-id for everything about this message (our A-R, the
	 * forgeries removed, Received-SPF): the configured one, else the
	 * name the MTA sends as j (Postfix's myhostname), which is the name
	 * its own rules and later filters know it by, else the host's
	 * fully qualified name that config_load found.
	 */
	t->authserv_id = t->cfg->authserv_id_auto && t->mta_host != NULL ?
	    t->mta_host : t->cfg->authserv_id;
	decide_role(t);
	if (t->role == TXN_ROLE_VERIFY) {
		struct timespec d;

		/* RFC 7208 2.5: SPF at MAIL FROM time; the answer waits for EOM */
		budget_deadline(t->cfg, &d);
		t->spf = spf_check_start(t->cfg->resolver, t->client_ip, t->helo,
		    addr, t->authserv_id, t->now != 0 ? t->now : time(NULL),
		    &d, &t->err);
		if (t->spf == NULL) {
			t->failed = true;
			return -1;
		}
	}
	return 0;
}

/*
 * RFC 8601 section 5: an Authentication-Results field that claims our
 * authserv-id and arrives from outside is forged (or stale) and must not
 * reach a reader who trusts our id. Every field of that name is counted
 * here, as it arrives and whether or not hdr_list keeps it: the number
 * given to the MTA (smfi_chgheader) is the instance among all fields of
 * that name as the MTA counts them, and a field refused by a header cap
 * is still in the message the MTA delivers.
 */
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
note_upstream(struct txn *t, const char *value, size_t vlen)
{
	const struct strlist *ids = &t->cfg->trusted_authserv_ids;
	struct ar_spf spf;
	size_t i;
	int rc;

	if (t->up_seen || ids->n == 0 || t->role != TXN_ROLE_VERIFY)
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

static int
note_ar(struct txn *t, const char *value, size_t vlen)
{
	t->nar++;
	if (!ar_claims(value, vlen, t->authserv_id)) {
		/* ours is never trusted: it is removed as forged below */
		note_upstream(t, value, vlen);
		return 0;
	}
	if (t->nforged == TXN_MAX_FORGED_AR) {
		t->forged_over = true;
		return 0;
	}
	if ((t->nforged & (t->nforged + 1)) == 0) {
		size_t *n = reallocarray(t->ar_forged, (t->nforged + 1) * 2,
		    sizeof(*n));

		if (n == NULL)
			return err_set(&t->err, "out of memory");
		t->ar_forged = n;
	}
	t->ar_forged[t->nforged++] = t->nar;
	return 0;
}

int
txn_header(struct txn *t, const char *name, size_t nlen, const char *value,
    size_t vlen)
{
	if (t->role == TXN_ROLE_NONE || t->failed)
		return t->failed ? -1 : 0;
	/* the name as hdr_field_is compares it: WSP before the colon is no
	 * part of it (RFC 5322 4.5), so "Authentication-Results :" counts */
	if (hdr_name_len(name, nlen) == sizeof(AR_FIELD) - 1 &&
	    strncasecmp(name, AR_FIELD, sizeof(AR_FIELD) - 1) == 0 &&
	    note_ar(t, value, vlen) == -1) {
		t->failed = true;
		return -1;
	}
	if (hdr_list_add(&t->hdrs, name, nlen, value, vlen) == HDR_NOMEM) {
		t->failed = true;
		err_set(&t->err, "out of memory");
		return -1;
	}
	return 0;
}

/* Are domains a and b (views) one name? Case and a final dot do not count. */
static bool
same_domain(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen > 0 && a[alen - 1] == '.')
		alen--;
	if (blen > 0 && b[blen - 1] == '.')
		blen--;
	return alen == blen && strncasecmp(a, b, alen) == 0;
}

/*
 * The author domain: that of the one From field (RFC 5322 3.6 allows one;
 * "From :" is one too, 4.5). A field with several addresses (3.6.2) has
 * one author domain when every address is in it: RFC 9989 5.3.1 proceeds
 * with DMARC then, and exempts from DMARC a From field whose addresses are
 * in different domains; such mail is left to local policy (author_policy).
 * RFC 5322 3.6.2 wants a Sender field with several authors; its absence is
 * not held against the message: it leaves no doubt about the one domain
 * DMARC evaluates, and a Sender field, authenticated by nothing, would
 * prove nothing. Fills local (the first address's: what the signing table
 * is looked up with) and domain (lower-cased, no final dot), or says why
 * not.
 */
static int
from_identity(struct txn *t, char *local, size_t llen, char *domain,
    size_t dlen)
{
	struct addr_list al;
	const struct addr *a;
	const char *v;
	size_t n, vlen, i;
	long idx;

	if (t->hdrs.overflow) {
		buf_printf(&t->from_why, "header block exceeds inkan's limits");
		return -1;
	}
	n = hdr_list_count(&t->hdrs, "From");
	if (n != 1) {
		buf_printf(&t->from_why, n == 0 ? "no From header field" :
		    "%zu From header fields", n);
		return -1;
	}
	idx = hdr_list_find(&t->hdrs, "From", 0);
	v = hdr_field_value(&t->hdrs.f[idx], &vlen);
	if (addr_parse_list(v, vlen, &al) == -1) {
		buf_printf(&t->from_why, "From field does not parse: %s", al.err);
		return -1;
	}
	if (al.n == 0) {
		buf_printf(&t->from_why, "From field has no address");
		return -1;
	}
	for (i = 0; i < al.n; i++) {
		a = &al.a[i];
		if (!addr_domain_valid(a->domain, a->domain_len) ||
		    a->domain_len >= dlen) {
			buf_printf(&t->from_why,
			    "From domain is not a valid domain name");
			return -1;
		}
		/* valid domains are LDH: safe to name in a reply */
		if (!same_domain(a->domain, a->domain_len, al.a[0].domain,
		    al.a[0].domain_len)) {
			buf_printf(&t->from_why, "From field has addresses in "
			    "different domains (%.*s, %.*s)",
			    (int)al.a[0].domain_len, al.a[0].domain,
			    (int)a->domain_len, a->domain);
			return -1;
		}
	}
	a = &al.a[0];
	if (a->local_len >= llen) {
		buf_printf(&t->from_why, "From address is too long");
		return -1;
	}
	memcpy(local, a->local, a->local_len);
	local[a->local_len] = '\0';
	for (i = 0; i < a->domain_len; i++)
		domain[i] = (char)tolower((unsigned char)a->domain[i]);
	domain[i] = '\0';
	if (i > 0 && domain[i - 1] == '.')
		domain[i - 1] = '\0';
	return 0;
}

static int
start_signing(struct txn *t)
{
	struct dkim_sign_key keys[DKIM_SIGN_MAX_KEYS];
	struct dkim_sign_params p;
	char local[1024];
	size_t n;

	if (from_identity(t, local, sizeof(local), t->from_domain,
	    sizeof(t->from_domain)) == -1) {
		t->from_domain[0] = '\0';
		buf_printf(&t->why, "; %s", buf_str(&t->from_why));
		return 0;
	}
	n = keystore_lookup(t->cfg->keys, local, t->from_domain,
	    t->cfg->sign_subdomains, keys, DKIM_SIGN_MAX_KEYS);
	if (n == 0) {
		buf_printf(&t->why, "; no key for %s", t->from_domain);
		return 0;
	}
	memset(&p, 0, sizeof(p));
	p.keys = keys;
	p.nkeys = n;
	p.hcanon = t->cfg->hcanon;
	p.bcanon = t->cfg->bcanon;
	p.sign_headers = (const char *const *)t->cfg->sign_headers.v;
	p.nsign_headers = t->cfg->sign_headers.n;
	p.oversign_headers = (const char *const *)t->cfg->oversign_headers.v;
	p.noversign_headers = t->cfg->oversign_headers.n;
	p.now = t->now != 0 ? t->now : time(NULL);
	p.ttl = t->cfg->signature_ttl;
	if ((t->signer = dkim_signer_new(&p, &t->hdrs, &t->err)) == NULL) {
		t->failed = true;
		return -1;
	}
	return 0;
}

/*
 * Start DKIM verification: the key lookups go out now, while the body is
 * still to come. SPF (from MAIL FROM) and DKIM (from here) each get
 * dns_budget from their start; at end of message both are collected at
 * once, so the wait there stays within one budget.
 */
static int
start_verifying(struct txn *t)
{
	char local[1024];

	budget_deadline(t->cfg, &t->dns_deadline);
	t->dkim = dkim_check_start(&t->hdrs, t->cfg->resolver,
	    t->cfg->max_signatures, &t->err);
	if (t->dkim == NULL) {
		t->failed = true;
		return -1;
	}
	/* DMARC needs exactly one author domain (RFC 9989 5.3.1) */
	if (from_identity(t, local, sizeof(local), t->from_domain,
	    sizeof(t->from_domain)) == -1) {
		t->bad_from = true;
		t->from_domain[0] = '\0';
		return 0;
	}
	t->dmarc = dmarc_check_start(t->cfg->resolver, t->from_domain,
	    t->cfg->discovery, t->cfg->psl,
	    &t->dns_deadline, &t->err);
	if (t->dmarc == NULL) {
		t->failed = true;
		return -1;
	}
	return 0;
}

int
txn_eoh(struct txn *t)
{
	if (t->failed)
		return -1;
	if (t->role == TXN_ROLE_SIGN)
		return start_signing(t);
	if (t->role == TXN_ROLE_VERIFY)
		return start_verifying(t);
	return 0;
}

const char *
txn_error(const struct txn *t)
{
	return t->err.msg;
}

bool
txn_wants_body(const struct txn *t)
{
	return (t->signer != NULL || t->dkim != NULL) && !t->failed;
}

int
txn_body(struct txn *t, const unsigned char *p, size_t n)
{
	if (t->failed)
		return -1;
	if (t->signer != NULL &&
	    dkim_signer_body(t->signer, p, n, &t->err) == -1) {
		t->failed = true;
		return -1;
	}
	if (t->dkim != NULL && dkim_check_body(t->dkim, p, n, &t->err) == -1) {
		t->failed = true;
		return -1;
	}
	return 0;
}

/*
 * Join SPF and the DKIM signatures that passed or could not be checked
 * (temperror: an aligned one makes DMARC temperror, not fail) to the
 * DMARC policy; the passing ones first (dmarc_check.h).
 */
static int
finish_dmarc(struct txn *t)
{
	static const enum auth_result order[] = { AUTH_PASS, AUTH_TEMPERROR };
	const char *dom[DKIM_VERIFY_MAX_REPORTED];
	enum auth_result res[DKIM_VERIFY_MAX_REPORTED];
	size_t i, k, n = 0, nsig;
	enum auth_result spf = AUTH_NONE;

	nsig = t->dkim != NULL ? dkim_check_count(t->dkim) : 0;

	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		for (i = 0; i < nsig && n < DKIM_VERIFY_MAX_REPORTED; i++) {
			const struct dkim_verdict *v =
			    dkim_check_verdict(t->dkim, i);

			if (v->result != order[k])
				continue;
			dom[n] = v->domain;
			res[n++] = v->result;
		}
	if (t->spf != NULL)
		spf = spf_result_auth(spf_check_mailfrom(t->spf)->result);
	if (dmarc_check_finish(t->dmarc, spf, t->spf != NULL ?
	    spf_check_domain(t->spf) : NULL, dom, res, n, &t->dmarc_v,
	    &t->err) == -1)
		return -1;
	t->dmarc_done = true;
	return 0;
}

/*
 * What the message concluded, for policy and the renderers: read off the
 * checks once they are finished (or given up, when failed).
 */
static void
fill_results(struct txn *t)
{
	struct results *r = &t->res;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->role = t->role;
	r->failed = t->failed;
	r->error = t->err.msg;
	r->qid = t->qid;
	r->client_ip = t->client_ip;
	r->helo = t->helo;
	r->authserv_id = t->authserv_id;
	r->when = t->now != 0 ? t->now : time(NULL);
	r->discovery = t->cfg != NULL ? t->cfg->discovery :
	    DMARC_DISCOVERY_TREEWALK;
	r->from_domain = t->from_domain;
	r->bad_from = t->bad_from;
	r->from_why = buf_str(&t->from_why);
	r->why = buf_str(&t->why);
	r->signing = t->signer != NULL;
	for (i = 0; t->signer != NULL && i < dkim_signer_count(t->signer) &&
	    i < DKIM_SIGN_MAX_KEYS; i++) {
		r->sig[i].domain = dkim_signer_domain(t->signer, i);
		r->sig[i].selector = dkim_signer_selector(t->signer, i);
		r->sig[i].algorithm = dkim_signer_alg(t->signer, i);
		r->nsig++;
	}
	if (t->spf != NULL) {
		r->spf = t->spf;
		r->spf_mf = spf_check_mailfrom(t->spf);
		r->spf_helo = spf_check_helo(t->spf);
		r->spf_sender = spf_check_sender(t->spf);
		r->spf_domain = spf_check_domain(t->spf);
		r->spf_helo_name = spf_check_helo_name(t->spf);
		r->spf_upstream = spf_check_upstream(t->spf);
	}
	r->up_id = t->up_id;
	r->up_why = t->up_why;
	if (t->dkim != NULL) {
		r->dkim_checked = true;
		for (i = 0; i < dkim_check_count(t->dkim) &&
		    i < DKIM_VERIFY_MAX_REPORTED; i++)
			r->dkim[r->ndkim++] = dkim_check_verdict(t->dkim, i);
		r->dkim_ignored = dkim_check_ignored(t->dkim);
		r->dns_queries = dkim_check_queries(t->dkim);
		r->dns_max_in_flight = dkim_check_max_in_flight(t->dkim);
	}
	r->dmarc = t->dmarc_done ? &t->dmarc_v : NULL;
	r->policy = t->dmarc != NULL ? dmarc_check_policy(t->dmarc) : NULL;
	r->nforged = t->nforged;
	r->forged_over = t->forged_over;
}

static void
add_field(struct txn_outcome *out, const char *name, const char *value)
{
	if (out->nadded < TXN_MAX_ADDED) {
		out->added[out->nadded].name = name;
		out->added[out->nadded].value = value;
		out->nadded++;
	}
}

/* The header fields to add and delete, and the decision, into *out. */
static void
outcome(struct txn *t, struct txn_outcome *out)
{
	const struct results *r = &t->res;
	size_t i;

	if (!r->failed && r->nforged > 0 && !r->forged_over) {
		out->delete_name = AR_FIELD;
		out->delete_idx = t->ar_forged;
		out->ndelete = t->nforged;
	}
	if (!r->failed && !r->forged_over && t->signer != NULL)
		for (i = 0; i < dkim_signer_count(t->signer); i++)
			add_field(out, DKIM_SIGNATURE_FIELD,
			    dkim_signer_value(t->signer, i));
	if (!r->failed && !r->forged_over && r->role == TXN_ROLE_VERIFY) {
		render_ar(r, &t->ar);
		add_field(out, AR_FIELD, buf_str(&t->ar));
		/* RFC 7208 9.1: the receiver that checked adds it; a relay
		 * whose result we took did its own */
		if (r->spf != NULL && t->cfg->received_spf &&
		    r->spf_upstream == NULL) {
			render_ar_received_spf(r, &t->received_spf);
			add_field(out, "Received-SPF", buf_str(&t->received_spf));
		}
	}
	policy_decide(r, t->cfg, &t->pol);
	if (t->pol.quarantine_header != NULL)
		add_field(out, "X-DMARC-Quarantine", t->pol.quarantine_header);
	out->action = t->res.action = t->pol.action;
	out->reply_code = t->res.reply_code = t->pol.reply_code;
	out->reply_xcode = t->res.reply_xcode = t->pol.reply_xcode;
	out->reply_text = t->res.reply_text = t->pol.reply_text;
	t->res.applied = t->pol.applied;
	t->res.override = t->pol.override;
}

int
txn_eom(struct txn *t, struct txn_outcome *out)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(out, 0, sizeof(*out));
	if (t->role == TXN_ROLE_NONE) {
		/* no MAIL FROM seen (cannot happen through an MTA) */
		err_set(&t->err, "end of message without MAIL FROM");
		t->failed = true;
	}
	if (!t->failed && t->signer != NULL &&
	    dkim_signer_finish(t->signer, &t->err) == -1)
		t->failed = true;
	if (!t->failed && t->spf != NULL &&
	    spf_check_finish(t->spf, &t->err) == -1)
		t->failed = true;
	if (!t->failed && t->spf != NULL && t->up_found &&
	    spf_check_use_upstream(t->spf, t->up_id, t->up_mf, t->up_mailfrom,
	    t->up_helo_found ? &t->up_helo : NULL, t->up_helo_name,
	    &t->err) == -1)
		t->failed = true;
	if (!t->failed && t->dkim != NULL &&
	    dkim_check_finish(t->dkim, &t->dns_deadline,
	    t->now != 0 ? t->now : time(NULL), &t->err) == -1)
		t->failed = true;
	if (!t->failed && t->dmarc != NULL && finish_dmarc(t) == -1)
		t->failed = true;
	fill_results(t);
	outcome(t, out);
	/* a tempfailed message is counted when it is retried */
	if (!t->failed && !t->forged_over && t->res.dmarc != NULL &&
	    out->action != TXN_TEMPFAIL)
		render_report(&t->res, t->cfg->reports);
	render_log(&t->res, &t->log);
	out->log_line = buf_str(&t->log);
	render_metrics(&t->res);
	metrics_eom_usec(dns_usec_since(&t0));
	return t->failed ? -1 : 0;
}

const struct results *
txn_results(const struct txn *t)
{
	return &t->res;
}
