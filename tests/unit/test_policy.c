/* SPDX-License-Identifier: ISC */
/*
 * test_policy.c - policy_decide as a table: each row is a message's results
 * (role, internal failure, forged A-R, From, SPF, DMARC verdict) and the
 * settings, and the decision wanted (action, reply, X-DMARC-Quarantine,
 * the disposition applied and why it overrides the Domain Owner's); and
 * the same for the ARC trusted-sealer override (arc_trusted_sealers).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cidr.h"
#include "policy.h"
#include "strlist.h"

/* settings, as bits of a row */
#define ENF	0x001	/* dmarc_enforce = yes */
#define RQ	0x002	/* dmarc_reject_action = quarantine */
#define QH	0x004	/* dmarc_quarantine_action = header */
#define NEVER	0x008	/* the From domain is in dmarc_never_reject */
#define FWD	0x010	/* the client is in dmarc_trusted_forwarders */
#define FROMR	0x020	/* from_reject = yes */
#define DTEMP	0x040	/* dmarc_tempfail_on_temperror = yes */
#define SREJ	0x080	/* spf_reject_fail = yes */
#define STEMP	0x100	/* spf_tempfail_on_temperror = yes */
#define DEF	(ENF | FROMR | DTEMP)	/* the defaults */

#define NONE	(-1)	/* SPF or DMARC not evaluated */
#define V	TXN_ROLE_VERIFY
#define S	TXN_ROLE_SIGN
#define RN	DMARC_REQ_NONE
#define RQU	DMARC_REQ_QUARANTINE
#define RR	DMARC_REQ_REJECT

struct row {
	const char	*name;
	enum txn_role	 role;
	bool		 failed, forged_over, bad_from, no_ip;
	int		 spf;		/* enum spf_result, or NONE */
	const char	*spf_exp;	/* exp= text, or NULL */
	const char	*upstream;	/* the relay whose SPF we took */
	int		 dmarc;		/* enum auth_result, or NONE */
	enum dmarc_request p, dis;
	bool		 t;		/* t=y */
	unsigned	 set;
	const char	*want;
};

