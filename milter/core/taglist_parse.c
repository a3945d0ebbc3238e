/* SPDX-License-Identifier: ISC */
/*
 * taglist_parse.c - the tag-list grammar of RFC 6376 section 3.2:
 *
 *   tag-list  = tag-spec *( ";" tag-spec ) [ ";" ]
 *   tag-spec  = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
 *   tag-name  = ALPHA *ALNUMPUNC            ; ALNUMPUNC = ALPHA / DIGIT / "_"
 *   tag-value = [ tval *( 1*(WSP / FWS) tval ) ]
 *   tval      = 1*VALCHAR                   ; VALCHAR = %x21-3A / %x3C-7E
 *   FWS       = [*WSP CRLF] 1*WSP           ; section 2.8
 *
 * Untrusted bytes: a cursor over (p, end) with a sticky error (STYLE.md 5).
 * Leniencies, each for records seen in the wild: FWS after the final ";"
 * ("v=DKIM1; p=...; "), and bytes 0x80-0xFF in values (RFC 8616 lets
 * i= carry a UTF-8 local part). Line breaks must be CRLF; a bare CR or LF,
 * a NUL or another control byte makes the list invalid.
 */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "abnf.h"
#include "taglist_parse.h"

struct cur {
	const char	*p, *end;
	const char	*err;	/* first problem seen; later calls do nothing */
};

static bool
is_alnumpunc(unsigned char c)
{
	return abnf_alpha(c) || (c >= '0' && c <= '9') || c == '_';
}

static bool
is_valchar(unsigned char c)
{
	return (c >= 0x21 && c <= 0x7e && c != ';') || c >= 0x80;
}

/* [FWS]: WSP runs and CRLF followed by WSP; a CRLF without WSP is an error. */
static void
cur_fws(struct cur *c)
{
	if (c->err != NULL)
		return;
	while (c->p < c->end) {
		if (abnf_wsp((unsigned char)*c->p)) {
			c->p++;
			continue;
		}
		if (*c->p != '\r')
			return;
		if (c->end - c->p < 3 || c->p[1] != '\n' ||
		    !abnf_wsp((unsigned char)c->p[2])) {
			c->err = "line break not followed by white space";
			return;
		}
		c->p += 3;
	}
}

/* tag-name = ALPHA *ALNUMPUNC */
static void
cur_tag_name(struct cur *c, struct taglist_view *name)
{
	if (c->err != NULL)
		return;
	if (c->p == c->end || !abnf_alpha((unsigned char)*c->p)) {
		c->err = c->p < c->end && *c->p == ';' ? "empty tag-spec" :
		    "tag name does not start with a letter";
		return;
	}
	name->p = c->p++;
	while (c->p < c->end && is_alnumpunc((unsigned char)*c->p))
		c->p++;
	name->len = (size_t)(c->p - name->p);
}

static void
cur_take(struct cur *c, char want, const char *why)
{
	if (c->err != NULL)
		return;
	if (c->p == c->end || *c->p != want) {
		c->err = why;
		return;
	}
	c->p++;
}

/* tag-value [FWS]: the view ends after the last VALCHAR. */
static void
cur_tag_value(struct cur *c, struct taglist_view *value)
{
	const char *last;

	if (c->err != NULL)
		return;
	value->p = last = c->p;
	while (c->err == NULL && c->p < c->end) {
		unsigned char ch = (unsigned char)*c->p;

		if (is_valchar(ch)) {
			last = ++c->p;
		} else if (abnf_wsp(ch) || ch == '\r') {
			cur_fws(c);
		} else
			break;
	}
	value->len = (size_t)(last - value->p);
	if (c->err == NULL && c->p < c->end && *c->p != ';')
		c->err = "invalid byte in tag value";
}

const char *
taglist_parse(const char *in, size_t len, struct taglist_parsed *out)
{
	struct cur c = { in, in + len, NULL };
	size_t i;

	out->ntags = 0;
	for (;;) {
		struct taglist_tag t;

		cur_fws(&c);
		if (c.err == NULL && c.p == c.end) {
			/* after a ";" (or at the start): the list ends here */
			if (out->ntags == 0)
				c.err = "empty tag-list";
			break;
		}
		cur_tag_name(&c, &t.name);
		cur_fws(&c);
		cur_take(&c, '=', "no '=' after tag name");
		cur_fws(&c);
		cur_tag_value(&c, &t.value);
		if (c.err != NULL)
			break;
		if (out->ntags == TAGLIST_PARSE_MAX_TAGS) {
			c.err = "too many tags";
			break;
		}
		/* 3.2: "Tags with duplicate names MUST NOT occur" */
		for (i = 0; i < out->ntags; i++)
			if (out->tags[i].name.len == t.name.len &&
			    memcmp(out->tags[i].name.p, t.name.p,
			    t.name.len) == 0)
				c.err = "duplicate tag";
		if (c.err != NULL)
			break;
		out->tags[out->ntags++] = t;
		if (c.p == c.end)
			break;
		c.p++;	/* the ';' cur_tag_value stopped at */
	}
	if (c.err != NULL)
		out->ntags = 0;
	return c.err;
}

