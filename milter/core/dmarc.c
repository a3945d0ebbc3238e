/* SPDX-License-Identifier: ISC */
/*
 * dmarc.c - DMARC policy discovery and evaluation (RFC 9989).
 * Discovery by tree walk (4.10.1): one walk from the Author Domain serves
 * both policy discovery (its first query is the Author Domain's record;
 * the rest is the walk that 4.10.1 starts at the parent or at the last
 * seven labels) and the Author Domain's Organizational Domain (4.10.2,
 * whose walk starts at the Author Domain). The record that applies is the
 * Author Domain's, else the Organizational Domain's, else the PSD's.
 * Discovery by Public Suffix List: RFC 7489 6.6.3 (the From domain, then
 * its Organizational Domain by 3.2; several records at a name end
 * discovery). Either way: an invalid p/sp/np makes the record p=none when
 * rua= has a valid URI, else no processing (4.10.1, 7489 6.6.3 step 6).
 * Non-existent subdomains (np=): a name is non-existent when a query for
 * it gets NXDOMAIN (RFC 9989 "Non-existent Domains", "Domain Existence
 * Test": any RR makes a name exist; RFC 8020: nothing exists below an
 * NXDOMAIN). The answer for _dmarc.<author> already proves existence when
 * it was not NXDOMAIN; else one A query decides. It is asked only when np
 * would change the policy.
 * Evaluation: 5.3.4 to 5.3.6. DNS errors give temperror, never a fail:
 * the policy lookup, the Organizational Domain walks, the existence test,
 * and the SPF or DKIM check of an identifier that aligns (the caller gives
 * those results; see dmarc_evaluate() in dmarc.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc.h"
#include "err.h"
#include "orgdomain.h"

const char *
dmarc_policy_tag_name(enum dmarc_policy_tag t)
{
	switch (t) {
	case DMARC_TAG_P:
		return "p";
	case DMARC_TAG_SP:
		return "sp";
	case DMARC_TAG_NP:
		return "np";
	case DMARC_TAG_NONE:
		break;
	}
	return "";
}

void
dmarc_policy_free(struct dmarc_policy *p)
{
	if (p == NULL)
		return;
	free(p->text);
	p->text = NULL;
	p->len = 0;
}

static unsigned
count_asked(const struct orgdomain_walk *w)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->step[i].asked)
			n++;
	return n;
}

/* Does the Author Domain exist (see the file comment)? */
static int
author_domain_exists(struct dns_resolver *r, struct dmarc_policy *out,
    enum dns_status dmarc_status, bool asked,
    const struct timespec *deadline, struct err *e)
{
	struct dns_query *q;
	struct dns_result res;

	if (asked && (dmarc_status == DNS_OK || dmarc_status == DNS_NODATA)) {
		out->author_exists = DMARC_EXISTS_YES;
		return 0;
	}
	if ((q = dns_start(r, out->author_domain, DNS_A, e)) == NULL)
		return -1;
	out->queries++;
	if (dns_wait(r, q, deadline, &res, e) == -1) {
		dns_result_free(&res);
		return -1;
	}
	switch (res.status) {
	case DNS_NXDOMAIN:
		out->author_exists = DMARC_EXISTS_NO;
		break;
	case DNS_OK:
	case DNS_NODATA:
		out->author_exists = DMARC_EXISTS_YES;
		break;
	case DNS_SERVFAIL:
	case DNS_TIMEOUT:
	case DNS_ERROR:
		out->author_exists = DMARC_EXISTS_TEMPERROR;
		break;
	}
	dns_result_free(&res);
	return 0;
}

/*
 * Make st's record the one that applies. sub: the Author Domain is a
 * subdomain of st's name, so sp/np rather than p (4.10.1). Ownership of
 * the record text moves from st to out.
 */
