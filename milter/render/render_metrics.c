/* SPDX-License-Identifier: ISC */
/*
 * render_metrics.c - counting a message's results (see render_metrics.h).
 */
#include "metrics.h"
#include "render_metrics.h"

void
render_metrics(const struct results *r)
{
	size_t i;

	metrics_message(r->role);
	if (r->failed)
		return;
	if (r->role == TXN_ROLE_SIGN) {
		if (!r->signing)
			metrics_unsigned();
		for (i = 0; i < r->nsig; i++)
			metrics_signature(r->sig[i].algorithm);
		return;
	}
	if (r->dkim_checked && r->ndkim == 0)
		metrics_dkim(AUTH_NONE);
	for (i = 0; i < r->ndkim; i++)
		metrics_dkim(r->dkim[i]->result);
	if (r->spf_mf != NULL)
		metrics_spf(r->spf_mf->result);
	if (r->dmarc != NULL)
		metrics_dmarc(r->dmarc->result);
	metrics_arc(r->arc != NULL ? r->arc->result : AUTH_NONE);
	if (r->arc_override != NULL)
		metrics_arc_override();
	if (r->arc_as != NULL)
		metrics_arc_sealed();
}
