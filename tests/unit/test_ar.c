/* SPDX-License-Identifier: ISC */
/*
 * test_ar.c - unit tests for ar.c: the Authentication-Results value we
 * write (RFC 8601 section 2.2; values are RFC 2045 tokens or quoted
 * strings), the authserv-id reader that finds forged fields (section 5)
 * the reader of a trusted relay's spf results, and the general reader of
 * every result (an ARC sealer's ARC-Authentication-Results).
 * Every ar_claims() input is passed as an exact-size malloc'd copy with no
 * NUL after it, so a read past len shows up under AddressSanitizer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ar.h"
#include "auth_result.h"
#include "buf.h"

#define ID	"mx.example"

/* One resinfo added after ar_begin(ID): the whole value we want. */
static void
test_ar_add(void **state)
{
	static const char *const dkim_props[] = {
		"header.d", "example.com",
		"header.s", "sel1",
		"header.b", "ab/+cd=e",
		NULL,
	};
	static const char *const plus_only[] = {
		"header.b", "Ab+9xYz0",
		NULL,
	};
	static const char *const skipped[] = {
		"header.d", NULL,
		"header.s", "",
		"header.i", "@sub.example.com",
		"header.a", "rsa-sha256",
		NULL,
	};
	static const char *const quoting[] = {
		"smtp.mailfrom", "a \"b\" \\c",
		"header.x", "x\001y\177z",
		"header.from", "example.com",
		NULL,
	};
	static const char *const all_empty[] = {
		"header.d", "",
		"header.s", NULL,
		NULL,
	};
	static const struct {
		const char		*name;
		const char		*method;
		enum auth_result	 r;
		const char		*reason;
		const char *const	*props;
		const char		*want;
	} t[] = {
		{ "plain pass, no props", "dkim", AUTH_PASS, NULL, NULL,
		    " " ID ";\r\n\tdkim=pass" },
		{ "base64 header.b with / + = is quoted", "dkim", AUTH_PASS,
		    NULL, dkim_props,
		    " " ID ";\r\n\tdkim=pass header.d=example.com header.s=sel1"
		    " header.b=\"ab/+cd=e\"" },
		{ "'+' alone is a token char (RFC 2045)", "dkim", AUTH_PASS,
		    NULL, plus_only,
		    " " ID ";\r\n\tdkim=pass header.b=Ab+9xYz0" },
		{ "reason: parentheses stripped", "dkim", AUTH_FAIL,
		    "body hash (bh=) did not verify", NULL,
		    " " ID ";\r\n\tdkim=fail (body hash bh= did not verify)" },
		{ "reason: backslash and controls stripped", "dkim",
		    AUTH_PERMERROR, "a\\b\r\nc\td", NULL,
		    " " ID ";\r\n\tdkim=permerror (abcd)" },
		{ "empty reason: no comment", "dkim", AUTH_TEMPERROR, "", NULL,
		    " " ID ";\r\n\tdkim=temperror" },
		{ "NULL and empty props skipped, @domain bare (RFC 8601 pvalue)", "dkim", AUTH_PASS,
		    NULL, skipped,
		    " " ID ";\r\n\tdkim=pass header.i=@sub.example.com"
		    " header.a=rsa-sha256" },
		{ "quoted-string escapes, non-printables dropped", "spf",
		    AUTH_SOFTFAIL, NULL, quoting,
		    " " ID ";\r\n\tspf=softfail"
		    " smtp.mailfrom=\"a \\\"b\\\" \\\\c\" header.x=\"xyz\""
		    " header.from=example.com" },
		{ "all props empty", "dkim", AUTH_NEUTRAL, "not checked",
		    all_empty, " " ID ";\r\n\tdkim=neutral (not checked)" },
		{ "policy with reason and props", "dkim", AUTH_POLICY,
		    "rsa-sha1", plus_only,
		    " " ID ";\r\n\tdkim=policy (rsa-sha1) header.b=Ab+9xYz0" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct buf b = BUF_INIT;

		print_message("case: %s\n", t[i].name);
		ar_begin(&b, ID);
		ar_add(&b, t[i].method, t[i].r, t[i].reason, t[i].props);
		ar_end(&b, true);
		assert_false(buf_failed(&b));
		if (strcmp(buf_str(&b), t[i].want) != 0)
			print_message("  got  [%s]\n  want [%s]\n", buf_str(&b),
			    t[i].want);
		assert_string_equal(buf_str(&b), t[i].want);
		buf_free(&b);
	}
}

static void
test_ar_whole(void **state)
{
	static const char *const d1[] = {
		"header.d", "example.com", "header.b", "Zm9v/w==", NULL,
	};
	static const char *const d2[] = {
		"header.d", "example.org", "header.b", "abcdefgh", NULL,
	};
	struct buf b = BUF_INIT;

	(void)state;
	print_message("case: nothing added gives \"none\"\n");
	ar_begin(&b, ID);
	ar_end(&b, false);
	assert_string_equal(buf_str(&b), " " ID "; none");
	buf_free(&b);

	print_message("case: authserv-id that is not a token is quoted\n");
	ar_begin(&b, "mx example");
	ar_end(&b, false);
	assert_string_equal(buf_str(&b), " \"mx example\"; none");
	buf_free(&b);

	print_message("case: two results, one folded line each\n");
	ar_begin(&b, ID);
	ar_add(&b, "dkim", AUTH_PASS, NULL, d1);
	ar_add(&b, "dkim", AUTH_FAIL, "signature did not verify", d2);
	ar_end(&b, true);
	assert_string_equal(buf_str(&b), " " ID
	    ";\r\n\tdkim=pass header.d=example.com header.b=\"Zm9v/w==\""
	    ";\r\n\tdkim=fail (signature did not verify)"
	    " header.d=example.org header.b=abcdefgh");
	buf_free(&b);
}

/* ar_claims on an exact-size copy: nothing after the last byte. */
static bool
claims_exact(const char *value, size_t len, const char *id)
{
	char *copy = malloc(len > 0 ? len : 1);
	bool r;

	assert_non_null(copy);
	memcpy(copy, value, len);
	r = ar_claims(copy, len, id);
	free(copy);
	return r;
}

static void
test_ar_claims(void **state)
{
	static const struct {
		const char	*name;
		const char	*value;
		bool		 want;
	} t[] = {
		{ "bare id", "mx.example", true },
		{ "leading space, resinfo", " mx.example; dkim=pass", true },
		{ "comments around, other case",
		    "(comment) MX.Example (x); dkim=pass", true },
		{ "folded before the id", "\r\n\tmx.example;", true },
		{ "quoted id", "\"mx.example\"; dkim=pass", true },
		{ "quoted id with a quoted-pair", " \"mx\\.example\"; none",
		    true },
		{ "with authres-version", " mx.example 1; dkim=pass", true },
		{ "nested comments", " (a (b) c)mx.example;spf=pass", true },
		{ "unterminated comment mentions it", "(mx.example", true },
		{ "unterminated comment, id later", " (x mx.example", true },
		{ "unterminated quote mentions it", "\"mx.example", true },
		{ "other id", "other.example; dkim=pass", false },
		{ "id as a prefix", "mx.example.evil; dkim=pass", false },
		{ "id as a suffix", "evilmx.example;", false },
		{ "quoted other id", "\"other.example\"; none", false },
		{ "empty value", "", false },
		{ "only white space", " \r\n\t", false },
		{ "only a comment", "(x)", false },
		{ "unterminated comment, other id", "(other.example", false },
		{ "unterminated comment ending in a backslash", "(x\\", false },
		{ "unterminated quote ending in a backslash", "\"mx.exa\\",
		    false },
		{ "id later in the value, not first", "other.example; "
		    "dkim=pass header.d=mx.example", false },
		/* RFC 1034 3.1: the trailing dot of an absolute name */
		{ "trailing dot", " mx.example.; dkim=pass", true },
		{ "trailing dot, other case, quoted", "\"MX.Example.\"; none",
		    true },
		{ "trailing dot, no resinfo", "mx.example.", true },
		{ "two trailing dots", " mx.example..; dkim=pass", false },
		{ "a dot after a shorter name", " mx.exampl.; dkim=pass",
		    false },
		{ "a dot as the id", " .; dkim=pass", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bool got;

		print_message("case: %s\n", t[i].name);
		got = claims_exact(t[i].value, strlen(t[i].value), ID);
		if (got != t[i].want)
			print_message("  got %d want %d\n", got, t[i].want);
		assert_int_equal(got, t[i].want);
	}
}

/* Our own id configured with its trailing dot claims the dotless form. */
static void
test_ar_claims_dotted_id(void **state)
{
	static const struct {
		const char	*name;
		const char	*value;
		bool		 want;
	} t[] = {
		{ "dotless forgery", " mx.example; dkim=pass", true },
		{ "dotted forgery", " MX.EXAMPLE.; dkim=pass", true },
		{ "unparsable, mentions it", "(mx.example", true },
		{ "other id", " mx.example.org; dkim=pass", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bool got;

		print_message("case: %s\n", t[i].name);
		got = claims_exact(t[i].value, strlen(t[i].value), ID ".");
		if (got != t[i].want)
			print_message("  got %d want %d\n", got, t[i].want);
		assert_int_equal(got, t[i].want);
	}
}

/* len, not the NUL, ends the value. */
static void
test_ar_claims_len(void **state)
{
	static const char v[] = "mx.example; dkim=pass";

	(void)state;
	print_message("case: len cuts the id short\n");
	assert_false(claims_exact(v, 9, ID));
	print_message("case: len ends right after the id\n");
	assert_true(claims_exact(v, 10, ID));
	print_message("case: zero length\n");
	assert_false(claims_exact(v, 0, ID));
	print_message("case: bytes after len are not read as the id\n");
	assert_false(ar_claims("mx.exampleX", 9, ID));
	print_message("case: a mention after len does not count\n");
	assert_false(ar_claims("(mx.example", 5, ID));
}

/*
 * ar_read_spf: the spf results of a trusted relay's field (RFC 8601 2.2
 * grammar). want_mf/want_helo: the result word and the value, or NULL for
 * not found; rc -1 for a value that does not follow the grammar.
 */
static void
test_ar_read_spf(void **state)
{
	static const struct {
		const char	*name;
		const char	*value;
		int		 rc;
		const char	*id;
		const char	*mf_result, *mf_value;
		const char	*helo_result, *helo_value;
	} t[] = {
		{ "mailfrom pass", " mx1.upstream.example; spf=pass "
		    "smtp.mailfrom=user@example.com", 0, "mx1.upstream.example",
		    "pass", "user@example.com", NULL, NULL },
		{ "domain only, comment, other methods around",
		    " mx1.upstream.example 1;\r\n\tdkim=none;\r\n\tspf=fail "
		    "(sender not allowed) smtp.mailfrom=example.com;\r\n\t"
		    "dmarc=fail header.from=example.com", 0,
		    "mx1.upstream.example", "fail", "example.com", NULL, NULL },
		{ "mailfrom and helo, any case", "MX1.Upstream.Example;"
		    "SPF=SoftFail smtp.mailfrom=a@b.example;spf=none "
		    "smtp.helo=relay.b.example", 0, "MX1.Upstream.Example",
		    "softfail", "a@b.example", "none", "relay.b.example" },
		{ "the first spf for mailfrom counts", "mx1; spf=fail "
		    "smtp.mailfrom=a@b.example; spf=pass smtp.mailfrom=a@b.example",
		    0, "mx1", "fail", "a@b.example", NULL, NULL },
		{ "reason and a method version", "mx1; spf/1=pass "
		    "reason=\"ip4 matched\" smtp.mailfrom = a@b.example", 0, "mx1",
		    "pass", "a@b.example", NULL, NULL },
		{ "CFWS around the property dot", "mx1; spf=pass smtp (c) . "
		    "mailfrom=a@b.example", 0, "mx1", "pass", "a@b.example",
		    NULL, NULL },
		{ "quoted authserv-id", "\"mx1.upstream.example\"; spf=pass "
		    "smtp.mailfrom=a@b.example", 0, "mx1.upstream.example", "pass",
		    "a@b.example", NULL, NULL },
		{ "no result", "mx1; none", 0, "mx1", NULL, NULL, NULL, NULL },
		{ "dkim only", "mx1; dkim=pass header.d=b.example", 0, "mx1",
		    NULL, NULL, NULL, NULL },
		{ "spf without an identity", "mx1; spf=pass", 0, "mx1", NULL,
		    NULL, NULL, NULL },
		{ "unknown result word", "mx1; spf=maybe smtp.mailfrom=a@b.example",
		    0, "mx1", NULL, NULL, NULL, NULL },
		{ "quoted mailfrom is not used", "mx1; spf=pass "
		    "smtp.mailfrom=\"a b\"@b.example", 0, "mx1", NULL, NULL, NULL,
		    NULL },
		{ "no resinfo", "mx1", -1, "mx1", NULL, NULL, NULL, NULL },
		{ "empty", "", -1, "", NULL, NULL, NULL, NULL },
		{ "none with more after it", "mx1; none; spf=pass "
		    "smtp.mailfrom=a@b.example", -1, "mx1", NULL, NULL, NULL, NULL },
		{ "missing '='", "mx1; spf pass smtp.mailfrom=a@b.example", -1,
		    "mx1", NULL, NULL, NULL, NULL },
		{ "property without a ptype dot", "mx1; spf=pass "
		    "mailfrom=a@b.example", -1, "mx1", NULL, NULL, NULL, NULL },
		{ "junk after a good spf: nothing used", "mx1; spf=pass "
		    "smtp.mailfrom=a@b.example; ???", -1, "mx1", NULL, NULL, NULL,
		    NULL },
		{ "unterminated comment", "mx1; spf=pass (x smtp.mailfrom="
		    "a@b.example", -1, "mx1", NULL, NULL, NULL, NULL },
		{ "unterminated quoted value", "mx1; spf=pass reason=\"x "
		    "smtp.mailfrom=a@b.example", -1, "mx1", NULL, NULL, NULL, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t len = strlen(t[i].value);
		char *v = malloc(len > 0 ? len : 1);
		struct ar_spf got;
		int rc;

		print_message("case: %s\n", t[i].name);
		assert_non_null(v);
		memcpy(v, t[i].value, len);	/* no NUL after it */
		rc = ar_read_spf(v, len, &got);
		if (rc != t[i].rc)
			print_message("  rc %d want %d\n", rc, t[i].rc);
		assert_int_equal(rc, t[i].rc);
		if (rc == 0)
			assert_string_equal(got.id, t[i].id);
		assert_int_equal(got.mailfrom.found, t[i].mf_result != NULL);
		if (t[i].mf_result != NULL) {
			assert_string_equal(auth_result_name(got.mailfrom.result),
			    t[i].mf_result);
			assert_int_equal(got.mailfrom.value.len,
			    strlen(t[i].mf_value));
			assert_memory_equal(got.mailfrom.value.p, t[i].mf_value,
			    got.mailfrom.value.len);
		}
		assert_int_equal(got.helo.found, t[i].helo_result != NULL);
		if (t[i].helo_result != NULL) {
			assert_string_equal(auth_result_name(got.helo.result),
			    t[i].helo_result);
			assert_int_equal(got.helo.value.len,
			    strlen(t[i].helo_value));
			assert_memory_equal(got.helo.value.p, t[i].helo_value,
			    got.helo.value.len);
		}
		free(v);
	}
}

/*
 * ar_read_results: every resinfo with its properties, a summary string per
 * case: "method=result[ ptype.prop=value]..." joined by "; " ("?" for a
 * result word not in RFC 8601 2.7; quoted values marked with a "q").
 */
static void
summarize(const struct ar_results *rs, struct buf *b)
{
	size_t i, j;

	for (i = 0; i < rs->n; i++) {
		const struct ar_resinfo *ri = &rs->ri[i];

		if (i > 0)
			buf_adds(b, "; ");
		buf_add(b, ri->method.p, ri->method.len);
		buf_printf(b, "=%s", ri->known ? auth_result_name(ri->result) :
		    "?");
		for (j = 0; j < ri->nprop; j++) {
			const struct ar_prop *p = &ri->prop[j];

			buf_addc(b, ' ');
			buf_add(b, p->ptype.p, p->ptype.len);
			buf_addc(b, '.');
			buf_add(b, p->property.p, p->property.len);
			buf_adds(b, p->bare ? "=" : "=q");
			buf_add(b, p->value.p, p->value.len);
		}
		if (ri->dropped > 0)
			buf_printf(b, " +%zu", ri->dropped);
	}
	if (rs->dropped > 0)
		buf_printf(b, " +%zu", rs->dropped);
}

static void
test_ar_read_results(void **state)
{
	static const struct {
		const char	*name;
		const char	*value;
		int		 rc;
		const char	*id, *want;
	} t[] = {
		{ "an ARC sealer's AAR payload", " fwd.example;\r\n\tdkim=pass "
		    "header.d=example.com header.s=sel;\r\n\tspf=fail "
		    "smtp.mailfrom=a@example.com;\r\n\tdmarc=pass "
		    "(p=reject) header.from=example.com", 0, "fwd.example",
		    "dkim=pass header.d=example.com header.s=sel; spf=fail "
		    "smtp.mailfrom=a@example.com; dmarc=pass "
		    "header.from=example.com" },
		{ "version, reason, method version, any case", "mx 1; DKIM/1=Pass "
		    "reason=\"good\" Header.D=x.example", 0, "mx",
		    "DKIM=pass Header.D=x.example" },
		{ "quoted value kept and marked", "mx; dkim=pass header.b=\"a b\"",
		    0, "mx", "dkim=pass header.b=q\"a b\"" },
		{ "unknown result word kept, not known", "mx; arc=maybe", 0, "mx",
		    "arc=?" },
		{ "no result", "mx; none", 0, "mx", "" },
		{ "properties past the cap are counted", "mx; dkim=pass a.a=1 "
		    "b.b=2 c.c=3 d.d=4 e.e=5 f.f=6 g.g=7 h.h=8 i.i=9 j.j=10", 0,
		    "mx", "dkim=pass a.a=1 b.b=2 c.c=3 d.d=4 e.e=5 f.f=6 g.g=7 "
		    "h.h=8 +2" },
		{ "resinfos past the cap are counted", "mx; a=pass; b=pass; "
		    "c=pass; d=pass; e=pass; f=pass; g=pass; h=pass; i=pass; "
		    "j=pass; k=pass; l=pass; m=pass; n=pass; o=pass; p=pass; "
		    "q=pass; r=pass", 0, "mx", "a=pass; b=pass; c=pass; d=pass; "
		    "e=pass; f=pass; g=pass; h=pass; i=pass; j=pass; k=pass; "
		    "l=pass; m=pass; n=pass; o=pass; p=pass +2" },
		{ "junk after good results: nothing kept", "mx; dkim=pass "
		    "header.d=x.example; ???", -1, NULL, "" },
		{ "no resinfo", "mx", -1, NULL, "" },
		{ "empty", "", -1, NULL, "" },
		{ "unterminated quoted value", "mx; dkim=pass header.b=\"x", -1,
		    NULL, "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t len = strlen(t[i].value);
		char *v = malloc(len > 0 ? len : 1);
		struct ar_results *got = malloc(sizeof(*got));
		struct buf b = BUF_INIT;
		int rc;

		print_message("case: %s\n", t[i].name);
		assert_non_null(v);
		assert_non_null(got);
		memcpy(v, t[i].value, len);	/* no NUL after it */
		rc = ar_read_results(v, len, got);
		assert_int_equal(rc, t[i].rc);
		if (t[i].id != NULL)
			assert_string_equal(got->id, t[i].id);
		summarize(got, &b);
		assert_string_equal(buf_str(&b), t[i].want);
		buf_free(&b);
		free(got);
		free(v);
	}
}

/* ar_results_find and ar_resinfo_prop pick results by method and word. */
static void
test_ar_results_find(void **state)
{
	static const char v[] = "fwd.example; dkim=fail header.d=a.example; "
	    "dkim=pass header.d=b.example header.d=c.example; spf=pass "
	    "smtp.mailfrom=\"q r\"@x.example; DKIM=pass header.i=@d.example";
	struct ar_results *rs = malloc(sizeof(*rs));
	const struct ar_resinfo *ri;
	const struct ar_view *pv;
	size_t from = 0;

	(void)state;
	assert_non_null(rs);
	assert_int_equal(ar_read_results(v, sizeof(v) - 1, rs), 0);
	ri = ar_results_find(rs, "dkim", AUTH_PASS, &from);
	assert_non_null(ri);
	pv = ar_resinfo_prop(ri, "header", "d");
	assert_non_null(pv);
	assert_int_equal(pv->len, 9);
	assert_memory_equal(pv->p, "b.example", 9);	/* the first one */
	ri = ar_results_find(rs, "dkim", AUTH_PASS, &from);
	assert_non_null(ri);
	assert_null(ar_resinfo_prop(ri, "header", "d"));
	assert_non_null(ar_resinfo_prop(ri, "HEADER", "I"));
	assert_null(ar_results_find(rs, "dkim", AUTH_PASS, &from));
	from = 0;
	ri = ar_results_find(rs, "spf", AUTH_PASS, &from);
	assert_non_null(ri);
	/* a quoted value is never handed out */
	assert_null(ar_resinfo_prop(ri, "smtp", "mailfrom"));
	from = 0;
	assert_null(ar_results_find(rs, "dmarc", AUTH_PASS, &from));
	free(rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ar_add),
		cmocka_unit_test(test_ar_whole),
		cmocka_unit_test(test_ar_claims),
		cmocka_unit_test(test_ar_claims_len),
		cmocka_unit_test(test_ar_claims_dotted_id),
		cmocka_unit_test(test_ar_read_spf),
		cmocka_unit_test(test_ar_read_results),
		cmocka_unit_test(test_ar_results_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
