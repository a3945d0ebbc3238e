/* SPDX-License-Identifier: ISC */
/*
 * fuzz_spf_record.c - libFuzzer target for spf_record_parse() and the
 * macro syntax check behind it: SPF records are attacker-chosen DNS
 * data. The input is copied to a heap block of its exact size (no NUL
 * after it) so ASan catches a read past the end. Checks that every view
 * of a parsed record lies inside the input and that CIDR lengths are in
 * range. Inputs not starting "v=spf1" get the prefix, so the fuzzer
 * spends its time on terms.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "spf_macro.h"
#include "spf_record.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_view(const struct spf_view *v, const char *in, size_t len)
{
	if (v->len == 0)
		return;
	if (v->p < in || v->p + v->len > in + len)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char prefix[] = "v=spf1 ";
	struct spf_record rec;
	struct err e;
	size_t len, i;
	char *in;

	len = size + sizeof(prefix) - 1;
	if ((in = malloc(len)) == NULL)
		return 0;
	memcpy(in, prefix, sizeof(prefix) - 1);
	memcpy(in + sizeof(prefix) - 1, data, size);
	if (spf_record_parse(in, len, &rec, &e) == 0) {
		for (i = 0; i < rec.nmech; i++) {
			const struct spf_mech *m = &rec.mech[i];

			check_view(&m->term, in, len);
			check_view(&m->domain, in, len);
			if (m->cidr4 > 32 || m->cidr6 > 128)
				abort();
		}
		check_view(&rec.redirect, in, len);
		check_view(&rec.exp, in, len);
		if (rec.error != NULL)
			check_view(&rec.errterm, in, len);
	}
	spf_record_free(&rec);
	/* the raw bytes as explanation text too */
	(void)spf_macro_check(in + sizeof(prefix) - 1, size,
	    SPF_MACRO_EXPLAIN, NULL);
	free(in);
	return 0;
}
