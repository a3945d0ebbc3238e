/* SPDX-License-Identifier: ISC */
/*
 * check_dmarc.c - the DMARC part of `inkan-keys check`: the policy record
 * that applies to the domain, found as receivers find it (the core's
 * dmarc_discover(), RFC 9989's DNS tree walk: _dmarc.<domain>, then the
 * organizational domain's record, then a public suffix's), whether it is
 * valid (the core's dmarc_record_parse()), the policy in words, rua=
 * present, and for report addresses outside the organizational domain
 * (found by the same tree walk) the authorization record
 * <domain>._report._dmarc.<rua domain> (RFC 9989 / RFC 7489 section 7.1)
 * without which reports are not sent.
 * The core's queries do not pass through check_lookup(), so they do not
 * count for the DNSSEC line; the authorization and duplicate-record
 * lookups made here do.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "check.h"
#include "dmarc.h"
#include "dmarc_record.h"
#include "err.h"
#include "i18n.h"
#include "orgdomain.h"

/* The whole discovery (up to eight queries, plus one A query). */
#define DMARC_CHECK_SECONDS	30

static void
deadline(struct timespec *dl)
{
	clock_gettime(CLOCK_MONOTONIC, dl);
	dl->tv_sec += DMARC_CHECK_SECONDS;
}

/* Is this TXT record a DMARC record (v=DMARC1 first)? */
static bool
is_dmarc(const char *txt, size_t len)
{
	struct dmarc_record rec;
	const char *why;

	return dmarc_record_parse(txt, len, &rec, &why) !=
	    DMARC_RECORD_NOT_DMARC;
}

static const char *
policy_words(enum dmarc_request p)
{
	switch (p) {
	case DMARC_REQ_NONE:
		return _("receivers only report; nothing is rejected or sent "
		    "to spam. Once the reports show all your mail passes, move "
		    "to p=quarantine");
	case DMARC_REQ_QUARANTINE:
		return _("receivers put mail that fails DMARC in the spam "
		    "folder");
	case DMARC_REQ_REJECT:
		return _("receivers refuse mail that fails DMARC");
	}
	return "";
}

/* One rua= destination: external ones must have agreed (7.1). */
static void
check_rua_uri(struct check *c, const struct dmarc_policy *pol,
    const struct taglist_view *u)
{
	char dom[DNS_NAME_MAX + 1], name[2 * DNS_NAME_MAX + 32];
	const char *policy_dom = pol->policy_domain;
	struct dmarc_orgdomain org;
	struct dns_result r;
	struct timespec dl;
	struct err e;
	const char *at;
	size_t i, dlen, n = 0;

	if (u->len < 7 || strncasecmp(u->p, "mailto:", 7) != 0) {
		check_say(c, CHECK_WARN, "DMARC: report address \"%.*s\" is "
		    "not a mailto: address; receivers send reports by mail "
		    "only. Use rua=mailto:address", (int)u->len, u->p);
		return;
	}
	if ((at = memchr(u->p, '@', u->len)) == NULL) {
		check_say(c, CHECK_FAIL, "DMARC: report address \"%.*s\" has "
		    "no @domain; no reports can be sent. Fix the address",
		    (int)u->len, u->p);
		return;
	}
	at++;
	/* a size limit may follow: mailto:a@example.net!10m */
	for (dlen = 0; at + dlen < u->p + u->len && at[dlen] != '!'; dlen++)
		;
	if (dlen == 0 || dlen >= sizeof(dom)) {
		check_say(c, CHECK_FAIL, "DMARC: report address \"%.*s\" has "
		    "no valid domain; fix it", (int)u->len, u->p);
		return;
	}
	memcpy(dom, at, dlen);
	dom[dlen] = '\0';
	/* the same organizational domain needs no authorization (7.1) */
	deadline(&dl);
	if (dmarc_orgdomain_lookup(c->res, dom, DMARC_DISCOVERY_TREEWALK,
	    NULL, &dl, &org, &e) == -1) {
		check_say(c, CHECK_FAIL, "DMARC: cannot look up the "
		    "organizational domain of %s: %s", dom, e.msg);
		return;
	}
	if (org.temperror) {
		check_say(c, CHECK_FAIL, "DMARC: the DMARC lookups for %s "
		    "failed, so receivers cannot tell whether reports to %.*s "
		    "are allowed; check the DNS servers of %s", dom,
		    (int)u->len, u->p, dom);
		return;
	}
	if (org.domain[0] != '\0' && pol->org_domain[0] != '\0' &&
	    strcmp(org.domain, pol->org_domain) == 0) {
		check_say(c, CHECK_OK, "DMARC: reports go to %.*s", (int)u->len,
		    u->p);
		return;
	}
	snprintf(name, sizeof(name), "%s._report._dmarc.%s", policy_dom, dom);
	dns_result_init(&r);
	if (!dns_name_valid(name, strlen(name))) {
		check_say(c, CHECK_FAIL, "DMARC: the authorization name %s is "
		    "too long for DNS; reports to %s cannot be authorised",
		    name, dom);
		return;
	}
	if (check_lookup(c, name, DNS_TXT, &r) == -1)
		return;
	for (i = 0; r.status == DNS_OK && i < r.n; i++)
		if (is_dmarc(CHECK_TXT(&r, i), r.rr[i].len))
			n++;
	if (n > 0)
		check_say(c, CHECK_OK, "DMARC: reports go to %.*s, and %s has "
		    "agreed to receive them (%s)", (int)u->len, u->p, dom,
		    name);
	else if (r.status == DNS_OK || r.status == DNS_NXDOMAIN ||
	    r.status == DNS_NODATA)
		check_say(c, CHECK_FAIL, "DMARC: reports to %.*s are not sent: "
		    "%s is another domain and has not agreed to receive "
		    "reports for %s. Whoever runs %s must publish "
		    "\"%s. IN TXT \\\"v=DMARC1\\\"\" (or use an address at %s)",
		    (int)u->len, u->p, dom, policy_dom, dom, name,
		    pol->org_domain[0] != '\0' ? pol->org_domain : policy_dom);
	else
		check_say(c, CHECK_FAIL, "DMARC: the lookup of %s failed: %s; "
		    "receivers then send no reports to %s", name,
		    check_status_words(r.status), dom);
	dns_result_free(&r);
}

