/* SPDX-License-Identifier: ISC */
/*
 * received_db.c - the tables of received DMARC aggregate reports (see
 * received_db.h): schema, the insert of one report, the reads for the
 * summary, on SQLite or PostgreSQL through store_sql.c with the same SQL
 * text where the engines agree ($1.. parameters; "end" quoted, a
 * reserved word in PostgreSQL). Lists inside a row (override reasons,
 * DKIM and SPF results) are stored as tab-separated lines, as
 * report_db.c stores its DKIM column; every value goes through
 * xml_text_clean() first, so a tab or a line break in a value cannot
 * split a field, and the store holds only valid UTF-8 without controls
 * whatever a receiver sent.
 * A report is added with ON CONFLICT (org_name, report_id) DO NOTHING:
 * two imports of one report racing on PostgreSQL store it once (the
 * second waits for the first's transaction, then adds nothing).
 * Not here: parsing reports (reports/received/), summarising them
 * (reports/received/summary.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "received_db.h"
#include "store_sql.h"
#include "xml_text.h"

/*
 * The tables, in the SQL both engines take; id, inttype and nocase are
 * where they differ. reasons, auth_dkim and auth_spf hold lines:
 * "type\tcomment\n", "domain\tselector\tresult\n", "domain\tscope\tresult\n".
 */
#define TABLES(id, inttype, nocase)					\
    "CREATE TABLE IF NOT EXISTS received_reports ("			\
    " id " id ","							\
    " org_name TEXT NOT NULL, report_id TEXT NOT NULL, email TEXT,"	\
    " format INTEGER NOT NULL,"						\
    " begin " inttype " NOT NULL, \"end\" " inttype " NOT NULL,"	\
    " domain TEXT NOT NULL" nocase ","					\
    " adkim TEXT, aspf TEXT, p TEXT, sp TEXT, np TEXT, pct INTEGER,"	\
    " testing TEXT,"							\
    " imported " inttype " NOT NULL,"					\
    " UNIQUE (org_name, report_id));"					\
    "CREATE TABLE IF NOT EXISTS received_rows ("			\
    " id " id ","							\
    " report " inttype " NOT NULL REFERENCES received_reports(id)"	\
    "  ON DELETE CASCADE,"						\
    " source_ip TEXT NOT NULL, count " inttype " NOT NULL,"		\
    " disposition TEXT, dkim TEXT, spf TEXT,"				\
    " header_from TEXT, envelope_from TEXT, envelope_to TEXT,"		\
    " reasons TEXT NOT NULL, auth_dkim TEXT NOT NULL,"			\
    " auth_spf TEXT NOT NULL);"						\
    "CREATE INDEX IF NOT EXISTS received_rows_report"			\
    " ON received_rows(report);"

/* SQLite: the domain compared with ASCII case ignored by its collation. */
static const char sqlite_schema[] =
    TABLES("INTEGER PRIMARY KEY", "INTEGER", " COLLATE NOCASE")
    "CREATE INDEX IF NOT EXISTS received_reports_domain"
    " ON received_reports(domain, \"end\");";
/* PostgreSQL: by lower(domain), which the queries compare. */
static const char pg_schema[] =
    TABLES("BIGSERIAL PRIMARY KEY", "BIGINT", "")
    "CREATE INDEX IF NOT EXISTS received_reports_domain"
    " ON received_reports(lower(domain), \"end\");";

static int
one_int(void *arg, const struct store_row *r)
{
	*(int64_t *)arg = store_row_int(r, 0);
	return 0;
}

/*
 * Table received_schema holds the version. On PostgreSQL two imports
 * starting at once must not both create the tables: a transaction-scoped
 * advisory lock (another fixed number than report_db.c's) makes the
 * second wait and then find them; SQLite's BEGIN IMMEDIATE does the same.
 */
