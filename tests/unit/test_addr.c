/* SPDX-License-Identifier: ISC */
/*
 * test_addr.c - unit tests for addr.c: RFC 5322 address lists (3.4, 4.4)
 * and domain name syntax.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"
#include "buf.h"

#define MAXWANT	3

struct list_case {
	const char	*name;
	const char	*in;
	int		 rc;
	size_t		 n;
	const char	*want[MAXWANT][2];	/* local part, domain */
};

static const struct list_case list_cases[] = {
	{ "plain addr-spec", "user@example.com", 0, 1,
	    { { "user", "example.com" } } },
	{ "dot-atom local part", "first.last@sub.example.com", 0, 1,
	    { { "first.last", "sub.example.com" } } },
	{ "white space around", "  \t user@example.com \r\n ", 0, 1,
	    { { "user", "example.com" } } },
	{ "display name and angle addr", "John Doe <john@example.com>", 0, 1,
	    { { "john", "example.com" } } },
	{ "angle addr alone", "<john@example.com>", 0, 1,
	    { { "john", "example.com" } } },
	{ "quoted display name with comma",
	    "\"Doe, John\" <john@example.com>", 0, 1,
	    { { "john", "example.com" } } },
	{ "quoted display name holding an address",
	    "\"boss@bank.example\" <crook@evil.example>", 0, 1,
	    { { "crook", "evil.example" } } },
	{ "quoted display name with escaped quote",
	    "\"a \\\" <x@y.example>\" <real@example.com>", 0, 1,
	    { { "real", "example.com" } } },
	{ "comments everywhere",
	    "(c1) John (c2) <(c3)john(c4)@(c5)example.com(c6)> (c7)", 0, 1,
	    { { "john", "example.com" } } },
	{ "nested comments", "(a (b (c) d) e) user@example.com (x (y))", 0, 1,
	    { { "user", "example.com" } } },
	{ "comment with an address in it",
	    "user@example.com (sent for <other@evil.example>)", 0, 1,
	    { { "user", "example.com" } } },
	{ "comment with escaped paren", "(a \\) b) user@example.com", 0, 1,
	    { { "user", "example.com" } } },
	{ "quoted local part", "\"john doe\"@example.com", 0, 1,
	    { { "\"john doe\"", "example.com" } } },
	{ "quoted local part in angles", "J <\"j@x\"@example.com>", 0, 1,
	    { { "\"j@x\"", "example.com" } } },
	{ "encoded-word display name",
	    "=?utf-8?q?J=C3=B6rg?= <j@example.com>", 0, 1,
	    { { "j", "example.com" } } },
	{ "domain literal", "user@[192.0.2.1]", 0, 1,
	    { { "user", "[192.0.2.1]" } } },
	{ "obs-route", "<@relay.example,@r2.example:user@example.com>", 0, 1,
	    { { "user", "example.com" } } },
	{ "group", "Friends: a@x.example, b@y.example;", 0, 2,
	    { { "a", "x.example" }, { "b", "y.example" } } },
	{ "group with display names", "G: A <a@x.example>, \"B\" <b@y.example>;",
	    0, 2, { { "a", "x.example" }, { "b", "y.example" } } },
	{ "empty group", "undisclosed-recipients:;", 0, 0, { { NULL } } },
	{ "empty group then address", "undisclosed-recipients:;, a@x.example",
	    0, 1, { { "a", "x.example" } } },
	{ "two addresses", "a@x.example, B <b@y.example>", 0, 2,
	    { { "a", "x.example" }, { "b", "y.example" } } },
	{ "three addresses", "a@x.example,b@y.example , c@z.example", 0, 3,
	    { { "a", "x.example" }, { "b", "y.example" },
	    { "c", "z.example" } } },
	{ "obs empty members", ",a@b.example,", 0, 1,
	    { { "a", "b.example" } } },
	{ "obs empty members between", "a@b.example,,, c@d.example", 0, 2,
	    { { "a", "b.example" }, { "c", "d.example" } } },
	{ "no @", "user", -1, 0, { { NULL } } },
	{ "no @ in angles", "John <john>", -1, 0, { { NULL } } },
	{ "missing domain", "user@", -1, 0, { { NULL } } },
	{ "nothing before @", "@example.com", -1, 0, { { NULL } } },
	{ "unterminated quote", "\"John <john@example.com>", -1, 0,
	    { { NULL } } },
	{ "unterminated comment", "(John <john@example.com>", -1, 0,
	    { { NULL } } },
	{ "unterminated nested comment", "a@b.example (x (y)", -1, 0,
	    { { NULL } } },
	{ "missing '>'", "John <john@example.com", -1, 0, { { NULL } } },
	{ "stray '>'", "john@example.com>", -1, 0, { { NULL } } },
	{ "empty angle addr", "<>", -1, 0, { { NULL } } },
	{ "empty angle addr with name", "Nobody <>", -1, 0, { { NULL } } },
	{ "junk after address", "a@b.example junk", -1, 0, { { NULL } } },
	{ "group without ';'", "G: a@b.example", -1, 0, { { NULL } } },
	{ "unterminated domain literal", "a@[192.0.2.1", -1, 0, { { NULL } } },
	{ "stray special", "a@b.example, ) c@d.example", -1, 0, { { NULL } } },
};

