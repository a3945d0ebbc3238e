/* SPDX-License-Identifier: ISC */
/*
 * txn.c - the per-transaction pipeline (see txn.h): the events in their
 * order, and nothing else. The role is policy_role's (policy.c); a message
 * in the sign role is signed only when its RFC 5322.From domain has a key
 * (author.c finds the domain). Anything inkan cannot sign
 * (no From, several From fields, no key) passes untouched with a log line
 * saying why: signing is a service, never a reason to lose mail.
 * Internal errors (no memory, OpenSSL failures) tempfail the message so the
 * MTA keeps it and retries.
 * At end of message the checks are read into one struct results; policy.c
 * decides from it, and render_*.c write the answer, the header fields,
 * the log line, the report row and the metrics from it alone.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ar.h"
#include "ar_seen.h"
#include "arc_task.h"
#include "author.h"
#include "dkim_task.h"
#include "dmarc_task.h"
#include "spf_task.h"
#include "dkim_sign.h"
#include "hdr.h"
#include "fqdn.h"
#include "metrics.h"
#include "policy.h"
#include "resolver.h"
#include "render_ar.h"
#include "render_log.h"
#include "render_metrics.h"
#include "render_outcome.h"
#include "render_report.h"
#include "txn.h"
#include "world.h"

struct txn {
	/* connection */
	char		*client_ip;
	char		*client_name;
	char		*helo;
	char		*daemon_name;
	char		*mta_host;	/* the MTA's j macro, if usable */
	/* message */
	struct world	*world;		/* the world the message started in */
	const struct config *cfg;	/* its settings (world->cfg) */
	enum txn_role	 role;
	char		*mail_from;
	char		*auth_user;
	char		*qid;
	time_t		 now;
	struct hdr_list	 hdrs;
	struct dkim_signer *signer;
	struct dkim_task *dkim;	/* verify role */
	struct spf_task *spf;		/* verify role, from MAIL FROM */
	struct dmarc_task *dmarc;	/* verify role, from end of headers */
	struct arc_task	*arc;		/* verify role, with ARC or arc_seal */
	struct dmarc_verdict dmarc_v;
	char		 from_domain[256];
	struct buf	 from_why;	/* why the From identity is unusable */
	bool		 bad_from;	/* verify role: not exactly one address */
	struct timespec	 dns_deadline;	/* end of the message's DNS budget */
	const char	*authserv_id;	/* the message's: cfg's or mta_host */
	struct render_outcome_bufs fields;	/* the values of fields added */
	struct ar_seen	 seen;		/* the A-R fields it arrived with */
	struct buf	 why;		/* why signed, or why not */
	bool		 failed;	/* internal error: tempfail */
	struct err	 err;
	struct buf	 log;
	struct results	 res;		/* filled at end of message */
	struct policy_decision pol;	/* its storage: the reply */
};

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

struct txn *
txn_new(const char *client_ip, const char *client_name)
{
	struct txn *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->client_ip = dup_or_null(client_ip);
	t->client_name = dup_or_null(client_name);
	hdr_list_init(&t->hdrs);
	if ((client_ip != NULL && t->client_ip == NULL) ||
	    (client_name != NULL && t->client_name == NULL)) {
		txn_free(t);
		return NULL;
	}
	return t;
}

void
txn_reset(struct txn *t)
{
	dkim_signer_free(t->signer);
	t->signer = NULL;
	dkim_task_free(t->dkim);
	t->dkim = NULL;
	spf_task_free(t->spf);
	t->spf = NULL;
	dmarc_task_free(t->dmarc);
	t->dmarc = NULL;
	arc_task_free(t->arc);
	t->arc = NULL;
	t->bad_from = false;
	t->from_domain[0] = '\0';
	buf_free(&t->from_why);
	policy_decision_free(&t->pol);
	memset(&t->res, 0, sizeof(t->res));
	render_outcome_free(&t->fields);
	ar_seen_free(&t->seen);
	t->authserv_id = NULL;
	hdr_list_free(&t->hdrs);
	free(t->mail_from);
	free(t->auth_user);
	free(t->qid);
	t->mail_from = t->auth_user = t->qid = NULL;
	buf_free(&t->why);
	buf_free(&t->log);
	world_unref(t->world);
	t->world = NULL;
	t->cfg = NULL;
	t->role = TXN_ROLE_NONE;
	t->failed = false;
	/* t->now stays: it is the clock of every message on this object */
}

