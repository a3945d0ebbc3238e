/* SPDX-License-Identifier: ISC */
/*
 * summary.c - `inkan-reports received --db DB --domain D [--days N]
 * [--now EPOCH] [--json | --html FILE]`: what the imported aggregate reports say about
 * the mail of domain D over the last N days (default 7) before --now
 * (default the clock): per source address the messages, how many passed
 * DMARC, SPF and DKIM (passed, and passed aligned: RFC 9989's identifier
 * alignment is what the receiver's policy_evaluated says), the
 * dispositions receivers applied and who reported; the total; for each
 * failing source a verdict in words with what to change; and whether the
 * domain is ready for p=quarantine or p=reject (how much of its mail
 * would have been affected in the period).
 * Ed25519 (RFC 8463): receivers that do not implement it may report a
 * signature as fail. A DKIM fail reported in a row where another
 * signature of the same domain passed (and DMARC passed on it) is taken
 * to be that and explained, not counted against the domain.
 * Sources are listed with the most messages first. PTR names: the report
 * formats carry none; with --ptr (the network) or --dns-zone ZONEFILE
 * (answers from the file) the first RCV_PTR_MAX sources get theirs
 * (ptr.c), shown beside the address.
 * --metrics FILE also writes the numbers as Prometheus gauges
 * (metrics.c). --html FILE writes the page of html.c instead (messages per day are
 * counted here, in add_day). The text and the page are in the language
 * of the locale (i18n.h); --json stays English.
 * Not here: reading reports (import.c), SQL (received_db.c).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <wchar.h>

#include <libpsl.h>

#include "buf.h"
#include "dns.h"
#include "dns_unbound.h"
#include "err.h"
#include "i18n.h"
#include "json.h"
#include "orgdomain.h"
#include "ptr.h"
#include "received.h"
#include "received_db.h"
#include "summary.h"
#include "report_db.h"
#include "xml_text.h"

#define MAX_ORGS	16	/* reporting organisations named per source */

/* Is the tab-separated line field i of line equal to want (case ignored)? */
static bool
field_is(const char *line, size_t len, int i, const char *want)
{
	const char *p = line, *end = line + len, *t;
	size_t wl = strlen(want);

	while (i-- > 0) {
		if ((t = memchr(p, '\t', (size_t)(end - p))) == NULL)
			return false;
		p = t + 1;
	}
	t = memchr(p, '\t', (size_t)(end - p));
	if (t == NULL)
		t = end;
	return (size_t)(t - p) == wl && strncasecmp(p, want, wl) == 0;
}

