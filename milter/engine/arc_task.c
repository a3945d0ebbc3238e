/* SPDX-License-Identifier: ISC */
/*
 * arc_task.c - ARC verification with DNS, and sealing (see arc_task.h).
 * A key lookup that fails (timeout, SERVFAIL, a backend error) makes the
 * chain fail with temporary set (arc_verify.h: RFC 8617 has no temperror
 * for arc), never a pass.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arc_seal.h"
#include "arc_task.h"
#include "dkim_task.h"
#include "key_cache.h"
#include "world.h"

struct arc_task {
	struct arc_verifier *vf;
	struct dns_resolver *res;
	struct dns_query *q[ARC_VERIFY_MAX_KEYS];
	size_t		 nq;		/* key names: q[0..nq) */
	size_t		 queries;
	struct arc_sealer *sealer;	/* arc_seal = yes and the chain allows */
	bool		 sealed;	/* arc_task_seal made the Set */
};

/*
 * Does the header block hold any ARC field? The names all start with
 * "ARC-" (RFC 8617 4.1); this scan is all a message without ARC costs.
 */
static bool
has_arc_fields(const struct hdr_list *hdrs)
{
	size_t i;

	for (i = 0; i < hdrs->n; i++)
		if (hdrs->f[i].key_len > 4 &&
		    strncasecmp(hdrs->f[i].raw, "ARC-", 4) == 0)
			return true;
	return false;
}

static void
start_lookups(struct arc_task *c)
{
	size_t i;

	c->nq = arc_verifier_key_count(c->vf);
	for (i = 0; i < c->nq; i++) {
		const char *name = arc_verifier_key_name(c->vf, i);
		struct err qe;

		if (c->res == NULL || !dns_name_valid(name, strlen(name))) {
			arc_verifier_set_key(c->vf, i, c->res == NULL ?
			    DKIM_KEY_SERVFAIL : DKIM_KEY_ABSENT, NULL, NULL, 0);
			continue;
		}
		if ((c->q[i] = dns_start(c->res, name, DNS_TXT, &qe)) == NULL) {
			arc_verifier_set_key(c->vf, i, DKIM_KEY_SERVFAIL, NULL,
			    NULL, 0);
			continue;
		}
		c->queries++;
	}
}

/*
 * The sealer starts now, for the body hash of its AMS; the instance is
 * known from the chain's form (arc_verifier_may_seal), the cv= and our
 * A-R only at end of message (arc_sealer_conclude). A chain that allows
 * no new Set gets no sealer.
 */
static int
start_sealer(struct arc_task *c, const struct hdr_list *hdrs,
    const struct world *w, time_t now, struct err *e)
{
	const struct config *cfg = w->cfg;
	struct arc_seal_params p;
	const struct arc_result *r = arc_verifier_result(c->vf);
	unsigned instance;
	enum arc_cv cv;

	if (!arc_verifier_may_seal(c->vf, &instance, &cv))
		return 0;
	memset(&p, 0, sizeof(p));
	p.instance = instance;
	/* provisional, by form: fail if already decided so, else pass */
	p.cv = r->fields == 0 ? ARC_CV_NONE : r->result == AUTH_FAIL ?
	    ARC_CV_FAIL : ARC_CV_PASS;
	p.ar_payload = "";
	p.domain = cfg->arc_seal_domain;
	p.selector = cfg->arc_seal_selector;
	p.key = w->arc_key;
	p.now = now;
	/* the AMS signs what our DKIM signatures sign (arc_seal.h) */
	p.sign_headers = (const char *const *)cfg->sign_headers.v;
	p.nsign_headers = cfg->sign_headers.n;
	p.oversign_headers = (const char *const *)cfg->oversign_headers.v;
	p.noversign_headers = cfg->oversign_headers.n;
	if ((c->sealer = arc_sealer_new(&p, hdrs, e)) == NULL)
		return -1;
	return 0;
}

