/* SPDX-License-Identifier: ISC */
/*
 * test_received.c - unit tests of the received-report reader: the XML
 * parser (reports/received/parse.c) over table cases in both formats and
 * the tolerated deviations, the content sniffing (unpack.c), the MIME
 * decoders and the multipart walk (mime.c), the mbox split (source.c),
 * and the store (milter/store/received_db.c): a report added twice is
 * stored once, rows read back with their lists. The database lives in a
 * mkdtemp directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "buf.h"
#include "err.h"
#include "mime.h"
#include "parse.h"
#include "received_db.h"
#include "report_db.h"
#include "source.h"
#include "unpack.h"

#define HEAD	"<?xml version=\"1.0\"?>\n"
#define NS	" xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\""
#define META	"<report_metadata><org_name>org</org_name><report_id>r1" \
		"</report_id><date_range><begin>100</begin><end>200</end>" \
		"</date_range></report_metadata>"
#define POLICY	"<policy_published><domain>example.com</domain><p>none</p>" \
		"</policy_published>"
#define REC(ip, n) "<record><row><source_ip>" ip "</source_ip><count>" n \
		"</count></row></record>"

static struct received_report *
parse_ok(const char *xml)
{
	struct received_report *r;
	struct err e;
	char reason[RCV_REASON_MAX];

	assert_int_equal(rcv_parse(xml, strlen(xml), &r, reason, &e), 0);
	if (r == NULL)
		print_message("refused: %s\n", reason);
	assert_non_null(r);
	return r;
}

static void
test_parse_formats(void **state)
{
	struct received_report *r;

	(void)state;
	/* RFC 7489: no namespace, pct */
	r = parse_ok(HEAD "<feedback>" META "<policy_published><domain>"
	    "example.com</domain><adkim>r</adkim><p>reject</p><pct>50</pct>"
	    "</policy_published>" REC("192.0.2.1", "3") "</feedback>");
	assert_int_equal(r->format, RECEIVED_FORMAT_7489);
	assert_string_equal(r->org_name, "org");
	assert_string_equal(r->report_id, "r1");
	assert_int_equal(r->begin, 100);
	assert_int_equal(r->end, 200);
	assert_string_equal(r->domain, "example.com");
	assert_string_equal(r->p, "reject");
	assert_int_equal(r->pct, 50);
	assert_null(r->np);
	assert_int_equal(r->nrec, 1);
	assert_string_equal(r->rec[0].source_ip, "192.0.2.1");
	assert_int_equal(r->rec[0].count, 3);
	rcv_report_free(r);
	/* RFC 9990: the namespace, np, testing, a full record */
	r = parse_ok(HEAD "<feedback" NS "><version>1.0</version>" META
	    "<policy_published><domain>example.com</domain><p>none</p>"
	    "<np>reject</np><testing>y</testing></policy_published>"
	    "<record><row><source_ip>2001:db8::1</source_ip><count>7</count>"
	    "<policy_evaluated><disposition>quarantine</disposition>"
	    "<dkim>PASS</dkim><spf>fail</spf><reason><type>mailing_list"
	    "</type><comment>list</comment></reason></policy_evaluated>"
	    "</row><identifiers><envelope_from>b.example</envelope_from>"
	    "<header_from>example.com</header_from></identifiers>"
	    "<auth_results><dkim><domain>example.com</domain><selector>s1"
	    "</selector><result>pass</result></dkim><spf><domain>b.example"
	    "</domain><scope>mfrom</scope><result>HardFail</result></spf>"
	    "</auth_results></record></feedback>");
	assert_int_equal(r->format, RECEIVED_FORMAT_9990);
	assert_string_equal(r->np, "reject");
	assert_string_equal(r->testing, "y");
	assert_int_equal(r->pct, -1);
	assert_string_equal(r->rec[0].disposition, "quarantine");
	assert_string_equal(r->rec[0].dkim, "pass");	/* case folded */
	assert_string_equal(r->rec[0].reasons[0].type, "mailing_list");
	assert_string_equal(r->rec[0].reasons[0].comment, "list");
	assert_string_equal(r->rec[0].envelope_from, "b.example");
	assert_string_equal(r->rec[0].header_from, "example.com");
	assert_int_equal(r->rec[0].ndkim, 1);
	assert_string_equal(r->rec[0].auth_dkim[0].selector, "s1");
	assert_int_equal(r->rec[0].nspf, 1);
	assert_string_equal(r->rec[0].auth_spf[0].result, "fail");
	rcv_report_free(r);
}

