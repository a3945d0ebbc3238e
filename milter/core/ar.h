/* SPDX-License-Identifier: ISC */
/*
 * ar.h - the Authentication-Results header field (RFC 8601).
 * Writing: one field per message, authserv-id first, one resinfo per
 * result, each on its own folded line. Reading: the authserv-id of an
 * existing field, to find forged ones that claim to be ours (section 5),
 * and the spf results of a field from a relay the admin trusts
 * (trusted_authserv_ids).
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

/* An authserv-id as ar_read_spf copies it: a domain name, in practice. */
#define AR_ID_MAX	256

/* len bytes at p, a view into the value read; no NUL after them. */
struct ar_view {
	const char	*p;
	size_t		 len;
};

/* One spf resinfo (RFC 8601 2.7.2) and the identity it is about. */
struct ar_spf_result {
	bool		 found;
	enum auth_result result;
	/* the smtp.mailfrom (an address or a domain) or smtp.helo value */
	struct ar_view	 value;
};

struct ar_spf {
	char		 id[AR_ID_MAX];	/* the authserv-id, unquoted */
	struct ar_spf_result mailfrom;	/* first spf= with smtp.mailfrom */
	struct ar_spf_result helo;	/* first spf= with smtp.helo */
};

/*
 * Read an Authentication-Results value by the grammar of RFC 8601 2.2:
 * its authserv-id, and the first spf resinfo for smtp.mailfrom and the
 * first for smtp.helo. A property value is taken only when it is bare (an
 * address or domain of token characters): a quoted one leaves the result
 * out, as does a result word not in 2.7. 0, or -1 when the value does not
 * follow the grammar: then nothing in it is used (out->mailfrom and
 * out->helo not found). Views point into value.
 */
int	 ar_read_spf(const char *value, size_t len, struct ar_spf *out);

#endif
