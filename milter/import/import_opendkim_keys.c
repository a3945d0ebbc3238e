/* SPDX-License-Identifier: ISC */
/*
 * import_opendkim_keys.c - what OpenDKIM's key settings become in inkan,
 * for `inkan-milter --import-opendkim`: Mode with KeyTable and
 * SigningTable (opendkim.conf(5), OpenDKIM 2.11), checked for what
 * inkan's keystore does not do ('%' for the sender's domain, keys inside
 * the KeyTable, relative paths, i= after the key name, the fallback
 * lookups of plain SigningTables).
 *
 * OpenDKIM's single-key setup (Domain, Selector, KeyFile) has no inkan
 * setting of its own; it becomes a KeyTable and a refile: SigningTable
 * written to the directory named with --table-dir. Key files are never
 * opened here: `inkan-milter -n` loads and checks them.
 * The other settings are import_opendkim_map.c's.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "addr.h"
#include "cidr.h"
#include "err.h"
#include "hdr.h"
#include "import_opendkim_int.h"
#include "log.h"

/* KEYFILE from a KeyTable line: a path, or the key itself? */
static bool
is_key_path(const char *k)
{
	return *k == '/' || strncmp(k, "./", 2) == 0 ||
	    strncmp(k, "../", 3) == 0;
}

/*
 * Look through the tables for what OpenDKIM allows and inkan's keystore
 * does not: '%' for the sender's domain, keys written into the KeyTable,
 * relative key paths, a signer (i=) after the key name, and the fallback
 * lookups of plain SigningTables ("user@.domain", ".domain", "*").
 */
static void
check_tables(struct imp *im, struct ent *kt, const char *ktpath,
    struct ent *st, const char *stpath, bool re)
{
	char line[IMP_MAX_LINE];
	int lineno = 0;
	FILE *f;