/* Field i of line into out (cut to outlen). */
static void
field(const char *line, size_t len, int i, char *out, size_t outlen)
{
	const char *p = line, *end = line + len, *t;
	size_t n;

	out[0] = '\0';
	while (i-- > 0) {
		if ((t = memchr(p, '\t', (size_t)(end - p))) == NULL)
			return;
		p = t + 1;
	}
	t = memchr(p, '\t', (size_t)(end - p));
	n = (size_t)((t != NULL ? t : end) - p);
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* The next line of *rest into (*l, *len); false at the end. */
static bool
next_line(const char **rest, const char **l, size_t *len)
{
	const char *nl;

	if (**rest == '\0')
		return false;
	*l = *rest;
	nl = strchr(*l, '\n');
	*len = nl != NULL ? (size_t)(nl - *l) : strlen(*l);
	*rest = nl != NULL ? nl + 1 : *l + *len;
	return true;
}

static bool
any_result(const char *lines, int col, const char *result)
{
	const char *rest = lines, *l;
	size_t len;

	while (next_line(&rest, &l, &len))
		if (field_is(l, len, col, result))
			return true;
	return false;
}

static void
add_org(struct src *s, const char *org)
{
	const char *p = buf_str(&s->orgs);
	size_t ol = strlen(org);

	/* already named? */
	while ((p = strstr(p, org)) != NULL) {
		if ((p == buf_str(&s->orgs) || p[-1] == ' ') &&
		    (p[ol] == ',' || p[ol] == '\0'))
			return;
		p += ol;
	}
	if (s->norgs >= MAX_ORGS)
		return;
	if (s->norgs++ > 0)
		buf_adds(&s->orgs, ", ");
	buf_adds(&s->orgs, org);
}

/*
 * The Ed25519 case: a DKIM fail (or permerror, neutral) of domain d in a
 * row where a signature of d passed and DMARC passed on DKIM.
 */
static bool
ed25519_like(struct summary *sm, const struct received_row_view *v)
{
	char d[256], sel[256], note[700];
	const char *rest = v->auth_dkim, *l, *r2, *m;
	size_t len, mlen;
	bool found = false;

	if (strcmp(v->dkim, "pass") != 0)
		return false;
	while (next_line(&rest, &l, &len)) {
		if (field_is(l, len, 2, "fail") ||
		    field_is(l, len, 2, "permerror") ||
		    field_is(l, len, 2, "neutral")) {
			field(l, len, 0, d, sizeof(d));
			field(l, len, 1, sel, sizeof(sel));
			r2 = v->auth_dkim;
			while (next_line(&r2, &m, &mlen))
				if (field_is(m, mlen, 0, d) &&
				    field_is(m, mlen, 2, "pass")) {
					found = true;
					snprintf(note, sizeof(note), "s=%s d=%s",
					    sel, d);
					if (strstr(buf_str(&sm->ed_note), note)
					    == NULL && sm->ed_note.len < 2000) {
						if (sm->ed_note.len > 0)
							buf_adds(&sm->ed_note,
							    ", ");
						buf_adds(&sm->ed_note, note);
					}
				}
		}
	}
	return found;
}

/* Why a row failed DMARC, for the verdict. */
static void
classify(struct src *s, const struct received_row_view *v)
{
	enum spf_state sp;
	enum dkim_state dk;
	char d[256];
	const char *rest, *l;
	size_t len;

	if (any_result(v->auth_spf, 2, "pass"))
		sp = SPF_UNALIGNED;
	else if (any_result(v->auth_spf, 2, "fail"))
		sp = SPF_FAILED;
	else if (any_result(v->auth_spf, 2, "softfail"))
		sp = SPF_SOFT;
	else
		sp = SPF_NONE;
	if (v->auth_dkim[0] == '\0')
		dk = DKIM_NONE;
	else if (any_result(v->auth_dkim, 2, "pass"))
		dk = DKIM_UNALIGNED;
	else
		dk = DKIM_FAILED;
	s->why[sp][dk] += v->count;
	rest = v->auth_dkim;
	if (dk == DKIM_UNALIGNED && s->other_d.len == 0)
		while (next_line(&rest, &l, &len))
			if (field_is(l, len, 2, "pass") && s->other_d.len == 0) {
				field(l, len, 0, d, sizeof(d));
				buf_adds(&s->other_d, d);
			}
	rest = v->auth_spf;
	if (sp == SPF_UNALIGNED && s->spf_d.len == 0)
		while (next_line(&rest, &l, &len))
			if (field_is(l, len, 2, "pass") && s->spf_d.len == 0) {
				field(l, len, 0, d, sizeof(d));
				buf_adds(&s->spf_d, d);
			}
}

/* The row's messages on the day of the middle of its report's period. */
static void
add_day(struct summary *sm, const struct received_row_view *v, bool pass)
{
	int64_t b = v->begin, e = v->end, d;
	size_t i;

	if (b < sm->since)
		b = sm->since;
	if (e > sm->until)
		e = sm->until;
	if (e < b)
		e = b;
	d = (b + (e - b) / 2) / 86400 - sm->first_day;
	if (sm->ndays == 0)
		return;
	i = d < 0 ? 0 : (size_t)d >= sm->ndays ? sm->ndays - 1 : (size_t)d;
	sm->days[i].msgs += v->count;
	if (pass)
		sm->days[i].dmarc_pass += v->count;
}

static int
add_row(void *arg, const struct received_row_view *v, struct err *e)
{
	struct summary *sm = arg;
	struct src *s, *ns;
	bool pass;

	if (sm->n == 0 || strcmp(sm->s[sm->n - 1].ip, v->source_ip) != 0) {
		if ((ns = reallocarray(sm->s, sm->n + 1, sizeof(*ns))) == NULL)
			return err_set(e, "out of memory");
		sm->s = ns;
		memset(&ns[sm->n], 0, sizeof(*ns));
		if ((ns[sm->n].ip = strdup(v->source_ip)) == NULL)
			return err_set(e, "out of memory");
		sm->n++;
	}
	s = &sm->s[sm->n - 1];
	/* totals cannot overflow: RCV_MAX_COUNT per row, rows in SQLite */
	s->msgs += v->count;
	pass = strcmp(v->dkim, "pass") == 0 || strcmp(v->spf, "pass") == 0;
	if (pass)
		s->dmarc_pass += v->count;
	if (any_result(v->auth_spf, 2, "pass"))
		s->spf_pass += v->count;
	if (strcmp(v->spf, "pass") == 0)
		s->spf_aligned += v->count;
	if (any_result(v->auth_dkim, 2, "pass"))
		s->dkim_pass += v->count;
	if (strcmp(v->dkim, "pass") == 0)
		s->dkim_aligned += v->count;
	if (strcmp(v->disposition, "quarantine") == 0)
		s->quarantine += v->count;
	else if (strcmp(v->disposition, "reject") == 0)
		s->reject += v->count;
	else
		s->none += v->count;
	if (ed25519_like(sm, v)) {
		s->ed25519 += v->count;
		sm->ed25519 += v->count;
	}
	if (!pass)
		classify(s, v);
	add_day(sm, v, pass);
	add_org(s, v->org_name);
	sm->msgs += v->count;
	if (pass)
		sm->dmarc_pass += v->count;
	return buf_failed(&s->orgs) || buf_failed(&sm->ed_note) ?
	    err_set(e, "out of memory") : 0;
}

const char *
rcv_num(uint64_t n, char out[32])
{
	char tmp[32];
	size_t len, i, j = 0;

	snprintf(tmp, sizeof(tmp), "%" PRIu64, n);
	len = strlen(tmp);
	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[j++] = ',';
		out[j++] = tmp[i];
	}
	out[j] = '\0';
	return out;
}

