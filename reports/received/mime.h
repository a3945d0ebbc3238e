/* SPDX-License-Identifier: ISC */
/*
 * mime.h - the report attachments of one RFC 5322 message (RFC 2045,
 * RFC 2046, RFC 2183).
 */
#ifndef INKAN_RCV_MIME_H
#define INKAN_RCV_MIME_H

#include <stdbool.h>
#include <stddef.h>

#include "unpack.h"

#define RCV_MIME_MAX_DEPTH	8	/* multipart nesting */
#define RCV_MIME_MAX_PARTS	64	/* leaf parts looked at per message */
#define RCV_MIME_MAX_HEADER	(256u << 10)	/* bytes of one header section */

/*
 * Walk the message of len bytes at p; every part that is a report by its
 * Content-Type (application/gzip, application/zip,
 * application/x-zip-compressed, text/xml, application/xml and their
 * x- forms) or its file name (.xml, .gz, .zip) is decoded (base64,
 * quoted-printable) and unpacked (rcv_unpack, no further message); other
 * parts are ignored. A message with no report part is refused. Returns 0,
 * or -1 if a sink function failed.
 */
int	 rcv_mime(const struct rcv_sink *, const char *label, const void *p,
	    size_t len, struct err *e);

/* Decoders, for the tests: append the decoded bytes to out. */
struct buf;
void	 rcv_mime_base64(const char *p, size_t len, struct buf *out);
void	 rcv_mime_qp(const char *p, size_t len, struct buf *out);

#endif
