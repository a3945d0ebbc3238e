/* SPDX-License-Identifier: ISC */
/*
 * glue.c - the libmilter side of inkan (see glue.h).
 * Lifetimes, as in libmilter's sample filter: the txn is made at connect
 * and freed at close; the message part of it is released by txn_reset at
 * end of message and at abort.
 * Header values: we ask for SMFIP_HDR_LEADSPC so values arrive with the
 * space after the colon exactly as sent (simple canonicalization hashes
 * it), and write our own fields with their leading space for the same
 * reason. Folded values we add use LF line ends, which Postfix and Sendmail
 * turn into the message's CRLF.
 * Replies: before end of message inkan only collects, so we tell the MTA
 * (SMFIP_NR_*) not to wait for an answer to any earlier step (but connect,
 * when peer_hosts is set: a peer is accepted there) and not to
 * send the steps we have no callback for. A message then streams in one
 * go; a reply per header or body chunk was a round trip and, in
 * libmilter's worker pool, a hand-over between threads each, which was
 * most of what a small message cost (tests/bench/README). A failure in
 * an unanswered step is kept and answered at end of message (tempfail).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "glue.h"
#include "log.h"
#include "metrics.h"
#include "txn.h"
#include "world.h"

/* What libmilter's private pointer holds: one per MTA connection. */
struct glue_conn {
	struct txn	*txn;
	bool		 leadspc;	/* MTA keeps the space after a colon */
	bool		 can_skip;	/* MTA understands SMFIS_SKIP */
	unsigned long	 nr;		/* SMFIP_NR_* steps we do not answer */
	bool		 failed;	/* an unanswered step failed: tempfail */
	bool		 peer;		/* client in peer_hosts: hands off */
};

/*
 * Steps whose callback never needs to answer, and steps with no callback
 * at all (not sent; should an MTA send one anyway, libmilter answers it).
 */
#define GLUE_NR		(SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | \
	SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)
#define GLUE_NOSTEP	(SMFIP_NORCPT | SMFIP_NODATA | SMFIP_NOUNKNOWN)

static int active_connections;

int
glue_active_connections(void)
{
	return __atomic_load_n(&active_connections, __ATOMIC_SEQ_CST);
}

static struct glue_conn *
conn_of(SMFICTX *ctx)
{
	struct glue_conn *c = smfi_getpriv(ctx);

	/* negotiation is optional for old MTAs: make the state on demand */
	if (c == NULL && (c = calloc(1, sizeof(*c))) != NULL) {
		smfi_setpriv(ctx, c);
		__atomic_add_fetch(&active_connections, 1, __ATOMIC_SEQ_CST);
		metrics_connections(1);
	}
	return c;
}

static struct txn *
txn_of(SMFICTX *ctx)
{
	struct glue_conn *c = smfi_getpriv(ctx);

	return c != NULL ? c->txn : NULL;
}

/*
 * The reply of a step: SMFIS_NOREPLY if the MTA does not wait for one
 * (libmilter insists), noting a failure for end of message.
 */
static sfsistat
answer(struct glue_conn *c, unsigned long nr_bit, sfsistat rc)
{
	if (c == NULL || (c->nr & nr_bit) == 0)
		return rc;
	if (rc != SMFIS_CONTINUE)
		c->failed = true;
	return SMFIS_NOREPLY;
}

static sfsistat
glue_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0, unsigned long *pf1,
    unsigned long *pf2, unsigned long *pf3)
{
	struct glue_conn *c = conn_of(ctx);
	struct world *w = world_current();
	bool peers = w != NULL && w->cfg->peer_hosts.n > 0;

	(void)f2;
	(void)f3;
	world_unref(w);
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE);
	*pf1 = 0;
	if ((f1 & SMFIP_HDR_LEADSPC) != 0) {
		*pf1 |= SMFIP_HDR_LEADSPC;
		c->leadspc = true;
	}
	c->nr = f1 & GLUE_NR;
	/* with peer_hosts, connect is answered: accept, for a peer */
	if (peers)
		c->nr &= ~(unsigned long)SMFIP_NR_CONN;
	*pf1 |= c->nr | (f1 & GLUE_NOSTEP);
	/* SKIP is a reply to a body chunk: only without NR_BODY */
	if ((f1 & SMFIP_SKIP) != 0 && (c->nr & SMFIP_NR_BODY) == 0) {
		*pf1 |= SMFIP_SKIP;
		c->can_skip = true;
	}
	*pf2 = *pf3 = 0;
	return SMFIS_CONTINUE;
}

