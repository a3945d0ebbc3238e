/* SPDX-License-Identifier: ISC */
/*
 * utf8.h - decoding one UTF-8 sequence strictly (RFC 3629 section 4):
 * the shortest form only (no overlong encodings such as C0 80), no
 * surrogates (U+D800..U+DFFF encoded in UTF-8, CESU-8 style), nothing
 * above U+10FFFF, no sequence cut short by the end of the input.
 * No I/O, no allocation. Used by every writer that must put untrusted
 * bytes into a format that requires UTF-8 (json.c, xml_text.c).
 */
#ifndef INKAN_UTF8_H
#define INKAN_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * The length (1 to 4) of the valid UTF-8 sequence at p, with left bytes
 * available (left > 0), and its code point in *cp; 0 if the bytes at p do
 * not start one (*cp is then unset).
 */
size_t	 utf8_decode(const unsigned char *p, size_t left, uint32_t *cp);

#endif
