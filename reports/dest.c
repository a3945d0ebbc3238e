/* SPDX-License-Identifier: ISC */
/*
 * dest.c - where an aggregate report goes and how it is mailed.
 * rua= URIs (RFC 9989 4.7): only mailto: is supported; "!size" limits are
 * kept (RFC 9990 "Transport": a URI whose limit the report exceeds MUST
 * NOT be used); the address is percent-decoded and must be a plain
 * local@domain, since it ends up in a header given to sendmail -t.
 * External destinations (RFC 9990 "Verifying External Destinations"): a
 * URI whose host has another Organizational Domain than the Policy Domain
 * is used only if <policy-domain>._report._dmarc.<host> has a TXT record
 * starting v=DMARC1; a rua= in that record replaces the URI if all its
 * URIs name the same host, and voids it otherwise.
 * The message (RFC 9990 "Email"): Subject "Report Domain: D Submitter: S
 * Report-ID: <id>", the report as an application/gzip attachment in base64.
 */
#include <sys/wait.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "b64.h"
#include "dmarc.h"
#include "dmarc_record.h"
#include "err.h"
#include "orgdomain.h"
#include "reports.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* RFC 5322 atext plus '.', for a dot-atom local part */
static bool
local_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("!#$%&'*+-/=?^_`{|}~.", s[i]) == NULL)
			return false;
	return true;
}

/*
 * Parse one URI (len bytes) into d and host (normalised). Returns 0, or
 * -1 with *why set when the URI cannot be used.
 */
static int
parse_uri(const char *u, size_t len, struct dest *d,
    char host[DNS_NAME_MAX + 1], const char **why)
{
	char addr[sizeof(d->addr)];
	const char *end = u + len, *bang, *q, *at;
	size_t n = 0;
	uint64_t limit = 0, mult = 1;

	while (u < end && isspace((unsigned char)*u))
		u++;
	while (end > u && isspace((unsigned char)end[-1]))
		end--;
	if ((size_t)(end - u) < 7 || strncasecmp(u, "mailto:", 7) != 0) {
		*why = "not a mailto: URI";
		return -1;
	}
	u += 7;
	if ((bang = memchr(u, '!', (size_t)(end - u))) != NULL) {
		const char *p = bang + 1;

		if (p == end || !isdigit((unsigned char)*p)) {
			*why = "bad size limit";
			return -1;
		}
		for (; p < end && isdigit((unsigned char)*p); p++) {
			if (limit > UINT64_MAX / 20) {
				*why = "bad size limit";
				return -1;
			}
			limit = limit * 10 + (uint64_t)(*p - '0');
		}
		if (p < end) {
			switch (tolower((unsigned char)*p++)) {
			case 'k': mult = 1ULL << 10; break;
			case 'm': mult = 1ULL << 20; break;
			case 'g': mult = 1ULL << 30; break;
			case 't': mult = 1ULL << 40; break;
			default: *why = "bad size unit"; return -1;
			}
		}
		if (p != end || limit > UINT64_MAX / mult) {
			*why = "bad size limit";
			return -1;
		}
		limit *= mult;
		end = bang;
	}
	if ((q = memchr(u, '?', (size_t)(end - u))) != NULL)
		end = q;	/* hfields (RFC 6068) are not used */
	for (; u < end; u++) {
		int c = (unsigned char)*u, h, l;

		if (c == '%') {
			if (end - u < 3 || (h = hexval(u[1])) < 0 ||
			    (l = hexval(u[2])) < 0) {
				*why = "bad percent-encoding";
				return -1;
			}
			c = h * 16 + l;
			u += 2;
		}
		if (n + 1 >= sizeof(addr)) {
			*why = "address too long";
			return -1;
		}
		addr[n++] = (char)c;
	}
	addr[n] = '\0';
	if ((at = strrchr(addr, '@')) == NULL ||
	    !local_ok(addr, (size_t)(at - addr)) ||
	    orgdomain_normalize(at + 1, host) == -1 || *host == '\0' ||
	    !dns_name_valid(host, strlen(host))) {
		*why = "not a plain local@domain address";
		return -1;
	}
	snprintf(d->addr, sizeof(d->addr), "%.*s@%s", (int)(at - addr), addr,
	    host);
	d->limit = limit;
	return 0;
}

