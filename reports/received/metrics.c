/* SPDX-License-Identifier: ISC */
/*
 * metrics.c - `--metrics FILE` of inkan-reports import and received: a
 * Prometheus text exposition file (format 0.0.4: HELP and TYPE lines,
 * then samples) for node_exporter's textfile collector, which reads every
 * *.prom file of its directory. Give import and received (each domain)
 * files of their own.
 *   import: counters of reports imported, duplicates and refused (by
 *     reason class), and of messages in the reports imported. A textfile
 *     has no process to keep counters in, so each run reads the values
 *     the file holds and writes them back with its own added: counters
 *     that only grow, as Prometheus expects (deleting the file starts
 *     them again at 0, which Prometheus takes as a counter reset).
 *   received: gauges over the period summarised (--days before --now):
 *     reports, messages by source and DMARC result, SPF and DKIM aligned,
 *     dispositions, and whether the domain is ready for p=reject.
 * Every file is written whole to FILE.tmp, then renamed (rename(2) is
 * atomic), so the collector never reads half a file. Label values are
 * escaped (backslash, double quote, line feed) as the format asks; the
 * sources are the RCV_METRICS_SOURCES with most messages, the rest summed
 * under source="other", so a flood of addresses cannot blow up the
 * series count.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "summary.h"

#define RCV_METRICS_SOURCES	50	/* sources with series of their own */
#define RCV_METRICS_MAX_FILE	(1024 * 1024)	/* an old file read back */

int
rcv_write_file(const char *path, const void *data, size_t len)
{
	struct buf tmp = BUF_INIT;
	FILE *f;
	int status = -1;

	buf_printf(&tmp, "%s.tmp", path);
	if (buf_failed(&tmp)) {
		fprintf(stderr, "inkan-reports: out of memory\n");
		goto out;
	}
	if ((f = fopen(buf_str(&tmp), "w")) == NULL) {
		fprintf(stderr, "inkan-reports: %s: %s\n", buf_str(&tmp),
		    strerror(errno));
		goto out;
	}
	if (fwrite(data, 1, len, f) != len || fflush(f) != 0 ||
	    fsync(fileno(f)) != 0) {
		fprintf(stderr, "inkan-reports: %s: %s\n", buf_str(&tmp),
		    strerror(errno));
		(void)fclose(f);
		(void)unlink(buf_str(&tmp));
		goto out;
	}
	if (fclose(f) != 0 || rename(buf_str(&tmp), path) != 0) {
		fprintf(stderr, "inkan-reports: %s: %s\n", path,
		    strerror(errno));
		(void)unlink(buf_str(&tmp));
		goto out;
	}
	status = 0;
out:
	buf_free(&tmp);
	return status;
}

/* A label value: \ " and LF escaped (exposition format 0.0.4). */
static void
label(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			buf_addc(b, '\\');
		if (*s == '\n')
			buf_adds(b, "\\n");
		else
			buf_addc(b, *s);
	}
}