/*
 * T(s): s in the language of the locale when the caller asked for it
 * (translate), else the English msgid, byte for byte (--json).
 */
#define T(s)	(translate ? _(s) : (s))

void
rcv_source_verdict(const struct summary *sm, const struct src *s,
    struct buf *b, bool translate)
{
	static const char *const spf_words[SPF_N] = {
		N_("SPF pass but not aligned"), N_("SPF fail"),
		N_("SPF softfail"), N_("no SPF pass") };
	static const char *const dkim_words[DKIM_N] = {
		N_("no DKIM"), N_("DKIM pass but not aligned"),
		N_("DKIM fail") };
	uint64_t fail = s->msgs - s->dmarc_pass, best = 0;
	int i, j, bi = 0, bj = 0;
	char n1[32], n2[32];
	/* TRANSLATORS: separates the parts of a source's verdict */
	const char *comma = T(", ");
	/* TRANSLATORS: between a source and what is wrong with it */
	const char *colon = T(": ");

	if (fail == 0)
		return;
	for (i = 0; i < SPF_N; i++)
		for (j = 0; j < DKIM_N; j++)
			if (s->why[i][j] > best) {
				best = s->why[i][j];
				bi = i;
				bj = j;
			}
	buf_adds(b, s->ip);
	if (s->ptr[0] != '\0')
		buf_printf(b, " (%s)", s->ptr);
	buf_adds(b, colon);
	if (fail == s->msgs)
		buf_printf(b, T("%s messages"), rcv_num(fail, n1));
	else
		buf_printf(b, T("%s of %s messages"), rcv_num(fail, n1),
		    rcv_num(s->msgs, n2));
	buf_adds(b, comma);
	buf_adds(b, T(spf_words[bi]));
	if (bi == SPF_UNALIGNED && s->spf_d.len > 0)
		buf_printf(b, " (%s)", buf_str(&s->spf_d));
	buf_adds(b, comma);
	buf_adds(b, T(dkim_words[bj]));
	if (bj == DKIM_UNALIGNED && s->other_d.len > 0)
		buf_printf(b, " (d=%s)", buf_str(&s->other_d));
	buf_adds(b, colon);
	if (bj == DKIM_UNALIGNED)
		buf_printf(b, T("have that service sign with d=%s (a DKIM key "
		    "for it under your domain, or a CNAME to its key)"),
		    sm->domain);
	else if (bj == DKIM_FAILED)
		buf_adds(b, T("check the key its selector points to, and "
		    "whether a forwarder or mailing list changes the "
		    "messages on the way"));
	else if (bi == SPF_UNALIGNED)
		buf_adds(b, T("add a DKIM key for that service or a CNAME to "
		    "its key"));
	else
		buf_printf(b, T("if it sends for %s, add it to the SPF record "
		    "and have it sign with DKIM; if not, this is forged "
		    "mail, which p=reject stops"), sm->domain);
	if (best < fail)
		buf_adds(b, T(" (the most common cause)"));
}