static void
check_record(struct check *c, const struct dmarc_policy *pol)
{
	const struct dmarc_record *m = &pol->rec;
	const char *policy_dom = pol->policy_domain;
	size_t i;

	if (pol->status == DMARC_POLICY_INVALID) {
		check_say(c, CHECK_FAIL, "DMARC: the record at _dmarc.%s is "
		    "invalid: p=, sp= and np= must each be none, quarantine "
		    "or reject. Receivers ignore it, as if there were none. "
		    "Fix it, e.g. \"v=DMARC1; p=none; "
		    "rua=mailto:dmarc-reports@%s\"", policy_dom, policy_dom);
		return;
	}
	if (m->p_forced_none)
		check_say(c, CHECK_FAIL, "DMARC: the record at _dmarc.%s is "
		    "invalid: p=, sp= and np= must each be none, quarantine "
		    "or reject. Because it has a report address, receivers "
		    "read it as p=none: nothing is rejected or sent to spam. "
		    "Fix it, e.g. \"v=DMARC1; p=none; "
		    "rua=mailto:dmarc-reports@%s\"", policy_dom, policy_dom);
	else {
		check_say(c, CHECK_OK, "DMARC: %s=%s%s%s: %s%s",
		    dmarc_policy_tag_name(pol->tag),
		    dmarc_request_name(pol->request),
		    pol->tag != DMARC_TAG_P ? _(", set by ") : "",
		    pol->tag != DMARC_TAG_P ? policy_dom : "",
		    policy_words(pol->request), m->t ?
		    _(" (t=y: testing, receivers apply one step less: "
		    "quarantine becomes none, reject becomes quarantine)") : "");
		if (pol->tag == DMARC_TAG_NP)
			check_more(c, "%s does not exist in DNS, so np= "
			    "applies", pol->author_domain);
		if (!m->p_present)
			check_say(c, CHECK_WARN, "DMARC: the record has no "
			    "p= (the policy), so receivers read it as p=none. "
			    "Add \"p=none\" (or quarantine, reject) after "
			    "v=DMARC1");
	}
	if (pol->tag == DMARC_TAG_P && m->sp_present && m->sp != m->p)
		check_more(c, "subdomains of %s: sp=%s: %s", policy_dom,
		    dmarc_request_name(m->sp), policy_words(m->sp));
	if (m->ignored != NULL)
		check_say(c, CHECK_WARN, "DMARC: part of the record at "
		    "_dmarc.%s is ignored (%s); receivers use the default "
		    "instead. Correct or remove it", policy_dom, m->ignored);
	if (m->removed & DMARC_REMOVED_PCT) {
		if (m->pct >= 0)
			check_say(c, CHECK_WARN, "DMARC: pct=%d is obsolete: "
			    "receivers following RFC 9989 ignore it and apply "
			    "the policy to all mail. Remove it; use t=y to "
			    "apply the policy gently", m->pct);
		else
			check_say(c, CHECK_WARN, "DMARC: pct= is obsolete "
			    "(and its value is not a number from 0 to 100): "
			    "receivers following RFC 9989 ignore it. Remove "
			    "it; use t=y to apply the policy gently");
	}
	if (m->nrua == 0) {
		check_say(c, CHECK_WARN, "DMARC: no %srua= report address, so "
		    "you never learn who sends mail as %s or whether it "
		    "passes. Add \"rua=mailto:dmarc-reports@%s\" to the "
		    "record", m->nrua_dropped > 0 ? _("usable ") : "",
		    policy_dom, policy_dom);
		return;
	}
	for (i = 0; i < m->nrua; i++)
		if (m->rua[i].len > 0)
			check_rua_uri(c, pol, &m->rua[i]);
	if (m->nrua_dropped > 0)
		check_say(c, CHECK_WARN, "DMARC: %zu more report addresses in "
		    "rua= are not used; keep at most %d", m->nrua_dropped,
		    DMARC_RECORD_MAX_URIS);
}

