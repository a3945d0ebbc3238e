/* SPDX-License-Identifier: ISC */
/*
 * xml.c - one DMARC aggregate report (RFC 9990 section 2 and the schema
 * of Appendix A, tests/data/reports/dmarc-aggregate.xsd) from the rows
 * of report_db.c, and its gzip compression (RFC 1952, zlib).
 * The policy_published part is the last configuration seen in the period
 * (RFC 9990 2.1: "SHOULD note only the final configuration observed").
 * Rows are grouped into one <record> per source address, identifiers,
 * disposition and results, with their count.
 * Every value from the database goes through xml_text(), and words that
 * the schema enumerates are checked against their list, so no database
 * content can break the document.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include "err.h"
#include "reports.h"

static void
xml_text(struct buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '&')
			buf_adds(b, "&amp;");
		else if (c == '<')
			buf_adds(b, "&lt;");
		else if (c == '>')
			buf_adds(b, "&gt;");
		else if (c == '"')
			buf_adds(b, "&quot;");
		else if (c < 0x20 && c != '\t')
			buf_addc(b, '?');	/* not allowed in XML 1.0 */
		else
			buf_addc(b, (char)c);
	}
}

static void
elem(struct buf *b, const char *indent, const char *name, const char *val)
{
	buf_printf(b, "%s<%s>", indent, name);
	xml_text(b, val);
	buf_printf(b, "</%s>\n", name);
}

/* val if it is one of the words in list (NULL-terminated), else dflt. */
static const char *
word(const char *val, const char *const *list, const char *dflt)
{
	for (; val != NULL && *list != NULL; list++)
		if (strcmp(val, *list) == 0)
			return val;
	return dflt;
}

static const char *const dispositions[] = { "none", "quarantine", "reject",
    NULL };
static const char *const actions[] = { "none", "pass", "quarantine",
    "reject", NULL };
static const char *const dkim_results[] = { "none", "pass", "fail",
    "policy", "neutral", "temperror", "permerror", NULL };
static const char *const spf_results[] = { "none", "neutral", "pass",
    "fail", "softfail", "temperror", "permerror", NULL };
static const char *const overrides[] = { "forwarded", "sampled_out",
    "trusted_forwarder", "mailing_list", "local_policy", "other", NULL };
static const char *const discoveries[] = { "psl", "treewalk", NULL };

static const char *
col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void
bind_sel(sqlite3_stmt *st, const struct report_sel *sel)
{
	sqlite3_bind_text(st, 1, sel->domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, sel->begin);
	sqlite3_bind_int64(st, 3, sel->end);
	sqlite3_bind_int64(st, 4, sel->maxid);
}

#define SEL_WHERE	" WHERE state = 0 AND policy_domain = ?1 AND time >= ?2" \
			" AND time <= ?3 AND id <= ?4"

static int
policy_published(sqlite3 *db, const struct report_sel *sel, struct buf *b,
    struct err *e)
{
	static const char sql[] = "SELECT p, sp, adkim, aspf, testing, fo,"
	    " discovery, np FROM messages" SEL_WHERE
	    " ORDER BY time DESC, id DESC LIMIT 1";
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return err_set(e, "reading the policy: %s", sqlite3_errmsg(db));
	bind_sel(st, sel);
	if (sqlite3_step(st) != SQLITE_ROW) {
		err_set(e, "no rows for %s: %s", sel->domain,
		    sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	buf_adds(b, "  <policy_published>\n");
	elem(b, "    ", "domain", sel->domain);
	elem(b, "    ", "discovery_method",
	    word(col(st, 6), discoveries, "treewalk"));
	elem(b, "    ", "adkim", strcmp(col(st, 2), "s") == 0 ? "s" : "r");
	elem(b, "    ", "aspf", strcmp(col(st, 3), "s") == 0 ? "s" : "r");
	elem(b, "    ", "p", word(col(st, 0), dispositions, "none"));
	elem(b, "    ", "sp", word(col(st, 1), dispositions, "none"));
	/* np only when the record had one: it is optional (RFC 9990 A) */
	if (col(st, 7) != NULL && *col(st, 7) != '\0')
		elem(b, "    ", "np", word(col(st, 7), dispositions, "none"));
	elem(b, "    ", "testing", strcmp(col(st, 4), "y") == 0 ? "y" : "n");
	elem(b, "    ", "fo", col(st, 5));
	buf_adds(b, "  </policy_published>\n");
	sqlite3_finalize(st);
	return 0;
}

/*
 * The address as the schema's IPAddress pattern wants it: IPv4 dotted,
 * IPv6 in RFC 5952 form, an IPv4-mapped IPv6 address as IPv4. false if
 * s is not an address.
 */
static bool
norm_ip(const char *s, char out[INET6_ADDRSTRLEN])
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, s, &a4) == 1)
		return inet_ntop(AF_INET, &a4, out, INET6_ADDRSTRLEN) != NULL;
	if (inet_pton(AF_INET6, s, &a6) != 1)
		return false;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		memcpy(&a4, &a6.s6_addr[12], 4);
		return inet_ntop(AF_INET, &a4, out, INET6_ADDRSTRLEN) != NULL;
	}
	return inet_ntop(AF_INET6, &a6, out, INET6_ADDRSTRLEN) != NULL;
}

/* dkim: "domain\tselector\tresult\n" lines from report_db.c */
static void
auth_dkim(struct buf *b, const char *dkim)
{
	char line[1024], *f[3], *save;
	const char *p = dkim, *nl;
	size_t len;

	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			f[0] = strtok_r(line, "\t", &save);
			f[1] = strtok_r(NULL, "\t", &save);
			f[2] = strtok_r(NULL, "\t", &save);
			if (f[0] != NULL) {
				buf_adds(b, "      <dkim>\n");
				elem(b, "        ", "domain", f[0]);
				elem(b, "        ", "selector", f[1] != NULL ?
				    f[1] : "");
				elem(b, "        ", "result",
				    word(f[2], dkim_results, "permerror"));
				buf_adds(b, "      </dkim>\n");
			}
		}
		p = nl != NULL ? nl + 1 : NULL;
	}
}