void
rcv_domain_verdict(const struct summary *sm, struct buf *b, bool *ready,
    bool translate)
{
	uint64_t fail = sm->msgs - sm->dmarc_pass;
	char n1[32], n2[32];

	*ready = sm->msgs > 0 && fail == 0;
	if (sm->msgs == 0) {
		buf_printf(b, T("no report about %s in the period: publish a "
		    "DMARC record with rua= and wait for reports"), sm->domain);
		return;
	}
	if (fail == 0) {
		buf_printf(b, T("ready for p=quarantine and p=reject: all %s "
		    "messages in %" PRId64 " reports passed DMARC"),
		    rcv_num(sm->msgs, n1), sm->reports);
		return;
	}
	buf_printf(b, T("not ready for p=quarantine or p=reject: %s of %s "
	    "messages (%.1f%%) failed DMARC and would have been quarantined "
	    "or rejected; fix the failing sources first"), rcv_num(fail, n1),
	    rcv_num(sm->msgs, n2), 100.0 * (double)fail / (double)sm->msgs);
}

/*
 * s padded with spaces to width columns of the terminal (wcwidth: a
 * Japanese character takes two), on the left if width < 0, else on the
 * right after a separating space (the layout of "%-39s" and " %12s" in
 * the C locale, byte for byte).
 */
static void
pad(struct buf *b, const char *s, int width)
{
	mbstate_t st;
	wchar_t wc;
	size_t len = strlen(s), k, i;
	int cols = 0, w, want = width < 0 ? -width : width - 1;
	const char *p = s;

	memset(&st, 0, sizeof(st));
	while (len > 0 && (k = mbrtowc(&wc, p, len, &st)) != 0 &&
	    k != (size_t)-1 && k != (size_t)-2) {
		w = wcwidth(wc);
		cols += w > 0 ? w : 1;
		p += k;
		len -= k;
	}
	cols += (int)len;	/* bytes the locale cannot read: one column each */
	if (width > 0)
		buf_addc(b, ' ');
	if (width < 0)
		buf_adds(b, s);
	for (i = (size_t)cols; i < (size_t)want; i++)
		buf_addc(b, ' ');
	if (width > 0)
		buf_adds(b, s);
}

