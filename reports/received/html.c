/* SPDX-License-Identifier: ISC */
/*
 * html.c - the page of `inkan-reports received --html FILE`: one
 * self-contained HTML file (inline CSS, inline SVG charts; no script, no
 * font, image or style from anywhere else, so it opens offline and from
 * a mail attachment) with the domain in the title and heading, the
 * verdict, the messages per day (passing and failing DMARC), the DMARC
 * pass rate per day, the messages per source and the sources table.
 * Every value that comes from a report (addresses, PTR names, organisation
 * names, domains, the published policy) is untrusted: it goes through
 * xml_text(), which escapes & < > " ' and replaces control characters and
 * invalid UTF-8, so it is text wherever it lands (element or attribute).
 * Words are translated (i18n.h); numbers in SVG coordinates are written
 * with '.', whatever the locale (i18n_init leaves LC_NUMERIC alone).
 * A Content-Security-Policy meta element allows inline style only.
 * The page is written to FILE.tmp, then renamed to FILE, so a reader (a
 * web server serving the directory) never sees half a page.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "i18n.h"
#include "summary.h"
#include "xml_text.h"

#define HTML_SOURCES_CHARTED	20	/* bars in the per-source chart */
#define CHART_W			760	/* SVG width, user units */
#define CHART_H			220	/* height of the per-day charts */
#define CHART_LEFT		64	/* room for the y axis labels */
#define CHART_BOTTOM		28	/* room for the dates */
#define CHART_TOP		12
#define SOURCE_ROW_H		22	/* one bar of the per-source chart */
#define SOURCE_LABEL_W		300	/* room for "address (PTR)" */

#define COLOUR_PASS	"#2e7d32"
#define COLOUR_FAIL	"#c62828"

/* Untrusted (or any) text, escaped for HTML content and attributes. */
static void
esc(struct buf *b, const char *s)
{
	xml_text(b, s, strlen(s));
}

static void
day_label(int64_t day, char out[16], const char *fmt)
{
	struct tm tm;
	time_t t = (time_t)(day * 86400);

	gmtime_r(&t, &tm);
	strftime(out, 16, fmt, &tm);
}

/* The largest day (or source) count, rounded up to a nice axis maximum. */
static uint64_t
axis_max(uint64_t max)
{
	uint64_t step = 1;

	if (max == 0)
		return 1;
	while (step <= max / 10 && step < UINT64_MAX / 10)
		step *= 10;
	/* 1, 2 or 5 times a power of ten, at least max */
	if (max <= step)
		return step;
	if (max <= 2 * step)
		return 2 * step;
	if (max <= 5 * step)
		return 5 * step;
	return 10 * step;
}

/* The x axis: a date under every k-th day, so that labels do not touch. */
static void
x_labels(struct buf *b, const struct summary *sm, double bw)
{
	size_t i, k = 1;
	char d[16];
	double x;

	while (bw * (double)k < 44.0)
		k++;
	for (i = 0; i < sm->ndays; i += k) {
		day_label(sm->first_day + (int64_t)i, d, "%m-%d");
		x = CHART_LEFT + bw * ((double)i + 0.5);
		buf_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\""
		    " class=\"axis\">%s</text>\n", x, CHART_H - 8, d);
	}
}

/* Horizontal grid lines and labels at 0, half and the top of the axis. */
static void
y_grid(struct buf *b, uint64_t top, bool percent)
{
	double plot = CHART_H - CHART_TOP - CHART_BOTTOM, y;
	char n[32];
	int i;

	for (i = 0; i <= 2; i++) {
		y = CHART_TOP + plot - plot * i / 2.0;
		buf_printf(b, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\""
		    " class=\"grid\"/>\n", CHART_LEFT, CHART_W, y, y);
		if (percent)
			buf_printf(b, "<text x=\"%d\" y=\"%.1f\" "
			    "text-anchor=\"end\" class=\"axis\">%d%%</text>\n",
			    CHART_LEFT - 6, y + 4, i * 50);
		else
			buf_printf(b, "<text x=\"%d\" y=\"%.1f\" "
			    "text-anchor=\"end\" class=\"axis\">%s</text>\n",
			    CHART_LEFT - 6, y + 4, rcv_num(top * (uint64_t)i / 2, n));
	}
}

