/* SPDX-License-Identifier: ISC */
/*
 * render_log.c - the log line of a message from its results (see
 * render_log.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "render_log.h"
#include "utf8.h"

/*
 * One " key=value" of the log line. A value that is one word of printable
 * ASCII goes bare; any other value, and every one with quote set (free
 * text), goes in double quotes with \" and \\ escaped. Control bytes are
 * written as \xNN so that a message is always exactly one log line, even
 * when a value comes from the message, and so is every byte that is not
 * part of valid UTF-8 (RFC 3629), so the line stays valid text for syslog
 * and the journal. NULL writes nothing.
 */
static void
log_kv(struct buf *b, const char *key, const char *v, bool quote)
{
	const unsigned char *p, *end;

	if (v == NULL)
		return;
	for (p = (const unsigned char *)v; !quote && *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '"' || *p == '\\')
			quote = true;
	buf_printf(b, " %s=", key);
	if (!quote && *v != '\0') {
		buf_adds(b, v);
		return;
	}
	buf_addc(b, '"');
	end = (const unsigned char *)v + strlen(v);
	for (p = (const unsigned char *)v; p < end; p++) {
		uint32_t cp;
		size_t n;

		if (*p == '"' || *p == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)*p);
		} else if (*p < ' ' || *p == 0x7f)
			buf_printf(b, "\\x%02x", *p);
		else if (*p < 0x80)
			buf_addc(b, (char)*p);
		else if ((n = utf8_decode(p, (size_t)(end - p), &cp)) == 0)
			buf_printf(b, "\\x%02x", *p);
		else {
			buf_add(b, p, n);
			p += n - 1;
		}
	}
	buf_addc(b, '"');
}

/* Sign role: each signature made, or why there is none. */
static void
log_sign(const struct results *r, struct buf *b)
{
	struct buf why = BUF_INIT;
	size_t i;

	for (i = 0; i < r->nsig; i++) {
		log_kv(b, "dkim", "signed", false);
		log_kv(b, "d", r->sig[i].domain, false);
		log_kv(b, "s", r->sig[i].selector, false);
		log_kv(b, "a", r->sig[i].algorithm, false);
	}
	if (r->signing) {
		log_kv(b, "why", r->why, true);
		return;
	}
	log_kv(b, "dkim", "none", false);
	buf_printf(&why, "not signed: %s", r->why);
	log_kv(b, "why", buf_str(&why), true);
	buf_free(&why);
}

/* Verify role: SPF, each DKIM signature, DMARC, each with its reason. */
static void
log_verify(const struct results *r, struct buf *b)
{
	size_t i;
	char num[32];

	if (r->spf_mf != NULL) {
		log_kv(b, "spf", spf_result_name(r->spf_mf->result), false);
		log_kv(b, "smtp.mailfrom", r->spf_sender, false);
		log_kv(b, "spf_reason", r->spf_mf->reason, true);
		log_kv(b, "spf_from", r->spf_upstream, false);
		if (r->spf_helo != NULL)
			log_kv(b, "spf_helo",
			    spf_result_name(r->spf_helo->result), false);
	}
	if (r->spf_mf != NULL && r->spf_upstream == NULL &&
	    r->up_why != NULL) {
		log_kv(b, "spf_upstream", r->up_id, false);
		log_kv(b, "spf_upstream_unused", r->up_why, true);
	}
	if (r->ndkim == 0)
		log_kv(b, "dkim", "none", false);
	for (i = 0; i < r->ndkim; i++) {
		const struct dkim_verdict *v = r->dkim[i];

		log_kv(b, "dkim", auth_result_name(v->result), false);
		log_kv(b, "d", v->domain, false);
		log_kv(b, "s", v->selector, false);
		log_kv(b, "a", v->algorithm, false);
		log_kv(b, "dkim_reason", v->reason, true);
	}
	if (r->dkim_ignored > 0) {
		snprintf(num, sizeof(num), "%zu", r->dkim_ignored);
		log_kv(b, "dkim_ignored", num, false);
	}
	if (r->arc != NULL) {
		log_kv(b, "arc", auth_result_name(r->arc->result), false);
		if (r->arc->result == AUTH_PASS && r->arc->oldest_pass > 0) {
			snprintf(num, sizeof(num), "%u", r->arc->oldest_pass);
			log_kv(b, "arc_oldest_pass", num, false);
		}
		log_kv(b, "arc_reason", r->arc->reason, true);
	}
	if (r->dmarc != NULL) {
		log_kv(b, "dmarc", auth_result_name(r->dmarc->result), false);
		log_kv(b, "header.from", r->from_domain, false);
		/*
		 * p= and dis= only from a policy record found: without one
		 * (none, or a temperror before it was read) "p=none" would
		 * name a policy nobody published; dmarc_reason says why.
		 */
		if (r->policy != NULL &&
		    r->policy->status == DMARC_POLICY_FOUND) {
			log_kv(b, "p", dmarc_request_name(r->dmarc->policy),
			    false);
			log_kv(b, "dis",
			    dmarc_request_name(r->dmarc->disposition), false);
		}
		log_kv(b, "dmarc_reason", r->dmarc->reason, true);
		log_kv(b, "dmarc_override", r->arc_override, true);
	} else if (r->bad_from)
		log_kv(b, "from_error", r->from_why, true);
	if (r->arc_as != NULL)
		log_kv(b, "arc_sealed", "yes", false);
}

void
render_log(const struct results *r, struct buf *b)
{
	struct buf reply = BUF_INIT;
	char num[32];

	buf_reset(b);
	buf_printf(b, "%s:", r->qid != NULL ? r->qid : "NOQUEUE");
	log_kv(b, "role", results_role_name(r->role), false);
	log_kv(b, "client", r->client_ip != NULL ? r->client_ip : "unknown",
	    false);
	log_kv(b, "helo", r->helo, false);
	if (r->from_domain[0] != '\0')
		log_kv(b, "from", r->from_domain, false);
	if (!r->failed && r->role == TXN_ROLE_SIGN)
		log_sign(r, b);
	else if (!r->failed && r->role == TXN_ROLE_VERIFY)
		log_verify(r, b);
	log_kv(b, "action", results_action_name(r->action), false);
	if (r->reply_code != NULL) {
		buf_printf(&reply, "%s %s %s", r->reply_code,
		    r->reply_xcode != NULL ? r->reply_xcode : "",
		    r->reply_text != NULL ? r->reply_text : "");
		log_kv(b, "reply", buf_str(&reply), true);
		buf_free(&reply);
	} else if (r->action == TXN_QUARANTINE)
		log_kv(b, "quarantine", r->reply_text, true);
	if (!r->failed && r->nforged > 0) {
		snprintf(num, sizeof(num), "%zu", r->nforged);
		log_kv(b, "forged_ar_removed", num, false);
	}
	if (r->failed)
		log_kv(b, "error", r->error, true);
}
