/* SPDX-License-Identifier: ISC */
/*
 * auth_result.c - RFC 8601 result words.
 */
#include <string.h>
#include <strings.h>

#include "auth_result.h"

const char *
auth_result_name(enum auth_result r)
{
	switch (r) {
	case AUTH_NONE:		return "none";
	case AUTH_PASS:		return "pass";
	case AUTH_FAIL:		return "fail";
	case AUTH_SOFTFAIL:	return "softfail";
	case AUTH_NEUTRAL:	return "neutral";
	case AUTH_POLICY:	return "policy";
	case AUTH_TEMPERROR:	return "temperror";
	case AUTH_PERMERROR:	return "permerror";
	}
	return "permerror";
}

int
auth_result_parse(const char *word, size_t len, enum auth_result *out)
{
	enum auth_result r;

	for (r = AUTH_NONE; r <= AUTH_PERMERROR; r++)
		if (strlen(auth_result_name(r)) == len &&
		    strncasecmp(word, auth_result_name(r), len) == 0) {
			*out = r;
			return 0;
		}
	return -1;
}
