/* SPDX-License-Identifier: ISC */
/*
 * taglist.c - the tag-list writer (see taglist.h). The parser for received
 * tag lists is separate (it works on untrusted input; this only on ours).
 */
#include <string.h>

#include "taglist.h"

void
taglist_begin(struct taglist_writer *w, struct buf *out, size_t col)
{
	w->out = out;
	w->col = col;
	w->ntags = 0;
}

static void
fold(struct taglist_writer *w)
{
	buf_add(w->out, "\r\n\t", 3);
	w->col = 8;
}

/* Put the separator and the "tag=" head, on a new line if it won't fit. */
static void
tag_head(struct taglist_writer *w, const char *tag, size_t first_chunk)
{
	size_t tlen = strlen(tag);

	if (w->ntags > 0 && w->col + 1 + tlen + 1 + first_chunk > TAGLIST_WIDTH)
		fold(w);
	else {
		buf_addc(w->out, ' ');
		w->col++;
	}
	buf_adds(w->out, tag);
	buf_addc(w->out, '=');
	w->col += tlen + 1;
	w->ntags++;
}

/*
 * Write value, breaking lines where f allows. tail is how many bytes follow
 * the value on its line (the ';'), so the last piece leaves room for them.
 */
static void
value_body(struct taglist_writer *w, const char *v, enum taglist_fold f,
    size_t tail)
{
	size_t len = strlen(v), i = 0;

	while (i < len) {
		size_t room, n;

		room = w->col < TAGLIST_WIDTH ? TAGLIST_WIDTH - w->col : 0;
		if (f == TAGLIST_FOLD_NONE || len - i + tail <= room) {
			n = len - i;
		} else if (f == TAGLIST_FOLD_ANY) {
			/* keep at least one byte for the next line, with the tail */
			n = room < len - i - 1 ? room : len - i - 1;
		} else {
			/* break after the last ':' that fits */
			const char *c = NULL;
			size_t j;

			for (j = i; j < len && j - i < room; j++)
				if (v[j] == ':')
					c = v + j;
			if (c == NULL && w->col > 8) {
				fold(w);	/* a fresh line may fit a name */
				continue;
			}
			if (c == NULL) {
				/* no name fits even a fresh line: take one */
				const char *nc = strchr(v + i, ':');

				n = nc == NULL ? len - i : (size_t)(nc - v) - i + 1;
			} else
				n = (size_t)(c - v) - i + 1;
		}
		if (n == 0) {
			fold(w);
			continue;
		}
		buf_add(w->out, v + i, n);
		w->col += n;
		i += n;
		if (i < len)
			fold(w);
	}
}

void
taglist_add(struct taglist_writer *w, const char *tag, const char *value,
    enum taglist_fold f)
{
	const char *colon = strchr(value, ':');
	size_t first;

	/* what must share the line with "tag=": all, a first name, a byte */
	if (f == TAGLIST_FOLD_NONE || (f == TAGLIST_FOLD_COLON && colon == NULL))
		first = strlen(value);
	else if (f == TAGLIST_FOLD_COLON)
		first = (size_t)(colon - value) + 1;
	else
		first = 1;
	tag_head(w, tag, first + 1);
	value_body(w, value, f, 1);
	buf_addc(w->out, ';');
	w->col++;
}

void
taglist_open(struct taglist_writer *w, const char *tag)
{
	tag_head(w, tag, 1);
}

void
taglist_add_tail(struct taglist_writer *w, const char *value)
{
	value_body(w, value, TAGLIST_FOLD_ANY, 0);
}
