/* SPDX-License-Identifier: ISC */
/*
 * records.c - `inkan-keys records`: everything a domain publishes in DNS
 * for mail authentication, from the keys inkan holds and a few options:
 * the DKIM key records (RFC 6376 3.6.1, written by the core's dkim_key.c),
 * an SPF record (RFC 7208) checked with the core's SPF parser before it is
 * printed, and a DMARC record (RFC 9989; pct= only from RFC 7489).
 * Three forms: zone-file lines (strings of at most 255 bytes), name and
 * bare value for a DNS provider's web form, or JSON for automation.
 */
#include <arpa/inet.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "addr.h"
#include "config.h"
#include "dkim_key.h"
#include "err.h"
#include "i18n.h"
#include "json.h"
#include "keys.h"
#include "spf_eval.h"
#include "spf_record.h"

/* Command-line lists; more of either is a mistake, not a real record. */
#define REC_MAX_LIST	64

struct rec_opts {
	const char	*domain, *config, *dir, *format;
	char		 dombuf[KEYS_NAME_SIZE];
	const char	*policy, *sp, *rua, *pct;
	const char	*ip[REC_MAX_LIST], *inc[REC_MAX_LIST];
	size_t		 nip, ninc;
	bool		 a, mx, strict;
};

struct rec {
	const char	*what;		/* "DKIM", "SPF", "DMARC" */
	char		*name;
	struct buf	 value, zone;
	char		*comment;	/* English: --format=json */
	char		*comment_tr;	/* the locale's (zone, value), or NULL */
	bool		 pending;	/* DKIM: a key `rotate` left pending */
};

static bool
policy_ok(const char *p)
{
	return strcmp(p, "none") == 0 || strcmp(p, "quarantine") == 0 ||
	    strcmp(p, "reject") == 0;
}

/* An address or network for ip4:/ip6: "192.0.2.1", "2001:db8::/32". */
static bool
ip_term_ok(const char *s, bool *v6)
{
	char a[INET6_ADDRSTRLEN + 8];
	unsigned char bin[16];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	char *end;
	long bits;

	if (len == 0 || len >= sizeof(a))
		return false;
	memcpy(a, s, len);
	a[len] = '\0';
	*v6 = strchr(a, ':') != NULL;
	if (inet_pton(*v6 ? AF_INET6 : AF_INET, a, bin) != 1)
		return false;
	if (slash == NULL)
		return true;
	bits = strtol(slash + 1, &end, 10);
	return slash[1] != '\0' && *end == '\0' && bits >= 0 &&
	    bits <= (*v6 ? 128 : 32);
}

