/* SPDX-License-Identifier: ISC */
/*
 * test_taglist.c - unit tests for taglist.c, the tag=value list writer.
 * Widths are measured in columns as the writer counts them: the first line
 * starts at the column given to taglist_begin, and a TAB after a fold
 * moves to the next multiple of 8.
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
#include "taglist.h"

/* A base64-looking value of n bytes (no ':' in it). */
static void
fake_b64(struct buf *out, size_t n)
{
	static const char set[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	buf_reset(out);
	for (i = 0; i < n; i++)
		buf_addc(out, set[(i * 7 + 3) % 64]);
}

/* The widest line of s, in columns, the first line starting at col. */
static size_t
widest_line(const char *s, size_t col, size_t *nlines)
{
	size_t max = col;

	*nlines = 1;
	for (; *s != '\0'; s++) {
		if (s[0] == '\r' && s[1] == '\n') {
			s++;
			col = 0;
			(*nlines)++;
			continue;
		}
		if (*s == '\t')
			col = (col / 8 + 1) * 8;
		else
			col++;
		if (col > max)
			max = col;
	}
	return max;
}

/*
 * s without its folds; fails on a CR or LF in any other form. A fold
 * inside a value ("\r\n\t") goes away; a fold between two tags stands
 * for the separating space, so ";\r\n\t" becomes "; ".
 */
static void
unfold(const char *s, struct buf *out)
{
	buf_reset(out);
	while (*s != '\0') {
		if (strncmp(s, ";\r\n\t", 4) == 0) {
			buf_adds(out, "; ");
			s += 4;
			continue;
		}
		if (strncmp(s, "\r\n\t", 3) == 0) {
			s += 3;
			continue;
		}
		if (*s == '\r' || *s == '\n') {
			print_message("line end not followed by a TAB: \"%s\"\n",
			    s);
			fail();
		}
		buf_addc(out, *s++);
	}
}

static void
check_width(const char *what, const char *s, size_t col)
{
	size_t nlines, w = widest_line(s, col, &nlines);

	if (w > TAGLIST_WIDTH) {
		print_message("%s: a line is %zu columns wide (max %d), "
		    "first line starting at column %zu:\n%s\n", what, w,
		    TAGLIST_WIDTH, col, s);
		fail();
	}
}

/* assert_string_equal that names the case in a loop of many. */
static void
check_str(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want) != 0) {
		print_message("%s:\n  got  \"%s\"\n  want \"%s\"\n", what,
		    got, want);
		fail();
	}
}

static void
test_short_lists(void **state)
{
	static const struct {
		const char	*name;
		size_t		 col;
		const char	*tags[4][2];	/* tag, value; NULL ends */
		enum taglist_fold fold;
		const char	*open;		/* tag left open, or NULL */
		const char	*tail;
		const char	*want;
	} t[] = {
		{ "one tag", 15, { { "v", "1" } }, TAGLIST_FOLD_NONE, NULL,
		    NULL, " v=1;" },
		{ "three tags", 15, { { "v", "1" }, { "a", "rsa-sha256" },
		    { "d", "example.com" } }, TAGLIST_FOLD_NONE, NULL, NULL,
		    " v=1; a=rsa-sha256; d=example.com;" },
		{ "short h= with colon folding", 15, { { "h", "from:to" } },
		    TAGLIST_FOLD_COLON, NULL, NULL, " h=from:to;" },
		{ "short base64", 15, { { "bh", "AbC+/=" } }, TAGLIST_FOLD_ANY,
		    NULL, NULL, " bh=AbC+/=;" },
		{ "open tag with tail", 15, { { "v", "1" } }, TAGLIST_FOLD_NONE,
		    "b", "QUJD", " v=1; b=QUJD" },
		{ "open tag, empty tail", 15, { { "v", "1" } },
		    TAGLIST_FOLD_NONE, "b", "", " v=1; b=" },
		{ "open tag first", 0, { { NULL, NULL } }, TAGLIST_FOLD_NONE,
		    "b", "xyz", " b=xyz" },
		{ "nothing", 15, { { NULL, NULL } }, TAGLIST_FOLD_NONE, NULL,
		    NULL, "" },
		{ "fold before a tag that does not fit", 70, { { "v", "1" },
		    { "d", "example.com" } }, TAGLIST_FOLD_NONE, NULL, NULL,
		    " v=1;\r\n\td=example.com;" },
	};
	struct taglist_writer w;
	struct buf out = BUF_INIT;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: %s\n", t[i].name);
		buf_reset(&out);
		taglist_begin(&w, &out, t[i].col);
		for (j = 0; j < 4 && t[i].tags[j][0] != NULL; j++)
			taglist_add(&w, t[i].tags[j][0], t[i].tags[j][1],
			    t[i].fold);
		if (t[i].open != NULL) {
			taglist_open(&w, t[i].open);
			taglist_add_tail(&w, t[i].tail);
		}
		assert_false(buf_failed(&out));
		assert_string_equal(buf_str(&out), t[i].want);
	}
	buf_free(&out);
}

