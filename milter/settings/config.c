/* SPDX-License-Identifier: ISC */
/*
 * config.c - the table of settings, the parser, and the current config
 * (see config.h). Defaults go through the same parsers as file values, so
 * a default cannot be a value the file would refuse.
 */
#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "fqdn.h"
#include "hdr.h"
#include "log.h"
#include "sockspec.h"

enum cfg_type {
	CFG_STRING,
	CFG_BOOL,
	CFG_UINT,
	CFG_LIST,
	CFG_CIDRS,
	CFG_CANON,
	CFG_LOGLEVEL,
	CFG_FACILITY,
	CFG_ENUM,	/* one of names[]; the field is an enum, its index */
};

struct cfg_key {
	const char	*name;
	enum cfg_type	 type;
	size_t		 offset;
	const char	*def;
	unsigned long	 min, max;	/* CFG_UINT bounds */
	bool		 reloadable;
	const char	*doc;
	const char *const *names;	/* CFG_ENUM: the values, NULL-ended */
};

#define OFF(f)	offsetof(struct config, f)

/*
 * The names of each enumerated setting, in the order of its enum (config.h):
 * the parser stores the index, --help and inkan.conf(5) show the names.
 */
static const char *const log_names[] = { "syslog", "stderr", NULL };
static const char *const discovery_names[] = { "treewalk", "psl", NULL };
static const char *const reject_names[] = { "reject", "quarantine", NULL };
static const char *const quarantine_names[] = { "hold", "header", NULL };
_Static_assert(DMARC_DISCOVERY_TREEWALK == 0 && DMARC_DISCOVERY_PSL == 1,
    "discovery_names follows enum dmarc_discovery");
_Static_assert(sizeof(enum dmarc_discovery) == sizeof(int) &&
    sizeof(enum config_log) == sizeof(int) &&
    sizeof(enum config_reject_action) == sizeof(int) &&
    sizeof(enum config_quarantine_action) == sizeof(int),
    "CFG_ENUM fields are stored as int");

/* The DKIM default list: fields a forger would want to change or add. */
#define DEFAULT_SIGN_HEADERS "From, To, Cc, Subject, Date, Message-ID, " \
	"Reply-To, In-Reply-To, References, MIME-Version, Content-Type, " \
	"Content-Transfer-Encoding, List-Id, List-Unsubscribe, " \
	"List-Unsubscribe-Post"

