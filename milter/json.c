/* SPDX-License-Identifier: ISC */
/*
 * json.c - JSON string escaping. Bytes that are not valid UTF-8 are written
 * as U+FFFD so the output always parses, whatever a message contained.
 */
#include <string.h>

#include "json.h"

/* Length of the valid UTF-8 sequence at p (1 to 4), or 0 if invalid. */
static size_t
utf8_len(const unsigned char *p, size_t left)
{
	size_t n, i;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

void
json_strn(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	buf_addc(out, '"');
	while (p < end) {
		size_t n;

		if (*p == '"' || *p == '\\') {
			buf_addc(out, '\\');
			buf_addc(out, (char)*p++);
		} else if (*p == '\n') {
			buf_adds(out, "\\n");
			p++;
		} else if (*p == '\r') {
			buf_adds(out, "\\r");
			p++;
		} else if (*p == '\t') {
			buf_adds(out, "\\t");
			p++;
		} else if (*p < 0x20) {
			buf_printf(out, "\\u%04x", *p);
			p++;
		} else if ((n = utf8_len(p, (size_t)(end - p))) == 0) {
			buf_adds(out, "\\ufffd");
			p++;
		} else {
			buf_add(out, p, n);
			p += n;
		}
	}
	buf_addc(out, '"');
}

void
json_str(struct buf *out, const char *s)
{
	if (s == NULL)
		buf_adds(out, "null");
	else
		json_strn(out, s, strlen(s));
}