int
received_db_init(struct store_sql *s, struct err *e)
{
	bool pg = store_sql_engine(s) == STORE_POSTGRES;
	int64_t version = 0;
	struct err e2;

	/* the common case, without a write lock (a read-only file works) */
	if (store_sql_exec(s, "SELECT coalesce(max(version), 0) FROM"
	    " received_schema", NULL, 0, one_int, &version, NULL, &e2) == 0 &&
	    version == RECEIVED_DB_SCHEMA)
		return 0;
	version = 0;
	if (store_sql_script(s, pg ? "BEGIN" : "BEGIN IMMEDIATE", e) == -1)
		return -1;
	if ((pg && store_sql_script(s, "SELECT pg_advisory_xact_lock("
	    "452724896111)", e) == -1) ||
	    store_sql_script(s, "CREATE TABLE IF NOT EXISTS received_schema"
	    " (version INTEGER NOT NULL)", e) == -1 ||
	    store_sql_exec(s, "SELECT coalesce(max(version), 0) FROM"
	    " received_schema", NULL, 0, one_int, &version, NULL, e) == -1)
		goto fail;
	if (version != 0 && version != RECEIVED_DB_SCHEMA) {
		err_set(e, "received reports: schema version %" PRId64
		    ", expected %d", version, RECEIVED_DB_SCHEMA);
		goto fail;
	}
	if (version == 0 && (store_sql_script(s, pg ? pg_schema :
	    sqlite_schema, e) == -1 || store_sql_script(s, "INSERT INTO"
	    " received_schema VALUES (1)", e) == -1))
		goto fail;
	return store_sql_script(s, "COMMIT", e);
fail:
	(void)store_sql_script(s, "ROLLBACK", &e2);
	return -1;
}

static void
add_clean(struct buf *b, const char *s)
{
	if (s != NULL)
		(void)xml_text_clean(b, s, strlen(s));
}

