/* SPDX-License-Identifier: ISC */
/*
 * utf8.c - strict decoding of one UTF-8 sequence (see utf8.h).
 * The lead-byte ranges and the bounds checked after decoding are those of
 * RFC 3629 section 4 (UTF8-2 .. UTF8-4): C0, C1 and F5..FF never start a
 * sequence, E0 needs a result of at least U+0800, F0 at least U+10000, and
 * ED must not give a surrogate.
 */
#include "utf8.h"

size_t
utf8_decode(const unsigned char *p, size_t left, uint32_t *cp)
{
	size_t n, i;
	uint32_t c;

	if (left == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, c = p[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	*cp = c;
	return n;
}
