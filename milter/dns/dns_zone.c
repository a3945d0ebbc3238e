/* SPDX-License-Identifier: ISC */
/*
 * dns_zone.c - the --dns-zone backend: every answer comes from a zone file
 * in presentation format (RFC 1035 5.1, the subset in DESIGN.md and
 * dns.h), nothing from the network. Used by --evaluate and the tests.
 * The file is parsed once, with explicit bounds (the input need not be
 * NUL-terminated and may hold any byte), into a sorted array; lookups
 * are binary searches and answers are deep copies, so the loaded zone is
 * immutable and safe to share between threads. Answers are immediate:
 * a TIMEOUT line yields DNS_TIMEOUT at once, without waiting.
 * Not here: $ORIGIN, $TTL, '@', relative names, wildcards, classes other
 * than IN, record types other than those of enum dns_type.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "dns.h"

/* The whole file, read into memory before parsing. */
#define ZONE_MAX_FILE		(256 * 1024 * 1024)
/* RFC 1035 3.2.1: RDLENGTH is 16 bits (a TXT record's strings + lengths). */
#define ZONE_MAX_RDATA		65535
/* RFC 2181 8: a TTL is at most 2^31 - 1. */
#define ZONE_MAX_TTL		2147483647UL
/* The TTL of records written without one. */
#define ZONE_DEFAULT_TTL	3600
/* Pseudo-types for "name TIMEOUT" and "name SERVFAIL"; not RR numbers. */
#define ZONE_TIMEOUT		(-1)
#define ZONE_SERVFAIL		(-2)

struct zone_rec {
	char		*owner;	/* lowercase, no trailing dot */
	/* enum dns_type, ZONE_TIMEOUT or ZONE_SERVFAIL */
	int		 type;
	/* the place in the file: answers keep the file's order */
	size_t		 seq;
	struct dns_rr	 rr;
};

struct zone {
	struct zone_rec	*rec;
	size_t		 n, cap;
};

/* A zone query is its answer, computed at start. */
struct zone_query {
	struct dns_result	 res;
};

/* Tokens of one record (one line, or more inside parentheses). */
enum tok_kind {
	TOK_WORD,	/* a run of non-space bytes */
	TOK_QUOTED,	/* a "..." string; p/len are inside the quotes */
	TOK_EOL,	/* the end of a record */
	TOK_EOF,
	TOK_ERR,	/* the cursor's error is set */
};

struct tok {
	enum tok_kind	 kind;
	const char	*p;
	size_t		 len;
	size_t		 line;
	bool		 col0;	/* starts its physical line */
};

/* The cursor over the whole input, with a sticky error (STYLE.md 5). */
struct zcur {
	const char	*p, *end;
	const char	*line_start;
	size_t		 line;
	bool		 paren;		/* inside ( ... ) */
	size_t		 paren_line;
	bool		 failed;
	size_t		 err_line;
	char		 err[160];
};

static void	zone_free(void *);

static void
zerr(struct zcur *c, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
zerr(struct zcur *c, size_t line, const char *fmt, ...)
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
static void
zcur_newline(struct zcur *c)
{
	const char *nl;

	c->line++;
	c->line_start = c->p;
	nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	if (nl == NULL)
		nl = c->end;
	if ((size_t)(nl - c->p) > DNS_ZONE_MAX_LINE)
		zerr(c, c->line, "line longer than %d bytes",
		    DNS_ZONE_MAX_LINE);
}

static bool
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Bytes that end an unquoted word. */
static bool
is_delim(char ch)
{
	return is_space(ch) || ch == '\n' || ch == ';' || ch == '#' ||
	    ch == '"' || ch == '(' || ch == ')';
}

/*
 * The next token. Comments, parentheses and (inside them) line ends are
 * consumed here, so the record parser sees a flat list of tokens.
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
				zerr(c, c->line, "'(' opened on line %zu is "
				    "never closed", c->paren_line);
				continue;
			}
			t->kind = TOK_EOF;
			return;
		}
		switch (*c->p) {
		case ';':
		case '#':
			q = memchr(c->p, '\n', (size_t)(c->end - c->p));
			c->p = q != NULL ? q : c->end;
			continue;
		case '\n':
			c->p++;
			zcur_newline(c);
			if (c->paren)
				continue;
			t->kind = TOK_EOL;
			return;
		case '(':
			if (c->paren)
				zerr(c, c->line, "nested '('");
			c->paren = true;
			c->paren_line = c->line;
			c->p++;
			continue;
		case ')':
			if (!c->paren)
				zerr(c, c->line, "')' without '('");
			c->paren = false;
			c->p++;
			continue;
		case '"':
			/* find the closing quote; escapes are decoded later */
			for (q = c->p + 1; q < c->end && *q != '"'; q++) {
				if (*q == '\\' && q + 1 < c->end)
					q++;
				if (*q == '\n')
					break;
			}
			if (q == c->end || *q != '"') {
				zerr(c, c->line, "unterminated quoted string");
				continue;
			}
			t->kind = TOK_QUOTED;
			t->p = c->p + 1;
			t->len = (size_t)(q - c->p - 1);
			c->p = q + 1;
			return;
		default:
			for (q = c->p; q < c->end && !is_delim(*q); q++)
				;
			t->kind = TOK_WORD;
			t->p = c->p;
			t->len = (size_t)(q - c->p);
			c->p = q;
			return;
		}
	}
}

