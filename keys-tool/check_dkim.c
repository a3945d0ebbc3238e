/* SPDX-License-Identifier: ISC */
/*
 * check_dkim.c - the DKIM part of `inkan-keys check`: for each selector,
 * the key record at <selector>._domainkey.<domain> (RFC 6376 3.6.2.1)
 * exists, is the only one, parses (the core's dkim_keyrec.c), carries the
 * public half of the private key we sign with (the DER of both public keys
 * compared), is big enough (RFC 8301) and is not left in testing (t=y).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/x509.h>

#include "check.h"
#include "dkim_key.h"
#include "dkim_keyrec.h"
#include "err.h"

/* RSA under this is still accepted by receivers but no longer advised. */
#define CHECK_RSA_GOOD_BITS	2048

/* Whether two keys have the same public key: their DER SPKI is equal. */
static int
same_public(EVP_PKEY *a, EVP_PKEY *b, bool *same)
{
	unsigned char *da = NULL, *db = NULL;
	int la, lb;

	la = i2d_PUBKEY(a, &da);
	lb = i2d_PUBKEY(b, &db);
	if (la <= 0 || lb <= 0) {
		OPENSSL_free(da);
		OPENSSL_free(db);
		return -1;
	}
	*same = la == lb && memcmp(da, db, (size_t)la) == 0;
	OPENSSL_free(da);
	OPENSSL_free(db);
	return 0;
}

static void
check_rec(struct check *c, const char *name, const char *sel,
    const char *txt, size_t len, EVP_PKEY *ours)
{
	struct dkim_keyrec kr;
	enum dkim_key_type t;
	struct err e;
	bool same;

	memset(&kr, 0, sizeof(kr));
	if (dkim_keyrec_parse(txt, len, &kr, &e) == -1) {
		check_say(c, CHECK_FAIL, "DKIM %s: cannot check the record at "
		    "%s: %s", sel, name, e.msg);
		goto out;
	}
	switch (kr.outcome) {
	case DKIM_KEYREC_PERMERROR:
		check_say(c, CHECK_FAIL, "DKIM %s: the record at %s is not a "
		    "valid DKIM key record (%s), so every signature with "
		    "selector %s fails. Replace it with the record `inkan-keys "
		    "records` prints", sel, name, kr.reason, sel);
		goto out;
	case DKIM_KEYREC_REVOKED:
		check_say(c, CHECK_FAIL, "DKIM %s: the record at %s has an "
		    "empty p=, which means the key is revoked: every "
		    "signature with selector %s fails. %s", sel, name, sel,
		    ours != NULL ? "Publish the current key (inkan-keys "
		    "records), or stop signing with this selector" :
		    "Remove the record once no mail is signed with it");
		goto out;
	case DKIM_KEYREC_TOO_SMALL:
		check_say(c, CHECK_FAIL, "DKIM %s: the key at %s has only %d "
		    "bits; receivers ignore signatures made with RSA keys "
		    "under %d bits. Generate a %d-bit key under a new "
		    "selector and publish it", sel, name, kr.bits,
		    DKIM_KEYREC_RSA_MIN_BITS, CHECK_RSA_GOOD_BITS);
		goto out;
	case DKIM_KEYREC_OK:
		break;
	}
	if (ours == NULL)
		check_say(c, CHECK_OK, "DKIM %s: %s holds a valid %s key "
		    "(not compared: inkan holds no private key for this "
		    "selector here)", sel, name, dkim_key_type_name(kr.type));
	else if (dkim_key_type(ours, &t, &e) == -1 ||
	    same_public(ours, kr.key, &same) == -1)
		check_say(c, CHECK_FAIL, "DKIM %s: cannot compare the keys: "
		    "%s", sel, e.msg);
	else if (t != kr.type || !same)
		check_say(c, CHECK_FAIL, "DKIM %s: the key published at %s is "
		    "not the one inkan signs with%s, so every signature with "
		    "selector %s fails (an old key, or another server's). "
		    "Replace the record with the one `inkan-keys records "
		    "--domain %s` prints", sel, name, t != kr.type ?
		    " (it is even of another type)" : "", sel, c->domain);
	else
		check_say(c, CHECK_OK, "DKIM %s: %s publishes the public key "
		    "of inkan's private key (%s, %d bits)", sel, name,
		    dkim_key_type_name(t), kr.bits);
	if (kr.type == DKIM_KEY_RSA && kr.bits < CHECK_RSA_GOOD_BITS)
		check_say(c, CHECK_WARN, "DKIM %s: the key has %d bits: still "
		    "accepted, but %d bits is the advised minimum. Generate a "
		    "%d-bit key under a new selector, publish it, then switch",
		    sel, kr.bits, CHECK_RSA_GOOD_BITS, CHECK_RSA_GOOD_BITS);
	if (kr.testing)
		check_say(c, CHECK_WARN, "DKIM %s: the record says t=y "
		    "(testing): receivers may treat your signed mail as if "
		    "it were unsigned. Remove \"t=y\" from the record at %s "
		    "once signatures verify", sel, name);
out:
	dkim_keyrec_free(&kr);
}

