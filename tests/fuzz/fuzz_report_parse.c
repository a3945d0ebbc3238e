/* SPDX-License-Identifier: ISC */
/*
 * fuzz_report_parse.c - libFuzzer target for reading received DMARC
 * aggregate reports (reports/received/): the XML parser (parse.c) on the
 * input as it is, then the whole unpacking path on the same bytes
 * (unpack.c: gzip, zip; mime.c: a message and its attachments), each XML
 * document found parsed in turn. Checks what import relies on: a report
 * that parses has its key fields, a valid source address per record and
 * only clean text (no control characters); nothing crashes or leaks.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "parse.h"
#include "unpack.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
clean(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

static void
check(const struct received_report *r)
{
	unsigned char a[16];
	size_t i, j;

	if (r->org_name == NULL || r->report_id == NULL || r->domain == NULL ||
	    r->end < r->begin || r->nrec > RCV_MAX_RECORDS)
		abort();
	clean(r->org_name);
	clean(r->report_id);
	clean(r->domain);
	clean(r->email);
	for (i = 0; i < r->nrec; i++) {
		const struct received_record *c = &r->rec[i];

		if (inet_pton(AF_INET, c->source_ip, a) != 1 &&
		    inet_pton(AF_INET6, c->source_ip, a) != 1)
			abort();
		if (c->count > RCV_MAX_COUNT || c->ndkim > RCV_MAX_AUTH ||
		    c->nspf > RCV_MAX_AUTH)
			abort();
		clean(c->header_from);
		for (j = 0; j < c->ndkim; j++)
			clean(c->auth_dkim[j].selector);
		for (j = 0; j < c->nreasons; j++)
			clean(c->reasons[j].comment);
	}
}

static int
parse_one(const void *p, size_t len)
{
	struct received_report *r;
	struct err e;
	char reason[RCV_REASON_MAX];

	if (rcv_parse(p, len, &r, reason, &e) == -1)
		return -1;
	if (r != NULL)
		check(r);
	else if (reason[0] == '\0')
		abort();	/* a refusal always says why */
	rcv_report_free(r);
	return 0;
}

static int
sink_xml(void *arg, const char *label, const void *p, size_t len,
    struct err *e)
{
	(void)arg; (void)label; (void)e;
	return parse_one(p, len);
}

static int
sink_refused(void *arg, const char *label, const char *reason, struct err *e)
{
	(void)arg; (void)label; (void)e;
	if (reason == NULL || *reason == '\0')
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rcv_sink s = { sink_xml, sink_refused, NULL };
	struct err e;
	char *in;

	/* an exact-size heap copy, so a read past the end shows */
	if ((in = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	(void)parse_one(in, size);
	(void)rcv_unpack(&s, "fuzz", in, size, true, &e);
	free(in);
	return 0;
}
