/* SPDX-License-Identifier: ISC */
/*
 * fuzz_dkim_keyrec.c - libFuzzer target for dkim_keyrec_parse(): DNS key
 * records are attacker-chosen, and the p= bytes go to OpenSSL's DER
 * decoders. The input is copied to a heap block of its exact size so ASan
 * catches a read past the end. Checks that a key is held exactly when the
 * outcome says so and that OpenSSL's error queue is left empty.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "dkim_keyrec.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dkim_keyrec kr;
	struct err e;
	char *in;

	if ((in = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	if (dkim_keyrec_parse(in, size, &kr, &e) == 0) {
		int has_key = kr.outcome == DKIM_KEYREC_OK ||
		    kr.outcome == DKIM_KEYREC_TOO_SMALL;

		if (has_key != (kr.key != NULL))
			abort();
		if ((kr.outcome == DKIM_KEYREC_OK) != (kr.reason == NULL))
			abort();
		if (kr.outcome == DKIM_KEYREC_OK && kr.type == DKIM_KEY_RSA &&
		    (kr.bits < DKIM_KEYREC_RSA_MIN_BITS ||
		    kr.bits > DKIM_KEYREC_RSA_MAX_BITS))
			abort();
		if (ERR_peek_error() != 0)
			abort();
	}
	dkim_keyrec_free(&kr);
	free(in);
	return 0;
}
