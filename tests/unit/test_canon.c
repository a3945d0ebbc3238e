/* SPDX-License-Identifier: ISC */
/*
 * test_canon.c - unit tests for canon.c (RFC 6376 section 3.4).
 * Every body case is run once in one chunk, then in every split into two
 * chunks and one byte at a time, and must give the same bytes each time:
 * the milter hands the body over in pieces of any size.
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
#include "canon.h"

static int
emit_buf(void *arg, const unsigned char *p, size_t n)
{
	buf_add(arg, p, n);
	return 0;
}

/* Show control bytes so a failure message says which one differs. */
static const char *
visible(const char *s, size_t len, struct buf *out)
{
	size_t i;

	buf_reset(out);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r')
			buf_adds(out, "\\r");
		else if (c == '\n')
			buf_adds(out, "\\n");
		else if (c == '\t')
			buf_adds(out, "\\t");
		else if (c < 32 || c > 126)
			buf_printf(out, "\\x%02x", c);
		else
			buf_addc(out, (char)c);
	}
	return buf_str(out);
}

static void
check_bytes(const char *what, const struct buf *got, const char *want)
{
	struct buf a = BUF_INIT, b = BUF_INIT;

	if (got->len != strlen(want) || memcmp(got->data == NULL ? "" :
	    got->data, want, got->len) != 0) {
		print_message("%s:\n  got  \"%s\"\n", what,
		    visible(buf_str(got), got->len, &a));
		print_message("  want \"%s\"\n", visible(want, strlen(want), &b));
		buf_free(&a);
		buf_free(&b);
		fail();
	}
	buf_free(&a);
	buf_free(&b);
}

/*
 * Canonicalize in (len bytes) in chunks: cuts[] are the offsets where a new
 * chunk starts (ascending, may repeat to feed an empty chunk).
 */
static void
canon_chunks(enum canon_alg alg, const char *in, size_t len,
    const size_t *cuts, size_t ncuts, struct buf *out)
{
	struct canon_body *cb;
	size_t i, from = 0;

	buf_reset(out);
	cb = canon_body_new(alg, emit_buf, out);
	assert_non_null(cb);
	for (i = 0; i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : len;

		assert_int_equal(canon_body_update(cb,
		    (const unsigned char *)in + from, to - from), 0);
		from = to;
	}
	assert_int_equal(canon_body_final(cb), 0);
	canon_body_free(cb);
	assert_false(buf_failed(out));
}

/* One chunk, every two-chunk split, one byte at a time: all equal want. */
static void
check_body(const char *name, enum canon_alg alg, const char *in, size_t len,
    const char *want)
{
	struct buf got = BUF_INIT;
	char what[256];
	size_t k, step, *cuts;

	snprintf(what, sizeof(what), "%s (%s, one chunk)", name,
	    canon_name(alg));
	canon_chunks(alg, in, len, NULL, 0, &got);
	check_bytes(what, &got, want);

	/* an empty chunk first and last changes nothing */
	{
		size_t c[2] = { 0, len };

		snprintf(what, sizeof(what), "%s (%s, empty chunks)", name,
		    canon_name(alg));
		canon_chunks(alg, in, len, c, 2, &got);
		check_bytes(what, &got, want);
	}

	/* every split into two chunks (a sample of them for long input) */
	step = len > 2000 ? 97 : 1;
	for (k = 0; k <= len; k += step) {
		snprintf(what, sizeof(what), "%s (%s, split at %zu)", name,
		    canon_name(alg), k);
		canon_chunks(alg, in, len, &k, 1, &got);
		check_bytes(what, &got, want);
	}

	/* one byte at a time */
	if (len > 0) {
		cuts = calloc(len, sizeof(*cuts));
		assert_non_null(cuts);
		for (k = 0; k < len; k++)
			cuts[k] = k + 1;
		snprintf(what, sizeof(what), "%s (%s, byte by byte)", name,
		    canon_name(alg));
		canon_chunks(alg, in, len, cuts, len - 1, &got);
		check_bytes(what, &got, want);
		free(cuts);
	}
	buf_free(&got);
}

