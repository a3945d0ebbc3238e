/* SPDX-License-Identifier: ISC */
/*
 * test_hdr.c - unit tests for hdr.c: the header field list, its line end
 * normalisation, its caps and its case-insensitive lookups.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hdr.h"

static void
check_raw(const char *what, const struct hdr_field *f, const char *want)
{
	if (f->raw_len != strlen(want) || memcmp(f->raw, want, f->raw_len) != 0 ||
	    f->raw[f->raw_len] != '\0') {
		print_message("%s: got \"%.*s\" (%zu bytes), want \"%s\"\n",
		    what, (int)f->raw_len, f->raw, f->raw_len, want);
		fail();
	}
}

static void
test_add(void **state)
{
	static const struct {
		const char	*name;
		const char	*fname;		/* NULL: add_raw of value */
		const char	*value;
		const char	*want;
		size_t		 name_len;
	} t[] = {
		{ "plain", "Subject", " hello", "Subject: hello", 7 },
		{ "no space after colon", "Subject", "hello", "Subject:hello",
		    7 },
		{ "empty value", "X-Empty", "", "X-Empty:", 7 },
		{ "LF fold becomes CRLF", "Subject", " a\n b", "Subject: a\r\n b",
		    7 },
		{ "CRLF fold kept", "Subject", " a\r\n b", "Subject: a\r\n b",
		    7 },
		{ "mixed folds", "To", " a,\n\tb,\r\n c,\n d",
		    "To: a,\r\n\tb,\r\n c,\r\n d", 2 },
		{ "LF first", "To", "\n a@example.com", "To:\r\n a@example.com",
		    2 },
		{ "trailing CRLF stripped", "Subject", " a\r\n", "Subject: a",
		    7 },
		{ "trailing LF stripped", "Subject", " a\n", "Subject: a", 7 },
		{ "trailing CR stripped", "Subject", " a\r", "Subject: a", 7 },
		{ "several trailing line ends", "Subject", " a\r\n\n\r\n",
		    "Subject: a", 7 },
		{ "only a line end", "X-Empty", "\r\n", "X-Empty:", 7 },
		{ "bare CR inside kept", "Subject", " a\rb", "Subject: a\rb", 7 },
		{ "raw plain", NULL, "Subject: hi", "Subject: hi", 7 },
		{ "raw LF fold", NULL, "To: a,\n b", "To: a,\r\n b", 2 },
		{ "raw trailing CRLF", NULL, "Date: x\r\n", "Date: x", 4 },
		{ "raw colon in value", NULL, "Subject: re: x", "Subject: re: x",
		    7 },
		{ "raw space before colon", NULL, "B : Y", "B : Y", 2 },
	};
	struct hdr_list l;
	size_t i, vlen;
	const char *v;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum hdr_add_result r;

		print_message("case: %s\n", t[i].name);
		hdr_list_init(&l);
		if (t[i].fname != NULL)
			r = hdr_list_add(&l, t[i].fname, strlen(t[i].fname),
			    t[i].value, strlen(t[i].value));
		else
			r = hdr_list_add_raw(&l, t[i].value, strlen(t[i].value));
		assert_int_equal(r, HDR_ADDED);
		assert_int_equal(l.n, 1);
		assert_false(l.overflow);
		check_raw(t[i].name, &l.f[0], t[i].want);
		assert_int_equal(l.f[0].name_len, t[i].name_len);
		v = hdr_field_value(&l.f[0], &vlen);
		assert_ptr_equal(v, l.f[0].raw + t[i].name_len + 1);
		assert_int_equal(vlen, strlen(t[i].want) - t[i].name_len - 1);
		hdr_list_free(&l);
		assert_int_equal(l.n, 0);
		assert_null(l.f);
	}
}

static void
test_add_raw_refused(void **state)
{
	static const struct {
		const char	*name, *raw;
	} t[] = {
		{ "no colon", "NoColonHere" },
		{ "empty", "" },
		{ "folded but no colon", "Subject hi\r\n there" },
	};
	struct hdr_list l;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: %s\n", t[i].name);
		hdr_list_init(&l);
		assert_int_equal(hdr_list_add_raw(&l, t[i].raw,
		    strlen(t[i].raw)), HDR_REFUSED);
		assert_true(l.overflow);
		assert_int_equal(l.n, 0);
		hdr_list_free(&l);
	}
	/* the length counts: a colon after len bytes is not seen */
	print_message("case: colon past len\n");
	hdr_list_init(&l);
	assert_int_equal(hdr_list_add_raw(&l, "Subject: x", 7), HDR_REFUSED);
	assert_true(l.overflow);
	hdr_list_free(&l);
}

