/* SPDX-License-Identifier: ISC */
/*
 * msgfile.c - the load client's corpus (see msgfile.h). The whole file
 * is read into memory once; the client then sends the same bytes as often
 * as it likes, so reading the corpus costs nothing during a run.
 * The message is split by milter/evaluate/msgread.c, as --evaluate splits it.
 * Lines may end in CRLF or LF in the file; the body is sent with CRLF, as
 * SMTP carries it (RFC 5321 2.3.8).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgfile.h"
#include "msgread.h"

static char *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL, *n;
	size_t cap = 0, r;

	*len = 0;
	if (f == NULL) {
		fprintf(stderr, "milter_load: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (cap - *len < 65536) {
			cap = cap == 0 ? 1 << 20 : cap * 2;
			if ((n = realloc(p, cap + 1)) == NULL)
				goto fail;
			p = n;
		}
		if ((r = fread(p + *len, 1, cap - *len, f)) == 0)
			break;
		*len += r;
	}
	if (ferror(f))
		goto fail;
	fclose(f);
	p[*len] = '\0';
	return p;
fail:
	fprintf(stderr, "milter_load: cannot read %s\n", path);
	fclose(f);
	free(p);
	return NULL;
}

static int
add_field(void *arg, const char *name, size_t nlen, const char *value,
    size_t vlen)
{
	struct msgfile *m = arg;
	struct msgfield *nf;
	char *v, *o;
	const char *p, *end = value + vlen;

	if (nlen == 0)
		return 0;	/* no name: the MTA would not send it */
	/* the field's last line end is not part of its value */
	if (end > value && end[-1] == '\n')
		end--;
	if (end > value && end[-1] == '\r')
		end--;
	if ((nf = reallocarray(m->f, m->nf + 1, sizeof(*nf))) == NULL)
		return -1;
	m->f = nf;
	nf = &m->f[m->nf];
	if ((nf->name = strndup(name, nlen)) == NULL ||
	    (v = malloc((size_t)(end - value) + 1)) == NULL) {
		free(nf->name);
		return -1;
	}
	/* folds reach the milter as bare LF */
	for (o = v, p = value; p < end; p++)
		if (!(*p == '\r' && p + 1 < end && p[1] == '\n'))
			*o++ = *p;
	*o = '\0';
	nf->value = v;
	m->nf++;
	return 0;
}

/* The body with CRLF line ends, as SMTP carries it. */
static int
split_body(void *arg, const unsigned char *p, size_t len)
{
	struct msgfile *m = arg;
	const unsigned char *end = p + len;
	size_t n = 0;

	if ((m->body = malloc(len * 2 + 2)) == NULL)
		return -1;
	while (p < end) {
		const unsigned char *lf = memchr(p, '\n', (size_t)(end - p));
		const unsigned char *e = lf != NULL ? lf : end;

		if (lf != NULL && lf > p && lf[-1] == '\r')
			e--;
		memcpy(m->body + n, p, (size_t)(e - p));
		n += (size_t)(e - p);
		if (lf != NULL) {
			m->body[n++] = '\r';
			m->body[n++] = '\n';
		}
		p = lf != NULL ? lf + 1 : end;
	}
	m->blen = n;
	return 0;
}

/* Split by the reader --evaluate uses (milter/evaluate/msgread.c). */
int
msgfile_load(struct msgfile *m, const char *path)
{
	static const struct msgread_cb cb = { add_field, NULL, split_body };
	char *raw;
	size_t len;

	memset(m, 0, sizeof(*m));
	if ((raw = read_all(path, &len)) == NULL)
		return -1;
	m->size = len;
	if (msgread_mem(raw, len, &cb, m, NULL) == -1)
		goto nomem;
	free(raw);
	if (m->nf == 0) {
		fprintf(stderr, "milter_load: %s has no header fields\n", path);
		msgfile_free(m);
		return -1;
	}
	return 0;
nomem:
	fprintf(stderr, "milter_load: out of memory reading %s\n", path);
	free(raw);
	msgfile_free(m);
	return -1;
}

void
msgfile_free(struct msgfile *m)
{
	size_t i;

	for (i = 0; i < m->nf; i++) {
		free(m->f[i].name);
		free(m->f[i].value);
	}
	free(m->f);
	free(m->body);
	memset(m, 0, sizeof(*m));
}

int
msgfile_generate(FILE *out, size_t size, const char *from, const char *to)
{
	static const char *const words[] = {
		"the", "quarterly", "figures", "are", "attached", "and",
		"we", "expect", "delivery", "by", "Friday;", "please",
		"confirm", "receipt", "of", "this", "message.", "Regards,",
		"invoice", "meeting", "schedule", "at", "10:00", "in",
		"room", "4B", "with", "coffee", "afterwards", "thanks",
	};
	size_t nw = sizeof(words) / sizeof(words[0]);
	unsigned long x = 2463534242UL;	/* xorshift: same text every run */
	size_t n = 0, col = 0;
	int w;

	w = fprintf(out, "From: Bench Sender <%s>\r\nTo: <%s>\r\n"
	    "Subject: milter_load message of %zu bytes\r\n"
	    "Date: Wed, 25 Nov 2026 10:00:00 +0000\r\n"
	    "Message-ID: <bench.%zu@milter-load.example>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=us-ascii\r\n\r\n",
	    from, to, size, size);
	if (w < 0)
		return -1;
	n = (size_t)w;
	while (n < size) {
		const char *word;
		size_t wl;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		word = words[x % nw];
		wl = strlen(word);
		if (col > 0 && col + 1 + wl > 72) {
			fputs("\r\n", out);
			n += 2;
			col = 0;
			continue;
		}
		if (col > 0) {
			fputc(' ', out);
			n++;
			col++;
		}
		fputs(word, out);
		n += wl;
		col += wl;
	}
	fputs("\r\n", out);
	return ferror(out) ? -1 : 0;
}