static void
check_view(const char *what, const char *p, size_t len, const char *want)
{
	if (len != strlen(want) || (len > 0 && memcmp(p, want, len) != 0)) {
		print_message("%s: got \"%.*s\", want \"%s\"\n", what, (int)len,
		    p == NULL ? "" : p, want);
		fail();
	}
}

static void
test_parse_list(void **state)
{
	struct addr_list l;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(list_cases) / sizeof(list_cases[0]); i++) {
		const struct list_case *t = &list_cases[i];
		int rc;

		print_message("case: %s: %s\n", t->name, t->in);
		memset(&l, 0xa5, sizeof(l));
		rc = addr_parse_list(t->in, strlen(t->in), &l);
		if (rc != t->rc)
			print_message("  got rc %d (%s), want %d\n", rc,
			    l.err != NULL ? l.err : "no error", t->rc);
		assert_int_equal(rc, t->rc);
		if (rc == -1) {
			assert_non_null(l.err);
			continue;
		}
		assert_null(l.err);
		assert_int_equal(l.n, t->n);
		for (j = 0; j < l.n && j < MAXWANT; j++) {
			check_view("local part", l.a[j].local, l.a[j].local_len,
			    t->want[j][0]);
			check_view("domain", l.a[j].domain, l.a[j].domain_len,
			    t->want[j][1]);
		}
	}
}

/* The parser reads only len bytes: what follows must not matter. */
static void
test_parse_no_nul(void **state)
{
	static const char in[] = "a@b.example>>>";
	char *copy;
	struct addr_list l;

	(void)state;
	print_message("case: length stops before junk\n");
	assert_int_equal(addr_parse_list(in, 11, &l), 0);
	assert_int_equal(l.n, 1);
	check_view("domain", l.a[0].domain, l.a[0].domain_len, "b.example");

	/* exactly sized heap copy, no NUL: ASan catches a read past it */
	print_message("case: unterminated buffer\n");
	copy = malloc(11);
	assert_non_null(copy);
	memcpy(copy, "(x) a@b.exa", 11);
	assert_int_equal(addr_parse_list(copy, 11, &l), 0);
	check_view("domain", l.a[0].domain, l.a[0].domain_len, "b.exa");
	memcpy(copy, "\"a\\\"@b.exam", 11);
	assert_int_equal(addr_parse_list(copy, 11, &l), -1);
	memcpy(copy, "a@b, (c \\)\\", 11);
	assert_int_equal(addr_parse_list(copy, 11, &l), -1);
	free(copy);
}

