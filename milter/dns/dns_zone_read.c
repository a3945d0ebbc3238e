/* SPDX-License-Identifier: ISC */
/*
 * dns_zone_read.c - the record reader of the --dns-zone master files
 * (RFC 1035 5.1), over the lexer's records (dns_zone_lex.c). $ORIGIN and
 * $TTL are applied here, and so are inkan's test lines "name TIMEOUT"
 * and "name SERVFAIL", which are not RFC 1035 and so never reach ldns.
 * ldns (NLnet Labs) parses the rest: names ('@', relative names, \DDD
 * and \X), TXT character-strings (RFC 1035 3.3.14) and the rdata of
 * every RR type. Without $ORIGIN the origin is the root, so
 * "example.com" is "example.com.". The records end in an array sorted by
 * owner in wire form (RFC 1035 3.1), lowercased, for dns_zone.c's binary
 * searches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "dns_zone_int.h"

/* A NUL-terminated copy of t's text in r->text (valid until next use). */
static const char *
zread_cstr(struct zread *r, const struct tok *t)
{
	buf_reset(&r->text);
	buf_add(&r->text, t->p, t->len);
	if (buf_failed(&r->text)) {
		dns_zone_lex_error(&r->c, t->line, "out of memory");
		return NULL;
	}
	return buf_str(&r->text);
}

static bool
word_is(const struct tok *t, const char *w)
{
	return t->kind == TOK_WORD && t->len == strlen(w) &&
	    strncasecmp(t->p, w, t->len) == 0;
}

/* What ldns's status for a name means, for a person. */
static const char *
dname_problem(ldns_status s)
{
	switch (s) {
	case LDNS_STATUS_LABEL_OVERFLOW:
		return "a label over 63 bytes (RFC 1035 2.3.4)";
	case LDNS_STATUS_EMPTY_LABEL:
		return "an empty label";
	case LDNS_STATUS_DOMAINNAME_OVERFLOW:
		return "over 255 bytes (RFC 1035 2.3.4)";
	case LDNS_STATUS_SYNTAX_BAD_ESCAPE:
		return "a bad escape: \\DDD (at most 255) or \\X";
	default:
		return ldns_get_errorstr_by_id(s);
	}
}

/*
 * A <domain-name> (RFC 1035 5.1): "@" is the origin, a name without a
 * final dot is relative to it; ldns reads the escapes. Returns a new name
 * or NULL with the error set.
 */
static ldns_rdf *
zread_dname(struct zread *r, const struct tok *t, const char *what)
{
	ldns_rdf *d = NULL;
	ldns_status s;
	const char *str;

	if (t->kind != TOK_WORD) {
		dns_zone_lex_error(&r->c, t->line, "%s is a quoted string",
		    what);
		return NULL;
	}
	if (t->len == 1 && t->p[0] == '@') {
		if ((d = ldns_rdf_clone(r->origin)) == NULL)
			dns_zone_lex_error(&r->c, t->line, "out of memory");
		return d;
	}
	if ((str = zread_cstr(r, t)) == NULL)
		return NULL;
	if ((s = ldns_str2rdf_dname(&d, str)) != LDNS_STATUS_OK) {
		dns_zone_lex_error(&r->c, t->line, "bad %s \"%.*s\": %s", what,
		    TOK_SHOW(t->len), t->p, dname_problem(s));
		return NULL;
	}
	/* ldns_dname_cat does not check the length (RFC 1035 2.3.4) */
	if (!ldns_dname_str_absolute(str) &&
	    (ldns_dname_cat(d, r->origin) != LDNS_STATUS_OK ||
	    ldns_rdf_size(d) > LDNS_MAX_DOMAINLEN)) {
		dns_zone_lex_error(&r->c, t->line,
		    "bad %s \"%.*s\": over 255 bytes with "
		    "the origin", what, TOK_SHOW(t->len), t->p);
		ldns_rdf_deep_free(d);
		return NULL;
	}
	return d;
}

/*
 * A TTL: seconds, or BIND's units ("1h30m": s, m, h, d, w), at most
 * ZONE_MAX_TTL (RFC 2181 8). 0, or -1 with the error set.
 */
