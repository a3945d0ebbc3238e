/* SPDX-License-Identifier: ISC */
/*
 * policy.c - from results and settings to the action and reply (see
 * policy.h).
 */
#include <string.h>
#include <strings.h>

#include "ar.h"
#include "cidr.h"
#include "policy.h"
#include "strlist.h"

enum txn_role
policy_role(const struct config *c, const char *auth_user,
    const char *client_ip, const char *daemon_name, struct buf *why)
{
	buf_reset(why);
	if (auth_user != NULL && *auth_user != '\0') {
		buf_printf(why, "sender authenticated as %s", auth_user);
		return TXN_ROLE_SIGN;
	}
	if (cidr_list_match(&c->internal_hosts, client_ip)) {
		buf_printf(why, "internal host %s", client_ip);
		return TXN_ROLE_SIGN;
	}
	if (daemon_name != NULL && strlist_has(&c->sign_daemons, daemon_name)) {
		buf_printf(why, "service %s", daemon_name);
		return TXN_ROLE_SIGN;
	}
	buf_printf(why, "client %s is not internal and not authenticated",
	    client_ip != NULL ? client_ip : "(unknown)");
	return TXN_ROLE_VERIFY;
}

static void
reply(struct policy_decision *d, enum txn_action a, const char *code,
    const char *xcode)
{
	d->action = a;
	d->reply_code = code;
	d->reply_xcode = xcode;
	d->reply_text = buf_str(&d->reply);
}

/* a and b (len bytes of b) name the same domain: any case, a final dot */
static bool
same_domain(const char *a, const char *b, size_t len)
{
	size_t alen = strlen(a);

	if (alen > 0 && a[alen - 1] == '.')
		alen--;
	if (len > 0 && b[len - 1] == '.')
		len--;
	return alen > 0 && alen == len && strncasecmp(a, b, len) == 0;
}

/*
 * Is id (len bytes: a domain, or an address whose domain is taken) aligned
 * with the From domain? Strict: the From domain itself (RFC 9989 4.4.1).
 * Relaxed: the same Organizational Domain. That is decided here from what
 * the results hold, with no DNS (policy is pure): the Organizational
 * Domain of the From domain that DMARC discovery found, and id equal to it
 * or below it. A name below it whose own Organizational Domain would be
 * deeper (a PSD boundary inside a registered domain) is not looked for:
 * the sealer that recorded the result is one the admin trusts, and the
 * domain it names lies within the same registration as the author's.
 * Without a known Organizational Domain only the strict match counts.
 */
static bool
aligned(const struct results *r, const char *id, size_t len, bool strict)
{
	const char *at = memchr(id, '@', len), *org = r->policy->org_domain;
	size_t olen = strlen(org);

	if (at != NULL) {
		len -= (size_t)(at + 1 - id);
		id = at + 1;
		while ((at = memchr(id, '@', len)) != NULL) {
			len -= (size_t)(at + 1 - id);
			id = at + 1;
		}
	}
	if (same_domain(r->from_domain, id, len))
		return true;
	if (strict || olen == 0)
		return false;
	if (olen > 0 && org[olen - 1] == '.')
		olen--;
	if (same_domain(org, id, len))
		return true;
	return len > olen + 1 && id[len - olen - 1] == '.' &&
	    same_domain(org, id + len - olen, olen);
}

/* A resinfo's property value (bare), as (pointer, length), or false. */
static bool
prop(const struct ar_resinfo *ri, const char *ptype, const char *name,
    const char **v, size_t *len)
{
	const struct ar_view *pv = ar_resinfo_prop(ri, ptype, name);

	if (pv == NULL || pv->len == 0)
		return false;
	*v = pv->p;
	*len = pv->len;
	return true;
}

/*
 * What the AAR of Set in records that vouches for the author (RFC 8617
 * 7.2: a receiver may use the results a sealer it trusts recorded): a
 * dmarc=pass for the From domain, or an spf=pass (smtp.mailfrom) or
 * dkim=pass (header.d, else header.i) aligned with it as the DMARC record
 * asks (aspf, adkim). The method word, or NULL.
 */