const struct taglist_tag *
taglist_parse_find(const struct taglist_parsed *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->ntags; i++)
		if (taglist_view_eq(&l->tags[i].name, name))
			return &l->tags[i];
	return NULL;
}

bool
taglist_view_eq(const struct taglist_view *v, const char *s)
{
	size_t n = strlen(s);

	return v->len == n && memcmp(v->p, s, n) == 0;
}

bool
taglist_view_caseeq(const struct taglist_view *v, const char *s)
{
	size_t n = strlen(s);

	return v->len == n && strncasecmp(v->p, s, n) == 0;
}

static bool
is_fws_byte(unsigned char c)
{
	return abnf_wsp(c) || c == '\r' || c == '\n';
}

struct taglist_view
taglist_view_trim(struct taglist_view v)
{
	while (v.len > 0 && is_fws_byte((unsigned char)v.p[0])) {
		v.p++;
		v.len--;
	}
	while (v.len > 0 && is_fws_byte((unsigned char)v.p[v.len - 1]))
		v.len--;
	return v;
}

bool
taglist_view_next_item(struct taglist_view *rest, char sep,
    struct taglist_view *item)
{
	const char *q;

	if (rest->p == NULL)
		return false;
	q = rest->len > 0 ? memchr(rest->p, sep, rest->len) : NULL;
	item->p = rest->p;
	if (q == NULL) {
		item->len = rest->len;
		rest->p = NULL;
		rest->len = 0;
	} else {
		item->len = (size_t)(q - rest->p);
		rest->len -= item->len + 1;
		rest->p = q + 1;
	}
	*item = taglist_view_trim(*item);
	return true;
}

void
taglist_parse_strip_fws(const struct taglist_view *v, struct buf *out)
{
	size_t i, run;

	for (i = 0; i < v->len; i += run) {
		for (run = 0; i + run < v->len &&
		    !is_fws_byte((unsigned char)v->p[i + run]); run++)
			;
		buf_add(out, v->p + i, run);
		if (run == 0)
			run = 1;	/* skip one FWS byte */
	}
}

static bool
is_b64char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

int
taglist_parse_b64(const struct taglist_view *v, size_t max, struct buf *out,
    const char **reason, struct err *e)
{
	struct buf enc = BUF_INIT;
	size_t i, npad = 0, dlen;
	int n;

	*reason = NULL;
	buf_reset(out);
	taglist_parse_strip_fws(v, &enc);
	if (buf_failed(&enc)) {
		buf_free(&enc);
		return err_set(e, "no memory for base64 value");
	}
	for (i = 0; i < enc.len; i++) {
		unsigned char ch = (unsigned char)enc.data[i];

		if (ch == '=')
			npad++;
		else if (!is_b64char(ch) || npad > 0)
			*reason = "invalid base64";
	}
	if (*reason == NULL && (enc.len % 4 != 0 || npad > 2))
		*reason = "invalid base64 length or padding";
	/* max is at most SIZE_MAX, so this never overflows */
	if (*reason == NULL && enc.len / 4 > max / 3 + 1)
		*reason = "base64 value too long";
	if (*reason == NULL && enc.len > INT_MAX)
		*reason = "base64 value too long";
	if (*reason != NULL || enc.len == 0) {
		buf_free(&enc);
		return 0;
	}
	dlen = enc.len / 4 * 3;
	if (buf_reserve(out, dlen) == -1) {
		buf_free(&enc);
		return err_set(e, "no memory for base64 value");
	}
	/* EVP_DecodeBlock writes the padding as zero bytes; drop them. */
	n = EVP_DecodeBlock((unsigned char *)out->data,
	    (const unsigned char *)enc.data, (int)enc.len);
	buf_free(&enc);
	if (n < 0 || (size_t)n != dlen) {
		*reason = "invalid base64";
		return 0;
	}
	out->len = dlen - npad;
	out->data[out->len] = '\0';
	if (out->len > max) {
		buf_reset(out);
		*reason = "base64 value too long";
	}
	return 0;
}

void
taglist_view_display(char *dst, size_t dstlen, const struct taglist_view *v)
{
	size_t i, n = 0;

	for (i = 0; v->p != NULL && i < v->len && n + 1 < dstlen; i++) {
		unsigned char c = (unsigned char)v->p[i];

		if (c > 32 && c < 127 && c != ';' && c != '"' && c != '\\' &&
		    c != '(' && c != ')')
			dst[n++] = (char)c;
	}
	dst[n] = '\0';
}
