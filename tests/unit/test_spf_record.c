/* SPDX-License-Identifier: ISC */
/*
 * test_spf_record.c - unit tests for spf_record.c: record selection
 * (RFC 7208 4.5) and the syntax of 4.6, 5, 6 and 12 (ABNF), including
 * CIDR edges, dual CIDR lengths, qualifiers, duplicate modifiers and
 * unknown modifiers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "spf_record.h"

static void
test_is_v1(void **state)
{
	static const struct {
		const char	*in;
		bool		 want;
	} t[] = {
		{ "v=spf1", true },
		{ "v=spf1 -all", true },
		{ "V=SPF1 -all", true },
		{ "v=spf1-all", false },
		{ "v=spf10 -all", false },
		{ "v=spf2.0/pra -all", false },
		{ " v=spf1 -all", false },
		{ "v=spf", false },
		{ "", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: \"%s\"\n", t[i].in);
		assert_int_equal(spf_record_is_v1(t[i].in, strlen(t[i].in)),
		    t[i].want);
	}
}

/* Records that parse, and what their first mechanism is. */
static void
test_valid(void **state)
{
	static const struct {
		const char		*in;
		size_t			 nmech;
		enum spf_mech_kind	 kind;
		enum spf_qual		 qual;
		const char		*domain;
		unsigned		 cidr4, cidr6;
	} t[] = {
		{ "v=spf1", 0, 0, 0, NULL, 0, 0 },
		{ "v=spf1 ", 0, 0, 0, NULL, 0, 0 },
		{ "v=spf1 -all", 1, SPF_MECH_ALL, SPF_QUAL_FAIL, "", 0, 0 },
		{ "v=spf1 ~ALL", 1, SPF_MECH_ALL, SPF_QUAL_SOFTFAIL, "", 0, 0 },
		{ "v=spf1 ?all", 1, SPF_MECH_ALL, SPF_QUAL_NEUTRAL, "", 0, 0 },
		{ "v=spf1 +all", 1, SPF_MECH_ALL, SPF_QUAL_PASS, "", 0, 0 },
		{ "v=spf1   a    mx  ", 2, SPF_MECH_A, SPF_QUAL_PASS, "", 32,
		    128 },
		{ "v=spf1 a/24//64", 1, SPF_MECH_A, SPF_QUAL_PASS, "", 24, 64 },
		{ "v=spf1 a//64", 1, SPF_MECH_A, SPF_QUAL_PASS, "", 32, 64 },
		{ "v=spf1 a/0//0", 1, SPF_MECH_A, SPF_QUAL_PASS, "", 0, 0 },
		{ "v=spf1 mx:example.com/24//128", 1, SPF_MECH_MX,
		    SPF_QUAL_PASS, "example.com", 24, 128 },
		{ "v=spf1 a:example.com.", 1, SPF_MECH_A, SPF_QUAL_PASS,
		    "example.com.", 32, 128 },
		{ "v=spf1 ptr", 1, SPF_MECH_PTR, SPF_QUAL_PASS, "", 0, 0 },
		{ "v=spf1 ?ptr:example.net", 1, SPF_MECH_PTR, SPF_QUAL_NEUTRAL,
		    "example.net", 0, 0 },
		{ "v=spf1 ip4:192.0.2.0/24", 1, SPF_MECH_IP4, SPF_QUAL_PASS,
		    "", 24, 128 },
		{ "v=spf1 ip4:0.0.0.0/0", 1, SPF_MECH_IP4, SPF_QUAL_PASS,
		    "", 0, 128 },
		{ "v=spf1 ip4:192.0.2.1", 1, SPF_MECH_IP4, SPF_QUAL_PASS,
		    "", 32, 128 },
		{ "v=spf1 ip6:2001:db8::/32", 1, SPF_MECH_IP6, SPF_QUAL_PASS,
		    "", 32, 32 },
		{ "v=spf1 ip6:::/0", 1, SPF_MECH_IP6, SPF_QUAL_PASS, "", 32,
		    0 },
		{ "v=spf1 ip6:::ffff:192.0.2.1", 1, SPF_MECH_IP6,
		    SPF_QUAL_PASS, "", 32, 128 },
		{ "v=spf1 include:_spf.example.com", 1, SPF_MECH_INCLUDE,
		    SPF_QUAL_PASS, "_spf.example.com", 0, 0 },
		{ "v=spf1 exists:%{ir}.%{v}._spf.%{d2}", 1, SPF_MECH_EXISTS,
		    SPF_QUAL_PASS, "%{ir}.%{v}._spf.%{d2}", 0, 0 },
		{ "v=spf1 -exists:%{i}", 1, SPF_MECH_EXISTS, SPF_QUAL_FAIL,
		    "%{i}", 0, 0 },
		{ "v=spf1 a:foo-bar.ex-ample", 1, SPF_MECH_A, SPF_QUAL_PASS,
		    "foo-bar.ex-ample", 32, 128 },
		{ "v=spf1 a:mail.example.1-2", 1, SPF_MECH_A, SPF_QUAL_PASS,
		    "mail.example.1-2", 32, 128 },
		{ "v=spf1 foo=bar -all", 1, SPF_MECH_ALL, SPF_QUAL_FAIL, "", 0,
		    0 },
		{ "v=spf1 x-y.z_w=%{d} -all", 1, SPF_MECH_ALL, SPF_QUAL_FAIL,
		    "", 0, 0 },
		{ "v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4", 1,
		    SPF_MECH_IP4, SPF_QUAL_PASS, "", 32, 128 },
		{ "v=spf1 foo=%{c}%{r}%{t} -all", 1, SPF_MECH_ALL,
		    SPF_QUAL_FAIL, "", 0, 0 },
		{ "v=spf1 redirect=_spf.example.com", 0, 0, 0, NULL, 0, 0 },
		{ "v=spf1 -all exp=explain._spf.%{d}", 1, SPF_MECH_ALL,
		    SPF_QUAL_FAIL, "", 0, 0 },
		{ "V=SPF1 IP4:192.0.2.1 INCLUDE:EXAMPLE.COM -ALL", 3,
		    SPF_MECH_IP4, SPF_QUAL_PASS, "", 32, 128 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct spf_record rec;
		struct err e;

		print_message("case: \"%s\"\n", t[i].in);
		assert_int_equal(spf_record_parse(t[i].in, strlen(t[i].in),
		    &rec, &e), 0);
		if (rec.error != NULL)
			print_message("error: %s\n", rec.error);
		assert_null(rec.error);
		assert_int_equal(rec.nmech, t[i].nmech);
		if (t[i].nmech > 0) {
			const struct spf_mech *m = &rec.mech[0];

			assert_int_equal(m->kind, t[i].kind);
			assert_int_equal(m->qual, t[i].qual);
			assert_int_equal(m->domain.len, strlen(t[i].domain));
			assert_memory_equal(m->domain.p, t[i].domain,
			    m->domain.len);
			if (m->kind == SPF_MECH_A || m->kind == SPF_MECH_MX ||
			    m->kind == SPF_MECH_IP4)
				assert_int_equal(m->cidr4, t[i].cidr4);
			if (m->kind == SPF_MECH_A || m->kind == SPF_MECH_MX ||
			    m->kind == SPF_MECH_IP6)
				assert_int_equal(m->cidr6, t[i].cidr6);
		}
		spf_record_free(&rec);
	}
}

static void
test_details(void **state)
{
	static const char rec1[] = "v=spf1 ip4:192.0.2.128/25 -a "
	    "redirect=_spf.example.net exp=why.example.com";
	static const unsigned char want4[4] = { 192, 0, 2, 128 };
	static const unsigned char want6[16] = { 0x20, 0x01, 0x0d, 0xb8,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xcb, 0x01 };
	struct spf_record rec;
	struct err e;
	const char *in = "v=spf1 ip6:2001:db8::cb01 all";

	(void)state;
	assert_int_equal(spf_record_parse(rec1, strlen(rec1), &rec, &e), 0);
	assert_null(rec.error);
	assert_int_equal(rec.nmech, 2);
	assert_memory_equal(rec.mech[0].addr, want4, 4);
	assert_int_equal(rec.mech[0].cidr4, 25);
	assert_int_equal(rec.mech[1].qual, SPF_QUAL_FAIL);
	assert_int_equal(rec.mech[1].term.len, 2);
	assert_memory_equal(rec.mech[1].term.p, "-a", 2);
	assert_int_equal(rec.redirect.len, strlen("_spf.example.net"));
	assert_memory_equal(rec.redirect.p, "_spf.example.net",
	    rec.redirect.len);
	assert_memory_equal(rec.exp.p, "why.example.com", rec.exp.len);
	assert_false(rec.has_all);
	spf_record_free(&rec);

	assert_int_equal(spf_record_parse(in, strlen(in), &rec, &e), 0);
	assert_null(rec.error);
	assert_memory_equal(rec.mech[0].addr, want6, 16);
	assert_true(rec.has_all);
	spf_record_free(&rec);
}

/* RFC 7208 4.6: any syntax error anywhere makes the record a permerror. */
static void
test_invalid(void **state)
{
	static const char *t[] = {
		"v=spf1 foo",			/* unknown mechanism */
		"v=spf1 -all foo",
		"v=spf1 ip4:300.1.1.1",
		"v=spf1 ip4:1.2.3",
		"v=spf1 ip4:1.2.3.4.5",
		"v=spf1 ip4:01.2.3.4",		/* no leading zeros (qnum) */
		"v=spf1 ip4:1.2.3.4/33",
		"v=spf1 ip4:1.2.3.4/",
		"v=spf1 ip4:1.2.3.4/08",
		"v=spf1 ip4",
		"v=spf1 ip4:",
		"v=spf1 ip6:2001:db8::/129",
		"v=spf1 ip6:2001:db8:::1",
		"v=spf1 ip6:192.0.2.1",
		"v=spf1 a//129",
		"v=spf1 a/33",
		"v=spf1 a/24//",
		"v=spf1 mx/-1",
		"v=spf1 a:",
		"v=spf1 a:example",		/* not "." toplabel */
		"v=spf1 a:1.2.3.4",		/* all-numeric toplabel */
		"v=spf1 a:example.-com",
		"v=spf1 a:example.com-",
		"v=spf1 a:example.com..",
		"v=spf1 ptr/24",
		"v=spf1 include",
		"v=spf1 include:",
		"v=spf1 exists",
		"v=spf1 all:example.com",
		"v=spf1 all/24",
		"v=spf1 -",
		"v=spf1 +-all",
		"v=spf1 redirect=a.example.com redirect=b.example.com",
		"v=spf1 exp=a.example.com exp=b.example.com",
		"v=spf1 redirect=",
		"v=spf1 exp=",
		"v=spf1 +redirect=example.com",
		"v=spf1 exists:%(ir).sbl.example.org",
		"v=spf1 exists:%{a}.example.org",
		"v=spf1 exists:%{i}.%",
		"v=spf1 exists:%{c}.example.org",	/* c only in exp */
		"v=spf1 include:%{d0}.example.org",
		"v=spf1 foo=%",			/* unknown modifier, bad value */
		"v=spf1 foo:bar=baz",
		"v=spf1 -all\t",
		"v=spf1 a:exa\x01mple.com",
		"v=spf1 \xff",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct spf_record rec;
		struct err e;

		print_message("case: \"%s\"\n", t[i]);
		assert_int_equal(spf_record_parse(t[i], strlen(t[i]), &rec,
		    &e), 0);
		assert_non_null(rec.error);
		print_message("  error: %s\n", rec.error);
		spf_record_free(&rec);
	}
}

/* Records hold NUL bytes at times; they are a syntax error, not the end. */
static void
test_nul(void **state)
{
	static const char in[] = "v=spf1 -all\0 +all";
	struct spf_record rec;
	struct err e;

	(void)state;
	assert_int_equal(spf_record_parse(in, sizeof(in) - 1, &rec, &e), 0);
	assert_non_null(rec.error);
	spf_record_free(&rec);
	spf_record_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_v1),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_details),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_nul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