static int
parse(int argc, char **argv, struct rec_opts *o)
{
	static const struct option lo[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "dir", required_argument, NULL, 'D' },
		{ "format", required_argument, NULL, 'F' },
		{ "spf-ip", required_argument, NULL, 'i' },
		{ "spf-include", required_argument, NULL, 'I' },
		{ "spf-a", no_argument, NULL, 'a' },
		{ "spf-mx", no_argument, NULL, 'm' },
		{ "spf-strict", no_argument, NULL, 'S' },
		{ "policy", required_argument, NULL, 'p' },
		{ "subdomain-policy", required_argument, NULL, 's' },
		{ "rua", required_argument, NULL, 'r' },
		{ "pct", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	size_t i;
	bool v6;
	long n;
	int ch;

	memset(o, 0, sizeof(*o));
	o->format = "zone";
	o->policy = "none";
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'd': o->domain = optarg; break;
		case 'c': o->config = optarg; break;
		case 'D': o->dir = optarg; break;
		case 'F': o->format = optarg; break;
		case 'a': o->a = true; break;
		case 'm': o->mx = true; break;
		case 'S': o->strict = true; break;
		case 'p': o->policy = optarg; break;
		case 's': o->sp = optarg; break;
		case 'r': o->rua = optarg; break;
		case 'P': o->pct = optarg; break;
		case 'i':
			if (o->nip == REC_MAX_LIST)
				return keys_fail("records",
				    "too many --spf-ip");
			o->ip[o->nip++] = optarg;
			break;
		case 'I':
			if (o->ninc == REC_MAX_LIST)
				return keys_fail("records",
				    "too many --spf-include");
			o->inc[o->ninc++] = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc)
		return keys_fail("records", "unexpected argument '%s'",
		    argv[optind]);
	if (o->domain == NULL)
		return keys_fail("records", "needs --domain");
	if (keys_domain_arg("records", o->domain, o->dombuf) != 0)
		return 2;
	o->domain = o->dombuf;
	if (o->config == NULL && o->dir == NULL)
		return keys_fail("records", "needs --config FILE or --dir "
		    "DIR to find the DKIM keys");
	if (o->config != NULL && o->dir != NULL)
		return keys_fail("records", "give --config or --dir, not both");
	if (strcmp(o->format, "zone") != 0 && strcmp(o->format, "value") != 0 &&
	    strcmp(o->format, "json") != 0)
		return keys_fail("records", "--format is zone, value or json, "
		    "not '%s'", o->format);
	if (!policy_ok(o->policy))
		return keys_fail("records", "--policy is none, quarantine or "
		    "reject, not '%s'", o->policy);
	if (o->sp != NULL && !policy_ok(o->sp))
		return keys_fail("records", "--subdomain-policy is none, "
		    "quarantine or reject, not '%s'", o->sp);
	if (o->rua != NULL && (strncasecmp(o->rua, "mailto:", 7) != 0 ||
	    strchr(o->rua, '@') == NULL || strpbrk(o->rua, " ;\"") != NULL))
		return keys_fail("records", "--rua wants mailto:address, not "
		    "'%s'", o->rua);
	if (o->pct != NULL) {
		n = strtol(o->pct, &end, 10);
		if (*o->pct == '\0' || *end != '\0' || n < 0 || n > 100)
			return keys_fail("records", "--pct is a number from 0 "
			    "to 100, not '%s'", o->pct);
	}
	for (i = 0; i < o->nip; i++)
		if (!ip_term_ok(o->ip[i], &v6))
			return keys_fail("records", "--spf-ip wants an IPv4 "
			    "or IPv6 address or network, not '%s'", o->ip[i]);
	for (i = 0; i < o->ninc; i++)
		if (!addr_domain_valid(o->inc[i], strlen(o->inc[i])) ||
		    strchr(o->inc[i], '.') == NULL)
			return keys_fail("records", "--spf-include wants a "
			    "domain name, not '%s'", o->inc[i]);
	return 0;
}

static void
rec_free(struct rec *r)
{
	free(r->name);
	free(r->comment);
	free(r->comment_tr);
	buf_free(&r->value);
	buf_free(&r->zone);
}

/* One DKIM record: of key k for selector sel, pending or in use. */
/* T(s): translated if translate (see dkim_comment), else English. */
#define T(s)	(translate ? _(s) : (s))

/* The comment of a DKIM key's record, in English or the locale's words. */
static void
dkim_comment(struct buf *s, const char *sel, EVP_PKEY *k,
    enum dkim_key_type t, bool pending, bool translate)
{
	if (t == DKIM_KEY_RSA)
		buf_printf(s, T("DKIM key, selector %s (rsa, %d bits)"), sel,
		    EVP_PKEY_get_bits(k));
	else
		buf_printf(s, T("DKIM key, selector %s (%s)"), sel,
		    dkim_key_type_name(t));
	if (pending)
		buf_adds(s, T(", pending (inkan-keys rotate): publish it, "
		    "then activate the key"));
}

static int
dkim_rec(const char *domain, const char *sel, EVP_PKEY *k, bool pending,
    struct rec *x)
{
	enum dkim_key_type t;
	struct buf s = BUF_INIT;
	struct err e;

	memset(x, 0, sizeof(*x));
	x->what = "DKIM";
	if (dkim_key_type(k, &t, &e) == -1 ||
	    dkim_key_record(k, &x->value, &e) == -1 ||
	    dkim_key_record_zone(k, sel, domain, &x->zone, &e) == -1) {
		fprintf(stderr, "inkan-keys records: key %s for %s: %s\n", sel,
		    domain, e.msg);
		return -1;
	}
	buf_printf(&s, "%s._domainkey.%s", sel, domain);
	x->name = strdup(buf_str(&s));
	buf_reset(&s);
	dkim_comment(&s, sel, k, t, pending, false);
	x->comment = strdup(buf_str(&s));
	buf_reset(&s);
	dkim_comment(&s, sel, k, t, pending, true);
	x->comment_tr = strdup(buf_str(&s));
	x->pending = pending;
	buf_free(&s);
	return 0;
}

/* The records of the keys in use, then of those `rotate` left pending. */
static int
dkim_recs(const struct rec_opts *o, const struct keyset *ks, struct rec *r,
    size_t *nr)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (dkim_rec(ks->k[i].domain, ks->k[i].selector, ks->k[i].key,
		    false, &r[(*nr)++]) == -1)
			return -1;
	for (i = 0; i < ks->npending; i++)
		if (ks->pending[i].key != NULL && dkim_rec(o->domain,
		    ks->pending[i].selector, ks->pending[i].key, true,
		    &r[(*nr)++]) == -1)
			return -1;
	return 0;
}

