/* SPDX-License-Identifier: ISC */
/*
 * auth_result.h - the result words of RFC 8601 section 2.7, shared by every
 * method (STYLE.md section 2), and the rule that results only get worse.
 */
#ifndef INKAN_AUTH_RESULT_H
#define INKAN_AUTH_RESULT_H

enum auth_result {
	AUTH_NONE,
	AUTH_PASS,
	AUTH_FAIL,
	AUTH_SOFTFAIL,
	AUTH_NEUTRAL,
	AUTH_POLICY,
	AUTH_TEMPERROR,
	AUTH_PERMERROR,
};

/* "none", "pass", ... as written in Authentication-Results. */
const char *auth_result_name(enum auth_result);

#endif
