/* SPDX-License-Identifier: ISC */
/*
 * test_keystore.c - unit tests for keystore.c's two ways of loading
 * (issue 19): every key decoded at load (KEYSTORE_CHECK_ALL: -n,
 * inkan-keys) or the files checked at load and each key decoded on first
 * use into the bounded cache (KEYSTORE_CHECK_FILES: the daemon). The
 * same keys either way; a broken key is a load problem for the full check
 * and a tempfailed message (never an unsigned one) for the lazy path; the
 * cache evicts and decodes again without freeing a key in use; a reload
 * keeps what did not change; lookups from several threads (run it under
 * build-asan). test_config.c has the key_dir and table rules themselves.
 * Keys are written into a fresh mkdtemp directory, removed at the end.
 */
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "buf.h"
#include "keystore.h"
#include "txn.h"
#include "world.h"

struct fixture {
	char	 dir[256];
	EVP_PKEY *rsa, *ed, *weak;
};

static struct fixture *the_fx;	/* for the threads */

static const char *
in_dir(const struct fixture *fx, const char *rel, int slot)
{
	static char paths[4][512];

	snprintf(paths[slot], sizeof(paths[slot]), "%s/%s", fx->dir, rel);
	return paths[slot];
}

static void
make_dir(const struct fixture *fx, const char *rel)
{
	if (mkdir(in_dir(fx, rel, 3), 0700) != 0)
		fail_msg("mkdir %s: %s", rel, strerror(errno));
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "we");

	if (f == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	assert_true(fputs(text, f) >= 0);
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

/* DIR/DOMAIN/SELECTOR.private with key k (0600), making DIR/DOMAIN. */
static void
put_key(const struct fixture *fx, const char *dir, const char *domain,
    const char *selector, EVP_PKEY *k)
{
	char rel[256];
	struct stat st;

	if (stat(in_dir(fx, dir, 0), &st) == -1)
		make_dir(fx, dir);
	snprintf(rel, sizeof(rel), "%s/%s", dir, domain);
	if (stat(in_dir(fx, rel, 0), &st) == -1)
		make_dir(fx, rel);
	snprintf(rel, sizeof(rel), "%s/%s/%s.private", dir, domain, selector);
	write_key(in_dir(fx, rel, 0), k, 0600);
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	const char *tmp = getenv("TMPDIR");

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/inkan-test-keystore-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	fx->rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	fx->ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	fx->weak = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)512);
	if (fx->rsa == NULL || fx->ed == NULL || fx->weak == NULL)
		return -1;
	*state = the_fx = fx;
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

/* A store of dir loaded with check; the problems must number nwant. */
static struct keystore *
load(const struct fixture *fx, const char *dir, enum keystore_check check,
    struct buf *problems, int nwant)
{
	struct keystore *ks = keystore_new();

	assert_non_null(ks);
	keystore_set_check(ks, check);
	buf_reset(problems);
	if (keystore_load_dir(ks, in_dir(fx, dir, 1), problems) != nwant)
		fail_msg("%s: want %d problems, got:\n%s", dir, nwant,
		    buf_str(problems));
	return ks;
}

static size_t
decoded(void)
{
	size_t d, kept;

	keystore_cache_stats(&d, &kept);
	return d;
}

static size_t
kept(void)
{
	size_t d, k;

	keystore_cache_stats(&d, &k);
	return k;
}

/* One key for domain; its reference goes back unless keep. */
static EVP_PKEY *
one_key(const struct keystore *ks, const char *domain, bool keep)
{
	struct dkim_sign_key out[4];
	struct err e;
	int n = keystore_lookup(ks, "x", domain, false, out, 4, &e);

	if (n != 1)
		fail_msg("%s: want 1 key, got %d (%s)", domain, n,
		    n == -1 ? e.msg : "");
	if (!keep)
		keystore_release(out, 1);
	return out[0].key;
}

/* Whether domain's one key is want. */
static bool
key_is(const struct keystore *ks, const char *domain, EVP_PKEY *want)
{
	EVP_PKEY *k = one_key(ks, domain, true);
	bool same = EVP_PKEY_eq(k, want) == 1;

	EVP_PKEY_free(k);
	return same;
}

