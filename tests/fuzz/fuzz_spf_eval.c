/* SPDX-License-Identifier: ISC */
/*
 * fuzz_spf_eval.c - libFuzzer target for spf_eval_check_host(): the
 * fuzzed bytes are a zone (the --dns-zone format) loaded with
 * dns_zone_from_memory(), and check_host() runs against it for a fixed
 * request, once for an IPv4 and once for an IPv6 client, so records,
 * include/redirect chains, macros and explanations all come from the
 * fuzzer. Checks the limits of RFC 7208 4.6.4 hold whatever the zone
 * says, and that the answer's texts are terminated.
 * A useful seed: "a.test TXT \"v=spf1 include:b.test -all exp=e.a.test\"".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "err.h"
#include "spf_eval.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
run(struct dns_resolver *r, const char *ip)
{
	struct spf_request req;
	struct spf_answer a;
	struct err e;

	memset(&req, 0, sizeof(req));
	req.ip = ip;
	req.sender = "user.name@a.test";
	req.helo = "helo.a.test";
	req.domain = "a.test";
	req.receiver = "mx.example.net";
	req.now = 1400000000;
	if (spf_eval_check_host(r, &req, &a, &e) == 0) {
		if (a.result > SPF_PERMERROR)
			abort();
		if (a.dns_terms > SPF_MAX_DNS_TERMS ||
		    a.void_lookups > SPF_MAX_VOID_LOOKUPS + 1)
			abort();
		if (a.explanation != NULL && a.result != SPF_FAIL)
			abort();
		if (memchr(a.reason, '\0', sizeof(a.reason)) == NULL ||
		    memchr(a.mechanism, '\0', sizeof(a.mechanism)) == NULL)
			abort();
	}
	spf_answer_free(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_resolver *r;
	struct err e;

	if ((r = dns_zone_from_memory((const char *)data, size, &e)) == NULL)
		return 0;
	run(r, "192.0.2.10");
	run(r, "2001:db8::cb01");
	dns_resolver_free(r);
	return 0;
}