/* Skip the rest of a record (after an error nothing is read anyway). */
static bool
tok_is_end(const struct tok *t)
{
	return t->kind == TOK_EOL || t->kind == TOK_EOF || t->kind == TOK_ERR;
}

static bool
word_is(const struct tok *t, const char *w)
{
	return t->kind == TOK_WORD && t->len == strlen(w) &&
	    strncasecmp(t->p, w, t->len) == 0;
}

/*
 * A domain name in the zone (RFC 1035 5.1, without escapes or relative
 * names): printable ASCII, no empty label, within the length caps; "."
 * (the root) only if root_ok. Returns
 * a copy without the trailing dot, lowercased if lower, or NULL with the
 * error set.
 */
static char *
zone_name(struct zcur *c, const struct tok *t, bool lower, bool root_ok,
    const char *what)
{
	size_t i, len;
	char *s;

	if (t->kind != TOK_WORD) {
		zerr(c, t->line, "missing %s", what);
		return NULL;
	}
	if (t->len == 1 && t->p[0] == '@') {
		zerr(c, t->line, "'@' (the origin) is not supported: write "
		    "the full name");
		return NULL;
	}
	/* RFC 7505: "MX 0 ." says the domain takes no mail */
	if (root_ok && t->len == 1 && t->p[0] == '.')
		return strdup("");
	for (i = 0; i < t->len; i++) {
		unsigned char ch = (unsigned char)t->p[i];

		if (ch <= 0x20 || ch >= 0x7f || ch == '\\') {
			zerr(c, t->line, "bad %s \"%.*s\": byte 0x%02x",
			    what, (int)(t->len > 64 ? 64 : t->len), t->p, ch);
			return NULL;
		}
	}
	if (!dns_name_valid(t->p, t->len)) {
		zerr(c, t->line, "bad %s \"%.*s\": empty label or too long",
		    what, (int)(t->len > 64 ? 64 : t->len), t->p);
		return NULL;
	}
	len = t->len;
	if (t->p[len - 1] == '.')
		len--;
	if ((s = strndup(t->p, len)) == NULL) {
		zerr(c, t->line, "out of memory");
		return NULL;
	}
	for (i = 0; lower && i < len; i++)
		s[i] = (char)tolower((unsigned char)s[i]);
	return s;
}

