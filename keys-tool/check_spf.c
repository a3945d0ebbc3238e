/* SPDX-License-Identifier: ISC */
/*
 * check_spf.c - the SPF part of `inkan-keys check` (RFC 7208): exactly one
 * record at the domain (4.5), valid syntax (the core's spf_record.c), the
 * DNS-querying terms counted through every include and redirect against
 * the limit of 10 and the void lookups against 2 (4.6.4), shown as the
 * chain of records, an "all" at the end, and the --ip address (without
 * --ip, each of this host's addresses other than loopback and link-local
 * ones, from getifaddrs) authorised by the core's check_host()
 * (spf_eval.c).
 * The walk here only counts; it never decides a result. Terms with macros
 * (%{...}) depend on the sender, so they are counted but not followed.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "check.h"
#include "err.h"
#include "i18n.h"
#include "spf_eval.h"
#include "spf_record.h"

/* Deeper include chains than this are a loop or a mistake. */
#define SPF_WALK_MAX_DEPTH	12
/* Records fetched in one walk; past 10 lookups it fails anyway. */
#define SPF_WALK_MAX_RECORDS	40
/* The whole check_host() of --ip, all its lookups together. */
#define SPF_CHECK_SECONDS	30

struct spf_walk {
	struct check	*c;
	struct buf	 chain;		/* the detail lines: one per record */
	struct buf	 voids;		/* the terms that were void */
	unsigned	 terms, nvoid, records;
	char		*stack[SPF_WALK_MAX_DEPTH];	/* the include path */
	size_t		 depth;
	bool		 broken;	/* a FAIL was printed during the walk */
	bool		 macros;	/* a term was not followed */
};

static bool
is_void(enum dns_status s)
{
	return s == DNS_NXDOMAIN || s == DNS_NODATA;
}

/*
 * The SPF records among the TXT records of r: their count, and the index
 * of the first in *which.
 */
static size_t
spf_records(const struct dns_result *r, size_t *which)
{
	size_t i, n = 0;

	for (i = 0; r->status == DNS_OK && i < r->n; i++)
		if (spf_record_is_v1(CHECK_TXT(r, i), r->rr[i].len) &&
		    n++ == 0)
			*which = i;
	return n;
}

/* Look a term's name up to see whether it is void (4.6.4). */
static void
void_check(struct spf_walk *w, const struct spf_mech *m, const char *name)
{
	struct dns_result r, r6;
	bool v = false;

	dns_result_init(&r);
	dns_result_init(&r6);
	if (m->kind == SPF_MECH_MX) {
		if (check_lookup(w->c, name, DNS_MX, &r) == 0)
			v = is_void(r.status);
		if (r.status == DNS_OK && r.n > SPF_MAX_MX_NAMES) {
			check_say(w->c, CHECK_FAIL, "SPF: %s has %zu MX "
			    "records; an \"mx\" term allows at most %d, more "
			    "is an error (permerror) for every message. Use "
			    "ip4:/ip6: for your outgoing servers instead",
			    name, r.n, SPF_MAX_MX_NAMES);
			w->broken = true;
		}
	} else if (check_lookup(w->c, name, DNS_A, &r) == 0 &&
	    is_void(r.status)) {
		/* "a" matches either family: void only if both are */
		v = m->kind == SPF_MECH_EXISTS ||
		    (check_lookup(w->c, name, DNS_AAAA, &r6) == 0 &&
		    is_void(r6.status));
	}
	if (v) {
		w->nvoid++;
		buf_printf(&w->voids, m->kind == SPF_MECH_MX ?
		    _("%s%.*s (%s has no MX record)") :
		    _("%s%.*s (%s has no address record)"),
		    w->voids.len > 0 ? ", " : "", (int)m->term.len, m->term.p,
		    name);
	}
	dns_result_free(&r);
	dns_result_free(&r6);
}

static void walk_domain(struct spf_walk *, const char *domain,
    const char *how);

