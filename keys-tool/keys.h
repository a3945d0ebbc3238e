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
#include "dns.h"

int	 keys_generate(int argc, char **argv);
int	 keys_records(int argc, char **argv);
int	 keys_check(int argc, char **argv);
int	 keys_rotate(int argc, char **argv);

/*
 * args.c, shared by the subcommands: print "inkan-keys CMD: " (or
 * "inkan-keys: " when cmd is NULL) and the message to stderr, return 2.
 */
int	 keys_fail(const char *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* A name as the checks below give it back, with its NUL. */
#define KEYS_NAME_SIZE	(DNS_NAME_MAX + 1)

/*
 * Check a --domain and write to out the form used in DNS and as the
 * key directory's name: lower case; an internationalized name (UTF-8)
 * as its A-label, with a note on stderr. Refused, each with its reason:
 * a final dot, an IP address, a single label ("com", "localhost"), an
 * all-digit last label, empty or over-long labels and names, bytes other
 * than letters, digits and hyphens, a hyphen at either end of a label.
 * Returns 0, or 2 after "inkan-keys CMD: 'IN' is not a valid domain
 * name: REASON" on stderr.
 */
int	 keys_domain_arg(const char *cmd, const char *in,
	    char out[KEYS_NAME_SIZE]);
/*
 * The same for a --selector (RFC 6376 3.1: dot-separated labels of
 * letters, digits and hyphens, no hyphen at a label's ends, so no "_"),
 * folded to lower case: 0, or 2 after "'IN' is not a valid selector:
 * REASON; RULE".
 */
int	 keys_selector_arg(const char *cmd, const char *in,
	    char out[KEYS_NAME_SIZE]);
/* 0 if SEL._domainkey.DOMAIN fits in DNS, else 2 with a message. */
int	 keys_key_name(const char *cmd, const char *sel, const char *domain);
/* Append s as one shell word: as is when safe, else in single quotes. */
void	 keys_shell_word(struct buf *out, const char *s);

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
	char		 dombuf[KEYS_NAME_SIZE], selbuf[KEYS_NAME_SIZE];
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
	struct config		*cfg;	/* --config, or NULL */
	struct keystore		*ks;	/* its keys, or --dir's; owned */
	struct dkim_sign_key	 k[KEYSET_MAX];
	size_t			 n;
	/* DIR/DOMAIN when the keys come from a key_dir, else NULL */
	char			*domdir;
	struct keyset_pending	 pending[KEYSET_MAX];
	size_t			 npending;
};

/*
 * Load the keys for domain from config (a file) or dir (a key_dir, which
 * must exist); at most one of the two, both NULL gives an empty set.
 * Problems with single keys are written to stderr, each line prefixed
 * "inkan-keys CMD: ", and those keys skipped. Returns 0, or -1 after
 * writing to stderr why nothing could be loaded.
 */
int	 keyset_load(struct keyset *, const char *cmd, const char *config,
	    const char *dir, const char *domain);
void	 keyset_free(struct keyset *);

/*
 * Append a TXT record for name in zone-file form: "name. IN TXT" and the
 * value split into strings of at most 255 bytes (RFC 1035 3.3), quotes and
 * backslashes escaped.
 */
void	 keys_zone_txt(struct buf *out, const char *name, const char *value);

#endif
