/* SPDX-License-Identifier: ISC */
/*
 * test_dkim_sig.c - unit tests for dkim_sig.c, the DKIM-Signature value
 * parser (RFC 6376 section 3.5, RFC 8301, RFC 8463). Outcomes are checked
 * by their reason text, which the Authentication-Results header shows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dkim_sig.h"

#define S(lit)	lit, sizeof(lit) - 1

/* required tags other than the one a case varies */
#define REQ_NO_V "a=rsa-sha256; d=example.com; s=sel; h=from:to; " \
	"bh=YWJj; b=YWJjZA=="
#define REQ	"v=1; " REQ_NO_V

static void
check_view(const char *what, const struct taglist_view *v, const char *want)
{
	if (v->len != strlen(want) || memcmp(v->p, want, v->len) != 0) {
		print_message("%s: got \"%.*s\", want \"%s\"\n", what,
		    (int)v->len, v->p, want);
		fail();
	}
}

/* Outcome and reason for whole values; NULL reason means ok. */
static void
test_outcomes(void **state)
{
	static const struct {
		const char	*name;
		const char	*in;
		size_t		 len;
		const char	*reason;
	} t[] = {
		{ "minimal valid", S(REQ), NULL },
		{ "trailing semicolon", S(REQ ";"), NULL },
		{ "leading FWS as in a header", S(" " REQ "\r\n\t;"), NULL },
		{ "all optional tags", S(REQ "; c=relaxed/relaxed; "
		    "i=u@mail.example.com; l=10; q=dns/txt; t=100; x=200; "
		    "z=From:a@b"), NULL },
		{ "unknown tags ignored", S(REQ "; foo=bar; zz=\x7e"), NULL },
		{ "rsa-sha1 parses", S("v=1; a=rsa-sha1; d=example.com; "
		    "s=sel; h=from; bh=YWJj; b=YWJj"), NULL },
		{ "ed25519-sha256", S("v=1; a=ed25519-sha256; d=example.com; "
		    "s=sel; h=from; bh=YWJj; b=YWJj"), NULL },
		{ "algorithm case-insensitive", S("v=1; a=RSA-SHA256; "
		    "d=example.com; s=sel; h=from; bh=YWJj; b=YWJj"), NULL },
		{ "unsupported algorithm", S("v=1; a=rsa-sha512; "
		    "d=example.com; s=sel; h=from; bh=YWJj; b=YWJj"),
		    "unsupported algorithm" },
		{ "empty a=", S("v=1; a=; d=example.com; s=sel; h=from; "
		    "bh=YWJj; b=YWJj"), "unsupported algorithm" },
		{ "missing v=", S(REQ_NO_V), "missing required tag v=" },
		{ "missing a=", S("v=1; d=example.com; s=sel; h=from; "
		    "bh=YWJj; b=YWJj"), "missing required tag a=" },
		{ "missing b=", S("v=1; a=rsa-sha256; d=example.com; s=sel; "
		    "h=from; bh=YWJj"), "missing required tag b=" },
		{ "missing bh=", S("v=1; a=rsa-sha256; d=example.com; s=sel; "
		    "h=from; b=YWJj"), "missing required tag bh=" },
		{ "missing d=", S("v=1; a=rsa-sha256; s=sel; h=from; "
		    "bh=YWJj; b=YWJj"), "missing required tag d=" },
		{ "missing h=", S("v=1; a=rsa-sha256; d=example.com; s=sel; "
		    "bh=YWJj; b=YWJj"), "missing required tag h=" },
		{ "missing s=", S("v=1; a=rsa-sha256; d=example.com; h=from; "
		    "bh=YWJj; b=YWJj"), "missing required tag s=" },
		{ "v=2", S("v=2; " REQ_NO_V),
		    "unsupported version (v= is not 1)" },
		{ "v=1.0", S("v=1.0; " REQ_NO_V),
		    "unsupported version (v= is not 1)" },
		{ "duplicate tag", S(REQ "; d=example.org"), "duplicate tag" },
		{ "duplicate b=", S(REQ "; b=YWJj"), "duplicate tag" },
		{ "empty b=", S("v=1; a=rsa-sha256; d=example.com; s=sel; "
		    "h=from; bh=YWJj; b="), "empty b=" },
		{ "empty bh=", S("v=1; a=rsa-sha256; d=example.com; s=sel; "
		    "h=from; bh=; b=YWJj"), "empty bh=" },
		{ "b= bad base64", S("v=1; a=rsa-sha256; d=example.com; s=sel; "
		    "h=from; bh=YWJj; b=YW*j"),
		    "b= is not valid base64 or too long" },
		{ "bh= bad padding", S("v=1; a=rsa-sha256; d=example.com; "
		    "s=sel; h=from; bh=YWJ; b=YWJj"),
		    "bh= is not valid base64 or too long" },
		{ "empty d=", S("v=1; a=rsa-sha256; d=; s=sel; h=from; "
		    "bh=YWJj; b=YWJj"), "empty d=" },
		{ "empty s=", S("v=1; a=rsa-sha256; d=x; s=; h=from; "
		    "bh=YWJj; b=YWJj"), "empty s=" },
		{ "h= without from", S("v=1; a=rsa-sha256; d=x; s=s; "
		    "h=to:subject; bh=YWJj; b=YWJj"),
		    "h= does not include From" },
		{ "h= From any case", S("v=1; a=rsa-sha256; d=x; s=s; "
		    "h=To:FROM; bh=YWJj; b=YWJj"), NULL },
		{ "h= empty", S("v=1; a=rsa-sha256; d=x; s=s; h=; bh=YWJj; "
		    "b=YWJj"), "invalid header field name in h=" },
		{ "h= empty item", S("v=1; a=rsa-sha256; d=x; s=s; "
		    "h=from::to; bh=YWJj; b=YWJj"),
		    "invalid header field name in h=" },
		{ "h= space in name", S("v=1; a=rsa-sha256; d=x; s=s; "
		    "h=fr om; bh=YWJj; b=YWJj"),
		    "invalid header field name in h=" },
		{ "c=simple", S(REQ "; c=simple"), NULL },
		{ "c=bogus", S(REQ "; c=bogus"),
		    "unknown canonicalization (c=)" },
		{ "c=relaxed/", S(REQ "; c=relaxed/"),
		    "unknown canonicalization (c=)" },
		{ "c=/relaxed", S(REQ "; c=/relaxed"),
		    "unknown canonicalization (c=)" },
		{ "c=relaxed/relaxed/x", S(REQ "; c=relaxed/relaxed/x"),
		    "unknown canonicalization (c=)" },
		{ "i= equals d=", S(REQ "; i=@example.com"), NULL },
		{ "i= subdomain", S(REQ "; i=joe@a.b.EXAMPLE.com"), NULL },
		{ "i= outside d=", S(REQ "; i=joe@example.org"),
		    "i= not within d=" },
		{ "i= suffix but not subdomain", S(REQ "; i=joe@badexample.com"),
		    "i= not within d=" },
		{ "i= parent of d=", S("v=1; a=rsa-sha256; d=mail.example.com; "
		    "s=s; h=from; bh=YWJj; b=YWJj; i=@example.com"),
		    "i= not within d=" },
		{ "i= dot only", S(REQ "; i=@.example.com"),
		    "i= not within d=" },
		{ "i= without @", S(REQ "; i=example.com"), "i= has no @" },
		{ "l=0", S(REQ "; l=0"), NULL },
		{ "l= uint64 max", S(REQ "; l=18446744073709551615"), NULL },
		{ "l= uint64 max + 1", S(REQ "; l=18446744073709551616"),
		    "invalid or too large l=" },
		{ "l= 76 digits", S(REQ "; l=000000000000000000000000000000000"
		    "0000000000000000000000000000000000000000001"), NULL },
		{ "l= 77 digits", S(REQ "; l=0000000000000000000000000000000000"
		    "0000000000000000000000000000000000000000001"),
		    "invalid or too large l=" },
		{ "l= empty", S(REQ "; l="), "invalid or too large l=" },
		{ "l= negative", S(REQ "; l=-1"), "invalid or too large l=" },
		{ "l= hex", S(REQ "; l=0x10"), "invalid or too large l=" },
		{ "q= other", S(REQ "; q=dns/other"),
		    "unsupported query method (q=)" },
		{ "q= list with dns/txt", S(REQ "; q=foo/bar : dns/txt"), NULL },
		{ "t= not a number", S(REQ "; t=soon"), "invalid t=" },
		{ "x= empty", S(REQ "; x="), "invalid x=" },
		{ "x= before t=", S(REQ "; t=200; x=100"), "x= not after t=" },
		{ "x= equals t=", S(REQ "; t=200; x=200"), "x= not after t=" },
		{ "x= without t=", S(REQ "; x=1"), NULL },
		{ "garbage", S("\x01\x02garbage"),
		    "tag name does not start with a letter" },
		{ "NUL inside", S("v=1; a=rsa-sha256\0; d=x"),
		    "invalid byte in tag value" },
		{ "empty input", S(""), "empty tag-list" },
	};
	struct dkim_sig sig;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: %s\n", t[i].name);
		assert_int_equal(dkim_sig_parse(t[i].in, t[i].len, &sig, &e), 0);
		if (t[i].reason == NULL) {
			if (sig.outcome != DKIM_SIG_OK) {
				print_message("  want ok, got permerror: %s\n",
				    sig.reason);
				fail();
			}
			assert_null(sig.reason);
		} else {
			if (sig.outcome != DKIM_SIG_PERMERROR) {
				print_message("  want permerror \"%s\", got "
				    "ok\n", t[i].reason);
				fail();
			}
			assert_string_equal(sig.reason, t[i].reason);
		}
		dkim_sig_free(&sig);
	}
}