static void
test_lazy_same_as_eager(void **state)
{
	struct fixture *fx = *state;
	struct buf problems = BUF_INIT;
	struct dkim_sign_key out[4];
	struct keystore *ks;
	struct err e;
	size_t d0;
	int pass, n;

	put_key(fx, "same", "a.example", "r", fx->rsa);
	put_key(fx, "same", "a.example", "e", fx->ed);
	put_key(fx, "same", "b.example", "r", fx->rsa);
	for (pass = 0; pass < 2; pass++) {
		bool lazy = pass == 0;

		print_message("case: %s\n", lazy ? "decoded on first use" :
		    "decoded at load");
		d0 = decoded();
		ks = load(fx, "same", lazy ? KEYSTORE_CHECK_FILES :
		    KEYSTORE_CHECK_ALL, &problems, 0);
		assert_int_equal(keystore_count(ks), 3);
		/* the lazy load decodes nothing; the full one every key */
		assert_int_equal(decoded() - d0, lazy ? 0 : 3);
		n = keystore_lookup(ks, "x", "A.example", false, out, 4, &e);
		assert_int_equal(n, 2);
		assert_string_equal(out[0].selector, "e");
		assert_string_equal(out[1].selector, "r");
		assert_int_equal(EVP_PKEY_eq(out[0].key, fx->ed), 1);
		assert_int_equal(EVP_PKEY_eq(out[1].key, fx->rsa), 1);
		keystore_release(out, 2);
		assert_null(out[0].key);
		assert_true(key_is(ks, "b.example", fx->rsa));
		/* the first lookup of a domain paid one decode per key */
		assert_int_equal(decoded() - d0, 3);
		print_message("case: a second lookup decodes nothing\n");
		one_key(ks, "b.example", false);
		assert_int_equal(keystore_lookup(ks, "x", "a.example", false,
		    out, 4, &e), 2);
		keystore_release(out, 2);
		assert_int_equal(decoded() - d0, 3);
		keystore_free(ks);
		/* no store left: the cache is empty */
		assert_int_equal(kept(), 0);
	}
	buf_free(&problems);
}

/*
 * What -n reports at load, the lazy load lets through, and the first
 * message then fails (tempfail), naming the file; what either load
 * checks (mode, type, size) stays a load problem.
 */
static void
test_broken_key(void **state)
{
	struct fixture *fx = *state;
	struct buf problems = BUF_INIT;
	struct dkim_sign_key out[4];
	struct keystore *ks;
	struct err e;

	put_key(fx, "broken", "good.example", "s", fx->rsa);
	make_dir(fx, "broken/text.example");
	write_file(in_dir(fx, "broken/text.example/s.private", 0),
	    "this is not a PEM key\n", 0600);
	put_key(fx, "broken", "weak.example", "s", fx->weak);

	print_message("case: the full check reports each broken key\n");
	ks = load(fx, "broken", KEYSTORE_CHECK_ALL, &problems, 2);
	assert_non_null(strstr(buf_str(&problems),
	    "broken/text.example/s.private: not a PEM private key"));
	assert_non_null(strstr(buf_str(&problems),
	    "broken/weak.example/s.private: RSA key of 512 bits"));
	assert_int_equal(keystore_count(ks), 1);
	keystore_free(ks);

	print_message("case: the lazy load fails the lookup, naming the "
	    "file\n");
	ks = load(fx, "broken", KEYSTORE_CHECK_FILES, &problems, 0);
	assert_int_equal(keystore_count(ks), 3);
	one_key(ks, "good.example", false);
	memset(out, 0, sizeof(out));
	assert_int_equal(keystore_lookup(ks, "x", "text.example", false, out,
	    4, &e), -1);
	print_message("error: %s\n", e.msg);
	assert_non_null(strstr(e.msg, "broken/text.example/s.private: not a "
	    "PEM private key"));
	assert_non_null(strstr(e.msg, "-n"));
	assert_null(out[0].key);
	assert_int_equal(keystore_lookup(ks, "x", "weak.example", false, out,
	    4, &e), -1);
	assert_non_null(strstr(e.msg, "512 bits"));
	/* and again: a broken key is not cached as good */
	assert_int_equal(keystore_lookup(ks, "x", "text.example", false, out,
	    4, &e), -1);
	keystore_free(ks);

	print_message("case: mode, type and size are checked at load either "
	    "way\n");
	make_dir(fx, "files");
	put_key(fx, "files", "open.example", "s", fx->rsa);
	assert_int_equal(chmod(in_dir(fx, "files/open.example/s.private", 0),
	    0640), 0);
	make_dir(fx, "files/empty.example");
	write_file(in_dir(fx, "files/empty.example/s.private", 0), "", 0600);
	make_dir(fx, "files/fifo.example");
	assert_int_equal(mkfifo(in_dir(fx, "files/fifo.example/s.private", 0),
	    0600), 0);
	make_dir(fx, "files/dir.example");
	make_dir(fx, "files/dir.example/s.private");
	for (int pass = 0; pass < 2; pass++) {
		ks = load(fx, "files", pass == 0 ? KEYSTORE_CHECK_FILES :
		    KEYSTORE_CHECK_ALL, &problems, 4);
		assert_non_null(strstr(buf_str(&problems), "open.example/"
		    "s.private: key is accessible by group or others (mode "
		    "0640); refused: run chmod 600 on it"));
		assert_non_null(strstr(buf_str(&problems), "empty.example/"
		    "s.private: the file is empty"));
		assert_non_null(strstr(buf_str(&problems), "fifo.example/"
		    "s.private: not a regular file"));
		assert_non_null(strstr(buf_str(&problems), "dir.example/"
		    "s.private: not a regular file"));
		assert_int_equal(keystore_count(ks), 0);
		keystore_free(ks);
	}
	buf_free(&problems);
}

