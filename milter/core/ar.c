/* SPDX-License-Identifier: ISC */
/*
 * ar.c - Authentication-Results writing, authserv-id reading and the spf
 * results of a trusted relay's field (RFC 8601 section 2.2 grammar; values
 * are RFC 2045 tokens or quoted strings).
 */
#include <string.h>
#include <strings.h>

#include "ar.h"
#include "dns.h"

/* RFC 2045 5.1: token chars are printable ASCII except SP and tspecials. */
static bool
is_token_char(unsigned char c)
{
	return c > 32 && c < 127 && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/*
 * A property value: bare when it is an RFC 2045 token or, as RFC 8601 2.2's
 * pvalue allows, an address "local@domain" or "@domain" made of token
 * characters; quoted otherwise (base64 with '/', '+', '=', spaces).
 */
static void
add_value(struct buf *out, const char *v)
{
	const char *p, *at = strchr(v, '@');
	bool bare = *v != '\0' && (at == NULL || (strchr(at + 1, '@') == NULL &&
	    at[1] != '\0'));

	for (p = v; *p != '\0' && bare; p++)
		if (*p != '@' && !is_token_char((unsigned char)*p))
			bare = false;
	if (bare) {
		buf_adds(out, v);
		return;
	}
	buf_add_quoted(out, v);
}

void
ar_begin(struct buf *out, const char *authserv_id)
{
	buf_addc(out, ' ');
	add_value(out, authserv_id);
}

void
ar_add(struct buf *out, const char *method, enum auth_result r,
    const char *reason, const char *const *props)
{
	const char *p;

	buf_printf(out, ";\r\n\t%s=%s", method, auth_result_name(r));
	if (reason != NULL && *reason != '\0') {
		buf_adds(out, " (");
		for (p = reason; *p != '\0'; p++)
			if (*p != '(' && *p != ')' && *p != '\\' &&
			    (unsigned char)*p >= 32 && (unsigned char)*p < 127)
				buf_addc(out, *p);
		buf_addc(out, ')');
	}
	for (; props != NULL && props[0] != NULL; props += 2) {
		if (props[1] == NULL || *props[1] == '\0')
			continue;
		buf_printf(out, " %s=", props[0]);
		add_value(out, props[1]);
	}
}

void
ar_end(struct buf *out, bool any)
{
	/* 2.2: "none" when no method was applied */
	if (!any)
		buf_adds(out, "; none");
}

/* Skip CFWS (RFC 5322 3.2.2): white space, line ends, nested comments. */
static const char *
skip_cfws(const char *p, const char *end, bool *bad)
{
	int depth = 0;

	while (p < end) {
		if (depth > 0) {
			if (*p == '\\' && p + 1 < end)
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')')
				depth--;
		} else if (*p == '(')
			depth = 1;
		else if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			break;
		p++;
	}
	if (depth > 0)
		*bad = true;
	return p;
}

/*
 * Length of a domain name without its one final dot: RFC 1034 3.1 writes
 * an absolute name with the root's empty label as a trailing dot, and
 * "mx.example.com." names the same host as "mx.example.com".
 */
static size_t
id_len(const char *s)
{
	size_t len = strlen(s);

	return len > 1 && s[len - 1] == '.' ? len - 1 : len;
}

bool
ar_id_equal(const char *a, const char *b)
{
	/* RFC 8601 2.5: the authserv-id is a domain name in practice */
	return dns_name_equal(a, strlen(a), b, strlen(b));
}

static bool
mentions(const char *v, size_t len, const char *id)
{
	size_t idlen = id_len(id), i;

	for (i = 0; idlen > 0 && i + idlen <= len; i++)
		if (strncasecmp(v + i, id, idlen) == 0)
			return true;
	return false;
}

bool
ar_claims(const char *value, size_t len, const char *authserv_id)
{
	const char *end = value + len, *p, *start;
	bool bad = false;
	char id[256];
	size_t n = 0;

	p = skip_cfws(value, end, &bad);
	if (bad || p == end)
		return mentions(value, len, authserv_id);
	if (*p == '"') {
		/* quoted-string: unescape into id */
		for (p++; p < end && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < end)
				p++;
			if (n + 1 < sizeof(id))
				id[n++] = *p;
		}
		if (p == end)
			return mentions(value, len, authserv_id);
	} else {
		for (start = p; p < end && is_token_char((unsigned char)*p); p++)
			if (n + 1 < sizeof(id))
				id[n++] = *p;
		if (p == start)
			return mentions(value, len, authserv_id);
	}
	id[n] = '\0';
	return ar_id_equal(id, authserv_id);
}

/*
 * The reader of ar_read_spf: a cursor over (p, end) with a sticky error,
 * one function per rule of RFC 8601 2.2. Every step moves p forward or
 * sets bad, so a value is read in one pass.
 */
struct ar_cur {
	const char	*p, *end;
	bool		 bad;
};

static void
cur_cfws(struct ar_cur *c)
{
	if (!c->bad)
		c->p = skip_cfws(c->p, c->end, &c->bad);
}

