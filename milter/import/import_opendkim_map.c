/* SPDX-License-Identifier: ISC */
/*
 * import_opendkim_map.c - what each OpenDKIM setting becomes in inkan, for
 * `inkan-milter --import-opendkim` (import_opendkim.c reads and prints).
 * Names and meanings are those of opendkim.conf(5) for OpenDKIM 2.11.
 *
 * Each translate_* function takes a group of settings that decide together
 * (Mode with the keys, Syslog with SyslogSuccess, ...) and either writes
 * inkan settings (imp_put), or says there is nothing to do (imp_note), or
 * that the setting does not carry over and why (imp_nottr). sweep() judges
 * whatever is left from the tables below.
 *
 * The keys (KeyTable, SigningTable, the single-key setup) are translated
 * in import_opendkim_keys.c.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "addr.h"
#include "cidr.h"
#include "err.h"
#include "hdr.h"
#include "import_opendkim_int.h"
#include "log.h"

#define IMP_TTL_MAX	(10UL * 366 * 86400)	/* signature_ttl's bound */

/*
 * Settings inkan needs nothing for: it behaves so already, or they tuned
 * OpenDKIM's own internals. Those whose meaning depends on the value are
 * handled by the translate_* functions instead.
 */
static const struct { const char *name, *why; } nothing_to_do[] = {
	{ "AllowSHA1Only", "inkan always has SHA-256" },
	{ "AutoRestart", "inkan-milter does not restart itself; "
	    "inkan-milter.service has Restart=on-failure" },
	{ "AutoRestartCount", "see AutoRestart" },
	/* Debian's stock opendkim.conf sets it: a note, not a failure */
	{ "PidFile", "inkan-milter.service needs no PID file: systemd "
	    "tracks the process itself (ExecReload sends SIGHUP to "
	    "$MAINPID)" },
	{ "AutoRestartRate", "see AutoRestart" },
	{ "DisableCryptoInit", "an OpenDKIM internal" },
	{ "DNSConnect", "an OpenDKIM resolver internal" },
	{ "EnableCoredumps", "an OpenDKIM debugging aid" },
	{ "ExternalIgnoreList", "it only silenced an OpenDKIM log message "
	    "that inkan does not write" },
	{ "LogResults", "inkan logs one line per message with its results" },
	{ "LogWhy", "inkan's line per message says why it signed or verified" },
	{ "MilterDebug", "an OpenDKIM debugging aid" },
	{ "QueryCache", "inkan's resolver (libunbound) caches" },
	{ "ResolverTracing", "an OpenDKIM debugging aid" },
	{ "SoftStart", "inkan uses no LDAP or SQL server" },
	{ "StrictTestMode", "only for opendkim -t" },
	{ "TemporaryDirectory", "inkan writes no temporary files" },
};

/* Settings inkan has nothing like, with the reason when there is more to say. */
static const struct { const char *name, *why; } no_equivalent[] = {
	{ "ChangeRootDirectory", "inkan-milter does not chroot; "
	    "inkan-milter.service confines it (ProtectSystem=strict)" },
	{ "PeerList", "write its addresses and networks into peer_hosts "
	    "(host names and ! entries have no equivalent there)" },
	{ "SoftwareHeader", "inkan adds no header field naming itself" },
	{ "X-Header", "inkan adds no header field naming itself" },
	{ "SyslogName", "inkan logs as inkan-milter" },
	{ "RemoveOldSignatures", "inkan keeps existing signatures" },
	{ "ResolverConfiguration", "inkan has dns_forwarders and "
	    "dns_trust_anchor instead of an unbound.conf" },
	{ "Quarantine", "inkan holds mail only for DMARC p=quarantine" },
	{ "RedirectFailuresTo", "inkan never redirects mail" },
	{ "SendReports", "inkan sends no DKIM failure reports; DMARC "
	    "aggregate reports: inkan-reports(8)" },
	{ "On-Default", "inkan's answers are fixed per case "
	    "(inkan-milter(8)); DMARC and SPF settings choose the rest" },
	{ "On-Security", "inkan has no such category" },
	{ "RemoveARFrom", "inkan deletes Authentication-Results fields that "
	    "claim its own authserv_id only" },
	{ "RemoveARAll", "see RemoveARFrom" },
};

