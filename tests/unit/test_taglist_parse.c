/* SPDX-License-Identifier: ISC */
/*
 * test_taglist_parse.c - unit tests for taglist_parse.c, the tag-list
 * reader (RFC 6376 section 3.2). Inputs carry explicit lengths so NULs
 * and a missing terminator can be tested.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "taglist_parse.h"

/* A string literal and its length, NULs included. */
#define S(lit)	lit, sizeof(lit) - 1

/* The parsed list as "name=[value]" items, for comparing. */
static void
show(const struct taglist_parsed *l, struct buf *out)
{
	size_t i;

	buf_reset(out);
	for (i = 0; i < l->ntags; i++)
		buf_printf(out, "%.*s=[%.*s]", (int)l->tags[i].name.len,
		    l->tags[i].name.p, (int)l->tags[i].value.len,
		    l->tags[i].value.p);
}

static void
test_parse(void **state)
{
	static const struct {
		const char	*name;
		const char	*in;
		size_t		 len;
		const char	*want;	/* shown tags, or NULL for invalid */
	} t[] = {
		{ "one tag", S("v=1"), "v=[1]" },
		{ "trailing semicolon", S("v=1;"), "v=[1]" },
		{ "trailing semicolon and FWS", S("v=1; \r\n\t"), "v=[1]" },
		{ "several tags", S("v=1; a=rsa-sha256;d=example.com"),
		    "v=[1]a=[rsa-sha256]d=[example.com]" },
		{ "FWS around everything", S(" \t v \t= \t1 \t; d =x "),
		    "v=[1]d=[x]" },
		{ "folding around =", S("v\r\n =\r\n\t1"), "v=[1]" },
		{ "FWS inside value kept", S("b=ab cd\r\n\tef ; x=1"),
		    "b=[ab cd\r\n\tef]x=[1]" },
		{ "empty value", S("p=; v=1"), "p=[]v=[1]" },
		{ "empty value with FWS", S("p= \r\n ;"), "p=[]" },
		{ "value with = and :", S("h=from:to; bh=ab=="),
		    "h=[from:to]bh=[ab==]" },
		{ "tag name with digit and _", S("a_1b=x"), "a_1b=[x]" },
		{ "8-bit value (RFC 8616)", S("i=\xc3\xa9@x"),
		    "i=[\xc3\xa9@x]" },
		{ "no NUL needed", "v=1; d=example.comXXX", 18,
		    "v=[1]d=[example.com]" },
		{ "empty input", S(""), NULL },
		{ "only FWS", S("  \r\n "), NULL },
		{ "only semicolon", S(";"), NULL },
		{ "double semicolon", S("v=1;;d=x"), NULL },
		{ "no =", S("v1"), NULL },
		{ "no value and no =", S("v=1; d"), NULL },
		{ "name starts with digit", S("1v=1"), NULL },
		{ "name starts with _", S("_v=1"), NULL },
		{ "empty name", S("=1"), NULL },
		{ "space inside name", S("b h=1"), NULL },
		{ "duplicate tag", S("v=1; d=a; v=1"), NULL },
		{ "duplicate tag, FWS differs", S("d=a;d =a"), NULL },
		{ "names are case-sensitive", S("d=a; D=b"), "d=[a]D=[b]" },
		{ "NUL in value", S("v=1\0; d=x"), NULL },
		{ "NUL in name", S("v\0=1"), NULL },
		{ "NUL at start", S("\0v=1"), NULL },
		{ "bare LF", S("v=1;\nd=x"), NULL },
		{ "bare CR", S("v=1;\rd=x"), NULL },
		{ "CRLF without WSP", S("v=1;\r\nd=x"), NULL },
		{ "CRLF at end", S("v=1;\r\n"), NULL },
		{ "CR at end", S("v=1\r"), NULL },
		{ "control byte", S("v=1\x01"), NULL },
		{ "DEL byte", S("v=\x7f"), NULL },
		{ "garbage", S("\xff\xfe=\x80"), NULL },
	};
	struct taglist_parsed l;
	struct buf got = BUF_INIT;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: %s\n", t[i].name);
		why = taglist_parse(t[i].in, t[i].len, &l);
		if (t[i].want == NULL) {
			if (why == NULL) {
				show(&l, &got);
				print_message("  want invalid, got %s\n",
				    buf_str(&got));
				fail();
			}
			assert_int_equal(l.ntags, 0);
			continue;
		}
		if (why != NULL) {
			print_message("  want %s, got invalid: %s\n",
			    t[i].want, why);
			fail();
		}
		show(&l, &got);
		assert_string_equal(buf_str(&got), t[i].want);
	}
	buf_free(&got);
}

