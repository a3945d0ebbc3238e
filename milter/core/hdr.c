/* SPDX-License-Identifier: ISC */
/*
 * hdr.c - header field list (see hdr.h).
 * Line ends are normalised on the way in: an MTA may hand a folded value
 * over with LF or CRLF, and DKIM's simple header canonicalization needs the
 * CRLF form that is on the wire (RFC 6376 section 3.4.1).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "abnf.h"
#include "hdr.h"

void
hdr_list_init(struct hdr_list *l)
{
	memset(l, 0, sizeof(*l));
}

void
hdr_list_free(struct hdr_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->f[i].raw);
	free(l->f);
	hdr_list_init(l);
}

/* Bytes the value takes once each bare LF has become CRLF. */
static size_t
crlf_len(const char *v, size_t len)
{
	size_t i, n = len;

	for (i = 0; i < len; i++)
		if (v[i] == '\n' && (i == 0 || v[i - 1] != '\r'))
			n++;
	return n;
}

static char *
crlf_copy(char *dst, const char *v, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (v[i] == '\n' && (i == 0 || v[i - 1] != '\r'))
			*dst++ = '\r';
		*dst++ = v[i];
	}
	return dst;
}

static enum hdr_add_result
hdr_list_push(struct hdr_list *l, const char *name, size_t name_len,
    const char *value, size_t value_len)
{
	struct hdr_field *nf;
	size_t vlen, total;
	char *raw, *p;

	/* A value ending in a line end would leave a dangling CRLF. */
	while (value_len > 0 && (value[value_len - 1] == '\n' ||
	    value[value_len - 1] == '\r'))
		value_len--;
	if (l->n >= HDR_MAX_FIELDS || name_len > HDR_MAX_FIELD_LEN ||
	    value_len > HDR_MAX_FIELD_LEN)
		goto refuse;
	vlen = crlf_len(value, value_len);
	total = name_len + 1 + vlen;
	if (total > HDR_MAX_FIELD_LEN || total > HDR_MAX_TOTAL - l->total)
		goto refuse;
	if (l->n == l->cap) {
		size_t ncap = l->cap == 0 ? 32 : l->cap * 2;

		nf = reallocarray(l->f, ncap, sizeof(*nf));
		if (nf == NULL)
			return HDR_NOMEM;
		l->f = nf;
		l->cap = ncap;
	}
	if ((raw = malloc(total + 1)) == NULL)
		return HDR_NOMEM;
	memcpy(raw, name, name_len);
	raw[name_len] = ':';
	p = crlf_copy(raw + name_len + 1, value, value_len);
	*p = '\0';
	l->f[l->n].raw = raw;
	l->f[l->n].raw_len = (size_t)(p - raw);
	l->f[l->n].name_len = name_len;
	l->f[l->n].key_len = hdr_name_len(raw, name_len);
	l->n++;
	l->total += total;
	return HDR_ADDED;
refuse:
	l->overflow = true;
	return HDR_REFUSED;
}

enum hdr_add_result
hdr_list_add(struct hdr_list *l, const char *name, size_t name_len,
    const char *value, size_t value_len)
{
	return hdr_list_push(l, name, name_len, value, value_len);
}

enum hdr_add_result
hdr_list_add_raw(struct hdr_list *l, const char *raw, size_t len)
{
	const char *colon = memchr(raw, ':', len);

	if (colon == NULL) {
		/* Not a header field; RFC 5322 2.2 needs the colon. */
		l->overflow = true;
		return HDR_REFUSED;
	}
	return hdr_list_push(l, raw, (size_t)(colon - raw), colon + 1,
	    len - (size_t)(colon - raw) - 1);
}

bool
hdr_name_valid(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (*s < 33 || *s > 126 || *s == ':')
			return false;
	return true;
}

size_t
hdr_name_len(const char *name, size_t len)
{
	while (len > 0 && abnf_wsp((unsigned char)name[len - 1]))
		len--;
	return len;
}

bool
hdr_field_is(const struct hdr_field *f, const char *name, size_t len)
{
	return f->key_len == len && strncasecmp(f->raw, name, len) == 0;
}

const char *
hdr_field_value(const struct hdr_field *f, size_t *len)
{
	*len = f->raw_len - f->name_len - 1;
	return f->raw + f->name_len + 1;
}

size_t
hdr_list_count(const struct hdr_list *l, const char *name)
{
	size_t i, n = 0, len = strlen(name);

	for (i = 0; i < l->n; i++)
		if (hdr_field_is(&l->f[i], name, len))
			n++;
	return n;
}

long
hdr_list_find(const struct hdr_list *l, const char *name, size_t start)
{
	size_t i, len = strlen(name);

	for (i = start; i < l->n; i++)
		if (hdr_field_is(&l->f[i], name, len))
			return (long)i;
	return -1;
}