/* Count the terms of rec that query DNS (RFC 7208 4.6.4). */
static unsigned
spf_dns_terms(const struct spf_record *rec)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < rec->nmech; i++)
		switch (rec->mech[i].kind) {
		case SPF_MECH_INCLUDE: case SPF_MECH_A: case SPF_MECH_MX:
		case SPF_MECH_PTR: case SPF_MECH_EXISTS:
			n++;
			break;
		default:
			break;
		}
	if (rec->redirect.len > 0 && !rec->has_all)
		n++;
	return n;
}

static int
spf_rec(const struct rec_opts *o, struct rec *x, unsigned *terms)
{
	struct spf_record rec;
	struct err e;
	size_t i;
	bool v6;
	int rc;

	memset(x, 0, sizeof(*x));
	x->what = "SPF";
	buf_adds(&x->value, "v=spf1");
	for (i = 0; i < o->nip; i++) {
		(void)ip_term_ok(o->ip[i], &v6);
		buf_printf(&x->value, " ip%c:%s", v6 ? '6' : '4', o->ip[i]);
	}
	if (o->a)
		buf_adds(&x->value, " a");
	/* With no option at all, the MX hosts are the usual senders. */
	if (o->mx || (o->nip == 0 && o->ninc == 0 && !o->a))
		buf_adds(&x->value, " mx");
	for (i = 0; i < o->ninc; i++)
		buf_printf(&x->value, " include:%s", o->inc[i]);
	buf_adds(&x->value, o->strict ? " -all" : " ~all");
	if (o->nip == 0 && o->ninc == 0 && !o->a && !o->mx)
		fprintf(stderr, "inkan-keys records: %s\n", _("no --spf-ip, "
		    "--spf-include, --spf-a or --spf-mx given: the SPF record "
		    "allows the domain's MX hosts only"));
	if (buf_failed(&x->value))
		return -1;
	/* What we print must be a record receivers accept. */
	memset(&rec, 0, sizeof(rec));
	rc = spf_record_parse(x->value.data, x->value.len, &rec, &e);
	if (rc == 0 && rec.error != NULL) {
		fprintf(stderr, "inkan-keys records: the SPF record would be "
		    "invalid: %s at '%.*s'\n", rec.error, (int)rec.errterm.len,
		    rec.errterm.p);
		rc = -1;
	} else if (rc == 0 && (*terms = spf_dns_terms(&rec)) >
	    SPF_MAX_DNS_TERMS) {
		fprintf(stderr, _("inkan-keys records: the SPF record has %u "
		    "terms that need DNS lookups; receivers allow %d. Use "
		    "--spf-ip for your own servers instead of --spf-a, "
		    "--spf-mx or includes\n"), *terms, SPF_MAX_DNS_TERMS);
		rc = -1;
	} else if (rc == -1)
		fprintf(stderr, "inkan-keys records: %s\n", e.msg);
	spf_record_free(&rec);
	if (rc == -1)
		return -1;
	if (o->ninc > 0)
		fprintf(stderr, _("inkan-keys records: each include adds the "
		    "lookups of the included record; after publishing, run "
		    "`inkan-keys check --domain %s` to see the total\n"),
		    o->domain);
	x->name = strdup(o->domain);
	x->comment = strdup(o->strict ? N_("SPF (mail from other servers "
	    "fails: -all)") : N_("SPF (mail from other servers is suspicious: "
	    "~all)"));
	return 0;
}

static void
dmarc_rec(const struct rec_opts *o, struct rec *x)
{
	char name[300];

	memset(x, 0, sizeof(*x));
	x->what = "DMARC";
	buf_printf(&x->value, "v=DMARC1; p=%s", o->policy);
	if (o->sp != NULL)
		buf_printf(&x->value, "; sp=%s", o->sp);
	if (o->pct != NULL) {
		buf_printf(&x->value, "; pct=%s", o->pct);
		fprintf(stderr, "inkan-keys records: %s\n", _("pct= is from "
		    "RFC 7489; RFC 9989 removed it and receivers following it "
		    "ignore it. To apply the policy gently, use t=y (testing) "
		    "instead"));
	}
	if (o->rua != NULL)
		buf_printf(&x->value, "; rua=%s", o->rua);
	else
		buf_printf(&x->value, "; rua=mailto:dmarc-reports@%s",
		    o->domain);
	snprintf(name, sizeof(name), "_dmarc.%s", o->domain);
	x->name = strdup(name);
	x->comment = strdup(strcmp(o->policy, "none") == 0 ? N_("DMARC "
	    "(p=none: receivers only report, nothing is rejected)") :
	    strcmp(o->policy, "quarantine") == 0 ? N_("DMARC (p=quarantine: "
	    "mail failing DMARC goes to spam)") : N_("DMARC (p=reject: mail "
	    "failing DMARC is refused)"));
}

