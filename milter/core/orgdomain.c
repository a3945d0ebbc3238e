/* SPDX-License-Identifier: ISC */
/*
 * orgdomain.c - the DNS Tree Walk (RFC 9989 section 4.10), the choice of
 * the Organizational Domain from its records (4.10.2), and the Public
 * Suffix List way of RFC 7489 section 3.2.
 * The walk is sequential: whether to ask the next name depends on the
 * answer for this one (steps 2 and 6 stop at psd=y or psd=n), and asking
 * all eight at once would send queries the RFC's walk does not.
 * Every name is normalised (lowercase, no trailing dot) before use, so
 * comparisons are plain string comparisons.
 */
#include <stdlib.h>
#include <string.h>

#include <libpsl.h>

#include "err.h"
#include "orgdomain.h"

static const char dmarc_prefix[] = "_dmarc.";

int
orgdomain_normalize(const char *in, char out[DNS_NAME_MAX + 1])
{
	size_t len = strlen(in), i;

	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || len > DNS_NAME_MAX || !dns_name_valid(in, len))
		return -1;
	for (i = 0; i < len; i++) {
		char c = in[i];

		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	out[len] = '\0';
	return 0;
}

size_t
orgdomain_labels(const char *name)
{
	size_t n = 1;

	for (; *name != '\0'; name++)
		if (*name == '.')
			n++;
	return n;
}

const char *
orgdomain_suffix(const char *name, size_t n)
{
	size_t have = orgdomain_labels(name);

	while (have > n) {
		name = strchr(name, '.') + 1;
		have--;
	}
	return name;
}

bool
orgdomain_within(const char *d, const char *s)
{
	size_t dl = strlen(d), sl = strlen(s);

	if (dl == sl)
		return strcmp(d, s) == 0;
	return dl > sl && d[dl - sl - 1] == '.' && strcmp(d + dl - sl, s) == 0;
}

void
orgdomain_step_free(struct orgdomain_step *st)
{
	if (st == NULL)
		return;
	free(st->text);
	st->text = NULL;
	st->len = 0;
}

/*
 * Keep the one DMARC record of a TXT answer (4.10 step 2: records not
 * starting with v=DMARC1 are discarded; several DMARC records are all
 * discarded).
 */
static int
take_records(const struct dns_result *res, struct orgdomain_step *st,
    struct err *e)
{
	const struct dns_rr *one = NULL;
	size_t i, ndmarc = 0;

	for (i = 0; i < res->n; i++) {
		const struct dns_rr *rr = &res->rr[i];
		struct dmarc_record rec;
		const char *why;

		if (rr->type != DNS_TXT)
			continue;
		if (dmarc_record_parse((const char *)rr->data, rr->len, &rec,
		    &why) == DMARC_RECORD_NOT_DMARC)
			continue;
		ndmarc++;
		one = rr;
	}
	if (ndmarc == 0) {
		st->state = ORGDOMAIN_NOREC;
		return 0;
	}
	if (ndmarc > 1) {
		st->state = ORGDOMAIN_MULTIPLE;
		return 0;
	}
	/* a copy: the record outlives the DNS answer */
	if ((st->text = malloc(one->len + 1)) == NULL)
		return err_set(e, "out of memory");
	memcpy(st->text, one->data, one->len);
	st->text[one->len] = '\0';
	st->len = one->len;
	st->outcome = dmarc_record_parse(st->text, st->len, &st->rec,
	    &st->why);
	st->state = ORGDOMAIN_RECORD;
	return 0;
}

int
orgdomain_fetch(struct dns_resolver *r, const char *name,
    const struct timespec *deadline, struct orgdomain_step *st,
    struct err *e)
{
	char qname[DNS_NAME_MAX + 2];
	struct dns_query *q;
	struct dns_result res;
	int rc;