static int
apply(struct dns_resolver *r, struct dmarc_policy *out,
    struct orgdomain_step *st, bool sub, enum dns_status dmarc_status,
    bool asked, const struct timespec *deadline, struct err *e)
{
	const struct dmarc_record *rec;
	enum dmarc_request sp;

	out->text = st->text;
	out->len = st->len;
	st->text = NULL;
	out->rec = st->rec;
	rec = &out->rec;
	strlcpy(out->policy_domain, st->name, sizeof(out->policy_domain));
	if (st->outcome == DMARC_RECORD_INVALID) {
		out->status = DMARC_POLICY_INVALID;
		snprintf(out->reason, sizeof(out->reason),
		    "unusable record at _dmarc.%s: %s", st->name, st->why);
		return 0;
	}
	out->status = DMARC_POLICY_FOUND;
	if (!sub) {
		out->tag = DMARC_TAG_P;
		out->request = rec->p;
		snprintf(out->reason, sizeof(out->reason),
		    "record at _dmarc.%s", st->name);
		return 0;
	}
	/* "In the absence of applicable sp or np tags, the p tag ..." */
	out->tag = rec->sp_present ? DMARC_TAG_SP : DMARC_TAG_P;
	sp = rec->sp_present ? rec->sp : rec->p;
	out->request = sp;
	if (rec->np_present && rec->np != sp) {
		if (author_domain_exists(r, out, dmarc_status, asked, deadline,
		    e) == -1)
			return -1;
		if (out->author_exists == DMARC_EXISTS_NO) {
			out->tag = DMARC_TAG_NP;
			out->request = rec->np;
		}
	}
	snprintf(out->reason, sizeof(out->reason), "%srecord at _dmarc.%s",
	    out->psd ? "public suffix " : "", st->name);
	return 0;
}

static void
temperror(struct dmarc_policy *out, const struct orgdomain_step *st)
{
	out->status = DMARC_POLICY_TEMPERROR;
	snprintf(out->reason, sizeof(out->reason), "DNS %s for _dmarc.%s",
	    dns_failure_name(st->status), st->name);
}

static int
discover_treewalk(struct dns_resolver *r, struct dmarc_policy *out,
    const struct timespec *deadline, struct err *e)
{
	struct orgdomain_walk w;
	struct orgdomain_step *st0, *use = NULL;
	bool sub = false;
	size_t i;
	int rc = 0;

	if (orgdomain_walk(r, out->author_domain, deadline, &w, e) == -1) {
		orgdomain_walk_free(&w);
		return -1;
	}
	out->queries = count_asked(&w);
	st0 = &w.step[0];
	if (w.temperror)
		out->org_temperror = true;
	else
		(void)orgdomain_select(&w, out->org_domain);

	if (st0->state == ORGDOMAIN_TEMPERROR) {
		temperror(out, st0);
		goto done;
	}
	if (st0->state == ORGDOMAIN_RECORD) {
		use = st0;
	} else if (w.temperror) {
		/* the policy may be further up than the walk got */
		temperror(out, &w.step[w.n - 1]);
		goto done;
	} else {
		sub = true;
		/* the Organizational Domain's own record ... */
		for (i = 1; i < w.n && use == NULL; i++)
			if (w.step[i].state == ORGDOMAIN_RECORD &&
			    strcmp(w.step[i].name, out->org_domain) == 0)
				use = &w.step[i];
		/* ... else the PSD's (the walk stops at it) */
		if (use == NULL && w.step[w.n - 1].state == ORGDOMAIN_RECORD &&
		    w.step[w.n - 1].rec.psd == DMARC_PSD_Y) {
			use = &w.step[w.n - 1];
			out->psd = true;
		}
	}
	if (use == NULL) {
		out->status = DMARC_POLICY_NONE;
		snprintf(out->reason, sizeof(out->reason),
		    "no DMARC record for %s", out->author_domain);
		goto done;
	}
	if (use->rec.psd == DMARC_PSD_Y)
		out->psd = true;
	rc = apply(r, out, use, sub, st0->status, st0->asked, deadline, e);
done:
	orgdomain_walk_free(&w);
	return rc;
}

static int
discover_psl(struct dns_resolver *r, const struct psl_ctx_st *psl,
    struct dmarc_policy *out, const struct timespec *deadline,
    struct err *e)
{
	struct orgdomain_step st0, sto;
	int rc = 0;

