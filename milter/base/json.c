/* SPDX-License-Identifier: ISC */
/*
 * json.c - JSON string escaping. Bytes that are not valid UTF-8 are written
 * as U+FFFD so the output always parses, whatever a message contained.
 */
#include <string.h>

#include "json.h"
#include "utf8.h"

void
json_strn(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	buf_addc(out, '"');
	while (p < end) {
		uint32_t cp;
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
		} else if ((n = utf8_decode(p, (size_t)(end - p), &cp)) == 0) {
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
