/* SPDX-License-Identifier: ISC */
/*
 * render_json.h - JSON fragments of a message's results, for --evaluate
 * --json (evaluate.c puts them together): the signatures made, the DKIM
 * results, SPF, DMARC and DNS statistics. Owner: the caller owns out.
 */
#ifndef INKAN_RENDER_JSON_H
#define INKAN_RENDER_JSON_H

#include <stdbool.h>

#include "buf.h"
#include "results.h"

void	 render_json_signed(const struct results *, struct buf *out);
void	 render_json_dkim(const struct results *, struct buf *out);
void	 render_json_dns(const struct results *, struct buf *out);
void	 render_json_dmarc(const struct results *, struct buf *out);
/* The ARC object: always there, result "none" without ARC fields. */
void	 render_json_arc(const struct results *, struct buf *out);
/* "spf" (MAIL FROM) or, with helo, "spf_helo"; null when not checked. */
void	 render_json_spf(const struct results *, struct buf *out, bool helo);

#endif