/* ADDR_MAX addresses parse; one more is refused as hostile. */
static void
test_parse_max(void **state)
{
	static const struct {
		const char	*name;
		size_t		 count;
		bool		 group;
		int		 rc;
	} t[] = {
		{ "ADDR_MAX addresses", ADDR_MAX, false, 0 },
		{ "ADDR_MAX + 1 addresses", ADDR_MAX + 1, false, -1 },
		{ "ADDR_MAX + 1 in a group", ADDR_MAX + 1, true, -1 },
		{ "many more", 10 * ADDR_MAX, false, -1 },
	};
	struct buf in = BUF_INIT;
	struct addr_list l;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: %s\n", t[i].name);
		buf_reset(&in);
		if (t[i].group)
			buf_adds(&in, "Many: ");
		for (k = 0; k < t[i].count; k++)
			buf_printf(&in, "%su%zu@d%zu.example",
			    k > 0 ? ", " : "", k, k);
		if (t[i].group)
			buf_adds(&in, ";");
		assert_false(buf_failed(&in));
		assert_int_equal(addr_parse_list(in.data, in.len, &l), t[i].rc);
		if (t[i].rc == 0) {
			assert_int_equal(l.n, t[i].count);
			check_view("last domain", l.a[l.n - 1].domain,
			    l.a[l.n - 1].domain_len, "d63.example");
		} else
			assert_non_null(l.err);
	}
	buf_free(&in);
}

static void
test_domain_valid(void **state)
{
	struct buf l63 = BUF_INIT, l64 = BUF_INIT, d253 = BUF_INIT;
	struct buf d254 = BUF_INIT, d253dot = BUF_INIT, d254dot = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 63; i++)
		buf_addc(&l63, 'a');
	buf_adds(&l64, buf_str(&l63));
	buf_addc(&l64, 'b');
	buf_adds(&l63, ".example");
	buf_adds(&l64, ".example");
	/* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 */
	for (i = 0; i < 3; i++) {
		size_t k;

		for (k = 0; k < 63; k++)
			buf_addc(&d253, (char)('a' + (char)i));
		buf_addc(&d253, '.');
	}
	buf_adds(&d254, buf_str(&d253));
	for (i = 0; i < 61; i++)
		buf_addc(&d253, 'z');
	for (i = 0; i < 62; i++)
		buf_addc(&d254, 'z');
	buf_printf(&d253dot, "%s.", buf_str(&d253));
	buf_printf(&d254dot, "%s.", buf_str(&d254));
	assert_int_equal(d253.len, 253);
	assert_int_equal(d254.len, 254);

	{
		const struct {
			const char	*name, *in;
			bool		 want;
		} t[] = {
			{ "plain", "example.com", true },
			{ "one label", "localhost", true },
			{ "upper case and digits", "MX1.Example.COM", true },
			{ "hyphen", "my-host.example", true },
			{ "underscore", "_dmarc.example.com", true },
			{ "label of 63", buf_str(&l63), true },
			{ "label of 64", buf_str(&l64), false },
			{ "253 in all", buf_str(&d253), true },
			{ "254 in all", buf_str(&d254), false },
			{ "253 and a final dot", buf_str(&d253dot), true },
			{ "254 and a final dot", buf_str(&d254dot), false },
			{ "trailing dot", "example.com.", true },
			{ "two trailing dots", "example.com..", false },
			{ "empty label", "a..example", false },
			{ "leading dot", ".example.com", false },
			{ "only a dot", ".", false },
			{ "empty", "", false },
			{ "space", "exa mple.com", false },
			{ "bang", "ex!ample.com", false },
			{ "at sign", "user@example.com", false },
			{ "slash", "a/b.example", false },
			{ "8-bit", "b\xc3\xbc" "cher.example", false },
			{ "colon", "example.com:25", false },
		};

		for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			print_message("case: %s\n", t[i].name);
			assert_int_equal(addr_domain_valid(t[i].in,
			    strlen(t[i].in)), t[i].want);
		}
	}
	/* the length counts, not a NUL */
	print_message("case: length shorter than the string\n");
	assert_true(addr_domain_valid("example.com!!", 11));
	assert_false(addr_domain_valid("example.com", 0));
	buf_free(&l63);
	buf_free(&l64);
	buf_free(&d253);
	buf_free(&d254);
	buf_free(&d253dot);
	buf_free(&d254dot);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_list),
		cmocka_unit_test(test_parse_no_nul),
		cmocka_unit_test(test_parse_max),
		cmocka_unit_test(test_domain_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
