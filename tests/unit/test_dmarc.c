/* SPDX-License-Identifier: ISC */
/*
 * test_dmarc.c - unit tests for orgdomain.c and dmarc.c: the DNS Tree
 * Walk of RFC 9989 4.10 with the RFC's own examples (the names queried
 * for long names, the Organizational Domain examples of 4.10.2 and of
 * the "Tree Walk Examples" appendix), psd=y/n, several records at a name,
 * TIMEOUT and SERVFAIL, policy discovery (p, sp, np, the PSD's record),
 * Identifier Alignment strict and relaxed for SPF and DKIM, t=y, and
 * RFC 7489 discovery through a small Public Suffix List
 * (tests/data/dmarc/public_suffix_list.dat, loaded with libpsl).
 * Every DNS answer comes from the zone below (dns_zone_from_memory).
 * The data directory comes from INKAN_TEST_DATA_DIR; without it the test
 * does not build, so it cannot pass by skipping its file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <libpsl.h>

#include "dmarc.h"
#include "dns.h"
#include "err.h"
#include "orgdomain.h"

#ifndef INKAN_TEST_DATA_DIR
#error "INKAN_TEST_DATA_DIR must name tests/data"
#endif

static const char zone[] =
    /* 4.10.2 examples: records at mail.example.com and example.com */
    "_dmarc.mail.example.com TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.example.com TXT \"v=DMARC1; p=reject; sp=quarantine\"\n"
    "_dmarc.signing.example.com TXT \"v=DMARC1; p=none\"\n"
    /* psd=n makes its own Organizational Domain */
    "_dmarc.mail.psdn.test TXT \"v=DMARC1; p=quarantine; psd=n\"\n"
    "_dmarc.psdn.test TXT \"v=DMARC1; p=reject\"\n"
    /* only the PSD publishes: \"_dmarc.com\" with psd=y */
    "_dmarc.onlypsd TXT \"v=DMARC1; p=reject; np=reject; psd=y\"\n"
    /* appendix example with a PSD record: giant.bank.example */
    "_dmarc.giant.bank.example TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.bank.example TXT \"v=DMARC1; p=none; psd=y\"\n"
    /* several records at one name: all discarded */
    "_dmarc.multi.org.test TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.multi.org.test TXT \"v=DMARC1; p=quarantine\"\n"
    "_dmarc.org.test TXT \"v=DMARC1; p=reject\"\n"
    /* a non-DMARC TXT next to one DMARC record does not count */
    "_dmarc.mixed.test TXT \"v=spf1 -all\"\n"
    "_dmarc.mixed.test TXT \"v=DMARC1; p=quarantine\"\n"
    /* DNS trouble */
    "_dmarc.slow.test TIMEOUT\n"
    "_dmarc.broken.test SERVFAIL\n"
    "_dmarc.a.upfail.test TIMEOUT\n"
    "_dmarc.upfail.test TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.sub.orgfail.test TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.orgfail.test SERVFAIL\n"
    /* np: non-existent subdomains */
    "_dmarc.np.test TXT \"v=DMARC1; p=reject; sp=quarantine; np=none\"\n"
    "real.np.test A 192.0.2.1\n"
    "_dmarc.npsame.test TXT \"v=DMARC1; p=reject; np=reject\"\n"
    "_dmarc.npfail.test TXT \"v=DMARC1; p=none; np=reject\"\n"
    "down.npfail.test SERVFAIL\n"
    /* invalid policy values */
    "_dmarc.badp.test TXT \"v=DMARC1; p=bogus\"\n"
    "_dmarc.badprua.test TXT \"v=DMARC1; p=bogus; "
    "rua=mailto:d@badprua.test\"\n"
    /* alignment and t= */
    "_dmarc.strict.test TXT \"v=DMARC1; p=reject; adkim=s; aspf=s\"\n"
    "_dmarc.relaxed.test TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.own.relaxed.test TXT \"v=DMARC1; p=none; psd=n\"\n"
    "_dmarc.x.flaky.relaxed.test TIMEOUT\n"
    "_dmarc.testing.test TXT \"v=DMARC1; p=reject; t=y\"\n"
    "_dmarc.testq.test TXT \"v=DMARC1; p=quarantine; t=y\"\n"
    /* PSL discovery (public suffixes: example, co.example, test) */
    "_dmarc.shop.co.example TXT \"v=DMARC1; p=reject; sp=quarantine\"\n"
    "_dmarc.mid.shop.co.example TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.two.co.example TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.two.co.example TXT \"v=DMARC1; p=reject\"\n";

static struct dns_resolver *
load_zone(void)
{
	struct dns_resolver *r;
	struct err e;

	r = dns_zone_from_memory(zone, sizeof(zone) - 1, &e);
	if (r == NULL)
		print_message("zone: %s\n", e.msg);
	assert_non_null(r);
	return r;
}

static const struct timespec *
deadline(void)
{
	static struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += 5;
	return &ts;
}