static void
print_text(const struct summary *sm)
{
	struct buf b = BUF_INIT;
	char d1[32], d2[32], n[6][32], spf[70], dkim[70], ip[300];
	struct tm tm;
	time_t t;
	size_t i;
	bool ready, any = false;

	t = (time_t)sm->since;
	gmtime_r(&t, &tm);
	strftime(d1, sizeof(d1), "%Y-%m-%d %H:%M", &tm);
	t = (time_t)sm->until;
	gmtime_r(&t, &tm);
	strftime(d2, sizeof(d2), "%Y-%m-%d %H:%M", &tm);
	buf_printf(&b, _("DMARC aggregate reports about %s, %s to %s UTC: %"
	    PRId64 " reports"), sm->domain, d1, d2, sm->reports);
	rcv_print_clean(buf_str(&b));
	if (sm->published[0] != '\0') {
		buf_reset(&b);
		buf_printf(&b, _("published (the latest report): %s"),
		    sm->published);
		rcv_print_clean(buf_str(&b));
	}
	if (sm->n > 0) {
		buf_reset(&b);
		pad(&b, _("source"), -39);
		pad(&b, _("messages"), 13);
		pad(&b, _("DMARC pass"), 13);
		pad(&b, _("SPF pass/aligned"), 22);
		pad(&b, _("DKIM pass/aligned"), 22);
		buf_printf(&b, " %s", _("none/quarantine/reject, reported by"));
		printf("%s\n", buf_str(&b));
	}
	for (i = 0; i < sm->n; i++) {
		const struct src *s = &sm->s[i];

		snprintf(spf, sizeof(spf), "%s/%s", rcv_num(s->spf_pass, n[0]),
		    rcv_num(s->spf_aligned, n[1]));
		snprintf(dkim, sizeof(dkim), "%s/%s",
		    rcv_num(s->dkim_pass, n[2]), rcv_num(s->dkim_aligned, n[3]));
		snprintf(ip, sizeof(ip), "%s%s%s%s", s->ip, s->ptr[0] != '\0' ?
		    " (" : "", s->ptr, s->ptr[0] != '\0' ? ")" : "");
		buf_reset(&b);
		buf_printf(&b, "%-39s %12s %12s %21s %21s ", ip,
		    rcv_num(s->msgs, n[4]), rcv_num(s->dmarc_pass, n[5]), spf,
		    dkim);
		buf_printf(&b, "%s/", rcv_num(s->none, n[0]));
		buf_printf(&b, "%s/", rcv_num(s->quarantine, n[0]));
		buf_printf(&b, "%s, %s", rcv_num(s->reject, n[0]),
		    buf_str(&s->orgs));
		rcv_print_clean(buf_str(&b));
	}
	buf_reset(&b);
	pad(&b, _("total"), -39);
	buf_printf(&b, " %12s %12s", rcv_num(sm->msgs, n[0]),
	    rcv_num(sm->dmarc_pass, n[1]));
	printf("%s\n", buf_str(&b));
	if (sm->norgs > 0)
		printf("%s\n", _("by organisation (the registered domain of the "
		    "PTR name):"));
	for (i = 0; i < sm->norgs; i++) {
		buf_reset(&b);
		buf_printf(&b, "  %s: ", sm->orgs[i].name);
		buf_printf(&b, ngettext("%s messages from %zu source, %s "
		    "passed DMARC", "%s messages from %zu sources, %s passed "
		    "DMARC", sm->orgs[i].nsrc), rcv_num(sm->orgs[i].msgs, n[0]),
		    sm->orgs[i].nsrc, rcv_num(sm->orgs[i].dmarc_pass, n[1]));
		rcv_print_clean(buf_str(&b));
	}
	for (i = 0; i < sm->n; i++) {
		buf_reset(&b);
		rcv_source_verdict(sm, &sm->s[i], &b, true);
		if (b.len == 0)
			continue;
		if (!any)
			printf("%s\n", _("failing sources:"));
		any = true;
		printf("  ");
		rcv_print_clean(buf_str(&b));
	}
	if (sm->ed25519 > 0) {
		buf_reset(&b);
		buf_printf(&b, _("note: %s messages were reported with a DKIM "
		    "fail (%s) where another signature of the same domain "
		    "passed: most likely an Ed25519 signature (RFC 8463) that "
		    "the receiver does not verify; not counted against %s"),
		    rcv_num(sm->ed25519, n[0]), buf_str(&sm->ed_note),
		    sm->domain);
		rcv_print_clean(buf_str(&b));
	}
	buf_reset(&b);
	buf_adds(&b, _("verdict: "));
	rcv_domain_verdict(sm, &b, &ready, true);
	rcv_print_clean(buf_str(&b));
	buf_free(&b);
}

