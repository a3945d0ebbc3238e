/* SPDX-License-Identifier: ISC */
/*
 * keystore.h - the signing keys of this server and which sender gets which.
 * Two sources: key_dir (DIR/<domain>/<selector>.private, every domain with a
 * directory is signed) and OpenDKIM's KeyTable + SigningTable files (plain
 * or refile: wildcards), for people migrating.
 * Loaded once per configuration and read-only afterwards, so any number of
 * transactions may look keys up at once. The configuration owns the store;
 * keys handed out are borrowed (the signer takes its own reference).
 */
#ifndef INKAN_KEYSTORE_H
#define INKAN_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "dkim_sign.h"

/* A key file bigger than this is not a PEM key (a 16384-bit RSA key is ~12 KB). */
#define KEYSTORE_MAX_FILE	(64 * 1024)

struct config;
struct keystore;	/* opaque; defined in keystore.c */

struct keystore *keystore_new(void);
void	 keystore_free(struct keystore *);
/*
 * Load every DIR/<domain>/<selector>.private. Each problem (unreadable or
 * group/world-readable file, not a key, bad name, a domain directory that
 * cannot be read) is appended to problems as one line and that key is
 * skipped. Returns the number of problems, or
 * -1 when out of memory.
 */
int	 keystore_load_dir(struct keystore *, const char *dir,
	    struct buf *problems);
/* Load OpenDKIM KeyTable and SigningTable ("refile:PATH" for wildcards). */
int	 keystore_load_tables(struct keystore *, const char *keytable,
	    const char *signingtable, struct buf *problems);
/*
 * The store the settings name: key_dir, or key_table with signing_table
 * (config_load has checked they are not mixed), or none (an empty store).
 * *nproblems gets the number of problems appended. NULL when out of memory.
 */
struct keystore *keystore_load_config(const struct config *,
	    struct buf *problems, int *nproblems);
/*
 * The keys for mail from local@domain: fills out (at most max) and returns
 * how many. With subdomains, a key for a parent domain signs its
 * subdomains (key_dir only; tables say it with their own patterns).
 */
size_t	 keystore_lookup(const struct keystore *, const char *local,
	    const char *domain, bool subdomains, struct dkim_sign_key *out,
	    size_t max);
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

#endif