/* Every setting of OpenDKIM 2.11 (opendkim.conf(5)) not named elsewhere. */
static const char *const known[] = {
	"AuthservIDWithJobID", "BodyLengthDB", "BogusKey",
	"CaptureUnknownErrors", "ClockDrift", "Diagnostics",
	"DiagnosticDirectory", "DomainKeysCompat", "DontSignMailTo",
	"ExemptDomains", "FinalPolicyScript", "FixCRLF", "IdentityHeader",
	"IdentityHeaderRemove", "IgnoreMalformedMail", "KeepTemporaryFiles",
	"LDAPAuthMechanism", "LDAPAuthName", "LDAPAuthRealm", "LDAPAuthUser",
	"LDAPBindPassword", "LDAPBindUser", "LDAPDisableCache",
	"LDAPKeepaliveIdle", "LDAPKeepaliveInterval", "LDAPKeepaliveProbes",
	"LDAPTimeout", "LDAPUseTLS", "MaximumHeaders", "MaximumSignedBytes",
	"MTACommand", "Minimum", "MustBeSigned", "POPDBFile",
	"ReplaceHeaders", "ReplaceRules", "ReportAddress", "ReportBccAddress",
	"RequestReports", "RequiredHeaders", "ResignAll", "ResignMailTo",
	"ScreenPolicyScript", "SelectCanonicalizationHeader", "SenderHeaders",
	"SenderMacro", "SetupPolicyScript", "SMTPURI", "Statistics",
	"StatisticsName", "StatisticsPolicyScript", "StatisticsPrefix",
	"StrictHeaders", "TestDNSData", "TestPublicKeys",
	"TrustSignaturesFrom", "UnprotectedKey", "VBR-Certifiers",
	"VBR-PurgeFields", "VBR-TrustedCertifiers",
	"VBR-TrustedCertifiersOnly", "VBR-Type", "WeakSyntaxChecks",
};

/* ---- the translations ------------------------------------------------- */

/* The socket of inkan-milter.service, in its RuntimeDirectory=inkan. */
#define INKAN_UNIT_SOCKET_PATH	"/run/inkan/inkan.sock"
#define INKAN_UNIT_SOCKET	"unix:" INKAN_UNIT_SOCKET_PATH

/*
 * A unix socket (local:, unix: or a bare path) in OpenDKIM's runtime
 * directory, /run/opendkim (or /var/run/opendkim, its older name), as
 * Debian's opendkim package makes it.
 */
static bool
opendkim_rundir(const char *v)
{
	static const char *const dirs[] = {
		"/run/opendkim/", "/var/run/opendkim/",
	};
	size_t i;

	if (strncmp(v, "local:", 6) == 0)
		v += 6;
	else if (strncmp(v, "unix:", 5) == 0)
		v += 5;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (strncmp(v, dirs[i], strlen(dirs[i])) == 0 &&
		    strchr(v + strlen(dirs[i]), '/') == NULL)
			return true;
	return false;
}