static void
print_json(const struct summary *sm)
{
	struct buf b = BUF_INIT, v = BUF_INIT;
	uint64_t fail = sm->msgs - sm->dmarc_pass;
	size_t i;
	bool ready;

	buf_adds(&b, "{\"domain\": ");
	json_str(&b, sm->domain);
	buf_adds(&b, ", \"published\": ");
	json_str(&b, sm->published[0] != '\0' ? sm->published : NULL);
	buf_printf(&b, ", \"period\": {\"begin\": %" PRId64 ", \"end\": %"
	    PRId64 "}, \"reports\": %" PRId64 ", \"messages\": %" PRIu64
	    ", \"dmarc_pass\": %" PRIu64 ", \"dmarc_fail\": %" PRIu64
	    ", \"ed25519_explained\": %" PRIu64 ", \"sources\": [", sm->since,
	    sm->until, sm->reports, sm->msgs, sm->dmarc_pass, fail, sm->ed25519);
	for (i = 0; i < sm->n; i++) {
		const struct src *s = &sm->s[i];

		buf_printf(&b, "%s{\"ip\": ", i > 0 ? ", " : "");
		json_str(&b, s->ip);
		buf_adds(&b, ", \"ptr\": ");
		json_str(&b, s->ptr[0] != '\0' ? s->ptr : NULL);
		buf_adds(&b, ", \"organisation\": ");
		json_str(&b, s->org[0] != '\0' ? s->org : NULL);
		buf_printf(&b, ", \"messages\": %" PRIu64 ", \"dmarc_pass\": %"
		    PRIu64 ", \"spf_pass\": %" PRIu64 ", \"spf_aligned\": %"
		    PRIu64 ", \"dkim_pass\": %" PRIu64 ", \"dkim_aligned\": %"
		    PRIu64 ", \"ed25519_explained\": %" PRIu64
		    ", \"dispositions\": {\"none\": %" PRIu64
		    ", \"quarantine\": %" PRIu64 ", \"reject\": %" PRIu64
		    "}, \"reported_by\": ", s->msgs, s->dmarc_pass,
		    s->spf_pass, s->spf_aligned, s->dkim_pass, s->dkim_aligned,
		    s->ed25519, s->none, s->quarantine, s->reject);
		json_str(&b, buf_str(&s->orgs));
		buf_adds(&b, ", \"verdict\": ");
		buf_reset(&v);
		rcv_source_verdict(sm, s, &v, false);
		json_str(&b, v.len > 0 ? buf_str(&v) : NULL);
		buf_adds(&b, "}");
	}
	buf_adds(&b, "], \"organisations\": [");
	for (i = 0; i < sm->norgs; i++) {
		buf_adds(&b, i > 0 ? ", {\"name\": " : "{\"name\": ");
		json_str(&b, sm->orgs[i].name);
		buf_printf(&b, ", \"messages\": %" PRIu64 ", \"dmarc_pass\": %"
		    PRIu64 ", \"sources\": %zu}", sm->orgs[i].msgs,
		    sm->orgs[i].dmarc_pass, sm->orgs[i].nsrc);
	}
	buf_reset(&v);
	rcv_domain_verdict(sm, &v, &ready, false);
	buf_printf(&b, "], \"ready_quarantine\": %s, \"ready_reject\": %s, "
	    "\"would_affect\": %" PRIu64 ", \"would_affect_percent\": %.1f, "
	    "\"verdict\": ", ready ? "true" : "false", ready ? "true" :
	    "false", fail, sm->msgs > 0 ? 100.0 * (double)fail /
	    (double)sm->msgs : 0.0);
	json_str(&b, buf_str(&v));
	buf_adds(&b, "}\n");
	if (buf_failed(&b))
		fprintf(stderr, "inkan-reports: out of memory\n");
	else
		fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
	buf_free(&v);
}