/* A sign transaction from an internal host, From: a@domain. */
static void
sign_one(struct world *w, const char *domain, struct txn_outcome *out,
    int want_rc)
{
	static const char body[] = "hello\r\n";
	char value[256];
	struct txn *t;

	assert_non_null(t = txn_new("127.0.0.1", "localhost"));
	txn_helo(t, "localhost");
	txn_set_now(t, 1795000000);
	snprintf(value, sizeof(value), "a@%s", domain);
	assert_int_equal(txn_mail_from(t, value, NULL, w), 0);
	txn_set_queue_id(t, "4XyZ12");
	snprintf(value, sizeof(value), " <a@%s>", domain);
	assert_int_equal(txn_header(t, "From", 4, value, strlen(value)), 0);
	assert_int_equal(txn_header(t, "Subject", 7, " hi", 3), 0);
	txn_eoh(t);
	txn_body(t, (const unsigned char *)body, sizeof(body) - 1);
	assert_int_equal(txn_eom(t, out), want_rc);
	print_message("log: %s\n", out->log_line);
	if (out->action == TXN_TEMPFAIL)
		assert_non_null(strstr(out->log_line, "broken.example/"
		    "s.private: not a PEM private key"));
	else {
		assert_int_equal(out->action, TXN_ACCEPT);
		assert_true(out->nadded >= 1);
		assert_string_equal(out->added[0].name, "DKIM-Signature");
	}
	txn_free(t);
}

/* The daemon's path: a key that fails on first use tempfails the mail. */
static void
test_txn_tempfail(void **state)
{
	struct fixture *fx = *state;
	struct buf problems = BUF_INIT, text = BUF_INIT;
	struct txn_outcome out;
	struct world *w;

	put_key(fx, "txn", "ok.example", "s", fx->ed);
	make_dir(fx, "txn/broken.example");
	write_file(in_dir(fx, "txn/broken.example/s.private", 0),
	    "-----BEGIN PRIVATE KEY-----\nnot base64\n"
	    "-----END PRIVATE KEY-----\n", 0600);
	buf_printf(&text, "key_dir = %s\n", in_dir(fx, "txn", 0));
	write_file(in_dir(fx, "txn.conf", 0), buf_str(&text), 0600);

	print_message("case: the full check (the default) refuses it\n");
	assert_null(world_load(in_dir(fx, "txn.conf", 0), &problems));
	assert_non_null(strstr(buf_str(&problems), "broken.example"));

	print_message("case: the daemon's lazy load takes it, and the "
	    "message tempfails\n");
	world_set_key_check(KEYSTORE_CHECK_FILES);
	buf_reset(&problems);
	w = world_load(in_dir(fx, "txn.conf", 0), &problems);
	world_set_key_check(KEYSTORE_CHECK_ALL);
	if (w == NULL)
		fail_msg("refused:\n%s", buf_str(&problems));
	sign_one(w, "ok.example", &out, 0);
	sign_one(w, "broken.example", &out, -1);
	assert_int_equal(out.action, TXN_TEMPFAIL);
	assert_string_equal(out.reply_code, "451");
	world_unref(w);
	buf_free(&problems);
	buf_free(&text);
}

