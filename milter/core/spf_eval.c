/* SPDX-License-Identifier: ISC */
/*
 * spf_eval.c - check_host() of RFC 7208 (sections 4, 5, 6 and 4.6.4).
 * One struct spf_state lives for one spf_check_host() call and carries
 * what RFC 7208 4.6.4 says is counted across the whole evaluation,
 * nested include and redirect included: the DNS-querying terms and the
 * void lookups. include and redirect recurse into check_host(); loops end
 * at the term limit, since each step counts one term.
 * Every DNS wait uses the request's deadline, and an elapsed deadline
 * is a timeout before the query is even started.
 * Choices where RFC 7208 leaves room, each with its reason:
 * - Void lookups (4.6.4) are counted for the query a term itself makes
 *   (the a/exists address query, the MX query, the PTR query, the
 *   include/redirect record query); the address lookups of MX and PTR
 *   names are not, as an IPv6 client would otherwise make every MX host
 *   without AAAA a void lookup.
 * - %{p} lookups count neither as terms nor as void lookups: the term
 *   holding the macro has already been counted.
 * - A target name that is not a valid DNS name after macro expansion
 *   makes a/mx/ptr/exists not match (as a name that does not exist);
 *   for include and redirect it is a permerror (as 5.2 and 6.1 treat a
 *   target without a record).
 * No globals, no logging; the answer is the caller's.
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
#include "spf_macro.h"
#include "spf_record.h"

/* How far a term got: RFC 7208 5 "match", "no match", or an error. */
enum match {
	M_NO,
	M_YES,
	M_TEMP,		/* the check_host() result becomes temperror */
	M_PERM,		/* the check_host() result becomes permerror */
};

/* A DNS answer as RFC 7208 5 sorts it. */
enum qclass {
	Q_RECORDS,	/* RCODE 0 with records */
	Q_VOID,		/* RCODE 3, or RCODE 0 with no records */
	Q_ERROR,	/* anything else, a timeout included */
};

struct spf_state {
	struct dns_resolver	*res;
	const struct spf_request *req;
	struct spf_answer	*out;
	struct err		*e;
	bool			 v6;
	unsigned char		 ip[16];	/* IPv4 in the first 4 bytes */
	char			 i_text[64];	/* i macro: 32 nibbles, 31 dots */
	char			 c_text[INET6_ADDRSTRLEN];
	char			 rev_name[80];	/* the PTR query name */
	char			*sender;	/* owned */
	char			*local;		/* owned */
	const char		*odomain;	/* view into sender */
};

/* The <domain> of the running check_host(), for the p callback. */
struct p_arg {
	struct spf_state	*st;
	const char		*domain;
};

static int	 check_host(struct spf_state *, const char *domain,
		    bool want_exp, enum spf_result *res);

const char *
spf_result_name(enum spf_result r)
{
	switch (r) {
	case SPF_NONE:		return "none";
	case SPF_NEUTRAL:	return "neutral";
	case SPF_PASS:		return "pass";
	case SPF_FAIL:		return "fail";
	case SPF_SOFTFAIL:	return "softfail";
	case SPF_TEMPERROR:	return "temperror";
	case SPF_PERMERROR:	return "permerror";
	}
	return "permerror";
}

enum auth_result
spf_result_auth(enum spf_result r)
{
	switch (r) {
	case SPF_NONE:		return AUTH_NONE;
	case SPF_NEUTRAL:	return AUTH_NEUTRAL;
	case SPF_PASS:		return AUTH_PASS;
	case SPF_FAIL:		return AUTH_FAIL;
	case SPF_SOFTFAIL:	return AUTH_SOFTFAIL;
	case SPF_TEMPERROR:	return AUTH_TEMPERROR;
	case SPF_PERMERROR:	return AUTH_PERMERROR;
	}
	return AUTH_PERMERROR;
}

static void	 set_reason(struct spf_state *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
set_reason(struct spf_state *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->out->reason, sizeof(st->out->reason), fmt, ap);
	va_end(ap);
}

