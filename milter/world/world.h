/* SPDX-License-Identifier: ISC */
/*
 * world.h - what the daemon runs with, built from the settings: the key
 * store, the resolver, the Public Suffix List and the report database.
 * The settings (config.h) only say what is wanted; world_build opens and
 * loads it, and reports what cannot be used as problems, as config_load
 * does for values. A world is immutable and reference-counted: a
 * transaction holds the world it started with, and SIGHUP installs a new
 * one (world_install) while old transactions finish on the old one.
 * What a reload changes follows the settings table alone: a part whose
 * setting is restart-only (config_reloadable) is carried over from the
 * running world instead of being built again.
 * inkan-keys builds no world: it needs only the key store
 * (keystore_load_config), and links no database.
 */
#ifndef INKAN_WORLD_H
#define INKAN_WORLD_H

#include <openssl/evp.h>

#include "buf.h"
#include "config.h"
#include "dns.h"
#include "keystore.h"

struct psl_ctx_st;
struct report_db;

struct world {
	int		 refcnt;
	struct config	*cfg;		/* the settings it was built from */
	struct keystore	*keys;
	struct dns_resolver *resolver;	/* counted for the metrics */
	struct psl_ctx_st *psl;		/* dmarc_discovery = psl; else NULL */
	struct report_db *reports;	/* NULL when not recording */
	EVP_PKEY	*arc_key;	/* arc_seal = yes: the RSA key; else NULL */
	/*
	 * What does not refuse the world but should be read: a domain that
	 * signs nothing (compared with the running world, on a reload). One
	 * line each; whoever installs the world logs them (main at start,
	 * sighup on a reload, -n on stderr).
	 */
	struct buf	 warnings;
};

/*
 * Build the world for cfg (takes the caller's reference to cfg, also on
 * failure). NULL with every problem appended to problems: a key that
 * cannot be used, a key directory that cannot be read, a resolver or PSL
 * that cannot be loaded, a report database that cannot be opened.
 */
struct world *world_build(struct config *cfg, struct buf *problems);
/*
 * How world_build checks the keys (keystore.h): every key decoded at load
 * (KEYSTORE_CHECK_ALL, the default: -n, --evaluate, the tests), or the
 * files checked and each key decoded on first use, and on a reload (a
 * world is current) the files changed since decoded (KEYSTORE_CHECK_FILES:
 * the daemon, set once before its first load).
 */
void	 world_set_key_check(enum keystore_check);
/* config_load(path) then world_build: what start, reload and -n do. */
struct world *world_load(const char *path, struct buf *problems);
struct world *world_ref(struct world *);
void	 world_unref(struct world *);

/* Replace the world's resolver (--evaluate --dns-zone); takes res. */
void	 world_set_resolver(struct world *, struct dns_resolver *res);

/* The process-wide current world: a new reference, or NULL. */
struct world *world_current(void);
/* Make w current (takes over the caller's reference). */
void	 world_install(struct world *w);

#endif
