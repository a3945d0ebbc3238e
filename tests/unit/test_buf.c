/* SPDX-License-Identifier: ISC */
/*
 * test_buf.c - unit tests for buf.c: growth, the NUL terminator, sticky
 * failure on size overflow, moving storage out, and quoted strings.
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

static void
test_add(void **state)
{
	struct buf b = BUF_INIT;
	size_t i;

	(void)state;
	print_message("case: empty buffer\n");
	assert_string_equal(buf_str(&b), "");
	assert_false(buf_failed(&b));

	print_message("case: add, addc, adds, printf\n");
	buf_add(&b, "ab", 2);
	buf_addc(&b, 'c');
	buf_adds(&b, "de");
	buf_printf(&b, "-%d-%s", 42, "x");
	buf_add(&b, "", 0);
	assert_string_equal(buf_str(&b), "abcde-42-x");
	assert_int_equal(b.len, 10);

	print_message("case: binary data keeps its length\n");
	buf_add(&b, "\0z", 2);
	assert_int_equal(b.len, 12);
	assert_int_equal(b.data[12], '\0');
	assert_memory_equal(b.data + 10, "\0z", 2);

	print_message("case: growth past many doublings\n");
	buf_reset(&b);
	for (i = 0; i < 100000; i++)
		buf_addc(&b, (char)('a' + i % 26));
	assert_false(buf_failed(&b));
	assert_int_equal(b.len, 100000);
	assert_int_equal(strlen(buf_str(&b)), 100000);
	assert_true(b.cap > b.len);

	print_message("case: truncate keeps the first len bytes\n");
	buf_truncate(&b, 3);
	assert_string_equal(buf_str(&b), "abc");
	buf_truncate(&b, 10);		/* longer: nothing happens */
	assert_string_equal(buf_str(&b), "abc");
	buf_truncate(&b, 0);
	assert_string_equal(buf_str(&b), "");

	print_message("case: reset keeps storage\n");
	buf_adds(&b, "xyz");
	i = b.cap;
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, i);
	assert_string_equal(buf_str(&b), "");
	buf_free(&b);
	assert_null(b.data);
	buf_free(&b);			/* twice is fine */

	print_message("case: long printf\n");
	buf_printf(&b, "%5000s|", "r");
	assert_int_equal(b.len, 5001);
	assert_int_equal(b.data[4999], 'r');
	buf_wipe(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

static void
test_overflow(void **state)
{
	struct buf b = BUF_INIT;
	char *p;

	(void)state;
	print_message("case: size overflow is sticky\n");
	buf_adds(&b, "keep");
	assert_int_equal(buf_reserve(&b, SIZE_MAX), -1);
	assert_true(buf_failed(&b));
	assert_string_equal(buf_str(&b), "");
	buf_adds(&b, "more");
	buf_printf(&b, "%d", 1);
	assert_int_equal(buf_reserve(&b, 1), -1);
	assert_true(buf_failed(&b));
	assert_int_equal(b.len, 4);

	print_message("case: release of a failed buffer\n");
	assert_null(buf_release(&b));
	assert_null(b.data);
	assert_false(buf_failed(&b));

	print_message("case: SIZE_MAX - len - 1 boundary\n");
	buf_adds(&b, "ab");
	assert_int_equal(buf_reserve(&b, SIZE_MAX - 2), -1);
	buf_reset(&b);			/* reset forgets the failure */
	assert_false(buf_failed(&b));
	buf_adds(&b, "ok");
	assert_string_equal(buf_str(&b), "ok");

	print_message("case: release moves the storage\n");
	p = buf_release(&b);
	assert_non_null(p);
	assert_string_equal(p, "ok");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	free(p);

	print_message("case: release of an empty buffer is \"\"\n");
	p = buf_release(&b);
	assert_non_null(p);
	assert_string_equal(p, "");
	free(p);
	buf_free(&b);
}

static void
test_quoted(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	print_message("case: plain text is wrapped in DQUOTEs\n");
	buf_add_quoted(&b, "body hash did not verify");
	assert_string_equal(buf_str(&b), "\"body hash did not verify\"");

	print_message("case: DQUOTE and backslash become quoted-pairs\n");
	buf_reset(&b);
	buf_add_quoted(&b, "a\"b\\c");
	assert_string_equal(buf_str(&b), "\"a\\\"b\\\\c\"");

	print_message("case: CR, LF, TAB, DEL and 8-bit bytes are dropped\n");
	buf_reset(&b);
	buf_add_quoted(&b, "x\r\n\ty\x7f\xc3\xa9z");
	assert_string_equal(buf_str(&b), "\"xyz\"");

	print_message("case: the empty string is \"\"\n");
	buf_reset(&b);
	buf_add_quoted(&b, "");
	assert_string_equal(buf_str(&b), "\"\"");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_quoted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
