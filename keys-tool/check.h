/* SPDX-License-Identifier: ISC */
/*
 * check.h - the parts of `inkan-keys check`: one file per record kind
 * (check_dkim.c, check_spf.c, check_dmarc.c) sharing the findings printer
 * and the DNS wrapper of check.c. Each finding is one line, "OK", "WARN"
 * or "FAIL" (and "NOTE" for what was not checked), written for an
 * administrator who has never read an RFC: what is wrong and what to
 * change. Detail lines (indented) may follow a finding.
 * Owner: keys_check() owns the struct check and the resolver in it.
 */
#ifndef INKAN_KEYS_CHECK_H
#define INKAN_KEYS_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "dkim_sign.h"
#include "dns.h"
#include "keys.h"

/* Per query, unless --dns-timeout or dns_timeout says otherwise; the
 * whole check asks some dozens of names. */
#define CHECK_DNS_TIMEOUT_MS	5000
/* Where the system's resolvers are named (resolv.conf(5)). */
#define CHECK_RESOLV_CONF	"/etc/resolv.conf"
/* --resolver may be given this many times (later ones are backups). */
#define CHECK_MAX_RESOLVERS	8
/* "127.0.0.1@5353, 192.0.2.53 (dns_forwarders in /etc/inkan/inkan.conf)" */
#define CHECK_WHO_MAX		1024

struct check_watch;

enum check_level {
	CHECK_OK,
	CHECK_NOTE,
	CHECK_WARN,
	CHECK_FAIL,
};

struct check {
	struct dns_resolver	*res;		/* owned by keys_check() */
	const char		*domain;
	const char		*ip;		/* --ip or NULL */
	/* the resolver asked, in words, and its first address or NULL */
	const char		*who;
	const char		*first_addr;
	unsigned		 timeout_ms;	/* per lookup */
	bool			 tld_nxdomain;	/* check_probe() saw NXDOMAIN */
	/* the domain's TXT records, from check_exists() to check_spf() */
	struct dns_result	 domain_txt;
	bool			 have_domain_txt;
	/*
	 * The commands to suggest, with this run's options:
	 * "inkan-keys records --domain D --dir DIR", and the --dir value of
	 * a `generate` hint ("<key_dir>" when no key directory is known).
	 */
	const char		*records_cmd;
	const char		*key_dir;
	unsigned		 nok, nwarn, nfail;
	unsigned		 nanswers;	/* answers that could be validated */
	unsigned		 nsecure;	/* of those, DNSSEC-validated */
};

/* Print one finding and count it. */
void	 check_say(struct check *, enum check_level, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Print an indented detail line under the last finding. */
void	 check_more(struct check *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Look name up for type; 0 with out filled (DNS trouble is an outcome in
 * out->status), or -1 when the lookup could not be done at all (a FAIL
 * finding has then been printed). Counts answers for the DNSSEC line.
 */
int	 check_lookup(struct check *, const char *name, enum dns_type,
	    struct dns_result *out);
/* Words for a failed lookup: "the DNS servers did not answer (SERVFAIL)". */
const char *check_status_words(enum dns_status);
/* The i-th TXT record of r as a C string (TXT data is NUL-terminated). */
#define CHECK_TXT(r, i)	((const char *)(r)->rr[(i)].data)

/*
 * DKIM: the record of every key in ks, or of selector alone when not NULL
 * (compared with our key when we hold one for it); then the keys `rotate`
 * left pending (is each one's record published and right, so that it can
 * be activated?) and, during a rotation, which selectors inkan signs with.
 */
void	 check_dkim(struct check *, const struct keyset *ks,
	    const char *selector, bool have_keys);
/* SPF: one record, its syntax, lookup counts, the all, the --ip (or this
 * host's own addresses). */
void	 check_spf(struct check *);
/* DMARC: the record, its policy in words, rua and its authorization. */
void	 check_dmarc(struct check *);

/*
 * check_dns.c. A resolver that passes every query to inner (which it
 * takes, also on failure: NULL with e) and, while a lookup takes more than
 * a second, writes "inkan-keys check: waiting for WHO to answer NAME TYPE
 * ..." to stderr; *w then counts the lookups that ended in a timeout or
 * SERVFAIL, until the resolver is freed.
 */
struct dns_resolver *check_watch_new(struct dns_resolver *inner,
	    const char *who, struct check_watch **w, struct err *e);
unsigned check_watch_tempfails(struct check_watch *w);
/*
 * The nameserver addresses of a resolv.conf, as libunbound reads them,
 * joined by ", " into out: their number, or -1 if it cannot be read.
 */
int	 check_resolv_conf(const char *path, char *out, size_t len);
/*
 * Does the resolver answer? It is asked for the NS records of the
 * domain's top-level domain; 0 if it answers (NXDOMAIN included: see
 * tld_nxdomain), or -1 after a FAIL finding that blames the resolver.
 */
int	 check_probe(struct check *);
/*
 * 0 unless the domain itself is NXDOMAIN: then -1 after a FAIL finding.
 * The answer (to a TXT query) is kept for check_domain_txt().
 */
int	 check_exists(struct check *);
/*
 * The domain's TXT records as check_lookup() gives them: the answer
 * check_exists() kept (moved to out, so asked once), else a new lookup.
 */
int	 check_domain_txt(struct check *, struct dns_result *out);

#endif