/* The names a walk asks for, in order, as the RFC lists them. */
static void
test_walk_names(void **state)
{
	static const struct {
		const char	*name, *domain;
		const char	*want[ORGDOMAIN_MAX_QUERIES + 1];
	} t[] = {
		{ "4.10: 13 labels are cut to 7 after the first query",
		    "a.b.c.d.e.f.g.h.i.j.mail.example.com",
		    { "a.b.c.d.e.f.g.h.i.j.mail.example.com",
		    "g.h.i.j.mail.example.com", "h.i.j.mail.example.com",
		    "i.j.mail.example.com", "j.mail.example.com",
		    "mail.example.com", "example.com", "com", NULL } },
		{ "5.1 note: the zone cut below 8 labels is never asked",
		    "mail.a.b.c.d.e.f.g.example.com",
		    { "mail.a.b.c.d.e.f.g.example.com", "c.d.e.f.g.example.com",
		    "d.e.f.g.example.com", "e.f.g.example.com",
		    "f.g.example.com", "g.example.com", "example.com", "com",
		    NULL } },
		{ "appendix: deep tree walk example",
		    "a.b.c.d.e.f.g.h.i.j.k.example.com",
		    { "a.b.c.d.e.f.g.h.i.j.k.example.com",
		    "g.h.i.j.k.example.com", "h.i.j.k.example.com",
		    "i.j.k.example.com", "j.k.example.com", "k.example.com",
		    "example.com", "com", NULL } },
		{ "exactly 8 labels: the parent has 7",
		    "a.b.c.d.e.f.g.nowhere",
		    { "a.b.c.d.e.f.g.nowhere", "b.c.d.e.f.g.nowhere",
		    "c.d.e.f.g.nowhere", "d.e.f.g.nowhere", "e.f.g.nowhere",
		    "f.g.nowhere", "g.nowhere", "nowhere", NULL } },
		{ "records without psd do not stop the walk",
		    "a.mail.example.com",
		    { "a.mail.example.com", "mail.example.com", "example.com",
		    "com", NULL } },
		{ "psd=n stops the walk", "a.mail.psdn.test",
		    { "a.mail.psdn.test", "mail.psdn.test", NULL } },
		{ "psd=y stops the walk", "giant.bank.example",
		    { "giant.bank.example", "bank.example", NULL } },
		{ "a single label", "nowhere", { "nowhere", NULL } },
		{ "a timeout stops the walk", "a.slow.test",
		    { "a.slow.test", "slow.test", NULL } },
	};
	struct dns_resolver *r = load_zone();
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct orgdomain_walk w;
		struct err e;

		print_message("case: %s\n", t[i].name);
		assert_int_equal(orgdomain_walk(r, t[i].domain, deadline(),
		    &w, &e), 0);
		for (j = 0; j < w.n; j++) {
			print_message("  got %s want %s\n", w.step[j].name,
			    t[i].want[j] ? t[i].want[j] : "(end)");
			assert_non_null(t[i].want[j]);
			assert_string_equal(w.step[j].name, t[i].want[j]);
		}
		assert_null(t[i].want[w.n]);
		assert_true(w.n <= ORGDOMAIN_MAX_QUERIES);
		orgdomain_walk_free(&w);
	}
	dns_resolver_free(r);
}

/* Organizational Domains, RFC 9989 4.10.2 and its appendix examples. */
static void
test_orgdomain(void **state)
{
	static const struct {
		const char	*name, *domain, *want;
		bool		 temperror;
	} t[] = {
		{ "4.10.2: records at mail.example.com and example.com",
		    "a.mail.example.com", "example.com", false },
		{ "4.10.2: psd=n at mail", "a.mail.psdn.test",
		    "mail.psdn.test", false },
		{ "4.10.2: only a psd=y record at the top", "a.mail.onlypsd",
		    "mail.onlypsd", false },
		{ "appendix: simple example, Author Domain", "example.com",
		    "example.com", false },
		{ "appendix: simple example, DKIM identifier",
		    "signing.example.com", "example.com", false },
		{ "appendix: deep example",
		    "a.b.c.d.e.f.g.h.i.j.k.example.com", "example.com", false },
		{ "appendix PSD example: Author Domain", "giant.bank.example",
		    "giant.bank.example", false },
		{ "appendix PSD example: MAIL FROM", "mail.giant.bank.example",
		    "giant.bank.example", false },
		{ "appendix PSD example: DKIM", "mail.mega.bank.example",
		    "mega.bank.example", false },
		{ "psd=y at the start: its own", "bank.example", "bank.example",
		    false },
		{ "no record anywhere: the start itself", "x.y.nowhere",
		    "x.y.nowhere", false },
		{ "several records at a name count as none",
		    "multi.org.test", "org.test", false },
		{ "case and trailing dot", "A.Mail.Example.COM.",
		    "example.com", false },
		{ "timeout: unknown", "a.slow.test", "", true },
		{ "servfail: unknown", "broken.test", "", true },
	};
	struct dns_resolver *r = load_zone();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct dmarc_orgdomain o;
		struct err e;

		print_message("case: %s\n", t[i].name);
		assert_int_equal(dmarc_orgdomain_lookup(r, t[i].domain,
		    DMARC_DISCOVERY_TREEWALK, NULL, deadline(), &o, &e), 0);
		print_message("  got %s (temperror %d) want %s\n", o.domain,
		    o.temperror, t[i].want);
		assert_int_equal(o.temperror, t[i].temperror);
		assert_string_equal(o.domain, t[i].want);
	}
	dns_resolver_free(r);
}

