/* SPDX-License-Identifier: ISC */
/*
 * msgread.c - the one message reader (see msgread.h): one line splitter
 * (msgread_line) fed by a file reader and a memory reader, so --evaluate,
 * its fuzzer and the load client split a message alike.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "msgread.h"

#define MSGREAD_CHUNK	65536

struct msgread {
	const struct msgread_cb	*cb;
	void			*arg;
	struct buf		 field;	/* the field being gathered */
	bool			 first;	/* no line seen yet */
	bool			 crlf;	/* the first line ends in CRLF */
	const char		*sep;	/* the empty line that ended the block */
	size_t			 seplen;
	int			 rc;
};

/* Line end result of msgread_line(). */
enum msgread_line {
	MSGREAD_MORE,		/* the header block goes on */
	MSGREAD_EOH,		/* the empty line: the body follows it */
	MSGREAD_BODY,		/* not a field: this line starts the body */
};

/* Strip the line end of line (len bytes); returns the new length. */
static size_t
msgread_chomp(const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	return len;
}

static void
msgread_flush(struct msgread *r)
{
	const char *colon;
	size_t nlen;

	if (buf_failed(&r->field)) {
		r->rc = -1;
		buf_reset(&r->field);
		return;
	}
	if (r->field.len == 0)
		return;
	colon = memchr(r->field.data, ':', r->field.len);
	nlen = (size_t)(colon - r->field.data);
	if (r->cb->field(r->arg, r->field.data, nlen, colon + 1,
	    r->field.len - nlen - 1) == -1)
		r->rc = -1;
	buf_reset(&r->field);
}

/* One line of the header block, its line end included (len > 0). */
static enum msgread_line
msgread_line(struct msgread *r, const char *line, size_t len)
{
	size_t clen = msgread_chomp(line, len);

	if (r->first) {
		r->crlf = len >= 2 && line[len - 2] == '\r';
		r->first = false;
	}
	if (clen == 0) {
		r->sep = line;
		r->seplen = len;
		return MSGREAD_EOH;
	}
	if ((line[0] == ' ' || line[0] == '\t') && r->field.len > 0) {
		buf_add(&r->field, line, len);	/* continuation */
		return MSGREAD_MORE;
	}
	msgread_flush(r);
	if (memchr(line, ':', clen) == NULL)
		return MSGREAD_BODY;
	buf_add(&r->field, line, len);
	return MSGREAD_MORE;
}

static void
msgread_init(struct msgread *r, const struct msgread_cb *cb, void *arg)
{
	memset(r, 0, sizeof(*r));
	r->cb = cb;
	r->arg = arg;
	r->first = true;
	buf_init(&r->field);
}

/* The header block is read: flush, then end it. 0 or -1. */
static int
msgread_eoh(struct msgread *r, bool *crlf)
{
	msgread_flush(r);
	buf_free(&r->field);
	if (crlf != NULL)
		*crlf = r->crlf;
	if (r->rc == -1)
		return -1;
	if (r->cb->eoh != NULL && r->cb->eoh(r->arg, r->sep != NULL ? r->sep :
	    "", r->seplen) == -1)
		return -1;
	return 0;
}

int
msgread_file(FILE *f, const struct msgread_cb *cb, void *arg, bool *crlf)
{
	struct msgread r;
	unsigned char *chunk;
	char *line = NULL;
	size_t cap = 0, n;
	ssize_t len = 0;
	enum msgread_line end = MSGREAD_MORE;
	int rc;

	msgread_init(&r, cb, arg);
	while (end == MSGREAD_MORE && (len = getline(&line, &cap, f)) > 0)
		end = msgread_line(&r, line, (size_t)len);
	if ((rc = msgread_eoh(&r, crlf)) == 0 && end == MSGREAD_BODY)
		rc = cb->body(arg, (const unsigned char *)line, (size_t)len);
	free(line);
	if (rc == -1)
		return -1;
	if ((chunk = malloc(MSGREAD_CHUNK)) == NULL)
		return -1;
	while ((n = fread(chunk, 1, MSGREAD_CHUNK, f)) > 0)
		if (cb->body(arg, chunk, n) == -1) {
			rc = -1;
			break;
		}
	free(chunk);
	return rc;
}

int
msgread_mem(const char *p, size_t len, const struct msgread_cb *cb,
    void *arg, bool *crlf)
{
	struct msgread r;
	const char *end = p + len;
	enum msgread_line e = MSGREAD_MORE;

	msgread_init(&r, cb, arg);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t llen = nl != NULL ? (size_t)(nl - p) + 1 :
		    (size_t)(end - p);

		if ((e = msgread_line(&r, p, llen)) == MSGREAD_BODY)
			break;		/* the line is the body's first */
		p += llen;
		if (e == MSGREAD_EOH)
			break;
	}
	if (msgread_eoh(&r, crlf) == -1)
		return -1;
	if (p < end && cb->body(arg, (const unsigned char *)p,
	    (size_t)(end - p)) == -1)
		return -1;
	return 0;
}