	if (psl == NULL)
		return err_set(e, "DMARC: no Public Suffix List loaded");
	orgdomain_psl(psl, out->author_domain, out->org_domain);
	memset(&sto, 0, sizeof(sto));
	if (orgdomain_fetch(r, out->author_domain, deadline, &st0, e) == -1) {
		orgdomain_step_free(&st0);
		return -1;
	}
	out->queries += st0.asked;
	switch (st0.state) {
	case ORGDOMAIN_TEMPERROR:
		temperror(out, &st0);
		break;
	case ORGDOMAIN_RECORD:
		rc = apply(r, out, &st0, false, st0.status, st0.asked,
		    deadline, e);
		break;
	case ORGDOMAIN_MULTIPLE:
		/* RFC 7489 6.6.3 step 5: several records end discovery */
		out->status = DMARC_POLICY_NONE;
		snprintf(out->reason, sizeof(out->reason),
		    "several DMARC records at _dmarc.%s", st0.name);
		break;
	case ORGDOMAIN_NOREC:
		if (strcmp(out->org_domain, out->author_domain) == 0) {
			out->status = DMARC_POLICY_NONE;
			snprintf(out->reason, sizeof(out->reason),
			    "no DMARC record for %s", out->author_domain);
			break;
		}
		/* step 3: the Organizational Domain in its place */
		if (orgdomain_fetch(r, out->org_domain, deadline, &sto,
		    e) == -1) {
			rc = -1;
			break;
		}
		out->queries += sto.asked;
		if (sto.state == ORGDOMAIN_TEMPERROR)
			temperror(out, &sto);
		else if (sto.state == ORGDOMAIN_RECORD)
			rc = apply(r, out, &sto, true, st0.status, st0.asked,
			    deadline, e);
		else {
			out->status = DMARC_POLICY_NONE;
			snprintf(out->reason, sizeof(out->reason),
			    sto.state == ORGDOMAIN_MULTIPLE ?
			    "several DMARC records at _dmarc.%s" :
			    "no DMARC record at _dmarc.%s", sto.name);
		}
		break;
	}
	orgdomain_step_free(&st0);
	orgdomain_step_free(&sto);
	return rc;
}

int
dmarc_discover(struct dns_resolver *r, const char *from_domain,
    enum dmarc_discovery mode, const struct psl_ctx_st *psl,
    const struct timespec *deadline, struct dmarc_policy *out,
    struct err *e)
{
	memset(out, 0, sizeof(*out));
	out->mode = mode;
	out->status = DMARC_POLICY_NONE;
	if (orgdomain_normalize(from_domain, out->author_domain) == -1) {
		out->author_domain[0] = '\0';
		out->status = DMARC_POLICY_BADDOMAIN;
		strlcpy(out->reason, "the From domain is not a DNS name",
		    sizeof(out->reason));
		return 0;
	}
	if (mode == DMARC_DISCOVERY_PSL)
		return discover_psl(r, psl, out, deadline, e);
	return discover_treewalk(r, out, deadline, e);
}

int
dmarc_orgdomain_lookup(struct dns_resolver *r, const char *domain,
    enum dmarc_discovery mode, const struct psl_ctx_st *psl,
    const struct timespec *deadline, struct dmarc_orgdomain *out,
    struct err *e)
{
	char name[DNS_NAME_MAX + 1];
	struct orgdomain_walk w;

	memset(out, 0, sizeof(*out));
	if (orgdomain_normalize(domain, name) == -1)
		return 0;
	if (mode == DMARC_DISCOVERY_PSL) {
		if (psl == NULL)
			return err_set(e, "DMARC: no Public Suffix List loaded");
		orgdomain_psl(psl, name, out->domain);
		return 0;
	}
	if (orgdomain_walk(r, name, deadline, &w, e) == -1) {
		orgdomain_walk_free(&w);
		return -1;
	}
	if (w.temperror)
		out->temperror = true;
	else
		(void)orgdomain_select(&w, out->domain);
	orgdomain_walk_free(&w);
	return 0;
}

/* The mode of alignment that applies to an identifier. */
static enum dmarc_align
mode_of(const struct dmarc_policy *p, bool dkim)
{
	return dkim ? p->rec.adkim : p->rec.aspf;
}