static int
zread_ttl(struct zread *r, const struct tok *t, uint32_t *out)
{
	static const struct { char unit; unsigned long secs; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		{ 'w', 604800 },
	};
	unsigned long total = 0, v;
	size_t i = 0, u;
	bool digits;

	while (i < t->len) {
		for (v = 0, digits = false; i < t->len && t->p[i] >= '0' &&
		    t->p[i] <= '9'; i++, digits = true) {
			v = v * 10 + (unsigned long)(t->p[i] - '0');
			if (v > ZONE_MAX_TTL)
				goto bad;
		}
		if (!digits)
			goto bad;
		if (i < t->len) {
			for (u = 0; u < sizeof(units) / sizeof(units[0]); u++)
				if ((t->p[i] | 0x20) == units[u].unit)
					break;
			if (u == sizeof(units) / sizeof(units[0]))
				goto bad;
			if (v > ZONE_MAX_TTL / units[u].secs)
				goto bad;
			v *= units[u].secs;
			i++;
		}
		if ((total += v) > ZONE_MAX_TTL)
			goto bad;
	}
	*out = (uint32_t)total;
	return 0;
bad:
	dns_zone_lex_error(&r->c, t->line,
	    "bad TTL \"%.*s\": seconds (or units s m h d "
	    "w) up to %lu (RFC 2181 8)", TOK_SHOW(t->len), t->p,
	    ZONE_MAX_TTL);
	return -1;
}

/* $ORIGIN, $TTL (RFC 1035 5.1, RFC 2308 4); false after an error. */
static bool
zread_directive(struct zread *r)
{
	const struct tok *t = &r->tok[0];
	ldns_rdf *d;

	if (word_is(t, "$ORIGIN") || word_is(t, "$TTL")) {
		if (r->ntok != 2) {
			dns_zone_lex_error(&r->c, t->line,
			    "%.*s takes one value", (int)t->len, t->p);
			return false;
		}
		if (word_is(t, "$TTL"))
			return zread_ttl(r, &r->tok[1], &r->ttl) == 0;
		/* a relative $ORIGIN is relative to the one before */
		if ((d = zread_dname(r, &r->tok[1], "$ORIGIN")) == NULL)
			return false;
		ldns_rdf_deep_free(r->origin);
		r->origin = d;
		return true;
	}
	if (word_is(t, "$INCLUDE"))
		dns_zone_lex_error(&r->c, t->line,
		    "$INCLUDE is not supported: put the "
		    "records in this file");
	else
		dns_zone_lex_error(&r->c, t->line,
		    "unknown directive \"%.*s\" (there are "
		    "$ORIGIN and $TTL)", TOK_SHOW(t->len), t->p);
	return false;
}

/*
 * The bytes a <character-string> token stands for, and the first bad
 * escape in it (NULL if none): for messages about what ldns refused.
 */
static size_t
str_decoded_len(const struct tok *t, const char **bad)
{
	size_t i, n = 0;

	*bad = NULL;
	for (i = 0; i < t->len; i++, n++) {
		if (t->p[i] != '\\')
			continue;
		if (i + 1 == t->len) {
			*bad = "'\\' at the end of a string";
			return n;
		}
		if (t->p[i + 1] < '0' || t->p[i + 1] > '9') {
			i++;
			continue;
		}
		if (t->len - i < 4 || t->p[i + 2] < '0' || t->p[i + 2] > '9' ||
		    t->p[i + 3] < '0' || t->p[i + 3] > '9') {
			*bad = "bad \\DDD escape: three digits needed";
			return n;
		}
		if ((t->p[i + 1] - '0') * 100 + (t->p[i + 2] - '0') * 10 +
		    (t->p[i + 3] - '0') > 255) {
			*bad = "bad \\DDD escape: over 255";
			return n;
		}
		i += 3;
	}
	return n;
}

/*
 * TXT and SPF rdata: <character-string>s (RFC 1035 3.3.14), quoted or
 * not, each read by ldns into an rdf pushed onto rr. Done here rather
 * than by ldns_rr_new_frm_str so a long record is not limited by ldns's
 * text buffer and an over-long string gets a message saying what to do.
 */
