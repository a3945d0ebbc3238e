/* SPDX-License-Identifier: ISC */
/*
 * fuzz_ar.c - libFuzzer target for ar_claims(), which reads the
 * authserv-id of Authentication-Results fields the sender wrote, to find
 * forged ones claiming to be ours. The input is the field value, copied to
 * a heap block of its exact size with no NUL after it, so a read past the
 * end shows under ASan. Checks one invariant: without a backslash (which a
 * quoted-string may use to spell the id differently) the value can only
 * claim the id if the id occurs in it, case-insensitively.
 * The same input goes through ar_read_spf (the spf results of a trusted
 * relay's field): every view it returns lies inside the input, and none is
 * returned for a value it refused.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ar.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
inside(const struct ar_spf_result *r, const char *in, size_t size)
{
	return !r->found || (r->value.p >= in && r->value.len > 0 &&
	    r->value.len <= size && r->value.p + r->value.len <= in + size);
}

#define FUZZ_AUTHSERV_ID	"mx.example.com"

static bool
occurs(const char *v, size_t len, const char *id)
{
	size_t idlen = strlen(id), i;

	for (i = 0; i + idlen <= len; i++)
		if (strncasecmp(v + i, id, idlen) == 0)
			return true;
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ar_spf spf;
	char *in;
	bool claims;
	int rc;

	if ((in = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	claims = ar_claims(in, size, FUZZ_AUTHSERV_ID);
	if (claims && memchr(in, '\\', size) == NULL &&
	    !occurs(in, size, FUZZ_AUTHSERV_ID))
		abort();
	rc = ar_read_spf(in, size, &spf);
	if (!inside(&spf.mailfrom, in, size) || !inside(&spf.helo, in, size) ||
	    (rc == -1 && (spf.mailfrom.found || spf.helo.found)) ||
	    memchr(spf.id, '\0', sizeof(spf.id)) == NULL)
		abort();
	free(in);
	return 0;
}
