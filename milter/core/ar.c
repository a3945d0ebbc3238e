/* SPDX-License-Identifier: ISC */
/*
 * ar.c - Authentication-Results writing and authserv-id reading (RFC 8601
 * section 2.2 grammar; values are RFC 2045 tokens or quoted strings).
 */
#include <string.h>
#include <strings.h>

#include "ar.h"

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
	size_t alen = id_len(a), blen = id_len(b);

	/* RFC 8601 2.5: the authserv-id is a domain name in practice; names
	 * compare case-insensitively (RFC 4343) */
	return alen == blen && strncasecmp(a, b, alen) == 0;
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
