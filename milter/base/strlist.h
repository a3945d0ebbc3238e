/* SPDX-License-Identifier: ISC */
/*
 * strlist.h - a growable list of strings, each owned by the list: the
 * list settings of inkan.conf (sign_headers, internal_hosts, ...) and the
 * values the OpenDKIM importer collects.
 */
#ifndef INKAN_STRLIST_H
#define INKAN_STRLIST_H

#include <stdbool.h>
#include <stddef.h>

struct strlist {
	char	**v;
	size_t	 n;
};

#define STRLIST_INIT	{ NULL, 0 }

void	 strlist_free(struct strlist *);
/* Append a copy of s[0..len); 0 or -1 (out of memory). */
int	 strlist_add(struct strlist *, const char *s, size_t len);
/*
 * Append the items of v, separated by any of the bytes in seps; blanks
 * (SP, HTAB) around an item and empty items are dropped. 0 or -1 (out of
 * memory; what was added stays, for strlist_free).
 */
int	 strlist_split(struct strlist *, const char *v, const char *seps);
/* Is s in the list, compared without regard to ASCII case? */
bool	 strlist_has(const struct strlist *, const char *s);
/* Remove every item equal to s without regard to ASCII case. */
void	 strlist_remove(struct strlist *, const char *s);
/* The items joined by ", " (caller frees; "" when empty); NULL: no memory. */
char	*strlist_join(const struct strlist *);

#endif
