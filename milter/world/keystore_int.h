/* SPDX-License-Identifier: ISC */
/*
 * keystore_int.h - what keystore.c, keystore_cache.c and keystore_tables.c
 * share: the store's layout and the cache of decoded keys. Not for other
 * files: they use keystore.h.
 */
#ifndef INKAN_KEYSTORE_INT_H
#define INKAN_KEYSTORE_INT_H

#include <sys/stat.h>
#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>

#include "buf.h"
#include "keystore.h"

/* What says a key file is the one that was checked (or decoded) before. */
struct ks_file {
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime, ctime;
};

struct ks_key {
	char		*name;		/* KeyTable name; NULL for key_dir */
	char		*domain;	/* lower case */
	char		*selector;
	char		*path;
	struct ks_file	 id;		/* as checked at load */
	/* one allocation holds the four strings: domain points to it */
};

struct ks_rule {			/* one SigningTable line */
	char		*pattern;
	bool		 glob;		/* refile: '*' wildcards */
	size_t		 key;		/* index into keys */
};

struct keystore {
	struct ks_key	*keys;
	size_t		 nkeys, capkeys;
	size_t		*byname;	/* KeyTable: indexes by name */
	struct ks_rule	*rules;
	size_t		 nrules;
	bool		 by_dir;	/* key_dir: rules are implicit */
	enum keystore_check check;
	/* a reload's running store: its files, sorted (keystore_set_running) */
	bool		 reload;
	struct ks_file	*known;
	size_t		 nknown;
	char		**empty;	/* key_dir domains with no key file */
	size_t		 nempty;
};

/* keystore_cache.c */
bool	 ks_same_file(const struct ks_file *, const struct ks_file *);
void	 ks_file_id(const struct stat *, struct ks_file *);
/* A new reference to the cached key of id, or NULL. */
EVP_PKEY *kc_get(const struct ks_file *id);
/* Keep k under id (keystore_cache.c says what it returns). */
EVP_PKEY *kc_put(const struct ks_file *id, EVP_PKEY *k);
void	 kc_store_opened(void);	/* keystore_new */
void	 kc_store_closed(void);	/* keystore_free: the last one empties it */
void	 kc_count_decode(void);	/* for keystore_cache_stats */

/* keystore.c, for keystore_tables.c */
int	 ks_add_key(struct keystore *, const char *name, const char *domain,
	    const char *selector, const char *path, const struct ks_file *id);
int	 ks_check_key(const struct keystore *, int dfd, const char *name,
	    const char *path, struct ks_file *id, struct buf *problems);
void	 ks_shrink_keys(struct keystore *);

#endif
