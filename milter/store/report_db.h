/* SPDX-License-Identifier: ISC */
/*
 * report_db.h - recording each DMARC-evaluated message for aggregate
 * reports (RFC 9990 section 2.1) in an SQLite database (one server) or
 * PostgreSQL (a fleet sharing one store).
 * The milter records one row per message (report_db_record); the
 * inkan-reports program reads the rows, writes the reports and marks the
 * rows it reported (report_query.h).
 * Recording must never block or lose mail. SQLite: the database runs in
 * WAL mode with a busy timeout of REPORT_DB_BUSY_MS; any failure
 * (unwritable file, full disk, a lock held too long) drops the row.
 * PostgreSQL (report_db_open_async): rows wait in a bounded queue for a
 * writer thread that inserts them in batches; while the server is down
 * or slow they wait in a bounded local spool (an SQLite file) and are
 * sent when it is back; a row is dropped only when both are full. The
 * server going away and coming back is passed to the error callback
 * too, and report_db_stats counts what waits and what was dropped.
 * Only the first failure
 * of a run of failures is passed to the error callback, so the caller
 * logs once per trouble (a full disk, then later a damaged file, are two)
 * and not once per message; this module never logs.
 * Threads: one connection per struct report_db, guarded by a mutex, so
 * one handle may be shared by every milter thread. An insert is one
 * statement (a few hundred microseconds), so the mutex is held briefly.
 * Ownership: the caller owns a reference to the handle (report_db_open,
 * report_db_ref; each dropped by report_db_close) and every string of a
 * struct report_row (copied by report_db_record). The milter's
 * configurations share one handle across reloads.
 */
#ifndef INKAN_REPORT_DB_H
#define INKAN_REPORT_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct err;

/*
 * How long an insert waits for a lock held by inkan-reports. Longer
 * would hold up the message; a reporting run holds its write lock for
 * one UPDATE.
 */
#define REPORT_DB_BUSY_MS	50
/* RFC 9990 2.1.2: no more than 100 DKIM signatures per row. */
#define REPORT_DB_MAX_DKIM	100
/*
 * The layout of the tables (PRAGMA user_version on SQLite, schema_version
 * on PostgreSQL): 2 added report_claims. A version 1 file is upgraded.
 */
#define REPORT_DB_SCHEMA	2
/*
 * PostgreSQL: rows waiting in memory for the writer thread per process
 * (a few MB); beyond, a row goes to the spool at once.
 */
#define REPORT_DB_QUEUE_MAX	10000
/* Rows per insert transaction. */
#define REPORT_DB_BATCH		200
/* Rows the spool holds at most (some 300 bytes each); beyond, dropped. */
#define REPORT_DB_SPOOL_MAX	1000000
/*
 * The writer's bound on one PostgreSQL statement, and on data the server
 * does not acknowledge: a server that hangs is then a server that is down.
 */
#define REPORT_DB_PG_TIMEOUT_MS	10000
/* While the server is down, it is tried again after this many seconds. */
#define REPORT_DB_RETRY_S	1

/* The rows' state column (inkan-reports sets the last two). */
#define REPORT_DB_PENDING	0
#define REPORT_DB_REPORTED	1
#define REPORT_DB_SKIPPED	2	/* no usable rua destination */

/* One DKIM signature checked (RFC 8601 2.7.1 result words). */
struct report_dkim {
	const char	*domain;	/* d= */
	const char	*selector;	/* s= */
	const char	*result;	/* "pass", "fail", ... */
};

/*
 * One message. Strings may be NULL where noted, else must be set; words
 * are the RFC 9990 schema's (lowercase). Strings are stored cleaned
 * (xml_text_clean): tabs, line breaks and other controls become '?',
 * bytes that are not valid UTF-8 (or not XML characters) U+FFFD, so the
 * database holds only text a report can carry.
 */
