/* SPDX-License-Identifier: ISC */
/*
 * test_spf_eval.c - unit tests for spf_eval.c, check_host() of RFC 7208.
 * Every DNS answer comes from the zone below, loaded with
 * dns_zone_from_memory(), so answers are exact and nothing touches the
 * network. One table of cases (domain, client, sender, expected result,
 * matching term, explanation, counters); each case prints its name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "dns.h"
#include "err.h"
#include "spf_eval.h"

#define H10	"a:h.limit.test a:h.limit.test a:h.limit.test " \
		"a:h.limit.test a:h.limit.test a:h.limit.test " \
		"a:h.limit.test a:h.limit.test a:h.limit.test " \
		"a:h.limit.test"
#define H9	"a:h.limit.test a:h.limit.test a:h.limit.test " \
		"a:h.limit.test a:h.limit.test a:h.limit.test " \
		"a:h.limit.test a:h.limit.test a:h.limit.test"
#define FWD6	"2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0"
#define REV6	"0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"

/* The client is 192.0.2.10 or 2001:db8::10 unless a case says otherwise. */
static const char zone[] =
    /* all and the qualifiers */
    "all-pass.test TXT \"v=spf1 +all\"\n"
    "all-fail.test TXT \"v=spf1 -all\"\n"
    "all-soft.test TXT \"v=spf1 ~all\"\n"
    "all-neutral.test TXT \"v=spf1 ?all\"\n"
    "all-default.test TXT \"v=spf1 all\"\n"
    "upper.test TXT \"V=SPF1 +ALL\"\n"
    "empty.test TXT \"v=spf1\"\n"
    "split.test TXT \"v=spf1 ip4:192.0.2.10\" \" -all\"\n"
    /* ip4, ip6 */
    "ip4.test TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
    "ip4-32.test TXT \"v=spf1 ip4:192.0.2.10/32 -all\"\n"
    "ip4-0.test TXT \"v=spf1 ip4:0.0.0.0/0 -all\"\n"
    "ip4-30.test TXT \"v=spf1 ip4:192.0.2.8/30 -all\"\n"
    "ip4-31.test TXT \"v=spf1 ip4:192.0.2.8/31 -all\"\n"
    "ip6.test TXT \"v=spf1 ip6:2001:db8::/32 -all\"\n"
    "ip6-128.test TXT \"v=spf1 ip6:2001:db8::10/128 -all\"\n"
    "ip6-0.test TXT \"v=spf1 ip6:::/0 -all\"\n"
    "ip6-124.test TXT \"v=spf1 ip6:2001:db8::20/124 -all\"\n"
    /* a */
    "a.test TXT \"v=spf1 a -all\"\n"
    "a.test A 192.0.2.10\n"
    "a.test AAAA 2001:db8::10\n"
    "a-other.test TXT \"v=spf1 a:host.a.test -all\"\n"
    "host.a.test A 192.0.2.10\n"
    "a-cidr.test TXT \"v=spf1 a:net.a.test/24//64 -all\"\n"
    "a-nocidr.test TXT \"v=spf1 a:net.a.test -all\"\n"
    "net.a.test A 192.0.2.99\n"
    "net.a.test AAAA 2001:db8::ffff\n"
    "a-macro.test TXT \"v=spf1 a:%{l}.users.%{d} -all\"\n"
    "alice.users.a-macro.test A 192.0.2.10\n"
    /* mx */
    "mx.test TXT \"v=spf1 mx -all\"\n"
    "mx.test MX 10 mx1.mx.test\n"
    "mx.test MX 20 mx2.mx.test\n"
    "mx1.mx.test A 198.51.100.1\n"
    "mx2.mx.test A 192.0.2.10\n"
    "mx2.mx.test AAAA 2001:db8::10\n"
    "mx-cidr.test TXT \"v=spf1 mx:mxc.test/30//126 -all\"\n"
    "mxc.test MX 10 h.mxc.test\n"
    "h.mxc.test A 192.0.2.9\n"
    "h.mxc.test AAAA 2001:db8::11\n"
    "mx-null.test TXT \"v=spf1 mx -all\"\n"
    "mx-null.test MX 0 .\n"
    "mx10.test TXT \"v=spf1 mx -all\"\n"
    "mx11.test TXT \"v=spf1 mx -all\"\n"
    "mx10.test MX 1 m1.mxn.test\n" "mx10.test MX 2 m2.mxn.test\n"
    "mx10.test MX 3 m3.mxn.test\n" "mx10.test MX 4 m4.mxn.test\n"
    "mx10.test MX 5 m5.mxn.test\n" "mx10.test MX 6 m6.mxn.test\n"
    "mx10.test MX 7 m7.mxn.test\n" "mx10.test MX 8 m8.mxn.test\n"
    "mx10.test MX 9 m9.mxn.test\n" "mx10.test MX 10 m10.mxn.test\n"
    "mx11.test MX 1 m1.mxn.test\n" "mx11.test MX 2 m2.mxn.test\n"
    "mx11.test MX 3 m3.mxn.test\n" "mx11.test MX 4 m4.mxn.test\n"
    "mx11.test MX 5 m5.mxn.test\n" "mx11.test MX 6 m6.mxn.test\n"
    "mx11.test MX 7 m7.mxn.test\n" "mx11.test MX 8 m8.mxn.test\n"
    "mx11.test MX 9 m9.mxn.test\n" "mx11.test MX 10 m10.mxn.test\n"
    "mx11.test MX 11 m11.mxn.test\n"
    "m10.mxn.test A 192.0.2.10\n"
    "m11.mxn.test A 192.0.2.10\n"
    "mx-servfail.test TXT \"v=spf1 mx:servfail.test -all\"\n"
    /* ptr and %{p} */
    "ptr.test TXT \"v=spf1 ptr -all\"\n"
    "ptr-other.test TXT \"v=spf1 ptr:other.test -all\"\n"
    "10.2.0.192.in-addr.arpa PTR mail.ptr.test\n"
    "mail.ptr.test A 192.0.2.10\n"
    "mail.ptr.test AAAA 2001:db8::10\n"
    REV6 ".ip6.arpa PTR mail.ptr.test\n"
    "20.2.0.192.in-addr.arpa PTR fake.ptr.test\n"
    "fake.ptr.test A 192.0.2.99\n"
    "pmacro.test TXT \"v=spf1 exists:%{p}.pm.test -all\"\n"
    "mail.ptr.test.pm.test A 127.0.0.2\n"
    /* exists */
    "exists.test TXT \"v=spf1 exists:%{ir}.list.exists.test -all\"\n"
    "10.2.0.192.list.exists.test A 127.0.0.2\n"
    "exists6.test TXT \"v=spf1 exists:%{ir}.%{v}.e6.test -all\"\n"
    REV6 ".ip6.e6.test A 127.0.0.2\n"
    /* include */
    "include-pass.test TXT \"v=spf1 include:all-pass.test -all\"\n"
    "include-fail.test TXT \"v=spf1 include:all-fail.test ~all\"\n"
    "include-soft.test TXT \"v=spf1 include:all-soft.test -all\"\n"
    "include-neutral.test TXT \"v=spf1 include:all-neutral.test -all\"\n"
    "include-temp.test TXT \"v=spf1 include:timeout.test -all\"\n"
    "include-perm.test TXT \"v=spf1 include:syntax.test +all\"\n"
    "include-none.test TXT \"v=spf1 include:nothing.test +all\"\n"
    "include-norec.test TXT \"v=spf1 include:norecord.test +all\"\n"
    "include-minus.test TXT \"v=spf1 -include:all-pass.test +all\"\n"
    "include-bad.test TXT \"v=spf1 include:%{l}.x.test +all\"\n"
    /* redirect */
    "redirect.test TXT \"v=spf1 redirect=ip4.test\"\n"
    "redirect-all.test TXT \"v=spf1 redirect=all-fail.test ?all\"\n"
    "redirect-after.test TXT \"v=spf1 -ip4:198.51.100.1 "
	"redirect=all-pass.test\"\n"
    "redirect-none.test TXT \"v=spf1 redirect=nothing.test\"\n"
    "redirect-exp.test TXT \"v=spf1 redirect=exp.test "
	"exp=outer.exp.test\"\n"
    /* exp */
    "exp.test TXT \"v=spf1 -all exp=explain.exp.test\"\n"
    "explain.exp.test TXT \"%{i} may not send for %{d} (%{s}); see \" "
	"\"https://%{o}/spf?ip=%{C}&p=%{p}&at=%{t}&by=%{r}\"\n"
    "outer.exp.test TXT \"outer says no to %{h}\"\n"
    "exp-bad.test TXT \"v=spf1 -all exp=bad.exp.test\"\n"
    "bad.exp.test TXT \"100%\"\n"
    "exp-missing.test TXT \"v=spf1 -all exp=missing.exp.test\"\n"
    "exp-two.test TXT \"v=spf1 -all exp=two.exp.test\"\n"
    "two.exp.test TXT \"one\"\n"
    "two.exp.test TXT \"two\"\n"
    "exp-timeout.test TXT \"v=spf1 -all exp=timeout.test\"\n"
    "exp-soft.test TXT \"v=spf1 ~all exp=explain.exp.test\"\n"
    "exp-include.test TXT \"v=spf1 include:exp.test -all "
	"exp=outer.exp.test\"\n"
    /* the 10-term limit, across includes */
    "h.limit.test A 198.51.100.1\n"
    "h.limit.test AAAA 2001:db8:ffff::1\n"
    "terms10.test TXT \"v=spf1 " H10 " -all\"\n"
    "terms11.test TXT \"v=spf1 " H10 " a:h.limit.test -all\"\n"
    "terms10-ip.test TXT \"v=spf1 " H10 " ip4:192.0.2.10 -all\"\n"
    "inc9.limit.test TXT \"v=spf1 " H9 "\"\n"
    "inc10.limit.test TXT \"v=spf1 " H10 "\"\n"
    "terms-inc10.test TXT \"v=spf1 include:inc9.limit.test -all\"\n"
    "terms-inc11.test TXT \"v=spf1 include:inc10.limit.test -all\"\n"
    "terms-redirect11.test TXT \"v=spf1 " H10 " redirect=all-pass.test\"\n"
    "terms-after.test TXT \"v=spf1 +all " H10 " a:h.limit.test\"\n"
    /* void lookups */
    "void2.test TXT \"v=spf1 a:v1.void.test a:nodata.void.test -all\"\n"
    "void3.test TXT \"v=spf1 a:v1.void.test mx:nodata.void.test "
	"exists:v3.void.test -all\"\n"
    "nodata.void.test TXT \"not an spf record\"\n"
    /* loops */
    "loop-inc.test TXT \"v=spf1 include:loop-inc.test -all\"\n"
    "loop-redirect.test TXT \"v=spf1 redirect=loop-redirect.test\"\n"
    "loop-a.test TXT \"v=spf1 include:loop-b.test -all\"\n"
    "loop-b.test TXT \"v=spf1 include:loop-a.test -all\"\n"
    /* record selection */
    "two.test TXT \"v=spf1 -all\"\n"
    "two.test TXT \"v=spf1 +all\"\n"
    "mixed.test TXT \"google-site-verification=abc\"\n"
    "mixed.test TXT \"v=spf1 +all\"\n"
    "mixed.test TXT \"v=spf10 -all\"\n"
    "spf99.test SPF \"v=spf1 +all\"\n"
    "norecord.test TXT \"hello\"\n"
    "timeout.test TIMEOUT\n"
    "servfail.test SERVFAIL\n"
    "a-timeout.test TXT \"v=spf1 a:timeout.test -all\"\n"
    "exists-servfail.test TXT \"v=spf1 exists:servfail.test -all\"\n"
    "40.2.0.192.in-addr.arpa TIMEOUT\n"
    /* syntax */
    "syntax.test TXT \"v=spf1 foo -all\"\n"
    "bad-ip4.test TXT \"v=spf1 ip4:300.1.1.1 -all\"\n"
    "bad-cidr.test TXT \"v=spf1 a//129 -all\"\n"
    "dup-redirect.test TXT \"v=spf1 redirect=a.test redirect=b.test\"\n"
    "late-error.test TXT \"v=spf1 +all foo\"\n"
    "bad-macro.test TXT \"v=spf1 exists:%a.test -all\"\n"
    "lone-percent.test TXT \"v=spf1 exists:x%.test -all\"\n"
    "unknown-mod.test TXT \"v=spf1 foo=bar +all\"\n"
    "unknown-mod2.test TXT \"v=spf1 moo.cow=%{d} ip4:192.0.2.10 -all\"\n";

