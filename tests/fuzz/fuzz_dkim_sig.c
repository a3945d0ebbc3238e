/* SPDX-License-Identifier: ISC */
/*
 * fuzz_dkim_sig.c - libFuzzer target for dkim_sig_parse() (and through it
 * taglist_parse() and the base64 decoder). The input is copied to a heap
 * block of its exact size, so a read past the end is caught by ASan; the
 * parser must never need a NUL. Checks the invariants a verifier relies
 * on: the b= location lies inside the input, views of an ok signature
 * lie inside the input, and reasons are set exactly for permerrors.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dkim_sig.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
inside(const struct taglist_view *v, const char *in, size_t len)
{
	return v->len == 0 || (v->p >= in && v->len <= len &&
	    (size_t)(v->p - in) <= len - v->len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dkim_sig sig;
	struct err e;
	char *in;
	size_t i;

	if ((in = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	if (dkim_sig_parse(in, size, &sig, &e) == 0) {
		if ((sig.outcome == DKIM_SIG_OK) != (sig.reason == NULL))
			abort();
		if (sig.outcome == DKIM_SIG_OK) {
			if (sig.b_off > size || sig.b_len > size - sig.b_off)
				abort();
			if (!inside(&sig.d, in, size) ||
			    !inside(&sig.s, in, size) ||
			    !inside(&sig.i_domain, in, size) ||
			    sig.nh == 0 || sig.b.len == 0 || sig.bh.len == 0)
				abort();
			for (i = 0; i < sig.nh; i++)
				if (!inside(&sig.h[i], in, size))
					abort();
		}
	}
	dkim_sig_free(&sig);
	free(in);
	return 0;
}
