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
#include "report_db.h"
#include "spf_check.h"
#include "dkim_sign.h"
#include "hdr.h"
#include "json.h"
#include "metrics.h"
#include "txn.h"
#include "utf8.h"

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
	struct buf	 reply;		/* text of a reply we make up */
	struct buf	 quarantine_hdr;
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
	buf_free(&t->reply);
	buf_free(&t->quarantine_hdr);
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
	    strcmp(t->cfg->dmarc_discovery, "psl") == 0 ?
	    DMARC_DISCOVERY_PSL : DMARC_DISCOVERY_TREEWALK, t->cfg->psl,
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
 * What is done with a message that failed DMARC, after local policy: the
 * disposition the Domain Owner asks for (t=y already lowered it, RFC 9989
 * 4.7) unless dmarc_enforce = no or dmarc_never_reject spares the domain
 * (none), or a reject is held instead (quarantine) because the client is
 * a trusted forwarder or dmarc_reject_action = quarantine. *why names the
 * override as the aggregate report's PolicyOverrideType (RFC 9990 2.1.5),
 * or is NULL when the Domain Owner's disposition stands.
 */
static enum dmarc_request
applied_disposition(const struct txn *t, const char **why)
{
	const struct dmarc_verdict *v = &t->dmarc_v;

	*why = NULL;
	if (v->result != AUTH_FAIL)
		return DMARC_REQ_NONE;
	if (v->testing)
		*why = "policy_test_mode";
	if (v->disposition == DMARC_REQ_NONE)
		return DMARC_REQ_NONE;
	if (!t->cfg->dmarc_enforce ||
	    in_list(&t->cfg->dmarc_never_reject, t->from_domain)) {
		*why = "local_policy";
		return DMARC_REQ_NONE;
	}
	if (v->disposition != DMARC_REQ_REJECT)
		return v->disposition;
	if (cidr_list_match(&t->cfg->dmarc_trusted_forwarders, t->client_ip)) {
		*why = "trusted_forwarder";
		return DMARC_REQ_QUARANTINE;
	}
	if (strcmp(t->cfg->dmarc_reject_action, "reject") != 0) {
		*why = "local_policy";
		return DMARC_REQ_QUARANTINE;
	}
	return DMARC_REQ_REJECT;
}

/*
 * Keep the result for the aggregate reports (RFC 9990) when the domain
 * has a policy; the database drops rather than waits (report_db.h). The
 * disposition is what was done, with the reason when local policy
 * overrode the Domain Owner's (RFC 9990 2.1.5).
 * Called only for a message that was accepted, held or refused, never for
 * one answered with a tempfail (txn_eom): the client retries it, and the
 * retry is what gets counted, once. A row per attempt would count one
 * message several times, and as a failure each time DNS was down.
 * A message accepted with dmarc=temperror (dmarc_tempfail_on_temperror =
 * no, or dmarc_enforce = no) is kept: the DKIM and SPF results as checked
 * (temperror among them, which the schema's DKIMResultType and
 * SPFResultType have), disposition none since no policy was applied, and
 * as PolicyOverrideType "other" the words "dmarc temperror". The schema's
 * DMARCResultType in policy_evaluated has only pass and fail, so without
 * that reason the row would read as a fail whose disposition the
 * receiver ignored.
 */
