/* SPDX-License-Identifier: ISC */
/*
 * store_sql.h - one connection to the report store, whichever engine:
 * SQLite (a file path, one server) or PostgreSQL (a libpq connection
 * URI or conninfo, a fleet of servers). The report tables' modules
 * (report_db.c, report_query.c) write their SQL once against this: the
 * same text runs on both engines, parameters written $1, $2, ... in the
 * order they first appear (SQLite takes "$1" as a named parameter; this
 * module binds it by name, so the numbers mean the same on both).
 * Values go in as text or 64-bit integers and come out as text (with a
 * length: a value may hold a NUL) or integers.
 * Threads: a connection is used by one thread at a time; the caller
 * locks. Ownership: the caller owns the handle (store_sql_open,
 * store_sql_close) and the parameters; row values live until the row
 * callback returns.
 */
#ifndef INKAN_STORE_SQL_H
#define INKAN_STORE_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;
struct sqlite3;

enum store_engine {
	STORE_SQLITE,
	STORE_POSTGRES,
};

/* A parameter: text (NULL: SQL NULL) or, with is_int, an integer. */
struct store_param {
	const char	*s;
	int64_t		 i;
	bool		 is_int;
};
#define STORE_TEXT(x)	((struct store_param){ (x), 0, false })
#define STORE_INT(x)	((struct store_param){ NULL, (int64_t)(x), true })

/* Parameters of one statement, at most. */
#define STORE_MAX_PARAMS	32
/* How long a PostgreSQL connection attempt may take, seconds (libpq). */
#define STORE_PG_CONNECT_S	"5"

struct store_row;	/* opaque: one result row */
struct store_sql;	/* opaque; defined in store_sql.c */

/*
 * Is spec a PostgreSQL connection string: a "postgresql://" or
 * "postgres://" URI, or key=value conninfo starting with "host=" or
 * "dbname="? Anything else is an SQLite file path.
 */
bool	 store_sql_is_postgres(const char *spec);

/*
 * Connect. SQLite: open (creating) the file, WAL mode, synchronous
 * NORMAL, busy timeout busy_ms. PostgreSQL: connect (at most
 * STORE_PG_CONNECT_S seconds unless spec says otherwise); pg_timeout_ms
 * > 0 bounds each statement and unacknowledged data on the connection
 * (statement_timeout, tcp_user_timeout), 0 leaves them. The handle,
 * or NULL with e filled (the message names spec for SQLite; for
 * PostgreSQL it never repeats spec, which may hold a password).
 */
struct store_sql *store_sql_open(const char *spec, int busy_ms,
	    int pg_timeout_ms, struct err *e);

enum store_engine store_sql_engine(const struct store_sql *);

/*
 * Run one statement with np parameters. Each result row goes to row(arg,
 * r) (NULL: rows ignored); a non-zero return from row stops and is
 * returned. *changes (may be NULL) gets the rows inserted, updated or
 * deleted. 0, or -1 with e filled.
 */
int	 store_sql_exec(struct store_sql *, const char *sql,
	    const struct store_param *p, size_t np,
	    int (*row)(void *arg, const struct store_row *r), void *arg,
	    int64_t *changes, struct err *e);

/* Run statements without parameters or results ("BEGIN", a schema). */
int	 store_sql_script(struct store_sql *, const char *sql, struct err *e);

/* Column i of r as text (NULL for SQL NULL), *len (may be NULL) its bytes. */
const char *store_row_text(const struct store_row *r, int i, size_t *len);
/* Column i of r as an integer (0 for NULL or text that is not one). */
int64_t	 store_row_int(const struct store_row *r, int i);

/*
 * Did the last failed statement fail over its values (PostgreSQL: a data
 * exception or a constraint, such as text the database's encoding cannot
 * hold), so that sending it again cannot help? false for SQLite.
 */
bool	 store_sql_bad_data(const struct store_sql *);

/*
 * PostgreSQL: is the connection up? If not, try once to reconnect; false
 * with e filled if that failed too. SQLite: always true.
 */
bool	 store_sql_alive(struct store_sql *, struct err *e);

/* SQLite: the handle (for the received-report tables); PostgreSQL: NULL. */
struct sqlite3 *store_sql_sqlite(struct store_sql *);

/* Close; NULL does nothing. */
void	 store_sql_close(struct store_sql *);

#endif
