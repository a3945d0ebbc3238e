/* SPDX-License-Identifier: ISC */
/*
 * b64.c - base64 encoding with OpenSSL's EVP_EncodeBlock, in slices so no
 * int overflows for large inputs.
 */
#include <openssl/evp.h>

#include "b64.h"

/* A multiple of 3, so slices concatenate without padding in between. */
#define B64_SLICE	(3 * 4096)

void
b64_encode(struct buf *out, const unsigned char *p, size_t len)
{
	while (len > 0) {
		size_t n = len < B64_SLICE ? len : B64_SLICE;
		size_t enc = 4 * ((n + 2) / 3);

		if (buf_reserve(out, enc) == -1)
			return;
		EVP_EncodeBlock((unsigned char *)out->data + out->len, p, (int)n);
		out->len += enc;
		out->data[out->len] = '\0';
		p += n;
		len -= n;
	}
}
