/* SPDX-License-Identifier: ISC */
/*
 * check_dmarc.c - the DMARC part of `inkan-keys check`: the policy record
 * at _dmarc.<domain> or, failing that, at a parent name (a simple stand-in
 * for RFC 9989's tree walk: parents up to the second-level name), whether
 * it is valid (dmarc_min.c, to be replaced by the core's DMARC parser),
 * the policy in words, rua= present, and for report addresses outside the
 * domain the authorization record <domain>._report._dmarc.<rua domain>
 * (RFC 9989 / RFC 7489 section 7.1) without which reports are not sent.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "dmarc_min.h"

/*
 * The organizational domain, for now the last two labels. The core's
 * organizational-domain module (DNS tree walk or Public Suffix List) will
 * replace this; it is wrong for names under suffixes like co.uk.
 */
static const char *
org_domain(const char *d)
{
	const char *last = NULL, *prev = NULL, *p;

	for (p = d; *p != '\0'; p++)
		if (*p == '.') {
			prev = last;
			last = p;
		}
	return prev == NULL ? d : prev + 1;
}

static const char *
policy_words(enum dmarc_min_policy p)
{
	switch (p) {
	case DMARC_MIN_NONE:
		return "receivers only report; nothing is rejected or sent to "
		    "spam. Once the reports show all your mail passes, move "
		    "to p=quarantine";
	case DMARC_MIN_QUARANTINE:
		return "receivers put mail that fails DMARC in the spam "
		    "folder";
	case DMARC_MIN_REJECT:
		return "receivers refuse mail that fails DMARC";
	case DMARC_MIN_ABSENT:
		break;
	}
	return "";
}

/* One rua= destination: external ones must have agreed (7.1). */
static void
check_rua_uri(struct check *c, const char *policy_dom,
    const struct taglist_view *u)
{
	char dom[DNS_NAME_MAX + 1], name[2 * DNS_NAME_MAX + 32];
	struct dns_result r;
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
	if (strcasecmp(org_domain(dom), org_domain(policy_dom)) == 0) {
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
		if (dmarc_min_is_record(CHECK_TXT(&r, i), r.rr[i].len))
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
		    org_domain(policy_dom));
	else
		check_say(c, CHECK_FAIL, "DMARC: the lookup of %s failed: %s; "
		    "receivers then send no reports to %s", name,
		    check_status_words(r.status), dom);
	dns_result_free(&r);
}

static void
check_record(struct check *c, const char *policy_dom, const char *txt,
    size_t len)
{
	struct dmarc_min m;
	struct taglist_view rest, item;
	enum dmarc_min_policy eff;
	bool sub = strcasecmp(policy_dom, c->domain) != 0;

	dmarc_min_parse(txt, len, &m);
	if (m.error != NULL) {
		check_say(c, CHECK_FAIL, "DMARC: the record at _dmarc.%s is "
		    "invalid: %s. Receivers ignore it, as if there were none. "
		    "Fix it, e.g. \"v=DMARC1; p=none; "
		    "rua=mailto:dmarc-reports@%s\"", policy_dom, m.error,
		    policy_dom);
		return;
	}
	/* for a subdomain, sp= applies when present (RFC 9989) */
	eff = sub && m.sp != DMARC_MIN_ABSENT ? m.sp : m.p;
	check_say(c, CHECK_OK, "DMARC: %s=%s%s%s: %s%s",
	    sub && m.sp != DMARC_MIN_ABSENT ? "sp" : "p",
	    dmarc_min_policy_name(eff), sub ? ", set by " : "",
	    sub ? policy_dom : "", policy_words(eff), m.testing ?
	    " (t=y: testing, receivers apply one step less: quarantine "
	    "becomes none, reject becomes quarantine)" : "");
	if (!sub && m.sp != DMARC_MIN_ABSENT && m.sp != m.p)
		check_more(c, "subdomains of %s: sp=%s: %s", policy_dom,
		    dmarc_min_policy_name(m.sp), policy_words(m.sp));
	if (m.has_pct)
		check_say(c, CHECK_WARN, "DMARC: pct=%u is obsolete: receivers "
		    "following RFC 9989 ignore it and apply the policy to "
		    "all mail. Remove it; use t=y to apply the policy gently",
		    m.pct);
	if (!m.has_rua || m.rua.len == 0) {
		check_say(c, CHECK_WARN, "DMARC: no rua= report address, so "
		    "you never learn who sends mail as %s or whether it "
		    "passes. Add \"rua=mailto:dmarc-reports@%s\" to the "
		    "record", policy_dom, policy_dom);
		return;
	}
	rest = m.rua;
	while (taglist_view_next_item(&rest, ',', &item))
		if (item.len > 0)
			check_rua_uri(c, policy_dom, &item);
}

void
check_dmarc(struct check *c)
{
	char name[DNS_NAME_MAX + 8];
	struct dns_result r;
	const char *d = c->domain, *dot;
	size_t i, n, which = 0;

	for (;;) {
		snprintf(name, sizeof(name), "_dmarc.%s", d);
		dns_result_init(&r);
		if (check_lookup(c, name, DNS_TXT, &r) == -1)
			return;
		if (r.status != DNS_OK && r.status != DNS_NXDOMAIN &&
		    r.status != DNS_NODATA) {
			check_say(c, CHECK_FAIL, "DMARC: the lookup of %s "
			    "failed: %s. Receivers then apply no policy and "
			    "may defer mail; check the DNS servers of %s",
			    name, check_status_words(r.status), d);
			dns_result_free(&r);
			return;
		}
		for (i = n = 0; r.status == DNS_OK && i < r.n; i++)
			if (dmarc_min_is_record(CHECK_TXT(&r, i),
			    r.rr[i].len) && n++ == 0)
				which = i;
		if (n > 0)
			break;
		dns_result_free(&r);
		/* up to the second-level name, never a top-level one */
		if ((dot = strchr(d, '.')) == NULL ||
		    strchr(dot + 1, '.') == NULL) {
			check_say(c, CHECK_FAIL, "DMARC: no record at "
			    "_dmarc.%s%s, so receivers apply no policy and "
			    "send no reports; big mailbox providers want one "
			    "from bulk senders. Publish \"_dmarc.%s. IN TXT "
			    "\\\"v=DMARC1; p=none; "
			    "rua=mailto:dmarc-reports@%s\\\"\"", c->domain,
			    d != c->domain ? " or a parent name" : "",
			    c->domain, c->domain);
			return;
		}
		d = dot + 1;
	}
	if (n > 1) {
		check_say(c, CHECK_FAIL, "DMARC: %zu DMARC records at %s; "
		    "receivers ignore them all, as if there were none. Keep "
		    "exactly one", n, name);
		dns_result_free(&r);
		return;
	}
	if (d != c->domain)
		check_say(c, CHECK_OK, "DMARC: no record at _dmarc.%s; the "
		    "record at %s applies: \"%s\"", c->domain, name,
		    CHECK_TXT(&r, which));
	else
		check_say(c, CHECK_OK, "DMARC: record at %s: \"%s\"", name,
		    CHECK_TXT(&r, which));
	check_record(c, d, CHECK_TXT(&r, which), r.rr[which].len);
	dns_result_free(&r);
}
