/* SPDX-License-Identifier: ISC */
/*
 * check_dkim.c - the DKIM part of `inkan-keys check`: for each selector,
 * the key record at <selector>._domainkey.<domain> (RFC 6376 3.6.2.1)
 * exists, is the only one, parses (the core's dkim_keyrec.c), carries the
 * public half of the private key we sign with (the DER of both public keys
 * compared), is big enough (RFC 8301) and is not left in testing (t=y).
 * During a rotation (rotate.c) the same for each pending key, whose record
 * must be published before the key may be activated, and which selectors
 * inkan signs with meanwhile.
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
#include "i18n.h"

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

/* Print the record of a pending key as detail lines, for publishing. */
static void
show_record(struct check *c, const struct keyset_pending *p)
{
	struct buf z = BUF_INIT;
	struct err e;

	if (dkim_key_record_zone(p->key, p->selector, c->domain, &z, &e) == 0)
		check_more(c, "%s", buf_str(&z));
	buf_free(&z);
}

/* What activating pending key p means, as detail lines. */
static void
show_activate(struct check *c, const struct keyset_pending *p,
    const char *domdir)
{
	check_more(c, "mv %s %s/%s.private", p->path, domdir, p->selector);
	check_more(c, "systemctl reload inkan-milter   (or: kill -HUP <pid "
	    "of inkan-milter>)");
}

static void
check_rec(struct check *c, const char *name, const char *sel,
    const char *txt, size_t len, EVP_PKEY *ours,
    const struct keyset_pending *pend, const char *domdir)
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
		    "selector %s fails. Replace it with the record `%s` "
		    "prints", sel, name, kr.reason, sel, c->records_cmd);
		goto out;
	case DKIM_KEYREC_REVOKED:
		check_say(c, CHECK_FAIL, "DKIM %s: the record at %s has an "
		    "empty p=, which means the key is revoked: every "
		    "signature with selector %s fails. %s%s%s", sel, name, sel,
		    ours != NULL ? _("Publish the current key (`") :
		    _("Remove the record once no mail is signed with it"),
		    ours != NULL ? c->records_cmd : "",
		    ours != NULL ? _("` prints it), or stop signing with this "
		    "selector") : "");
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
	if (pend != NULL) {
		if (dkim_key_type(ours, &t, &e) == -1 ||
		    same_public(ours, kr.key, &same) == -1)
			check_say(c, CHECK_FAIL, "DKIM %s: cannot compare the "
			    "keys: %s", sel, e.msg);
		else if (t != kr.type || !same) {
			check_say(c, CHECK_FAIL, "DKIM %s: rotation in "
			    "progress: the record at %s is not that of the "
			    "pending key %s, so do not activate it: every "
			    "signature with selector %s would fail. Replace "
			    "the record with:", sel, name, pend->path, sel);
			show_record(c, pend);
		} else {
			check_say(c, CHECK_OK, "DKIM %s: rotation in progress: "
			    "selector %s is pending; its record is published "
			    "and matches (%s, %d bits), so you can activate it "
			    "(wait the TTL of your zone, typically 1 hour, "
			    "after publishing):", sel, sel,
			    dkim_key_type_name(t), kr.bits);
			show_activate(c, pend, domdir);
		}
	} else if (ours == NULL)
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
		    "Replace the record with the one `%s` prints", sel, name,
		    t != kr.type ? _(" (it is even of another type)") : "", sel,
		    c->records_cmd);
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
	dkim_keyrec_free(&kr);
	return;
out:
	if (pend != NULL)
		check_more(c, "rotation in progress: do not activate %s "
		    "before this is fixed; the record to publish is:",
		    pend->path);
	if (pend != NULL)
		show_record(c, pend);
	dkim_keyrec_free(&kr);
}

static void
check_selector(struct check *c, const char *domain, const char *sel,
    EVP_PKEY *ours, const struct keyset_pending *pend, const char *domdir)
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
	if (pend != NULL && (r.status == DNS_NXDOMAIN ||
	    r.status == DNS_NODATA || (r.status == DNS_OK && r.n == 0))) {
		check_say(c, CHECK_WARN, "DKIM %s: rotation in progress: "
		    "selector %s is pending (%s) and not yet published: no "
		    "record at %s. Publish this record, and activate the key "
		    "only once `check` says it matches:", sel, sel, pend->path,
		    name);
		show_record(c, pend);
		goto out;
	}
	if (pend != NULL && r.status != DNS_OK) {
		check_say(c, CHECK_WARN, "DKIM %s: rotation in progress: "
		    "cannot tell whether the record of pending selector %s is "
		    "published: the lookup of %s failed: %s. Do not activate "
		    "%s yet", sel, sel, name, check_status_words(r.status),
		    pend->path);
		goto out;
	}
	if (r.status == DNS_NXDOMAIN || r.status == DNS_NODATA ||
	    (r.status == DNS_OK && r.n == 0)) {
		check_say(c, CHECK_FAIL, "DKIM %s: no record at %s, so "
		    "receivers cannot verify mail signed with selector %s. "
		    "Publish the TXT record `%s` prints (at your DNS provider "
		    "if it hosts %s)", sel, name, sel, c->records_cmd, domain);
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
	check_rec(c, name, sel, CHECK_TXT(&r, which), r.rr[which].len, ours,
	    pend, domdir);
out:
	dns_result_free(&r);
}