static void
test_parse_tolerant(void **state)
{
	struct received_report *r;

	(void)state;
	/* white space, a control character, an empty reason, a decimal */
	r = parse_ok(" \n<feedback>" "<report_metadata><org_name> Big\x01Org "
	    "</org_name><report_id>x</report_id><date_range><begin>100.0"
	    "</begin><end>1000000</end></date_range></report_metadata>"
	    POLICY "<record><row><source_ip> 192.0.2.5 </source_ip><count>1"
	    "</count><policy_evaluated><reason></reason></policy_evaluated>"
	    "</row></record></feedback>");
	assert_string_equal(r->org_name, "Big Org");
	assert_int_equal(r->begin, 100);
	assert_string_equal(r->rec[0].source_ip, "192.0.2.5");
	assert_int_equal(r->rec[0].nreasons, 1);
	assert_null(r->rec[0].reasons[0].type);
	assert_null(r->rec[0].disposition);
	rcv_report_free(r);
	/* no records at all: read (the schema wants one; receivers differ) */
	r = parse_ok("<feedback>" META POLICY "</feedback>");
	assert_int_equal(r->nrec, 0);
	rcv_report_free(r);
	/* addresses and the domain in one form each */
	r = parse_ok("<feedback>" META "<policy_published><domain>Example.COM."
	    "</domain></policy_published>" REC("2001:DB8:0::1", "1")
	    REC("::ffff:192.0.2.9", "1") "</feedback>");
	assert_string_equal(r->domain, "example.com");
	assert_string_equal(r->rec[0].source_ip, "2001:db8::1");
	assert_string_equal(r->rec[1].source_ip, "192.0.2.9");
	rcv_report_free(r);
}

static void
test_parse_refused(void **state)
{
	static const struct { const char *name, *xml, *want; } t[] = {
		{ "no feedback", "<foo/>", "no <feedback>" },
		{ "not XML", "<feedback><x></feedback>", "not well-formed" },
		{ "empty", "", "not well-formed" },
		{ "namespace", "<feedback xmlns=\"urn:x\">" META POLICY
		    "</feedback>", "namespace urn:x" },
		{ "no metadata", "<feedback>" POLICY "</feedback>",
		    "no <report_metadata>" },
		{ "no report_id", "<feedback><report_metadata><org_name>o"
		    "</org_name><date_range><begin>1</begin><end>2</end>"
		    "</date_range></report_metadata>" POLICY "</feedback>",
		    "no <org_name> or <report_id>" },
		{ "no domain", "<feedback>" META "<policy_published/>"
		    "</feedback>", "no <policy_published> <domain>" },
		{ "backwards", "<feedback><report_metadata><org_name>o"
		    "</org_name><report_id>r</report_id><date_range><begin>5"
		    "</begin><end>2</end></date_range></report_metadata>"
		    POLICY "</feedback>", "ends before it begins" },
		{ "bad ip", "<feedback>" META POLICY REC("192.0.2.300", "1")
		    "</feedback>", "record 1: <source_ip>" },
		{ "negative", "<feedback>" META POLICY REC("192.0.2.3", "-1")
		    "</feedback>", "not a number" },
		{ "count too big", "<feedback>" META POLICY
		    REC("192.0.2.3", "4294967296") "</feedback>",
		    "not a number up to 4294967295" },
		{ "pct", "<feedback>" META "<policy_published><domain>d"
		    "</domain><pct>101</pct></policy_published></feedback>",
		    "not a number up to 100" },
		{ "no count", "<feedback>" META POLICY "<record><row>"
		    "<source_ip>192.0.2.3</source_ip></row></record>"
		    "</feedback>", "record 1: no <count>" },
		{ "entity", "<!DOCTYPE feedback [<!ENTITY a \"b\">]>"
		    "<feedback/>", "declares entities" },
	};
	struct received_report *r;
	struct err e;
	char reason[RCV_REASON_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: %s\n", t[i].name);
		assert_int_equal(rcv_parse(t[i].xml, strlen(t[i].xml), &r,
		    reason, &e), 0);
		assert_null(r);
		if (strstr(reason, t[i].want) == NULL)
			fail_msg("reason \"%s\", want \"%s\"", reason,
			    t[i].want);
	}
}

