/* SPDX-License-Identifier: ISC */
/*
 * dkim_sig.h - parsing the value of a DKIM-Signature header field from an
 * untrusted message (RFC 6376 section 3.5; RFC 8301 for rsa-sha1; RFC 8463
 * for ed25519-sha256). The outcome (ok or permerror, with a static reason)
 * is data; -1 means the parse could not be done (no memory).
 * Owner: the caller owns the struct dkim_sig and frees it with
 * dkim_sig_free(). Views (struct taglist_view) point into the value given
 * to dkim_sig_parse(), which must outlive the struct; b, bh and h are
 * owned by the struct.
 * Not here: key lookup, hashing, time checks against now (the verifier).
 */
#ifndef INKAN_DKIM_SIG_H
#define INKAN_DKIM_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "canon.h"
#include "err.h"
#include "taglist_parse.h"

/*
 * h= names each header field a verifier must look up and hash; real
 * signatures name a few dozen at most (oversigning included). 256 bounds
 * the array allocated here and the verifier's work per signature.
 */
#define DKIM_SIG_MAX_H		256
/* b= is one signature: 1024 bytes for RSA-8192, the largest key we take. */
#define DKIM_SIG_MAX_B		1024
/* bh= is one digest: 32 bytes for SHA-256; 64 leaves slack, no more. */
#define DKIM_SIG_MAX_BH		64
/* ABNF of l= (3.5): 1*76DIGIT. */
#define DKIM_SIG_MAX_L_DIGITS	76

enum dkim_sig_outcome {
	DKIM_SIG_OK,
	DKIM_SIG_PERMERROR,
};

enum dkim_sig_alg {
	DKIM_SIG_RSA_SHA256,
	DKIM_SIG_RSA_SHA1,	/* parsed; RFC 8301 3.1: never passes */
	DKIM_SIG_ED25519_SHA256,
};

struct dkim_sig {
	enum dkim_sig_outcome	 outcome;
	const char		*reason;	/* static; NULL when ok */

	enum dkim_sig_alg	 alg;		/* a= */
	bool			 weak_alg;	/* a=rsa-sha1 (RFC 8301) */
	struct buf		 b;		/* b=, decoded */
	struct buf		 bh;		/* bh=, decoded */
	/* where the raw b= value lies in the input, to blank it (3.7) */
	size_t			 b_off, b_len;
	enum canon_alg		 hcanon, bcanon;	/* c= */
	struct taglist_view	 d;		/* d= */
	struct taglist_view	*h;		/* h= names, in order */
	size_t			 nh;
	/*
	 * i=: when absent, i_present is false, i_local is empty and i_domain
	 * is d (the default "@" d of 3.5).
	 */
	bool			 i_present;
	struct taglist_view	 i, i_local, i_domain;
	bool			 l_present;	/* l= */
	uint64_t		 l;
	struct taglist_view	 s;		/* s= */
	bool			 t_present, x_present;
	uint64_t		 t, x;
};

/*
 * Parse value (len bytes, no NUL needed; the field body after the colon).
 * Returns 0 with sig->outcome set, or -1 and e if the parse could not be
 * done. Either way the caller calls dkim_sig_free(sig) afterwards.
 */
int	 dkim_sig_parse(const char *value, size_t len, struct dkim_sig *sig,
	    struct err *e);
/*
 * The same for an ARC-Message-Signature value (RFC 8617 4.1.2): v= is
 * ignored and i= (the ARC instance) is not read here; i_domain is d=.
 */
int	 dkim_sig_parse_ams(const char *value, size_t len, struct dkim_sig *sig,
	    struct err *e);
/* Release what the struct owns; safe on a zeroed or freed struct. */
void	 dkim_sig_free(struct dkim_sig *);
/* "rsa-sha256", "rsa-sha1", "ed25519-sha256" */
const char *dkim_sig_alg_name(enum dkim_sig_alg);

#endif