struct report_row {
	time_t			 when;
	const char		*source_ip;	/* the client address, text */
	const char		*header_from;	/* RFC5322.From domain */
	const char		*envelope_from;	/* MAIL FROM domain; "" or NULL if <> */
	const char		*policy_domain;	/* where the record was found */
	/* the record as published */
	const char		*p;		/* "none", "quarantine", "reject" */
	const char		*sp;		/* NULL: same as p */
	const char		*np;		/* NULL: not given */
	bool			 adkim_strict;
	bool			 aspf_strict;
	bool			 testing;	/* t=y */
	const char		*fo;		/* NULL: "0" */
	const char		*discovery;	/* "treewalk" or "psl" */
	/* the outcome */
	const char		*dmarc;		/* "pass", "fail", "temperror", ... */
	/*
	 * What was done: "none", "pass" (passed under an enforcing
	 * policy), "quarantine" or "reject" (RFC 9990 ActionDispositionType).
	 */
	const char		*disposition;
	/*
	 * Why the disposition differs from the policy, or NULL:
	 * "local_policy", "trusted_forwarder", "policy_test_mode", ...
	 */
	const char		*override;
	bool			 dkim_aligned;	/* an aligned DKIM pass */
	bool			 spf_aligned;	/* an aligned SPF pass */
	const char		*spf_domain;	/* NULL: SPF not checked */
	const char		*spf_result;	/* RFC 8601 2.7.2 word; scope mfrom */
	const struct report_dkim *dkim;
	size_t			 ndkim;		/* beyond REPORT_DB_MAX_DKIM dropped */
	/* the record's rua= value as published (comma-separated URIs), or NULL */
	const char		*rua;
};

struct report_db;	/* opaque; defined in report_db.c */

/*
 * Open (creating the tables on first use, upgrading an older schema) the
 * database spec names: an SQLite file path, or a PostgreSQL connection
 * URI or conninfo (store_sql_is_postgres). Rows are inserted at once
 * (for inkan-reports, tools and tests). Returns the handle, or NULL with
 * e filled if it cannot be opened or created, is not an inkan report
 * database, or (SQLite) WAL mode cannot be set.
 */
struct report_db *report_db_open(const char *spec, struct err *e);

/*
 * For the milter: as report_db_open for SQLite; for PostgreSQL, rows go
 * through the queue and the writer thread, and spool (an SQLite file
 * path, created) keeps them while the server does not answer. A server
 * down at start is no error (the rows are spooled); a spool that cannot
 * be opened is.
 */
struct report_db *report_db_open_async(const char *spec, const char *spool,
	    struct err *e);

/*
 * Where the first recording failure of each run of failures goes:
 * fn(arg, text), text naming the file and the SQLite error. A run ends
 * with the next row recorded. fn is called with the handle's mutex held
 * (it must not call back in). NULL (the default): failures are dropped
 * silently.
 */
void	 report_db_on_error(struct report_db *,
	    void (*fn)(void *arg, const char *text), void *arg);

/*
 * Record row. Never blocks longer than REPORT_DB_BUSY_MS, never fails
 * the caller: a row that cannot be written is dropped (see above).
 * db NULL does nothing, so a caller without reporting needs no check.
 */
void	 report_db_record(struct report_db *db, const struct report_row *row);

/* Rows dropped since open (for tests and statistics). */
unsigned long report_db_dropped(struct report_db *);

/* What waits and what was lost, for the metrics. */
struct report_db_stats {
	uint64_t	 queued;	/* in memory, for the writer thread */
	uint64_t	 spooled;	/* in the local spool file */
	uint64_t	 dropped;	/* since open */
};
/* db NULL gives zeros. */
void	 report_db_stats(struct report_db *db, struct report_db_stats *);
/*
 * The same for the process's handle (the last one
 * report_db_open_async opened and not yet closed), zeros if none: for
 * the metrics, which know no handle.
 */
void	 report_db_process_stats(struct report_db_stats *);

/*
 * Wait up to timeout_ms for the queue and the spool to be empty (sent):
 * 0 when they are, -1 if not. Direct (SQLite) handles return 0.
 */
int	 report_db_flush(struct report_db *db, int timeout_ms);

/* Another reference to db (NULL gives NULL), for another owner. */
struct report_db *report_db_ref(struct report_db *db);

/* Drop a reference; the last one closes. NULL does nothing. */
void	 report_db_close(struct report_db *);

/* For the received-report tables and tests: the SQLite handle, or NULL. */
struct sqlite3 *report_db_handle(struct report_db *);

/* SQLite: how long to wait for a lock (inkan-reports waits longer). */
void	 report_db_busy_timeout(struct report_db *, int ms);

/* For report_query.c: the connection (NULL while a server is down). */
struct store_sql *report_db_sql(struct report_db *);

#endif
