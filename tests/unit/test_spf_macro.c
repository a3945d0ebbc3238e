/* SPDX-License-Identifier: ISC */
/*
 * test_spf_macro.c - unit tests for spf_macro.c: every example of
 * RFC 7208 section 7.4 exactly as the RFC lists them, URL escaping,
 * the exp-only letters, syntax errors, and the 253-byte shortening of 7.3.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "spf_macro.h"

/* RFC 7208 7.4: the PTR domain name of the client IP is mx.example.org */
static int
p_cb(void *arg, struct buf *out, struct err *e)
{
	(void)arg;
	(void)e;
	buf_adds(out, "mx.example.org");
	return 0;
}

/* The values of RFC 7208 7.4, with the IPv4 or the IPv6 client. */
static void
vars_74(struct spf_macro_vars *v, bool v6)
{
	memset(v, 0, sizeof(*v));
	v->s = "strong-bad@email.example.com";
	v->l = "strong-bad";
	v->o = "email.example.com";
	v->d = "email.example.com";
	v->i = v6 ? "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "c.b.0.1" : "192.0.2.3";
	v->v = v6 ? "ip6" : "in-addr";
	v->h = "mx.example.org";
	v->c = v6 ? "2001:db8::cb01" : "192.0.2.3";
	v->r = "receiver.example.net";
	v->t = 1400000000;
	v->p = p_cb;
}

struct expand_case {
	const char	*name, *in;
	bool		 v6;
	const char	*want;		/* NULL: a syntax error */
};

static void
run(const struct expand_case *t, size_t n, enum spf_macro_where where)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct spf_macro_vars v;
		struct buf out = BUF_INIT;
		struct err e;
		const char *syntax = NULL, *chk;

		print_message("case: %s: %s\n", t[i].name, t[i].in);
		vars_74(&v, t[i].v6);
		assert_int_equal(spf_macro_expand(t[i].in, strlen(t[i].in),
		    where, &v, &out, &syntax, &e), 0);
		chk = spf_macro_check(t[i].in, strlen(t[i].in), where, NULL);
		if (t[i].want == NULL) {
			assert_non_null(syntax);
			assert_non_null(chk);
		} else {
			if (syntax != NULL)
				print_message("unexpected error: %s\n", syntax);
			assert_null(syntax);
			assert_null(chk);
			assert_string_equal(buf_str(&out), t[i].want);
		}
		buf_free(&out);
	}
}

/* RFC 7208 section 7.4, the tables in order. */
static void
test_rfc7208_examples(void **state)
{
	static const struct expand_case t[] = {
		{ "7.4 s", "%{s}", false, "strong-bad@email.example.com" },
		{ "7.4 o", "%{o}", false, "email.example.com" },
		{ "7.4 d", "%{d}", false, "email.example.com" },
		{ "7.4 d4", "%{d4}", false, "email.example.com" },
		{ "7.4 d3", "%{d3}", false, "email.example.com" },
		{ "7.4 d2", "%{d2}", false, "example.com" },
		{ "7.4 d1", "%{d1}", false, "com" },
		{ "7.4 dr", "%{dr}", false, "com.example.email" },
		{ "7.4 d2r", "%{d2r}", false, "example.email" },
		{ "7.4 l", "%{l}", false, "strong-bad" },
		{ "7.4 l-", "%{l-}", false, "strong.bad" },
		{ "7.4 lr", "%{lr}", false, "strong-bad" },
		{ "7.4 lr-", "%{lr-}", false, "bad.strong" },
		{ "7.4 l1r-", "%{l1r-}", false, "strong" },
		{ "7.4 ir v", "%{ir}.%{v}._spf.%{d2}", false,
		    "3.2.0.192.in-addr._spf.example.com" },
		{ "7.4 lr- lp", "%{lr-}.lp._spf.%{d2}", false,
		    "bad.strong.lp._spf.example.com" },
		{ "7.4 lr- ir", "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", false,
		    "bad.strong.lp.3.2.0.192.in-addr._spf.example.com" },
		{ "7.4 ir l1r-", "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", false,
		    "3.2.0.192.in-addr.strong.lp._spf.example.com" },
		{ "7.4 trusted", "%{d2}.trusted-domains.example.net", false,
		    "example.com.trusted-domains.example.net" },
		{ "7.4 IPv6", "%{ir}.%{v}._spf.%{d2}", true,
		    "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0."
		    "0.2.ip6._spf.example.com" },
	};

	(void)state;
	run(t, sizeof(t) / sizeof(t[0]), SPF_MACRO_DOMAIN);
}

