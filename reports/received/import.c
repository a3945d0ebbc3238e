/* SPDX-License-Identifier: ISC */
/*
 * import.c - `inkan-reports import --db DB [--now EPOCH] [FILE|DIR|-]...`:
 * reads the DMARC aggregate reports given (source.c, unpack.c, mime.c),
 * parses each (parse.c) and stores it (milter/store/received_db.c) in
 * the database the milter records into. One line per report:
 *   imported LABEL: ORG report ID about DOMAIN, N records, M messages
 *   duplicate LABEL: ORG report ID (imported before)
 *   refused LABEL: REASON
 * then "N imported, N duplicates, N refused". A bad report never stops
 * the run. No path: standard input (a .forward or pipe delivery).
 * --now: the time recorded as the import time (default: the clock).
 * --metrics FILE: the run's counts added to the counters of a Prometheus
 * textfile (metrics.c).
 * Exit: 0 every report was readable, 1 some was refused or the database
 * failed, 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


#include "buf.h"
#include "err.h"
#include "parse.h"
#include "received.h"
#include "received_db.h"
#include "report_db.h"
#include "source.h"
#include "summary.h"
#include "xml_text.h"

struct import {
	struct store_sql	*db;
	int64_t			 now;
	size_t			 imported, duplicates, refused;
	struct rcv_import_counts c;	/* for --metrics */
};

void
rcv_print_clean(const char *s)
{
	struct buf b = BUF_INIT;

	(void)xml_text_clean(&b, s, strlen(s));
	printf("%s\n", buf_str(&b));
	buf_free(&b);
}

static int
refused(void *arg, const char *label, const char *reason, struct err *e)
{
	struct import *im = arg;
	struct buf b = BUF_INIT;

	(void)e;
	im->refused++;
	im->c.refused_by[rcv_refused_classify(reason)]++;
	buf_printf(&b, "refused %s: %s", label, reason);
	rcv_print_clean(buf_str(&b));
	buf_free(&b);
	return 0;
}

static int
xml(void *arg, const char *label, const void *p, size_t len, struct err *e)
{
	struct import *im = arg;
	struct received_report *r;
	struct buf b = BUF_INIT;
	char reason[RCV_REASON_MAX];
	uint64_t msgs = 0;
	size_t i;
	bool added;

	if (rcv_parse(p, len, &r, reason, e) == -1)
		return -1;
	if (r == NULL)
		return refused(arg, label, reason, e);
	if (received_db_add(im->db, r, im->now, &added, e) == -1) {
		rcv_report_free(r);
		return -1;
	}
	for (i = 0; i < r->nrec; i++)
		msgs += r->rec[i].count;
	if (added) {
		im->imported++;
		im->c.messages += msgs;
		buf_printf(&b, "imported %s: %s report %s about %s, %zu "
		    "records, %llu messages", label, r->org_name, r->report_id,
		    r->domain, r->nrec, (unsigned long long)msgs);
	} else {
		im->duplicates++;
		buf_printf(&b, "duplicate %s: %s report %s (imported before)",
		    label, r->org_name, r->report_id);
	}
	rcv_print_clean(buf_str(&b));
	buf_free(&b);
	rcv_report_free(r);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: inkan-reports import --db PATH [--now EPOCH] "
	    "[--metrics FILE]\n    [FILE|DIR|-]...\n");
	exit(2);
}

struct report_db *
rcv_open_db(const char *path, struct store_sql **db)
{
	struct err e = { "" };
	struct report_db *rdb;

	if ((rdb = report_db_open(path, &e)) == NULL) {
		fprintf(stderr, "inkan-reports: %s\n", e.msg);
		return NULL;
	}
	*db = report_db_sql(rdb);
	/* SQLite: the milter's inserts are short; wait for them */
	report_db_busy_timeout(rdb, 10000);
	if (received_db_init(*db, &e) == -1) {
		fprintf(stderr, "inkan-reports: %s: %s\n", path, e.msg);
		report_db_close(rdb);
		return NULL;
	}
	return rdb;
}

int
rcv_import_main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "now", required_argument, NULL, 'n' },
		{ "metrics", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	struct import im;
	struct rcv_sink sink = { xml, refused, &im };
	struct err e = { "" };
	struct report_db *rdb;
	const char *dbpath = NULL, *metrics = NULL;
	char *end;
	int c, i, status = 0;

	memset(&im, 0, sizeof(im));
	im.now = (int64_t)time(NULL);
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': dbpath = optarg; break;
		case 'n':
			errno = 0;
			im.now = strtoll(optarg, &end, 10);
			if (errno != 0 || *optarg == '\0' || *end != '\0' ||
			    im.now < 0)
				usage();
			break;
		case 'm': metrics = optarg; break;
		default: usage();
		}
	}
	if (dbpath == NULL || (metrics != NULL && *metrics == '\0'))
		usage();
	if ((rdb = rcv_open_db(dbpath, &im.db)) == NULL)
		return 1;
	if (optind == argc) {
		if (rcv_source(&sink, "-", &e) == -1)
			status = 1;
	}
	for (i = optind; i < argc && status == 0; i++)
		if (rcv_source(&sink, argv[i], &e) == -1)
			status = 1;
	if (status != 0)
		fprintf(stderr, "inkan-reports: import stopped: %s\n", e.msg);
	printf("%zu imported, %zu duplicates, %zu refused\n", im.imported,
	    im.duplicates, im.refused);
	report_db_close(rdb);
	if (metrics != NULL) {
		im.c.imported = im.imported;
		im.c.duplicates = im.duplicates;
		im.c.refused = im.refused;
		im.c.now = im.now;
		if (rcv_metrics_import(metrics, &im.c) == -1)
			status = 1;
	}
	return status != 0 || im.refused > 0 ? 1 : 0;
}
