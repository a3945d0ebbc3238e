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
 * running one's. Not here: building reports (reports/).
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
#include "store_sql.h"
#include "xml_text.h"

/* The columns of a row as report_db_record writes them, in this order. */
#define NCOLS		22
#define COL_TIME	0
#define COL_DKIM_AL	16
#define COL_SPF_AL	17
#define COLUMNS	"time, source_ip, header_from, envelope_from," \
	" policy_domain, p, sp, np, adkim, aspf, testing, fo, discovery, dmarc," \
	" disposition, override, dkim_aligned, spf_aligned, spf_domain," \
	" spf_result, dkim, rua"
#define VALUES	"$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14," \
	" $15, $16, $17, $18, $19, $20, $21, $22"

/* One row, cleaned, owned: the columns' text (NULL: SQL NULL) and its key. */
struct rowv {
	char	*v[NCOLS + 1];	/* [NCOLS]: row_key (PostgreSQL only) */
};

struct report_db {
	pthread_mutex_t	 mu;
	struct store_sql *sql;
	char		*name;		/* the path, or "PostgreSQL" */
	void		(*on_error)(void *, const char *);
	void		*arg;
	bool		 reported;	/* this run of failures was passed on */
	unsigned long	 dropped;
	int		 refs;		/* owners; atomic */
	/* PostgreSQL through the writer thread (report_db_open_async) */
	bool		 async;
	pthread_cond_t	 cv;
	pthread_t	 writer;
	bool		 stop;
	struct rowv	**q;		/* ring of REPORT_DB_QUEUE_MAX */
	size_t		 qhead, qlen;
	struct store_sql *spool;	/* guarded by spool_mu */
	pthread_mutex_t	 spool_mu;
	char		*spool_path;
	char		*spec;		/* to connect when it was down at start */
	int64_t		 spooled;	/* rows in the spool; under mu */
	bool		 down;		/* the server did not answer; writer only */
	struct timespec	 last_try;	/* writer only */
	char		 key[128];	/* host/pid/start, for row_key */
	uint64_t	 seq;
};

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

static const char spool_schema[] =
    "CREATE TABLE IF NOT EXISTS spool (id INTEGER PRIMARY KEY, "
    COLUMNS ", row_key TEXT);";

static const char insert_sql[] =
    "INSERT INTO messages (" COLUMNS ") VALUES (" VALUES ")";
static const char pg_insert_sql[] =
    "INSERT INTO messages (" COLUMNS ", row_key) VALUES (" VALUES ", $23)"
    " ON CONFLICT (row_key) DO NOTHING";
static const char spool_insert_sql[] =
    "INSERT INTO spool (" COLUMNS ", row_key) VALUES (" VALUES ", $23)";
static const char spool_select_sql[] =
    "SELECT id, " COLUMNS ", row_key FROM spool ORDER BY id LIMIT $1";
static const char spool_delete_sql[] = "DELETE FROM spool WHERE id <= $1";
static const char spool_count_sql[] = "SELECT count(*) FROM spool";

/* The milter's handle, for the metrics (report_db_process_stats). */
static pthread_mutex_t process_mu = PTHREAD_MUTEX_INITIALIZER;
static struct report_db *process_db;