static void
head(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

const char *const rcv_refused_class[RCV_REFUSED_N] = {
	[RCV_REFUSED_ENTITIES] = "entities",
	[RCV_REFUSED_TOO_LARGE] = "too_large",
	[RCV_REFUSED_NOT_A_REPORT] = "not_a_report",
	[RCV_REFUSED_XML] = "xml",
	[RCV_REFUSED_COMPRESSION] = "compression",
	[RCV_REFUSED_CONTENT] = "content",
	[RCV_REFUSED_OTHER] = "other",
};

enum rcv_refused
rcv_refused_classify(const char *reason)
{
	static const struct {
		const char		*word;
		enum rcv_refused	 class;
	} t[] = {
		{ "declares entities", RCV_REFUSED_ENTITIES },
		{ "expands past", RCV_REFUSED_TOO_LARGE },
		{ "larger than", RCV_REFUSED_TOO_LARGE },
		{ "more than", RCV_REFUSED_TOO_LARGE },
		{ "not a DMARC", RCV_REFUSED_NOT_A_REPORT },
		{ "no DMARC report", RCV_REFUSED_NOT_A_REPORT },
		{ "not a report", RCV_REFUSED_NOT_A_REPORT },
		{ "neither gzip", RCV_REFUSED_NOT_A_REPORT },
		{ "other than XML", RCV_REFUSED_NOT_A_REPORT },
		{ "is not XML", RCV_REFUSED_NOT_A_REPORT },
		{ "not a regular file", RCV_REFUSED_NOT_A_REPORT },
		{ "not well-formed", RCV_REFUSED_XML },
		{ "nested too deep", RCV_REFUSED_XML },
		{ "gzip", RCV_REFUSED_COMPRESSION },
		{ "zip", RCV_REFUSED_COMPRESSION },
		{ "no <", RCV_REFUSED_CONTENT },
		{ "missing", RCV_REFUSED_CONTENT },
		{ "not a number", RCV_REFUSED_CONTENT },
		{ "record ", RCV_REFUSED_CONTENT },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strstr(reason, t[i].word) != NULL)
			return t[i].class;
	return RCV_REFUSED_OTHER;
}

/*
 * The value of the sample "key value" in the old file text (0 if none, or
 * if the line does not hold a sane number).
 */
static uint64_t
old_value(const char *text, const char *key)
{
	const char *p = text, *nl;
	size_t kl = strlen(key);
	char *end;
	unsigned long long v;

	for (; *p != '\0'; p = nl != NULL ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		if (strncmp(p, key, kl) != 0 || p[kl] != ' ')
			continue;
		errno = 0;
		v = strtoull(p + kl + 1, &end, 10);
		if (errno != 0 || end == p + kl + 1 || (*end != '\n' &&
		    *end != '\0' && *end != ' '))
			return 0;
		return (uint64_t)v;
	}
	return 0;
}

/* The old file (up to RCV_METRICS_MAX_FILE bytes) into b; "" if none. */
static void
read_old(const char *path, struct buf *b)
{
	char chunk[8192];
	FILE *f;
	size_t n;

	if ((f = fopen(path, "r")) == NULL)
		return;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 &&
	    b->len < RCV_METRICS_MAX_FILE)
		buf_add(b, chunk, n);
	(void)fclose(f);
	/* a NUL inside ends the text there: nothing is read past it */
	buf_str(b);
}

/* One counter sample: the old value plus add. */
static void
counter(struct buf *b, const char *old, const char *key, uint64_t add)
{
	buf_printf(b, "%s %" PRIu64 "\n", key, old_value(old, key) + add);
}

int
rcv_metrics_import(const char *path, const struct rcv_import_counts *c)
{
	struct buf b = BUF_INIT, old = BUF_INIT, key = BUF_INIT;
	int i, status;

	read_old(path, &old);
	buf_str(&old);
	head(&b, "inkan_reports_import_reports_total", "counter",
	    "DMARC aggregate reports read by inkan-reports import, by result");
	counter(&b, buf_str(&old),
	    "inkan_reports_import_reports_total{result=\"imported\"}",
	    c->imported);
	counter(&b, buf_str(&old),
	    "inkan_reports_import_reports_total{result=\"duplicate\"}",
	    c->duplicates);
	counter(&b, buf_str(&old),
	    "inkan_reports_import_reports_total{result=\"refused\"}",
	    c->refused);
	head(&b, "inkan_reports_import_refused_total", "counter",
	    "Reports refused by inkan-reports import, by class of reason");
	for (i = 0; i < RCV_REFUSED_N; i++) {
		buf_reset(&key);
		buf_printf(&key, "inkan_reports_import_refused_total{reason=\""
		    "%s\"}", rcv_refused_class[i]);
		counter(&b, buf_str(&old), buf_str(&key), c->refused_by[i]);
	}
	head(&b, "inkan_reports_import_messages_total", "counter",
	    "Messages counted in the reports imported (not in duplicates)");
	counter(&b, buf_str(&old), "inkan_reports_import_messages_total",
	    c->messages);
	head(&b, "inkan_reports_import_last_run_timestamp_seconds", "gauge",
	    "When the last import ran (its --now), seconds since the epoch");
	buf_printf(&b, "inkan_reports_import_last_run_timestamp_seconds %"
	    PRId64 "\n", c->now);
	if (buf_failed(&b) || buf_failed(&key)) {
		fprintf(stderr, "inkan-reports: out of memory\n");
		status = -1;
	} else
		status = rcv_write_file(path, b.data, b.len);
	buf_free(&b);
	buf_free(&old);
	buf_free(&key);
	return status;
}

