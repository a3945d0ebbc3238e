/* SPDX-License-Identifier: ISC */
/*
 * xml_text.c - untrusted bytes as well-formed XML 1.0 text (see
 * xml_text.h). One decoder (utf8.c) decides what is valid UTF-8; this
 * file decides what XML can hold (section 2.2, Char) and how to escape
 * it (section 2.4: '<' and '&' always, '>' so that "]]>" cannot appear,
 * the quotes so the text may also stand in an attribute value).
 */
#include "utf8.h"
#include "xml_text.h"

bool
xml_char(uint32_t cp)
{
	return cp == 0x9 || cp == 0xa || cp == 0xd ||
	    (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
	    (cp >= 0x10000 && cp <= 0x10ffff);
}

/*
 * The length of what to take at p: a valid UTF-8 sequence (its code point
 * in *ok is then true if it is a Char), or one byte that starts none.
 * A well-formed sequence that is not a Char (U+FFFE) is replaced whole.
 */
static size_t
take(const unsigned char *p, size_t left, uint32_t *cp, bool *ok)
{
	size_t n;

	if ((n = utf8_decode(p, left, cp)) == 0) {
		*ok = false;
		return 1;
	}
	*ok = xml_char(*cp);
	return n;
}

void
xml_text(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p, *end;
	uint32_t cp;
	size_t n;
	bool ok;

	if (len == 0)
		return;		/* s may be NULL then */
	p = (const unsigned char *)s;
	end = p + len;
	while (p < end) {
		n = take(p, (size_t)(end - p), &cp, &ok);
		if (!ok) {
			buf_adds(out, XML_TEXT_REPLACEMENT);
			p += n;
			continue;
		}
		switch (cp) {
		case '&': buf_adds(out, "&amp;"); break;
		case '<': buf_adds(out, "&lt;"); break;
		case '>': buf_adds(out, "&gt;"); break;
		case '"': buf_adds(out, "&quot;"); break;
		case '\'': buf_adds(out, "&apos;"); break;
		case '\t': buf_adds(out, "&#9;"); break;
		case '\n': buf_adds(out, "&#10;"); break;
		case '\r': buf_adds(out, "&#13;"); break;
		default: buf_add(out, p, n); break;
		}
		p += n;
	}
}

size_t
xml_text_clean(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p, *end;
	uint32_t cp;
	size_t n, bad = 0;
	bool ok;

	if (len == 0)
		return 0;	/* s may be NULL then */
	p = (const unsigned char *)s;
	end = p + len;
	while (p < end) {
		if (*p < 0x20 || *p == 0x7f) {
			buf_addc(out, '?');
			bad++;
			p++;
		} else if (n = take(p, (size_t)(end - p), &cp, &ok), !ok) {
			buf_adds(out, XML_TEXT_REPLACEMENT);
			bad++;
			p += n;
		} else {
			buf_add(out, p, n);
			p += n;
		}
	}
	return bad;
}
