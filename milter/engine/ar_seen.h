/* SPDX-License-Identifier: ISC */
/*
 * ar_seen.h - the Authentication-Results fields a message arrives with:
 * those that claim our authserv-id (forged, to be deleted), and the SPF
 * results of the topmost field of a relay in trusted_authserv_ids.
 * RFC 8601 section 5: an Authentication-Results field that claims our
 * authserv-id and arrives from outside is forged (or stale) and must not
 * reach a reader who trusts our id. Every field of that name is counted
 * here, as it arrives and whether or not hdr_list keeps it: the number
 * given to the MTA (smfi_chgheader) is the instance among all fields of
 * that name as the MTA counts them, and a field refused by a header cap
 * is still in the message the MTA delivers.
 * Owner: the struct owns forged (ar_seen_free).
 */
#ifndef INKAN_AR_SEEN_H
#define INKAN_AR_SEEN_H

#include <stdbool.h>
#include <stddef.h>

#include "ar.h"
#include "err.h"
#include "spf_eval.h"
#include "strlist.h"

/*
 * An smtp.mailfrom or smtp.helo value taken from a trusted relay: an
 * address (RFC 5321 4.5.3.1: 64 + 1 + 255) or a domain fits; a longer one
 * is not used.
 */
#define AR_SEEN_VALUE_MAX	330

struct ar_seen {
	size_t		 nar;		/* AR fields seen, stored or not */
	size_t		*forged;	/* AR instances claiming our id */
	size_t		 nforged;
	bool		 forged_over;	/* more than TXN_MAX_FORGED_AR */
	/*
	 * The topmost Authentication-Results of a relay in
	 * trusted_authserv_ids, and the SPF results taken from it.
	 */
	bool		 up_seen;	/* that field has been read */
	bool		 up_found;	/* it had a usable smtp.mailfrom result */
	char		 up_id[AR_ID_MAX];
	enum spf_result	 up_mf, up_helo;
	bool		 up_helo_found;
	char		 up_mailfrom[AR_SEEN_VALUE_MAX];
	char		 up_helo_name[AR_SEEN_VALUE_MAX];
	const char	*up_why;	/* why its spf= was not used, or NULL */
};

/*
 * One Authentication-Results field (value, vlen), in the order they
 * arrive. trusted: trusted_authserv_ids, read only when trust (the verify
 * role). 0, or -1 with e (no memory).
 */
int	 ar_seen_field(struct ar_seen *, const char *authserv_id,
	    const struct strlist *trusted, bool trust, const char *value,
	    size_t vlen, struct err *e);
/* Free and empty it, for the next message. */
void	 ar_seen_free(struct ar_seen *);

#endif