/* Count and follow the terms of one parsed record of domain. */
static void
walk_record(struct spf_walk *w, const char *domain,
    const struct spf_record *rec, const char *how)
{
	struct buf line = BUF_INIT;
	char target[DNS_NAME_MAX + 2];
	unsigned here = 0;
	size_t i;

	for (i = 0; i < rec->nmech; i++) {
		const struct spf_mech *m = &rec->mech[i];

		if (m->kind == SPF_MECH_ALL || m->kind == SPF_MECH_IP4 ||
		    m->kind == SPF_MECH_IP6)
			continue;
		here++;
		buf_printf(&line, " %.*s", (int)m->term.len, m->term.p);
	}
	if (rec->redirect.len > 0 && !rec->has_all) {
		here++;
		buf_printf(&line, " redirect=%.*s", (int)rec->redirect.len,
		    rec->redirect.p);
	}
	w->terms += here;
	buf_printf(&w->chain, _("%*s%s%s: %u lookup%s%s%s\n"),
	    (int)(2 * (w->depth - 1)), "", how, domain, here, here == 1 ? "" : "s",
	    here > 0 ? ":" : "", buf_str(&line));
	buf_free(&line);
	for (i = 0; i < rec->nmech; i++) {
		const struct spf_mech *m = &rec->mech[i];
		struct spf_view d = m->domain;

		if (m->kind == SPF_MECH_ALL || m->kind == SPF_MECH_IP4 ||
		    m->kind == SPF_MECH_IP6 || m->kind == SPF_MECH_PTR)
			continue;
		if (d.len == 0) {
			d.p = domain;
			d.len = strlen(domain);
		}
		if (memchr(d.p, '%', d.len) != NULL || d.len >= sizeof(target)) {
			w->macros = true;
			continue;
		}
		snprintf(target, sizeof(target), "%.*s", (int)d.len, d.p);
		if (m->kind == SPF_MECH_INCLUDE)
			walk_domain(w, target, "include:");
		else
			void_check(w, m, target);
	}
	if (rec->redirect.len > 0 && !rec->has_all) {
		if (memchr(rec->redirect.p, '%', rec->redirect.len) != NULL ||
		    rec->redirect.len >= sizeof(target))
			w->macros = true;
		else {
			snprintf(target, sizeof(target), "%.*s",
			    (int)rec->redirect.len, rec->redirect.p);
			walk_domain(w, target, "redirect=");
		}
	}
}

/* Fetch, check and walk the record an include or redirect points at. */
static void
walk_domain(struct spf_walk *w, const char *domain, const char *how)
{
	struct spf_record rec;
	struct dns_result r;
	struct err e;
	size_t i, which = 0, n;

	for (i = 0; i < w->depth; i++)
		if (strcasecmp(w->stack[i], domain) == 0) {
			struct buf path = BUF_INIT;
			size_t j;

			for (j = 0; j < w->depth; j++)
				buf_printf(&path, "%s -> ", w->stack[j]);
			check_say(w->c, CHECK_FAIL, "SPF: the includes form a "
			    "loop (%s%s): receivers give up (permerror) and "
			    "SPF fails for all your mail. Remove %s%s from the "
			    "record of %s", buf_str(&path), domain, how,
			    domain, w->stack[w->depth - 1]);
			buf_free(&path);
			w->broken = true;
			return;
		}
	if (w->depth == SPF_WALK_MAX_DEPTH ||
	    w->records == SPF_WALK_MAX_RECORDS) {
		if (!w->broken)
			check_say(w->c, CHECK_FAIL, "SPF: the includes nest "
			    "too deep (%s%s not followed); receivers give up. "
			    "Flatten them", how, domain);
		w->broken = true;
		return;
	}
	w->records++;
	dns_result_init(&r);
	memset(&rec, 0, sizeof(rec));
	if (check_lookup(w->c, domain, DNS_TXT, &r) == -1) {
		w->broken = true;
		return;
	}
	if (r.status != DNS_OK && !is_void(r.status)) {
		check_say(w->c, CHECK_FAIL, "SPF: the lookup of %s%s failed: "
		    "%s; receivers then answer temperror and may defer your "
		    "mail", how, domain, check_status_words(r.status));
		w->broken = true;
		goto out;
	}
	if ((n = spf_records(&r, &which)) != 1) {
		check_say(w->c, CHECK_FAIL, "SPF: %s%s: %s %s SPF record%s, "
		    "an error (permerror) for every message. %s", how, domain,
		    domain, n == 0 ? _("has no") : _("has more than one"),
		    n == 0 ? "" : "s", n == 0 ? _("Fix the name or remove the "
		    "term") : _("Ask its owner to merge them, or remove the "
		    "term"));
		if (is_void(r.status))
			w->nvoid++;
		w->broken = true;
		goto out;
	}
	if (spf_record_parse(CHECK_TXT(&r, which), r.rr[which].len, &rec,
	    &e) == -1) {
		check_say(w->c, CHECK_FAIL, "SPF: %s", e.msg);
		w->broken = true;
		goto out;
	}
	if (rec.error != NULL) {
		check_say(w->c, CHECK_FAIL, "SPF: the record of %s (reached "
		    "through %s%s) is invalid: %s at \"%.*s\"; receivers give "
		    "permerror for all your mail", domain, how, domain,
		    rec.error, (int)rec.errterm.len, rec.errterm.p);
		w->broken = true;
		goto out;
	}
	if ((w->stack[w->depth] = strdup(domain)) == NULL) {
		check_say(w->c, CHECK_FAIL, "SPF: out of memory");
		goto out;
	}
	w->depth++;
	walk_record(w, domain, &rec, how);
	free(w->stack[--w->depth]);
out:
	spf_record_free(&rec);
	dns_result_free(&r);
}

