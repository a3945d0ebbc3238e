/* SPDX-License-Identifier: ISC */
/*
 * err.c - filling struct err. No I/O: messages are formatted into the
 * caller's buffer and the OpenSSL error queue is drained so a later call
 * does not report a stale error.
 */
#include <stdarg.h>
#include <stdio.h>

#include <openssl/err.h>

#include "err.h"

int
err_set(struct err *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int
err_ssl(struct err *e, const char *what)
{
	char sslmsg[160];
	unsigned long code = ERR_get_error();

	if (code == 0)
		snprintf(sslmsg, sizeof(sslmsg), "no OpenSSL error queued");
	else
		ERR_error_string_n(code, sslmsg, sizeof(sslmsg));
	ERR_clear_error();
	return err_set(e, "%s: %s", what, sslmsg);
}