static void
check_selector(struct check *c, const char *domain, const char *sel,
    EVP_PKEY *ours)
{
	struct dns_result r;
	char name[DNS_NAME_MAX + 2];
	size_t i, nkey = 0, which = 0;

	if ((size_t)snprintf(name, sizeof(name), "%s._domainkey.%s", sel,
	    domain) >= sizeof(name)) {
		check_say(c, CHECK_FAIL, "DKIM %s: the name %s._domainkey.%s "
		    "is too long for DNS; choose a shorter selector", sel, sel,
		    domain);
		return;
	}
	dns_result_init(&r);
	if (check_lookup(c, name, DNS_TXT, &r) == -1)
		return;
	if (r.status == DNS_NXDOMAIN || r.status == DNS_NODATA ||
	    (r.status == DNS_OK && r.n == 0)) {
		check_say(c, CHECK_FAIL, "DKIM %s: no record at %s, so "
		    "receivers cannot verify mail signed with selector %s. "
		    "Publish the TXT record `inkan-keys records --domain %s` "
		    "prints (at your DNS provider if it hosts %s)", sel, name,
		    sel, domain, domain);
		goto out;
	}
	if (r.status != DNS_OK) {
		check_say(c, CHECK_FAIL, "DKIM %s: the lookup of %s failed: "
		    "%s. Receivers then defer or fail your mail; check the "
		    "DNS servers of %s", sel, name,
		    check_status_words(r.status), domain);
		goto out;
	}
	/* Several TXT records: a receiver may pick any (RFC 6376 3.6.2.2). */
	for (i = 0; i < r.n; i++)
		if (r.rr[i].len >= 7 &&
		    strncasecmp(CHECK_TXT(&r, i), "v=DKIM1", 7) == 0) {
			if (nkey++ == 0)
				which = i;
		}
	if (r.n > 1) {
		check_say(c, CHECK_FAIL, "DKIM %s: %zu TXT records at %s; "
		    "receivers pick one at random, so verification fails some "
		    "of the time. Keep only the current key record", sel, r.n,
		    name);
		for (i = 0; i < r.n; i++)
			check_more(c, "\"%.60s%s\"", CHECK_TXT(&r, i),
			    r.rr[i].len > 60 ? "..." : "");
	}
	check_rec(c, name, sel, CHECK_TXT(&r, which), r.rr[which].len, ours);
out:
	dns_result_free(&r);
}

void
check_dkim(struct check *c, const struct dkim_sign_key *keys, size_t n,
    const char *selector, bool have_keys)
{
	size_t i;
	bool done = false;

	for (i = 0; i < n; i++) {
		if (selector != NULL && strcmp(keys[i].selector, selector) != 0)
			continue;
		check_selector(c, keys[i].domain, keys[i].selector,
		    keys[i].key);
		done = true;
	}
	if (done)
		return;
	if (selector != NULL) {
		if (have_keys)
			check_say(c, CHECK_NOTE, "DKIM %s: inkan holds no key "
			    "for selector %s of %s; checking the record "
			    "without comparing keys", selector, selector,
			    c->domain);
		check_selector(c, c->domain, selector, NULL);
	} else if (have_keys)
		check_say(c, CHECK_WARN, "DKIM: inkan holds no key for %s, so "
		    "its mail is not signed. Make one: inkan-keys generate "
		    "--domain %s --selector <name> --dir <key_dir>, then "
		    "publish the record it prints", c->domain, c->domain);
	else
		check_say(c, CHECK_NOTE, "DKIM: not checked: give --config, "
		    "--dir or --selector to say which selectors %s uses",
		    c->domain);
}
