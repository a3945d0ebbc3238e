/* SPDX-License-Identifier: ISC */
/*
 * test_log.c - unit tests for log.c: the *_errno variants end the line with
 * the text of errno (glibc's GNU strerror_r returns the text, which it need
 * not have written into the buffer passed), and leave errno as it was.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

/* What log_errno writes to stderr for errno e, as one string. */
static void
logged(int e, char *out, size_t outsz)
{
	FILE *f;
	int saved, n;

	assert_non_null(f = tmpfile());
	fflush(stderr);
	assert_true((saved = dup(STDERR_FILENO)) != -1);
	assert_true(dup2(fileno(f), STDERR_FILENO) != -1);
	log_init("test_log", true, LOG_MAIL);
	errno = e;
	log_warn("cannot open %s", "/nonexistent");
	assert_int_equal(errno, e);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) != -1);
	close(saved);
	rewind(f);
	n = (int)fread(out, 1, outsz - 1, f);
	out[n] = '\0';
	fclose(f);
}

static void
test_errno_text(void **state)
{
	char out[512], want[512];

	(void)state;
	print_message("case: ENOENT: the line ends with its text\n");
	logged(ENOENT, out, sizeof(out));
	snprintf(want, sizeof(want), "test_log: cannot open /nonexistent: %s\n",
	    strerror(ENOENT));
	assert_string_equal(out, want);
	assert_non_null(strstr(out, "No such file or directory"));

	print_message("case: EACCES\n");
	logged(EACCES, out, sizeof(out));
	snprintf(want, sizeof(want), "test_log: cannot open /nonexistent: %s\n",
	    strerror(EACCES));
	assert_string_equal(out, want);

	print_message("case: an errno without a name: Unknown error N\n");
	logged(9999, out, sizeof(out));
	assert_string_equal(out,
	    "test_log: cannot open /nonexistent: Unknown error 9999\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errno_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
