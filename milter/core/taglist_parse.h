/* SPDX-License-Identifier: ISC */
/*
 * taglist_parse.h - reading DKIM tag=value lists (RFC 6376 section 3.2)
 * from untrusted input: DKIM-Signature values and DNS key records.
 * Works on (pointer, length); the input needs no NUL and may contain any
 * byte. The result is views into the input, never copies, so the input
 * must outlive the parsed list. No allocation except in the helpers that
 * write into a caller's struct buf.
 * Not here: the meaning of any tag (dkim_sig.c, dkim_keyrec.c).
 */
#ifndef INKAN_TAGLIST_PARSE_H
#define INKAN_TAGLIST_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

/*
 * A signature defines 14 tags and a key record 7; 64 leaves room for
 * future tags while bounding the fixed array below and the quadratic
 * duplicate check (64 * 63 / 2 name comparisons at most).
 */
#define TAGLIST_PARSE_MAX_TAGS	64

/* Bytes inside someone else's input. */
struct taglist_view {
	const char	*p;
	size_t		 len;
};

struct taglist_tag {
	struct taglist_view	 name;
	struct taglist_view	 value;	/* FWS around it trimmed; may hold FWS */
};

struct taglist_parsed {
	struct taglist_tag	 tags[TAGLIST_PARSE_MAX_TAGS];
	size_t			 ntags;	/* in input order */
};

/*
 * Parse the tag-list in (len bytes). Returns NULL and fills out, or a
 * static reason why the list is invalid (syntax, a duplicate tag, too many
 * tags); out is then unusable. Cannot fail otherwise.
 */
const char *taglist_parse(const char *in, size_t len, struct taglist_parsed *out);
/* The tag named name (case-sensitive, 3.2), or NULL if absent. */
const struct taglist_tag *taglist_parse_find(const struct taglist_parsed *,
	    const char *name);
/* Whether the view holds exactly s (case-sensitive / ASCII case-insensitive). */
bool	 taglist_view_eq(const struct taglist_view *, const char *s);
bool	 taglist_view_caseeq(const struct taglist_view *, const char *s);
/* The view with leading and trailing FWS (WSP, CR, LF) removed. */
struct taglist_view taglist_view_trim(struct taglist_view);
/*
 * Split the next item off a sep-separated list (h=, q=, t= flags ...):
 * item gets the bytes up to the next sep or the end, FWS trimmed (so it
 * may be empty); rest moves past the sep. Start with rest = the value;
 * returns false once the last item has been taken (an empty value is one
 * empty item). rest.p == NULL marks the end.
 */
bool	 taglist_view_next_item(struct taglist_view *rest, char sep,
	    struct taglist_view *item);
/* Append the value to out with every FWS byte (WSP, CR, LF) removed. */
void	 taglist_parse_strip_fws(const struct taglist_view *, struct buf *out);
/*
 * Decode a base64 value (b=, bh=, p=), FWS allowed anywhere (3.5), into
 * out (reset first). Padding is required and must be at the end. Returns
 * -1 and e if it could not be done (no memory); else 0, with *reason NULL
 * if out holds the decoded bytes or a static reason if the value is not
 * base64 or would decode to more than max bytes.
 */
int	 taglist_parse_b64(const struct taglist_view *, size_t max,
	    struct buf *out, const char **reason, struct err *e);

/*
 * Copy v for display into dst (dstlen > 0, always NUL-terminated), keeping
 * only bytes safe in a header value or a log field: printable ASCII other
 * than space, ';', '"', '\\', '(' and ')'. For d=, s= and the like.
 */
void	 taglist_view_display(char *dst, size_t dstlen,
	    const struct taglist_view *v);

#endif
