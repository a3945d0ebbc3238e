/* SPDX-License-Identifier: ISC */
/*
 * parse.h - one DMARC aggregate report read from its XML (RFC 7489
 * appendix C; RFC 9990 appendix A, namespace
 * urn:ietf:params:xml:ns:dmarc-2.0) into a struct received_report
 * (milter/store/received_db.h).
 */
#ifndef INKAN_RCV_PARSE_H
#define INKAN_RCV_PARSE_H

#include <stddef.h>

#include "received_db.h"

struct err;

/*
 * Caps, each for a reason. Real reports are a few kilobytes to a few
 * megabytes (one record per source and result set, RFC 9990 2.1).
 */
#define RCV_MAX_XML	(32u << 20)	/* bytes of XML: an unpacked report */
#define RCV_MAX_DEPTH	32	/* element nesting; the schema needs 5 */
#define RCV_MAX_RECORDS	200000	/* <record>s in one report */
#define RCV_MAX_AUTH	100	/* dkim or spf results per record (RFC 9990 2.1.2) */
#define RCV_MAX_REASONS	16	/* override reasons per record */
#define RCV_MAX_TEXT	1024	/* bytes kept of one value (longer: cut) */
#define RCV_MAX_COUNT	4294967295ULL	/* messages per record */
#define RCV_MAX_TIME	253402300799LL	/* 9999-12-31T23:59:59Z */

#define RCV_REASON_MAX	256

/*
 * Parse len bytes of XML at p. Returns -1 with e filled if it could not
 * be done (no memory). Else 0 and either *out (the report; the caller
 * frees it with rcv_report_free) or *out NULL and reason (a sentence
 * saying why the report cannot be read: not well-formed, a DOCTYPE with
 * entities, too deep, wrong namespace, a required element missing, a
 * number out of range, ...).
 * No network, no DTD, no entity declarations (a document declaring one
 * is refused before anything is expanded: billion laughs, external
 * entities), no XML_PARSE_HUGE. C0 control characters other than TAB,
 * LF and CR (which XML 1.0 forbids, and which receivers send) are read
 * as spaces.
 */
int	 rcv_parse(const void *p, size_t len, struct received_report **out,
	    char reason[RCV_REASON_MAX], struct err *e);

/* Free a report from rcv_parse; NULL does nothing. */
void	 rcv_report_free(struct received_report *);

#endif
