/* SPDX-License-Identifier: ISC */
/*
 * received_db.h - the DMARC aggregate reports a domain RECEIVES (RFC 7489
 * appendix C and RFC 9990 formats, read by inkan-reports import), kept in
 * the same store as the outbound rows of report_db.c (an SQLite file, or
 * PostgreSQL through store_sql.h), in tables of their own
 * (received_reports, received_rows) with their own schema
 * version (table received_schema), so the milter's report_db_open neither
 * knows nor cares about them.
 * A report is keyed by (org_name, report_id): adding it again changes
 * nothing (RFC 9990 2.1.3 has a re-sent report keep its Report-ID).
 * The structs below are the parsed form of one report (filled by
 * reports/received/parse.c); this module copies what it stores. All SQL
 * of the received side lives here.
 * Ownership: the caller owns the connection (report_db_sql) and
 * every struct passed in; this module keeps nothing between calls.
 */
#ifndef INKAN_RECEIVED_DB_H
#define INKAN_RECEIVED_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;
struct store_sql;

/* The layout of the received_* tables (table received_schema). */
#define RECEIVED_DB_SCHEMA	1

/* The two formats read. */
#define RECEIVED_FORMAT_7489	1	/* RFC 7489 appendix C, no namespace */
#define RECEIVED_FORMAT_9990	2	/* urn:ietf:params:xml:ns:dmarc-2.0 */

struct received_dkim {
	char	*domain, *selector, *result;	/* result lowercase */
};
struct received_spf {
	char	*domain, *scope, *result;	/* scope "mfrom", "helo" or NULL */
};
struct received_reason {
	char	*type, *comment;		/* either may be NULL */
};

/* One <record>: strings NULL where the report has no such element. */
struct received_record {
	char			*source_ip;	/* checked: an IPv4 or IPv6 address */
	uint64_t		 count;
	char			*disposition;	/* policy_evaluated */
	char			*dkim, *spf;	/* policy_evaluated: "pass"/"fail" */
	char			*header_from, *envelope_from, *envelope_to;
	struct received_reason	*reasons;
	size_t			 nreasons;
	struct received_dkim	*auth_dkim;
	size_t			 ndkim;
	struct received_spf	*auth_spf;
	size_t			 nspf;
};

/* One report. */
struct received_report {
	int			 format;	/* RECEIVED_FORMAT_* */
	char			*org_name, *email, *report_id;
	int64_t			 begin, end;	/* seconds since the epoch, UTC */
	/* policy_published; NULL where absent */
	char			*domain;	/* never NULL */
	char			*adkim, *aspf, *p, *sp, *np, *testing;
	int			 pct;		/* RFC 7489 pct=, -1 if absent */
	struct received_record	*rec;
	size_t			 nrec;
};

/*
 * Create the received_* tables in db if they are missing. Returns 0, or
 * -1 with e filled (a database error, or tables of another schema version).
 */
int	 received_db_init(struct store_sql *s, struct err *e);

/*
 * Store report r, received at time now, in one transaction. *added is
 * true if it was new, false if a report with the same org_name and
 * report_id was there already (nothing is changed then). Returns 0, or
 * -1 with e filled (nothing stored).
 */
int	 received_db_add(struct store_sql *s, const struct received_report *r,
	    int64_t now, bool *added, struct err *e);

/* One row as read back for a summary (pointers valid during the call). */
struct received_row_view {
	const char	*org_name, *report_id;
	int64_t		 begin, end;
	const char	*source_ip;
	uint64_t	 count;
	const char	*disposition, *dkim, *spf;	/* "" when absent */
	const char	*header_from, *envelope_from;
	const char	*reasons;	/* "type\tcomment\n" lines */
	const char	*auth_dkim;	/* "domain\tselector\tresult\n" lines */
	const char	*auth_spf;	/* "domain\tscope\tresult\n" lines */
};

/*
 * Call fn(arg, row) for each row of the reports about domain (the
 * policy_published domain, ASCII case ignored) whose period overlaps
 * [since, until], ordered by source address. fn returns 0 to go on, -1
 * to stop (the call then returns -1 with e as fn left it). Returns 0, or
 * -1 with e filled.
 */
int	 received_db_rows(struct store_sql *s, const char *domain,
	    int64_t since, int64_t until,
	    int (*fn)(void *arg, const struct received_row_view *,
	    struct err *), void *arg, struct err *e);

/* The number of reports about domain in the period (as above), or -1. */
int64_t	 received_db_count_reports(struct store_sql *s, const char *domain,
	    int64_t since, int64_t until, struct err *e);

/*
 * The policy the latest report about domain in the period (as above)
 * says was published: "p=none; sp=...; pct=..." style text into out
 * ("" if no report). Returns 0, or -1 with e filled.
 */
int	 received_db_policy(struct store_sql *s, const char *domain,
	    int64_t since, int64_t until, char *out, size_t outlen,
	    struct err *e);

#endif