/* Policy discovery (4.10.1) by tree walk and by PSL. */
static void
test_discover(void **state)
{
	static const struct {
		const char			*name, *domain;
		enum dmarc_discovery		 mode;
		enum dmarc_policy_status	 status;
		const char			*policy_domain, *org;
		enum dmarc_policy_tag		 tag;
		enum dmarc_request		 request;
		bool				 psd;
		enum dmarc_existence		 exists;
	} t[] = {
		{ "Author Domain record: p", "example.com",
		    DMARC_DISCOVERY_TREEWALK, DMARC_POLICY_FOUND,
		    "example.com", "example.com", DMARC_TAG_P, DMARC_REQ_REJECT,
		    false, DMARC_EXISTS_UNCHECKED },
		{ "subdomain without record: sp of the org domain",
		    "a.b.example.com", DMARC_DISCOVERY_TREEWALK,
		    DMARC_POLICY_FOUND, "example.com", "example.com",
		    DMARC_TAG_SP, DMARC_REQ_QUARANTINE, false,
		    DMARC_EXISTS_UNCHECKED },
		{ "intermediate record is not the policy (sp ignored there)",
		    "a.mail.example.com", DMARC_DISCOVERY_TREEWALK,
		    DMARC_POLICY_FOUND, "example.com", "example.com",
		    DMARC_TAG_SP, DMARC_REQ_QUARANTINE, false,
		    DMARC_EXISTS_UNCHECKED },
		{ "own record under a psd=n org", "mail.psdn.test",
		    DMARC_DISCOVERY_TREEWALK, DMARC_POLICY_FOUND,
		    "mail.psdn.test", "mail.psdn.test", DMARC_TAG_P,
		    DMARC_REQ_QUARANTINE, false, DMARC_EXISTS_UNCHECKED },
		{ "psd=n org's p for a subdomain (no sp)", "x.mail.psdn.test",
		    DMARC_DISCOVERY_TREEWALK, DMARC_POLICY_FOUND,
		    "mail.psdn.test", "mail.psdn.test", DMARC_TAG_P,
		    DMARC_REQ_QUARANTINE, false, DMARC_EXISTS_UNCHECKED },
		{ "org domain has a record: PSD not used",
		    "x.giant.bank.example", DMARC_DISCOVERY_TREEWALK,
		    DMARC_POLICY_FOUND, "giant.bank.example",
		    "giant.bank.example", DMARC_TAG_P, DMARC_REQ_REJECT, false,
		    DMARC_EXISTS_UNCHECKED },
		{ "no org record: the PSD's, np for a non-existent name",
		    "ghost.onlypsd", DMARC_DISCOVERY_TREEWALK,
		    DMARC_POLICY_FOUND, "onlypsd", "ghost.onlypsd",
		    DMARC_TAG_P, DMARC_REQ_REJECT, true,
		    DMARC_EXISTS_UNCHECKED },
		{ "np: non-existent subdomain", "ghost.np.test",
		    DMARC_DISCOVERY_TREEWALK, DMARC_POLICY_FOUND, "np.test",
		    "np.test", DMARC_TAG_NP, DMARC_REQ_NONE, false,
		    DMARC_EXISTS_NO },
		{ "np: existing subdomain gets sp", "real.np.test",
		    DMARC_DISCOVERY_TREEWALK, DMARC_POLICY_FOUND, "np.test",
		    "np.test", DMARC_TAG_SP, DMARC_REQ_QUARANTINE, false,
		    DMARC_EXISTS_YES },
		{ "np equal to p: no existence query", "ghost.npsame.test",
		    DMARC_DISCOVERY_TREEWALK, DMARC_POLICY_FOUND,
		    "npsame.test", "npsame.test", DMARC_TAG_P, DMARC_REQ_REJECT,
		    false, DMARC_EXISTS_UNCHECKED },
		{ "np: existence query fails", "down.npfail.test",
		    DMARC_DISCOVERY_TREEWALK, DMARC_POLICY_FOUND, "npfail.test",
		    "npfail.test", DMARC_TAG_P, DMARC_REQ_NONE, false,
		    DMARC_EXISTS_TEMPERROR },
		{ "several records at the Author Domain: keep walking",
		    "multi.org.test", DMARC_DISCOVERY_TREEWALK,
		    DMARC_POLICY_FOUND, "org.test", "org.test", DMARC_TAG_P,
		    DMARC_REQ_REJECT, false, DMARC_EXISTS_UNCHECKED },
		{ "a non-DMARC TXT beside the record", "mixed.test",
		    DMARC_DISCOVERY_TREEWALK, DMARC_POLICY_FOUND, "mixed.test",
		    "mixed.test", DMARC_TAG_P, DMARC_REQ_QUARANTINE, false,
		    DMARC_EXISTS_UNCHECKED },
		{ "no record at all", "a.nowhere", DMARC_DISCOVERY_TREEWALK,
		    DMARC_POLICY_NONE, "", "a.nowhere", DMARC_TAG_NONE,
		    DMARC_REQ_NONE, false, DMARC_EXISTS_UNCHECKED },
		{ "TIMEOUT at the Author Domain", "slow.test",
		    DMARC_DISCOVERY_TREEWALK, DMARC_POLICY_TEMPERROR, "", "",
		    DMARC_TAG_NONE, DMARC_REQ_NONE, false,
		    DMARC_EXISTS_UNCHECKED },
		{ "SERVFAIL at the Author Domain", "broken.test",
		    DMARC_DISCOVERY_TREEWALK, DMARC_POLICY_TEMPERROR, "", "",
		    DMARC_TAG_NONE, DMARC_REQ_NONE, false,
		    DMARC_EXISTS_UNCHECKED },
		{ "TIMEOUT during the walk", "a.b.slow.test",
		    DMARC_DISCOVERY_TREEWALK, DMARC_POLICY_TEMPERROR, "", "",
		    DMARC_TAG_NONE, DMARC_REQ_NONE, false,
		    DMARC_EXISTS_UNCHECKED },
		{ "Author record found, org walk fails later",
		    "sub.orgfail.test", DMARC_DISCOVERY_TREEWALK,
		    DMARC_POLICY_FOUND, "sub.orgfail.test", "", DMARC_TAG_P,
		    DMARC_REQ_REJECT, false, DMARC_EXISTS_UNCHECKED },
		{ "invalid p without rua: unusable", "badp.test",
		    DMARC_DISCOVERY_TREEWALK, DMARC_POLICY_INVALID, "badp.test",
		    "badp.test", DMARC_TAG_NONE, DMARC_REQ_NONE, false,
		    DMARC_EXISTS_UNCHECKED },
		{ "invalid p with rua: p=none", "badprua.test",
		    DMARC_DISCOVERY_TREEWALK, DMARC_POLICY_FOUND,
		    "badprua.test", "badprua.test", DMARC_TAG_P, DMARC_REQ_NONE,
		    false, DMARC_EXISTS_UNCHECKED },
		{ "not a domain", "exa mple..com", DMARC_DISCOVERY_TREEWALK,
		    DMARC_POLICY_BADDOMAIN, "", "", DMARC_TAG_NONE,
		    DMARC_REQ_NONE, false, DMARC_EXISTS_UNCHECKED },
		/* RFC 7489 discovery through the test PSL */
		{ "PSL: the From domain's own record", "shop.co.example",
		    DMARC_DISCOVERY_PSL, DMARC_POLICY_FOUND, "shop.co.example",
		    "shop.co.example", DMARC_TAG_P, DMARC_REQ_REJECT, false,
		    DMARC_EXISTS_UNCHECKED },
		{ "PSL: straight to the registrable domain",
		    "a.mid.shop.co.example", DMARC_DISCOVERY_PSL,
		    DMARC_POLICY_FOUND, "shop.co.example", "shop.co.example",
		    DMARC_TAG_SP, DMARC_REQ_QUARANTINE, false,
		    DMARC_EXISTS_UNCHECKED },
		{ "PSL: several records end discovery", "two.co.example",
		    DMARC_DISCOVERY_PSL, DMARC_POLICY_NONE, "",
		    "two.co.example", DMARC_TAG_NONE, DMARC_REQ_NONE, false,
		    DMARC_EXISTS_UNCHECKED },
		{ "PSL: several records at the org domain",
		    "x.two.co.example", DMARC_DISCOVERY_PSL, DMARC_POLICY_NONE,
		    "", "two.co.example", DMARC_TAG_NONE, DMARC_REQ_NONE, false,
		    DMARC_EXISTS_UNCHECKED },
		{ "PSL: an unlisted TLD is a suffix (the implicit * rule)",
		    "a.b.example.com", DMARC_DISCOVERY_PSL, DMARC_POLICY_FOUND,
		    "example.com", "example.com", DMARC_TAG_SP,
		    DMARC_REQ_QUARANTINE, false, DMARC_EXISTS_UNCHECKED },
		{ "PSL: a public suffix is its own org domain", "co.example",
		    DMARC_DISCOVERY_PSL, DMARC_POLICY_NONE, "", "co.example",
		    DMARC_TAG_NONE, DMARC_REQ_NONE, false,
		    DMARC_EXISTS_UNCHECKED },
		{ "PSL: np for a non-existent subdomain", "ghost.np.test",
		    DMARC_DISCOVERY_PSL, DMARC_POLICY_FOUND, "np.test",
		    "np.test", DMARC_TAG_NP, DMARC_REQ_NONE, false,
		    DMARC_EXISTS_NO },
		{ "PSL: TIMEOUT", "slow.test", DMARC_DISCOVERY_PSL,
		    DMARC_POLICY_TEMPERROR, "", "slow.test", DMARC_TAG_NONE,
		    DMARC_REQ_NONE, false, DMARC_EXISTS_UNCHECKED },
	};
	struct dns_resolver *r = load_zone();
	psl_ctx_t *psl;
	size_t i;

	(void)state;
	psl = psl_load_file(INKAN_TEST_DATA_DIR "/dmarc/public_suffix_list.dat");
	assert_non_null(psl);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct dmarc_policy p;
		struct err e;

		print_message("case: %s\n", t[i].name);
		assert_int_equal(dmarc_discover(r, t[i].domain, t[i].mode, psl,
		    deadline(), &p, &e), 0);
		print_message("  got status %d at '%s' org '%s' %s=%s psd %d "
		    "exists %d (%s)\n", p.status, p.policy_domain, p.org_domain,
		    dmarc_policy_tag_name(p.tag), dmarc_request_name(p.request),
		    p.psd, p.author_exists, p.reason);
		assert_int_equal(p.status, t[i].status);
		assert_string_equal(p.policy_domain, t[i].policy_domain);
		assert_string_equal(p.org_domain, t[i].org);
		assert_int_equal(p.tag, t[i].tag);
		assert_int_equal(p.request, t[i].request);
		assert_int_equal(p.psd, t[i].psd);
		assert_int_equal(p.author_exists, t[i].exists);
		assert_true(p.queries <= ORGDOMAIN_MAX_QUERIES + 1);
		dmarc_policy_free(&p);
	}
	psl_free(psl);
	dns_resolver_free(r);
}

