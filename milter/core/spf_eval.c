/* SPDX-License-Identifier: ISC */
/*
 * spf_eval.c - check_host() of RFC 7208 (sections 4, 5, 6 and 4.6.4).
 * One struct spf_state lives for one spf_eval_check_host() call and
 * carries what RFC 7208 4.6.4 says is counted across the whole evaluation,
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
 * This file is the driver (record choice, term order, redirect, exp=,
 * the result); the mechanisms and the DNS and limit helpers they share
 * are in spf_eval_mech.c, the state both use in spf_eval_int.h.
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
#include "spf_eval_int.h"
#include "spf_macro.h"
#include "spf_record.h"

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

void
spf_eval_set_reason(struct spf_state *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->out->reason, sizeof(st->out->reason), fmt, ap);
	va_end(ap);
}

void
spf_eval_set_mechanism(struct spf_state *st, const struct spf_view *term)
{
	size_t n = term == NULL ? 0 : term->len;

	if (n >= sizeof(st->out->mechanism))
		n = sizeof(st->out->mechanism) - 1;
	if (n > 0)
		memcpy(st->out->mechanism, term->p, n);
	st->out->mechanism[n] = '\0';
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
	struct spf_eval_parg pa;
	struct dns_result r;
	const struct dns_rr *txt = NULL;
	enum spf_eval_qclass qc;
	const char *syntax;
	size_t i, ntxt = 0;
	bool valid;
	int rc = -1;

	dns_result_init(&r);
	if (spf_eval_mech_target_name(st, domain, &rec->exp, &name,
	    &valid) == -1)
		goto out;
	rc = 0;
	if (!valid)
		goto out;
	if (spf_eval_mech_query(st, name.data, DNS_TXT, &r, &qc) == -1) {
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
	spf_eval_mech_vars_init(st, &pa, domain, &v);
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
	enum spf_eval_match m = M_NO;
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
			rc = spf_eval_mech_include(st, domain, mech, &name, &m);
			break;
		case SPF_MECH_A:
			rc = spf_eval_mech_a(st, domain, mech, &name, &m);
			break;
		case SPF_MECH_MX:
			rc = spf_eval_mech_mx(st, domain, mech, &name, &m);
			break;
		case SPF_MECH_PTR:
			rc = spf_eval_mech_ptr(st, domain, mech, &name, &m);
			break;
		case SPF_MECH_IP4:
			m = !st->v6 && spf_eval_mech_addr_match(st->ip,
			    mech->addr, mech->cidr4) ? M_YES : M_NO;
			break;
		case SPF_MECH_IP6:
			m = st->v6 && spf_eval_mech_addr_match(st->ip,
			    mech->addr, mech->cidr6) ? M_YES : M_NO;
			break;
		case SPF_MECH_EXISTS:
			rc = spf_eval_mech_exists(st, domain, mech, &name, &m);
			break;
		}
	}
	if (rc == -1)
		goto out;
	switch (m) {
	case M_YES:
		*res = qual_result(mech->qual);
		spf_eval_set_mechanism(st, &mech->term);
		spf_eval_set_reason(st, "matched %.*s",
		    (int)(mech->term.len > 150 ? 150 : mech->term.len),
		    mech->term.p);
		if (*res == SPF_FAIL && want_exp && rec->exp.len > 0)
			rc = explain(st, domain, rec);
		goto out;
	case M_TEMP:
		*res = SPF_TEMPERROR;
		spf_eval_set_mechanism(st, NULL);
		goto out;
	case M_PERM:
		*res = SPF_PERMERROR;
		spf_eval_set_mechanism(st, NULL);
		goto out;
	case M_NO:
		break;
	}
	/* RFC 7208 5.1: redirect= is ignored when the record has "all" */
	if (rec->redirect.len > 0 && !rec->has_all) {
		/* RFC 7208 6.1 */
		if (spf_eval_mech_count_term(st) != M_NO) {
			*res = SPF_PERMERROR;
			spf_eval_set_mechanism(st, NULL);
			goto out;
		}
		if ((rc = spf_eval_mech_target_name(st, domain, &rec->redirect,
		    &name, &valid)) == -1)
			goto out;
		if (!valid) {
			*res = SPF_PERMERROR;
			spf_eval_set_mechanism(st, NULL);
			spf_eval_set_reason(st,
			    "redirect target \"%.60s\" is not a "
			    "domain name (RFC 7208 6.1)", buf_str(&name));
			goto out;
		}
		/* the redirect target's exp= applies, not ours (6.2) */
		if ((rc = spf_eval_check_domain(st, name.data, want_exp,
		    res)) == -1)
			goto out;
		if (*res == SPF_NONE) {
			*res = SPF_PERMERROR;
			spf_eval_set_reason(st,
			    "redirect=%.60s has no SPF record "
			    "(RFC 7208 6.1)", name.data);
		}
		goto out;
	}
	/* RFC 7208 4.7: no match and no redirect */
	*res = SPF_NEUTRAL;
	spf_eval_set_mechanism(st, NULL);
	spf_eval_set_reason(st,
	    "no mechanism matched (default neutral, RFC 7208 4.7)");
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
int
spf_eval_check_domain(struct spf_state *st, const char *domain, bool want_exp,
    enum spf_result *res)
{
	char dom[DNS_NAME_MAX + 1];
	struct dns_result r;
	struct spf_record rec;
	const struct dns_rr *rr = NULL;
	enum spf_eval_qclass qc;
	size_t i, nspf = 0;
	int rc = 0;

	if (!domain_ok(domain, dom)) {
		*res = SPF_NONE;
		spf_eval_set_mechanism(st, NULL);
		spf_eval_set_reason(st,
		    "malformed domain \"%.60s\" (RFC 7208 4.3)", domain);
		return 0;
	}
	/* RFC 7208 4.4: TXT only; type 99 is never asked for (3.1) */
	if (spf_eval_mech_query(st, dom, DNS_TXT, &r, &qc) == -1) {
		dns_result_free(&r);
		return -1;
	}
	memset(&rec, 0, sizeof(rec));
	spf_eval_set_mechanism(st, NULL);
	if (qc == Q_ERROR) {
		spf_eval_mech_temp_reason(st, dom, DNS_TXT, &r);
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
		spf_eval_set_reason(st, "no SPF record for %s", dom);
		goto out;
	}
	if (nspf > 1) {
		*res = SPF_PERMERROR;
		spf_eval_set_reason(st, "%zu SPF records for %s (RFC 7208 4.5)",
		    nspf, dom);
		goto out;
	}
	if ((rc = spf_record_parse((const char *)rr->data, rr->len, &rec,
	    st->e)) == -1)
		goto out;
	if (rec.error != NULL) {
		*res = SPF_PERMERROR;
		spf_eval_set_reason(st, "syntax error in \"%.*s\" of %.60s: %s",
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
spf_eval_check_host(struct dns_resolver *res, const struct spf_request *req,
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
	if (spf_eval_check_domain(&st, req->domain, true, &r) == -1)
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
