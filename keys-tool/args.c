/* SPDX-License-Identifier: ISC */
/*
 * args.c - what every inkan-keys subcommand does the same way with its
 * arguments: the error line on stderr and the checks of a domain name and
 * a selector, so `generate`, `rotate`, `records` and `check` accept and
 * refuse the same names with the same words.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "keys.h"

int
keys_fail(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	if (cmd != NULL)
		fprintf(stderr, "inkan-keys %s: ", cmd);
	else
		fputs("inkan-keys: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

/*
 * A name the records are published under: a valid DNS name (RFC 1035
 * labels, as addr.c checks them), with at least one dot (a bare "com" or
 * "localhost" is a mistake here) and no trailing dot, which would turn
 * "_dmarc.example.com." into "_dmarc.example.com.." in zone output.
 */
bool
keys_domain_ok(const char *d)
{
	size_t n = strlen(d);

	return n > 0 && addr_domain_valid(d, n) && strchr(d, '.') != NULL &&
	    d[n - 1] != '.';
}

/* RFC 6376 3.1: a selector is a sub-domain, dots allowed; none at the end. */
bool
keys_selector_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && addr_domain_valid(s, n) && s[n - 1] != '.';
}
