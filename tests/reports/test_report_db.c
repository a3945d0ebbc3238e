/* SPDX-License-Identifier: ISC */
/*
 * test_report_db.c - report_db.c: rows land in the table, their values
 * cleaned (valid UTF-8, no controls), a bad path fails open cleanly, and a
 * database that cannot be written (a lock held by another connection; as
 * root file modes cannot make it read-only) drops the rows quickly and
 * reports the failure once. The claims of report runs (report_query.c):
 * one holder, taken over once stale, released by marking. A version 1
 * file is upgraded. With a PostgreSQL server that does not answer, rows
 * go to the spool, the log says so, and none is lost at close.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "err.h"
#include "report_db.h"
#include "report_query.h"

static char dir[] = "/tmp/test_report_db.XXXXXX";

static void
path(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static const struct report_row row = {
	.when = 1000, .source_ip = "192.0.2.1", .header_from = "example.com",
	.envelope_from = "example.com", .policy_domain = "example.com",
	.p = "reject", .dmarc = "pass", .disposition = "pass",
	.rua = "mailto:d@example.com",
};

static int
count(const char *p)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_open(p, &db) == SQLITE_OK && sqlite3_prepare_v2(db,
	    "SELECT count(*) FROM messages", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return n;
}

static void
test_record(void **state)
{
	char p[256];
	struct err e = { "" };
	struct report_db *db;
	int i;

	(void)state;
	path(p, sizeof(p), "ok.db");
	db = report_db_open(p, &e);
	assert_non_null(db);
	for (i = 0; i < 3; i++)
		report_db_record(db, &row);
	assert_int_equal(report_db_dropped(db), 0);
	report_db_close(db);
	assert_int_equal(count(p), 3);
	/* reopening keeps the rows and the schema */
	db = report_db_open(p, &e);
	assert_non_null(db);
	report_db_record(db, &row);
	report_db_close(db);
	assert_int_equal(count(p), 4);
	report_db_record(NULL, &row);	/* no database: nothing */
	report_db_close(NULL);
}

/*
 * Values are stored cleaned: controls as '?', bytes that are not UTF-8 (or
 * not XML characters) as U+FFFD, valid UTF-8 as it is; the dkim column
 * keeps its tab and newline separators.
 */
static void
test_record_cleans(void **state)
{
	static const struct {
		const char	*name, *in, *want;
	} t[] = {
		{ "the issue's MAIL FROM", "inj.test\xff\xfe",
		    "inj.test\xef\xbf\xbd\xef\xbf\xbd" },
		{ "controls", "a\tb\r\nc\x01\x1b\x7f", "a?b??c???" },
		{ "overlong and surrogate", "\xc0\xbc\xed\xa0\x80",
		    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		    "\xef\xbf\xbd" },
		{ "U+FFFE", "x\xef\xbf\xbe", "x\xef\xbf\xbd" },
		{ "markup stays (escaped when written)", "<&]]>", "<&]]>" },
		{ "IDN U-label", "b\xc3\xbc" "cher.example",
		    "b\xc3\xbc" "cher.example" },
	};
	char p[256], want_dkim[256];
	struct err e = { "" };
	struct report_db *db;
	struct report_row r = row;
	struct report_dkim dk;
	sqlite3 *s;
	sqlite3_stmt *st;
	size_t i;

	(void)state;
	path(p, sizeof(p), "clean.db");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: %s\n", t[i].name);
		unlink(p);
		assert_non_null(db = report_db_open(p, &e));
		r.envelope_from = r.header_from = t[i].in;
		dk.domain = dk.selector = t[i].in;
		dk.result = "pass";
		r.dkim = &dk;
		r.ndkim = 1;
		report_db_record(db, &r);
		assert_int_equal(report_db_dropped(db), 0);
		report_db_close(db);
		assert_int_equal(sqlite3_open(p, &s), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(s, "SELECT envelope_from,"
		    " header_from, dkim FROM messages", -1, &st, NULL),
		    SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal(sqlite3_column_text(st, 0), t[i].want);
		assert_string_equal(sqlite3_column_text(st, 1), t[i].want);
		snprintf(want_dkim, sizeof(want_dkim), "%s\t%s\tpass\n",
		    t[i].want, t[i].want);
		assert_string_equal(sqlite3_column_text(st, 2), want_dkim);
		sqlite3_finalize(st);
		sqlite3_close(s);
	}
	unlink(p);
}

static void
test_open_fails(void **state)
{
	static const char junk[] = "this is not an SQLite database, not at all "
	    "and it goes on for a while so that SQLite reads a header.......";
	char p[256];
	struct err e = { "" };
	FILE *f;

	(void)state;
	path(p, sizeof(p), "no/such/dir/r.db");
	assert_null(report_db_open(p, &e));
	assert_non_null(strstr(e.msg, "no/such/dir/r.db"));
	path(p, sizeof(p), "junk.db");
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(junk, f);
	fclose(f);
	e.msg[0] = '\0';
	assert_null(report_db_open(p, &e));
	assert_true(e.msg[0] != '\0');
	/* a directory */
	e.msg[0] = '\0';
	assert_null(report_db_open(dir, &e));
	assert_true(e.msg[0] != '\0');
}

