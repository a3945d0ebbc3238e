/* SPDX-License-Identifier: ISC */
/*
 * test_dns_zone.c - unit tests for the resolver interface (dns.c) and the
 * --dns-zone backend (dns_zone.c): every record type, TXT strings and
 * their escapes, NXDOMAIN against NODATA, TIMEOUT and SERVFAIL lines,
 * CNAME chains, every parse error with its line, the caps, and a file.
 * The data directory comes from the compile definition INKAN_TEST_DATA_DIR
 * (tests/data); without it the test does not build, so it cannot pass
 * by skipping its file.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "dns.h"
#include "dns_text.h"

#ifndef INKAN_TEST_DATA_DIR
#error "INKAN_TEST_DATA_DIR must name tests/data"
#endif

/*
 * Load zone text from an allocation of exactly its length, so a read past
 * the end (the parser trusting a NUL) shows under ASan.
 */
static struct dns_resolver *
load(const char *text, struct err *e)
{
	size_t len = strlen(text);
	char *copy = malloc(len > 0 ? len : 1);
	struct dns_resolver *r;

	assert_non_null(copy);
	memcpy(copy, text, len);
	r = dns_zone_from_memory(copy, len, e);
	free(copy);
	return r;
}

static void
check_lookup(struct dns_resolver *r, const char *name, const char *qname,
    enum dns_type type, const char *want)
{
	struct dns_result res;
	struct err e;
	struct buf got = BUF_INIT;

	if (dns_lookup(r, qname, type, 1000, &res, &e) == -1)
		fail_msg("%s: lookup failed: %s", name, e.msg);
	assert_false(res.secure);
	dns_text_result(&got, &res, false);
	if (strcmp(buf_str(&got), want) != 0) {
		print_message("%s: %s %s\n  got  %s\n  want %s\n", name, qname,
		    dns_type_name(type), buf_str(&got), want);
		fail();
	}
	buf_free(&got);
	dns_result_free(&res);
}

static const char zone_text[] =
    "; a zone with every type\n"
    "example.com.\t3600\tIN\tA\t192.0.2.1\n"
    "example.com 60 A 192.0.2.2\n"
    "example.com IN 60 AAAA 2001:db8::1\n"
    "example.com MX 10 mail.example.com.\n"
    "example.com mx 20 backup.example.com\n"
    "example.com TXT \"v=spf1 -all\"\n"
    "example.com NS ns1.example.com.\n"
    "example.com SPF \"v=spf1\" \" -all\"\n"
    "multi.example.com TXT \"abc\" \"def\" \"\" \"g\"\n"
    "paren.example.com TXT ( \"one\" ; comment inside\n"
    "\t\"two\" ; other comment\n"
    "\t\"three\" )\n"
    "esc.example.com TXT \"q\\\"b\\\\s\\059\\000z\\x\"\n"
    "semi.example.com TXT \"a;b#c\" ; \"not data\"\n"
    "4.2.0.192.in-addr.arpa PTR mail.example.com.\n"
    "nullmx.example.org MX 0 .\n"
    "MiXeD.Example.NET. A 198.51.100.7\n"
    "www.example.com CNAME example.com.\n"
    "a.chain.test CNAME b.chain.test\n"
    "b.chain.test CNAME c.chain.test\n"
    "c.chain.test TXT \"end of chain\"\n"
    "dangling.test CNAME nowhere.test\n"
    "loop1.test CNAME loop2.test\n"
    "loop2.test CNAME loop1.test\n"
    "self.test CNAME self.test\n"
    "h0.test CNAME h1.test\nh1.test CNAME h2.test\nh2.test CNAME h3.test\n"
    "h3.test CNAME h4.test\nh4.test CNAME h5.test\nh5.test CNAME h6.test\n"
    "h6.test CNAME h7.test\nh7.test CNAME h8.test\nh8.test A 192.0.2.8\n"
    "g0.test CNAME h0.test\n"
    "slow.test TIMEOUT\n"
    "slow.test A 192.0.2.9\n"
    "broken.test 300 IN SERVFAIL\n"
    "tocut.test CNAME slow.test\n"
    "\n"
    "   \n"
    "   ; indented comment\n"
    "crlf.test A 192.0.2.10\r\n"
    "last.test A 192.0.2.11";	/* no final newline */