static const struct row rows[] = {
	/* failures come first */
	{ "internal error tempfails", V, true, false, false, false,
	    NONE, NULL, NULL, AUTH_FAIL, RR, RR, false, DEF,
	    "tempfail 451 4.3.0 Temporary authentication failure; try again "
	    "later; header=-; applied=reject; override=-" },
	{ "internal error in sign role tempfails", S, true, false, false,
	    false, NONE, NULL, NULL, NONE, RN, RN, false, DEF,
	    "tempfail 451 4.3.0 Temporary authentication failure; try again "
	    "later; header=-; applied=none; override=-" },
	{ "too many forged A-R refuse", V, false, true, false, false,
	    SPF_PASS, NULL, NULL, AUTH_PASS, RR, RN, false, DEF,
	    "reject 550 5.7.0 More than 100 Authentication-Results header "
	    "fields claim to be from mx.example.net; message refused; "
	    "header=-; applied=none; override=-" },
	{ "too many forged A-R refuse in sign role too", S, false, true,
	    false, false, NONE, NULL, NULL, NONE, RN, RN, false, DEF,
	    "reject 550 5.7.0 More than 100 Authentication-Results header "
	    "fields claim to be from mx.example.net; message refused; "
	    "header=-; applied=none; override=-" },
	{ "sign role accepts", S, false, false, false, false,
	    NONE, NULL, NULL, NONE, RN, RN, false, DEF | SREJ,
	    "accept -; header=-; applied=none; override=-" },
	/* DMARC */
	{ "no DMARC evaluated accepts", V, false, false, false, false,
	    SPF_NONE, NULL, NULL, NONE, RN, RN, false, DEF,
	    "accept -; header=-; applied=none; override=-" },
	{ "pass under p=reject accepts", V, false, false, false, false,
	    SPF_PASS, NULL, NULL, AUTH_PASS, RR, RN, false, DEF,
	    "accept -; header=-; applied=none; override=-" },
	{ "dmarc none accepts", V, false, false, false, false,
	    SPF_NONE, NULL, NULL, AUTH_NONE, RN, RN, false, DEF,
	    "accept -; header=-; applied=none; override=-" },
	{ "permerror accepts", V, false, false, false, false,
	    SPF_NONE, NULL, NULL, AUTH_PERMERROR, RN, RN, false, DEF,
	    "accept -; header=-; applied=none; override=-" },
	{ "fail p=none accepts", V, false, false, false, false,
	    SPF_FAIL, NULL, NULL, AUTH_FAIL, RN, RN, false, DEF,
	    "accept -; header=-; applied=none; override=-" },
	{ "fail p=reject rejects", V, false, false, false, false,
	    SPF_FAIL, NULL, NULL, AUTH_FAIL, RR, RR, false, DEF,
	    "reject 550 5.7.1 Rejected by the DMARC policy of example.com "
	    "(no aligned identifier); header=-; applied=reject; override=-" },
	{ "fail p=reject t=y is held", V, false, false, false, false,
	    SPF_FAIL, NULL, NULL, AUTH_FAIL, RR, RQU, true, DEF,
	    "quarantine - DMARC policy of example.com: quarantine; header=-; "
	    "applied=quarantine; override=policy_test_mode" },
	{ "fail p=quarantine is held", V, false, false, false, false,
	    SPF_FAIL, NULL, NULL, AUTH_FAIL, RQU, RQU, false, DEF,
	    "quarantine - DMARC policy of example.com: quarantine; header=-; "
	    "applied=quarantine; override=-" },
	{ "fail p=quarantine t=y accepts", V, false, false, false, false,
	    SPF_FAIL, NULL, NULL, AUTH_FAIL, RQU, RN, true, DEF,
	    "accept -; header=-; applied=none; override=policy_test_mode" },
	{ "fail p=quarantine, quarantine = header", V, false, false, false,
	    false, SPF_FAIL, NULL, NULL, AUTH_FAIL, RQU, RQU, false, DEF | QH,
	    "accept -; header= quarantine (dmarc=fail header.from=example.com); "
	    "applied=quarantine; override=-" },
	{ "fail p=reject, reject_action = quarantine", V, false, false, false,
	    false, SPF_FAIL, NULL, NULL, AUTH_FAIL, RR, RR, false, DEF | RQ,
	    "quarantine - DMARC policy of example.com: quarantine; header=-; "
	    "applied=quarantine; override=local_policy" },
	{ "fail p=reject, reject_action = quarantine, header", V, false,
	    false, false, false, SPF_FAIL, NULL, NULL, AUTH_FAIL, RR, RR, false,
	    DEF | RQ | QH,
	    "accept -; header= reject (dmarc=fail header.from=example.com); "
	    "applied=quarantine; override=local_policy" },
	{ "fail p=reject from a trusted forwarder is held", V, false, false,
	    false, false, SPF_FAIL, NULL, NULL, AUTH_FAIL, RR, RR, false,
	    DEF | FWD,
	    "quarantine - DMARC policy of example.com: quarantine; header=-; "
	    "applied=quarantine; override=trusted_forwarder" },
	{ "fail p=quarantine from a trusted forwarder is held", V, false,
	    false, false, false, SPF_FAIL, NULL, NULL, AUTH_FAIL, RQU, RQU,
	    false, DEF | FWD,
	    "quarantine - DMARC policy of example.com: quarantine; header=-; "
	    "applied=quarantine; override=-" },
	{ "fail p=reject, domain in never_reject", V, false, false, false,
	    false, SPF_FAIL, NULL, NULL, AUTH_FAIL, RR, RR, false, DEF | NEVER,
	    "accept -; header=-; applied=none; override=local_policy" },
	{ "fail p=quarantine, domain in never_reject", V, false, false, false,
	    false, SPF_FAIL, NULL, NULL, AUTH_FAIL, RQU, RQU, false,
	    DEF | NEVER,
	    "accept -; header=-; applied=none; override=local_policy" },
	{ "fail p=reject t=y, never_reject", V, false, false, false, false,
	    SPF_FAIL, NULL, NULL, AUTH_FAIL, RR, RQU, true, DEF | NEVER,
	    "accept -; header=-; applied=none; override=local_policy" },
	{ "fail p=reject, enforce off", V, false, false, false, false,
	    SPF_FAIL, NULL, NULL, AUTH_FAIL, RR, RR, false, FROMR | DTEMP,
	    "accept -; header=-; applied=none; override=local_policy" },
	{ "fail p=none, enforce off", V, false, false, false, false,
	    SPF_FAIL, NULL, NULL, AUTH_FAIL, RN, RN, false, FROMR | DTEMP,
	    "accept -; header=-; applied=none; override=-" },
	/* temperror */
	{ "temperror tempfails", V, false, false, false, false,
	    SPF_TEMPERROR, NULL, NULL, AUTH_TEMPERROR, RR, RN, false, DEF,
	    "tempfail 451 4.7.1 Temporary DNS failure evaluating the DMARC "
	    "policy of example.com; try again later; header=-; applied=none; "
	    "override=-" },
	{ "temperror, tempfail_on_temperror off", V, false, false, false,
	    false, SPF_TEMPERROR, NULL, NULL, AUTH_TEMPERROR, RR, RN, false,
	    ENF | FROMR,
	    "accept -; header=-; applied=none; override=-" },
	{ "temperror, enforce off", V, false, false, false, false,
	    SPF_TEMPERROR, NULL, NULL, AUTH_TEMPERROR, RR, RN, false,
	    FROMR | DTEMP,
	    "accept -; header=-; applied=none; override=-" },
	/* the author identity */
	{ "no single author refused", V, false, false, true, false,
	    SPF_PASS, NULL, NULL, NONE, RN, RN, false, DEF,
	    "reject 550 5.7.1 Message must have exactly one author address in "
	    "From: 2 From header fields; header=-; applied=none; override=-" },
	{ "no single author refused, enforce off", V, false, false, true,
	    false, SPF_PASS, NULL, NULL, NONE, RN, RN, false, FROMR,
	    "reject 550 5.7.1 Message must have exactly one author address in "
	    "From: 2 From header fields; header=-; applied=none; override=-" },
	{ "no single author, from_reject off", V, false, false, true, false,
	    SPF_PASS, NULL, NULL, NONE, RN, RN, false, ENF | DTEMP,
	    "accept -; header=-; applied=none; override=-" },
	/* SPF alone */
	{ "spf fail rejects when asked", V, false, false, false, false,
	    SPF_FAIL, NULL, NULL, AUTH_PASS, RR, RN, false, DEF | SREJ,
	    "reject 550 5.7.23 SPF: 192.0.2.1 is not allowed to send mail "
	    "from example.com; header=-; applied=none; override=-" },
	{ "spf fail, unknown client", V, false, false, false, true,
	    SPF_FAIL, NULL, NULL, NONE, RN, RN, false, DEF | SREJ,
	    "reject 550 5.7.23 SPF: this host is not allowed to send mail "
	    "from example.com; header=-; applied=none; override=-" },
	{ "spf fail with exp= text", V, false, false, false, false,
	    SPF_FAIL, "go away", NULL, NONE, RN, RN, false, DEF | SREJ,
	    "reject 550 5.7.23 SPF: go away; header=-; applied=none; "
	    "override=-" },
	{ "spf fail taken from a relay", V, false, false, false, false,
	    SPF_FAIL, NULL, "mx1.relay.example", NONE, RN, RN, false,
	    DEF | SREJ,
	    "reject 550 5.7.23 SPF (checked by mx1.relay.example): the sending "
	    "host is not allowed to send mail from example.com; header=-; "
	    "applied=none; override=-" },
	{ "spf fail wins over a DMARC reject", V, false, false, false, false,
	    SPF_FAIL, NULL, NULL, AUTH_FAIL, RR, RR, false, DEF | SREJ,
	    "reject 550 5.7.23 SPF: 192.0.2.1 is not allowed to send mail "
	    "from example.com; header=-; applied=reject; override=-" },
	{ "spf fail wins over no single author", V, false, false, true, false,
	    SPF_FAIL, NULL, NULL, NONE, RN, RN, false, DEF | SREJ,
	    "reject 550 5.7.23 SPF: 192.0.2.1 is not allowed to send mail "
	    "from example.com; header=-; applied=none; override=-" },
	{ "spf fail not asked, DMARC rejects", V, false, false, false, false,
	    SPF_FAIL, NULL, NULL, AUTH_FAIL, RR, RR, false, DEF,
	    "reject 550 5.7.1 Rejected by the DMARC policy of example.com "
	    "(no aligned identifier); header=-; applied=reject; override=-" },
	{ "spf softfail is not a fail", V, false, false, false, false,
	    SPF_SOFTFAIL, NULL, NULL, AUTH_PASS, RR, RN, false, DEF | SREJ,
	    "accept -; header=-; applied=none; override=-" },
	{ "spf temperror tempfails when asked", V, false, false, false, false,
	    SPF_TEMPERROR, NULL, NULL, AUTH_FAIL, RR, RR, false, DEF | STEMP,
	    "tempfail 451 4.7.24 SPF: temporary DNS error; try again later; "
	    "header=-; applied=reject; override=-" },
	{ "spf temperror not asked", V, false, false, false, false,
	    SPF_TEMPERROR, NULL, NULL, AUTH_PASS, RR, RN, false, DEF | SREJ,
	    "accept -; header=-; applied=none; override=-" },
	{ "spf fail, tempfail asked only", V, false, false, false, false,
	    SPF_FAIL, NULL, NULL, NONE, RN, RN, false, DEF | STEMP,
	    "accept -; header=-; applied=none; override=-" },
};

