/* SPDX-License-Identifier: ISC */
/*
 * addr.c - RFC 5322 address-list parser (section 3.4, with the obsolete
 * forms of 4.4 that real mail uses). A small tokenizer drops comments and
 * folding; a second pass walks mailboxes and groups. Works on (pointer,
 * end) and never reads past end.
 */
#include <string.h>

#include "addr.h"

enum tok_kind {
	TOK_END,
	TOK_WORD,	/* atom or dot-atom run */
	TOK_QUOTED,	/* "quoted string", quotes included */
	TOK_LITERAL,	/* [domain literal], brackets included */
	TOK_SPECIAL,	/* one of < > @ , ; : */
	TOK_ERROR,
};

struct tok {
	enum tok_kind	 kind;
	const char	*p;
	size_t		 len;
};

struct lexer {
	const char	*p, *end;
	const char	*err;
};

static bool
is_special(char c)
{
	return c == '<' || c == '>' || c == '@' || c == ',' || c == ';' ||
	    c == ':' || c == '(' || c == ')' || c == '"' || c == '[' ||
	    c == ']' || c == '\\';
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skip CFWS: white space and nested comments (3.2.2). */
static void
skip_cfws(struct lexer *lx)
{
	int depth = 0;

	while (lx->p < lx->end) {
		char c = *lx->p;

		if (depth > 0) {
			if (c == '\\' && lx->p + 1 < lx->end)
				lx->p++;
			else if (c == '(')
				depth++;
			else if (c == ')')
				depth--;
			lx->p++;
		} else if (c == '(') {
			depth = 1;
			lx->p++;
		} else if (is_space(c))
			lx->p++;
		else
			return;
	}
	if (depth > 0)
		lx->err = "unterminated comment";
}

static struct tok
next_tok(struct lexer *lx)
{
	struct tok t = { TOK_END, NULL, 0 };
	const char *s;

	skip_cfws(lx);
	if (lx->err != NULL) {
		t.kind = TOK_ERROR;
		return t;
	}
	if (lx->p >= lx->end)
		return t;
	s = lx->p;
	t.p = s;
	if (*s == '"' || *s == '[') {
		char close = *s == '"' ? '"' : ']';

		for (lx->p++; lx->p < lx->end && *lx->p != close; lx->p++)
			if (*lx->p == '\\' && lx->p + 1 < lx->end)
				lx->p++;
		if (lx->p >= lx->end) {
			lx->err = close == '"' ? "unterminated quoted string" :
			    "unterminated domain literal";
			t.kind = TOK_ERROR;
			return t;
		}
		lx->p++;
		t.kind = close == '"' ? TOK_QUOTED : TOK_LITERAL;
	} else if (strchr("<>@,;:", *s) != NULL) {
		lx->p++;
		t.kind = TOK_SPECIAL;
	} else if (is_special(*s)) {
		lx->err = "stray special character";
		t.kind = TOK_ERROR;
		return t;
	} else {
		while (lx->p < lx->end && !is_special(*lx->p) &&
		    !is_space(*lx->p))
			lx->p++;
		t.kind = TOK_WORD;
	}
	t.len = (size_t)(lx->p - s);
	return t;
}

static bool
tok_is(const struct tok *t, char c)
{
	return t->kind == TOK_SPECIAL && *t->p == c;
}

/*
 * Parse an addr-spec whose first token is t: local-part "@" domain. The
 * local part is words and quoted strings joined by dots (obs-local-part);
 * returns the token after the domain.
 */
static struct tok
addr_spec(struct lexer *lx, struct tok t, struct addr *a)
{
	const char *lstart = t.p, *lend = t.p;

	while (t.kind == TOK_WORD || t.kind == TOK_QUOTED) {
		lend = t.p + t.len;
		t = next_tok(lx);
	}
	if (!tok_is(&t, '@')) {
		lx->err = "address without @domain";
		t.kind = TOK_ERROR;
		return t;
	}
	a->local = lstart;
	a->local_len = (size_t)(lend - lstart);
	t = next_tok(lx);
	if (t.kind != TOK_WORD && t.kind != TOK_LITERAL) {
		lx->err = "missing domain after @";
		t.kind = TOK_ERROR;
		return t;
	}
	a->domain = t.p;
	a->domain_len = t.len;
	return next_tok(lx);
}

static int
push(struct addr_list *l, struct lexer *lx, const struct addr *a)
{
	if (l->n == ADDR_MAX) {
		lx->err = "too many addresses";
		return -1;
	}
	l->a[l->n++] = *a;
	return 0;
}

/*
 * mailbox = name-addr / addr-spec. A run of words is either a display
 * name (followed by '<') or the local part (followed by '@'), or a group
 * name (followed by ':'). Returns the token after the mailbox.
 */
static struct tok
mailbox_or_group(struct lexer *lx, struct tok t, struct addr_list *l,
    bool in_group, bool *opened_group)
{
	struct lexer save;
	struct tok first = t;
	struct addr a;

	memset(&a, 0, sizeof(a));
	save = *lx;
	while (t.kind == TOK_WORD || t.kind == TOK_QUOTED)
		t = next_tok(lx);
	if (tok_is(&t, '<')) {
		t = next_tok(lx);
		/* obs-route "@a,@b:" before the addr-spec is skipped */
		if (tok_is(&t, '@')) {
			while (t.kind != TOK_END && t.kind != TOK_ERROR &&
			    !tok_is(&t, ':'))
				t = next_tok(lx);
			t = next_tok(lx);
		}
		if (tok_is(&t, '>')) {
			lx->err = "empty angle address";
			t.kind = TOK_ERROR;
			return t;
		}
		t = addr_spec(lx, t, &a);
		if (t.kind == TOK_ERROR)
			return t;
		if (!tok_is(&t, '>')) {
			lx->err = "missing '>'";
			t.kind = TOK_ERROR;
			return t;
		}
		if (push(l, lx, &a) == -1) {
			t.kind = TOK_ERROR;
			return t;
		}
		return next_tok(lx);
	}
	if (tok_is(&t, ':') && !in_group && first.kind != TOK_SPECIAL) {
		*opened_group = true;
		return next_tok(lx);
	}
	/* plain addr-spec: rewind and parse from the first word */
	*lx = save;
	t = addr_spec(lx, first, &a);
	if (t.kind != TOK_ERROR && push(l, lx, &a) == -1)
		t.kind = TOK_ERROR;
	return t;
}

int
addr_parse_list(const char *v, size_t len, struct addr_list *l)
{
	struct lexer lx = { v, v + len, NULL };
	struct tok t;
	bool in_group = false;

	l->n = 0;
	l->err = NULL;
	t = next_tok(&lx);
	for (;;) {
		bool opened = false;

		if (t.kind == TOK_ERROR)
			break;
		if (t.kind == TOK_END) {
			if (in_group)
				lx.err = "group without ';'";
			break;
		}
		if (tok_is(&t, ',')) {		/* obs: empty list member */
			t = next_tok(&lx);
			continue;
		}
		if (tok_is(&t, ';') && in_group) {
			in_group = false;
			t = next_tok(&lx);
			continue;
		}
		if (t.kind != TOK_WORD && t.kind != TOK_QUOTED &&
		    !tok_is(&t, '<')) {
			lx.err = "unexpected character in address list";
			break;
		}
		t = mailbox_or_group(&lx, t, l, in_group, &opened);
		if (opened) {
			in_group = true;
			continue;
		}
		if (t.kind == TOK_ERROR)
			break;
		if (!(t.kind == TOK_END || tok_is(&t, ',') ||
		    (in_group && tok_is(&t, ';')))) {
			lx.err = "junk after address";
			break;
		}
	}
	if (lx.err != NULL) {
		l->err = lx.err;
		return -1;
	}
	return 0;
}

bool
addr_domain_valid(const char *d, size_t len)
{
	size_t i, label = 0;

	if (len > 0 && d[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	for (i = 0; i < len; i++) {
		char c = d[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0;	/* "example.com.." ends in an empty label */
}