/*
 * A long base64 value (b=, bh=, p=), written after tags that leave the
 * line at every possible column: no line over TAGLIST_WIDTH, and taking
 * the folds out gives the plain list back.
 */
static void
test_fold_any(void **state)
{
	static const size_t lens[] = { 1, 2, 43, 44, 60, 70, 71, 72, 73, 74,
	    75, 76, 77, 78, 140, 141, 142, 143, 144, 145, 146, 147, 148, 149,
	    150, 344, 412, 683, 1000 };
	struct buf out = BUF_INIT, v = BUF_INIT, plain = BUF_INIT;
	struct buf flat = BUF_INIT;
	struct taglist_writer w;
	char what[160];
	size_t i, pad;

	(void)state;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		fake_b64(&v, lens[i]);
		print_message("case: bh= of %zu bytes after tags of 0 to 69\n",
		    lens[i]);
		for (pad = 0; pad < 70; pad++) {
			struct buf a = BUF_INIT;
			size_t k;

			/* a first tag "a=xxx;" pushes the next one along */
			for (k = 0; k < pad; k++)
				buf_addc(&a, 'x');
			snprintf(what, sizeof(what), "bh= of %zu bytes after a "
			    "tag of %zu", lens[i], pad);
			buf_reset(&out);
			taglist_begin(&w, &out, 0);
			taglist_add(&w, "a", buf_str(&a), TAGLIST_FOLD_NONE);
			taglist_add(&w, "bh", buf_str(&v), TAGLIST_FOLD_ANY);
			assert_false(buf_failed(&out));
			check_width(what, buf_str(&out), 0);
			buf_reset(&plain);
			buf_printf(&plain, " a=%s; bh=%s;", buf_str(&a),
			    buf_str(&v));
			unfold(buf_str(&out), &flat);
			check_str(what, buf_str(&flat), buf_str(&plain));
			buf_free(&a);
		}
	}
	buf_free(&out);
	buf_free(&v);
	buf_free(&plain);
	buf_free(&flat);
}

/* The same for the open b= tag and its tail, which has no ';' after it. */
static void
test_open_tail(void **state)
{
	static const size_t lens[] = { 0, 1, 44, 86, 342, 344, 500 };
	struct buf out = BUF_INIT, v = BUF_INIT, plain = BUF_INIT;
	struct buf flat = BUF_INIT, a = BUF_INIT;
	struct taglist_writer w;
	char what[160];
	size_t i, pad;

	(void)state;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		fake_b64(&v, lens[i]);
		print_message("case: b= tail of %zu bytes after tags of 0 "
		    "to 59\n", lens[i]);
		buf_reset(&a);
		/* the first tag is never folded: keep it on the line */
		for (pad = 0; pad < 60; pad++, buf_addc(&a, 'y')) {
			snprintf(what, sizeof(what), "b= tail of %zu bytes after "
			    "a tag of %zu", lens[i], pad);
			buf_reset(&out);
			taglist_begin(&w, &out, 15);
			taglist_add(&w, "s", buf_str(&a), TAGLIST_FOLD_NONE);
			taglist_open(&w, "b");
			taglist_add_tail(&w, buf_str(&v));
			assert_false(buf_failed(&out));
			check_width(what, buf_str(&out), 15);
			buf_reset(&plain);
			buf_printf(&plain, " s=%s; b=%s", buf_str(&a),
			    buf_str(&v));
			unfold(buf_str(&out), &flat);
			check_str(what, buf_str(&flat), buf_str(&plain));
		}
	}
	buf_free(&out);
	buf_free(&v);
	buf_free(&plain);
	buf_free(&flat);
	buf_free(&a);
}

/*
 * h= folded at colons: every fold inside the value comes right after a
 * ':', no line is too wide, and unfolding gives the value back.
 */
