/* SPDX-License-Identifier: ISC */
/*
 * spf_record.c - SPF record syntax (RFC 7208 4.5, 4.6, 5, 6, 7.1, 12).
 * The parse functions are named after the ABNF rules of section 12 that
 * they match. Mechanism and modifier names are case-insensitive (4.6.1).
 * A parsed record keeps views into the text (see spf_record.h).
 * No I/O, no globals.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "abnf.h"
#include "err.h"
#include "spf_macro.h"
#include "spf_record.h"

/* ip6-network is at most 45 bytes (RFC 4291 2.2 with an IPv4 tail). */
#define IP6_TEXT_MAX	45

static bool
view_is(const char *p, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(p, word, len) == 0;
}

bool
spf_record_is_v1(const char *txt, size_t len)
{
	/* RFC 7208 4.5: "v=spf1" then SP or the end; case-insensitive (4.6.1) */
	if (len < 6 || strncasecmp(txt, "v=spf1", 6) != 0)
		return false;
	return len == 6 || txt[6] == ' ';
}

/*
 * toplabel = ( *alphanum ALPHA *alphanum ) /
 *            ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
 */
static bool
parse_toplabel(const char *p, size_t len)
{
	size_t i;
	bool alpha = false, dash = false;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		if (abnf_alpha(p[i]))
			alpha = true;
		else if (p[i] == '-')
			dash = true;
		else if (!abnf_digit(p[i]))
			return false;
	}
	if (dash)
		return p[0] != '-' && p[len - 1] != '-';
	return alpha;
}

/*
 * domain-spec = macro-string domain-end
 * domain-end  = ( "." toplabel [ "." ] ) / macro-expand
 */
static const char *
parse_domain_spec(const char *p, size_t len)
{
	const char *why, *dot;
	size_t last_macro, n;

	if (len == 0)
		return "empty domain-spec";
	if ((why = spf_macro_check(p, len, SPF_MACRO_DOMAIN, &last_macro)) !=
	    NULL)
		return why;
	if (last_macro == len)
		return NULL;
	n = len;
	if (p[n - 1] == '.')
		n--;
	/* the last "." outside any macro, then toplabel */
	for (dot = p + n; dot > p && dot[-1] != '.'; dot--)
		;
	if (dot == p || (size_t)(dot - 1 - p) < last_macro)
		return "domain-spec does not end in '.' toplabel or a macro";
	if (!parse_toplabel(dot, (size_t)(p + n - dot)))
		return "bad top label in domain-spec";
	return NULL;
}

/*
 * ip4-cidr-length = "/" ( "0" / %x31-39 0*1DIGIT ) ; value range 0-32
 * ip6-cidr-length = "/" ( "0" / %x31-39 0*2DIGIT ) ; value range 0-128
 * p points after the "/".
 */
