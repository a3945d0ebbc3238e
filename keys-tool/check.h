/* SPDX-License-Identifier: ISC */
/*
 * check.h - the parts of `inkan-keys check`: one file per record kind
 * (check_dkim.c, check_spf.c, check_dmarc.c) sharing the findings printer
 * and the DNS wrapper of check.c. Each finding is one line, "OK", "WARN"
 * or "FAIL" (and "NOTE" for what was not checked), written for an
 * administrator who has never read an RFC: what is wrong and what to
 * change. Detail lines (indented) may follow a finding.
 * Owner: keys_check() owns the struct check and the resolver in it.
 */
#ifndef INKAN_KEYS_CHECK_H
#define INKAN_KEYS_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "dkim_sign.h"
#include "dns.h"
#include "keys.h"

/* Per query; the whole check asks some dozens of names. */
#define CHECK_DNS_TIMEOUT_MS	5000

enum check_level {
	CHECK_OK,
	CHECK_NOTE,
	CHECK_WARN,
	CHECK_FAIL,
};

struct check {
	struct dns_resolver	*res;		/* owned by keys_check() */
	const char		*domain;
	const char		*ip;		/* --ip or NULL */
	unsigned		 nok, nwarn, nfail;
	unsigned		 nanswers;	/* answers that could be validated */
	unsigned		 nsecure;	/* of those, DNSSEC-validated */
};

/* Print one finding and count it. */
void	 check_say(struct check *, enum check_level, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Print an indented detail line under the last finding. */
void	 check_more(struct check *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Look name up for type; 0 with out filled (DNS trouble is an outcome in
 * out->status), or -1 when the lookup could not be done at all (a FAIL
 * finding has then been printed). Counts answers for the DNSSEC line.
 */
int	 check_lookup(struct check *, const char *name, enum dns_type,
	    struct dns_result *out);
/* Words for a failed lookup: "the DNS servers did not answer (SERVFAIL)". */
const char *check_status_words(enum dns_status);
/* The i-th TXT record of r as a C string (TXT data is NUL-terminated). */
#define CHECK_TXT(r, i)	((const char *)(r)->rr[(i)].data)

/*
 * DKIM: the record of every key in ks, or of selector alone when not NULL
 * (compared with our key when we hold one for it); then the keys `rotate`
 * left pending (is each one's record published and right, so that it can
 * be activated?) and, during a rotation, which selectors inkan signs with.
 */
void	 check_dkim(struct check *, const struct keyset *ks,
	    const char *selector, bool have_keys);
/* SPF: one record, its syntax, lookup counts, the all, the --ip (or this
 * host's own addresses). */
void	 check_spf(struct check *);
/* DMARC: the record, its policy in words, rua and its authorization. */
void	 check_dmarc(struct check *);

#endif