/* Messages per day: a bar per day, passing below, failing on top. */
static void
chart_days(struct buf *b, const struct summary *sm)
{
	double plot = CHART_H - CHART_TOP - CHART_BOTTOM, bw, h, hp, x;
	uint64_t max = 0, top;
	char d[16], n1[32], n2[32];
	size_t i;

	for (i = 0; i < sm->ndays; i++)
		if (sm->days[i].msgs > max)
			max = sm->days[i].msgs;
	top = axis_max(max);
	bw = (double)(CHART_W - CHART_LEFT) / (double)sm->ndays;
	buf_printf(b, "<svg class=\"chart\" id=\"chart-days\" viewBox=\"0 0 %d "
	    "%d\" role=\"img\" aria-label=\"", CHART_W, CHART_H);
	esc(b, _("Messages per day"));
	buf_adds(b, "\">\n");
	y_grid(b, top, false);
	for (i = 0; i < sm->ndays; i++) {
		const struct day *dy = &sm->days[i];

		if (dy->msgs == 0)
			continue;
		h = plot * (double)dy->msgs / (double)top;
		hp = plot * (double)dy->dmarc_pass / (double)top;
		x = CHART_LEFT + bw * (double)i + bw * 0.1;
		day_label(sm->first_day + (int64_t)i, d, "%Y-%m-%d");
		buf_printf(b, "<g><title>%s: ", d);
		buf_printf(b, _("%s messages, %s passed DMARC"),
		    rcv_num(dy->msgs, n1), rcv_num(dy->dmarc_pass, n2));
		buf_printf(b, "</title><rect class=\"fail\" x=\"%.1f\" "
		    "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>", x,
		    CHART_TOP + plot - h, bw * 0.8, h - hp);
		buf_printf(b, "<rect class=\"pass\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%.1f\"/></g>\n", x,
		    CHART_TOP + plot - hp, bw * 0.8, hp);
	}
	x_labels(b, sm, bw);
	buf_adds(b, "</svg>\n");
}

/* The DMARC pass rate per day: a line through the days with mail. */
static void
chart_rate(struct buf *b, const struct summary *sm)
{
	double plot = CHART_H - CHART_TOP - CHART_BOTTOM, bw, x, y, rate;
	char d[16];
	size_t i;
	bool first = true;

	bw = (double)(CHART_W - CHART_LEFT) / (double)sm->ndays;
	buf_printf(b, "<svg class=\"chart\" id=\"chart-rate\" viewBox=\"0 0 %d "
	    "%d\" role=\"img\" aria-label=\"", CHART_W, CHART_H);
	esc(b, _("DMARC pass rate per day"));
	buf_adds(b, "\">\n");
	y_grid(b, 100, true);
	buf_adds(b, "<polyline class=\"rate\" points=\"");
	for (i = 0; i < sm->ndays; i++) {
		if (sm->days[i].msgs == 0)
			continue;
		rate = (double)sm->days[i].dmarc_pass /
		    (double)sm->days[i].msgs;
		x = CHART_LEFT + bw * ((double)i + 0.5);
		y = CHART_TOP + plot - plot * rate;
		buf_printf(b, "%s%.1f,%.1f", first ? "" : " ", x, y);
		first = false;
	}
	buf_adds(b, "\"/>\n");
	for (i = 0; i < sm->ndays; i++) {
		if (sm->days[i].msgs == 0)
			continue;
		rate = (double)sm->days[i].dmarc_pass /
		    (double)sm->days[i].msgs;
		x = CHART_LEFT + bw * ((double)i + 0.5);
		y = CHART_TOP + plot - plot * rate;
		day_label(sm->first_day + (int64_t)i, d, "%Y-%m-%d");
		buf_printf(b, "<circle class=\"rate\" cx=\"%.1f\" cy=\"%.1f\" "
		    "r=\"3.5\"><title>%s: %.1f%%</title></circle>\n", x, y, d,
		    100.0 * rate);
	}
	x_labels(b, sm, bw);
	buf_adds(b, "</svg>\n");
}