struct eval_case {
	const char		*name;
	const char		*domain;
	const char		*ip;		/* NULL: 192.0.2.10 */
	const char		*sender;	/* NULL: alice@<domain> */
	enum spf_result		 want;
	const char		*mechanism;	/* NULL: not checked */
	const char		*explanation;	/* NULL: there is none */
	const char		*reason;	/* substring; NULL: not checked */
	int			 terms, voids;	/* -1: not checked */
};

#define V6	"2001:db8::10"

static const struct eval_case cases[] = {
	/* all and qualifiers */
	{ "+all", "all-pass.test", NULL, NULL, SPF_PASS, "+all", NULL,
	    "matched +all", 0, 0 },
	{ "-all", "all-fail.test", NULL, NULL, SPF_FAIL, "-all", NULL, NULL,
	    0, 0 },
	{ "~all", "all-soft.test", NULL, NULL, SPF_SOFTFAIL, "~all", NULL,
	    NULL, -1, -1 },
	{ "?all", "all-neutral.test", NULL, NULL, SPF_NEUTRAL, "?all", NULL,
	    NULL, -1, -1 },
	{ "all without qualifier", "all-default.test", NULL, NULL, SPF_PASS,
	    "all", NULL, NULL, -1, -1 },
	{ "upper case record", "upper.test", NULL, NULL, SPF_PASS, NULL, NULL,
	    NULL, -1, -1 },
	{ "empty record: neutral", "empty.test", NULL, NULL, SPF_NEUTRAL, "",
	    NULL, "no mechanism matched", -1, -1 },
	{ "TXT strings joined", "split.test", NULL, NULL, SPF_PASS,
	    "ip4:192.0.2.10", NULL, NULL, -1, -1 },
	{ "trailing dot in domain", "all-pass.test.", NULL, NULL, SPF_PASS,
	    NULL, NULL, NULL, -1, -1 },
	/* ip4 */
	{ "ip4 /24 match", "ip4.test", NULL, NULL, SPF_PASS,
	    "ip4:192.0.2.0/24", NULL, "matched ip4:192.0.2.0/24", 0, 0 },
	{ "ip4 /24 no match", "ip4.test", "198.51.100.1", NULL, SPF_FAIL,
	    "-all", NULL, NULL, -1, -1 },
	{ "ip4 /32 match", "ip4-32.test", NULL, NULL, SPF_PASS, NULL, NULL,
	    NULL, -1, -1 },
	{ "ip4 /32 neighbour", "ip4-32.test", "192.0.2.11", NULL, SPF_FAIL,
	    NULL, NULL, NULL, -1, -1 },
	{ "ip4 /0 any", "ip4-0.test", "203.0.113.200", NULL, SPF_PASS, NULL,
	    NULL, NULL, -1, -1 },
	{ "ip4 /30 covers .8-.11", "ip4-30.test", "192.0.2.11", NULL,
	    SPF_PASS, NULL, NULL, NULL, -1, -1 },
	{ "ip4 /31 covers .8-.9 only", "ip4-31.test", NULL, NULL, SPF_FAIL,
	    NULL, NULL, NULL, -1, -1 },
	{ "ip4 never matches IPv6", "ip4-0.test", V6, NULL, SPF_FAIL, NULL,
	    NULL, NULL, -1, -1 },
	{ "IPv4-mapped IPv6 is IPv4", "ip4.test", "::ffff:192.0.2.10", NULL,
	    SPF_PASS, NULL, NULL, NULL, -1, -1 },
	{ "IPv4-mapped never matches ip6", "ip6-0.test", "::ffff:192.0.2.10",
	    NULL, SPF_FAIL, NULL, NULL, NULL, -1, -1 },
	/* ip6 */
	{ "ip6 /32 match", "ip6.test", V6, NULL, SPF_PASS,
	    "ip6:2001:db8::/32", NULL, NULL, -1, -1 },
	{ "ip6 /32 no match", "ip6.test", "2001:db9::1", NULL, SPF_FAIL,
	    NULL, NULL, NULL, -1, -1 },
	{ "ip6 /128 match", "ip6-128.test", V6, NULL, SPF_PASS, NULL, NULL,
	    NULL, -1, -1 },
	{ "ip6 /128 neighbour", "ip6-128.test", "2001:db8::11", NULL,
	    SPF_FAIL, NULL, NULL, NULL, -1, -1 },
	{ "ip6 /0 any", "ip6-0.test", "fe80::1", NULL, SPF_PASS, NULL, NULL,
	    NULL, -1, -1 },
	{ "ip6 /124 edge in", "ip6-124.test", "2001:db8::2f", NULL, SPF_PASS,
	    NULL, NULL, NULL, -1, -1 },
	{ "ip6 /124 edge out", "ip6-124.test", "2001:db8::30", NULL,
	    SPF_FAIL, NULL, NULL, NULL, -1, -1 },
	{ "ip6 never matches IPv4", "ip6-0.test", NULL, NULL, SPF_FAIL, NULL,
	    NULL, NULL, -1, -1 },
	/* a */
	{ "a IPv4 match", "a.test", NULL, NULL, SPF_PASS, "a", NULL, NULL,
	    1, 0 },
	{ "a IPv6 match (AAAA)", "a.test", V6, NULL, SPF_PASS, "a", NULL,
	    NULL, 1, 0 },
	{ "a no match", "a.test", "192.0.2.11", NULL, SPF_FAIL, "-all", NULL,
	    NULL, 1, 0 },
	{ "a:domain", "a-other.test", NULL, NULL, SPF_PASS,
	    "a:host.a.test", NULL, NULL, -1, -1 },
	{ "a:domain IPv6, no AAAA: void", "a-other.test", V6, NULL, SPF_FAIL,
	    NULL, NULL, NULL, 1, 1 },
	{ "a dual cidr /24 IPv4", "a-cidr.test", NULL, NULL, SPF_PASS, NULL,
	    NULL, NULL, -1, -1 },
	{ "a dual cidr //64 IPv6", "a-cidr.test", V6, NULL, SPF_PASS, NULL,
	    NULL, NULL, -1, -1 },
	{ "a dual cidr //64 IPv6 out", "a-cidr.test", "2001:db8:0:1::10",
	    NULL, SPF_FAIL, NULL, NULL, NULL, -1, -1 },
	{ "a without cidr IPv4", "a-nocidr.test", NULL, NULL, SPF_FAIL, NULL,
	    NULL, NULL, -1, -1 },
	{ "a without cidr IPv6", "a-nocidr.test", V6, NULL, SPF_FAIL, NULL,
	    NULL, NULL, -1, -1 },
	{ "a with %{l} macro", "a-macro.test", NULL, NULL, SPF_PASS, NULL,
	    NULL, NULL, -1, -1 },
	{ "a with %{l}, other user", "a-macro.test", NULL, "bob@a-macro.test",
	    SPF_FAIL, NULL, NULL, NULL, 1, 1 },
	{ "a lookup times out", "a-timeout.test", NULL, NULL, SPF_TEMPERROR,
	    "", NULL, "DNS timeout for timeout.test A", -1, -1 },
	/* mx */
	{ "mx IPv4 match", "mx.test", NULL, NULL, SPF_PASS, "mx", NULL, NULL,
	    1, 0 },
	{ "mx IPv6 match", "mx.test", V6, NULL, SPF_PASS, "mx", NULL, NULL,
	    1, 0 },
	{ "mx no match", "mx.test", "192.0.2.11", NULL, SPF_FAIL, NULL, NULL,
	    NULL, 1, 0 },
	{ "mx dual cidr IPv4", "mx-cidr.test", NULL, NULL, SPF_PASS, NULL,
	    NULL, NULL, -1, -1 },
	{ "mx dual cidr IPv6", "mx-cidr.test", V6, NULL, SPF_PASS, NULL,
	    NULL, NULL, -1, -1 },
	{ "mx dual cidr IPv4 out", "mx-cidr.test", "192.0.2.12", NULL,
	    SPF_FAIL, NULL, NULL, NULL, -1, -1 },
	{ "null MX never matches", "mx-null.test", NULL, NULL, SPF_FAIL, NULL,
	    NULL, NULL, -1, -1 },
	{ "10 MX names", "mx10.test", NULL, NULL, SPF_PASS, "mx", NULL, NULL,
	    1, 0 },
	{ "11 MX names", "mx11.test", NULL, NULL, SPF_PERMERROR, "", NULL,
	    "11 MX names", -1, -1 },
	{ "mx SERVFAIL", "mx-servfail.test", NULL, NULL, SPF_TEMPERROR, NULL,
	    NULL, "DNS SERVFAIL for servfail.test MX", -1, -1 },
	/* ptr */
	{ "ptr IPv4 match", "ptr.test", NULL, NULL, SPF_PASS, "ptr", NULL,
	    NULL, 1, 0 },
	{ "ptr IPv6 match", "ptr.test", V6, NULL, SPF_PASS, "ptr", NULL,
	    NULL, 1, 0 },
	{ "ptr other domain", "ptr-other.test", NULL, NULL, SPF_FAIL, NULL,
	    NULL, NULL, -1, -1 },
	{ "ptr name not validated", "ptr.test", "192.0.2.20", NULL, SPF_FAIL,
	    NULL, NULL, NULL, -1, -1 },
	{ "ptr no PTR: void", "ptr.test", "192.0.2.30", NULL, SPF_FAIL, NULL,
	    NULL, NULL, 1, 1 },
	{ "ptr PTR timeout: no match (5.5)", "ptr.test", "192.0.2.40", NULL,
	    SPF_FAIL, "-all", NULL, NULL, 1, 0 },
	{ "%{p} validated name", "pmacro.test", NULL, NULL, SPF_PASS, NULL,
	    NULL, NULL, -1, -1 },
	{ "%{p} unknown", "pmacro.test", "192.0.2.30", NULL, SPF_FAIL, NULL,
	    NULL, NULL, -1, -1 },
	/* exists */
	{ "exists match", "exists.test", NULL, NULL, SPF_PASS,
	    "exists:%{ir}.list.exists.test", NULL, NULL, 1, 0 },
	{ "exists no match: void", "exists.test", "192.0.2.11", NULL,
	    SPF_FAIL, NULL, NULL, NULL, 1, 1 },
	{ "exists IPv6 asks A", "exists6.test", V6, NULL, SPF_PASS, NULL,
	    NULL, NULL, -1, -1 },
	{ "exists SERVFAIL", "exists-servfail.test", NULL, NULL,
	    SPF_TEMPERROR, NULL, NULL, "SERVFAIL", -1, -1 },
	/* include (RFC 7208 5.2 table) */
	{ "include pass: match", "include-pass.test", NULL, NULL, SPF_PASS,
	    "include:all-pass.test", NULL, NULL, 1, 0 },
	{ "include fail: no match", "include-fail.test", NULL, NULL,
	    SPF_SOFTFAIL, "~all", NULL, NULL, -1, -1 },
	{ "include softfail: no match", "include-soft.test", NULL, NULL,
	    SPF_FAIL, "-all", NULL, NULL, -1, -1 },
	{ "include neutral: no match", "include-neutral.test", NULL, NULL,
	    SPF_FAIL, "-all", NULL, NULL, -1, -1 },
	{ "include temperror", "include-temp.test", NULL, NULL,
	    SPF_TEMPERROR, NULL, NULL, "timeout", -1, -1 },
	{ "include permerror", "include-perm.test", NULL, NULL,
	    SPF_PERMERROR, NULL, NULL, NULL, -1, -1 },
	{ "include of NXDOMAIN", "include-none.test", NULL, NULL,
	    SPF_PERMERROR, NULL, NULL, "no SPF record", -1, -1 },
	{ "include of a domain without SPF", "include-norec.test", NULL, NULL,
	    SPF_PERMERROR, NULL, NULL, "no SPF record", -1, -1 },
	{ "-include of a pass", "include-minus.test", NULL, NULL, SPF_FAIL,
	    "-include:all-pass.test", NULL, NULL, -1, -1 },
	{ "include of a bad name", "include-bad.test", NULL,
	    "a..b@include-bad.test", SPF_PERMERROR, NULL, NULL,
	    "not a domain name", -1, -1 },
	/* redirect */
	{ "redirect pass", "redirect.test", NULL, NULL, SPF_PASS,
	    "ip4:192.0.2.0/24", NULL, NULL, 1, 0 },
	{ "redirect fail", "redirect.test", "198.51.100.1", NULL, SPF_FAIL,
	    "-all", NULL, NULL, 1, 0 },
	{ "redirect ignored with all", "redirect-all.test", NULL, NULL,
	    SPF_NEUTRAL, "?all", NULL, NULL, 0, 0 },
	{ "redirect after no match", "redirect-after.test", NULL, NULL,
	    SPF_PASS, "+all", NULL, NULL, 1, 0 },
	{ "redirect to NXDOMAIN", "redirect-none.test", NULL, NULL,
	    SPF_PERMERROR, NULL, NULL, "no SPF record", -1, -1 },
	/* exp */
	{ "exp with macros", "exp.test", NULL, "alice@exp.test", SPF_FAIL,
	    "-all", "192.0.2.10 may not send for exp.test (alice@exp.test); "
	    "see https://exp.test/spf?ip=192.0.2.10&p=mail.ptr.test"
	    "&at=1400000000&by=mx.receiver.example", NULL, 0, 0 },
	{ "exp IPv6 escaped, %{p}", "exp.test", V6, "alice@exp.test",
	    SPF_FAIL, "-all", FWD6 " may not send for exp.test "
	    "(alice@exp.test); see https://exp.test/spf?ip=2001%3Adb8%3A%3A10"
	    "&p=mail.ptr.test&at=1400000000&by=mx.receiver.example", NULL,
	    0, 0 },
	{ "redirect: the target's exp", "redirect-exp.test", NULL,
	    "alice@redirect-exp.test", SPF_FAIL, NULL, "192.0.2.10 may not "
	    "send for exp.test (alice@redirect-exp.test); see "
	    "https://redirect-exp.test/spf?ip=192.0.2.10&p=mail.ptr.test"
	    "&at=1400000000&by=mx.receiver.example", NULL, -1, -1 },
	{ "include: the includer's exp", "exp-include.test", NULL, NULL,
	    SPF_FAIL, "-all", "outer says no to helo.example.org", NULL,
	    -1, -1 },
	{ "exp with a bad macro: none", "exp-bad.test", NULL, NULL, SPF_FAIL,
	    NULL, NULL, NULL, -1, -1 },
	{ "exp name missing: none", "exp-missing.test", NULL, NULL, SPF_FAIL,
	    NULL, NULL, NULL, 0, 0 },
	{ "exp with two TXT: none", "exp-two.test", NULL, NULL, SPF_FAIL,
	    NULL, NULL, NULL, -1, -1 },
	{ "exp timeout: none, still fail", "exp-timeout.test", NULL, NULL,
	    SPF_FAIL, "-all", NULL, "matched -all", -1, -1 },
	{ "exp only for fail", "exp-soft.test", NULL, NULL, SPF_SOFTFAIL,
	    NULL, NULL, NULL, -1, -1 },
	/* the 10-term limit */
	{ "exactly 10 terms", "terms10.test", NULL, NULL, SPF_FAIL, "-all",
	    NULL, NULL, 10, 0 },
	{ "11 terms", "terms11.test", NULL, NULL, SPF_PERMERROR, "", NULL,
	    "10 DNS-querying terms exceeded (RFC 7208 4.6.4)", 10, 0 },
	{ "ip4 after 10 terms is free", "terms10-ip.test", NULL, NULL,
	    SPF_PASS, NULL, NULL, NULL, 10, 0 },
	{ "include + 9 = 10", "terms-inc10.test", NULL, NULL, SPF_FAIL,
	    "-all", NULL, NULL, 10, 0 },
	{ "include + 10 = 11", "terms-inc11.test", NULL, NULL, SPF_PERMERROR,
	    NULL, NULL, "exceeded", -1, -1 },
	{ "10 + redirect = 11", "terms-redirect11.test", NULL, NULL,
	    SPF_PERMERROR, NULL, NULL, "exceeded", -1, -1 },
	{ "terms after a match are not evaluated", "terms-after.test", NULL,
	    NULL, SPF_PASS, "+all", NULL, NULL, 0, 0 },
	/* void lookups */
	{ "2 void lookups", "void2.test", NULL, NULL, SPF_FAIL, "-all", NULL,
	    NULL, 2, 2 },
	{ "3 void lookups", "void3.test", NULL, NULL, SPF_PERMERROR, NULL,
	    NULL, "void lookups", 3, 3 },
	/* loops */
	{ "include loop", "loop-inc.test", NULL, NULL, SPF_PERMERROR, NULL,
	    NULL, "exceeded", -1, -1 },
	{ "redirect loop", "loop-redirect.test", NULL, NULL, SPF_PERMERROR,
	    NULL, NULL, "exceeded", -1, -1 },
	{ "include loop of two", "loop-a.test", NULL, NULL, SPF_PERMERROR,
	    NULL, NULL, "exceeded", -1, -1 },
	/* record selection and DNS errors */
	{ "two SPF records", "two.test", NULL, NULL, SPF_PERMERROR, NULL,
	    NULL, "2 SPF records", -1, -1 },
	{ "other TXT records ignored", "mixed.test", NULL, NULL, SPF_PASS,
	    NULL, NULL, NULL, -1, -1 },
	{ "SPF type 99 never asked", "spf99.test", NULL, NULL, SPF_NONE, NULL,
	    NULL, "no SPF record", -1, -1 },
	{ "no SPF record", "norecord.test", NULL, NULL, SPF_NONE, NULL, NULL,
	    "no SPF record", 0, 0 },
	{ "NXDOMAIN", "nothing.test", NULL, NULL, SPF_NONE, NULL, NULL, NULL,
	    0, 0 },
	{ "TIMEOUT", "timeout.test", NULL, NULL, SPF_TEMPERROR, NULL, NULL,
	    "DNS timeout for timeout.test TXT", -1, -1 },
	{ "SERVFAIL", "servfail.test", NULL, NULL, SPF_TEMPERROR, NULL, NULL,
	    "DNS SERVFAIL for servfail.test TXT", -1, -1 },
	/* malformed domains (RFC 7208 4.3) */
	{ "single label", "localhost", NULL, NULL, SPF_NONE, NULL, NULL,
	    "malformed", -1, -1 },
	{ "empty label", "a..test", NULL, NULL, SPF_NONE, NULL, NULL,
	    "malformed", -1, -1 },
	{ "leading dot", ".all-pass.test", NULL, NULL, SPF_NONE, NULL, NULL,
	    "malformed", -1, -1 },
	{ "64-byte label", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaa.test", NULL, NULL, SPF_NONE, NULL, NULL, "malformed",
	    -1, -1 },
	{ "empty domain", "", NULL, "alice@", SPF_NONE, NULL, NULL,
	    "malformed", -1, -1 },
	/* syntax */
	{ "unknown mechanism", "syntax.test", NULL, NULL, SPF_PERMERROR, NULL,
	    NULL, "unknown mechanism", -1, -1 },
	{ "ip4:300.1.1.1", "bad-ip4.test", NULL, NULL, SPF_PERMERROR, NULL,
	    NULL, "ip4", -1, -1 },
	{ "a//129", "bad-cidr.test", NULL, NULL, SPF_PERMERROR, NULL, NULL,
	    "cidr", -1, -1 },
	{ "duplicate redirect", "dup-redirect.test", NULL, NULL,
	    SPF_PERMERROR, NULL, NULL, "twice", -1, -1 },
	{ "error after the matching term", "late-error.test", NULL, NULL,
	    SPF_PERMERROR, NULL, NULL, NULL, 0, 0 },
	{ "%a in a domain-spec", "bad-macro.test", NULL, NULL, SPF_PERMERROR,
	    NULL, NULL, NULL, -1, -1 },
	{ "lone % in a domain-spec", "lone-percent.test", NULL, NULL,
	    SPF_PERMERROR, NULL, NULL, NULL, -1, -1 },
	{ "unknown modifier ignored", "unknown-mod.test", NULL, NULL,
	    SPF_PASS, "+all", NULL, NULL, -1, -1 },
	{ "unknown modifier with macro ignored", "unknown-mod2.test", NULL,
	    NULL, SPF_PASS, NULL, NULL, NULL, -1, -1 },
};

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