/* [CFWS] ch: true and past it, or false where it is not (no error). */
static bool
cur_peek_take(struct ar_cur *c, char ch)
{
	cur_cfws(c);
	if (c->bad || c->p == c->end || *c->p != ch)
		return false;
	c->p++;
	return true;
}

static void
cur_take(struct ar_cur *c, char ch)
{
	if (!cur_peek_take(c, ch))
		c->bad = true;
}

/* Keyword = ldh-str (RFC 8601 2.2, RFC 5321 4.1.2): letters, digits, '-'. */
static struct ar_view
cur_keyword(struct ar_cur *c)
{
	struct ar_view v = { NULL, 0 };
	const char *start;

	cur_cfws(c);
	if (c->bad)
		return v;
	for (start = c->p; c->p < c->end && ((*c->p >= 'a' && *c->p <= 'z') ||
	    (*c->p >= 'A' && *c->p <= 'Z') || (*c->p >= '0' && *c->p <= '9') ||
	    *c->p == '-'); c->p++)
		;
	if (c->p == start)
		c->bad = true;
	v.p = start;
	v.len = (size_t)(c->p - start);
	return v;
}

static bool
view_is(struct ar_view v, const char *word)
{
	return v.len == strlen(word) && strncasecmp(v.p, word, v.len) == 0;
}

/*
 * pvalue = [CFWS] ( value / [ [ local-part ] "@" ] domain-name ) [CFWS],
 * value = token / quoted-string. *bare: made of token characters and '@'
 * only (no quoted part), the only kind ar_read_spf hands out.
 */
static struct ar_view
cur_pvalue(struct ar_cur *c, bool *bare)
{
	struct ar_view v = { NULL, 0 };
	const char *start;

	*bare = true;
	cur_cfws(c);
	if (c->bad)
		return v;
	start = c->p;
	if (c->p < c->end && *c->p == '"') {
		*bare = false;
		for (c->p++; c->p < c->end && *c->p != '"'; c->p++)
			if (*c->p == '\\' && c->p + 1 < c->end)
				c->p++;
		if (c->p == c->end) {
			c->bad = true;
			return v;
		}
		c->p++;
	}
	while (c->p < c->end && (is_token_char((unsigned char)*c->p) ||
	    *c->p == '@'))
		c->p++;
	if (c->p == start)
		c->bad = true;
	v.p = start;
	v.len = (size_t)(c->p - start);
	return v;
}

/* The authserv-id (a value: token or quoted-string), unquoted into id. */
static void
cur_authserv_id(struct ar_cur *c, char *id, size_t idsize)
{
	size_t n = 0;
	const char *start;

	cur_cfws(c);
	if (c->bad || c->p == c->end) {
		c->bad = true;
		return;
	}
	if (*c->p == '"') {
		for (c->p++; c->p < c->end && *c->p != '"'; c->p++) {
			if (*c->p == '\\' && c->p + 1 < c->end)
				c->p++;
			if (n + 1 >= idsize) {
				c->bad = true;	/* no domain name is this long */
				return;
			}
			id[n++] = *c->p;
		}
		if (c->p == c->end) {
			c->bad = true;
			return;
		}
		c->p++;
	} else {
		for (start = c->p; c->p < c->end &&
		    is_token_char((unsigned char)*c->p); c->p++) {
			if (n + 1 >= idsize) {
				c->bad = true;
				return;
			}
			id[n++] = *c->p;
		}
		if (c->p == start)
			c->bad = true;
	}
	id[n] = '\0';
}

/*
 * What cur_resinfo hands each property it reads (RFC 8601 2.2 propspec):
 * ptype, property and value; bare as cur_pvalue says.
 */
typedef void	 ar_prop_fn(void *arg, struct ar_view ptype,
		    struct ar_view property, struct ar_view value, bool bare);

/*
 * resinfo = [CFWS] ";" methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ],
 * the ";" already taken: the method into *method, the result into *r
 * (*known false when the word is not one of 2.7), each property to fn.
 * A no-result ("; none") leaves method "none" and *known false.
 */
static void
cur_resinfo(struct ar_cur *c, struct ar_view *method, enum auth_result *r,
    bool *known, ar_prop_fn *fn, void *arg)
{
	struct ar_view word, ptype, prop, val;
	bool bare;

	*known = false;
	*method = cur_keyword(c);
	if (c->bad)
		return;
	if (cur_peek_take(c, '/'))
		(void)cur_keyword(c);		/* method-version */
	if (!cur_peek_take(c, '=')) {
		/* no-result: "; none", and nothing after it */
		cur_cfws(c);
		if (!view_is(*method, "none") || c->p != c->end)
			c->bad = true;
		return;
	}
	word = cur_keyword(c);
	if (c->bad)
		return;
	*known = auth_result_parse(word.p, word.len, r) == 0;
	for (;;) {
		cur_cfws(c);
		if (c->bad || c->p == c->end || *c->p == ';')
			break;
		ptype = cur_keyword(c);
		if (!c->bad && view_is(ptype, "reason")) {
			cur_take(c, '=');
			(void)cur_pvalue(c, &bare);
			continue;
		}
		cur_take(c, '.');
		prop = cur_keyword(c);
		cur_take(c, '=');
		val = cur_pvalue(c, &bare);
		if (c->bad)
			return;
		fn(arg, ptype, prop, val, bare);
	}
}

