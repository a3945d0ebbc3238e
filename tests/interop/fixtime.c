/* SPDX-License-Identifier: ISC */
/*
 * fixtime.c - a time() that answers $FIXTIME, for verifiers that have no
 * option for the verification time (OpenDKIM's "opendkim -t" checks x=
 * against time()). Loaded with LD_PRELOAD by verify_opendkim.sh --now, so
 * a message signed at a fixed time is verified at that same time and the
 * test gives the same answer next year. Test code only; never installed.
 */
#include <stdlib.h>
#include <time.h>

time_t	time(time_t *);

time_t
time(time_t *t)
{
	const char	*s = getenv("FIXTIME");
	time_t		 v = s != NULL ? (time_t)strtoll(s, NULL, 10) : 0;

	if (t != NULL)
		*t = v;
	return v;
}