static const char *
or_dash(const char *s)
{
	return s != NULL ? s : "-";
}

/* The decision as one line, to compare and print. */
static void
decision_line(const struct policy_decision *d, char *out, size_t size)
{
	char reply[512];

	if (d->reply_code != NULL)
		snprintf(reply, sizeof(reply), "%s %s %s", d->reply_code,
		    or_dash(d->reply_xcode), or_dash(d->reply_text));
	else
		snprintf(reply, sizeof(reply), "- %s", or_dash(d->reply_text));
	if (d->reply_code == NULL && d->reply_text == NULL)
		snprintf(reply, sizeof(reply), "-");
	snprintf(out, size, "%s %s; header=%s; applied=%s; override=%s",
	    results_action_name(d->action), reply,
	    or_dash(d->quarantine_header), dmarc_request_name(d->applied),
	    or_dash(d->override));
}

static void
test_table(void **state)
{
	struct config c;
	struct cidr fwd;
	struct err e;
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct results r;
		struct spf_answer mf;
		struct dmarc_verdict v;
		struct policy_decision d;
		char got[1024];

		memset(&c, 0, sizeof(c));
		memset(&r, 0, sizeof(r));
		memset(&mf, 0, sizeof(mf));
		memset(&v, 0, sizeof(v));
		memset(&d, 0, sizeof(d));
		c.dmarc_enforce = (w->set & ENF) != 0;
		c.reject_action = (w->set & RQ) ? CONFIG_REJECT_QUARANTINE :
		    CONFIG_REJECT_REJECT;
		c.quarantine_action = (w->set & QH) ?
		    CONFIG_QUARANTINE_HEADER : CONFIG_QUARANTINE_HOLD;
		c.from_reject = (w->set & FROMR) != 0;
		c.dmarc_tempfail_on_temperror = (w->set & DTEMP) != 0;
		c.spf_reject_fail = (w->set & SREJ) != 0;
		c.spf_tempfail_on_temperror = (w->set & STEMP) != 0;
		/* a list that does not match, or one that does */
		assert_int_equal(strlist_add(&c.dmarc_never_reject,
		    "other.example", 13), 0);
		if (w->set & NEVER)
			assert_int_equal(strlist_add(&c.dmarc_never_reject,
			    "EXAMPLE.com", 11), 0);
		assert_int_equal(cidr_parse((w->set & FWD) ? "192.0.2.0/24" :
		    "198.51.100.0/24", &fwd, &e), 0);
		assert_int_equal(cidr_list_add(&c.dmarc_trusted_forwarders,
		    &fwd), 0);

		r.role = w->role;
		r.failed = w->failed;
		r.error = w->failed ? "out of memory" : NULL;
		r.forged_over = w->forged_over;
		r.nforged = w->forged_over ? TXN_MAX_FORGED_AR : 0;
		r.client_ip = w->no_ip ? NULL : "192.0.2.1";
		r.authserv_id = "mx.example.net";
		r.from_domain = w->bad_from ? "" : "example.com";
		r.bad_from = w->bad_from;
		r.from_why = w->bad_from ? "2 From header fields" : "";
		if (w->spf != NONE) {
			mf.result = (enum spf_result)w->spf;
			mf.explanation = (char *)(uintptr_t)w->spf_exp;
			r.spf_mf = &mf;
			r.spf_sender = "user@example.com";
			r.spf_domain = "example.com";
			r.spf_upstream = w->upstream;
		}
		if (w->dmarc != NONE) {
			v.result = (enum auth_result)w->dmarc;
			v.policy = w->p;
			v.disposition = w->dis;
			v.testing = w->t;
			strlcpy(v.reason, "no aligned identifier",
			    sizeof(v.reason));
			r.dmarc = &v;
		}
		policy_decide(&r, &c, &d);
		decision_line(&d, got, sizeof(got));
		if (strcmp(got, w->want) != 0) {
			print_message("case: %s\n  got  [%s]\n  want [%s]\n",
			    w->name, got, w->want);
			bad++;
		}
		policy_decision_free(&d);
		strlist_free(&c.dmarc_never_reject);
		cidr_list_free(&c.dmarc_trusted_forwarders);
	}
	assert_int_equal(bad, 0);
}