void
txn_free(struct txn *t)
{
	if (t == NULL)
		return;
	txn_reset(t);
	free(t->client_ip);
	free(t->client_name);
	free(t->helo);
	free(t->daemon_name);
	free(t->mta_host);
	free(t);
}

static void
replace(char **dst, const char *s)
{
	free(*dst);
	*dst = dup_or_null(s);
}

void
txn_set_daemon_name(struct txn *t, const char *name)
{
	replace(&t->daemon_name, name);
}

void
txn_set_mta_host(struct txn *t, const char *j)
{
	replace(&t->mta_host, fqdn_usable(j) ? j : NULL);
}

void
txn_helo(struct txn *t, const char *helo)
{
	replace(&t->helo, helo);
}

void
txn_set_queue_id(struct txn *t, const char *qid)
{
	replace(&t->qid, qid);
}

void
txn_set_now(struct txn *t, time_t now)
{
	t->now = now;
}

enum txn_role
txn_role(const struct txn *t)
{
	return t->role;
}

int
txn_mail_from(struct txn *t, const char *addr, const char *auth_user,
    struct world *w)
{
	txn_reset(t);
	t->world = w != NULL ? world_ref(w) : world_current();
	t->cfg = t->world != NULL ? t->world->cfg : NULL;
	if (t->cfg == NULL) {
		t->failed = true;
		err_set(&t->err, "no configuration loaded");
		return -1;
	}
	t->mail_from = dup_or_null(addr);
	t->auth_user = dup_or_null(auth_user);
	if ((addr != NULL && t->mail_from == NULL) ||
	    (auth_user != NULL && t->auth_user == NULL)) {
		t->failed = true;
		err_set(&t->err, "out of memory");
		return -1;
	}
	/*
	 * One authserv-id for everything about this message (our A-R, the
	 * forgeries removed, Received-SPF): the configured one, else the
	 * name the MTA sends as j (Postfix's myhostname), which is the name
	 * its own rules and later filters know it by, else the host's
	 * fully qualified name that config_load found.
	 */
	t->authserv_id = t->cfg->authserv_id_auto && t->mta_host != NULL ?
	    t->mta_host : t->cfg->authserv_id;
	t->role = policy_role(t->cfg, t->auth_user, t->client_ip,
	    t->daemon_name, &t->why);
	if (t->role == TXN_ROLE_VERIFY) {
		struct timespec d;

		/* RFC 7208 2.5: SPF at MAIL FROM time; the answer waits for EOM */
		resolver_deadline(t->cfg->dns_budget, &d);
		t->spf = spf_task_start(t->world->resolver, t->client_ip, t->helo,
		    addr, t->authserv_id, t->now != 0 ? t->now : time(NULL),
		    &d, &t->err);
		if (t->spf == NULL) {
			t->failed = true;
			return -1;
		}
	}
	return 0;
}

int
txn_header(struct txn *t, const char *name, size_t nlen, const char *value,
    size_t vlen)
{
	if (t->role == TXN_ROLE_NONE || t->failed)
		return t->failed ? -1 : 0;
	/* the name as hdr_field_is compares it: WSP before the colon is no
	 * part of it (RFC 5322 4.5), so "Authentication-Results :" counts */
	if (hdr_name_len(name, nlen) == sizeof(AR_FIELD) - 1 &&
	    strncasecmp(name, AR_FIELD, sizeof(AR_FIELD) - 1) == 0 &&
	    ar_seen_field(&t->seen, t->authserv_id,
	    &t->cfg->trusted_authserv_ids, t->role == TXN_ROLE_VERIFY, value,
	    vlen, &t->err) == -1) {
		t->failed = true;
		return -1;
	}
	if (hdr_list_add(&t->hdrs, name, nlen, value, vlen) == HDR_NOMEM) {
		t->failed = true;
		err_set(&t->err, "out of memory");
		return -1;
	}
	return 0;
}

