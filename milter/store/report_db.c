/* SPDX-License-Identifier: ISC */
/*
 * report_db.c - the DMARC aggregate report database (RFC 9990 2.1):
 * one row per evaluated message, written by the milter, read and marked
 * by inkan-reports (milter/reports/).
 * One SQLite connection per handle behind a mutex; WAL mode so the report
 * run reads while the milter writes; a short busy timeout so a lock never
 * holds up mail. Failures drop the row and reach the caller's callback
 * once per run of failures. The handle is reference-counted: a reloaded
 * configuration shares the running one's. Not here: building reports
 * (milter/reports/).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "buf.h"
#include "err.h"
#include "report_db.h"
#include "xml_text.h"

struct report_db {
	pthread_mutex_t	 mu;
	sqlite3		*db;
	sqlite3_stmt	*insert;
	char		*path;
	void		(*on_error)(void *, const char *);
	void		*arg;
	bool		 reported;	/* this run of failures was passed on */
	unsigned long	 dropped;
	int		 refs;		/* owners; atomic */
};

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS messages ("
    " id INTEGER PRIMARY KEY,"
    " time INTEGER NOT NULL,"
    " source_ip TEXT NOT NULL,"
    " header_from TEXT NOT NULL,"
    " envelope_from TEXT NOT NULL,"
    " policy_domain TEXT NOT NULL,"
    " p TEXT NOT NULL, sp TEXT NOT NULL, np TEXT,"
    " adkim TEXT NOT NULL, aspf TEXT NOT NULL, testing TEXT NOT NULL,"
    " fo TEXT NOT NULL, discovery TEXT NOT NULL,"
    " dmarc TEXT NOT NULL, disposition TEXT NOT NULL, override TEXT,"
    " dkim_aligned INTEGER NOT NULL, spf_aligned INTEGER NOT NULL,"
    " spf_domain TEXT, spf_result TEXT,"
    /* "domain\tselector\tresult" lines, in the order given */
    " dkim TEXT NOT NULL,"
    " rua TEXT,"
    " state INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS messages_pending"
    " ON messages(state, policy_domain, time);";

static const char insert_sql[] =
    "INSERT INTO messages (time, source_ip, header_from, envelope_from,"
    " policy_domain, p, sp, np, adkim, aspf, testing, fo, discovery, dmarc,"
    " disposition, override, dkim_aligned, spf_aligned, spf_domain,"
    " spf_result, dkim, rua) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
    " ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)";

static int
db_fail(struct err *e, sqlite3 *db, const char *path, const char *what)
{
	return err_set(e, "%s: %s: %s", path, what,
	    db != NULL ? sqlite3_errmsg(db) : "out of memory");
}

static int
create_schema(sqlite3 *db, const char *path, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int version, rc;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return db_fail(e, db, path, "cannot read the database");
	}
	version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version == REPORT_DB_SCHEMA)
		return 0;
	if (version != 0)
		return err_set(e, "%s: schema version %d, expected %d", path,
		    version, REPORT_DB_SCHEMA);
	rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, schema_sql, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA user_version = 1", NULL, NULL,
		    NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		db_fail(e, db, path, "cannot create the tables");
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

struct report_db *
report_db_open(const char *path, struct err *e)
{
	struct report_db *r;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	const char *mode;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		db_fail(e, db, path, "cannot open");
		sqlite3_close(db);
		return NULL;
	}
	/* The first open of a new file waits longer: creating is rare. */
	sqlite3_busy_timeout(db, 2000);
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st,
	    NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		db_fail(e, db, path, "cannot set WAL mode");
		goto fail;
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	if (mode == NULL || strcmp(mode, "wal") != 0) {
		err_set(e, "%s: cannot set WAL mode (journal mode %s)", path,
		    mode != NULL ? mode : "unknown");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	/* WAL makes NORMAL durable enough: a crash loses the last rows only. */
	if (sqlite3_exec(db, "PRAGMA synchronous = NORMAL", NULL, NULL,
	    NULL) != SQLITE_OK) {
		db_fail(e, db, path, "cannot set synchronous mode");
		goto fail;
	}
	if (create_schema(db, path, e) == -1)
		goto fail;
	sqlite3_busy_timeout(db, REPORT_DB_BUSY_MS);
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->path = strdup(path)) == NULL) {
		free(r);
		err_set(e, "%s: out of memory", path);
		goto fail;
	}
	if (sqlite3_prepare_v3(db, insert_sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &r->insert, NULL) != SQLITE_OK) {
		db_fail(e, db, path, "cannot prepare the insert");
		free(r->path);
		free(r);
		goto fail;
	}
	pthread_mutex_init(&r->mu, NULL);
	r->db = db;
	r->refs = 1;
	return r;
fail:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return NULL;
}

