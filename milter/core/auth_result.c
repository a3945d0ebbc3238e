/* SPDX-License-Identifier: ISC */
/*
 * auth_result.c - RFC 8601 result words.
 */
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
