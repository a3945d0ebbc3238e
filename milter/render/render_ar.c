/* SPDX-License-Identifier: ISC */
/*
 * render_ar.c - Authentication-Results and Received-SPF from the results
 * (see render_ar.h).
 */
#include <stdio.h>
#include <strings.h>

#include "ar.h"
#include "render_ar.h"
#include "spf_task.h"

void
render_ar(const struct results *r, struct buf *out)
{
	size_t i;

	buf_reset(out);
	ar_begin(out, r->authserv_id);
	if (r->spf_mf != NULL) {
		const struct spf_answer *a = r->spf_mf, *h = r->spf_helo;
		const char *mf[] = { "smtp.mailfrom", r->spf_sender, NULL };
		const char *hp[] = { "smtp.helo", r->spf_helo_name, NULL };

		ar_add(out, "spf", spf_result_auth(a->result), a->reason, mf);
		if (h != NULL)
			ar_add(out, "spf", spf_result_auth(h->result),
			    h->reason, hp);
	}
	for (i = 0; i < r->ndkim; i++) {
		const struct dkim_verdict *v = r->dkim[i];
		const char *props[] = { "header.d", v->domain, "header.s",
		    v->selector, "header.a", v->algorithm, "header.b", v->b,
		    NULL };

		ar_add(out, "dkim", v->result, v->reason, props);
	}
	if (r->ndkim == 0)
		ar_add(out, "dkim", AUTH_NONE, "no signatures", NULL);
	/*
	 * RFC 8617 7.2 (and its IANA registrations, 10.1): arc with
	 * smtp.remote-ip, the client the chain came from, and
	 * header.oldest-pass when an older AMS no longer validates. Only for
	 * a message with ARC fields: others' fields stay as they were.
	 */
	if (r->arc != NULL) {
		char oldest[16];
		const char *props[] = { "smtp.remote-ip", r->client_ip,
		    "header.oldest-pass", r->arc->result == AUTH_PASS &&
		    r->arc->oldest_pass > 0 ? oldest : NULL, NULL };

		snprintf(oldest, sizeof(oldest), "%u", r->arc->oldest_pass);
		ar_add(out, "arc", r->arc->result, r->arc->reason, props);
	}
	if (r->dmarc != NULL) {
		const struct dmarc_verdict *v = r->dmarc;
		const struct dmarc_policy *pol = r->policy;
		bool found = pol != NULL && pol->status == DMARC_POLICY_FOUND;
		/*
		 * RFC 9989's registrations for the dmarc method (section
		 * 11, IANA's Email Authentication Methods): polrec.p is the
		 * p= read from the record found (none where 4.10.1 reads
		 * the record as p=none), polrec.domain where it was found,
		 * given only when that is not the From domain.
		 */
		const char *props[] = { "header.from", r->from_domain,
		    "polrec.p", found ? dmarc_request_name(pol->rec.p) : NULL,
		    "polrec.domain", found && strcasecmp(pol->policy_domain,
		    r->from_domain) != 0 ? pol->policy_domain : NULL, NULL };
		char why[DMARC_REASON_MAX + 64 + 300];

		snprintf(why, sizeof(why), "p=%s dis=%s%s%s%s",
		    dmarc_request_name(v->policy),
		    dmarc_request_name(v->disposition),
		    v->testing ? " t=y" : "", r->arc_override != NULL ?
		    "; overridden: " : "", r->arc_override != NULL ?
		    r->arc_override : "");
		ar_add(out, "dmarc", v->result, v->result == AUTH_NONE ||
		    v->result == AUTH_TEMPERROR || v->result == AUTH_PERMERROR ?
		    v->reason : why, props);
	}
	ar_end(out, true);
}

void
render_ar_received_spf(const struct results *r, struct buf *out)
{
	if (r->spf != NULL)
		spf_task_received(r->spf, out);
}