static void
test_more_expansions(void **state)
{
	static const struct expand_case t[] = {
		{ "literal only", "_spf.example.com", false,
		    "_spf.example.com" },
		{ "%% %_ %-", "a%%b", false, "a%b" },
		{ "p letter", "%{p}", false, "mx.example.org" },
		{ "p reversed", "%{pr}", false, "org.example.mx" },
		{ "h", "%{h}", false, "mx.example.org" },
		{ "i IPv4", "%{i}", false, "192.0.2.3" },
		{ "i IPv6 nibbles", "%{i}", true,
		    "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b."
		    "0.1" },
		{ "v IPv6", "%{v}", true, "ip6" },
		{ "digits above parts", "%{d128}", false,
		    "email.example.com" },
		{ "huge digits", "%{d99999999999999999999}", false,
		    "email.example.com" },
		{ "uppercase R", "%{dR}", false, "com.example.email" },
		{ "two delimiters", "%{s-.}", false,
		    "strong.bad@email.example.com" },
		{ "URL escape S", "%{S}", false,
		    "strong-bad%40email.example.com" },
		{ "URL escape L", "%{L}", false, "strong-bad" },
		{ "uppercase D2", "%{D2}", false, "example.com" },
		{ "%a invalid", "%a", false, NULL },
		{ "lone % at end", "foo%", false, NULL },
		{ "unknown letter", "%{a}", false, NULL },
		{ "unterminated", "%{d", false, NULL },
		{ "zero digits", "%{d0}", false, NULL },
		{ "bad delimiter", "%{d:}", false, NULL },
		{ "two r", "%{drr}", false, NULL },
		{ "%(ir) of 7.1", "%(ir).sbl.example.org", false, NULL },
		{ "c not in domain", "%{c}", false, NULL },
		{ "r not in domain", "%{r}", false, NULL },
		{ "t not in domain", "%{t}", false, NULL },
		{ "space not in domain", "a b", false, NULL },
		{ "control byte", "a\tb", false, NULL },
		{ "8-bit byte", "caf\xc3\xa9", false, NULL },
	};

	(void)state;
	run(t, sizeof(t) / sizeof(t[0]), SPF_MACRO_DOMAIN);
}

static void
test_explain(void **state)
{
	static const struct expand_case t[] = {
		{ "c IPv4", "%{c}", false, "192.0.2.3" },
		{ "c IPv6", "%{c}", true, "2001:db8::cb01" },
		{ "r", "%{r}", false, "receiver.example.net" },
		{ "t", "%{t}", false, "1400000000" },
		{ "spaces", "%{i} is not one of %{d}'s designated mail servers.",
		    false, "192.0.2.3 is not one of email.example.com's "
		    "designated mail servers." },
		{ "%_ and %-", "a%_b%-c", false, "a b%20c" },
		{ "URL escape C v6", "%{C}", true, "2001%3Adb8%3A%3Acb01" },
		{ "lone %", "100%", false, NULL },
	};

	(void)state;
	run(t, sizeof(t) / sizeof(t[0]), SPF_MACRO_EXPLAIN);
}

static void
test_last_macro_end(void **state)
{
	static const struct {
		const char	*in;
		size_t		 want;
	} t[] = {
		{ "example.com", 0 },
		{ "%{d}", 4 },
		{ "%{d}.com", 4 },
		{ "x.%{d2}", 7 },
		{ "a%%", 3 },
	};
	size_t i, got;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: %s\n", t[i].in);
		assert_null(spf_macro_check(t[i].in, strlen(t[i].in),
		    SPF_MACRO_DOMAIN, &got));
		assert_int_equal(got, t[i].want);
	}
}

static void
test_shorten(void **state)
{
	struct buf b = BUF_INIT;
	size_t i;

	(void)state;
	/* 30 labels of 8 bytes: 269 bytes; 2 labels come off the left */
	for (i = 0; i < 30; i++)
		buf_printf(&b, "%slabel%03zu", i == 0 ? "" : ".", i);
	assert_int_equal(b.len, 269);
	spf_macro_shorten(&b);
	assert_true(b.len <= 253);
	assert_int_equal(strncmp(buf_str(&b), "label002.", 9), 0);
	assert_int_equal(b.len, 269 - 2 * 9);
	buf_reset(&b);
	/* one label of 300 bytes cannot be shortened */
	for (i = 0; i < 300; i++)
		buf_addc(&b, 'a');
	spf_macro_shorten(&b);
	assert_int_equal(b.len, 300);
	buf_reset(&b);
	buf_adds(&b, "short.example");
	spf_macro_shorten(&b);
	assert_string_equal(buf_str(&b), "short.example");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc7208_examples),
		cmocka_unit_test(test_more_expansions),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_last_macro_end),
		cmocka_unit_test(test_shorten),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
