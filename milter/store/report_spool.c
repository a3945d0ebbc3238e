/* SPDX-License-Identifier: ISC */
/*
 * report_spool.c - the PostgreSQL side of the report database
 * (report_db_open_async): the writer thread that takes rows from the
 * in-memory queue and inserts them in batches, one transaction each, and
 * the local spool (an SQLite file of the same columns, bounded by
 * REPORT_DB_SPOOL_MAX) where rows wait while the server is down or slow.
 * The milter never waits for the server: report_db_record only queues,
 * or spools a row itself when the queue is full. A row sent again from
 * the spool (its commit went through but the answer was lost) is kept
 * once by its row_key. Split from report_db.c, which owns the handle,
 * the schema and the rows; report_db_int.h is what the two share.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "report_db.h"
#include "report_db_int.h"
#include "store_sql.h"

const char rdb_spool_schema[] =
    "CREATE TABLE IF NOT EXISTS spool (id INTEGER PRIMARY KEY, "
    COLUMNS ", row_key TEXT);";

static const char spool_insert_sql[] =
    "INSERT INTO spool (" COLUMNS ", row_key) VALUES (" VALUES ", $23)";
static const char spool_select_sql[] =
    "SELECT id, " COLUMNS ", row_key FROM spool ORDER BY id LIMIT $1";
static const char spool_delete_sql[] = "DELETE FROM spool WHERE id <= $1";
static const char spool_count_sql[] = "SELECT count(*) FROM spool";

/* Rows in the spool. */
int
rdb_spool_count(struct report_db *r, int64_t *n, struct err *e)
{
	return store_sql_exec(r->spool, spool_count_sql, NULL, 0, rdb_one_int_row,
	    n, NULL, e);
}

/*
 * Put n rows into the spool, one transaction. 0, or -1 (full, or the
 * file failed: the rows are dropped and counted). The rows stay the
 * caller's.
 */
int
rdb_spool_put(struct report_db *r, struct rowv *const *rows, size_t n)
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
		rdb_rowv_params(rows[i], p);
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
		rdb_trouble(r, e.msg);
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
		rdb_rowv_params(rows[i], p);
		if (store_sql_exec(r->sql, rdb_pg_insert_sql, p, NCOLS + 1, NULL,
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
		rdb_rowv_params(rows[i], p);
		if (store_sql_exec(r->sql, rdb_pg_insert_sql, p, NCOLS + 1, NULL,
		    NULL, NULL, &e2) == 0)
			continue;
		if (!store_sql_bad_data(r->sql)) {
			*e = e2;
			return -1;	/* the rest waits in the spool */
		}
		pthread_mutex_lock(&r->mu);
		r->dropped++;
		rdb_trouble(r, e2.msg);
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
			rdb_rowv_free(v);
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
			rdb_rowv_free(b.rows[i]);
		if (rc == -1 || b.n < REPORT_DB_BATCH)
			break;
	}
	if (sent > 0) {
		pthread_mutex_lock(&r->mu);
		rdb_note(r, "%s: %" PRId64 " DMARC report rows sent from the spool "
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
	if (rdb_pg_schema_up(s, e) == -1) {
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
		rdb_note(r, "%s: cannot store DMARC report rows (%s); they wait in "
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
			rdb_note(r, "%s: reachable again", r->name);
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
		(void)rdb_spool_put(r, rows, n);
}

void *
rdb_writer_main(void *arg)
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
			rdb_rowv_free(rows[i]);
		pthread_mutex_lock(&r->mu);
		if (stop && r->qlen == 0)
			break;
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}
