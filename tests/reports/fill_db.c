/* SPDX-License-Identifier: ISC */
/*
 * fill_db.c - writes the fixed rows tests/reports/run.sh reports on into
 * the report database given as argument, through report_db_record (the
 * milter's own call). The period is 1000000000..1000086399.
 *   example.com  rua inside the domain: 3 records, 5 messages in the period,
 *                one more message before it
 *   example.org  rua at thirdparty.example (external): 1 record, 2 messages
 *   norua.example no rua=: no report
 */
#include <stdio.h>

#include "err.h"
#include "report_db.h"

#define T0	1000000000

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

	if (argc != 2) {
		fprintf(stderr, "usage: fill_db PATH\n");
		return 2;
	}
	if ((db = report_db_open(argv[1], &e)) == NULL) {
		fprintf(stderr, "fill_db: %s\n", e.msg);
		return 1;
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
	if (report_db_dropped(db) != 0) {
		fprintf(stderr, "fill_db: %lu rows dropped\n",
		    report_db_dropped(db));
		return 1;
	}
	report_db_close(db);
	return 0;
}
