/* SPDX-License-Identifier: ISC */
/*
 * auth_result.h - the result words of RFC 8601 section 2.7, shared by every
 * method (STYLE.md section 2), and the rule that results only get worse.
 */
#ifndef INKAN_AUTH_RESULT_H
#define INKAN_AUTH_RESULT_H

#include <stddef.h>

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
/*
 * The result of a word as read in Authentication-Results (len bytes, any
 * case, RFC 8601 2.2's Keyword); 0, or -1 for a word not in 2.7.
 */
int	 auth_result_parse(const char *word, size_t len, enum auth_result *);

#endif
