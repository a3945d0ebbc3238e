/* SPDX-License-Identifier: ISC */
/*
 * mime.c - finding the report attachments of a mail message: the header
 * section (RFC 5322 2.2, folded lines unfolded), Content-Type with its
 * boundary and name parameters (RFC 2045 5.1), Content-Disposition's
 * filename (RFC 2183, and RFC 2231's filename* taken as its raw value),
 * multipart bodies split at their boundary lines (RFC 2046 5.1.1),
 * message/rfc822 parts walked as messages (a forwarded report), and
 * the two transfer encodings (RFC 2045 6.7, 6.8). Base64 goes through
 * OpenSSL after dropping what is not of its alphabet (line breaks,
 * spaces, junk: RFC 2045 6.8 says to ignore it).
 * Works on (pointer, end); lines may end in CRLF or LF alone (a
 * message stored by a local delivery agent). Every loop is bounded by
 * the input, nesting by RCV_MIME_MAX_DEPTH, parts by RCV_MIME_MAX_PARTS.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "buf.h"
#include "err.h"
#include "mime.h"

#define VALUE_MAX	4096	/* bytes kept of a header field we read */

struct entity_hdrs {
	struct buf	 ctype;		/* Content-Type, unfolded */
	struct buf	 cte;		/* Content-Transfer-Encoding */
	struct buf	 disp;		/* Content-Disposition */
};

struct walk {
	const struct rcv_sink	*s;
	const char		*label;
	struct err		*e;
	size_t			 parts, found;
	int			 rc;		/* -1: a sink failed: stop */
};

/* The end of the line at p (after its LF), or end. */
static const char *
line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl != NULL ? nl + 1 : end;
}

/* Is [p, q) an empty line? */
static bool
blank(const char *p, const char *q)
{
	return (q - p == 1 && p[0] == '\n') ||
	    (q - p == 2 && p[0] == '\r' && p[1] == '\n') ||
	    (q == p);
}

/* Append the line [p, q) without its line break, capped. */
static void
add_line(struct buf *b, const char *p, const char *q)
{
	while (q > p && (q[-1] == '\n' || q[-1] == '\r'))
		q--;
	if (b->len + (size_t)(q - p) <= VALUE_MAX)
		buf_add(b, p, (size_t)(q - p));
}

/*
 * Read the header section at [p, end): the fields we need into h, and
 * the start of the body (after the empty line; end if there is none).
 */
static const char *
headers(const char *p, const char *end, struct entity_hdrs *h)
{
	struct buf *cur = NULL;
	const char *q, *start = p;

	while (p < end) {
		q = line_end(p, end);
		if (blank(p, q))
			return q;
		if ((size_t)(q - start) > RCV_MIME_MAX_HEADER)
			return end;	/* not a message: no body */
		if (*p == ' ' || *p == '\t') {
			if (cur != NULL)
				add_line(cur, p, q);	/* a folded line */
		} else {
			const char *colon = memchr(p, ':', (size_t)(q - p));
			size_t n = colon != NULL ? (size_t)(colon - p) : 0;

			cur = NULL;
			if (n == 12 && strncasecmp(p, "Content-Type", n) == 0)
				cur = &h->ctype;
			else if (n == 25 && strncasecmp(p,
			    "Content-Transfer-Encoding", n) == 0)
				cur = &h->cte;
			else if (n == 19 && strncasecmp(p,
			    "Content-Disposition", n) == 0)
				cur = &h->disp;
			if (cur != NULL) {
				buf_reset(cur);
				add_line(cur, colon + 1, q);
			}
		}
		p = q;
	}
	return end;
}

/* The lowercase type/subtype of a Content-Type value into out. */
static void
media_type(const char *v, char *out, size_t outlen)
{
	size_t i = 0;

	while (*v == ' ' || *v == '\t')
		v++;
	for (; *v != '\0' && *v != ';' && *v != ' ' && *v != '\t' &&
	    *v != '(' && i + 1 < outlen; v++)
		out[i++] = (char)tolower((unsigned char)*v);
	out[i] = '\0';
}

