/* SPDX-License-Identifier: ISC */
/*
 * test_config_restart.c - config_restart_changes: a reload names exactly
 * the restart-only settings whose values changed (issue 15), none when only
 * reloadable ones did, and config_reloadable agrees with it.
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
#include "config.h"

static struct config *
parse(const char *text)
{
	struct buf problems = BUF_INIT;
	struct config *c;
	FILE *f;

	assert_non_null(f = fmemopen((void *)text, strlen(text), "r"));
	c = config_parse(f, "test.conf", &problems);
	fclose(f);
	if (c == NULL)
		fail_msg("%s", buf_str(&problems));
	buf_free(&problems);
	return c;
}

/* The names config_restart_changes gives for old -> new, and how many. */
static void
want(const char *old, const char *new, int n, const char *names)
{
	struct config *a = parse(old), *b = parse(new);
	struct buf out = BUF_INIT;

	assert_int_equal(config_restart_changes(a, b, &out), n);
	assert_string_equal(buf_str(&out), names);
	buf_free(&out);
	config_unref(a);
	config_unref(b);
}

static void
test_restart_changes(void **state)
{
	(void)state;
	print_message("case: the same file: nothing\n");
	want("socket = inet:1@127.0.0.1\n", "socket = inet:1@127.0.0.1\n", 0, "");
	print_message("case: only dmarc_report_db changed\n");
	want("dmarc_report_db = /a.db\n", "dmarc_report_db = /b.db\n", 1,
	    "dmarc_report_db");
	print_message("case: only reloadable settings changed\n");
	want("dns_timeout = 1000\nsign_subdomains = no\n",
	    "dns_timeout = 2000\nsign_subdomains = yes\n", 0, "");
	print_message("case: two restart-only settings and a reloadable one\n");
	want("milter_timeout = 10\nuser = a\n",
	    "milter_timeout = 20\nuser = b\nlog_level = debug\n", 2,
	    "user, milter_timeout");
	print_message("case: a setting written out with its default value\n");
	want("", "shutdown_timeout = 30\n", 0, "");
	print_message("case: config_reloadable\n");
	assert_false(config_reloadable("dmarc_report_db"));
	assert_false(config_reloadable("socket"));
	assert_true(config_reloadable("key_dir"));
	assert_false(config_reloadable("no_such_setting"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restart_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
