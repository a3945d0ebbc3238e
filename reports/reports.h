/* SPDX-License-Identifier: ISC */
/*
 * reports.h - the parts of inkan-reports, the DMARC aggregate report
 * writer (RFC 9990): xml.c builds one report from the database rows of a
 * Policy Domain and compresses it; dest.c turns a record's rua= value into
 * mail addresses, checking external destinations in the DNS (RFC 9990
 * "Verifying External Destinations"), and sends a report by mail.
 * main.c (options, which rows, marking them) ties them together.
 */
#ifndef INKAN_REPORTS_H
#define INKAN_REPORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "dns.h"
#include "report_query.h"

struct err;
struct report_db;

/* The namespace of RFC 9990 Appendix A. */
#define REPORT_XML_NS	"urn:ietf:params:xml:ns:dmarc-2.0"

struct report_meta {
	const char	*org_name;
	const char	*email;
	const char	*report_id;	/* 1*(ALPHA / DIGIT): also the file's unique-id */
};

/*
 * Append the XML report for the rows sel picks to out. *nrecords gets the
 * number of <record> elements and *nmsgs the messages they count (rows
 * with an unusable source address are left out). 0, or -1 with e filled.
 */
int	 report_xml(struct report_db *db, const struct report_sel *sel,
	    const struct report_meta *meta, struct buf *out, size_t *nrecords,
	    size_t *nmsgs, struct err *e);
/* Gzip (RFC 1952) in into out (appended). 0, or -1 with e filled. */
int	 report_gzip(const void *in, size_t len, struct buf *out,
	    struct err *e);

/* rua= URIs kept per report; the record parser keeps at most 16 too. */
#define DEST_MAX	16
/* Per DNS query of the destination checks. */
#define DEST_DNS_TIMEOUT_MS	5000

struct dest {
	char		 addr[320];	/* local@domain, checked for header use */
	uint64_t	 limit;		/* bytes, from "!size"; 0: none */
};

struct dest_list {
	struct dest	 d[DEST_MAX];
	size_t		 n;
	/* a DNS check could not be completed: try the report again later */
	bool		 temperror;
};

/*
 * The mail destinations of rua (a record's rua= value) for reports about
 * policy_domain. URIs outside policy_domain's Organizational Domain are
 * kept only if the authorization record exists (and replaced by its rua=
 * if it has one for the same host). Skipped URIs are described in notes,
 * one line each. 0, or -1 with e filled (no memory, a resolver failure).
 */
int	 dest_resolve(struct dns_resolver *, const char *policy_domain,
	    const char *rua, struct dest_list *out, struct buf *notes,
	    struct err *e);

/* One aggregate report to mail. */
struct mail_report {
	const char	*from;		/* --email */
	const char	*org_name;
	const char	*submitter;	/* the receiver's domain */
	const char	*domain;	/* the Policy Domain */
	const char	*report_id;
	const char	*filename;	/* of the attachment */
	const unsigned char *gz;
	size_t		 gzlen;
	time_t		 now;
};

/*
 * Build the RFC 9990 report message for rcpt into out (CRLF-free, for
 * sendmail -t). The attachment is base64 in 76-column lines.
 */
void	 mail_build(const struct mail_report *, const char *rcpt,
	    struct buf *out);
/*
 * Pipe msg into cmd (run by /bin/sh). 0 when the command exited 0, else
 * -1 with e filled.
 */
int	 mail_pipe(const char *cmd, const struct buf *msg, struct err *e);
/* Size of the attachment of n bytes once in base64 lines. */
uint64_t mail_b64_size(size_t n);

#endif
