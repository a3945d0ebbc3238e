/* SPDX-License-Identifier: ISC */
/*
 * results.c - the names of actions and roles (see results.h): the one
 * table the log line, JSON and metrics all use; and reading the checks'
 * findings into a struct results.
 */
#include "dkim_task.h"
#include "dkim_sign.h"
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