void
report_db_on_error(struct report_db *r, void (*fn)(void *, const char *),
    void *arg)
{
	pthread_mutex_lock(&r->mu);
	r->on_error = fn;
	r->arg = arg;
	pthread_mutex_unlock(&r->mu);
}

/*
 * s made fit for a report (xml_text_clean): tabs and line breaks, which
 * separate the fields of the dkim column, and the other controls become
 * '?'; bytes that are not UTF-8 (a MAIL FROM domain of raw bytes through
 * the milter protocol) become U+FFFD. So the database never holds what a
 * report, or another reader of the file, could not take as text.
 */
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

static int
bind_row(sqlite3_stmt *st, const struct report_row *w)
{
	struct buf dk = BUF_INIT;
	size_t i;
	int rc = SQLITE_OK;

	for (i = 0; i < w->ndkim && i < REPORT_DB_MAX_DKIM; i++) {
		add_clean(&dk, w->dkim[i].domain);
		buf_addc(&dk, '\t');
		add_clean(&dk, w->dkim[i].selector);
		buf_addc(&dk, '\t');
		add_clean(&dk, w->dkim[i].result);
		buf_addc(&dk, '\n');
	}
	if (buf_failed(&dk))
		return SQLITE_NOMEM;
#define B(call)	do { if (rc == SQLITE_OK) rc = (call); } while (0)
	B(sqlite3_bind_int64(st, 1, (sqlite3_int64)w->when));
	B(bind(st, 2, w->source_ip != NULL ? w->source_ip : ""));
	B(bind(st, 3, w->header_from != NULL ? w->header_from : ""));
	B(bind(st, 4, w->envelope_from != NULL ? w->envelope_from : ""));
	B(bind(st, 5, w->policy_domain != NULL ? w->policy_domain : ""));
	B(bind(st, 6, w->p != NULL ? w->p : "none"));
	B(bind(st, 7, w->sp != NULL ? w->sp : w->p != NULL ? w->p : "none"));
	B(bind(st, 8, w->np));
	B(bind(st, 9, w->adkim_strict ? "s" : "r"));
	B(bind(st, 10, w->aspf_strict ? "s" : "r"));
	B(bind(st, 11, w->testing ? "y" : "n"));
	B(bind(st, 12, w->fo != NULL ? w->fo : "0"));
	B(bind(st, 13, w->discovery != NULL ? w->discovery : "treewalk"));
	B(bind(st, 14, w->dmarc != NULL ? w->dmarc : "none"));
	B(bind(st, 15, w->disposition != NULL ? w->disposition : "none"));
	B(bind(st, 16, w->override));
	B(sqlite3_bind_int(st, 17, w->dkim_aligned));
	B(sqlite3_bind_int(st, 18, w->spf_aligned));
	B(bind(st, 19, w->spf_domain));
	B(bind(st, 20, w->spf_domain != NULL ? (w->spf_result != NULL ?
	    w->spf_result : "none") : NULL));
	B(sqlite3_bind_text(st, 21, dk.len > 0 ? buf_str(&dk) : "", -1,
	    SQLITE_TRANSIENT));
	B(bind(st, 22, w->rua));
#undef B
	buf_free(&dk);
	return rc;
}

void
report_db_record(struct report_db *r, const struct report_row *row)
{
	int rc;

	if (r == NULL)
		return;
	pthread_mutex_lock(&r->mu);
	rc = bind_row(r->insert, row);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(r->insert);
	if (rc != SQLITE_DONE) {
		r->dropped++;
		if (!r->reported && r->on_error != NULL) {
			char text[512];

			snprintf(text, sizeof(text), "%s: DMARC report data "
			    "not recorded (%s); not logged again until rows "
			    "are recorded again", r->path, rc == SQLITE_NOMEM ?
			    "out of memory" : sqlite3_errmsg(r->db));
			r->on_error(r->arg, text);
		}
		r->reported = true;
	} else
		r->reported = false;	/* a later failure is news again */
	sqlite3_reset(r->insert);
	sqlite3_clear_bindings(r->insert);
	pthread_mutex_unlock(&r->mu);
}

unsigned long
report_db_dropped(struct report_db *r)
{
	unsigned long n;

	pthread_mutex_lock(&r->mu);
	n = r->dropped;
	pthread_mutex_unlock(&r->mu);
	return n;
}

struct sqlite3 *
report_db_handle(struct report_db *r)
{
	return r->db;
}

struct report_db *
report_db_ref(struct report_db *r)
{
	if (r != NULL)
		__atomic_add_fetch(&r->refs, 1, __ATOMIC_SEQ_CST);
	return r;
}

void
report_db_close(struct report_db *r)
{
	if (r == NULL || __atomic_sub_fetch(&r->refs, 1, __ATOMIC_SEQ_CST) > 0)
		return;
	sqlite3_finalize(r->insert);
	sqlite3_close(r->db);
	pthread_mutex_destroy(&r->mu);
	free(r->path);
	free(r);
}
