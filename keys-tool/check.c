/* SPDX-License-Identifier: ISC */
/*
 * check.c - `inkan-keys check`: ask DNS what a domain publishes and say,
 * one line per finding, what is right and what to change. DNS answers come
 * through the project's resolver interface: a zone file with --dns-zone
 * (or dns_zone_file of --config), else libunbound forwarding to the
 * --resolver addresses, else to the dns_forwarders of --config, else to
 * the nameservers of /etc/resolv.conf; dns_trust_anchor and dns_timeout
 * of --config apply, --dns-timeout overrides the latter.
 * The record checks live in check_dkim.c, check_spf.c and check_dmarc.c,
 * the resolver checks in check_dns.c; here are the options, the findings
 * printer, MX and the DNSSEC line.
 */
#include <arpa/inet.h>

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "check.h"
#include "config.h"
#include "dns_unbound.h"
#include "err.h"
#include "i18n.h"
#include "keys.h"

struct check_opts {
	const char	*domain, *config, *dir, *selector, *ip, *zone;
	char		 dombuf[KEYS_NAME_SIZE], selbuf[KEYS_NAME_SIZE];
	const char	*resolver[CHECK_MAX_RESOLVERS];
	size_t		 nresolver;
	unsigned	 timeout_ms;	/* --dns-timeout, or 0 */
};

/* --dns-timeout bounds, those of dns_timeout in inkan.conf(5). */
#define CHECK_TIMEOUT_MIN_MS	100
#define CHECK_TIMEOUT_MAX_MS	20000

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
	vprintf(_(fmt), ap);
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
	vprintf(_(fmt), ap);
	va_end(ap);
	putchar('\n');
}

const char *
check_status_words(enum dns_status s)
{
	switch (s) {
	case DNS_OK: return _("records found");
	case DNS_NXDOMAIN: return _("the name does not exist (NXDOMAIN)");
	case DNS_NODATA: return _("the name exists but has no such record");
	case DNS_SERVFAIL: return _("the DNS servers gave no usable answer "
	    "(SERVFAIL; broken delegation or DNSSEC?)");
	case DNS_TIMEOUT: return _("the DNS servers did not answer in time");
	case DNS_ERROR: break;
	}
	return _("the lookup failed");
}

int
check_lookup(struct check *c, const char *name, enum dns_type t,
    struct dns_result *out)
{
	struct err e;

	if (dns_lookup(c->res, name, t, c->timeout_ms, out, &e) == -1) {
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

/* "ADDR" or "ADDR@PORT", as libunbound's ub_ctx_set_fwd takes them. */
static bool
resolver_ok(const char *s)
{
	char a[64];
	unsigned char bin[16];
	const char *at = strrchr(s, '@');
	size_t len = at != NULL ? (size_t)(at - s) : strlen(s);
	char *end;
	long port;

	if (len == 0 || len >= sizeof(a))
		return false;
	memcpy(a, s, len);
	a[len] = '\0';
	if (inet_pton(AF_INET, a, bin) != 1 && inet_pton(AF_INET6, a, bin) != 1)
		return false;
	if (at == NULL)
		return true;
	port = strtol(at + 1, &end, 10);
	return at[1] >= '0' && at[1] <= '9' && *end == '\0' && port > 0 &&
	    port <= 65535;
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
		{ "resolver", required_argument, NULL, 'r' },
		{ "dns-timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned char bin[16];
	char *end;
	long n;
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
		case 'r':
			if (!resolver_ok(optarg))
				return keys_fail("check", "--resolver wants "
				    "an IP address with an optional @port "
				    "(192.0.2.53, 2001:db8::53, "
				    "127.0.0.1@5353), not '%s'", optarg);
			if (o->nresolver == CHECK_MAX_RESOLVERS)
				return keys_fail("check", "at most %d "
				    "--resolver options", CHECK_MAX_RESOLVERS);
			o->resolver[o->nresolver++] = optarg;
			break;
		case 't':
			n = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' ||
			    n < CHECK_TIMEOUT_MIN_MS ||
			    n > CHECK_TIMEOUT_MAX_MS)
				return keys_fail("check", "--dns-timeout is a "
				    "number of milliseconds from %d to %d, not "
				    "'%s'", CHECK_TIMEOUT_MIN_MS,
				    CHECK_TIMEOUT_MAX_MS, optarg);
			o->timeout_ms = (unsigned)n;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc)
		return keys_fail("check", "unexpected argument '%s'",
		    argv[optind]);
	if (o->domain == NULL)
		return keys_fail("check", "needs --domain");
	if (keys_domain_arg("check", o->domain, o->dombuf) != 0)
		return 2;
	o->domain = o->dombuf;
	if (o->config != NULL && o->dir != NULL)
		return keys_fail("check", "give --config or --dir, not both");
	if (o->zone != NULL && o->nresolver > 0)
		return keys_fail("check", "give --dns-zone or --resolver, not "
		    "both");
	if (o->selector != NULL) {
		if (keys_selector_arg("check", o->selector, o->selbuf) != 0 ||
		    keys_key_name("check", o->selbuf, o->domain) != 0)
			return 2;
		o->selector = o->selbuf;
	}
	if (o->ip != NULL && inet_pton(AF_INET, o->ip, bin) != 1 &&
	    inet_pton(AF_INET6, o->ip, bin) != 1)
		return keys_fail("check", "--ip wants an IPv4 or IPv6 "
		    "address, not '%s'", o->ip);
	return 0;
}

/* Join the n strings of v with ", " into out. */
static void
join(char *out, size_t len, const char *const *v, size_t n)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strlcat(out, ", ", len);
		strlcat(out, v[i], len);
	}
}