struct body_case {
	const char	*name;
	const char	*in;
	const char	*simple;
	const char	*relaxed;
};

static const struct body_case body_cases[] = {
	/* RFC 6376 section 3.4.6, the body of both examples */
	{ "RFC 6376 3.4.6 example", " C \r\nD \t E\r\n\r\n\r\n",
	    " C \r\nD \t E\r\n", " C\r\nD E\r\n" },
	{ "empty body", "", "\r\n", "" },
	{ "one empty line", "\r\n", "\r\n", "" },
	{ "only empty lines", "\r\n\r\n\r\n\r\n", "\r\n", "" },
	{ "no final CRLF", "a\r\nb", "a\r\nb\r\n", "a\r\nb\r\n" },
	{ "one line, no CRLF", "x", "x\r\n", "x\r\n" },
	{ "trailing empty lines", "a\r\n\r\n\r\n", "a\r\n", "a\r\n" },
	{ "empty lines inside kept", "a\r\n\r\n\r\nb\r\n",
	    "a\r\n\r\n\r\nb\r\n", "a\r\n\r\n\r\nb\r\n" },
	{ "trailing whitespace", "a  \t\r\nb \r\n",
	    "a  \t\r\nb \r\n", "a\r\nb\r\n" },
	{ "trailing whitespace, no CRLF", "a \t ", "a \t \r\n", "a\r\n" },
	{ "WSP runs", "a \t  b\t\tc d\r\n",
	    "a \t  b\t\tc d\r\n", "a b c d\r\n" },
	{ "leading WSP kept as one SP", " \t a\r\n\tb\r\n",
	    " \t a\r\n\tb\r\n", " a\r\n b\r\n" },
	{ "whitespace-only line inside", "a\r\n \t \r\nb\r\n",
	    "a\r\n \t \r\nb\r\n", "a\r\n\r\nb\r\n" },
	{ "whitespace-only lines at the end", "a\r\n \r\n\t\r\n\r\n",
	    "a\r\n \r\n\t\r\n", "a\r\n" },
	{ "only whitespace", "  \t ", "  \t \r\n", "" },
	{ "only whitespace lines", " \r\n\t\r\n \r\n", " \r\n\t\r\n \r\n",
	    "" },
	{ "bare LF line ends", "a\nb \n\n", "a\r\nb \r\n", "a\r\nb\r\n" },
	{ "bare LF only", "\n\n\n", "\r\n", "" },
	{ "mixed LF and CRLF", "a\r\nb\nc", "a\r\nb\r\nc\r\n",
	    "a\r\nb\r\nc\r\n" },
	{ "bare LF after WSP", "a \t\nb\n", "a \t\r\nb\r\n", "a\r\nb\r\n" },
	{ "bare CR in the middle kept", "a\rb\r\n", "a\rb\r\n", "a\rb\r\n" },
	{ "bare CR between WSP", "a \r b\r\n", "a \r b\r\n", "a \r b\r\n" },
	{ "CR CR LF", "a\r\r\n", "a\r\r\n", "a\r\r\n" },
	{ "bare CR at the very end", "a\r", "a\r\r\n", "a\r\r\n" },
	{ "bare CR line then empty lines", "\r\r\n\r\n", "\r\r\n", "\r\r\n" },
	{ "CRLF then bare CR then LF", "a\r\n\r\r\n", "a\r\n\r\r\n",
	    "a\r\n\r\r\n" },
	{ "NUL-free 8-bit bytes", "\xc3\xa9t\xc3\xa9 \r\n",
	    "\xc3\xa9t\xc3\xa9 \r\n", "\xc3\xa9t\xc3\xa9\r\n" },
	{ "dot line", ".\r\n..\r\n", ".\r\n..\r\n", ".\r\n..\r\n" },
};