static void
translate_process(struct imp *im)
{
	struct ent *x;
	bool b;

	if ((x = imp_get(im, "Socket")) != NULL) {
		const char *v = x->value;

		if (opendkim_rundir(v)) {
			/*
			 * OpenDKIM's runtime directory (Debian's stock
			 * opendkim.conf): inkan-milter.service can write only
			 * its own, /run/inkan, so the socket moves there.
			 */
			imp_put(im, "socket", INKAN_UNIT_SOCKET, x);
			imp_advise(im, "socket", "OpenDKIM's socket directory is "
			    "not writable by inkan-milter.service, which makes "
			    "/run/inkan (its RuntimeDirectory) instead: change "
			    "Postfix's smtpd_milters (and non_smtpd_milters) to "
			    "unix:" INKAN_UNIT_SOCKET_PATH " and put postfix in "
			    "group inkan (usermod -aG inkan postfix).");
		} else if (*v == '/') {
			struct buf s = BUF_INIT;

			/* libmilter takes a bare path too; inkan wants a prefix */
			buf_printf(&s, "local:%s", v);
			imp_put(im, "socket", buf_str(&s), x);
			buf_free(&s);
		} else if (strncmp(v, "local:", 6) == 0 ||
		    strncmp(v, "unix:", 5) == 0 || strncmp(v, "inet:", 5) == 0 ||
		    strncmp(v, "inet6:", 6) == 0)
			imp_put(im, "socket", v, x);	/* both use libmilter's syntax */
		else
			imp_nottr(im, x, "not a socket libmilter understands");
		if (x->state == ENT_USED && *v != 'i' && !opendkim_rundir(v))
			imp_advise(im, "socket", "The directory must exist and be "
			    "writable by the user that starts inkan-milter. "
			    "inkan-milter.service makes /run/inkan: there, use "
			    "unix:/run/inkan/inkan.sock and name it in Postfix's "
			    "smtpd_milters.");
	}
	if ((x = imp_get(im, "UserID")) != NULL) {
		char *user = imp_strdup(im, x->value), *group;
		struct passwd *pw;
		struct group *gr;

		if (user == NULL)
			return;
		if ((group = strchr(user, ':')) != NULL)
			*group++ = '\0';
		pw = getpwnam(user);
		gr = pw != NULL ? getgrgid(pw->pw_gid) : NULL;
		imp_put(im, "user", user, x);
		imp_advise(im, "user", "inkan-milter.service starts inkan-milter as "
		    "user inkan already: leave user unset there.");
		if (group != NULL && (gr == NULL || strcmp(gr->gr_name,
		    group) != 0))
			imp_nottr(im, x, "inkan runs with the user's own group and "
			    "supplementary groups; group %s is not %s's group%s",
			    group, user, pw == NULL ? " (no such user here)" : "");
		free(user);
	}
	if ((x = imp_get(im, "UMask")) != NULL) {
		char *end;
		long m = strtol(x->value, &end, 0);	/* OpenDKIM's base */
		const struct ent *s = imp_get(im, "Socket");
		bool unix_sock = s != NULL && strncmp(s->value, "inet", 4) != 0;

		if (*end != '\0' || m < 0 || m > 0777)
			imp_nottr(im, x, "not a umask");
		else if (!unix_sock || (m & 0060) == 0)
			imp_note(im, x, "with user set, inkan gives a local socket "
			    "mode 0660 (put the MTA's user in that user's group); "
			    "inkan-milter.service sets UMask=0007");
		else
			imp_nottr(im, x, "inkan gives a local socket mode 0660 when "
			    "user is set: its group may connect");
	}
	if ((x = imp_get(im, "Background")) != NULL) {
		if (imp_bool(x, &b) == -1)
			imp_nottr(im, x, "not a boolean");
		else if (b)
			imp_note(im, x, "inkan-milter detaches unless started with -f");
		else
			imp_nottr(im, x, "start inkan-milter with -f to keep it in "
			    "the foreground (inkan-milter.service does)");
	}
	if ((x = imp_get(im, "BaseDirectory")) != NULL)
		imp_nottr(im, x, "inkan-milter does not change directory: give "
		    "absolute paths");
}

static void
translate_logging(struct imp *im)
{
	struct ent *sys = imp_get(im, "Syslog"), *succ = imp_get(im, "SyslogSuccess");
	struct ent *fac = imp_get(im, "SyslogFacility");
	bool on = false, b;

	if (sys != NULL) {
		if (imp_bool(sys, &on) == -1)
			imp_nottr(im, sys, "not a boolean");
		else if (on)
			imp_put(im, "log", "syslog", sys);
		else {
			imp_put(im, "log_level", "error", sys);
			imp_advise(im, "log_level", "inkan always logs errors.");
		}
	}
	if (succ != NULL) {
		if (imp_bool(succ, &b) == -1)
			imp_nottr(im, succ, "not a boolean");
		else if (!on)
			imp_note(im, succ, "no effect without Syslog");
		else if (b) {
			imp_put(im, "log_level", "info", succ);
			imp_advise(im, "log_level", "info: one line for every message "
			    "signed or verified.");
		} else {
			imp_put(im, "log_level", "warning", succ);
			imp_advise(im, "log_level", "warning: problems only; info "
			    "adds one line for every message.");
		}
	}
	if (fac != NULL) {
		int f;

		if (strcasecmp(fac->value, "mail") == 0)
			imp_note(im, fac, "mail is inkan's default facility");
		else if (log_facility_parse(fac->value, &f) == 0)
			imp_put(im, "syslog_facility", log_facility_name(f), fac);
		else
			imp_nottr(im, fac, "syslog_facility takes "
			    LOG_FACILITY_NAMES);
	}
}

