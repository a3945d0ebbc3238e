/* SPDX-License-Identifier: ISC */
/*
 * store_sql.c - the report store's connection, SQLite or PostgreSQL
 * (libpq), behind one small interface (store_sql.h) so that the report
 * tables' SQL is written once.
 * SQLite: statements are prepared once and kept (a few per handle, the
 * milter's insert among them). PostgreSQL: PQexecParams with text
 * parameters; the server infers their types from the statement.
 * Not here: the tables and what is asked of them (report_db.c,
 * report_query.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "err.h"
#include "store_sql.h"

/* SQLite statements kept prepared per handle (the report run uses ~12). */
#define STMT_CACHE	24

struct store_sql {
	enum store_engine engine;
	/* SQLite */
	sqlite3		*db;
	char		*path;
	struct {
		const char	*sql;
		sqlite3_stmt	*st;
	} cache[STMT_CACHE];
	size_t		 ncache;
	/* PostgreSQL */
	PGconn		*pg;
	char		 sqlstate[6];	/* of the last failed statement */
};

struct store_row {
	sqlite3_stmt	*st;
	PGresult	*res;
	int		 r;
};

bool
store_sql_is_postgres(const char *s)
{
	return strncmp(s, "postgresql://", 13) == 0 ||
	    strncmp(s, "postgres://", 11) == 0 ||
	    strncmp(s, "host=", 5) == 0 || strncmp(s, "dbname=", 7) == 0;
}

/* libpq's message without its trailing line break. */
static int
pg_fail(struct err *e, PGconn *pg, const char *what)
{
	char msg[400], *p;
	size_t n;

	snprintf(msg, sizeof(msg), "%s", pg != NULL ? PQerrorMessage(pg) :
	    "out of memory");
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	/* libpq's lines become one, for the log */
	for (p = msg; (p = strpbrk(p, "\r\n\t")) != NULL; )
		*p = ' ';
	return err_set(e, "PostgreSQL: %s: %s", what, msg);
}

static int
lite_fail(struct err *e, const struct store_sql *s, const char *what)
{
	return err_set(e, "%s: %s: %s", s->path, what, s->db != NULL ?
	    sqlite3_errmsg(s->db) : "out of memory");
}

static PGconn *
pg_connect(const char *spec, int timeout_ms)
{
	char opt[64], tcp[24];
	/*
	 * expand_dbname: spec is expanded in place of dbname, so its own
	 * settings, if any, win over ours (given before it).
	 */
	const char *keys[] = { "connect_timeout", "application_name",
	    "options", "tcp_user_timeout", "dbname", NULL };
	const char *vals[] = { STORE_PG_CONNECT_S, "inkan", opt, tcp, spec,
	    NULL };

	if (timeout_ms > 0) {
		/*
		 * A statement that hangs (a lock, a server in trouble) or a
		 * peer that vanished without a word must not hold the writer
		 * (and a shutdown waiting for it) for the TCP timeout.
		 */
		snprintf(opt, sizeof(opt), "-c statement_timeout=%d",
		    timeout_ms);
		snprintf(tcp, sizeof(tcp), "%d", timeout_ms);
	} else {
		keys[2] = "dbname";
		vals[2] = spec;
		keys[3] = vals[3] = NULL;
	}
	return PQconnectdbParams(keys, vals, 1);
}

static void
quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