static int
one_int_row(void *arg, const struct store_row *r)
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

	if (store_sql_exec(s, "PRAGMA user_version", NULL, 0, one_int_row,
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
static int
pg_schema_up(struct store_sql *s, struct err *e)
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
	    " schema_version", NULL, 0, one_int_row, &version, NULL, e) == -1)
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
	if ((pg ? pg_schema_up(s, e) : sqlite_schema_up(s, spec, e)) == -1 ||
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

/* Rows in the spool. */
static int
spool_count(struct report_db *r, int64_t *n, struct err *e)
{
	return store_sql_exec(r->spool, spool_count_sql, NULL, 0, one_int_row,
	    n, NULL, e);
}

static void *writer_main(void *);

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
	if (store_sql_script(sp, spool_schema, e) == -1) {
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
	if (pg != NULL && pg_schema_up(pg, e) == -1) {
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
	    spool_count(r, &n, e) == -1) {
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
	errno = pthread_create(&r->writer, NULL, writer_main, r);
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
static void
rowv_free(struct rowv *w)
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
		rowv_free(v);
		return NULL;
	}
	return v;
}

/* The parameters of v's insert ($1..$22, and $23 row_key). */
static void
rowv_params(const struct rowv *v, struct store_param *p)
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
static void
trouble(struct report_db *r, const char *what)
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
static void
note(struct report_db *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note(struct report_db *r, const char *fmt, ...)
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

/*
 * Put n rows into the spool, one transaction. 0, or -1 (full, or the
 * file failed: the rows are dropped and counted). The rows stay the
 * caller's.
 */
static int
spool_put(struct report_db *r, struct rowv *const *rows, size_t n)
{
	struct store_param p[NCOLS + 1];
	struct err e = { "" }, e2;
	int64_t have;
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&r->mu);
	have = r->spooled;
	pthread_mutex_unlock(&r->mu);
	if (have + (int64_t)n > REPORT_DB_SPOOL_MAX) {
		err_set(&e, "the spool %s holds %" PRId64 " rows, its limit",
		    r->spool_path, have);
		rc = -1;
	}
	pthread_mutex_lock(&r->spool_mu);
	if (rc == 0 && store_sql_script(r->spool, "BEGIN IMMEDIATE", &e) == -1)
		rc = -1;
	for (i = 0; i < n && rc == 0; i++) {
		rowv_params(rows[i], p);
		if (store_sql_exec(r->spool, spool_insert_sql, p, NCOLS + 1,
		    NULL, NULL, NULL, &e) == -1)
			rc = -1;
	}
	if (rc == 0 && store_sql_script(r->spool, "COMMIT", &e) == -1)
		rc = -1;
	if (rc == -1 && have + (int64_t)n <= REPORT_DB_SPOOL_MAX)
		(void)store_sql_script(r->spool, "ROLLBACK", &e2);
	pthread_mutex_unlock(&r->spool_mu);
	pthread_mutex_lock(&r->mu);
	if (rc == 0)
		r->spooled += (int64_t)n;
	else {
		r->dropped += n;
		trouble(r, e.msg);
	}
	pthread_mutex_unlock(&r->mu);
	return rc;
}

/*
 * Insert n rows into PostgreSQL in one transaction: 0, or -1 with e. A
 * batch refused over its values (store_sql_bad_data: say, a database
 * whose encoding cannot hold a name) would be refused for ever and hold
 * up every row behind it: its rows are then sent one by one and those
 * refused dropped, counted and logged.
 */
static int
pg_put(struct report_db *r, struct rowv *const *rows, size_t n,
    struct err *e)
{
	struct store_param p[NCOLS + 1];
	struct err e2;
	size_t i;

	if (store_sql_script(r->sql, "BEGIN", e) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		rowv_params(rows[i], p);
		if (store_sql_exec(r->sql, pg_insert_sql, p, NCOLS + 1, NULL,
		    NULL, NULL, e) == -1) {
			(void)store_sql_script(r->sql, "ROLLBACK", &e2);
			if (!store_sql_bad_data(r->sql))
				return -1;
			break;
		}
	}
	if (i == n)
		return store_sql_script(r->sql, "COMMIT", e);
	for (i = 0; i < n; i++) {
		rowv_params(rows[i], p);
		if (store_sql_exec(r->sql, pg_insert_sql, p, NCOLS + 1, NULL,
		    NULL, NULL, &e2) == 0)
			continue;
		if (!store_sql_bad_data(r->sql)) {
			*e = e2;
			return -1;	/* the rest waits in the spool */
		}
		pthread_mutex_lock(&r->mu);
		r->dropped++;
		trouble(r, e2.msg);
		pthread_mutex_unlock(&r->mu);
	}
	return 0;
}

struct spool_batch {
	struct rowv	*rows[REPORT_DB_BATCH];
	size_t		 n;
	int64_t		 last;	/* the spool's id of the last row */
};

static int
spool_row(void *arg, const struct store_row *sr)
{
	struct spool_batch *b = arg;
	struct rowv *v;
	const char *t;
	size_t i;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return 1;
	for (i = 0; i <= NCOLS; i++)
		if ((t = store_row_text(sr, (int)i + 1, NULL)) != NULL &&
		    (v->v[i] = strdup(t)) == NULL) {
			rowv_free(v);
			return 1;
		}
	b->last = store_row_int(sr, 0);
	b->rows[b->n++] = v;
	return 0;
}

/*
 * Send the spool to PostgreSQL, a batch at a time, each deleted from the
 * spool once the server committed it. 0 (empty now), or -1 with e.
 */
static int
spool_drain(struct report_db *r, struct err *e)
{
	struct spool_batch b;
	struct store_param lim = STORE_INT(REPORT_DB_BATCH), last;
	int64_t sent = 0;
	size_t i;
	int rc;

	pthread_mutex_lock(&r->mu);
	rc = r->spooled == 0;
	pthread_mutex_unlock(&r->mu);
	if (rc)
		return 0;	/* nothing waits (the common case) */
	for (;;) {
		b.n = 0;
		pthread_mutex_lock(&r->spool_mu);
		rc = store_sql_exec(r->spool, spool_select_sql, &lim, 1,
		    spool_row, &b, NULL, e);
		pthread_mutex_unlock(&r->spool_mu);
		if (rc != 0) {
			if (rc > 0)
				err_set(e, "out of memory");
			rc = -1;
		} else if (b.n > 0)
			rc = pg_put(r, b.rows, b.n, e);
		if (rc == 0 && b.n > 0) {
			/*
			 * Committed: delete them. Should the delete fail, they
			 * are sent again, and row_key keeps them once.
			 */
			last = STORE_INT(b.last);
			pthread_mutex_lock(&r->spool_mu);
			rc = store_sql_exec(r->spool, spool_delete_sql, &last,
			    1, NULL, NULL, NULL, e);
			pthread_mutex_unlock(&r->spool_mu);
			pthread_mutex_lock(&r->mu);
			r->spooled = r->spooled > (int64_t)b.n ?
			    r->spooled - (int64_t)b.n : 0;
			pthread_mutex_unlock(&r->mu);
			sent += (int64_t)b.n;
		}
		for (i = 0; i < b.n; i++)
			rowv_free(b.rows[i]);
		if (rc == -1 || b.n < REPORT_DB_BATCH)
			break;
	}
	if (sent > 0) {
		pthread_mutex_lock(&r->mu);
		note(r, "%s: %" PRId64 " DMARC report rows sent from the spool "
		    "%s", r->name, sent, r->spool_path);
		pthread_mutex_unlock(&r->mu);
	}
	return rc;
}

static double
since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	    (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/*
 * Is the server there? While it is down, asked at most once every
 * REPORT_DB_RETRY_S seconds (a connection attempt may take seconds).
 * false with e filled if not.
 */
static bool
pg_up(struct report_db *r, struct err *e)
{
	struct store_sql *s;

	if (r->sql != NULL && !r->down)
		return true;
	if (r->down && since(&r->last_try) < REPORT_DB_RETRY_S) {
		err_set(e, "not answering");
		return false;
	}
	clock_gettime(CLOCK_MONOTONIC, &r->last_try);
	if (r->sql != NULL)
		return store_sql_alive(r->sql, e);
	/* not reachable when the milter started: connect afresh */
	if ((s = store_sql_open(r->spec, REPORT_DB_BUSY_MS,
	    REPORT_DB_PG_TIMEOUT_MS, e)) == NULL)
		return false;
	if (pg_schema_up(s, e) == -1) {
		store_sql_close(s);
		return false;
	}
	r->sql = s;
	return true;
}

/* Mark the server gone (writer thread), saying so once. */
static void
pg_down(struct report_db *r, const char *why)
{
	if (!r->down) {
		pthread_mutex_lock(&r->mu);
		note(r, "%s: cannot store DMARC report rows (%s); they wait in "
		    "the spool %s until it answers again (mail is not "
		    "affected)", r->name, why, r->spool_path);
		pthread_mutex_unlock(&r->mu);
	}
	r->down = true;
	clock_gettime(CLOCK_MONOTONIC, &r->last_try);
}

/* Store one batch taken from the queue: PostgreSQL, else the spool. */
static void
writer_batch(struct report_db *r, struct rowv **rows, size_t n)
{
	struct err e = { "" };

	if (pg_up(r, &e)) {
		if (r->down) {
			r->down = false;
			pthread_mutex_lock(&r->mu);
			note(r, "%s: reachable again", r->name);
			pthread_mutex_unlock(&r->mu);
		}
		if (spool_drain(r, &e) == 0 && (n == 0 ||
		    pg_put(r, rows, n, &e) == 0)) {
			pthread_mutex_lock(&r->mu);
			r->reported = false;
			pthread_mutex_unlock(&r->mu);
			return;
		}
	}
	pg_down(r, e.msg);
	if (n > 0)
		(void)spool_put(r, rows, n);
}

static void *
writer_main(void *arg)
{
	struct report_db *r = arg;
	struct rowv *rows[REPORT_DB_BATCH];
	struct timespec until;
	size_t n, i;
	bool stop, pending;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		while (r->qlen == 0 && !r->stop &&
		    (r->spooled == 0 || r->down)) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			if (pthread_cond_timedwait(&r->cv, &r->mu, &until) ==
			    ETIMEDOUT && r->down && r->spooled > 0)
				break;	/* time to try the server again */
		}
		for (n = 0; n < REPORT_DB_BATCH && r->qlen > 0; n++) {
			rows[n] = r->q[r->qhead];
			r->q[r->qhead] = NULL;
			r->qhead = (r->qhead + 1) % REPORT_DB_QUEUE_MAX;
			r->qlen--;
		}
		stop = r->stop;
		pending = r->spooled > 0;
		pthread_mutex_unlock(&r->mu);
		/* stopping: what is queued is stored, the spool waits */
		if (n > 0 || (pending && !stop))
			writer_batch(r, rows, n);
		for (i = 0; i < n; i++)
			rowv_free(rows[i]);
		pthread_mutex_lock(&r->mu);
		if (stop && r->qlen == 0)
			break;
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* SQLite: insert directly (mu held). */
static void
record_direct(struct report_db *r, struct rowv *v)
{
	struct store_param p[NCOLS + 1];
	struct err e = { "" };

	rowv_params(v, p);
	if (store_sql_exec(r->sql, store_sql_engine(r->sql) ==
	    STORE_POSTGRES ? pg_insert_sql : insert_sql, p,
	    store_sql_engine(r->sql) == STORE_POSTGRES ? NCOLS + 1 : NCOLS,
	    NULL, NULL, NULL, &e) == -1) {
		r->dropped++;
		trouble(r, e.msg);
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
		trouble(r, "out of memory");
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
		rowv_free(v);
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
	(void)spool_put(r, &v, 1);
	rowv_free(v);
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
			rowv_free(r->q[i]);
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