	if ((f = fopen(ktpath, "re")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			char *p, *val, *dom, *sel, *key;

			lineno++;
			line[strcspn(line, "#\r\n")] = '\0';
			p = imp_trim(line);
			if (*p == '\0')
				continue;
			val = imp_trim(p + strcspn(p, " \t"));
			dom = strsep(&val, ":");
			sel = val != NULL ? strsep(&val, ":") : NULL;
			key = val;
			if (sel == NULL || key == NULL)
				continue;	/* inkan-milter -n names it */
			if (strcmp(dom, "%") == 0) {
				imp_nottr(im, kt, "line %d uses %% for the sender's "
				    "domain; inkan needs the domain on every line",
				    lineno);
				break;
			}
			if (!is_key_path(key)) {
				imp_nottr(im, kt, "line %d holds the key itself; inkan "
				    "reads keys from files (mode 0600)", lineno);
				break;
			}
			if (*key != '/') {
				imp_nottr(im, kt, "line %d names the key by a relative "
				    "path; inkan needs an absolute one", lineno);
				break;
			}
		}
		fclose(f);
	}
	lineno = 0;
	if ((f = fopen(stpath, "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p, *pat, *val;

		lineno++;
		line[strcspn(line, "#\r\n")] = '\0';
		p = imp_trim(line);
		if (*p == '\0')
			continue;
		pat = p;
		p += strcspn(p, " \t");
		if (*p != '\0')
			*p++ = '\0';
		val = imp_trim(p);
		if (strchr(val, ':') != NULL) {
			imp_nottr(im, st, "line %d names a signer (i=) after the key "
			    "name; inkan does not write i=: keep the key name "
			    "only", lineno);
			break;
		}
		if (strcmp(val, "%") == 0) {
			imp_nottr(im, st, "line %d uses %% for the key name; inkan "
			    "needs the KeyTable name", lineno);
			break;
		}
		if (!re && (*pat == '.' || strstr(pat, "@.") != NULL ||
		    strcmp(pat, "*") == 0 || (strlen(pat) > 1 &&
		    strcmp(pat + strlen(pat) - 2, "@*") == 0))) {
			imp_nottr(im, st, "line %d: a plain SigningTable matches only "
			    "whole addresses and domains in inkan; use refile: "
			    "with '*' patterns", lineno);
			break;
		}
	}
	fclose(f);
}

/* "refile:P", "file:P" or "/P" to a path; NULL and x not translated. */
static const char *
table_path(struct imp *im, struct ent *x, bool *re)
{
	const char *v = x->value, *colon = strchr(v, ':');

	*re = false;
	if (strncasecmp(v, "refile:", 7) == 0) {
		*re = true;
		return v + 7;
	}
	if (strncasecmp(v, "file:", 5) == 0)
		return v + 5;
	if (colon == NULL && *v == '/')
		return v;
	if (colon != NULL)
		imp_nottr(im, x, "inkan reads the table only from a flat file, "
		    "not '%.*s:'", (int)(colon - v), v);
	else
		imp_nottr(im, x, "a list in the configuration; inkan reads the "
		    "table from a file");
	return NULL;
}

static void
translate_tables(struct imp *im, struct ent *kt, struct ent *st,
    struct ent *sub, struct ent *multi)
{
	const char *ktp, *stp;
	bool re, kre, b;

	if (kt == NULL || st == NULL) {
		imp_nottr(im, kt != NULL ? kt : st, "KeyTable and SigningTable go "
		    "together");
		return;
	}
	ktp = table_path(im, kt, &kre);
	stp = table_path(im, st, &re);
	if (ktp == NULL || stp == NULL) {
		if (ktp != NULL)
			imp_nottr(im, kt, "see SigningTable");
		if (stp != NULL)
			imp_nottr(im, st, "see KeyTable");
		return;
	}
	imp_put(im, "key_table", ktp, kt);
	if (re) {
		struct buf v = BUF_INIT;

		buf_printf(&v, "refile:%s", stp);
		if (buf_failed(&v))
			im->nomem = true;
		else
			imp_put(im, "signing_table", buf_str(&v), st);
		buf_free(&v);
	} else
		imp_put(im, "signing_table", stp, st);
	(void)kre;	/* a KeyTable is looked up by name: no patterns */
	check_tables(im, kt, ktp, st, stp, re);
	if (sub != NULL && imp_bool(sub, &b) == 0 && b)
		imp_nottr(im, sub, "inkan's sign_subdomains is for key_dir only; add "
		    "'*@*.DOMAIN' patterns to a refile: SigningTable");
	else if (sub != NULL)
		imp_note(im, sub, "inkan does the same");
	if (multi != NULL && imp_bool(multi, &b) == 0 && b)
		imp_nottr(im, multi, "inkan signs with every line of the first "
		    "matching SigningTable pattern, not with every match");
	else if (multi != NULL)
		imp_note(im, multi, "inkan does the same");
}

/* The lines of a table, as comments. */
static void
quote_table(struct buf *b, const char *name, const struct buf *t)
{
	const char *l = buf_str(t), *nl;

	buf_printf(b, "# %s:\n", name);
	for (; *l != '\0'; l = nl + 1) {
		if ((nl = strchr(l, '\n')) == NULL)
			break;
		buf_printf(b, "#   %.*s\n", (int)(nl - l), l);
	}
}

static int
write_table(const char *path, const struct buf *b)
{
	ssize_t n;
	int fd;

	/* never overwrite: the admin may have tables of their own there */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1)
		return -1;
	n = write(fd, b->data, b->len);
	if (n < 0 || (size_t)n != b->len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/*
 * Domain, Selector, KeyFile: one key for all the listed domains. Becomes a
 * KeyTable line and a refile: SigningTable pattern per domain (and one for
 * its subdomains with SubDomains), written to --table-dir.
 * Returns -1 only when a table file cannot be written.
 */
static int
translate_single(struct imp *im, struct ent *dom, struct ent *sel,
    struct ent *kf, struct ent *sub)
{
	struct buf kt = BUF_INIT, st = BUF_INIT, p1 = BUF_INIT, p2 = BUF_INIT;
	struct strlist d = STRLIST_INIT;
	char why[512];
	const char *bad;
	bool subs = false, exists;
	size_t i;
	int rc = 0;

	if (dom == NULL || sel == NULL || kf == NULL) {
		imp_nottr(im, dom != NULL ? dom : sel != NULL ? sel : kf,
		    "Domain, Selector and KeyFile go together");
		return 0;
	}
	if (sub != NULL && imp_bool(sub, &subs) == -1) {
		imp_nottr(im, sub, "not a boolean");
		subs = false;
	}
	if ((bad = imp_dataset(dom->value, &d, why, sizeof(why))) != NULL) {
		imp_nottr(im, dom, "%s", bad);
		goto out;
	}
	if (!addr_domain_valid(sel->value, strlen(sel->value))) {
		imp_nottr(im, sel, "not a valid selector");
		goto out;
	}
	if (*kf->value != '/') {
		imp_nottr(im, kf, "inkan needs an absolute path to the key");
		goto out;
	}
	for (i = 0; i < d.n; i++) {
		if (!addr_domain_valid(d.v[i], strlen(d.v[i]))) {
			imp_nottr(im, dom, "'%s' is not a domain name inkan can sign "
			    "for", d.v[i]);
			goto out;
		}
		buf_printf(&kt, "%s %s:%s:%s\n", d.v[i], d.v[i], sel->value,
		    kf->value);
		buf_printf(&st, "*@%s %s\n", d.v[i], d.v[i]);
		if (subs)
			buf_printf(&st, "*@*.%s %s\n", d.v[i], d.v[i]);
	}
	if (d.n == 0) {
		imp_nottr(im, dom, "no domains");
		goto out;
	}
	if (im->table_dir == NULL) {
		buf_printf(&im->extra, "#\n# OpenDKIM's Domain, Selector and "
		    "KeyFile need these two files; rerun with\n# --table-dir "
		    "DIR to write them, or write them yourself and set\n"
		    "#   key_table = DIR/KeyTable\n"
		    "#   signing_table = refile:DIR/SigningTable\n");
		quote_table(&im->extra, "KeyTable", &kt);
		quote_table(&im->extra, "SigningTable", &st);
		imp_nottr(im, dom, "needs KeyTable and SigningTable files: rerun "
		    "with --table-dir DIR to write them");
		imp_nottr(im, sel, "see Domain");
		imp_nottr(im, kf, "see Domain");
		goto out;
	}
	buf_printf(&p1, "%s/KeyTable", im->table_dir);
	buf_printf(&p2, "%s/SigningTable", im->table_dir);
	if (buf_failed(&kt) || buf_failed(&st) || buf_failed(&p1) ||
	    buf_failed(&p2)) {
		im->nomem = true;
		goto out;
	}
	/* check both first, so a refusal leaves no half-written pair */
	if ((exists = access(buf_str(&p2), F_OK) == 0))
		errno = EEXIST;
	if (exists || write_table(buf_str(&p1), &kt) == -1 ||
	    write_table(buf_str(&p2), &st) == -1) {
		fprintf(stderr, "inkan-milter: %s: %s\n", im->table_dir,
		    errno == EEXIST ? "KeyTable or SigningTable exists; not "
		    "overwritten" : strerror(errno));
		rc = -1;
		goto out;
	}
	imp_put(im, "key_table", buf_str(&p1), dom);
	imp_cite(im, "key_table", sel);
	imp_cite(im, "key_table", kf);
	imp_advise(im, "key_table", "Written from Domain, Selector and KeyFile. "
	    "inkan refuses key files that group or others can read: chmod "
	    "600 the key, owned by the user inkan runs as.");
	buf_reset(&p1);
	buf_printf(&p1, "refile:%s", buf_str(&p2));
	imp_put(im, "signing_table", buf_str(&p1), dom);
	if (sub != NULL) {
		imp_cite(im, "signing_table", sub);
		if (subs)
			imp_advise(im, "signing_table", "SubDomains: the '*@*.DOMAIN' "
			    "lines sign subdomains with the domain's key.");
	}
out:
	strlist_free(&d);
	buf_free(&kt);
	buf_free(&st);
	buf_free(&p1);
	buf_free(&p2);
	return rc;
}

int
import_opendkim_keys_translate(struct imp *im)
{
	struct ent *mode = imp_get(im, "Mode"), *kt = imp_get(im, "KeyTable");
	struct ent *st = imp_get(im, "SigningTable"), *dom = imp_get(im, "Domain");
	struct ent *sel = imp_get(im, "Selector"), *kf = imp_get(im, "KeyFile");
	struct ent *sub = imp_get(im, "SubDomains");
	struct ent *multi = imp_get(im, "MultipleSignatures");
	struct ent *alg = imp_get(im, "SignatureAlgorithm");
	bool sign = true, verify = true;

	if (mode != NULL) {
		const char *m = mode->value;

		sign = strchr(m, 's') != NULL;
		verify = strchr(m, 'v') != NULL;
		if (m[strspn(m, "sv")] != '\0' || (!sign && !verify)) {
			imp_nottr(im, mode, "not a mode: s, v or sv");
			sign = verify = true;
		} else if (sign && verify)
			imp_note(im, mode, "inkan signs mail from internal_hosts, "
			    "sign_daemons and authenticated senders, and verifies "
			    "the rest");
		else if (!sign)
			imp_note(im, mode, "no keys are carried over, so inkan signs "
			    "nothing; it verifies everything else as before");
		else {
			imp_put(im, "dmarc_enforce", "no", mode);
			imp_put(im, "from_reject", "no", mode);
			imp_nottr(im, mode, "inkan also verifies the mail it does "
			    "not sign (adding Authentication-Results); "
			    "dmarc_enforce = no and from_reject = no keep it from "
			    "refusing any");
		}
	}
	if (!sign) {
		struct ent *k[] = { kt, st, dom, sel, kf, sub, multi, alg };

		for (size_t i = 0; i < NELEM(k); i++)
			imp_note(im, k[i], "Mode v: OpenDKIM never signed");
		return 0;
	}
	if (alg != NULL) {
		if (strcasecmp(alg->value, "rsa-sha256") == 0 ||
		    strcasecmp(alg->value, "ed25519-sha256") == 0)
			imp_note(im, alg, "inkan signs rsa-sha256 with RSA keys and "
			    "ed25519-sha256 with Ed25519 keys");
		else
			imp_nottr(im, alg, "inkan signs only rsa-sha256 and "
			    "ed25519-sha256 (RFC 8301 retires rsa-sha1)");
	}
	if (kt != NULL || st != NULL) {
		const char *why = "ignored when KeyTable is set, as in OpenDKIM";

		imp_note(im, dom, "%s", why);
		imp_note(im, sel, "%s", why);
		imp_note(im, kf, "%s", why);
		translate_tables(im, kt, st, sub, multi);
		return 0;
	}
	imp_note(im, multi, "only one key is configured");
	if (dom == NULL && sel == NULL && kf == NULL) {
		imp_note(im, sub, "no keys are configured");
		return 0;
	}
	return translate_single(im, dom, sel, kf, sub);
}