static void
test_cases(void **state)
{
	struct dns_resolver *r = load_zone();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct eval_case *t = &cases[i];
		char sender[300];
		struct spf_request req;
		struct spf_answer a;
		struct err e;

		print_message("case: %s\n", t->name);
		snprintf(sender, sizeof(sender), "alice@%s", t->domain);
		memset(&req, 0, sizeof(req));
		req.ip = t->ip != NULL ? t->ip : "192.0.2.10";
		req.sender = t->sender != NULL ? t->sender : sender;
		req.helo = "helo.example.org";
		req.domain = t->domain;
		req.receiver = "mx.receiver.example";
		req.now = 1400000000;
		assert_int_equal(spf_eval_check_host(r, &req, &a, &e), 0);
		if (a.result != t->want || (t->reason != NULL &&
		    strstr(a.reason, t->reason) == NULL))
			print_message("  got %s (%s), want %s (%s)\n",
			    spf_result_name(a.result), a.reason,
			    spf_result_name(t->want),
			    t->reason != NULL ? t->reason : "");
		assert_string_equal(spf_result_name(a.result),
		    spf_result_name(t->want));
		if (t->reason != NULL)
			assert_non_null(strstr(a.reason, t->reason));
		if (t->mechanism != NULL)
			assert_string_equal(a.mechanism, t->mechanism);
		if (t->explanation == NULL) {
			if (a.explanation != NULL)
				print_message("  explanation: %s\n",
				    a.explanation);
			assert_null(a.explanation);
		} else {
			assert_non_null(a.explanation);
			assert_string_equal(a.explanation, t->explanation);
		}
		if (t->terms >= 0)
			assert_int_equal(a.dns_terms, t->terms);
		if (t->voids >= 0)
			assert_int_equal(a.void_lookups, t->voids);
		spf_answer_free(&a);
	}
	dns_resolver_free(r);
}

