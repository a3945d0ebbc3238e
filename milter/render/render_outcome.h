/* SPDX-License-Identifier: ISC */
/*
 * render_outcome.h - the answer to the MTA (struct txn_outcome) from a
 * message's results and the policy's decision: the action and reply, the
 * header fields to add (DKIM-Signature, or an ARC Set, Authentication-Results,
 * Received-SPF and X-DMARC-Quarantine) and the forged ones to delete. The
 * log line is render_log's. Owner: the caller owns bufs, which hold the
 * values of the fields added; out points into them, into r and into d.
 */
#ifndef INKAN_RENDER_OUTCOME_H
#define INKAN_RENDER_OUTCOME_H

#include <stdbool.h>

#include "buf.h"
#include "policy.h"
#include "results.h"

struct render_outcome_bufs {
	struct buf	 ar;		/* our Authentication-Results value */
	struct buf	 received_spf;
};

/* Fill *out (zeroed by the caller) but its log line. */
void	 render_outcome(const struct results *r,
	    const struct policy_decision *d, bool received_spf,
	    struct render_outcome_bufs *bufs, struct txn_outcome *out);
void	 render_outcome_free(struct render_outcome_bufs *);

#endif