/* A cleaned copy of s into b, as a parameter (NULL stays NULL). */
static struct store_param
clean_param(struct buf *b, const char *s)
{
	if (s == NULL)
		return STORE_TEXT(NULL);
	add_clean(b, s);
	return STORE_TEXT(buf_str(b));
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

#define NREC_P	12
static const char rec_sql[] = "INSERT INTO received_rows (report,"
    " source_ip, count, disposition, dkim, spf, header_from,"
    " envelope_from, envelope_to, reasons, auth_dkim, auth_spf)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

static int
insert_record(struct store_sql *s, int64_t report,
    const struct received_record *r, struct err *e)
{
	struct buf b[NREC_P];
	struct store_param p[NREC_P];
	size_t i;
	int rc = 0;

	for (i = 0; i < NREC_P; i++)
		b[i] = (struct buf)BUF_INIT;
	for (i = 0; i < r->nreasons; i++)
		add_line(&b[9], r->reasons[i].type, r->reasons[i].comment,
		    NULL, 2);
	for (i = 0; i < r->ndkim; i++)
		add_line(&b[10], r->auth_dkim[i].domain,
		    r->auth_dkim[i].selector, r->auth_dkim[i].result, 3);
	for (i = 0; i < r->nspf; i++)
		add_line(&b[11], r->auth_spf[i].domain, r->auth_spf[i].scope,
		    r->auth_spf[i].result, 3);
	p[0] = STORE_INT(report);
	p[1] = clean_param(&b[1], r->source_ip);
	p[2] = STORE_INT(r->count > INT64_MAX ? INT64_MAX : (int64_t)r->count);
	p[3] = clean_param(&b[3], r->disposition);
	p[4] = clean_param(&b[4], r->dkim);
	p[5] = clean_param(&b[5], r->spf);
	p[6] = clean_param(&b[6], r->header_from);
	p[7] = clean_param(&b[7], r->envelope_from);
	p[8] = clean_param(&b[8], r->envelope_to);
	/* the lines: each field cleaned already, tabs and newlines kept */
	for (i = 9; i < NREC_P; i++)
		p[i] = STORE_TEXT(buf_str(&b[i]));
	for (i = 0; i < NREC_P; i++)
		if (buf_failed(&b[i]))
			rc = err_set(e, "out of memory");
	if (rc == 0)
		rc = store_sql_exec(s, rec_sql, p, NREC_P, NULL, NULL, NULL, e);
	for (i = 0; i < NREC_P; i++)
		buf_free(&b[i]);
	return rc;
}

#define NREP_P	15
static const char rep_sql[] = "INSERT INTO received_reports"
    " (org_name, report_id, email, format, begin, \"end\", domain, adkim,"
    " aspf, p, sp, np, pct, testing, imported) VALUES ($1, $2, $3, $4,"
    " $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    " ON CONFLICT (org_name, report_id) DO NOTHING RETURNING id";

static int
insert_report(struct store_sql *s, const struct received_report *r,
    int64_t now, bool *added, struct err *e)
{
	struct buf b[NREP_P];
	struct store_param p[NREP_P];
	int64_t id = -1;
	size_t i;
	int rc = 0;

	for (i = 0; i < NREP_P; i++)
		b[i] = (struct buf)BUF_INIT;
	p[0] = clean_param(&b[0], r->org_name);
	p[1] = clean_param(&b[1], r->report_id);
	p[2] = clean_param(&b[2], r->email);
	p[3] = STORE_INT(r->format);
	p[4] = STORE_INT(r->begin);
	p[5] = STORE_INT(r->end);
	p[6] = clean_param(&b[6], r->domain);
	p[7] = clean_param(&b[7], r->adkim);
	p[8] = clean_param(&b[8], r->aspf);
	p[9] = clean_param(&b[9], r->p);
	p[10] = clean_param(&b[10], r->sp);
	p[11] = clean_param(&b[11], r->np);
	p[12] = r->pct >= 0 ? STORE_INT(r->pct) : STORE_TEXT(NULL);
	p[13] = clean_param(&b[13], r->testing);
	p[14] = STORE_INT(now);
	for (i = 0; i < NREP_P; i++)
		if (buf_failed(&b[i]))
			rc = err_set(e, "out of memory");
	if (rc == 0)
		rc = store_sql_exec(s, rep_sql, p, NREP_P, one_int, &id, NULL,
		    e);
	for (i = 0; i < NREP_P; i++)
		buf_free(&b[i]);
	if (rc != 0)
		return -1;
	if (id == -1) {		/* the conflict: there already */
		*added = false;
		return 0;
	}
	*added = true;
	for (i = 0; i < r->nrec; i++)
		if (insert_record(s, id, &r->rec[i], e) == -1)
			return -1;
	return 0;
}

int
received_db_add(struct store_sql *s, const struct received_report *r,
    int64_t now, bool *added, struct err *e)
{
	struct err e2;

	*added = false;
	if (store_sql_script(s, store_sql_engine(s) == STORE_POSTGRES ?
	    "BEGIN" : "BEGIN IMMEDIATE", e) == -1)
		return -1;
	if (insert_report(s, r, now, added, e) == -1 ||
	    store_sql_script(s, "COMMIT", e) == -1) {
		(void)store_sql_script(s, "ROLLBACK", &e2);
		*added = false;
		return -1;
	}
	return 0;
}

/* The reports about $1 whose period overlaps [$2, $3]. */
#define PERIOD_SQLITE	" r.domain = $1 AND r.\"end\" >= $2 AND r.begin <= $3"
#define PERIOD_PG	" lower(r.domain) = lower($1) AND r.\"end\" >= $2" \
	" AND r.begin <= $3"
#define PERIOD_Q(s, a, b) (store_sql_engine(s) == STORE_POSTGRES ? \
	a PERIOD_PG b : a PERIOD_SQLITE b)

static const char *
col(const struct store_row *r, int i)
{
	const char *s = store_row_text(r, i, NULL);

	return s != NULL ? s : "";
}

struct rows_arg {
	int	(*fn)(void *, const struct received_row_view *, struct err *);
	void	*arg;
	struct err *e;
	bool	 stopped;
};

