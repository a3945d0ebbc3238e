/* SPDX-License-Identifier: ISC */
/*
 * b64.h - base64 through OpenSSL (no hand-written codec), appending to a buf.
 */
#ifndef INKAN_B64_H
#define INKAN_B64_H

#include <stddef.h>

#include "buf.h"

/* Append the base64 of len bytes at p to out (no line breaks). */
void	 b64_encode(struct buf *out, const unsigned char *p, size_t len);

#endif
