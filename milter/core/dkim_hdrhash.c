/* SPDX-License-Identifier: ISC */
/*
 * dkim_hdrhash.c - the DKIM header hash (RFC 6376 3.7) over the fields
 * chosen bottom-up (5.4.2), shared by dkim_sign.c and dkim_verify.c so
 * that what the signer hashes is by construction what the verifier
 * hashes. No I/O; the hash is OpenSSL's EVP.
 */
#include <strings.h>

#include <openssl/evp.h>

#include "dkim_hdrhash.h"

const struct hdr_field *
dkim_hdrhash_pick(const struct hdr_list *hdrs, const struct hdr_field *skip,
    const struct taglist_view *names, size_t j)
{
	const struct taglist_view *name = &names[j];
	size_t earlier = 0, seen = 0, k, fi;

	/* the how-manieth instance of this name, counted from below */
	for (k = 0; k < j; k++)
		if (names[k].len == name->len &&
		    strncasecmp(names[k].p, name->p, name->len) == 0)
			earlier++;
	for (fi = hdrs->n; fi > 0; fi--) {
		const struct hdr_field *f = &hdrs->f[fi - 1];

		if (f == skip || !hdr_field_is(f, name->p, name->len))
			continue;
		if (seen++ == earlier)
			return f;
	}
	return NULL;
}

int
dkim_hdrhash(const struct hdr_list *hdrs, const struct hdr_field *skip,
    const struct taglist_view *names, size_t n, enum canon_alg hcanon,
    const char *self, size_t selflen, unsigned char digest[32],
    struct err *e)
{
	struct buf c = BUF_INIT;
	EVP_MD_CTX *ctx;
	unsigned int dlen = 0;
	size_t j;
	int rc = -1;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		err_ssl(e, "header hash init");
		goto out;
	}
	for (j = 0; j < n; j++) {
		const struct hdr_field *f = dkim_hdrhash_pick(hdrs, skip, names,
		    j);

		if (f == NULL)
			continue;	/* absent: contributes nothing */
		if (canon_header_hash(ctx, hcanon, f->raw, f->raw_len, true,
		    &c) == -1) {
			err_set(e, "header hash");
			goto out;
		}
	}
	if (canon_header_hash(ctx, hcanon, self, selflen, false, &c) == -1 ||
	    EVP_DigestFinal_ex(ctx, digest, &dlen) != 1 || dlen != 32) {
		err_set(e, "header hash");
		goto out;
	}
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	buf_free(&c);
	return rc;
}

void
dkim_hdrhash_self(const struct hdr_field *f, size_t b_off, size_t b_len,
    struct buf *out)
{
	const char *val;
	size_t vlen, start, stop;

	val = hdr_field_value(f, &vlen);
	start = b_off;
	while (start > 0 && val[start - 1] != '=')
		start--;
	stop = b_off + b_len;
	while (stop < vlen && val[stop] != ';')
		stop++;
	buf_add(out, f->raw, f->name_len + 1);
	buf_add(out, val, start);
	buf_add(out, val + stop, vlen - stop);
}
