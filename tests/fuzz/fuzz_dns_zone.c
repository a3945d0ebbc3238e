/* SPDX-License-Identifier: ISC */
/*
 * fuzz_dns_zone.c - libFuzzer target for the --dns-zone reader
 * (milter/dns/dns_zone.c: its lexer, directives and TIMEOUT/SERVFAIL lines,
 * and the ldns calls that read names and rdata of every type). The input
 * is a zone file (an RFC 1035 master file), loaded from memory
 * in an allocation of exactly its size (so a read past the end shows under
 * ASan); when it loads, a few lookups of every type run over names taken
 * from the input and fixed names, following CNAMEs, and every answer is
 * walked so its lengths and views are checked.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "dns.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const enum dns_type fuzz_types[] = {
	DNS_A, DNS_AAAA, DNS_MX, DNS_TXT, DNS_PTR, DNS_CNAME, DNS_NS, DNS_SPF,
};

/* Touch every byte the answer claims to have. */
static unsigned int
fuzz_walk(const struct dns_result *res)
{
	unsigned int sum = 0;
	size_t i, j, k;

	for (i = 0; i < res->n; i++) {
		const struct dns_rr *rr = &res->rr[i];

		for (j = 0; j < rr->len; j++)
			sum += rr->data[j];
		if (rr->data != NULL && rr->data[rr->len] != '\0')
			abort();
		for (j = 0; j < rr->npieces; j++) {
			if (rr->pieces[j].len > DNS_TXT_STRING_MAX)
				abort();
			for (k = 0; k < rr->pieces[j].len; k++)
				sum += rr->pieces[j].data[k];
		}
		if (rr->name != NULL)
			sum += (unsigned int)strlen(rr->name);
	}
	return sum;
}

static void
fuzz_query(struct dns_resolver *r, const char *name)
{
	struct dns_result res;
	struct err e;
	size_t i;

	if (!dns_name_valid(name, strlen(name)))
		return;
	for (i = 0; i < sizeof(fuzz_types) / sizeof(fuzz_types[0]); i++) {
		if (dns_lookup(r, name, fuzz_types[i], 0, &res, &e) == -1)
			continue;
		(void)fuzz_walk(&res);
		dns_result_free(&res);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *fixed[] = { "example.com", "a.test", "x",
	    "www.example.com", "sp\\032ace.example.com", "x.sub.example.com" };
	struct dns_resolver *r;
	struct err e;
	char *copy, name[DNS_NAME_MAX + 2];
	size_t i, len;

	if ((copy = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	r = dns_zone_from_memory(copy, size, &e);
	if (r == NULL) {
		free(copy);
		return 0;
	}
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		fuzz_query(r, fixed[i]);
	/* the first word of the input: often the first owner name */
	for (len = 0; len < size && len <= DNS_NAME_MAX &&
	    copy[len] > ' ' && copy[len] < 0x7f; len++)
		name[len] = copy[len];
	name[len] = '\0';
	fuzz_query(r, name);
	free(copy);
	dns_resolver_free(r);
	return 0;
}
