/* SPDX-License-Identifier: ISC */
/*
 * ar.h - the Authentication-Results header field (RFC 8601).
 * Writing: one field per message, authserv-id first, one resinfo per
 * result, each on its own folded line. Reading: the authserv-id of an
 * existing field, to find forged ones that claim to be ours (section 5),
 * the spf results of a field from a relay the admin trusts
 * (trusted_authserv_ids), and every result of a field (ar_read_results:
 * an ARC sealer's ARC-Authentication-Results).
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

/*
 * The general reader: every resinfo of a value (an ARC-Authentication-
 * Results payload after "i=N;", or an Authentication-Results value), with
 * its method, result and properties, for the results a trusted ARC sealer
 * recorded (dkim=, spf=, dmarc=). Caps: a value with more resinfos or
 * properties than these is read whole (its grammar checked) and the rest
 * only counted in dropped; no header inkan meets comes close (its own
 * A-R has one resinfo per check, a few properties each).
 */
#define AR_MAX_RESINFO	16
#define AR_MAX_PROPS	8

struct ar_prop {
	struct ar_view	 ptype, property, value;
	bool		 bare;	/* token characters and '@' only, unquoted */
};

struct ar_resinfo {
	struct ar_view	 method;	/* the method, without its version */
	bool		 known;		/* result is one of RFC 8601 2.7's words */
	enum auth_result result;
	struct ar_prop	 prop[AR_MAX_PROPS];
	size_t		 nprop;
	size_t		 dropped;	/* properties past AR_MAX_PROPS */
};

struct ar_results {
	char		 id[AR_ID_MAX];	/* the authserv-id, unquoted */
	struct ar_resinfo ri[AR_MAX_RESINFO];
	size_t		 n;
	size_t		 dropped;	/* resinfos past AR_MAX_RESINFO */
};

/*
 * Read value by the grammar of RFC 8601 2.2 into out (the no-result form
 * "; none" gives n = 0). 0, or -1 when it does not follow the grammar:
 * then out->n is 0 and nothing in it is used. Views point into value.
 */
int	 ar_read_results(const char *value, size_t len, struct ar_results *out);
/*
 * The next resinfo at or after *from whose method is method (case-
 * insensitively) and result is result; *from moves past it. NULL at the end.
 */
const struct ar_resinfo *ar_results_find(const struct ar_results *,
	    const char *method, enum auth_result result, size_t *from);
/* The first bare value of property ptype.property of ri, or NULL. */
const struct ar_view *ar_resinfo_prop(const struct ar_resinfo *,
	    const char *ptype, const char *property);

#endif
