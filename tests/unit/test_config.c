/* SPDX-License-Identifier: ISC */
/*
 * test_config.c - unit tests for config.c and keystore.c.
 * Config files, key directories and OpenDKIM tables are written into a
 * fresh mkdtemp directory (never a fixed /tmp name), removed at the end.
 */
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "buf.h"
#include "config.h"
#include "world.h"
#include "keystore.h"
#include "log.h"

struct fixture {
	char	 dir[256];
	EVP_PKEY *rsa, *ed, *weak;
};

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "we");

	if (f == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void
write_key(const char *path, EVP_PKEY *k, mode_t mode)
{
	FILE *f = fopen(path, "we");

	if (f == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL,
	    NULL), 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void
make_dir(const struct fixture *fx, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", fx->dir, rel);
	if (mkdir(path, 0700) != 0)
		fail_msg("mkdir %s: %s", path, strerror(errno));
}

/* fx->dir + "/" + rel, in a static buffer per slot. */
static const char *
in_dir(const struct fixture *fx, const char *rel, int slot)
{
	static char paths[4][512];

	snprintf(paths[slot], sizeof(paths[slot]), "%s/%s", fx->dir, rel);
	return paths[slot];
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	const char *tmp = getenv("TMPDIR");

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/inkan-test-config-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	fx->rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	fx->ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	fx->weak = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)512);
	if (fx->rsa == NULL || fx->ed == NULL || fx->weak == NULL) {
		rmdir(fx->dir);
		EVP_PKEY_free(fx->rsa);
		EVP_PKEY_free(fx->ed);
		EVP_PKEY_free(fx->weak);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	int rc;

	rc = nftw(fx->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	EVP_PKEY_free(fx->rsa);
	EVP_PKEY_free(fx->ed);
	EVP_PKEY_free(fx->weak);
	free(fx);
	return rc == 0 ? 0 : -1;
}

/* Write text as a config file named rel and load it. */
static struct world *
load_text(const struct fixture *fx, const char *rel, const char *text,
    struct buf *problems)
{
	const char *path = in_dir(fx, rel, 0);

	write_file(path, text, 0600);
	buf_reset(problems);
	return world_load(path, problems);
}

/* problems must hold each of want[] (with %s replaced by the path). */
static void
check_problems(const char *what, const char *path, const struct buf *problems,
    const char *const *want, size_t nwant)
{
	struct buf w = BUF_INIT;
	size_t i;

	for (i = 0; i < nwant && want[i] != NULL; i++) {
		buf_reset(&w);
		buf_printf(&w, want[i], path);
		if (strstr(buf_str(problems), buf_str(&w)) == NULL) {
			print_message("%s: problems lack \"%s\":\n%s\n", what,
			    buf_str(&w), buf_str(problems));
			fail();
		}
	}
	buf_free(&w);
}

/*
 * keystore_lookup, which must not fail here. With keep the caller gives
 * the keys back (keystore_release); else they go back at once and only
 * the domains and selectors (the store's) are left to look at.
 */
static size_t
lookup_keys(const struct keystore *ks, const char *local, const char *domain,
    bool subdomains, struct dkim_sign_key *out, size_t max, bool keep)
{
	struct err e;
	int n = keystore_lookup(ks, local, domain, subdomains, out, max, &e);

	if (n == -1)
		fail_msg("lookup %s@%s: %s", local, domain, e.msg);
	if (!keep)
		keystore_release(out, (size_t)n);
	return (size_t)n;
}

static size_t
lookup(const struct keystore *ks, const char *local, const char *domain,
    bool subdomains, struct dkim_sign_key *out, size_t max)
{
	return lookup_keys(ks, local, domain, subdomains, out, max, false);
}

static bool
has(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

static void
test_defaults(void **state)
{
	struct buf problems = BUF_INIT, doc = BUF_INIT;
	struct world *c, *cur;

	(void)state;
	print_message("case: built-in defaults\n");
	c = world_load(NULL, &problems);
	if (c == NULL)
		fail_msg("defaults refused:\n%s", buf_str(&problems));
	assert_int_equal(problems.len, 0);
	assert_null(c->cfg->path);
	assert_string_equal(c->cfg->socket, "inet:8894@127.0.0.1");
	assert_int_equal(c->cfg->hcanon, CANON_RELAXED);
	assert_int_equal(c->cfg->bcanon, CANON_RELAXED);
	assert_int_equal(c->cfg->oversign_headers.n, 1);
	assert_string_equal(c->cfg->oversign_headers.v[0], "From");
	assert_true(has(&c->cfg->sign_headers, "From"));
	assert_true(has(&c->cfg->sign_headers, "Subject"));
	assert_true(has(&c->cfg->sign_headers, "Date"));
	assert_false(c->cfg->sign_subdomains);
	assert_int_equal(c->cfg->signature_ttl, 0);
	assert_int_equal(c->cfg->shutdown_timeout, 30);
	assert_int_equal(c->cfg->log_level, LOG_INFO);
	assert_int_equal(c->cfg->log, CONFIG_LOG_SYSLOG);
	assert_string_equal(c->cfg->key_dir, "");
	assert_true(c->cfg->authserv_id[0] != '\0');
	assert_true(cidr_list_match(&c->cfg->internal_hosts, "127.0.0.1"));
	assert_true(cidr_list_match(&c->cfg->internal_hosts, "::1"));
	assert_false(cidr_list_match(&c->cfg->internal_hosts, "192.0.2.1"));
	assert_non_null(c->keys);
	assert_int_equal(keystore_count(c->keys), 0);

	print_message("case: references and the current config\n");
	assert_int_equal(c->refcnt, 1);
	assert_ptr_equal(world_ref(c), c);
	assert_int_equal(c->refcnt, 2);
	world_unref(c);
	assert_null(world_current());
	world_install(c);		/* takes our reference */
	cur = world_current();
	assert_ptr_equal(cur, c);
	assert_int_equal(c->refcnt, 2);
	world_unref(cur);
	world_install(NULL);		/* drops the last reference */
	assert_null(world_current());
	world_unref(NULL);

	print_message("case: config_describe names every setting\n");
	config_describe(&doc);
	assert_non_null(strstr(buf_str(&doc), "socket"));
	assert_non_null(strstr(buf_str(&doc), "inet:8894@127.0.0.1"));
	assert_non_null(strstr(buf_str(&doc), "oversign_headers"));
	buf_free(&doc);
	buf_free(&problems);
}

static void
test_values(void **state)
{
	struct fixture *fx = *state;
	struct buf problems = BUF_INIT;
	struct world *c;

	print_message("case: a file setting every kind of value\n");
	c = load_text(fx, "good.conf",
	    "# inkan.conf\n"
	    "\n"
	    "socket = unix:/run/inkan/inkan.sock   # trailing comment\n"
	    "  canonicalization=relaxed/simple\n"
	    "sign_subdomains = Yes\n"
	    "signature_ttl = 3600\n"
	    "internal_hosts = 10.0.0.0/8, 2001:db8::/32 192.0.2.1\n"
	    "sign_headers = From,To  Subject\n"
	    "oversign_headers = From, Subject\n"
	    "log_level = debug\n"
	    "log = stderr\n"
	    "authserv_id = mx.example.com\n"
	    "shutdown_timeout = 0\n", &problems);
	if (c == NULL)
		fail_msg("refused:\n%s", buf_str(&problems));
	assert_string_equal(c->cfg->path, in_dir(fx, "good.conf", 0));
	assert_string_equal(c->cfg->socket, "unix:/run/inkan/inkan.sock");
	assert_int_equal(c->cfg->hcanon, CANON_RELAXED);
	assert_int_equal(c->cfg->bcanon, CANON_SIMPLE);
	assert_true(c->cfg->sign_subdomains);
	assert_int_equal(c->cfg->signature_ttl, 3600);
	assert_true(cidr_list_match(&c->cfg->internal_hosts, "10.1.2.3"));
	assert_true(cidr_list_match(&c->cfg->internal_hosts, "192.0.2.1"));
	assert_true(cidr_list_match(&c->cfg->internal_hosts, "2001:db8::5"));
	assert_false(cidr_list_match(&c->cfg->internal_hosts, "127.0.0.1"));
	assert_int_equal(c->cfg->sign_headers.n, 3);
	assert_string_equal(c->cfg->sign_headers.v[2], "Subject");
	assert_int_equal(c->cfg->oversign_headers.n, 2);
	assert_int_equal(c->cfg->log_level, LOG_DEBUG);
	assert_int_equal(c->cfg->log, CONFIG_LOG_STDERR);
	assert_string_equal(c->cfg->authserv_id, "mx.example.com");
	assert_int_equal(c->cfg->shutdown_timeout, 0);
	world_unref(c);

	print_message("case: canonicalization=simple means simple/simple\n");
	c = load_text(fx, "simple.conf", "canonicalization = simple\n",
	    &problems);
	assert_non_null(c);
	assert_int_equal(c->cfg->hcanon, CANON_SIMPLE);
	assert_int_equal(c->cfg->bcanon, CANON_SIMPLE);
	world_unref(c);
	buf_free(&problems);
}

/*
 * The settings of issue 15 (what OpenDKIM and OpenDMARC users missed):
 * syslog_facility names map to openlog's values, pid_file, peer_hosts and
 * trusted_authserv_ids are read, and their defaults are "none".
 */
static void
test_migration_settings(void **state)
{
	static const struct { const char *name; int facility; } fac[] = {
		{ "mail", LOG_MAIL }, { "MAIL", LOG_MAIL },
		{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
		{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
		{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
		{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
		{ "local6", LOG_LOCAL6 }, { "Local7", LOG_LOCAL7 },
	};
	struct fixture *fx = *state;
	struct buf problems = BUF_INIT;
	struct world *c;
	char text[128];
	size_t i;

	print_message("case: defaults of the migration settings\n");
	c = load_text(fx, "mig0.conf", "", &problems);
	if (c == NULL)
		fail_msg("refused:\n%s", buf_str(&problems));
	assert_int_equal(c->cfg->syslog_facility, LOG_MAIL);
	assert_string_equal(c->cfg->pid_file, "");
	assert_int_equal(c->cfg->peer_hosts.n, 0);
	assert_int_equal(c->cfg->trusted_authserv_ids.n, 0);
	world_unref(c);

	for (i = 0; i < sizeof(fac) / sizeof(fac[0]); i++) {
		print_message("case: syslog_facility = %s\n", fac[i].name);
		snprintf(text, sizeof(text), "syslog_facility = %s\n",
		    fac[i].name);
		c = load_text(fx, "fac.conf", text, &problems);
		if (c == NULL)
			fail_msg("refused:\n%s", buf_str(&problems));
		assert_int_equal(c->cfg->syslog_facility, fac[i].facility);
		assert_string_equal(log_facility_name(c->cfg->syslog_facility),
		    fac[i].name[0] == 'M' ? "mail" : fac[i].name[0] == 'L' ?
		    "local7" : fac[i].name);
		world_unref(c);
	}

	print_message("case: pid_file, peer_hosts, trusted_authserv_ids\n");
	c = load_text(fx, "mig1.conf",
	    "pid_file = /run/inkan/inkan-milter.pid\n"
	    "peer_hosts = 192.0.2.0/28, 2001:db8::7\n"
	    "trusted_authserv_ids = mx1.upstream.example, mx2.upstream.example\n",
	    &problems);
	if (c == NULL)
		fail_msg("refused:\n%s", buf_str(&problems));
	assert_string_equal(c->cfg->pid_file, "/run/inkan/inkan-milter.pid");
	assert_true(cidr_list_match(&c->cfg->peer_hosts, "192.0.2.15"));
	assert_false(cidr_list_match(&c->cfg->peer_hosts, "192.0.2.16"));
	assert_true(cidr_list_match(&c->cfg->peer_hosts, "2001:db8::7"));
	assert_int_equal(c->cfg->trusted_authserv_ids.n, 2);
	assert_string_equal(c->cfg->trusted_authserv_ids.v[1],
	    "mx2.upstream.example");
	world_unref(c);
	buf_free(&problems);
}

static void
test_problems(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char	*name;
		const char	*text;
		const char	*want[3];	/* %s is the file's path */
	} t[] = {
		{ "unknown key", "# c\n\nbogus_setting = 1\n",
		    { "%s:3: unknown setting 'bogus_setting'" } },
		{ "bad bool", "sign_subdomains = maybe\n",
		    { "%s:1: sign_subdomains: expected yes or no" } },
		{ "negative number", "\nsignature_ttl = -5\n",
		    { "%s:2: signature_ttl: expected a number" } },
		{ "not a number", "signature_ttl = soon\n",
		    { "%s:1: signature_ttl: expected a number" } },
		{ "number over the bound", "shutdown_timeout = 3601\n",
		    { "%s:1: shutdown_timeout: expected a number from 0 to 3600" } },
		{ "number with junk", "signature_ttl = 10s\n",
		    { "%s:1: signature_ttl:" } },
		{ "empty number", "signature_ttl =\n",
		    { "%s:1: signature_ttl:" } },
		{ "bad canonicalization", "canonicalization = strict\n",
		    { "%s:1: canonicalization: expected simple or relaxed" } },
		{ "bad body canonicalization",
		    "\n\n\ncanonicalization = relaxed/bogus\n",
		    { "%s:4: canonicalization:" } },
		{ "bad CIDR", "internal_hosts = 10.0.0.0/33\n",
		    { "%s:1: internal_hosts:", "bad prefix length" } },
		{ "bad CIDR address", "internal_hosts = 127.0.0.1, mailhost\n",
		    { "%s:1: internal_hosts:", "'mailhost' is not an IP" } },
		{ "bad header name", "sign_headers = From, Sub:ject\n",
		    { "%s:1: sign_headers: 'Sub:ject' is not a header" } },
		{ "bad log", "log = file\n", { "%s:1: log: expected syslog" } },
		{ "bad log level", "log_level = loud\n",
		    { "%s:1: log_level: expected error" } },
		{ "unknown syslog facility", "syslog_facility = local8\n",
		    { "%s:1: syslog_facility: expected mail, daemon, user or "
		    "local0 to local7" } },
		{ "syslog facility kern", "syslog_facility = kern\n",
		    { "%s:1: syslog_facility: expected mail" } },
		{ "relative pid_file", "pid_file = run/inkan.pid\n",
		    { "%s: pid_file run/inkan.pid: must be an absolute path" } },
		{ "bad peer host", "peer_hosts = relay.example.com\n",
		    { "%s:1: peer_hosts:", "'relay.example.com' is not an IP" } },
		{ "no equals sign", "socket\n",
		    { "%s:1: expected 'name = value'" } },
		{ "name is case-sensitive", "Socket = inet:1@127.0.0.1\n",
		    { "%s:1: unknown setting 'Socket'" } },
		{ "two problems", "bogus = 1\nsign_subdomains = perhaps\n",
		    { "%s:1: unknown setting", "%s:2: sign_subdomains:" } },
		{ "three problems", "a = 1\nsignature_ttl = x\nlog = y\n",
		    { "%s:1: unknown setting", "%s:2: signature_ttl:",
		    "%s:3: log:" } },
		{ "set twice", "socket = inet:1@127.0.0.1\n"
		    "socket = inet:2@127.0.0.1\n",
		    { "%s:2: 'socket' is set twice" } },
		{ "set twice, bad value first", "signature_ttl = x\n"
		    "signature_ttl = 5\n",
		    { "%s:1: signature_ttl:", "%s:2: 'signature_ttl' is set "
		    "twice" } },
		{ "key_dir with key_table",
		    "key_dir = /nonexistent\nkey_table = /nonexistent\n"
		    "signing_table = /nonexistent\n",
		    { "%s: key_dir and key_table/signing_table cannot be used "
		    "together" } },
		{ "signing_table alone", "signing_table = /nonexistent\n",
		    { "%s: key_table and signing_table go together" } },
		{ "missing key_dir", "key_dir = /nonexistent/inkan-keys\n",
		    { "key_dir /nonexistent/inkan-keys:" } },
	};
	struct buf problems = BUF_INIT;
	char rel[64];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct world *c;

		print_message("case: %s\n", t[i].name);
		snprintf(rel, sizeof(rel), "bad%zu.conf", i);
		c = load_text(fx, rel, t[i].text, &problems);
		if (c != NULL) {
			world_unref(c);
			fail_msg("%s: accepted", t[i].name);
		}
		check_problems(t[i].name, in_dir(fx, rel, 0), &problems, t[i].want,
		    3);
	}

	print_message("case: missing file\n");
	buf_reset(&problems);
	assert_null(world_load(in_dir(fx, "no-such.conf", 0), &problems));
	assert_non_null(strstr(buf_str(&problems), in_dir(fx, "no-such.conf",
	    0)));
	buf_free(&problems);
}

/* Count the lines of problems. */
static size_t
nlines(const struct buf *b)
{
	const char *p;
	size_t n = 0;

	for (p = buf_str(b); (p = strchr(p, '\n')) != NULL; p++)
		n++;
	return n;
}

/* config_parse() over len bytes of text (NULs allowed), as "mem.conf". */
static struct config *
parse_bytes(const char *text, size_t len, struct buf *problems)
{
	struct config *c;
	FILE *f;

	buf_reset(problems);
	assert_non_null(f = fmemopen((void *)text, len, "r"));
	c = config_parse(f, "mem.conf", problems);
	fclose(f);
	return c;
}

/*
 * The reader itself: a NUL byte or an over-long line is reported on its
 * own line and the lines after it are still read and numbered right.
 */
static void
test_reader(void **state)
{
	static const char nul[] = "socket = inet:1@127.0.0.1\n"
	    "log = std\0err\n"
	    "sign_subdomains = maybe\n";
	static const char *const want_nul[] = {
		"mem.conf:2: a NUL byte in the line",
		"mem.conf:3: sign_subdomains: expected yes or no",
	};
	static const char *const want_long[] = {
		"mem.conf:2: line too long (more than 8192 bytes)",
		"mem.conf:3: sign_subdomains: expected yes or no",
	};
	struct buf problems = BUF_INIT, text = BUF_INIT;
	struct config *c;
	size_t i;

	(void)state;
	print_message("case: a NUL byte, then a bad line\n");
	assert_null(parse_bytes(nul, sizeof(nul) - 1, &problems));
	check_problems("nul", "", &problems, want_nul, 2);
	assert_int_equal(nlines(&problems), 2);

	print_message("case: a 9000-byte line, then a bad line\n");
	buf_adds(&text, "# first\nauthserv_id = ");
	for (i = 0; i < 9000; i++)
		buf_addc(&text, 'a');
	buf_adds(&text, "\nsign_subdomains = maybe\n");
	assert_null(parse_bytes(text.data, text.len, &problems));
	check_problems("long", "", &problems, want_long, 2);
	assert_int_equal(nlines(&problems), 2);

	print_message("case: a line of 8,000 bytes is read\n");
	buf_reset(&text);
	buf_adds(&text, "authserv_id = ");
	for (i = 0; i < 8000; i++)
		buf_addc(&text, 'b');
	buf_adds(&text, "\nsign_subdomains = yes");	/* no final newline */
	c = parse_bytes(text.data, text.len, &problems);
	assert_non_null(c);
	assert_string_equal(buf_str(&problems), "");
	assert_int_equal(strlen(c->authserv_id), 8000);
	assert_true(c->sign_subdomains);
	config_unref(c);

	print_message("case: config_parse opens nothing: no keys, no "
	    "authserv_id from the host name\n");
	c = parse_bytes("key_dir = /nonexistent\n", 23, &problems);
	assert_non_null(c);	/* settings have no keys or resolver to open */
	assert_string_equal(c->authserv_id, "");
	config_unref(c);
	buf_free(&text);
	buf_free(&problems);
}

static void
test_key_dir(void **state)
{
	struct fixture *fx = *state;
	struct buf problems = BUF_INIT, text = BUF_INIT;
	struct dkim_sign_key out[4];
	struct world *c;
	size_t n;

	make_dir(fx, "keys");
	make_dir(fx, "keys/example.com");
	write_key(in_dir(fx, "keys/example.com/sel1.private", 0), fx->rsa,
	    0600);
	/* not .private: not a key, not a problem */
	write_file(in_dir(fx, "keys/example.com/README", 0), "notes\n", 0644);

	print_message("case: key_dir with one 0600 key\n");
	buf_printf(&text, "key_dir = %s\n", in_dir(fx, "keys", 1));
	c = load_text(fx, "keys.conf", buf_str(&text), &problems);
	if (c == NULL)
		fail_msg("refused:\n%s", buf_str(&problems));
	assert_int_equal(keystore_count(c->keys), 1);
	n = lookup_keys(c->keys, "alice", "example.com",
	    c->cfg->sign_subdomains, out, 4, true);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].domain, "example.com");
	assert_string_equal(out[0].selector, "sel1");
	assert_int_equal(EVP_PKEY_eq(out[0].key, fx->rsa), 1);
	keystore_release(out, n);

	print_message("case: domain lookup ignores case\n");
	assert_int_equal(lookup(c->keys, "a", "EXAMPLE.Com", false,
	    out, 4), 1);

	print_message("case: other domain\n");
	assert_int_equal(lookup(c->keys, "a", "example.org", true,
	    out, 4), 0);
	assert_int_equal(lookup(c->keys, "a", "notexample.com", true,
	    out, 4), 0);

	print_message("case: subdomain without sign_subdomains\n");
	assert_false(c->cfg->sign_subdomains);
	assert_int_equal(lookup(c->keys, "a", "mail.example.com",
	    c->cfg->sign_subdomains, out, 4), 0);
	world_unref(c);

	print_message("case: subdomain with sign_subdomains\n");
	buf_printf(&text, "sign_subdomains = yes\n");
	c = load_text(fx, "keys-sub.conf", buf_str(&text), &problems);
	if (c == NULL)
		fail_msg("refused:\n%s", buf_str(&problems));
	assert_true(c->cfg->sign_subdomains);
	n = lookup(c->keys, "a", "mail.example.com",
	    c->cfg->sign_subdomains, out, 4);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].domain, "example.com");
	assert_int_equal(lookup(c->keys, "a", "a.b.example.com",
	    c->cfg->sign_subdomains, out, 4), 1);
	assert_int_equal(lookup(c->keys, "a", "com",
	    c->cfg->sign_subdomains, out, 4), 0);
	assert_int_equal(lookup(c->keys, "a", "example.net",
	    c->cfg->sign_subdomains, out, 4), 0);
	world_unref(c);

	print_message("case: max limits what lookup fills\n");
	make_dir(fx, "keys2");
	make_dir(fx, "keys2/example.com");
	write_key(in_dir(fx, "keys2/example.com/a.private", 0), fx->rsa,
	    0600);
	write_key(in_dir(fx, "keys2/example.com/b.private", 0), fx->ed, 0400);
	{
		struct keystore *ks = keystore_new();

		assert_non_null(ks);
		buf_reset(&problems);
		assert_int_equal(keystore_load_dir(ks, in_dir(fx, "keys2", 0),
		    &problems), 0);
		assert_int_equal(keystore_count(ks), 2);
		assert_int_equal(lookup(ks, "x", "example.com", false,
		    out, 4), 2);
		/* selectors in order, so signatures come out stable */
		assert_string_equal(out[0].selector, "a");
		assert_string_equal(out[1].selector, "b");
		assert_int_equal(lookup(ks, "x", "example.com", false,
		    out, 1), 1);
		keystore_free(ks);
		keystore_free(NULL);
	}
	buf_free(&problems);
	buf_free(&text);
}

static void
test_key_dir_refused(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char	*name;
		const char	*dir;
		const char	*file;	/* under dir/example.com/ */
		int		 kind;	/* 0 RSA-2048, 1 text, 2 RSA-512 */
		mode_t		 mode;
		const char	*want;
	} t[] = {
		{ "group-readable key", "k-0640", "sel.private", 0, 0640,
		    "chmod" },
		{ "world-readable key", "k-0604", "sel.private", 0, 0604,
		    "chmod" },
		{ "group-writable key", "k-0620", "sel.private", 0, 0620,
		    "chmod" },
		{ "not a key", "k-text", "junk.private", 1, 0600,
		    "junk.private" },
		{ "RSA-512 key", "k-512", "weak.private", 2, 0600, "512 bits" },
		{ "bad selector", "k-badsel", "bad!sel.private", 0, 0600,
		    "not a valid selector" },
	};
	struct buf problems = BUF_INIT, text = BUF_INIT, sub = BUF_INIT;
	char rel[64];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct world *c;
		const char *path;

		print_message("case: %s\n", t[i].name);
		make_dir(fx, t[i].dir);
		buf_reset(&sub);
		buf_printf(&sub, "%s/example.com", t[i].dir);
		make_dir(fx, buf_str(&sub));
		buf_printf(&sub, "/%s", t[i].file);
		path = in_dir(fx, buf_str(&sub), 2);
		if (t[i].kind == 1)
			write_file(path, "this is not a PEM key\n", t[i].mode);
		else
			write_key(path, t[i].kind == 0 ? fx->rsa : fx->weak,
			    t[i].mode);
		buf_reset(&text);
		buf_printf(&text, "key_dir = %s\n", in_dir(fx, t[i].dir, 1));
		snprintf(rel, sizeof(rel), "refused%zu.conf", i);
		c = load_text(fx, rel, buf_str(&text), &problems);
		if (c != NULL) {
			world_unref(c);
			fail_msg("%s: accepted", t[i].name);
		}
		if (strstr(buf_str(&problems), t[i].want) == NULL ||
		    nlines(&problems) != 1) {
			print_message("want one line with \"%s\", got:\n%s\n",
			    t[i].want, buf_str(&problems));
			fail();
		}
	}

	print_message("case: a directory name that is not a domain\n");
	make_dir(fx, "k-baddom");
	make_dir(fx, "k-baddom/not_a domain");
	buf_reset(&problems);
	{
		struct keystore *ks = keystore_new();

		assert_int_equal(keystore_load_dir(ks, in_dir(fx, "k-baddom", 0),
		    &problems), 1);
		assert_non_null(strstr(buf_str(&problems), "not a domain"));
		assert_int_equal(keystore_count(ks), 0);
		keystore_free(ks);
	}
	buf_free(&problems);
	buf_free(&text);
	buf_free(&sub);
}