static int
one_row(void *arg, const struct store_row *r)
{
	struct rows_arg *a = arg;
	struct received_row_view v;
	int64_t count;

	v.org_name = col(r, 0);
	v.report_id = col(r, 1);
	v.begin = store_row_int(r, 2);
	v.end = store_row_int(r, 3);
	v.source_ip = col(r, 4);
	count = store_row_int(r, 5);
	v.count = count > 0 ? (uint64_t)count : 0;
	v.disposition = col(r, 6);
	v.dkim = col(r, 7);
	v.spf = col(r, 8);
	v.header_from = col(r, 9);
	v.envelope_from = col(r, 10);
	v.reasons = col(r, 11);
	v.auth_dkim = col(r, 12);
	v.auth_spf = col(r, 13);
	if (a->fn(a->arg, &v, a->e) == -1) {
		a->stopped = true;
		return 1;
	}
	return 0;
}

static void
period(struct store_param *p, const char *domain, int64_t since,
    int64_t until)
{
	p[0] = STORE_TEXT(domain);
	p[1] = STORE_INT(since);
	p[2] = STORE_INT(until);
}

int
received_db_rows(struct store_sql *s, const char *domain, int64_t since,
    int64_t until, int (*fn)(void *, const struct received_row_view *,
    struct err *), void *arg, struct err *e)
{
	struct rows_arg a = { fn, arg, e, false };
	struct store_param p[3];
	struct err e2 = { "" };
	int rc;

	period(p, domain, since, until);
	rc = store_sql_exec(s, PERIOD_Q(s, "SELECT r.org_name, r.report_id,"
	    " r.begin, r.\"end\", w.source_ip, w.count, w.disposition, w.dkim,"
	    " w.spf, w.header_from, w.envelope_from, w.reasons, w.auth_dkim,"
	    " w.auth_spf FROM received_reports r JOIN received_rows w"
	    " ON w.report = r.id WHERE", " ORDER BY w.source_ip, r.org_name,"
	    " w.id"), p, 3, one_row, &a, NULL, &e2);
	if (a.stopped)
		return -1;	/* e as fn left it */
	if (rc != 0) {
		*e = e2;
		if (rc > 0)
			err_set(e, "reading received reports: stopped");
		return -1;
	}
	return 0;
}

int64_t
received_db_count_reports(struct store_sql *s, const char *domain,
    int64_t since, int64_t until, struct err *e)
{
	struct store_param p[3];
	int64_t n = -1;

	period(p, domain, since, until);
	if (store_sql_exec(s, PERIOD_Q(s, "SELECT count(*) FROM"
	    " received_reports r WHERE", ""), p, 3, one_int, &n, NULL,
	    e) == -1)
		return -1;
	return n;
}

struct policy_arg {
	char	*out;
	size_t	 outlen;
};

static int
policy_row(void *arg, const struct store_row *r)
{
	struct policy_arg *a = arg;

	/* RFC 9989 tag order; absent tags left out */
	snprintf(a->out, a->outlen, "p=%s%s%s%s%s%s%s%s%s",
	    *col(r, 0) != '\0' ? col(r, 0) : "?",
	    *col(r, 1) != '\0' ? "; sp=" : "", col(r, 1),
	    *col(r, 2) != '\0' ? "; np=" : "", col(r, 2),
	    *col(r, 3) != '\0' ? "; pct=" : "", col(r, 3),
	    strcmp(col(r, 4), "y") == 0 ? "; t=" : "",
	    strcmp(col(r, 4), "y") == 0 ? "y" : "");
	return 0;
}

int
received_db_policy(struct store_sql *s, const char *domain, int64_t since,
    int64_t until, char *out, size_t outlen, struct err *e)
{
	struct policy_arg a = { out, outlen };
	struct store_param p[3];

	out[0] = '\0';
	period(p, domain, since, until);
	return store_sql_exec(s, PERIOD_Q(s, "SELECT p, sp, np, pct, testing"
	    " FROM received_reports r WHERE", " ORDER BY r.\"end\" DESC,"
	    " r.id DESC LIMIT 1"), p, 3, policy_row, &a, NULL, e) == -1 ?
	    -1 : 0;
}