/*
 * authserv-id [ CFWS authres-version ] ( no-result / 1*resinfo ), each
 * resinfo to one (c, out) call of fn; false when the value does not
 * follow the grammar.
 */
static bool
cur_ar_value(struct ar_cur *c, char *id, size_t idsize,
    void (*fn)(struct ar_cur *, void *), void *out)
{
	cur_authserv_id(c, id, idsize);
	cur_cfws(c);
	/* authres-version = 1*DIGIT [CFWS] */
	while (!c->bad && c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	cur_take(c, ';');
	while (!c->bad) {
		fn(c, out);
		cur_cfws(c);
		if (c->bad || c->p == c->end)
			break;
		cur_take(c, ';');
	}
	return !c->bad;
}

struct spf_props {
	struct ar_view	 mailfrom, helo;
};

static void
spf_prop(void *arg, struct ar_view ptype, struct ar_view prop,
    struct ar_view val, bool bare)
{
	struct spf_props *sp = arg;

	if (!view_is(ptype, "smtp") || !bare)
		return;
	if (view_is(prop, "mailfrom") && sp->mailfrom.p == NULL)
		sp->mailfrom = val;
	else if (view_is(prop, "helo") && sp->helo.p == NULL)
		sp->helo = val;
}

/* One resinfo for ar_read_spf: an spf one fills out where still empty. */
static void
spf_resinfo(struct ar_cur *c, void *arg)
{
	struct ar_spf *out = arg;
	struct spf_props sp = { { NULL, 0 }, { NULL, 0 } };
	struct ar_view method;
	enum auth_result r;
	bool known;

	cur_resinfo(c, &method, &r, &known, spf_prop, &sp);
	if (c->bad || !known || !view_is(method, "spf"))
		return;
	if (sp.mailfrom.p != NULL && !out->mailfrom.found) {
		out->mailfrom.found = true;
		out->mailfrom.result = r;
		out->mailfrom.value = sp.mailfrom;
	} else if (sp.mailfrom.p == NULL && sp.helo.p != NULL &&
	    !out->helo.found) {
		out->helo.found = true;
		out->helo.result = r;
		out->helo.value = sp.helo;
	}
}

int
ar_read_spf(const char *value, size_t len, struct ar_spf *out)
{
	struct ar_cur c = { value, value + len, false };

	memset(out, 0, sizeof(*out));
	if (!cur_ar_value(&c, out->id, sizeof(out->id), spf_resinfo, out)) {
		memset(&out->mailfrom, 0, sizeof(out->mailfrom));
		memset(&out->helo, 0, sizeof(out->helo));
		return -1;
	}
	return 0;
}

static void
any_prop(void *arg, struct ar_view ptype, struct ar_view prop,
    struct ar_view val, bool bare)
{
	struct ar_resinfo *ri = arg;

	if (ri->nprop == AR_MAX_PROPS) {
		ri->dropped++;
		return;
	}
	ri->prop[ri->nprop].ptype = ptype;
	ri->prop[ri->nprop].property = prop;
	ri->prop[ri->nprop].value = val;
	ri->prop[ri->nprop++].bare = bare;
}

/* One resinfo for ar_read_results: kept while there is room. */
static void
any_resinfo(struct ar_cur *c, void *arg)
{
	struct ar_results *out = arg;
	struct ar_resinfo scratch, *ri;

	ri = out->n < AR_MAX_RESINFO ? &out->ri[out->n] : &scratch;
	memset(ri, 0, sizeof(*ri));
	cur_resinfo(c, &ri->method, &ri->result, &ri->known, any_prop, ri);
	if (c->bad)
		return;
	if (view_is(ri->method, "none") && !ri->known)
		return;		/* the no-result form: nothing to keep */
	if (ri == &scratch)
		out->dropped++;
	else
		out->n++;
}

int
ar_read_results(const char *value, size_t len, struct ar_results *out)
{
	struct ar_cur c = { value, value + len, false };

	memset(out, 0, sizeof(*out));
	if (!cur_ar_value(&c, out->id, sizeof(out->id), any_resinfo, out)) {
		out->n = out->dropped = 0;
		return -1;
	}
	return 0;
}

const struct ar_resinfo *
ar_results_find(const struct ar_results *rs, const char *method,
    enum auth_result result, size_t *from)
{
	for (; *from < rs->n; (*from)++) {
		const struct ar_resinfo *ri = &rs->ri[*from];

		if (ri->known && ri->result == result &&
		    view_is(ri->method, method)) {
			(*from)++;
			return ri;
		}
	}
	return NULL;
}

const struct ar_view *
ar_resinfo_prop(const struct ar_resinfo *ri, const char *ptype,
    const char *property)
{
	size_t i;

	for (i = 0; i < ri->nprop; i++)
		if (ri->prop[i].bare && view_is(ri->prop[i].ptype, ptype) &&
		    view_is(ri->prop[i].property, property))
			return &ri->prop[i].value;
	return NULL;
}