/* name{domain="D",source="S"} v, for a per-source gauge. */
static void
per_source(struct buf *b, const char *name, const char *dom,
    const char *source, const char *extra, uint64_t v)
{
	buf_printf(b, "%s{domain=\"", name);
	label(b, dom);
	buf_adds(b, "\",source=\"");
	label(b, source);
	buf_printf(b, "\"%s} %" PRIu64 "\n", extra, v);
}

int
rcv_metrics_summary(const char *path, const struct summary *sm)
{
	struct buf b = BUF_INIT;
	struct src other;
	const struct src *s;
	size_t i, n = sm->n < RCV_METRICS_SOURCES ? sm->n : RCV_METRICS_SOURCES;
	bool ready = sm->msgs > 0 && sm->dmarc_pass == sm->msgs;
	int status;

	memset(&other, 0, sizeof(other));
	for (i = n; i < sm->n; i++) {
		other.msgs += sm->s[i].msgs;
		other.dmarc_pass += sm->s[i].dmarc_pass;
		other.spf_aligned += sm->s[i].spf_aligned;
		other.dkim_aligned += sm->s[i].dkim_aligned;
		other.none += sm->s[i].none;
		other.quarantine += sm->s[i].quarantine;
		other.reject += sm->s[i].reject;
	}
	other.ip = (char *)"other";

	head(&b, "inkan_reports_received_reports", "gauge",
	    "DMARC aggregate reports about the domain in the period");
	buf_adds(&b, "inkan_reports_received_reports{domain=\"");
	label(&b, sm->domain);
	buf_printf(&b, "\"} %" PRId64 "\n", sm->reports);
	head(&b, "inkan_reports_received_messages", "gauge",
	    "Messages reported in the period, by source address and DMARC "
	    "result");
	for (i = 0; i <= n; i++) {
		s = i < n ? &sm->s[i] : &other;
		if (i == n && sm->n <= n)
			break;
		per_source(&b, "inkan_reports_received_messages", sm->domain,
		    s->ip, ",dmarc=\"pass\"", s->dmarc_pass);
		per_source(&b, "inkan_reports_received_messages", sm->domain,
		    s->ip, ",dmarc=\"fail\"", s->msgs - s->dmarc_pass);
	}
	head(&b, "inkan_reports_received_aligned_messages", "gauge",
	    "Messages whose SPF or DKIM result passed aligned, by source");
	for (i = 0; i <= n; i++) {
		s = i < n ? &sm->s[i] : &other;
		if (i == n && sm->n <= n)
			break;
		per_source(&b, "inkan_reports_received_aligned_messages",
		    sm->domain, s->ip, ",method=\"spf\"", s->spf_aligned);
		per_source(&b, "inkan_reports_received_aligned_messages",
		    sm->domain, s->ip, ",method=\"dkim\"", s->dkim_aligned);
	}
	head(&b, "inkan_reports_received_disposition_messages", "gauge",
	    "Messages by the disposition receivers applied, by source");
	for (i = 0; i <= n; i++) {
		s = i < n ? &sm->s[i] : &other;
		if (i == n && sm->n <= n)
			break;
		per_source(&b, "inkan_reports_received_disposition_messages",
		    sm->domain, s->ip, ",disposition=\"none\"", s->none);
		per_source(&b, "inkan_reports_received_disposition_messages",
		    sm->domain, s->ip, ",disposition=\"quarantine\"",
		    s->quarantine);
		per_source(&b, "inkan_reports_received_disposition_messages",
		    sm->domain, s->ip, ",disposition=\"reject\"", s->reject);
	}
	head(&b, "inkan_reports_received_ready_reject", "gauge",
	    "1 if every message reported in the period passed DMARC");
	buf_adds(&b, "inkan_reports_received_ready_reject{domain=\"");
	label(&b, sm->domain);
	buf_printf(&b, "\"} %d\n", ready ? 1 : 0);
	head(&b, "inkan_reports_received_period_end_timestamp_seconds",
	    "gauge", "The end of the period summarised (--now)");
	buf_adds(&b, "inkan_reports_received_period_end_timestamp_seconds"
	    "{domain=\"");
	label(&b, sm->domain);
	buf_printf(&b, "\"} %" PRId64 "\n", sm->until);
	if (buf_failed(&b)) {
		fprintf(stderr, "inkan-reports: out of memory\n");
		status = -1;
	} else
		status = rcv_write_file(path, b.data, b.len);
	buf_free(&b);
	return status;
}
