/* SPDX-License-Identifier: ISC */
/*
 * ar.h - the Authentication-Results header field (RFC 8601).
 * Writing: one field per message, authserv-id first, one resinfo per
 * result, each on its own folded line. Reading: only the authserv-id of an
 * existing field, to find forged ones that claim to be ours (section 5).
 */
#ifndef INKAN_AR_H
#define INKAN_AR_H

#include <stdbool.h>
#include <stddef.h>

#include "auth_result.h"
#include "buf.h"

#define AR_FIELD	"Authentication-Results"

/* Start a value: " authserv-id" (a leading space, as on the wire). */
void	 ar_begin(struct buf *out, const char *authserv_id);
/*
 * Add ";" and a resinfo: "method=result (reason)" then each property as
 * "ptype.property=value" (value quoted when it is not a token). props is
 * a NULL-terminated list of name, value pairs; a NULL or empty value skips
 * the pair.
 */
void	 ar_add(struct buf *out, const char *method, enum auth_result,
	    const char *reason, const char *const *props);
/* Finish: if nothing was added, the RFC's "; none". */
void	 ar_end(struct buf *out, bool any);
/*
 * Does this Authentication-Results value claim to come from authserv_id?
 * Comments and folding before it are skipped; the id compares
 * case-insensitively (it is a domain name in practice). A value that does
 * not parse but mentions authserv_id counts as a claim: such a field would
 * only confuse whoever reads it after us.
 */
bool	 ar_claims(const char *value, size_t len, const char *authserv_id);
/*
 * Do two authserv-ids name the same server: case-insensitively, and with
 * one trailing dot on either ignored ("mx.example.com." is "mx.example.com").
 */
bool	 ar_id_equal(const char *a, const char *b);

#endif
