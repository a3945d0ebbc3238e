/* SPDX-License-Identifier: ISC */
/*
 * report_db_int.h - what report_db.c (the tables, the rows, the direct
 * insert) and report_spool.c (the PostgreSQL writer thread, its queue and
 * the local spool) share: the handle's layout, one row's columns, and
 * the few functions each calls in the other. Internal to milter/store;
 * everything else includes report_db.h.
 */
#ifndef INKAN_REPORT_DB_INT_H
#define INKAN_REPORT_DB_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct err;
struct store_param;
struct store_row;
struct store_sql;

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
/* report_db.c */
extern const char rdb_pg_insert_sql[];	/* $1..$22 and $23 row_key */
int	rdb_one_int_row(void *, const struct store_row *);
int	rdb_pg_schema_up(struct store_sql *, struct err *);
void	rdb_rowv_free(struct rowv *);
void	rdb_rowv_params(const struct rowv *, struct store_param *);
/* Tell the callback once per run of failures (mu held). */
void	rdb_trouble(struct report_db *, const char *);
/* A note for the log, always passed on (mu held). */
void	rdb_note(struct report_db *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* report_spool.c */
extern const char rdb_spool_schema[];
int	rdb_spool_count(struct report_db *, int64_t *, struct err *);
int	rdb_spool_put(struct report_db *, struct rowv *const *, size_t);
void	*rdb_writer_main(void *);

#endif
