/* SPDX-License-Identifier: ISC */
/*
 * render_ar.h - the header fields a verified message gains, written from
 * its results: our Authentication-Results value (RFC 8601), one resinfo
 * per SPF identity and DKIM signature and one for DMARC, and Received-SPF
 * (RFC 7208 9.1). Owner: the caller owns out.
 */
#ifndef INKAN_RENDER_AR_H
#define INKAN_RENDER_AR_H

#include "buf.h"
#include "results.h"

/* Replace out with the Authentication-Results value. */
void	 render_ar(const struct results *, struct buf *out);
/* Append the Received-SPF value; nothing when SPF was not checked. */
void	 render_ar_received_spf(const struct results *, struct buf *out);

#endif
