/* SPDX-License-Identifier: ISC */
/*
 * dkim_task.c - verifier plus DNS (see dkim_task.h). A lookup that fails
 * (timeout, SERVFAIL, a backend error) makes that signature temperror,
 * never a pass or a none: the verifier maps DKIM_KEY_TIMEOUT and
 * DKIM_KEY_SERVFAIL to temperror.
 */
#include <stdlib.h>
#include <string.h>

#include "dkim_task.h"
#include "key_cache.h"

struct dkim_task {
	struct dkim_verifier *vf;
	struct dns_resolver *res;
	struct dns_query *q[DKIM_VERIFY_MAX_REPORTED];
	size_t		 queries;
	size_t		 in_flight, max_in_flight;
};

struct dkim_task *
dkim_task_start(const struct hdr_list *hdrs, struct dns_resolver *res,
    size_t max_signatures, struct err *e)
{
	struct dkim_task *c;
	size_t i;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		err_set(e, "out of memory");
		return NULL;
	}
	c->res = res;
	if ((c->vf = dkim_verifier_new(hdrs, max_signatures, e)) == NULL) {
		free(c);
		return NULL;
	}
	dkim_verifier_set_key_cache(c->vf, key_cache());
	/*
	 * A field refused by a cap is missing from our copy; it may be the
	 * bottom-most From a signature covers (RFC 6376 5.4.2), so no pass.
	 */
	if (hdrs->overflow)
		dkim_verifier_refuse(c->vf, "header block exceeds inkan's "
		    "limits; not verified");
	for (i = 0; i < dkim_verifier_count(c->vf); i++) {
		const char *name = dkim_verifier_key_name(c->vf, i);
		struct err qe;

		if (name == NULL)
			continue;
		if (res == NULL || !dns_name_valid(name, strlen(name))) {
			/* no resolver configured, or a name DNS cannot carry */
			dkim_verifier_set_key(c->vf, i, res == NULL ?
			    DKIM_KEY_SERVFAIL : DKIM_KEY_ABSENT, NULL, NULL, 0);
			continue;
		}
		if ((c->q[i] = dns_start(res, name, DNS_TXT, &qe)) == NULL) {
			dkim_verifier_set_key(c->vf, i, DKIM_KEY_SERVFAIL, NULL,
			    NULL, 0);
			continue;
		}
		c->queries++;
		if (++c->in_flight > c->max_in_flight)
			c->max_in_flight = c->in_flight;
	}
	return c;
}

int
dkim_task_body(struct dkim_task *c, const unsigned char *p, size_t n,
    struct err *e)
{
	return dkim_verifier_body(c->vf, p, n, e);
}

int
dkim_task_key_answer(const struct dns_result *r, enum dkim_key_lookup *lk,
    const char ***txt, size_t **len, size_t *n, struct err *e)
{
	size_t j;

	*txt = NULL;
	*len = NULL;
	*n = 0;
	switch (r->status) {
	case DNS_OK:
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		*lk = DKIM_KEY_ABSENT;
		return 0;
	case DNS_TIMEOUT:
		*lk = DKIM_KEY_TIMEOUT;
		return 0;
	case DNS_SERVFAIL:
	case DNS_ERROR:
		*lk = DKIM_KEY_SERVFAIL;
		return 0;
	}
	*lk = DKIM_KEY_FOUND;
	if (r->n > 0 && ((*txt = calloc(r->n, sizeof(**txt))) == NULL ||
	    (*len = calloc(r->n, sizeof(**len))) == NULL)) {
		free(*txt);
		*txt = NULL;
		return err_set(e, "out of memory");
	}
	for (j = 0; j < r->n; j++)
		if (r->rr[j].type == DNS_TXT) {
			(*txt)[*n] = (const char *)r->rr[j].data;
			(*len)[(*n)++] = r->rr[j].len;
		}
	return 0;
}

/* Hand one DNS answer to the verifier. */
static int
give_key(struct dkim_task *c, size_t i, const struct dns_result *r,
    struct err *e)
{
	enum dkim_key_lookup lk;
	const char **txt;
	size_t *len, n;

	if (dkim_task_key_answer(r, &lk, &txt, &len, &n, e) == -1)
		return -1;
	dkim_verifier_set_key(c->vf, i, lk, txt, len, n);
	free(txt);
	free(len);
	return 0;
}

int
dkim_task_finish(struct dkim_task *c, const struct timespec *deadline,
    time_t now, struct err *e)
{
	size_t i;

	for (i = 0; i < DKIM_VERIFY_MAX_REPORTED; i++) {
		struct dns_result r;
		struct err qe;
		int rc;

		if (c->q[i] == NULL)
			continue;
		dns_result_init(&r);
		rc = dns_wait(c->res, c->q[i], deadline, &r, &qe);
		c->q[i] = NULL;
		c->in_flight--;
		if (rc == -1)
			r.status = DNS_ERROR;	/* backend trouble: temperror */
		rc = give_key(c, i, &r, e);
		dns_result_free(&r);
		if (rc == -1)
			return -1;
	}
	return dkim_verifier_finish(c->vf, now, e);
}

size_t
dkim_task_count(const struct dkim_task *c)
{
	return dkim_verifier_count(c->vf);
}

const struct dkim_verdict *
dkim_task_verdict(const struct dkim_task *c, size_t i)
{
	return dkim_verifier_verdict(c->vf, i);
}

size_t
dkim_task_ignored(const struct dkim_task *c)
{
	return dkim_verifier_ignored(c->vf);
}

size_t
dkim_task_queries(const struct dkim_task *c)
{
	return c->queries;
}

size_t
dkim_task_max_in_flight(const struct dkim_task *c)
{
	return c->max_in_flight;
}

void
dkim_task_free(struct dkim_task *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < DKIM_VERIFY_MAX_REPORTED; i++)
		dns_cancel(c->q[i]);
	dkim_verifier_free(c->vf);
	free(c);
}