/* The cache keeps at most its bound, least recently used out first. */
static void
test_evict(void **state)
{
	struct fixture *fx = *state;
	struct buf problems = BUF_INIT;
	struct keystore *ks;
	EVP_PKEY *held;
	size_t d0;

	put_key(fx, "evict", "d0.example", "s", fx->rsa);
	put_key(fx, "evict", "d1.example", "s", fx->ed);
	put_key(fx, "evict", "d2.example", "s", fx->rsa);
	put_key(fx, "evict", "d3.example", "s", fx->ed);
	keystore_cache_limit(2);
	ks = load(fx, "evict", KEYSTORE_CHECK_FILES, &problems, 0);
	d0 = decoded();
	one_key(ks, "d0.example", false);
	one_key(ks, "d1.example", false);
	assert_int_equal(decoded() - d0, 2);
	assert_int_equal(kept(), 2);
	print_message("case: a hit moves the key to the front\n");
	one_key(ks, "d0.example", false);
	assert_int_equal(decoded() - d0, 2);
	one_key(ks, "d2.example", false);	/* d1 goes */
	assert_int_equal(decoded() - d0, 3);
	assert_int_equal(kept(), 2);
	one_key(ks, "d0.example", false);
	assert_int_equal(decoded() - d0, 3);
	print_message("case: an evicted key is decoded again\n");
	one_key(ks, "d1.example", false);
	assert_int_equal(decoded() - d0, 4);

	print_message("case: eviction leaves a key in use alone\n");
	held = one_key(ks, "d0.example", true);
	one_key(ks, "d2.example", false);
	one_key(ks, "d3.example", false);	/* d0 goes */
	assert_int_equal(kept(), 2);
	assert_int_equal(EVP_PKEY_eq(held, fx->rsa), 1);
	EVP_PKEY_free(held);
	keystore_free(ks);

	keystore_cache_limit(0);
	buf_free(&problems);
}

/* A lazy load of dir as a reload of running; problems must number nwant. */
static struct keystore *
reload(const struct fixture *fx, const char *dir,
    const struct keystore *running, struct buf *problems, int nwant)
{
	struct keystore *ks = keystore_new();

	assert_non_null(ks);
	keystore_set_check(ks, KEYSTORE_CHECK_FILES);
	assert_int_equal(keystore_set_running(ks, running), 0);
	buf_reset(problems);
	if (keystore_load_dir(ks, in_dir(fx, dir, 1), problems) != nwant)
		fail_msg("%s: want %d problems, got:\n%s", dir, nwant,
		    buf_str(problems));
	assert_int_equal(keystore_set_running(ks, NULL), 0);
	return ks;
}

/*
 * A reload (the running store alive, as SIGHUP does it) takes the files
 * that did not change as they are, keeps their decoded keys, and decodes
 * the new or changed ones, so a key broken since refuses the reload.
 */
static void
test_reload_keeps(void **state)
{
	struct fixture *fx = *state;
	struct buf problems = BUF_INIT;
	struct keystore *run, *next, *third;
	size_t d0;

	put_key(fx, "reload", "a.example", "s", fx->rsa);
	put_key(fx, "reload", "b.example", "s", fx->rsa);
	put_key(fx, "reload", "unused.example", "s", fx->rsa);
	run = load(fx, "reload", KEYSTORE_CHECK_FILES, &problems, 0);
	d0 = decoded();
	one_key(run, "a.example", false);
	one_key(run, "b.example", false);
	assert_int_equal(decoded() - d0, 2);

	print_message("case: a reload decodes only the key that changed\n");
	/* a new key for b, written as inkan-keys does: a new file renamed */
	write_key(in_dir(fx, "reload/b.example/new", 0), fx->ed, 0600);
	assert_int_equal(rename(in_dir(fx, "reload/b.example/new", 0),
	    in_dir(fx, "reload/b.example/s.private", 1)), 0);
	next = reload(fx, "reload", run, &problems, 0);
	/* b's new file at the reload; not unused.example, not a */
	assert_int_equal(decoded() - d0, 3);
	assert_true(key_is(next, "a.example", fx->rsa));
	assert_true(key_is(next, "b.example", fx->ed));
	assert_int_equal(decoded() - d0, 3);
	/* the running store read its key before: it keeps signing with it */
	assert_true(key_is(run, "b.example", fx->rsa));
	keystore_free(run);

	print_message("case: a key broken since the running load refuses the "
	    "reload\n");
	make_dir(fx, "reload/c.example");
	write_file(in_dir(fx, "reload/c.example/s.private", 0), "garbage\n",
	    0600);
	third = reload(fx, "reload", next, &problems, 1);
	assert_non_null(strstr(buf_str(&problems),
	    "reload/c.example/s.private: not a PEM private key"));
	keystore_free(third);
	print_message("case: the start (no running store) lets it through\n");
	third = reload(fx, "reload", NULL, &problems, 0);
	keystore_free(third);
	keystore_free(next);
	buf_free(&problems);
}

