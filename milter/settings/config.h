/* SPDX-License-Identifier: ISC */
/*
 * config.h - inkan.conf: a plain "name = value" file with # comments.
 * Every name, its type, default and bounds are in one table in config.c
 * (also the source of inkan.conf(5)); an unknown name or a bad value is an
 * error naming the file and line, and loading reports every problem at
 * once so `inkan-milter -n` shows them all. Keys are loaded and checked at
 * load time too.
 * A loaded config is immutable and reference-counted: a transaction holds
 * a reference to the config it started with, and SIGHUP swaps in a new one
 * (config_install) while old transactions finish on the old one.
 */
#ifndef INKAN_CONFIG_H
#define INKAN_CONFIG_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

#include "buf.h"
#include "canon.h"
#include "cidr.h"
#include "dmarc.h"
#include "dns.h"
#include "keystore.h"
#include "strlist.h"

struct psl_ctx_st;
struct report_db;

/*
 * The enumerated settings, parsed once by config_load (the strings stay
 * for --print-config and the reload notice): code compares these.
 */
enum config_reject_action {
	CONFIG_REJECT_REJECT,		/* dmarc_reject_action = reject */
	CONFIG_REJECT_QUARANTINE,	/* = quarantine */
};
enum config_quarantine_action {
	CONFIG_QUARANTINE_HOLD,		/* dmarc_quarantine_action = hold */
	CONFIG_QUARANTINE_HEADER,	/* = header */
};

struct config {
	int		 refcnt;
	char		*path;		/* file it came from, or NULL */
	char		*socket;
	char		*user;
	char		*authserv_id;	/* configured, or the FQDN found */
	bool		 authserv_id_auto;	/* not configured: j wins */
	char		*key_dir;
	char		*key_table;
	char		*signing_table;
	bool		 sign_subdomains;
	struct cidr_list internal_hosts;
	struct cidr_list peer_hosts;	/* passed through unchecked */
	struct strlist	 sign_daemons;
	enum canon_alg	 hcanon, bcanon;
	struct strlist	 sign_headers;
	struct strlist	 oversign_headers;
	unsigned long	 signature_ttl;
	char		*log;		/* "syslog" or "stderr" */
	int		 log_level;	/* syslog level */
	int		 syslog_facility;	/* LOG_MAIL, LOG_LOCAL0, ... */
	char		*pid_file;	/* "" for none */
	char		*metrics_socket;	/* "" for none */
	unsigned long	 shutdown_timeout;
	unsigned long	 milter_timeout;	/* s; libmilter's, per MTA read or write */
	unsigned long	 max_signatures;
	bool		 spf_reject_fail;
	bool		 spf_tempfail_on_temperror;
	bool		 received_spf;
	struct strlist	 trusted_authserv_ids;	/* upstream A-R whose spf= we take */
	char		*dmarc_discovery;	/* "treewalk" or "psl" */
	enum dmarc_discovery discovery;	/* dmarc_discovery, parsed */
	char		*dmarc_psl_file;
	bool		 dmarc_enforce;
	char		*dmarc_reject_action;	/* "reject" or "quarantine" */
	enum config_reject_action reject_action;	/* the same, parsed */
	bool		 from_reject;
	bool		 dmarc_tempfail_on_temperror;
	char		*dmarc_quarantine_action;	/* "hold" or "header" */
	enum config_quarantine_action quarantine_action;	/* parsed */
	struct strlist	 dmarc_never_reject;	/* From domains */
	struct cidr_list dmarc_trusted_forwarders;
	struct psl_ctx_st *psl;		/* owned; loaded for psl discovery */
	char		*dmarc_report_db;
	struct report_db *reports;	/* a reference (shared across reloads); NULL when not recording */
	char		*dns_zone_file;	/* "": DNS from the network */
	struct strlist	 dns_forwarders;
	char		*dns_trust_anchor;
	unsigned long	 dns_timeout;	/* ms, per query */
	unsigned long	 dns_budget;	/* ms, all lookups of one message */
	struct keystore	*keys;
	struct dns_resolver *resolver;	/* owned */
	/*
	 * What does not refuse the configuration but should be read: a
	 * domain that signs nothing. One line each; whoever installs the
	 * config logs them (main at start, sighup on a reload, -n on stderr).
	 */
	struct buf	 warnings;
};

/*
 * Load path (NULL: built-in defaults only). Returns the config, or NULL
 * with every problem appended to problems as "file:line: text" lines.
 * A key that cannot be used is a problem too, and so is a key directory
 * that cannot be read. A domain left without any key (compared with the
 * current config too, on a reload) goes in the config's warnings.
 */
struct config *config_load(const char *path, struct buf *problems);
/*
 * Only the reading: the defaults and the settings in f (name stands for f
 * in the problems), each value checked, with nothing opened or loaded: no
 * keys, resolver, Public Suffix List or report database, and authserv_id
 * left empty when f does not set it. For the fuzz target; NULL with the
 * problems as config_load gives them.
 */
struct config *config_parse(FILE *f, const char *name, struct buf *problems);
struct config *config_ref(struct config *);
void	 config_unref(struct config *);

/* Replace the config's resolver (--evaluate --dns-zone); takes res. */
void	 config_set_resolver(struct config *, struct dns_resolver *res);

/* The process-wide current config: a new reference, or NULL. */
struct config *config_current(void);
/* Make c current (takes over the caller's reference). */
void	 config_install(struct config *c);

/*
 * The settings that take effect only at restart (not reloadable in the
 * table) whose values differ between old and new: their names appended to
 * out, ", " between them. Returns how many.
 */
int	 config_restart_changes(const struct config *old,
	    const struct config *new, struct buf *out);
/* Is name a setting that SIGHUP applies? false for restart-only or unknown. */
bool	 config_reloadable(const char *name);

/* Write the table of names, defaults and descriptions (for -h and docs). */
void	 config_describe(struct buf *out);

/*
 * Said at start, on reload and by -n when dns_zone_file is set, so a test
 * setting left in production is seen (inkan.conf(5)); %s is the file.
 */
#define CONFIG_ZONE_WARNING \
	"answering DNS from zone file %s, not the network: a test setting " \
	"(dns_zone_file)"

#endif
