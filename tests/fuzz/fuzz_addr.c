/* SPDX-License-Identifier: ISC */
/*
 * fuzz_addr.c - libFuzzer target for the RFC 5322 address-list parser
 * (addr_parse_list) and the domain check (addr_domain_valid): the From
 * field is the sender's to write. The input is copied to a heap block of
 * its exact size, so a read past the end shows under ASan. Checks that a
 * parsed list has at most ADDR_MAX members, that every view lies inside
 * the input, and that the error is set exactly on failure.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
inside(const char *p, size_t len, const char *in, size_t size)
{
	return len == 0 || (p >= in && len <= size &&
	    (size_t)(p - in) <= size - len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr_list l;
	char *in;
	size_t i;

	if ((in = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	memset(&l, 0, sizeof(l));
	if (addr_parse_list(in, size, &l) == 0) {
		if (l.err != NULL || l.n > ADDR_MAX)
			abort();
		for (i = 0; i < l.n; i++) {
			if (!inside(l.a[i].local, l.a[i].local_len, in, size) ||
			    !inside(l.a[i].domain, l.a[i].domain_len, in, size))
				abort();
			/* the check the pipeline makes on the From domain */
			(void)addr_domain_valid(l.a[i].domain,
			    l.a[i].domain_len);
		}
	} else if (l.err == NULL)
		abort();
	(void)addr_domain_valid(in, size);
	free(in);
	return 0;
}
