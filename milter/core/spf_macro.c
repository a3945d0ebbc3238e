/* SPDX-License-Identifier: ISC */
/*
 * spf_macro.c - SPF macro-strings (RFC 7208 section 7): the syntax of
 * 7.1, the letters of 7.2 and the transformations of 7.3.
 * One scanner (next_token) serves both the syntax check done when a
 * record is parsed and the expansion done during evaluation, so the two
 * can never disagree. No I/O, no globals; the caller owns every buffer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "spf_macro.h"

enum tok_kind {
	TOK_LITERAL,	/* one macro-literal byte (or SP in explain text) */
	TOK_PERCENT,	/* "%%" */
	TOK_SPACE,	/* "%_" */
	TOK_URLSPACE,	/* "%-" */
	TOK_MACRO,	/* "%{" macro-letter transformers *delimiter "}" */
};

struct tok {
	enum tok_kind	 kind;
	size_t		 len;		/* bytes of input taken */
	char		 letter;	/* lowercase macro-letter */
	bool		 upper;		/* letter was uppercase: URL-escape */
	bool		 reverse;	/* "r" transformer */
	size_t		 digits;	/* 0: none given */
	const char	*delims;	/* view of the delimiters */
	size_t		 ndelims;
};

static bool
is_delimiter(char c)
{
	/* RFC 7208 7.1: delimiter = "." / "-" / "+" / "," / "/" / "_" / "=" */
	return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' ||
	    c == '_' || c == '=';
}

static bool
letter_allowed(char l, enum spf_macro_where where)
{
	switch (l) {
	case 's': case 'l': case 'o': case 'd': case 'i': case 'p':
	case 'v': case 'h':
		return true;
	case 'c': case 'r': case 't':
		/* RFC 7208 7.2: allowed only in "exp" text */
		return where != SPF_MACRO_DOMAIN;
	default:
		return false;
	}
}

/*
 * Scan one token of a macro-string at s[0..len), len > 0. Returns NULL
 * and *t filled, or static text for a syntax error.
 */
static const char *
next_token(const char *s, size_t len, enum spf_macro_where where,
    struct tok *t)
{
	size_t i;
	unsigned char c = (unsigned char)s[0];

	memset(t, 0, sizeof(*t));
	if (c != '%') {
		/* macro-literal = %x21-24 / %x26-7E; explain-string adds SP */
		if ((c >= 0x21 && c <= 0x7e) ||
		    (c == ' ' && where == SPF_MACRO_EXPLAIN)) {
			t->kind = TOK_LITERAL;
			t->len = 1;
			return NULL;
		}
		return "byte not allowed in a macro-string";
	}
	if (len < 2)
		return "'%' at the end (write %% for a literal '%')";
	t->len = 2;
	switch (s[1]) {
	case '%':
		t->kind = TOK_PERCENT;
		return NULL;
	case '_':
		t->kind = TOK_SPACE;
		return NULL;
	case '-':
		t->kind = TOK_URLSPACE;
		return NULL;
	case '{':
		break;
	default:
		/* RFC 7208 7.1: any other '%' is a syntax error */
		return "'%' not followed by '{', '%', '_' or '-'";
	}
	t->kind = TOK_MACRO;
	i = 2;
	if (i == len)
		return "unterminated macro";
	c = (unsigned char)s[i];
	if (c >= 'A' && c <= 'Z') {
		t->upper = true;
		c = (unsigned char)(c - 'A' + 'a');
	}
	if (!letter_allowed((char)c, where))
		return where == SPF_MACRO_DOMAIN && (c == 'c' || c == 'r' ||
		    c == 't') ? "macro letter allowed only in exp text" :
		    "unknown macro letter";
	t->letter = (char)c;
	i++;
	/* transformers = *DIGIT [ "r" ] */
	if (i < len && s[i] >= '0' && s[i] <= '9') {
		size_t n = 0;

		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (n < SPF_MACRO_DIGITS_CAP)
				n = n * 10 + (size_t)(s[i] - '0');
			i++;
		}
		/* RFC 7208 7.3: "If a DIGIT is specified, the value MUST be nonzero." */
		if (n == 0)
			return "macro digit transformer is zero";
		t->digits = n;
	}
	if (i < len && (s[i] == 'r' || s[i] == 'R')) {
		t->reverse = true;
		i++;
	}
	t->delims = s + i;
	while (i < len && is_delimiter(s[i]))
		i++;
	t->ndelims = (size_t)(s + i - t->delims);
	if (i == len || s[i] != '}')
		return "bad macro (expected transformers, delimiters, '}')";
	t->len = i + 1;
	return NULL;
}

const char *
spf_macro_check(const char *s, size_t len, enum spf_macro_where where,
    size_t *last_macro_end)
{
	struct tok t;
	const char *why;
	size_t off = 0;

	if (last_macro_end != NULL)
		*last_macro_end = 0;
	while (off < len) {
		if ((why = next_token(s + off, len - off, where, &t)) != NULL)
			return why;
		off += t.len;
		/* domain-end may be any macro-expand, "%%" and "%_" too */
		if (t.kind != TOK_LITERAL && last_macro_end != NULL)
			*last_macro_end = off;
	}
	return NULL;
}