/* The role of a message: sign or verify, and why. */
static void
test_role(void **state)
{
	static const struct {
		const char	*name, *auth, *ip, *daemon, *want;
	} t[] = {
		{ "authenticated sender signs", "alice", "198.51.100.7", NULL,
		    "sign: sender authenticated as alice" },
		{ "empty auth user is none", "", "198.51.100.7", NULL,
		    "verify: client 198.51.100.7 is not internal and not "
		    "authenticated" },
		{ "internal host signs", NULL, "192.0.2.9", "smtpd",
		    "sign: internal host 192.0.2.9" },
		{ "authentication named before internal host", "bob",
		    "192.0.2.9", NULL, "sign: sender authenticated as bob" },
		{ "sign_daemons service signs, any case", NULL,
		    "198.51.100.7", "ORIGINATING",
		    "sign: service ORIGINATING" },
		{ "other service verifies", NULL, "198.51.100.7", "smtpd",
		    "verify: client 198.51.100.7 is not internal and not "
		    "authenticated" },
		{ "unknown client verifies", NULL, NULL, NULL,
		    "verify: client (unknown) is not internal and not "
		    "authenticated" },
	};
	struct config c;
	struct cidr net;
	struct err e;
	size_t i;
	int bad = 0;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(cidr_parse("192.0.2.0/24", &net, &e), 0);
	assert_int_equal(cidr_list_add(&c.internal_hosts, &net), 0);
	assert_int_equal(strlist_add(&c.sign_daemons, "originating", 11), 0);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct buf why = BUF_INIT, got = BUF_INIT;
		enum txn_role r;

		r = policy_role(&c, t[i].auth, t[i].ip, t[i].daemon, &why);
		buf_printf(&got, "%s: %s", results_role_name(r),
		    buf_str(&why));
		if (strcmp(buf_str(&got), t[i].want) != 0) {
			print_message("case: %s\n  got  [%s]\n  want [%s]\n",
			    t[i].name, buf_str(&got), t[i].want);
			bad++;
		}
		buf_free(&why);
		buf_free(&got);
	}
	cidr_list_free(&c.internal_hosts);
	strlist_free(&c.sign_daemons);
	assert_int_equal(bad, 0);
}