/*
 * The whole flow as the caller runs it: discover, look up the
 * Organizational Domains dmarc_needs_orgdomain() asks for, evaluate.
 */
static void
test_evaluate(void **state)
{
	static const struct {
		const char		*name, *from;
		enum auth_result	 spf;
		const char		*spf_domain;
		const char		*dkim[3];
		enum auth_result	 want;
		enum dmarc_request	 policy, disposition;
		bool			 spf_aligned, dkim_aligned;
		const char		*dkim_domain;
	} t[] = {
		/* RFC 9989 appendix: SPF examples */
		{ "SPF strict: identical", "strict.test", AUTH_PASS,
		    "strict.test", { NULL }, AUTH_PASS, DMARC_REQ_REJECT,
		    DMARC_REQ_NONE, true, false, NULL },
		{ "SPF strict: child does not align", "strict.test", AUTH_PASS,
		    "child.strict.test", { NULL }, AUTH_FAIL, DMARC_REQ_REJECT,
		    DMARC_REQ_REJECT, false, false, NULL },
		{ "SPF relaxed: child of the Author Domain", "relaxed.test",
		    AUTH_PASS, "child.relaxed.test", { NULL }, AUTH_PASS,
		    DMARC_REQ_REJECT, DMARC_REQ_NONE, true, false, NULL },
		{ "SPF relaxed: other domain", "x.relaxed.test", AUTH_PASS,
		    "example.net", { NULL }, AUTH_FAIL, DMARC_REQ_REJECT,
		    DMARC_REQ_REJECT, false, false, NULL },
		{ "SPF fail never aligns", "relaxed.test", AUTH_FAIL,
		    "relaxed.test", { NULL }, AUTH_FAIL, DMARC_REQ_REJECT,
		    DMARC_REQ_REJECT, false, false, NULL },
		{ "SPF softfail never aligns", "relaxed.test", AUTH_SOFTFAIL,
		    "relaxed.test", { NULL }, AUTH_FAIL, DMARC_REQ_REJECT,
		    DMARC_REQ_REJECT, false, false, NULL },
		{ "SPF relaxed: identifier under its own psd=n org",
		    "relaxed.test", AUTH_PASS, "a.own.relaxed.test", { NULL },
		    AUTH_FAIL, DMARC_REQ_REJECT, DMARC_REQ_REJECT, false, false,
		    NULL },
		/* RFC 9989 appendix: DKIM examples */
		{ "DKIM strict: identical", "strict.test", AUTH_NONE, NULL,
		    { "strict.test", NULL }, AUTH_PASS, DMARC_REQ_REJECT,
		    DMARC_REQ_NONE, false, true, "strict.test" },
		{ "DKIM strict: parent does not align", "child.strict.test",
		    AUTH_NONE, NULL, { "strict.test", NULL }, AUTH_FAIL,
		    DMARC_REQ_REJECT, DMARC_REQ_REJECT, false, false, NULL },
		{ "DKIM relaxed: parent of the Author Domain",
		    "child.relaxed.test", AUTH_NONE, NULL,
		    { "relaxed.test", NULL }, AUTH_PASS, DMARC_REQ_REJECT,
		    DMARC_REQ_NONE, false, true, "relaxed.test" },
		{ "DKIM relaxed: second signature aligns", "relaxed.test",
		    AUTH_NONE, NULL, { "example.net", "Sig.Relaxed.Test", NULL },
		    AUTH_PASS, DMARC_REQ_REJECT, DMARC_REQ_NONE, false, true,
		    "Sig.Relaxed.Test" },
		{ "DKIM relaxed: other domain", "child.relaxed.test", AUTH_NONE,
		    NULL, { "example.net", NULL }, AUTH_FAIL, DMARC_REQ_REJECT,
		    DMARC_REQ_REJECT, false, false, NULL },
		{ "appendix simple example: both align", "example.com",
		    AUTH_PASS, "example.com", { "signing.example.com", NULL },
		    AUTH_PASS, DMARC_REQ_REJECT, DMARC_REQ_NONE, true, true,
		    "signing.example.com" },
		{ "appendix PSD example: SPF aligns, DKIM not",
		    "giant.bank.example", AUTH_PASS, "mail.giant.bank.example",
		    { "mail.mega.bank.example", NULL }, AUTH_PASS,
		    DMARC_REQ_REJECT, DMARC_REQ_NONE, true, false, NULL },
		{ "appendix PSD example: DKIM alone fails",
		    "giant.bank.example", AUTH_NONE, NULL,
		    { "mail.mega.bank.example", NULL }, AUTH_FAIL,
		    DMARC_REQ_REJECT, DMARC_REQ_REJECT, false, false, NULL },
		/* policy choice and t= */
		{ "sp for a subdomain", "a.b.example.com", AUTH_NONE, NULL,
		    { NULL }, AUTH_FAIL, DMARC_REQ_QUARANTINE,
		    DMARC_REQ_QUARANTINE, false, false, NULL },
		{ "np for a non-existent subdomain", "ghost.np.test", AUTH_NONE,
		    NULL, { NULL }, AUTH_FAIL, DMARC_REQ_NONE, DMARC_REQ_NONE,
		    false, false, NULL },
		{ "t=y: reject becomes quarantine", "testing.test", AUTH_NONE,
		    NULL, { NULL }, AUTH_FAIL, DMARC_REQ_REJECT,
		    DMARC_REQ_QUARANTINE, false, false, NULL },
		{ "t=y: quarantine becomes none", "testq.test", AUTH_NONE,
		    NULL, { NULL }, AUTH_FAIL, DMARC_REQ_QUARANTINE,
		    DMARC_REQ_NONE, false, false, NULL },
		/* results other than pass and fail */
		{ "no record: none", "a.nowhere", AUTH_PASS, "a.nowhere",
		    { NULL }, AUTH_NONE, DMARC_REQ_NONE, DMARC_REQ_NONE, false,
		    false, NULL },
		{ "TIMEOUT: temperror", "slow.test", AUTH_NONE, NULL, { NULL },
		    AUTH_TEMPERROR, DMARC_REQ_NONE, DMARC_REQ_NONE, false, false,
		    NULL },
		{ "invalid record: permerror", "badp.test", AUTH_PASS,
		    "badp.test", { NULL }, AUTH_PERMERROR, DMARC_REQ_NONE,
		    DMARC_REQ_NONE, false, false, NULL },
		{ "org domain of the identifier unknown: temperror",
		    "relaxed.test", AUTH_PASS, "x.flaky.relaxed.test", { NULL },
		    AUTH_TEMPERROR, DMARC_REQ_REJECT, DMARC_REQ_NONE, false,
		    false, NULL },
		{ "unknown org domain, but DKIM aligns: pass", "relaxed.test",
		    AUTH_PASS, "x.flaky.relaxed.test", { "relaxed.test", NULL },
		    AUTH_PASS, DMARC_REQ_REJECT, DMARC_REQ_NONE, false, true,
		    "relaxed.test" },
		{ "Author org unknown, identical identifier: pass",
		    "sub.orgfail.test", AUTH_PASS, "sub.orgfail.test", { NULL },
		    AUTH_PASS, DMARC_REQ_REJECT, DMARC_REQ_NONE, true, false,
		    NULL },
		{ "Author org unknown, relaxed parent: temperror",
		    "sub.orgfail.test", AUTH_PASS, "orgfail.test", { NULL },
		    AUTH_TEMPERROR, DMARC_REQ_REJECT, DMARC_REQ_NONE, false,
		    false, NULL },
		{ "existence unknown, failing: temperror", "down.npfail.test",
		    AUTH_NONE, NULL, { NULL }, AUTH_TEMPERROR, DMARC_REQ_NONE,
		    DMARC_REQ_NONE, false, false, NULL },
	};
	struct dns_resolver *r = load_zone();
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct dmarc_orgdomain spf_org, orgs[3];
		struct dmarc_policy p;
		struct dmarc_auth a;
		struct dmarc_verdict v;
		struct err e;

		print_message("case: %s\n", t[i].name);
		assert_int_equal(dmarc_discover(r, t[i].from,
		    DMARC_DISCOVERY_TREEWALK, NULL, deadline(), &p, &e), 0);
		memset(&a, 0, sizeof(a));
		memset(orgs, 0, sizeof(orgs));
		memset(&spf_org, 0, sizeof(spf_org));
		a.spf = t[i].spf;
		a.spf_domain = t[i].spf_domain;
		if (a.spf_domain != NULL &&
		    dmarc_needs_orgdomain(&p, a.spf_domain, false)) {
			assert_int_equal(dmarc_orgdomain_lookup(r, a.spf_domain,
			    p.mode, NULL, deadline(), &spf_org, &e), 0);
			a.spf_org = &spf_org;
		}
		for (n = 0; t[i].dkim[n] != NULL; n++)
			if (dmarc_needs_orgdomain(&p, t[i].dkim[n], true))
				assert_int_equal(dmarc_orgdomain_lookup(r,
				    t[i].dkim[n], p.mode, NULL, deadline(),
				    &orgs[n], &e), 0);
		a.dkim_domains = t[i].dkim;
		a.dkim_orgs = orgs;
		a.ndkim = n;
		dmarc_evaluate(&p, &a, &v);
		print_message("  got %s policy %s disposition %s spf %d dkim "
		    "%d (%s)\n", auth_result_name(v.result),
		    dmarc_request_name(v.policy),
		    dmarc_request_name(v.disposition), v.spf_aligned,
		    v.dkim_aligned, v.reason);
		assert_int_equal(v.result, t[i].want);
		assert_int_equal(v.policy, t[i].policy);
		assert_int_equal(v.disposition, t[i].disposition);
		assert_int_equal(v.spf_aligned, t[i].spf_aligned);
		assert_int_equal(v.dkim_aligned, t[i].dkim_aligned);
		if (t[i].dkim_domain == NULL)
			assert_null(v.dkim_domain);
		else
			assert_string_equal(v.dkim_domain, t[i].dkim_domain);
		dmarc_policy_free(&p);
	}
	dns_resolver_free(r);
}