/*
 * The value of parameter name (case ignored) of a header value into out
 * ("" if absent): token or quoted-string (RFC 2045 5.1), quotes and
 * backslashes removed. For "filename*" (RFC 2231) the part after the
 * charset'language' prefix, percent escapes kept as they are: it is
 * only looked at for its extension.
 */
static void
param(const char *v, const char *name, char *out, size_t outlen)
{
	size_t nlen = strlen(name), i;
	const char *p = strchr(v, ';');

	out[0] = '\0';
	while (p != NULL) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, name, nlen) == 0 && (p[nlen] == '=' ||
		    (p[nlen] == '*' && strchr(p + nlen, '=') != NULL))) {
			bool ext = p[nlen] == '*';

			p = strchr(p + nlen, '=') + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			i = 0;
			if (*p == '"') {
				for (p++; *p != '\0' && *p != '"'; p++) {
					if (*p == '\\' && p[1] != '\0')
						p++;
					if (i + 1 < outlen)
						out[i++] = *p;
				}
			} else
				for (; *p != '\0' && *p != ';' && *p != ' ' &&
				    *p != '\t'; p++)
					if (i + 1 < outlen)
						out[i++] = *p;
			out[i] = '\0';
			if (ext && strchr(out, '\'') != NULL) {
				char *last = strrchr(out, '\'') + 1;

				memmove(out, last, strlen(last) + 1);
			}
			return;
		}
		p = strchr(p, ';');
	}
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

static bool
report_part(const char *type, const char *fname)
{
	static const char *const types[] = { "application/gzip",
	    "application/x-gzip", "application/zip",
	    "application/x-zip-compressed", "application/x-zip",
	    "text/xml", "application/xml", NULL };
	size_t i;

	for (i = 0; types[i] != NULL; i++)
		if (strcmp(type, types[i]) == 0)
			return true;
	return ends_with(fname, ".xml") || ends_with(fname, ".gz") ||
	    ends_with(fname, ".zip") || ends_with(fname, ".gzip");
}

