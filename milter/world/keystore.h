/* SPDX-License-Identifier: ISC */
/*
 * keystore.h - the signing keys of this server and which sender gets which.
 * Two sources: key_dir (DIR/<domain>/<selector>.private, every domain with a
 * directory is signed) and OpenDKIM's KeyTable + SigningTable files (plain
 * or refile: wildcards), for people migrating.
 * Loaded once per configuration and read-only afterwards, so any number of
 * transactions may look keys up at once. The configuration owns the store.
 *
 * A server with 100,000 domains cannot decode every key at each start and
 * SIGHUP (OpenSSL's PEM decoding costs about 0.3 ms a key), so a store can
 * be loaded two ways. KEYSTORE_CHECK_ALL decodes every key at load and
 * reports each one that is not usable: what -n, inkan-keys and the tests
 * do. KEYSTORE_CHECK_FILES, the daemon's, lists the key files and checks
 * each one's type, size and mode (a key others may read is refused at
 * load either way), and decodes a key when a message first needs it; on
 * a reload it also decodes the files that changed since the running
 * store (keystore_set_running).
 * Decoded keys live in one process-wide cache bounded to
 * KEYSTORE_CACHE_KEYS keys (least recently used gives way), keyed by the
 * file's identity (device, inode, size, mtime, ctime): a reload keeps
 * the decoded keys of the files it finds unchanged.
 */
#ifndef INKAN_KEYSTORE_H
#define INKAN_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "dkim_sign.h"

/* A key file bigger than this is not a PEM key (a 16384-bit RSA key is ~12 KB). */
#define KEYSTORE_MAX_FILE	(64 * 1024)

/* Decoded keys kept between messages, for all stores together. */
#define KEYSTORE_CACHE_KEYS	4096

struct config;
struct err;
struct keystore;	/* opaque; defined in keystore.c */

enum keystore_check {
	KEYSTORE_CHECK_ALL,	/* decode every key at load */
	KEYSTORE_CHECK_FILES,	/* check the files at load, decode on use */
};

/* A store that checks every key (KEYSTORE_CHECK_ALL) until told otherwise. */
struct keystore *keystore_new(void);
/* How the next loads into this store check the keys. */
void	 keystore_set_check(struct keystore *, enum keystore_check);
/*
 * The next loads are a reload of running (NULL: a start). Then
 * KEYSTORE_CHECK_FILES decodes each key file that is new or changed since
 * running (not the same device, inode, size and times) and not decoded
 * already, so a key broken since is a problem of the reload. -1 when out
 * of memory.
 */
int	 keystore_set_running(struct keystore *, const struct keystore *running);
void	 keystore_free(struct keystore *);
/*
 * Load every DIR/<domain>/<selector>.private. Each problem (unreadable or
 * group/world-readable file, not a key, bad name, a domain directory that
 * cannot be read) is appended to problems as one line and that key is
 * skipped. Returns the number of problems, or
 * -1 when out of memory. ("Not a key" and a weak RSA key are found only
 * by KEYSTORE_CHECK_ALL; the other problems by both.)
 */
int	 keystore_load_dir(struct keystore *, const char *dir,
	    struct buf *problems);
/* Load OpenDKIM KeyTable and SigningTable ("refile:PATH" for wildcards). */
int	 keystore_load_tables(struct keystore *, const char *keytable,
	    const char *signingtable, struct buf *problems);
/*
 * The store the settings name: key_dir, or key_table with signing_table
 * (config_load has checked they are not mixed), or none (an empty store);
 * running is the store it replaces (keystore_set_running), or NULL.
 * *nproblems gets the number of problems appended. NULL when out of memory.
 */
struct keystore *keystore_load_config(const struct config *,
	    enum keystore_check, const struct keystore *running,
	    struct buf *problems, int *nproblems);
/*
 * The keys for mail from local@domain: fills out (at most max) and returns
 * how many. With subdomains, a key for a parent domain signs its
 * subdomains (key_dir only; tables say it with their own patterns).
 * Each out[i].key is a reference of the caller's: keystore_release()
 * gives them back (a signer takes its own). out[i].domain and selector
 * belong to the store. A key not decoded yet is decoded now; -1 and e
 * (naming the key file) when that fails: a key broken or replaced since
 * the load, or no memory. The caller must not send the mail unsigned then.
 */
int	 keystore_lookup(const struct keystore *, const char *local,
	    const char *domain, bool subdomains, struct dkim_sign_key *out,
	    size_t max, struct err *e);
void	 keystore_release(struct dkim_sign_key *, size_t n);
/*
 * Append one line to warnings for each domain that is configured but
 * signs nothing: a key_dir domain directory without a key file, and each
 * domain that had a key in old (the running store; NULL at start) and has
 * none in ks. Such mail goes out unsigned, which is no reason to refuse a
 * configuration (deleting the files is how a domain is retired) but is one
 * to say so. Returns how many lines, or -1 when out of memory.
 */
int	 keystore_warnings(const struct keystore *ks,
	    const struct keystore *old, struct buf *warnings);
/*
 * Read and parse one private key file (PEM, RSA or Ed25519) with the
 * checks every key file gets: a regular file, not accessible by group or
 * others, not too large, RSA keys of RFC 8301's size. NULL with one
 * problem line appended. For keys outside the store (arc_seal_key).
 */
EVP_PKEY *keystore_read_key(const char *path, struct buf *problems);
/* How many keys were loaded, for the start-up log line. */
size_t	 keystore_count(const struct keystore *);

/*
 * The process-wide cache of decoded keys, for tests and the benchmark:
 * how many keys were decoded since the start (at load and on first use)
 * and how many are kept now; and a new bound (0: KEYSTORE_CACHE_KEYS).
 * The cache is emptied when the last store is freed.
 */
void	 keystore_cache_stats(size_t *decoded, size_t *kept);
void	 keystore_cache_limit(size_t max);

#endif