static void
record_report(struct txn *t)
{
	const struct dmarc_policy *pol = dmarc_check_policy(t->dmarc);
	const struct dmarc_verdict *v = &t->dmarc_v;
	struct report_dkim dk[DKIM_VERIFY_MAX_REPORTED];
	struct report_row row;
	struct buf rua = BUF_INIT;
	size_t i, n = t->dkim != NULL ? dkim_check_count(t->dkim) : 0;
	const char *env_at = t->spf != NULL ? strrchr(spf_check_sender(t->spf),
	    '@') : NULL;

	if (t->cfg->reports == NULL || pol->status != DMARC_POLICY_FOUND)
		return;
	memset(&row, 0, sizeof(row));
	for (i = 0; i < n; i++) {
		const struct dkim_verdict *d = dkim_check_verdict(t->dkim, i);

		dk[i].domain = d->domain;
		dk[i].selector = d->selector;
		dk[i].result = auth_result_name(d->result);
	}
	for (i = 0; i < pol->rec.nrua; i++) {
		if (i > 0)
			buf_addc(&rua, ',');
		buf_add(&rua, pol->rec.rua[i].p, pol->rec.rua[i].len);
	}
	row.when = t->now != 0 ? t->now : time(NULL);
	row.source_ip = t->client_ip != NULL ? t->client_ip : "";
	row.header_from = t->from_domain;
	row.envelope_from = env_at != NULL ? env_at + 1 : "";
	row.policy_domain = pol->policy_domain;
	row.p = dmarc_request_name(pol->rec.p);
	row.sp = pol->rec.sp_present ? dmarc_request_name(pol->rec.sp) : NULL;
	row.np = pol->rec.np_present ? dmarc_request_name(pol->rec.np) : NULL;
	row.adkim_strict = pol->rec.adkim == DMARC_ALIGN_STRICT;
	row.aspf_strict = pol->rec.aspf == DMARC_ALIGN_STRICT;
	row.testing = pol->rec.t;
	row.discovery = strcmp(t->cfg->dmarc_discovery, "psl") == 0 ? "psl" :
	    "treewalk";
	row.dmarc = auth_result_name(v->result);
	row.disposition = v->result == AUTH_PASS ? "pass" :
	    dmarc_request_name(applied_disposition(t, &row.override));
	if (v->result == AUTH_TEMPERROR)
		row.override = "dmarc temperror";
	row.dkim_aligned = v->dkim_aligned;
	row.spf_aligned = v->spf_aligned;
	if (t->spf != NULL) {
		row.spf_domain = spf_check_domain(t->spf);
		row.spf_result = spf_result_name(spf_check_mailfrom(t->spf)->result);
	}
	row.dkim = dk;
	row.ndkim = n;
	row.rua = rua.len > 0 ? buf_str(&rua) : NULL;
	report_db_record(t->cfg->reports, &row);
	buf_free(&rua);
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
 * The author identity and the DMARC policy decide, in this order: a
 * message without exactly one author domain (no From field, several, or
 * one whose addresses are in different domains) is refused: RFC 9989 5.3.1
 * exempts such mail from DMARC and leaves it to local policy, and ours is
 * that one author domain is what DMARC and its readers can trust (the
 * reply keeps its old words, "exactly one author address", which scripts
 * may match); a DMARC fail under p=reject or p=quarantine is refused or
 * held, unless dmarc_enforce is off. t=y has already lowered the
 * disposition (RFC 9989 4.7).
 */
static void
author_policy(struct txn *t, struct txn_outcome *out)
{
	const struct dmarc_verdict *v = &t->dmarc_v;
	enum dmarc_request dis;
	const char *why;

	if (t->bad_from && t->cfg->from_reject) {
		buf_reset(&t->reply);
		buf_printf(&t->reply, "Message must have exactly one author "
		    "address in From: %s", buf_str(&t->from_why));
		out->action = TXN_REJECT;
		out->reply_code = "550";
		out->reply_xcode = "5.7.1";
		out->reply_text = buf_str(&t->reply);
		return;
	}
	if (!t->dmarc_done || !t->cfg->dmarc_enforce)
		return;
	/*
	 * DMARC could not be evaluated (the policy, an aligned identifier,
	 * an Organizational Domain or the existence test met a DNS error):
	 * the sender retries, never a silent pass and never the policy
	 * (dmarc_evaluate()). The reason is in the log line and A-R, not
	 * here: it may hold a d= from the message.
	 */
	if (v->result == AUTH_TEMPERROR && t->cfg->dmarc_tempfail_on_temperror) {
		buf_reset(&t->reply);
		buf_printf(&t->reply, "Temporary DNS failure evaluating the "
		    "DMARC policy of %s; try again later", t->from_domain);
		out->action = TXN_TEMPFAIL;
		out->reply_code = "451";
		out->reply_xcode = "4.7.1";
		out->reply_text = buf_str(&t->reply);
		return;
	}
	if ((dis = applied_disposition(t, &why)) == DMARC_REQ_NONE)
		return;
	buf_reset(&t->reply);
	if (dis == DMARC_REQ_REJECT) {
		buf_printf(&t->reply, "Rejected by the DMARC policy of %s (%s)",
		    t->from_domain, v->reason);
		out->action = TXN_REJECT;
		out->reply_code = "550";
		out->reply_xcode = "5.7.1";
		out->reply_text = buf_str(&t->reply);
		return;
	}
	/* quarantine, a reject turned quarantine by local policy */
	buf_printf(&t->reply, "DMARC policy of %s: quarantine", t->from_domain);
	if (strcmp(t->cfg->dmarc_quarantine_action, "header") == 0 &&
	    out->nadded < TXN_MAX_ADDED) {
		out->added[out->nadded].name = "X-DMARC-Quarantine";
		buf_reset(&t->quarantine_hdr);
		buf_printf(&t->quarantine_hdr, " %s (dmarc=fail header.from=%s)",
		    dmarc_request_name(v->policy), t->from_domain);
		out->added[out->nadded].value = buf_str(&t->quarantine_hdr);
		out->nadded++;
		return;
	}
	out->action = TXN_QUARANTINE;
	out->reply_text = buf_str(&t->reply);
}

/*
 * What SPF alone decides, when the admin asked for it: by default nothing
 * (DMARC uses the result). RFC 7372: 5.7.23 SPF validation failed, 4.7.24
 * SPF validation error (temporary).
 */
static void
spf_policy(struct txn *t, struct txn_outcome *out)
{
	const struct spf_answer *a;

	if (t->spf == NULL)
		return;
	a = spf_check_mailfrom(t->spf);
	if (a->result == SPF_FAIL && t->cfg->spf_reject_fail) {
		buf_reset(&t->reply);
		if (a->explanation != NULL)
			buf_printf(&t->reply, "SPF: %s", a->explanation);
		else if (spf_check_upstream(t->spf) != NULL)
			buf_printf(&t->reply, "SPF (checked by %s): the sending "
			    "host is not allowed to send mail from %s",
			    spf_check_upstream(t->spf), spf_check_domain(t->spf));
		else
			buf_printf(&t->reply, "SPF: %s is not allowed to send "
			    "mail from %s", t->client_ip != NULL ? t->client_ip :
			    "this host", spf_check_domain(t->spf));
		out->action = TXN_REJECT;
		out->reply_code = "550";
		out->reply_xcode = "5.7.23";
		out->reply_text = buf_str(&t->reply);
	} else if (a->result == SPF_TEMPERROR &&
	    t->cfg->spf_tempfail_on_temperror) {
		out->action = TXN_TEMPFAIL;
		out->reply_code = "451";
		out->reply_xcode = "4.7.24";
		out->reply_text = "SPF: temporary DNS error; try again later";
	}
}

/* Our Authentication-Results value, one resinfo per DKIM signature. */
static void
write_ar(struct txn *t)
{
	size_t i, n = dkim_check_count(t->dkim);

	buf_reset(&t->ar);
	ar_begin(&t->ar, t->authserv_id);
	if (t->spf != NULL) {
		const struct spf_answer *a = spf_check_mailfrom(t->spf);
		const struct spf_answer *h = spf_check_helo(t->spf);
		const char *mf[] = { "smtp.mailfrom", spf_check_sender(t->spf),
		    NULL };
		const char *hp[] = { "smtp.helo", spf_check_helo_name(t->spf),
		    NULL };

		ar_add(&t->ar, "spf", spf_result_auth(a->result), a->reason, mf);
		if (h != NULL)
			ar_add(&t->ar, "spf", spf_result_auth(h->result),
			    h->reason, hp);
	}
	for (i = 0; i < n; i++) {
		const struct dkim_verdict *v = dkim_check_verdict(t->dkim, i);
		const char *props[] = { "header.d", v->domain, "header.s",
		    v->selector, "header.a", v->algorithm, "header.b", v->b,
		    NULL };

		ar_add(&t->ar, "dkim", v->result, v->reason, props);
	}
	if (n == 0)
		ar_add(&t->ar, "dkim", AUTH_NONE, "no signatures", NULL);
	if (t->dmarc_done) {
		const struct dmarc_verdict *v = &t->dmarc_v;
		const struct dmarc_policy *pol = dmarc_check_policy(t->dmarc);
		bool found = pol != NULL && pol->status == DMARC_POLICY_FOUND;
		/*
		 * RFC 9989's registrations for the dmarc method (section
		 * 11, IANA's Email Authentication Methods): polrec.p is the
		 * p= read from the record found (none where 4.10.1 reads
		 * the record as p=none), polrec.domain where it was found,
		 * given only when that is not the From domain.
		 */
		const char *props[] = { "header.from", t->from_domain,
		    "polrec.p", found ? dmarc_request_name(pol->rec.p) : NULL,
		    "polrec.domain", found && strcasecmp(pol->policy_domain,
		    t->from_domain) != 0 ? pol->policy_domain : NULL, NULL };
		char why[DMARC_REASON_MAX + 64];

		snprintf(why, sizeof(why), "p=%s dis=%s%s",
		    dmarc_request_name(v->policy),
		    dmarc_request_name(v->disposition),
		    v->testing ? " t=y" : "");
		ar_add(&t->ar, "dmarc", v->result, v->result == AUTH_NONE ||
		    v->result == AUTH_TEMPERROR || v->result == AUTH_PERMERROR ?
		    v->reason : why, props);
	}
	ar_end(&t->ar, true);
}

/*
 * One " key=value" of the log line. A value that is one word of printable
 * ASCII goes bare; any other value, and every one with quote set (free
 * text), goes in double quotes with \" and \\ escaped. Control bytes are
 * written as \xNN so that a message is always exactly one log line, even
 * when a value comes from the message, and so is every byte that is not
 * part of valid UTF-8 (RFC 3629), so the line stays valid text for syslog
 * and the journal. NULL writes nothing.
 */
static void
log_kv(struct buf *b, const char *key, const char *v, bool quote)
{
	const unsigned char *p, *end;

	if (v == NULL)
		return;
	for (p = (const unsigned char *)v; !quote && *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '"' || *p == '\\')
			quote = true;
	buf_printf(b, " %s=", key);
	if (!quote && *v != '\0') {
		buf_adds(b, v);
		return;
	}
	buf_addc(b, '"');
	end = (const unsigned char *)v + strlen(v);
	for (p = (const unsigned char *)v; p < end; p++) {
		uint32_t cp;
		size_t n;

		if (*p == '"' || *p == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)*p);
		} else if (*p < ' ' || *p == 0x7f)
			buf_printf(b, "\\x%02x", *p);
		else if (*p < 0x80)
			buf_addc(b, (char)*p);
		else if ((n = utf8_decode(p, (size_t)(end - p), &cp)) == 0)
			buf_printf(b, "\\x%02x", *p);
		else {
			buf_add(b, p, n);
			p += n - 1;
		}
	}
	buf_addc(b, '"');
}