static void
source_label(struct buf *b, const struct src *s)
{
	esc(b, s->ip);
	if (s->ptr[0] != '\0') {
		buf_adds(b, " (");
		esc(b, s->ptr);
		buf_adds(b, ")");
	}
}

/* Messages per source: the first HTML_SOURCES_CHARTED, a bar each. */
static void
chart_sources(struct buf *b, const struct summary *sm)
{
	size_t i, n = sm->n < HTML_SOURCES_CHARTED ? sm->n :
	    HTML_SOURCES_CHARTED;
	double plot = CHART_W - SOURCE_LABEL_W - 70, w, wp, y;
	uint64_t top;
	char n1[32], n2[32];
	int height = (int)n * SOURCE_ROW_H + 8;

	top = n > 0 ? axis_max(sm->s[0].msgs) : 1;	/* sorted: most first */
	buf_printf(b, "<svg class=\"chart\" id=\"chart-sources\" viewBox=\"0 0 "
	    "%d %d\" role=\"img\" aria-label=\"", CHART_W, height);
	esc(b, _("Messages per source"));
	buf_adds(b, "\">\n");
	for (i = 0; i < n; i++) {
		const struct src *s = &sm->s[i];

		y = 4 + (double)i * SOURCE_ROW_H;
		w = plot * (double)s->msgs / (double)top;
		wp = plot * (double)s->dmarc_pass / (double)top;
		buf_printf(b, "<g><title>");
		source_label(b, s);
		buf_adds(b, ": ");
		buf_printf(b, _("%s messages, %s passed DMARC"),
		    rcv_num(s->msgs, n1), rcv_num(s->dmarc_pass, n2));
		buf_printf(b, "</title><text x=\"%d\" y=\"%.1f\" "
		    "text-anchor=\"end\" class=\"label\">", SOURCE_LABEL_W - 8,
		    y + 15);
		source_label(b, s);
		buf_printf(b, "</text><rect class=\"pass\" x=\"%d\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"16\"/>", SOURCE_LABEL_W, y + 2, wp);
		buf_printf(b, "<rect class=\"fail\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"16\"/>", SOURCE_LABEL_W + wp, y + 2,
		    w - wp);
		buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"label\">%s"
		    "</text></g>\n", SOURCE_LABEL_W + w + 6, y + 15,
		    rcv_num(s->msgs, n1));
	}
	buf_adds(b, "</svg>\n");
}

static void
cell_num(struct buf *b, uint64_t n)
{
	char t[32];

	buf_printf(b, "<td class=\"n\">%s</td>", rcv_num(n, t));
}

static void
cell_pair(struct buf *b, uint64_t x, uint64_t y)
{
	char t1[32], t2[32];

	buf_printf(b, "<td class=\"n\">%s / %s</td>", rcv_num(x, t1),
	    rcv_num(y, t2));
}

static void
table(struct buf *b, const struct summary *sm)
{
	struct buf v = BUF_INIT;
	char t1[32], t2[32], t3[32];
	size_t i;

	buf_adds(b, "<table id=\"sources\">\n<thead><tr><th>");
	esc(b, _("source"));
	buf_adds(b, "</th><th>");
	esc(b, _("messages"));
	buf_adds(b, "</th><th>");
	esc(b, _("DMARC pass"));
	buf_adds(b, "</th><th>");
	esc(b, _("SPF pass/aligned"));
	buf_adds(b, "</th><th>");
	esc(b, _("DKIM pass/aligned"));
	buf_adds(b, "</th><th>");
	esc(b, _("none/quarantine/reject"));
	buf_adds(b, "</th><th>");
	esc(b, _("reported by"));
	buf_adds(b, "</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < sm->n; i++) {
		const struct src *s = &sm->s[i];

		buf_printf(b, "<tr class=\"%s\"><td>", s->dmarc_pass == s->msgs ?
		    "ok" : "bad");
		source_label(b, s);
		buf_adds(b, "</td>");
		cell_num(b, s->msgs);
		cell_num(b, s->dmarc_pass);
		cell_pair(b, s->spf_pass, s->spf_aligned);
		cell_pair(b, s->dkim_pass, s->dkim_aligned);
		buf_printf(b, "<td class=\"n\">%s / %s / %s</td><td>",
		    rcv_num(s->none, t1), rcv_num(s->quarantine, t2),
		    rcv_num(s->reject, t3));
		esc(b, buf_str(&s->orgs));
		buf_adds(b, "</td></tr>\n");
		buf_reset(&v);
		rcv_source_verdict(sm, s, &v, true);
		if (v.len > 0) {
			buf_adds(b, "<tr class=\"why\"><td colspan=\"7\">");
			esc(b, buf_str(&v));
			buf_adds(b, "</td></tr>\n");
		}
	}
	buf_adds(b, "</tbody>\n<tfoot><tr><th>");
	esc(b, _("total"));
	buf_adds(b, "</th>");
	cell_num(b, sm->msgs);
	cell_num(b, sm->dmarc_pass);
	buf_adds(b, "<td colspan=\"4\"></td></tr></tfoot>\n</table>\n");
	buf_free(&v);
}