/* keystore_warnings says the same after either load. */
static void
test_warnings_same(void **state)
{
	struct fixture *fx = *state;
	struct buf problems = BUF_INIT, w[2] = { BUF_INIT, BUF_INIT };
	struct keystore *before, *now;
	int pass;

	put_key(fx, "warn", "kept.example", "s", fx->ed);
	put_key(fx, "warn", "lost.example", "s", fx->ed);
	put_key(fx, "warn", "gone.example", "s", fx->ed);
	before = load(fx, "warn", KEYSTORE_CHECK_ALL, &problems, 0);
	assert_int_equal(unlink(in_dir(fx, "warn/lost.example/s.private", 0)),
	    0);
	assert_int_equal(unlink(in_dir(fx, "warn/gone.example/s.private", 0)),
	    0);
	assert_int_equal(rmdir(in_dir(fx, "warn/gone.example", 0)), 0);
	for (pass = 0; pass < 2; pass++) {
		now = load(fx, "warn", pass == 0 ? KEYSTORE_CHECK_ALL :
		    KEYSTORE_CHECK_FILES, &problems, 0);
		assert_int_equal(keystore_warnings(now, before, &w[pass]), 2);
		keystore_free(now);
	}
	print_message("warnings:\n%s", buf_str(&w[1]));
	assert_string_equal(buf_str(&w[0]), buf_str(&w[1]));
	assert_non_null(strstr(buf_str(&w[1]), "lost.example: the domain "
	    "directory holds no key"));
	assert_non_null(strstr(buf_str(&w[1]), "gone.example: no signing key "
	    "any more"));
	keystore_free(before);
	buf_free(&w[0]);
	buf_free(&w[1]);
	buf_free(&problems);
}

