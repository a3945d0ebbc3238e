/* SPDX-License-Identifier: ISC */
/*
 * main.c - inkan-reports: writes the DMARC aggregate reports (RFC 9990)
 * for the rows the milter recorded (report_db.c), one per Policy Domain
 * and period, into a directory or mailed through sendmail.
 *   inkan-reports --db PATH --org-name NAME --email ADDR
 *       [--period-start EPOCH --period-end EPOCH | --yesterday]
 *       [--out-dir DIR | --sendmail CMD] [--dns-zone ZONEFILE]
 *       [--keep-days N] [--now EPOCH]
 * Default period: yesterday (UTC); default output: --out-dir ".".
 * --now sets the time of the run (default: the clock): "yesterday", the
 * --keep-days cut-off and the mail's Date are computed from it, so a test
 * gives the same answer whatever the date.
 * Afterwards rows older than N days (default 31; 0 keeps everything) are
 * deleted, reported or not, so the database does not grow for ever.
 * Rows of a domain are marked reported once every destination took the
 * report (so a failed one is retried next run with the same Report-ID
 * and file name, as RFC 9990 asks of a re-send), or skipped when the
 * record has no usable destination. Rows recorded after the run started
 * are left for the next run.
 * Exit: 0 done, 1 some report could not be written or sent, 2 usage.
 * Subcommands: "send" is the above (also with no subcommand, as before
 * there were others); "import" and "received" read the reports the
 * domains receive (received/import.c, received/summary.c).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns_unbound.h"
#include "err.h"
#include "received.h"
#include "report_db.h"
#include "reports.h"
#include "xml_text.h"

struct opts {
	const char	*db, *org_name, *email, *out_dir, *sendmail, *zone;
	const char	*submitter;	/* the domain of email */
	int64_t		 begin, end;
	int64_t		 keep_days;
	int64_t		 now;		/* --now, or time(NULL) */
};

static void
usage(void)
{
	fprintf(stderr, "usage: inkan-reports [send] --db PATH --org-name NAME "
	    "--email ADDR\n"
	    "    [--period-start EPOCH --period-end EPOCH | --yesterday]\n"
	    "    [--out-dir DIR | --sendmail CMD] [--dns-zone ZONEFILE]\n"
	    "    [--keep-days N] [--now EPOCH]\n"
	    "       inkan-reports import --db PATH [--now EPOCH] "
	    "[--metrics FILE]\n    [FILE|DIR|-]...\n"
	    "       inkan-reports received --db PATH --domain DOMAIN "
	    "[--days N]\n"
	    "    [--now EPOCH] [--ptr | --dns-zone ZONEFILE] "
	    "[--json | --html FILE]\n    [--metrics FILE]\n");
	exit(2);
}

static int64_t
num(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < 0)
		usage();
	return v;
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "org-name", required_argument, NULL, 'o' },
		{ "email", required_argument, NULL, 'e' },
		{ "period-start", required_argument, NULL, 's' },
		{ "period-end", required_argument, NULL, 'E' },
		{ "yesterday", no_argument, NULL, 'y' },
		{ "out-dir", required_argument, NULL, 'O' },
		{ "sendmail", required_argument, NULL, 'm' },
		{ "dns-zone", required_argument, NULL, 'z' },
		{ "keep-days", required_argument, NULL, 'k' },
		{ "now", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	bool yesterday = false, have_s = false, have_e = false;
	const char *at;
	int c;

	memset(o, 0, sizeof(*o));
	o->keep_days = 31;
	o->now = (int64_t)time(NULL);
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'o': o->org_name = optarg; break;
		case 'e': o->email = optarg; break;
		case 's': o->begin = num(optarg); have_s = true; break;
		case 'E': o->end = num(optarg); have_e = true; break;
		case 'y': yesterday = true; break;
		case 'O': o->out_dir = optarg; break;
		case 'm': o->sendmail = optarg; break;
		case 'z': o->zone = optarg; break;
		case 'k': o->keep_days = num(optarg); break;
		case 'n': o->now = num(optarg); break;
		default: usage();
		}
	}
	if (optind != argc || o->db == NULL || o->org_name == NULL ||
	    o->email == NULL || have_s != have_e || (have_s && yesterday) ||
	    (o->out_dir != NULL && o->sendmail != NULL) ||
	    (have_s && o->end < o->begin) || o->keep_days > 100000)
		usage();
	/* the receiver's domain, for the file name and the Subject */
	if ((at = strrchr(o->email, '@')) == NULL || at[1] == '\0' ||
	    strpbrk(o->email, " \t\r\n<>\"/") != NULL ||
	    !dns_name_valid(at + 1, strlen(at + 1))) {
		fprintf(stderr, "inkan-reports: --email: not an address\n");
		exit(2);
	}
	o->submitter = at + 1;
	if (!have_s) {
		int64_t today = o->now / 86400 * 86400;

		o->begin = today - 86400;
		o->end = today - 1;
	}
	if (o->out_dir == NULL && o->sendmail == NULL)
		o->out_dir = ".";
}

