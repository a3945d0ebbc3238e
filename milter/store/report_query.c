/* SPDX-License-Identifier: ISC */
/*
 * report_query.c - the report database as inkan-reports reads and marks
 * it (report_query.h): every statement it runs on the messages and
 * report_claims tables, written once for SQLite and PostgreSQL.
 * Not here: the schema and the milter's insert (report_db.c), building
 * the report (reports/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "report_db.h"
#include "report_query.h"
#include "store_sql.h"

/* sel's rows: $1 domain, $2 begin, $3 end, $4 maxid */
#define WHERE	" WHERE state = 0 AND policy_domain = $1 AND time >= $2" \
		" AND time <= $3 AND id <= $4"

static struct store_sql *
conn(struct report_db *db, struct err *e)
{
	struct store_sql *s = report_db_sql(db);

	if (s == NULL)
		err_set(e, "the report database is not connected");
	return s;
}

static void
sel_params(const struct report_sel *sel, struct store_param p[4])
{
	p[0] = STORE_TEXT(sel->domain);
	p[1] = STORE_INT(sel->begin);
	p[2] = STORE_INT(sel->end);
	p[3] = STORE_INT(sel->maxid);
}

/* This run, in the claims: host and process. */
static const char *
owner(void)
{
	static char o[128];
	char host[64];

	if (o[0] == '\0') {
		if (gethostname(host, sizeof(host)) == -1)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		snprintf(o, sizeof(o), "%s/%ld", host, (long)getpid());
	}
	return o;
}

static int
int_row(void *arg, const struct store_row *r)
{
	*(int64_t *)arg = store_row_int(r, 0);
	return 0;
}

int
report_query_maxid(struct report_db *db, int64_t *maxid, struct err *e)
{
	struct store_sql *s;

	*maxid = 0;
	if ((s = conn(db, e)) == NULL)
		return -1;
	return store_sql_exec(s, "SELECT coalesce(max(id), 0) FROM messages",
	    NULL, 0, int_row, maxid, NULL, e);
}

struct domains {
	char	**d;
	size_t	  n;
};

static int
domain_row(void *arg, const struct store_row *r)
{
	struct domains *l = arg;
	const char *v = store_row_text(r, 0, NULL);
	char **nd;

	if ((nd = reallocarray(l->d, l->n + 1, sizeof(*l->d))) == NULL)
		return 1;
	l->d = nd;
	if ((l->d[l->n] = strdup(v != NULL ? v : "")) == NULL)
		return 1;
	l->n++;
	return 0;
}

int
report_query_domains(struct report_db *db, const struct report_sel *sel,
    char ***domains, size_t *n, struct err *e)
{
	struct store_param p[3] = { STORE_INT(sel->begin),
	    STORE_INT(sel->end), STORE_INT(sel->maxid) };
	struct domains l = { NULL, 0 };
	struct store_sql *s;
	int rc;

	*domains = NULL;
	*n = 0;
	if ((s = conn(db, e)) == NULL)
		return -1;
	rc = store_sql_exec(s, "SELECT DISTINCT policy_domain FROM messages"
	    " WHERE state = 0 AND time >= $1 AND time <= $2 AND id <= $3"
	    " ORDER BY 1", p, 3, domain_row, &l, NULL, e);
	if (rc != 0) {
		if (rc > 0)
			err_set(e, "out of memory");
		report_query_domains_free(l.d, l.n);
		return -1;
	}
	*domains = l.d;
	*n = l.n;
	return 0;
}

void
report_query_domains_free(char **d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(d[i]);
	free(d);
}

int
report_query_minid(struct report_db *db, const struct report_sel *sel,
    int64_t *minid, struct err *e)
{
	struct store_param p[4];
	struct store_sql *s;

	*minid = 0;
	if ((s = conn(db, e)) == NULL)
		return -1;
	sel_params(sel, p);
	return store_sql_exec(s, "SELECT coalesce(min(id), 0) FROM messages"
	    WHERE, p, 4, int_row, minid, NULL, e);
}

static int
rua_row(void *arg, const struct store_row *r)
{
	const char *v = store_row_text(r, 0, NULL);
	char **rua = arg;

	if (v != NULL && (*rua = strdup(v)) == NULL)
		return 1;
	return 0;
}

int
report_query_last_rua(struct report_db *db, const struct report_sel *sel,
    char **rua, struct err *e)
{
	struct store_param p[4];
	struct store_sql *s;
	int rc;

	*rua = NULL;
	if ((s = conn(db, e)) == NULL)
		return -1;
	sel_params(sel, p);
	rc = store_sql_exec(s, "SELECT rua FROM messages" WHERE
	    " ORDER BY time DESC, id DESC LIMIT 1", p, 4, rua_row, rua, NULL,
	    e);
	if (rc > 0)
		return err_set(e, "out of memory");
	return rc;
}

static struct report_val
val(const struct store_row *r, int i)
{
	struct report_val v;

	v.s = store_row_text(r, i, &v.len);
	return v;
}

struct policy_cb {
	void	(*fn)(void *, const struct report_policy *);
	void	*arg;
	bool	 seen;
};

static int
policy_row(void *arg, const struct store_row *r)
{
	struct policy_cb *cb = arg;
	struct report_policy pol;

	pol.p = val(r, 0);
	pol.sp = val(r, 1);
	pol.adkim = val(r, 2);
	pol.aspf = val(r, 3);
	pol.testing = val(r, 4);
	pol.fo = val(r, 5);
	pol.discovery = val(r, 6);
	pol.np = val(r, 7);
	cb->fn(cb->arg, &pol);
	cb->seen = true;
	return 0;
}

