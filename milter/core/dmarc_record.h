/* SPDX-License-Identifier: ISC */
/*
 * dmarc_record.h - reading one DMARC Policy Record (RFC 9989 section 4.7,
 * formal definition 4.8) from untrusted DNS TXT data.
 * Works on (pointer, length); the input needs no NUL and may hold any byte.
 * Report URIs are kept as views into the input, so the input must outlive
 * the parsed record. No allocation, no globals.
 * Not here: finding the record in the DNS (orgdomain.c, dmarc.c) or what
 * the policy means for a message (dmarc.c).
 */
#ifndef INKAN_DMARC_RECORD_H
#define INKAN_DMARC_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "taglist_parse.h"

/*
 * Report URIs kept per tag. RFC 9989 asks for a report to every URI
 * listed; sixteen is far beyond any published record and bounds the work
 * a record can ask of the report sender. Further valid URIs are counted in
 * n*_dropped, not kept.
 */
#define DMARC_RECORD_MAX_URIS	16

enum dmarc_record_outcome {
	DMARC_RECORD_OK,	/* a usable DMARC Policy Record */
	/*
	 * Not a DMARC record at all: the first tag is not v=DMARC1
	 * (4.7 "v"). Discovery discards such records (4.10 step 2).
	 */
	DMARC_RECORD_NOT_DMARC,
	/*
	 * A DMARC record (it counts as one at its name and its psd= is
	 * read) whose p=, sp= or np= value is invalid while no rua= URI is
	 * valid: 4.10.1 says to apply no DMARC processing then. The other
	 * fields of the record are filled as for OK.
	 */
	DMARC_RECORD_INVALID,
};

/* dmarc-request (4.8), the values of p=, sp= and np=. */
enum dmarc_request {
	DMARC_REQ_NONE,
	DMARC_REQ_QUARANTINE,
	DMARC_REQ_REJECT,
};

/* dmarc-psd (4.8) */
enum dmarc_psd {
	DMARC_PSD_U,		/* the default */
	DMARC_PSD_Y,
	DMARC_PSD_N,
};

/* dmarc-rors (4.8), adkim= and aspf= */
enum dmarc_align {
	DMARC_ALIGN_RELAXED,	/* the default */
	DMARC_ALIGN_STRICT,
};

/* fo= options (4.7); the default is DMARC_FO_0 alone. */
#define DMARC_FO_0	0x01
#define DMARC_FO_1	0x02
#define DMARC_FO_D	0x04
#define DMARC_FO_S	0x08

/* Tags RFC 9989 removed ("Changes from RFC 7489"), noted when present. */
#define DMARC_REMOVED_PCT	0x01
#define DMARC_REMOVED_RF	0x02
#define DMARC_REMOVED_RI	0x04

struct dmarc_record {
	enum dmarc_request	 p;		/* none if absent (4.7 "p") */
	bool			 p_present;	/* a valid p= was given */
	/*
	 * p=, sp= or np= had an invalid value and rua= a valid URI, so
	 * the record is read as p=none (4.10.1); sp and np are then unset.
	 */
	bool			 p_forced_none;
	enum dmarc_request	 sp;
	bool			 sp_present;
	enum dmarc_request	 np;
	bool			 np_present;
	enum dmarc_psd		 psd;
	bool			 t;		/* t=y: testing (4.7 "t") */
	enum dmarc_align	 adkim;
	enum dmarc_align	 aspf;
	unsigned		 fo;		/* DMARC_FO_* */
	/* Syntactically valid URIs of rua= and ruf=, views into the input. */
	struct taglist_view	 rua[DMARC_RECORD_MAX_URIS];
	size_t			 nrua;
	size_t			 nrua_dropped;
	struct taglist_view	 ruf[DMARC_RECORD_MAX_URIS];
	size_t			 nruf;
	size_t			 nruf_dropped;
	/*
	 * Removed tags (DMARC_REMOVED_*) seen. They have no effect: RFC
	 * 9989 processes only registered tags (4.7) and replaced pct=0/100
	 * by t=y/n ("Removal of the pct Tag") without reading pct= any more. pct keeps
	 * a valid pct= value (0..100) for diagnostics, else -1.
	 */
	unsigned		 removed;
	int			 pct;
	/*
	 * The first syntax problem that was ignored (4.7: such errors are
	 * discarded in favour of defaults), static text, or NULL. For
	 * diagnostics (inkan-keys check); it changes nothing.
	 */
	const char		*ignored;
};

/*
 * Parse the TXT record text in (len bytes) into *out (always fully
 * written). Returns the outcome; *reason gets static text saying why for
 * NOT_DMARC and INVALID (NULL for OK). Cannot fail otherwise.
 */
enum dmarc_record_outcome dmarc_record_parse(const char *in, size_t len,
	    struct dmarc_record *out, const char **reason);

/* "none", "quarantine", "reject" */
const char *dmarc_request_name(enum dmarc_request);

#endif