static void
test_lookups(void **state)
{
	static const struct {
		const char	*name, *qname;
		enum dns_type	 type;
		const char	*want;
	} t[] = {
		{ "A, in file order", "example.com", DNS_A,
		    "OK 192.0.2.1 | 192.0.2.2" },
		{ "AAAA", "example.com", DNS_AAAA, "OK 2001:db8::1" },
		{ "MX, lowercase type", "example.com", DNS_MX,
		    "OK 10 mail.example.com | 20 backup.example.com" },
		{ "TXT", "example.com", DNS_TXT, "OK \"v=spf1 -all\"" },
		{ "SPF type", "example.com", DNS_SPF,
		    "OK \"v=spf1\" \" -all\"" },
		{ "NS", "example.com", DNS_NS, "OK ns1.example.com" },
		{ "PTR", "4.2.0.192.in-addr.arpa", DNS_PTR,
		    "OK mail.example.com" },
		{ "null MX", "nullmx.example.org", DNS_MX, "OK 0 " },
		{ "multi-string TXT", "multi.example.com", DNS_TXT,
		    "OK \"abc\" \"def\" \"\" \"g\"" },
		{ "parenthesised TXT", "paren.example.com", DNS_TXT,
		    "OK \"one\" \"two\" \"three\"" },
		{ "escapes", "esc.example.com", DNS_TXT,
		    "OK \"q\"b\\s;\\000zx\"" },
		{ "comment chars in quotes", "semi.example.com", DNS_TXT,
		    "OK \"a;b#c\"" },
		{ "NXDOMAIN", "nope.example.com", DNS_A, "NXDOMAIN" },
		{ "NXDOMAIN for a parent", "com", DNS_A, "NXDOMAIN" },
		{ "NODATA", "multi.example.com", DNS_A, "NODATA" },
		{ "NODATA for SPF", "multi.example.com", DNS_SPF, "NODATA" },
		{ "query case-insensitive", "EXAMPLE.Com", DNS_AAAA,
		    "OK 2001:db8::1" },
		{ "owner case-insensitive", "mixed.example.net", DNS_A,
		    "OK 198.51.100.7" },
		{ "trailing dot in query", "example.com.", DNS_AAAA,
		    "OK 2001:db8::1" },
		{ "CNAME followed", "www.example.com", DNS_AAAA,
		    "OK 2001:db8::1" },
		{ "CNAME asked for", "www.example.com", DNS_CNAME,
		    "OK example.com" },
		{ "CNAME to NODATA", "www.example.com", DNS_PTR, "NODATA" },
		{ "CNAME chain", "a.chain.test", DNS_TXT,
		    "OK \"end of chain\"" },
		{ "CNAME chain from middle", "B.chain.test.", DNS_TXT,
		    "OK \"end of chain\"" },
		{ "dangling CNAME", "dangling.test", DNS_A, "NXDOMAIN" },
		{ "CNAME loop", "loop1.test", DNS_A, "SERVFAIL" },
		{ "CNAME to itself", "self.test", DNS_TXT, "SERVFAIL" },
		{ "8 hops followed", "h0.test", DNS_A, "OK 192.0.2.8" },
		{ "9 hops refused", "g0.test", DNS_A, "SERVFAIL" },
		{ "TIMEOUT", "slow.test", DNS_A, "TIMEOUT" },
		{ "TIMEOUT any type", "slow.test", DNS_MX, "TIMEOUT" },
		{ "SERVFAIL with ttl and class", "broken.test", DNS_TXT,
		    "SERVFAIL" },
		{ "CNAME to TIMEOUT", "tocut.test", DNS_A, "TIMEOUT" },
		{ "CRLF line", "crlf.test", DNS_A, "OK 192.0.2.10" },
		{ "no final newline", "last.test", DNS_A, "OK 192.0.2.11" },
	};
	struct dns_resolver *r;
	struct err e;
	size_t i;

	(void)state;
	if ((r = load(zone_text, &e)) == NULL)
		fail_msg("load: %s", e.msg);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: %s\n", t[i].name);
		check_lookup(r, t[i].name, t[i].qname, t[i].type, t[i].want);
	}
	dns_resolver_free(r);
}

static void
test_txt_pieces(void **state)
{
	static const char text[] =
	    "x.test TXT \"v=DKIM1; k=rsa; \" \"p=MIGf\" \"\\000end\"\n"
	    "x.test 7 TXT \"second\"\n";
	struct dns_resolver *r;
	struct dns_result res;
	const struct dns_rr *rr;
	struct err e;

	(void)state;
	print_message("case: joined and pieces\n");
	if ((r = load(text, &e)) == NULL)
		fail_msg("load: %s", e.msg);
	assert_int_equal(dns_lookup(r, "x.test", DNS_TXT, 1000, &res, &e), 0);
	assert_int_equal(res.status, DNS_OK);
	assert_int_equal(res.n, 2);
	rr = &res.rr[0];
	assert_int_equal(rr->type, DNS_TXT);
	assert_int_equal(rr->ttl, 3600);
	assert_int_equal(rr->len, 26);
	assert_memory_equal(rr->data, "v=DKIM1; k=rsa; p=MIGf\0end", 26);
	assert_int_equal(rr->npieces, 3);
	assert_int_equal(rr->pieces[0].len, 16);
	assert_memory_equal(rr->pieces[0].data, "v=DKIM1; k=rsa; ", 16);
	assert_int_equal(rr->pieces[1].len, 6);
	assert_ptr_equal(rr->pieces[1].data, rr->data + 16);
	assert_int_equal(rr->pieces[2].len, 4);
	assert_memory_equal(rr->pieces[2].data, "\0end", 4);
	assert_int_equal(res.rr[1].ttl, 7);
	assert_string_equal((const char *)res.rr[1].data, "second");
	/* answers are copies: they outlive the resolver */
	dns_resolver_free(r);
	assert_memory_equal(res.rr[0].pieces[1].data, "p=MIGf", 6);
	dns_result_free(&res);
	assert_int_equal(res.n, 0);
	assert_null(res.rr);
	dns_result_free(&res);
	dns_result_free(NULL);
}

