/* SPDX-License-Identifier: ISC */
/* strlist.c - see strlist.h. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "abnf.h"
#include "buf.h"
#include "strlist.h"

void
strlist_free(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
strlist_add(struct strlist *l, const char *s, size_t len)
{
	char **nv;

	if ((nv = reallocarray(l->v, l->n + 1, sizeof(*nv))) == NULL)
		return -1;
	l->v = nv;
	if ((l->v[l->n] = strndup(s, len)) == NULL)
		return -1;
	l->n++;
	return 0;
}

int
strlist_split(struct strlist *l, const char *v, const char *seps)
{
	while (*v != '\0') {
		size_t len, keep;

		while (*v != '\0' && (abnf_wsp((unsigned char)*v) ||
		    strchr(seps, *v) != NULL))
			v++;
		if (*v == '\0')
			break;
		len = strcspn(v, seps);
		for (keep = len; keep > 0 &&
		    abnf_wsp((unsigned char)v[keep - 1]); keep--)
			;
		if (strlist_add(l, v, keep) == -1)
			return -1;
		v += len;
	}
	return 0;
}

bool
strlist_has(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], s) == 0)
			return true;
	return false;
}

void
strlist_remove(struct strlist *l, const char *s)
{
	size_t i = 0;

	while (i < l->n)
		if (strcasecmp(l->v[i], s) == 0) {
			free(l->v[i]);
			memmove(&l->v[i], &l->v[i + 1],
			    (l->n - i - 1) * sizeof(*l->v));
			l->n--;
		} else
			i++;
}

char *
strlist_join(const struct strlist *l)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < l->n; i++)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "", l->v[i]);
	if (buf_failed(&b)) {
		buf_free(&b);
		return NULL;
	}
	return l->n == 0 ? strdup("") : buf_release(&b);
}