/*
 * Is the client in peer_hosts (OpenDKIM's PeerList, OpenDMARC's
 * IgnoreHosts)? Its mail is neither signed nor verified, and nothing is
 * removed from it either, forged Authentication-Results included: one
 * line per connection says so.
 */
static bool
is_peer(struct glue_conn *c, const char *hostname, const char *ip)
{
	struct world *w = world_current();
	char name[256];
	size_t i;

	c->peer = w != NULL && *ip != '\0' &&
	    cidr_list_match(&w->cfg->peer_hosts, ip);
	world_unref(w);
	if (!c->peer)
		return false;
	/* the MTA's name for the client ("[ADDR]" when it has none), made
	 * printable: it comes from the client's PTR record */
	if (hostname == NULL || *hostname == '[')
		hostname = "";
	for (i = 0; hostname[i] != '\0' && i + 1 < sizeof(name); i++)
		name[i] = hostname[i] > ' ' && hostname[i] < 0x7f ?
		    hostname[i] : '?';
	name[i] = '\0';
	log_info("client %s%s%s%s is in peer_hosts: its mail passes unchecked "
	    "(not signed, not verified)", name, *name != '\0' ? " [" : "", ip,
	    *name != '\0' ? "]" : "");
	return true;
}

static sfsistat
glue_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *sa)
{
	char ip[INET6_ADDRSTRLEN] = "";
	struct glue_conn *c = conn_of(ctx);
	struct txn *t;

	if (sa != NULL && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)sa)->sin_addr,
		    ip, sizeof(ip));
	else if (sa != NULL && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
		    &((struct sockaddr_in6 *)(void *)sa)->sin6_addr, ip,
		    sizeof(ip));
	if (c != NULL && is_peer(c, hostname, ip)) {
		txn_free(c->txn);
		c->txn = NULL;
		/* accepted: the MTA leaves this milter out of the connection */
		if ((c->nr & SMFIP_NR_CONN) == 0)
			return SMFIS_ACCEPT;
		/* negotiated before a reload set peer_hosts: see glue_eom */
		return SMFIS_NOREPLY;
	}
	if (c == NULL ||
	    (t = txn_new(*ip != '\0' ? ip : NULL, hostname)) == NULL) {
		log_errx("out of memory at connect");
		return answer(c, SMFIP_NR_CONN, SMFIS_TEMPFAIL);
	}
	txn_free(c->txn);
	c->txn = t;
	txn_set_daemon_name(t, smfi_getsymval(ctx, "{daemon_name}"));
	/* Postfix (milter_connect_macros) and Sendmail send j at connect */
	txn_set_mta_host(t, smfi_getsymval(ctx, "j"));
	return answer(c, SMFIP_NR_CONN, SMFIS_CONTINUE);
}

static sfsistat
glue_helo(SMFICTX *ctx, char *helo)
{
	struct txn *t = txn_of(ctx);

	if (t != NULL)
		txn_helo(t, helo);	/* a peer has no txn */
	return answer(smfi_getpriv(ctx), SMFIP_NR_HELO, SMFIS_CONTINUE);
}

static sfsistat
glue_envfrom(SMFICTX *ctx, char **argv)
{
	struct glue_conn *c = smfi_getpriv(ctx);
	struct txn *t = txn_of(ctx);

	if (c != NULL)
		c->failed = false;	/* a new message */
	if (c != NULL && c->peer)
		return answer(c, SMFIP_NR_MAIL, SMFIS_CONTINUE);
	if (t == NULL)
		return answer(c, SMFIP_NR_MAIL, SMFIS_TEMPFAIL);
	if (txn_mail_from(t, argv[0], smfi_getsymval(ctx, "{auth_authen}"),
	    NULL) == -1) {
		log_errx("%s: cannot start a transaction: %s; tempfailing",
		    smfi_getsymval(ctx, "i") != NULL ? smfi_getsymval(ctx, "i") :
		    "NOQUEUE", txn_error(t));
		/* unanswered: end of message tempfails it (and counts it) */
		if ((c->nr & SMFIP_NR_MAIL) != 0)
			return answer(c, SMFIP_NR_MAIL, SMFIS_TEMPFAIL);
		metrics_action(TXN_TEMPFAIL);
		return SMFIS_TEMPFAIL;
	}
	txn_set_queue_id(t, smfi_getsymval(ctx, "i"));
	return answer(c, SMFIP_NR_MAIL, SMFIS_CONTINUE);
}