/* An unsigned decimal number up to max; -1 if t is not one. */
static int
zone_number(const struct tok *t, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (t->kind != TOK_WORD || t->len == 0)
		return -1;
	for (i = 0; i < t->len; i++) {
		if (t->p[i] < '0' || t->p[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(t->p[i] - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

/*
 * RFC 1035 5.1 <character-string> in quotes: \X is X, \DDD is the byte
 * DDD (exactly three digits, at most 255). Appends to joined, returns the
 * decoded length or -1 with the error set.
 */
static long
zone_txt_string(struct zcur *c, const struct tok *t, struct buf *joined)
{
	const char *p = t->p, *end = t->p + t->len;
	size_t start = joined->len;
	unsigned int v;

	while (p < end) {
		if (*p != '\\') {
			buf_addc(joined, *p++);
			continue;
		}
		if (++p == end) {
			zerr(c, t->line, "'\\' at the end of a string");
			return -1;
		}
		if (*p < '0' || *p > '9') {
			buf_addc(joined, *p++);
			continue;
		}
		if (end - p < 3 || p[1] < '0' || p[1] > '9' || p[2] < '0' ||
		    p[2] > '9') {
			zerr(c, t->line, "bad \\DDD escape: three digits "
			    "needed");
			return -1;
		}
		v = (unsigned int)(p[0] - '0') * 100 +
		    (unsigned int)(p[1] - '0') * 10 +
		    (unsigned int)(p[2] - '0');
		if (v > 255) {
			zerr(c, t->line, "bad \\DDD escape: %u is over 255", v);
			return -1;
		}
		buf_addc(joined, (char)v);
		p += 3;
	}
	if (buf_failed(joined)) {
		zerr(c, t->line, "out of memory");
		return -1;
	}
	if (joined->len - start > DNS_TXT_STRING_MAX) {
		zerr(c, t->line, "TXT string of %zu bytes: at most %d "
		    "(RFC 1035 3.3)", joined->len - start, DNS_TXT_STRING_MAX);
		return -1;
	}
	return (long)(joined->len - start);
}

/* TXT and SPF rdata: one or more quoted strings up to the record's end. */
static void
zone_rdata_txt(struct zcur *c, struct tok *t, struct dns_rr *rr)
{
	struct buf joined = BUF_INIT;
	size_t *lens = NULL, n = 0, i, rdlen = 0, off;
	long len;

	for (zcur_next(c, t); t->kind == TOK_QUOTED; zcur_next(c, t)) {
		size_t *nl;

		if ((len = zone_txt_string(c, t, &joined)) == -1)
			goto fail;
		rdlen += 1 + (size_t)len;
		if (rdlen > ZONE_MAX_RDATA) {
			zerr(c, t->line, "TXT data over %d bytes "
			    "(RFC 1035 3.2.1)", ZONE_MAX_RDATA);
			goto fail;
		}
		if ((nl = reallocarray(lens, n + 1, sizeof(*lens))) == NULL) {
			zerr(c, t->line, "out of memory");
			goto fail;
		}
		lens = nl;
		lens[n++] = (size_t)len;
	}
	if (t->kind == TOK_WORD) {
		zerr(c, t->line, "TXT data must be double-quoted: \"%.*s\"",
		    (int)(t->len > 64 ? 64 : t->len), t->p);
		goto fail;
	}
	if (t->kind == TOK_ERR)
		goto fail;
	if (n == 0) {
		zerr(c, t->line, "missing rdata for %s",
		    dns_type_name(rr->type));
		goto fail;
	}
	rr->len = joined.len;
	if ((rr->data = (unsigned char *)buf_release(&joined)) == NULL ||
	    (rr->pieces = calloc(n, sizeof(*rr->pieces))) == NULL) {
		zerr(c, t->line, "out of memory");
		goto fail;
	}
	for (i = 0, off = 0; i < n; i++) {
		rr->pieces[i].data = rr->data + off;
		rr->pieces[i].len = lens[i];
		off += lens[i];
	}
	rr->npieces = n;
	free(lens);
	return;
fail:
	buf_free(&joined);
	free(lens);
}

/* The rdata of rr->type; leaves t at the token after it. */
static void
zone_rdata(struct zcur *c, struct tok *t, struct dns_rr *rr)
{
	unsigned long pref;
	char addr[64];
	int af;

	switch (rr->type) {
	case DNS_TXT:
	case DNS_SPF:
		zone_rdata_txt(c, t, rr);
		return;
	case DNS_A:
	case DNS_AAAA:
		zcur_next(c, t);
		if (t->kind != TOK_WORD) {
			zerr(c, t->line, "missing rdata for %s",
			    dns_type_name(rr->type));
			return;
		}
		af = rr->type == DNS_A ? AF_INET : AF_INET6;
		rr->len = rr->type == DNS_A ? 4 : 16;
		/* 17 bytes: an address and the NUL the contract promises */
		if ((rr->data = calloc(1, 17)) == NULL) {
			zerr(c, t->line, "out of memory");
			return;
		}
		if (t->len >= sizeof(addr)) {
			zerr(c, t->line, "bad %s address",
			    dns_type_name(rr->type));
			return;
		}
		memcpy(addr, t->p, t->len);
		addr[t->len] = '\0';
		if (inet_pton(af, addr, rr->data) != 1) {
			zerr(c, t->line, "bad %s address \"%s\"",
			    dns_type_name(rr->type), addr);
			return;
		}
		break;
	case DNS_MX:
		zcur_next(c, t);
		if (t->kind != TOK_WORD) {
			zerr(c, t->line, "missing rdata for MX");
			return;
		}
		if (zone_number(t, 65535, &pref) == -1) {
			zerr(c, t->line, "bad MX preference \"%.*s\"",
			    (int)(t->len > 64 ? 64 : t->len), t->p);
			return;
		}
		rr->pref = (uint16_t)pref;
		zcur_next(c, t);
		if ((rr->name = zone_name(c, t, false, true,
		    "MX exchange")) == NULL)
			return;
		break;
	case DNS_PTR:
	case DNS_CNAME:
	case DNS_NS:
		zcur_next(c, t);
		if (tok_is_end(t)) {
			zerr(c, t->line, "missing rdata for %s",
			    dns_type_name(rr->type));
			return;
		}
		if ((rr->name = zone_name(c, t, false, false,
		    "target name")) == NULL)
			return;
		break;
	}
	zcur_next(c, t);
}

static void
zone_rr_clear(struct dns_rr *rr)
{
	free(rr->data);
	free(rr->pieces);
	free(rr->name);
	memset(rr, 0, sizeof(*rr));
}

/*
 * One record: "name [ttl] [IN] TYPE rdata" (ttl and IN in either order),
 * or "name TIMEOUT" / "name SERVFAIL". Returns false at the end of input.
 */
static bool
zone_record(struct zcur *c, struct zone *z)
{
	struct zone_rec rec;
	struct tok t;
	unsigned long ttl = ZONE_DEFAULT_TTL;
	bool have_ttl = false, have_class = false;
	enum dns_type type;
	size_t line;

	memset(&rec, 0, sizeof(rec));
	zcur_next(c, &t);
	if (t.kind == TOK_EOL)
		return true;
	if (t.kind == TOK_EOF || t.kind == TOK_ERR)
		return false;
	line = t.line;
	if (!t.col0) {
		zerr(c, line, "the owner name must start the line");
		return false;
	}
	if (t.kind == TOK_WORD && t.len > 0 && t.p[0] == '$') {
		zerr(c, line, "directives ($ORIGIN, $TTL) are not supported");
		return false;
	}
	if (z->n == DNS_ZONE_MAX_RECORDS) {
		zerr(c, line, "more than %d records", DNS_ZONE_MAX_RECORDS);
		return false;
	}
	if ((rec.owner = zone_name(c, &t, true, false, "owner name")) == NULL)
		return false;
	for (;;) {
		zcur_next(c, &t);
		if (!have_ttl && zone_number(&t, ZONE_MAX_TTL, &ttl) == 0)
			have_ttl = true;
		else if (!have_class && word_is(&t, "IN"))
			have_class = true;
		else
			break;
	}
	if (tok_is_end(&t)) {
		zerr(c, line, "missing type");
		goto fail;
	}
	/* no type starts with a digit: this is a TTL that was refused */
	if (t.kind == TOK_WORD && t.p[0] >= '0' && t.p[0] <= '9') {
		if (have_ttl)
			zerr(c, t.line, "more than one TTL");
		else
			zerr(c, t.line, "bad TTL \"%.*s\": at most %lu "
			    "(RFC 2181 8)", (int)(t.len > 32 ? 32 : t.len),
			    t.p, ZONE_MAX_TTL);
		goto fail;
	}
	if (word_is(&t, "TIMEOUT") || word_is(&t, "SERVFAIL")) {
		rec.type = word_is(&t, "TIMEOUT") ? ZONE_TIMEOUT :
		    ZONE_SERVFAIL;
		zcur_next(c, &t);
	} else if (t.kind == TOK_WORD &&
	    dns_type_parse(t.p, t.len, &type) == 0) {
		rec.type = type;
		rec.rr.type = type;
		rec.rr.ttl = (uint32_t)ttl;
		zone_rdata(c, &t, &rec.rr);
	} else {
		zerr(c, t.line, "unknown type \"%.*s\"",
		    (int)(t.len > 32 ? 32 : t.len), t.p);
		goto fail;
	}
	if (c->failed)
		goto fail;
	if (!tok_is_end(&t)) {
		zerr(c, t.line, "unexpected \"%.*s\" after the rdata",
		    (int)(t.len > 64 ? 64 : t.len), t.p);
		goto fail;
	}
	if (z->n == z->cap) {
		size_t ncap = z->cap == 0 ? 64 : z->cap * 2;
		struct zone_rec *nr;

		if ((nr = reallocarray(z->rec, ncap, sizeof(*nr))) == NULL) {
			zerr(c, line, "out of memory");
			goto fail;
		}
		z->rec = nr;
		z->cap = ncap;
	}
	rec.seq = z->n;
	z->rec[z->n++] = rec;	/* the zone owns rec's storage from here */
	return t.kind != TOK_EOF;
fail:
	free(rec.owner);
	zone_rr_clear(&rec.rr);
	return false;
}

static int
zone_rec_cmp(const void *a, const void *b)
{
	const struct zone_rec *x = a, *y = b;
	int d = strcmp(x->owner, y->owner);

	if (d != 0)
		return d;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The first record owned by name (lowercase), or NULL. */
static const struct zone_rec *
zone_find(const struct zone *z, const char *name, const struct zone_rec **end)
{
	size_t lo = 0, hi = z->n, mid, i;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(z->rec[mid].owner, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == z->n || strcmp(z->rec[lo].owner, name) != 0)
		return NULL;
	for (i = lo; i < z->n && strcmp(z->rec[i].owner, name) == 0; i++)
		;
	*end = &z->rec[i];
	return &z->rec[lo];
}

/* Deep copy of a zone record into an answer; 0 or -1 (no memory). */
static int
zone_rr_copy(struct dns_rr *dst, const struct dns_rr *src)
{
	size_t i, off;

	memset(dst, 0, sizeof(*dst));
	dst->type = src->type;
	dst->ttl = src->ttl;
	dst->pref = src->pref;
	dst->len = src->len;
	if (src->data != NULL) {
		if ((dst->data = malloc(src->len + 1)) == NULL)
			return -1;
		memcpy(dst->data, src->data, src->len);
		dst->data[src->len] = '\0';
	}
	if (src->npieces > 0) {
		dst->pieces = calloc(src->npieces, sizeof(*dst->pieces));
		if (dst->pieces == NULL)
			return -1;
		for (i = 0, off = 0; i < src->npieces; i++) {
			dst->pieces[i].data = dst->data + off;
			dst->pieces[i].len = src->pieces[i].len;
			off += src->pieces[i].len;
		}
		dst->npieces = src->npieces;
	}
	if (src->name != NULL && (dst->name = strdup(src->name)) == NULL)
		return -1;
	return 0;
}

/*
 * Answer name/type into res, following CNAMEs (RFC 1034 3.6.2). Returns
 * 0, or -1 when out of memory.
 */
static int
zone_answer(const struct zone *z, const char *qname, enum dns_type type,
    struct dns_result *res)
{
	const struct zone_rec *first, *end, *r, *cname;
	char name[DNS_NAME_MAX + 2];
	size_t hops, len, i, n;

	len = strlen(qname);
	if (len > 0 && qname[len - 1] == '.')
		len--;
	/* dns_start checked the length */
	for (i = 0; i < len; i++)
		name[i] = (char)tolower((unsigned char)qname[i]);
	name[len] = '\0';
	for (hops = 0; hops <= DNS_ZONE_MAX_CNAME; hops++) {
		if ((first = zone_find(z, name, &end)) == NULL) {
			res->status = DNS_NXDOMAIN;
			return 0;
		}
		cname = NULL;
		n = 0;
		for (r = first; r < end; r++) {
			if (r->type == ZONE_TIMEOUT ||
			    r->type == ZONE_SERVFAIL) {
				res->status = r->type == ZONE_TIMEOUT ?
				    DNS_TIMEOUT : DNS_SERVFAIL;
				return 0;
			}
			if (r->type == (int)type)
				n++;
			else if (r->type == DNS_CNAME && cname == NULL)
				cname = r;
		}
		if (n > 0) {
			if ((res->rr = calloc(n, sizeof(*res->rr))) == NULL)
				return -1;
			for (r = first; r < end; r++) {
				if (r->type != (int)type)
					continue;
				/* res->n counts copies: free sees them all */
				if (zone_rr_copy(&res->rr[res->n++], &r->rr)
				    == -1)
					return -1;
			}
			res->status = DNS_OK;
			return 0;
		}
		if (cname == NULL) {
			res->status = DNS_NODATA;
			return 0;
		}
		/* targets were checked at load: they fit */
		len = strlen(cname->rr.name);
		for (i = 0; i <= len; i++)
			name[i] = (char)tolower(
			    (unsigned char)cname->rr.name[i]);
	}
	/* a loop or a chain longer than a resolver would follow */
	res->status = DNS_SERVFAIL;
	return 0;
}

static void *
zone_start(void *ctx, const char *name, enum dns_type type, struct err *e)
{
	struct zone_query *q;

	if ((q = malloc(sizeof(*q))) == NULL) {
		err_set(e, "dns zone: out of memory");
		return NULL;
	}
	dns_result_init(&q->res);
	if (zone_answer(ctx, name, type, &q->res) == -1) {
		dns_result_free(&q->res);
		free(q);
		err_set(e, "dns zone: out of memory");
		return NULL;
	}
	return q;
}

static int
zone_wait(void *ctx, void *bq, const struct timespec *deadline,
    struct dns_result *out, struct err *e)
{
	struct zone_query *q = bq;

	(void)ctx;
	(void)deadline;	/* answered at start */
	(void)e;
	*out = q->res;	/* the records move to the caller */
	free(q);
	return 0;
}

static void
zone_cancel(void *ctx, void *bq)
{
	struct zone_query *q = bq;

	(void)ctx;
	dns_result_free(&q->res);
	free(q);
}

static void
zone_free(void *ctx)
{
	struct zone *z = ctx;
	size_t i;

	if (z == NULL)
		return;
	for (i = 0; i < z->n; i++) {
		free(z->rec[i].owner);
		zone_rr_clear(&z->rec[i].rr);
	}
	free(z->rec);
	free(z);
}

static const struct dns_backend zone_backend = {
	zone_start, zone_wait, zone_cancel, zone_free,
};

/* Parse data into a resolver; src names the input in error messages. */
static struct dns_resolver *
zone_load(const char *src, const char *data, size_t len, struct err *e)
{
	struct zcur c;
	struct zone *z;

	if ((z = calloc(1, sizeof(*z))) == NULL) {
		err_set(e, "%s: out of memory", src);
		return NULL;
	}
	memset(&c, 0, sizeof(c));
	c.p = data;
	c.end = data + len;
	zcur_newline(&c);
	while (zone_record(&c, z))
		;
	if (c.failed) {
		err_set(e, "%s:%zu: %s", src, c.err_line, c.err);
		zone_free(z);
		return NULL;
	}
	if (z->n > 0)
		qsort(z->rec, z->n, sizeof(*z->rec), zone_rec_cmp);
	return dns_resolver_new(&zone_backend, z, e);
}

struct dns_resolver *
dns_zone_from_memory(const char *data, size_t len, struct err *e)
{
	return zone_load("(memory)", data, len, e);
}

struct dns_resolver *
dns_zone_open(const char *path, struct err *e)
{
	struct dns_resolver *r;
	struct stat st;
	char *data;
	size_t len = 0;
	ssize_t got;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		err_set(e, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		err_set(e, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > ZONE_MAX_FILE) {
		err_set(e, "%s: %s", path, !S_ISREG(st.st_mode) ?
		    "not a regular file" : "file too large");
		close(fd);
		return NULL;
	}
	if ((data = malloc((size_t)st.st_size + 1)) == NULL) {
		err_set(e, "%s: out of memory", path);
		close(fd);
		return NULL;
	}
	/* read what fstat saw; a file growing meanwhile is cut there */
	while (len < (size_t)st.st_size) {
		got = read(fd, data + len, (size_t)st.st_size - len);
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1) {
			err_set(e, "%s: %s", path, strerror(errno));
			free(data);
			close(fd);
			return NULL;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	r = zone_load(path, data, len, e);
	free(data);
	return r;
}