static bool
zread_txt(struct zread *r, size_t first, ldns_rr *rr, const char *type)
{
	const struct tok *t;
	const char *str, *bad;
	ldns_rdf *rdf;
	ldns_status s;
	size_t i, rdlen = 0, n;

	for (i = first; i < r->ntok; i++) {
		t = &r->tok[i];
		if ((str = zread_cstr(r, t)) == NULL)
			return false;
		if ((s = ldns_str2rdf_str(&rdf, str)) != LDNS_STATUS_OK) {
			n = str_decoded_len(t, &bad);
			if (s == LDNS_STATUS_INVALID_STR && bad == NULL)
				dns_zone_lex_error(&r->c, t->line,
				    "%s string of %zu bytes: "
				    "at most %d (RFC 1035 3.3); split it into "
				    "strings of at most %d bytes: \"...\" "
				    "\"...\"", type, n, DNS_TXT_STRING_MAX,
				    DNS_TXT_STRING_MAX);
			else
				dns_zone_lex_error(&r->c, t->line,
				    "%s string \"%.*s\": %s", type,
				    TOK_SHOW(t->len), t->p, bad != NULL ? bad :
				    ldns_get_errorstr_by_id(s));
			return false;
		}
		rdlen += ldns_rdf_size(rdf);
		if (rdlen > ZONE_MAX_RDATA) {
			ldns_rdf_deep_free(rdf);
			dns_zone_lex_error(&r->c, t->line,
			    "%s data over %d bytes "
			    "(RFC 1035 3.2.1)", type, ZONE_MAX_RDATA);
			return false;
		}
		if (!ldns_rr_push_rdf(rr, rdf)) {
			ldns_rdf_deep_free(rdf);
			dns_zone_lex_error(&r->c, t->line, "out of memory");
			return false;
		}
	}
	return true;
}

/*
 * Any other rdata, and TXT in RFC 3597's "\#" form: the record goes to
 * ldns as one line, "@ TTL IN TYPE rdata"; ldns completes relative names
 * in the rdata with the origin. The owner is the one zone_record read.
 */
static ldns_rr *
zread_rr_text(struct zread *r, size_t first, uint32_t ttl, const char *type)
{
	const struct tok *t;
	ldns_rr *rr = NULL;
	ldns_status s;
	size_t i, line = r->tok[first].line, start;

	buf_reset(&r->text);
	buf_printf(&r->text, "@ %u IN %s", ttl, type);
	start = r->text.len + 1;
	for (i = first; i < r->ntok; i++) {
		t = &r->tok[i];
		buf_addc(&r->text, ' ');
		if (t->kind == TOK_QUOTED)
			buf_addc(&r->text, '"');
		buf_add(&r->text, t->p, t->len);
		if (t->kind == TOK_QUOTED)
			buf_addc(&r->text, '"');
	}
	if (buf_failed(&r->text)) {
		dns_zone_lex_error(&r->c, line, "out of memory");
		return NULL;
	}
	if (r->text.len - start > ZONE_MAX_RDATA_TEXT) {
		dns_zone_lex_error(&r->c, line,
		    "%s rdata longer than %d bytes of text", type,
		    ZONE_MAX_RDATA_TEXT);
		return NULL;
	}
	s = ldns_rr_new_frm_str(&rr, buf_str(&r->text), ttl, r->origin,
	    NULL);
	if (s != LDNS_STATUS_OK) {
		dns_zone_lex_error(&r->c, line, "bad %s record \"%.*s\": %s",
		    type, TOK_SHOW(r->text.len - start),
		    buf_str(&r->text) + start, ldns_get_errorstr_by_id(s));
		return NULL;
	}
	return rr;
}

/*
 * A name in wire form as inkan's text (dns.h): no final dot, "" for the
 * root. False if a label holds a byte with no plain text form ('.', '\'
 * or outside '!'..'~'): inkan compares and asks for these names as plain
 * strings, and dns_unbound.c refuses the same names.
 */
static bool
wire_name_text(const uint8_t *p, size_t len, char *out)
{
	size_t i = 0, o = 0, j;

	out[0] = '\0';
	while (i < len && p[i] != 0) {
		if (o > 0)
			out[o++] = '.';
		for (j = 1; j <= p[i]; j++) {
			uint8_t ch = p[i + j];

			if (ch < 0x21 || ch > 0x7e || ch == '.' || ch == '\\')
				return false;
			out[o++] = (char)ch;
		}
		i += 1 + p[i];
	}
	out[o] = '\0';
	return true;
}

