/* SPDX-License-Identifier: ISC */
/*
 * xml.c - one DMARC aggregate report (RFC 9990 section 2 and the schema
 * of Appendix A, tests/data/reports/dmarc-aggregate.xsd) from the rows
 * of report_db.c (read through report_query.c), and its gzip compression (RFC 1952, zlib).
 * The policy_published part is the last configuration seen in the period
 * (RFC 9990 2.1: "SHOULD note only the final configuration observed").
 * Rows are grouped into one <record> per source address, identifiers,
 * disposition and results, with their count.
 * Every value from the database or the command line goes through
 * xml_text() (core/xml_text.c), which writes any bytes as well-formed
 * UTF-8 text, and words that the schema enumerates are checked against
 * their list, so no database content can break the document or make it
 * invalid against the schema. The markup is this file's constants; it is
 * written by hand rather than with libxml2's xmlTextWriter because the
 * text is the only part that varies, and xmlTextWriter would pass invalid
 * UTF-8 and control characters through all the same.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include "err.h"
#include "reports.h"
#include "xml_text.h"

/*
 * <name>text</name>: every value goes through xml_text(), which writes
 * any bytes as well-formed UTF-8 XML text (replacing what XML cannot hold
 * by U+FFFD), so one hostile or damaged row cannot make the document
 * unreadable. Element names are constants of this file.
 */
static void
elemn(struct buf *b, const char *indent, const char *name, const char *val,
    size_t len)
{
	buf_printf(b, "%s<%s>", indent, name);
	if (val != NULL)
		xml_text(b, val, len);
	buf_printf(b, "</%s>\n", name);
}

static void
elem(struct buf *b, const char *indent, const char *name, const char *val)
{
	elemn(b, indent, name, val, val != NULL ? strlen(val) : 0);
}

/*
 * The word of list (NULL-terminated) that val is, else dflt: the schema
 * enumerates these values, so anything else would make the report invalid.
 */
