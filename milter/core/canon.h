/* SPDX-License-Identifier: ISC */
/*
 * canon.h - DKIM canonicalization (RFC 6376 section 3.4).
 * Header fields are canonicalized one at a time into a buffer; the body is
 * canonicalized as it streams, in chunks of any size, and the result is
 * pushed to an emit callback (a hash in production, a buffer in tests).
 * The body is never held: state spans chunks, so a CRLF or a run of white
 * space split over two milter callbacks is handled.
 */
#ifndef INKAN_CANON_H
#define INKAN_CANON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum canon_alg {
	CANON_SIMPLE,
	CANON_RELAXED,
};

/* "simple" or "relaxed" */
const char *canon_name(enum canon_alg);
/* Parse "simple" or "relaxed" (len bytes); 0 or -1. */
int	 canon_parse(const char *s, size_t len, enum canon_alg *out);

/*
 * Append the canonical form of one header field (raw "Name:value" with CRLF
 * inside folded values, no final CRLF) to out, followed by CRLF unless
 * with_crlf is false (the DKIM-Signature field itself is hashed without its
 * final CRLF, RFC 6376 section 3.7).
 */
void	 canon_header(enum canon_alg, const char *raw, size_t len, bool with_crlf,
	    struct buf *out);

/*
 * Canonicalize one header field as canon_header does and feed it to the
 * hash in ctx (an EVP_MD_CTX, the caller's); scratch is reused between
 * calls. 0, or -1 (no memory or a hash failure). Signer and verifier both
 * hash their fields this one way (RFC 6376 3.7).
 */
int	 canon_header_hash(void *ctx, enum canon_alg, const char *raw, size_t len,
	    bool with_crlf, struct buf *scratch);

/* Receives canonical body bytes; returns 0, or -1 to make the body fail. */
typedef int (*canon_emit_fn)(void *arg, const unsigned char *, size_t);

struct canon_body;	/* opaque; defined in canon.c */

struct canon_body *canon_body_new(enum canon_alg, canon_emit_fn, void *arg);
/* 0, or -1 once emit has failed (sticky). */
int	 canon_body_update(struct canon_body *, const unsigned char *, size_t);
/* Flush what the end of the body decides (final CRLF); 0 or -1. */
int	 canon_body_final(struct canon_body *);
void	 canon_body_free(struct canon_body *);

#endif
