/* SPDX-License-Identifier: ISC */
/*
 * report_db.c - the DMARC aggregate report database (RFC 9990 2.1):
 * one row per evaluated message, written by the milter, read and marked
 * by inkan-reports (report_query.c).
 * Two engines behind store_sql.c, the same tables and columns on both:
 *  - SQLite (a path): one connection behind a mutex, WAL mode so the
 *    report run reads while the milter writes, a short busy timeout so a
 *    lock never holds up mail; the milter inserts directly.
 *  - PostgreSQL (a URI or conninfo), shared by a fleet. The milter never
 *    waits for it: rows go into a bounded in-memory queue and one writer
 *    thread inserts them in batches, one transaction each. While the
 *    server is down or slow (the queue full), rows wait in a local spool
 *    (an SQLite file of the same columns, bounded too) and the writer
 *    sends them once the server answers again. Each row carries a key
 *    unique to this process (row_key: host, pid, start, sequence), and
 *    the insert ignores a key already present, so a batch whose commit
 *    went through but whose answer was lost is not stored twice when it
 *    is sent again from the spool.
 * Failures drop a row only when both bounds are reached; the caller's
 * callback hears of it once per run of failures, and of the server
 * going away and coming back; the counts are in report_db_stats.
 * Schema: created and upgraded here, versioned (PRAGMA user_version on
 * SQLite, table schema_version on PostgreSQL).
 * The handle is reference-counted: a reloaded configuration shares the
 * running one's. Not here: building reports (reports/); the PostgreSQL
 * writer thread and the spool (report_spool.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "err.h"
#include "report_db.h"
#include "report_db_int.h"
#include "store_sql.h"
#include "xml_text.h"

static const char sqlite_schema[] =
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

/* Version 2: the claims of report runs (report_query.c). */
#define CLAIMS_SCHEMA(inttype)						\
    "CREATE TABLE IF NOT EXISTS report_claims ("			\
    " domain TEXT NOT NULL,"						\
    " period_begin " inttype " NOT NULL,"				\
    " period_end " inttype " NOT NULL,"					\
    " owner TEXT NOT NULL,"						\
    " claimed_at " inttype " NOT NULL,"					\
    " PRIMARY KEY (domain, period_begin, period_end));"

static const char sqlite_v2[] = CLAIMS_SCHEMA("INTEGER");

static const char pg_schema[] =
    "CREATE TABLE IF NOT EXISTS messages ("
    " id BIGSERIAL PRIMARY KEY,"
    " time BIGINT NOT NULL,"
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
    " dkim TEXT NOT NULL,"
    " rua TEXT,"
    " state INTEGER NOT NULL DEFAULT 0,"
    /* who wrote the row: a row sent twice (from the spool) is kept once */
    " row_key TEXT UNIQUE);"
    "CREATE INDEX IF NOT EXISTS messages_pending"
    " ON messages(state, policy_domain, time);"
    CLAIMS_SCHEMA("BIGINT");

static const char insert_sql[] =
    "INSERT INTO messages (" COLUMNS ") VALUES (" VALUES ")";
const char rdb_pg_insert_sql[] =
    "INSERT INTO messages (" COLUMNS ", row_key) VALUES (" VALUES ", $23)"
    " ON CONFLICT (row_key) DO NOTHING";

/* The milter's handle, for the metrics (report_db_process_stats). */
static pthread_mutex_t process_mu = PTHREAD_MUTEX_INITIALIZER;
static struct report_db *process_db;

int
rdb_one_int_row(void *arg, const struct store_row *r)
{
	*(int64_t *)arg = store_row_int(r, 0);
	return 0;
}

