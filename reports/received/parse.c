/* SPDX-License-Identifier: ISC */
/*
 * parse.c - reading one DMARC aggregate report (RFC 7489 appendix C, RFC
 * 9990 appendix A) with libxml2 into a struct received_report.
 * The document comes from anyone on the Internet, so libxml2 reads it
 * from memory with XML_PARSE_NONET and without XML_PARSE_NOENT,
 * XML_PARSE_DTDLOAD or XML_PARSE_HUGE; an entity declaration stops the
 * parser at once (the SAX handler below), so neither a billion laughs
 * nor an external entity (file:///etc/passwd) is ever expanded; element
 * nesting past RCV_MAX_DEPTH stops it too. Element names are matched by
 * local name within the root's namespace (none or the RFC 7489 drafts'
 * http://dmarc.org/dmarc-xml/0.1 for RFC 7489, RFC 9990's URN); another
 * namespace is not a DMARC report.
 * What receivers really send is read as meant: optional elements
 * missing, "hardfail" for fail, empty override reasons, periods longer
 * than a day, stray control characters (read as spaces), values with
 * surrounding white space, words in another case.
 * Not here: unpacking (unpack.c), storing (milter/store/received_db.c).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "err.h"
#include "parse.h"
#include "xml_text.h"

#define NS_9990		"urn:ietf:params:xml:ns:dmarc-2.0"
#define NS_7489_DRAFT	"http://dmarc.org/dmarc-xml/0.1"

/* State shared with the SAX hooks (ctxt->_private). */
struct hooks {
	startElementNsSAX2Func	 start;	/* libxml2's tree builder */
	const char		*stop;	/* why the parser was stopped */
};

struct walk {
	const xmlChar	*ns;	/* the root's namespace href, or NULL */
	char		*reason;
	bool		 oom;
};

static void
entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *pub,
    const xmlChar *sys, xmlChar *content)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct hooks *h = ctxt->_private;

	(void)name; (void)type; (void)pub; (void)sys; (void)content;
	if (h->stop == NULL)
		h->stop = "the document declares entities (a DOCTYPE with "
		    "<!ENTITY>)";
	xmlStopParser(ctxt);
}

static void
start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **nss, int nattr,
    int ndefaulted, const xmlChar **attrs)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct hooks *h = ctxt->_private;

	if (ctxt->nameNr > RCV_MAX_DEPTH) {
		if (h->stop == NULL)
			h->stop = "elements nested too deep";
		xmlStopParser(ctxt);
		return;
	}
	h->start(ctx, localname, prefix, uri, nns, nss, nattr, ndefaulted,
	    attrs);
}