/*
 * arc_trusted_sealers (RFC 8617 7.2.1, local policy): a DMARC failure
 * whose ARC chain passes, and whose newest Set sealed by a trusted domain
 * records an aligned SPF or DKIM pass (or dmarc=pass), is delivered with
 * override trusted_forwarder. Each row: the DMARC verdict and policy, the
 * chain (its result; Sets oldest first as "d|AAR payload"), the trusted
 * list, strict alignment, and the decision with the arc_override words.
 */
#define MAX_SETS	3
struct arc_row {
	const char	*name;
	int		 dmarc;		/* enum auth_result */
	enum dmarc_request p, dis;
	enum auth_result chain;
	const char	*sets[MAX_SETS];	/* oldest first; NULL ends */
	const char	*trusted;	/* one domain, or NULL */
	bool		 strict;	/* adkim=s; aspf=s */
	unsigned	 set;		/* DEF etc. */
	const char	*want;
};

#define AAR_SPF	"fwd.example; spf=pass smtp.mailfrom=alice@example.com"
#define AAR_DKIM_SUB	"fwd.example; dkim=pass header.d=mail.example.com"
#define AAR_OTHER	"fwd.example; spf=pass smtp.mailfrom=a@other.example; " \
	"dkim=pass header.d=other.example; dmarc=pass header.from=other.example"
