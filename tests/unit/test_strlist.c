/* SPDX-License-Identifier: ISC */
/*
 * test_strlist.c - unit tests for strlist.c: splitting as inkan.conf lists
 * (commas and blanks) and as OpenDKIM's comma-separated data sets (blanks
 * inside an item kept), lookup and removal without regard to case, join.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "strlist.h"

static void
test_split(void **state)
{
	struct strlist l = STRLIST_INIT;

	(void)state;
	print_message("case: inkan.conf list: commas and blanks separate\n");
	assert_int_equal(strlist_split(&l, " From, To\tSubject ,,Date ",
	    ", \t"), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0], "From");
	assert_string_equal(l.v[1], "To");
	assert_string_equal(l.v[2], "Subject");
	assert_string_equal(l.v[3], "Date");

	print_message("case: a second split appends\n");
	assert_int_equal(strlist_split(&l, "Cc", ", \t"), 0);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[4], "Cc");
	strlist_free(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.v);

	print_message("case: csl: only commas separate, blanks trimmed\n");
	assert_int_equal(strlist_split(&l, "  127.0.0.1 ,host one\t, ,::1",
	    ","), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0], "127.0.0.1");
	assert_string_equal(l.v[1], "host one");
	assert_string_equal(l.v[2], "::1");
	strlist_free(&l);

	print_message("case: nothing but separators gives an empty list\n");
	assert_int_equal(strlist_split(&l, " , \t,", ","), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(strlist_split(&l, "", ", \t"), 0);
	assert_int_equal(l.n, 0);
	strlist_free(&l);
}

static void
test_has_remove_join(void **state)
{
	struct strlist l = STRLIST_INIT;
	char *s;

	(void)state;
	print_message("case: an empty list joins to \"\"\n");
	s = strlist_join(&l);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);

	assert_int_equal(strlist_add(&l, "From", 4), 0);
	assert_int_equal(strlist_add(&l, "Subjectxyz", 7), 0);
	assert_int_equal(strlist_add(&l, "from", 4), 0);
	assert_int_equal(strlist_add(&l, "Date", 4), 0);
	print_message("case: add copies len bytes\n");
	assert_string_equal(l.v[1], "Subject");

	print_message("case: has ignores ASCII case\n");
	assert_true(strlist_has(&l, "FROM"));
	assert_true(strlist_has(&l, "subject"));
	assert_false(strlist_has(&l, "To"));
	assert_false(strlist_has(&l, "Fro"));

	print_message("case: remove takes every match, keeps the order\n");
	strlist_remove(&l, "From");
	assert_int_equal(l.n, 2);
	assert_false(strlist_has(&l, "from"));
	s = strlist_join(&l);
	assert_non_null(s);
	assert_string_equal(s, "Subject, Date");
	free(s);

	print_message("case: removing what is absent changes nothing\n");
	strlist_remove(&l, "To");
	assert_int_equal(l.n, 2);
	strlist_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_has_remove_join),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