static void
why(struct walk *w, const char *fmt, ...)
{
	va_list ap;

	if (w->reason[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(w->reason, RCV_REASON_MAX, fmt, ap);
	va_end(ap);
}

/* Is n an element named name in the document's namespace? */
static bool
is(const struct walk *w, xmlNodePtr n, const char *name)
{
	if (n->type != XML_ELEMENT_NODE ||
	    strcmp((const char *)n->name, name) != 0)
		return false;
	if (n->ns == NULL || n->ns->href == NULL)
		return true;	/* some reporters drop it below the root */
	return w->ns != NULL && xmlStrcmp(n->ns->href, w->ns) == 0;
}

/* The first child of n named name, or NULL. */
static xmlNodePtr
child(const struct walk *w, xmlNodePtr n, const char *name)
{
	xmlNodePtr c;

	for (c = n != NULL ? n->children : NULL; c != NULL; c = c->next)
		if (is(w, c, name))
			return c;
	return NULL;
}

/*
 * The text of n, white space around it trimmed, cut at RCV_MAX_TEXT
 * bytes (on a UTF-8 boundary) and cleaned (xml_text_clean), malloc'd;
 * NULL if n is NULL or the text is empty.
 */
static char *
text(struct walk *w, xmlNodePtr n)
{
	struct buf b = BUF_INIT;
	xmlChar *c;
	const char *s, *end;
	size_t len;

	if (n == NULL)
		return NULL;
	if ((c = xmlNodeGetContent(n)) == NULL) {
		w->oom = true;
		return NULL;
	}
	s = (const char *)c;
	end = s + strlen(s);
	while (s < end && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	len = (size_t)(end - s);
	if (len > RCV_MAX_TEXT) {
		len = RCV_MAX_TEXT;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	if (len > 0)
		(void)xml_text_clean(&b, s, len);
	xmlFree(c);
	if (buf_failed(&b)) {
		w->oom = true;
		return NULL;
	}
	if (b.len == 0)
		return NULL;
	return buf_release(&b);
}

static char *
ctext(struct walk *w, xmlNodePtr n, const char *name)
{
	return text(w, child(w, n, name));
}

/* A result word: lowercase ASCII; "hardfail" is "fail" (seen in the wild). */
static char *
word(struct walk *w, xmlNodePtr n, const char *name)
{
	char *s = ctext(w, n, name), *p;

	if (s == NULL)
		return NULL;
	for (p = s; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (strcmp(s, "hardfail") == 0)
		strcpy(s, "fail");
	return s;
}

/*
 * A non-negative decimal number of n's child name, at most max: 1 and
 * *v, 0 if absent, -1 (reason set) if not a number or out of range.
 */
static int
number(struct walk *w, xmlNodePtr n, const char *name, unsigned long long max,
    unsigned long long *v)
{
	char *s = ctext(w, n, name), *p;
	unsigned long long x = 0;
	int rc = 1;

	if (s == NULL)
		return 0;
	p = s;
	if (*p == '+')
		p++;
	if (*p == '\0')
		rc = -1;
	for (; rc == 1 && *p != '\0'; p++) {
		if (*p == '.' && x > 0) {
			/* "1700000000.0": some reporters write a decimal */
			while (*++p == '0')
				;
			if (*p != '\0')
				rc = -1;
			break;
		}
		if (!isdigit((unsigned char)*p) ||
		    x > (max - (unsigned long long)(*p - '0')) / 10)
			rc = -1;
		else
			x = x * 10 + (unsigned long long)(*p - '0');
	}
	if (rc == -1)
		why(w, "<%s>%.40s</%s>: not a number up to %llu", name, s, name,
		    max);
	free(s);
	*v = x;
	return rc;
}

static void *
grow(struct walk *w, void *p, size_t n, size_t size)
{
	void *q = reallocarray(p, n + 1, size);

	if (q == NULL) {
		w->oom = true;
		return NULL;
	}
	memset((char *)q + n * size, 0, size);
	return q;
}

static void
auth_results(struct walk *w, xmlNodePtr ar, struct received_record *r)
{
	xmlNodePtr c;

	for (c = ar != NULL ? ar->children : NULL; c != NULL && !w->oom;
	    c = c->next) {
		if (is(w, c, "dkim") && r->ndkim < RCV_MAX_AUTH) {
			struct received_dkim *d = grow(w, r->auth_dkim,
			    r->ndkim, sizeof(*d));

			if (d == NULL)
				return;
			r->auth_dkim = d;
			d += r->ndkim++;
			d->domain = ctext(w, c, "domain");
			d->selector = ctext(w, c, "selector");
			d->result = word(w, c, "result");
		} else if (is(w, c, "spf") && r->nspf < RCV_MAX_AUTH) {
			struct received_spf *s = grow(w, r->auth_spf, r->nspf,
			    sizeof(*s));

			if (s == NULL)
				return;
			r->auth_spf = s;
			s += r->nspf++;
			s->domain = ctext(w, c, "domain");
			s->scope = word(w, c, "scope");
			s->result = word(w, c, "result");
		}
	}
}

/*
 * Make *s (malloc'd) the canonical text of its address (inet_ntop: so
 * "2001:DB8::1" and "2001:db8:0::1" are one source), an IPv4-mapped IPv6
 * address its IPv4 form; false if it is no address.
 */
static bool
ip_canon(char **s)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	unsigned char a[16];
	char out[INET6_ADDRSTRLEN], *c;

	if (inet_pton(AF_INET, *s, a) == 1)
		inet_ntop(AF_INET, a, out, sizeof(out));
	else if (inet_pton(AF_INET6, *s, a) == 1) {
		if (memcmp(a, mapped, sizeof(mapped)) == 0)
			inet_ntop(AF_INET, a + 12, out, sizeof(out));
		else
			inet_ntop(AF_INET6, a, out, sizeof(out));
	} else
		return false;
	if (strcmp(out, *s) == 0 || (c = strdup(out)) == NULL)
		return true;	/* no memory: the valid text as it was */
	free(*s);
	*s = c;
	return true;
}

/* A domain name as compared: lowercase ASCII (the caller drops a final dot). */
static void
domain_canon(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* One <record>: 0, or -1 with the reason set. */
static int
record(struct walk *w, xmlNodePtr rec, size_t i, struct received_record *r)
{
	xmlNodePtr row = child(w, rec, "row"), pe, id, c;
	unsigned long long count;

	if (row == NULL) {
		why(w, "record %zu: no <row>", i + 1);
		return -1;
	}
	r->source_ip = ctext(w, row, "source_ip");
	if (r->source_ip == NULL || !ip_canon(&r->source_ip)) {
		why(w, "record %zu: <source_ip> missing or not an address",
		    i + 1);
		return -1;
	}
	switch (number(w, row, "count", RCV_MAX_COUNT, &count)) {
	case 0:
		why(w, "record %zu: no <count>", i + 1);
		return -1;
	case -1:
		return -1;
	}
	r->count = count;
	pe = child(w, row, "policy_evaluated");
	r->disposition = word(w, pe, "disposition");
	r->dkim = word(w, pe, "dkim");
	r->spf = word(w, pe, "spf");
	for (c = pe != NULL ? pe->children : NULL; c != NULL && !w->oom;
	    c = c->next) {
		struct received_reason *rs;

		if (!is(w, c, "reason") || r->nreasons >= RCV_MAX_REASONS)
			continue;
		if ((rs = grow(w, r->reasons, r->nreasons, sizeof(*rs))) ==
		    NULL)
			break;
		r->reasons = rs;
		rs += r->nreasons++;
		rs->type = word(w, c, "type");	/* empty: NULL, tolerated */
		rs->comment = ctext(w, c, "comment");
	}
	id = child(w, rec, "identifiers");
	r->header_from = ctext(w, id, "header_from");
	r->envelope_from = ctext(w, id, "envelope_from");
	r->envelope_to = ctext(w, id, "envelope_to");
	auth_results(w, child(w, rec, "auth_results"), r);
	return 0;
}

static int
metadata(struct walk *w, xmlNodePtr root, struct received_report *r)
{
	xmlNodePtr md = child(w, root, "report_metadata"), dr;
	unsigned long long b, e;

	if (md == NULL) {
		why(w, "no <report_metadata>");
		return -1;
	}
	r->org_name = ctext(w, md, "org_name");
	r->email = ctext(w, md, "email");
	r->report_id = ctext(w, md, "report_id");
	if (r->org_name == NULL || r->report_id == NULL) {
		why(w, "no <org_name> or <report_id>: a report cannot be told "
		    "from another");
		return -1;
	}
	dr = child(w, md, "date_range");
	if (number(w, dr, "begin", RCV_MAX_TIME, &b) != 1 ||
	    number(w, dr, "end", RCV_MAX_TIME, &e) != 1) {
		why(w, "<date_range> missing or not two times");
		return -1;
	}
	if (e < b) {
		why(w, "<date_range> ends before it begins");
		return -1;
	}
	r->begin = (int64_t)b;
	r->end = (int64_t)e;
	return 0;
}

static int
policy(struct walk *w, xmlNodePtr root, struct received_report *r)
{
	xmlNodePtr pp = child(w, root, "policy_published");
	unsigned long long pct;

	r->domain = ctext(w, pp, "domain");
	if (r->domain != NULL) {
		size_t len = strlen(r->domain);

		domain_canon(r->domain);
		if (len > 1 && r->domain[len - 1] == '.')
			r->domain[len - 1] = '\0';
	}
	if (r->domain == NULL) {
		why(w, "no <policy_published> <domain>");
		return -1;
	}
	r->adkim = word(w, pp, "adkim");
	r->aspf = word(w, pp, "aspf");
	r->p = word(w, pp, "p");
	r->sp = word(w, pp, "sp");
	r->np = word(w, pp, "np");
	r->testing = word(w, pp, "testing");
	r->pct = -1;
	switch (number(w, pp, "pct", 100, &pct)) {
	case 1:
		r->pct = (int)pct;
		break;
	case -1:
		return -1;
	}
	return 0;
}

static int
report(struct walk *w, xmlNodePtr root, struct received_report *r)
{
	xmlNodePtr c;

	if (root == NULL || root->type != XML_ELEMENT_NODE ||
	    strcmp((const char *)root->name, "feedback") != 0) {
		why(w, "not a DMARC aggregate report (no <feedback>)");
		return -1;
	}
	w->ns = root->ns != NULL ? root->ns->href : NULL;
	if (w->ns == NULL || xmlStrcmp(w->ns, BAD_CAST NS_7489_DRAFT) == 0)
		r->format = RECEIVED_FORMAT_7489;
	else if (xmlStrcmp(w->ns, BAD_CAST NS_9990) == 0)
		r->format = RECEIVED_FORMAT_9990;
	else {
		why(w, "not a DMARC aggregate report (namespace %.100s)",
		    (const char *)w->ns);
		return -1;
	}
	if (metadata(w, root, r) == -1 || policy(w, root, r) == -1)
		return -1;
	for (c = root->children; c != NULL && !w->oom; c = c->next) {
		struct received_record *nr;

		if (!is(w, c, "record"))
			continue;
		if (r->nrec >= RCV_MAX_RECORDS) {
			why(w, "more than %d records", RCV_MAX_RECORDS);
			return -1;
		}
		if ((nr = grow(w, r->rec, r->nrec, sizeof(*nr))) == NULL)
			break;
		r->rec = nr;
		if (record(w, c, r->nrec, &r->rec[r->nrec]) == -1) {
			r->nrec++;	/* freed with the rest */
			return -1;
		}
		r->nrec++;
	}
	return 0;
}

/* A copy of the input with C0 controls but TAB, LF, CR as spaces. */
static char *
decontrol(const unsigned char *p, size_t len)
{
	char *c = malloc(len + 1);
	size_t i;

	if (c == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		c[i] = p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
		    p[i] != '\r' ? ' ' : (char)p[i];
	c[len] = '\0';
	return c;
}

int
rcv_parse(const void *p, size_t len, struct received_report **out,
    char reason[RCV_REASON_MAX], struct err *e)
{
	struct hooks h = { NULL, NULL };
	struct walk w = { NULL, reason, false };
	struct received_report *r = NULL;
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	char *copy;

	*out = NULL;
	reason[0] = '\0';
	if (len > RCV_MAX_XML) {
		snprintf(reason, RCV_REASON_MAX, "larger than %u MiB of XML",
		    RCV_MAX_XML >> 20);
		return 0;
	}
	if ((copy = decontrol(p, len)) == NULL)
		return err_set(e, "out of memory");
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		free(copy);
		return err_set(e, "out of memory");
	}
	h.start = ctxt->sax->startElementNs;
	ctxt->sax->startElementNs = start_element;
	ctxt->sax->entityDecl = entity_decl;
	ctxt->_private = &h;
	/* no NOENT, DTDLOAD, DTDATTR or HUGE: see the file comment */
	doc = xmlCtxtReadMemory(ctxt, copy, (int)len, "report.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	    XML_PARSE_NOCDATA);
	if (h.stop != NULL)
		snprintf(reason, RCV_REASON_MAX, "%s", h.stop);
	else if (doc == NULL || !ctxt->wellFormed) {
		const xmlError *xe = xmlCtxtGetLastError(ctxt);
		char msg[160] = "";

		if (xe != NULL && xe->message != NULL) {
			struct buf b = BUF_INIT;

			/* libxml2 may quote the input: cleaned, one line */
			(void)xml_text_clean(&b, xe->message,
			    strcspn(xe->message, "\n"));
			snprintf(msg, sizeof(msg), ": %s", buf_str(&b));
			buf_free(&b);
		}
		snprintf(reason, RCV_REASON_MAX, "not well-formed XML%s%s%d",
		    msg, xe != NULL ? " at line " : "", xe != NULL ? xe->line :
		    0);
		if (xe == NULL)
			reason[strlen(reason) - 1] = '\0';
	}
	if (reason[0] == '\0' && (r = calloc(1, sizeof(*r))) == NULL)
		w.oom = true;
	if (r != NULL && report(&w, xmlDocGetRootElement(doc), r) == 0 &&
	    !w.oom && reason[0] == '\0') {
		*out = r;
		r = NULL;
	}
	rcv_report_free(r);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	free(copy);
	if (w.oom) {
		rcv_report_free(*out);
		*out = NULL;
		return err_set(e, "out of memory");
	}
	return 0;
}

static void
record_free(struct received_record *r)
{
	size_t i;

	free(r->source_ip);
	free(r->disposition);
	free(r->dkim);
	free(r->spf);
	free(r->header_from);
	free(r->envelope_from);
	free(r->envelope_to);
	for (i = 0; i < r->nreasons; i++) {
		free(r->reasons[i].type);
		free(r->reasons[i].comment);
	}
	free(r->reasons);
	for (i = 0; i < r->ndkim; i++) {
		free(r->auth_dkim[i].domain);
		free(r->auth_dkim[i].selector);
		free(r->auth_dkim[i].result);
	}
	free(r->auth_dkim);
	for (i = 0; i < r->nspf; i++) {
		free(r->auth_spf[i].domain);
		free(r->auth_spf[i].scope);
		free(r->auth_spf[i].result);
	}
	free(r->auth_spf);
}

void
rcv_report_free(struct received_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nrec; i++)
		record_free(&r->rec[i]);
	free(r->rec);
	free(r->org_name);
	free(r->email);
	free(r->report_id);
	free(r->domain);
	free(r->adkim);
	free(r->aspf);
	free(r->p);
	free(r->sp);
	free(r->np);
	free(r->testing);
	free(r);
}