static void
test_max_fields(void **state)
{
	struct hdr_list l;
	size_t i;

	(void)state;
	print_message("case: HDR_MAX_FIELDS + 1 fields\n");
	hdr_list_init(&l);
	for (i = 0; i < HDR_MAX_FIELDS; i++)
		if (hdr_list_add(&l, "Received", 8, " x", 2) != HDR_ADDED)
			fail_msg("field %zu refused", i);
	assert_false(l.overflow);
	assert_int_equal(l.n, HDR_MAX_FIELDS);
	assert_int_equal(hdr_list_add(&l, "Received", 8, " x", 2), HDR_REFUSED);
	assert_true(l.overflow);
	assert_int_equal(l.n, HDR_MAX_FIELDS);
	assert_int_equal(hdr_list_add_raw(&l, "X: y", 4), HDR_REFUSED);
	assert_int_equal(hdr_list_count(&l, "received"), HDR_MAX_FIELDS);
	hdr_list_free(&l);
}

static void
test_max_len(void **state)
{
	struct hdr_list l;
	char *big;
	size_t i;

	(void)state;
	/* name "X" + ':' + value = HDR_MAX_FIELD_LEN exactly */
	big = malloc(HDR_MAX_FIELD_LEN + 1);
	assert_non_null(big);
	memset(big, 'v', HDR_MAX_FIELD_LEN + 1);

	print_message("case: field of exactly HDR_MAX_FIELD_LEN\n");
	hdr_list_init(&l);
	assert_int_equal(hdr_list_add(&l, "X", 1, big, HDR_MAX_FIELD_LEN - 2),
	    HDR_ADDED);
	assert_int_equal(l.f[0].raw_len, HDR_MAX_FIELD_LEN);
	assert_false(l.overflow);

	print_message("case: field one byte over HDR_MAX_FIELD_LEN\n");
	assert_int_equal(hdr_list_add(&l, "X", 1, big, HDR_MAX_FIELD_LEN - 1),
	    HDR_REFUSED);
	assert_true(l.overflow);
	assert_int_equal(l.n, 1);
	hdr_list_free(&l);

	print_message("case: value over the cap by itself\n");
	hdr_list_init(&l);
	assert_int_equal(hdr_list_add(&l, "X", 1, big, HDR_MAX_FIELD_LEN + 1),
	    HDR_REFUSED);
	assert_int_equal(hdr_list_add(&l, big, HDR_MAX_FIELD_LEN + 1, "v", 1),
	    HDR_REFUSED);
	assert_true(l.overflow);
	assert_int_equal(l.n, 0);
	hdr_list_free(&l);

	print_message("case: LF to CRLF growth counts against the cap\n");
	hdr_list_init(&l);
	big[10] = '\n';
	assert_int_equal(hdr_list_add(&l, "X", 1, big, HDR_MAX_FIELD_LEN - 2),
	    HDR_REFUSED);
	big[10] = 'v';
	hdr_list_free(&l);

	print_message("case: HDR_MAX_TOTAL over several fields\n");
	hdr_list_init(&l);
	for (i = 0; i < HDR_MAX_TOTAL / HDR_MAX_FIELD_LEN; i++)
		assert_int_equal(hdr_list_add(&l, "X", 1, big,
		    HDR_MAX_FIELD_LEN - 2), HDR_ADDED);
	assert_int_equal(l.total, HDR_MAX_TOTAL);
	assert_false(l.overflow);
	assert_int_equal(hdr_list_add(&l, "Y", 1, "z", 1), HDR_REFUSED);
	assert_true(l.overflow);
	assert_int_equal(l.n, HDR_MAX_TOTAL / HDR_MAX_FIELD_LEN);
	hdr_list_free(&l);
	free(big);
}

static void
test_count_find(void **state)
{
	static const char *const fields[] = {
		"From: a@example.com",		/* 0 */
		"to: b@example.com",		/* 1 */
		"FROM: c@example.com",		/* 2 */
		"Subject: s",			/* 3 */
		"fRoM: d@example.com",		/* 4 */
		"From-Extra: x",		/* 5 */
	};
	static const struct {
		const char	*name;
		const char	*field;
		size_t		 count;
		long		 find[4];	/* from start 0, 1, 3, 5 */
	} t[] = {
		{ "lower case name", "from", 3, { 0, 2, 4, -1 } },
		{ "upper case name", "FROM", 3, { 0, 2, 4, -1 } },
		{ "mixed case name", "From", 3, { 0, 2, 4, -1 } },
		{ "To", "TO", 1, { 1, 1, -1, -1 } },
		{ "absent", "Cc", 0, { -1, -1, -1, -1 } },
		{ "prefix is not a match", "Fro", 0, { -1, -1, -1, -1 } },
		{ "longer name", "From-Extra", 1, { 5, 5, 5, 5 } },
		{ "subject", "subject", 1, { 3, 3, 3, -1 } },
	};
	static const size_t starts[4] = { 0, 1, 3, 5 };
	struct hdr_list l;
	size_t i, k;

	(void)state;
	hdr_list_init(&l);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		assert_int_equal(hdr_list_add_raw(&l, fields[i],
		    strlen(fields[i])), HDR_ADDED);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: %s\n", t[i].name);
		assert_int_equal(hdr_list_count(&l, t[i].field), t[i].count);
		for (k = 0; k < 4; k++)
			assert_int_equal(hdr_list_find(&l, t[i].field,
			    starts[k]), t[i].find[k]);
		assert_int_equal(hdr_list_find(&l, t[i].field, 100), -1);
	}
	print_message("case: hdr_field_is\n");
	assert_true(hdr_field_is(&l.f[2], "from", 4));
	assert_false(hdr_field_is(&l.f[5], "from", 4));
	assert_true(hdr_field_is(&l.f[5], "FROM-extra", 10));
	hdr_list_free(&l);

	print_message("case: empty list\n");
	hdr_list_init(&l);
	assert_int_equal(hdr_list_count(&l, "From"), 0);
	assert_int_equal(hdr_list_find(&l, "From", 0), -1);
	hdr_list_free(&l);
}