/*
 * No control characters (a line break would end the Subject field) and
 * valid UTF-8: rows recorded before report_db.c cleaned its values may
 * hold anything.
 */
static bool
header_safe(const char *s)
{
	struct buf b = BUF_INIT;
	size_t bad = xml_text_clean(&b, s, strlen(s));

	buf_free(&b);
	return bad == 0;
}

/* A line of diagnostics shows at most this many bytes of a value. */
#define NOTE_MAX	512

/*
 * Write s to f line by line, each line cleaned (xml_text_clean: no
 * control characters, valid UTF-8) and cut at NOTE_MAX bytes: the lines
 * quote values from the database, which must not reach a terminal or a
 * log raw.
 */
static void
print_clean(FILE *f, const char *s)
{
	struct buf b = BUF_INIT;
	const char *nl;
	size_t len;

	while (*s != '\0') {
		nl = strchr(s, '\n');
		len = nl != NULL ? (size_t)(nl - s) : strlen(s);
		buf_reset(&b);
		(void)xml_text_clean(&b, s, len < NOTE_MAX ? len : NOTE_MAX);
		fprintf(f, "%s%s\n", buf_str(&b), len > NOTE_MAX ? "..." : "");
		s += len + (nl != NULL);
	}
	buf_free(&b);
}

static int
one_int(sqlite3 *db, const char *sql, const struct report_sel *sel,
    int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sel != NULL) {
		sqlite3_bind_text(st, 1, sel->domain, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, sel->begin);
		sqlite3_bind_int64(st, 3, sel->end);
		sqlite3_bind_int64(st, 4, sel->maxid);
	}
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

#define WHERE	" WHERE state = 0 AND policy_domain = ?1 AND time >= ?2" \
		" AND time <= ?3 AND id <= ?4"