static void
test_body_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(body_cases) / sizeof(body_cases[0]); i++) {
		const struct body_case *t = &body_cases[i];

		print_message("case: %s\n", t->name);
		check_body(t->name, CANON_SIMPLE, t->in, strlen(t->in),
		    t->simple);
		check_body(t->name, CANON_RELAXED, t->in, strlen(t->in),
		    t->relaxed);
	}
}

/* Longer than the 8 KB staging area, so emit is called several times. */
static void
test_body_long(void **state)
{
	struct buf in = BUF_INIT, simple = BUF_INIT, relaxed = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		buf_printf(&in, "line %zu  with \t runs \r\n", i);
		buf_printf(&simple, "line %zu  with \t runs \r\n", i);
		buf_printf(&relaxed, "line %zu with runs\r\n", i);
	}
	buf_adds(&in, "\r\n\r\n \r\n");
	buf_adds(&simple, "\r\n\r\n \r\n");
	assert_false(buf_failed(&in));
	assert_true(in.len > 2 * 8192);
	print_message("case: long body\n");
	check_body("long body", CANON_SIMPLE, in.data, in.len,
	    buf_str(&simple));
	check_body("long body", CANON_RELAXED, in.data, in.len,
	    buf_str(&relaxed));
	buf_free(&in);
	buf_free(&simple);
	buf_free(&relaxed);
}

/*
 * The fast path (16 bytes at a time) against the byte-wise machine: random
 * bodies made of the bytes it must decide about (SP, TAB, CR, LF) among
 * text, in one chunk and in random chunks, must canonicalize exactly as
 * when fed one byte at a time (which never takes the fast path).
 */
static void
test_body_fast_path(void **state)
{
	static const char alphabet[] = "abcdefgh ij kl\t\r\n\r\n  ";
	enum canon_alg algs[] = { CANON_SIMPLE, CANON_RELAXED };
	struct buf slow = BUF_INIT, fast = BUF_INIT, cut = BUF_INIT;
	unsigned long x = 88172645463325252UL;	/* xorshift: reproducible */
	char in[400];
	size_t cuts[8], one[sizeof(in)];
	int round, a;

	(void)state;
	for (round = 0; round < 3000; round++) {
		size_t len, i, ncuts;

		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		len = x % sizeof(in);
		for (i = 0; i < len; i++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			/* long plain stretches now and then */
			in[i] = (x >> 8) % 4 == 0 ? alphabet[x %
			    (sizeof(alphabet) - 1)] : "xyz w"[x % 5];
		}
		for (i = 0; i < len; i++)
			one[i] = i + 1;
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		ncuts = x % 8;
		for (i = 0; i < ncuts; i++)
			cuts[i] = len > 0 ? (x >> (i * 7)) % len : 0;
		/* ascending */
		for (i = 1; i < ncuts; i++) {
			size_t j, t;

			for (j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
				t = cuts[j]; cuts[j] = cuts[j - 1]; cuts[j - 1] = t;
			}
		}
		for (a = 0; a < 2; a++) {
			canon_chunks(algs[a], in, len, one, len > 0 ? len - 1 : 0,
			    &slow);
			canon_chunks(algs[a], in, len, NULL, 0, &fast);
			canon_chunks(algs[a], in, len, cuts, ncuts, &cut);
			if (slow.len != fast.len || slow.len != cut.len ||
			    memcmp(slow.data, fast.data, slow.len) != 0 ||
			    memcmp(slow.data, cut.data, slow.len) != 0) {
				struct buf v = BUF_INIT;

				print_message("round %d, %s: input \"%s\"\n", round,
				    canon_name(algs[a]), visible(in, len, &v));
				buf_free(&v);
				fail();
			}
		}
	}
	buf_free(&slow);
	buf_free(&fast);
	buf_free(&cut);
}