static void
test_name_valid(void **state)
{
	(void)state;
	print_message("case: RFC 5322 3.6.8 field names\n");
	assert_true(hdr_name_valid("From"));
	assert_true(hdr_name_valid("X-Mailer"));
	assert_true(hdr_name_valid("!#$%&'*+-.^_`|~"));
	print_message("case: empty, colon, space, control, 8-bit refused\n");
	assert_false(hdr_name_valid(""));
	assert_false(hdr_name_valid("Subject:"));
	assert_false(hdr_name_valid("X Mailer"));
	assert_false(hdr_name_valid("X-\tTab"));
	assert_false(hdr_name_valid("X-\x7f"));
	assert_false(hdr_name_valid("X-\xc3\xa9"));
}

static void
test_name_len(void **state)
{
	static const struct {
		const char	*name, *in;
		size_t		 want;
	} t[] = {
		{ "plain name", "From", 4 },
		{ "one space before the colon", "From ", 4 },
		{ "tab and spaces", "From \t \t", 4 },
		{ "inner space kept", "X Y ", 3 },
		{ "only white space", " \t", 0 },
		{ "empty", "", 0 },
		{ "CR is not WSP", "From\r", 5 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: %s\n", t[i].name);
		assert_int_equal(hdr_name_len(t[i].in, strlen(t[i].in)),
		    t[i].want);
	}
}

/*
 * RFC 5322 4.5: "From : x" (WSP before the colon) is a From field for
 * every lookup by name, whether the file splitter (hdr_list_add_raw) or an
 * MTA (hdr_list_add, name with its trailing WSP) handed it over; the raw
 * bytes keep the WSP for simple canonicalization.
 */
static void
test_obsolete_names(void **state)
{
	static const char *const raw[] = {
		"From: a@example.com",		/* 0 */
		"From : ceo@bank.example",	/* 1 */
		"FROM\t\t:x",			/* 2 */
		"From-X : y",			/* 3 */
		"Subject :s",			/* 4 */
	};
	struct hdr_list l;
	const char *v;
	size_t i, vlen;

	(void)state;
	hdr_list_init(&l);
	for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++)
		assert_int_equal(hdr_list_add_raw(&l, raw[i], strlen(raw[i])),
		    HDR_ADDED);
	assert_int_equal(hdr_list_add(&l, "from  ", 6, " m@milter.example",
	    17), HDR_ADDED);			/* 5 */
	print_message("case: count and find see every From form\n");
	assert_int_equal(hdr_list_count(&l, "From"), 4);
	assert_int_equal(hdr_list_find(&l, "From", 1), 1);
	assert_int_equal(hdr_list_find(&l, "from", 2), 2);
	assert_int_equal(hdr_list_find(&l, "FROM", 3), 5);
	assert_int_equal(hdr_list_count(&l, "From-X"), 1);
	assert_int_equal(hdr_list_count(&l, "subject"), 1);
	print_message("case: hdr_field_is ignores WSP before the colon\n");
	assert_true(hdr_field_is(&l.f[1], "From", 4));
	assert_false(hdr_field_is(&l.f[1], "From ", 5));
	assert_false(hdr_field_is(&l.f[3], "From", 4));
	print_message("case: the raw bytes keep the WSP\n");
	assert_string_equal(l.f[1].raw, "From : ceo@bank.example");
	assert_int_equal(l.f[1].name_len, 5);
	assert_int_equal(l.f[1].key_len, 4);
	v = hdr_field_value(&l.f[1], &vlen);
	assert_int_equal(vlen, strlen(" ceo@bank.example"));
	assert_memory_equal(v, " ceo@bank.example", vlen);
	assert_string_equal(l.f[5].raw, "from  : m@milter.example");
	v = hdr_field_value(&l.f[5], &vlen);
	assert_memory_equal(v, " m@milter.example", vlen);
	hdr_list_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_add_raw_refused),
		cmocka_unit_test(test_max_fields),
		cmocka_unit_test(test_max_len),
		cmocka_unit_test(test_count_find),
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_name_len),
		cmocka_unit_test(test_obsolete_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