/* RFC 3986 2.3 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~" */
static bool
is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

static void
url_escape(struct buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_unreserved(c))
			buf_addc(out, (char)c);
		else {
			buf_addc(out, '%');
			buf_addc(out, hex[c >> 4]);
			buf_addc(out, hex[c & 0xf]);
		}
	}
}

struct part {
	const char	*p;
	size_t		 len;
};

/*
 * RFC 7208 7.3: split value on the delimiters (default "."), reverse if
 * asked, keep the rightmost digits parts, join them with ".".
 */
static int
transform(const struct tok *t, const char *val, size_t vlen, struct buf *out,
    struct err *e)
{
	struct part *parts;
	size_t n = 1, i, k, first;
	const char *start;

	for (i = 0; i < vlen; i++)
		if (t->ndelims == 0 ? val[i] == '.' :
		    memchr(t->delims, val[i], t->ndelims) != NULL)
			n++;
	if ((parts = reallocarray(NULL, n, sizeof(*parts))) == NULL)
		return err_set(e, "out of memory");
	k = 0;
	start = val;
	for (i = 0; i <= vlen; i++) {
		if (i == vlen || (t->ndelims == 0 ? val[i] == '.' :
		    memchr(t->delims, val[i], t->ndelims) != NULL)) {
			parts[k].p = start;
			parts[k].len = (size_t)(val + i - start);
			k++;
			start = val + i + 1;
		}
	}
	if (t->reverse) {
		for (i = 0; i < n / 2; i++) {
			struct part tmp = parts[i];

			parts[i] = parts[n - 1 - i];
			parts[n - 1 - i] = tmp;
		}
	}
	/* more parts asked than there are: all of them (RFC 7208 7.3) */
	first = t->digits != 0 && t->digits < n ? n - t->digits : 0;
	for (i = first; i < n; i++) {
		if (i > first) {
			if (t->upper)
				url_escape(out, ".", 1);
			else
				buf_addc(out, '.');
		}
		if (t->upper)
			url_escape(out, parts[i].p, parts[i].len);
		else
			buf_add(out, parts[i].p, parts[i].len);
	}
	free(parts);
	return 0;
}

static int
expand_macro(const struct tok *t, const struct spf_macro_vars *v,
    struct buf *out, struct err *e)
{
	struct buf tmp = BUF_INIT;
	const char *val = NULL;
	char tbuf[32];
	int rc;

	switch (t->letter) {
	case 's': val = v->s; break;
	case 'l': val = v->l; break;
	case 'o': val = v->o; break;
	case 'd': val = v->d; break;
	case 'i': val = v->i; break;
	case 'v': val = v->v; break;
	case 'h': val = v->h; break;
	case 'c': val = v->c; break;
	case 'r': val = v->r; break;
	case 't':
		snprintf(tbuf, sizeof(tbuf), "%lld", (long long)v->t);
		val = tbuf;
		break;
	case 'p':
		if (v->p == NULL)
			buf_adds(&tmp, "unknown");
		else if (v->p(v->p_arg, &tmp, e) == -1) {
			buf_free(&tmp);
			return -1;
		}
		if (buf_failed(&tmp)) {
			buf_free(&tmp);
			return err_set(e, "out of memory");
		}
		val = buf_str(&tmp);
		break;
	}
	if (val == NULL)
		val = "unknown";
	rc = transform(t, val, strlen(val), out, e);
	buf_free(&tmp);
	return rc;
}

int
spf_macro_expand(const char *s, size_t len, enum spf_macro_where where,
    const struct spf_macro_vars *vars, struct buf *out, const char **syntax,
    struct err *e)
{
	struct tok t;
	size_t off = 0;

	*syntax = NULL;
	while (off < len) {
		if ((*syntax = next_token(s + off, len - off, where, &t)) !=
		    NULL)
			return 0;
		switch (t.kind) {
		case TOK_LITERAL:
			buf_addc(out, s[off]);
			break;
		case TOK_PERCENT:
			buf_addc(out, '%');
			break;
		case TOK_SPACE:
			buf_addc(out, ' ');
			break;
		case TOK_URLSPACE:
			buf_adds(out, "%20");
			break;
		case TOK_MACRO:
			if (expand_macro(&t, vars, out, e) == -1)
				return -1;
			break;
		}
		off += t.len;
	}
	if (buf_failed(out))
		return err_set(e, "out of memory");
	return 0;
}

void
spf_macro_shorten(struct buf *name)
{
	const char *dot;
	size_t cut;

	/* RFC 7208 7.3; 253 is DNS_NAME_MAX, the presentation limit */
	while (name->len > 253) {
		if ((dot = memchr(name->data, '.', name->len)) == NULL)
			return;
		cut = (size_t)(dot - name->data) + 1;
		memmove(name->data, name->data + cut, name->len - cut + 1);
		name->len -= cut;
	}
}