static void
record(struct buf *b, sqlite3_stmt *st, const char *ip)
{
	const char *override = col(st, 4), *spf_domain = col(st, 7);

	buf_adds(b, "  <record>\n    <row>\n");
	elem(b, "      ", "source_ip", ip);
	buf_printf(b, "      <count>%lld</count>\n",
	    (long long)sqlite3_column_int64(st, 10));
	buf_adds(b, "      <policy_evaluated>\n");
	elem(b, "        ", "disposition", word(col(st, 3), actions, "none"));
	elem(b, "        ", "dkim", sqlite3_column_int(st, 5) ? "pass" :
	    "fail");
	elem(b, "        ", "spf", sqlite3_column_int(st, 6) ? "pass" : "fail");
	if (override != NULL) {
		const char *type = word(override, overrides, "other");

		buf_adds(b, "        <reason>\n");
		elem(b, "          ", "type", type);
		if (strcmp(type, override) != 0)
			elem(b, "          ", "comment", override);
		buf_adds(b, "        </reason>\n");
	}
	buf_adds(b, "      </policy_evaluated>\n    </row>\n");
	buf_adds(b, "    <identifiers>\n");
	/* RFC 9990 2.1: present but empty for a null reverse-path */
	elem(b, "      ", "envelope_from", col(st, 2));
	elem(b, "      ", "header_from", col(st, 1));
	buf_adds(b, "    </identifiers>\n    <auth_results>\n");
	auth_dkim(b, col(st, 9));
	/*
	 * The schema wants at least one <spf>: a message whose SPF was not
	 * checked reports "none" for its MAIL FROM (or From) domain.
	 */
	buf_adds(b, "      <spf>\n");
	if (spf_domain == NULL)
		spf_domain = *col(st, 2) != '\0' ? col(st, 2) : col(st, 1);
	elem(b, "        ", "domain", spf_domain);
	elem(b, "        ", "scope", "mfrom");
	elem(b, "        ", "result", word(col(st, 8), spf_results, "none"));
	buf_adds(b, "      </spf>\n    </auth_results>\n  </record>\n");
}

static int
records(sqlite3 *db, const struct report_sel *sel, struct buf *b,
    size_t *nrecords, size_t *nmsgs, struct err *e)
{
	static const char sql[] = "SELECT source_ip, header_from,"
	    " envelope_from, disposition, override, dkim_aligned, spf_aligned,"
	    " spf_domain, spf_result, dkim, COUNT(*) FROM messages" SEL_WHERE
	    " GROUP BY source_ip, header_from, envelope_from, disposition,"
	    " override, dkim_aligned, spf_aligned, spf_domain, spf_result, dkim"
	    " ORDER BY source_ip, header_from, envelope_from";
	sqlite3_stmt *st;
	char ip[INET6_ADDRSTRLEN];
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return err_set(e, "reading rows: %s", sqlite3_errmsg(db));
	bind_sel(st, sel);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!norm_ip(col(st, 0), ip))
			continue;
		record(b, st, ip);
		(*nrecords)++;
		*nmsgs += (size_t)sqlite3_column_int64(st, 10);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return err_set(e, "reading rows: %s", sqlite3_errmsg(db));
	return 0;
}

int
report_xml(sqlite3 *db, const struct report_sel *sel,
    const struct report_meta *m, struct buf *b, size_t *nrecords,
    size_t *nmsgs, struct err *e)
{
	*nrecords = *nmsgs = 0;
	buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<feedback xmlns=\"" REPORT_XML_NS "\">\n"
	    "  <version>1.0</version>\n  <report_metadata>\n");
	elem(b, "    ", "org_name", m->org_name);
	elem(b, "    ", "email", m->email);
	elem(b, "    ", "report_id", m->report_id);
	buf_printf(b, "    <date_range>\n      <begin>%lld</begin>\n"
	    "      <end>%lld</end>\n    </date_range>\n",
	    (long long)sel->begin, (long long)sel->end);
	/* where a Report Consumer sends bug reports about the report */
	elem(b, "    ", "generator", "inkan-reports " INKAN_VERSION_STRING);
	buf_adds(b, "  </report_metadata>\n");
	if (policy_published(db, sel, b, e) == -1 ||
	    records(db, sel, b, nrecords, nmsgs, e) == -1)
		return -1;
	buf_adds(b, "</feedback>\n");
	if (buf_failed(b))
		return err_set(e, "out of memory");
	return 0;
}

int
report_gzip(const void *in, size_t len, struct buf *out, struct err *e)
{
	z_stream z;
	unsigned char chunk[16384];
	int rc;

	memset(&z, 0, sizeof(z));
	/* windowBits 15 + 16: a gzip header and trailer (RFC 1952) */
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return err_set(e, "zlib: cannot start compressing");
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	if ((size_t)z.avail_in != len) {
		deflateEnd(&z);
		return err_set(e, "report too large to compress");
	}
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = deflate(&z, Z_FINISH);
		if (rc == Z_STREAM_ERROR) {
			deflateEnd(&z);
			return err_set(e, "zlib: compression failed");
		}
		buf_add(out, chunk, sizeof(chunk) - z.avail_out);
	} while (rc != Z_STREAM_END);
	deflateEnd(&z);
	if (buf_failed(out))
		return err_set(e, "out of memory");
	return 0;
}