static void
test_parse_errors(void **state)
{
	static const struct {
		const char	*name, *text, *want;
	} t[] = {
		{ "unterminated quote",
		    "a.test A 192.0.2.1\n\nb.test TXT \"abc\n",
		    "(memory):3: unterminated quoted string" },
		{ "unterminated quote at end of input",
		    "b.test TXT \"abc\\\"", "(memory):1: unterminated" },
		{ "256-byte string", NULL,
		    "(memory):2: TXT string of 256 bytes: at most 255 "
		    "(RFC 1035 3.3); split it into strings of at most 255 "
		    "bytes: \"...\" \"...\"" },
		{ "bad IPv4", "a.test A 192.0.2.1\na.test A 192.0.2.256\n",
		    "(memory):2: bad A record \"192.0.2.256\": " },
		{ "IPv6 as A", "a.test A 2001:db8::1\n",
		    "(memory):1: bad A record \"2001:db8::1\"" },
		{ "bad IPv6", "a.test AAAA 2001:db8:::1\n",
		    "(memory):1: bad AAAA record" },
		{ "unknown type", "\n\n\na.test 60 IN FOO \"x\" \"y\"\n",
		    "(memory):4: unknown type \"FOO\"" },
		{ "meta type", "a.test AXFR \"x\"\n",
		    "(memory):1: unknown type \"AXFR\"" },
		{ "other class", "a.test CH TXT \"x\"\n",
		    "(memory):1: class CH: only IN is answered" },
		{ "missing type", "a.test 60 IN\n",
		    "(memory):1: missing type" },
		{ "missing A rdata", "a.test A\n",
		    "(memory):1: missing rdata for A" },
		{ "missing TXT rdata", "x.test A 192.0.2.1\na.test TXT ; c\n",
		    "(memory):2: missing rdata for TXT" },
		{ "missing MX rdata", "a.test MX\n",
		    "(memory):1: missing rdata for MX" },
		{ "missing MX exchange", "a.test MX 10\n",
		    "(memory):1: bad MX record \"10\": " },
		{ "bad MX preference", "a.test MX 65536 b.test\n",
		    "(memory):1: bad MX preference \"65536\": 0 to 65535" },
		{ "CERT type 0 (ldns would leak it)", "a.test CERT 0 1 2 "
		    "AAAA\n", "(memory):1: bad CERT type \"0\": 1 to 65535 "
		    "or a name" },
		{ "CERT type 65536", "a.test CERT 65536 1 2 AAAA\n",
		    "(memory):1: bad CERT type \"65536\"" },
		{ "trailing data", "a.test A 192.0.2.1 192.0.2.2\n",
		    "(memory):1: bad A record \"192.0.2.1 192.0.2.2\": " },
		{ "trailing data after TIMEOUT", "a.test TIMEOUT 5\n",
		    "(memory):1: unexpected \"5\" after TIMEOUT" },
		{ "bad \\DDD", "a.test TXT \"\\25\"\n",
		    "(memory):1: TXT string \"\\25\": bad \\DDD escape: three "
		    "digits" },
		{ "\\DDD over 255", "a.test TXT \"\\256\"\n",
		    "(memory):1: TXT string \"\\256\": bad \\DDD escape: over "
		    "255" },
		{ "unclosed paren", "a.test TXT ( \"x\"\n\"y\"\n",
		    "(memory):3: '(' opened on line 1 is never closed" },
		{ "nested paren", "a.test TXT ( ( \"x\" ) )\n",
		    "(memory):1: nested '('" },
		{ "close without open", "a.test TXT \"x\" )\n",
		    "(memory):1: ')' without '('" },
		{ "empty label", "a..test A 192.0.2.1\n",
		    "(memory):1: bad owner name \"a..test\": an empty label" },
		{ "64-byte label",
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    ".test A 192.0.2.1\n", "(memory):1: bad owner name "
		    "\"aaaa" },
		{ "bad escape in a name", "a\\25.test A 192.0.2.1\n",
		    "(memory):1: bad owner name \"a\\25.test\": a bad escape" },
		{ "relative name too long with the origin",
		    "$ORIGIN " "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.\n"
		    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
		    ".bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
		    " A 192.0.2.1\n",
		    "(memory):2: bad owner name \"bbbb" },
		{ "control byte in a name", "a\001b.test A 192.0.2.1\n",
		    "(memory):1: byte 0x01 in a name or word: write it as "
		    "\\001" },
		{ "backslash at the end of a line", "a.test\\\n",
		    "(memory):1: '\\' at the end of a line" },
		{ "bad CNAME target", "a.test CNAME b..test\n",
		    "(memory):1: bad CNAME record \"b..test\"" },
		{ "root as CNAME target", "a.test CNAME .\n",
		    "(memory):1: bad CNAME rdata: the root as target" },
		{ "blank owner first", "  A 192.0.2.2\n",
		    "(memory):1: no owner name" },
		{ "$INCLUDE", "a.test A 192.0.2.1\n$INCLUDE other.zone\n",
		    "(memory):2: $INCLUDE is not supported" },
		{ "unknown directive", "$GENERATE 1-9 h$ A 192.0.2.$\n",
		    "(memory):1: unknown directive \"$GENERATE\"" },
		{ "$TTL without value", "$TTL\n",
		    "(memory):1: $TTL takes one value" },
		{ "$TTL bad", "$TTL 1y\n", "(memory):1: bad TTL \"1y\"" },
		{ "$ORIGIN two values", "$ORIGIN a. b.\n",
		    "(memory):1: $ORIGIN takes one value" },
		{ "$ORIGIN quoted", "$ORIGIN \"a.\"\n",
		    "(memory):1: $ORIGIN is a quoted string" },
		{ "byte order mark", "\xef\xbb\xbf$ORIGIN example.com.\n",
		    "(memory):1: a UTF-8 byte order mark: save the file "
		    "without it" },
		{ "quoted owner", "\"a.test\" A 192.0.2.1\n",
		    "(memory):1: owner name is a quoted string" },
		{ "TTL too big", "a.test 2147483648 A 192.0.2.1\n",
		    "(memory):1: bad TTL \"2147483648\": seconds (or units "
		    "s m h d w) up to 2147483647 (RFC 2181 8)" },
		{ "TTL units too big", "a.test 3551w A 192.0.2.1\n",
		    "(memory):1: bad TTL \"3551w\"" },
		{ "two TTLs", "a.test 60 60 A 192.0.2.1\n",
		    "(memory):1: more than one TTL" },
		{ "huge TTL", "a.test 99999999999999999999999 A 192.0.2.1\n",
		    "(memory):1: bad TTL \"99999999999999999999999\"" },
		{ "IN twice", "a.test IN IN A 192.0.2.1\n",
		    "(memory):1: unknown type \"IN\"" },
		{ "error after CRLF lines", "a.test A 192.0.2.1\r\n"
		    "b.test A x\r\n", "(memory):2: bad A record \"x\"" },
	};
	struct dns_resolver *r;
	struct buf text = BUF_INIT;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: %s\n", t[i].name);
		buf_reset(&text);
		if (t[i].text != NULL)
			buf_adds(&text, t[i].text);
		else {
			/* the 256-byte string, built, on line 2 */
			buf_adds(&text, "ok.test TXT \"x\"\nlong.test TXT \"");
			buf_printf(&text, "%0255d\\065\" \"y\"\n", 0);
		}
		assert_false(buf_failed(&text));
		memset(e.msg, 0, sizeof(e.msg));
		r = load(buf_str(&text), &e);
		if (r != NULL) {
			dns_resolver_free(r);
			fail_msg("%s: loaded, want error \"%s\"", t[i].name,
			    t[i].want);
		}
		if (strncmp(e.msg, t[i].want, strlen(t[i].want)) != 0)
			fail_msg("%s:\n  got  \"%s\"\n  want \"%s...\"",
			    t[i].name, e.msg, t[i].want);
	}
	buf_free(&text);
}

