/* SPDX-License-Identifier: ISC */
/*
 * spf_eval_mech.c - the mechanism handlers of check_host() (RFC 7208
 * 5.2 include, 5.3 a, 5.4 mx, 5.5 ptr, 5.7 exists) and what they share:
 * the DNS query and its classification (RFC 7208 5 and 2.6), the term
 * and void-lookup limits (4.6.4), the target name of a term after macro
 * expansion (7.3) and the validated names of ptr and %{p} (5.5). The
 * driver that picks and evaluates the record is spf_eval.c; the choices
 * its header comment lists are made here.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "dns.h"
#include "err.h"
#include "addr.h"
#include "spf_eval.h"
#include "spf_eval_int.h"
#include "spf_macro.h"
#include "spf_record.h"

static bool
deadline_passed(const struct spf_state *st)
{
	const struct timespec *d = st->req->deadline;
	struct timespec now;

	if (d == NULL || clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		return false;
	return now.tv_sec > d->tv_sec ||
	    (now.tv_sec == d->tv_sec && now.tv_nsec >= d->tv_nsec);
}

/*
 * Ask for name/type and classify the answer. Returns 0 with *r to be
 * freed by the caller, or -1 on an internal failure.
 */
int
spf_eval_mech_query(struct spf_state *st, const char *name, enum dns_type type,
    struct dns_result *r, enum spf_eval_qclass *qc)
{
	struct dns_query *q;

	dns_result_init(r);
	if (deadline_passed(st))
		r->status = DNS_TIMEOUT;
	else {
		if ((q = dns_start(st->res, name, type, st->e)) == NULL)
			return -1;
		if (dns_wait(st->res, q, st->req->deadline, r, st->e) == -1)
			return -1;
	}
	switch (r->status) {
	case DNS_OK:
		*qc = r->n > 0 ? Q_RECORDS : Q_VOID;
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		*qc = Q_VOID;
		break;
	default:
		*qc = Q_ERROR;
		break;
	}
	return 0;
}

/* The reason for a temperror caused by the answer r to name/type. */
void
spf_eval_mech_temp_reason(struct spf_state *st, const char *name,
    enum dns_type type, const struct dns_result *r)
{
	spf_eval_set_reason(st, "DNS %s for %s %s", dns_failure_name(r->status),
	    name, dns_type_name(type));
}

/* RFC 7208 4.6.4: at most 10 DNS-querying terms per evaluation. */
enum spf_eval_match
spf_eval_mech_count_term(struct spf_state *st)
{
	if (st->out->dns_terms >= SPF_MAX_DNS_TERMS) {
		spf_eval_set_reason(st,
		    "%d DNS-querying terms exceeded (RFC 7208 "
		    "4.6.4)", SPF_MAX_DNS_TERMS);
		return M_PERM;
	}
	st->out->dns_terms++;
	return M_NO;
}

/* RFC 7208 4.6.4: at most 2 void lookups per evaluation. */
static enum spf_eval_match
count_void(struct spf_state *st, const char *name)
{
	if (++st->out->void_lookups > SPF_MAX_VOID_LOOKUPS) {
		spf_eval_set_reason(st,
		    "more than %d void lookups, the last for %s "
		    "(RFC 7208 4.6.4)", SPF_MAX_VOID_LOOKUPS, name);
		return M_PERM;
	}
	return M_NO;
}

/* name is target or a subdomain of it (RFC 7208 5.5), ignoring case. */
static bool
name_within(const char *name, const char *target)
{
	size_t nl = strlen(name), tl = strlen(target);

	if (nl == tl)
		return strcasecmp(name, target) == 0;
	return nl > tl && name[nl - tl - 1] == '.' &&
	    strcasecmp(name + nl - tl, target) == 0;
}

