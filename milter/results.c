/* SPDX-License-Identifier: ISC */
/*
 * results.c - the names of actions and roles (see results.h): the one
 * table the log line, JSON and metrics all use.
 */
#include "results.h"

const char *
results_action_name(enum txn_action a)
{
	static const char *const names[] = { "accept", "reject", "tempfail",
	    "quarantine", "discard" };

	return (size_t)a < sizeof(names) / sizeof(names[0]) ? names[a] : "?";
}

const char *
results_role_name(enum txn_role r)
{
	switch (r) {
	case TXN_ROLE_SIGN:	return "sign";
	case TXN_ROLE_VERIFY:	return "verify";
	case TXN_ROLE_NONE:	break;
	}
	return "none";
}