/* Sign role: each signature made, or why there is none. */
static void
log_sign(struct txn *t)
{
	struct buf why = BUF_INIT;
	size_t i, n;

	n = t->signer != NULL ? dkim_signer_count(t->signer) : 0;
	for (i = 0; i < n; i++) {
		log_kv(&t->log, "dkim", "signed", false);
		log_kv(&t->log, "d", dkim_signer_domain(t->signer, i), false);
		log_kv(&t->log, "s", dkim_signer_selector(t->signer, i), false);
		log_kv(&t->log, "a", dkim_signer_alg(t->signer, i), false);
	}
	if (t->signer != NULL) {
		log_kv(&t->log, "why", buf_str(&t->why), true);
		return;
	}
	log_kv(&t->log, "dkim", "none", false);
	buf_printf(&why, "not signed: %s", buf_str(&t->why));
	log_kv(&t->log, "why", buf_str(&why), true);
	buf_free(&why);
}

/* Verify role: SPF, each DKIM signature, DMARC, each with its reason. */
static void
log_verify(struct txn *t)
{
	size_t i, n = t->dkim != NULL ? dkim_check_count(t->dkim) : 0;
	char num[32];

	if (t->spf != NULL) {
		const struct spf_answer *a = spf_check_mailfrom(t->spf);
		const struct spf_answer *h = spf_check_helo(t->spf);

		log_kv(&t->log, "spf", spf_result_name(a->result), false);
		log_kv(&t->log, "smtp.mailfrom", spf_check_sender(t->spf),
		    false);
		log_kv(&t->log, "spf_reason", a->reason, true);
		log_kv(&t->log, "spf_from", spf_check_upstream(t->spf), false);
		if (h != NULL)
			log_kv(&t->log, "spf_helo", spf_result_name(h->result),
			    false);
	}
	if (t->spf != NULL && spf_check_upstream(t->spf) == NULL &&
	    t->up_why != NULL) {
		log_kv(&t->log, "spf_upstream", t->up_id, false);
		log_kv(&t->log, "spf_upstream_unused", t->up_why, true);
	}
	if (n == 0)
		log_kv(&t->log, "dkim", "none", false);
	for (i = 0; i < n; i++) {
		const struct dkim_verdict *v = dkim_check_verdict(t->dkim, i);

		log_kv(&t->log, "dkim", auth_result_name(v->result), false);
		log_kv(&t->log, "d", v->domain, false);
		log_kv(&t->log, "s", v->selector, false);
		log_kv(&t->log, "a", v->algorithm, false);
		log_kv(&t->log, "dkim_reason", v->reason, true);
	}
	if (t->dkim != NULL && dkim_check_ignored(t->dkim) > 0) {
		snprintf(num, sizeof(num), "%zu", dkim_check_ignored(t->dkim));
		log_kv(&t->log, "dkim_ignored", num, false);
	}
	if (t->dmarc_done) {
		const struct dmarc_policy *pol = t->dmarc != NULL ?
		    dmarc_check_policy(t->dmarc) : NULL;

		log_kv(&t->log, "dmarc", auth_result_name(t->dmarc_v.result),
		    false);
		log_kv(&t->log, "header.from", t->from_domain, false);
		/*
		 * p= and dis= only from a policy record found: without one
		 * (none, or a temperror before it was read) "p=none" would
		 * name a policy nobody published; dmarc_reason says why.
		 */
		if (pol != NULL && pol->status == DMARC_POLICY_FOUND) {
			log_kv(&t->log, "p",
			    dmarc_request_name(t->dmarc_v.policy), false);
			log_kv(&t->log, "dis",
			    dmarc_request_name(t->dmarc_v.disposition), false);
		}
		log_kv(&t->log, "dmarc_reason", t->dmarc_v.reason, true);
	} else if (t->bad_from)
		log_kv(&t->log, "from_error", buf_str(&t->from_why), true);
}

