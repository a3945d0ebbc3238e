/* SPDX-License-Identifier: ISC */
/*
 * abnf.h - the core rules of RFC 5234 Appendix B.1 that the record
 * grammars (DKIM tag lists, SPF, DMARC) and canonicalization are written
 * in: WSP, ALPHA, DIGIT, HEXDIG. ASCII only, whatever the locale: these
 * are protocol bytes, not text, so <ctype.h> is not used.
 */
#ifndef INKAN_ABNF_H
#define INKAN_ABNF_H

#include <stdbool.h>

/* WSP = SP / HTAB */
static inline bool
abnf_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* ALPHA = %x41-5A / %x61-7A */
static inline bool
abnf_alpha(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* DIGIT = %x30-39 */
static inline bool
abnf_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* HEXDIG = DIGIT / "A" / ... / "F", case-insensitive as ABNF strings are */
static inline bool
abnf_hexdig(unsigned char c)
{
	return abnf_digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

#endif