/* Exactly TAGLIST_PARSE_MAX_TAGS tags pass, one more fails. */
static void
test_max_tags(void **state)
{
	struct taglist_parsed l;
	struct buf in = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < TAGLIST_PARSE_MAX_TAGS; i++)
		buf_printf(&in, "t%zu=%zu;", i, i);
	print_message("case: %d tags\n", TAGLIST_PARSE_MAX_TAGS);
	assert_null(taglist_parse(in.data, in.len, &l));
	assert_int_equal(l.ntags, TAGLIST_PARSE_MAX_TAGS);
	buf_adds(&in, "z=1");
	print_message("case: one tag more\n");
	assert_string_equal(taglist_parse(in.data, in.len, &l),
	    "too many tags");
	buf_free(&in);
}

static void
test_find(void **state)
{
	static const char in[] = "v=1; bh=x; b=y";
	struct taglist_parsed l;
	const struct taglist_tag *tag;

	(void)state;
	assert_null(taglist_parse(in, strlen(in), &l));
	tag = taglist_parse_find(&l, "b");
	assert_non_null(tag);
	assert_true(taglist_view_eq(&tag->value, "y"));
	assert_non_null(taglist_parse_find(&l, "bh"));
	assert_null(taglist_parse_find(&l, "B"));
	assert_null(taglist_parse_find(&l, "x"));
}

static void
test_items(void **state)
{
	static const struct {
		const char	*name, *in, *want;
	} t[] = {
		{ "one", "from", "[from]" },
		{ "two", "from:to", "[from][to]" },
		{ "FWS around colons", "from \r\n\t: to\t:\r\n cc",
		    "[from][to][cc]" },
		{ "empty", "", "[]" },
		{ "empty items", ":a:", "[][a][]" },
	};
	struct taglist_view rest, item;
	struct buf got = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: %s\n", t[i].name);
		rest.p = t[i].in;
		rest.len = strlen(t[i].in);
		buf_reset(&got);
		while (taglist_view_next_item(&rest, ':', &item))
			buf_printf(&got, "[%.*s]", (int)item.len, item.p);
		assert_string_equal(buf_str(&got), t[i].want);
	}
	buf_free(&got);
}

static void
test_strip_fws(void **state)
{
	static const char in[] = " ab\r\n\tc d \t e\r\n ";
	struct taglist_view v = { in, sizeof(in) - 1 };
	struct buf out = BUF_INIT;

	(void)state;
	taglist_parse_strip_fws(&v, &out);
	assert_string_equal(buf_str(&out), "abcde");
	buf_free(&out);
}

static void
test_b64(void **state)
{
	static const struct {
		const char	*name, *in;
		size_t		 max;
		const char	*want;	/* decoded, or NULL for a reason */
	} t[] = {
		{ "no padding", "YWJj", 100, "abc" },
		{ "one pad", "YWI=", 100, "ab" },
		{ "two pads", "YQ==", 100, "a" },
		{ "folded across CRLF TAB", "YW\r\n\tJj ZG Vm", 100,
		    "abcdef" },
		{ "folded inside padding", "YQ=\r\n =", 100, "a" },
		{ "empty", "", 100, "" },
		{ "missing padding", "YQ", 100, NULL },
		{ "three pads", "Y===", 100, NULL },
		{ "pad in middle", "YQ==YWJj", 100, NULL },
		{ "bad char", "YW!j", 100, NULL },
		{ "dot", "YWJj.", 100, NULL },
		{ "exactly max", "YWJj", 3, "abc" },
		{ "over max", "YWJjZA==", 3, NULL },
		{ "far over max", "YWJjYWJjYWJj", 3, NULL },
	};
	struct taglist_view v;
	struct buf out = BUF_INIT;
	struct err e;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: %s\n", t[i].name);
		v.p = t[i].in;
		v.len = strlen(t[i].in);
		assert_int_equal(taglist_parse_b64(&v, t[i].max, &out, &why,
		    &e), 0);
		if (t[i].want == NULL) {
			assert_non_null(why);
			continue;
		}
		if (why != NULL) {
			print_message("  unexpected reason: %s\n", why);
			fail();
		}
		assert_int_equal(out.len, strlen(t[i].want));
		assert_memory_equal(out.len ? out.data : "", t[i].want,
		    out.len);
	}
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_max_tags),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_items),
		cmocka_unit_test(test_strip_fws),
		cmocka_unit_test(test_b64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