static const char *
qid(const struct txn *t)
{
	return t->qid != NULL ? t->qid : "NOQUEUE";
}

/*
 * The one log line of a message (inkan-milter(8), LOGGING): queue id,
 * role, client, From domain, every result, the action and the reply.
 */
static void
log_line(struct txn *t, const struct txn_outcome *out)
{
	struct buf reply = BUF_INIT;
	char num[32];

	buf_reset(&t->log);
	buf_printf(&t->log, "%s:", qid(t));
	log_kv(&t->log, "role", t->role == TXN_ROLE_SIGN ? "sign" :
	    t->role == TXN_ROLE_VERIFY ? "verify" : "none", false);
	log_kv(&t->log, "client", t->client_ip != NULL ? t->client_ip :
	    "unknown", false);
	log_kv(&t->log, "helo", t->helo, false);
	if (t->from_domain[0] != '\0')
		log_kv(&t->log, "from", t->from_domain, false);
	if (!t->failed && t->role == TXN_ROLE_SIGN)
		log_sign(t);
	else if (!t->failed && t->role == TXN_ROLE_VERIFY)
		log_verify(t);
	log_kv(&t->log, "action", txn_action_name(out->action), false);
	if (out->reply_code != NULL) {
		buf_printf(&reply, "%s %s %s", out->reply_code,
		    out->reply_xcode != NULL ? out->reply_xcode : "",
		    out->reply_text != NULL ? out->reply_text : "");
		log_kv(&t->log, "reply", buf_str(&reply), true);
		buf_free(&reply);
	} else if (out->action == TXN_QUARANTINE)
		log_kv(&t->log, "quarantine", out->reply_text, true);
	if (!t->failed && t->nforged > 0) {
		snprintf(num, sizeof(num), "%zu", t->nforged);
		log_kv(&t->log, "forged_ar_removed", num, false);
	}
	if (t->failed)
		log_kv(&t->log, "error", t->err.msg, true);
}