/* Only CFG_ENUM entries give names; the others leave it out (NULL). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct cfg_key cfg_keys[] = {
	{ "socket", CFG_STRING, OFF(socket), "inet:8894@127.0.0.1", 0, 0,
	    false, "where the MTA connects: unix:PATH, inet:PORT@HOST or "
	    "inet6:PORT@HOST" },
	{ "user", CFG_STRING, OFF(user), "", 0, 0, false,
	    "user to run as after opening the socket (empty: stay)" },
	{ "authserv_id", CFG_STRING, OFF(authserv_id), "", 0, 0, true,
	    "this server's name in Authentication-Results (empty: the MTA's j "
	    "macro, else the fully qualified host name)" },
	{ "key_dir", CFG_STRING, OFF(key_dir), "", 0, 0, true,
	    "directory of DOMAIN/SELECTOR.private signing keys" },
	{ "key_table", CFG_STRING, OFF(key_table), "", 0, 0, true,
	    "OpenDKIM-style KeyTable file (with signing_table)" },
	{ "signing_table", CFG_STRING, OFF(signing_table), "", 0, 0, true,
	    "OpenDKIM-style SigningTable file; refile:PATH for wildcards" },
	{ "sign_subdomains", CFG_BOOL, OFF(sign_subdomains), "no", 0, 0, true,
	    "sign mail from subdomains with the parent domain's key_dir key" },
	{ "internal_hosts", CFG_CIDRS, OFF(internal_hosts), "127.0.0.1, ::1",
	    0, 0, true, "clients whose mail is signed (addresses or CIDR)" },
	/* OpenDKIM's PeerList, OpenDMARC's IgnoreHosts */
	{ "peer_hosts", CFG_CIDRS, OFF(peer_hosts), "", 0, 0, true,
	    "clients whose mail passes unchecked: not signed, not verified "
	    "(addresses or CIDR)" },
	{ "sign_daemons", CFG_LIST, OFF(sign_daemons), "", 0, 0, true,
	    "MTA services ({daemon_name}) whose mail is signed" },
	{ "canonicalization", CFG_CANON, 0, "relaxed/relaxed", 0, 0, true,
	    "header/body canonicalization: simple or relaxed" },
	{ "sign_headers", CFG_LIST, OFF(sign_headers), DEFAULT_SIGN_HEADERS,
	    0, 0, true, "header fields to sign when present" },
	{ "oversign_headers", CFG_LIST, OFF(oversign_headers), "From", 0, 0,
	    true, "header fields signed once more than present" },
	{ "signature_ttl", CFG_UINT, OFF(signature_ttl), "0", 0,
	    10UL * 366 * 86400, true,
	    "seconds until signatures expire (x=); 0 for no x=" },
	{ "log", CFG_ENUM, OFF(log), "syslog", 0, 0, false,
	    "syslog or stderr", log_names },
	{ "syslog_facility", CFG_FACILITY, OFF(syslog_facility), "mail", 0, 0,
	    false, "the syslog facility: mail, daemon, user or local0 to local7" },
	{ "log_level", CFG_LOGLEVEL, OFF(log_level), "info", 0, 0, true,
	    "error, warning, info or debug" },
	{ "metrics_socket", CFG_STRING, OFF(metrics_socket), "", 0, 0, false,
	    "where Prometheus scrapes /metrics: inet:PORT@ADDRESS or "
	    "unix:PATH (empty: no metrics socket)" },
	{ "pid_file", CFG_STRING, OFF(pid_file), "", 0, 0, false,
	    "file the daemon writes its process id to (empty: none)" },
	{ "shutdown_timeout", CFG_UINT, OFF(shutdown_timeout), "30", 0, 3600,
	    false, "seconds SIGTERM waits for messages in flight" },
	/*
	 * How long libmilter waits for the MTA's next command on a connection
	 * (smfi_settimeout; its own default is 7210 s). The MTA is silent
	 * while it waits for its SMTP client: up to smtpd_timeout (300 s) per
	 * command in Postfix, the whole DATA transfer (Postfix sends the
	 * content only once it has all of it), Timeout.command (1 h) in
	 * Sendmail. Cutting such a connection fails the MTA's next command
	 * (Postfix: milter_default_action, a 4xx), so the default outlasts
	 * them; it only frees connections whose MTA went away unseen.
	 * (libmilter's worker pool, as Debian builds it, sweeps connections
	 * idle between commands every 600 s; a read or write inside a
	 * command times out exactly.)
	 */
	{ "milter_timeout", CFG_UINT, OFF(milter_timeout), "3600", 1, 86400,
	    false, "seconds to wait for the MTA's next command on a connection" },
	{ "max_signatures", CFG_UINT, OFF(max_signatures), "8", 1, 32, true,
	    "DKIM signatures verified per message; the rest are neutral" },
	{ "spf_reject_fail", CFG_BOOL, OFF(spf_reject_fail), "no", 0, 0, true,
	    "reject mail whose MAIL FROM gets SPF fail (550 5.7.23)" },
	{ "spf_tempfail_on_temperror", CFG_BOOL,
	    OFF(spf_tempfail_on_temperror), "no", 0, 0, true,
	    "tempfail mail whose SPF check had a DNS error (451 4.7.24)" },
	/* OpenDMARC's TrustedAuthservIDs */
	{ "trusted_authserv_ids", CFG_LIST, OFF(trusted_authserv_ids), "", 0,
	    0, true, "authserv-ids of relays in front of this server whose "
	    "Authentication-Results spf= result is taken instead of its own" },
	{ "received_spf", CFG_BOOL, OFF(received_spf), "no", 0, 0, true,
	    "add a Received-SPF field (RFC 7208 9.1) to inbound mail" },
	{ "dmarc_discovery", CFG_ENUM, OFF(discovery), "treewalk", 0,
	    0, true, "treewalk (RFC 9989) or psl (RFC 7489, Public Suffix List)",
	    discovery_names },
	{ "dmarc_psl_file", CFG_STRING, OFF(dmarc_psl_file),
	    "/usr/share/publicsuffix/public_suffix_list.dat", 0, 0, true,
	    "the Public Suffix List for dmarc_discovery = psl" },
	{ "dmarc_enforce", CFG_BOOL, OFF(dmarc_enforce), "yes", 0, 0, true,
	    "apply the sender's DMARC policy (no: only report the result)" },
	{ "dmarc_reject_action", CFG_ENUM, OFF(reject_action),
	    "reject", 0, 0, true,
	    "what p=reject gets on DMARC fail: reject (550 5.7.1) or quarantine",
	    reject_names },
	{ "dmarc_tempfail_on_temperror", CFG_BOOL,
	    OFF(dmarc_tempfail_on_temperror), "yes", 0, 0, true,
	    "tempfail (451 4.7.1) when the DMARC policy cannot be looked up" },
	{ "dmarc_quarantine_action", CFG_ENUM, OFF(quarantine_action),
	    "hold", 0, 0, true,
	    "p=quarantine: hold (the MTA's hold queue) or header (X-DMARC-Quarantine)",
	    quarantine_names },
	{ "dmarc_never_reject", CFG_LIST, OFF(dmarc_never_reject), "", 0, 0,
	    true, "From domains whose DMARC failures are never refused" },
	{ "dmarc_trusted_forwarders", CFG_CIDRS,
	    OFF(dmarc_trusted_forwarders), "", 0, 0, true,
	    "clients (mailing lists, forwarders) whose DMARC rejects become quarantine" },
	/* RFC 8617: the forwarders whose ARC-Authentication-Results we believe */
	{ "arc_trusted_sealers", CFG_LIST, OFF(arc_trusted_sealers), "", 0, 0,
	    true, "ARC sealers (ARC-Seal d= domains) whose recorded SPF, DKIM "
	    "or DMARC pass spares a DMARC failure the sender's policy" },
	{ "arc_seal", CFG_BOOL, OFF(arc_seal), "no", 0, 0, true,
	    "add an ARC Set (RFC 8617) to verified inbound mail, as a "
	    "forwarder or mailing list does" },
	{ "arc_seal_domain", CFG_STRING, OFF(arc_seal_domain), "", 0, 0, true,
	    "d= of the ARC Sets inkan adds" },
	{ "arc_seal_selector", CFG_STRING, OFF(arc_seal_selector), "", 0, 0,
	    true, "s= of the ARC Sets inkan adds" },
	{ "arc_seal_key", CFG_STRING, OFF(arc_seal_key), "", 0, 0, true,
	    "RSA private key (PEM) for ARC sealing; empty: "
	    "key_dir/DOMAIN/SELECTOR.private" },
	{ "dmarc_report_db", CFG_STRING, OFF(dmarc_report_db), "", 0, 0, false,
	    "SQLite database file, or PostgreSQL connection URI, where DMARC "
	    "results are recorded for inkan-reports (empty: not recorded)" },
	{ "dmarc_report_spool", CFG_STRING, OFF(dmarc_report_spool),
	    "/var/lib/inkan/dmarc-spool.db", 0, 0, false,
	    "SQLite file where rows wait while the PostgreSQL report database "
	    "does not answer" },
	{ "from_reject", CFG_BOOL, OFF(from_reject), "yes", 0, 0, true,
	    "reject inbound mail without exactly one From address (550 5.7.1)" },
	{ "dns_zone_file", CFG_STRING, OFF(dns_zone_file), "", 0, 0, true,
	    "answer every DNS query from this zone file (tests; no network)" },
	{ "dns_forwarders", CFG_LIST, OFF(dns_forwarders), "", 0, 0, true,
	    "resolvers to ask (IP addresses); empty: those in resolv.conf" },
	{ "dns_trust_anchor", CFG_STRING, OFF(dns_trust_anchor), "", 0, 0,
	    true, "DNSSEC trust anchor file; empty: no validation" },
	/* Postfix waits 30 s for a milter reply (milter_command_timeout) */
	{ "dns_timeout", CFG_UINT, OFF(dns_timeout), "5000", 100, 20000, true,
	    "milliseconds one DNS query may take" },
	{ "dns_budget", CFG_UINT, OFF(dns_budget), "10000", 100, 25000, true,
	    "milliseconds all DNS lookups of one message may take together" },
};
#pragma GCC diagnostic pop