/*
 * A zone as admins write them (RFC 1035 5.1): $ORIGIN and $TTL, '@',
 * relative names, a blank owner, parentheses with comments, escapes in
 * names and strings, SOA, NS and other types carried as data.
 */
static const char bind_text[] =
    "$ORIGIN example.com.\n"
    "$TTL 1h\n"
    "@\tIN SOA ns1 hostmaster (\n"
    "\t\t2026010101 ; serial\n"
    "\t\t7200 3600 1209600\n"
    "\t\t300 )     ; minimum\n"
    "\t\tNS ns1\n"
    "\t\tNS ns2.example.net.\n"
    "\t\tMX 10 mail\n"
    "\t\tTXT \"v=spf1 mx -all\"\n"
    "\t\tCAA 0 issue \"ca.example.net\"\n"
    "ns1\t\tA 192.0.2.53\n"
    "mail 300\tA 192.0.2.25\n"
    "\t\tAAAA 2001:db8::25\n"
    "s2026._domainkey IN TXT ( \"v=DKIM1; k=rsa; \" ; a comment\n"
    "\t\"p=MIGf\"   ; another\n"
    "\t)\n"
    "_dmarc 1d TXT \"v=DMARC1; p=reject\"\n"
    "sp\\032ace\tTXT \"space in the owner\"\n"
    "dot\\.ted\tTXT \"a dot inside a label\"\n"
    "esc TXT \"q\\\"b\\\\s\\059;(x)\" unquoted\\ word\n"
    "unq TXT v=spf1 -all\n"
    "www CNAME @\n"
    "alias CNAME mail\n"
    "_sip._tcp SRV 0 5 5060 sip\n"
    "info HINFO \"PC\" \"Linux\"\n"
    "cert CERT PKIX 1 2 AAAA\n"
    "cert CERT 1 1 2 AAAA\n"
    "gen TYPE16 \\# 4 03616263\n"
    "slow TIMEOUT\n"
    "@ SERVFAIL\n"
    "$ORIGIN sub\n"
    "@ MX 0 .\n"
    "relative A 192.0.2.77\n"
    "$ORIGIN example.org.\n"
    "$TTL 600\n"
    "abs.example.com. TXT \"absolute after a new origin\"\n"
    "broken SERVFAIL\n"
    "Mixed.Case TXT \"case\"\n";