void
rcv_mime_base64(const char *p, size_t len, struct buf *out)
{
	EVP_ENCODE_CTX *ctx;
	unsigned char in[4096], dec[4096];
	size_t i, n = 0;
	int outl;

	if ((ctx = EVP_ENCODE_CTX_new()) == NULL) {
		buf_truncate(out, 0);
		out->failed = true;
		return;
	}
	EVP_DecodeInit(ctx);
	for (i = 0; i <= len; i++) {
		/* RFC 2045 6.8: characters outside the alphabet are ignored */
		if (i < len && (isalnum((unsigned char)p[i]) || p[i] == '+' ||
		    p[i] == '/' || p[i] == '=')) {
			in[n++] = (unsigned char)p[i];
			if (n < sizeof(in))
				continue;
		}
		if (n == 0)
			continue;
		if (EVP_DecodeUpdate(ctx, dec, &outl, in, (int)n) < 0) {
			n = 0;
			break;	/* bad data: keep what came before */
		}
		buf_add(out, dec, (size_t)outl);
		n = 0;
	}
	if (EVP_DecodeFinal(ctx, dec, &outl) == 1)
		buf_add(out, dec, (size_t)outl);
	EVP_ENCODE_CTX_free(ctx);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

void
rcv_mime_qp(const char *p, size_t len, struct buf *out)
{
	const char *end = p + len;
	int h, l;

	while (p < end) {
		if (*p != '=') {
			buf_addc(out, *p++);
			continue;
		}
		if (end - p >= 3 && (h = hexval(p[1])) >= 0 &&
		    (l = hexval(p[2])) >= 0) {
			buf_addc(out, (char)(h * 16 + l));
			p += 3;
			continue;
		}
		/* a soft line break: '=' then white space then CRLF or LF */
		{
			const char *q = p + 1;

			while (q < end && (*q == ' ' || *q == '\t'))
				q++;
			if (q < end && *q == '\r')
				q++;
			if (q < end && *q == '\n') {
				p = q + 1;
				continue;
			}
		}
		buf_addc(out, *p++);	/* a lone '=' kept (RFC 2045 6.7 note) */
	}
}

static void entity(struct walk *, const char *, const char *, int);

static void
leaf(struct walk *w, const struct entity_hdrs *h, const char *type,
    const char *body, const char *end)
{
	struct buf dec = BUF_INIT;
	char fname[256], cte[32], label[1200];

	param(buf_str(&h->disp), "filename", fname, sizeof(fname));
	if (fname[0] == '\0')
		param(buf_str(&h->ctype), "name", fname, sizeof(fname));
	if (!report_part(type, fname))
		return;
	w->found++;
	if (fname[0] != '\0')
		snprintf(label, sizeof(label), "%s: %s", w->label, fname);
	else
		snprintf(label, sizeof(label), "%s: part %zu", w->label,
		    w->parts);
	media_type(buf_str(&h->cte), cte, sizeof(cte));
	if (strcmp(cte, "base64") == 0)
		rcv_mime_base64(body, (size_t)(end - body), &dec);
	else if (strcmp(cte, "quoted-printable") == 0)
		rcv_mime_qp(body, (size_t)(end - body), &dec);
	else
		buf_add(&dec, body, (size_t)(end - body));
	if (buf_failed(&dec)) {
		w->rc = err_set(w->e, "out of memory");
		return;
	}
	w->rc = rcv_unpack(w->s, label, dec.data, dec.len, false, w->e);
	buf_free(&dec);
}

/* Is [p, q) the delimiter line of boundary b? 1, 2 (the close), or 0. */
static int
delimiter(const char *p, const char *q, const char *b, size_t blen)
{
	if ((size_t)(q - p) < blen + 2 || p[0] != '-' || p[1] != '-' ||
	    memcmp(p + 2, b, blen) != 0)
		return 0;
	p += blen + 2;
	if (q - p >= 2 && p[0] == '-' && p[1] == '-')
		return 2;
	/* RFC 2046 5.1.1: only transport padding may follow */
	while (p < q && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p == q ? 1 : 0;
}

static void
multipart(struct walk *w, const char *boundary, const char *body,
    const char *end, int depth)
{
	size_t blen = strlen(boundary);
	const char *p = body, *q, *part = NULL, *pend;
	int d;

	if (blen == 0)
		return;
	while (p < end && w->rc == 0) {
		q = line_end(p, end);
		if ((d = delimiter(p, q, boundary, blen)) != 0) {
			if (part != NULL) {
				/* the line break before it is the delimiter's */
				pend = p;
				if (pend > part && pend[-1] == '\n')
					pend--;
				if (pend > part && pend[-1] == '\r')
					pend--;
				entity(w, part, pend, depth + 1);
			}
			if (d == 2)
				return;
			part = q;
		}
		p = q;
	}
	if (part != NULL && w->rc == 0)
		entity(w, part, end, depth + 1);	/* no close delimiter */
}

/* One MIME entity (header section and body) at [p, end). */
static void
entity(struct walk *w, const char *p, const char *end, int depth)
{
	struct entity_hdrs h = { BUF_INIT, BUF_INIT, BUF_INIT };
	const char *body;
	char type[128], boundary[128];

	if (depth > RCV_MIME_MAX_DEPTH || w->rc != 0)
		return;
	body = headers(p, end, &h);
	media_type(buf_str(&h.ctype), type, sizeof(type));
	if (strncmp(type, "multipart/", 10) == 0) {
		param(buf_str(&h.ctype), "boundary", boundary,
		    sizeof(boundary));
		multipart(w, boundary, body, end, depth);
	} else if (strcmp(type, "message/rfc822") == 0)
		entity(w, body, end, depth + 1);
	else if (++w->parts <= RCV_MIME_MAX_PARTS)
		leaf(w, &h, type, body, end);
	buf_free(&h.ctype);
	buf_free(&h.cte);
	buf_free(&h.disp);
}

int
rcv_mime(const struct rcv_sink *s, const char *label, const void *p,
    size_t len, struct err *e)
{
	struct walk w = { s, label, e, 0, 0, 0 };

	entity(&w, p, (const char *)p + len, 0);
	if (w.rc != 0)
		return w.rc;
	if (w.found == 0)
		return s->refused(s->arg, label, w.parts > 0 ?
		    "no DMARC report attached (no XML, gzip or zip part)" :
		    "not a report nor a message with one", e);
	return 0;
}