static void
test_kind(void **state)
{
	(void)state;
	assert_int_equal(rcv_kind("\x1f\x8b\x08", 3), RCV_GZIP);
	assert_int_equal(rcv_kind("PK\x03\x04xx", 6), RCV_ZIP);
	assert_int_equal(rcv_kind("\xef\xbb\xbf <?xml", 9), RCV_XML);
	assert_int_equal(rcv_kind("\n<feedback>", 11), RCV_XML);
	assert_int_equal(rcv_kind("From: a@b\r\n", 11), RCV_OTHER);
	assert_int_equal(rcv_kind(NULL, 0), RCV_OTHER);
}

static void
test_decoders(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	rcv_mime_base64("PGZl\r\nZWRi YWNr\n Pg==\r\n", 23, &b);
	assert_string_equal(buf_str(&b), "<feedback>");
	buf_reset(&b);
	rcv_mime_qp("a=3Db=\r\nc= \nd=zz=4", 18, &b);
	assert_string_equal(buf_str(&b), "a=bcd=zz=4");
	buf_free(&b);
}

struct seen {
	char	 labels[8][200];
	size_t	 nxml, nref;
};

static int
see_xml(void *arg, const char *label, const void *p, size_t len,
    struct err *e)
{
	struct seen *s = arg;

	(void)p; (void)len; (void)e;
	if (s->nxml < 8)
		snprintf(s->labels[s->nxml], sizeof(s->labels[0]), "%s", label);
	s->nxml++;
	return 0;
}

static int
see_refused(void *arg, const char *label, const char *reason, struct err *e)
{
	struct seen *s = arg;

	(void)label; (void)reason; (void)e;
	s->nref++;
	return 0;
}

static void
test_mime(void **state)
{
	static const char msg[] =
	    "From: r@example.net\nContent-Type: multipart/mixed;\n"
	    "\tboundary=\"==b\"\n\npreamble\n--==b\nContent-Type: text/plain\n"
	    "\nhello\n--==b\nContent-Type: multipart/alternative; boundary=in\n"
	    "\n--in\nContent-Type: application/octet-stream\n"
	    "Content-Disposition: attachment; filename*=UTF-8''r%20x.xml\n"
	    "\n<feedback/>\n--in--\n--==b\nContent-Type: application/xml\n"
	    "Content-Transfer-Encoding: base64\n\nPGZlZWRiYWNrLz4=\n"
	    "--==b--\nepilogue\n";
	struct seen s;
	struct rcv_sink sink = { see_xml, see_refused, &s };
	struct err e;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(rcv_mime(&sink, "m", msg, sizeof(msg) - 1, &e), 0);
	assert_int_equal(s.nxml, 2);
	assert_int_equal(s.nref, 0);
	assert_string_equal(s.labels[0], "m: r%20x.xml");
	assert_string_equal(s.labels[1], "m: part 3");
	/* no report part: refused once */
	memset(&s, 0, sizeof(s));
	assert_int_equal(rcv_mime(&sink, "m", "Subject: x\n\nhi\n", 15, &e),
	    0);
	assert_int_equal(s.nxml, 0);
	assert_int_equal(s.nref, 1);
}