static void
orgs(struct buf *b, const struct summary *sm)
{
	size_t i;

	buf_adds(b, "<table id=\"organisations\">\n<thead><tr><th>");
	esc(b, _("organisation"));
	buf_adds(b, "</th><th>");
	esc(b, _("sources"));
	buf_adds(b, "</th><th>");
	esc(b, _("messages"));
	buf_adds(b, "</th><th>");
	esc(b, _("DMARC pass"));
	buf_adds(b, "</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < sm->norgs; i++) {
		const struct org_group *g = &sm->orgs[i];

		buf_printf(b, "<tr class=\"%s\"><td>", g->dmarc_pass ==
		    g->msgs ? "ok" : "bad");
		esc(b, g->name);
		buf_adds(b, "</td>");
		cell_num(b, g->nsrc);
		cell_num(b, g->msgs);
		cell_num(b, g->dmarc_pass);
		buf_adds(b, "</tr>\n");
	}
	buf_adds(b, "</tbody>\n</table>\n");
}

static const char style[] =
    "body{font-family:system-ui,\"Noto Sans CJK JP\",\"Hiragino Sans\","
    "\"Yu Gothic\",Meiryo,sans-serif;margin:2em auto;max-width:60em;"
    "padding:0 1em;color:#1a1a1a;background:#fff;line-height:1.4}\n"
    "h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;"
    "margin-top:1.6em}\n"
    ".meta{color:#555;margin-top:0}\n"
    ".verdict{border-left:6px solid " COLOUR_FAIL ";background:#fdecea;"
    "padding:.6em 1em}\n"
    ".verdict.ready{border-color:" COLOUR_PASS ";background:#e8f5e9}\n"
    ".verdict ul{margin:.4em 0;padding-left:1.2em}\n"
    ".chart{width:100%;height:auto;display:block}\n"
    ".chart .pass{fill:" COLOUR_PASS "}.chart .fail{fill:" COLOUR_FAIL "}\n"
    ".chart .grid{stroke:#ddd;stroke-width:1}\n"
    ".chart .axis,.chart .label{font-size:11px;fill:#444}\n"
    "polyline.rate{fill:none;stroke:#1565c0;stroke-width:2}\n"
    "circle.rate{fill:#1565c0}\n"
    ".legend span{display:inline-block;width:.9em;height:.9em;"
    "vertical-align:middle;margin:0 .3em 0 1em}\n"
    "table{border-collapse:collapse;width:100%;font-size:.9em}\n"
    "th,td{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;"
    "vertical-align:top}\n"
    "td.n{text-align:right;white-space:nowrap}\n"
    "tr.bad td:first-child{color:" COLOUR_FAIL ";font-weight:600}\n"
    "tr.why td{color:#555;font-size:.95em;padding-left:2em}\n"
    "tfoot th{text-align:left}\n";

