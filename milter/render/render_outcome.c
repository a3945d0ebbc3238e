/* SPDX-License-Identifier: ISC */
/*
 * render_outcome.c - the MTA's answer from the results and the decision
 * (see render_outcome.h).
 */
#include "ar.h"
#include "arc_set.h"
#include "render_ar.h"
#include "render_outcome.h"

static void
add_field(struct txn_outcome *out, const char *name, const char *value)
{
	if (out->nadded < TXN_MAX_ADDED) {
		out->added[out->nadded].name = name;
		out->added[out->nadded].value = value;
		out->nadded++;
	}
}

void
render_outcome(const struct results *r, const struct policy_decision *d,
    bool received_spf, struct render_outcome_bufs *bufs,
    struct txn_outcome *out)
{
	size_t i;

	if (!r->failed && r->nforged > 0 && !r->forged_over) {
		out->delete_name = AR_FIELD;
		out->delete_idx = r->forged;
		out->ndelete = r->nforged;
	}
	if (!r->failed && !r->forged_over && r->signing)
		for (i = 0; i < r->nsig; i++)
			add_field(out, DKIM_SIGNATURE_FIELD, r->sig[i].value);
	/*
	 * Our ARC Set (arc_seal) above our A-R, as if added after it, in
	 * the order RFC 8617 5.1 adds its fields (AAR, then AMS, then AS),
	 * so the AS is topmost: added[] runs from the top down.
	 */
	if (!r->failed && !r->forged_over && r->arc_as != NULL) {
		add_field(out, ARC_SEAL_FIELD, r->arc_as);
		add_field(out, ARC_AMS_FIELD, r->arc_ams);
		add_field(out, ARC_AAR_FIELD, r->arc_aar);
	}
	if (!r->failed && !r->forged_over && r->role == TXN_ROLE_VERIFY) {
		render_ar(r, &bufs->ar);
		add_field(out, AR_FIELD, buf_str(&bufs->ar));
		/* RFC 7208 9.1: the receiver that checked adds it; a relay
		 * whose result we took did its own */
		if (r->spf != NULL && received_spf && r->spf_upstream == NULL) {
			buf_reset(&bufs->received_spf);
			render_ar_received_spf(r, &bufs->received_spf);
			add_field(out, "Received-SPF",
			    buf_str(&bufs->received_spf));
		}
	}
	if (d->quarantine_header != NULL)
		add_field(out, "X-DMARC-Quarantine", d->quarantine_header);
	out->action = d->action;
	out->reply_code = d->reply_code;
	out->reply_xcode = d->reply_xcode;
	out->reply_text = d->reply_text;
}

void
render_outcome_free(struct render_outcome_bufs *b)
{
	buf_free(&b->ar);
	buf_free(&b->received_spf);
}