/*
 * A domain that signs nothing is a warning, not a refusal: a key_dir
 * domain directory without a key, and on a reload a domain that had one.
 * A domain directory that cannot be opened is a refusal (as root in this
 * test, a dangling symlink stands for the directory nobody cannot read).
 */
static void
test_key_dir_warnings(void **state)
{
	struct fixture *fx = *state;
	struct buf problems = BUF_INIT, text = BUF_INIT;
	struct world *c, *c2;

	make_dir(fx, "kw");
	make_dir(fx, "kw/example.com");
	make_dir(fx, "kw/example.net");
	make_dir(fx, "kw/example.org");
	write_key(in_dir(fx, "kw/example.com/s.private", 0), fx->rsa, 0600);
	write_key(in_dir(fx, "kw/example.net/s.private", 0), fx->ed, 0600);
	/* only a key being prepared (inkan-keys rotate): no key yet */
	write_file(in_dir(fx, "kw/example.org/s2.pending", 0), "x\n", 0600);

	print_message("case: a domain directory without a key: a warning\n");
	buf_printf(&text, "key_dir = %s\n", in_dir(fx, "kw", 1));
	c = load_text(fx, "kw.conf", buf_str(&text), &problems);
	if (c == NULL)
		fail_msg("refused:\n%s", buf_str(&problems));
	assert_int_equal(keystore_count(c->keys), 2);
	assert_int_equal(nlines(&c->warnings), 1);
	assert_non_null(strstr(buf_str(&c->warnings), "example.org: the "
	    "domain directory holds no key"));

	print_message("case: reload after a domain lost its key: a warning "
	    "naming it\n");
	assert_int_equal(unlink(in_dir(fx, "kw/example.net/s.private", 0)), 0);
	world_install(c);	/* the running config */
	c = load_text(fx, "kw.conf", buf_str(&text), &problems);
	if (c == NULL)
		fail_msg("refused:\n%s", buf_str(&problems));
	assert_int_equal(keystore_count(c->keys), 1);
	assert_int_equal(nlines(&c->warnings), 2);
	assert_non_null(strstr(buf_str(&c->warnings), "example.net: the "
	    "domain directory holds no key"));

	print_message("case: reload after a domain directory went away\n");
	assert_int_equal(rmdir(in_dir(fx, "kw/example.net", 0)), 0);
	world_install(c);
	c2 = load_text(fx, "kw.conf", buf_str(&text), &problems);
	if (c2 == NULL)
		fail_msg("refused:\n%s", buf_str(&problems));
	/* the running config had no key for it either: nothing lost now */
	assert_null(strstr(buf_str(&c2->warnings), "example.net"));
	world_unref(c2);
	assert_int_equal(rename(in_dir(fx, "kw/example.com", 0),
	    in_dir(fx, "kw-com-away", 1)), 0);
	c2 = load_text(fx, "kw.conf", buf_str(&text), &problems);
	if (c2 == NULL)
		fail_msg("refused:\n%s", buf_str(&problems));
	assert_non_null(strstr(buf_str(&c2->warnings), "example.com: no "
	    "signing key any more"));
	world_unref(c2);

	print_message("case: a domain directory that cannot be opened is a "
	    "problem\n");
	assert_int_equal(symlink(in_dir(fx, "no-such-dir", 0),
	    in_dir(fx, "kw/example.com", 1)), 0);
	c2 = load_text(fx, "kw.conf", buf_str(&text), &problems);
	assert_null(c2);
	assert_non_null(strstr(buf_str(&problems), "kw/example.com: cannot "
	    "read the domain directory: No such file or directory"));
	world_install(NULL);
	buf_free(&problems);
	buf_free(&text);
}