/*
 * The resolver of this run, and in who the words naming it; *zone is set
 * when the answers come from a zone file. NULL after a message.
 */
static struct dns_resolver *
make_resolver(const struct check_opts *o, struct keyset *ks, struct check *c,
    char *who, size_t wholen, bool *zone)
{
	struct dns_unbound_opts uo;
	struct dns_resolver *r;
	struct config *cfg = ks->cfg;
	char addrs[CHECK_WHO_MAX - 64];
	struct err e;
	int n;

	*zone = false;
	c->first_addr = NULL;
	if (o->zone != NULL) {
		*zone = true;
		snprintf(who, wholen, _("the zone file %s"), o->zone);
		if ((r = dns_zone_open(o->zone, &e)) == NULL)
			keys_fail("check", "%s", e.msg);
		return r;
	}
	if (o->nresolver == 0 && cfg != NULL && cfg->dns_zone_file[0] != '\0') {
		*zone = true;
		snprintf(who, wholen, _("the zone file %s (dns_zone_file in %s)"),
		    cfg->dns_zone_file, o->config);
		if ((r = dns_zone_open(cfg->dns_zone_file, &e)) == NULL)
			keys_fail("check", "dns_zone_file: %s", e.msg);
		return r;
	}
	memset(&uo, 0, sizeof(uo));
	uo.query_timeout_ms = c->timeout_ms;
	if (cfg != NULL && cfg->dns_trust_anchor[0] != '\0')
		uo.trust_anchor_file = cfg->dns_trust_anchor;
	if (o->nresolver > 0) {
		uo.forwarders = o->resolver;
		uo.nforwarders = o->nresolver;
		join(addrs, sizeof(addrs), o->resolver, o->nresolver);
		snprintf(who, wholen, "%s (--resolver)", addrs);
	} else if (cfg != NULL && cfg->dns_forwarders.n > 0) {
		uo.forwarders = (const char *const *)cfg->dns_forwarders.v;
		uo.nforwarders = cfg->dns_forwarders.n;
		join(addrs, sizeof(addrs), uo.forwarders, uo.nforwarders);
		snprintf(who, wholen, _("%s (dns_forwarders in %s)"), addrs,
		    o->config);
	} else if ((n = check_resolv_conf(CHECK_RESOLV_CONF, addrs,
	    sizeof(addrs))) > 0)
		snprintf(who, wholen, _("%s (from %s)"), addrs,
		    CHECK_RESOLV_CONF);
	else {
		/* libunbound's default too, after resolv.conf(5) */
		snprintf(addrs, sizeof(addrs), "127.0.0.1");
		snprintf(who, wholen, _("127.0.0.1 (%s names no nameserver; "
		    "that is the default)"), CHECK_RESOLV_CONF);
	}
	c->first_addr = uo.nforwarders > 0 ? uo.forwarders[0] : NULL;
	if ((r = dns_unbound_new(&uo, &e)) == NULL)
		keys_fail("check", "DNS resolver: %s", e.msg);
	return r;
}

