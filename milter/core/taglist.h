/* SPDX-License-Identifier: ISC */
/*
 * taglist.h - writing DKIM tag=value lists (RFC 6376 section 3.2) as the
 * value of a header field, folded so no line passes TAGLIST_WIDTH columns.
 * Line breaks are written as CRLF followed by a TAB, the form the field has
 * on the wire; the milter glue converts for the MTA.
 */
#ifndef INKAN_TAGLIST_H
#define INKAN_TAGLIST_H

#include <stddef.h>

#include "buf.h"

#define TAGLIST_WIDTH	78	/* RFC 5322 2.1.1's recommended line length */

/* Where the writer may break a value when it does not fit on a line. */
enum taglist_fold {
	TAGLIST_FOLD_NONE,	/* never inside the value */
	TAGLIST_FOLD_COLON,	/* after a ':' (h=, RFC 6376 3.5 allows FWS) */
	TAGLIST_FOLD_ANY,	/* anywhere (base64: b=, bh=, p=) */
};

struct taglist_writer {
	struct buf	*out;
	size_t		 col;	/* column of the next byte on the line */
	size_t		 ntags;
};

/* Start a list in out; col is the column where the value starts. */
void	 taglist_begin(struct taglist_writer *, struct buf *out, size_t col);
/* Add "tag=value;" with a space before it, folding as allowed. */
void	 taglist_add(struct taglist_writer *, const char *tag, const char *value,
	    enum taglist_fold);
/*
 * Add "tag=" as the last tag and leave the value to follow (for b=, which
 * is hashed empty and filled in after signing). Returns nothing; use
 * taglist_add_tail to append the value folded.
 */
void	 taglist_open(struct taglist_writer *, const char *tag);
void	 taglist_add_tail(struct taglist_writer *, const char *value);

#endif