static sfsistat
glue_header(SMFICTX *ctx, char *name, char *value)
{
	struct glue_conn *c = smfi_getpriv(ctx);
	struct txn *t = txn_of(ctx);
	char *v = value;
	int rc;

	if (c != NULL && c->peer)
		return answer(c, SMFIP_NR_HDR, SMFIS_CONTINUE);
	if (t == NULL)
		return answer(c, SMFIP_NR_HDR, SMFIS_TEMPFAIL);
	if (!c->leadspc) {
		/* the MTA ate the space after the colon: put the usual one back */
		size_t len = strlen(value);

		if ((v = malloc(len + 2)) == NULL)
			return answer(c, SMFIP_NR_HDR, SMFIS_TEMPFAIL);
		v[0] = ' ';
		memcpy(v + 1, value, len + 1);
	}
	rc = txn_header(t, name, strlen(name), v, strlen(v));
	if (v != value)
		free(v);
	/* an internal error is reported (and tempfailed) at end of message */
	(void)rc;
	return answer(c, SMFIP_NR_HDR, SMFIS_CONTINUE);
}

static sfsistat
glue_eoh(SMFICTX *ctx)
{
	struct glue_conn *c = smfi_getpriv(ctx);
	struct txn *t = txn_of(ctx);

	if (c != NULL && c->peer)
		return answer(c, SMFIP_NR_EOH, SMFIS_CONTINUE);
	if (t == NULL)
		return answer(smfi_getpriv(ctx), SMFIP_NR_EOH, SMFIS_TEMPFAIL);
	txn_eoh(t);
	return answer(smfi_getpriv(ctx), SMFIP_NR_EOH, SMFIS_CONTINUE);
}

static sfsistat
glue_body(SMFICTX *ctx, unsigned char *p, size_t len)
{
	struct glue_conn *c = smfi_getpriv(ctx);
	struct txn *t = txn_of(ctx);

	if (c != NULL && c->peer)
		return c->can_skip ? SMFIS_SKIP : answer(c, SMFIP_NR_BODY,
		    SMFIS_CONTINUE);
	if (t == NULL)
		return answer(c, SMFIP_NR_BODY, SMFIS_TEMPFAIL);
	txn_body(t, p, len);
	/* Nothing left to learn from the body: let the MTA stop sending it. */
	if (c->can_skip && !txn_wants_body(t))
		return SMFIS_SKIP;
	return answer(c, SMFIP_NR_BODY, SMFIS_CONTINUE);
}

/* A value for smfi_insheader: LF line ends; no leading space unless kept. */
static char *
mta_value(const struct glue_conn *c, const char *v)
{
	size_t len = strlen(v);
	char *out, *o;

	if (!c->leadspc && *v == ' ')
		v++;
	if ((out = malloc(len + 1)) == NULL)
		return NULL;
	for (o = out; *v != '\0'; v++)
		if (!(*v == '\r' && v[1] == '\n'))
			*o++ = *v;
	*o = '\0';
	return out;
}

/* Will the message be kept (delivered or held), so our edits matter? */
static bool
keeps(const struct txn_outcome *out)
{
	return out->action == TXN_ACCEPT || out->action == TXN_QUARANTINE;
}

