/* SPDX-License-Identifier: ISC */
/*
 * txn.h - one SMTP connection and the message in it, seen by inkan.
 * The same object serves the milter glue, --evaluate, tests and fuzzers:
 * each event (connect, HELO, MAIL FROM, header, end of headers, body chunk,
 * end of message) is one txn_* call, and the end of message yields an
 * outcome: the action, the SMTP reply, the header fields to add and one
 * log line. txn.c only sequences the events: what the message concluded
 * is a struct results (results.h), the decision is policy.c's, and the
 * header fields, log line, metrics and report row are the renderers'
 * (render_*.c). Owner: the connection owns the txn; the txn owns everything
 * about its message and holds a reference to the config the message
 * started with (taken at MAIL FROM, so SIGHUP applies to the next message).
 */
#ifndef INKAN_TXN_H
#define INKAN_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "results.h"

struct world;
struct txn;	/* opaque; defined in txn.c */

/* A new connection from client_ip (textual, may be NULL if unknown). */
struct txn *txn_new(const char *client_ip, const char *client_name);
void	 txn_free(struct txn *);
/* Values of MTA macros known at connect time. */
void	 txn_set_daemon_name(struct txn *, const char *);
/*
 * The MTA's own name (its j macro: Postfix's myhostname): the message's
 * authserv-id when authserv_id is not configured. Ignored (NULL kept) when
 * it is not a host name.
 */
void	 txn_set_mta_host(struct txn *, const char *j);
void	 txn_helo(struct txn *, const char *helo);
/*
 * MAIL FROM starts a message: picks up the current world (or w if not
 * NULL, for --evaluate) and its settings, the authenticated user (NULL if none) and decides
 * the role. 0, or -1 if the transaction must tempfail.
 */
int	 txn_mail_from(struct txn *, const char *addr, const char *auth_user,
	    struct world *w);
void	 txn_set_queue_id(struct txn *, const char *qid);
/* The time for signing (t=, x=), verifying (x=), SPF's %{t} and the
 * report row of every later message on this object; 0 (the default) is
 * the system clock. Tests and --evaluate --now fix it. */
void	 txn_set_now(struct txn *, time_t);
int	 txn_header(struct txn *, const char *name, size_t nlen,
	    const char *value, size_t vlen);
int	 txn_eoh(struct txn *);
int	 txn_body(struct txn *, const unsigned char *, size_t);
/* Finish: fills *out, valid until the next message or txn_free. */
int	 txn_eom(struct txn *, struct txn_outcome *out);
/* Forget the message (end of message or abort); keep the connection. */
void	 txn_reset(struct txn *);
enum txn_role txn_role(const struct txn *);
/*
 * What the last message concluded (results.h), for the renderers of
 * --evaluate (render_json.h): valid after txn_eom until the next message.
 */
const struct results *txn_results(const struct txn *);
/* Does the current message need body chunks at all? */
bool	 txn_wants_body(const struct txn *);
/* Why the last call failed (an internal error), for the log line. */
const char *txn_error(const struct txn *);

#endif
