/* SPDX-License-Identifier: ISC */
/*
 * dns_zone_lex.c - the lexer of the --dns-zone master files (RFC 1035
 * 5.1): splits the input into records (';' comments, "( ... )" across
 * lines, quoted strings, '\' escapes, a blank first column marked for
 * the reader to repeat the previous owner), with explicit bounds (the
 * input need not be NUL-terminated and may hold any byte) and the line
 * each token is on, for the error messages. The reader of the records
 * is dns_zone_read.c; the answers, dns_zone.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns_zone_int.h"

void
dns_zone_lex_error(struct zcur *c, size_t line, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;
	c->failed = true;
	c->err_line = line;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

/* Enter the line at c->p: count it and check its length. */
void
dns_zone_lex_newline(struct zcur *c)
{
	const char *nl;

	c->line++;
	c->line_start = c->p;
	nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	if (nl == NULL)
		nl = c->end;
	if ((size_t)(nl - c->p) > DNS_ZONE_MAX_LINE)
		dns_zone_lex_error(c, c->line, "line longer than %d bytes",
		    DNS_ZONE_MAX_LINE);
}

static bool
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Bytes that end an unquoted word (RFC 1035 5.1); '#' is not a comment. */
static bool
is_delim(char ch)
{
	return is_space(ch) || ch == '\n' || ch == ';' || ch == '"' ||
	    ch == '(' || ch == ')';
}

/*
 * A byte no token may hold as itself: NUL (ldns reads C strings) and, in
 * a word, the other control bytes. RFC 1035 5.1 writes them as \DDD.
 */
static bool
zcur_bad_byte(struct zcur *c, unsigned char ch, bool quoted)
{
	if (ch == 0 || (!quoted && (ch < 0x20 || ch == 0x7f))) {
		dns_zone_lex_error(c, c->line,
		    "byte 0x%02x in a %s: write it as \\%03u", ch,
		    quoted ? "string" : "name or word", ch);
		return true;
	}
	return false;
}

/* A quoted string from c->p (at the '"'); escapes are decoded by ldns. */
static void
zcur_quoted(struct zcur *c, struct tok *t)
{
	const char *q;

	for (q = c->p + 1; q < c->end && *q != '"' && *q != '\n'; q++) {
		if (*q == '\\' && q + 1 < c->end && q[1] != '\n')
			q++;
		if (zcur_bad_byte(c, (unsigned char)*q, true))
			return;
	}
	if (q == c->end || *q != '"') {
		dns_zone_lex_error(c, c->line, "unterminated quoted string");
		return;
	}
	t->kind = TOK_QUOTED;
	t->p = c->p + 1;
	t->len = (size_t)(q - c->p - 1);
	c->p = q + 1;
}

/* A word from c->p: "\X" keeps X in it, even a delimiter. */
static void
zcur_word(struct zcur *c, struct tok *t)
{
	const char *q;

	for (q = c->p; q < c->end && !is_delim(*q); q++) {
		if (*q == '\\') {
			if (q + 1 == c->end || q[1] == '\n') {
				dns_zone_lex_error(c, c->line,
				    "'\\' at the end of a line");
				return;
			}
			q++;
		}
		if (zcur_bad_byte(c, (unsigned char)*q, false))
			return;
	}
	t->kind = TOK_WORD;
	t->p = c->p;
	t->len = (size_t)(q - c->p);
	c->p = q;
}

/*
 * The next token. Comments, parentheses and (inside them) line ends are
 * consumed here, so the record reader sees a flat list of tokens.
 */
static void
zcur_next(struct zcur *c, struct tok *t)
{
	const char *q;

	t->p = NULL;
	t->len = 0;
	for (;;) {
		if (c->failed) {
			t->kind = TOK_ERR;
			return;
		}
		while (c->p < c->end && is_space(*c->p))
			c->p++;
		t->line = c->line;
		t->col0 = c->p == c->line_start;
		if (c->p == c->end) {
			if (c->paren) {
				dns_zone_lex_error(c, c->line,
				    "'(' opened on line %zu is "
				    "never closed", c->paren_line);
				continue;
			}
			t->kind = TOK_EOF;
			return;
		}
		switch (*c->p) {
		case ';':
			q = memchr(c->p, '\n', (size_t)(c->end - c->p));
			c->p = q != NULL ? q : c->end;
			continue;
		case '\n':
			c->p++;
			dns_zone_lex_newline(c);
			if (c->paren)
				continue;
			t->kind = TOK_EOL;
			return;
		case '(':
			if (c->paren)
				dns_zone_lex_error(c, c->line, "nested '('");
			c->paren = true;
			c->paren_line = c->line;
			c->p++;
			continue;
		case ')':
			if (!c->paren)
				dns_zone_lex_error(c, c->line,
				    "')' without '('");
			c->paren = false;
			c->p++;
			continue;
		case '"':
			zcur_quoted(c, t);
			if (c->failed)
				continue;
			return;
		default:
			zcur_word(c, t);
			if (c->failed)
				continue;
			return;
		}
	}
}

/*
 * The tokens of the next record into r->tok. Returns false at the end of
 * the input or after an error; true with r->ntok == 0 for an empty line.
 */
bool
dns_zone_lex_record(struct zread *r)
{
	struct tok t;
	size_t text = 0;

	r->ntok = 0;
	for (;;) {
		zcur_next(&r->c, &t);
		if (t.kind == TOK_ERR)
			return false;
		if (t.kind == TOK_EOL)
			return true;
		if (t.kind == TOK_EOF)
			return r->ntok > 0;
		text += t.len + 3;	/* quotes and a space */
		if (r->ntok == ZONE_MAX_TOKENS || text > DNS_ZONE_MAX_LINE) {
			dns_zone_lex_error(&r->c, t.line,
			    "record longer than %d bytes", DNS_ZONE_MAX_LINE);
			return false;
		}
		if (r->ntok == r->captok) {
			size_t ncap = r->captok == 0 ? 16 : r->captok * 2;
			struct tok *nt;

			if ((nt = reallocarray(r->tok, ncap, sizeof(*nt))) ==
			    NULL) {
				dns_zone_lex_error(&r->c, t.line,
				    "out of memory");
				return false;
			}
			r->tok = nt;
			r->captok = ncap;
		}
		r->tok[r->ntok++] = t;
	}
}
