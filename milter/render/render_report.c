/* SPDX-License-Identifier: ISC */
/*
 * render_report.c - the aggregate report row from the results (see
 * render_report.h).
 */
#include <stdio.h>
#include <string.h>

#include "render_report.h"

/*
 * Keep the result for the aggregate reports (RFC 9990) when the domain
 * has a policy; the database drops rather than waits (report_db.h). The
 * disposition is what was done, with the reason when local policy
 * overrode the Domain Owner's (RFC 9990 2.1.5).
 * txn_eom calls this only for a message that was accepted, held or
 * refused, never for one answered with a tempfail: the client retries
 * it, and the retry is what gets counted, once. A row per attempt would
 * count one message several times, and as a failure each time DNS was
 * down.
 * A message accepted with dmarc=temperror (dmarc_tempfail_on_temperror =
 * no, or dmarc_enforce = no) is kept: the DKIM and SPF results as checked
 * (temperror among them, which the schema's DKIMResultType and
 * SPFResultType have), disposition none since no policy was applied, and
 * as PolicyOverrideType "other" the words "dmarc temperror". The schema's
 * DMARCResultType in policy_evaluated has only pass and fail, so without
 * that reason the row would read as a fail whose disposition the
 * receiver ignored.
 */
void
render_report(const struct results *r, struct report_db *db)
{
	const struct dmarc_policy *pol = r->policy;
	const struct dmarc_verdict *v = r->dmarc;
	struct report_dkim dk[DKIM_VERIFY_MAX_REPORTED];
	struct report_row row;
	struct buf rua = BUF_INIT;
	char override[512];
	size_t i;
	const char *env_at = r->spf_mf != NULL ? strrchr(r->spf_sender, '@') :
	    NULL;

	if (db == NULL || v == NULL || pol == NULL ||
	    pol->status != DMARC_POLICY_FOUND)
		return;
	memset(&row, 0, sizeof(row));
	for (i = 0; i < r->ndkim; i++) {
		dk[i].domain = r->dkim[i]->domain;
		dk[i].selector = r->dkim[i]->selector;
		dk[i].result = auth_result_name(r->dkim[i]->result);
	}
	for (i = 0; i < pol->rec.nrua; i++) {
		if (i > 0)
			buf_addc(&rua, ',');
		buf_add(&rua, pol->rec.rua[i].p, pol->rec.rua[i].len);
	}
	row.when = r->when;
	row.source_ip = r->client_ip != NULL ? r->client_ip : "";
	row.header_from = r->from_domain;
	row.envelope_from = env_at != NULL ? env_at + 1 : "";
	row.policy_domain = pol->policy_domain;
	row.p = dmarc_request_name(pol->rec.p);
	row.sp = pol->rec.sp_present ? dmarc_request_name(pol->rec.sp) : NULL;
	row.np = pol->rec.np_present ? dmarc_request_name(pol->rec.np) : NULL;
	row.adkim_strict = pol->rec.adkim == DMARC_ALIGN_STRICT;
	row.aspf_strict = pol->rec.aspf == DMARC_ALIGN_STRICT;
	row.testing = pol->rec.t;
	row.discovery = r->discovery == DMARC_DISCOVERY_PSL ? "psl" :
	    "treewalk";
	row.dmarc = auth_result_name(v->result);
	if (v->result == AUTH_PASS)
		row.disposition = "pass";
	else {
		row.disposition = dmarc_request_name(r->applied);
		row.override = r->override;
		/* the sealer in the report's comment: "TYPE: comment" */
		if (r->override != NULL && r->arc_override != NULL &&
		    strcmp(r->override, "trusted_forwarder") == 0) {
			snprintf(override, sizeof(override), "%s: %s",
			    r->override, r->arc_override);
			row.override = override;
		}
	}
	if (v->result == AUTH_TEMPERROR)
		row.override = "dmarc temperror";
	row.dkim_aligned = v->dkim_aligned;
	row.spf_aligned = v->spf_aligned;
	if (r->spf_mf != NULL) {
		row.spf_domain = r->spf_domain;
		row.spf_result = spf_result_name(r->spf_mf->result);
	}
	row.dkim = dk;
	row.ndkim = r->ndkim;
	row.rua = rua.len > 0 ? buf_str(&rua) : NULL;
	report_db_record(db, &row);
	buf_free(&rua);
}