static void
report_counts(struct spf_walk *w)
{
	struct check *c = w->c;
	const char *p, *nl;

	if (w->terms > SPF_MAX_DNS_TERMS)
		check_say(c, CHECK_FAIL, "SPF: the record needs %u DNS lookups "
		    "(includes followed); receivers stop at %d and SPF then "
		    "fails (permerror) for all your mail. Replace a, mx and "
		    "include terms for your own servers with ip4:/ip6:, and "
		    "remove includes of services you no longer use",
		    w->terms, SPF_MAX_DNS_TERMS);
	else if (w->broken)
		check_say(c, CHECK_NOTE, "SPF: %u DNS lookups counted up to "
		    "the problem above (receivers allow %d)", w->terms,
		    SPF_MAX_DNS_TERMS);
	else
		check_say(c, CHECK_OK, "SPF: the record needs %u of the %d DNS "
		    "lookups receivers allow", w->terms, SPF_MAX_DNS_TERMS);
	for (p = buf_str(&w->chain); (nl = strchr(p, '\n')) != NULL;
	    p = nl + 1)
		check_more(c, "%.*s", (int)(nl - p), p);
	if (w->macros)
		check_more(c, "(terms with macros depend on the sender and "
		    "were counted but not followed)");
	if (w->nvoid > SPF_MAX_VOID_LOOKUPS)
		check_say(c, CHECK_FAIL, "SPF: %u terms name something that "
		    "does not exist (void lookups; receivers allow %d, then "
		    "SPF fails with permerror): %s. Remove them", w->nvoid,
		    SPF_MAX_VOID_LOOKUPS, buf_str(&w->voids));
	else if (w->nvoid > 0)
		check_say(c, CHECK_WARN, "SPF: %u term%s name%s something that "
		    "does not exist (a void lookup; %d are allowed): %s. "
		    "Remove what you no longer use", w->nvoid,
		    w->nvoid == 1 ? "" : "s", w->nvoid == 1 ? "s" : "",
		    SPF_MAX_VOID_LOOKUPS, buf_str(&w->voids));
}

static void
check_all(struct check *c, const struct spf_record *rec)
{
	const struct spf_mech *last;
	size_t i;

	if (!rec->has_all) {
		if (rec->redirect.len > 0)
			check_say(c, CHECK_OK, "SPF: the record ends with "
			    "redirect=%.*s, whose record decides for servers "
			    "not listed", (int)rec->redirect.len,
			    rec->redirect.p);
		else
			check_say(c, CHECK_WARN, "SPF: the record does not end "
			    "with an \"all\" term, so mail from servers it "
			    "does not list is \"neutral\", neither allowed nor "
			    "refused. End it with ~all (or -all once you are "
			    "sure the list is complete)");
		return;
	}
	for (i = 0; rec->mech[i].kind != SPF_MECH_ALL; i++)
		;
	last = &rec->mech[i];
	if (i + 1 < rec->nmech)
		check_say(c, CHECK_WARN, "SPF: terms after \"%.*s\" are never "
		    "looked at; move them before it", (int)last->term.len,
		    last->term.p);
	switch (last->qual) {
	case SPF_QUAL_PASS:
		check_say(c, CHECK_FAIL, "SPF: the record ends with \"+all\" "
		    "(or \"all\"), which allows every server on the internet "
		    "to send as %s. Change it to ~all or -all", c->domain);
		break;
	case SPF_QUAL_NEUTRAL:
		check_say(c, CHECK_WARN, "SPF: the record ends with \"?all\": "
		    "mail from servers it does not list is neither allowed nor "
		    "refused. Change it to ~all or -all");
		break;
	case SPF_QUAL_SOFTFAIL:
		check_say(c, CHECK_OK, "SPF: the record ends with ~all: mail "
		    "from other servers is marked suspicious");
		break;
	case SPF_QUAL_FAIL:
		check_say(c, CHECK_OK, "SPF: the record ends with -all: mail "
		    "from other servers is refused");
		break;
	}
}

