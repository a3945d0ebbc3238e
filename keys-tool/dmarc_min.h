/* SPDX-License-Identifier: ISC */
/*
 * dmarc_min.h - a deliberately small DMARC record reader for `inkan-keys
 * check` only: v=DMARC1 first, p= present and valid, and the few tags the
 * check explains (sp, np, t, pct, rua, adkim, aspf). The full DMARC parser
 * of the core (RFC 9989) is being written separately; once it exists this
 * file goes and check_dmarc.c calls that parser instead.
 * Views point into the caller's text, which must outlive the struct.
 */
#ifndef INKAN_DMARC_MIN_H
#define INKAN_DMARC_MIN_H

#include <stdbool.h>
#include <stddef.h>

#include "taglist_parse.h"

enum dmarc_min_policy {
	DMARC_MIN_ABSENT,
	DMARC_MIN_NONE,
	DMARC_MIN_QUARANTINE,
	DMARC_MIN_REJECT,
};

struct dmarc_min {
	/* NULL for a usable record, else static text saying what is wrong */
	const char		*error;
	enum dmarc_min_policy	 p, sp, np;
	bool			 testing;	/* t=y (RFC 9989) */
	bool			 has_pct;	/* pct= (RFC 7489 only) */
	unsigned		 pct;
	bool			 has_rua;
	struct taglist_view	 rua;
};

/* True if the len bytes at txt start a DMARC record ("v=DMARC1"). */
bool	 dmarc_min_is_record(const char *txt, size_t len);
/* Read the record (len bytes); the outcome is in out->error. */
void	 dmarc_min_parse(const char *txt, size_t len, struct dmarc_min *out);
/* "none", "quarantine", "reject" ("" for absent). */
const char *dmarc_min_policy_name(enum dmarc_min_policy);

#endif