/* The fields of a full signature, folded as a header would be. */
static void
test_fields(void **state)
{
	static const char in[] =
	    " v=1; a=rsa-sha256; c=relaxed/simple; d=Example.com;\r\n"
	    "\ts=sel2024; t=1700000000; x=1700086400; l=1234;\r\n"
	    "\ti=joe@sub.example.COM; q=dns/txt;\r\n"
	    "\th=From : To:\r\n\tSubject:from;\r\n"
	    "\tbh=YWJj\r\n\tZGVm;\r\n"
	    "\tb=YWJj ZGVm\r\n\tZ2hp\r\n amts; z=ignored";
	struct dkim_sig sig;
	struct err e;
	const char *b;

	(void)state;
	assert_int_equal(dkim_sig_parse(in, sizeof(in) - 1, &sig, &e), 0);
	if (sig.outcome != DKIM_SIG_OK)
		print_message("permerror: %s\n", sig.reason);
	assert_int_equal(sig.outcome, DKIM_SIG_OK);
	assert_int_equal(sig.alg, DKIM_SIG_RSA_SHA256);
	assert_false(sig.weak_alg);
	assert_int_equal(sig.hcanon, CANON_RELAXED);
	assert_int_equal(sig.bcanon, CANON_SIMPLE);
	check_view("d", &sig.d, "Example.com");
	check_view("s", &sig.s, "sel2024");
	assert_true(sig.t_present);
	assert_true(sig.x_present);
	assert_true(sig.t == 1700000000);
	assert_true(sig.x == 1700086400);
	assert_true(sig.l_present);
	assert_true(sig.l == 1234);
	assert_true(sig.i_present);
	check_view("i", &sig.i, "joe@sub.example.COM");
	check_view("i local", &sig.i_local, "joe");
	check_view("i domain", &sig.i_domain, "sub.example.COM");
	assert_int_equal(sig.nh, 4);
	check_view("h[0]", &sig.h[0], "From");
	check_view("h[1]", &sig.h[1], "To");
	check_view("h[2]", &sig.h[2], "Subject");
	check_view("h[3]", &sig.h[3], "from");
	assert_int_equal(sig.bh.len, 6);
	assert_memory_equal(sig.bh.data, "abcdef", 6);
	assert_int_equal(sig.b.len, 12);
	assert_memory_equal(sig.b.data, "abcdefghijkl", 12);
	/* the raw b= value, folds included, for blanking (3.7) */
	b = strstr(in, "b=YWJj ZGVm") + 2;
	assert_int_equal(sig.b_off, (size_t)(b - in));
	assert_int_equal(sig.b_len, strlen("YWJj ZGVm\r\n\tZ2hp\r\n amts"));
	assert_memory_equal(in + sig.b_off, "YWJj ZGVm\r\n\tZ2hp\r\n amts",
	    sig.b_len);
	dkim_sig_free(&sig);
	dkim_sig_free(&sig);	/* twice is harmless */
}