struct store_sql *
store_sql_open(const char *spec, int busy_ms, int pg_timeout_ms,
    struct err *e)
{
	struct store_sql *s;
	sqlite3_stmt *st = NULL;
	const char *mode;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		err_set(e, "out of memory");
		return NULL;
	}
	if (store_sql_is_postgres(spec)) {
		s->engine = STORE_POSTGRES;
		s->pg = pg_connect(spec, pg_timeout_ms);
		if (s->pg == NULL || PQstatus(s->pg) != CONNECTION_OK) {
			pg_fail(e, s->pg, "cannot connect");
			store_sql_close(s);
			return NULL;
		}
		/* no NOTICEs on stderr ("relation already exists") */
		PQsetNoticeProcessor(s->pg, quiet, NULL);
		return s;
	}
	s->engine = STORE_SQLITE;
	if ((s->path = strdup(spec)) == NULL) {
		err_set(e, "out of memory");
		free(s);
		return NULL;
	}
	if (sqlite3_open_v2(spec, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		lite_fail(e, s, "cannot open");
		goto fail;
	}
	/* The first open of a new file waits longer: creating is rare. */
	sqlite3_busy_timeout(s->db, busy_ms > 2000 ? busy_ms : 2000);
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st,
	    NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		lite_fail(e, s, "cannot set WAL mode");
		goto fail;
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	if (mode == NULL || strcmp(mode, "wal") != 0) {
		err_set(e, "%s: cannot set WAL mode (journal mode %s)", spec,
		    mode != NULL ? mode : "unknown");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	/* WAL makes NORMAL durable enough: a crash loses the last rows only. */
	if (sqlite3_exec(s->db, "PRAGMA synchronous = NORMAL", NULL, NULL,
	    NULL) != SQLITE_OK) {
		lite_fail(e, s, "cannot set synchronous mode");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, busy_ms);
	return s;
fail:
	sqlite3_finalize(st);
	store_sql_close(s);
	return NULL;
}

enum store_engine
store_sql_engine(const struct store_sql *s)
{
	return s->engine;
}

static sqlite3_stmt *
lite_prepare(struct store_sql *s, const char *sql, struct err *e)
{
	sqlite3_stmt *st;
	size_t i;

	for (i = 0; i < s->ncache; i++)
		if (s->cache[i].sql == sql) {
			sqlite3_reset(s->cache[i].st);
			sqlite3_clear_bindings(s->cache[i].st);
			return s->cache[i].st;
		}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK) {
		lite_fail(e, s, "cannot prepare a statement");
		return NULL;
	}
	if (s->ncache == STMT_CACHE) {	/* the oldest goes */
		sqlite3_finalize(s->cache[0].st);
		memmove(&s->cache[0], &s->cache[1],
		    (STMT_CACHE - 1) * sizeof(s->cache[0]));
		s->ncache--;
	}
	s->cache[s->ncache].sql = sql;
	s->cache[s->ncache].st = st;
	s->ncache++;
	return st;
}

static int
lite_exec(struct store_sql *s, const char *sql, const struct store_param *p,
    size_t np, int (*row)(void *, const struct store_row *), void *arg,
    int64_t *changes, struct err *e)
{
	struct store_row r = { NULL, NULL, 0 };
	sqlite3_stmt *st;
	char name[24];
	size_t i;
	int idx, rc = SQLITE_OK, stop = 0;

	if ((st = lite_prepare(s, sql, e)) == NULL)
		return -1;
	for (i = 0; i < np && rc == SQLITE_OK; i++) {
		snprintf(name, sizeof(name), "$%zu", i + 1);
		if ((idx = sqlite3_bind_parameter_index(st, name)) == 0)
			continue;	/* not used by this statement */
		if (p[i].is_int)
			rc = sqlite3_bind_int64(st, idx, p[i].i);
		else if (p[i].s == NULL)
			rc = sqlite3_bind_null(st, idx);
		else
			rc = sqlite3_bind_text(st, idx, p[i].s, -1,
			    SQLITE_STATIC);
	}
	if (rc != SQLITE_OK) {
		lite_fail(e, s, "cannot bind a value");
		sqlite3_reset(st);
		return -1;
	}
	r.st = st;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (row != NULL && (stop = row(arg, &r)) != 0)
			break;
	if (stop == 0 && rc != SQLITE_DONE) {
		lite_fail(e, s, "statement failed");
		sqlite3_reset(st);
		return -1;
	}
	if (changes != NULL)
		*changes = sqlite3_changes(s->db);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return stop;
}