	memset(st, 0, sizeof(*st));
	st->state = ORGDOMAIN_NOREC;
	st->status = DNS_NXDOMAIN;
	if (strlen(name) > DNS_NAME_MAX) /* cannot happen when normalised */
		return err_set(e, "orgdomain_fetch: name too long");
	memcpy(st->name, name, strlen(name) + 1);
	/*
	 * A name too long to carry the _dmarc label cannot have a record
	 * under it: as no record, without a query.
	 */
	if (sizeof(dmarc_prefix) - 1 + strlen(name) > DNS_NAME_MAX)
		return 0;
	memcpy(qname, dmarc_prefix, sizeof(dmarc_prefix) - 1);
	memcpy(qname + sizeof(dmarc_prefix) - 1, name, strlen(name) + 1);
	if (!dns_name_valid(qname, strlen(qname)))
		return 0;
	st->asked = true;
	if ((q = dns_start(r, qname, DNS_TXT, e)) == NULL)
		return -1;
	if (dns_wait(r, q, deadline, &res, e) == -1) {
		dns_result_free(&res);
		return -1;
	}
	st->status = res.status;
	rc = 0;
	switch (res.status) {
	case DNS_OK:
		rc = take_records(&res, st, e);
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		st->state = ORGDOMAIN_NOREC;
		break;
	case DNS_SERVFAIL:
	case DNS_TIMEOUT:
	case DNS_ERROR:
		st->state = ORGDOMAIN_TEMPERROR;
		break;
	}
	dns_result_free(&res);
	return rc;
}

void
orgdomain_walk_free(struct orgdomain_walk *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->n; i++)
		orgdomain_step_free(&w->step[i]);
	w->n = 0;
}

/* 4.10 steps 2 and 6: a single record with psd=y or psd=n ends the walk. */
static bool
stops(const struct orgdomain_step *st)
{
	return st->state == ORGDOMAIN_RECORD &&
	    (st->rec.psd == DMARC_PSD_Y || st->rec.psd == DMARC_PSD_N);
}

int
orgdomain_walk(struct dns_resolver *r, const char *domain,
    const struct timespec *deadline, struct orgdomain_walk *out,
    struct err *e)
{
	const char *target = domain;
	size_t x;

	memset(out, 0, sizeof(*out));
	for (;;) {
		struct orgdomain_step *st = &out->step[out->n];

		if (orgdomain_fetch(r, target, deadline, st, e) == -1) {
			out->n++;
			return -1;
		}
		out->n++;
		if (st->state == ORGDOMAIN_TEMPERROR) {
			out->temperror = true;
			return 0;
		}
		if (stops(st))
			return 0;
		/*
		 * Step 4 (after the first query): x < 8 drops the left-most
		 * label, x >= 8 keeps the last seven. Step 7 (after the
		 * others): drop one label. With fewer than eight labels both
		 * are "drop one", and after a cut to seven every later name
		 * has fewer, so one rule serves both steps.
		 */
		x = orgdomain_labels(target);
		if (x == 1)
			return 0;	/* no more labels remaining */
		if (x >= ORGDOMAIN_SHORTEN_TO + 1)
			target = orgdomain_suffix(target, ORGDOMAIN_SHORTEN_TO);
		else
			target = strchr(target, '.') + 1;
		if (out->n == ORGDOMAIN_MAX_QUERIES)
			return 0;	/* unreachable: the cut bounds the walk */
	}
}

const struct orgdomain_step *
orgdomain_select(const struct orgdomain_walk *w, char org[DNS_NAME_MAX + 1])
{
	const struct orgdomain_step *fewest = NULL;
	const char *start = w->step[0].name;
	size_t i;

	/* from the longest name to the shortest, as the walk went */
	for (i = 0; i < w->n; i++) {
		const struct orgdomain_step *st = &w->step[i];

		if (st->state != ORGDOMAIN_RECORD)
			continue;
		/* 4.10.2 rule 1: psd=n names the Organizational Domain */
		if (st->rec.psd == DMARC_PSD_N) {
			strlcpy(org, st->name, DNS_NAME_MAX + 1);
			return st;
		}
		/*
		 * Rule 2: psd=y at a name other than the start makes the
		 * name one label below it (towards the start) the
		 * Organizational Domain; that name may not have been asked
		 * when the walk was cut to seven labels.
		 */
		if (st->rec.psd == DMARC_PSD_Y && i > 0) {
			strlcpy(org, orgdomain_suffix(start,
			    orgdomain_labels(st->name) + 1), DNS_NAME_MAX + 1);
			return st;
		}
		fewest = st;
	}
	/* rule 3: the record at the name with the fewest labels */
	if (fewest != NULL) {
		strlcpy(org, fewest->name, DNS_NAME_MAX + 1);
		return fewest;
	}
	/* "the initial target domain is the Organizational Domain" */
	strlcpy(org, start, DNS_NAME_MAX + 1);
	return NULL;
}

void
orgdomain_psl(const struct psl_ctx_st *psl, const char *domain,
    char org[DNS_NAME_MAX + 1])
{
	const char *reg;

	reg = psl_registrable_domain(psl, domain);
	strlcpy(org, reg != NULL ? reg : domain, DNS_NAME_MAX + 1);
}