/* InternalHosts entries: addresses and CIDR; "localhost" becomes both. */
static void
translate_hosts(struct imp *im)
{
	struct ent *x = imp_get(im, "InternalHosts");
	struct strlist in = STRLIST_INIT, ok = STRLIST_INIT, skipped = STRLIST_INIT;
	char why[512];
	const char *bad;
	size_t i;

	if (x == NULL)
		return;
	if ((bad = imp_dataset(x->value, &in, why, sizeof(why))) != NULL) {
		imp_nottr(im, x, "%s", bad);
		goto out;
	}
	for (i = 0; i < in.n; i++) {
		char *h = in.v[i], *end;
		struct cidr c;
		struct err e;

		if (strcasecmp(h, "localhost") == 0) {
			if ((!strlist_has(&ok, "127.0.0.1") &&
			    strlist_add(&ok, "127.0.0.1", 9) == -1) ||
			    (!strlist_has(&ok, "::1") && strlist_add(&ok, "::1", 3) == -1))
				im->nomem = true;
			continue;
		}
		/* OpenDKIM allows [brackets] around the address */
		if (*h == '[' && (end = strchr(h, ']')) != NULL) {
			memmove(end, end + 1, strlen(end + 1) + 1);
			h++;
		}
		if (*h != '!' && cidr_parse(h, &c, &e) == 0) {
			if (!strlist_has(&ok, h) && strlist_add(&ok, h, strlen(h)) == -1)
				im->nomem = true;
		} else if (strlist_add(&skipped, in.v[i], strlen(in.v[i])) == -1)
			im->nomem = true;
	}
	if (ok.n > 0) {
		char *v = strlist_join(&ok);

		if (v == NULL)
			im->nomem = true;
		else
			imp_put(im, "internal_hosts", v, x);
		free(v);
	}
	if (skipped.n > 0) {
		char *v = strlist_join(&skipped);

		imp_nottr(im, x, "inkan's internal_hosts takes addresses and "
		    "networks only, not host names or '!' exceptions: left out "
		    "%.*s%s", IMP_MAX_SHOW, v != NULL ? v : "",
		    v != NULL && strlen(v) > IMP_MAX_SHOW ? "..." : "");
		free(v);
		if (ok.n == 0)
			imp_advise(im, "internal_hosts", "(default 127.0.0.1, ::1)");
	}
out:
	strlist_free(&in);
	strlist_free(&ok);
	strlist_free(&skipped);
}

/* MTA and MacroList's daemon_name=A|B both name the MTA services that sign. */
static void
translate_daemons(struct imp *im)
{
	struct ent *mta = imp_get(im, "MTA"), *ml = imp_get(im, "MacroList");
	struct strlist d = STRLIST_INIT, items = STRLIST_INIT;
	char why[512];
	const char *bad;
	size_t i;

	if (mta != NULL) {
		if ((bad = imp_dataset(mta->value, &d, why, sizeof(why))) != NULL)
			imp_nottr(im, mta, "%s", bad);
	}
	if (ml != NULL) {
		if ((bad = imp_dataset(ml->value, &items, why, sizeof(why))) != NULL)
			imp_nottr(im, ml, "%s", bad);
		for (i = 0; bad == NULL && i < items.n; i++) {
			char *v = items.v[i], *eq = strchr(v, '='), *p;

			if (eq == NULL || strncmp(v, "daemon_name=", 12) != 0) {
				imp_nottr(im, ml, "inkan looks only at daemon_name, and "
				    "only for given values (sign_daemons)");
				break;
			}
			for (p = eq + 1; *p != '\0';) {
				size_t len = strcspn(p, "|");

				if (len > 0 && strlist_add(&d, p, len) == -1)
					im->nomem = true;
				p += len;
				p += *p == '|';
			}
		}
	}
	if (d.n > 0) {
		char *v = strlist_join(&d);

		if (v == NULL)
			im->nomem = true;
		else {
			if (mta != NULL && mta->state == ENT_UNUSED)
				imp_put(im, "sign_daemons", v, mta);
			if (ml != NULL && ml->state == ENT_UNUSED)
				imp_put(im, "sign_daemons", v, ml);
		}
		free(v);
	}
	strlist_free(&d);
	strlist_free(&items);
}

/* Header field lists; NULL and x not translated if one is not a name. */
static bool
field_list(struct imp *im, struct ent *x, struct strlist *l)
{
	char why[512];
	const char *bad;
	size_t i;

	if ((bad = imp_dataset(x->value, l, why, sizeof(why))) != NULL) {
		imp_nottr(im, x, "%s", bad);
		return false;
	}
	for (i = 0; i < l->n; i++) {
		const char *n = l->v[i];

		if (i == 0 && strcmp(n, "*") == 0)
			continue;
		if (*n == '+' || *n == '-')
			n++;
		if (!hdr_name_valid(n)) {
			imp_nottr(im, x, "'%s' is not a header field name", l->v[i]);
			return false;
		}
	}
	return true;
}

