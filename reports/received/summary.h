/* SPDX-License-Identifier: ISC */
/*
 * summary.h - what `inkan-reports received` computes from the imported
 * reports of one domain (summary.c), shared with its renderers: the text
 * and JSON in summary.c, the HTML page (html.c) and the Prometheus
 * textfile (metrics.c). summary.c owns every struct here; renderers only
 * read them.
 */
#ifndef INKAN_RCV_SUMMARY_H
#define INKAN_RCV_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "dns.h"

/* Days charted per day on the HTML page; a longer period is cut to it. */
#define RCV_MAX_DAYS	400

/* What a failing row lacked, for the verdict (see classify). */
enum spf_state { SPF_UNALIGNED, SPF_FAILED, SPF_SOFT, SPF_NONE, SPF_N };
enum dkim_state { DKIM_NONE, DKIM_UNALIGNED, DKIM_FAILED, DKIM_N };

struct src {
	char		*ip;
	char		 ptr[DNS_NAME_MAX + 1];	/* "" if none (or not asked) */
	char		 org[DNS_NAME_MAX + 1];	/* ptr's registered domain, or "" */
	uint64_t	 msgs, dmarc_pass;
	uint64_t	 spf_pass, spf_aligned, dkim_pass, dkim_aligned;
	uint64_t	 none, quarantine, reject;
	uint64_t	 ed25519;	/* messages with an explained DKIM fail */
	uint64_t	 why[SPF_N][DKIM_N];	/* failing messages by cause */
	struct buf	 orgs;		/* ", "-separated */
	size_t		 norgs;
	struct buf	 other_d;	/* a d= that passed, not aligned */
	struct buf	 spf_d;		/* an SPF domain that passed, not aligned */
};

/*
 * The sources of one organisation. Aggregate reports name the reporter,
 * never the sender, so the organisation of a source is the registered
 * domain of its PTR name (public suffix plus one label, libpsl):
 * o1.sendgrid.net and o2.sendgrid.net are both sendgrid.net.
 */
struct org_group {
	const char	*name;		/* a src's org */
	uint64_t	 msgs, dmarc_pass;
	size_t		 nsrc;
};

/* Messages of one UTC day of the period. */
struct day {
	uint64_t	 msgs, dmarc_pass;
};

struct summary {
	const char	*domain;
	struct src	*s;
	size_t		 n;
	struct org_group *orgs;		/* most messages first */
	size_t		 norgs;
	uint64_t	 msgs, dmarc_pass, ed25519;
	struct buf	 ed_note;	/* selectors explained */
	char		 published[200];	/* the latest report's policy */
	int64_t		 since, until, reports;
	/*
	 * days[i]: the UTC day first_day + i (in days since the epoch);
	 * a row counts on the day of the middle of its report's period
	 * (cut to the summary's), as reports mostly cover one day.
	 */
	int64_t		 first_day;
	size_t		 ndays;
	struct day	 days[RCV_MAX_DAYS];
};

/* n with thousands separators, as the admin reads it: "1,204". */
const char *rcv_num(uint64_t n, char out[32]);

/*
 * The verdict for source s into b (nothing if it does not fail); with
 * translate, in the language of the locale (the text and the page),
 * else in English (--json).
 */
void	 rcv_source_verdict(const struct summary *, const struct src *s,
	    struct buf *b, bool translate);

/* The verdict for the domain into b; *ready set if nothing fails. */
void	 rcv_domain_verdict(const struct summary *, struct buf *b,
	    bool *ready, bool translate);

/*
 * The page of --html (html.c) into path, written whole to path.tmp
 * first, then renamed. Returns 0, or -1 after a message on stderr.
 */
int	 rcv_html_write(const struct summary *, const char *path);

/*
 * len bytes of data into path: written to path.tmp, synced, renamed over
 * path (metrics.c). Returns 0, or -1 after a message on stderr.
 */
int	 rcv_write_file(const char *path, const void *data, size_t len);

/* Classes of the reasons import refuses a report for (metrics.c). */
enum rcv_refused {
	RCV_REFUSED_ENTITIES,	/* a DOCTYPE with entities: XXE, billion laughs */
	RCV_REFUSED_TOO_LARGE,	/* past a cap: bombs, too many records or files */
	RCV_REFUSED_NOT_A_REPORT,	/* another namespace, no report attached */
	RCV_REFUSED_XML,	/* not well-formed, nested too deep */
	RCV_REFUSED_COMPRESSION,	/* a damaged or truncated gzip or zip */
	RCV_REFUSED_CONTENT,	/* a required element missing or wrong */
	RCV_REFUSED_OTHER,
	RCV_REFUSED_N
};
extern const char *const rcv_refused_class[RCV_REFUSED_N]; /* label values */
enum rcv_refused rcv_refused_classify(const char *reason);

/* What one import run did, for --metrics. */
struct rcv_import_counts {
	uint64_t	 imported, duplicates, refused;
	uint64_t	 refused_by[RCV_REFUSED_N];
	uint64_t	 messages;	/* in the reports imported */
	int64_t		 now;
};

/*
 * The --metrics textfile of import (counters: the file's old values plus
 * c's) and of received (gauges of the summary), written as
 * rcv_write_file does. Return 0, or -1 after a message on stderr.
 */
int	 rcv_metrics_import(const char *path, const struct rcv_import_counts *);
int	 rcv_metrics_summary(const char *path, const struct summary *);

#endif