static int
by_messages(const void *a, const void *b)
{
	const struct src *x = a, *y = b;

	if (x->msgs != y->msgs)
		return x->msgs > y->msgs ? -1 : 1;
	return strcmp(x->ip, y->ip);
}

static int
by_org_messages(const void *a, const void *b)
{
	const struct org_group *x = a, *y = b;

	if (x->msgs != y->msgs)
		return x->msgs > y->msgs ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * The organisation of each source with a PTR name (its registered
 * domain: the system's Public Suffix List, else libpsl's own), and the
 * groups of sources by organisation.
 */
static int
group(struct summary *sm)
{
	psl_ctx_t *psl;
	struct org_group *g;
	size_t i, j;

	if ((psl = psl_latest(NULL)) == NULL &&
	    (psl = (psl_ctx_t *)psl_builtin()) == NULL)
		return 0;	/* no list: no groups */
	for (i = 0; i < sm->n; i++)
		if (sm->s[i].ptr[0] != '\0')
			orgdomain_psl(psl, sm->s[i].ptr, sm->s[i].org);
	if (psl != psl_builtin())
		psl_free(psl);
	for (i = 0; i < sm->n; i++) {
		const struct src *s = &sm->s[i];

		if (s->org[0] == '\0')
			continue;
		for (j = 0; j < sm->norgs; j++)
			if (strcmp(sm->orgs[j].name, s->org) == 0)
				break;
		if (j == sm->norgs) {
			if ((g = reallocarray(sm->orgs, sm->norgs + 1,
			    sizeof(*g))) == NULL) {
				fprintf(stderr, "inkan-reports: out of memory\n");
				return -1;
			}
			sm->orgs = g;
			memset(&g[j], 0, sizeof(g[j]));
			g[j].name = s->org;
			sm->norgs++;
		}
		sm->orgs[j].msgs += s->msgs;
		sm->orgs[j].dmarc_pass += s->dmarc_pass;
		sm->orgs[j].nsrc++;
	}
	if (sm->norgs > 1)
		qsort(sm->orgs, sm->norgs, sizeof(*sm->orgs), by_org_messages);
	return 0;
}

/*
 * Sources with the most messages first; with a resolver (ptr: the
 * network, or zone), the PTR names of the first RCV_PTR_MAX.
 */
static int
sort_and_name(struct summary *sm, bool ptr, const char *zone)
{
	struct dns_unbound_opts uo;
	struct dns_resolver *res = NULL;
	struct err e = { "" };
	size_t i;

	if (sm->n > 1)
		qsort(sm->s, sm->n, sizeof(*sm->s), by_messages);
	if (!ptr && zone == NULL)
		return 0;
	if (zone != NULL)
		res = dns_zone_open(zone, &e);
	else {
		memset(&uo, 0, sizeof(uo));
		uo.query_timeout_ms = RCV_PTR_TIMEOUT_MS;
		res = dns_unbound_new(&uo, &e);
	}
	if (res == NULL) {
		fprintf(stderr, "inkan-reports: DNS: %s\n", e.msg);
		return -1;
	}
	for (i = 0; i < sm->n && i < RCV_PTR_MAX; i++)
		rcv_ptr(res, sm->s[i].ip, sm->s[i].ptr, sizeof(sm->s[i].ptr));
	dns_resolver_free(res);
	return group(sm);
}

static void
usage(void)
{
	fprintf(stderr, "usage: inkan-reports received --db PATH --domain "
	    "DOMAIN [--days N]\n    [--now EPOCH] [--ptr | --dns-zone "
	    "ZONEFILE] [--json | --html FILE]\n    [--metrics FILE]\n");
	exit(2);
}

static int64_t
number(const char *s, int64_t max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < 0 || v > max)
		usage();
	return v;
}