/* A copy of name in wire form, lowercased (RFC 4343: case does not count). */
static uint8_t *
wire_lower(const ldns_rdf *name, size_t *len)
{
	ldns_rdf *d;
	uint8_t *w;

	if ((d = ldns_rdf_clone(name)) == NULL)
		return NULL;
	ldns_dname2canonical(d);
	*len = ldns_rdf_size(d);
	if ((w = malloc(*len)) != NULL)
		memcpy(w, ldns_rdf_data(d), *len);
	ldns_rdf_deep_free(d);
	return w;
}

/* The rdf i of rr if it has type want, else NULL. */
static const ldns_rdf *
rr_rdf(const ldns_rr *rr, size_t i, ldns_rdf_type want)
{
	const ldns_rdf *d;

	if (i >= ldns_rr_rd_count(rr) || (d = ldns_rr_rdf(rr, i)) == NULL ||
	    ldns_rdf_get_type(d) != want)
		return NULL;
	return d;
}

/* TXT and SPF strings (length byte and bytes each) into rec->rr. */
static int
rec_txt(struct zone_rec *rec, const ldns_rr *rr)
{
	struct dns_rr *out = &rec->rr;
	size_t i, n = ldns_rr_rd_count(rr), off = 0, total = 0;
	const ldns_rdf *d;

	if (n == 0)
		return -1;
	/* pass 1: check each string, add up the lengths */
	for (i = 0; i < n; i++) {
		if ((d = rr_rdf(rr, i, LDNS_RDF_TYPE_STR)) == NULL ||
		    ldns_rdf_size(d) == 0 ||
		    ldns_rdf_data(d)[0] != ldns_rdf_size(d) - 1)
			return -1;
		total += ldns_rdf_size(d) - 1;
	}
	if ((out->pieces = calloc(n, sizeof(*out->pieces))) == NULL ||
	    (out->data = malloc(total + 1)) == NULL)
		return -2;
	/* pass 2: copy */
	for (i = 0; i < n; i++) {
		d = ldns_rr_rdf(rr, i);
		out->pieces[i].data = out->data + off;
		out->pieces[i].len = ldns_rdf_size(d) - 1;
		memcpy(out->data + off, ldns_rdf_data(d) + 1,
		    out->pieces[i].len);
		off += out->pieces[i].len;
	}
	out->data[total] = '\0';
	out->len = total;
	out->npieces = n;
	return 0;
}

/*
 * The answer form of rr into rec, for the types inkan asks for (others
 * are kept as their type only: they make the name exist). 0, -1 for
 * rdata that does not fit the type, -2 when out of memory.
 */
static int
rec_from_ldns(struct zone_rec *rec, const ldns_rr *rr, const char **why)
{
	const ldns_rdf *d = NULL;
	char name[LDNS_MAX_DOMAINLEN * 4 + 1];
	size_t nlen;

	rec->rr.type = (enum dns_type)rec->type;
	rec->rr.ttl = ldns_rr_ttl(rr);
	switch (rec->type) {
	case DNS_TXT:
	case DNS_SPF:
		return rec_txt(rec, rr);
	case DNS_A:
	case DNS_AAAA:
		d = rr_rdf(rr, 0, rec->type == DNS_A ? LDNS_RDF_TYPE_A :
		    LDNS_RDF_TYPE_AAAA);
		nlen = rec->type == DNS_A ? 4 : 16;
		if (d == NULL || ldns_rdf_size(d) != nlen)
			return -1;
		/* 17 bytes: an address and the NUL the contract promises */
		if ((rec->rr.data = calloc(1, 17)) == NULL)
			return -2;
		memcpy(rec->rr.data, ldns_rdf_data(d), nlen);
		rec->rr.len = nlen;
		return 0;
	case DNS_MX:
		if ((d = rr_rdf(rr, 0, LDNS_RDF_TYPE_INT16)) == NULL ||
		    ldns_rdf_size(d) != 2)
			return -1;
		rec->rr.pref = ldns_rdf2native_int16(d);
		d = rr_rdf(rr, 1, LDNS_RDF_TYPE_DNAME);
		break;
	case DNS_NS:
	case DNS_CNAME:
	case DNS_PTR:
		d = rr_rdf(rr, 0, LDNS_RDF_TYPE_DNAME);
		/* these never point at the root (RFC 7505 is for MX only) */
		if (d != NULL && ldns_rdf_size(d) == 1) {
			*why = ": the root as target";
			return -1;
		}
		break;
	default:
		return 0;
	}
	if (d == NULL)
		return -1;
	/* ldns appends the origin without checking (RFC 1035 2.3.4) */
	if (ldns_rdf_size(d) > LDNS_MAX_DOMAINLEN) {
		*why = ": a name over 255 bytes with the origin";
		return -1;
	}
	if (!wire_name_text(ldns_rdf_data(d), ldns_rdf_size(d), name))
		rec->unusable = true;
	if ((rec->rr.name = strdup(name)) == NULL)
		return -2;
	if (rec->type == DNS_CNAME &&
	    (rec->target = wire_lower(d, &rec->target_len)) == NULL)
		return -2;
	return 0;
}

