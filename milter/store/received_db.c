/* SPDX-License-Identifier: ISC */
/*
 * received_db.c - the tables of received DMARC aggregate reports (see
 * received_db.h): schema, the insert of one report, the reads for the
 * summary. Lists inside a row (override reasons, DKIM and SPF results)
 * are stored as tab-separated lines, as report_db.c stores its DKIM
 * column; every value goes through xml_text_clean() first, so a tab or a
 * line break in a value cannot split a field, and the file holds only
 * valid UTF-8 without controls whatever a receiver sent.
 * Not here: parsing reports (reports/received/), summarising them
 * (reports/received/summary.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "buf.h"
#include "err.h"
#include "received_db.h"
#include "xml_text.h"

static const char schema_sql[] =
    "CREATE TABLE received_schema (version INTEGER NOT NULL);"
    "CREATE TABLE received_reports ("
    " id INTEGER PRIMARY KEY,"
    " org_name TEXT NOT NULL, report_id TEXT NOT NULL, email TEXT,"
    " format INTEGER NOT NULL,"
    " begin INTEGER NOT NULL, end INTEGER NOT NULL,"
    " domain TEXT NOT NULL COLLATE NOCASE,"
    " adkim TEXT, aspf TEXT, p TEXT, sp TEXT, np TEXT, pct INTEGER,"
    " testing TEXT,"
    " imported INTEGER NOT NULL,"
    " UNIQUE (org_name, report_id));"
    "CREATE INDEX received_reports_domain ON received_reports(domain, end);"
    "CREATE TABLE received_rows ("
    " id INTEGER PRIMARY KEY,"
    " report INTEGER NOT NULL REFERENCES received_reports(id)"
    "  ON DELETE CASCADE,"
    " source_ip TEXT NOT NULL, count INTEGER NOT NULL,"
    " disposition TEXT, dkim TEXT, spf TEXT,"
    " header_from TEXT, envelope_from TEXT, envelope_to TEXT,"
    /* "type\tcomment\n", "domain\tselector\tresult\n", "domain\tscope\tresult\n" */
    " reasons TEXT NOT NULL, auth_dkim TEXT NOT NULL, auth_spf TEXT NOT NULL);"
    "CREATE INDEX received_rows_report ON received_rows(report);";

static int
db_fail(struct err *e, sqlite3 *db, const char *what)
{
	return err_set(e, "%s: %s", what, sqlite3_errmsg(db));
}

int
received_db_init(sqlite3 *db, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc, version;

	rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE"
	    " type = 'table' AND name = 'received_schema'", -1, &st, NULL);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return db_fail(e, db, "cannot read the database");
	}
	rc = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc > 0) {
		if (sqlite3_prepare_v2(db, "SELECT max(version) FROM"
		    " received_schema", -1, &st, NULL) != SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_finalize(st);
			return db_fail(e, db, "cannot read the schema version");
		}
		version = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		if (version != RECEIVED_DB_SCHEMA)
			return err_set(e, "received reports: schema version "
			    "%d, expected %d", version, RECEIVED_DB_SCHEMA);
		return 0;
	}
	rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, schema_sql, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "INSERT INTO received_schema VALUES (1)",
		    NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		db_fail(e, db, "cannot create the received_* tables");
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

static void
add_clean(struct buf *b, const char *s)
{
	if (s != NULL)
		(void)xml_text_clean(b, s, strlen(s));
}

/* Bind column i to a cleaned copy of s (NULL stays NULL). */
static int
bind(sqlite3_stmt *st, int i, const char *s)
{
	struct buf b = BUF_INIT;
	int rc;

	if (s == NULL)
		return sqlite3_bind_null(st, i);
	add_clean(&b, s);
	if (buf_failed(&b))
		return SQLITE_NOMEM;
	rc = sqlite3_bind_text(st, i, buf_str(&b), (int)b.len,
	    SQLITE_TRANSIENT);
	buf_free(&b);
	return rc;
}