int
rcv_received_main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "domain", required_argument, NULL, 'D' },
		{ "days", required_argument, NULL, 'n' },
		{ "now", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "ptr", no_argument, NULL, 'p' },
		{ "dns-zone", required_argument, NULL, 'z' },
		{ "html", required_argument, NULL, 'h' },
		{ "metrics", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	struct summary sm;
	struct err e = { "" };
	struct report_db *rdb;
	struct store_sql *db;
	const char *dbpath = NULL, *zone = NULL, *html = NULL, *metrics = NULL;
	char *dom = NULL;
	int64_t days = 7, now = (int64_t)time(NULL), since, last;
	bool json = false, ptr = false;
	size_t i;
	int c, status = 0;

	i18n_init();
	memset(&sm, 0, sizeof(sm));
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': dbpath = optarg; break;
		case 'D': sm.domain = optarg; break;
		case 'n': days = number(optarg, 100000); break;
		case 't': now = number(optarg, INT64_MAX / 2); break;
		case 'j': json = true; break;
		case 'p': ptr = true; break;
		case 'z': zone = optarg; break;
		case 'h': html = optarg; break;
		case 'm': metrics = optarg; break;
		default: usage();
		}
	}
	if (optind != argc || dbpath == NULL || sm.domain == NULL ||
	    days == 0 || *sm.domain == '\0' || (ptr && zone != NULL) ||
	    (json && html != NULL) || (html != NULL && *html == '\0') ||
	    (metrics != NULL && *metrics == '\0'))
		usage();
	if ((dom = strdup(sm.domain)) == NULL) {
		fprintf(stderr, "inkan-reports: out of memory\n");
		return 1;
	}
	for (i = 0; dom[i] != '\0'; i++)
		dom[i] = (char)tolower((unsigned char)dom[i]);
	sm.domain = dom;
	if ((rdb = rcv_open_db(dbpath, &db)) == NULL)
		return 1;
	since = now - days * 86400;
	sm.since = since;
	sm.until = now;
	/*
	 * The days charted: those of the period (one ending at 00:00 ends
	 * the day before), the last RCV_MAX_DAYS.
	 */
	last = (now - 1) / 86400;
	sm.first_day = since / 86400;
	if (last - sm.first_day >= RCV_MAX_DAYS)
		sm.first_day = last - RCV_MAX_DAYS + 1;
	sm.ndays = (size_t)(last - sm.first_day + 1);
	if ((sm.reports = received_db_count_reports(db, sm.domain, since, now,
	    &e)) == -1 || received_db_rows(db, sm.domain, since, now,
	    add_row, &sm, &e) == -1 || received_db_policy(db, sm.domain, since,
	    now, sm.published, sizeof(sm.published), &e) == -1) {
		fprintf(stderr, "inkan-reports: %s: %s\n", dbpath, e.msg);
		status = 1;
	} else if (sort_and_name(&sm, ptr, zone) == -1)
		status = 1;
	else if (html != NULL)
		status = rcv_html_write(&sm, html) == -1 ? 1 : 0;
	else if (json)
		print_json(&sm);
	else
		print_text(&sm);
	if (status == 0 && metrics != NULL &&
	    rcv_metrics_summary(metrics, &sm) == -1)
		status = 1;
	for (i = 0; i < sm.n; i++) {
		free(sm.s[i].ip);
		buf_free(&sm.s[i].orgs);
		buf_free(&sm.s[i].other_d);
		buf_free(&sm.s[i].spf_d);
	}
	free(sm.s);
	free(sm.orgs);
	buf_free(&sm.ed_note);
	free(dom);
	report_db_close(rdb);
	return status;
}
