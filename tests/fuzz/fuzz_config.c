/* SPDX-License-Identifier: ISC */
/*
 * fuzz_config.c - libFuzzer target for the inkan.conf reader
 * (config_parse(): the line reader and every value parser behind it:
 * numbers, booleans, lists, header names, CIDR lists, canonicalization,
 * log settings, the metrics socket address). The file is the admin's, not
 * the network's, but a typo must give a "file:line: problem", never a
 * crash: the daemon reads it again on every SIGHUP. config_parse() opens
 * nothing, so no input makes the fuzzer read keys, resolve names or create
 * databases. The input is copied to a heap block of its exact size and
 * read through fmemopen(), so a read past the end shows under ASan.
 * Checks: a config comes back exactly when no problem was reported, its
 * numbers and CIDR prefixes lie in their ranges, lists hold no empty item
 * and the header lists only valid field names.
 */
#include <sys/socket.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hdr.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_cidrs(const struct cidr_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].prefix > (l->v[i].family == AF_INET ? 32u : 128u))
			abort();
}

static void
check_list(const struct strlist *l, bool headers)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i][0] == '\0' || (headers && !hdr_name_valid(l->v[i])))
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf problems = BUF_INIT;
	struct config *c;
	char *in;
	FILE *f;

	/* fmemopen() refuses a zero size; an empty file is the defaults */
	if ((in = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	if (size > 0)
		memcpy(in, data, size);
	else
		in[0] = '\n';
	if ((f = fmemopen(in, size > 0 ? size : 1, "r")) == NULL) {
		free(in);
		return 0;
	}
	c = config_parse(f, "fuzz.conf", &problems);
	fclose(f);
	if (c != NULL) {
		if (problems.len != 0)
			abort();
		if (c->dns_timeout < 100 || c->dns_timeout > 20000 ||
		    c->dns_budget < 100 || c->dns_budget > 25000 ||
		    (c->hcanon != CANON_SIMPLE && c->hcanon != CANON_RELAXED) ||
		    (c->bcanon != CANON_SIMPLE && c->bcanon != CANON_RELAXED))
			abort();
		if (c->log != CONFIG_LOG_SYSLOG && c->log != CONFIG_LOG_STDERR)
			abort();
		if ((c->discovery != DMARC_DISCOVERY_TREEWALK &&
		    c->discovery != DMARC_DISCOVERY_PSL) ||
		    (c->reject_action != CONFIG_REJECT_REJECT &&
		    c->reject_action != CONFIG_REJECT_QUARANTINE) ||
		    (c->quarantine_action != CONFIG_QUARANTINE_HOLD &&
		    c->quarantine_action != CONFIG_QUARANTINE_HEADER))
			abort();
		check_list(&c->sign_headers, true);
		check_list(&c->oversign_headers, true);
		check_list(&c->sign_daemons, false);
		check_list(&c->dmarc_never_reject, false);
		check_list(&c->dns_forwarders, false);
		check_cidrs(&c->internal_hosts);
		check_cidrs(&c->dmarc_trusted_forwarders);
		(void)cidr_list_match(&c->internal_hosts, "192.0.2.1");
		(void)cidr_list_match(&c->dmarc_trusted_forwarders,
		    "2001:db8::1");
		config_unref(c);
	} else if (problems.len == 0 && !buf_failed(&problems))
		abort();	/* refused without saying why */
	buf_free(&problems);
	free(in);
	return 0;
}