#define REJ	"reject 550 5.7.1 Rejected by the DMARC policy of example.com " \
	"(no aligned identifier); header=-; applied=reject; override=-; arc=-"

static const struct arc_row arc_rows[] = {
	{ "trusted sealer, chain pass, aligned spf: delivered", AUTH_FAIL,
	    RR, RR, AUTH_PASS, { "fwd.example|" AAR_SPF }, "fwd.example",
	    false, DEF, "accept -; header=-; applied=none; "
	    "override=trusted_forwarder; arc=arc trusted sealer fwd.example "
	    "spf=pass" },
	{ "sealer names compare in any case", AUTH_FAIL, RR, RR, AUTH_PASS,
	    { "FWD.example|" AAR_SPF }, "fwd.EXAMPLE", false, DEF,
	    "accept -; header=-; applied=none; override=trusted_forwarder; "
	    "arc=arc trusted sealer FWD.example spf=pass" },
	{ "untrusted sealer: policy applied", AUTH_FAIL, RR, RR, AUTH_PASS,
	    { "fwd.example|" AAR_SPF }, "other-fwd.example", false, DEF, REJ },
	{ "no sealer trusted (the default): policy applied", AUTH_FAIL, RR, RR,
	    AUTH_PASS, { "fwd.example|" AAR_SPF }, NULL, false, DEF, REJ },
	{ "chain fail: policy applied", AUTH_FAIL, RR, RR, AUTH_FAIL,
	    { "fwd.example|" AAR_SPF }, "fwd.example", false, DEF, REJ },
	{ "trusted, AAR not aligned: policy applied", AUTH_FAIL, RR, RR,
	    AUTH_PASS, { "fwd.example|" AAR_OTHER }, "fwd.example", false, DEF,
	    REJ },
	{ "trusted, AAR records fails only: policy applied", AUTH_FAIL, RR, RR,
	    AUTH_PASS, { "fwd.example|fwd.example; spf=fail "
	    "smtp.mailfrom=alice@example.com; dkim=fail header.d=example.com" },
	    "fwd.example", false, DEF, REJ },
	{ "trusted, AAR that does not parse: policy applied", AUTH_FAIL, RR,
	    RR, AUTH_PASS, { "fwd.example|fwd.example; spf=pass "
	    "smtp.mailfrom=alice@example.com; ???" }, "fwd.example", false, DEF,
	    REJ },
	{ "dmarc pass is unaffected", AUTH_PASS, RR, RN, AUTH_PASS,
	    { "fwd.example|" AAR_SPF }, "fwd.example", false, DEF,
	    "accept -; header=-; applied=none; override=-; arc=-" },
	{ "dmarc pass with a failed chain stays a pass", AUTH_PASS, RR, RN,
	    AUTH_FAIL, { "fwd.example|" AAR_OTHER }, "fwd.example", false, DEF,
	    "accept -; header=-; applied=none; override=-; arc=-" },
	{ "p=quarantine, trusted: delivered, not held", AUTH_FAIL, RQU, RQU,
	    AUTH_PASS, { "fwd.example|" AAR_SPF }, "fwd.example", false, DEF,
	    "accept -; header=-; applied=none; override=trusted_forwarder; "
	    "arc=arc trusted sealer fwd.example spf=pass" },
	{ "p=quarantine, untrusted: held", AUTH_FAIL, RQU, RQU, AUTH_PASS,
	    { "fwd.example|" AAR_SPF }, NULL, false, DEF,
	    "quarantine - DMARC policy of example.com: quarantine; header=-; "
	    "applied=quarantine; override=-; arc=-" },
	{ "relaxed: a dkim pass of a subdomain aligns", AUTH_FAIL, RR, RR,
	    AUTH_PASS, { "fwd.example|" AAR_DKIM_SUB }, "fwd.example", false,
	    DEF, "accept -; header=-; applied=none; "
	    "override=trusted_forwarder; arc=arc trusted sealer fwd.example "
	    "dkim=pass" },
	{ "strict: a dkim pass of a subdomain does not", AUTH_FAIL, RR, RR,
	    AUTH_PASS, { "fwd.example|" AAR_DKIM_SUB }, "fwd.example", true,
	    DEF, REJ },
	{ "a look-alike domain does not align", AUTH_FAIL, RR, RR, AUTH_PASS,
	    { "fwd.example|fwd.example; dkim=pass header.d=badexample.com" },
	    "fwd.example", false, DEF, REJ },
	{ "dmarc=pass recorded for the From domain", AUTH_FAIL, RR, RR,
	    AUTH_PASS, { "fwd.example|fwd.example; spf=fail "
	    "smtp.mailfrom=x@fwd.example; dmarc=pass header.from=EXAMPLE.COM" },
	    "fwd.example", true, DEF, "accept -; header=-; applied=none; "
	    "override=trusted_forwarder; arc=arc trusted sealer fwd.example "
	    "dmarc=pass" },
	{ "the newest trusted Set decides, not an older one", AUTH_FAIL, RR,
	    RR, AUTH_PASS, { "fwd.example|" AAR_SPF, "fwd.example|" AAR_OTHER },
	    "fwd.example", false, DEF, REJ },
	{ "an untrusted newer Set is passed over", AUTH_FAIL, RR, RR,
	    AUTH_PASS, { "fwd.example|" AAR_SPF, "list.example|" AAR_OTHER },
	    "fwd.example", false, DEF, "accept -; header=-; applied=none; "
	    "override=trusted_forwarder; arc=arc trusted sealer fwd.example "
	    "spf=pass" },
	{ "p=none: nothing to override", AUTH_FAIL, RN, RN, AUTH_PASS,
	    { "fwd.example|" AAR_SPF }, "fwd.example", false, DEF,
	    "accept -; header=-; applied=none; override=-; arc=-" },
	{ "enforce off is local policy first", AUTH_FAIL, RR, RR, AUTH_PASS,
	    { "fwd.example|" AAR_SPF }, "fwd.example", false, FROMR | DTEMP,
	    "accept -; header=-; applied=none; override=local_policy; arc=-" },
	{ "temperror is not a fail to override", AUTH_TEMPERROR, RR, RN,
	    AUTH_PASS, { "fwd.example|" AAR_SPF }, "fwd.example", false, DEF,
	    "tempfail 451 4.7.1 Temporary DNS failure evaluating the DMARC "
	    "policy of example.com; try again later; header=-; applied=none; "
	    "override=-; arc=-" },
};

