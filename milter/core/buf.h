/* SPDX-License-Identifier: ISC */
/*
 * buf.h - the one growable byte buffer of the project (STYLE.md section 4).
 * Always NUL-terminated so buf_str() can be handed to C string functions,
 * but lengths are tracked and binary data is fine. Errors are sticky: after
 * a failed allocation or a size overflow every later append does nothing and
 * buf_failed() says so, so a chain of appends needs one check at the end.
 * The owner of the struct owns its storage; buf_free() releases it.
 */
#ifndef INKAN_BUF_H
#define INKAN_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	bool	 failed;
};

#define BUF_INIT	{ NULL, 0, 0, false }

void	 buf_init(struct buf *);
/* Release storage; the struct may be reused after buf_init(). */
void	 buf_free(struct buf *);
/* Like buf_free, but overwrite the bytes first (secrets). */
void	 buf_wipe(struct buf *);
/* Forget the contents, keep the storage. */
void	 buf_reset(struct buf *);
/* Make room for n more bytes; 0 or -1 (and the buffer marked failed). */
int	 buf_reserve(struct buf *, size_t n);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addc(struct buf *, char);
void	 buf_adds(struct buf *, const char *);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * s as an RFC 5322 3.2.4 quoted-string (the RFC 2045 quoted-string of
 * Authentication-Results is the same): in DQUOTEs, '"' and '\\' escaped,
 * control and non-ASCII bytes dropped so the field stays printable ASCII.
 */
void	 buf_add_quoted(struct buf *, const char *s);
/* Keep the first len bytes (nothing happens if there are fewer). */
void	 buf_truncate(struct buf *, size_t len);
/* The contents as a C string ("" for an empty or failed buffer). */
const char *buf_str(const struct buf *);
bool	 buf_failed(const struct buf *);
/* Move the storage out to the caller, who frees it; the buffer is reset. */
char	*buf_release(struct buf *);

#endif