int
arc_task_start(struct arc_task **out, const struct hdr_list *hdrs,
    const struct world *w, time_t now, struct err *e)
{
	struct arc_task *c;
	/* world_build refuses arc_seal = yes without a key (world.c) */
	bool sealing = w->cfg->arc_seal && w->arc_key != NULL;

	*out = NULL;
	if (!sealing && !has_arc_fields(hdrs))
		return 0;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return err_set(e, "out of memory");
	c->res = w->resolver;
	if ((c->vf = arc_verifier_new(hdrs, e)) == NULL) {
		free(c);
		return -1;
	}
	arc_verifier_set_key_cache(c->vf, key_cache());
	/* as DKIM: a field refused by a cap may be one a Set covers */
	if (hdrs->overflow)
		arc_verifier_refuse(c->vf, "header block exceeds inkan's "
		    "limits; not verified");
	start_lookups(c);
	if (sealing && start_sealer(c, hdrs, w, now, e) == -1) {
		arc_task_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

int
arc_task_body(struct arc_task *c, const unsigned char *p, size_t n,
    struct err *e)
{
	if (arc_verifier_body(c->vf, p, n, e) == -1)
		return -1;
	if (c->sealer != NULL && arc_sealer_body(c->sealer, p, n, e) == -1)
		return -1;
	return 0;
}

int
arc_task_finish(struct arc_task *c, const struct timespec *deadline,
    time_t now, struct err *e)
{
	size_t i;

	for (i = 0; i < c->nq; i++) {
		struct dns_result r;
		enum dkim_key_lookup lk;
		const char **txt;
		size_t *len, n;
		struct err qe;
		int rc;

		if (c->q[i] == NULL)
			continue;
		dns_result_init(&r);
		rc = dns_wait(c->res, c->q[i], deadline, &r, &qe);
		c->q[i] = NULL;
		if (rc == -1)
			r.status = DNS_ERROR;	/* backend trouble: temporary */
		rc = dkim_task_key_answer(&r, &lk, &txt, &len, &n, e);
		if (rc == 0)
			arc_verifier_set_key(c->vf, i, lk, txt, len, n);
		free(txt);
		free(len);
		dns_result_free(&r);
		if (rc == -1)
			return -1;
	}
	return arc_verifier_finish(c->vf, now, e);
}

const struct arc_result *
arc_task_result(const struct arc_task *c)
{
	return arc_verifier_result(c->vf);
}

const struct arc_instance *
arc_task_instance(const struct arc_task *c, unsigned i)
{
	return arc_verifier_instance(c->vf, i);
}

size_t
arc_task_queries(const struct arc_task *c)
{
	return c->queries;
}

size_t
arc_task_max_in_flight(const struct arc_task *c)
{
	return c->queries;	/* all started at once, none collected before EOM */
}

bool
arc_task_sealing(const struct arc_task *c)
{
	return c != NULL && c->sealer != NULL;
}

int
arc_task_seal(struct arc_task *c, const char *ar_payload, struct err *e)
{
	unsigned instance;
	enum arc_cv cv;

	if (c->sealer == NULL || !arc_verifier_may_seal(c->vf, &instance, &cv))
		return 0;
	if (arc_sealer_conclude(c->sealer, cv, ar_payload, e) == -1 ||
	    arc_sealer_finish(c->sealer, e) == -1)
		return -1;
	c->sealed = true;
	return 0;
}

const char *
arc_task_aar(const struct arc_task *c)
{
	return c != NULL && c->sealed ? arc_sealer_aar(c->sealer) : NULL;
}

const char *
arc_task_ams(const struct arc_task *c)
{
	return c != NULL && c->sealed ? arc_sealer_ams(c->sealer) : NULL;
}

const char *
arc_task_as(const struct arc_task *c)
{
	return c != NULL && c->sealed ? arc_sealer_seal(c->sealer) : NULL;
}

void
arc_task_free(struct arc_task *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nq; i++)
		dns_cancel(c->q[i]);
	arc_sealer_free(c->sealer);
	arc_verifier_free(c->vf);
	free(c);
}