#define NKEYS	(sizeof(cfg_keys) / sizeof(cfg_keys[0]))

/*
 * Longer lines are refused: no setting needs them, and a binary file given
 * by mistake is reported as such.
 */
#define CONFIG_MAX_LINE	8192

/* Set one key from its text; NULL, or the problem in words. */
static const char *
set_value(struct config *c, const struct cfg_key *k, const char *v,
    char *why, size_t whylen)
{
	void *field = (char *)c + k->offset;
	size_t i;

	switch (k->type) {
	case CFG_STRING: {
		char **s = field, *n = strdup(v);

		if (n == NULL)
			return "out of memory";
		free(*s);
		*s = n;
		return NULL;
	}
	case CFG_BOOL:
		if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
		    strcmp(v, "1") == 0)
			*(bool *)field = true;
		else if (strcasecmp(v, "no") == 0 ||
		    strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0)
			*(bool *)field = false;
		else
			return "expected yes or no";
		return NULL;
	case CFG_UINT: {
		char *end;
		unsigned long n;

		errno = 0;
		n = strtoul(v, &end, 10);
		if (*v == '\0' || *v == '-' || *end != '\0' || errno != 0 ||
		    n < k->min || n > k->max) {
			snprintf(why, whylen, "expected a number from %lu to %lu",
			    k->min, k->max);
			return why;
		}
		*(unsigned long *)field = n;
		return NULL;
	}
	case CFG_LIST: {
		struct strlist *l = field;

		strlist_free(l);
		if (strlist_split(l, v, ", \t") == -1)
			return "out of memory";
		if (k->offset == OFF(sign_headers) ||
		    k->offset == OFF(oversign_headers))
			for (i = 0; i < l->n; i++)
				if (!hdr_name_valid(l->v[i])) {
					snprintf(why, whylen, "'%s' is not a "
					    "header field name", l->v[i]);
					return why;
				}
		return NULL;
	}
	case CFG_CIDRS: {
		struct cidr_list *cl = field;
		struct strlist parts = STRLIST_INIT;
		struct err e;
		struct cidr one;

		cidr_list_free(cl);
		if (strlist_split(&parts, v, ", \t") == -1)
			return "out of memory";
		for (i = 0; i < parts.n; i++) {
			if (cidr_parse(parts.v[i], &one, &e) == -1) {
				snprintf(why, whylen, "%s", e.msg);
				strlist_free(&parts);
				return why;
			}
			if (cidr_list_add(cl, &one) == -1) {
				strlist_free(&parts);
				return "out of memory";
			}
		}
		strlist_free(&parts);
		return NULL;
	}
	case CFG_CANON: {
		const char *slash = strchr(v, '/');
		enum canon_alg h, b;

		if (canon_parse(v, slash != NULL ? (size_t)(slash - v) :
		    strlen(v), &h) == -1)
			return "expected simple or relaxed, optionally "
			    "header/body as in relaxed/simple";
		b = h;
		if (slash != NULL && canon_parse(slash + 1, strlen(slash + 1),
		    &b) == -1)
			return "expected simple or relaxed after '/'";
		/* RFC 6376 3.5: c=simple alone means simple/simple; so does ours */
		c->hcanon = h;
		c->bcanon = slash != NULL ? b : h;
		return NULL;
	}
	case CFG_ENUM: {
		size_t len = 0;

		for (i = 0; k->names[i] != NULL; i++)
			if (strcmp(v, k->names[i]) == 0) {
				*(int *)field = (int)i;
				return NULL;
			}
		len = (size_t)snprintf(why, whylen, "expected");
		for (i = 0; k->names[i] != NULL && len < whylen; i++)
			len += (size_t)snprintf(why + len, whylen - len, "%s%s",
			    i == 0 ? " " : k->names[i + 1] == NULL ? " or " :
			    ", ", k->names[i]);
		return why;
	}
	case CFG_LOGLEVEL: {
		static const struct { const char *n; int l; } lv[] = {
			{ "error", LOG_ERR }, { "warning", LOG_WARNING },
			{ "info", LOG_INFO }, { "debug", LOG_DEBUG },
		};

		for (i = 0; i < sizeof(lv) / sizeof(lv[0]); i++)
			if (strcasecmp(v, lv[i].n) == 0) {
				*(int *)field = lv[i].l;
				return NULL;
			}
		return "expected error, warning, info or debug";
	}
	case CFG_FACILITY:
		if (log_facility_parse(v, (int *)field) == -1)
			return "expected " LOG_FACILITY_NAMES;
		return NULL;
	}
	return "internal: unknown type";
}