static void
page(struct buf *b, const struct summary *sm)
{
	struct buf v = BUF_INIT;
	char d1[32], d2[32], n1[32], n2[32];
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
	buf_adds(b, "<!DOCTYPE html>\n<html lang=\"");
	/* TRANSLATORS: the language of the page, as in <html lang="en"> */
	esc(b, _("en"));
	/*
	 * The policy makes the browser itself refuse anything from outside
	 * the page (and any script): it holds even if a value were ever
	 * written unescaped.
	 */
	buf_adds(b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>");
	buf_reset(&v);
	buf_printf(&v, _("DMARC aggregate reports about %s"), sm->domain);
	esc(b, buf_str(&v));
	buf_printf(b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>",
	    style);
	esc(b, buf_str(&v));
	buf_adds(b, "</h1>\n<p class=\"meta\">");
	buf_reset(&v);
	buf_printf(&v, _("%s to %s UTC: %" PRId64 " reports, %s messages, %s "
	    "passed DMARC"), d1, d2, sm->reports, rcv_num(sm->msgs, n1),
	    rcv_num(sm->dmarc_pass, n2));
	esc(b, buf_str(&v));
	if (sm->published[0] != '\0') {
		buf_adds(b, "<br>");
		buf_reset(&v);
		buf_printf(&v, _("published (the latest report): %s"),
		    sm->published);
		esc(b, buf_str(&v));
	}
	buf_adds(b, "</p>\n");

	buf_reset(&v);
	rcv_domain_verdict(sm, &v, &ready, true);
	buf_printf(b, "<section class=\"verdict%s\" id=\"verdict\">\n<h2>",
	    ready ? " ready" : "");
	esc(b, _("Verdict"));
	buf_adds(b, "</h2>\n<p>");
	esc(b, buf_str(&v));
	buf_adds(b, "</p>\n");
	for (i = 0; i < sm->n; i++) {
		buf_reset(&v);
		rcv_source_verdict(sm, &sm->s[i], &v, true);
		if (v.len == 0)
			continue;
		if (!any) {
			buf_adds(b, "<p>");
			esc(b, _("failing sources:"));
			buf_adds(b, "</p>\n<ul>\n");
		}
		any = true;
		buf_adds(b, "<li>");
		esc(b, buf_str(&v));
		buf_adds(b, "</li>\n");
	}
	if (any)
		buf_adds(b, "</ul>\n");
	if (sm->ed25519 > 0) {
		buf_reset(&v);
		buf_printf(&v, _("note: %s messages were reported with a DKIM "
		    "fail (%s) where another signature of the same domain "
		    "passed: most likely an Ed25519 signature (RFC 8463) that "
		    "the receiver does not verify; not counted against %s"),
		    rcv_num(sm->ed25519, n1), buf_str(&sm->ed_note),
		    sm->domain);
		buf_adds(b, "<p>");
		esc(b, buf_str(&v));
		buf_adds(b, "</p>\n");
	}
	buf_adds(b, "</section>\n");

	buf_adds(b, "<h2>");
	esc(b, _("Messages per day"));
	buf_adds(b, "</h2>\n<p class=\"legend\"><span style=\"background:"
	    COLOUR_PASS "\"></span>");
	esc(b, _("passed DMARC"));
	buf_adds(b, "<span style=\"background:" COLOUR_FAIL "\"></span>");
	esc(b, _("failed DMARC"));
	buf_adds(b, "</p>\n");
	chart_days(b, sm);
	buf_adds(b, "<h2>");
	esc(b, _("DMARC pass rate per day"));
	buf_adds(b, "</h2>\n");
	chart_rate(b, sm);
	if (sm->n > 0) {
		buf_adds(b, "<h2>");
		esc(b, _("Messages per source"));
		buf_adds(b, "</h2>\n");
		chart_sources(b, sm);
		buf_adds(b, "<h2>");
		esc(b, _("Sources"));
		buf_adds(b, "</h2>\n");
		table(b, sm);
	}
	if (sm->norgs > 0) {
		buf_adds(b, "<h2>");
		esc(b, _("By organisation"));
		buf_adds(b, "</h2>\n<p class=\"meta\">");
		esc(b, _("the registered domain of the sources' PTR names"));
		buf_adds(b, "</p>\n");
		orgs(b, sm);
	}
	buf_adds(b, "</body>\n</html>\n");
	buf_free(&v);
}

int
rcv_html_write(const struct summary *sm, const char *path)
{
	struct buf b = BUF_INIT;
	int status = -1;

	page(&b, sm);
	if (buf_failed(&b))
		fprintf(stderr, "inkan-reports: out of memory\n");
	else
		status = rcv_write_file(path, b.data, b.len);
	buf_free(&b);
	return status;
}