static int ncalls;

static void
on_error(void *arg, const char *text)
{
	(void)arg;
	ncalls++;
	print_message("logged: %s\n", text);
}

static void
test_locked_logs_once(void **state)
{
	char p[256];
	struct err e = { "" };
	struct report_db *db;
	struct timespec t0, t1;
	sqlite3 *other;
	double ms;
	int i;

	(void)state;
	path(p, sizeof(p), "locked.db");
	db = report_db_open(p, &e);
	assert_non_null(db);
	report_db_on_error(db, on_error, NULL);
	assert_int_equal(sqlite3_open(p, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL,
	    NULL), SQLITE_OK);
	ncalls = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 3; i++)
		report_db_record(db, &row);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	assert_int_equal(ncalls, 1);
	assert_int_equal(report_db_dropped(db), 3);
	/* three tries, each bounded by the busy timeout, with slack */
	assert_true(ms < 3 * REPORT_DB_BUSY_MS + 500);
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	/* once the lock is gone, rows are recorded again, silently */
	report_db_record(db, &row);
	assert_int_equal(report_db_dropped(db), 3);
	assert_int_equal(ncalls, 1);
	/* a new run of failures after that is news: logged once more */
	assert_int_equal(sqlite3_open(p, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL,
	    NULL), SQLITE_OK);
	report_db_record(db, &row);
	report_db_record(db, &row);
	assert_int_equal(report_db_dropped(db), 5);
	assert_int_equal(ncalls, 2);
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	/* a second owner (a reloaded configuration) keeps it open */
	assert_ptr_equal(report_db_ref(db), db);
	assert_null(report_db_ref(NULL));
	report_db_close(db);
	report_db_record(db, &row);
	assert_int_equal(report_db_dropped(db), 5);
	report_db_close(db);
	assert_int_equal(count(p), 2);
}

static int64_t
query_int(const char *p, const char *q)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_open(p, &db) == SQLITE_OK && sqlite3_prepare_v2(db, q, -1,
	    &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return n;
}

