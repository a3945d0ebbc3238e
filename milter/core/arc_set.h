/* SPDX-License-Identifier: ISC */
/*
 * arc_set.h - the ARC Sets of a message (RFC 8617 section 4): finding the
 * ARC-Authentication-Results (AAR), ARC-Message-Signature (AMS) and
 * ARC-Seal (AS) fields in the header list, reading their instance tags,
 * parsing the AMS (as a DKIM signature, dkim_sig.c) and the AS tags, and
 * checking the form of the chain (5.2 steps 2 to 4). Also the ARC-Seal
 * hash (5.1.1), shared by arc_verify.c and arc_seal.c.
 * No I/O, no keys. Untrusted input: every problem is a static reason in
 * the chain, never a crash; -1 and struct err only for no memory.
 * Owner: the caller owns the struct arc_chain (arc_chain_free); it points
 * into the header list, which must outlive it.
 */
#ifndef INKAN_ARC_SET_H
#define INKAN_ARC_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ar.h"
#include "buf.h"
#include "dkim_sig.h"
#include "err.h"
#include "hdr.h"
#include "taglist_parse.h"

/* RFC 8617 4.2.1: instance values are 1 to 50; a chain is at most 50 Sets. */
#define ARC_MAX_INSTANCES	50
/*
 * Three fields per Set: past that, fields are only counted (their number
 * alone makes the chain fail), so 10,000 ARC fields cost a count each.
 */
#define ARC_MAX_FIELDS		(3 * ARC_MAX_INSTANCES)

#define ARC_SEAL_FIELD		"ARC-Seal"
#define ARC_AMS_FIELD		"ARC-Message-Signature"
#define ARC_AAR_FIELD		"ARC-Authentication-Results"

/* The cv= tag of an ARC-Seal (RFC 8617 4.1.3). */
enum arc_cv {
	ARC_CV_NONE,
	ARC_CV_PASS,
	ARC_CV_FAIL,
};

/* "none", "pass", "fail" */
const char *arc_cv_name(enum arc_cv);

/* The tags of one ARC-Seal (RFC 8617 4.1.3). */
struct arc_seal_tags {
	const char		*reason;	/* static; NULL: usable */
	enum arc_cv		 cv;
	struct taglist_view	 d, s;
	struct buf		 b;		/* b=, decoded */
	size_t			 b_off, b_len;	/* the raw b= in the value */
	bool			 t_present;
	uint64_t		 t;
};

struct arc_set {
	const struct hdr_field	*aar, *ams, *as;
	/* the AAR after "i=N;": an Authentication-Results payload (4.1.1) */
	const char		*aar_payload;
	size_t			 aar_len;
	struct dkim_sig		 ams_sig;	/* dkim_sig_parse_ams */
	bool			 ams_parsed;
	struct arc_seal_tags	 seal;
	bool			 seal_parsed;
};

struct arc_chain {
	struct arc_set	 set[ARC_MAX_INSTANCES];	/* set[k] is i=k+1 */
	unsigned	 highest;	/* the highest valid i= seen, 0 if none */
	size_t		 nfields;	/* ARC fields seen, caps ignored */
	/*
	 * NULL when the chain has the form of 5.2 (Sets 1..highest, each
	 * complete and once, every AS and AMS parsed, cv= as 4.1.3 and 5.2
	 * step 4 want); else the first problem found, and the chain fails.
	 */
	const char	*reason;
	bool		 newest_cv_fail;	/* AS(highest) says cv=fail */
};

/*
 * Collect and parse the ARC fields of hdrs into ch. 0 (ch->reason says
 * whether the form is valid; nfields == 0 means no ARC at all), or -1 and
 * e (no memory). Either way the caller calls arc_chain_free(ch).
 */
int	 arc_chain_parse(const struct hdr_list *hdrs, struct arc_chain *ch,
	    struct err *e);
void	 arc_chain_free(struct arc_chain *);

/*
 * The ARC-Seal hash (RFC 8617 5.1.1): SHA-256 over fields[0..n) (each a
 * whole "Name:value", in the order given: the AAR, AMS and AS of each
 * earlier Set by increasing instance, then the AAR and AMS of the Set
 * being sealed), then over self (that Set's AS, "Name:value" with b=
 * empty, no final CRLF), all with relaxed header canonicalization, the
 * only one an AS uses (5.1.1). 0, or -1 and e.
 */
int	 arc_seal_digest(const struct taglist_view *fields, size_t n,
	    const char *self, size_t selflen, unsigned char digest[32],
	    struct err *e);
/*
 * The fields AS(upto) signs, from the chain (5.1.1), into out (room for
 * 3 * ARC_MAX_INSTANCES); *n gets their number. upto is 1..highest of a
 * chain whose form is valid.
 */
void	 arc_chain_seal_fields(const struct arc_chain *, unsigned upto,
	    struct taglist_view *out, size_t *n);

#endif