static void
set_mechanism(struct spf_state *st, const struct spf_view *term)
{
	size_t n = term == NULL ? 0 : term->len;

	if (n >= sizeof(st->out->mechanism))
		n = sizeof(st->out->mechanism) - 1;
	if (n > 0)
		memcpy(st->out->mechanism, term->p, n);
	st->out->mechanism[n] = '\0';
}

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
static int
query(struct spf_state *st, const char *name, enum dns_type type,
    struct dns_result *r, enum qclass *qc)
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
static void
temp_reason(struct spf_state *st, const char *name, enum dns_type type,
    const struct dns_result *r)
{
	set_reason(st, "DNS %s for %s %s", dns_failure_name(r->status), name,
	    dns_type_name(type));
}

/* RFC 7208 4.6.4: at most 10 DNS-querying terms per evaluation. */
static enum match
count_term(struct spf_state *st)
{
	if (st->out->dns_terms >= SPF_MAX_DNS_TERMS) {
		set_reason(st, "%d DNS-querying terms exceeded (RFC 7208 "
		    "4.6.4)", SPF_MAX_DNS_TERMS);
		return M_PERM;
	}
	st->out->dns_terms++;
	return M_NO;
}

/* RFC 7208 4.6.4: at most 2 void lookups per evaluation. */
static enum match
count_void(struct spf_state *st, const char *name)
{
	if (++st->out->void_lookups > SPF_MAX_VOID_LOOKUPS) {
		set_reason(st, "more than %d void lookups, the last for %s "
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

static bool
addr_match(const unsigned char *a, const unsigned char *net, unsigned bits)
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
    bool count, enum match *m)
{
	struct dns_result r;
	enum dns_type type = st->v6 ? DNS_AAAA : DNS_A;
	size_t alen = st->v6 ? 16 : 4, i;
	enum qclass qc;

	*m = M_NO;
	if (query(st, name, type, &r, &qc) == -1) {
		dns_result_free(&r);
		return -1;
	}
	if (qc == Q_ERROR) {
		temp_reason(st, name, type, &r);
		*m = M_TEMP;
	} else if (qc == Q_VOID) {
		if (count)
			*m = count_void(st, name);
	} else {
		for (i = 0; i < r.n && *m == M_NO; i++)
			if (r.rr[i].type == type && r.rr[i].len == alen &&
			    addr_match(r.rr[i].data, st->ip, bits))
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
	enum qclass qc;

	*ok = false;
	if (!dns_name_valid(name, strlen(name)))
		return 0;
	if (query(st, name, type, &r, &qc) == -1) {
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
	struct p_arg *pa = arg;
	struct spf_state *st = pa->st;
	struct dns_result r;
	enum qclass qc;
	const char *best = NULL;
	int rank = 0, rk;
	size_t i, seen = 0;
	bool ok;

	(void)e;	/* st->e is the same */
	if (query(st, st->rev_name, DNS_PTR, &r, &qc) == -1) {
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

static void
vars_init(struct spf_state *st, struct p_arg *pa, const char *domain,
    struct spf_macro_vars *v)
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
static int
target_name(struct spf_state *st, const char *domain,
    const struct spf_view *spec, struct buf *name, bool *valid)
{
	struct spf_macro_vars v;
	struct p_arg pa;
	const char *syntax;

	buf_reset(name);
	*valid = false;
	if (spec->len == 0)
		buf_adds(name, domain);
	else {
		vars_init(st, &pa, domain, &v);
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
    const struct spf_mech *mech, struct buf *name, enum match *m, bool *go)
{
	*go = false;
	if ((*m = count_term(st)) != M_NO)
		return 0;
	return target_name(st, domain, &mech->domain, name, go);
}

/*
 * Query name/type for a mechanism: a DNS error makes it temperror, an
 * empty answer counts as a void lookup (RFC 7208 4.6.4), and on
 * Q_RECORDS *m is left to the caller. *r is the caller's to free.
 */
static int
term_query(struct spf_state *st, const char *name, enum dns_type type,
    struct dns_result *r, enum qclass *qc, enum match *m)
{
	if (query(st, name, type, r, qc) == -1)
		return -1;
	if (*qc == Q_ERROR) {
		temp_reason(st, name, type, r);
		*m = M_TEMP;
	} else if (*qc == Q_VOID)
		*m = count_void(st, name);
	return 0;
}

/* a = "a" [ ":" domain-spec ] [ dual-cidr-length ] (RFC 7208 5.3) */
static int
mech_a(struct spf_state *st, const char *domain, const struct spf_mech *mech,
    struct buf *name, enum match *m)
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
static int
mech_mx(struct spf_state *st, const char *domain, const struct spf_mech *mech,
    struct buf *name, enum match *m)
{
	struct dns_result r;
	enum qclass qc;
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
			set_reason(st, "%zu MX names for %s, more than %d "
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
static int
mech_ptr(struct spf_state *st, const char *domain,
    const struct spf_mech *mech, struct buf *name, enum match *m)
{
	struct dns_result r;
	enum qclass qc;
	size_t i, seen = 0;
	bool go, ok;
	int rc = 0;

	if (term_target(st, domain, mech, name, m, &go) == -1)
		return -1;
	if (!go)
		return 0;
	if (query(st, st->rev_name, DNS_PTR, &r, &qc) == -1) {
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
static int
mech_exists(struct spf_state *st, const char *domain,
    const struct spf_mech *mech, struct buf *name, enum match *m)
{
	struct dns_result r;
	enum qclass qc;
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
static int
mech_include(struct spf_state *st, const char *domain,
    const struct spf_mech *mech, struct buf *name, enum match *m)
{
	enum spf_result inner;
	bool go;

	if (term_target(st, domain, mech, name, m, &go) == -1)
		return -1;
	if (*m != M_NO)
		return 0;
	if (!go) {
		set_reason(st, "include target \"%.60s\" is not a domain name",
		    buf_str(name));
		*m = M_PERM;
		return 0;
	}
	/* the explanation of an included record is never used (6.2) */
	if (check_host(st, name->data, false, &inner) == -1)
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
		set_mechanism(st, NULL);
		break;
	case SPF_TEMPERROR:
		*m = M_TEMP;
		break;
	case SPF_NONE:
		set_reason(st, "include:%.60s has no SPF record (RFC 7208 "
		    "5.2)", name->data);
		/* FALLTHROUGH */
	case SPF_PERMERROR:
		*m = M_PERM;
		break;
	}
	return 0;
}

static enum spf_result
qual_result(enum spf_qual q)
{
	switch (q) {
	case SPF_QUAL_PASS:	return SPF_PASS;
	case SPF_QUAL_FAIL:	return SPF_FAIL;
	case SPF_QUAL_SOFTFAIL:	return SPF_SOFTFAIL;
	case SPF_QUAL_NEUTRAL:	return SPF_NEUTRAL;
	}
	return SPF_NEUTRAL;
}

/*
 * RFC 7208 6.2: fetch and expand the explanation. Every problem
 * (a bad name, DNS trouble, not exactly one TXT record, a syntax error
 * in the text) means no explanation, never a different result.
 */
static int
explain(struct spf_state *st, const char *domain,
    const struct spf_record *rec)
{
	struct buf name = BUF_INIT, text = BUF_INIT;
	struct spf_macro_vars v;
	struct p_arg pa;
	struct dns_result r;
	const struct dns_rr *txt = NULL;
	enum qclass qc;
	const char *syntax;
	size_t i, ntxt = 0;
	bool valid;
	int rc = -1;

	dns_result_init(&r);
	if (target_name(st, domain, &rec->exp, &name, &valid) == -1)
		goto out;
	rc = 0;
	if (!valid)
		goto out;
	if (query(st, name.data, DNS_TXT, &r, &qc) == -1) {
		rc = -1;
		goto out;
	}
	for (i = 0; qc == Q_RECORDS && i < r.n; i++)
		if (r.rr[i].type == DNS_TXT) {
			txt = &r.rr[i];
			ntxt++;
		}
	if (ntxt != 1 || memchr(txt->data, '\0', txt->len) != NULL)
		goto out;
	vars_init(st, &pa, domain, &v);
	if (spf_macro_expand((const char *)txt->data, txt->len,
	    SPF_MACRO_EXPLAIN, &v, &text, &syntax, st->e) == -1) {
		rc = -1;
		goto out;
	}
	if (syntax == NULL)
		st->out->explanation = buf_release(&text);
out:
	dns_result_free(&r);
	buf_free(&name);
	buf_free(&text);
	return rc;
}

/* Evaluate one parsed record for <domain> (RFC 7208 4.6.2, 5, 6). */
static int
eval_record(struct spf_state *st, const char *domain,
    const struct spf_record *rec, bool want_exp, enum spf_result *res)
{
	struct buf name = BUF_INIT;
	const struct spf_mech *mech = NULL;
	enum match m = M_NO;
	size_t i;
	bool valid;
	int rc = 0;

	for (i = 0; i < rec->nmech && m == M_NO && rc == 0; i++) {
		mech = &rec->mech[i];
		switch (mech->kind) {
		case SPF_MECH_ALL:
			m = M_YES;
			break;
		case SPF_MECH_INCLUDE:
			rc = mech_include(st, domain, mech, &name, &m);
			break;
		case SPF_MECH_A:
			rc = mech_a(st, domain, mech, &name, &m);
			break;
		case SPF_MECH_MX:
			rc = mech_mx(st, domain, mech, &name, &m);
			break;
		case SPF_MECH_PTR:
			rc = mech_ptr(st, domain, mech, &name, &m);
			break;
		case SPF_MECH_IP4:
			m = !st->v6 && addr_match(st->ip, mech->addr,
			    mech->cidr4) ? M_YES : M_NO;
			break;
		case SPF_MECH_IP6:
			m = st->v6 && addr_match(st->ip, mech->addr,
			    mech->cidr6) ? M_YES : M_NO;
			break;
		case SPF_MECH_EXISTS:
			rc = mech_exists(st, domain, mech, &name, &m);
			break;
		}
	}
	if (rc == -1)
		goto out;
	switch (m) {
	case M_YES:
		*res = qual_result(mech->qual);
		set_mechanism(st, &mech->term);
		set_reason(st, "matched %.*s", (int)(mech->term.len > 150 ?
		    150 : mech->term.len), mech->term.p);
		if (*res == SPF_FAIL && want_exp && rec->exp.len > 0)
			rc = explain(st, domain, rec);
		goto out;
	case M_TEMP:
		*res = SPF_TEMPERROR;
		set_mechanism(st, NULL);
		goto out;
	case M_PERM:
		*res = SPF_PERMERROR;
		set_mechanism(st, NULL);
		goto out;
	case M_NO:
		break;
	}
	/* RFC 7208 5.1: redirect= is ignored when the record has "all" */
	if (rec->redirect.len > 0 && !rec->has_all) {
		/* RFC 7208 6.1 */
		if (count_term(st) != M_NO) {
			*res = SPF_PERMERROR;
			set_mechanism(st, NULL);
			goto out;
		}
		if ((rc = target_name(st, domain, &rec->redirect, &name,
		    &valid)) == -1)
			goto out;
		if (!valid) {
			*res = SPF_PERMERROR;
			set_mechanism(st, NULL);
			set_reason(st, "redirect target \"%.60s\" is not a "
			    "domain name (RFC 7208 6.1)", buf_str(&name));
			goto out;
		}
		/* the redirect target's exp= applies, not ours (6.2) */
		if ((rc = check_host(st, name.data, want_exp, res)) == -1)
			goto out;
		if (*res == SPF_NONE) {
			*res = SPF_PERMERROR;
			set_reason(st, "redirect=%.60s has no SPF record "
			    "(RFC 7208 6.1)", name.data);
		}
		goto out;
	}
	/* RFC 7208 4.7: no match and no redirect */
	*res = SPF_NEUTRAL;
	set_mechanism(st, NULL);
	set_reason(st, "no mechanism matched (default neutral, RFC 7208 4.7)");
out:
	buf_free(&name);
	return rc;
}

/*
 * RFC 7208 4.3: a <domain> that is not a multi-label name with labels of
 * 1 to 63 bytes gives "none". dom gets the name without a trailing dot.
 */
static bool
domain_ok(const char *domain, char dom[DNS_NAME_MAX + 1])
{
	size_t len = strlen(domain);
	const char *top;

	if (len > 0 && domain[len - 1] == '.')
		len--;

	if (len == 0 || len > DNS_NAME_MAX || !dns_name_valid(domain, len) ||
	    memchr(domain, '.', len) == NULL)
		return false;
	/*
	 * 2.3 and 4.3: a HELO that is an address literal ("[192.0.2.1]") or
	 * a bare IP address is no domain name: letters, digits, '-' and '_'
	 * only, and the top label (ABNF toplabel, section 12) not all digits.
	 */
	if (!addr_domain_valid(domain, len))
		return false;
	for (top = domain + len; top > domain && top[-1] != '.'; top--)
		;
	if (strspn(top, "0123456789") >= (size_t)(domain + len - top))
		return false;
	memcpy(dom, domain, len);
	dom[len] = '\0';
	return true;
}

/* check_host(<ip>, <domain>, <sender>) of RFC 7208 4 for one <domain>. */
static int
check_host(struct spf_state *st, const char *domain, bool want_exp,
    enum spf_result *res)
{
	char dom[DNS_NAME_MAX + 1];
	struct dns_result r;
	struct spf_record rec;
	const struct dns_rr *rr = NULL;
	enum qclass qc;
	size_t i, nspf = 0;
	int rc = 0;

	if (!domain_ok(domain, dom)) {
		*res = SPF_NONE;
		set_mechanism(st, NULL);
		set_reason(st, "malformed domain \"%.60s\" (RFC 7208 4.3)",
		    domain);
		return 0;
	}
	/* RFC 7208 4.4: TXT only; type 99 is never asked for (3.1) */
	if (query(st, dom, DNS_TXT, &r, &qc) == -1) {
		dns_result_free(&r);
		return -1;
	}
	memset(&rec, 0, sizeof(rec));
	set_mechanism(st, NULL);
	if (qc == Q_ERROR) {
		temp_reason(st, dom, DNS_TXT, &r);
		*res = SPF_TEMPERROR;
		goto out;
	}
	/* RFC 7208 4.5: exactly one record that starts "v=spf1" */
	for (i = 0; qc == Q_RECORDS && i < r.n; i++)
		if (r.rr[i].type == DNS_TXT && spf_record_is_v1(
		    (const char *)r.rr[i].data, r.rr[i].len)) {
			rr = &r.rr[i];
			nspf++;
		}
	if (nspf == 0) {
		*res = SPF_NONE;
		set_reason(st, "no SPF record for %s", dom);
		goto out;
	}
	if (nspf > 1) {
		*res = SPF_PERMERROR;
		set_reason(st, "%zu SPF records for %s (RFC 7208 4.5)", nspf,
		    dom);
		goto out;
	}
	if ((rc = spf_record_parse((const char *)rr->data, rr->len, &rec,
	    st->e)) == -1)
		goto out;
	if (rec.error != NULL) {
		*res = SPF_PERMERROR;
		set_reason(st, "syntax error in \"%.*s\" of %.60s: %s",
		    (int)(rec.errterm.len > 40 ? 40 : rec.errterm.len),
		    rec.errterm.p, dom, rec.error);
		goto out;
	}
	rc = eval_record(st, dom, &rec, want_exp, res);
out:
	spf_record_free(&rec);
	dns_result_free(&r);
	return rc;
}

/* <ip> and the texts the i, c macros and the ptr mechanism need. */
static int
parse_ip(struct spf_state *st, const char *ip)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char a6[16];
	char *p;
	int i;

	if (ip != NULL && inet_pton(AF_INET, ip, st->ip) == 1)
		st->v6 = false;
	else if (ip != NULL && inet_pton(AF_INET6, ip, a6) == 1) {
		/* IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 client */
		if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)(void *)a6)) {
			st->v6 = false;
			memcpy(st->ip, a6 + 12, 4);
		} else {
			st->v6 = true;
			memcpy(st->ip, a6, 16);
		}
	} else
		return err_set(st->e, "SPF: client address \"%.60s\" is not "
		    "an IP address", ip != NULL ? ip : "(null)");
	if (!st->v6) {
		snprintf(st->i_text, sizeof(st->i_text), "%u.%u.%u.%u",
		    st->ip[0], st->ip[1], st->ip[2], st->ip[3]);
		snprintf(st->rev_name, sizeof(st->rev_name),
		    "%u.%u.%u.%u.in-addr.arpa", st->ip[3], st->ip[2],
		    st->ip[1], st->ip[0]);
		inet_ntop(AF_INET, st->ip, st->c_text, sizeof(st->c_text));
		return 0;
	}
	/* RFC 7208 7.3: IPv6 <ip> in i is dot-separated nibbles */
	p = st->i_text;
	for (i = 0; i < 32; i++) {
		unsigned char b = st->ip[i / 2];

		*p++ = hex[i % 2 == 0 ? b >> 4 : b & 0xf];
		*p++ = i == 31 ? '\0' : '.';
	}
	p = st->rev_name;
	for (i = 31; i >= 0; i--) {
		unsigned char b = st->ip[i / 2];

		*p++ = hex[i % 2 == 0 ? b >> 4 : b & 0xf];
		*p++ = '.';
	}
	memcpy(p, "ip6.arpa", sizeof("ip6.arpa"));
	inet_ntop(AF_INET6, st->ip, st->c_text, sizeof(st->c_text));
	return 0;
}

/* <sender>, and its local-part and domain for l and o (RFC 7208 4.3). */
static int
parse_sender(struct spf_state *st)
{
	const char *s = st->req->sender, *at;
	struct buf b = BUF_INIT;

	if (s == NULL) {
		buf_printf(&b, "postmaster@%s", st->req->domain);
		if ((st->sender = buf_release(&b)) == NULL)
			return err_set(st->e, "out of memory");
	} else if ((st->sender = strdup(s)) == NULL)
		return err_set(st->e, "out of memory");
	if ((at = strrchr(st->sender, '@')) == NULL) {
		st->odomain = st->sender;
		at = st->sender;
	} else
		st->odomain = at + 1;
	/* "If the <sender> has no local-part, substitute ... postmaster" */
	if (at == st->sender)
		st->local = strdup("postmaster");
	else
		st->local = strndup(st->sender, (size_t)(at - st->sender));
	if (st->local == NULL)
		return err_set(st->e, "out of memory");
	return 0;
}

int
spf_check_host(struct dns_resolver *res, const struct spf_request *req,
    struct spf_answer *out, struct err *e)
{
	struct spf_state st;
	enum spf_result r = SPF_TEMPERROR;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->result = SPF_TEMPERROR;
	memset(&st, 0, sizeof(st));
	st.res = res;
	st.req = req;
	st.out = out;
	st.e = e;
	if (req->domain == NULL) {
		err_set(e, "SPF: no domain to check");
		goto fail;
	}
	if (parse_ip(&st, req->ip) == -1 || parse_sender(&st) == -1)
		goto fail;
	if (check_host(&st, req->domain, true, &r) == -1)
		goto fail;
	out->result = r;
	rc = 0;
	goto done;
fail:
	free(out->explanation);
	out->explanation = NULL;
	out->result = SPF_TEMPERROR;
	snprintf(out->reason, sizeof(out->reason), "internal error: %.180s",
	    e != NULL ? e->msg : "?");
done:
	free(st.sender);
	free(st.local);
	return rc;
}

void
spf_answer_free(struct spf_answer *out)
{
	if (out == NULL)
		return;
	free(out->explanation);
	out->explanation = NULL;
}
