/* SPDX-License-Identifier: ISC */
/*
 * fuzz_ar.c - libFuzzer target for ar_claims(), which reads the
 * authserv-id of Authentication-Results fields the sender wrote, to find
 * forged ones claiming to be ours. The input is the field value, copied to
 * a heap block of its exact size with no NUL after it, so a read past the
 * end shows under ASan. Checks one invariant: without a backslash (which a
 * quoted-string may use to spell the id differently) the value can only
 * claim the id if the id occurs in it, case-insensitively.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ar.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

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
	char *in;
	bool claims;

	if ((in = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	claims = ar_claims(in, size, FUZZ_AUTHSERV_ID);
	if (claims && memchr(in, '\\', size) == NULL &&
	    !occurs(in, size, FUZZ_AUTHSERV_ID))
		abort();
	free(in);
	return 0;
}