/* A line of up to three cleaned fields, tab-separated. */
static void
add_line(struct buf *b, const char *a, const char *c, const char *d, int n)
{
	add_clean(b, a);
	buf_addc(b, '\t');
	add_clean(b, c);
	if (n == 3) {
		buf_addc(b, '\t');
		add_clean(b, d);
	}
	buf_addc(b, '\n');
}

static int
bind_record(sqlite3_stmt *st, int64_t report, const struct received_record *r)
{
	struct buf rs = BUF_INIT, dk = BUF_INIT, sp = BUF_INIT;
	size_t i;
	int rc = SQLITE_OK;

	for (i = 0; i < r->nreasons; i++)
		add_line(&rs, r->reasons[i].type, r->reasons[i].comment, NULL,
		    2);
	for (i = 0; i < r->ndkim; i++)
		add_line(&dk, r->auth_dkim[i].domain, r->auth_dkim[i].selector,
		    r->auth_dkim[i].result, 3);
	for (i = 0; i < r->nspf; i++)
		add_line(&sp, r->auth_spf[i].domain, r->auth_spf[i].scope,
		    r->auth_spf[i].result, 3);
	if (buf_failed(&rs) || buf_failed(&dk) || buf_failed(&sp))
		rc = SQLITE_NOMEM;
#define B(call)	do { if (rc == SQLITE_OK) rc = (call); } while (0)
	B(sqlite3_bind_int64(st, 1, report));
	B(bind(st, 2, r->source_ip));
	B(sqlite3_bind_int64(st, 3, (sqlite3_int64)r->count));
	B(bind(st, 4, r->disposition));
	B(bind(st, 5, r->dkim));
	B(bind(st, 6, r->spf));
	B(bind(st, 7, r->header_from));
	B(bind(st, 8, r->envelope_from));
	B(bind(st, 9, r->envelope_to));
	/* the lines: each field cleaned already, tabs and newlines kept */
	B(sqlite3_bind_text(st, 10, buf_str(&rs), -1, SQLITE_TRANSIENT));
	B(sqlite3_bind_text(st, 11, buf_str(&dk), -1, SQLITE_TRANSIENT));
	B(sqlite3_bind_text(st, 12, buf_str(&sp), -1, SQLITE_TRANSIENT));
	buf_free(&rs);
	buf_free(&dk);
	buf_free(&sp);
	return rc;
}

static int
insert_report(sqlite3 *db, const struct received_report *r, int64_t now,
    bool *added, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int64_t id;
	size_t i;
	int rc = SQLITE_OK;

	if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO received_reports"
	    " (org_name, report_id, email, format, begin, end, domain, adkim,"
	    " aspf, p, sp, np, pct, testing, imported) VALUES (?1, ?2, ?3, ?4,"
	    " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)", -1, &st,
	    NULL) != SQLITE_OK)
		return db_fail(e, db, "storing a report");
	B(bind(st, 1, r->org_name));
	B(bind(st, 2, r->report_id));
	B(bind(st, 3, r->email));
	B(sqlite3_bind_int(st, 4, r->format));
	B(sqlite3_bind_int64(st, 5, r->begin));
	B(sqlite3_bind_int64(st, 6, r->end));
	B(bind(st, 7, r->domain));
	B(bind(st, 8, r->adkim));
	B(bind(st, 9, r->aspf));
	B(bind(st, 10, r->p));
	B(bind(st, 11, r->sp));
	B(bind(st, 12, r->np));
	B(r->pct >= 0 ? sqlite3_bind_int(st, 13, r->pct) :
	    sqlite3_bind_null(st, 13));
	B(bind(st, 14, r->testing));
	B(sqlite3_bind_int64(st, 15, now));
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(e, db, "storing a report");
	if (sqlite3_changes(db) == 0) {
		*added = false;
		return 0;
	}
	*added = true;
	id = sqlite3_last_insert_rowid(db);
	if (sqlite3_prepare_v2(db, "INSERT INTO received_rows (report,"
	    " source_ip, count, disposition, dkim, spf, header_from,"
	    " envelope_from, envelope_to, reasons, auth_dkim, auth_spf)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)", -1,
	    &st, NULL) != SQLITE_OK)
		return db_fail(e, db, "storing a record");
	for (i = 0; i < r->nrec; i++) {
		rc = bind_record(st, id, &r->rec[i]);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(st);
		if (rc != SQLITE_DONE) {
			sqlite3_finalize(st);
			return db_fail(e, db, "storing a record");
		}
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
#undef B
	sqlite3_finalize(st);
	return 0;
}