static int
pg_exec(struct store_sql *s, const char *sql, const struct store_param *p,
    size_t np, int (*row)(void *, const struct store_row *), void *arg,
    int64_t *changes, struct err *e)
{
	char nums[STORE_MAX_PARAMS][24];
	const char *vals[STORE_MAX_PARAMS];
	struct store_row r = { NULL, NULL, 0 };
	PGresult *res;
	ExecStatusType st;
	int n, stop = 0;
	size_t i;

	if (np > STORE_MAX_PARAMS)
		return err_set(e, "PostgreSQL: too many parameters");
	for (i = 0; i < np; i++) {
		if (p[i].is_int) {
			snprintf(nums[i], sizeof(nums[i]), "%" PRId64, p[i].i);
			vals[i] = nums[i];
		} else
			vals[i] = p[i].s;
	}
	res = PQexecParams(s->pg, sql, (int)np, NULL, vals, NULL, NULL, 0);
	st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		const char *code = res != NULL ?
		    PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

		snprintf(s->sqlstate, sizeof(s->sqlstate), "%s",
		    code != NULL ? code : "");
		pg_fail(e, s->pg, "statement failed");
		PQclear(res);
		return -1;
	}
	r.res = res;
	n = PQntuples(res);
	for (r.r = 0; r.r < n && row != NULL; r.r++)
		if ((stop = row(arg, &r)) != 0)
			break;
	if (changes != NULL) {
		const char *t = PQcmdTuples(res);

		*changes = t != NULL && *t != '\0' ? strtoll(t, NULL, 10) : 0;
	}
	PQclear(res);
	return stop;
}

int
store_sql_exec(struct store_sql *s, const char *sql,
    const struct store_param *p, size_t np,
    int (*row)(void *, const struct store_row *), void *arg,
    int64_t *changes, struct err *e)
{
	if (s->engine == STORE_POSTGRES)
		return pg_exec(s, sql, p, np, row, arg, changes, e);
	return lite_exec(s, sql, p, np, row, arg, changes, e);
}

int
store_sql_script(struct store_sql *s, const char *sql, struct err *e)
{
	if (s->engine == STORE_POSTGRES) {
		PGresult *res = PQexec(s->pg, sql);
		ExecStatusType st = res != NULL ? PQresultStatus(res) :
		    PGRES_FATAL_ERROR;

		PQclear(res);
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
			return pg_fail(e, s->pg, "statement failed");
		return 0;
	}
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return lite_fail(e, s, "statement failed");
	return 0;
}

const char *
store_row_text(const struct store_row *r, int i, size_t *len)
{
	const char *v;

	if (r->res != NULL) {
		if (PQgetisnull(r->res, r->r, i)) {
			if (len != NULL)
				*len = 0;
			return NULL;
		}
		if (len != NULL)
			*len = (size_t)PQgetlength(r->res, r->r, i);
		return PQgetvalue(r->res, r->r, i);
	}
	v = (const char *)sqlite3_column_text(r->st, i);
	if (len != NULL)
		*len = v != NULL ? (size_t)sqlite3_column_bytes(r->st, i) : 0;
	return v;
}

int64_t
store_row_int(const struct store_row *r, int i)
{
	if (r->res != NULL)
		return PQgetisnull(r->res, r->r, i) ? 0 :
		    strtoll(PQgetvalue(r->res, r->r, i), NULL, 10);
	return sqlite3_column_int64(r->st, i);
}

bool
store_sql_bad_data(const struct store_sql *s)
{
	/* SQLSTATE classes 22 (data exception), 23 (integrity constraint) */
	return s->engine == STORE_POSTGRES && (strncmp(s->sqlstate, "22",
	    2) == 0 || strncmp(s->sqlstate, "23", 2) == 0);
}

bool
store_sql_alive(struct store_sql *s, struct err *e)
{
	if (s->engine != STORE_POSTGRES)
		return true;
	if (PQstatus(s->pg) == CONNECTION_OK)
		return true;
	PQreset(s->pg);
	if (PQstatus(s->pg) == CONNECTION_OK)
		return true;
	pg_fail(e, s->pg, "cannot connect");
	return false;
}

struct sqlite3 *
store_sql_sqlite(struct store_sql *s)
{
	return s->db;
}

void
store_sql_close(struct store_sql *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].st);
	if (s->db != NULL)
		sqlite3_close(s->db);
	if (s->pg != NULL)
		PQfinish(s->pg);
	free(s->path);
	free(s);
}
