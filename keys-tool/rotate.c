/* SPDX-License-Identifier: ISC */
/*
 * rotate.c - `inkan-keys rotate`: make the next key of a domain and print
 * the record and the steps of the switch-over, with the real names.
 *
 * inkan signs with every .private file in DIR/DOMAIN, and a signature whose
 * record is not in DNS yet fails at every receiver. So the new key is
 * written as DIR/DOMAIN/NEW.private.pending, which the key store does not
 * load, and becomes NEW.private only when `check` has seen its record.
 * The order of the steps: publish the new record; wait until it is
 * visible; activate the new key (inkan signs with old and new); remove
 * the old key (inkan signs with the new one only); a week later, delete
 * the old record, which mail still in queues or checked again later needs.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dkim_key.h"
#include "i18n.h"
#include "keys.h"

/* The active keys of the type of the new one: what the rotation retires. */
static size_t
old_keys(const struct keyset *ks, const char *type, size_t *old)
{
	enum dkim_key_type t;
	struct err e;
	size_t i, n = 0;

	for (i = 0; i < ks->n; i++)
		if (dkim_key_type(ks->k[i].key, &t, &e) == 0 &&
		    strcmp(dkim_key_type_name(t), type) == 0)
			old[n++] = i;
	return n;
}

static void
print_steps(const struct keys_gen *o, const struct keyset *ks,
    const char *pending, const char *record)
{
	const char *d = o->domain, *sel = o->selector;
	size_t old[KEYSET_MAX], nold, i;

	nold = old_keys(ks, o->type, old);
	printf(_("Rotating the DKIM key of %s: "), d);
	for (i = 0; i < nold; i++)
		printf("%s%s", i > 0 ? ", " : "", ks->k[old[i]].selector);
	printf("%s%s (%s", nold > 0 ? " -> " : _("new selector "), sel,
	    o->type);
	if (strcmp(o->type, "rsa") == 0)
		printf(_(", %ld bits"), o->bits);
	printf(")\n\n");

	printf(_("The new key is %s (mode 0600).\n"
	    "inkan does not sign with it yet (it loads only the *.private "
	    "files of\n%s):\na signature whose record is not in DNS yet "
	    "would fail at every receiver.\n\n"), pending, ks->domdir);

	if (strcmp(o->format, "value") == 0)
		printf(_("1. Publish this TXT record in the zone of %s:\n\n"
		    "name:  %s._domainkey.%s\ntype:  TXT\nvalue: %s\n\n"), d,
		    sel, d, record);
	else
		printf(_("1. Publish this TXT record in the zone of %s:\n\n"
		    "%s\n\n"), d, record);

	printf(_("2. Wait until it is visible. Run\n"
	    "       inkan-keys check --domain %s --dir %s\n"
	    "   until it says \"selector %s is pending; its record is "
	    "published and\n   matches\", then wait the TTL of your zone "
	    "(typically 1 hour), so that\n   every DNS server of %s "
	    "answers with it.\n\n"), d, o->dir, sel, d);

	printf(_("3. Activate the new key and reload inkan:\n"
	    "       mv %s %s/%s.private\n"
	    "       systemctl reload inkan-milter   (or: kill -HUP <pid of "
	    "inkan-milter>)\n"), pending, ks->domdir, sel);
	if (nold == 0) {
		printf(_("   Mail from %s then carries a signature with selector "
		    "%s as well.\n"), d, sel);
		if (ks->n + 1 > DKIM_SIGN_MAX_KEYS)
			printf(_("   inkan makes at most %d signatures a message; "
			    "remove a key first.\n"), DKIM_SIGN_MAX_KEYS);
		return;
	}
	printf(_("   inkan then signs with both "));
	for (i = 0; i < nold; i++)
		printf("%s%s", i > 0 ? ", " : "", ks->k[old[i]].selector);
	printf(_(" and %s,\n   so mail verifies with either record.\n"),
	    sel);
	if (ks->n + 1 > DKIM_SIGN_MAX_KEYS)
		printf(_("   inkan makes at most %d signatures a message: do "
		    "step 4 at once.\n"), DKIM_SIGN_MAX_KEYS);
	printf("\n");

	printf(_("4. Retire the old key once the new one verifies (`check` "
	    "says OK for %s;\n   mail you send shows \"dkim=pass "
	    "header.s=%s\" at the receiver):\n"), sel, sel);
	for (i = 0; i < nold; i++)
		printf("       rm %s/%s.private\n", ks->domdir,
		    ks->k[old[i]].selector);
	printf(_("       systemctl reload inkan-milter\n"
	    "   inkan then signs with %s only.\n\n"), sel);

	fputs(nold > 1 ? _("5. Keep the old records ") :
	    _("5. Keep the old record "), stdout);
	for (i = 0; i < nold; i++)
		printf("%s%s._domainkey.%s", i > 0 ? ", " : "",
		    ks->k[old[i]].selector, d);
	printf(_(" for a week:\n   mail signed with the old key may still be "
	    "queued, or checked again later\n   (forwarders, mailing lists). "
	    "Then delete it from the zone.\n"));
}

int
keys_rotate(int argc, char **argv)
{
	struct keys_gen o;
	struct keyset ks;
	struct buf rec = BUF_INIT;
	char active[4096], pending[4096];
	size_t i;
	int rc;

	if ((rc = keys_gen_parse(argc, argv, "rotate", false, &o)) != 0)
		return rc;
	if (keyset_load(&ks, "rotate", NULL, o.dir, o.domain) == -1)
		return 2;
	rc = 2;
	snprintf(active, sizeof(active), "%s/%s/%s.private", o.dir, o.domain,
	    o.selector);
	snprintf(pending, sizeof(pending), "%s/%s/%s" KEYSET_PENDING, o.dir,
	    o.domain, o.selector);
	if (ks.n == 0) {
		keys_fail("rotate", "%s holds no key that inkan signs with, "
		    "so there is nothing to rotate; make the first key with "
		    "`inkan-keys generate --domain %s ...`", ks.domdir,
		    o.domain);
		goto out;
	}
	if (access(active, F_OK) == 0 || access(pending, F_OK) == 0) {
		keys_fail("rotate", "%s exists: choose a new selector (never "
		    "reuse one: receivers may still hold its old record)",
		    access(active, F_OK) == 0 ? active : pending);
		goto out;
	}
	for (i = 0; i < ks.npending; i++) {
		keys_fail("rotate", "a rotation is already in progress: %s; "
		    "activate it (`inkan-keys check` says how) or delete it "
		    "first", ks.pending[i].path);
		goto out;
	}
	if ((rc = keys_gen_make(&o, pending, &rec)) != 0)
		goto out;
	print_steps(&o, &ks, pending, buf_str(&rec));
out:
	buf_free(&rec);
	keyset_free(&ks);
	return rc;
}