/*
 * SignHeaders and OmitHeaders. "*" first in either list means the default
 * and the rest change it: "*,+X" adds X, "*,-X" takes it away
 * (opendkim.conf(5), OmitHeaders). The default signed list here is
 * inkan's own, which covers what OpenDKIM's did.
 */
static void
translate_headers(struct imp *im, const struct strlist *defaults)
{
	struct ent *sh = imp_get(im, "SignHeaders"), *om = imp_get(im, "OmitHeaders");
	struct ent *ov = imp_get(im, "OversignHeaders");
	struct strlist sign = STRLIST_INIT, l = STRLIST_INIT;
	bool changed = false;
	size_t i;

	for (i = 0; i < defaults->n; i++)
		if (strlist_add(&sign, defaults->v[i], strlen(defaults->v[i])) == -1)
			im->nomem = true;
	if (sh != NULL && field_list(im, sh, &l)) {
		bool delta = l.n > 0 && strcmp(l.v[0], "*") == 0;

		if (!delta)
			strlist_free(&sign);
		for (i = delta ? 1 : 0; i < l.n; i++) {
			const char *n = l.v[i];

			if (*n == '-')
				strlist_remove(&sign, n + 1);
			else if (!strlist_has(&sign, n + (*n == '+')) &&
			    strlist_add(&sign, n + (*n == '+'),
			    strlen(n + (*n == '+'))) == -1)
				im->nomem = true;
		}
		changed = true;
	}
	strlist_free(&l);
	if (om != NULL && field_list(im, om, &l)) {
		for (i = 0; i < l.n; i++) {
			const char *n = l.v[i];

			/* "*" and "-X" only add to what is not signed anyway */
			if (strcmp(n, "*") == 0 || *n == '-')
				continue;
			n += *n == '+';
			if (strcasecmp(n, "From") != 0 && strlist_has(&sign, n)) {
				strlist_remove(&sign, n);
				changed = true;
			}
		}
		if (!changed)
			imp_note(im, om, "inkan does not sign these fields anyway");
	}
	strlist_free(&l);
	/* RFC 6376 5.4: From must be signed; OpenDKIM adds it too */
	if (!strlist_has(&sign, "From") && strlist_add(&sign, "From", 4) == -1)
		im->nomem = true;
	if (changed) {
		char *v = strlist_join(&sign);

		if (v == NULL)
			im->nomem = true;
		else if (sh != NULL && sh->state == ENT_UNUSED)
			imp_put(im, "sign_headers", v, sh);
		if (v != NULL && om != NULL && om->state == ENT_UNUSED)
			imp_put(im, "sign_headers", v, om);
		free(v);
	}
	strlist_free(&sign);
	if (ov != NULL && field_list(im, ov, &l)) {
		char *v = strlist_join(&l);

		if (v == NULL)
			im->nomem = true;
		else if (l.n > 0 && strcmp(l.v[0], "*") == 0)
			imp_nottr(im, ov, "'*' means nothing for OversignHeaders");
		else
			imp_put(im, "oversign_headers", v, ov);
		free(v);
	}
	strlist_free(&l);
}

