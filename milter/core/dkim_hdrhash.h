/* SPDX-License-Identifier: ISC */
/*
 * dkim_hdrhash.h - the DKIM header hash (RFC 6376 3.7) and the choice of
 * the fields it covers (5.4.2), one function for signer and verifier.
 */
#ifndef INKAN_DKIM_HDRHASH_H
#define INKAN_DKIM_HDRHASH_H

#include <stddef.h>

#include "canon.h"
#include "err.h"
#include "hdr.h"
#include "taglist_parse.h"

/*
 * SHA-256 over the fields the h= names (names[0..n)) sign, then over
 * self (the signature field, "Name:value" with b= empty, no final CRLF),
 * each canonicalized with hcanon. Fields are chosen bottom-up: the k-th
 * entry of a name signs its k-th instance counted from the last field,
 * and an entry with no instance left hashes as nothing (5.4.2; this is
 * what makes oversigning work). skip (may be NULL) is never chosen: the
 * signature field being verified. 0, or -1 with e filled in.
 */
int	 dkim_hdrhash(const struct hdr_list *, const struct hdr_field *skip,
	    const struct taglist_view *names, size_t n, enum canon_alg hcanon,
	    const char *self, size_t selflen, unsigned char digest[32],
	    struct err *e);

/*
 * The field the j-th of names[0..n) signs (5.4.2), or NULL when no
 * instance is left for it.
 */
const struct hdr_field *dkim_hdrhash_pick(const struct hdr_list *,
	    const struct hdr_field *skip, const struct taglist_view *names,
	    size_t j);

/*
 * Append to out the signature field f as it is hashed (3.7): "Name:value"
 * with the b= value (b_len bytes at b_off in the value) "including all
 * surrounding whitespace" deleted, from just after "b=" to the next ';'
 * or the end. The caller checks buf_failed(out).
 */
void	 dkim_hdrhash_self(const struct hdr_field *f, size_t b_off,
	    size_t b_len, struct buf *out);

#endif