static sfsistat
glue_eom(SMFICTX *ctx)
{
	struct glue_conn *c = smfi_getpriv(ctx);
	struct txn *t = txn_of(ctx);
	struct txn_outcome out;
	sfsistat rc = SMFIS_ACCEPT;
	size_t i;

	/* a peer whose connect could not be answered: untouched */
	if (c != NULL && c->peer)
		return SMFIS_ACCEPT;
	if (t == NULL)
		return SMFIS_TEMPFAIL;
	if (c->failed) {
		/* a step we did not answer failed (its cause is logged) */
		log_errx("%s: an earlier step failed; tempfailing",
		    smfi_getsymval(ctx, "i") != NULL ? smfi_getsymval(ctx, "i") :
		    "NOQUEUE");
		metrics_action(TXN_TEMPFAIL);
		c->failed = false;
		txn_reset(t);
		return SMFIS_TEMPFAIL;
	}
	{
		const char *q = smfi_getsymval(ctx, "i");

		if (q != NULL)
			txn_set_queue_id(t, q);
	}
	txn_eom(t, &out);
	/*
	 * Deletions first, highest instance first: the MTA applies changes in
	 * order, so deleting number 3 before number 1 keeps "1" meaning the
	 * first (deleting upwards shifted the numbers and let forged fields
	 * through: CVE-2022-48521). Before our insertion, so that no number
	 * can ever refer to the field we add.
	 */
	for (i = out.ndelete; i > 0 && keeps(&out); i--) {
		/* the protocol carries a 32-bit index */
		if (out.delete_idx[i - 1] > INT_MAX ||
		    smfi_chgheader(ctx, (char *)out.delete_name,
		    (int)out.delete_idx[i - 1], NULL) != MI_SUCCESS) {
			log_errx("%s: could not delete %s #%zu; tempfailing",
			    out.log_line, out.delete_name, out.delete_idx[i - 1]);
			metrics_action(TXN_TEMPFAIL);
			txn_reset(t);
			return SMFIS_TEMPFAIL;
		}
	}
	/* added in reverse at index 0, so they end up in our order on top */
	for (i = out.nadded; i > 0 && keeps(&out); i--) {
		char *v = mta_value(c, out.added[i - 1].value);

		if (v == NULL || smfi_insheader(ctx, 0,
		    (char *)out.added[i - 1].name, v) != MI_SUCCESS) {
			log_errx("%s: could not add %s; tempfailing",
			    out.log_line, out.added[i - 1].name);
			metrics_action(TXN_TEMPFAIL);
			free(v);
			txn_reset(t);
			return SMFIS_TEMPFAIL;
		}
		free(v);
	}
	switch (out.action) {
	case TXN_ACCEPT:
		rc = SMFIS_ACCEPT;
		break;
	case TXN_TEMPFAIL:
	case TXN_REJECT:
		if (out.reply_code != NULL)
			smfi_setreply(ctx, (char *)out.reply_code,
			    (char *)out.reply_xcode, (char *)out.reply_text);
		rc = out.action == TXN_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
		break;
	case TXN_QUARANTINE:
		smfi_quarantine(ctx, (char *)out.reply_text);
		rc = SMFIS_ACCEPT;
		break;
	case TXN_DISCARD:
		rc = SMFIS_DISCARD;
		break;
	}
	log_msg(out.action == TXN_TEMPFAIL ? LOG_WARNING : LOG_INFO, "%s",
	    out.log_line);
	metrics_action(out.action);
	txn_reset(t);
	return rc;
}

static sfsistat
glue_abort(SMFICTX *ctx)
{
	struct glue_conn *c = smfi_getpriv(ctx);
	struct txn *t = txn_of(ctx);

	if (c != NULL)
		c->failed = false;

	if (t != NULL)
		txn_reset(t);
	return SMFIS_CONTINUE;
}

static sfsistat
glue_close(SMFICTX *ctx)
{
	struct glue_conn *c = smfi_getpriv(ctx);

	if (c != NULL) {
		txn_free(c->txn);
		free(c);
		smfi_setpriv(ctx, NULL);
		__atomic_sub_fetch(&active_connections, 1, __ATOMIC_SEQ_CST);
		metrics_connections(-1);
	}
	return SMFIS_CONTINUE;
}

struct smfiDesc glue_desc = {
	.xxfi_name = "inkan",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE,
	.xxfi_connect = glue_connect,
	.xxfi_helo = glue_helo,
	.xxfi_envfrom = glue_envfrom,
	.xxfi_header = glue_header,
	.xxfi_eoh = glue_eoh,
	.xxfi_body = glue_body,
	.xxfi_eom = glue_eom,
	.xxfi_abort = glue_abort,
	.xxfi_close = glue_close,
	.xxfi_negotiate = glue_negotiate,
};