/*
 * The commands check suggests, with this run's key options (shell-quoted):
 * c->records_cmd and c->key_dir point into cmd and dir, which the caller
 * frees after the check.
 */
static void
suggestions(const struct check_opts *o, const struct keyset *ks,
    struct check *c, struct buf *cmd, struct buf *dir)
{
	buf_printf(cmd, "inkan-keys records --domain %s ", o->domain);
	if (o->config != NULL) {
		buf_adds(cmd, "--config ");
		keys_shell_word(cmd, o->config);
	} else if (o->dir != NULL) {
		buf_adds(cmd, "--dir ");
		keys_shell_word(cmd, o->dir);
	} else
		buf_adds(cmd, "--dir <key_dir>");
	if (o->dir != NULL)
		keys_shell_word(dir, o->dir);
	else if (ks->cfg != NULL && ks->cfg->key_dir[0] != '\0')
		keys_shell_word(dir, ks->cfg->key_dir);
	else
		buf_adds(dir, "<key_dir>");
	c->records_cmd = buf_str(cmd);
	c->key_dir = buf_str(dir);
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
	struct check_watch *watch = NULL;
	struct buf cmd = BUF_INIT, dir = BUF_INIT;
	char who[CHECK_WHO_MAX];
	struct err e;
	unsigned ntemp;
	bool zone;
	int rc;

	if ((rc = parse(argc, argv, &o)) != 0)
		return rc;
	/* findings and the progress lines on stderr, in the order made */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (keyset_load(&ks, "check", o.config, o.dir, o.domain) == -1)
		return 2;
	memset(&c, 0, sizeof(c));
	dns_result_init(&c.domain_txt);
	c.domain = o.domain;
	c.ip = o.ip;
	c.timeout_ms = o.timeout_ms != 0 ? o.timeout_ms : ks.cfg != NULL ?
	    (unsigned)ks.cfg->dns_timeout : CHECK_DNS_TIMEOUT_MS;
	c.who = who;
	if ((c.res = make_resolver(&o, &ks, &c, who, sizeof(who), &zone)) ==
	    NULL) {
		keyset_free(&ks);
		return 2;
	}
	if (!zone && (c.res = check_watch_new(c.res, who, &watch, &e)) ==
	    NULL) {
		keys_fail("check", "%s", e.msg);
		keyset_free(&ks);
		return 2;
	}
	suggestions(&o, &ks, &c, &cmd, &dir);
	if (o.zone != NULL)	/* the file the admin just named */
		printf(_("Checking the DNS records of %s (answers from the zone "
		    "file)\n"), o.domain);
	else if (zone)
		printf(_("Checking the DNS records of %s (answers from %s)\n"),
		    o.domain, who);
	else
		printf(_("Checking the DNS records of %s, asking %s\n"),
		    o.domain, who);
	rc = 2;
	if (!zone && check_probe(&c) == -1)
		goto out;	/* the resolver is at fault: could not check */
	rc = 1;
	if (check_exists(&c) == -1)
		goto out;
	check_dkim(&c, &ks, o.selector,
	    o.config != NULL || o.dir != NULL);
	check_spf(&c);
	check_dmarc(&c);
	check_mx(&c);
	check_dnssec(&c, zone);
	if ((ntemp = watch != NULL ? check_watch_tempfails(watch) : 0) > 0)
		check_say(&c, CHECK_NOTE, "DNS: %u lookup%s failed for now "
		    "(no answer in time, or SERVFAIL), yet %s answers other "
		    "queries (it answered for the top-level domain): the DNS "
		    "servers of the names that failed, or the way to them, "
		    "are at fault, not the resolver", ntemp, ntemp == 1 ? "" :
		    "s", who);
	rc = c.nfail > 0 ? 1 : 0;
out:
	dns_result_free(&c.domain_txt);
	printf(_("%u OK, %u WARN, %u FAIL\n"), c.nok, c.nwarn, c.nfail);
	dns_resolver_free(c.res);
	keyset_free(&ks);
	buf_free(&cmd);
	buf_free(&dir);
	return rc;
}