static void
test_claims(void **state)
{
	char p[256];
	struct err e = { "" };
	struct report_db *db;
	struct report_sel sel = { "example.com", 0, 2000, 0 };
	char **d;
	size_t n;
	int64_t minid;

	(void)state;
	path(p, sizeof(p), "claims.db");
	db = report_db_open(p, &e);
	assert_non_null(db);
	report_db_record(db, &row);
	report_db_record(db, &row);
	assert_int_equal(report_query_maxid(db, &sel.maxid, &e), 0);
	assert_int_equal(sel.maxid, 2);
	assert_int_equal(report_query_domains(db, &sel, &d, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(d[0], "example.com");
	report_query_domains_free(d, n);
	/* one holder; held until stale */
	assert_int_equal(report_query_claim(db, &sel, 5000, &e), 1);
	assert_int_equal(report_query_claim(db, &sel, 5000, &e), 0);
	assert_int_equal(report_query_claim(db, &sel,
	    5000 + REPORT_CLAIM_STALE_S, &e), 0);
	assert_int_equal(report_query_claim(db, &sel,
	    5000 + REPORT_CLAIM_STALE_S + 1, &e), 1);
	/* released: free again */
	assert_int_equal(report_query_release(db, &sel, &e), 0);
	assert_int_equal(query_int(p, "SELECT count(*) FROM report_claims"), 0);
	assert_int_equal(report_query_claim(db, &sel, 6000, &e), 1);
	assert_int_equal(report_query_minid(db, &sel, &minid, &e), 0);
	assert_int_equal(minid, 1);
	/* marking releases the claim in the same transaction */
	assert_int_equal(report_query_mark(db, &sel, REPORT_DB_REPORTED, &e),
	    0);
	assert_int_equal(query_int(p, "SELECT count(*) FROM report_claims"), 0);
	assert_int_equal(query_int(p, "SELECT count(*) FROM messages WHERE"
	    " state = 1"), 2);
	assert_int_equal(report_query_minid(db, &sel, &minid, &e), 0);
	assert_int_equal(minid, 0);
	assert_int_equal(report_query_domains(db, &sel, &d, &n, &e), 0);
	assert_int_equal(n, 0);
	report_query_domains_free(d, n);
	/* pruning: rows and claims before the cut-off */
	assert_int_equal(report_query_claim(db, &sel, 100, &e), 1);
	assert_int_equal(report_query_prune(db, 1001, &minid, &e), 0);
	assert_int_equal(minid, 2);
	assert_int_equal(query_int(p, "SELECT count(*) FROM report_claims"), 0);
	report_db_close(db);
}

static void
test_upgrade(void **state)
{
	char p[256];
	struct err e = { "" };
	struct report_db *db;
	sqlite3 *s;

	(void)state;
	path(p, sizeof(p), "v1.db");
	assert_int_equal(sqlite3_open(p, &s), SQLITE_OK);
	assert_int_equal(sqlite3_exec(s, "CREATE TABLE messages (id INTEGER"
	    " PRIMARY KEY, time INTEGER NOT NULL, source_ip TEXT NOT NULL,"
	    " header_from TEXT NOT NULL, envelope_from TEXT NOT NULL,"
	    " policy_domain TEXT NOT NULL, p TEXT NOT NULL, sp TEXT NOT NULL,"
	    " np TEXT, adkim TEXT NOT NULL, aspf TEXT NOT NULL,"
	    " testing TEXT NOT NULL, fo TEXT NOT NULL, discovery TEXT NOT NULL,"
	    " dmarc TEXT NOT NULL, disposition TEXT NOT NULL, override TEXT,"
	    " dkim_aligned INTEGER NOT NULL, spf_aligned INTEGER NOT NULL,"
	    " spf_domain TEXT, spf_result TEXT, dkim TEXT NOT NULL, rua TEXT,"
	    " state INTEGER NOT NULL DEFAULT 0);"
	    "INSERT INTO messages VALUES (1, 1000, '192.0.2.1', 'a.example',"
	    " 'a.example', 'a.example', 'none', 'none', NULL, 'r', 'r', 'n',"
	    " '0', 'treewalk', 'pass', 'none', NULL, 1, 1, NULL, NULL, '',"
	    " NULL, 0);"
	    "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(s);
	db = report_db_open(p, &e);
	assert_non_null(db);
	report_db_close(db);
	assert_int_equal(query_int(p, "PRAGMA user_version"), REPORT_DB_SCHEMA);
	assert_int_equal(query_int(p, "SELECT count(*) FROM report_claims"), 0);
	assert_int_equal(count(p), 1);
	/* a newer version is refused, not touched */
	assert_int_equal(sqlite3_open(p, &s), SQLITE_OK);
	sqlite3_exec(s, "PRAGMA user_version = 99", NULL, NULL, NULL);
	sqlite3_close(s);
	assert_null(report_db_open(p, &e));
	assert_non_null(strstr(e.msg, "schema version 99"));
}

static int nspool;

static void
on_note(void *arg, const char *text)
{
	(void)arg;
	if (strstr(text, "wait in the spool") != NULL)
		nspool++;
	print_message("logged: %s\n", text);
}

/*
 * A PostgreSQL server that is not there (a socket directory that does not
 * exist): the handle opens all the same, rows go to the spool, the log
 * says so once, and the rows are still there after close.
 */
static void
test_spool(void **state)
{
	char p[256], spec[300];
	struct err e = { "" };
	struct report_db *db;
	struct report_db_stats st;
	int i;

	(void)state;
	path(p, sizeof(p), "spool.db");
	snprintf(spec, sizeof(spec), "host=%s/nowhere dbname=inkan "
	    "user=inkan", dir);
	db = report_db_open_async(spec, p, &e);
	assert_non_null(db);
	report_db_on_error(db, on_note, NULL);
	for (i = 0; i < 5; i++)
		report_db_record(db, &row);
	/* the writer moves them; a bounded wait, not a timed check */
	for (i = 0; i < 1000; i++) {
		report_db_stats(db, &st);
		if (st.spooled == 5)
			break;
		usleep(10000);
	}
	assert_int_equal(st.spooled, 5);
	assert_int_equal(st.queued, 0);
	assert_int_equal(st.dropped, 0);
	report_db_process_stats(&st);
	assert_int_equal(st.spooled, 5);
	assert_int_equal(report_db_flush(db, 0), -1);
	report_db_record(db, &row);
	report_db_close(db);
	assert_int_equal(nspool, 1);
	assert_int_equal(query_int(p, "SELECT count(*) FROM spool"), 6);
	assert_int_equal(query_int(p, "SELECT count(DISTINCT row_key) FROM"
	    " spool"), 6);
	/* reopened: the rows waiting are counted */
	db = report_db_open_async(spec, p, &e);
	assert_non_null(db);
	report_db_stats(db, &st);
	assert_int_equal(st.spooled, 6);
	report_db_close(db);
	/* no spool named: refused */
	assert_null(report_db_open_async(spec, "", &e));
	assert_non_null(strstr(e.msg, "dmarc_report_spool"));
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_record_cleans),
		cmocka_unit_test(test_open_fails),
		cmocka_unit_test(test_locked_logs_once),
		cmocka_unit_test(test_claims),
		cmocka_unit_test(test_upgrade),
		cmocka_unit_test(test_spool),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
