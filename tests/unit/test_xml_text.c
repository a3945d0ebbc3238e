/* SPDX-License-Identifier: ISC */
/*
 * test_xml_text.c - unit tests for xml_text.c and utf8.c: what XML 1.0
 * text is written for hostile bytes (escaping, U+FFFD for what XML cannot
 * hold, valid UTF-8 kept byte for byte), what xml_text_clean() stores,
 * and that the output of either is always valid UTF-8 of XML Chars.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"
#include "xml_text.h"

#define R	XML_TEXT_REPLACEMENT

struct tcase {
	const char	*name;
	const char	*in;
	size_t		 len;
	const char	*want;		/* xml_text */
	const char	*want_clean;	/* xml_text_clean */
	size_t		 nbad;		/* replacements xml_text_clean made */
};
#define T(name, in, want, clean, nbad) \
	{ name, in, sizeof(in) - 1, want, clean, nbad }

static const struct tcase cases[] = {
	T("empty", "", "", "", 0),
	T("plain ASCII", "example.com", "example.com", "example.com", 0),
	T("markup", "a<b>&c\"d'e", "a&lt;b&gt;&amp;c&quot;d&apos;e",
	    "a<b>&c\"d'e", 0),
	T("CDATA end", "]]>", "]]&gt;", "]]>", 0),
	T("entity text stays text", "&amp;&#0;", "&amp;amp;&amp;#0;",
	    "&amp;&#0;", 0),
	T("TAB LF CR", "a\tb\nc\rd", "a&#9;b&#10;c&#13;d", "a?b?c?d", 3),
	T("NUL", "a\0b", "a" R "b", "a?b", 1),
	T("C0 controls", "\x01\x08\x0b\x0c\x1b\x1f", R R R R R R, "??????",
	    6),
	T("DEL is a Char", "\x7f", "\x7f", "?", 1),
	T("C1 (U+0085) is a Char", "\xc2\x85", "\xc2\x85", "\xc2\x85", 0),
	T("invalid bytes FF FE", "x@inj.test\xff\xfe", "x@inj.test" R R,
	    "x@inj.test" R R, 2),
	T("lone continuation", "\x80", R, R, 1),
	T("lead bytes C0 C1 F5", "\xc0\xc1\xf5", R R R, R R R, 3),
	T("overlong '<' (C0 BC)", "\xc0\xbc", R R, R R, 2),
	T("overlong NUL (C0 80)", "\xc0\x80", R R, R R, 2),
	T("overlong 3-byte", "\xe0\x80\xbc", R R R, R R R, 3),
	T("overlong 4-byte", "\xf0\x80\x80\xbc", R R R R, R R R R, 4),
	T("surrogate U+D800", "\xed\xa0\x80", R R R, R R R, 3),
	T("surrogate U+DFFF", "\xed\xbf\xbf", R R R, R R R, 3),
	T("over U+10FFFF", "\xf4\x90\x80\x80", R R R R, R R R R, 4),
	T("5-byte form", "\xf8\x88\x80\x80\x80", R R R R R, R R R R R, 5),
	T("cut short at the end", "a\xe2\x82", "a" R R, "a" R R, 2),
	T("cut short by ASCII", "\xe2\x82z", R R "z", R R "z", 2),
	T("U+FFFE", "\xef\xbf\xbe", R, R, 1),
	T("U+FFFF", "\xef\xbf\xbf", R, R, 1),
	T("U+FFFD itself", R, R, R, 0),
	T("U+D7FF and U+E000", "\xed\x9f\xbf\xee\x80\x80",
	    "\xed\x9f\xbf\xee\x80\x80", "\xed\x9f\xbf\xee\x80\x80", 0),
	T("IDN U-label", "b\xc3\xbc" "cher.example", "b\xc3\xbc" "cher.example",
	    "b\xc3\xbc" "cher.example", 0),
	T("CJK", "\xe4\xbe\x8b\xe3\x81\x88", "\xe4\xbe\x8b\xe3\x81\x88",
	    "\xe4\xbe\x8b\xe3\x81\x88", 0),
	T("U+10FFFF and an emoji", "\xf4\x8f\xbf\xbf\xf0\x9f\x93\xa7",
	    "\xf4\x8f\xbf\xbf\xf0\x9f\x93\xa7",
	    "\xf4\x8f\xbf\xbf\xf0\x9f\x93\xa7", 0),
};