static const char *
aar_vouches(const struct results *r, const struct arc_instance *in)
{
	struct ar_results rs;
	const struct ar_resinfo *ri;
	const struct dmarc_record *rec = &r->policy->rec;
	const char *v;
	size_t from, len;

	if (in->aar == NULL || ar_read_results(in->aar, in->aar_len, &rs) == -1)
		return NULL;
	for (from = 0; (ri = ar_results_find(&rs, "dmarc", AUTH_PASS,
	    &from)) != NULL;)
		if (prop(ri, "header", "from", &v, &len) &&
		    same_domain(r->from_domain, v, len))
			return "dmarc=pass";
	for (from = 0; (ri = ar_results_find(&rs, "spf", AUTH_PASS,
	    &from)) != NULL;)
		if (prop(ri, "smtp", "mailfrom", &v, &len) &&
		    aligned(r, v, len, rec->aspf == DMARC_ALIGN_STRICT))
			return "spf=pass";
	for (from = 0; (ri = ar_results_find(&rs, "dkim", AUTH_PASS,
	    &from)) != NULL;)
		if ((prop(ri, "header", "d", &v, &len) ||
		    prop(ri, "header", "i", &v, &len)) &&
		    aligned(r, v, len, rec->adkim == DMARC_ALIGN_STRICT))
			return "dkim=pass";
	return NULL;
}

/*
 * arc_trusted_sealers: the chain passes and the newest Set sealed by a
 * trusted domain (the AS d=) vouches for the author (aar_vouches). Only
 * that Set counts: an older one, even trusted, saw the message before a
 * hop the newer trusted sealer knows better. why gets the words for the
 * A-R comment, the log line and the report. RFC 8617 7.2.1 leaves this
 * to local policy; a failed chain or an untrusted sealer changes nothing.
 */
static bool
arc_trusted(const struct results *r, const struct config *c, struct buf *why)
{
	const char *what;
	unsigned k;

	if (r->arc == NULL || r->arc->result != AUTH_PASS || r->policy == NULL ||
	    c->arc_trusted_sealers.n == 0)
		return false;
	for (k = r->narc; k >= 1; k--) {
		const struct arc_instance *in = r->arc_set[k - 1];

		if (in->domain[0] == '\0' ||
		    !strlist_has(&c->arc_trusted_sealers, in->domain))
			continue;
		if ((what = aar_vouches(r, in)) == NULL)
			return false;
		buf_printf(why, "arc trusted sealer %s %s", in->domain, what);
		return !buf_failed(why);
	}
	return false;
}

/*
 * What is done with a message that failed DMARC, after local policy: the
 * disposition the Domain Owner asks for (t=y already lowered it, RFC 9989
 * 4.7) unless dmarc_enforce = no or dmarc_never_reject spares the domain
 * (none), or a reject is held instead (quarantine) because the client is
 * a trusted forwarder or dmarc_reject_action = quarantine; a message a
 * trusted ARC sealer vouches for is delivered (none). *why names the
 * override as the aggregate report's PolicyOverrideType (RFC 9990 2.1.5),
 * or is NULL when the Domain Owner's disposition stands; d->arc_override
 * says which sealer.
 */