/* The message's share of the metrics (metrics.h); actions are glue's. */
static void
count(struct txn *t)
{
	size_t i, n;

	metrics_message(t->role);
	if (t->failed)
		return;
	if (t->role == TXN_ROLE_SIGN) {
		if (t->signer == NULL)
			metrics_unsigned();
		for (i = 0; t->signer != NULL &&
		    i < dkim_signer_count(t->signer); i++)
			metrics_signature(dkim_signer_alg(t->signer, i));
		return;
	}
	n = t->dkim != NULL ? dkim_check_count(t->dkim) : 0;
	if (t->dkim != NULL && n == 0)
		metrics_dkim(AUTH_NONE);
	for (i = 0; i < n; i++)
		metrics_dkim(dkim_check_verdict(t->dkim, i)->result);
	if (t->spf != NULL)
		metrics_spf(spf_check_mailfrom(t->spf)->result);
	if (t->dmarc_done)
		metrics_dmarc(t->dmarc_v.result);
}

static void
tempfail(struct txn_outcome *out)
{
	out->action = TXN_TEMPFAIL;
	out->reply_code = "451";
	out->reply_xcode = "4.3.0";
	out->reply_text = "Temporary authentication failure; try again later";
}

/*
 * More fields claim our authserv-id than we will have the MTA delete
 * (TXN_MAX_FORGED_AR): delivering the message would leave forgeries in
 * it, so it is refused; a retry would carry the same header, hence a
 * permanent reply. RFC 3463 X.7.0 (other security status): the message is
 * refused for what it claims about authentication, not for its size.
 */
