/* SPDX-License-Identifier: ISC */
/*
 * keys.h - the subcommands of inkan-keys. Each takes the arguments after
 * its name and returns the exit status: 0 done, 1 a check found a problem,
 * 2 bad usage or input.
 */
#ifndef INKAN_KEYS_H
#define INKAN_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "dkim_sign.h"

int	 keys_generate(int argc, char **argv);
int	 keys_records(int argc, char **argv);
int	 keys_check(int argc, char **argv);
int	 keys_rotate(int argc, char **argv);

/*
 * args.c, shared by the subcommands: print "inkan-keys CMD: " (or
 * "inkan-keys: " when cmd is NULL) and the message to stderr, return 2;
 * and the checks of a --domain (valid, with a dot, no trailing dot) and a
 * --selector (valid, no trailing dot).
 */
int	 keys_fail(const char *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
bool	 keys_domain_ok(const char *domain);
bool	 keys_selector_ok(const char *selector);

/*
 * generate.c, shared with rotate.c: the options of a new key, parsed the
 * same way for both commands ("generate" or "rotate" in messages; --force
 * only where allow_force), and the making of it: key pair, private key
 * stored at path (mode 0600, never over an existing file unless
 * o->force), its record appended to record in o->format ("zone" or
 * "value"). Both return 0, or 2 after writing to stderr what went wrong.
 */
struct keys_gen {
	const char	*domain, *selector, *dir, *type, *format;
	long		 bits;
	bool		 force;
};

int	 keys_gen_parse(int argc, char **argv, const char *cmd,
	    bool allow_force, struct keys_gen *o);
int	 keys_gen_make(const struct keys_gen *o, const char *path,
	    struct buf *record);

/*
 * keyset.c - the keys inkan holds for one domain, found through the
 * daemon's own configuration (--config) or a key_dir (--dir), so the tool
 * sees exactly what the milter signs with. The keyset owns the config or
 * keystore; the keys in k[] are borrowed from it until keyset_free().
 */
/* More selectors than this for one domain is not a real setup. */
#define KEYSET_MAX	32

/* The suffix of a key made by `rotate` and not yet signed with. */
#define KEYSET_PENDING	".private.pending"

struct config;
struct keystore;

/*
 * A key waiting in DIR/DOMAIN/SELECTOR.private.pending: made by `rotate`,
 * not loaded by inkan (the key store reads only *.private files), until
 * the admin renames it once its record is published.
 */
struct keyset_pending {
	char		*selector;
	char		*path;	/* the .pending file */
	EVP_PKEY	*key;	/* NULL when it cannot be used; see problem */
	char		*problem;
};

struct keyset {
	struct config		*cfg;	/* --config; owns its keystore */
	struct keystore		*ks;	/* --dir; owned */
	struct dkim_sign_key	 k[KEYSET_MAX];
	size_t			 n;
	/* DIR/DOMAIN when the keys come from a key_dir, else NULL */
	char			*domdir;
	struct keyset_pending	 pending[KEYSET_MAX];
	size_t			 npending;
};

/*
 * Load the keys for domain from config (a file) or dir (a key_dir); at
 * most one of the two, both NULL gives an empty set. Problems with single
 * keys are written to stderr and those keys skipped. Returns 0, or -1
 * after writing to stderr why nothing could be loaded.
 */
int	 keyset_load(struct keyset *, const char *config, const char *dir,
	    const char *domain);
void	 keyset_free(struct keyset *);

/*
 * Append a TXT record for name in zone-file form: "name. IN TXT" and the
 * value split into strings of at most 255 bytes (RFC 1035 3.3), quotes and
 * backslashes escaped.
 */
void	 keys_zone_txt(struct buf *out, const char *name, const char *value);

#endif