static void
zone_rec_clear(struct zone_rec *rec)
{
	free(rec->owner);
	free(rec->target);
	free(rec->rr.data);
	free(rec->rr.pieces);
	free(rec->rr.name);
	memset(rec, 0, sizeof(*rec));
}

/* Move rec into the zone (which owns its storage from then on). */
static bool
zone_add(struct zread *r, struct zone_rec *rec, size_t line)
{
	struct zone *z = r->z;

	if (z->n == DNS_ZONE_MAX_RECORDS) {
		dns_zone_lex_error(&r->c, line, "more than %d records",
		    DNS_ZONE_MAX_RECORDS);
		return false;
	}
	if (z->n == z->cap) {
		size_t ncap = z->cap == 0 ? 64 : z->cap * 2;
		struct zone_rec *nr;

		if ((nr = reallocarray(z->rec, ncap, sizeof(*nr))) == NULL) {
			dns_zone_lex_error(&r->c, line, "out of memory");
			return false;
		}
		z->rec = nr;
		z->cap = ncap;
	}
	rec->seq = z->n;
	z->rec[z->n++] = *rec;
	memset(rec, 0, sizeof(*rec));
	return true;
}

/*
 * Types that name no records: OPT and the query-only types (RFC 6895
 * 3.1). ldns knows their names, a zone file cannot hold them.
 */
static bool
type_is_meta(ldns_rr_type type)
{
	return type == 0 || type == LDNS_RR_TYPE_OPT ||
	    (type >= LDNS_RR_TYPE_TKEY && type <= LDNS_RR_TYPE_ANY);
}

/* The class word t if it is one (IN, CH, CLASS3 ...), else 0. */
static ldns_rr_class
tok_class(const struct tok *t)
{
	char w[16];

	if (t->kind != TOK_WORD || t->len >= sizeof(w))
		return 0;
	memcpy(w, t->p, t->len);
	w[t->len] = '\0';
	return ldns_get_rr_class_by_name(w);
}

/* After the owner: [ttl] [class] in either order; the type's index. */
static bool
zread_ttl_class(struct zread *r, size_t *i, uint32_t *ttl)
{
	const struct tok *t;
	bool have_ttl = false, have_class = false;
	ldns_rr_class cl;

	for (; *i < r->ntok; (*i)++) {
		t = &r->tok[*i];
		if (t->kind != TOK_WORD)
			break;
		if (t->p[0] >= '0' && t->p[0] <= '9') {
			if (have_ttl) {
				dns_zone_lex_error(&r->c, t->line,
				    "more than one TTL");
				return false;
			}
			if (zread_ttl(r, t, ttl) == -1)
				return false;
			have_ttl = true;
		} else if (!have_class && (cl = tok_class(t)) != 0) {
			if (cl != LDNS_RR_CLASS_IN) {
				dns_zone_lex_error(&r->c, t->line,
				    "class %.*s: only IN is "
				    "answered", TOK_SHOW(t->len), t->p);
				return false;
			}
			have_class = true;
		} else
			break;
	}
	if (*i == r->ntok) {
		dns_zone_lex_error(&r->c, r->tok[r->ntok - 1].line,
		    "missing type");
		return false;
	}
	return true;
}