/* OpenDKIM tables get the same lazy loading as key_dir. */
static void
test_tables_lazy(void **state)
{
	struct fixture *fx = *state;
	struct buf problems = BUF_INIT, text = BUF_INIT;
	struct dkim_sign_key out[4];
	struct keystore *ks;
	struct err e;
	size_t d0;

	make_dir(fx, "tables");
	write_key(in_dir(fx, "tables/rsa.private", 0), fx->rsa, 0600);
	write_key(in_dir(fx, "tables/ed.private", 0), fx->ed, 0600);
	write_file(in_dir(fx, "tables/bad.private", 0), "not a key\n", 0600);
	write_key(in_dir(fx, "tables/open.private", 0), fx->ed, 0604);
	buf_printf(&text, "krsa example.com:rsa:%s\n"
	    "ked example.com:ed:%s\n"
	    "kbad example.org:bad:%s\n"
	    "ked example.net:first-wins:%s\n",
	    in_dir(fx, "tables/rsa.private", 0),
	    in_dir(fx, "tables/ed.private", 1),
	    in_dir(fx, "tables/bad.private", 2),
	    in_dir(fx, "tables/rsa.private", 3));
	write_file(in_dir(fx, "tables/KeyTable", 0), buf_str(&text), 0600);
	write_file(in_dir(fx, "tables/SigningTable", 0),
	    "example.com krsa\nexample.com ked\nexample.org kbad\n", 0600);

	print_message("case: lazy tables: nothing decoded at load\n");
	ks = keystore_new();
	keystore_set_check(ks, KEYSTORE_CHECK_FILES);
	d0 = decoded();
	assert_int_equal(keystore_load_tables(ks, in_dir(fx, "tables/KeyTable",
	    0), in_dir(fx, "tables/SigningTable", 1), &problems), 0);
	assert_int_equal(decoded() - d0, 0);
	assert_int_equal(keystore_lookup(ks, "x", "example.com", false, out, 4,
	    &e), 2);
	assert_string_equal(out[0].selector, "rsa");
	assert_int_equal(EVP_PKEY_eq(out[0].key, fx->rsa), 1);
	/* the first KeyTable line of a name wins, as before */
	assert_string_equal(out[1].selector, "ed");
	assert_int_equal(EVP_PKEY_eq(out[1].key, fx->ed), 1);
	keystore_release(out, 2);
	assert_int_equal(decoded() - d0, 2);
	assert_int_equal(keystore_lookup(ks, "x", "example.org", false, out, 4,
	    &e), -1);
	assert_non_null(strstr(e.msg, "tables/bad.private"));
	keystore_free(ks);

	print_message("case: full tables: the broken key is a problem\n");
	ks = keystore_new();
	buf_reset(&problems);
	assert_int_equal(keystore_load_tables(ks, in_dir(fx, "tables/KeyTable",
	    0), in_dir(fx, "tables/SigningTable", 1), &problems), 2);
	assert_non_null(strstr(buf_str(&problems), "bad.private: not a PEM"));
	assert_non_null(strstr(buf_str(&problems), ":3: key 'kbad' is not in "
	    "the key table"));
	keystore_free(ks);

	print_message("case: lazy tables: a readable key is refused at load\n");
	buf_reset(&text);
	buf_printf(&text, "kopen example.com:open:%s\n",
	    in_dir(fx, "tables/open.private", 0));
	write_file(in_dir(fx, "tables/KeyTable.open", 0), buf_str(&text), 0600);
	write_file(in_dir(fx, "tables/SigningTable.open", 0),
	    "example.com kopen\n", 0600);
	ks = keystore_new();
	keystore_set_check(ks, KEYSTORE_CHECK_FILES);
	buf_reset(&problems);
	assert_int_equal(keystore_load_tables(ks, in_dir(fx,
	    "tables/KeyTable.open", 0), in_dir(fx, "tables/SigningTable.open",
	    1), &problems), 2);
	assert_non_null(strstr(buf_str(&problems), "mode 0604"));
	keystore_free(ks);
	buf_free(&problems);
	buf_free(&text);
}

#define NTHREADS	4
#define NDOMAINS	24
#define NLOOKUPS	150

static void *
lookups(void *arg)
{
	const struct keystore *ks = arg;
	struct dkim_sign_key out[2];
	unsigned seed = (unsigned)(uintptr_t)&out;
	char dom[64];
	struct err e;
	int i, bad = 0;

	for (i = 0; i < NLOOKUPS; i++) {
		unsigned r = (seed = seed * 1103515245u + 12345u) >> 16;

		snprintf(dom, sizeof(dom), "t%02u.example", r % NDOMAINS);
		if (keystore_lookup(ks, "x", dom, false, out, 2, &e) != 1 ||
		    EVP_PKEY_eq(out[0].key, the_fx->ed) != 1)
			bad++;
		else
			keystore_release(out, 1);
	}
	return (void *)(intptr_t)bad;
}

/* Several threads looking keys up while the small cache churns. */
static void
test_threads(void **state)
{
	struct fixture *fx = *state;
	struct buf problems = BUF_INIT;
	pthread_t th[NTHREADS];
	struct keystore *ks;
	char dom[64];
	void *bad;
	int i;

	for (i = 0; i < NDOMAINS; i++) {
		snprintf(dom, sizeof(dom), "t%02d.example", i);
		put_key(fx, "threads", dom, "s", fx->ed);
	}
	keystore_cache_limit(4);
	ks = load(fx, "threads", KEYSTORE_CHECK_FILES, &problems, 0);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, lookups, ks), 0);
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(th[i], &bad), 0);
		assert_int_equal((intptr_t)bad, 0);
	}
	assert_true(kept() <= 4);
	keystore_free(ks);
	keystore_cache_limit(0);
	buf_free(&problems);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lazy_same_as_eager),
		cmocka_unit_test(test_broken_key),
		cmocka_unit_test(test_txn_tempfail),
		cmocka_unit_test(test_evict),
		cmocka_unit_test(test_reload_keeps),
		cmocka_unit_test(test_warnings_same),
		cmocka_unit_test(test_tables_lazy),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
