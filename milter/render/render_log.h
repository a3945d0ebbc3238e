/* SPDX-License-Identifier: ISC */
/*
 * render_log.h - the one log line of a message (inkan-milter(8), LOGGING),
 * written from its results: queue id, role, client, From domain, every
 * result with its reason, the action and the reply. Values from the
 * message are escaped so the line stays one line of valid UTF-8. Owner:
 * the caller owns out.
 */
#ifndef INKAN_RENDER_LOG_H
#define INKAN_RENDER_LOG_H

#include "buf.h"
#include "results.h"

/* Replace out with the log line (no newline). */
void	 render_log(const struct results *, struct buf *out);

#endif
