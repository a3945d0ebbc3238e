/* SPDX-License-Identifier: ISC */
/*
 * log.c - syslog or stderr, one line per call. Settings are written once at
 * start-up (before threads) and only read afterwards.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"

static bool	 log_to_stderr = true;
static int	 log_level = LOG_INFO;
static char	 log_ident[32] = "inkan";

/* The facilities a mail daemon is given (syslog(3); RFC 5424 6.2.1). */
static const struct { const char *name; int facility; } facilities[] = {
	{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

int
log_facility_parse(const char *name, int *facility)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (strcasecmp(name, facilities[i].name) == 0) {
			*facility = facilities[i].facility;
			return 0;
		}
	return -1;
}

const char *
log_facility_name(int facility)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (facilities[i].facility == facility)
			return facilities[i].name;
	return "unknown";
}

void
log_init(const char *ident, bool to_stderr, int facility)
{
	strlcpy(log_ident, ident, sizeof(log_ident));
	log_to_stderr = to_stderr;
	if (!to_stderr)
		openlog(log_ident, LOG_PID | LOG_NDELAY, facility);
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