/* SQLite: PRAGMA user_version 0 (new), 1 (no claims) or 2. */
static int
sqlite_schema_up(struct store_sql *s, const char *name, struct err *e)
{
	int64_t version = -1;
	struct err e2;

	if (store_sql_exec(s, "PRAGMA user_version", NULL, 0, rdb_one_int_row,
	    &version, NULL, e) == -1)
		return -1;
	if (version == REPORT_DB_SCHEMA)
		return 0;
	if (version < 0 || version > REPORT_DB_SCHEMA)
		return err_set(e, "%s: schema version %" PRId64 ", expected %d",
		    name, version, REPORT_DB_SCHEMA);
	if (store_sql_script(s, "BEGIN IMMEDIATE", e) == -1)
		return -1;
	if ((version == 0 && store_sql_script(s, sqlite_schema, e) == -1) ||
	    store_sql_script(s, sqlite_v2, e) == -1 ||
	    store_sql_script(s, "PRAGMA user_version = 2", e) == -1 ||
	    store_sql_script(s, "COMMIT", e) == -1) {
		(void)store_sql_script(s, "ROLLBACK", &e2);
		return -1;
	}
	return 0;
}

/*
 * PostgreSQL: table schema_version. Two servers starting at once must not
 * both create the tables: a transaction-scoped advisory lock (any fixed
 * number: this one is "inkan" in ASCII) makes the second wait and then
 * find the current version.
 */
int
rdb_pg_schema_up(struct store_sql *s, struct err *e)
{
	int64_t version = 0;
	struct err e2;

	if (store_sql_script(s, "BEGIN", e) == -1)
		return -1;
	if (store_sql_script(s, "SELECT pg_advisory_xact_lock(452724896110)",
	    e) == -1 ||
	    store_sql_script(s, "CREATE TABLE IF NOT EXISTS schema_version"
	    " (version INTEGER NOT NULL)", e) == -1 ||
	    store_sql_exec(s, "SELECT coalesce(max(version), 0) FROM"
	    " schema_version", NULL, 0, rdb_one_int_row, &version, NULL, e) == -1)
		goto fail;
	if (version > REPORT_DB_SCHEMA) {
		err_set(e, "PostgreSQL: schema version %" PRId64 ", expected "
		    "%d (a newer inkan?)", version, REPORT_DB_SCHEMA);
		goto fail;
	}
	/* version 1 was SQLite only: PostgreSQL starts at 2 */
	if (version < REPORT_DB_SCHEMA && (store_sql_script(s, pg_schema,
	    e) == -1 || store_sql_script(s, "DELETE FROM schema_version;"
	    " INSERT INTO schema_version VALUES (2)", e) == -1))
		goto fail;
	return store_sql_script(s, "COMMIT", e);
fail:
	(void)store_sql_script(s, "ROLLBACK", &e2);
	return -1;
}

