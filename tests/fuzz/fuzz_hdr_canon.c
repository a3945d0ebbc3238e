/* SPDX-License-Identifier: ISC */
/*
 * fuzz_hdr_canon.c - libFuzzer target for the header list and DKIM
 * canonicalization (RFC 6376 3.4): hdr_list_add_raw() stores the input as
 * one field, canon_header() canonicalizes it simple and relaxed, and
 * canon_body() canonicalizes the input as a body both ways, once whole and
 * once in two chunks split at a point chosen by the input's first bytes
 * (the milter hands the body over in chunks of any size; the state that
 * spans them must give the same bytes). The input is copied to a heap
 * block of its exact size, so a read past the end shows under ASan.
 * Checks: the stored field is "Name:value" with only CRLF line ends in the
 * value and none at its end, and is found by its name without the WSP
 * before the colon (hdr_name_len); simple header canonicalization changes
 * nothing; relaxed header output has no WSP before the colon, no line end,
 * tab or doubled space in its value and is a fixed point; body output
 * ends with one CRLF (or is an empty relaxed body) and relaxed body output
 * has no tab, doubled space or space before a line end.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "canon.h"
#include "hdr.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
has(const char *p, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(p + i, needle, n) == 0)
			return true;
	return false;
}

static void
check_field(const struct hdr_field *f)
{
	size_t i;

	if (f->name_len >= f->raw_len || f->raw[f->name_len] != ':' ||
	    f->raw[f->raw_len] != '\0')
		abort();
	for (i = f->name_len + 1; i < f->raw_len; i++)
		if (f->raw[i] == '\n' && f->raw[i - 1] != '\r')
			abort();
	if (f->raw_len > f->name_len + 1 &&
	    (f->raw[f->raw_len - 1] == '\r' || f->raw[f->raw_len - 1] == '\n'))
		abort();
	/* the name as looked up: WSP before the colon dropped (RFC 5322 4.5) */
	i = hdr_name_len(f->raw, f->name_len);
	if (i > f->name_len || i != f->key_len || !hdr_field_is(f, f->raw, i) ||
	    (i > 0 && (f->raw[i - 1] == ' ' || f->raw[i - 1] == '\t')))
		abort();
}

static void
fuzz_header(const struct hdr_field *f)
{
	struct buf s = BUF_INIT, r = BUF_INIT, rr = BUF_INIT;
	const char *colon;
	size_t vlen;

	canon_header(CANON_SIMPLE, f->raw, f->raw_len, true, &s);
	canon_header(CANON_RELAXED, f->raw, f->raw_len, false, &r);
	if (buf_failed(&s) || buf_failed(&r))
		goto out;
	if (s.len != f->raw_len + 2 ||
	    memcmp(s.data, f->raw, f->raw_len) != 0 ||
	    memcmp(s.data + f->raw_len, "\r\n", 2) != 0)
		abort();
	if ((colon = memchr(r.data, ':', r.len)) == NULL)
		abort();
	/* RFC 6376 3.4.2: no WSP left before the colon */
	if (colon > r.data && (colon[-1] == ' ' || colon[-1] == '\t'))
		abort();
	colon++;
	vlen = r.len - (size_t)(colon - r.data);
	if (memchr(colon, '\r', vlen) != NULL ||
	    memchr(colon, '\n', vlen) != NULL ||
	    memchr(colon, '\t', vlen) != NULL || has(colon, vlen, "  ") ||
	    (vlen > 0 && (colon[0] == ' ' || colon[vlen - 1] == ' ')))
		abort();
	canon_header(CANON_RELAXED, r.data, r.len, false, &rr);
	if (!buf_failed(&rr) &&
	    (rr.len != r.len || memcmp(rr.data, r.data, r.len) != 0))
		abort();
out:
	buf_free(&s);
	buf_free(&r);
	buf_free(&rr);
}

static int
emit_buf(void *arg, const unsigned char *p, size_t n)
{
	buf_add(arg, p, n);
	return buf_failed(arg) ? -1 : 0;
}

/* Canonicalize the body in one chunk (split == len) or two; -1 on failure. */
static int
body(enum canon_alg alg, const unsigned char *p, size_t len, size_t split,
    struct buf *out)
{
	struct canon_body *cb;
	int rc = 0;

	if ((cb = canon_body_new(alg, emit_buf, out)) == NULL)
		return -1;
	if (canon_body_update(cb, p, split) == -1 ||
	    canon_body_update(cb, p + split, len - split) == -1 ||
	    canon_body_final(cb) == -1)
		rc = -1;
	canon_body_free(cb);
	return rc;
}

static void
fuzz_body(enum canon_alg alg, const unsigned char *p, size_t len,
    size_t split)
{
	struct buf whole = BUF_INIT, two = BUF_INIT;

	if (body(alg, p, len, len, &whole) == -1 ||
	    body(alg, p, len, split, &two) == -1)
		goto out;
	if (whole.len != two.len ||
	    (whole.len > 0 && memcmp(whole.data, two.data, whole.len) != 0))
		abort();
	if (whole.len == 0) {
		if (alg == CANON_SIMPLE)
			abort();	/* simple: an empty body is one CRLF */
		goto out;
	}
	if (whole.len < 2 || memcmp(whole.data + whole.len - 2, "\r\n", 2) != 0)
		abort();
	if (whole.len >= 4 &&
	    memcmp(whole.data + whole.len - 4, "\r\n\r\n", 4) == 0)
		abort();	/* trailing empty lines are dropped */
	if (alg == CANON_RELAXED &&
	    (memchr(whole.data, '\t', whole.len) != NULL ||
	    has(whole.data, whole.len, "  ") ||
	    has(whole.data, whole.len, " \r\n")))
		abort();
out:
	buf_free(&whole);
	buf_free(&two);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hdr_list l;
	char *in;
	size_t split = 0;

	if ((in = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	hdr_list_init(&l);
	if (hdr_list_add_raw(&l, in, size) == HDR_ADDED) {
		if (l.n != 1)
			abort();
		check_field(&l.f[0]);
		fuzz_header(&l.f[0]);
	}
	hdr_list_free(&l);
	if (size >= 2)
		split = ((size_t)data[0] << 8 | data[1]) % (size + 1);
	fuzz_body(CANON_SIMPLE, (const unsigned char *)in, size, split);
	fuzz_body(CANON_RELAXED, (const unsigned char *)in, size, split);
	free(in);
	return 0;
}