int
report_query_policy(struct report_db *db, const struct report_sel *sel,
    void (*fn)(void *, const struct report_policy *), void *arg,
    struct err *e)
{
	struct policy_cb cb = { fn, arg, false };
	struct store_param p[4];
	struct store_sql *s;

	if ((s = conn(db, e)) == NULL)
		return -1;
	sel_params(sel, p);
	if (store_sql_exec(s, "SELECT p, sp, adkim, aspf, testing, fo,"
	    " discovery, np FROM messages" WHERE
	    " ORDER BY time DESC, id DESC LIMIT 1", p, 4, policy_row, &cb,
	    NULL, e) == -1)
		return -1;
	return cb.seen ? 0 : 1;
}

struct group_cb {
	void	(*fn)(void *, const struct report_group *);
	void	*arg;
};

static int
group_row(void *arg, const struct store_row *r)
{
	struct group_cb *cb = arg;
	struct report_group g;

	g.source_ip = val(r, 0);
	g.header_from = val(r, 1);
	g.envelope_from = val(r, 2);
	g.disposition = val(r, 3);
	g.override = val(r, 4);
	g.dkim_aligned = store_row_int(r, 5) != 0;
	g.spf_aligned = store_row_int(r, 6) != 0;
	g.spf_domain = val(r, 7);
	g.spf_result = val(r, 8);
	g.dkim = val(r, 9);
	g.count = store_row_int(r, 10);
	cb->fn(cb->arg, &g);
	return 0;
}

int
report_query_groups(struct report_db *db, const struct report_sel *sel,
    void (*fn)(void *, const struct report_group *), void *arg,
    struct err *e)
{
	struct group_cb cb = { fn, arg };
	struct store_param p[4];
	struct store_sql *s;

	if ((s = conn(db, e)) == NULL)
		return -1;
	sel_params(sel, p);
	return store_sql_exec(s, "SELECT source_ip, header_from,"
	    " envelope_from, disposition, override, dkim_aligned, spf_aligned,"
	    " spf_domain, spf_result, dkim, COUNT(*) FROM messages" WHERE
	    " GROUP BY source_ip, header_from, envelope_from, disposition,"
	    " override, dkim_aligned, spf_aligned, spf_domain, spf_result, dkim"
	    " ORDER BY source_ip, header_from, envelope_from", p, 4, group_row,
	    &cb, NULL, e);
}

static const char release_sql[] = "DELETE FROM report_claims WHERE"
    " domain = $1 AND period_begin = $2 AND period_end = $3 AND owner = $4";

int
report_query_mark(struct report_db *db, const struct report_sel *sel,
    int state, struct err *e)
{
	struct store_param p[5];
	struct store_sql *s;
	struct err e2;

	if ((s = conn(db, e)) == NULL)
		return -1;
	sel_params(sel, p);
	p[4] = STORE_INT(state);
	if (store_sql_script(s, "BEGIN", e) == -1)
		return -1;
	if (store_sql_exec(s, "UPDATE messages SET state = $5" WHERE, p, 5,
	    NULL, NULL, NULL, e) == -1)
		goto fail;
	p[3] = STORE_TEXT(owner());
	if (store_sql_exec(s, release_sql, p, 4, NULL, NULL, NULL, e) == -1)
		goto fail;
	return store_sql_script(s, "COMMIT", e);
fail:
	(void)store_sql_script(s, "ROLLBACK", &e2);
	return -1;
}

int
report_query_claim(struct report_db *db, const struct report_sel *sel,
    int64_t now, struct err *e)
{
	struct store_param p[6] = { STORE_TEXT(sel->domain),
	    STORE_INT(sel->begin), STORE_INT(sel->end), STORE_TEXT(owner()),
	    STORE_INT(now), STORE_INT(now - REPORT_CLAIM_STALE_S) };
	struct store_sql *s;
	int64_t n = 0;

	if ((s = conn(db, e)) == NULL)
		return -1;
	/* the unique key on (domain, period) lets one insert win */
	if (store_sql_exec(s, "INSERT INTO report_claims (domain,"
	    " period_begin, period_end, owner, claimed_at) VALUES ($1, $2, $3,"
	    " $4, $5) ON CONFLICT DO NOTHING", p, 5, NULL, NULL, &n, e) == -1)
		return -1;
	if (n == 1)
		return 1;
	/* held: by a run that died? (one UPDATE, so one run takes it over) */
	if (store_sql_exec(s, "UPDATE report_claims SET owner = $4,"
	    " claimed_at = $5 WHERE domain = $1 AND period_begin = $2 AND"
	    " period_end = $3 AND claimed_at < $6", p, 6, NULL, NULL, &n,
	    e) == -1)
		return -1;
	return n == 1 ? 1 : 0;
}

int
report_query_release(struct report_db *db, const struct report_sel *sel,
    struct err *e)
{
	struct store_param p[4] = { STORE_TEXT(sel->domain),
	    STORE_INT(sel->begin), STORE_INT(sel->end), STORE_TEXT(owner()) };
	struct store_sql *s;

	if ((s = conn(db, e)) == NULL)
		return -1;
	return store_sql_exec(s, release_sql, p, 4, NULL, NULL, NULL, e);
}

int
report_query_prune(struct report_db *db, int64_t before, int64_t *removed,
    struct err *e)
{
	struct store_param p = STORE_INT(before);
	struct store_sql *s;

	*removed = 0;
	if ((s = conn(db, e)) == NULL)
		return -1;
	if (store_sql_exec(s, "DELETE FROM messages WHERE time < $1", &p, 1,
	    NULL, NULL, removed, e) == -1)
		return -1;
	return store_sql_exec(s, "DELETE FROM report_claims WHERE"
	    " claimed_at < $1", &p, 1, NULL, NULL, NULL, e);
}