/*
 * May ip send for the domain? given: the address came from --ip; else it
 * is one of this host's, which may not be the one it sends from, so a
 * refusal is a warning rather than a failure.
 */
static void
check_one_ip(struct check *c, const char *ip, bool given)
{
	struct spf_request req;
	struct spf_answer a;
	struct timespec dl;
	struct err e;
	const char *who = given ? "" : _("this host's address ");

	memset(&req, 0, sizeof(req));
	req.ip = ip;
	req.domain = c->domain;
	req.now = time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += SPF_CHECK_SECONDS;
	req.deadline = &dl;
	if (spf_eval_check_host(c->res, &req, &a, &e) == -1) {
		check_say(c, CHECK_FAIL, "SPF: cannot check %s%s: %s", who, ip,
		    e.msg);
		spf_answer_free(&a);
		return;
	}
	if (a.result == SPF_PASS)
		check_say(c, CHECK_OK, "SPF: %s%s may send mail for %s (%s)",
		    who, ip, c->domain, a.reason);
	else if (a.result == SPF_PERMERROR)
		check_say(c, CHECK_FAIL, "SPF: mail from %s%s for %s gets "
		    "\"permerror\" (%s): the record is broken for every "
		    "sender. Fix what is reported above", who, ip, c->domain,
		    a.reason);
	else if (a.result == SPF_TEMPERROR)
		check_say(c, CHECK_FAIL, "SPF: mail from %s%s for %s gets "
		    "\"temperror\" (%s): a DNS lookup the record needs "
		    "failed, and receivers may defer your mail. Check the DNS "
		    "servers of the names in the record", who, ip, c->domain,
		    a.reason);
	else
		check_say(c, given ? CHECK_FAIL : CHECK_WARN, "SPF: %s%s is "
		    "not allowed to send mail for %s: receivers get \"%s\" "
		    "(%s). %s\"%s:%s\" to the record before the all term, or "
		    "the include of the service that sends from it%s", who, ip,
		    c->domain, spf_result_name(a.result), a.reason,
		    given ? _("Add ") : _("If this host sends mail from it, add "),
		    strchr(ip, ':') != NULL ? "ip6" : "ip4", ip, given ? "" :
		    _(". A private address behind NAT is not what receivers "
		    "see: rerun with --ip <the public address>"));
	spf_answer_free(&a);
}

/* Not loopback, link-local or unspecified: an address mail may leave from. */
static bool
usable_addr(const struct sockaddr *sa)
{
	const unsigned char *b;
	const struct in6_addr *a6;

	if (sa->sa_family == AF_INET) {
		b = (const unsigned char *)
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
		return b[0] != 127 && b[0] != 0 &&
		    !(b[0] == 169 && b[1] == 254);
	}
	if (sa->sa_family == AF_INET6) {
		a6 = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		return !IN6_IS_ADDR_LOOPBACK(a6) &&
		    !IN6_IS_ADDR_LINKLOCAL(a6) &&
		    !IN6_IS_ADDR_UNSPECIFIED(a6) &&
		    !IN6_IS_ADDR_V4MAPPED(a6);
	}
	return false;
}

/* More addresses than this on one host are not worth a line each. */
#define CHECK_MAX_HOST_ADDRS	32