static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static const struct cfg_key *
find_key(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(cfg_keys[i].name, name) == 0)
			return &cfg_keys[i];
	return NULL;
}

/*
 * The settings in f, one "name = value" a line, '#' to the end of a line a
 * comment; path names f in the problems. Returns how many problems.
 */
static int
parse_stream(struct config *c, FILE *f, const char *path,
    struct buf *problems)
{
	char *line = NULL, why[256];
	size_t cap = 0;
	ssize_t len;
	bool seen[NKEYS];
	int lineno = 0, n = 0;

	memset(seen, 0, sizeof(seen));
	while ((len = getline(&line, &cap, f)) != -1) {
		const struct cfg_key *k;
		char *name, *val, *eq, *hash;
		const char *bad;

		lineno++;
		if (len > CONFIG_MAX_LINE) {
			buf_printf(problems, "%s:%d: line too long (more than "
			    "%d bytes)\n", path, lineno, CONFIG_MAX_LINE);
			n++;
			continue;
		}
		if (strlen(line) != (size_t)len) {
			buf_printf(problems, "%s:%d: a NUL byte in the line\n",
			    path, lineno);
			n++;
			continue;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		name = trim(line);
		if (*name == '\0')
			continue;
		if ((eq = strchr(name, '=')) == NULL) {
			buf_printf(problems, "%s:%d: expected 'name = value'\n",
			    path, lineno);
			n++;
			continue;
		}
		*eq = '\0';
		name = trim(name);
		val = trim(eq + 1);
		if ((k = find_key(name)) == NULL) {
			buf_printf(problems, "%s:%d: unknown setting '%s' "
			    "(see inkan.conf(5))\n", path, lineno, name);
			n++;
			continue;
		}
		if (seen[k - cfg_keys]) {
			buf_printf(problems, "%s:%d: '%s' is set twice\n", path,
			    lineno, name);
			n++;
			continue;
		}
		seen[k - cfg_keys] = true;
		if ((bad = set_value(c, k, val, why, sizeof(why))) != NULL) {
			buf_printf(problems, "%s:%d: %s: %s\n", path, lineno,
			    name, bad);
			n++;
		}
	}
	if (!feof(f)) {
		buf_printf(problems, "%s:%d: cannot read on: %s\n", path,
		    lineno + 1, strerror(errno));
		n++;
	}
	free(line);
	return n;
}

static int
parse_file(struct config *c, const char *path, struct buf *problems)
{
	FILE *f;
	int n;

	if ((f = fopen(path, "re")) == NULL) {
		buf_printf(problems, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	n = parse_stream(c, f, path, problems);
	fclose(f);
	return n;
}

/* A new config holding every default; NULL when out of memory. */
static struct config *
config_defaults(struct buf *problems, int *n)
{
	struct config *c;
	char why[256];
	size_t i;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->refcnt = 1;
	for (i = 0; i < NKEYS; i++)
		if (set_value(c, &cfg_keys[i], cfg_keys[i].def, why,
		    sizeof(why)) != NULL) {
			buf_printf(problems, "default of %s: %s\n",
			    cfg_keys[i].name, why);
			(*n)++;
		}
	return c;
}

static int
check_metrics_socket(const struct config *c, struct buf *problems)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct err e;

	if (*c->metrics_socket == '\0' ||
	    sockspec_parse_address(c->metrics_socket, &ss, &sslen, &e) == 0)
		return 0;
	buf_printf(problems, "%s: metrics_socket: %s\n",
	    c->path != NULL ? c->path : "config", e.msg);
	return 1;
}

/* The daemon changes to / and removes the file at stop: a full path. */
static int
check_pid_file(const struct config *c, struct buf *problems)
{
	if (*c->pid_file == '\0' || *c->pid_file == '/')
		return 0;
	buf_printf(problems, "%s: pid_file %s: must be an absolute path\n",
	    c->path != NULL ? c->path : "config", c->pid_file);
	return 1;
}

static int
check_socket(const struct config *c, struct buf *problems)
{
	struct sockspec ss;
	struct err e;

	if (sockspec_parse(c->socket, &ss, &e) == 0)
		return 0;
	buf_printf(problems, "%s: socket %s: %s\n",
	    c->path != NULL ? c->path : "config", c->socket, e.msg);
	return 1;
}

static void
config_free(struct config *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < NKEYS; i++) {
		void *field = (char *)c + cfg_keys[i].offset;

		if (cfg_keys[i].type == CFG_STRING)
			free(*(char **)field);
		else if (cfg_keys[i].type == CFG_LIST)
			strlist_free(field);
		else if (cfg_keys[i].type == CFG_CIDRS)
			cidr_list_free(field);
	}
	free(c->path);
	free(c);
}

/* Where the keys come from: key_dir, or the two OpenDKIM tables. */
static int
check_key_source(const struct config *c, struct buf *problems)
{
	bool tables = *c->key_table != '\0' || *c->signing_table != '\0';

	if (tables && *c->key_dir != '\0') {
		buf_printf(problems, "%s: key_dir and key_table/signing_table "
		    "cannot be used together\n", c->path ? c->path : "config");
		return 1;
	}
	if (tables && (*c->key_table == '\0' || *c->signing_table == '\0')) {
		buf_printf(problems, "%s: key_table and signing_table go "
		    "together\n", c->path ? c->path : "config");
		return 1;
	}
	return 0;
}

/* The checks of settings that go together or name a place; how many failed. */
static int
check_together(const struct config *c, struct buf *problems)
{
	int n = check_key_source(c, problems);

	/* one after the other: the problems keep this order */
	n += check_metrics_socket(c, problems);
	n += check_socket(c, problems);
	n += check_pid_file(c, problems);
	return n;
}

struct config *
config_load(const char *path, struct buf *problems)
{
	struct config *c;
	char host[256];
	int n = 0;

	if ((c = config_defaults(problems, &n)) == NULL)
		return NULL;
	if (path != NULL) {
		if ((c->path = strdup(path)) == NULL) {
			config_free(c);
			return NULL;
		}
		n += parse_file(c, path, problems);
	}
	if (*c->authserv_id == '\0') {
		fqdn_default(host, sizeof(host));
		c->authserv_id_auto = true;
		free(c->authserv_id);
		if ((c->authserv_id = strdup(host)) == NULL) {
			config_free(c);
			return NULL;
		}
	}
	n += check_together(c, problems);
	if (n > 0 || buf_failed(problems)) {
		config_free(c);
		return NULL;
	}
	return c;
}

struct config *
config_parse(FILE *f, const char *name, struct buf *problems)
{
	struct config *c;
	int n = 0;

	if ((c = config_defaults(problems, &n)) == NULL)
		return NULL;
	n += parse_stream(c, f, name, problems);
	n += check_together(c, problems);
	if (n > 0 || buf_failed(problems)) {
		config_free(c);
		return NULL;
	}
	return c;
}

struct config *
config_ref(struct config *c)
{
	__atomic_add_fetch(&c->refcnt, 1, __ATOMIC_SEQ_CST);
	return c;
}

void
config_unref(struct config *c)
{
	if (c != NULL && __atomic_sub_fetch(&c->refcnt, 1, __ATOMIC_SEQ_CST) == 0)
		config_free(c);
}

void
config_describe(struct buf *out)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		buf_printf(out, "%-18s %s (default: %s)\n", cfg_keys[i].name,
		    cfg_keys[i].doc, *cfg_keys[i].def != '\0' ?
		    cfg_keys[i].def : "none");
}

