/* SPDX-License-Identifier: ISC */
/*
 * fill_db.c - writes the fixed rows tests/reports/run.sh reports on into
 * the report database given as argument, through report_db_record (the
 * milter's own call). The period is 1000000000..1000086399.
 *   example.com  rua inside the domain: 3 records, 5 messages in the period,
 *                one more message before it
 *   example.org  rua at thirdparty.example (external): 1 record, 2 messages
 *   norua.example no rua=: no report
 * With a second argument "hostile", rows with hostile values in every
 * field instead (invalid UTF-8, controls, markup, noncharacters, overlong
 * forms, encoded surrogates, long values, and valid non-ASCII that must
 * survive):
 *   hostile.example  through report_db_record (cleaned when recorded)
 *   raw.example      inserted by SQL as they are, NUL bytes included, as
 *                    an older inkan or another program may have left
 *                    them: the report writer alone must cope
 *   bad-rua.example  a hostile rua=: no report, no crash
 *   noip.example     no row with a usable source address: no report
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "err.h"
#include "report_db.h"

#define T0	1000000000

/* A hostile value: its bytes and length (NUL bytes count). */
struct hv {
	const char	*s;
	size_t		 len;
};
#define HV(lit)	{ lit, sizeof(lit) - 1 }

static const struct hv hostile[] = {
	HV("x@inj.test\xff\xfe"),		/* the MAIL FROM */
	HV("inj.test\xff\xfe"),
	HV("\x01\x02\x08\x0b\x0c\x1b\x1f\x7f"),	/* C0 controls, DEL */
	HV("tab\there\r\nline"),
	HV("]]><![CDATA[x]]>"),
	HV("a<b>&amp;c\"d'e</header_from><x/>"),
	HV("<!-- -->&#0;&#xfffe;&bogus;"),
	HV("nonchar\xef\xbf\xbe\xef\xbf\xbf"),	/* U+FFFE, U+FFFF */
	HV("overlong\xc0\xbc\xc0\x80\xe0\x80\xbc\xf0\x80\x80\xbc"),
	HV("surrogate\xed\xa0\x80\xed\xbf\xbf"),	/* U+D800, U+DFFF */
	HV("toolarge\xf4\x90\x80\x80\xf8\x88\x80\x80\x80"),
	HV("cut\xe2\x82"),
	HV("\xc3"),
	HV("\xe2\x80\xa8\xc2\x85\xc2\x9f"),	/* U+2028, NEL, C1 */
	HV(""),
	/* valid UTF-8 that must survive: an IDN U-label, CJK, an emoji */
	HV("b\xc3\xbc" "cher.example"),
	HV("\xe4\xbe\x8b\xe3\x81\x88.\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88"),
	HV("mail\xf0\x9f\x93\xa7.example"),
};
/* NUL bytes: only SQL can store them (report_row holds C strings) */
static const struct hv nul_values[] = {
	HV("nul\0inside"),
	HV("\0"),
	HV("\0\xff<\0&"),
};

#define LONG_LEN	70000	/* far over any buffer of the writer */

/* A long value: a pattern of markup, bad bytes and a U-label. */
static char *
long_value(void)
{
	static const char pat[] = "<&]]>\xff\x01" "b\xc3\xbc";
	char *v;
	size_t i;

	if ((v = malloc(LONG_LEN + 1)) == NULL)
		return NULL;
	for (i = 0; i < LONG_LEN; i++)
		v[i] = pat[i % (sizeof(pat) - 1)];
	v[LONG_LEN] = '\0';
	return v;
}

/* Rows for hostile.example, bad-rua.example, noip.example. */
static void
record_hostile(struct report_db *db, const char *longv)
{
	struct report_dkim dk[3];
	struct report_row r;
	size_t i, n = sizeof(hostile) / sizeof(hostile[0]);

	for (i = 0; i <= n; i++) {
		const char *v = i < n ? hostile[i].s : longv;

		memset(&r, 0, sizeof(r));
		dk[0].domain = dk[0].selector = dk[0].result = v;
		dk[1].domain = "example.com";
		dk[1].selector = v;
		dk[1].result = "pass";
		dk[2].domain = v;
		dk[2].selector = "s1";
		dk[2].result = "fail";
		r.when = T0 + 1000 + (time_t)i;
		r.source_ip = i % 2 == 0 ? "192.0.2.77" : "2001:db8::77";
		r.header_from = r.envelope_from = v;
		r.policy_domain = "hostile.example";
		r.p = r.sp = r.np = r.fo = r.discovery = v;
		r.dmarc = r.disposition = r.override = v;
		r.adkim_strict = r.aspf_strict = r.testing = i % 2 == 0;
		r.spf_domain = i % 3 == 0 ? NULL : v;
		r.spf_result = v;
		r.dkim = dk;
		r.ndkim = 3;
		r.rua = "mailto:dmarc@hostile.example";
		report_db_record(db, &r);
		/* the address itself hostile: the row is left out */
		r.source_ip = v;
		report_db_record(db, &r);
		r.policy_domain = "noip.example";
		r.rua = "mailto:dmarc@noip.example";
		report_db_record(db, &r);
		r.policy_domain = "bad-rua.example";
		r.source_ip = "192.0.2.78";
		r.rua = v;
		report_db_record(db, &r);
		/* a hostile Policy Domain: refused, the others go on */
		r.policy_domain = v;
		r.rua = "mailto:dmarc@hostile.example";
		report_db_record(db, &r);
	}
}