/* True if t is a decimal number up to max, in *out. */
static bool
tok_uint(const struct tok *t, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (t->kind != TOK_WORD || t->len == 0)
		return false;
	for (i = 0; i < t->len; i++) {
		if (t->p[i] < '0' || t->p[i] > '9')
			return false;
		if ((v = v * 10 + (unsigned long)(t->p[i] - '0')) > max)
			return false;
	}
	*out = v;
	return true;
}

/* True if t is a word starting with a letter ("PKIX", not "0"). */
static bool
tok_mnemonic(const struct tok *t)
{
	char ch;

	if (t->kind != TOK_WORD || t->len == 0)
		return false;
	ch = (char)(t->p[0] | 0x20);
	return ch >= 'a' && ch <= 'z';
}

/* The rdata from token i on, of the type in tname, as an ldns RR. */
static ldns_rr *
zread_rdata(struct zread *r, size_t i, uint32_t ttl, const char *tname,
    ldns_rr_type type)
{
	ldns_rr *rr;
	unsigned long v;

	if (i == r->ntok) {
		dns_zone_lex_error(&r->c, r->tok[i - 1].line,
		    "missing rdata for %s", tname);
		return NULL;
	}
	/* ldns takes 65536 as 0: the preference is checked here */
	if (type == LDNS_RR_TYPE_MX && !tok_uint(&r->tok[i], 65535, &v)) {
		dns_zone_lex_error(&r->c, r->tok[i].line,
		    "bad MX preference \"%.*s\": "
		    "0 to 65535", TOK_SHOW(r->tok[i].len), r->tok[i].p);
		return NULL;
	}
	/*
	 * ldns 1.8.3 leaks the value of a CERT type that is 0 (modulo
	 * 65536) when it refuses it: refused here first (RFC 4398 2.1).
	 */
	if (type == LDNS_RR_TYPE_CERT && !tok_mnemonic(&r->tok[i]) &&
	    (!tok_uint(&r->tok[i], 65535, &v) || v == 0)) {
		dns_zone_lex_error(&r->c, r->tok[i].line,
		    "bad CERT type \"%.*s\": 1 to "
		    "65535 or a name", TOK_SHOW(r->tok[i].len), r->tok[i].p);
		return NULL;
	}
	if ((type != LDNS_RR_TYPE_TXT && type != LDNS_RR_TYPE_SPF) ||
	    word_is(&r->tok[i], "\\#"))
		return zread_rr_text(r, i, ttl, tname);
	if ((rr = ldns_rr_new()) == NULL) {
		dns_zone_lex_error(&r->c, r->tok[i].line, "out of memory");
		return NULL;
	}
	ldns_rr_set_type(rr, type);
	ldns_rr_set_ttl(rr, ttl);
	if (!zread_txt(r, i, rr, tname)) {
		ldns_rr_free(rr);
		return NULL;
	}
	return rr;
}

/*
 * The record's type and rdata into rec: an RR (ldns), or inkan's
 * "TIMEOUT" / "SERVFAIL" for tests. False after an error.
 */
static bool
zread_type_rdata(struct zread *r, size_t i, uint32_t ttl,
    struct zone_rec *rec)
{
	const struct tok *t = &r->tok[i];
	char tname[16];
	ldns_rr_type type;
	ldns_rr *rr;
	const char *why = "";
	int st;

	if (word_is(t, "TIMEOUT") || word_is(t, "SERVFAIL")) {
		rec->type = word_is(t, "TIMEOUT") ? ZONE_TIMEOUT :
		    ZONE_SERVFAIL;
		if (i + 1 < r->ntok) {
			dns_zone_lex_error(&r->c, r->tok[i + 1].line,
			    "unexpected \"%.*s\" "
			    "after %.*s", TOK_SHOW(r->tok[i + 1].len),
			    r->tok[i + 1].p, (int)t->len, t->p);
			return false;
		}
		return true;
	}
	if (t->kind != TOK_WORD || t->len >= sizeof(tname)) {
		dns_zone_lex_error(&r->c, t->line, "unknown type \"%.*s\"",
		    TOK_SHOW(t->len), t->p);
		return false;
	}
	memcpy(tname, t->p, t->len);
	tname[t->len] = '\0';
	type = ldns_get_rr_type_by_name(tname);
	if (type_is_meta(type)) {
		dns_zone_lex_error(&r->c, t->line, "unknown type \"%s\"",
		    tname);
		return false;
	}
	if ((rr = zread_rdata(r, i + 1, ttl, tname, type)) == NULL)
		return false;
	rec->type = (int)type;
	st = rec_from_ldns(rec, rr, &why);
	ldns_rr_free(rr);
	if (st == -2)
		dns_zone_lex_error(&r->c, t->line, "out of memory");
	else if (st == -1)
		dns_zone_lex_error(&r->c, t->line, "bad %s rdata%s", tname,
		    why);
	return st == 0;
}

