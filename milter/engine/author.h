/* SPDX-License-Identifier: ISC */
/*
 * author.h - the author identity of a message: the one domain of its From
 * field (RFC 5322 3.6, RFC 9989 5.3.1), which signing looks keys up with
 * and DMARC evaluates. Owner: the caller owns every buffer.
 */
#ifndef INKAN_AUTHOR_H
#define INKAN_AUTHOR_H

#include <stddef.h>

#include "buf.h"
#include "hdr.h"

/*
 * Fill local (the first address's local part: what the signing table is
 * looked up with) and domain (lower-cased, no final dot) from hdrs' From
 * field: 0, or -1 with why appended to why (text safe to put in a reply).
 */
int	 author_identity(const struct hdr_list *hdrs, char *local, size_t llen,
	    char *domain, size_t dlen, struct buf *why);

#endif