static void
test_fold_colon(void **state)
{
	static const char *const lists[] = {
		"From:To:Cc:Subject:Date:Message-ID:Reply-To:In-Reply-To:"
		    "References:MIME-Version:Content-Type:"
		    "Content-Transfer-Encoding:List-Id:List-Unsubscribe:"
		    "List-Unsubscribe-Post:From",
		"From:From:From:From:From:From:From:From:From:From:From:From:"
		    "From:From:From:From:From:From:From:From:From",
		"Subject:Content-Transfer-Encoding:List-Unsubscribe-Post:"
		    "Content-Transfer-Encoding:Subject",
		"Date",
	};
	struct buf out = BUF_INIT, plain = BUF_INIT, flat = BUF_INIT;
	struct buf a = BUF_INIT;
	struct taglist_writer w;
	char what[200];
	size_t i, pad;

	(void)state;
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		print_message("case: h= list %zu after tags of 0 to 69\n", i);
		buf_reset(&a);
		for (pad = 0; pad < 70; pad++, buf_addc(&a, 'z')) {
			const char *h, *p;

			snprintf(what, sizeof(what), "h= list %zu after a tag "
			    "of %zu", i, pad);
			buf_reset(&out);
			taglist_begin(&w, &out, 0);
			taglist_add(&w, "a", buf_str(&a), TAGLIST_FOLD_NONE);
			taglist_add(&w, "h", lists[i], TAGLIST_FOLD_COLON);
			assert_false(buf_failed(&out));
			check_width(what, buf_str(&out), 0);
			buf_reset(&plain);
			buf_printf(&plain, " a=%s; h=%s;", buf_str(&a),
			    lists[i]);
			unfold(buf_str(&out), &flat);
			check_str(what, buf_str(&flat), buf_str(&plain));
			/* folds inside the h= value only after ':' */
			h = strstr(buf_str(&out), "h=");
			assert_non_null(h);
			for (p = h; (p = strstr(p, "\r\n\t")) != NULL; p += 3) {
				if (p[-1] != ':') {
					print_message("%s: fold after '%c' in "
					    "h=:\n%s\n", what, p[-1],
					    buf_str(&out));
					fail();
				}
			}
		}
	}
	buf_free(&out);
	buf_free(&plain);
	buf_free(&flat);
	buf_free(&a);
}

/* TAGLIST_FOLD_NONE never breaks a value, whatever its length. */
static void
test_fold_none(void **state)
{
	struct buf out = BUF_INIT, v = BUF_INIT;
	struct taglist_writer w;
	const char *p;

	(void)state;
	print_message("case: long value with FOLD_NONE\n");
	fake_b64(&v, 120);
	taglist_begin(&w, &out, 15);
	taglist_add(&w, "v", "1", TAGLIST_FOLD_NONE);
	taglist_add(&w, "d", buf_str(&v), TAGLIST_FOLD_NONE);
	assert_false(buf_failed(&out));
	/* one fold, before d=, and the value whole after it */
	p = strstr(buf_str(&out), "\r\n\t");
	assert_non_null(p);
	assert_null(strstr(p + 3, "\r\n"));
	assert_int_equal(strncmp(p + 3, "d=", 2), 0);
	assert_int_equal(strncmp(p + 5, buf_str(&v), v.len), 0);
	buf_free(&out);
	buf_free(&v);
}

/* A whole DKIM-Signature-like list, as dkim_sign.c writes it. */
static void
test_signature_shape(void **state)
{
	struct buf out = BUF_INIT, bh = BUF_INIT, b = BUF_INIT;
	struct buf flat = BUF_INIT, plain = BUF_INIT;
	struct taglist_writer w;
	const char *h = "From:To:Subject:Date:Message-ID:MIME-Version:"
	    "Content-Type:From";

	(void)state;
	print_message("case: full signature list\n");
	fake_b64(&bh, 44);
	fake_b64(&b, 344);
	taglist_begin(&w, &out, sizeof("DKIM-Signature"));
	taglist_add(&w, "v", "1", TAGLIST_FOLD_NONE);
	taglist_add(&w, "a", "rsa-sha256", TAGLIST_FOLD_NONE);
	taglist_add(&w, "c", "relaxed/relaxed", TAGLIST_FOLD_NONE);
	taglist_add(&w, "d", "example.com", TAGLIST_FOLD_NONE);
	taglist_add(&w, "s", "sel2024", TAGLIST_FOLD_NONE);
	taglist_add(&w, "t", "1700000000", TAGLIST_FOLD_NONE);
	taglist_add(&w, "h", h, TAGLIST_FOLD_COLON);
	taglist_add(&w, "bh", buf_str(&bh), TAGLIST_FOLD_ANY);
	taglist_open(&w, "b");
	taglist_add_tail(&w, buf_str(&b));
	assert_false(buf_failed(&out));
	check_width("full signature", buf_str(&out), sizeof("DKIM-Signature"));
	buf_printf(&plain, " v=1; a=rsa-sha256; c=relaxed/relaxed; "
	    "d=example.com; s=sel2024; t=1700000000; h=%s; bh=%s; b=%s", h,
	    buf_str(&bh), buf_str(&b));
	unfold(buf_str(&out), &flat);
	assert_string_equal(buf_str(&flat), buf_str(&plain));
	assert_int_equal(w.ntags, 9);
	buf_free(&out);
	buf_free(&bh);
	buf_free(&b);
	buf_free(&flat);
	buf_free(&plain);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_lists),
		cmocka_unit_test(test_fold_any),
		cmocka_unit_test(test_open_tail),
		cmocka_unit_test(test_fold_colon),
		cmocka_unit_test(test_fold_none),
		cmocka_unit_test(test_signature_shape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