/* Does key k hold the same value in a and b? */
static bool
same_value(const struct cfg_key *k, const struct config *a,
    const struct config *b)
{
	const void *fa = (const char *)a + k->offset;
	const void *fb = (const char *)b + k->offset;
	size_t i;

	switch (k->type) {
	case CFG_STRING: {
		const char *sa = *(char *const *)fa, *sb = *(char *const *)fb;

		return strcmp(sa != NULL ? sa : "", sb != NULL ? sb : "") == 0;
	}
	case CFG_BOOL:
		return *(const bool *)fa == *(const bool *)fb;
	case CFG_UINT:
		return *(const unsigned long *)fa == *(const unsigned long *)fb;
	case CFG_LOGLEVEL:
	case CFG_FACILITY:
	case CFG_ENUM:
		return *(const int *)fa == *(const int *)fb;
	case CFG_CANON:
		return a->hcanon == b->hcanon && a->bcanon == b->bcanon;
	case CFG_LIST: {
		const struct strlist *la = fa, *lb = fb;

		if (la->n != lb->n)
			return false;
		for (i = 0; i < la->n; i++)
			if (strcmp(la->v[i], lb->v[i]) != 0)
				return false;
		return true;
	}
	case CFG_CIDRS: {
		const struct cidr_list *ca = fa, *cb = fb;

		if (ca->n != cb->n)
			return false;
		for (i = 0; i < ca->n; i++)
			if (ca->v[i].family != cb->v[i].family ||
			    ca->v[i].prefix != cb->v[i].prefix ||
			    memcmp(ca->v[i].addr, cb->v[i].addr,
			    ca->v[i].family == AF_INET ? 4 : 16) != 0)
				return false;
		return true;
	}
	}
	return false;
}

int
config_restart_changes(const struct config *old, const struct config *new,
    struct buf *out)
{
	size_t i;
	int n = 0;

	for (i = 0; i < NKEYS; i++)
		if (!cfg_keys[i].reloadable &&
		    !same_value(&cfg_keys[i], old, new))
			buf_printf(out, "%s%s", n++ > 0 ? ", " : "",
			    cfg_keys[i].name);
	return n;
}

bool
config_reloadable(const char *name)
{
	const struct cfg_key *k = find_key(name);

	return k != NULL && k->reloadable;
}
