/* SPDX-License-Identifier: ISC */
/*
 * config.h - the settings: inkan.conf, a plain "name = value" file with #
 * comments, read and checked, nothing more. Every name, its type, default,
 * bounds, whether SIGHUP applies it, and its description are in one table
 * in config.c (also the source of inkan.conf(5)); an unknown name or a bad
 * value is an error naming the file and line, and loading reports every
 * problem at once so `inkan-milter -n` shows them all.
 * What is built from the settings (keys, resolver, Public Suffix List,
 * report database) is the world (world.h); inkan-keys reads settings and
 * builds only the key store, so it opens no database and starts no
 * resolver it does not need.
 * A config is immutable once loaded and reference-counted.
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
#include "strlist.h"

/*
 * The enumerated settings (CFG_ENUM in the table: the value's index in
 * its list of names). enum dmarc_discovery (dmarc.h) is one too.
 */
enum config_log {
	CONFIG_LOG_SYSLOG,		/* log = syslog */
	CONFIG_LOG_STDERR,		/* = stderr */
};
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
	enum config_log	 log;
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
	enum dmarc_discovery discovery;	/* dmarc_discovery */
	char		*dmarc_psl_file;
	bool		 dmarc_enforce;
	enum config_reject_action reject_action;	/* dmarc_reject_action */
	bool		 from_reject;
	bool		 dmarc_tempfail_on_temperror;
	enum config_quarantine_action quarantine_action; /* dmarc_quarantine_action */
	struct strlist	 dmarc_never_reject;	/* From domains */
	struct cidr_list dmarc_trusted_forwarders;
	struct strlist	 arc_trusted_sealers;	/* ARC-Seal d= domains */
	bool		 arc_seal;
	char		*arc_seal_domain;
	char		*arc_seal_selector;
	char		*arc_seal_key;	/* "": key_dir/DOMAIN/SELECTOR.private */
	char		*dmarc_report_db;
	char		*dns_zone_file;	/* "": DNS from the network */
	struct strlist	 dns_forwarders;
	char		*dns_trust_anchor;
	unsigned long	 dns_timeout;	/* ms, per query */
	unsigned long	 dns_budget;	/* ms, all lookups of one message */
};

/*
 * Read path (NULL: built-in defaults only) and check every value and the
 * settings that go together. Returns the config, or NULL with every
 * problem appended to problems as "file:line: text" lines. Opens nothing
 * but the file; authserv_id, when not set, becomes the host's fully
 * qualified name (fqdn.h).
 */
struct config *config_load(const char *path, struct buf *problems);
/*
 * The same reading from f (name stands for f in the problems), with
 * authserv_id left empty when f does not set it: for the fuzz target.
 */
struct config *config_parse(FILE *f, const char *name, struct buf *problems);
struct config *config_ref(struct config *);
void	 config_unref(struct config *);

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