/* Defaults (3.5) and how c= and a= map. */
static void
test_defaults(void **state)
{
	static const struct {
		const char	*name, *extra;
		enum canon_alg	 hc, bc;
		enum dkim_sig_alg alg;
		bool		 weak;
	} t[] = {
		{ "no c=", "a=rsa-sha256", CANON_SIMPLE, CANON_SIMPLE,
		    DKIM_SIG_RSA_SHA256, false },
		{ "c=relaxed alone", "a=rsa-sha256; c=relaxed", CANON_RELAXED,
		    CANON_SIMPLE, DKIM_SIG_RSA_SHA256, false },
		{ "c=simple/relaxed", "a=rsa-sha256; c=simple/relaxed",
		    CANON_SIMPLE, CANON_RELAXED, DKIM_SIG_RSA_SHA256, false },
		{ "c=Relaxed/Relaxed", "a=rsa-sha256; c=Relaxed/Relaxed",
		    CANON_RELAXED, CANON_RELAXED, DKIM_SIG_RSA_SHA256, false },
		{ "rsa-sha1 flagged", "a=rsa-sha1", CANON_SIMPLE, CANON_SIMPLE,
		    DKIM_SIG_RSA_SHA1, true },
		{ "ed25519-sha256", "a=ed25519-sha256", CANON_SIMPLE,
		    CANON_SIMPLE, DKIM_SIG_ED25519_SHA256, false },
	};
	char in[256];
	struct dkim_sig sig;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: %s\n", t[i].name);
		snprintf(in, sizeof(in), "v=1; %s; d=example.com; s=s; "
		    "h=from; bh=YWJj; b=YWJj", t[i].extra);
		assert_int_equal(dkim_sig_parse(in, strlen(in), &sig, &e), 0);
		assert_int_equal(sig.outcome, DKIM_SIG_OK);
		assert_int_equal(sig.hcanon, t[i].hc);
		assert_int_equal(sig.bcanon, t[i].bc);
		assert_int_equal(sig.alg, t[i].alg);
		assert_int_equal(sig.weak_alg, t[i].weak);
		/* extra starts "a=<name>" followed by the end or ';' */
		assert_int_equal(strncmp(t[i].extra + 2,
		    dkim_sig_alg_name(sig.alg),
		    strlen(dkim_sig_alg_name(sig.alg))), 0);
		assert_true(strchr(";", t[i].extra[2 +
		    strlen(dkim_sig_alg_name(sig.alg))]) != NULL);
		/* no i=: the AUID is "@" d */
		assert_false(sig.i_present);
		assert_int_equal(sig.i_local.len, 0);
		check_view("i domain", &sig.i_domain, "example.com");
		assert_false(sig.l_present);
		assert_false(sig.t_present);
		assert_false(sig.x_present);
		dkim_sig_free(&sig);
	}
}