static int
start_signing(struct txn *t)
{
	struct dkim_sign_key keys[DKIM_SIGN_MAX_KEYS];
	struct dkim_sign_params p;
	char local[1024];
	int n;

	if (author_identity(&t->hdrs, local, sizeof(local), t->from_domain,
	    sizeof(t->from_domain), &t->from_why) == -1) {
		t->from_domain[0] = '\0';
		buf_printf(&t->why, "; %s", buf_str(&t->from_why));
		return 0;
	}
	n = keystore_lookup(t->world->keys, local, t->from_domain,
	    t->cfg->sign_subdomains, keys, DKIM_SIGN_MAX_KEYS, &t->err);
	if (n == -1) {
		/*
		 * A key decoded on first use that does not decode (broken or
		 * replaced since the load): tempfail, logged with the file,
		 * rather than send the domain's mail unsigned.
		 */
		t->failed = true;
		return -1;
	}
	if (n == 0) {
		buf_printf(&t->why, "; no key for %s", t->from_domain);
		return 0;
	}
	memset(&p, 0, sizeof(p));
	p.keys = keys;
	p.nkeys = (size_t)n;
	p.hcanon = t->cfg->hcanon;
	p.bcanon = t->cfg->bcanon;
	p.sign_headers = (const char *const *)t->cfg->sign_headers.v;
	p.nsign_headers = t->cfg->sign_headers.n;
	p.oversign_headers = (const char *const *)t->cfg->oversign_headers.v;
	p.noversign_headers = t->cfg->oversign_headers.n;
	p.now = t->now != 0 ? t->now : time(NULL);
	p.ttl = t->cfg->signature_ttl;
	t->signer = dkim_signer_new(&p, &t->hdrs, &t->err);
	keystore_release(keys, (size_t)n);	/* the signer has its own */
	if (t->signer == NULL) {
		t->failed = true;
		return -1;
	}
	return 0;
}

/*
 * Start DKIM and ARC verification: the key lookups go out now, while the
 * body is still to come. SPF (from MAIL FROM) and DKIM and ARC (from
 * here) each get dns_budget from their start; at end of message all are
 * collected at once, so the wait there stays within one budget.
 */
static int
start_verifying(struct txn *t)
{
	char local[1024];

	resolver_deadline(t->cfg->dns_budget, &t->dns_deadline);
	t->dkim = dkim_task_start(&t->hdrs, t->world->resolver,
	    t->cfg->max_signatures, &t->err);
	if (t->dkim == NULL || arc_task_start(&t->arc, &t->hdrs, t->world,
	    t->now != 0 ? t->now : time(NULL), &t->err) == -1) {
		t->failed = true;
		return -1;
	}
	/* DMARC needs exactly one author domain (RFC 9989 5.3.1) */
	if (author_identity(&t->hdrs, local, sizeof(local), t->from_domain,
	    sizeof(t->from_domain), &t->from_why) == -1) {
		t->bad_from = true;
		t->from_domain[0] = '\0';
		return 0;
	}
	t->dmarc = dmarc_task_start(t->world->resolver, t->from_domain,
	    t->cfg->discovery, t->world->psl,
	    &t->dns_deadline, &t->err);
	if (t->dmarc == NULL) {
		t->failed = true;
		return -1;
	}
	return 0;
}

int
txn_eoh(struct txn *t)
{
	if (t->failed)
		return -1;
	if (t->role == TXN_ROLE_SIGN)
		return start_signing(t);
	if (t->role == TXN_ROLE_VERIFY)
		return start_verifying(t);
	return 0;
}

const char *
txn_error(const struct txn *t)
{
	return t->err.msg;
}

bool
txn_wants_body(const struct txn *t)
{
	return (t->signer != NULL || t->dkim != NULL) && !t->failed;
}

int
txn_body(struct txn *t, const unsigned char *p, size_t n)
{
	if (t->failed)
		return -1;
	if (t->signer != NULL &&
	    dkim_signer_body(t->signer, p, n, &t->err) == -1) {
		t->failed = true;
		return -1;
	}
	if ((t->dkim != NULL && dkim_task_body(t->dkim, p, n, &t->err) == -1) ||
	    (t->arc != NULL && arc_task_body(t->arc, p, n, &t->err) == -1)) {
		t->failed = true;
		return -1;
	}
	return 0;
}

/*
 * What the message concluded, for DMARC, policy and the renderers: read
 * off the checks once they are finished (or given up, when failed).
 */