/* Rows for raw.example written by SQL, the bytes as they are. */
static int
insert_raw(struct report_db *rdb, const char *longv)
{
	static const char sql[] = "INSERT INTO messages (time, source_ip,"
	    " header_from, envelope_from, policy_domain, p, sp, np, adkim,"
	    " aspf, testing, fo, discovery, dmarc, disposition, override,"
	    " dkim_aligned, spf_aligned, spf_domain, spf_result, dkim, rua)"
	    " VALUES (?1, ?2, ?3, ?3, 'raw.example', ?3, ?3, ?3, ?3, ?3, ?3,"
	    " ?3, ?3, ?3, ?3, ?3, 0, 1, ?4, ?3, ?5,"
	    " 'mailto:dmarc@raw.example')";
	sqlite3 *db = report_db_handle(rdb);
	sqlite3_stmt *st;
	size_t i, nh = sizeof(hostile) / sizeof(hostile[0]),
	    nn = sizeof(nul_values) / sizeof(nul_values[0]);
	int rc = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	for (i = 0; i <= nh + nn && rc == 0; i++) {
		struct hv v = i < nh ? hostile[i] : i < nh + nn ?
		    nul_values[i - nh] : (struct hv){ longv, LONG_LEN };
		char *dk;
		size_t dl = 3 * v.len + 4;

		/* "domain\tselector\tresult\n", each field the value */
		if ((dk = malloc(dl)) == NULL)
			return -1;
		memcpy(dk, v.s, v.len);
		dk[v.len] = '\t';
		memcpy(dk + v.len + 1, v.s, v.len);
		dk[2 * v.len + 1] = '\t';
		memcpy(dk + 2 * v.len + 2, v.s, v.len);
		dk[3 * v.len + 2] = '\n';
		dk[3 * v.len + 3] = '\0';
		sqlite3_bind_int64(st, 1, T0 + 2000 + (sqlite3_int64)i);
		/* an address with trailing bytes after a NUL, then plain */
		if (i % 2 == 0)
			sqlite3_bind_text(st, 2, "192.0.2.88\0\xff<", 14,
			    SQLITE_STATIC);
		else
			sqlite3_bind_text(st, 2, "192.0.2.89", -1,
			    SQLITE_STATIC);
		sqlite3_bind_text(st, 3, v.s, (int)v.len, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, v.s, (int)v.len, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, dk, (int)(dl - 1), SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = -1;
		sqlite3_reset(st);
		free(dk);
	}
	sqlite3_finalize(st);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct report_dkim ok[] = {
		{ "example.com", "sel1", "pass" },
		{ "esp.example", "s2024", "pass" },
	};
	static const struct report_dkim bad[] = {
		{ "example.com", "sel1", "fail" },
	};
	struct report_row com = {
		.source_ip = "192.0.2.1", .header_from = "example.com",
		.envelope_from = "example.com", .policy_domain = "example.com",
		.p = "reject", .sp = "quarantine", .np = "reject",
		.discovery = "treewalk", .dmarc = "pass", .disposition = "pass",
		.dkim_aligned = true, .spf_aligned = true,
		.spf_domain = "example.com", .spf_result = "pass",
		.dkim = ok, .ndkim = 2, .rua = "mailto:dmarc@example.com",
	};
	struct report_row org = {
		.source_ip = "2001:db8::5", .header_from = "mail.example.org",
		.envelope_from = "", .policy_domain = "example.org",
		.p = "none", .testing = true, .adkim_strict = true,
		.discovery = "treewalk", .dmarc = "fail", .disposition = "none",
		.rua = "mailto:reports@thirdparty.example!10m",
	};
	struct report_row norua = {
		.source_ip = "203.0.113.4", .header_from = "norua.example",
		.envelope_from = "norua.example",
		.policy_domain = "norua.example", .p = "none", .dmarc = "fail",
		.disposition = "none",
	};
	struct err e = { "" };
	struct report_db *db;
	int i;

	if (argc != 2 && (argc != 3 || strcmp(argv[2], "hostile") != 0)) {
		fprintf(stderr, "usage: fill_db PATH [hostile]\n");
		return 2;
	}
	if ((db = report_db_open(argv[1], &e)) == NULL) {
		fprintf(stderr, "fill_db: %s\n", e.msg);
		return 1;
	}
	if (argc == 3) {
		char *longv = long_value();

		if (longv == NULL) {
			fprintf(stderr, "fill_db: out of memory\n");
			return 1;
		}
		record_hostile(db, longv);
		if (insert_raw(db, longv) == -1) {
			fprintf(stderr, "fill_db: raw rows: %s\n",
			    sqlite3_errmsg(report_db_handle(db)));
			return 1;
		}
		free(longv);
		goto done;
	}
	for (i = 0; i < 3; i++) {
		com.when = T0 + 100 + i;
		report_db_record(db, &com);
	}
	com.when = T0 - 1000;		/* before the period */
	report_db_record(db, &com);
	com.when = T0 + 500;
	com.source_ip = "198.51.100.7";
	com.dmarc = "fail";
	com.disposition = "reject";
	com.dkim_aligned = com.spf_aligned = false;
	com.spf_result = "fail";
	com.dkim = bad;
	com.ndkim = 1;
	report_db_record(db, &com);
	com.when = T0 + 600;
	com.source_ip = "::ffff:192.0.2.9";	/* reported as 192.0.2.9 */
	com.disposition = "quarantine";
	com.override = "trusted_forwarder";
	report_db_record(db, &com);
	for (i = 0; i < 2; i++) {
		org.when = T0 + 700 + i;
		report_db_record(db, &org);
	}
	norua.when = T0 + 800;
	report_db_record(db, &norua);
done:
	if (report_db_dropped(db) != 0) {
		fprintf(stderr, "fill_db: %lu rows dropped\n",
		    report_db_dropped(db));
		return 1;
	}
	report_db_close(db);
	return 0;
}