bool
dmarc_needs_orgdomain(const struct dmarc_policy *p, const char *id,
    bool dkim)
{
	char name[DNS_NAME_MAX + 1];

	if (p->status != DMARC_POLICY_FOUND || p->org_temperror ||
	    mode_of(p, dkim) == DMARC_ALIGN_STRICT ||
	    orgdomain_normalize(id, name) == -1)
		return false;
	/*
	 * id equal to the Organizational Domain needs no walk: the walk
	 * from an Organizational Domain ends at itself (its own record
	 * with psd=n or as the highest record, or psd=y just above it;
	 * with a PSL the registrable domain of a registrable domain is
	 * itself).
	 */
	return strcmp(name, p->author_domain) != 0 &&
	    strcmp(name, p->org_domain) != 0 &&
	    orgdomain_within(name, p->org_domain);
}

enum align { ALIGN_NO, ALIGN_YES, ALIGN_UNKNOWN };

/* RFC 9989 4.4: strict is equality, relaxed the same Organizational Domain. */
static enum align
align(const struct dmarc_policy *p, const char *id, bool dkim,
    const struct dmarc_orgdomain *org)
{
	char name[DNS_NAME_MAX + 1];

	if (id == NULL || orgdomain_normalize(id, name) == -1)
		return ALIGN_NO;
	if (strcmp(name, p->author_domain) == 0)
		return ALIGN_YES;
	if (mode_of(p, dkim) == DMARC_ALIGN_STRICT)
		return ALIGN_NO;
	if (p->org_temperror) {
		/* Organizational Domains are never wider than the TLD */
		if (strcmp(orgdomain_suffix(name, 1),
		    orgdomain_suffix(p->author_domain, 1)) != 0)
			return ALIGN_NO;
		return ALIGN_UNKNOWN;
	}
	if (strcmp(name, p->org_domain) == 0)
		return ALIGN_YES;
	if (!orgdomain_within(name, p->org_domain))
		return ALIGN_NO;
	if (org == NULL || org->temperror || org->domain[0] == '\0')
		return ALIGN_UNKNOWN;
	return strcmp(org->domain, p->org_domain) == 0 ? ALIGN_YES : ALIGN_NO;
}

/* 4.7 "t": with t=y the policy applied is one level below. */
static enum dmarc_request
one_below(enum dmarc_request r)
{
	switch (r) {
	case DMARC_REQ_REJECT:
		return DMARC_REQ_QUARANTINE;
	case DMARC_REQ_QUARANTINE:
	case DMARC_REQ_NONE:
		break;
	}
	return DMARC_REQ_NONE;
}

/*
 * The first identifier that could not be checked (an SPF or DKIM
 * temperror) and aligns or may align: had DNS answered, it might have
 * passed.
 */
struct unchecked {
	const char	*method;	/* "spf", "dkim"; NULL: none yet */
	const char	*domain;
	enum align	 align;		/* ALIGN_YES or ALIGN_UNKNOWN */
};

static void
note_unchecked(struct unchecked *u, const char *method, const char *domain,
    enum align a)
{
	if (u->method != NULL || a == ALIGN_NO)
		return;
	u->method = method;
	u->domain = domain;
	u->align = a;
}

void
dmarc_evaluate(const struct dmarc_policy *p, const struct dmarc_auth *auth,
    struct dmarc_verdict *v)
{
	struct unchecked u = { NULL, NULL, ALIGN_NO };
	const char *unknown = NULL;
	enum auth_result r;
	enum align a;
	size_t i;

	memset(v, 0, sizeof(*v));
	v->disposition = DMARC_REQ_NONE;
	switch (p->status) {
	case DMARC_POLICY_NONE:
		v->result = AUTH_NONE;
		strlcpy(v->reason, p->reason, sizeof(v->reason));
		return;
	case DMARC_POLICY_TEMPERROR:
		v->result = AUTH_TEMPERROR;
		strlcpy(v->reason, p->reason, sizeof(v->reason));
		return;
	case DMARC_POLICY_INVALID:
	case DMARC_POLICY_BADDOMAIN:
		v->result = AUTH_PERMERROR;
		strlcpy(v->reason, p->reason, sizeof(v->reason));
		return;
	case DMARC_POLICY_FOUND:
		break;
	}
	v->tag = p->tag;
	v->policy = p->request;
	v->testing = p->rec.t;

