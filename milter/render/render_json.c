/* SPDX-License-Identifier: ISC */
/*
 * render_json.c - JSON from the results (see render_json.h).
 */
#include "json.h"
#include "render_json.h"

void
render_json_dkim(const struct results *r, struct buf *out)
{
	size_t i;

	buf_addc(out, '[');
	for (i = 0; i < r->ndkim; i++) {
		const struct dkim_verdict *v = r->dkim[i];

		buf_adds(out, i == 0 ? "{\"result\": " : ", {\"result\": ");
		json_str(out, auth_result_name(v->result));
		buf_adds(out, ", \"domain\": ");
		json_str(out, v->domain);
		buf_adds(out, ", \"selector\": ");
		json_str(out, v->selector);
		buf_adds(out, ", \"algorithm\": ");
		json_str(out, v->algorithm);
		buf_adds(out, ", \"b\": ");
		json_str(out, v->b);
		buf_adds(out, ", \"reason\": ");
		json_str(out, v->reason);
		if (v->l_present)
			buf_printf(out, ", \"l\": %llu, \"body_length\": %llu",
			    (unsigned long long)v->l,
			    (unsigned long long)v->body_len);
		if (v->testing)
			buf_adds(out, ", \"testing\": true");
		buf_addc(out, '}');
	}
	buf_addc(out, ']');
}

static void
json_spf(struct buf *out, const struct spf_answer *a, const char *domain)
{
	if (a == NULL) {
		buf_adds(out, "null");
		return;
	}
	buf_adds(out, "{\"result\": ");
	json_str(out, spf_result_name(a->result));
	buf_adds(out, ", \"domain\": ");
	json_str(out, domain);
	buf_adds(out, ", \"explanation\": ");
	json_str(out, a->explanation);
	buf_adds(out, ", \"reason\": ");
	json_str(out, a->reason);
	buf_adds(out, ", \"mechanism\": ");
	json_str(out, a->mechanism[0] != '\0' ? a->mechanism : NULL);
	buf_addc(out, '}');
}

void
render_json_spf(const struct results *r, struct buf *out, bool helo)
{
	if (r->spf_mf == NULL)
		buf_adds(out, "null");
	else if (helo)
		json_spf(out, r->spf_helo, r->spf_helo_name);
	else
		json_spf(out, r->spf_mf, r->spf_domain);
}

void
render_json_dmarc(const struct results *r, struct buf *out)
{
	const struct dmarc_verdict *v = r->dmarc;

	if (v == NULL) {
		buf_adds(out, "null");
		return;
	}
	buf_adds(out, "{\"result\": ");
	json_str(out, auth_result_name(v->result));
	buf_adds(out, ", \"header_from\": ");
	json_str(out, r->from_domain);
	buf_adds(out, ", \"policy\": ");
	json_str(out, dmarc_request_name(v->policy));
	buf_adds(out, ", \"disposition\": ");
	json_str(out, dmarc_request_name(v->disposition));
	buf_adds(out, ", \"policy_tag\": ");
	json_str(out, dmarc_policy_tag_name(v->tag));
	buf_adds(out, ", \"policy_domain\": ");
	json_str(out, r->policy != NULL ? r->policy->policy_domain : "");
	buf_printf(out, ", \"testing\": %s, \"spf_aligned\": %s, "
	    "\"dkim_aligned\": %s, \"reason\": ",
	    v->testing ? "true" : "false",
	    v->spf_aligned ? "true" : "false",
	    v->dkim_aligned ? "true" : "false");
	json_str(out, v->reason);
	buf_addc(out, '}');
}

void
render_json_dns(const struct results *r, struct buf *out)
{
	buf_printf(out, "{\"queries\": %zu, \"max_in_flight\": %zu}",
	    r->dns_queries, r->dns_max_in_flight);
}

void
render_json_signed(const struct results *r, struct buf *out)
{
	size_t i;

	buf_addc(out, '[');
	for (i = 0; i < r->nsig; i++) {
		buf_adds(out, i == 0 ? "{\"domain\": " : ", {\"domain\": ");
		json_str(out, r->sig[i].domain);
		buf_adds(out, ", \"selector\": ");
		json_str(out, r->sig[i].selector);
		buf_adds(out, ", \"algorithm\": ");
		json_str(out, r->sig[i].algorithm);
		buf_addc(out, '}');
	}
	buf_addc(out, ']');
}

void
render_json_arc(const struct results *r, struct buf *out)
{
	const struct arc_result *a = r->arc;
	unsigned k;

	buf_adds(out, "{\"result\": ");
	json_str(out, auth_result_name(a != NULL ? a->result : AUTH_NONE));
	buf_printf(out, ", \"instances\": %u, \"oldest_pass\": %u, "
	    "\"reason\": ", a != NULL ? a->instances : 0,
	    a != NULL && a->result == AUTH_PASS ? a->oldest_pass : 0);
	json_str(out, a != NULL ? a->reason : NULL);
	buf_adds(out, ", \"sealers\": [");
	for (k = 0; k < r->narc; k++) {
		const struct arc_instance *in = r->arc_set[k];

		buf_printf(out, "%s{\"i\": %u, \"d\": ", k == 0 ? "" : ", ",
		    in->i);
		json_str(out, in->domain);
		buf_adds(out, ", \"s\": ");
		json_str(out, in->selector);
		buf_adds(out, ", \"cv\": ");
		json_str(out, arc_cv_name(in->cv));
		buf_adds(out, ", \"result\": ");
		json_str(out, auth_result_name(in->seal));
		buf_addc(out, '}');
	}
	buf_adds(out, "]}");
}