static void
fill_results(struct txn *t)
{
	struct results *r = &t->res;

	memset(r, 0, sizeof(*r));
	r->role = t->role;
	r->qid = t->qid;
	r->client_ip = t->client_ip;
	r->helo = t->helo;
	r->authserv_id = t->authserv_id;
	r->when = t->now != 0 ? t->now : time(NULL);
	r->discovery = t->cfg != NULL ? t->cfg->discovery :
	    DMARC_DISCOVERY_TREEWALK;
	r->from_domain = t->from_domain;
	r->bad_from = t->bad_from;
	r->from_why = buf_str(&t->from_why);
	r->why = buf_str(&t->why);
	results_fill_signer(r, t->signer);
	results_fill_spf(r, t->spf);
	results_fill_dkim(r, t->dkim);
	results_fill_arc(r, t->arc);
	results_fill_seen(r, &t->seen);
}

/* The policy's decision, into the results the renderers read. */
static void
decide(struct txn *t)
{
	t->res.failed = t->failed;
	t->res.error = t->err.msg;
	policy_decide(&t->res, t->cfg, &t->pol);
	results_fill_decision(&t->res, &t->pol);
}

/*
 * arc_seal: our ARC Set on a message delivered or held (a refused one
 * goes nowhere), its AAR our own A-R as the renderer writes it. A Set
 * that cannot be made (OpenSSL trouble) tempfails, decided again.
 */
static void
seal(struct txn *t)
{
	if (t->failed || !arc_task_sealing(t->arc) || t->res.forged_over ||
	    (t->pol.action != TXN_ACCEPT && t->pol.action != TXN_QUARANTINE))
		return;
	render_ar(&t->res, &t->fields.ar);
	if (arc_task_seal(t->arc, buf_str(&t->fields.ar), &t->err) == 0) {
		results_fill_arc_seal(&t->res, t->arc);
		return;
	}
	t->failed = true;
	decide(t);
}

int
txn_eom(struct txn *t, struct txn_outcome *out)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(out, 0, sizeof(*out));
	if (t->role == TXN_ROLE_NONE) {
		/* no MAIL FROM seen (cannot happen through an MTA) */
		err_set(&t->err, "end of message without MAIL FROM");
		t->failed = true;
	}
	if (!t->failed && t->signer != NULL &&
	    dkim_signer_finish(t->signer, &t->err) == -1)
		t->failed = true;
	if (!t->failed && t->spf != NULL &&
	    spf_task_finish(t->spf, &t->err) == -1)
		t->failed = true;
	if (!t->failed && t->spf != NULL && t->seen.up_found &&
	    spf_task_use_upstream(t->spf, t->seen.up_id, t->seen.up_mf,
	    t->seen.up_mailfrom, t->seen.up_helo_found ? &t->seen.up_helo :
	    NULL, t->seen.up_helo_name, &t->err) == -1)
		t->failed = true;
	if (!t->failed && t->dkim != NULL &&
	    dkim_task_finish(t->dkim, &t->dns_deadline,
	    t->now != 0 ? t->now : time(NULL), &t->err) == -1)
		t->failed = true;
	if (!t->failed && t->arc != NULL && arc_task_finish(t->arc,
	    &t->dns_deadline, t->now != 0 ? t->now : time(NULL), &t->err) == -1)
		t->failed = true;
	fill_results(t);
	if (!t->failed && t->dmarc != NULL && dmarc_task_join(t->dmarc,
	    &t->res, &t->dmarc_v, &t->err) == -1)
		t->failed = true;
	t->res.dmarc = !t->failed && t->dmarc != NULL ? &t->dmarc_v : NULL;
	t->res.policy = t->dmarc != NULL ? dmarc_task_policy(t->dmarc) : NULL;
	decide(t);
	seal(t);
	render_outcome(&t->res, &t->pol, t->cfg != NULL &&
	    t->cfg->received_spf, &t->fields, out);
	/* a tempfailed message is counted when it is retried */
	if (!t->failed && !t->seen.forged_over && t->res.dmarc != NULL &&
	    out->action != TXN_TEMPFAIL)
		render_report(&t->res, t->world->reports);
	render_log(&t->res, &t->log);
	out->log_line = buf_str(&t->log);
	render_metrics(&t->res);
	metrics_eom_usec(dns_usec_since(&t0));
	return t->failed ? -1 : 0;
}

const struct results *
txn_results(const struct txn *t)
{
	return &t->res;
}