static void
test_mbox(void **state)
{
	static const char mbox[] =
	    "From a@b Sun Sep  9 01:46:40 2001\nContent-Type: text/xml\n\n"
	    "<feedback/>\nFrom here on, not a separator\n\n"
	    "From c@d Sun Sep  9 01:46:41 2001\nContent-Type: text/xml\n\n"
	    "<feedback/>\n";
	struct seen s;
	struct rcv_sink sink = { see_xml, see_refused, &s };
	struct err e;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(rcv_source_mbox(&sink, "box", mbox, sizeof(mbox) - 1,
	    &e), 0);
	assert_int_equal(s.nxml, 2);
	assert_string_equal(s.labels[0], "box#1: part 1");
	assert_string_equal(s.labels[1], "box#2: part 1");
}

struct rows {
	size_t	 n;
	uint64_t msgs;
	char	 dkim[200];
};

static int
see_row(void *arg, const struct received_row_view *v, struct err *e)
{
	struct rows *r = arg;

	(void)e;
	r->n++;
	r->msgs += v->count;
	snprintf(r->dkim, sizeof(r->dkim), "%s", v->auth_dkim);
	return 0;
}

static void
test_store(void **state)
{
	char dir[] = "/tmp/test_received.XXXXXX", path[200];
	struct received_report *r;
	struct report_db *rdb;
	struct rows rows;
	struct err e = { "" };
	struct store_sql *db;
	bool added;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.db", dir);
	rdb = report_db_open(path, &e);
	assert_non_null(rdb);
	db = report_db_sql(rdb);
	assert_int_equal(received_db_init(db, &e), 0);
	assert_int_equal(received_db_init(db, &e), 0);	/* again: no change */
	r = parse_ok("<feedback>" META POLICY "<record><row><source_ip>"
	    "192.0.2.1</source_ip><count>4</count></row><auth_results><dkim>"
	    "<domain>example.com</domain><selector>a\tb</selector><result>"
	    "pass</result></dkim></auth_results></record>" REC("192.0.2.2",
	    "6") "</feedback>");
	assert_int_equal(received_db_add(db, r, 1000, &added, &e), 0);
	assert_true(added);
	assert_int_equal(received_db_add(db, r, 2000, &added, &e), 0);
	assert_false(added);
	memset(&rows, 0, sizeof(rows));
	assert_int_equal(received_db_rows(db, "EXAMPLE.com", 150, 160, see_row,
	    &rows, &e), 0);
	assert_int_equal(rows.n, 2);
	assert_int_equal(rows.msgs, 10);
	assert_int_equal(received_db_count_reports(db, "example.com", 0, 99,
	    &e), 0);
	assert_int_equal(received_db_count_reports(db, "example.com", 200,
	    300, &e), 1);
	/* a tab in a value cannot split the fields */
	memset(&rows, 0, sizeof(rows));
	assert_int_equal(received_db_rows(db, "example.com", 0, 1000, see_row,
	    &rows, &e), 0);
	assert_string_equal(rows.dkim, "");	/* the last row has none */
	rcv_report_free(r);
	{
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(report_db_handle(rdb),
		    "SELECT auth_dkim FROM"
		    " received_rows WHERE source_ip = '192.0.2.1'", -1, &st,
		    NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0),
		    "example.com\ta?b\tpass\n");
		sqlite3_finalize(st);
	}
	report_db_close(rdb);
	/* the milter's open of the same file still works */
	rdb = report_db_open(path, &e);
	assert_non_null(rdb);
	report_db_close(rdb);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_formats),
		cmocka_unit_test(test_parse_tolerant),
		cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_kind),
		cmocka_unit_test(test_decoders),
		cmocka_unit_test(test_mime),
		cmocka_unit_test(test_mbox),
		cmocka_unit_test(test_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