/*
 * One record (RFC 1035 5.1): "owner [ttl] [class] TYPE rdata", an owner
 * left blank repeating the previous one; or a directive. False at the end
 * of the input or after an error.
 */
static bool
zone_record(struct zread *r)
{
	struct zone_rec rec;
	const struct tok *t;
	ldns_rdf *owner;
	uint32_t ttl = r->ttl;
	size_t i = 0, line;
	bool ok = false;

	if (!dns_zone_lex_record(r))
		return false;
	if (r->ntok == 0)
		return true;
	t = &r->tok[0];
	line = t->line;
	if (t->col0 && t->kind == TOK_WORD && t->p[0] == '$')
		return zread_directive(r);
	memset(&rec, 0, sizeof(rec));
	if (t->col0) {
		if ((owner = zread_dname(r, t, "owner name")) == NULL)
			return false;
		ldns_rdf_deep_free(r->prev);
		r->prev = owner;
		i = 1;
	} else if ((owner = r->prev) == NULL) {
		dns_zone_lex_error(&r->c, line,
		    "no owner name: a line starting with a "
		    "blank repeats the previous owner, and there is none");
		return false;
	}
	if (zread_ttl_class(r, &i, &ttl) &&
	    zread_type_rdata(r, i, ttl, &rec)) {
		if ((rec.owner = wire_lower(owner, &rec.owner_len)) == NULL)
			dns_zone_lex_error(&r->c, line, "out of memory");
		else
			ok = zone_add(r, &rec, line);
	}
	zone_rec_clear(&rec);
	return ok;
}

/* Names in wire form, in any fixed order (the array is sorted by it). */
int
dns_zone_read_wire_cmp(const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen)
{
	int d = memcmp(a, b, alen < blen ? alen : blen);

	if (d != 0)
		return d;
	return alen < blen ? -1 : alen > blen;
}

static int
zone_rec_cmp(const void *a, const void *b)
{
	const struct zone_rec *x = a, *y = b;
	int d = dns_zone_read_wire_cmp(x->owner, x->owner_len, y->owner,
	    y->owner_len);

	if (d != 0)
		return d;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void
dns_zone_read_free(struct zone *z)
{
	size_t i;

	if (z == NULL)
		return;
	for (i = 0; i < z->n; i++)
		zone_rec_clear(&z->rec[i]);
	free(z->rec);
	free(z);
}

struct zone *
dns_zone_read(const char *src, const char *data, size_t len, struct err *e)
{
	struct zread r;
	bool failed;

	memset(&r, 0, sizeof(r));
	buf_init(&r.text);
	r.ttl = ZONE_DEFAULT_TTL;
	r.c.p = data;
	r.c.end = data + len;
	dns_zone_lex_newline(&r.c);
	/* an editor's mark that would become part of the first owner name */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		dns_zone_lex_error(&r.c, 1,
		    "a UTF-8 byte order mark: save the file without "
		    "it");
	if ((r.z = calloc(1, sizeof(*r.z))) == NULL ||
	    ldns_str2rdf_dname(&r.origin, ".") != LDNS_STATUS_OK)
		dns_zone_lex_error(&r.c, 1, "out of memory");
	while (!r.c.failed && zone_record(&r))
		;
	failed = r.c.failed;
	if (failed) {
		err_set(e, "%s:%zu: %s", src, r.c.err_line, r.c.err);
		dns_zone_read_free(r.z);
	}
	ldns_rdf_deep_free(r.origin);
	ldns_rdf_deep_free(r.prev);
	free(r.tok);
	buf_free(&r.text);
	if (failed)
		return NULL;
	if (r.z->n > 0)
		qsort(r.z->rec, r.z->n, sizeof(*r.z->rec), zone_rec_cmp);
	return r.z;
}