static void
refuse_forged(struct txn *t, struct txn_outcome *out)
{
	buf_reset(&t->reply);
	buf_printf(&t->reply, "More than %d Authentication-Results header "
	    "fields claim to be from %s; message refused", TXN_MAX_FORGED_AR,
	    t->authserv_id);
	out->action = TXN_REJECT;
	out->reply_code = "550";
	out->reply_xcode = "5.7.0";
	out->reply_text = buf_failed(&t->reply) ? "Too many forged "
	    "Authentication-Results header fields" : buf_str(&t->reply);
}

const char *
txn_action_name(enum txn_action a)
{
	static const char *const names[] = { "accept", "reject", "tempfail",
	    "quarantine", "discard" };

	return (size_t)a < sizeof(names) / sizeof(names[0]) ? names[a] : "?";
}

int
txn_eom(struct txn *t, struct txn_outcome *out)
{
	struct timespec t0;
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(out, 0, sizeof(*out));
	out->action = TXN_ACCEPT;
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
	if (!t->failed && t->nforged > 0 && !t->forged_over) {
		out->delete_name = AR_FIELD;
		out->delete_idx = t->ar_forged;
		out->ndelete = t->nforged;
	}
	if (t->failed) {
		tempfail(out);
	} else if (t->forged_over) {
		refuse_forged(t, out);
	} else if (t->signer != NULL) {
		for (i = 0; i < dkim_signer_count(t->signer) &&
		    i < TXN_MAX_ADDED; i++) {
			out->added[out->nadded].name = DKIM_SIGNATURE_FIELD;
			out->added[out->nadded].value =
			    dkim_signer_value(t->signer, i);
			out->nadded++;
		}
	} else if (t->role != TXN_ROLE_SIGN) {
		write_ar(t);
		out->added[out->nadded].name = AR_FIELD;
		out->added[out->nadded].value = buf_str(&t->ar);
		out->nadded++;
		/* RFC 7208 9.1: the receiver that checked adds it; a relay
		 * whose result we took did its own */
		if (t->spf != NULL && t->cfg->received_spf &&
		    spf_check_upstream(t->spf) == NULL) {
			spf_check_received(t->spf, &t->received_spf);
			out->added[out->nadded].name = "Received-SPF";
			out->added[out->nadded].value = buf_str(&t->received_spf);
			out->nadded++;
		}
		spf_policy(t, out);
		if (out->action == TXN_ACCEPT)
			author_policy(t, out);
		/* a tempfailed message is counted when it is retried */
		if (t->dmarc_done && out->action != TXN_TEMPFAIL)
			record_report(t);
	}
	log_line(t, out);
	out->log_line = buf_str(&t->log);
	count(t);
	metrics_eom_usec(dns_usec_since(&t0));
	return t->failed ? -1 : 0;
}

