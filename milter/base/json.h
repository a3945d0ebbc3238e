/* SPDX-License-Identifier: ISC */
/*
 * json.h - writing JSON strings (RFC 8259 section 7) for --evaluate --json.
 * Only writing: inkan never parses JSON.
 */
#ifndef INKAN_JSON_H
#define INKAN_JSON_H

#include <stddef.h>

#include "buf.h"

/* Append s as a quoted JSON string; NULL becomes null. */
void	 json_str(struct buf *out, const char *s);
/* The same for len bytes that may hold anything (NUL, invalid UTF-8). */
void	 json_strn(struct buf *out, const char *s, size_t len);

#endif