static struct report_db *
db_new(struct store_sql *s, const char *name, struct err *e)
{
	struct report_db *r;
	char host[64];

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->name = strdup(name)) == NULL) {
		free(r);
		err_set(e, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&r->mu, NULL);
	pthread_mutex_init(&r->spool_mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	r->sql = s;
	r->refs = 1;
	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(r->key, sizeof(r->key), "%s/%ld/%lld", host, (long)getpid(),
	    (long long)time(NULL));
	return r;
}

static struct report_db *
db_open(const char *spec, int pg_timeout_ms, struct err *e)
{
	struct store_sql *s;
	struct report_db *r;
	bool pg = store_sql_is_postgres(spec);

	if ((s = store_sql_open(spec, REPORT_DB_BUSY_MS, pg_timeout_ms,
	    e)) == NULL)
		return NULL;
	if ((pg ? rdb_pg_schema_up(s, e) : sqlite_schema_up(s, spec, e)) == -1 ||
	    (r = db_new(s, pg ? "PostgreSQL" : spec, e)) == NULL) {
		store_sql_close(s);
		return NULL;
	}
	return r;
}

struct report_db *
report_db_open(const char *spec, struct err *e)
{
	return db_open(spec, 0, e);
}

struct report_db *
report_db_open_async(const char *spec, const char *spool, struct err *e)
{
	struct report_db *r;
	struct store_sql *sp, *pg;
	struct err e2;
	sigset_t all, old;
	int64_t n = 0;

	if (!store_sql_is_postgres(spec)) {
		if ((r = report_db_open(spec, e)) != NULL) {
			pthread_mutex_lock(&process_mu);
			process_db = r;
			pthread_mutex_unlock(&process_mu);
		}
		return r;
	}
	if (spool == NULL || *spool == '\0') {
		err_set(e, "a PostgreSQL report database needs "
		    "dmarc_report_spool");
		return NULL;
	}
	if ((sp = store_sql_open(spool, REPORT_DB_BUSY_MS, 0, e)) == NULL)
		return NULL;
	if (store_sql_script(sp, rdb_spool_schema, e) == -1) {
		store_sql_close(sp);
		return NULL;
	}
	/*
	 * The server may be down at start: the spool takes the rows then,
	 * and the writer connects later. A server that answers but whose
	 * tables are not inkan's (or are a newer inkan's) is refused now.
	 */
	pg = store_sql_open(spec, REPORT_DB_BUSY_MS, REPORT_DB_PG_TIMEOUT_MS,
	    &e2);
	if (pg != NULL && rdb_pg_schema_up(pg, e) == -1) {
		store_sql_close(pg);
		store_sql_close(sp);
		return NULL;
	}
	if ((r = db_new(pg, "PostgreSQL", e)) == NULL) {
		store_sql_close(pg);
		store_sql_close(sp);
		return NULL;
	}
	r->spool = sp;
	r->async = true;
	if ((r->spool_path = strdup(spool)) == NULL ||
	    (r->spec = strdup(spec)) == NULL ||
	    (r->q = calloc(REPORT_DB_QUEUE_MAX, sizeof(*r->q))) == NULL ||
	    rdb_spool_count(r, &n, e) == -1) {
		if (r->q == NULL)
			err_set(e, "out of memory");
		r->async = false;
		report_db_close(r);
		return NULL;
	}
	r->spooled = n;
	/*
	 * The writer takes no signals: the daemon waits for them in a thread
	 * of its own, and one delivered here would take the default action.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	errno = pthread_create(&r->writer, NULL, rdb_writer_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (errno != 0) {
		err_set(e, "cannot start the writer thread: %s",
		    strerror(errno));
		r->async = false;
		report_db_close(r);
		return NULL;
	}
	pthread_mutex_lock(&process_mu);
	process_db = r;
	pthread_mutex_unlock(&process_mu);
	return r;
}

/* A row and its strings; NULL does nothing. */
void
rdb_rowv_free(struct rowv *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i <= NCOLS; i++)
		free(w->v[i]);
	free(w);
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

/* A cleaned copy of s (NULL stays NULL); -1 when out of memory. */
static int
clean_dup(char **out, const char *s)
{
	struct buf b = BUF_INIT;

	*out = NULL;
	if (s == NULL)
		return 0;
	add_clean(&b, s);
	if (buf_failed(&b) || (*out = strdup(buf_str(&b))) == NULL) {
		buf_free(&b);
		return -1;
	}
	buf_free(&b);
	return 0;
}

static int
num_dup(char **out, long long v)
{
	return asprintf(out, "%lld", v) == -1 ? (*out = NULL, -1) : 0;
}

/* The row as stored: cleaned values, defaults filled in. NULL: no memory. */
static struct rowv *
rowv_make(const struct report_row *w)
{
	struct buf dk = BUF_INIT;
	struct rowv *v;
	size_t i;
	int rc = 0;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < w->ndkim && i < REPORT_DB_MAX_DKIM; i++) {
		add_clean(&dk, w->dkim[i].domain);
		buf_addc(&dk, '\t');
		add_clean(&dk, w->dkim[i].selector);
		buf_addc(&dk, '\t');
		add_clean(&dk, w->dkim[i].result);
		buf_addc(&dk, '\n');
	}
#define C(i, s)	do { if (rc == 0) rc = clean_dup(&v->v[i], (s)); } while (0)
	rc = num_dup(&v->v[COL_TIME], (long long)w->when);
	C(1, w->source_ip != NULL ? w->source_ip : "");
	C(2, w->header_from != NULL ? w->header_from : "");
	C(3, w->envelope_from != NULL ? w->envelope_from : "");
	C(4, w->policy_domain != NULL ? w->policy_domain : "");
	C(5, w->p != NULL ? w->p : "none");
	C(6, w->sp != NULL ? w->sp : w->p != NULL ? w->p : "none");
	C(7, w->np);
	C(8, w->adkim_strict ? "s" : "r");
	C(9, w->aspf_strict ? "s" : "r");
	C(10, w->testing ? "y" : "n");
	C(11, w->fo != NULL ? w->fo : "0");
	C(12, w->discovery != NULL ? w->discovery : "treewalk");
	C(13, w->dmarc != NULL ? w->dmarc : "none");
	C(14, w->disposition != NULL ? w->disposition : "none");
	C(15, w->override);
	C(COL_DKIM_AL, w->dkim_aligned ? "1" : "0");
	C(COL_SPF_AL, w->spf_aligned ? "1" : "0");
	C(18, w->spf_domain);
	C(19, w->spf_domain != NULL ? (w->spf_result != NULL ?
	    w->spf_result : "none") : NULL);
	if (rc == 0 && !buf_failed(&dk) &&
	    (v->v[20] = strdup(dk.len > 0 ? buf_str(&dk) : "")) == NULL)
		rc = -1;
	C(21, w->rua);
#undef C
	buf_free(&dk);
	if (rc == -1 || buf_failed(&dk)) {
		rdb_rowv_free(v);
		return NULL;
	}
	return v;
}

/* The parameters of v's insert ($1..$22, and $23 row_key). */
void
rdb_rowv_params(const struct rowv *v, struct store_param *p)
{
	size_t i;

	for (i = 0; i <= NCOLS; i++) {
		if (i == COL_TIME || i == COL_DKIM_AL || i == COL_SPF_AL)
			p[i] = STORE_INT(v->v[i] != NULL ?
			    strtoll(v->v[i], NULL, 10) : 0);
		else
			p[i] = STORE_TEXT(v->v[i]);
	}
}

/* Tell the callback once per run of failures (mu held). */
void
rdb_trouble(struct report_db *r, const char *what)
{
	char text[600];
	size_t n = strlen(r->name);

	/* the store's messages name the file already */
	if (strncmp(what, r->name, n) == 0 && strncmp(what + n, ": ", 2) == 0)
		what += n + 2;
	if (!r->reported && r->on_error != NULL) {
		snprintf(text, sizeof(text), "%s: DMARC report data not "
		    "recorded (%s); not logged again until rows are recorded "
		    "again", r->name, what);
		r->on_error(r->arg, text);
	}
	r->reported = true;
}

/* A note for the log, always passed on (mu held). */
void
rdb_note(struct report_db *r, const char *fmt, ...)
{
	char text[600];
	va_list ap;

	if (r->on_error == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	r->on_error(r->arg, text);
}

/* SQLite: insert directly (mu held). */
static void
record_direct(struct report_db *r, struct rowv *v)
{
	struct store_param p[NCOLS + 1];
	struct err e = { "" };

	rdb_rowv_params(v, p);
	if (store_sql_exec(r->sql, store_sql_engine(r->sql) ==
	    STORE_POSTGRES ? rdb_pg_insert_sql : insert_sql, p,
	    store_sql_engine(r->sql) == STORE_POSTGRES ? NCOLS + 1 : NCOLS,
	    NULL, NULL, NULL, &e) == -1) {
		r->dropped++;
		rdb_trouble(r, e.msg);
	} else
		r->reported = false;	/* a later failure is news again */
}

void
report_db_record(struct report_db *r, const struct report_row *row)
{
	struct rowv *v;

	if (r == NULL)
		return;
	v = rowv_make(row);
	pthread_mutex_lock(&r->mu);
	if (v == NULL) {
		r->dropped++;
		rdb_trouble(r, "out of memory");
		pthread_mutex_unlock(&r->mu);
		return;
	}
	/* row_key: only PostgreSQL has the column (and a fleet to tell apart) */
	if ((r->async || store_sql_engine(r->sql) == STORE_POSTGRES) &&
	    asprintf(&v->v[NCOLS], "%s/%" PRIu64, r->key, ++r->seq) == -1)
		v->v[NCOLS] = NULL;
	if (!r->async) {
		record_direct(r, v);
		pthread_mutex_unlock(&r->mu);
		rdb_rowv_free(v);
		return;
	}
	if (r->qlen < REPORT_DB_QUEUE_MAX) {
		r->q[(r->qhead + r->qlen) % REPORT_DB_QUEUE_MAX] = v;
		r->qlen++;
		pthread_cond_signal(&r->cv);
		pthread_mutex_unlock(&r->mu);
		return;
	}
	pthread_mutex_unlock(&r->mu);
	/*
	 * The queue is full: the server is slow and the writer waits on it.
	 * This row goes to the local spool itself (an SQLite insert, bounded
	 * by REPORT_DB_BUSY_MS), or is dropped and counted.
	 */
	(void)rdb_spool_put(r, &v, 1);
	rdb_rowv_free(v);
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

void
report_db_stats(struct report_db *r, struct report_db_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->mu);
	st->queued = r->qlen;
	st->spooled = (uint64_t)r->spooled;
	st->dropped = r->dropped;
	pthread_mutex_unlock(&r->mu);
}

void
report_db_process_stats(struct report_db_stats *st)
{
	pthread_mutex_lock(&process_mu);
	report_db_stats(process_db, st);
	pthread_mutex_unlock(&process_mu);
}

int
report_db_flush(struct report_db *r, int timeout_ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int waited = 0;
	size_t q;

	if (r == NULL || !r->async)
		return 0;
	for (;;) {
		pthread_mutex_lock(&r->mu);
		q = r->qlen + (size_t)r->spooled;
		pthread_cond_signal(&r->cv);
		pthread_mutex_unlock(&r->mu);
		if (q == 0)
			return 0;
		if (waited >= timeout_ms)
			return -1;
		nanosleep(&ts, NULL);
		waited += 10;
	}
}

void
report_db_busy_timeout(struct report_db *r, int ms)
{
	if (r->sql != NULL && store_sql_sqlite(r->sql) != NULL)
		sqlite3_busy_timeout(store_sql_sqlite(r->sql), ms);
}

struct store_sql *
report_db_sql(struct report_db *r)
{
	return r->sql;
}

struct sqlite3 *
report_db_handle(struct report_db *r)
{
	return r->sql != NULL ? store_sql_sqlite(r->sql) : NULL;
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
	size_t i;

	if (r == NULL || __atomic_sub_fetch(&r->refs, 1, __ATOMIC_SEQ_CST) > 0)
		return;
	pthread_mutex_lock(&process_mu);
	if (process_db == r)
		process_db = NULL;
	pthread_mutex_unlock(&process_mu);
	if (r->async) {
		/* the writer stores what is queued (the server, or the spool) */
		pthread_mutex_lock(&r->mu);
		r->stop = true;
		pthread_cond_signal(&r->cv);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->writer, NULL);
	}
	if (r->q != NULL)
		for (i = 0; i < REPORT_DB_QUEUE_MAX; i++)
			rdb_rowv_free(r->q[i]);
	free(r->q);
	store_sql_close(r->sql);
	store_sql_close(r->spool);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->spool_mu);
	pthread_mutex_destroy(&r->mu);
	free(r->spool_path);
	free(r->spec);
	free(r->name);
	free(r);
}