/* Many trailing empty lines, then content: all of them come back. */
static void
test_body_many_empty_lines(void **state)
{
	struct buf in = BUF_INIT, want = BUF_INIT;
	size_t i;

	(void)state;
	buf_adds(&in, "a\r\n");
	for (i = 0; i < 10000; i++)
		buf_adds(&in, "\r\n");
	buf_adds(&want, buf_str(&in));
	buf_adds(&in, "b");
	buf_adds(&want, "b\r\n");
	print_message("case: 10000 empty lines before the last line\n");
	check_body("10000 empty lines", CANON_SIMPLE, in.data, in.len,
	    buf_str(&want));
	check_body("10000 empty lines", CANON_RELAXED, in.data, in.len,
	    buf_str(&want));
	buf_free(&in);
	buf_free(&want);
}

static int
emit_fail(void *arg, const unsigned char *p, size_t n)
{
	int *calls = arg;

	(void)p;
	(void)n;
	(*calls)++;
	return -1;
}

/* An emit failure makes the body fail, and stays failed. */
static void
test_body_emit_failure(void **state)
{
	static const enum canon_alg algs[] = { CANON_SIMPLE, CANON_RELAXED };
	struct canon_body *cb;
	size_t i;
	int calls;

	(void)state;
	for (i = 0; i < 2; i++) {
		print_message("case: emit failure, %s\n", canon_name(algs[i]));
		calls = 0;
		cb = canon_body_new(algs[i], emit_fail, &calls);
		assert_non_null(cb);
		assert_int_equal(canon_body_update(cb,
		    (const unsigned char *)"abc\r\n", 5), 0);
		assert_int_equal(canon_body_final(cb), -1);
		assert_int_equal(calls, 1);
		assert_int_equal(canon_body_update(cb,
		    (const unsigned char *)"x", 1), -1);
		assert_int_equal(canon_body_final(cb), -1);
		assert_int_equal(calls, 1);
		canon_body_free(cb);
	}
	canon_body_free(NULL);
}

struct header_case {
	const char	*name;
	const char	*raw;
	bool		 with_crlf;
	const char	*simple;
	const char	*relaxed;
};

static const struct header_case header_cases[] = {
	/* RFC 6376 section 3.4.6 */
	{ "RFC 6376 3.4.6 A", "A: X", true, "A: X\r\n", "a:X\r\n" },
	{ "RFC 6376 3.4.6 B", "B : Y\t\r\n\tZ  ", true,
	    "B : Y\t\r\n\tZ  \r\n", "b:Y Z\r\n" },
	{ "folded value", "Subject: one\r\n two\r\n\tthree", true,
	    "Subject: one\r\n two\r\n\tthree\r\n", "subject:one two three\r\n" },
	{ "folded right after the colon", "To:\r\n a@example.com", true,
	    "To:\r\n a@example.com\r\n", "to:a@example.com\r\n" },
	{ "oddly cased name", "SuBjEcT: Hello World", true,
	    "SuBjEcT: Hello World\r\n", "subject:Hello World\r\n" },
	{ "value case kept", "X-Test: MiXeD", true, "X-Test: MiXeD\r\n",
	    "x-test:MiXeD\r\n" },
	{ "space before the colon", "Subject \t : hi", true,
	    "Subject \t : hi\r\n", "subject:hi\r\n" },
	{ "WSP runs in value", "Subject:  a  \t b \t", true,
	    "Subject:  a  \t b \t\r\n", "subject:a b\r\n" },
	{ "value with only whitespace", "X-Empty: \t  ", true,
	    "X-Empty: \t  \r\n", "x-empty:\r\n" },
	{ "folded whitespace-only value", "X-Empty: \r\n \t", true,
	    "X-Empty: \r\n \t\r\n", "x-empty:\r\n" },
	{ "empty value", "X-Empty:", true, "X-Empty:\r\n", "x-empty:\r\n" },
	{ "with_crlf false", "DKIM-Signature: v=1; b=", false,
	    "DKIM-Signature: v=1; b=", "dkim-signature:v=1; b=" },
	{ "with_crlf false, folded", "DKIM-Signature: v=1;\r\n\tb=", false,
	    "DKIM-Signature: v=1;\r\n\tb=", "dkim-signature:v=1; b=" },
	{ "colon inside value", "Subject: re: a:b", true,
	    "Subject: re: a:b\r\n", "subject:re: a:b\r\n" },
};