/* An elapsed deadline is a timeout before any query is made. */
static void
test_deadline(void **state)
{
	struct dns_resolver *r = load_zone();
	struct timespec past;
	struct spf_request req;
	struct spf_answer a;
	struct err e;

	(void)state;
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &past), 0);
	past.tv_sec -= 1;
	memset(&req, 0, sizeof(req));
	req.ip = "192.0.2.10";
	req.sender = "alice@all-pass.test";
	req.domain = "all-pass.test";
	req.deadline = &past;
	assert_int_equal(spf_eval_check_host(r, &req, &a, &e), 0);
	assert_int_equal(a.result, SPF_TEMPERROR);
	assert_non_null(strstr(a.reason, "timeout"));
	spf_answer_free(&a);

	/* a deadline in the future changes nothing */
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &past), 0);
	past.tv_sec += 60;
	assert_int_equal(spf_eval_check_host(r, &req, &a, &e), 0);
	assert_int_equal(a.result, SPF_PASS);
	spf_answer_free(&a);
	dns_resolver_free(r);
}

/* A NULL sender is postmaster@<domain>; a bad IP is a failure. */
static void
test_request_edges(void **state)
{
	struct dns_resolver *r = load_zone();
	struct spf_request req;
	struct spf_answer a;
	struct err e;

	(void)state;
	memset(&req, 0, sizeof(req));
	req.ip = "192.0.2.10";
	req.domain = "exp.test";
	assert_int_equal(spf_eval_check_host(r, &req, &a, &e), 0);
	assert_int_equal(a.result, SPF_FAIL);
	assert_non_null(a.explanation);
	assert_non_null(strstr(a.explanation, "(postmaster@exp.test)"));
	assert_non_null(strstr(a.explanation, "by=unknown"));
	spf_answer_free(&a);

	req.ip = "not-an-ip";
	assert_int_equal(spf_eval_check_host(r, &req, &a, &e), -1);
	assert_int_equal(a.result, SPF_TEMPERROR);
	assert_null(a.explanation);
	spf_answer_free(&a);
	spf_answer_free(NULL);
	dns_resolver_free(r);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(spf_result_name(SPF_NONE), "none");
	assert_string_equal(spf_result_name(SPF_NEUTRAL), "neutral");
	assert_string_equal(spf_result_name(SPF_PASS), "pass");
	assert_string_equal(spf_result_name(SPF_FAIL), "fail");
	assert_string_equal(spf_result_name(SPF_SOFTFAIL), "softfail");
	assert_string_equal(spf_result_name(SPF_TEMPERROR), "temperror");
	assert_string_equal(spf_result_name(SPF_PERMERROR), "permerror");
	assert_int_equal(spf_result_auth(SPF_NONE), AUTH_NONE);
	assert_int_equal(spf_result_auth(SPF_NEUTRAL), AUTH_NEUTRAL);
	assert_int_equal(spf_result_auth(SPF_PASS), AUTH_PASS);
	assert_int_equal(spf_result_auth(SPF_FAIL), AUTH_FAIL);
	assert_int_equal(spf_result_auth(SPF_SOFTFAIL), AUTH_SOFTFAIL);
	assert_int_equal(spf_result_auth(SPF_TEMPERROR), AUTH_TEMPERROR);
	assert_int_equal(spf_result_auth(SPF_PERMERROR), AUTH_PERMERROR);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_request_edges),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