static void
test_tables(void **state)
{
	struct fixture *fx = *state;
	struct buf problems = BUF_INIT, text = BUF_INIT;
	struct dkim_sign_key out[4];
	struct world *c;
	static const struct {
		const char	*name;
		const char	*local, *domain;
		size_t		 n;
		const char	*sel[2];
	} plain[] = {
		{ "domain pattern", "bob", "example.com", 1, { "rsa1" } },
		{ "domain pattern, other case", "bob", "Example.COM", 1,
		    { "rsa1" } },
		{ "address pattern", "alice", "example.org", 1, { "ed1" } },
		{ "address pattern, other local part", "bob", "example.org", 0,
		    { NULL } },
		{ "two lines with one pattern", "x", "example.net", 2,
		    { "rsa2", "ed2" } },
		{ "unlisted domain", "bob", "example.edu", 0, { NULL } },
		{ "subdomain not matched", "bob", "sub.example.com", 0,
		    { NULL } },
	}, re[] = {
		{ "*@example.com", "bob", "example.com", 1, { "rsa1" } },
		{ "*@example.com other case", "Bob", "EXAMPLE.com", 1,
		    { "rsa1" } },
		{ "*@*.example.com", "x", "lists.example.com", 1, { "ed1" } },
		{ "first match wins", "alice", "example.org", 1, { "ed1" } },
		{ "later pattern", "bob", "example.org", 1, { "rsa1" } },
		{ "two lines with one pattern", "x", "example.net", 2,
		    { "rsa2", "ed2" } },
		{ "no match", "bob", "example.edu", 0, { NULL } },
	};
	size_t i, j;

	write_key(in_dir(fx, "tk-rsa.private", 0), fx->rsa, 0600);
	write_key(in_dir(fx, "tk-ed.private", 0), fx->ed, 0600);
	buf_printf(&text,
	    "# OpenDKIM KeyTable\n"
	    "krsa1  example.com:rsa1:%s\n"
	    "\n"
	    "ked1\texample.com:ed1:%s   # comment\n"
	    "krsa2 example.net:rsa2:%s\n"
	    "ked2 example.net:ed2:%s\n",
	    in_dir(fx, "tk-rsa.private", 0), in_dir(fx, "tk-ed.private", 1),
	    in_dir(fx, "tk-rsa.private", 2), in_dir(fx, "tk-ed.private", 3));
	write_file(in_dir(fx, "KeyTable", 0), buf_str(&text), 0600);
	write_file(in_dir(fx, "SigningTable", 0),
	    "example.com krsa1\n"
	    "alice@example.org ked1\n"
	    "example.net krsa2\n"
	    "example.net ked2\n", 0600);
	write_file(in_dir(fx, "SigningTable.re", 0),
	    "*@example.com krsa1\n"
	    "*@*.example.com ked1\n"
	    "alice@* ked1\n"
	    "*@example.org krsa1\n"
	    "*@example.net krsa2\n"
	    "*@example.net ked2\n", 0600);

	print_message("case: plain SigningTable\n");
	buf_reset(&text);
	buf_printf(&text, "key_table = %s\nsigning_table = %s\n",
	    in_dir(fx, "KeyTable", 0), in_dir(fx, "SigningTable", 1));
	c = load_text(fx, "tables.conf", buf_str(&text), &problems);
	if (c == NULL)
		fail_msg("refused:\n%s", buf_str(&problems));
	assert_int_equal(keystore_count(c->keys), 4);
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		size_t n;

		print_message("case: plain: %s\n", plain[i].name);
		n = lookup(c->keys, plain[i].local, plain[i].domain,
		    false, out, 4);
		assert_int_equal(n, plain[i].n);
		for (j = 0; j < n; j++)
			assert_string_equal(out[j].selector, plain[i].sel[j]);
	}
	/* a table key signs with the table's domain */
	assert_int_equal(lookup_keys(c->keys, "alice", "example.org",
	    false, out, 4, true), 1);
	assert_string_equal(out[0].domain, "example.com");
	assert_int_equal(EVP_PKEY_eq(out[0].key, fx->ed), 1);
	keystore_release(out, 1);
	world_unref(c);

	print_message("case: refile: SigningTable\n");
	buf_reset(&text);
	buf_printf(&text, "key_table = file:%s\nsigning_table = refile:%s\n",
	    in_dir(fx, "KeyTable", 0), in_dir(fx, "SigningTable.re", 1));
	c = load_text(fx, "tables-re.conf", buf_str(&text), &problems);
	if (c == NULL)
		fail_msg("refused:\n%s", buf_str(&problems));
	for (i = 0; i < sizeof(re) / sizeof(re[0]); i++) {
		size_t n;

		print_message("case: refile: %s\n", re[i].name);
		n = lookup(c->keys, re[i].local, re[i].domain, false,
		    out, 4);
		assert_int_equal(n, re[i].n);
		for (j = 0; j < n; j++)
			assert_string_equal(out[j].selector, re[i].sel[j]);
	}
	world_unref(c);

	print_message("case: SigningTable naming an unknown key\n");
	write_file(in_dir(fx, "SigningTable.bad", 0),
	    "example.com krsa1\nexample.org nosuchkey\n", 0600);
	buf_reset(&text);
	buf_printf(&text, "key_table = %s\nsigning_table = %s\n",
	    in_dir(fx, "KeyTable", 0), in_dir(fx, "SigningTable.bad", 1));
	c = load_text(fx, "tables-bad.conf", buf_str(&text), &problems);
	assert_null(c);
	assert_non_null(strstr(buf_str(&problems), ":2: key 'nosuchkey'"));

	print_message("case: KeyTable line without a key file\n");
	buf_reset(&text);
	buf_printf(&text, "krsa1 example.com:rsa1:%s\nbroken example.com:sel\n",
	    in_dir(fx, "tk-rsa.private", 1));
	write_file(in_dir(fx, "KeyTable.bad", 0), buf_str(&text), 0600);
	buf_reset(&text);
	buf_printf(&text, "key_table = %s\nsigning_table = %s\n",
	    in_dir(fx, "KeyTable.bad", 0), in_dir(fx, "SigningTable", 1));
	c = load_text(fx, "tables-bad2.conf", buf_str(&text), &problems);
	assert_null(c);
	assert_non_null(strstr(buf_str(&problems), "KeyTable.bad:2: expected"));

	print_message("case: KeyTable naming a group-readable key\n");
	write_key(in_dir(fx, "tk-open.private", 0), fx->rsa, 0644);
	buf_reset(&text);
	buf_printf(&text, "kopen example.com:open:%s\n",
	    in_dir(fx, "tk-open.private", 0));
	write_file(in_dir(fx, "KeyTable.open", 0), buf_str(&text), 0600);
	write_file(in_dir(fx, "SigningTable.open", 0), "example.com kopen\n",
	    0600);
	buf_reset(&text);
	buf_printf(&text, "key_table = %s\nsigning_table = %s\n",
	    in_dir(fx, "KeyTable.open", 0), in_dir(fx, "SigningTable.open", 1));
	c = load_text(fx, "tables-open.conf", buf_str(&text), &problems);
	assert_null(c);
	assert_non_null(strstr(buf_str(&problems), "chmod"));
	buf_free(&problems);
	buf_free(&text);
}

