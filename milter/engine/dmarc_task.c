/* SPDX-License-Identifier: ISC */
/*
 * dmarc_task.c - DMARC discovery in a thread of the jobs pool (jobs.h),
 * evaluation at end of message (see dmarc_task.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dmarc_task.h"
#include "results.h"
#include "jobs.h"

/*
 * DKIM signatures (passing first, then temperror; see dmarc_task.h)
 * whose organizational domain we look up: each walk is up to
 * ORGDOMAIN_MAX_QUERIES queries, all within the message's DNS deadline.
 */
#define DMARC_TASK_MAX_DKIM	8

struct dmarc_task {
	struct dns_resolver *res;
	const struct psl_ctx_st *psl;
	enum dmarc_discovery mode;
	char		*from_domain;
	struct timespec	 deadline;
	struct job	 job;
	bool		 running;
	int		 rc;
	struct err	 err;
	struct dmarc_policy policy;
};

static void
dmarc_job(void *arg)
{
	struct dmarc_task *c = arg;

	c->rc = dmarc_discover(c->res, c->from_domain, c->mode, c->psl,
	    &c->deadline, &c->policy, &c->err);
}

struct dmarc_task *
dmarc_task_start(struct dns_resolver *res, const char *from_domain,
    enum dmarc_discovery mode, const struct psl_ctx_st *psl,
    const struct timespec *deadline, struct err *e)
{
	struct dmarc_task *c;
	int rc;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->from_domain = strdup(from_domain)) == NULL) {
		free(c);
		err_set(e, "out of memory");
		return NULL;
	}
	c->res = res;
	c->psl = psl;
	c->mode = mode;
	c->deadline = *deadline;
	if (res == NULL) {
		err_set(e, "no DNS resolver");
		dmarc_task_free(c);
		return NULL;
	}
	if ((rc = jobs_run(&c->job, dmarc_job, c)) != 0) {
		err_set(e, "cannot start the DMARC thread: %s", strerror(rc));
		dmarc_task_free(c);
		return NULL;
	}
	c->running = true;
	return c;
}

/*
 * An organizational domain already looked up for the same name: an earlier
 * signature's (those before i that needed one have it filled) or the MAIL
 * FROM domain's. NULL if none.
 */
static const struct dmarc_orgdomain *
known_org(const char *const *dkim, const struct dmarc_orgdomain *org, size_t i,
    const struct dmarc_orgdomain *spf_org, const char *spf_domain)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (org[j].domain[0] != '\0' && strcasecmp(dkim[j], dkim[i]) == 0)
			return &org[j];
	if (spf_org != NULL && spf_domain != NULL &&
	    strcasecmp(spf_domain, dkim[i]) == 0)
		return spf_org;
	return NULL;
}

int
dmarc_task_finish(struct dmarc_task *c, enum auth_result spf,
    const char *spf_domain, const char *const *dkim_domains,
    const enum auth_result *dkim_results, size_t n,
    struct dmarc_verdict *v, struct err *e)
{
	struct dmarc_orgdomain spf_org, dkim_org[DMARC_TASK_MAX_DKIM];
	struct dmarc_auth auth;
	size_t i;

	if (c->running) {
		jobs_wait(&c->job);
		c->running = false;
	}
	if (c->rc == -1)
		return err_set(e, "DMARC: %s", c->err.msg);
	if (n > DMARC_TASK_MAX_DKIM)
		n = DMARC_TASK_MAX_DKIM;
	memset(&auth, 0, sizeof(auth));
	memset(&spf_org, 0, sizeof(spf_org));
	memset(dkim_org, 0, sizeof(dkim_org));
	auth.spf = spf;
	auth.spf_domain = spf_domain;
	/*
	 * Relaxed alignment needs the organizational domain of each id that
	 * passed, and of each that got temperror: whether it aligns decides
	 * between fail and temperror (dmarc_evaluate()).
	 */
	if ((spf == AUTH_PASS || spf == AUTH_TEMPERROR) && spf_domain != NULL &&
	    dmarc_needs_orgdomain(&c->policy, spf_domain, false)) {
		if (dmarc_orgdomain_lookup(c->res, spf_domain, c->mode, c->psl,
		    &c->deadline, &spf_org, e) == -1)
			return -1;
		auth.spf_org = &spf_org;
	}
	for (i = 0; i < n; i++) {
		const struct dmarc_orgdomain *known;

		if (!dmarc_needs_orgdomain(&c->policy, dkim_domains[i], true))
			continue;
		/* several signatures of one d=, or d= = MAIL FROM domain: ask once */
		if ((known = known_org(dkim_domains, dkim_org, i, auth.spf_org,
		    spf_domain)) != NULL) {
			dkim_org[i] = *known;
			continue;
		}
		if (dmarc_orgdomain_lookup(c->res, dkim_domains[i], c->mode,
		    c->psl, &c->deadline, &dkim_org[i], e) == -1)
			return -1;
	}
	auth.dkim_domains = dkim_domains;
	auth.dkim_results = dkim_results;
	auth.dkim_orgs = dkim_org;
	auth.ndkim = n;
	dmarc_evaluate(&c->policy, &auth, v);
	return 0;
}

const struct dmarc_policy *
dmarc_task_policy(const struct dmarc_task *c)
{
	return &c->policy;
}

void
dmarc_task_free(struct dmarc_task *c)
{
	if (c == NULL)
		return;
	if (c->running)
		jobs_wait(&c->job);
	dmarc_policy_free(&c->policy);
	free(c->from_domain);
	free(c);
}

int
dmarc_task_join(struct dmarc_task *c, const struct results *r,
    struct dmarc_verdict *v, struct err *e)
{
	static const enum auth_result order[] = { AUTH_PASS, AUTH_TEMPERROR };
	const char *dom[DKIM_VERIFY_MAX_REPORTED];
	enum auth_result res[DKIM_VERIFY_MAX_REPORTED];
	size_t i, k, n = 0;

	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		for (i = 0; i < r->ndkim && n < DKIM_VERIFY_MAX_REPORTED; i++) {
			if (r->dkim[i]->result != order[k])
				continue;
			dom[n] = r->dkim[i]->domain;
			res[n++] = r->dkim[i]->result;
		}
	return dmarc_task_finish(c, r->spf_mf != NULL ?
	    spf_result_auth(r->spf_mf->result) : AUTH_NONE, r->spf_mf != NULL ?
	    r->spf_domain : NULL, dom, res, n, v, e);
}