static void
test_master_file(void **state)
{
	static const struct {
		const char	*name, *qname;
		enum dns_type	 type;
		const char	*want;
	} t[] = {
		{ "@ SERVFAIL fails the origin", "example.com", DNS_TXT,
		    "SERVFAIL" },
		{ "relative A", "ns1.example.com", DNS_A, "OK 192.0.2.53" },
		{ "blank owner repeats the previous one", "mail.example.com",
		    DNS_AAAA, "OK 2001:db8::25" },
		{ "relative DKIM key over lines", "s2026._domainkey."
		    "example.com", DNS_TXT, "OK \"v=DKIM1; k=rsa; \" "
		    "\"p=MIGf\"" },
		{ "relative _dmarc", "_dmarc.example.com", DNS_TXT,
		    "OK \"v=DMARC1; p=reject\"" },
		{ "\\032 in an owner", "sp\\032ace.example.com", DNS_TXT,
		    "OK \"space in the owner\"" },
		{ "\\032 asked as \\ ", "sp\\ ace.example.com.", DNS_TXT,
		    "OK \"space in the owner\"" },
		{ "\\. in an owner", "dot\\.ted.example.com", DNS_TXT,
		    "OK \"a dot inside a label\"" },
		{ "\\. is not a label break", "ted.example.com", DNS_TXT,
		    "NXDOMAIN" },
		{ "escapes in strings, an unquoted string", "esc.example.com",
		    DNS_TXT, "OK \"q\"b\\s;;(x)\" \"unquoted word\"" },
		{ "unquoted words are strings of their own",
		    "unq.example.com", DNS_TXT, "OK \"v=spf1\" \"-all\"" },
		{ "CNAME to @", "www.example.com", DNS_CNAME,
		    "OK example.com" },
		{ "CNAME relative, followed", "alias.example.com", DNS_A,
		    "OK 192.0.2.25" },
		{ "SRV as data: NODATA for TXT", "_sip._tcp.example.com",
		    DNS_TXT, "NODATA" },
		{ "HINFO as data", "info.example.com", DNS_A, "NODATA" },
		{ "CERT as data", "cert.example.com", DNS_TXT, "NODATA" },
		{ "RFC 3597 generic TXT", "gen.example.com", DNS_TXT,
		    "OK \"abc\"" },
		{ "relative TIMEOUT", "slow.example.com", DNS_TXT, "TIMEOUT" },
		{ "relative $ORIGIN", "sub.example.com", DNS_MX, "OK 0 " },
		{ "name under a relative $ORIGIN", "relative.sub.example.com",
		    DNS_A, "OK 192.0.2.77" },
		{ "not under the first origin", "relative.example.com",
		    DNS_A, "NXDOMAIN" },
		{ "absolute name after $ORIGIN", "abs.example.com", DNS_TXT,
		    "OK \"absolute after a new origin\"" },
		{ "relative SERVFAIL under a new origin",
		    "broken.example.org", DNS_A, "SERVFAIL" },
		{ "case-insensitive", "mixed.CASE.example.ORG", DNS_TXT,
		    "OK \"case\"" },
	};
	static const struct {
		const char	*qname;
		enum dns_type	 type;
		uint32_t	 ttl;
	} ttls[] = {
		{ "ns1.example.com", DNS_A, 3600 },	/* $TTL 1h */
		{ "mail.example.com", DNS_A, 300 },	/* its own */
		{ "mail.example.com", DNS_AAAA, 3600 },	/* not the line's */
		{ "_dmarc.example.com", DNS_TXT, 86400 },
		{ "abs.example.com", DNS_TXT, 600 },	/* a new $TTL */
	};
	struct dns_resolver *r;
	struct dns_result res;
	struct err e;
	size_t i;

	(void)state;
	if ((r = load(bind_text, &e)) == NULL)
		fail_msg("load: %s", e.msg);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: %s\n", t[i].name);
		check_lookup(r, t[i].name, t[i].qname, t[i].type, t[i].want);
	}
	for (i = 0; i < sizeof(ttls) / sizeof(ttls[0]); i++) {
		print_message("case: TTL of %s %s\n", ttls[i].qname,
		    dns_type_name(ttls[i].type));
		assert_int_equal(dns_lookup(r, ttls[i].qname, ttls[i].type,
		    1000, &res, &e), 0);
		assert_int_equal(res.status, DNS_OK);
		assert_int_equal(res.rr[0].ttl, ttls[i].ttl);
		dns_result_free(&res);
	}
	dns_resolver_free(r);
}

