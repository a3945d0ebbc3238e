/* SPDX-License-Identifier: ISC */
/*
 * log.c - syslog or stderr, one line per call. Settings are written once at
 * start-up (before threads) and only read afterwards.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static bool	 log_to_stderr = true;
static int	 log_level = LOG_INFO;
static char	 log_ident[32] = "inkan";

void
log_init(const char *ident, bool to_stderr)
{
	strlcpy(log_ident, ident, sizeof(log_ident));
	log_to_stderr = to_stderr;
	if (!to_stderr)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

void
log_set_level(int level)
{
	log_level = level;
}

static void
log_v(int level, const char *suffix, const char *fmt, va_list ap)
{
	/* room for a message line with 32 DKIM results (longer ones are cut) */
	char line[8192];

	if (level > log_level)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_to_stderr)
		fprintf(stderr, "%s: %s%s%s\n", log_ident, line,
		    suffix != NULL ? ": " : "", suffix != NULL ? suffix : "");
	else
		syslog(level, "%s%s%s", line, suffix != NULL ? ": " : "",
		    suffix != NULL ? suffix : "");
}

void
log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(level, NULL, fmt, ap);
	va_end(ap);
}

void
log_errno(int level, const char *fmt, ...)
{
	char ebuf[128];
	const char *text;
	int saved = errno;
	va_list ap;

	/*
	 * _GNU_SOURCE gives glibc's strerror_r, which returns the text: for a
	 * known errno a static string, leaving ebuf unwritten.
	 */
	text = strerror_r(saved, ebuf, sizeof(ebuf));
	va_start(ap, fmt);
	log_v(level, text, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_lines(int level, const char *text)
{
	const char *p, *nl;

	for (p = text; p != NULL && *p != '\0'; p = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			log_msg(level, "%s", p);
		else if (nl > p)
			log_msg(level, "%.*s", (int)(nl - p), p);
	}
}