/*
 * A local@domain longer than keystore_lookup's buffer must not be cut
 * short into something a pattern matches: 1011 x's +
 * "@example.com.evil.example" cut at 1023 bytes reads "xxx...@example.com".
 */
static void
test_tables_long_address(void **state)
{
	struct fixture *fx = *state;
	struct buf problems = BUF_INIT, text = BUF_INIT;
	struct dkim_sign_key out[4];
	struct world *c;
	char local[1012];

	print_message("case: refile: long address is not truncated into a "
	    "match\n");
	write_key(in_dir(fx, "long-rsa.private", 0), fx->rsa, 0600);
	buf_printf(&text, "k1 example.com:sel1:%s\n",
	    in_dir(fx, "long-rsa.private", 0));
	write_file(in_dir(fx, "KeyTable.long", 0), buf_str(&text), 0600);
	write_file(in_dir(fx, "SigningTable.long", 0), "*@example.com k1\n",
	    0600);
	buf_reset(&text);
	buf_printf(&text, "key_table = %s\nsigning_table = refile:%s\n",
	    in_dir(fx, "KeyTable.long", 0), in_dir(fx, "SigningTable.long", 1));
	c = load_text(fx, "tables-long.conf", buf_str(&text), &problems);
	if (c == NULL)
		fail_msg("refused:\n%s", buf_str(&problems));
	memset(local, 'x', sizeof(local) - 1);
	local[sizeof(local) - 1] = '\0';
	/* 1023 bytes in all: fits, and is example.com's */
	assert_int_equal(lookup(c->keys, local, "example.com", false,
	    out, 4), 1);
	/* too long, and not example.com's: no key */
	assert_int_equal(lookup(c->keys, local,
	    "example.com.evil.example", false, out, 4), 0);
	world_unref(c);
	buf_free(&problems);
	buf_free(&text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_problems),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_migration_settings),
		cmocka_unit_test(test_key_dir),
		cmocka_unit_test(test_key_dir_refused),
		cmocka_unit_test(test_key_dir_warnings),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_tables_long_address),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