/* The same zone without its SERVFAIL line answers at the apex. */
static void
test_master_apex(void **state)
{
	static const struct {
		const char	*name;
		enum dns_type	 type;
		const char	*want;
	} t[] = {
		{ "NS, relative and absolute", DNS_NS,
		    "OK ns1.example.com | ns2.example.net" },
		{ "MX with a relative exchange", DNS_MX,
		    "OK 10 mail.example.com" },
		{ "@ TXT", DNS_TXT, "OK \"v=spf1 mx -all\"" },
		{ "SOA and CAA are data: NODATA", DNS_A, "NODATA" },
	};
	struct dns_resolver *r;
	struct buf text = BUF_INIT;
	struct err e;
	const char *cut;
	size_t i;

	(void)state;
	cut = strstr(bind_text, "@ SERVFAIL\n");
	assert_non_null(cut);
	buf_add(&text, bind_text, (size_t)(cut - bind_text));
	buf_adds(&text, cut + strlen("@ SERVFAIL\n"));
	assert_false(buf_failed(&text));
	if ((r = load(buf_str(&text), &e)) == NULL)
		fail_msg("load: %s", e.msg);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: apex %s\n", t[i].name);
		check_lookup(r, t[i].name, "example.com", t[i].type,
		    t[i].want);
	}
	dns_resolver_free(r);
	buf_free(&text);
}

/* Names inkan cannot use as text give SERVFAIL, as from the network. */
static void
test_unusable_names(void **state)
{
	struct dns_resolver *r;
	struct err e;

	(void)state;
	print_message("case: MX exchange with a space\n");
	if ((r = load("a.test MX 10 mail\\032x.test.\n"
	    "a.test TXT \"fine\"\n"
	    "b.test CNAME dot\\.ted.test.\n"
	    "dot\\.ted.test A 192.0.2.1\n", &e)) == NULL)
		fail_msg("load: %s", e.msg);
	check_lookup(r, "MX", "a.test", DNS_MX, "SERVFAIL");
	check_lookup(r, "other type", "a.test", DNS_TXT, "OK \"fine\"");
	check_lookup(r, "CNAME asked", "b.test", DNS_CNAME, "SERVFAIL");
	check_lookup(r, "CNAME followed", "b.test", DNS_A, "OK 192.0.2.1");
	dns_resolver_free(r);
}

/* A NUL byte cannot reach ldns, which reads C strings. */
static void
test_nul_byte(void **state)
{
	static const char text[] = "a.test TXT \"x\0y\"\n";
	struct err e;

	(void)state;
	print_message("case: NUL in a quoted string\n");
	assert_null(dns_zone_from_memory(text, sizeof(text) - 1, &e));
	assert_string_equal(e.msg, "(memory):1: byte 0x00 in a string: "
	    "write it as \\000");
	print_message("case: NUL in a name\n");
	assert_null(dns_zone_from_memory("a\0.test A 192.0.2.1\n", 20, &e));
	assert_string_equal(e.msg, "(memory):1: byte 0x00 in a name or "
	    "word: write it as \\000");
}

/* A 255-byte string is fine, and 257 strings of 254 bytes are not. */
static void
test_txt_limits(void **state)
{
	struct dns_resolver *r;
	struct dns_result res;
	struct buf text = BUF_INIT;
	struct err e;
	size_t i;

	(void)state;
	print_message("case: 255-byte string\n");
	buf_printf(&text, "a.test TXT \"%0255d\"\n", 0);
	if ((r = load(buf_str(&text), &e)) == NULL)
		fail_msg("load: %s", e.msg);
	assert_int_equal(dns_lookup(r, "a.test", DNS_TXT, 1000, &res, &e), 0);
	assert_int_equal(res.n, 1);
	assert_int_equal(res.rr[0].len, 255);
	dns_result_free(&res);
	dns_resolver_free(r);

	print_message("case: rdata over 65535 bytes\n");
	buf_reset(&text);
	buf_adds(&text, "a.test TXT (\n");
	for (i = 0; i < 258; i++)
		buf_printf(&text, "\"%0254d\"\n", 0);
	buf_adds(&text, ")\n");
	assert_null(load(buf_str(&text), &e));
	/* 65535 / 255 = 257 strings fit; the 258th is on line 259 */
	assert_string_equal(e.msg,
	    "(memory):259: TXT data over 65535 bytes (RFC 1035 3.2.1)");

	print_message("case: line over DNS_ZONE_MAX_LINE\n");
	buf_reset(&text);
	buf_adds(&text, "a.test A 192.0.2.1\n; ");
	for (i = 0; i < DNS_ZONE_MAX_LINE; i++)
		buf_addc(&text, 'x');
	buf_addc(&text, '\n');
	assert_false(buf_failed(&text));
	assert_null(load(buf_str(&text), &e));
	assert_string_equal(e.msg, "(memory):2: line longer than 262144 "
	    "bytes");
	buf_free(&text);
}