/*
 * No record applies: say whether a name holds several DMARC records
 * (receivers then ignore them all) rather than none.
 */
static bool
several(struct check *c, const char *d)
{
	char name[DNS_NAME_MAX + 8];
	struct dns_result r;
	size_t i, n = 0;

	snprintf(name, sizeof(name), "_dmarc.%s", d);
	dns_result_init(&r);
	if (check_lookup(c, name, DNS_TXT, &r) == -1)
		return true;
	for (i = 0; r.status == DNS_OK && i < r.n; i++)
		if (is_dmarc(CHECK_TXT(&r, i), r.rr[i].len))
			n++;
	dns_result_free(&r);
	if (n > 1)
		check_say(c, CHECK_FAIL, "DMARC: %zu DMARC records at %s; "
		    "receivers ignore them all, as if there were none. Keep "
		    "exactly one", n, name);
	return n > 1;
}

void
check_dmarc(struct check *c)
{
	struct dmarc_policy pol;
	struct timespec dl;
	struct err e;

	deadline(&dl);
	if (dmarc_discover(c->res, c->domain, DMARC_DISCOVERY_TREEWALK, NULL,
	    &dl, &pol, &e) == -1) {
		check_say(c, CHECK_FAIL, "DMARC: cannot look up the DMARC "
		    "record of %s: %s", c->domain, e.msg);
		dmarc_policy_free(&pol);
		return;
	}
	switch (pol.status) {
	case DMARC_POLICY_BADDOMAIN:
		check_say(c, CHECK_FAIL, "DMARC: %s is not a DNS name",
		    c->domain);
		break;
	case DMARC_POLICY_TEMPERROR:
		check_say(c, CHECK_FAIL, "DMARC: the lookup failed (%s). "
		    "Receivers then apply no policy and may defer mail; check "
		    "the DNS servers of %s", pol.reason, c->domain);
		break;
	case DMARC_POLICY_NONE:
		if (several(c, pol.author_domain) ||
		    (pol.org_domain[0] != '\0' &&
		    strcmp(pol.org_domain, pol.author_domain) != 0 &&
		    several(c, pol.org_domain)))
			break;
		check_say(c, CHECK_FAIL, "DMARC: no record at _dmarc.%s%s, "
		    "so receivers apply no policy and send no reports; big "
		    "mailbox providers want one from bulk senders. Publish "
		    "\"_dmarc.%s. IN TXT \\\"v=DMARC1; p=none; "
		    "rua=mailto:dmarc-reports@%s\\\"\"", c->domain,
		    orgdomain_labels(pol.author_domain) > 2 ?
		    " or a parent name" : "", c->domain, c->domain);
		break;
	case DMARC_POLICY_FOUND:
	case DMARC_POLICY_INVALID:
		if (strcmp(pol.policy_domain, pol.author_domain) != 0)
			check_say(c, CHECK_OK, "DMARC: no record at _dmarc.%s; "
			    "the record at _dmarc.%s applies: \"%.*s\"",
			    c->domain, pol.policy_domain, (int)pol.len,
			    pol.text);
		else
			check_say(c, CHECK_OK, "DMARC: record at _dmarc.%s: "
			    "\"%.*s\"", pol.policy_domain, (int)pol.len,
			    pol.text);
		if (pol.org_domain[0] != '\0' &&
		    strcmp(pol.org_domain, pol.author_domain) != 0)
			check_more(c, "the organizational domain of %s is %s",
			    pol.author_domain, pol.org_domain);
		check_record(c, &pol);
		break;
	}
	dmarc_policy_free(&pol);
}