static enum dmarc_request
applied_disposition(const struct results *r, const struct config *c,
    const char **why, struct policy_decision *d)
{
	const struct dmarc_verdict *v = r->dmarc;

	*why = NULL;
	if (v == NULL || v->result != AUTH_FAIL)
		return DMARC_REQ_NONE;
	if (v->testing)
		*why = "policy_test_mode";
	if (v->disposition == DMARC_REQ_NONE)
		return DMARC_REQ_NONE;
	if (!c->dmarc_enforce ||
	    strlist_has(&c->dmarc_never_reject, r->from_domain)) {
		*why = "local_policy";
		return DMARC_REQ_NONE;
	}
	if (arc_trusted(r, c, &d->arc)) {
		*why = "trusted_forwarder";
		d->arc_override = buf_str(&d->arc);
		return DMARC_REQ_NONE;
	}
	if (v->disposition != DMARC_REQ_REJECT)
		return v->disposition;
	if (cidr_list_match(&c->dmarc_trusted_forwarders, r->client_ip)) {
		*why = "trusted_forwarder";
		return DMARC_REQ_QUARANTINE;
	}
	if (c->reject_action != CONFIG_REJECT_REJECT) {
		*why = "local_policy";
		return DMARC_REQ_QUARANTINE;
	}
	return DMARC_REQ_REJECT;
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
author_policy(const struct results *r, const struct config *c,
    struct policy_decision *d)
{
	const struct dmarc_verdict *v = r->dmarc;

	if (r->bad_from && c->from_reject) {
		buf_printf(&d->reply, "Message must have exactly one author "
		    "address in From: %s", r->from_why);
		reply(d, TXN_REJECT, "550", "5.7.1");
		return;
	}
	if (v == NULL || !c->dmarc_enforce)
		return;
	/*
	 * DMARC could not be evaluated (the policy, an aligned identifier,
	 * an Organizational Domain or the existence test met a DNS error):
	 * the sender retries, never a silent pass and never the policy
	 * (dmarc_evaluate()). The reason is in the log line and A-R, not
	 * here: it may hold a d= from the message.
	 */
	if (v->result == AUTH_TEMPERROR && c->dmarc_tempfail_on_temperror) {
		buf_printf(&d->reply, "Temporary DNS failure evaluating the "
		    "DMARC policy of %s; try again later", r->from_domain);
		reply(d, TXN_TEMPFAIL, "451", "4.7.1");
		return;
	}
	if (d->applied == DMARC_REQ_NONE)
		return;
	if (d->applied == DMARC_REQ_REJECT) {
		buf_printf(&d->reply, "Rejected by the DMARC policy of %s (%s)",
		    r->from_domain, v->reason);
		reply(d, TXN_REJECT, "550", "5.7.1");
		return;
	}
	/* quarantine, a reject turned quarantine by local policy */
	buf_printf(&d->reply, "DMARC policy of %s: quarantine", r->from_domain);
	if (c->quarantine_action == CONFIG_QUARANTINE_HEADER) {
		buf_printf(&d->header, " %s (dmarc=fail header.from=%s)",
		    dmarc_request_name(v->policy), r->from_domain);
		d->quarantine_header = buf_str(&d->header);
		return;
	}
	d->action = TXN_QUARANTINE;
	d->reply_text = buf_str(&d->reply);
}

/*
 * What SPF alone decides, when the admin asked for it: by default nothing
 * (DMARC uses the result). RFC 7372: 5.7.23 SPF validation failed, 4.7.24
 * SPF validation error (temporary).
 */
static void
spf_policy(const struct results *r, const struct config *c,
    struct policy_decision *d)
{
	const struct spf_answer *a = r->spf_mf;

	if (a == NULL)
		return;
	if (a->result == SPF_FAIL && c->spf_reject_fail) {
		if (a->explanation != NULL)
			buf_printf(&d->reply, "SPF: %s", a->explanation);
		else if (r->spf_upstream != NULL)
			buf_printf(&d->reply, "SPF (checked by %s): the sending "
			    "host is not allowed to send mail from %s",
			    r->spf_upstream, r->spf_domain);
		else
			buf_printf(&d->reply, "SPF: %s is not allowed to send "
			    "mail from %s", r->client_ip != NULL ? r->client_ip :
			    "this host", r->spf_domain);
		reply(d, TXN_REJECT, "550", "5.7.23");
	} else if (a->result == SPF_TEMPERROR && c->spf_tempfail_on_temperror) {
		d->action = TXN_TEMPFAIL;
		d->reply_code = "451";
		d->reply_xcode = "4.7.24";
		d->reply_text = "SPF: temporary DNS error; try again later";
	}
}

/*
 * More fields claim our authserv-id than we will have the MTA delete
 * (TXN_MAX_FORGED_AR): delivering the message would leave forgeries in
 * it, so it is refused; a retry would carry the same header, hence a
 * permanent reply. RFC 3463 X.7.0 (other security status): the message is
 * refused for what it claims about authentication, not for its size.
 */
static void
refuse_forged(const struct results *r, struct policy_decision *d)
{
	buf_printf(&d->reply, "More than %d Authentication-Results header "
	    "fields claim to be from %s; message refused", TXN_MAX_FORGED_AR,
	    r->authserv_id);
	reply(d, TXN_REJECT, "550", "5.7.0");
	if (buf_failed(&d->reply))
		d->reply_text = "Too many forged Authentication-Results "
		    "header fields";
}

void
policy_decide(const struct results *r, const struct config *c,
    struct policy_decision *d)
{
	buf_reset(&d->reply);
	buf_reset(&d->header);
	buf_reset(&d->arc);
	d->arc_override = NULL;
	d->action = TXN_ACCEPT;
	d->reply_code = d->reply_xcode = d->reply_text = NULL;
	d->quarantine_header = NULL;
	d->applied = applied_disposition(r, c, &d->override, d);
	if (r->failed) {
		d->action = TXN_TEMPFAIL;
		d->reply_code = "451";
		d->reply_xcode = "4.3.0";
		d->reply_text = "Temporary authentication failure; try again "
		    "later";
	} else if (r->forged_over)
		refuse_forged(r, d);
	else if (r->role == TXN_ROLE_VERIFY) {
		spf_policy(r, c, d);
		if (d->action == TXN_ACCEPT)
			author_policy(r, c, d);
	}
}

void
policy_decision_free(struct policy_decision *d)
{
	buf_free(&d->reply);
	buf_free(&d->header);
	buf_free(&d->arc);
}
