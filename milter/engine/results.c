/* SPDX-License-Identifier: ISC */
/*
 * results.c - the names of actions and roles (see results.h): the one
 * table the log line, JSON and metrics all use; and reading the checks'
 * findings into a struct results.
 */
#include "ar_seen.h"
#include "arc_task.h"
#include "dkim_task.h"
#include "dkim_sign.h"
#include "policy.h"
#include "results.h"
#include "spf_task.h"

const char *
results_action_name(enum txn_action a)
{
	static const char *const names[] = { "accept", "reject", "tempfail",
	    "quarantine", "discard" };

	return (size_t)a < sizeof(names) / sizeof(names[0]) ? names[a] : "?";
}

const char *
results_role_name(enum txn_role r)
{
	switch (r) {
	case TXN_ROLE_SIGN:	return "sign";
	case TXN_ROLE_VERIFY:	return "verify";
	case TXN_ROLE_NONE:	break;
	}
	return "none";
}

void
results_fill_signer(struct results *r, const struct dkim_signer *s)
{
	size_t i;

	r->signing = s != NULL;
	for (i = 0; s != NULL && i < dkim_signer_count(s) &&
	    i < DKIM_SIGN_MAX_KEYS; i++) {
		r->sig[i].domain = dkim_signer_domain(s, i);
		r->sig[i].selector = dkim_signer_selector(s, i);
		r->sig[i].algorithm = dkim_signer_alg(s, i);
		r->sig[i].value = dkim_signer_value(s, i);
		r->nsig++;
	}
}

void
results_fill_spf(struct results *r, const struct spf_task *c)
{
	if (c == NULL)
		return;
	r->spf = c;
	r->spf_mf = spf_task_mailfrom(c);
	r->spf_helo = spf_task_helo(c);
	r->spf_sender = spf_task_sender(c);
	r->spf_domain = spf_task_domain(c);
	r->spf_helo_name = spf_task_helo_name(c);
	r->spf_upstream = spf_task_upstream(c);
}

void
results_fill_dkim(struct results *r, const struct dkim_task *c)
{
	size_t i;

	if (c == NULL)
		return;
	r->dkim_checked = true;
	for (i = 0; i < dkim_task_count(c) && i < DKIM_VERIFY_MAX_REPORTED;
	    i++)
		r->dkim[r->ndkim++] = dkim_task_verdict(c, i);
	r->dkim_ignored = dkim_task_ignored(c);
	r->dns_queries = dkim_task_queries(c);
	r->dns_max_in_flight = dkim_task_max_in_flight(c);
}

void
results_fill_arc(struct results *r, const struct arc_task *c)
{
	unsigned i;

	if (c == NULL)
		return;
	/* a task made for sealing alone: no ARC field, the result none */
	if (arc_task_result(c)->fields == 0)
		return;
	r->arc = arc_task_result(c);
	for (i = 1; i <= r->arc->instances && i <= ARC_MAX_INSTANCES; i++)
		if ((r->arc_set[r->narc] = arc_task_instance(c, i)) != NULL)
			r->narc++;
	r->dns_queries += arc_task_queries(c);
	/* ARC's lookups are in flight with DKIM's, all from end of headers */
	r->dns_max_in_flight += arc_task_max_in_flight(c);
}

void
results_fill_arc_seal(struct results *r, const struct arc_task *c)
{
	r->arc_aar = arc_task_aar(c);
	r->arc_ams = arc_task_ams(c);
	r->arc_as = arc_task_as(c);
}

void
results_fill_seen(struct results *r, const struct ar_seen *s)
{
	r->up_id = s->up_id;
	r->up_why = s->up_why;
	r->nforged = s->nforged;
	r->forged = s->forged;
	r->forged_over = s->forged_over;
}

void
results_fill_decision(struct results *r, const struct policy_decision *d)
{
	r->action = d->action;
	r->reply_code = d->reply_code;
	r->reply_xcode = d->reply_xcode;
	r->reply_text = d->reply_text;
	r->applied = d->applied;
	r->override = d->override;
	r->arc_override = d->arc_override;
}