static void
add(struct dest_list *out, const struct dest *d)
{
	size_t i;

	for (i = 0; i < out->n; i++)
		if (strcasecmp(out->d[i].addr, d->addr) == 0)
			return;
	if (out->n < DEST_MAX)
		out->d[out->n++] = *d;
}

/* The Organizational Domain of name into org; "" if unknown. */
static int
org_of(struct dns_resolver *res, const char *name, char org[DNS_NAME_MAX + 1],
    bool *temperror, struct err *e)
{
	struct dmarc_orgdomain o;
	struct timespec dl;

	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += 2 * DEST_DNS_TIMEOUT_MS / 1000;
	if (dmarc_orgdomain_lookup(res, name, DMARC_DISCOVERY_TREEWALK, NULL,
	    &dl, &o, e) == -1)
		return -1;
	if (o.temperror)
		*temperror = true;
	memcpy(org, o.domain, DNS_NAME_MAX + 1);
	return 0;
}

/*
 * The authorization check for d (host) about policy_domain: adds the
 * usable destinations to out. Returns 0 or -1 (e filled).
 */
static int
authorize(struct dns_resolver *res, const char *policy_domain,
    const struct dest *d, const char *host, struct dest_list *out,
    struct buf *notes, struct err *e)
{
	char name[2 * DNS_NAME_MAX + 32];
	struct dns_result r;
	struct dmarc_record rec;
	const char *why;
	size_t i, j;
	bool found = false;

	snprintf(name, sizeof(name), "%s._report._dmarc.%s", policy_domain,
	    host);
	if (!dns_name_valid(name, strlen(name))) {
		buf_printf(notes, "%s: %s is too long a name: not authorized\n",
		    d->addr, name);
		return 0;
	}
	if (dns_lookup(res, name, DNS_TXT, DEST_DNS_TIMEOUT_MS, &r, e) == -1)
		return -1;
	if (r.status == DNS_SERVFAIL || r.status == DNS_TIMEOUT) {
		buf_printf(notes, "%s: %s TXT: %s; try later\n", d->addr, name,
		    dns_failure_name(r.status));
		out->temperror = true;
		dns_result_free(&r);
		return 0;
	}
	for (i = 0; r.status == DNS_OK && i < r.n && !found; i++) {
		struct dest o[DMARC_RECORD_MAX_URIS];
		char ohost[DNS_NAME_MAX + 1];
		size_t no = 0;
		bool foreign = false;

		if (dmarc_record_parse((const char *)r.rr[i].data, r.rr[i].len,
		    &rec, &why) == DMARC_RECORD_NOT_DMARC)
			continue;
		found = true;
		if (rec.nrua == 0) {
			add(out, d);
			break;
		}
		/* step 9: an override must keep the destination host */
		for (j = 0; j < rec.nrua; j++) {
			if (parse_uri(rec.rua[j].p, rec.rua[j].len, &o[no],
			    ohost, &why) == -1)
				continue;
			if (strcmp(ohost, host) != 0)
				foreign = true;
			no++;
		}
		if (foreign) {
			buf_printf(notes, "%s: %s names another host: not used\n",
			    d->addr, name);
			break;
		}
		for (j = 0; j < no; j++)
			add(out, &o[j]);
	}
	if (!found)
		buf_printf(notes, "%s: no v=DMARC1 record at %s: not "
		    "authorized\n", d->addr, name);
	dns_result_free(&r);
	return 0;
}