static void
test_big_zone(void **state)
{
	struct dns_resolver *r;
	struct dns_result res;
	struct buf text = BUF_INIT, want = BUF_INIT;
	struct err e;
	char name[64];
	size_t i;

	(void)state;
	print_message("case: DNS_ZONE_MAX_RECORDS records, shuffled\n");
	/* two records per name, the names in descending order */
	for (i = DNS_ZONE_MAX_RECORDS / 2; i-- > 0;) {
		buf_printf(&text, "h%zu.big.test A 10.%zu.%zu.%zu\n", i,
		    (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
		buf_printf(&text, "h%zu.big.test TXT \"n=%zu\"\n", i, i);
	}
	assert_false(buf_failed(&text));
	if ((r = load(buf_str(&text), &e)) == NULL)
		fail_msg("load: %s", e.msg);
	for (i = 0; i < DNS_ZONE_MAX_RECORDS / 2; i += 997) {
		snprintf(name, sizeof(name), "H%zu.big.test", i);
		buf_reset(&want);
		buf_printf(&want, "OK 10.%zu.%zu.%zu", (i >> 16) & 0xff,
		    (i >> 8) & 0xff, i & 0xff);
		check_lookup(r, "big A", name, DNS_A, buf_str(&want));
		buf_reset(&want);
		buf_printf(&want, "OK \"n=%zu\"", i);
		check_lookup(r, "big TXT", name, DNS_TXT, buf_str(&want));
	}
	check_lookup(r, "big miss", "h.big.test", DNS_A, "NXDOMAIN");
	check_lookup(r, "big nodata", "h0.big.test", DNS_MX, "NODATA");
	dns_resolver_free(r);

	print_message("case: one record too many\n");
	buf_adds(&text, "one.too.many A 192.0.2.1\n");
	assert_null(load(buf_str(&text), &e));
	buf_reset(&want);
	buf_printf(&want, "(memory):%d: more than %d records",
	    DNS_ZONE_MAX_RECORDS + 1, DNS_ZONE_MAX_RECORDS);
	assert_string_equal(e.msg, buf_str(&want));
	buf_free(&text);
	buf_free(&want);
	(void)res;
}

static void
test_file(void **state)
{
	static const struct {
		const char	*name, *qname;
		enum dns_type	 type;
		const char	*want;
	} t[] = {
		{ "A", "example.com", DNS_A, "OK 192.0.2.1" },
		{ "AAAA", "example.com", DNS_AAAA, "OK 2001:db8::1" },
		{ "MX", "example.com", DNS_MX,
		    "OK 10 mail.example.com | 20 backup.example.com" },
		{ "SPF in TXT", "example.com", DNS_TXT,
		    "OK \"v=spf1 ip4:192.0.2.0/24 -all\"" },
		{ "DKIM key over two lines", "sel._domainkey.example.com",
		    DNS_TXT, "OK \"v=DKIM1; k=rsa; \" "
		    "\"p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC\"" },
		{ "DMARC", "_dmarc.example.com", DNS_TXT,
		    "OK \"v=DMARC1; p=reject; rua=mailto:d@example.com\"" },
		{ "PTR", "1.2.0.192.in-addr.arpa", DNS_PTR,
		    "OK mail.example.com" },
		{ "CNAME", "WWW.example.com.", DNS_A, "OK 192.0.2.1" },
		{ "NS", "example.com", DNS_NS, "OK ns1.example.com" },
		{ "TIMEOUT", "slow.example.com", DNS_TXT, "TIMEOUT" },
		{ "SERVFAIL", "broken.example.com", DNS_A, "SERVFAIL" },
		{ "null MX", "nullmx.example.org", DNS_MX, "OK 0 " },
		{ "NXDOMAIN", "example.org", DNS_MX, "NXDOMAIN" },
		{ "NODATA", "_dmarc.example.com", DNS_A, "NODATA" },
	};
	struct dns_resolver *r;
	struct err e;
	size_t i;

	(void)state;
	print_message("case: load basic.zone\n");
	if ((r = dns_zone_open(INKAN_TEST_DATA_DIR "/dns/basic.zone", &e)) ==
	    NULL)
		fail_msg("%s", e.msg);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: basic.zone %s\n", t[i].name);
		check_lookup(r, t[i].name, t[i].qname, t[i].type, t[i].want);
	}
	dns_resolver_free(r);

	print_message("case: missing file\n");
	assert_null(dns_zone_open(INKAN_TEST_DATA_DIR "/dns/none.zone", &e));
	assert_string_equal(e.msg, INKAN_TEST_DATA_DIR
	    "/dns/none.zone: No such file or directory");
	print_message("case: a directory\n");
	assert_null(dns_zone_open(INKAN_TEST_DATA_DIR "/dns", &e));
	assert_string_equal(e.msg, INKAN_TEST_DATA_DIR
	    "/dns: not a regular file");
}

/* A parse error in a file names the file. */
static void
test_file_error(void **state)
{
	char dir[] = "/tmp/test_dns_zone.XXXXXX", path[64];
	struct err e;
	FILE *f;

	(void)state;
	print_message("case: error names the file\n");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bad.zone", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("a.test A 192.0.2.1\nb.test TXT \"open\n", f);
	assert_int_equal(fclose(f), 0);
	assert_null(dns_zone_open(path, &e));
	assert_true(strncmp(e.msg, path, strlen(path)) == 0);
	assert_string_equal(e.msg + strlen(path),
	    ":2: unterminated quoted string");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* The asynchronous shape: several queries out, waited in any order. */
static void
test_async(void **state)
{
	struct dns_resolver *r;
	struct dns_query *q1, *q2, *q3;
	struct dns_result res;
	struct timespec deadline;
	struct err e;

	(void)state;
	print_message("case: start three, cancel one, wait two\n");
	if ((r = load(zone_text, &e)) == NULL)
		fail_msg("load: %s", e.msg);
	assert_non_null(q1 = dns_start(r, "example.com", DNS_A, &e));
	assert_non_null(q2 = dns_start(r, "slow.test", DNS_TXT, &e));
	assert_non_null(q3 = dns_start(r, "multi.example.com", DNS_TXT, &e));
	dns_cancel(q1);
	dns_cancel(NULL);
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &deadline), 0);
	assert_int_equal(dns_wait(r, q3, &deadline, &res, &e), 0);
	assert_int_equal(res.status, DNS_OK);
	assert_int_equal(res.rr[0].npieces, 4);
	dns_result_free(&res);
	assert_int_equal(dns_wait(r, q2, NULL, &res, &e), 0);
	assert_int_equal(res.status, DNS_TIMEOUT);
	assert_int_equal(res.n, 0);
	dns_result_free(&res);
	dns_resolver_free(r);
	dns_resolver_free(NULL);
}