/* The rua= of the last row of the domain in the period (malloc'd) or NULL. */
static char *
last_rua(sqlite3 *db, const struct report_sel *sel)
{
	sqlite3_stmt *st;
	char *rua = NULL;

	if (sqlite3_prepare_v2(db, "SELECT rua FROM messages" WHERE
	    " ORDER BY time DESC, id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, sel->domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, sel->begin);
	sqlite3_bind_int64(st, 3, sel->end);
	sqlite3_bind_int64(st, 4, sel->maxid);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		rua = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rua;
}

static int
mark(sqlite3 *db, const struct report_sel *sel, int state)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "UPDATE messages SET state = ?5" WHERE, -1,
	    &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, sel->domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, sel->begin);
	sqlite3_bind_int64(st, 3, sel->end);
	sqlite3_bind_int64(st, 4, sel->maxid);
	sqlite3_bind_int(st, 5, state);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Write data to dir/name through a temporary file and rename. */
static int
write_file(const char *dir, const char *name, const struct buf *data,
    struct err *e)
{
	char path[4096], tmp[4200];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name);
	if ((fd = mkstemp(tmp)) == -1)
		return err_set(e, "%s: %s", tmp, strerror(errno));
	if (write(fd, data->data, data->len) != (ssize_t)data->len ||
	    fchmod(fd, 0644) == -1 || fsync(fd) == -1 || close(fd) == -1 ||
	    rename(tmp, path) == -1) {
		err_set(e, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Report one domain: 0 done (reported or skipped), 1 failed. */
static int
one_domain(sqlite3 *db, struct dns_resolver *res, const struct opts *o,
    struct report_sel *sel)
{
	struct buf xml = BUF_INIT, gz = BUF_INIT, notes = BUF_INIT,
	    msg = BUF_INIT;
	struct dest_list dl;
	struct err e = { "" };
	struct report_meta meta;
	char rid[64], fname[600];
	char *rua;
	int64_t minid;
	size_t i, nrec, nmsg, sent = 0, failed = 0;
	int ret = 1;

	rua = last_rua(db, sel);
	if (dest_resolve(res, sel->domain, rua, &dl, &notes, &e) == -1) {
		fprintf(stderr, "inkan-reports: %s: %s\n", sel->domain, e.msg);
		goto out;
	}
	if (notes.len > 0)
		print_clean(stderr, buf_str(&notes));
	if (dl.n == 0 && !dl.temperror) {
		printf("%s: no usable rua destination; %s\n", sel->domain,
		    rua == NULL ? "no rua=" : "rows skipped");
		ret = mark(db, sel, REPORT_DB_SKIPPED) == 0 ? 0 : 1;
		goto out;
	}
	if (one_int(db, "SELECT min(id) FROM messages" WHERE, sel, &minid) ==
	    -1)
		goto out;
	/* stable for a re-send of the same rows (RFC 9990 2.1.3) */
	snprintf(rid, sizeof(rid), "%lldr%lld", (long long)sel->begin,
	    (long long)minid);
	meta.org_name = o->org_name;
	meta.email = o->email;
	meta.report_id = rid;
	if (report_xml(db, sel, &meta, &xml, &nrec, &nmsg, &e) == -1) {
		fprintf(stderr, "inkan-reports: %s: %s\n", sel->domain, e.msg);
		goto out;
	}
	/*
	 * The schema wants at least one <record>: rows whose every source
	 * address is unusable make no report (and would make one invalid).
	 */
	if (nrec == 0) {
		printf("%s: no row with a usable source address; rows "
		    "skipped\n", sel->domain);
		ret = mark(db, sel, REPORT_DB_SKIPPED) == 0 ? 0 : 1;
		goto out;
	}
	if (report_gzip(xml.data, xml.len, &gz, &e) == -1) {
		fprintf(stderr, "inkan-reports: %s: %s\n", sel->domain, e.msg);
		goto out;
	}
	snprintf(fname, sizeof(fname), "%s!%s!%lld!%lld!%s.xml.gz",
	    o->submitter, sel->domain, (long long)sel->begin,
	    (long long)sel->end, rid);
	if (o->out_dir != NULL) {
		if (write_file(o->out_dir, fname, &gz, &e) == -1) {
			fprintf(stderr, "inkan-reports: %s\n", e.msg);
			goto out;
		}
		printf("%s: wrote %s: %zu records, %zu messages, for", sel->domain,
		    fname, nrec, nmsg);
		for (i = 0; i < dl.n; i++)
			printf(" %s%s", dl.d[i].addr, dl.d[i].limit != 0 &&
			    mail_b64_size(gz.len) > dl.d[i].limit ?
			    " (over its size limit)" : "");
		printf("\n");
		sent = 1;
	} else {
		struct mail_report m = { o->email, o->org_name, o->submitter,
		    sel->domain, rid, fname, (const unsigned char *)gz.data,
		    gz.len, (time_t)o->now };

		for (i = 0; i < dl.n; i++) {
			/* RFC 9990 "Transport": a URI whose limit is exceeded MUST NOT be used */
			if (dl.d[i].limit != 0 &&
			    mail_b64_size(gz.len) > dl.d[i].limit) {
				fprintf(stderr, "%s: report larger than its "
				    "limit: not sent\n", dl.d[i].addr);
				continue;
			}
			buf_reset(&msg);
			mail_build(&m, dl.d[i].addr, &msg);
			if (buf_failed(&msg) ||
			    mail_pipe(o->sendmail, &msg, &e) == -1) {
				fprintf(stderr, "inkan-reports: %s to %s: %s\n",
				    fname, dl.d[i].addr, buf_failed(&msg) ?
				    "out of memory" : e.msg);
				failed++;
				continue;
			}
			printf("%s: sent %s to %s\n", sel->domain, fname,
			    dl.d[i].addr);
			sent++;
		}
	}
	if (failed > 0 || dl.temperror)
		goto out;	/* kept pending: the next run sends it again */
	if (mark(db, sel, sent > 0 ? REPORT_DB_REPORTED : REPORT_DB_SKIPPED) ==
	    -1) {
		fprintf(stderr, "inkan-reports: %s: marking rows: %s\n",
		    sel->domain, sqlite3_errmsg(db));
		goto out;
	}
	ret = 0;
out:
	free(rua);
	buf_free(&xml);
	buf_free(&gz);
	buf_free(&notes);
	buf_free(&msg);
	return ret;
}

static struct dns_resolver *
open_resolver(const struct opts *o, struct err *e)
{
	struct dns_unbound_opts uo;

	if (o->zone != NULL)
		return dns_zone_open(o->zone, e);
	memset(&uo, 0, sizeof(uo));
	uo.query_timeout_ms = DEST_DNS_TIMEOUT_MS;
	return dns_unbound_new(&uo, e);
}

/*
 * Delete rows older than keep_days days (0: keep all). Rows that were
 * never reported by then are past any period a Report Consumer still
 * expects (RFC 9990 2.4 asks for daily reports).
 */
static int
prune(sqlite3 *db, int64_t keep_days, int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	if (keep_days == 0)
		return 0;
	if (sqlite3_prepare_v2(db, "DELETE FROM messages WHERE time < ?1",
	    -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "inkan-reports: pruning: %s\n",
		    sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_int64(st, 1, now - keep_days * 86400);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "inkan-reports: pruning: %s\n",
		    sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_changes(db) > 0)
		printf("removed %d rows older than %lld days\n",
		    sqlite3_changes(db), (long long)keep_days);
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct err e = { "" };
	struct report_db *rdb;
	struct dns_resolver *res;
	sqlite3 *db;
	sqlite3_stmt *st;
	struct report_sel sel;
	char **domains = NULL;
	size_t n = 0, i;
	int status = 0;

	if (argc > 1 && strcmp(argv[1], "import") == 0)
		return rcv_import_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "received") == 0)
		return rcv_received_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "send") == 0) {
		argc--;
		argv++;
	}
	parse_opts(argc, argv, &o);
	signal(SIGPIPE, SIG_IGN);	/* a sendmail that exits early */
	if ((rdb = report_db_open(o.db, &e)) == NULL) {
		fprintf(stderr, "inkan-reports: %s\n", e.msg);
		return 1;
	}
	db = report_db_handle(rdb);
	/* the milter's inserts are short; wait for them */
	sqlite3_busy_timeout(db, 10000);
	if ((res = open_resolver(&o, &e)) == NULL) {
		fprintf(stderr, "inkan-reports: DNS: %s\n", e.msg);
		report_db_close(rdb);
		return 1;
	}
	memset(&sel, 0, sizeof(sel));
	sel.begin = o.begin;
	sel.end = o.end;
	if (one_int(db, "SELECT coalesce(max(id), 0) FROM messages", NULL,
	    &sel.maxid) == -1 || sqlite3_prepare_v2(db,
	    "SELECT DISTINCT policy_domain FROM messages WHERE state = 0"
	    " AND time >= ?1 AND time <= ?2 AND id <= ?3 ORDER BY 1", -1, &st,
	    NULL) != SQLITE_OK) {
		fprintf(stderr, "inkan-reports: %s: %s\n", o.db,
		    sqlite3_errmsg(db));
		status = 1;
		goto out;
	}
	sqlite3_bind_int64(st, 1, sel.begin);
	sqlite3_bind_int64(st, 2, sel.end);
	sqlite3_bind_int64(st, 3, sel.maxid);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char **nd = reallocarray(domains, n + 1, sizeof(*domains));

		if (nd == NULL || (nd[n] = strdup((const char *)
		    sqlite3_column_text(st, 0))) == NULL) {
			domains = nd != NULL ? nd : domains;
			fprintf(stderr, "inkan-reports: out of memory\n");
			status = 1;
			break;
		}
		domains = nd;
		n++;
	}
	sqlite3_finalize(st);
	for (i = 0; i < n; i++) {
		/* the name goes into a file name and a Subject */
		if (!dns_name_valid(domains[i], strlen(domains[i])) ||
		    !header_safe(domains[i]) ||
		    strpbrk(domains[i], "/!\\ \t") != NULL) {
			struct buf note = BUF_INIT;

			buf_printf(&note, "inkan-reports: %s: not a domain "
			    "name; rows left", domains[i]);
			print_clean(stderr, buf_str(&note));
			buf_free(&note);
			continue;
		}
		sel.domain = domains[i];
		if (one_domain(db, res, &o, &sel) != 0)
			status = 1;
	}
	if (status == 0 && prune(db, o.keep_days, o.now) == -1)
		status = 1;
out:
	for (i = 0; i < n; i++)
		free(domains[i]);
	free(domains);
	dns_resolver_free(res);
	report_db_close(rdb);
	return status;
}
