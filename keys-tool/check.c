/* SPDX-License-Identifier: ISC */
/*
 * check.c - `inkan-keys check`: ask DNS what a domain publishes and say,
 * one line per finding, what is right and what to change. DNS answers come
 * through the project's resolver interface: a zone file with --dns-zone,
 * else the resolver of --config, else libunbound with default options.
 * The record checks live in check_dkim.c, check_spf.c and check_dmarc.c;
 * here are the options, the findings printer, MX and the DNSSEC line.
 */
#include <arpa/inet.h>

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "check.h"
#include "config.h"
#include "dns_unbound.h"
#include "err.h"
#include "keys.h"

struct check_opts {
	const char	*domain, *config, *dir, *selector, *ip, *zone;
};

static const char *const level_word[] = {
	[CHECK_OK] = "OK",
	[CHECK_NOTE] = "NOTE",
	[CHECK_WARN] = "WARN",
	[CHECK_FAIL] = "FAIL",
};

void
check_say(struct check *c, enum check_level l, const char *fmt, ...)
{
	va_list ap;

	switch (l) {
	case CHECK_OK: c->nok++; break;
	case CHECK_WARN: c->nwarn++; break;
	case CHECK_FAIL: c->nfail++; break;
	case CHECK_NOTE: break;
	}
	printf("%-4s ", level_word[l]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void
check_more(struct check *c, const char *fmt, ...)
{
	va_list ap;

	(void)c;
	printf("       ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

const char *
check_status_words(enum dns_status s)
{
	switch (s) {
	case DNS_OK: return "records found";
	case DNS_NXDOMAIN: return "the name does not exist (NXDOMAIN)";
	case DNS_NODATA: return "the name exists but has no such record";
	case DNS_SERVFAIL: return "the DNS servers gave no usable answer "
	    "(SERVFAIL; broken delegation or DNSSEC?)";
	case DNS_TIMEOUT: return "the DNS servers did not answer in time";
	case DNS_ERROR: break;
	}
	return "the lookup failed";
}

int
check_lookup(struct check *c, const char *name, enum dns_type t,
    struct dns_result *out)
{
	struct err e;

	if (dns_lookup(c->res, name, t, CHECK_DNS_TIMEOUT_MS, out, &e) == -1) {
		check_say(c, CHECK_FAIL, "cannot look up %s %s: %s", name,
		    dns_type_name(t), e.msg);
		return -1;
	}
	if (out->status == DNS_OK || out->status == DNS_NXDOMAIN ||
	    out->status == DNS_NODATA) {
		c->nanswers++;
		if (out->secure)
			c->nsecure++;
	}
	return 0;
}

static int
parse(int argc, char **argv, struct check_opts *o)
{
	static const struct option lo[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "dir", required_argument, NULL, 'D' },
		{ "selector", required_argument, NULL, 's' },
		{ "ip", required_argument, NULL, 'i' },
		{ "dns-zone", required_argument, NULL, 'z' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned char bin[16];
	int ch;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'd': o->domain = optarg; break;
		case 'c': o->config = optarg; break;
		case 'D': o->dir = optarg; break;
		case 's': o->selector = optarg; break;
		case 'i': o->ip = optarg; break;
		case 'z': o->zone = optarg; break;
		default:
			return 2;
		}
	}
	if (optind != argc)
		return keys_fail("check", "unexpected argument '%s'",
		    argv[optind]);
	if (o->domain == NULL)
		return keys_fail("check", "needs --domain");
	if (!keys_domain_ok(o->domain))
		return keys_fail("check", "'%s' is not a valid domain name",
		    o->domain);
	if (o->config != NULL && o->dir != NULL)
		return keys_fail("check", "give --config or --dir, not both");
	if (o->selector != NULL && !keys_selector_ok(o->selector))
		return keys_fail("check", "'%s' is not a valid selector",
		    o->selector);
	if (o->ip != NULL && inet_pton(AF_INET, o->ip, bin) != 1 &&
	    inet_pton(AF_INET6, o->ip, bin) != 1)
		return keys_fail("check", "--ip wants an IPv4 or IPv6 "
		    "address, not '%s'", o->ip);
	return 0;
}

static struct dns_resolver *
make_resolver(const struct check_opts *o, struct keyset *ks)
{
	struct dns_resolver *r;
	struct err e;

	if (o->zone != NULL) {
		if ((r = dns_zone_open(o->zone, &e)) == NULL)
			fprintf(stderr, "inkan-keys check: %s\n", e.msg);
		return r;
	}
	if (ks->cfg != NULL && ks->cfg->resolver != NULL) {
		/* the daemon's resolver: its forwarders and trust anchor */
		r = ks->cfg->resolver;
		ks->cfg->resolver = NULL;
		return r;
	}
	if ((r = dns_unbound_new(NULL, &e)) == NULL)
		fprintf(stderr, "inkan-keys check: DNS resolver: %s\n", e.msg);
	return r;
}

static void
check_mx(struct check *c)
{
	struct dns_result r;
	size_t i;

	dns_result_init(&r);
	if (check_lookup(c, c->domain, DNS_MX, &r) == -1)
		return;
	if (r.status == DNS_OK && r.n == 1 && r.rr[0].name[0] == '\0')
		check_say(c, CHECK_WARN, "MX: %s has a null MX (\"0 .\"): it "
		    "accepts no mail, so bounces and replies to mail you send "
		    "from it are lost. If people should reach %s, publish MX "
		    "records naming your mail servers", c->domain, c->domain);
	else if (r.status == DNS_OK) {
		check_say(c, CHECK_OK, "MX: %s receives mail through %zu "
		    "server%s", c->domain, r.n, r.n == 1 ? "" : "s");
		for (i = 0; i < r.n; i++)
			check_more(c, "%u %s", r.rr[i].pref, r.rr[i].name);
	} else if (r.status == DNS_NXDOMAIN || r.status == DNS_NODATA)
		check_say(c, CHECK_WARN, "MX: %s has no MX record: some "
		    "receivers distrust senders that cannot receive replies "
		    "or bounces. Publish \"%s. IN MX 10 <your mail server>.\"",
		    c->domain, c->domain);
	else
		check_say(c, CHECK_FAIL, "MX: the lookup of %s MX failed: %s. "
		    "Receivers that cannot look it up may delay your mail; "
		    "check the DNS servers of %s", c->domain,
		    check_status_words(r.status), c->domain);
	dns_result_free(&r);
}

static void
check_dnssec(struct check *c, bool zone)
{
	if (c->nanswers > 0 && c->nsecure == c->nanswers)
		check_say(c, CHECK_OK, "DNSSEC: answers validated");
	else if (zone)
		check_say(c, CHECK_NOTE, "DNSSEC: answers not validated "
		    "(they came from a zone file)");
	else if (c->nsecure > 0)
		check_say(c, CHECK_NOTE, "DNSSEC: answers not validated: %u "
		    "of %u answers were signed and validated; the rest come "
		    "from unsigned zones", c->nsecure, c->nanswers);
	else
		check_say(c, CHECK_NOTE, "DNSSEC: answers not validated "
		    "(the zones are unsigned, or no trust anchor is set: "
		    "dns_trust_anchor in the config)");
}

int
keys_check(int argc, char **argv)
{
	struct check_opts o;
	struct keyset ks;
	struct check c;
	int rc;

	if ((rc = parse(argc, argv, &o)) != 0)
		return rc;
	if (keyset_load(&ks, o.config, o.dir, o.domain) == -1)
		return 2;
	memset(&c, 0, sizeof(c));
	c.domain = o.domain;
	c.ip = o.ip;
	if ((c.res = make_resolver(&o, &ks)) == NULL) {
		keyset_free(&ks);
		return 2;
	}
	printf("Checking the DNS records of %s%s\n", o.domain,
	    o.zone != NULL ? " (answers from the zone file)" : "");
	check_dkim(&c, &ks, o.selector,
	    o.config != NULL || o.dir != NULL);
	check_spf(&c);
	check_dmarc(&c);
	check_mx(&c);
	check_dnssec(&c, o.zone != NULL);
	printf("%u OK, %u WARN, %u FAIL\n", c.nok, c.nwarn, c.nfail);
	dns_resolver_free(c.res);
	keyset_free(&ks);
	return c.nfail > 0 ? 1 : 0;
}