static const char *
word(const char *val, const char *const *list, const char *dflt)
{
	for (; val != NULL && *list != NULL; list++)
		if (strcmp(val, *list) == 0)
			return *list;
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
static const char *const alignments[] = { "r", "s", NULL };
static const char *const testings[] = { "n", "y", NULL };

/* A value as a C string for word(): NULL stays NULL. */
static const char *
str(struct report_val v)
{
	return v.s;
}

/*
 * A value as text of its full length: a row written by another program
 * (or an older inkan) may hold a NUL or anything else; xml_text() copes.
 */
static void
elem_val(struct buf *b, const char *indent, const char *name,
    struct report_val v)
{
	elemn(b, indent, name, v.s, v.s != NULL ? v.len : 0);
}

/* What the callbacks of report_query.h write into. */
struct xml_ctx {
	struct buf	*b;
	const char	*domain;
	size_t		*nrecords, *nmsgs;
};

static void
policy_published(void *arg, const struct report_policy *pol)
{
	struct xml_ctx *x = arg;
	struct buf *b = x->b;

	buf_adds(b, "  <policy_published>\n");
	elem(b, "    ", "domain", x->domain);
	elem(b, "    ", "discovery_method",
	    word(str(pol->discovery), discoveries, "treewalk"));
	elem(b, "    ", "adkim", word(str(pol->adkim), alignments, "r"));
	elem(b, "    ", "aspf", word(str(pol->aspf), alignments, "r"));
	elem(b, "    ", "p", word(str(pol->p), dispositions, "none"));
	elem(b, "    ", "sp", word(str(pol->sp), dispositions, "none"));
	/* np only when the record had one: it is optional (RFC 9990 A) */
	if (pol->np.s != NULL && pol->np.len > 0)
		elem(b, "    ", "np", word(str(pol->np), dispositions, "none"));
	elem(b, "    ", "testing", word(str(pol->testing), testings, "n"));
	elem_val(b, "    ", "fo", pol->fo);
	buf_adds(b, "  </policy_published>\n");
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

/* The next field of [*p, end) up to sep (or end); *p moves past sep. */
static size_t
field(const char **p, const char *end, char sep, const char **f)
{
	const char *q = memchr(*p, sep, (size_t)(end - *p));
	size_t len = (size_t)((q != NULL ? q : end) - *p);

	*f = *p;
	*p = q != NULL ? q + 1 : end;
	return len;
}

/*
 * dkim: "domain\tselector\tresult\n" lines from report_db.c, taken as
 * views of any length (a long d= or s= is written whole, never dropped).
 */
static void
auth_dkim(struct buf *b, struct report_val v)
{
	const char *p = v.s, *end, *line, *le, *f[3];
	char result[16];
	size_t len[3], k;

	if (p == NULL)
		return;
	end = p + v.len;
	while (p < end) {
		if ((k = field(&p, end, '\n', &line)) == 0)
			continue;
		le = line + k;
		for (k = 0; k < 3; k++)
			len[k] = field(&line, le, '\t', &f[k]);
		/* the result is a word of the schema's list, or permerror */
		if (len[2] < sizeof(result)) {
			memcpy(result, f[2], len[2]);
			result[len[2]] = '\0';
		} else
			result[0] = '\0';
		buf_adds(b, "      <dkim>\n");
		elemn(b, "        ", "domain", f[0], len[0]);
		elemn(b, "        ", "selector", f[1], len[1]);
		elem(b, "        ", "result", word(result, dkim_results,
		    "permerror"));
		buf_adds(b, "      </dkim>\n");
	}
}

/*
 * One <record>. The identifiers and domains are xs:string in the schema,
 * so any text is valid there: a value that is not a domain (a MAIL FROM
 * of raw bytes, say) is written as the milter saw it, with U+FFFD for
 * what XML cannot hold, rather than dropped, so the Domain Owner sees
 * what was claimed. Enumerated values are checked against their lists.
 */
static void
record(struct buf *b, const struct report_group *g, const char *ip)
{
	const char *override = g->override.s;

	buf_adds(b, "  <record>\n    <row>\n");
	elem(b, "      ", "source_ip", ip);
	buf_printf(b, "      <count>%lld</count>\n", (long long)g->count);
	buf_adds(b, "      <policy_evaluated>\n");
	elem(b, "        ", "disposition", word(str(g->disposition), actions,
	    "none"));
	elem(b, "        ", "dkim", g->dkim_aligned ? "pass" : "fail");
	elem(b, "        ", "spf", g->spf_aligned ? "pass" : "fail");
	if (override != NULL) {
		const char *type = word(override, overrides, "other");
		const char *colon = strstr(override, ": ");
		char prefix[32] = "";

		buf_adds(b, "        <reason>\n");
		/*
		 * "TYPE: comment" (render_report.c writes trusted_forwarder so,
		 * naming the ARC sealer): the type, and the rest as the comment.
		 */
		if (colon != NULL && (size_t)(colon - override) < sizeof(prefix)) {
			memcpy(prefix, override, (size_t)(colon - override));
			prefix[colon - override] = '\0';
			type = word(prefix, overrides, "other");
		}
		elem(b, "          ", "type", type);
		if (colon != NULL && strcmp(type, prefix) == 0)
			elem(b, "          ", "comment", colon + 2);
		else if (strcmp(type, override) != 0)
			elem_val(b, "          ", "comment", g->override);
		buf_adds(b, "        </reason>\n");
	}
	buf_adds(b, "      </policy_evaluated>\n    </row>\n");
	buf_adds(b, "    <identifiers>\n");
	/* RFC 9990 2.1: present but empty for a null reverse-path */
	elem_val(b, "      ", "envelope_from", g->envelope_from);
	elem_val(b, "      ", "header_from", g->header_from);
	buf_adds(b, "    </identifiers>\n    <auth_results>\n");
	auth_dkim(b, g->dkim);
	/*
	 * The schema wants at least one <spf>: a message whose SPF was not
	 * checked reports "none" for its MAIL FROM (or From) domain.
	 */
	buf_adds(b, "      <spf>\n");
	elem_val(b, "        ", "domain", g->spf_domain.s != NULL ?
	    g->spf_domain : g->envelope_from.s != NULL &&
	    g->envelope_from.len > 0 ? g->envelope_from : g->header_from);
	elem(b, "        ", "scope", "mfrom");
	elem(b, "        ", "result", word(str(g->spf_result), spf_results,
	    "none"));
	buf_adds(b, "      </spf>\n    </auth_results>\n  </record>\n");
}

static void
record_group(void *arg, const struct report_group *g)
{
	struct xml_ctx *x = arg;
	char ip[INET6_ADDRSTRLEN];

	if (g->source_ip.s == NULL || !norm_ip(g->source_ip.s, ip))
		return;
	record(x->b, g, ip);
	(*x->nrecords)++;
	*x->nmsgs += (size_t)g->count;
}

int
report_xml(struct report_db *db, const struct report_sel *sel,
    const struct report_meta *m, struct buf *b, size_t *nrecords,
    size_t *nmsgs, struct err *e)
{
	struct xml_ctx x = { b, sel->domain, nrecords, nmsgs };
	int rc;

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
	if ((rc = report_query_policy(db, sel, policy_published, &x, e)) == 1)
		return err_set(e, "no rows for %s", sel->domain);
	if (rc == -1 || report_query_groups(db, sel, record_group, &x,
	    e) == -1)
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
