/* SPDX-License-Identifier: ISC */
/*
 * report_query.h - what inkan-reports asks of the report database
 * (report_db.h): the Policy Domains with pending rows in a period, the
 * rows of one domain and period (the policy last seen, the rows grouped
 * for <record>s), its last rua=, marking the rows reported or skipped,
 * deleting old rows; and the claims that make one report per domain and
 * period for a whole fleet (see report_query_claim).
 * Every selection is bounded by maxid, the highest row id when the run
 * started, so rows recorded during a run are left for the next.
 * The same SQL runs on SQLite and PostgreSQL (store_sql.h).
 * Threads: one thread per handle (inkan-reports is single-threaded).
 * Ownership: values passed to callbacks live until the callback returns.
 */
#ifndef INKAN_REPORT_QUERY_H
#define INKAN_REPORT_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;
struct report_db;

/*
 * A claim not released after this many seconds is taken to be the claim
 * of a run that died, and another run may take it over. Longer than any
 * report takes to build and mail.
 */
#define REPORT_CLAIM_STALE_S	1800

/* Which rows make one report: pending, of domain, in [begin, end], id <= maxid. */
struct report_sel {
	const char	*domain;
	int64_t		 begin, end;
	int64_t		 maxid;
};

/* A column's value: s NULL for SQL NULL; len bytes (s may hold a NUL). */
struct report_val {
	const char	*s;
	size_t		 len;
};

/* The policy as last recorded in the selection (RFC 9990 2.1). */
struct report_policy {
	struct report_val p, sp, adkim, aspf, testing, fo, discovery, np;
};

/* One group of identical rows: a <record> with its count. */
struct report_group {
	struct report_val source_ip, header_from, envelope_from, disposition,
			  override, spf_domain, spf_result, dkim;
	bool		  dkim_aligned, spf_aligned;
	int64_t		  count;
};

/* The highest row id now (0: no rows). 0, or -1 with e filled. */
int	 report_query_maxid(struct report_db *, int64_t *maxid, struct err *e);

/*
 * The Policy Domains with pending rows in sel's period (sel->domain is
 * not used), sorted; *domains (malloc'd, each too) and *n. 0, or -1.
 */
int	 report_query_domains(struct report_db *, const struct report_sel *sel,
	    char ***domains, size_t *n, struct err *e);
void	 report_query_domains_free(char **domains, size_t n);

/* The smallest id of sel's rows, 0 if none. 0, or -1 with e filled. */
int	 report_query_minid(struct report_db *, const struct report_sel *sel,
	    int64_t *minid, struct err *e);

/* The rua= of sel's latest row (malloc'd), or NULL. 0, or -1. */
int	 report_query_last_rua(struct report_db *, const struct report_sel *sel,
	    char **rua, struct err *e);

/* fn(arg, policy) for sel's latest row. 0, 1 if sel has no rows, or -1. */
int	 report_query_policy(struct report_db *, const struct report_sel *sel,
	    void (*fn)(void *arg, const struct report_policy *), void *arg,
	    struct err *e);

/*
 * fn(arg, group) for each group of sel's rows, ordered by source address,
 * From and MAIL FROM domain. 0, or -1 with e filled.
 */
int	 report_query_groups(struct report_db *, const struct report_sel *sel,
	    void (*fn)(void *arg, const struct report_group *), void *arg,
	    struct err *e);

/*
 * Set sel's rows to state (REPORT_DB_REPORTED or REPORT_DB_SKIPPED) and
 * release this run's claim, in one transaction. 0, or -1 with e filled.
 */
int	 report_query_mark(struct report_db *, const struct report_sel *sel,
	    int state, struct err *e);

/*
 * Claim the report of sel's domain and period for this run (host and
 * process), before building it. 1: claimed (or taken over from a run
 * whose claim is older than REPORT_CLAIM_STALE_S at now); 0: another
 * run holds it, leave the domain alone; -1 with e filled.
 * Why a claims table (a unique key on domain and period) rather than an
 * advisory lock: a lock lives as long as its session, so a run that
 * dies would lose its claim at once, but a run that hangs halfway
 * through mailing holds it for ever; and SQLite has no such lock. A row
 * works on both engines, says who holds it and since when, and is
 * released in the same transaction that marks the rows, so a second run
 * that gets it afterwards finds no pending rows and sends nothing. A run
 * that dies between mailing and marking leaves its claim; the run that
 * takes it over sends the same rows again with the same Report-ID (made
 * of the period and the rows' first id), which receivers recognise as a
 * re-send (RFC 9990 2.1.3).
 */
int	 report_query_claim(struct report_db *, const struct report_sel *sel,
	    int64_t now, struct err *e);

/* Give up this run's claim of sel (nothing sent). 0, or -1. */
int	 report_query_release(struct report_db *, const struct report_sel *sel,
	    struct err *e);

/*
 * Delete rows recorded before before, and claims made before it.
 * *removed gets the rows deleted. 0, or -1 with e filled.
 */
int	 report_query_prune(struct report_db *, int64_t before,
	    int64_t *removed, struct err *e);

#endif