int
dest_resolve(struct dns_resolver *res, const char *policy_domain,
    const char *rua, struct dest_list *out, struct buf *notes, struct err *e)
{
	char pd[DNS_NAME_MAX + 1], porg[DNS_NAME_MAX + 1] = "";
	char host[DNS_NAME_MAX + 1], horg[DNS_NAME_MAX + 1];
	const char *p = rua, *comma, *why;
	size_t n = 0;
	bool have_porg = false, temp;

	memset(out, 0, sizeof(*out));
	if (rua == NULL)
		return 0;
	if (orgdomain_normalize(policy_domain, pd) == -1 || *pd == '\0')
		return err_set(e, "%s: not a domain name", policy_domain);
	for (; p != NULL && n < DEST_MAX; p = comma != NULL ? comma + 1 :
	    NULL, n++) {
		struct dest d;

		comma = strchr(p, ',');
		if (parse_uri(p, comma != NULL ? (size_t)(comma - p) :
		    strlen(p), &d, host, &why) == -1) {
			buf_printf(notes, "%.*s: %s\n", comma != NULL ?
			    (int)(comma - p) : (int)strlen(p), p, why);
			continue;
		}
		if (orgdomain_within(host, pd)) {
			add(out, &d);
			continue;
		}
		temp = false;
		if (!have_porg && org_of(res, pd, porg, &temp, e) == -1)
			return -1;
		have_porg = true;
		if (org_of(res, host, horg, &temp, e) == -1)
			return -1;
		if (!temp && *porg != '\0' && strcmp(porg, horg) == 0) {
			add(out, &d);
			continue;
		}
		if (authorize(res, pd, &d, host, out, notes, e) == -1)
			return -1;
	}
	return 0;
}

uint64_t
mail_b64_size(size_t n)
{
	uint64_t chars = ((uint64_t)n + 2) / 3 * 4;

	return chars + (chars + 75) / 76 * 2;	/* CRLF per line */
}

void
mail_build(const struct mail_report *m, const char *rcpt, struct buf *out)
{
	struct buf b64 = BUF_INIT;
	char date[64], boundary[128];
	struct tm tm;
	size_t i;

	gmtime_r(&m->now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	snprintf(boundary, sizeof(boundary), "=_inkan_%s", m->report_id);
	buf_printf(out, "From: %s\n", m->from);
	buf_printf(out, "To: %s\n", rcpt);
	/* RFC 9990 dmarc-subject, folded before each part */
	/* the same id as in the XML and the file name (RFC 9990 2.1.3) */
	buf_printf(out, "Subject: Report Domain: %s\n Submitter: %s\n"
	    " Report-ID: <%s>\n", m->domain, m->submitter, m->report_id);
	buf_printf(out, "Date: %s\n", date);
	buf_printf(out, "Message-ID: <%s@%s>\n", m->report_id, m->submitter);
	buf_printf(out, "MIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"%s\"\n\n", boundary);
	buf_printf(out, "This is a MIME message.\n\n--%s\n"
	    "Content-Type: text/plain; charset=us-ascii\n\n"
	    "This is a DMARC aggregate report (RFC 9990) for %s\n"
	    "from %s (%s).\n\n", boundary, m->domain, m->org_name,
	    m->submitter);
	buf_printf(out, "--%s\nContent-Type: application/gzip; name=\"%s\"\n"
	    "Content-Disposition: attachment; filename=\"%s\"\n"
	    "Content-Transfer-Encoding: base64\n\n", boundary, m->filename,
	    m->filename);
	b64_encode(&b64, m->gz, m->gzlen);
	for (i = 0; i < b64.len; i += 76) {
		buf_add(out, b64.data + i, b64.len - i < 76 ? b64.len - i : 76);
		buf_addc(out, '\n');
	}
	buf_printf(out, "\n--%s--\n", boundary);
	if (buf_failed(&b64))
		out->failed = true;
	buf_free(&b64);
}

int
mail_pipe(const char *cmd, const struct buf *msg, struct err *e)
{
	FILE *f;
	size_t w;
	int st;

	if ((f = popen(cmd, "w")) == NULL)
		return err_set(e, "%s: %s", cmd, strerror(errno));
	w = fwrite(msg->data, 1, msg->len, f);
	st = pclose(f);
	if (w != msg->len)
		return err_set(e, "%s: could not write the message", cmd);
	if (st == -1)
		return err_set(e, "%s: %s", cmd, strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return err_set(e, "%s: exit status %d", cmd,
		    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}