/* Is [p, p+len) valid UTF-8 of XML Chars only (and no '<' or '&')? */
static int
well_formed_text(const char *p, size_t len, int escaped)
{
	const unsigned char *u = (const unsigned char *)p;
	uint32_t cp;
	size_t i = 0, n;

	while (i < len) {
		if ((n = utf8_decode(u + i, len - i, &cp)) == 0 ||
		    !xml_char(cp))
			return 0;
		if (escaped && (cp == '<' || cp == '>' || cp == '\r'))
			return 0;
		i += n;
	}
	return 1;
}

static void
test_table(void **state)
{
	size_t i, nbad;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b = BUF_INIT, c = BUF_INIT;

		print_message("case: %s\n", cases[i].name);
		xml_text(&b, cases[i].in, cases[i].len);
		nbad = xml_text_clean(&c, cases[i].in, cases[i].len);
		assert_false(buf_failed(&b));
		assert_string_equal(buf_str(&b), cases[i].want);
		assert_string_equal(buf_str(&c), cases[i].want_clean);
		assert_int_equal(nbad, cases[i].nbad);
		/* what was cleaned is written unchanged, only escaped */
		buf_reset(&b);
		xml_text(&b, c.data, c.len);
		assert_true(well_formed_text(b.data, b.len, 1));
		assert_true(well_formed_text(c.data, c.len, 0));
		buf_free(&b);
		buf_free(&c);
	}
}

/* Every byte string of length 1 and 2, and random longer ones. */
static void
test_exhaustive(void **state)
{
	unsigned char in[8];
	struct buf b = BUF_INIT, c = BUF_INIT;
	unsigned x, y, seed = 1;
	size_t k, j;

	(void)state;
	for (x = 0; x < 256; x++)
		for (y = 0; y < 256; y++) {
			in[0] = (unsigned char)x;
			in[1] = (unsigned char)y;
			for (k = 1; k <= 2; k++) {
				buf_reset(&b);
				buf_reset(&c);
				xml_text(&b, (const char *)in, k);
				(void)xml_text_clean(&c, (const char *)in, k);
				if (!well_formed_text(b.data, b.len, 1) ||
				    !well_formed_text(c.data, c.len, 0))
					fail_msg("bytes %02x %02x (%zu)", x, y,
					    k);
			}
		}
	for (k = 0; k < 200000; k++) {
		for (j = 0; j < sizeof(in); j++) {
			seed = seed * 1103515245u + 12345u;
			/* bias towards the bytes of multi-byte forms */
			in[j] = (unsigned char)(seed >> 16);
			if (in[j] < 0x40)
				in[j] |= 0x80;
		}
		buf_reset(&b);
		buf_reset(&c);
		xml_text(&b, (const char *)in, sizeof(in));
		(void)xml_text_clean(&c, (const char *)in, sizeof(in));
		assert_true(well_formed_text(b.data, b.len, 1));
		assert_true(well_formed_text(c.data, c.len, 0));
	}
	buf_free(&b);
	buf_free(&c);
}

static void
test_decode(void **state)
{
	static const struct {
		const char	*name, *in;
		size_t		 want;
		uint32_t	 cp;
	} t[] = {
		{ "ASCII", "A", 1, 0x41 },
		{ "2 bytes", "\xc3\xbc", 2, 0xfc },
		{ "3 bytes", "\xe4\xbe\x8b", 3, 0x4f8b },
		{ "4 bytes", "\xf0\x9f\x93\xa7", 4, 0x1f4e7 },
		{ "overlong", "\xc1\xbf", 0, 0 },
		{ "surrogate", "\xed\xb0\x80", 0, 0 },
		{ "too large", "\xf4\x90\x80\x80", 0, 0 },
	};
	size_t i;
	uint32_t cp;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: %s\n", t[i].name);
		cp = 0;
		assert_int_equal(utf8_decode((const unsigned char *)t[i].in,
		    strlen(t[i].in), &cp), t[i].want);
		if (t[i].want != 0)
			assert_int_equal(cp, t[i].cp);
	}
	assert_int_equal(utf8_decode((const unsigned char *)"", 0, &cp), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_exhaustive),
		cmocka_unit_test(test_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