static void
translate_signing(struct imp *im, const struct strlist *defaults)
{
	struct ent *x;
	char *end;

	if ((x = imp_get(im, "Canonicalization")) != NULL) {
		char v[32];
		size_t i;

		for (i = 0; x->value[i] != '\0' && i < sizeof(v) - 1; i++)
			v[i] = (char)tolower((unsigned char)x->value[i]);
		v[i] = '\0';
		if (strcmp(v, "simple") == 0 || strcmp(v, "relaxed") == 0 ||
		    strcmp(v, "simple/simple") == 0 ||
		    strcmp(v, "simple/relaxed") == 0 ||
		    strcmp(v, "relaxed/simple") == 0 ||
		    strcmp(v, "relaxed/relaxed") == 0)
			imp_put(im, "canonicalization", v, x);
		else
			imp_nottr(im, x, "expected simple or relaxed, or two of them "
			    "as header/body");
	} else
		imp_comment(&im->extra, "OpenDKIM's default canonicalization was "
		    "simple/simple; inkan's is relaxed/relaxed, which survives "
		    "more relays.");
	translate_headers(im, defaults);
	if ((x = imp_get(im, "SignatureTTL")) != NULL) {
		unsigned long n;

		errno = 0;
		n = strtoul(x->value, &end, 10);
		if (*x->value == '\0' || *x->value == '-' || *end != '\0' ||
		    errno != 0 || n > IMP_TTL_MAX)
			imp_nottr(im, x, "expected seconds from 0 to %lu", IMP_TTL_MAX);
		else
			imp_put(im, "signature_ttl", x->value, x);
	}
	if ((x = imp_get(im, "RequireSafeKeys")) != NULL) {
		bool b;

		if (imp_bool(x, &b) == 0 && b)
			imp_note(im, x, "inkan refuses key files that group or "
			    "others can read");
		else
			imp_nottr(im, x, "inkan always refuses key files that group "
			    "or others can read");
	}
}

/* On-* actions: a for accept, t for tempfail, and so on. */
static const char *
action(const char *v)
{
	static const char *const full[] = { "accept", "discard", "quarantine",
	    "reject", "tempfail" };
	size_t i;

	for (i = 0; i < NELEM(full); i++)
		if (strcasecmp(v, full[i]) == 0 ||
		    (v[0] == full[i][0] && v[1] == '\0'))
			return full[i];
	return NULL;
}

static void
translate_verify(struct imp *im)
{
	static const char *const accepted[] = { "On-BadSignature",
	    "On-NoSignature", "On-KeyNotFound" };
	struct ent *x;
	const char *a;
	bool b;
	size_t i;

	if ((x = imp_get(im, "AuthservID")) != NULL) {
		if (strcmp(x->value, "HOSTNAME") == 0)
			imp_note(im, x, "inkan uses the host name by default");
		else
			imp_put(im, "authserv_id", x->value, x);
	}
	if ((x = imp_get(im, "MaximumSignaturesToVerify")) != NULL) {
		char *end;
		long n = strtol(x->value, &end, 0);

		if (*end == '\0' && n >= 1 && n <= 32)
			imp_put(im, "max_signatures", x->value, x);
		else
			imp_nottr(im, x, "inkan verifies from 1 to 32 signatures "
			    "(max_signatures)");
	}
	if ((x = imp_get(im, "MinimumKeyBits")) != NULL) {
		if (strcmp(x->value, "1024") == 0)
			imp_note(im, x, "inkan ignores keys under 1024 bits "
			    "(RFC 8301)");
		else
			imp_nottr(im, x, "inkan's minimum is 1024 bits (RFC 8301), "
			    "not a setting");
	}
	if ((x = imp_get(im, "AlwaysAddARHeader")) != NULL)
		imp_note(im, x, "inkan adds Authentication-Results to every "
		    "message it verifies");
	if ((x = imp_get(im, "KeepAuthResults")) != NULL) {
		if (imp_bool(x, &b) == 0 && !b)
			imp_note(im, x, "inkan deletes forged Authentication-Results "
			    "too");
		else
			imp_nottr(im, x, "inkan always deletes Authentication-Results "
			    "that claim its authserv_id (RFC 8601 5)");
	}
	if ((x = imp_get(im, "NoHeaderB")) != NULL) {
		if (imp_bool(x, &b) == 0 && !b)
			imp_note(im, x, "inkan writes header.b too");
		else
			imp_nottr(im, x, "inkan always writes header.b (RFC 6008)");
	}
	for (i = 0; i < NELEM(accepted); i++) {
		if ((x = imp_get(im, accepted[i])) == NULL)
			continue;
		if ((a = action(x->value)) != NULL && strcmp(a, "accept") == 0)
			imp_note(im, x, "inkan refuses mail only for DMARC policy "
			    "(and SPF fail with spf_reject_fail)");
		else
			imp_nottr(im, x, "inkan does not act on DKIM results alone; "
			    "the sender's DMARC policy decides");
	}
	if ((x = imp_get(im, "On-InternalError")) != NULL) {
		if ((a = action(x->value)) != NULL && strcmp(a, "tempfail") == 0)
			imp_note(im, x, "inkan tempfails on internal errors");
		else
			imp_nottr(im, x, "inkan always tempfails on internal errors");
	}
	if ((x = imp_get(im, "On-SignatureError")) != NULL) {
		if ((a = action(x->value)) != NULL && strcmp(a, "accept") == 0)
			imp_note(im, x, "inkan passes mail it cannot sign, and logs why");
		else
			imp_nottr(im, x, "inkan never refuses mail it cannot sign; it "
			    "passes it unsigned and logs why");
	}
	if ((x = imp_get(im, "On-DNSError")) != NULL) {
		if ((a = action(x->value)) != NULL && strcmp(a, "accept") == 0) {
			imp_put(im, "dmarc_tempfail_on_temperror", "no", x);
			imp_advise(im, "dmarc_tempfail_on_temperror", "DNS errors "
			    "never refuse mail (spf_tempfail_on_temperror is no "
			    "by default).");
		} else
			imp_nottr(im, x, "a DKIM key lookup that fails gives "
			    "dkim=temperror; inkan tempfails only when the DMARC "
			    "policy cannot be looked up "
			    "(dmarc_tempfail_on_temperror)");
	}
}