int
received_db_add(sqlite3 *db, const struct received_report *r, int64_t now,
    bool *added, struct err *e)
{
	*added = false;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(e, db, "storing a report");
	if (insert_report(db, r, now, added, e) == -1) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		*added = false;
		return -1;
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		db_fail(e, db, "storing a report");
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		*added = false;
		return -1;
	}
	return 0;
}

#define PERIOD	" r.domain = ?1 AND r.end >= ?2 AND r.begin <= ?3"

static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s != NULL ? (const char *)s : "";
}

int
received_db_rows(sqlite3 *db, const char *domain, int64_t since,
    int64_t until, int (*fn)(void *, const struct received_row_view *,
    struct err *), void *arg, struct err *e)
{
	sqlite3_stmt *st;
	struct received_row_view v;
	int64_t count;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT r.org_name, r.report_id, r.begin,"
	    " r.end, w.source_ip, w.count, w.disposition, w.dkim, w.spf,"
	    " w.header_from, w.envelope_from, w.reasons, w.auth_dkim,"
	    " w.auth_spf FROM received_reports r JOIN received_rows w"
	    " ON w.report = r.id WHERE" PERIOD
	    " ORDER BY w.source_ip, r.org_name, w.id", -1, &st, NULL) !=
	    SQLITE_OK)
		return db_fail(e, db, "reading received reports");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, until);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v.org_name = col(st, 0);
		v.report_id = col(st, 1);
		v.begin = sqlite3_column_int64(st, 2);
		v.end = sqlite3_column_int64(st, 3);
		v.source_ip = col(st, 4);
		count = sqlite3_column_int64(st, 5);
		v.count = count > 0 ? (uint64_t)count : 0;
		v.disposition = col(st, 6);
		v.dkim = col(st, 7);
		v.spf = col(st, 8);
		v.header_from = col(st, 9);
		v.envelope_from = col(st, 10);
		v.reasons = col(st, 11);
		v.auth_dkim = col(st, 12);
		v.auth_spf = col(st, 13);
		if (fn(arg, &v, e) == -1) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(e, db, "reading received reports");
	return 0;
}

int64_t
received_db_count_reports(sqlite3 *db, const char *domain, int64_t since,
    int64_t until, struct err *e)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM received_reports r"
	    " WHERE" PERIOD, -1, &st, NULL) != SQLITE_OK) {
		db_fail(e, db, "reading received reports");
		return -1;
	}
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, until);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		db_fail(e, db, "reading received reports");
	sqlite3_finalize(st);
	return n;
}

int
received_db_policy(sqlite3 *db, const char *domain, int64_t since,
    int64_t until, char *out, size_t outlen, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, "SELECT p, sp, np, pct, testing FROM"
	    " received_reports r WHERE" PERIOD " ORDER BY r.end DESC, r.id DESC"
	    " LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return db_fail(e, db, "reading received reports");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, until);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* RFC 9989 tag order; absent tags left out */
		snprintf(out, outlen, "p=%s%s%s%s%s%s%s%s%s",
		    *col(st, 0) != '\0' ? col(st, 0) : "?",
		    *col(st, 1) != '\0' ? "; sp=" : "", col(st, 1),
		    *col(st, 2) != '\0' ? "; np=" : "", col(st, 2),
		    *col(st, 3) != '\0' ? "; pct=" : "", col(st, 3),
		    strcmp(col(st, 4), "y") == 0 ? "; t=" : "",
		    strcmp(col(st, 4), "y") == 0 ? "y" : "");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(e, db, "reading received reports");
	return 0;
}