static void
print_recs(const struct rec_opts *o, struct rec *r, size_t nr,
    unsigned spf_terms, struct buf *out)
{
	size_t i;
	bool first = true;

	if (strcmp(o->format, "json") != 0) {
		for (i = 0; i < nr; i++) {
			if (i > 0)
				buf_addc(out, '\n');
			buf_printf(out, "; %s\n", r[i].comment_tr != NULL ?
			    r[i].comment_tr : _(r[i].comment));
			if (strcmp(o->format, "zone") == 0) {
				if (r[i].zone.len == 0)
					keys_zone_txt(&r[i].zone, r[i].name,
					    buf_str(&r[i].value));
				buf_printf(out, "%s\n", buf_str(&r[i].zone));
			} else
				buf_printf(out, "name:  %s\ntype:  TXT\n"
				    "value: %s\n", r[i].name,
				    buf_str(&r[i].value));
		}
		return;
	}
	buf_adds(out, "{\"domain\": ");
	json_str(out, o->domain);
	buf_adds(out, ", \"dkim\": [");
	for (i = 0; i < nr; i++) {
		struct buf *z = &r[i].zone;

		if (z->len == 0)
			keys_zone_txt(z, r[i].name, buf_str(&r[i].value));
		if (strcmp(r[i].what, "DKIM") == 0) {
			buf_adds(out, first ? "\n  " : ",\n  ");
			first = false;
		} else if (strcmp(r[i].what, "SPF") == 0)
			buf_adds(out, "],\n \"spf\": ");
		else
			buf_adds(out, ",\n \"dmarc\": ");
		buf_adds(out, "{\"name\": ");
		json_str(out, r[i].name);
		buf_adds(out, ", \"type\": \"TXT\", \"value\": ");
		json_str(out, buf_str(&r[i].value));
		buf_adds(out, ", \"zone\": ");
		json_str(out, buf_str(z));
		buf_adds(out, ", \"comment\": ");
		json_str(out, r[i].comment);
		if (strcmp(r[i].what, "SPF") == 0)
			buf_printf(out, ", \"dns_terms\": %u", spf_terms);
		if (r[i].pending)
			buf_adds(out, ", \"pending\": true");
		buf_addc(out, '}');
	}
	buf_adds(out, "}\n");
}

int
keys_records(int argc, char **argv)
{
	struct rec_opts o;
	struct keyset ks;
	struct rec r[2 * KEYSET_MAX + 2];
	struct buf out = BUF_INIT;
	size_t nr = 0, i;
	unsigned terms = 0;
	int rc;

	if ((rc = parse(argc, argv, &o)) != 0)
		return rc;
	if (keyset_load(&ks, "records", o.config, o.dir, o.domain) == -1)
		return 2;
	if (ks.n == 0) {
		buf_printf(&out, "inkan-keys generate --domain %s --selector "
		    "NAME --dir ", o.domain);
		if (o.dir != NULL)
			keys_shell_word(&out, o.dir);
		else if (ks.cfg != NULL && ks.cfg->key_dir[0] != '\0')
			keys_shell_word(&out, ks.cfg->key_dir);
		else
			buf_adds(&out, "DIR");
		fprintf(stderr, "inkan-keys records: inkan holds no DKIM key "
		    "for %s, so mail from it is not signed; make one with "
		    "`%s`\n", o.domain, buf_str(&out));
		buf_reset(&out);
	}
	rc = 2;
	if (dkim_recs(&o, &ks, r, &nr) == -1 ||
	    spf_rec(&o, &r[nr++], &terms) == -1)
		goto out;
	dmarc_rec(&o, &r[nr++]);
	print_recs(&o, r, nr, terms, &out);
	if (buf_failed(&out)) {
		fprintf(stderr, "inkan-keys records: out of memory\n");
		goto out;
	}
	fputs(buf_str(&out), stdout);
	rc = 0;
out:
	for (i = 0; i < nr; i++)
		rec_free(&r[i]);
	buf_free(&out);
	keyset_free(&ks);
	return rc;
}