/*
 * The temperror rule of dmarc_evaluate() alone, on policies built here
 * (no DNS): with no aligned pass, an aligned identifier whose SPF or DKIM
 * check got temperror, an unknown Organizational Domain or an unknown
 * existence makes temperror (RFC 7489 6.6.2, RFC 9989 5.3.6), never a
 * fail with the policy's disposition; a pass of any aligned identifier
 * wins; the temperror of an identifier that does not align changes
 * nothing; results other than pass and temperror never count.
 * org strings: NULL not looked up, "?" the lookup got temperror.
 */
static void
test_evaluate_temperror(void **state)
{
#define T	AUTH_TEMPERROR
#define P	AUTH_PASS
	static const struct {
		const char		*name, *author, *org;
		bool			 org_temperror, strict, testing;
		enum dmarc_existence	 exists;
		enum auth_result	 spf;
		const char		*spf_domain, *spf_org;
		const char		*dkim[3];
		enum auth_result	 dres[3];
		const char		*dorg[3];
		enum auth_result	 want;
		enum dmarc_request	 disposition;
		bool			 spf_aligned, dkim_aligned;
		const char		*reason;	/* a part of it */
	} t[] = {
		{ "aligned dkim temperror", "example.com", "example.com",
		    false, false, false, DMARC_EXISTS_UNCHECKED, AUTH_NONE,
		    NULL, NULL, { "example.com" }, { T }, { NULL }, T,
		    DMARC_REQ_NONE, false, false,
		    "dkim=temperror for aligned d=example.com" },
		{ "aligned spf temperror", "example.com", "example.com",
		    false, false, false, DMARC_EXISTS_UNCHECKED, T,
		    "example.com", NULL, { NULL }, { 0 }, { NULL }, T,
		    DMARC_REQ_NONE, false, false,
		    "spf=temperror for aligned MAIL FROM domain example.com" },
		{ "relaxed spf temperror, its org aligns", "example.com",
		    "example.com", false, false, false, DMARC_EXISTS_UNCHECKED,
		    T, "bounce.example.com", "example.com", { NULL }, { 0 },
		    { NULL }, T, DMARC_REQ_NONE, false, false,
		    "aligned MAIL FROM domain bounce.example.com" },
		{ "relaxed spf temperror, its own org: fail", "example.com",
		    "example.com", false, false, false, DMARC_EXISTS_UNCHECKED,
		    T, "a.own.example.com", "own.example.com", { NULL },
		    { 0 }, { NULL }, AUTH_FAIL, DMARC_REQ_REJECT, false, false,
		    "no aligned identifier" },
		{ "relaxed spf temperror, its org unknown", "example.com",
		    "example.com", false, false, false, DMARC_EXISTS_UNCHECKED,
		    T, "a.b.example.com", "?", { NULL }, { 0 }, { NULL }, T,
		    DMARC_REQ_NONE, false, false,
		    "possibly aligned MAIL FROM domain a.b.example.com" },
		{ "strict: child's spf temperror does not align", "example.com",
		    "example.com", false, true, false, DMARC_EXISTS_UNCHECKED,
		    T, "bounce.example.com", NULL, { NULL }, { 0 }, { NULL },
		    AUTH_FAIL, DMARC_REQ_REJECT, false, false,
		    "no aligned identifier" },
		{ "strict: parent d= temperror does not align",
		    "sub.example.com", "example.com", false, true, false,
		    DMARC_EXISTS_UNCHECKED, AUTH_NONE, NULL, NULL,
		    { "example.com" }, { T }, { NULL }, AUTH_FAIL,
		    DMARC_REQ_REJECT, false, false, "no aligned identifier" },
		{ "relaxed: parent d= temperror aligns", "sub.example.com",
		    "example.com", false, false, false, DMARC_EXISTS_UNCHECKED,
		    AUTH_NONE, NULL, NULL, { "example.com" }, { T }, { NULL },
		    T, DMARC_REQ_NONE, false, false,
		    "aligned d=example.com" },
		{ "unaligned dkim temperror: fail", "example.com",
		    "example.com", false, false, false, DMARC_EXISTS_UNCHECKED,
		    AUTH_FAIL, "example.com", NULL, { "other.test" }, { T },
		    { NULL }, AUTH_FAIL, DMARC_REQ_REJECT, false, false,
		    "no aligned identifier" },
		{ "unaligned spf temperror, aligned dkim fail: fail",
		    "example.com", "example.com", false, false, false,
		    DMARC_EXISTS_UNCHECKED, T, "other.test", NULL,
		    { "example.com" }, { AUTH_FAIL }, { NULL }, AUTH_FAIL,
		    DMARC_REQ_REJECT, false, false, "no aligned identifier" },
		{ "aligned dkim pass beats aligned spf temperror",
		    "example.com", "example.com", false, false, false,
		    DMARC_EXISTS_UNCHECKED, T, "example.com", NULL,
		    { "example.com" }, { P }, { NULL }, P, DMARC_REQ_NONE,
		    false, true, "aligned dkim" },
		{ "aligned spf pass beats aligned dkim temperror",
		    "example.com", "example.com", false, false, false,
		    DMARC_EXISTS_UNCHECKED, P, "example.com", NULL,
		    { "example.com" }, { T }, { NULL }, P, DMARC_REQ_NONE,
		    true, false, "aligned spf" },
		{ "dkim temperror, then an aligned pass", "example.com",
		    "example.com", false, false, false, DMARC_EXISTS_UNCHECKED,
		    AUTH_NONE, NULL, NULL, { "example.com", "example.com" },
		    { T, P }, { NULL }, P, DMARC_REQ_NONE, false, true,
		    "aligned dkim" },
		{ "permerror and fail never count", "example.com",
		    "example.com", false, false, false, DMARC_EXISTS_UNCHECKED,
		    AUTH_PERMERROR, "example.com", NULL,
		    { "example.com", "example.com" },
		    { AUTH_PERMERROR, AUTH_FAIL }, { NULL }, AUTH_FAIL,
		    DMARC_REQ_REJECT, false, false, "no aligned identifier" },
		{ "spf temperror without a MAIL FROM domain", "example.com",
		    "example.com", false, false, false, DMARC_EXISTS_UNCHECKED,
		    T, NULL, NULL, { NULL }, { 0 }, { NULL }, AUTH_FAIL,
		    DMARC_REQ_REJECT, false, false, "no aligned identifier" },
		{ "relaxed dkim temperror, its org unknown", "example.com",
		    "example.com", false, false, false, DMARC_EXISTS_UNCHECKED,
		    AUTH_NONE, NULL, NULL, { "mail.example.com" }, { T },
		    { "?" }, T, DMARC_REQ_NONE, false, false,
		    "possibly aligned d=mail.example.com" },
		{ "Author's org unknown, relaxed parent d= pass",
		    "sub.example.com", "", true, false, false,
		    DMARC_EXISTS_UNCHECKED, AUTH_NONE, NULL, NULL,
		    { "example.com" }, { P }, { NULL }, T, DMARC_REQ_NONE,
		    false, false, "Organizational Domain of example.com" },
		{ "Author's org unknown, d= temperror in another TLD: fail",
		    "sub.example.com", "", true, false, false,
		    DMARC_EXISTS_UNCHECKED, AUTH_NONE, NULL, NULL,
		    { "other.test" }, { T }, { NULL }, AUTH_FAIL,
		    DMARC_REQ_REJECT, false, false, "no aligned identifier" },
		{ "existence unknown, nothing aligned", "ghost.example.com",
		    "example.com", false, false, false, DMARC_EXISTS_TEMPERROR,
		    AUTH_NONE, NULL, NULL, { NULL }, { 0 }, { NULL }, T,
		    DMARC_REQ_NONE, false, false, "existence of" },
		{ "existence unknown, aligned pass", "ghost.example.com",
		    "example.com", false, false, false, DMARC_EXISTS_TEMPERROR,
		    AUTH_NONE, NULL, NULL, { "example.com" }, { P }, { NULL },
		    P, DMARC_REQ_NONE, false, true, "aligned dkim" },
		{ "t=y: temperror, no disposition", "example.com",
		    "example.com", false, false, true, DMARC_EXISTS_UNCHECKED,
		    AUTH_NONE, NULL, NULL, { "example.com" }, { T }, { NULL },
		    T, DMARC_REQ_NONE, false, false, "dkim=temperror" },
	};
#undef T
#undef P
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct dmarc_orgdomain spf_org, orgs[3];
		struct dmarc_policy p;
		struct dmarc_auth a;
		struct dmarc_verdict v;

		print_message("case: %s\n", t[i].name);
		memset(&p, 0, sizeof(p));
		p.status = DMARC_POLICY_FOUND;
		strlcpy(p.author_domain, t[i].author, sizeof(p.author_domain));
		strlcpy(p.org_domain, t[i].org, sizeof(p.org_domain));
		strlcpy(p.policy_domain, t[i].org_temperror ? t[i].author :
		    t[i].org, sizeof(p.policy_domain));
		p.org_temperror = t[i].org_temperror;
		p.tag = DMARC_TAG_P;
		p.request = p.rec.p = DMARC_REQ_REJECT;
		p.rec.adkim = p.rec.aspf = t[i].strict ? DMARC_ALIGN_STRICT :
		    DMARC_ALIGN_RELAXED;
		p.rec.t = t[i].testing;
		p.author_exists = t[i].exists;
		memset(&a, 0, sizeof(a));
		memset(&spf_org, 0, sizeof(spf_org));
		memset(orgs, 0, sizeof(orgs));
		a.spf = t[i].spf;
		a.spf_domain = t[i].spf_domain;
		if (t[i].spf_org != NULL) {
			if (strcmp(t[i].spf_org, "?") == 0)
				spf_org.temperror = true;
			else
				strlcpy(spf_org.domain, t[i].spf_org,
				    sizeof(spf_org.domain));
			a.spf_org = &spf_org;
		}
		for (n = 0; n < 3 && t[i].dkim[n] != NULL; n++) {
			if (t[i].dorg[n] == NULL)
				continue;
			if (strcmp(t[i].dorg[n], "?") == 0)
				orgs[n].temperror = true;
			else
				strlcpy(orgs[n].domain, t[i].dorg[n],
				    sizeof(orgs[n].domain));
		}
		a.dkim_domains = t[i].dkim;
		a.dkim_results = t[i].dres;
		a.dkim_orgs = orgs;
		a.ndkim = n;
		dmarc_evaluate(&p, &a, &v);
		print_message("  got %s disposition %s spf %d dkim %d (%s)\n",
		    auth_result_name(v.result),
		    dmarc_request_name(v.disposition), v.spf_aligned,
		    v.dkim_aligned, v.reason);
		assert_int_equal(v.result, t[i].want);
		assert_int_equal(v.policy, DMARC_REQ_REJECT);
		assert_int_equal(v.disposition, t[i].disposition);
		assert_int_equal(v.spf_aligned, t[i].spf_aligned);
		assert_int_equal(v.dkim_aligned, t[i].dkim_aligned);
		assert_non_null(strstr(v.reason, t[i].reason));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_names),
		cmocka_unit_test(test_orgdomain),
		cmocka_unit_test(test_discover),
		cmocka_unit_test(test_evaluate),
		cmocka_unit_test(test_evaluate_temperror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