/* h= with DKIM_SIG_MAX_H names passes, one more is a permerror. */
static void
test_h_cap(void **state)
{
	struct buf in = BUF_INIT;
	struct dkim_sig sig;
	struct err e;
	size_t i;

	(void)state;
	buf_adds(&in, "v=1; a=rsa-sha256; d=x; s=s; bh=YWJj; b=YWJj; h=from");
	for (i = 1; i < DKIM_SIG_MAX_H; i++)
		buf_adds(&in, ":x");
	print_message("case: %d names\n", DKIM_SIG_MAX_H);
	assert_int_equal(dkim_sig_parse(in.data, in.len, &sig, &e), 0);
	assert_int_equal(sig.outcome, DKIM_SIG_OK);
	assert_int_equal(sig.nh, DKIM_SIG_MAX_H);
	dkim_sig_free(&sig);
	buf_adds(&in, ":x");
	print_message("case: one more\n");
	assert_int_equal(dkim_sig_parse(in.data, in.len, &sig, &e), 0);
	assert_int_equal(sig.outcome, DKIM_SIG_PERMERROR);
	assert_string_equal(sig.reason, "too many header fields in h=");
	dkim_sig_free(&sig);
	buf_free(&in);
}

/* b= longer than DKIM_SIG_MAX_B decoded bytes is refused. */
static void
test_b_cap(void **state)
{
	struct buf in = BUF_INIT;
	struct dkim_sig sig;
	struct err e;
	size_t i;

	(void)state;
	buf_adds(&in, "v=1; a=rsa-sha256; d=x; s=s; bh=YWJj; h=from; b=");
	for (i = 0; i < DKIM_SIG_MAX_B / 3 + 1; i++)
		buf_adds(&in, "YWJj");
	print_message("case: b= of %d bytes\n", (DKIM_SIG_MAX_B / 3 + 1) * 3);
	assert_int_equal(dkim_sig_parse(in.data, in.len, &sig, &e), 0);
	assert_int_equal(sig.outcome, DKIM_SIG_PERMERROR);
	assert_string_equal(sig.reason, "b= is not valid base64 or too long");
	dkim_sig_free(&sig);
	buf_free(&in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_h_cap),
		cmocka_unit_test(test_b_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
