/* SPDX-License-Identifier: ISC */
/*
 * spf_eval_int.h - what check_host() (spf_eval.c) and its mechanism
 * handlers (spf_eval_mech.c) share: the state of one evaluation and the
 * functions each file offers the other. Not for use outside spf_eval*.c.
 */
#ifndef INKAN_SPF_EVAL_INT_H
#define INKAN_SPF_EVAL_INT_H

#include <arpa/inet.h>
#include <stdbool.h>

#include "buf.h"
#include "dns.h"
#include "err.h"
#include "spf_eval.h"
#include "spf_macro.h"
#include "spf_record.h"

/* How far a term got: RFC 7208 5 "match", "no match", or an error. */
enum spf_eval_match {
	M_NO,
	M_YES,
	M_TEMP,		/* the check_host() result becomes temperror */
	M_PERM,		/* the check_host() result becomes permerror */
};

/* A DNS answer as RFC 7208 5 sorts it. */
enum spf_eval_qclass {
	Q_RECORDS,	/* RCODE 0 with records */
	Q_VOID,		/* RCODE 3, or RCODE 0 with no records */
	Q_ERROR,	/* anything else, a timeout included */
};

struct spf_state {
	struct dns_resolver	*res;
	const struct spf_request *req;
	struct spf_answer	*out;
	struct err		*e;
	bool			 v6;
	unsigned char		 ip[16];	/* IPv4 in the first 4 bytes */
	char			 i_text[64];	/* i macro: 32 nibbles, 31 dots */
	char			 c_text[INET6_ADDRSTRLEN];
	char			 rev_name[80];	/* the PTR query name */
	char			*sender;	/* owned */
	char			*local;		/* owned */
	const char		*odomain;	/* view into sender */
};

/* The <domain> of the running check_host(), for the p callback. */
struct spf_eval_parg {
	struct spf_state	*st;
	const char		*domain;
};

/* spf_eval.c: the driver */

/* check_host(<ip>, <domain>, <sender>) of RFC 7208 4 for one <domain>. */
int	 spf_eval_check_domain(struct spf_state *, const char *domain,
	    bool want_exp, enum spf_result *res);
void	 spf_eval_set_reason(struct spf_state *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 spf_eval_set_mechanism(struct spf_state *, const struct spf_view *);

/* spf_eval_mech.c: the mechanisms and what they share with the driver */

/*
 * Ask for name/type and classify the answer. Returns 0 with *r to be
 * freed by the caller, or -1 on an internal failure.
 */
int	 spf_eval_mech_query(struct spf_state *, const char *name,
	    enum dns_type, struct dns_result *r, enum spf_eval_qclass *qc);
/* The reason for a temperror caused by the answer r to name/type. */
void	 spf_eval_mech_temp_reason(struct spf_state *, const char *name,
	    enum dns_type, const struct dns_result *r);
/* RFC 7208 4.6.4: at most 10 DNS-querying terms per evaluation. */
enum spf_eval_match spf_eval_mech_count_term(struct spf_state *);
/* a is within net/bits (ip4 and ip6 mechanisms, RFC 7208 5.6). */
bool	 spf_eval_mech_addr_match(const unsigned char *a,
	    const unsigned char *net, unsigned bits);
/* The macro variables of RFC 7208 7.2 for <domain>. */
void	 spf_eval_mech_vars_init(struct spf_state *, struct spf_eval_parg *,
	    const char *domain, struct spf_macro_vars *);
/*
 * The target name of a term: spec macro-expanded (or <domain> when spec
 * is empty), without a trailing dot, shortened as RFC 7208 7.3 says.
 * *valid tells whether it can be asked for.
 */
int	 spf_eval_mech_target_name(struct spf_state *, const char *domain,
	    const struct spf_view *spec, struct buf *name, bool *valid);
/*
 * The DNS-querying mechanisms (RFC 7208 5.2 to 5.5, 5.7): 0 with *m set,
 * or -1 on an internal failure; name is scratch.
 */
int	 spf_eval_mech_a(struct spf_state *, const char *domain,
	    const struct spf_mech *, struct buf *name, enum spf_eval_match *m);
int	 spf_eval_mech_mx(struct spf_state *, const char *domain,
	    const struct spf_mech *, struct buf *name, enum spf_eval_match *m);
int	 spf_eval_mech_ptr(struct spf_state *, const char *domain,
	    const struct spf_mech *, struct buf *name, enum spf_eval_match *m);
int	 spf_eval_mech_exists(struct spf_state *, const char *domain,
	    const struct spf_mech *, struct buf *name, enum spf_eval_match *m);
int	 spf_eval_mech_include(struct spf_state *, const char *domain,
	    const struct spf_mech *, struct buf *name, enum spf_eval_match *m);

#endif
