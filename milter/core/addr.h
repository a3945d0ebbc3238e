/* SPDX-License-Identifier: ISC */
/*
 * addr.h - RFC 5322 address lists (section 3.4), as found in From:
 * display names, comments, quoted local parts, angle brackets, groups and
 * obsolete empty list members. Only what is needed to name the sender's
 * domain is kept: each address's local part and domain as views into the
 * input (no copies).
 */
#ifndef INKAN_ADDR_H
#define INKAN_ADDR_H

#include <stdbool.h>
#include <stddef.h>

/* More than this many addresses in one field is refused as hostile. */
#define ADDR_MAX	64

struct addr {
	const char	*local;		/* view: may include quotes */
	size_t		 local_len;
	const char	*domain;	/* view; empty if no @domain */
	size_t		 domain_len;
};

struct addr_list {
	struct addr	 a[ADDR_MAX];
	size_t		 n;
	const char	*err;		/* NULL, or the first syntax problem */
};

/* Parse an address-list value; 0 and l filled, or -1 with l->err set. */
int	 addr_parse_list(const char *v, size_t len, struct addr_list *l);
/*
 * Is d (len bytes) a syntactically valid domain name for mail: LDH labels
 * (underscore allowed) of 1 to 63 bytes, 253 bytes in all, an optional
 * final dot (RFC 5321 4.1.2, RFC 1035 2.3.4)?
 */
bool	 addr_domain_valid(const char *d, size_t len);

#endif