static void
test_header_cases(void **state)
{
	struct buf got = BUF_INIT;
	char what[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(header_cases) / sizeof(header_cases[0]); i++) {
		const struct header_case *t = &header_cases[i];

		print_message("case: %s\n", t->name);
		buf_reset(&got);
		canon_header(CANON_SIMPLE, t->raw, strlen(t->raw), t->with_crlf,
		    &got);
		snprintf(what, sizeof(what), "%s (simple)", t->name);
		check_bytes(what, &got, t->simple);
		buf_reset(&got);
		canon_header(CANON_RELAXED, t->raw, strlen(t->raw), t->with_crlf,
		    &got);
		snprintf(what, sizeof(what), "%s (relaxed)", t->name);
		check_bytes(what, &got, t->relaxed);
	}
	buf_free(&got);
}

/* canon_header appends; it does not replace what the buffer holds. */
static void
test_header_appends(void **state)
{
	struct buf got = BUF_INIT;

	(void)state;
	print_message("case: two fields appended in a row\n");
	canon_header(CANON_RELAXED, "A: X", 4, true, &got);
	canon_header(CANON_RELAXED, "B : Y\t\r\n\tZ  ", 12, true, &got);
	check_bytes("RFC 6376 3.4.6 relaxed header block", &got,
	    "a:X\r\nb:Y Z\r\n");
	buf_reset(&got);
	canon_header(CANON_SIMPLE, "A: X", 4, true, &got);
	canon_header(CANON_SIMPLE, "B : Y\t\r\n\tZ  ", 12, true, &got);
	check_bytes("RFC 6376 3.4.6 simple header block", &got,
	    "A: X\r\nB : Y\t\r\n\tZ  \r\n");
	buf_free(&got);
}

static void
test_names(void **state)
{
	static const struct {
		const char	*name, *in;
		int		 rc;
		enum canon_alg	 want;
	} t[] = {
		{ "simple", "simple", 0, CANON_SIMPLE },
		{ "relaxed", "relaxed", 0, CANON_RELAXED },
		{ "upper case", "RELAXED", 0, CANON_RELAXED },
		{ "mixed case", "Simple", 0, CANON_SIMPLE },
		{ "prefix", "relax", -1, CANON_SIMPLE },
		{ "longer", "simplex", -1, CANON_SIMPLE },
		{ "empty", "", -1, CANON_SIMPLE },
		{ "pair is not one name", "relaxed/simple", -1, CANON_SIMPLE },
	};
	enum canon_alg got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: canon_parse %s\n", t[i].name);
		got = CANON_SIMPLE;
		assert_int_equal(canon_parse(t[i].in, strlen(t[i].in), &got),
		    t[i].rc);
		if (t[i].rc == 0)
			assert_int_equal(got, t[i].want);
	}
	/* a length shorter than the string counts */
	assert_int_equal(canon_parse("simplexyz", 6, &got), 0);
	assert_int_equal(got, CANON_SIMPLE);
	assert_string_equal(canon_name(CANON_SIMPLE), "simple");
	assert_string_equal(canon_name(CANON_RELAXED), "relaxed");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body_cases),
		cmocka_unit_test(test_body_long),
		cmocka_unit_test(test_body_fast_path),
		cmocka_unit_test(test_body_many_empty_lines),
		cmocka_unit_test(test_body_emit_failure),
		cmocka_unit_test(test_header_cases),
		cmocka_unit_test(test_header_appends),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