static bool
parse_cidr_length(const char *p, size_t len, unsigned max, unsigned *out)
{
	size_t i;
	unsigned v = 0;

	if (len == 0 || len > 3 || (p[0] == '0' && len > 1))
		return false;
	for (i = 0; i < len; i++) {
		if (!abnf_digit(p[i]))
			return false;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/*
 * ip4-network = qnum "." qnum "." qnum "." qnum
 * qnum = DIGIT / %x31-39 DIGIT / "1" 2DIGIT / "2" %x30-34 DIGIT /
 *        "25" %x30-35  (0-255, no leading zeros)
 */
static bool
parse_ip4_network(const char *p, size_t len, unsigned char out[4])
{
	size_t i = 0;
	int q;

	for (q = 0; q < 4; q++) {
		size_t start = i;
		unsigned v = 0;

		if (q > 0) {
			if (i == len || p[i] != '.')
				return false;
			start = ++i;
		}
		while (i < len && abnf_digit(p[i]) && i - start < 3)
			v = v * 10 + (unsigned)(p[i++] - '0');
		if (i == start || v > 255 || (p[start] == '0' && i - start > 1))
			return false;
		out[q] = (unsigned char)v;
	}
	return i == len;
}

/* ip6-network = <as per RFC 4291 section 2.2> */
static bool
parse_ip6_network(const char *p, size_t len, unsigned char out[16])
{
	char tmp[IP6_TEXT_MAX + 1];
	size_t i;

	if (len == 0 || len > IP6_TEXT_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!abnf_digit(p[i]) && !(p[i] >= 'a' && p[i] <= 'f') &&
		    !(p[i] >= 'A' && p[i] <= 'F') && p[i] != ':' &&
		    p[i] != '.')
			return false;
	memcpy(tmp, p, len);
	tmp[len] = '\0';
	return inet_pton(AF_INET6, tmp, out) == 1;
}

/*
 * dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]
 * Taken off the end of the term: a domain-spec may itself hold "/" (it
 * is a macro-literal), so the lengths are the trailing "/N" and "//N".
 * *len is shortened to what is left. Returns NULL or why it is bad.
 */
static const char *
parse_dual_cidr_length(const char *p, size_t *len, struct spf_mech *m)
{
	size_t n = *len, d;

	m->cidr4 = 32;
	m->cidr6 = 128;
	for (d = n; d > 0 && abnf_digit(p[d - 1]); d--)
		;
	if (d < n && d >= 2 && p[d - 1] == '/' && p[d - 2] == '/') {
		if (!parse_cidr_length(p + d, n - d, 128, &m->cidr6))
			return "bad ip6-cidr-length";
		n = d - 2;
		for (d = n; d > 0 && abnf_digit(p[d - 1]); d--)
			;
	}
	if (d < n && d >= 1 && p[d - 1] == '/') {
		if (!parse_cidr_length(p + d, n - d, 32, &m->cidr4))
			return "bad ip4-cidr-length";
		n = d - 1;
	}
	*len = n;
	return NULL;
}

/*
 * mechanism = ( all / include / a / mx / ptr / ip4 / ip6 / exists )
 * p..len is the term without its qualifier; name is its leading run of
 * letters and digits.
 */
static const char *
parse_mechanism(const char *p, size_t len, struct spf_mech *m)
{
	size_t nl = 0, rl;
	const char *rest, *why, *slash;

	while (nl < len && (abnf_alpha(p[nl]) || abnf_digit(p[nl])))
		nl++;
	rest = p + nl;
	rl = len - nl;
	if (view_is(p, nl, "all")) {
		m->kind = SPF_MECH_ALL;
		return rl == 0 ? NULL : "\"all\" takes no argument";
	}
	if (view_is(p, nl, "include") || view_is(p, nl, "exists")) {
		/* include = "include" ":" domain-spec; exists likewise */
		m->kind = (p[0] == 'i' || p[0] == 'I') ? SPF_MECH_INCLUDE :
		    SPF_MECH_EXISTS;
		if (rl == 0 || rest[0] != ':')
			return "missing ':' domain-spec";
		m->domain.p = rest + 1;
		m->domain.len = rl - 1;
		return parse_domain_spec(m->domain.p, m->domain.len);
	}
	if (view_is(p, nl, "a") || view_is(p, nl, "mx") ||
	    view_is(p, nl, "ptr")) {
		m->kind = nl == 1 ? SPF_MECH_A : nl == 2 ? SPF_MECH_MX :
		    SPF_MECH_PTR;
		/* a/mx: [ ":" domain-spec ] [ dual-cidr-length ]; ptr: no cidr */
		if (m->kind != SPF_MECH_PTR &&
		    (why = parse_dual_cidr_length(rest, &rl, m)) != NULL)
			return why;
		if (rl == 0)
			return NULL;
		if (rest[0] != ':')
			return "unknown mechanism";
		m->domain.p = rest + 1;
		m->domain.len = rl - 1;
		return parse_domain_spec(m->domain.p, m->domain.len);
	}
	if (view_is(p, nl, "ip4") || view_is(p, nl, "ip6")) {
		bool v4 = p[2] == '4';

		m->kind = v4 ? SPF_MECH_IP4 : SPF_MECH_IP6;
		m->cidr4 = 32;
		m->cidr6 = 128;
		if (rl == 0 || rest[0] != ':')
			return "missing ':' and address";
		rest++;
		rl--;
		if ((slash = memchr(rest, '/', rl)) != NULL) {
			size_t cl = (size_t)(rest + rl - slash - 1);

			if (!parse_cidr_length(slash + 1, cl, v4 ? 32 : 128,
			    v4 ? &m->cidr4 : &m->cidr6))
				return v4 ? "bad ip4-cidr-length" :
				    "bad ip6-cidr-length";
			rl = (size_t)(slash - rest);
		}
		if (v4 ? !parse_ip4_network(rest, rl, m->addr) :
		    !parse_ip6_network(rest, rl, m->addr))
			return v4 ? "bad ip4-network" : "bad ip6-network";
		return NULL;
	}
	return "unknown mechanism";
}

/*
 * modifier = redirect / explanation / unknown-modifier
 * unknown-modifier = name "=" macro-string
 * name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
 * eq is the offset of the "=".
 */
static const char *
parse_modifier(const char *p, size_t len, size_t eq, struct spf_record *rec)
{
	const char *val = p + eq + 1;
	size_t vl = len - eq - 1;
	struct spf_view *slot = NULL;

	if (view_is(p, eq, "redirect"))
		slot = &rec->redirect;
	else if (view_is(p, eq, "exp"))
		slot = &rec->exp;
	if (slot == NULL) {
		/* RFC 7208 6: unknown modifiers are ignored, but must parse */
		return spf_macro_check(val, vl, SPF_MACRO_STRING, NULL);
	}
	/* RFC 7208 6: redirect and exp appear at most once each */
	if (slot->p != NULL)
		return slot == &rec->redirect ? "redirect= given twice" :
		    "exp= given twice";
	slot->p = val;
	slot->len = vl;
	return parse_domain_spec(val, vl);
}

/* Is the term a modifier (name "=")? Sets *eq to the "=" offset. */
static bool
term_is_modifier(const char *p, size_t len, size_t *eq)
{
	size_t i;

	if (len == 0 || !abnf_alpha(p[0]))
		return false;
	for (i = 1; i < len; i++) {
		if (p[i] == '=') {
			*eq = i;
			return true;
		}
		if (!abnf_alpha(p[i]) && !abnf_digit(p[i]) && p[i] != '-' &&
		    p[i] != '_' && p[i] != '.')
			return false;
	}
	return false;
}

/* term = directive / modifier; directive = [ qualifier ] mechanism */
static int
parse_term(const char *p, size_t len, struct spf_record *rec, size_t *cap,
    struct err *e)
{
	struct spf_mech *m;
	const char *why;
	size_t eq;

	if (term_is_modifier(p, len, &eq))
		why = parse_modifier(p, len, eq, rec);
	else {
		if (rec->nmech == *cap) {
			size_t ncap = *cap == 0 ? 8 : *cap * 2;

			if ((m = reallocarray(rec->mech, ncap,
			    sizeof(*m))) == NULL)
				return err_set(e, "out of memory");
			rec->mech = m;
			*cap = ncap;
		}
		m = &rec->mech[rec->nmech++];
		memset(m, 0, sizeof(*m));
		m->term.p = p;
		m->term.len = len;
		m->qual = SPF_QUAL_PASS;
		switch (p[0]) {
		case '+': m->qual = SPF_QUAL_PASS; break;
		case '-': m->qual = SPF_QUAL_FAIL; break;
		case '~': m->qual = SPF_QUAL_SOFTFAIL; break;
		case '?': m->qual = SPF_QUAL_NEUTRAL; break;
		}
		if (strchr("+-~?", p[0]) != NULL) {
			p++;
			len--;
		}
		why = parse_mechanism(p, len, m);
		if (why == NULL && m->kind == SPF_MECH_ALL)
			rec->has_all = true;
	}
	if (why != NULL && rec->error == NULL) {
		rec->error = why;
		rec->errterm.p = p;
		rec->errterm.len = len;
	}
	return 0;
}

/* record = version terms *SP; terms = *( 1*SP ( directive / modifier ) ) */
int
spf_record_parse(const char *txt, size_t len, struct spf_record *rec,
    struct err *e)
{
	size_t i = 6, start, cap = 0;

	memset(rec, 0, sizeof(*rec));
	if (!spf_record_is_v1(txt, len)) {
		rec->error = "not an SPF version 1 record";
		return 0;
	}
	while (i < len && rec->error == NULL) {
		while (i < len && txt[i] == ' ')
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && txt[i] != ' ')
			i++;
		if (parse_term(txt + start, i - start, rec, &cap, e) == -1)
			return -1;
	}
	return 0;
}

void
spf_record_free(struct spf_record *rec)
{
	if (rec == NULL)
		return;
	free(rec->mech);
	memset(rec, 0, sizeof(*rec));
}