void
txn_json_dkim(const struct txn *t, struct buf *out)
{
	size_t i, n = t->dkim != NULL ? dkim_check_count(t->dkim) : 0;

	buf_addc(out, '[');
	for (i = 0; i < n; i++) {
		const struct dkim_verdict *v = dkim_check_verdict(t->dkim, i);

		buf_adds(out, i == 0 ? "{\"result\": " : ", {\"result\": ");
		json_str(out, auth_result_name(v->result));
		buf_adds(out, ", \"domain\": ");
		json_str(out, v->domain);
		buf_adds(out, ", \"selector\": ");
		json_str(out, v->selector);
		buf_adds(out, ", \"algorithm\": ");
		json_str(out, v->algorithm);
		buf_adds(out, ", \"b\": ");
		json_str(out, v->b);
		buf_adds(out, ", \"reason\": ");
		json_str(out, v->reason);
		if (v->l_present)
			buf_printf(out, ", \"l\": %llu, \"body_length\": %llu",
			    (unsigned long long)v->l,
			    (unsigned long long)v->body_len);
		if (v->testing)
			buf_adds(out, ", \"testing\": true");
		buf_addc(out, '}');
	}
	buf_addc(out, ']');
}

static void
json_spf(struct buf *out, const struct spf_answer *a, const char *domain)
{
	if (a == NULL) {
		buf_adds(out, "null");
		return;
	}
	buf_adds(out, "{\"result\": ");
	json_str(out, spf_result_name(a->result));
	buf_adds(out, ", \"domain\": ");
	json_str(out, domain);
	buf_adds(out, ", \"explanation\": ");
	json_str(out, a->explanation);
	buf_adds(out, ", \"reason\": ");
	json_str(out, a->reason);
	buf_adds(out, ", \"mechanism\": ");
	json_str(out, a->mechanism[0] != '\0' ? a->mechanism : NULL);
	buf_addc(out, '}');
}

void
txn_json_spf(const struct txn *t, struct buf *out, bool helo)
{
	if (t->spf == NULL)
		buf_adds(out, "null");
	else if (helo)
		json_spf(out, spf_check_helo(t->spf),
		    spf_check_helo_name(t->spf));
	else
		json_spf(out, spf_check_mailfrom(t->spf),
		    spf_check_domain(t->spf));
}

void
txn_json_dmarc(const struct txn *t, struct buf *out)
{
	if (!t->dmarc_done) {
		buf_adds(out, "null");
		return;
	}
	buf_adds(out, "{\"result\": ");
	json_str(out, auth_result_name(t->dmarc_v.result));
	buf_adds(out, ", \"header_from\": ");
	json_str(out, t->from_domain);
	buf_adds(out, ", \"policy\": ");
	json_str(out, dmarc_request_name(t->dmarc_v.policy));
	buf_adds(out, ", \"disposition\": ");
	json_str(out, dmarc_request_name(t->dmarc_v.disposition));
	buf_adds(out, ", \"policy_tag\": ");
	json_str(out, dmarc_policy_tag_name(t->dmarc_v.tag));
	buf_adds(out, ", \"policy_domain\": ");
	json_str(out, t->dmarc != NULL ?
	    dmarc_check_policy(t->dmarc)->policy_domain : "");
	buf_printf(out, ", \"testing\": %s, \"spf_aligned\": %s, "
	    "\"dkim_aligned\": %s, \"reason\": ",
	    t->dmarc_v.testing ? "true" : "false",
	    t->dmarc_v.spf_aligned ? "true" : "false",
	    t->dmarc_v.dkim_aligned ? "true" : "false");
	json_str(out, t->dmarc_v.reason);
	buf_addc(out, '}');
}

void
txn_json_dns(const struct txn *t, struct buf *out)
{
	buf_printf(out, "{\"queries\": %zu, \"max_in_flight\": %zu}",
	    t->dkim != NULL ? dkim_check_queries(t->dkim) : 0,
	    t->dkim != NULL ? dkim_check_max_in_flight(t->dkim) : 0);
}

void
txn_json_signed(const struct txn *t, struct buf *out)
{
	size_t i;

	buf_addc(out, '[');
	for (i = 0; t->signer != NULL && i < dkim_signer_count(t->signer); i++) {
		buf_adds(out, i == 0 ? "{\"domain\": " : ", {\"domain\": ");
		json_str(out, dkim_signer_domain(t->signer, i));
		buf_adds(out, ", \"selector\": ");
		json_str(out, dkim_signer_selector(t->signer, i));
		buf_adds(out, ", \"algorithm\": ");
		json_str(out, dkim_signer_alg(t->signer, i));
		buf_addc(out, '}');
	}
	buf_addc(out, ']');
}