/*
 * During a rotation, or with several keys: which selectors inkan signs
 * with, and what the pending ones wait for.
 */
static void
say_signers(struct check *c, const struct keyset *ks)
{
	enum dkim_key_type t[KEYSET_MAX];
	struct buf sels = BUF_INIT;
	struct err e;
	size_t i, j;
	bool twins = false;

	for (i = 0; i < ks->n; i++) {
		buf_printf(&sels, "%s%s", i == 0 ? "" : i + 1 == ks->n ?
		    " and " : ", ", ks->k[i].selector);
		if (dkim_key_type(ks->k[i].key, &t[i], &e) == -1)
			t[i] = (enum dkim_key_type)-1;
		for (j = 0; j < i; j++)
			if (t[j] == t[i])
				twins = true;
	}
	if (ks->n == 0)
		check_say(c, CHECK_NOTE, "DKIM: inkan signs no mail from %s "
		    "yet: it holds no active key for it", c->domain);
	else
		check_say(c, CHECK_NOTE, "DKIM: inkan signs mail from %s with "
		    "selector%s %s", c->domain, ks->n > 1 ? "s" : "",
		    buf_str(&sels));
	for (i = 0; i < ks->npending; i++)
		check_more(c, "%s is pending: not used until you rename %s to "
		    "%s.private and reload inkan", ks->pending[i].selector,
		    ks->pending[i].path, ks->pending[i].selector);
	if (twins && ks->npending == 0 && ks->n > 1)
		check_more(c, "if you are rotating: once the new key "
		    "verifies, remove the old key's .private file, reload "
		    "inkan, and delete its record a week later");
	if (ks->n + (ks->npending > 0 ? 1 : 0) > DKIM_SIGN_MAX_KEYS)
		check_more(c, "inkan makes at most %d signatures a message: "
		    "remove a key", DKIM_SIGN_MAX_KEYS);
	buf_free(&sels);
}

void
check_dkim(struct check *c, const struct keyset *ks, const char *selector,
    bool have_keys)
{
	const struct keyset_pending *p;
	size_t i;
	bool done = false;

	for (i = 0; i < ks->n; i++) {
		if (selector != NULL &&
		    strcasecmp(ks->k[i].selector, selector) != 0)
			continue;
		check_selector(c, ks->k[i].domain, ks->k[i].selector,
		    ks->k[i].key, NULL, NULL);
		done = true;
	}
	for (i = 0; i < ks->npending; i++) {
		p = &ks->pending[i];
		if (selector != NULL && strcasecmp(p->selector, selector) != 0)
			continue;
		done = true;
		if (p->key == NULL)
			check_say(c, CHECK_WARN, "DKIM %s: rotation in "
			    "progress, but the pending key %s cannot be used: "
			    "%s. Fix it, or delete it and run `inkan-keys "
			    "rotate` again", p->selector, p->path, p->problem);
		else
			check_selector(c, c->domain, p->selector, p->key, p,
			    ks->domdir);
	}
	if (selector == NULL && (ks->npending > 0 || ks->n > 1))
		say_signers(c, ks);
	if (done)
		return;
	if (selector != NULL) {
		if (have_keys)
			check_say(c, CHECK_NOTE, "DKIM %s: inkan holds no key "
			    "for selector %s of %s; checking the record "
			    "without comparing keys", selector, selector,
			    c->domain);
		check_selector(c, c->domain, selector, NULL, NULL, NULL);
	} else if (have_keys)
		check_say(c, CHECK_WARN, "DKIM: inkan holds no key for %s, so "
		    "its mail is not signed. Make one: inkan-keys generate "
		    "--domain %s --selector <name> --dir %s, then publish the "
		    "record it prints", c->domain, c->domain, c->key_dir);
	else
		check_say(c, CHECK_NOTE, "DKIM: not checked: give --config, "
		    "--dir or --selector to say which selectors %s uses",
		    c->domain);
}