static void
translate_dns(struct imp *im)
{
	struct ent *x;

	if ((x = imp_get(im, "TrustAnchorFile")) != NULL)
		imp_put(im, "dns_trust_anchor", x->value, x);
	if ((x = imp_get(im, "Nameservers")) != NULL) {
		struct strlist l = STRLIST_INIT;
		struct cidr c;
		struct err e;
		size_t i;

		if (strlist_split(&l, x->value, ",") == -1)
			im->nomem = true;
		for (i = 0; i < l.n; i++)
			if (strchr(l.v[i], '/') != NULL ||
			    cidr_parse(l.v[i], &c, &e) == -1)
				break;
		if (l.n == 0 || i < l.n)
			imp_nottr(im, x, "expected IP addresses separated by commas");
		else {
			char *v = strlist_join(&l);

			if (v != NULL)
				imp_put(im, "dns_forwarders", v, x);
			free(v);
		}
		strlist_free(&l);
	}
	if ((x = imp_get(im, "DNSTimeout")) != NULL) {
		char *end, ms[32];
		long n = strtol(x->value, &end, 0);

		if (*end != '\0' || n < 1 || n > 20)
			imp_nottr(im, x, "inkan's dns_timeout is 0.1 to 20 seconds");
		else {
			snprintf(ms, sizeof(ms), "%ld", n * 1000);
			imp_put(im, "dns_timeout", ms, x);
			imp_advise(im, "dns_timeout", "inkan counts milliseconds.");
			/* all lookups of a message must fit in the budget */
			if (n * 1000 > 10000)
				imp_put(im, "dns_budget", ms, NULL);
		}
	}
}

/* Whatever no translate_* function took. */
static void
sweep(struct imp *im)
{
	size_t i, j;

	for (i = 0; i < im->n; i++) {
		struct ent *x = &im->e[i];

		if (x->state != ENT_UNUSED)
			continue;
		if (x->overridden) {
			imp_note(im, x, "set again later; the last one counts");
			continue;
		}
		if (*x->value == '\0') {
			imp_nottr(im, x, "no value (opendkim refuses this)");
			continue;
		}
		for (j = 0; j < NELEM(nothing_to_do); j++)
			if (strcasecmp(x->name, nothing_to_do[j].name) == 0)
				break;
		if (j < NELEM(nothing_to_do)) {
			imp_note(im, x, "%s", nothing_to_do[j].why);
			continue;
		}
		for (j = 0; j < NELEM(no_equivalent); j++)
			if (strcasecmp(x->name, no_equivalent[j].name) == 0)
				break;
		if (j < NELEM(no_equivalent)) {
			imp_nottr(im, x, "%s", no_equivalent[j].why);
			continue;
		}
		for (j = 0; j < NELEM(known); j++)
			if (strcasecmp(x->name, known[j]) == 0)
				break;
		if (j < NELEM(known) || strncasecmp(x->name, "On-", 3) == 0)
			imp_nottr(im, x, "inkan has no equivalent");
		else
			imp_nottr(im, x, "not an OpenDKIM 2.11 setting");
	}
}

int
imp_translate(struct imp *im, const struct strlist *defaults)
{
	int rc;

	translate_process(im);
	translate_logging(im);
	rc = import_opendkim_keys_translate(im);
	translate_hosts(im);
	translate_daemons(im);
	translate_signing(im, defaults);
	translate_verify(im);
	translate_dns(im);
	sweep(im);
	return rc;
}
