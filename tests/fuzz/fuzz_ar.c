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
 * returned for a value it refused. And through ar_read_results (every
 * result, for an ARC sealer's ARC-Authentication-Results): counts within
 * the caps, every view inside the input, nothing kept from a refused value.
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

static bool
view_in(const struct ar_view *v, const char *in, size_t size)
{
	return v->p >= in && v->len <= size && v->p + v->len <= in + size;
}

static bool
results_inside(const struct ar_results *rs, const char *in, size_t size)
{
	size_t i, j;

	if (rs->n > AR_MAX_RESINFO || memchr(rs->id, '\0', sizeof(rs->id)) ==
	    NULL)
		return false;
	for (i = 0; i < rs->n; i++) {
		const struct ar_resinfo *ri = &rs->ri[i];

		if (!view_in(&ri->method, in, size) || ri->nprop > AR_MAX_PROPS)
			return false;
		for (j = 0; j < ri->nprop; j++)
			if (!view_in(&ri->prop[j].ptype, in, size) ||
			    !view_in(&ri->prop[j].property, in, size) ||
			    !view_in(&ri->prop[j].value, in, size))
				return false;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ar_spf spf;
	static struct ar_results rs;	/* large: not on the stack */
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
	rc = ar_read_results(in, size, &rs);
	if (!results_inside(&rs, in, size) || (rc == -1 && rs.n != 0))
		abort();
	free(in);
	return 0;
}