static void
test_bad_queries(void **state)
{
	static const struct {
		const char	*name, *qname;
		enum dns_type	 type;
	} t[] = {
		{ "empty name", "", DNS_A },
		{ "root", ".", DNS_A },
		{ "empty label", "a..test", DNS_A },
		{ "leading dot", ".a.test", DNS_A },
		{ "64-byte label", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test", DNS_A },
		{ "unknown type", "a.test", (enum dns_type)3 },
	};
	struct dns_resolver *r;
	struct dns_result res;
	struct buf longname = BUF_INIT;
	struct err e;
	size_t i;

	(void)state;
	if ((r = load("a.test A 192.0.2.1\n", &e)) == NULL)
		fail_msg("load: %s", e.msg);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: %s\n", t[i].name);
		assert_null(dns_start(r, t[i].qname, t[i].type, &e));
		assert_int_equal(dns_lookup(r, t[i].qname, t[i].type, 10, &res,
		    &e), -1);
		assert_int_equal(res.status, DNS_ERROR);
		dns_result_free(&res);
	}
	print_message("case: 253 and 254 bytes\n");
	for (i = 0; i < 63; i++)
		buf_adds(&longname, "abc.");
	buf_adds(&longname, "a");	/* 253 */
	assert_true(dns_name_valid(buf_str(&longname), longname.len));
	check_lookup(r, "253 bytes", buf_str(&longname), DNS_A, "NXDOMAIN");
	buf_addc(&longname, '.');
	check_lookup(r, "253 and a dot", buf_str(&longname), DNS_A,
	    "NXDOMAIN");
	buf_truncate(&longname, 253);
	buf_adds(&longname, "b");
	assert_false(dns_name_valid(buf_str(&longname), longname.len));
	assert_null(dns_start(r, buf_str(&longname), DNS_A, &e));
	buf_free(&longname);
	dns_resolver_free(r);
}

static void
test_names(void **state)
{
	static const struct {
		enum dns_type	 type;
		const char	*name;
	} t[] = {
		{ DNS_A, "A" }, { DNS_AAAA, "AAAA" }, { DNS_MX, "MX" },
		{ DNS_TXT, "TXT" }, { DNS_PTR, "PTR" }, { DNS_CNAME, "CNAME" },
		{ DNS_NS, "NS" }, { DNS_SPF, "SPF" },
	};
	enum dns_type got;
	size_t i;

	(void)state;
	print_message("case: type numbers and names\n");
	assert_int_equal(DNS_A, 1);
	assert_int_equal(DNS_AAAA, 28);
	assert_int_equal(DNS_MX, 15);
	assert_int_equal(DNS_TXT, 16);
	assert_int_equal(DNS_PTR, 12);
	assert_int_equal(DNS_CNAME, 5);
	assert_int_equal(DNS_NS, 2);
	assert_int_equal(DNS_SPF, 99);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_string_equal(dns_type_name(t[i].type), t[i].name);
		assert_int_equal(dns_type_parse(t[i].name, strlen(t[i].name),
		    &got), 0);
		assert_int_equal(got, t[i].type);
	}
	assert_int_equal(dns_type_parse("txt", 3, &got), 0);
	assert_int_equal(got, DNS_TXT);
	assert_int_equal(dns_type_parse("TXTX", 3, &got), 0);
	assert_int_equal(dns_type_parse("HINFO", 5, &got), -1);
	assert_string_equal(dns_type_name((enum dns_type)3), "?");
	assert_string_equal(dns_status_name(DNS_NXDOMAIN), "NXDOMAIN");
	assert_string_equal(dns_status_name(DNS_NODATA), "NODATA");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_txt_pieces),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_master_file),
		cmocka_unit_test(test_master_apex),
		cmocka_unit_test(test_unusable_names),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_txt_limits),
		cmocka_unit_test(test_big_zone),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_file_error),
		cmocka_unit_test(test_async),
		cmocka_unit_test(test_bad_queries),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
