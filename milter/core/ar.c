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
 * resinfo = [CFWS] ";" methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ],
 * the ";" already taken; an spf one fills out where still empty.
 */
static void
cur_resinfo(struct ar_cur *c, struct ar_spf *out)
{
	struct ar_view method, word, ptype, prop, val = { NULL, 0 };
	struct ar_view mailfrom = { NULL, 0 }, helo = { NULL, 0 };
	enum auth_result r;
	bool bare, known;

	method = cur_keyword(c);
	if (c->bad)
		return;
	if (cur_peek_take(c, '/'))
		(void)cur_keyword(c);		/* method-version */
	if (!cur_peek_take(c, '=')) {
		/* no-result: "; none", and nothing after it */
		cur_cfws(c);
		if (!view_is(method, "none") || c->p != c->end)
			c->bad = true;
		return;
	}
	word = cur_keyword(c);
	if (c->bad)
		return;
	known = auth_result_parse(word.p, word.len, &r) == 0;
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
		if (!view_is(ptype, "smtp") || !bare)
			continue;
		if (view_is(prop, "mailfrom") && mailfrom.p == NULL)
			mailfrom = val;
		else if (view_is(prop, "helo") && helo.p == NULL)
			helo = val;
	}
	if (c->bad || !known || !view_is(method, "spf"))
		return;
	if (mailfrom.p != NULL && !out->mailfrom.found) {
		out->mailfrom.found = true;
		out->mailfrom.result = r;
		out->mailfrom.value = mailfrom;
	} else if (mailfrom.p == NULL && helo.p != NULL && !out->helo.found) {
		out->helo.found = true;
		out->helo.result = r;
		out->helo.value = helo;
	}
}

int
ar_read_spf(const char *value, size_t len, struct ar_spf *out)
{
	struct ar_cur c = { value, value + len, false };

	memset(out, 0, sizeof(*out));
	cur_authserv_id(&c, out->id, sizeof(out->id));
	cur_cfws(&c);
	/* authres-version = 1*DIGIT [CFWS] */
	while (!c.bad && c.p < c.end && *c.p >= '0' && *c.p <= '9')
		c.p++;
	cur_take(&c, ';');
	while (!c.bad) {
		cur_resinfo(&c, out);
		cur_cfws(&c);
		if (c.bad || c.p == c.end)
			break;
		cur_take(&c, ';');
	}
	if (c.bad) {
		memset(&out->mailfrom, 0, sizeof(out->mailfrom));
		memset(&out->helo, 0, sizeof(out->helo));
		return -1;
	}
	return 0;
}