	/* 4.4.2: only an SPF pass of the MAIL FROM identity counts */
	if (auth->spf_domain != NULL &&
	    (auth->spf == AUTH_PASS || auth->spf == AUTH_TEMPERROR)) {
		a = align(p, auth->spf_domain, false, auth->spf_org);
		if (auth->spf == AUTH_TEMPERROR)
			note_unchecked(&u, "spf", auth->spf_domain, a);
		else if (a == ALIGN_YES)
			v->spf_aligned = true;
		else if (a == ALIGN_UNKNOWN)
			unknown = auth->spf_domain;
	}
	/* 4.4.1: any aligned passing signature is enough */
	for (i = 0; i < auth->ndkim; i++) {
		r = auth->dkim_results != NULL ? auth->dkim_results[i] :
		    AUTH_PASS;
		if (r != AUTH_PASS && r != AUTH_TEMPERROR)
			continue;
		a = align(p, auth->dkim_domains[i], true,
		    auth->dkim_orgs != NULL ? &auth->dkim_orgs[i] : NULL);
		if (r == AUTH_TEMPERROR) {
			note_unchecked(&u, "dkim", auth->dkim_domains[i], a);
			continue;
		}
		if (a == ALIGN_YES) {
			v->dkim_aligned = true;
			v->dkim_domain = auth->dkim_domains[i];
			break;
		}
		if (a == ALIGN_UNKNOWN && unknown == NULL)
			unknown = auth->dkim_domains[i];
	}

	/* a pass of one aligned identifier is enough, whatever the others */
	if (v->spf_aligned || v->dkim_aligned) {
		v->result = AUTH_PASS;
		snprintf(v->reason, sizeof(v->reason), "aligned %s%s%s",
		    v->spf_aligned ? "spf" : "",
		    v->spf_aligned && v->dkim_aligned ? " and " : "",
		    v->dkim_aligned ? "dkim" : "");
		return;
	}
	/*
	 * No aligned identifier passed, but one that aligns (or may) could
	 * not be checked: the message might have passed, so the receiver
	 * cannot conclude that DMARC failed and must not apply the policy
	 * (RFC 7489 6.6.2, as RFC 9989 5.3.6). RFC 9989 section 11 registers
	 * temperror for the dmarc method: "A temporary error occurred during
	 * DMARC evaluation. A later attempt might produce a final result."
	 * An identifier that does not align cannot make DMARC pass (4.4),
	 * so its temperror changes nothing.
	 */
	if (u.method != NULL) {
		v->result = AUTH_TEMPERROR;
		snprintf(v->reason, sizeof(v->reason),
		    "%s=temperror for %s %s%s and no aligned pass",
		    u.method, u.align == ALIGN_YES ? "aligned" :
		    "possibly aligned", strcmp(u.method, "spf") == 0 ?
		    "MAIL FROM domain " : "d=", u.domain);
		return;
	}
	/* 5.3.6: alignment of a passing identifier could not be decided */
	if (unknown != NULL) {
		v->result = AUTH_TEMPERROR;
		snprintf(v->reason, sizeof(v->reason),
		    "Organizational Domain of %s unknown (DNS error)", unknown);
		return;
	}
	/*
	 * DMARC failed but which policy applies is unknown: np= if the
	 * Author Domain does not exist, sp= (or p=) if it does (RFC 9989
	 * 4.7 np and "Domain Existence Test"); guessing either could apply
	 * the wrong one, so temperror.
	 */
	if (p->author_exists == DMARC_EXISTS_TEMPERROR) {
		v->result = AUTH_TEMPERROR;
		snprintf(v->reason, sizeof(v->reason),
		    "existence of %s unknown (DNS error): sp or np",
		    p->author_domain);
		return;
	}
	v->result = AUTH_FAIL;
	v->disposition = v->testing ? one_below(v->policy) : v->policy;
	snprintf(v->reason, sizeof(v->reason),
	    "no aligned identifier; %s=%s%s", dmarc_policy_tag_name(v->tag),
	    dmarc_request_name(v->policy), v->testing ? " (t=y)" : "");
}