static void
test_arc_table(void **state)
{
	size_t i, k;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(arc_rows) / sizeof(arc_rows[0]); i++) {
		const struct arc_row *w = &arc_rows[i];
		struct arc_instance in[MAX_SETS];
		struct arc_result ar;
		struct dmarc_policy pol;
		struct dmarc_verdict v;
		struct policy_decision d;
		struct results r;
		struct config c;
		char got[1024], line[1100];

		memset(&c, 0, sizeof(c));
		memset(&r, 0, sizeof(r));
		memset(&v, 0, sizeof(v));
		memset(&d, 0, sizeof(d));
		memset(&pol, 0, sizeof(pol));
		memset(&ar, 0, sizeof(ar));
		memset(in, 0, sizeof(in));
		c.dmarc_enforce = (w->set & ENF) != 0;
		c.from_reject = (w->set & FROMR) != 0;
		c.dmarc_tempfail_on_temperror = (w->set & DTEMP) != 0;
		if (w->trusted != NULL)
			assert_int_equal(strlist_add(&c.arc_trusted_sealers,
			    w->trusted, strlen(w->trusted)), 0);
		assert_int_equal(strlist_add(&c.arc_trusted_sealers,
		    "unrelated.example", 17), 0);
		r.role = TXN_ROLE_VERIFY;
		r.client_ip = "192.0.2.1";
		r.authserv_id = "mx.example.net";
		r.from_domain = "example.com";
		r.from_why = "";
		pol.status = DMARC_POLICY_FOUND;
		strlcpy(pol.author_domain, "example.com",
		    sizeof(pol.author_domain));
		strlcpy(pol.policy_domain, "example.com",
		    sizeof(pol.policy_domain));
		strlcpy(pol.org_domain, "example.com", sizeof(pol.org_domain));
		pol.rec.p = w->p;
		pol.rec.adkim = pol.rec.aspf = w->strict ? DMARC_ALIGN_STRICT :
		    DMARC_ALIGN_RELAXED;
		r.policy = &pol;
		v.result = (enum auth_result)w->dmarc;
		v.policy = w->p;
		v.disposition = w->dis;
		strlcpy(v.reason, "no aligned identifier", sizeof(v.reason));
		r.dmarc = &v;
		ar.result = w->chain;
		for (k = 0; k < MAX_SETS && w->sets[k] != NULL; k++) {
			const char *bar = strchr(w->sets[k], '|');

			in[k].i = (unsigned)k + 1;
			memcpy(in[k].domain, w->sets[k],
			    (size_t)(bar - w->sets[k]));
			in[k].aar = bar + 1;
			in[k].aar_len = strlen(bar + 1);
			r.arc_set[k] = &in[k];
		}
		ar.instances = r.narc = (unsigned)k;
		ar.fields = 3 * k;
		r.arc = &ar;
		policy_decide(&r, &c, &d);
		decision_line(&d, got, sizeof(got));
		snprintf(line, sizeof(line), "%s; arc=%s", got,
		    or_dash(d.arc_override));
		if (strcmp(line, w->want) != 0) {
			print_message("case: %s\n  got  [%s]\n  want [%s]\n",
			    w->name, line, w->want);
			bad++;
		}
		policy_decision_free(&d);
		strlist_free(&c.arc_trusted_sealers);
	}
	assert_int_equal(bad, 0);
}

/* The same results twice give the same decision (no state kept). */
static void
test_reuse(void **state)
{
	struct config c;
	struct results r;
	struct dmarc_verdict v;
	struct policy_decision d;
	char a[1024], b[1024];

	(void)state;
	memset(&c, 0, sizeof(c));
	memset(&r, 0, sizeof(r));
	memset(&v, 0, sizeof(v));
	memset(&d, 0, sizeof(d));
	c.dmarc_enforce = true;
	r.role = TXN_ROLE_VERIFY;
	r.from_domain = "example.com";
	v.result = AUTH_FAIL;
	v.policy = v.disposition = DMARC_REQ_REJECT;
	r.dmarc = &v;
	policy_decide(&r, &c, &d);
	decision_line(&d, a, sizeof(a));
	policy_decide(&r, &c, &d);
	decision_line(&d, b, sizeof(b));
	assert_string_equal(a, b);
	policy_decision_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_arc_table),
		cmocka_unit_test(test_role),
		cmocka_unit_test(test_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