bool
spf_eval_mech_addr_match(const unsigned char *a, const unsigned char *net,
    unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (memcmp(a, net, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[full] & mask) == (net[full] & mask);
}

/*
 * Look up the addresses of name of the client's family (RFC 7208 5.3)
 * and see whether one is within the client's prefix of bits. A void
 * answer counts when count is set.
 */
static int
addr_lookup(struct spf_state *st, const char *name, unsigned bits,
    bool count, enum spf_eval_match *m)
{
	struct dns_result r;
	enum dns_type type = st->v6 ? DNS_AAAA : DNS_A;
	size_t alen = st->v6 ? 16 : 4, i;
	enum spf_eval_qclass qc;

	*m = M_NO;
	if (spf_eval_mech_query(st, name, type, &r, &qc) == -1) {
		dns_result_free(&r);
		return -1;
	}
	if (qc == Q_ERROR) {
		spf_eval_mech_temp_reason(st, name, type, &r);
		*m = M_TEMP;
	} else if (qc == Q_VOID) {
		if (count)
			*m = count_void(st, name);
	} else {
		for (i = 0; i < r.n && *m == M_NO; i++)
			if (r.rr[i].type == type && r.rr[i].len == alen &&
			    spf_eval_mech_addr_match(r.rr[i].data, st->ip,
			    bits))
				*m = M_YES;
	}
	dns_result_free(&r);
	return 0;
}

/*
 * Is name a validated name of <ip> (RFC 7208 5.5): does one of its
 * addresses equal <ip>? DNS errors make it not validated.
 */
static int
validate_name(struct spf_state *st, const char *name, bool *ok)
{
	struct dns_result r;
	enum dns_type type = st->v6 ? DNS_AAAA : DNS_A;
	size_t alen = st->v6 ? 16 : 4, i;
	enum spf_eval_qclass qc;

	*ok = false;
	if (!dns_name_valid(name, strlen(name)))
		return 0;
	if (spf_eval_mech_query(st, name, type, &r, &qc) == -1) {
		dns_result_free(&r);
		return -1;
	}
	for (i = 0; qc == Q_RECORDS && i < r.n && !*ok; i++)
		if (r.rr[i].type == type && r.rr[i].len == alen &&
		    memcmp(r.rr[i].data, st->ip, alen) == 0)
			*ok = true;
	dns_result_free(&r);
	return 0;
}

/*
 * The p macro (RFC 7208 7.3 with 5.5): among the validated names of the
 * first 10 PTR names, one equal to <domain>, else a subdomain of it,
 * else any; "unknown" if none.
 */
static int
p_macro(void *arg, struct buf *out, struct err *e)
{
	struct spf_eval_parg *pa = arg;
	struct spf_state *st = pa->st;
	struct dns_result r;
	enum spf_eval_qclass qc;
	const char *best = NULL;
	int rank = 0, rk;
	size_t i, seen = 0;
	bool ok;

	(void)e;	/* st->e is the same */
	if (spf_eval_mech_query(st, st->rev_name, DNS_PTR, &r, &qc) == -1) {
		dns_result_free(&r);
		return -1;
	}
	for (i = 0; qc == Q_RECORDS && i < r.n && rank < 3; i++) {
		if (r.rr[i].type != DNS_PTR || r.rr[i].name == NULL)
			continue;
		if (seen++ == SPF_MAX_PTR_NAMES)
			break;
		if (validate_name(st, r.rr[i].name, &ok) == -1) {
			dns_result_free(&r);
			return -1;
		}
		if (!ok)
			continue;
		rk = strcasecmp(r.rr[i].name, pa->domain) == 0 ? 3 :
		    name_within(r.rr[i].name, pa->domain) ? 2 : 1;
		if (rk > rank) {
			rank = rk;
			best = r.rr[i].name;
		}
	}
	buf_adds(out, best != NULL ? best : "unknown");
	dns_result_free(&r);
	return 0;
}

void
spf_eval_mech_vars_init(struct spf_state *st, struct spf_eval_parg *pa,
    const char *domain, struct spf_macro_vars *v)
{
	pa->st = st;
	pa->domain = domain;
	memset(v, 0, sizeof(*v));
	v->s = st->sender;
	v->l = st->local;
	v->o = st->odomain;
	v->d = domain;
	v->i = st->i_text;
	v->v = st->v6 ? "ip6" : "in-addr";
	v->h = st->req->helo != NULL ? st->req->helo : "unknown";
	v->c = st->c_text;
	v->r = st->req->receiver != NULL ? st->req->receiver : "unknown";
	v->t = st->req->now;
	v->p = p_macro;
	v->p_arg = pa;
}

/*
 * The target name of a term: spec macro-expanded (or <domain> when spec
 * is empty), without a trailing dot, shortened as RFC 7208 7.3 says.
 * *valid tells whether it can be asked for.
 */
int
spf_eval_mech_target_name(struct spf_state *st, const char *domain,
    const struct spf_view *spec, struct buf *name, bool *valid)
{
	struct spf_macro_vars v;
	struct spf_eval_parg pa;
	const char *syntax;

	buf_reset(name);
	*valid = false;
	if (spec->len == 0)
		buf_adds(name, domain);
	else {
		spf_eval_mech_vars_init(st, &pa, domain, &v);
		if (spf_macro_expand(spec->p, spec->len, SPF_MACRO_DOMAIN, &v,
		    name, &syntax, st->e) == -1)
			return -1;
		if (syntax != NULL)
			return 0;	/* cannot happen: checked when parsed */
	}
	if (buf_failed(name))
		return err_set(st->e, "out of memory");
	if (name->len > 0 && name->data[name->len - 1] == '.')
		buf_truncate(name, name->len - 1);
	spf_macro_shorten(name);
	*valid = name->len > 0 && memchr(name->data, '\0', name->len) ==
	    NULL && dns_name_valid(name->data, name->len);
	return 0;
}

/*
 * The start of every mechanism that looks at the DNS: count it against
 * the limit of 10 terms (RFC 7208 4.6.4), then expand its domain-spec
 * into name. *go is false when the term is settled already (*m says
 * how) or, with *m == M_NO, when the target is not a valid domain name.
 */
static int
term_target(struct spf_state *st, const char *domain,
    const struct spf_mech *mech, struct buf *name, enum spf_eval_match *m,
    bool *go)
{
	*go = false;
	if ((*m = spf_eval_mech_count_term(st)) != M_NO)
		return 0;
	return spf_eval_mech_target_name(st, domain, &mech->domain, name, go);
}

/*
 * Query name/type for a mechanism: a DNS error makes it temperror, an
 * empty answer counts as a void lookup (RFC 7208 4.6.4), and on
 * Q_RECORDS *m is left to the caller. *r is the caller's to free.
 */
static int
term_query(struct spf_state *st, const char *name, enum dns_type type,
    struct dns_result *r, enum spf_eval_qclass *qc, enum spf_eval_match *m)
{
	if (spf_eval_mech_query(st, name, type, r, qc) == -1)
		return -1;
	if (*qc == Q_ERROR) {
		spf_eval_mech_temp_reason(st, name, type, r);
		*m = M_TEMP;
	} else if (*qc == Q_VOID)
		*m = count_void(st, name);
	return 0;
}

/* a = "a" [ ":" domain-spec ] [ dual-cidr-length ] (RFC 7208 5.3) */
int
spf_eval_mech_a(struct spf_state *st, const char *domain,
    const struct spf_mech *mech, struct buf *name, enum spf_eval_match *m)
{
	bool go;

	if (term_target(st, domain, mech, name, m, &go) == -1)
		return -1;
	if (!go)
		return 0;
	return addr_lookup(st, name->data, st->v6 ? mech->cidr6 : mech->cidr4,
	    true, m);
}

/* mx = "mx" [ ":" domain-spec ] [ dual-cidr-length ] (RFC 7208 5.4) */
int
spf_eval_mech_mx(struct spf_state *st, const char *domain,
    const struct spf_mech *mech, struct buf *name, enum spf_eval_match *m)
{
	struct dns_result r;
	enum spf_eval_qclass qc;
	size_t i, nmx = 0;
	bool go;
	int rc = 0;

	if (term_target(st, domain, mech, name, m, &go) == -1)
		return -1;
	if (!go)
		return 0;
	if (term_query(st, name->data, DNS_MX, &r, &qc, m) == -1) {
		dns_result_free(&r);
		return -1;
	}
	if (qc == Q_RECORDS) {
		for (i = 0; i < r.n; i++)
			if (r.rr[i].type == DNS_MX)
				nmx++;
		/* RFC 7208 4.6.4: more than 10 MX names is a permerror */
		if (nmx > SPF_MAX_MX_NAMES) {
			spf_eval_set_reason(st,
			    "%zu MX names for %s, more than %d "
			    "(RFC 7208 4.6.4)", nmx, name->data,
			    SPF_MAX_MX_NAMES);
			*m = M_PERM;
		}
		for (i = 0; i < r.n && *m == M_NO && rc == 0; i++) {
			const char *mx = r.rr[i].name;

			/* a null MX (RFC 7505) has no addresses */
			if (r.rr[i].type != DNS_MX || mx == NULL ||
			    mx[0] == '\0' || !dns_name_valid(mx, strlen(mx)))
				continue;
			rc = addr_lookup(st, mx, st->v6 ? mech->cidr6 :
			    mech->cidr4, false, m);
		}
	}
	dns_result_free(&r);
	return rc;
}

/* ptr = "ptr" [ ":" domain-spec ] (RFC 7208 5.5) */
int
spf_eval_mech_ptr(struct spf_state *st, const char *domain,
    const struct spf_mech *mech, struct buf *name, enum spf_eval_match *m)
{
	struct dns_result r;
	enum spf_eval_qclass qc;
	size_t i, seen = 0;
	bool go, ok;
	int rc = 0;

	if (term_target(st, domain, mech, name, m, &go) == -1)
		return -1;
	if (!go)
		return 0;
	if (spf_eval_mech_query(st, st->rev_name, DNS_PTR, &r, &qc) == -1) {
		dns_result_free(&r);
		return -1;
	}
	/* RFC 7208 5.5: a DNS error on the PTR query is no match */
	if (qc == Q_VOID)
		*m = count_void(st, st->rev_name);
	for (i = 0; qc == Q_RECORDS && i < r.n && *m == M_NO; i++) {
		if (r.rr[i].type != DNS_PTR || r.rr[i].name == NULL)
			continue;
		/* RFC 7208 4.6.4: names after the first 10 are ignored */
		if (seen++ == SPF_MAX_PTR_NAMES)
			break;
		/* only names within the target can matter: check those */
		if (!name_within(r.rr[i].name, name->data))
			continue;
		if ((rc = validate_name(st, r.rr[i].name, &ok)) == -1)
			break;
		if (ok)
			*m = M_YES;
	}
	dns_result_free(&r);
	return rc;
}

/* exists = "exists" ":" domain-spec (RFC 7208 5.7): always an A query */
int
spf_eval_mech_exists(struct spf_state *st, const char *domain,
    const struct spf_mech *mech, struct buf *name, enum spf_eval_match *m)
{
	struct dns_result r;
	enum spf_eval_qclass qc;
	bool go;

	if (term_target(st, domain, mech, name, m, &go) == -1)
		return -1;
	if (!go)
		return 0;
	if (term_query(st, name->data, DNS_A, &r, &qc, m) == -1) {
		dns_result_free(&r);
		return -1;
	}
	if (qc == Q_RECORDS)
		*m = M_YES;
	dns_result_free(&r);
	return 0;
}

/* include = "include" ":" domain-spec (RFC 7208 5.2) */
int
spf_eval_mech_include(struct spf_state *st, const char *domain,
    const struct spf_mech *mech, struct buf *name, enum spf_eval_match *m)
{
	enum spf_result inner;
	bool go;

	if (term_target(st, domain, mech, name, m, &go) == -1)
		return -1;
	if (*m != M_NO)
		return 0;
	if (!go) {
		spf_eval_set_reason(st,
		    "include target \"%.60s\" is not a domain name",
		    buf_str(name));
		*m = M_PERM;
		return 0;
	}
	/* the explanation of an included record is never used (6.2) */
	if (spf_eval_check_domain(st, name->data, false, &inner) == -1)
		return -1;
	/* the table of RFC 7208 5.2 */
	switch (inner) {
	case SPF_PASS:
		*m = M_YES;
		break;
	case SPF_FAIL:
	case SPF_SOFTFAIL:
	case SPF_NEUTRAL:
		*m = M_NO;
		spf_eval_set_mechanism(st, NULL);
		break;
	case SPF_TEMPERROR:
		*m = M_TEMP;
		break;
	case SPF_NONE:
		spf_eval_set_reason(st,
		    "include:%.60s has no SPF record (RFC 7208 "
		    "5.2)", name->data);
		/* FALLTHROUGH */
	case SPF_PERMERROR:
		*m = M_PERM;
		break;
	}
	return 0;
}

