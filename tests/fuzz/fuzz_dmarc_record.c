/* SPDX-License-Identifier: ISC */
/*
 * fuzz_dmarc_record.c - libFuzzer target for dmarc_record_parse(): DMARC
 * Policy Records are attacker-chosen DNS data. The input is copied to a
 * heap block of its exact size (no NUL after it) so ASan catches a read
 * past the end. Checks that every URI view lies inside the input, that
 * the counts respect DMARC_RECORD_MAX_URIS and that enum fields hold
 * declared values. Inputs are tried as they are and behind "v=DMARC1; "
 * so the fuzzer also spends its time on tags.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc_record.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_views(const struct taglist_view *v, size_t n, const char *in,
    size_t len)
{
	size_t i;

	if (n > DMARC_RECORD_MAX_URIS)
		abort();
	for (i = 0; i < n; i++)
		if (v[i].len == 0 || v[i].p < in || v[i].p + v[i].len > in + len)
			abort();
}

static void
one(const char *in, size_t len)
{
	struct dmarc_record r;
	const char *why;
	enum dmarc_record_outcome o;

	o = dmarc_record_parse(in, len, &r, &why);
	if (o != DMARC_RECORD_OK && why == NULL)
		abort();
	if (o == DMARC_RECORD_NOT_DMARC)
		return;
	check_views(r.rua, r.nrua, in, len);
	check_views(r.ruf, r.nruf, in, len);
	if (r.p > DMARC_REQ_REJECT || r.sp > DMARC_REQ_REJECT ||
	    r.np > DMARC_REQ_REJECT || r.psd > DMARC_PSD_N ||
	    r.adkim > DMARC_ALIGN_STRICT || r.aspf > DMARC_ALIGN_STRICT ||
	    r.pct > 100 || (o == DMARC_RECORD_INVALID && r.nrua != 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char prefix[] = "v=DMARC1; ";
	size_t len = size + sizeof(prefix) - 1;
	char *in;

	if ((in = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	one(in, size);
	free(in);
	if ((in = malloc(len)) == NULL)
		return 0;
	memcpy(in, prefix, sizeof(prefix) - 1);
	memcpy(in + sizeof(prefix) - 1, data, size);
	one(in, len);
	free(in);
	return 0;
}