static void
check_ip(struct check *c)
{
	char seen[CHECK_MAX_HOST_ADDRS][INET6_ADDRSTRLEN];
	char buf[INET6_ADDRSTRLEN];
	struct ifaddrs *ifs, *ifa;
	const void *bin;
	size_t n = 0, i;

	if (c->ip != NULL) {
		check_one_ip(c, c->ip, true);
		return;
	}
	/* without --ip: every address of this host */
	if (getifaddrs(&ifs) == -1)
		ifs = NULL;
	for (ifa = ifs; ifa != NULL && n < CHECK_MAX_HOST_ADDRS;
	    ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == NULL || !usable_addr(ifa->ifa_addr))
			continue;
		if (ifa->ifa_addr->sa_family == AF_INET)
			bin = &((const struct sockaddr_in *)(const void *)
			    ifa->ifa_addr)->sin_addr;
		else
			bin = &((const struct sockaddr_in6 *)(const void *)
			    ifa->ifa_addr)->sin6_addr;
		if (inet_ntop(ifa->ifa_addr->sa_family, bin, buf,
		    sizeof(buf)) == NULL)
			continue;
		for (i = 0; i < n && strcmp(seen[i], buf) != 0; i++)
			;
		if (i < n)
			continue;	/* the same address on two interfaces */
		memcpy(seen[n++], buf, sizeof(buf));
	}
	if (ifs != NULL)
		freeifaddrs(ifs);
	if (n == 0) {
		check_say(c, CHECK_NOTE, "SPF: no --ip given and this host has "
		    "no address other than loopback and link-local ones, so "
		    "whether your server may send for %s was not checked; "
		    "rerun with --ip <your server's outgoing address>",
		    c->domain);
		return;
	}
	check_say(c, CHECK_NOTE, "SPF: no --ip given: checking this host's "
	    "%zu address%s (use --ip for the address your mail leaves from)",
	    n, n == 1 ? "" : "es");
	for (i = 0; i < n; i++)
		check_one_ip(c, seen[i], false);
}

void
check_spf(struct check *c)
{
	struct spf_walk w;
	struct spf_record rec;
	struct dns_result r;
	struct err e;
	size_t i, which = 0, n;

	memset(&w, 0, sizeof(w));
	memset(&rec, 0, sizeof(rec));
	w.c = c;
	dns_result_init(&r);
	if (check_domain_txt(c, &r) == -1)
		return;
	if (r.status != DNS_OK && !is_void(r.status)) {
		check_say(c, CHECK_FAIL, "SPF: the lookup of %s TXT failed: "
		    "%s. Receivers then answer temperror and may defer your "
		    "mail", c->domain, check_status_words(r.status));
		goto out;
	}
	n = spf_records(&r, &which);
	if (n == 0) {
		check_say(c, CHECK_FAIL, "SPF: %s has no SPF record, so "
		    "receivers cannot tell which servers may send its mail. "
		    "Publish one TXT record at %s, e.g. \"v=spf1 mx ~all\" "
		    "(`%s` builds it)", c->domain, c->domain, c->records_cmd);
		goto out;
	}
	if (n > 1) {
		check_say(c, CHECK_FAIL, "SPF: %s has %zu SPF records; "
		    "receivers treat that as an error (permerror) and SPF "
		    "fails for all your mail. Merge them into one record",
		    c->domain, n);
		for (i = 0; i < r.n; i++)
			if (spf_record_is_v1(CHECK_TXT(&r, i), r.rr[i].len))
				check_more(c, "\"%s\"", CHECK_TXT(&r, i));
		goto out;
	}
	check_say(c, CHECK_OK, "SPF: one record at %s: \"%s\"", c->domain,
	    CHECK_TXT(&r, which));
	if (spf_record_parse(CHECK_TXT(&r, which), r.rr[which].len, &rec,
	    &e) == -1) {
		check_say(c, CHECK_FAIL, "SPF: %s", e.msg);
		goto out;
	}
	if (rec.error != NULL) {
		check_say(c, CHECK_FAIL, "SPF: the record is invalid: %s at "
		    "\"%.*s\"; receivers give permerror for all your mail. "
		    "Fix or remove that term", rec.error, (int)rec.errterm.len,
		    rec.errterm.p);
		goto out;
	}
	if ((w.stack[0] = strdup(c->domain)) == NULL) {
		check_say(c, CHECK_FAIL, "SPF: out of memory");
		goto out;
	}
	w.depth = 1;
	walk_record(&w, c->domain, &rec, "");
	free(w.stack[0]);
	report_counts(&w);
	for (i = 0; i < rec.nmech; i++)
		if (rec.mech[i].kind == SPF_MECH_PTR)
			check_say(c, CHECK_WARN, "SPF: \"%.*s\" is slow and "
			    "discouraged (RFC 7208 5.5); many receivers skip "
			    "it. List the addresses with ip4:/ip6: instead",
			    (int)rec.mech[i].term.len, rec.mech[i].term.p);
	check_all(c, &rec);
	check_ip(c);
out:
	buf_free(&w.chain);
	buf_free(&w.voids);
	spf_record_free(&rec);
	dns_result_free(&r);
}
